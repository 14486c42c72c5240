// End-to-end tests of the Watcher against feed_server.py on 127.0.0.1.
// Intervals are 1 s and backoff starts at 200 ms so the whole file runs in
// seconds; waits are bounded safety nets, assertions are on state, not time.
#include "feeds/watcher.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include "feed_test_support.h"
#include "support/temp_dir.h"
#include "http_fetcher.h"
#include "state_store.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace newsflow::feeds {
namespace {

using std::chrono::milliseconds;
using testing::FeedServer;
using testing::MemorySink;
using testing::TestItem;
using testing::WaitFor;
using testing::WriteFile;

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.emplace("watch-test-");
    dir_ = tmp_->string();
    server_ = std::make_unique<FeedServer>(dir_);
    if (!server_->ok()) GTEST_SKIP() << "python3 feed_server.py did not start";
  }
  void TearDown() override {
    server_.reset();  // the server first: it serves files from the folder
    tmp_.reset();
  }

  WatcherOptions Options() const {
    WatcherOptions o;
    o.feeds_file = dir_ + "/feeds.yaml";
    o.state_file = dir_ + "/feeds.state";
    o.politeness_delay = milliseconds(0);
    o.per_host_concurrency = 8;
    o.connect_timeout = milliseconds(1000);
    o.request_timeout = milliseconds(1000);
    o.backoff_initial = milliseconds(200);
    o.backoff_max = milliseconds(1000);
    o.retry_after_max = milliseconds(1500);
    o.max_feed_bytes = 1 << 20;
    o.max_page_bytes = 1 << 20;
    o.state_save_interval = milliseconds(100);
    o.reload_check_interval = milliseconds(100);
    o.shutdown_grace = milliseconds(3000);
    o.seed = 7;
    o.allow_private_addresses = true;  // feed_server.py listens on 127.0.0.1
    return o;
  }

  std::string FeedUrl(const std::string& name) const { return server_->Url("/feed/" + name + ".xml"); }
  std::string PageUrl(const std::string& id) const { return server_->Url("/page/" + id); }

  void WriteFeeds(const std::vector<std::string>& names) {
    std::string y = "feeds:\n";
    for (const auto& n : names) y += "  - url: " + FeedUrl(n) + "\n    source: " + n + "\n    interval_s: 1\n";
    WriteFile(dir_ + "/feeds.yaml", y);
  }
  void WriteFeed(const std::string& name, const std::vector<std::string>& ids) {
    std::vector<TestItem> items;
    // Newest first, as feeds list them.
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
      items.push_back({*it, PageUrl(*it) + "?utm_source=feed", "Title " + *it, "Summary " + *it});
    }
    WriteFile(dir_ + "/" + name + ".xml", testing::Rss(items));
  }
  void SetMode(const std::string& name, const std::string& mode) {
    if (mode.empty()) {
      std::filesystem::remove(dir_ + "/" + name + ".xml.mode");
    } else {
      WriteFile(dir_ + "/" + name + ".xml.mode", mode);
    }
  }

  // Runs a watcher on its own thread until Stop().
  struct Running {
    std::unique_ptr<Watcher> w;
    std::atomic<bool> stop{false};
    Status result;
    std::thread t;
    void Stop() {
      stop = true;
      t.join();
    }
    // A failed ASSERT returns before Stop(): a joinable thread's destructor
    // aborted the test binary, and ctest then waited on the feed server it left.
    ~Running() {
      if (t.joinable()) Stop();
    }
  };
  std::unique_ptr<Running> Start(ArticleSink& sink, WatcherOptions o) {
    auto r = std::make_unique<Running>();
    auto w = Watcher::Create(std::move(o), sink, registry_);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return nullptr;
    r->w = std::move(w).value();
    Running* p = r.get();
    r->t = std::thread([p] { p->result = p->w->Run(p->stop); });
    return r;
  }

  FeedStatusRow Row(Running& r, const std::string& source) {
    for (const auto& row : r.w->StatusRows()) {
      if (row.source == source) return row;
    }
    return {};
  }
  int FeedRequests(const std::string& name) { return server_->StatsFor("/feed/" + name + ".xml").requests; }

  static std::set<std::string> Titles(const std::vector<Article>& as, const std::string& source = "") {
    std::set<std::string> t;
    for (const auto& a : as) {
      if (source.empty() || a.source == source) t.insert(a.meta.at("item_title"));
    }
    return t;
  }

  std::optional<newsflow::testing::ScopedTempDir> tmp_;
  std::string dir_;
  std::unique_ptr<FeedServer> server_;
  prometheus::Registry registry_;
};

TEST_F(WatchTest, NewItemsAppearOnceAnd304FetchesNothing) {
  WriteFeed("a", {"a1", "a2"});
  WriteFeeds({"a"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 2; }));
  WriteFeed("a", {"a1", "a2", "a3"});
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 3; }));
  auto pages_before = server_->Stats();
  int not_modified_before = server_->StatsFor("/feed/a.xml").not_modified;
  ASSERT_TRUE(WaitFor([&] { return server_->StatsFor("/feed/a.xml").not_modified >= not_modified_before + 2; }));
  auto pages_after = server_->Stats();
  run->Stop();
  ASSERT_TRUE(run->result.ok()) << run->result.ToString();

  auto articles = sink.Articles();
  ASSERT_EQ(articles.size(), 3u);
  EXPECT_EQ(Titles(articles), (std::set<std::string>{"Title a1", "Title a2", "Title a3"}));
  std::set<std::string> ids;
  for (const auto& a : articles) {
    ids.insert(a.id);
    EXPECT_EQ(a.source, "a");
    EXPECT_EQ(a.content_type, ContentType::kTextHtml);
    ASSERT_TRUE(a.url.has_value());
    EXPECT_EQ(a.url->find("utm_source"), std::string::npos) << *a.url;  // canonical
    EXPECT_NE(a.body.find("<p>Page /page/"), std::string::npos);
    EXPECT_EQ(a.meta.at("feed_url"), FeedUrl("a"));
    EXPECT_EQ(a.meta.at("feed_only"), "false");
    EXPECT_EQ(a.meta.at("lang_hint"), "en");
    EXPECT_EQ(a.meta.at("item_published"), "2026-11-23T19:26:11Z");
    EXPECT_EQ(a.meta.at("item_summary").rfind("Summary a", 0), 0u);
    EXPECT_FALSE(a.fetched_at.empty());
  }
  EXPECT_EQ(ids.size(), 3u);
  // While the feed answered 304, no page was fetched.
  for (const auto& [path, c] : pages_after) {
    if (path.rfind("/page/", 0) == 0) {
      EXPECT_EQ(c.requests, pages_before[path].requests) << path;
    }
  }
  EXPECT_GE(sink.flushes(), 1);
  FeedStatusRow row = Row(*run, "a");
  EXPECT_EQ(row.health, "ok");
  EXPECT_EQ(row.items_new, 3);
}

TEST_F(WatchTest, FailingFeedsAreReportedAndRetriedWhileOthersFlow) {
  std::string secret = dir_ + "/secret.txt";
  WriteFile(secret, "XXE-SECRET-MARKER");
  WriteFile(dir_ + "/xxe.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://" + secret +
                                   "\">]>\n<rss><channel><item><title>&xxe;</title><link>" + PageUrl("x1") +
                                   "</link><description>&xxe;</description></item></channel></rss>");
  const std::map<std::string, std::string> bad = {
      {"e500", "500"},     {"e429", "429"},          {"slow", "slow"}, {"garbage", "garbage"},
      {"huge", "huge"},    {"redirect", "redirect"}, {"bomb", "bomb"}, {"xxe", ""}};
  const std::map<std::string, std::string> expected_error = {
      {"e500", "HTTP 500"},     {"e429", "HTTP 429"},        {"slow", "timeout"},
      {"garbage", "corrupt"},   {"huge", "too_large"},       {"redirect", "unavailable"},
      {"bomb", "too_large"},    {"xxe", "rejected"},         {"flaky", "HTTP 500"}};
  std::vector<std::string> names = {"good", "flaky"};
  for (const auto& [name, mode] : bad) {
    if (name != "xxe") WriteFeed(name, {name + "1"});
    SetMode(name, mode);
    names.push_back(name);
  }
  WriteFeed("good", {"g1", "g2"});
  WriteFeed("flaky", {"f1"});
  WriteFeeds(names);
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  // The flaky feed works at first, then starts failing.
  ASSERT_TRUE(WaitFor([&] { return Titles(sink.Articles(), "flaky").size() == 1; }));
  SetMode("flaky", "500");
  WriteFeed("good", {"g1", "g2", "g3"});
  bool all_retried = WaitFor(
      [&] {
        if (Titles(sink.Articles(), "good").size() < 3) return false;
        for (const auto& [name, mode] : bad) {
          if (FeedRequests(name) < 2) return false;
        }
        return Row(*run, "flaky").consecutive_failures >= 2;
      },
      milliseconds(25000));
  run->Stop();
  ASSERT_TRUE(all_retried);

  auto articles = sink.Articles();
  EXPECT_EQ(Titles(articles, "good"), (std::set<std::string>{"Title g1", "Title g2", "Title g3"}));
  EXPECT_EQ(articles.size(), 4u);  // good x3 + flaky x1: failing feeds publish nothing
  for (const auto& a : articles) {
    EXPECT_EQ(a.body.find("XXE-SECRET"), std::string::npos);
    for (const auto& [k, v] : a.meta) EXPECT_EQ(v.find("XXE-SECRET"), std::string::npos) << k;
  }
  for (const auto& [name, err] : expected_error) {
    FeedStatusRow row = Row(*run, name);
    EXPECT_EQ(row.health, "failing") << name;
    EXPECT_GE(row.consecutive_failures, name == "flaky" ? 2 : 1) << name;
    EXPECT_NE(row.last_error.find(err), std::string::npos) << name << ": " << row.last_error;
  }
  EXPECT_EQ(Row(*run, "good").health, "ok");
  // Feeds that answer but do not parse leave one dead letter per failure
  // streak (not one per retry); transport failures leave none.
  std::map<std::string, int> dead;
  for (const auto& d : sink.DeadLetters()) {
    EXPECT_EQ(d.stage, "watch");
    ++dead[d.key];
  }
  EXPECT_EQ(dead, (std::map<std::string, int>{{FeedUrl("garbage"), 1}, {FeedUrl("xxe"), 1}}));
  // Retries back off: the n-th retry of the 500 feed waits at least half of
  // min(max, initial * 2^(n-1)) (equal jitter), and the 429 feed honours
  // Retry-After: 1. Lower bounds only (minus 50 ms for arrival skew).
  std::map<std::string, std::vector<int64_t>> arrivals;
  for (const auto& [t, path] : server_->Times()) arrivals[path].push_back(t);
  const auto& e500 = arrivals["/feed/e500.xml"];
  ASSERT_GE(e500.size(), 2u);
  for (size_t n = 1; n < e500.size(); ++n) {
    int64_t nominal = std::min<int64_t>(1000, 200LL << std::min<size_t>(n - 1, 10));
    EXPECT_GE(e500[n] - e500[n - 1], nominal / 2 - 50) << "retry " << n;
  }
  const auto& e429 = arrivals["/feed/e429.xml"];
  ASSERT_GE(e429.size(), 2u);
  for (size_t n = 1; n < e429.size(); ++n) EXPECT_GE(e429[n] - e429[n - 1], 950) << "retry " << n;
  // The status table a user sees names every failing feed.
  std::ostringstream table;
  PrintStatusTable(table, run->w->StatusRows());
  EXPECT_NE(table.str().find(std::to_string(names.size()) + " feeds, " + std::to_string(bad.size() + 1) + " failing"),
            std::string::npos)
      << table.str();
  // The same table is readable from the state file alone (`newsflow watch --status`).
  auto rows = ReadStatusRows(dir_ + "/feeds.state");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), names.size());
}

TEST_F(WatchTest, RestartPublishesNoDuplicatesAndMissesNothing) {
  WriteFeed("a", {"a1", "a2", "a3"});
  WriteFeeds({"a"});
  {
    // The sink refuses one article: it must come back on a later poll, once.
    MemorySink sink;
    sink.Refuse(1);
    auto run = Start(sink, Options());
    ASSERT_TRUE(run);
    ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 3; }));
    run->Stop();
    EXPECT_EQ(Titles(sink.Articles()), (std::set<std::string>{"Title a1", "Title a2", "Title a3"}));
    EXPECT_EQ(sink.Size(), 3u);
  }
  WriteFeed("a", {"a1", "a2", "a3", "a4"});
  {
    MemorySink sink;
    auto run = Start(sink, Options());
    ASSERT_TRUE(run);
    ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 1; }));
    int before = FeedRequests("a") + server_->StatsFor("/feed/a.xml").not_modified;
    ASSERT_TRUE(WaitFor([&] { return server_->StatsFor("/feed/a.xml").not_modified + FeedRequests("a") >= before + 2; }));
    run->Stop();
    EXPECT_EQ(Titles(sink.Articles()), (std::set<std::string>{"Title a4"}));
    EXPECT_EQ(sink.Size(), 1u);
  }
  {
    // Unchanged feed, third start: a 304 and nothing published.
    MemorySink sink;
    int nm = server_->StatsFor("/feed/a.xml").not_modified;
    auto run = Start(sink, Options());
    ASSERT_TRUE(run);
    ASSERT_TRUE(WaitFor([&] { return server_->StatsFor("/feed/a.xml").not_modified >= nm + 1; }));
    run->Stop();
    EXPECT_EQ(sink.Size(), 0u);
  }
}

TEST_F(WatchTest, UnacknowledgedArticlesAreNotRecordedAsSeen) {
  WriteFeed("a", {"a1", "a2"});
  WriteFeeds({"a"});
  {
    MemorySink sink;
    sink.FailFlush(true);  // the broker never acknowledges
    auto run = Start(sink, Options());
    ASSERT_TRUE(run);
    ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 2; }));
    run->Stop();
    EXPECT_EQ(run->result.code(), StatusCode::kTimeout) << run->result.ToString();
  }
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 2; }));
  run->Stop();
  EXPECT_TRUE(run->result.ok());
  EXPECT_EQ(Titles(sink.Articles()), (std::set<std::string>{"Title a1", "Title a2"}));
}

TEST_F(WatchTest, UnfetchablePagesStillPublishTheFeedContent) {
  std::vector<TestItem> items = {
      {"m1", server_->Url("/page/missing/1"), "Missing", "<p>Only the summary</p>"},
      {"l1", server_->Url("/page/latin1/1"), "Latin", "latin summary"}};
  WriteFile(dir_ + "/p.xml", testing::Rss(items));
  WriteFeeds({"p"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 2; }));
  run->Stop();
  for (const auto& a : sink.Articles()) {
    if (a.meta.at("item_title") == "Missing") {
      EXPECT_EQ(a.meta.at("feed_only"), "true");
      EXPECT_EQ(a.body, "<p>Only the summary</p>");
      EXPECT_EQ(a.meta.at("page_error"), "HTTP 404");
    } else {
      EXPECT_EQ(a.meta.at("feed_only"), "false");
      EXPECT_NE(a.body.find("Caf\xC3\xA9 cr\xC3\xA8me"), std::string::npos) << a.body;
    }
  }
}

// A PDF, an image, or untyped binary bytes behind an item's link is no web
// page: the item is published from the feed, with the reason. Decoded as
// text, such pages became text/html "articles" of mojibake (GB18030 for a PDF).
TEST_F(WatchTest, NonHtmlPagesArePublishedFeedOnlyWithTheReason) {
  std::vector<TestItem> items = {{"pdf", server_->Url("/page/pdf/1"), "Pdf", "pdf summary"},
                                 {"png", server_->Url("/page/png/1"), "Png", "png summary"},
                                 {"bin", server_->Url("/page/untyped/1"), "Untyped", "untyped summary"},
                                 {"html", PageUrl("h1"), "Html", "html summary"}};
  WriteFile(dir_ + "/b.xml", testing::Rss(items));
  WriteFeeds({"b"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  bool published = WaitFor([&] { return sink.Size() >= 4; });
  run->Stop();
  ASSERT_TRUE(published);
  std::map<std::string, std::string> errors;
  for (const auto& a : sink.Articles()) {
    const std::string& title = a.meta.at("item_title");
    errors[title] = a.meta.count("page_error") ? a.meta.at("page_error") : "";
    if (title == "Html") {
      EXPECT_EQ(a.meta.at("feed_only"), "false");
    } else {
      EXPECT_EQ(a.meta.at("feed_only"), "true") << title;
      EXPECT_EQ(a.body, items[title == "Pdf" ? 0 : title == "Png" ? 1 : 2].summary);
    }
  }
  EXPECT_EQ(errors, (std::map<std::string, std::string>{
                        {"Html", ""},
                        {"Pdf", "not a web page: Content-Type application/pdf"},
                        {"Png", "not a web page: Content-Type image/png"},
                        {"Untyped", "not a web page: binary content"}}));
}

// A feed that gives every item the same GUID: each item with its own link
// is its own article. The GUID was a dedupe key, so the first item made all
// the others "seen": never published, nothing logged or counted.
TEST_F(WatchTest, ItemsSharingOneGuidWithDifferentLinksAreEachPublished) {
  std::vector<TestItem> items = {{"same", PageUrl("g1"), "G1", "s"},
                                 {"same", PageUrl("g2"), "G2", "s"},
                                 {"same", PageUrl("g3"), "G3", "s"},
                                 {"own", PageUrl("g1"), "G1 again", "s"}};  // same link: the same article
  WriteFile(dir_ + "/g.xml", testing::Rss(items));
  WriteFeeds({"g"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  WaitFor([&] { return sink.Size() >= 3; });
  // Polled again (a 304 after the commit): nothing twice.
  int nm = server_->StatsFor("/feed/g.xml").not_modified;
  bool polled = WaitFor([&] { return server_->StatsFor("/feed/g.xml").not_modified > nm; });
  run->Stop();
  ASSERT_TRUE(polled);
  std::multiset<std::string> links;
  for (const auto& a : sink.Articles()) links.insert(a.url.value_or(""));
  EXPECT_EQ(links, (std::multiset<std::string>{PageUrl("g1"), PageUrl("g2"), PageUrl("g3")}));
}

TEST_F(WatchTest, SameStoryUnderAnotherUrlIsPublishedOnce) {
  std::vector<TestItem> items = {{"s1", server_->Url("/page/same/1"), "Same", "x"},
                                 {"s2", server_->Url("/page/same/2"), "Same", "x"},
                                 {"s3", server_->Url("/page/same/3"), "Other", "y"}};
  WriteFile(dir_ + "/s.xml", testing::Rss(items));
  WriteFeeds({"s"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return server_->StatsFor("/page/same/3").requests >= 1 && sink.Size() >= 2; }));
  int nm = server_->StatsFor("/feed/s.xml").not_modified;
  ASSERT_TRUE(WaitFor([&] { return server_->StatsFor("/feed/s.xml").not_modified > nm; }));
  run->Stop();
  // Same title and page: one article. Same page, other title: its own article.
  EXPECT_EQ(sink.Size(), 2u);
  EXPECT_EQ(Titles(sink.Articles()), (std::set<std::string>{"Same", "Other"}));
}

// Untitled items (a news sitemap without <news:title>) behind one consent
// page: each is its own article. The content key was "" + page, so the first
// made every later one a "same story" and they were dropped, unlogged.
TEST_F(WatchTest, UntitledItemsBehindOneWallPageAreEachPublished) {
  std::string xml = "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">";
  for (int i = 1; i <= 3; ++i) xml += "<url><loc>" + server_->Url("/page/same/" + std::to_string(i)) + "</loc></url>";
  WriteFile(dir_ + "/m.xml", xml + "</urlset>");
  WriteFeeds({"m"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  WaitFor([&] { return sink.Size() >= 3; });
  int nm = server_->StatsFor("/feed/m.xml").not_modified;
  bool polled = WaitFor([&] { return server_->StatsFor("/feed/m.xml").not_modified > nm; });
  run->Stop();
  ASSERT_TRUE(polled);
  std::set<std::string> urls;
  for (const auto& a : sink.Articles()) urls.insert(a.url.value_or(""));
  EXPECT_EQ(sink.Size(), 3u);
  EXPECT_EQ(urls.size(), 3u);
}

// A feed whose transfer was cut short (the server closed the connection
// mid-document, which looks complete) with the whole document's ETag: what
// it had was published and the ETag recorded, so every later poll was a 304
// and the items after the cut were never read. Its validators are no longer
// recorded: the next poll is a full GET.
TEST_F(WatchTest, FeedCutShortIsPolledAgainInFull) {
  WriteFeed("t", {"t1", "t2", "t3"});  // newest first: t3, t2, t1
  std::string xml;
  {
    std::ifstream in(dir_ + "/t.xml");
    std::stringstream ss;
    ss << in.rdbuf();
    xml = ss.str();
  }
  size_t second = xml.find("<item>", xml.find("<item>") + 1);
  SetMode("t", "truncate:" + std::to_string(second + 40));  // inside the second item
  WriteFeeds({"t"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 1; }));
  ASSERT_TRUE(WaitFor([&] { return FeedRequests("t") >= 2; }));
  SetMode("t", "");  // the whole document from now on, under the same ETag
  WaitFor([&] { return sink.Size() >= 3; });
  run->Stop();
  EXPECT_EQ(Titles(sink.Articles()), (std::set<std::string>{"Title t1", "Title t2", "Title t3"}));
}

TEST_F(WatchTest, PolitenessDelaySpacesRequestsToOneHost) {
  WriteFeed("a", {"a1", "a2", "a3", "a4"});
  WriteFeeds({"a"});
  WatcherOptions o = Options();
  o.per_host_concurrency = 1;
  o.politeness_delay = milliseconds(250);
  MemorySink sink;
  auto run = Start(sink, o);
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 4; }));
  run->Stop();
  auto times = server_->Times();
  ASSERT_GE(times.size(), 5u);  // the feed and four pages
  for (size_t i = 1; i < times.size(); ++i) {
    // Starts are >= 250 ms apart on our side; arrival can shift by the
    // connect time, hence the slack. A lower bound, not a speed assertion.
    EXPECT_GE(times[i].first - times[i - 1].first, 200) << times[i].second;
  }
}

TEST_F(WatchTest, ReloadPicksUpNewFeedsWithoutRestart) {
  WriteFeed("a", {"a1"});
  WriteFeed("b", {"b1", "b2"});
  SetMode("b", "gzip");  // also covers a gzip-encoded feed
  WriteFeeds({"a"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 1; }));
  WriteFeeds({"a", "b"});
  run->w->Reload();
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 3; }));
  // A broken edit keeps the old list running.
  WriteFile(dir_ + "/feeds.yaml", "feeds: [broken\n");
  run->w->Reload();
  WriteFeed("b", {"b1", "b2", "b3"});
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 4; }));
  run->Stop();
  EXPECT_EQ(Titles(sink.Articles(), "b"), (std::set<std::string>{"Title b1", "Title b2", "Title b3"}));
  EXPECT_EQ(sink.Size(), 4u);
}

// A feed taken off the list kept every one of its metric series until the
// process restarted: its failure count and last success stayed on the
// dashboard, and an alert on a failing feed fired for a feed nobody polls.
TEST_F(WatchTest, AFeedTakenOffTheListTakesItsMetricSeriesWithIt) {
  WriteFeed("a", {"a1"});
  SetMode("gone", "500");
  WriteFeeds({"a", "gone"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  // The series of one source: family name -> how many series carry it.
  auto series_of = [&](const std::string& source) {
    std::map<std::string, int> n;
    for (const auto& fam : registry_.Collect()) {
      for (const auto& m : fam.metric) {
        for (const auto& l : m.label) {
          if (l.name == "source" && l.value == source) ++n[fam.name];
        }
      }
    }
    return n;
  };
  auto failures_of = [&](const std::string& source) {
    for (const auto& fam : registry_.Collect()) {
      if (fam.name != "newsflow_feed_consecutive_failures") continue;
      for (const auto& m : fam.metric) {
        for (const auto& l : m.label) {
          if (l.name == "source" && l.value == source) return m.gauge.value;
        }
      }
    }
    return -1.0;
  };
  ASSERT_TRUE(WaitFor([&] { return sink.Size() >= 1 && failures_of("gone") >= 1; }));
  const auto before = series_of("gone");
  EXPECT_EQ(before.size(), 9u);  // every per-source family
  EXPECT_EQ(series_of("a"), before);
  WriteFeeds({"a"});
  run->w->Reload();
  ASSERT_TRUE(WaitFor([&] { return series_of("gone").empty(); }))
      << series_of("gone").size() << " families still have series of the removed feed";
  EXPECT_EQ(series_of("a"), before);  // the feed still listed keeps all of its own
  // Listed again, it is polled and counted afresh.
  WriteFeeds({"a", "gone"});
  run->w->Reload();
  ASSERT_TRUE(WaitFor([&] { return failures_of("gone") >= 1; }));
  EXPECT_EQ(series_of("gone"), before);
  run->Stop();
  EXPECT_TRUE(run->result.ok()) << run->result.ToString();
}

// A feed taken off the list while its pages wait, then listed again: its
// new poll skipped the items still queued from before, and saved the feed's
// ETag although they were never published (the queue went on fetching the
// pages of a feed no longer listed; a stop dropped the rest). The next start
// got 304s: those items were lost until the feed changed.
TEST_F(WatchTest, FeedRemovedAndListedAgainWhileItsPagesWaitLosesNothing) {
  // Pages on another host name than the feed: the feed's host stays free
  // while the pages wait their turn, one at a time.
  const std::string pages = "http://localhost:" + std::to_string(server_->port()) + "/page/slow/3000/";
  std::vector<TestItem> items = {{"r1", pages + "r1", "R1", "s1"}, {"r2", pages + "r2", "R2", "s2"},
                                 {"r3", pages + "r3", "R3", "s3"}};
  WriteFile(dir_ + "/r.xml", testing::Rss(items));
  WriteFeeds({"r"});
  WatcherOptions o = Options();
  o.per_host_concurrency = 1;
  o.request_timeout = milliseconds(10000);  // the pages take 3 s
  o.shutdown_grace = milliseconds(5000);
  std::set<std::string> titles;
  {
    MemorySink sink;
    auto run = Start(sink, o);
    ASSERT_TRUE(run);
    ASSERT_TRUE(WaitFor([&] { return server_->StatsFor("/page/slow/3000/r3").requests >= 1; }));
    WriteFile(dir_ + "/feeds.yaml", "feeds: []\n");
    run->w->Reload();
    ASSERT_TRUE(WaitFor([&] { return run->w->StatusRows().empty(); }));
    WriteFeeds({"r"});
    run->w->Reload();
    bool polled = WaitFor([&] { return Row(*run, "r").health == "ok"; });
    run->Stop();
    ASSERT_TRUE(polled);
    ASSERT_TRUE(run->result.ok()) << run->result.ToString();
    titles = Titles(sink.Articles());
  }
  // The next start publishes whatever the first did not.
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  WaitFor([&] {
    std::set<std::string> all = titles;
    for (const auto& t : Titles(sink.Articles())) all.insert(t);
    return all.size() >= 3;
  });
  run->Stop();
  for (const auto& t : Titles(sink.Articles())) titles.insert(t);
  EXPECT_EQ(titles, (std::set<std::string>{"R1", "R2", "R3"}));
}

// Issue 13 #10: by default nothing on loopback / private addresses is
// fetched; the feed's status and the item's page_error say why.
TEST_F(WatchTest, LoopbackAndPrivateTargetsAreRefusedByDefault) {
  WriteFeed("a", {"a1"});
  WriteFeeds({"a"});
  // A second feed allowed per feed in feeds.yaml: its item links point at
  // another host name (localhost), which that allowance does not cover.
  std::string port = std::to_string(server_->port());
  WriteFile(dir_ + "/b.xml", testing::Rss({{"b1", "http://localhost:" + port + "/page/b1", "Title b1", "sum b1"}}));
  std::string y = "feeds:\n  - url: " + FeedUrl("a") + "\n    source: a\n    interval_s: 1\n" +
                  "  - url: " + FeedUrl("b") + "\n    source: b\n    interval_s: 1\n    allow_private_addresses: true\n";
  WriteFile(dir_ + "/feeds.yaml", y);
  WatcherOptions o = Options();
  o.allow_private_addresses = false;
  MemorySink sink;
  auto run = Start(sink, o);
  ASSERT_TRUE(run);
  bool done = WaitFor([&] { return Row(*run, "a").consecutive_failures >= 1 && sink.Size() >= 1; });
  run->Stop();
  ASSERT_TRUE(done);
  FeedStatusRow row = Row(*run, "a");
  EXPECT_EQ(row.health, "failing");
  EXPECT_NE(row.last_error.find("refused to connect to 127.0.0.1 (loopback)"), std::string::npos) << row.last_error;
  EXPECT_NE(row.last_error.find("--allow-private-addresses"), std::string::npos) << row.last_error;
  EXPECT_EQ(FeedRequests("a"), 0);  // never reached the server
  EXPECT_EQ(server_->StatsFor("/page/a1").requests, 0);
  // Feed b is allowed, its page on another host name is not.
  auto articles = sink.Articles();
  ASSERT_EQ(articles.size(), 1u);
  EXPECT_EQ(articles[0].source, "b");
  EXPECT_EQ(articles[0].meta.at("feed_only"), "true");
  EXPECT_NE(articles[0].meta.at("page_error").find("(loopback)"), std::string::npos) << articles[0].meta.at("page_error");
  EXPECT_EQ(server_->StatsFor("/page/b1").requests, 0);
  EXPECT_EQ(Row(*run, "b").health, "ok");
}

TEST(NonPublicAddress, ClassifiesLoopbackPrivateLinkLocalAndMapped) {
  auto v4 = [](const char* text) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, text, &a.sin_addr);
    const char* k = NonPublicAddressKind(reinterpret_cast<sockaddr*>(&a));
    return std::string(k ? k : "public");
  };
  auto v6 = [](const char* text) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &a.sin6_addr);
    const char* k = NonPublicAddressKind(reinterpret_cast<sockaddr*>(&a));
    return std::string(k ? k : "public");
  };
  EXPECT_EQ(v4("127.0.0.1"), "loopback");
  EXPECT_EQ(v4("127.255.1.2"), "loopback");
  EXPECT_EQ(v4("10.1.2.3"), "private");
  EXPECT_EQ(v4("172.16.0.1"), "private");
  EXPECT_EQ(v4("172.31.255.255"), "private");
  EXPECT_EQ(v4("172.32.0.1"), "public");
  EXPECT_EQ(v4("192.168.1.1"), "private");
  EXPECT_EQ(v4("169.254.169.254"), "link-local");  // cloud metadata
  EXPECT_EQ(v4("100.64.0.1"), "carrier-grade NAT");
  EXPECT_EQ(v4("0.0.0.0"), "unspecified");
  EXPECT_EQ(v4("224.0.0.1"), "multicast");
  EXPECT_EQ(v4("93.184.216.34"), "public");
  EXPECT_EQ(v4("8.8.8.8"), "public");
  EXPECT_EQ(v6("::1"), "loopback");
  EXPECT_EQ(v6("::"), "unspecified");
  EXPECT_EQ(v6("::ffff:127.0.0.1"), "loopback");
  EXPECT_EQ(v6("::ffff:10.0.0.1"), "private");
  EXPECT_EQ(v6("::ffff:8.8.8.8"), "public");
  EXPECT_EQ(v6("fe80::1"), "link-local");
  EXPECT_EQ(v6("fd00::1"), "private");
  EXPECT_EQ(v6("64:ff9b::7f00:1"), "loopback");
  EXPECT_EQ(v6("2002:7f00:1::"), "loopback");
  EXPECT_EQ(v6("2606:4700::1111"), "public");
}

// A host *name* that resolves to loopback is refused after resolution, on
// the address actually connected to (the same check runs for every
// connection curl opens, so for every redirect hop too); nothing reaches
// the server.
TEST_F(WatchTest, FetcherRefusesLoopbackAfterResolutionAndNamesTheAddress) {
  HttpFetcher fetcher(FetcherOptions{});
  FetchRequest req;
  req.tag = 1;
  req.url = "http://localhost:" + std::to_string(server_->port()) + "/redirect/0";
  fetcher.Start(req);
  std::vector<FetchResult> done;
  ASSERT_TRUE(WaitFor([&] {
    fetcher.Poll(milliseconds(50), done);
    return !done.empty();
  }));
  EXPECT_EQ(done[0].transport.code(), StatusCode::kRejected) << done[0].transport.ToString();
  EXPECT_NE(done[0].transport.message().find("(loopback)"), std::string::npos) << done[0].transport.ToString();
  EXPECT_EQ(server_->StatsFor("/redirect/0").requests, 0);
  EXPECT_EQ(server_->StatsFor("/redirect/1").requests, 0);
}

// Issue 13 #5: a page over the record limit is dead-lettered once and
// remembered; the feed's ETag is kept, so later polls are 304s and the page
// is never fetched again (also not after a restart).
TEST_F(WatchTest, OversizedPageIsDeadLetteredOnceAndNotRefetched) {
  std::vector<TestItem> items = {{"big1", server_->Url("/page/big/200000/1"), "Big", "big summary"},
                                 {"s1", PageUrl("s1"), "Small", "small summary"}};
  WriteFile(dir_ + "/a.xml", testing::Rss(items));
  WriteFeeds({"a"});
  for (int round = 0; round < 2; ++round) {
    MemorySink sink;
    sink.SetMaxRecordBytes(100 * 1024);
    int before = FeedRequests("a");  // every request, 304s included
    auto run = Start(sink, Options());
    ASSERT_TRUE(run);
    // Several polls of the feed (interval 1 s).
    bool polled = WaitFor([&] { return FeedRequests("a") >= before + 4; });
    run->Stop();
    ASSERT_TRUE(polled);
    ASSERT_TRUE(run->result.ok()) << run->result.ToString();
    if (round == 0) {
      EXPECT_EQ(sink.DeadLetters().size(), 1u);
      EXPECT_EQ(Titles(sink.Articles()), (std::set<std::string>{"Small"}));
      EXPECT_EQ(sink.Size(), 1u);
    } else {
      EXPECT_EQ(sink.DeadLetters().size(), 0u);  // remembered across the restart
      EXPECT_EQ(sink.Size(), 0u);
    }
  }
  EXPECT_EQ(server_->StatsFor("/page/big/200000/1").requests, 1);
  // One full GET; every later poll was a 304 (the ETag was kept).
  EXPECT_EQ(FeedRequests("a") - server_->StatsFor("/feed/a.xml").not_modified, 1);
}

// Issue 13 #6: with the request budget saturated (one transfer at a time,
// each feed answering in 500 ms, six feeds due every second) every feed is
// polled in turn, earliest due first; the late ones are shown as overdue.
TEST_F(WatchTest, SaturatedBudgetPollsEveryFeedAndShowsOverdue) {
  std::vector<std::string> names = {"a", "b", "c", "d", "e", "f"};
  for (const auto& n : names) {
    WriteFeed(n, {n + "1"});
    SetMode(n, "delay:500");
  }
  WriteFeeds(names);
  WatcherOptions o = Options();
  o.max_concurrency = 1;
  o.fetch_pages = false;
  MemorySink sink;
  auto run = Start(sink, o);
  ASSERT_TRUE(run);
  bool saw_overdue = false;
  std::string table;
  auto polls = [&] {
    int n = 0;
    for (const auto& f : names) n += FeedRequests(f);  // 304s included
    return n;
  };
  bool polled = WaitFor(
      [&] {
        for (const auto& row : run->w->StatusRows()) {
          if (row.health == "overdue" && row.overdue_s > 0 && !saw_overdue) {
            saw_overdue = true;
            std::ostringstream t;
            PrintStatusTable(t, run->w->StatusRows());
            table = t.str();
          }
        }
        return polls() >= 13;
      },
      milliseconds(30000));
  run->Stop();
  ASSERT_TRUE(polled);
  for (const auto& f : names) {
    EXPECT_GE(FeedRequests(f), 2) << f;
  }
  EXPECT_EQ(sink.Size(), names.size());
  EXPECT_TRUE(saw_overdue);
  EXPECT_NE(table.find("overdue"), std::string::npos) << table;
  // The metric a dashboard sees.
  bool metric = false;
  for (const auto& fam : registry_.Collect()) {
    if (fam.name == "newsflow_feed_poll_overdue_seconds") metric = !fam.metric.empty();
  }
  EXPECT_TRUE(metric);
}

// `watch --status` reads the state file: a feed not attempted for two of its
// intervals is shown overdue (the interval is now kept in the state file).
TEST(StatusTable, StateFileShowsFeedsNotPolledForTwoIntervalsAsOverdue) {
  const newsflow::testing::ScopedTempDir tmp("status-test-");  // removed however the test ends
  const std::string dir = tmp.string();
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  {
    StateStore store;
    FeedState& late = store.Feed("https://late.example/rss");
    late.source = "late";
    late.interval_s = 60;
    late.last_attempt_unix = late.last_success_unix = now - 600;
    FeedState& fine = store.Feed("https://fine.example/rss");
    fine.source = "fine";
    fine.interval_s = 60;
    fine.last_attempt_unix = fine.last_success_unix = now - 30;
    ASSERT_TRUE(store.Save(dir + "/feeds.state").ok());
  }
  auto rows = ReadStatusRows(dir + "/feeds.state");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::map<std::string, FeedStatusRow> by;
  for (const auto& r : *rows) by[r.source] = r;
  EXPECT_EQ(by["late"].health, "overdue");
  EXPECT_GE(by["late"].overdue_s, 539);
  EXPECT_EQ(by["fine"].health, "ok");
  EXPECT_EQ(by["fine"].overdue_s, 0);
}

TEST(StatusTable, ShowsOverdueFeeds) {
  FeedStatusRow r;
  r.source = "late";
  r.url = "https://example.org/feed";
  r.health = "overdue";
  r.overdue_s = 42;
  std::ostringstream out;
  PrintStatusTable(out, {r});
  EXPECT_NE(out.str().find("overdue by 42 s"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("1 feeds, 0 failing, 1 overdue"), std::string::npos) << out.str();
}

// Issue 13 #4: Arabic pages in windows-1256 and ISO-8859-6, declared only in
// <meta charset>, arrive as UTF-8 with the charset noted in meta.
TEST_F(WatchTest, LegacyArabicPagesArePublishedAsUtf8) {
  std::vector<TestItem> items = {{"w", server_->Url("/page/enc/cp1256/1"), "W", "w"},
                                 {"i", server_->Url("/page/enc/iso8859_6/1"), "I", "i"}};
  WriteFile(dir_ + "/ar.xml", testing::Rss(items));
  WriteFeeds({"ar"});
  MemorySink sink;
  auto run = Start(sink, Options());
  ASSERT_TRUE(run);
  bool published = WaitFor([&] { return sink.Size() >= 2; });
  run->Stop();
  ASSERT_TRUE(published);
  const std::string text = "\xD8\xB0\xD9\x87\xD8\xA8 \xD8\xA7\xD9\x84\xD9\x88\xD9\x84\xD8\xAF";  // UTF-8
  std::map<std::string, std::string> charsets;
  for (const auto& a : sink.Articles()) {
    EXPECT_EQ(a.meta.at("feed_only"), "false");
    EXPECT_NE(a.body.find(text), std::string::npos) << a.body;
    charsets[a.meta.at("item_title")] = a.meta.count("source_charset") ? a.meta.at("source_charset") : "";
  }
  EXPECT_EQ(charsets, (std::map<std::string, std::string>{{"W", "windows-1256"}, {"I", "iso-8859-6"}}));
}

}  // namespace
}  // namespace newsflow::feeds
