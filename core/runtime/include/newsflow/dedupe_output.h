// DedupeOutput: a JSON Lines file sink that writes each article id once
// (`newsflow sink --dedupe`). At-least-once delivery repeats records after a
// crash (a stage's or the watcher's); this output drops the repeats, so the
// file holds every article exactly once even across sink restarts.
//
// On open it reads the ids of the file's complete lines and cuts off a torn
// last line (a sink killed in the middle of a write: that record was never
// acknowledged, so it is read again). Ids live in memory: ~100 bytes each.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_set>

#include "newsflow/runner.h"

namespace newsflow {

class DedupeOutput final : public RecordOutput {
 public:
  // `path` may be "-" or a named pipe (repeats are then dropped within this
  // run only). `name` labels the newsflow_sink_duplicates_dropped_total
  // counter. `stop` as for FileOutput::Open.
  static Result<std::unique_ptr<DedupeOutput>> Open(const std::string& path,
                                                    const std::string& dlq_path,
                                                    prometheus::Registry& registry,
                                                    const std::string& name,
                                                    const std::atomic<bool>* stop = nullptr);
  // Records with an empty key (not decoded) are written as they come.
  Status Send(std::string_view key, std::string_view value, int64_t origin_ms,
              Done done) override;
  Status SendDeadLetter(std::string_view key, std::string_view value, Done done) override {
    return file_->SendDeadLetter(key, value, std::move(done));
  }
  void Poll(int timeout_ms) override { file_->Poll(timeout_ms); }
  Status Flush(std::chrono::milliseconds timeout) override { return file_->Flush(timeout); }
  std::string Describe() const override { return file_->Describe(); }
  std::string Summary() const override;

  int64_t dropped() const { return dropped_; }
  size_t known() const { return ids_.size(); }

 private:
  DedupeOutput() = default;
  std::unique_ptr<FileOutput> file_;
  std::unordered_set<std::string> ids_;
  int64_t dropped_ = 0;
  prometheus::Counter* dropped_counter_ = nullptr;
};

// Reads the "id" of every complete line of a JSON Lines file into `ids` and
// truncates an incomplete last line; a missing file is empty. Lines that are
// not JSON objects with a string id are counted in `unreadable`.
Status LoadArticleIds(const std::string& path, std::unordered_set<std::string>& ids,
                      int64_t* unreadable);

}  // namespace newsflow
