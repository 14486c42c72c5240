// Watcher: keeps a list of feeds flowing into an ArticleSink (`newsflow watch`).
//
// One thread (the caller of Run) polls every feed on its interval through one
// libcurl multi handle, fetches the page of each new item, and publishes one
// raw Article per item:
//   content_type text/html, body = page HTML decoded to UTF-8, url = canonical
//   URL, source = the feed's source name, meta = {feed_url, item_title,
//   item_published (RFC 3339), item_summary, lang_hint, feed_only,
//   source_charset (the page's charset when not UTF-8; informational)}.
// When the page cannot be fetched the item is still published with the feed's
// content/summary as body and meta.feed_only = "true" (meta.page_error says why).
//
// Delivery is at-least-once and restart-safe: an item's dedupe keys are
// recorded only after the sink accepted it, and a feed's ETag/Last-Modified
// only after every new item of that response was published, so a restart
// (or a failed publish) re-reads the feed and finds the unpublished items.
// State with new keys is saved atomically after a successful sink.Flush, at
// most every `state_save_interval` and on shutdown, so saved keys never run
// ahead of the broker; a crash between a publish and the next save can
// republish those items (at-least-once).
//
// Failures (HTTP errors, timeouts, bad XML, size caps, redirect loops) are
// per feed: counted, shown in the status table and retried with exponential
// backoff and jitter, honouring Retry-After. They never stop the loop.
//
// Thread-safety: Run on one thread. Reload(), Stop() and StatusRows() may be
// called from any thread; Reload() and Stop() only store an atomic flag, so
// they are async-signal-safe (call them from a SIGHUP / SIGTERM handler).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "feed_list.h"
#include "http_fetcher.h"
#include "newsflow/sink.h"
#include "newsflow/status.h"

namespace prometheus {
class Registry;
}

namespace newsflow::feeds {

struct WatcherOptions {
  std::string feeds_file;  // YAML or OPML (feed_list.h)
  std::string state_file;  // "" -> StateDir()/feeds.state
  int max_concurrency = 16;    // transfers in flight, all hosts
  int per_host_concurrency = 2;
  // Minimum gap between two request starts to the same host:port.
  std::chrono::milliseconds politeness_delay{1000};
  std::string user_agent = "newsflow/0.1 (feed watcher; +https://github.com/newsflow/newsflow)";
  size_t max_feed_bytes = 10u << 20;  // decoded
  size_t max_page_bytes = 5u << 20;   // decoded
  size_t max_items_per_feed = 500;
  // Feed polls pause while this many page fetches wait (bounds memory).
  size_t max_queued_pages = 1000;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{30000};
  int max_redirects = 5;
  // Refuse feed and page fetches to loopback / private / link-local addresses
  // (checked after DNS and on every redirect hop) unless this is set; a feed
  // can also allow them for itself (FeedConfig::allow_private_addresses).
  bool allow_private_addresses = false;
  bool fetch_pages = true;  // false: publish feed content only (feed_only = "true")
  // Backoff after the n-th consecutive failure: min(max, initial * 2^(n-1)),
  // scaled by a random factor in [0.5, 1]; a longer Retry-After wins (capped
  // by retry_after_max).
  std::chrono::milliseconds backoff_initial{30000};
  std::chrono::milliseconds backoff_max{3600 * 1000};
  std::chrono::milliseconds retry_after_max{24 * 3600 * 1000};
  size_t state_capacity = 200000;  // dedupe keys kept
  // Saves: new dedupe keys / validators within this interval; health-only
  // changes (a 304, a failure count) within health_save_interval.
  std::chrono::milliseconds state_save_interval{5000};
  std::chrono::milliseconds health_save_interval{60000};
  std::chrono::milliseconds reload_check_interval{2000};  // feeds_file mtime
  // Longest wait for in-flight transfers on shutdown (then they are abandoned
  // and their items found again on the next start).
  std::chrono::milliseconds shutdown_grace{15000};
  std::chrono::milliseconds flush_timeout{30000};
  uint64_t seed = 0;  // jitter RNG; 0 -> random
};

// Shortens `o`'s shutdown waits (in-flight transfers, then the sink's flush)
// so that they end within `stop_timeout` of the stop, with time left for the
// state save: a process ended by its stop deadline saves nothing, and every
// item it published since the last save is published again on the next start.
void FitShutdownInto(WatcherOptions& o, std::chrono::milliseconds stop_timeout);

// One row of `newsflow watch --status`.
struct FeedStatusRow {
  std::string source;
  std::string url;
  // "ok", "failing", "new" (never polled), "overdue" (its poll is late by more
  // than its interval: the request budget cannot keep up; see overdue_s).
  std::string health;
  std::string last_success;  // RFC 3339 or ""
  int64_t consecutive_failures = 0;
  int64_t last_http_status = 0;
  int64_t items_seen = 0;
  int64_t items_new = 0;
  std::string last_error;
  int64_t overdue_s = 0;  // seconds past its due time, when overdue
};

// Delay before retry number `failures` (>= 1). `unit_random` in [0, 1).
std::chrono::milliseconds BackoffDelay(int64_t failures, std::chrono::milliseconds initial,
                                       std::chrono::milliseconds max, double unit_random);

// Fixed-width table, one feed per line, failing feeds first.
void PrintStatusTable(std::ostream& out, std::vector<FeedStatusRow> rows);

// Status rows from a state file, for `--status` without a running watcher
// (a feed is shown overdue when its last attempt is older than two intervals).
Result<std::vector<FeedStatusRow>> ReadStatusRows(const std::string& state_file);

class Watcher {
 public:
  // Loads the feed list and the state file. `sink` and `registry` must
  // outlive the Watcher.
  static Result<std::unique_ptr<Watcher>> Create(WatcherOptions options, ArticleSink& sink,
                                                 prometheus::Registry& registry);
  ~Watcher();

  // Polls until `stop` (or Stop()) is set, then finishes in-flight transfers
  // (up to shutdown_grace), flushes the sink and, if that succeeded, saves the
  // state. Returns the flush/save error if any; feed failures are not errors of Run.
  Status Run(const std::atomic<bool>& stop);

  // Re-reads the feed list at the next loop turn (also done when its mtime
  // changes). A list that fails to load is logged and the old one kept.
  void Reload() { reload_requested_.store(true, std::memory_order_relaxed); }
  void Stop() { stop_requested_.store(true, std::memory_order_relaxed); }

  // A snapshot of every configured feed's health, refreshed by the loop.
  std::vector<FeedStatusRow> StatusRows() const;

  // Items published since Create (for tests and logs).
  int64_t published() const { return published_.load(std::memory_order_relaxed); }

 private:
  struct Impl;
  explicit Watcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> reload_requested_{false};
  std::atomic<bool> stop_requested_{false};
  std::atomic<int64_t> published_{0};
};

}  // namespace newsflow::feeds
