#include "state_store.h"

#include <fcntl.h>
#include <unistd.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace newsflow::feeds {
namespace {

constexpr std::string_view kMagic = "newsflow-feeds-state 1";

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[++i];
      out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t b = 0;
  while (true) {
    size_t e = line.find('\t', b);
    out.push_back(line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return out;
}

int64_t ToInt(std::string_view s) { return std::strtoll(std::string(s).c_str(), nullptr, 10); }

}  // namespace

uint64_t DedupeKey(std::string_view kind, std::string_view value) {
  XXH3_state_t st;
  XXH3_64bits_reset(&st);
  XXH3_64bits_update(&st, kind.data(), kind.size());
  XXH3_64bits_update(&st, "\0", 1);
  XXH3_64bits_update(&st, value.data(), value.size());
  return XXH3_64bits_digest(&st);
}

void StateStore::Touch(uint64_t key) {
  auto [it, inserted] = keys_.insert_or_assign(key, ++seq_);
  if (!inserted) return;
  dirty_ = true;
  // Evict in batches so the sort cost is amortised over many inserts.
  if (keys_.size() > capacity_ + capacity_ / 8 + 16) Evict();
}

void StateStore::Evict() {
  std::vector<std::pair<uint64_t, uint64_t>> by_seq;  // (seq, key)
  by_seq.reserve(keys_.size());
  for (const auto& [k, s] : keys_) by_seq.emplace_back(s, k);
  size_t drop = keys_.size() - capacity_;
  std::nth_element(by_seq.begin(), by_seq.begin() + static_cast<ptrdiff_t>(drop), by_seq.end());
  for (size_t i = 0; i < drop; ++i) keys_.erase(by_seq[i].second);
}

Status StateStore::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status::OK();
    return Status::Unavailable("cannot open state file " + path + ": " + std::strerror(errno));
  }
  std::string line;
  if (!std::getline(in, line) || line != kMagic) {
    return Status::Corrupt("state file " + path + ": unknown format (first line)");
  }
  int64_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    auto f = Split(line);
    if (f[0] == "K" && f.size() == 3) {
      uint64_t key = std::strtoull(std::string(f[1]).c_str(), nullptr, 16);
      uint64_t seq = std::strtoull(std::string(f[2]).c_str(), nullptr, 10);
      keys_[key] = seq;
      seq_ = std::max(seq_, seq);
    } else if (f[0] == "F" && (f.size() == 12 || f.size() == 13)) {
      FeedState& s = feeds_[Unescape(f[1])];
      s.source = Unescape(f[2]);
      s.etag = Unescape(f[3]);
      s.last_modified = Unescape(f[4]);
      s.last_success_unix = ToInt(f[5]);
      s.last_attempt_unix = ToInt(f[6]);
      s.consecutive_failures = ToInt(f[7]);
      s.last_http_status = ToInt(f[8]);
      s.items_seen = ToInt(f[9]);
      s.items_new = ToInt(f[10]);
      s.last_error = Unescape(f[11]);
      if (f.size() == 13) s.interval_s = ToInt(f[12]);  // older files have no interval
    } else if (f[0] == "END") {
      dirty_ = false;
      if (keys_.size() > capacity_) Evict();
      return Status::OK();
    } else {
      return Status::Corrupt("state file " + path + ": bad line " + std::to_string(lineno));
    }
  }
  // No END marker: truncated. Cannot happen with rename, but a copy could.
  return Status::Corrupt("state file " + path + ": truncated (no END line)");
}

Status StateStore::Save(const std::string& path) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Status::Unavailable("cannot write " + tmp + ": " + std::strerror(errno));
  std::fprintf(f, "%.*s\n", static_cast<int>(kMagic.size()), kMagic.data());
  for (const auto& [url, s] : feeds_) {
    std::fprintf(f, "F\t%s\t%s\t%s\t%s\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%s\t%" PRId64 "\n",
                 Escape(url).c_str(), Escape(s.source).c_str(), Escape(s.etag).c_str(),
                 Escape(s.last_modified).c_str(), s.last_success_unix, s.last_attempt_unix,
                 s.consecutive_failures, s.last_http_status, s.items_seen, s.items_new,
                 Escape(s.last_error).c_str(), s.interval_s);
  }
  // Oldest first, so a reader that stops early (or a future compaction)
  // keeps the most recent keys.
  std::vector<std::pair<uint64_t, uint64_t>> by_seq;
  by_seq.reserve(keys_.size());
  for (const auto& [k, s] : keys_) by_seq.emplace_back(s, k);
  std::sort(by_seq.begin(), by_seq.end());
  for (const auto& [s, k] : by_seq) std::fprintf(f, "K\t%016" PRIx64 "\t%" PRIu64 "\n", k, s);
  std::fputs("END\n", f);
  bool ok = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    return Status::Unavailable("cannot write " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Unavailable("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  dirty_ = false;
  return Status::OK();
}

}  // namespace newsflow::feeds
