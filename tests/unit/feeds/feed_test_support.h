// Test support for the feed watcher: a loopback HTTP server (feed_server.py,
// started per test fixture) and an in-memory ArticleSink.
#pragma once

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "newsflow/codec.h"
#include "newsflow/sink.h"

extern char** environ;

namespace newsflow::feeds::testing {

inline void WriteFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".writing";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
  }
  std::filesystem::rename(tmp, path);  // the server never sees a half-written file
}

// feed_server.py on 127.0.0.1, serving files from `root`.
class FeedServer {
 public:
  explicit FeedServer(const std::string& root, std::vector<int> ports = {}) {
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    std::string script = std::string(NEWSFLOW_SOURCE_DIR) + "/tests/unit/feeds/feed_server.py";
    std::vector<std::string> args = {"python3", script, root};
    for (int p : ports) args.push_back(std::to_string(p));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "python3", &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    char line[64];
    size_t want = ports.empty() ? 1 : ports.size();
    while (ports_.size() < want && f && std::fgets(line, sizeof line, f)) {
      int p = 0;
      if (std::sscanf(line, "PORT %d", &p) == 1) ports_.push_back(p);
    }
    if (f) std::fclose(f);
  }
  ~FeedServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st;
      ::waitpid(pid_, &st, 0);
    }
  }
  bool ok() const { return pid_ > 0 && !ports_.empty(); }
  pid_t pid() const { return pid_; }
  size_t port_count() const { return ports_.size(); }
  int port(size_t i = 0) const { return ports_.at(i); }
  std::string Url(const std::string& path, size_t i = 0) const {
    return "http://127.0.0.1:" + std::to_string(port(i)) + path;
  }

  struct Count {
    int requests = 0;
    int not_modified = 0;
  };
  // (unix ms, path) of every request, in arrival order.
  std::vector<std::pair<int64_t, std::string>> Times() const {
    std::istringstream in(Get("/_times"));
    std::vector<std::pair<int64_t, std::string>> out;
    int64_t t;
    std::string path;
    while (in >> t >> path) out.emplace_back(t, path);
    return out;
  }

  std::string Get(const std::string& path) const {
    std::string body;
    CURL* c = curl_easy_init();
    std::string url = Url(path);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char* d, size_t s, size_t n, void* u) {
      static_cast<std::string*>(u)->append(d, s * n);
      return s * n;
    });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    return body;
  }

  // Requests seen per path.
  std::map<std::string, Count> Stats() const {
    std::map<std::string, Count> out;
    std::istringstream in(Get("/_stats"));
    std::string path;
    Count cnt;
    while (in >> path >> cnt.requests >> cnt.not_modified) out[path] = cnt;
    return out;
  }
  Count StatsFor(const std::string& path) const {
    auto s = Stats();
    auto it = s.find(path);
    return it == s.end() ? Count{} : it->second;
  }

 private:
  pid_t pid_ = -1;
  std::vector<int> ports_;
};

// Keeps every published article; can refuse the first `refuse` publishes.
// Like KafkaArticleSink, an article whose record is over `max_record_bytes`
// is dead-lettered and reported as kTooLarge.
class MemorySink : public ArticleSink {
 public:
  Status Publish(const Article& a) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (refuse_ > 0) {
      --refuse_;
      return Status::Unavailable("test sink refuses");
    }
    if (size_t n = Codec::Encode(a).size(); n > max_record_bytes_) {
      DeadLetter d;
      d.stage = "watch";
      d.reason_code = "too_large";
      d.reason = "article of " + std::to_string(n) + " bytes exceeds the limit";
      d.key = a.id;
      dead_.push_back(d);
      return Status::TooLarge(d.reason);
    }
    articles_.push_back(a);
    return Status::OK();
  }
  Status PublishDeadLetter(const DeadLetter& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    dead_.push_back(d);
    return Status::OK();
  }
  Status Flush(std::chrono::milliseconds) override {
    flushes_.fetch_add(1);
    if (fail_flush_.load()) return Status::Timeout("test sink: flush timed out");
    return Status::OK();
  }
  void FailFlush(bool v) { fail_flush_ = v; }
  std::vector<Article> Articles() const {
    std::lock_guard<std::mutex> lock(mu_);
    return articles_;
  }
  size_t Size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return articles_.size();
  }
  void Refuse(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    refuse_ = n;
  }
  void SetMaxRecordBytes(size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    max_record_bytes_ = n;
  }
  int flushes() const { return flushes_.load(); }
  std::vector<DeadLetter> DeadLetters() const {
    std::lock_guard<std::mutex> lock(mu_);
    return dead_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Article> articles_;
  std::vector<DeadLetter> dead_;
  int refuse_ = 0;
  size_t max_record_bytes_ = SIZE_MAX;
  std::atomic<int> flushes_{0};
  std::atomic<bool> fail_flush_{false};
};

// Polls `cond` every 20 ms until true or `limit` passes (a safety net, not a
// timing assertion: callers assert on the condition's state afterwards).
inline bool WaitFor(const std::function<bool()>& cond,
                    std::chrono::milliseconds limit = std::chrono::milliseconds(15000)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

// An RSS 2.0 document with one <item> per (guid, link, title).
struct TestItem {
  std::string guid, link, title, summary;
};
inline std::string Rss(const std::vector<TestItem>& items) {
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>T</title>"
                  "<language>en</language>";
  for (const auto& it : items) {
    s += "<item><guid isPermaLink=\"false\">" + it.guid + "</guid><link>" + it.link + "</link><title>" +
         it.title + "</title><description><![CDATA[" + it.summary +
         "]]></description><pubDate>Mon, 23 Nov 2026 19:26:11 GMT</pubDate></item>";
  }
  return s + "</channel></rss>\n";
}

}  // namespace newsflow::feeds::testing
