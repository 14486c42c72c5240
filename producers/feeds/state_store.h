// StateStore: what the watcher must remember across restarts.
//
// * Dedupe keys: 64-bit XXH3 hashes of canonical item URLs, feed-scoped GUIDs
//   and page content, with a touch sequence. Bounded: past `capacity` the
//   least recently touched keys go first (every key an item produces is
//   touched each time a feed lists it, so live items stay).
// * Per feed: conditional-GET validators (ETag, Last-Modified) and health
//   (last success, consecutive failures, last error, counts), which is also
//   what `newsflow watch --status` prints.
//
// Save writes a temporary file, fsyncs it and renames it over the old one, so
// a crash leaves either the old or the new state, never a torn file.
//
// Thread-safety: not thread-safe; the watcher's loop thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "newsflow/status.h"

namespace newsflow::feeds {

struct FeedState {
  std::string source;
  std::string etag;
  std::string last_modified;
  int64_t last_success_unix = 0;  // 0: never
  int64_t last_attempt_unix = 0;
  int64_t consecutive_failures = 0;
  int64_t last_http_status = 0;
  int64_t items_seen = 0;  // cumulative over the state file's life
  int64_t items_new = 0;
  std::string last_error;  // "" after a success
  int64_t interval_s = 0;  // the feed's poll interval (for --status: overdue)
};

// Dedupe key for `value` in namespace `kind` ("u" URL, "g" GUID, "c" content).
uint64_t DedupeKey(std::string_view kind, std::string_view value);

class StateStore {
 public:
  explicit StateStore(size_t capacity = 200000) : capacity_(capacity) {}

  // Loads `path`; a missing file is an empty state (first run). A corrupt file
  // is an error: starting empty would republish everything.
  Status Load(const std::string& path);
  Status Save(const std::string& path);

  bool Contains(uint64_t key) const { return keys_.count(key) != 0; }
  // Inserts or refreshes `key`; may evict the least recently touched keys.
  // Only an insert makes the store dirty: a refresh changes eviction order,
  // which can wait for the next save.
  void Touch(uint64_t key);
  size_t KeyCount() const { return keys_.size(); }
  size_t capacity() const { return capacity_; }

  // Callers MarkDirty() after changing what must survive a crash (validators);
  // health fields are saved with the next save.
  FeedState& Feed(const std::string& url) { return feeds_[url]; }
  const std::map<std::string, FeedState>& feeds() const { return feeds_; }
  void EraseFeed(const std::string& url) { dirty_ |= feeds_.erase(url) != 0; }

  bool dirty() const { return dirty_; }
  void MarkDirty() { dirty_ = true; }

 private:
  void Evict();

  size_t capacity_;
  uint64_t seq_ = 0;
  std::unordered_map<uint64_t, uint64_t> keys_;  // key -> last touch sequence
  std::map<std::string, FeedState> feeds_;       // by feed URL
  bool dirty_ = false;
};

}  // namespace newsflow::feeds
