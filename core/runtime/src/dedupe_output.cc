#include "newsflow/dedupe_output.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace newsflow {

Status LoadArticleIds(const std::string& path, std::unordered_set<std::string>& ids,
                      int64_t* unreadable) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::OK();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot read " + path + " to find the ids already written");
  simdjson::ondemand::parser parser;
  std::string line;
  uint64_t complete = 0;  // bytes up to and including the last '\n'
  int64_t bad = 0;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no '\n' after it: a torn line
    complete += line.size() + 1;
    if (line.empty()) continue;
    simdjson::padded_string json(line);
    std::string_view id;
    auto doc = parser.iterate(json);
    if (doc.error() != simdjson::SUCCESS || doc["id"].get_string().get(id) != simdjson::SUCCESS) {
      ++bad;
      continue;
    }
    ids.emplace(id);
  }
  if (in.bad()) return Status::Unavailable("error reading " + path);
  uint64_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > complete) {
    spdlog::warn("{}: cutting off a torn last line ({} bytes without a newline, written by a sink "
                 "that was killed mid-write; its record was not acknowledged and is read again)",
                 path, size - complete);
    std::filesystem::resize_file(path, complete, ec);
    if (ec) return Status::Unavailable("cannot truncate the torn last line of " + path + ": " + ec.message());
  }
  if (unreadable != nullptr) *unreadable = bad;
  return Status::OK();
}

Result<std::unique_ptr<DedupeOutput>> DedupeOutput::Open(const std::string& path,
                                                         const std::string& dlq_path,
                                                         prometheus::Registry& registry,
                                                         const std::string& name,
                                                         const std::atomic<bool>* stop) {
  std::unique_ptr<DedupeOutput> d(new DedupeOutput());
  std::error_code ec;
  // A pipe has no earlier lines to read (reading it would take a writer's).
  if (path != "-" && (!std::filesystem::exists(path, ec) || std::filesystem::is_regular_file(path, ec))) {
    int64_t bad = 0;
    NEWSFLOW_RETURN_IF_ERROR(LoadArticleIds(path, d->ids_, &bad));
    if (bad > 0)
      spdlog::warn("{}: {} line(s) without a readable \"id\" (kept, not used for dedupe)", path, bad);
    spdlog::info("[{}] dedupe: {} article id(s) already in {}", name, d->ids_.size(), path);
  }
  auto file = FileOutput::Open(path, dlq_path, stop);
  if (!file.ok()) return file.status();
  d->file_ = std::move(*file);
  d->dropped_counter_ = &prometheus::BuildCounter()
                             .Name("newsflow_sink_duplicates_dropped_total")
                             .Help("Records a sink with --dedupe did not write because an article "
                                   "with the same id was already written")
                             .Register(registry)
                             .Add({{"stage", name}});
  return d;
}

Status DedupeOutput::Send(std::string_view key, std::string_view value, int64_t origin_ms,
                          Done done) {
  if (!key.empty() && ids_.count(std::string(key)) != 0) {
    ++dropped_;
    dropped_counter_->Increment();
    done(Status::OK());  // handled: its offset may be committed
    return Status::OK();
  }
  Status s = file_->Send(key, value, origin_ms, std::move(done));
  if (s.ok() && !key.empty()) ids_.emplace(key);
  return s;
}

std::string DedupeOutput::Summary() const {
  return " duplicates dropped " + std::to_string(dropped_);
}

}  // namespace newsflow
