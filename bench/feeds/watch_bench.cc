// Feed watcher bench (issue 7): N feeds on loopback, 90% answering 304.
//
// feed_server.py (python3, started here, 10 ports on 127.0.0.1 so per-host
// limits behave as with 10 sites) serves N feeds: 90% static (304 after the
// first poll) and 10% "live", each gaining a new item every poll interval.
// The sink is IN MEMORY (no Kafka): it records, for every live item, the time
// from the item's creation on the server to Publish.
// Figures: steady CPU of this process (getrusage over a window after warm-up,
// % of one core), RSS (VmRSS at the end, VmHWM peak), latency median/p95/max,
// and the server-observed share of 304 answers in the window.
//
//   watch_bench [--feeds 1000] [--interval-s 20] [--warmup-s 25] [--window-s 60]
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../tests/support/temp_dir.h"
#include "../../tests/unit/feeds/feed_test_support.h"
#include "feeds/state_store.h"
#include "feeds/watcher.h"

using namespace newsflow;
using namespace newsflow::feeds;
using std::chrono::milliseconds;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

long ProcStatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key) + 1);
  }
  return -1;
}

double ChildCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t p = s.rfind(')');
  if (p == std::string::npos) return 0;
  std::vector<std::string> f;
  std::string tok;
  for (char c : s.substr(p + 2)) {
    if (c == ' ') {
      f.push_back(tok);
      tok.clear();
    } else {
      tok += c;
    }
  }
  // Fields after ")": state is [0]; utime [11], stime [12].
  return (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / sysconf(_SC_CLK_TCK);
}

class LatencySink : public ArticleSink {
 public:
  Status Publish(const Article& a) override {
    int64_t now = NowMs();
    std::lock_guard<std::mutex> lock(mu_);
    ++published_;
    if (a.url) {
      size_t p = a.url->find("created=");
      if (p != std::string::npos) {
        int64_t created = std::atoll(a.url->c_str() + p + 8);
        if (created >= window_start_) latencies_ms_.push_back(now - created);
      }
    }
    return Status::OK();
  }
  Status PublishDeadLetter(const DeadLetter&) override { return Status::OK(); }
  Status Flush(milliseconds) override { return Status::OK(); }
  void StartWindow(int64_t t) {
    std::lock_guard<std::mutex> lock(mu_);
    window_start_ = t;
    latencies_ms_.clear();
  }
  std::vector<int64_t> Latencies() {
    std::lock_guard<std::mutex> lock(mu_);
    return latencies_ms_;
  }
  int64_t published() {
    std::lock_guard<std::mutex> lock(mu_);
    return published_;
  }

 private:
  std::mutex mu_;
  int64_t window_start_ = INT64_MAX;
  int64_t published_ = 0;
  std::vector<int64_t> latencies_ms_;
};

struct Counts {
  int64_t feed_requests = 0, not_modified = 0, pages = 0;
};
Counts Tally(const feeds::testing::FeedServer& s) {
  Counts c;
  for (const auto& [path, n] : s.Stats()) {
    if (path.rfind("/feed/", 0) == 0) {
      c.feed_requests += n.requests;
      c.not_modified += n.not_modified;
    } else if (path.rfind("/page/", 0) == 0) {
      c.pages += n.requests;
    }
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  int feeds = 1000, interval_s = 20, warmup_s = 25, window_s = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--feeds") feeds = v;
    else if (k == "--interval-s") interval_s = v;
    else if (k == "--warmup-s") warmup_s = v;
    else if (k == "--window-s") window_s = v;
  }
  spdlog::set_level(spdlog::level::warn);
  const newsflow::testing::ScopedTempDir tmp("watch-bench-");  // removed on every return
  const std::string dir = tmp.string();
  std::vector<int> ports(10, 0);
  feeds::testing::FeedServer server(dir, ports);
  if (!server.ok()) {
    std::cerr << "feed_server.py did not start\n";
    return 1;
  }
  // Static feeds: 2 items each, answered 304 after the first poll.
  std::string yaml = "feeds:\n";
  int live = 0;
  for (int i = 0; i < feeds; ++i) {
    std::string name = "f" + std::to_string(i) + ".xml";
    size_t port_index = static_cast<size_t>(i) % server.port_count();
    std::string base = "http://127.0.0.1:" + std::to_string(server.port(port_index));
    if (i % 10 == 0) {
      feeds::testing::WriteFile(dir + "/" + name + ".mode", "live:" + std::to_string(interval_s * 1000));
      ++live;
    } else {
      feeds::testing::WriteFile(dir + "/" + name,
                                feeds::testing::Rss({{name + "-1", base + "/page/" + name + "-1", "t1", "s1"},
                                                     {name + "-2", base + "/page/" + name + "-2", "t2", "s2"}}));
    }
    yaml += "  - url: " + base + "/feed/" + name + "\n    source: src" + std::to_string(i % 50) +
            "\n    interval_s: " + std::to_string(interval_s) + "\n";
  }
  feeds::testing::WriteFile(dir + "/feeds.yaml", yaml);

  WatcherOptions o;
  o.feeds_file = dir + "/feeds.yaml";
  o.state_file = dir + "/feeds.state";
  o.max_concurrency = 32;
  o.per_host_concurrency = 4;
  o.politeness_delay = milliseconds(20);
  o.request_timeout = milliseconds(10000);
  o.allow_private_addresses = true;  // the feed server is on loopback
  LatencySink sink;
  prometheus::Registry registry;
  auto w = Watcher::Create(o, sink, registry);
  if (!w.ok()) {
    std::cerr << w.status().ToString() << "\n";
    return 1;
  }
  std::atomic<bool> stop{false};
  Status result;
  std::thread t([&] { result = (*w)->Run(stop); });

  std::this_thread::sleep_for(std::chrono::seconds(warmup_s));
  int64_t published_warm = sink.published();
  sink.StartWindow(NowMs());
  Counts c0 = Tally(server);
  double cpu0 = CpuSeconds(), srv0 = ChildCpuSeconds(server.pid());
  auto wall0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(window_s));
  double cpu1 = CpuSeconds(), srv1 = ChildCpuSeconds(server.pid());
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  Counts c1 = Tally(server);
  long rss_kb = ProcStatusKb("VmRSS:"), hwm_kb = ProcStatusKb("VmHWM:");
  stop = true;
  t.join();

  std::vector<int64_t> lat = sink.Latencies();
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double q) { return lat.empty() ? -1 : lat[static_cast<size_t>(q * (lat.size() - 1))]; };
  int64_t within = std::count_if(lat.begin(), lat.end(), [&](int64_t l) { return l <= interval_s * 1000; });
  int64_t reqs = c1.feed_requests - c0.feed_requests, nm = c1.not_modified - c0.not_modified;
  int failing = 0;
  for (const auto& r : (*w)->StatusRows()) failing += r.consecutive_failures > 0;

  std::printf("feeds=%d live=%d interval_s=%d warmup_s=%d window_s=%.1f sink=in-memory\n", feeds, live,
              interval_s, warmup_s, wall);
  std::printf("published: warm-up %lld, total %lld; failing feeds at end: %d\n",
              static_cast<long long>(published_warm), static_cast<long long>(sink.published()), failing);
  std::printf("window: feed requests %lld (%.1f/s), 304 share %.1f%%, page fetches %lld\n",
              static_cast<long long>(reqs), reqs / wall, reqs ? 100.0 * nm / reqs : 0.0,
              static_cast<long long>(c1.pages - c0.pages));
  std::printf("cpu (watcher process, getrusage): %.2f%% of one core  [bar < 10%%]\n",
              100.0 * (cpu1 - cpu0) / wall);
  std::printf("cpu (python feed server, for context): %.2f%% of one core\n", 100.0 * (srv1 - srv0) / wall);
  std::printf("memory: VmRSS %.1f MB, VmHWM (peak) %.1f MB  [bar < 150 MB]\n", rss_kb / 1024.0, hwm_kb / 1024.0);
  std::printf("new-item latency (server creation -> sink), n=%zu: median %lld ms, p95 %lld ms, max %lld ms; "
              "within one interval (%d s): %lld/%zu\n",
              lat.size(), static_cast<long long>(pct(0.5)), static_cast<long long>(pct(0.95)),
              static_cast<long long>(lat.empty() ? -1 : lat.back()), interval_s, static_cast<long long>(within),
              lat.size());
  // Cost of one state save at the default capacity (200k keys, full).
  {
    StateStore store(200000);
    for (int i = 0; i < 200000; ++i) store.Touch(DedupeKey("u", std::to_string(i)));
    for (int i = 0; i < feeds; ++i) store.Feed("https://site" + std::to_string(i) + ".example/feed").etag = "\"x\"";
    std::vector<double> ms;
    for (int rep = 0; rep < 5; ++rep) {
      double c0 = CpuSeconds();
      if (!store.Save(dir + "/big.state").ok()) break;
      ms.push_back(1000 * (CpuSeconds() - c0));
    }
    std::sort(ms.begin(), ms.end());
    std::printf("state save at capacity (200000 keys, %d feeds): median %.1f ms CPU, file %.1f MB\n", feeds,
                ms.empty() ? -1.0 : ms[ms.size() / 2],
                std::filesystem::file_size(dir + "/big.state") / 1048576.0);
    double c0 = CpuSeconds();
    StateStore loaded(200000);
    Status st = loaded.Load(dir + "/big.state");
    std::printf("state load: %.1f ms CPU (%s)\n", 1000 * (CpuSeconds() - c0), st.ok() ? "ok" : st.ToString().c_str());
  }
  return result.ok() ? 0 : 1;
}
