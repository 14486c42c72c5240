#include "watcher.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <filesystem>
#include <iomanip>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "charset.h"
#include "feed_parser.h"
#include "newsflow/paths.h"
#include "newsflow/text.h"
#include "state_store.h"

namespace newsflow::feeds {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::chrono::milliseconds BackoffDelay(int64_t failures, milliseconds initial, milliseconds max,
                                       double unit_random) {
  if (failures < 1) failures = 1;
  double d = static_cast<double>(initial.count());
  for (int64_t i = 1; i < failures && d < static_cast<double>(max.count()); ++i) d *= 2;
  d = std::min(d, static_cast<double>(max.count()));
  // "Equal jitter": at least half the nominal delay, so backoff still grows,
  // while feeds that failed together do not retry together.
  d *= 0.5 + 0.5 * std::clamp(unit_random, 0.0, 1.0);
  return milliseconds(static_cast<int64_t>(d));
}

void FitShutdownInto(WatcherOptions& o, milliseconds stop_timeout) {
  // A quarter for transfers (abandoned ones are found again on the next
  // start), half for the flush, a quarter of margin for the save.
  o.shutdown_grace = std::min(o.shutdown_grace, stop_timeout / 4);
  o.flush_timeout = std::min(o.flush_timeout, stop_timeout / 2);
}

namespace {

enum StatusClass { k2xx, k304, k3xx, k4xx, k5xx, kError, kClassCount };
const char* kClassNames[kClassCount] = {"2xx", "304", "3xx", "4xx", "5xx", "error"};

StatusClass ClassOf(const FetchResult& r) {
  if (!r.transport.ok() || r.http_status == 0) return kError;
  if (r.http_status == 304) return k304;
  if (r.http_status < 300) return k2xx;
  if (r.http_status < 400) return k3xx;
  if (r.http_status < 500) return k4xx;
  return k5xx;
}

std::string HostKey(const std::string& url) {
  size_t s = url.find("://");
  size_t b = s == std::string::npos ? 0 : s + 3;
  size_t e = url.find_first_of("/?#", b);
  std::string h = url.substr(b, e == std::string::npos ? std::string::npos : e - b);
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  return h;
}

// Why a fetched page is no web page to publish as text/html, or "": a
// media type other than text, HTML or XML (a PDF, an image, a video), or,
// untyped (absent, application/octet-stream), bytes that are plainly binary.
// Decoded as text, such a page became an "article" of mojibake.
std::string NotAWebPage(const std::string& content_type, std::string_view body) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.pop_back();
  type.erase(0, std::min(type.size(), type.find_first_not_of(" \t")));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!type.empty() && type != "application/octet-stream") {
    bool web = type.rfind("text/", 0) == 0 || type.find("html") != std::string::npos ||
               type.find("xml") != std::string::npos;
    return web ? std::string() : "not a web page: Content-Type " + type;
  }
  std::string_view head = body.substr(0, 1024);
  if (head.rfind("%PDF-", 0) == 0 || HasNulBytesOfBinary(head)) {
    return "not a web page: binary content" + (type.empty() ? std::string() : " (" + type + ")");
  }
  return {};
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Rfc3339FromUnix(int64_t t) {
  if (t <= 0) return {};
  return FormatRfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(t)));
}

struct Metrics {
  prometheus::Family<prometheus::Gauge>* last_success;
  prometheus::Family<prometheus::Gauge>* failures;
  prometheus::Family<prometheus::Counter>* items_seen;
  prometheus::Family<prometheus::Counter>* items_new;
  prometheus::Family<prometheus::Counter>* responses;
  prometheus::Family<prometheus::Histogram>* latency;
  prometheus::Family<prometheus::Counter>* published;
  prometheus::Family<prometheus::Counter>* publish_errors;
  prometheus::Gauge* state_keys;
  prometheus::Gauge* feeds_configured;
  prometheus::Family<prometheus::Gauge>* overdue_seconds;
  prometheus::Gauge* feeds_overdue;

  explicit Metrics(prometheus::Registry& r)
      : last_success(&prometheus::BuildGauge()
                          .Name("newsflow_feed_last_success_timestamp_seconds")
                          .Help("Unix time of the feed's last successful poll (200 or 304)")
                          .Register(r)),
        failures(&prometheus::BuildGauge()
                      .Name("newsflow_feed_consecutive_failures")
                      .Help("Failed polls since the last success")
                      .Register(r)),
        items_seen(&prometheus::BuildCounter()
                        .Name("newsflow_feed_items_seen_total")
                        .Help("Items listed in feed responses")
                        .Register(r)),
        items_new(&prometheus::BuildCounter()
                       .Name("newsflow_feed_items_new_total")
                       .Help("Items not seen before (queued for publishing)")
                       .Register(r)),
        responses(&prometheus::BuildCounter()
                       .Name("newsflow_feed_http_responses_total")
                       .Help("Responses by kind (feed, page) and status class (2xx, 304, 3xx, 4xx, 5xx, error)")
                       .Register(r)),
        latency(&prometheus::BuildHistogram()
                     .Name("newsflow_feed_fetch_duration_seconds")
                     .Help("Fetch latency by kind (feed, page)")
                     .Register(r)),
        published(&prometheus::BuildCounter()
                       .Name("newsflow_feed_articles_published_total")
                       .Help("Articles accepted by the sink, by body (page, feed_only)")
                       .Register(r)),
        publish_errors(&prometheus::BuildCounter()
                            .Name("newsflow_feed_publish_errors_total")
                            .Help("Articles the sink refused (retried on the feed's next change)")
                            .Register(r)),
        state_keys(&prometheus::BuildGauge()
                        .Name("newsflow_feed_state_keys")
                        .Help("Dedupe keys held in the state file")
                        .Register(r)
                        .Add({})),
        feeds_configured(&prometheus::BuildGauge()
                              .Name("newsflow_feed_feeds_configured")
                              .Help("Feeds in the current feed list")
                              .Register(r)
                              .Add({})),
        overdue_seconds(&prometheus::BuildGauge()
                             .Name("newsflow_feed_poll_overdue_seconds")
                             .Help("How long the feed's next poll is past due (0 when on time)")
                             .Register(r)),
        feeds_overdue(&prometheus::BuildGauge()
                           .Name("newsflow_feed_feeds_overdue")
                           .Help("Feeds whose poll is late by more than their interval")
                           .Register(r)
                           .Add({})) {}
};

// Handles resolved once per source (labels looked up once, never per item).
struct SourceMetrics {
  prometheus::Gauge* last_success;
  prometheus::Gauge* failures;
  prometheus::Counter* items_seen;
  prometheus::Counter* items_new;
  prometheus::Counter* responses[2][kClassCount];  // [feed=0 / page=1][class]
  prometheus::Histogram* latency[2];
  prometheus::Counter* published_page;
  prometheus::Counter* published_feed_only;
  prometheus::Counter* publish_errors;
  prometheus::Gauge* overdue;
};

struct Feed {
  FeedConfig cfg;
  std::string host;
  SourceMetrics* m = nullptr;
  Clock::time_point next_poll;
  bool fetching = false;   // feed request in flight
  int pending_pages = 0;   // items of the last response not yet published
  bool commit_ok = true;   // every item of the last response was published
  std::string new_etag, new_last_modified;
  std::string language;    // feed-level <language>, used when no lang_hint
  int64_t overdue_s = 0;   // > 0: late by more than its interval (status, metric)
  // A feed removed by a reload and listed again is a new one: pages of the
  // old one still in flight must not count against its pending_pages.
  uint64_t generation = 0;
};

struct PageJob {
  std::string feed_url;
  FeedItem item;
  std::vector<uint64_t> keys;
  std::string host;  // of item.link
  uint64_t feed_generation = 0;
};

struct HostState {
  int active = 0;
  Clock::time_point next_start;
};

struct InFlight {
  bool is_page = false;
  std::string feed_url;
  std::string host;
  PageJob job;  // when is_page
  Clock::time_point started;
};

}  // namespace

struct Watcher::Impl {
  WatcherOptions opt;
  ArticleSink& sink;
  Metrics metrics;
  std::map<std::string, SourceMetrics> source_metrics;  // by source name
  HttpFetcher fetcher;
  StateStore store;
  std::map<std::string, Feed> feeds;  // by URL
  std::deque<PageJob> pages;
  std::unordered_set<uint64_t> pending_keys;  // keys of queued / in-flight items
  std::unordered_map<std::string, HostState> hosts;
  std::unordered_map<uint64_t, InFlight> inflight;
  uint64_t next_tag = 1;
  uint64_t next_generation = 1;
  std::mt19937_64 rng;
  struct timespec feeds_mtime {};
  off_t feeds_size = -1;
  Clock::time_point last_reload_check, last_save, last_host_prune;
  mutable std::mutex rows_mu;
  std::vector<FeedStatusRow> rows;
  bool rows_dirty = true;
  bool health_dirty = false;
  Watcher* self = nullptr;

  Impl(WatcherOptions o, ArticleSink& s, prometheus::Registry& r)
      : opt(std::move(o)),
        sink(s),
        metrics(r),
        fetcher(FetcherOptions{opt.user_agent, opt.connect_timeout, opt.request_timeout,
                               std::max(opt.request_timeout / 2, milliseconds(1000)),
                               opt.max_redirects, opt.allow_private_addresses}),
        store(opt.state_capacity),
        rng(opt.seed != 0 ? opt.seed : std::random_device{}()) {}

  double Unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

  SourceMetrics* MetricsFor(const std::string& source) {
    auto [it, inserted] = source_metrics.try_emplace(source);
    SourceMetrics& m = it->second;
    if (inserted) {
      prometheus::Labels l{{"source", source}};
      m.last_success = &metrics.last_success->Add(l);
      m.failures = &metrics.failures->Add(l);
      m.items_seen = &metrics.items_seen->Add(l);
      m.items_new = &metrics.items_new->Add(l);
      static const char* kKinds[2] = {"feed", "page"};
      // Loopback fetches take milliseconds; slow sites take tens of seconds.
      const prometheus::Histogram::BucketBoundaries buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,   1,    2.5,   5,    10,  30};
      for (int k = 0; k < 2; ++k) {
        for (int c = 0; c < kClassCount; ++c) {
          m.responses[k][c] = &metrics.responses->Add(
              {{"source", source}, {"kind", kKinds[k]}, {"class", kClassNames[c]}});
        }
        m.latency[k] = &metrics.latency->Add({{"source", source}, {"kind", kKinds[k]}}, buckets);
      }
      m.published_page = &metrics.published->Add({{"source", source}, {"body", "page"}});
      m.published_feed_only = &metrics.published->Add({{"source", source}, {"body", "feed_only"}});
      m.publish_errors = &metrics.publish_errors->Add(l);
      m.overdue = &metrics.overdue_seconds->Add(l);
    }
    return &m;
  }

  // The series of a source no listed feed has any more: a feed taken off the
  // list kept its series until the process restarted (its failure count, its
  // last success going stale on the dashboard, an alert on it firing for a
  // feed nobody polls). Listed again, it starts afresh (counters from 0, which
  // rate() reads as a restart).
  void DropSourceMetrics(const std::map<std::string, Feed>& listed) {
    std::set<std::string> used;
    for (const auto& [url, f] : listed) used.insert(f.cfg.source);
    for (auto it = source_metrics.begin(); it != source_metrics.end();) {
      if (used.count(it->first) != 0) {
        ++it;
        continue;
      }
      SourceMetrics& m = it->second;
      metrics.last_success->Remove(m.last_success);
      metrics.failures->Remove(m.failures);
      metrics.items_seen->Remove(m.items_seen);
      metrics.items_new->Remove(m.items_new);
      for (int k = 0; k < 2; ++k) {
        for (int c = 0; c < kClassCount; ++c) metrics.responses->Remove(m.responses[k][c]);
        metrics.latency->Remove(m.latency[k]);
      }
      metrics.published->Remove(m.published_page);
      metrics.published->Remove(m.published_feed_only);
      metrics.publish_errors->Remove(m.publish_errors);
      metrics.overdue_seconds->Remove(m.overdue);
      it = source_metrics.erase(it);
    }
  }

  bool FeedsFileChanged() {
    struct stat st {};
    if (::stat(opt.feeds_file.c_str(), &st) != 0) return false;
    bool changed = st.st_mtim.tv_sec != feeds_mtime.tv_sec ||
                   st.st_mtim.tv_nsec != feeds_mtime.tv_nsec || st.st_size != feeds_size;
    return changed;
  }

  Status LoadFeeds() {
    struct stat st {};
    if (::stat(opt.feeds_file.c_str(), &st) == 0) {
      feeds_mtime = st.st_mtim;
      feeds_size = st.st_size;
    }
    auto list = LoadFeedList(opt.feeds_file);
    if (!list.ok()) return list.status();
    std::map<std::string, Feed> next;
    auto now = Clock::now();
    for (FeedConfig& cfg : *list) {
      auto old = feeds.find(cfg.url);
      Feed f;
      if (old != feeds.end()) {
        f = std::move(old->second);
        // A shorter interval takes effect now, a longer one after the next poll.
        if (cfg.interval < f.cfg.interval) f.next_poll = std::min(f.next_poll, now + cfg.interval);
      } else {
        f.next_poll = now;
        f.generation = next_generation++;
      }
      f.cfg = std::move(cfg);
      f.host = HostKey(f.cfg.url);
      f.m = MetricsFor(f.cfg.source);
      FeedState& s = store.Feed(f.cfg.url);
      s.source = f.cfg.source;
      s.interval_s = f.cfg.interval.count();
      f.m->failures->Set(static_cast<double>(s.consecutive_failures));
      if (s.last_success_unix > 0) f.m->last_success->Set(static_cast<double>(s.last_success_unix));
      next.emplace(f.cfg.url, std::move(f));
    }
    // Feeds no longer listed: forget them (their in-flight results are ignored).
    for (const auto& [url, f] : feeds) {
      if (next.count(url) == 0) store.EraseFeed(url);
    }
    // Their queued pages go too, keys and all: a feed no longer listed is not
    // fetched from, and listed again, its first poll finds those items new.
    std::erase_if(pages, [&](const PageJob& p) {
      if (next.count(p.feed_url) != 0) return false;
      for (uint64_t k : p.keys) pending_keys.erase(k);
      return true;
    });
    for (const auto& [url, f] : next) {
      if (feeds.count(url) == 0) store.MarkDirty();
    }
    feeds = std::move(next);
    DropSourceMetrics(feeds);
    metrics.feeds_configured->Set(static_cast<double>(feeds.size()));
    rows_dirty = true;
    spdlog::info("watch: {} feeds from {}", feeds.size(), opt.feeds_file);
    return Status::OK();
  }

  void MaybeReload(Clock::time_point now) {
    bool requested = self->reload_requested_.exchange(false, std::memory_order_relaxed);
    if (!requested && now - last_reload_check < opt.reload_check_interval) return;
    last_reload_check = now;
    if (!requested && !FeedsFileChanged()) return;
    Status st = LoadFeeds();
    if (!st.ok()) spdlog::error("watch: feed list not reloaded, keeping the old one: {}", st.ToString());
  }

  bool HostAllows(const std::string& host, Clock::time_point now, Clock::time_point* wake) {
    HostState& h = hosts[host];
    if (h.active >= opt.per_host_concurrency) return false;  // a completion wakes us
    if (now < h.next_start) {
      *wake = std::min(*wake, h.next_start);
      return false;
    }
    return true;
  }

  void Begin(const std::string& host, Clock::time_point now) {
    HostState& h = hosts[host];
    ++h.active;
    h.next_start = now + opt.politeness_delay;
  }

  // Starts what may start now; returns the earliest time something else may.
  Clock::time_point StartWork(Clock::time_point now, bool stopping) {
    Clock::time_point wake = now + milliseconds(250);
    if (stopping) return wake;
    // Pages first: they finish work already begun (and unblock the feed's commit).
    for (auto it = pages.begin(); it != pages.end() && fetcher.InFlight() < static_cast<size_t>(opt.max_concurrency);) {
      const std::string host = it->host;
      if (!HostAllows(host, now, &wake)) {
        ++it;
        continue;
      }
      Begin(host, now);
      uint64_t tag = next_tag++;
      FetchRequest req;
      req.tag = tag;
      req.url = it->item.link;
      req.max_bytes = opt.max_page_bytes;
      req.accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5";
      auto f = feeds.find(it->feed_url);
      // Feed headers often carry credentials: never send them to another host.
      if (f != feeds.end() && f->second.host == host) {
        req.headers = f->second.cfg.headers;
        req.allow_private_addresses = f->second.cfg.allow_private_addresses;  // an intranet feed's own pages
      }
      InFlight inf{true, it->feed_url, host, std::move(*it), now};
      inflight.emplace(tag, std::move(inf));
      fetcher.Start(std::move(req));
      it = pages.erase(it);
    }
    // Earliest due first: when the request budget is saturated every feed
    // waits its turn, instead of the feeds first in URL order taking it all.
    std::vector<std::pair<Clock::time_point, Feed*>> due;
    for (auto& [url, f] : feeds) {
      if (f.fetching || f.pending_pages > 0) continue;
      if (f.next_poll > now) {
        wake = std::min(wake, f.next_poll);
        continue;
      }
      due.emplace_back(f.next_poll, &f);
    }
    std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second->cfg.url < b.second->cfg.url;
    });
    for (auto& [due_at, fp] : due) {
      Feed& f = *fp;
      const std::string& url = f.cfg.url;
      if (fetcher.InFlight() >= static_cast<size_t>(opt.max_concurrency)) break;
      // Backpressure: while many pages wait, discover no more items, so
      // memory stays bounded on a first run over a large feed list.
      if (pages.size() >= opt.max_queued_pages) break;
      if (!HostAllows(f.host, now, &wake)) continue;
      Begin(f.host, now);
      const FeedState& s = store.Feed(url);
      uint64_t tag = next_tag++;
      FetchRequest req;
      req.tag = tag;
      req.url = url;
      req.etag = s.etag;
      req.last_modified = s.last_modified;
      req.headers = f.cfg.headers;
      req.allow_private_addresses = f.cfg.allow_private_addresses;
      req.max_bytes = opt.max_feed_bytes;
      req.accept = "application/rss+xml, application/atom+xml, application/rdf+xml, "
                   "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";
      f.fetching = true;
      inflight.emplace(tag, InFlight{false, url, f.host, {}, now});
      fetcher.Start(std::move(req));
    }
    return wake;
  }

  void RecordFailure(Feed& f, FeedState& s, const std::string& why, const FetchResult& r) {
    ++s.consecutive_failures;
    s.last_error = why;
    f.m->failures->Set(static_cast<double>(s.consecutive_failures));
    milliseconds delay = BackoffDelay(s.consecutive_failures, opt.backoff_initial, opt.backoff_max, Unit());
    auto ra = std::chrono::duration_cast<milliseconds>(r.retry_after);
    if (ra > delay) delay = std::min(ra, opt.retry_after_max);
    f.next_poll = Clock::now() + delay;
    // A failing feed is not an outage of the watcher: warn on the first
    // failure and then only on powers of two, so a dead feed does not flood.
    int64_t n = s.consecutive_failures;
    if ((n & (n - 1)) == 0) {
      spdlog::warn("watch: feed {} ({}) failed {} time(s): {}; next try in {} ms", f.cfg.source,
                   f.cfg.url, n, why, delay.count());
    }
  }

  void ReportUnparseable(const Feed& f, const Status& why, const FetchResult& r) {
    DeadLetter d;
    d.stage = "watch";
    d.reason_code = std::string(StatusCodeName(why.code()));
    d.reason = why.message() + " (feed " + f.cfg.url + ")";
    d.key = f.cfg.url;
    constexpr size_t kMaxPayload = 64 * 1024;  // the encoder truncates too; keep the copy small
    d.payload = r.body.substr(0, kMaxPayload);
    d.payload_truncated = r.body.size() > kMaxPayload;
    d.at = NowRfc3339();
    Status st = sink.PublishDeadLetter(d);
    if (!st.ok()) spdlog::warn("watch: dead letter for {} not accepted: {}", f.cfg.url, st.ToString());
  }

  void CommitIfDone(Feed& f) {
    if (f.pending_pages > 0) return;
    FeedState& s = store.Feed(f.cfg.url);
    store.MarkDirty();
    if (f.commit_ok) {
      s.etag = f.new_etag;
      s.last_modified = f.new_last_modified;
    } else {
      // Something was not published: make the next poll a full GET.
      s.etag.clear();
      s.last_modified.clear();
    }
    f.commit_ok = true;
    rows_dirty = true;
  }

  void OnFeedDone(const FetchResult& r, const InFlight& inf) {
    auto it = feeds.find(inf.feed_url);
    if (it == feeds.end()) return;  // removed by a reload
    Feed& f = it->second;
    f.fetching = false;
    FeedState& s = store.Feed(f.cfg.url);
    s.last_attempt_unix = UnixNow();
    s.last_http_status = r.http_status;
    rows_dirty = true;
    health_dirty = true;
    StatusClass cls = ClassOf(r);
    f.m->responses[0][cls]->Increment();
    f.m->latency[0]->Observe(r.elapsed.count());
    if (!r.transport.ok()) return RecordFailure(f, s, r.transport.ToString(), r);
    if (r.http_status != 200 && r.http_status != 304) {
      return RecordFailure(f, s, "HTTP " + std::to_string(r.http_status), r);
    }
    std::optional<ParsedFeed> parsed;
    if (r.http_status == 200) {
      auto p = ParseFeed(r.body, r.effective_url.empty() ? r.url : r.effective_url,
                         CharsetFromContentType(r.content_type), opt.max_items_per_feed);
      if (!p.ok()) {
        RecordFailure(f, s, p.status().ToString(), r);
        // A feed that stops parsing is a bad record, not an outage: its bytes
        // go to the dead-letter topic once per failure streak, for a human.
        if (s.consecutive_failures == 1) ReportUnparseable(f, p.status(), r);
        return;
      }
      parsed = std::move(p).value();
    }
    s.consecutive_failures = 0;
    s.last_error.clear();
    s.last_success_unix = UnixNow();
    f.m->failures->Set(0);
    f.m->last_success->Set(static_cast<double>(s.last_success_unix));
    f.next_poll = inf.started + f.cfg.interval;
    if (!parsed) return;  // 304: nothing to do, validators unchanged
    f.language = parsed->language;
    f.new_etag = r.etag;
    f.new_last_modified = r.last_modified;
    if (parsed->cut_short) {
      // What it has is published; its validators must not be recorded, or
      // the next polls get 304s for the whole document and the items after
      // the cut are never read (a transfer cut short looks complete when the
      // server closes the connection to end it).
      f.commit_ok = false;
      spdlog::warn("watch: feed {} ({}) ended early (truncated or unreadable past a point): {} items read; "
                   "polled again in full", f.cfg.source, f.cfg.url, parsed->items.size());
    }
    int64_t fresh = 0;
    // A GUID this response gives to items with different links identifies
    // none of them (a CMS that writes one id for every item): as a key, the
    // first item's would have made every other one "seen", silently.
    // (Copies, not views: the loop below moves the items out.)
    std::map<std::string, std::string> link_of_guid;
    std::set<std::string> shared_guids;
    for (const FeedItem& item : parsed->items) {
      if (item.guid.empty() || item.link.empty()) continue;
      auto [at, inserted] = link_of_guid.emplace(item.guid, item.link);
      if (!inserted && at->second != item.link) shared_guids.insert(item.guid);
    }
    std::unordered_set<uint64_t> queued_here;
    // Feeds list newest first; publish oldest first.
    for (auto item = parsed->items.rbegin(); item != parsed->items.rend(); ++item) {
      std::vector<uint64_t> keys;
      std::string canonical = item->link.empty() ? std::string() : CanonicalUrl(item->link);
      if (!canonical.empty()) keys.push_back(DedupeKey("u", canonical));
      if (!item->guid.empty() && (canonical.empty() || shared_guids.count(item->guid) == 0)) {
        keys.push_back(DedupeKey("g", f.cfg.url + "\n" + item->guid));
      }
      if (keys.empty()) keys.push_back(DedupeKey("t", f.cfg.url + "\n" + item->title));
      bool seen = false, pending = false;
      for (uint64_t k : keys) {
        seen |= store.Contains(k);
        pending |= pending_keys.count(k) != 0;
      }
      if (seen) {
        for (uint64_t k : keys) store.Touch(k);  // keeps listed items from eviction
        continue;
      }
      if (pending) {
        // Another feed's page (or this feed's from before a reload) holds
        // the item. Should that one not be published, nothing here would
        // find it again: keep this response's validators uncommitted. (An
        // item this response lists twice is its own: its page decides.)
        bool own = std::any_of(keys.begin(), keys.end(), [&](uint64_t k) { return queued_here.count(k) != 0; });
        if (!own) f.commit_ok = false;
        continue;
      }
      ++fresh;
      for (uint64_t k : keys) pending_keys.insert(k);
      queued_here.insert(keys.begin(), keys.end());
      PageJob job{f.cfg.url, std::move(*item), std::move(keys), {}, f.generation};
      job.host = HostKey(job.item.link);
      if (opt.fetch_pages && !job.item.link.empty()) {
        ++f.pending_pages;
        pages.push_back(std::move(job));
      } else {
        PublishItem(f, job, nullptr, opt.fetch_pages ? "item has no link" : "page fetching disabled");
      }
    }
    s.items_seen += static_cast<int64_t>(parsed->items.size());
    s.items_new += fresh;
    f.m->items_seen->Increment(static_cast<double>(parsed->items.size()));
    f.m->items_new->Increment(static_cast<double>(fresh));
    CommitIfDone(f);
  }

  // Publishes one item: the page when `page` is given, else the feed's own content.
  void PublishItem(Feed& f, PageJob& job, const FetchResult* page, const std::string& page_error) {
    Article a;
    a.source = f.cfg.source;
    a.content_type = ContentType::kTextHtml;
    a.fetched_at = NowRfc3339();
    const FeedItem& item = job.item;
    std::string url = item.link;
    std::optional<uint64_t> content_key;
    if (page != nullptr) {
      if (!page->effective_url.empty()) url = page->effective_url;
      auto decoded = DecodeToUtf8(page->body, page->content_type);
      if (decoded.ok()) {
        a.body = std::move(decoded->utf8);
        if (decoded->charset != "UTF-8") a.meta["source_charset"] = decoded->charset;
        // Title + page: the same story under another URL (syndication,
        // shorteners) is caught, while a consent or paywall page served
        // for every link does not swallow all items after the first. An
        // untitled item (a news sitemap without <news:title>) has only its
        // link to tell such a page apart: with "" for a title, every item
        // after the first behind one wall page was dropped, unlogged.
        content_key = DedupeKey("c", (item.title.empty() ? item.link : item.title) + "\n" + a.body);
      } else {
        page = nullptr;
      }
    }
    if (content_key && store.Contains(*content_key)) {
      // Same page under another URL (syndication, redirect shorteners): done.
      store.Touch(*content_key);
      for (uint64_t k : job.keys) store.Touch(k);
      return;
    }
    bool feed_only = page == nullptr;
    if (feed_only) a.body = !item.content.empty() ? item.content : item.summary;
    std::string canonical = url.empty() ? std::string() : CanonicalUrl(url);
    if (!canonical.empty()) a.url = canonical;
    a.id = ArticleId(canonical, a.source, a.body);
    a.meta["feed_url"] = f.cfg.url;
    a.meta["item_title"] = item.title;
    a.meta["item_published"] = item.published;
    a.meta["item_summary"] = item.summary;
    std::string lang = !f.cfg.lang_hint.empty() ? f.cfg.lang_hint
                       : !item.language.empty() ? item.language
                                                : f.language;
    a.meta["lang_hint"] = lang;
    a.meta["feed_only"] = feed_only ? "true" : "false";
    if (feed_only && !page_error.empty()) a.meta["page_error"] = page_error;
    Status st = sink.Publish(a);
    if (st.code() == StatusCode::kTooLarge) {
      // The sink dead-lettered it (ArticleSink contract): the item is done.
      // Remember it, so the next poll neither fetches nor dead-letters it again.
      spdlog::warn("watch: {} from {} dead-lettered: {}", a.url.value_or(a.id), f.cfg.source, st.ToString());
      for (uint64_t k : job.keys) store.Touch(k);
      if (content_key) store.Touch(*content_key);
      if (!canonical.empty()) store.Touch(DedupeKey("u", canonical));
      return;
    }
    if (!st.ok()) {
      f.commit_ok = false;
      f.m->publish_errors->Increment();
      spdlog::warn("watch: sink refused {} from {}: {}", a.url.value_or(a.id), f.cfg.source, st.ToString());
      return;
    }
    for (uint64_t k : job.keys) store.Touch(k);
    if (content_key) store.Touch(*content_key);
    if (!canonical.empty()) store.Touch(DedupeKey("u", canonical));  // the post-redirect URL too
    (feed_only ? f.m->published_feed_only : f.m->published_page)->Increment();
    self->published_.fetch_add(1, std::memory_order_relaxed);
  }

  void OnPageDone(const FetchResult& r, InFlight& inf) {
    for (uint64_t k : inf.job.keys) pending_keys.erase(k);
    auto it = feeds.find(inf.feed_url);
    if (it == feeds.end()) return;
    Feed& f = it->second;
    StatusClass cls = ClassOf(r);
    f.m->responses[1][cls]->Increment();
    f.m->latency[1]->Observe(r.elapsed.count());
    std::string error;
    if (!r.transport.ok()) {
      error = r.transport.ToString();
    } else if (r.http_status < 200 || r.http_status >= 300) {
      error = "HTTP " + std::to_string(r.http_status);
    } else if (r.body.empty()) {
      error = "empty page";
    } else {
      error = NotAWebPage(r.content_type, r.body);
    }
    PublishItem(f, inf.job, error.empty() ? &r : nullptr, error);
    // Listed again since this page was queued: its new poll did not count it.
    if (inf.job.feed_generation != f.generation) return;
    --f.pending_pages;
    CommitIfDone(f);
  }

  void RefreshRows() {
    if (!rows_dirty) return;
    rows_dirty = false;
    std::vector<FeedStatusRow> out;
    out.reserve(feeds.size());
    for (const auto& [url, f] : feeds) {
      const FeedState& s = store.feeds().at(url);
      FeedStatusRow row;
      row.source = f.cfg.source;
      row.url = url;
      row.health = s.consecutive_failures > 0 ? "failing" : s.last_success_unix > 0 ? "ok" : "new";
      if (f.overdue_s > 0 && s.consecutive_failures == 0) row.health = "overdue";
      row.overdue_s = f.overdue_s;
      row.last_success = Rfc3339FromUnix(s.last_success_unix);
      row.consecutive_failures = s.consecutive_failures;
      row.last_http_status = s.last_http_status;
      row.items_seen = s.items_seen;
      row.items_new = s.items_new;
      row.last_error = s.last_error;
      out.push_back(std::move(row));
    }
    std::lock_guard<std::mutex> lock(rows_mu);
    rows = std::move(out);
  }

  // A feed is overdue when its poll is late by more than its interval: the
  // request budget (max_concurrency, per-host limits, queued pages) cannot
  // keep up. Updated once a second: gauges, and the status rows on change.
  Clock::time_point last_overdue_check;
  void UpdateOverdue(Clock::time_point now) {
    if (now - last_overdue_check < std::chrono::seconds(1)) return;
    last_overdue_check = now;
    int64_t count = 0;
    for (auto& [url, f] : feeds) {
      int64_t late_s = 0;
      if (!f.fetching && f.pending_pages == 0 && f.next_poll < now) {
        late_s = std::chrono::duration_cast<std::chrono::seconds>(now - f.next_poll).count();
      }
      f.m->overdue->Set(static_cast<double>(late_s));
      int64_t overdue = now - f.next_poll > f.cfg.interval && late_s > 0 ? late_s : 0;
      if ((overdue > 0) != (f.overdue_s > 0) || overdue / 10 != f.overdue_s / 10) rows_dirty = true;
      f.overdue_s = overdue;
      count += overdue > 0;
    }
    metrics.feeds_overdue->Set(static_cast<double>(count));
  }

  Status SaveState() {
    metrics.state_keys->Set(static_cast<double>(store.KeyCount()));
    Status st = store.Save(opt.state_file);
    if (!st.ok()) spdlog::error("watch: state not saved: {}", st.ToString());
    health_dirty = false;
    return st;
  }

  void HandleDone(std::vector<FetchResult>& done) {
    for (FetchResult& r : done) {
      auto node = inflight.extract(r.tag);
      if (node.empty()) continue;
      InFlight& inf = node.mapped();
      HostState& h = hosts[inf.host];
      if (h.active > 0) --h.active;
      if (inf.is_page) {
        OnPageDone(r, inf);
      } else {
        OnFeedDone(r, inf);
      }
    }
    done.clear();
  }

  Status Run(const std::atomic<bool>& stop) {
    std::vector<FetchResult> done;
    last_save = Clock::now();
    last_reload_check = last_save;
    while (!stop.load(std::memory_order_relaxed) && !self->stop_requested_.load(std::memory_order_relaxed)) {
      Clock::time_point now = Clock::now();
      MaybeReload(now);
      Clock::time_point wake = StartWork(now, false);
      auto wait = std::chrono::duration_cast<milliseconds>(wake - Clock::now());
      wait = std::clamp(wait, milliseconds(0), milliseconds(250));
      fetcher.Poll(wait, done);
      HandleDone(done);
      auto since = Clock::now() - last_save;
      if ((store.dirty() && since >= opt.state_save_interval) ||
          (health_dirty && since >= opt.health_save_interval)) {
        // Keys on disk must not run ahead of the broker: flush before saving
        // new keys, so a crash after the save cannot lose an unacked article.
        Status flushed = store.dirty() ? sink.Flush(opt.flush_timeout) : Status::OK();
        if (flushed.ok()) {
          (void)SaveState();
        } else {
          spdlog::warn("watch: sink flush failed, state save postponed: {}", flushed.ToString());
        }
        last_save = Clock::now();
      }
      UpdateOverdue(Clock::now());
      RefreshRows();
      // Page links reach many hosts over weeks; forget the idle ones.
      if (Clock::now() - last_host_prune > std::chrono::minutes(5)) {
        last_host_prune = Clock::now();
        std::erase_if(hosts, [&](const auto& kv) {
          return kv.second.active == 0 && kv.second.next_start < last_host_prune;
        });
      }
    }
    // Shutdown: no new work; let what is in flight finish (pages still get
    // published), then persist and flush. Queued pages are dropped: their
    // feed's validators were not committed, so the next start finds them again.
    spdlog::info("watch: stopping; {} transfers in flight, {} pages queued", fetcher.InFlight(), pages.size());
    auto deadline = Clock::now() + opt.shutdown_grace;
    while (fetcher.InFlight() > 0 && Clock::now() < deadline) {
      fetcher.Poll(milliseconds(100), done);
      HandleDone(done);
    }
    pages.clear();
    pending_keys.clear();
    RefreshRows();
    Status flushed = sink.Flush(opt.flush_timeout);
    if (!flushed.ok()) {
      // Not acknowledged: keep the previous state so the next start re-finds
      // (and republishes) what may not have reached the broker.
      return flushed.WithContext("flush (state not saved)");
    }
    return SaveState();
  }
};

Watcher::Watcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->self = this; }
Watcher::~Watcher() = default;

Result<std::unique_ptr<Watcher>> Watcher::Create(WatcherOptions options, ArticleSink& sink,
                                                 prometheus::Registry& registry) {
  if (options.feeds_file.empty()) return Status::InvalidArgument("watch: no feeds file");
  if (options.state_file.empty()) options.state_file = StateDir() + "/feeds.state";
  if (options.max_concurrency < 1 || options.per_host_concurrency < 1) {
    return Status::InvalidArgument("watch: concurrency must be >= 1");
  }
  {
    std::error_code ec;
    auto parent = std::filesystem::path(options.state_file).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  auto impl = std::make_unique<Impl>(std::move(options), sink, registry);
  NEWSFLOW_RETURN_IF_ERROR(impl->store.Load(impl->opt.state_file));
  NEWSFLOW_RETURN_IF_ERROR(impl->LoadFeeds());
  impl->RefreshRows();
  return std::unique_ptr<Watcher>(new Watcher(std::move(impl)));
}

Status Watcher::Run(const std::atomic<bool>& stop) { return impl_->Run(stop); }

std::vector<FeedStatusRow> Watcher::StatusRows() const {
  std::lock_guard<std::mutex> lock(impl_->rows_mu);
  return impl_->rows;
}

Result<std::vector<FeedStatusRow>> ReadStatusRows(const std::string& state_file) {
  StateStore store(1);
  NEWSFLOW_RETURN_IF_ERROR(store.Load(state_file));
  std::vector<FeedStatusRow> rows;
  int64_t now = UnixNow();
  for (const auto& [url, s] : store.feeds()) {
    FeedStatusRow row;
    row.source = s.source;
    row.url = url;
    row.health = s.consecutive_failures > 0 ? "failing" : s.last_success_unix > 0 ? "ok" : "new";
    // Not attempted for two intervals: late by more than one. (A failing
    // feed waits for its backoff, which the file does not record.)
    int64_t late = s.interval_s > 0 && s.last_attempt_unix > 0 ? now - s.last_attempt_unix - s.interval_s : 0;
    if (late > s.interval_s && s.consecutive_failures == 0) {
      row.overdue_s = late;
      row.health = "overdue";
    }
    row.last_success = Rfc3339FromUnix(s.last_success_unix);
    row.consecutive_failures = s.consecutive_failures;
    row.last_http_status = s.last_http_status;
    row.items_seen = s.items_seen;
    row.items_new = s.items_new;
    row.last_error = s.last_error;
    rows.push_back(std::move(row));
  }
  return rows;
}

void PrintStatusTable(std::ostream& out, std::vector<FeedStatusRow> rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const FeedStatusRow& a, const FeedStatusRow& b) {
    if (a.consecutive_failures != b.consecutive_failures) return a.consecutive_failures > b.consecutive_failures;
    return a.source < b.source;
  });
  auto clip = [](std::string s, size_t n) {
    if (s.size() > n) s = s.substr(0, n - 1) + "~";
    return s;
  };
  out << std::left << std::setw(20) << "SOURCE" << ' ' << std::setw(8) << "HEALTH" << ' '
      << std::setw(20) << "LAST_SUCCESS" << ' ' << std::right << std::setw(5) << "FAILS" << ' '
      << std::setw(4) << "HTTP" << ' ' << std::setw(8) << "SEEN" << ' ' << std::setw(7) << "NEW"
      << "  " << std::left << std::setw(40) << "URL" << "  LAST_ERROR\n";
  size_t failing = 0, overdue = 0;
  for (const FeedStatusRow& r : rows) {
    failing += r.consecutive_failures > 0;
    overdue += r.overdue_s > 0;
    out << std::left << std::setw(20) << clip(r.source, 20) << ' ' << std::setw(8) << r.health << ' '
        << std::setw(20) << (r.last_success.empty() ? "-" : r.last_success) << ' ' << std::right
        << std::setw(5) << r.consecutive_failures << ' ' << std::setw(4) << r.last_http_status << ' '
        << std::setw(8) << r.items_seen << ' ' << std::setw(7) << r.items_new << "  " << std::left
        << std::setw(40) << clip(r.url, 40) << "  "
        << clip(r.overdue_s > 0 && r.last_error.empty() ? "overdue by " + std::to_string(r.overdue_s) + " s"
                                                         : r.last_error,
                80)
        << '\n';
  }
  out << rows.size() << " feeds, " << failing << " failing";
  if (overdue > 0) out << ", " << overdue << " overdue (polls late by more than their interval)";
  out << '\n';
}

}  // namespace newsflow::feeds
