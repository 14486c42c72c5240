#include "feeds/feed_list.h"

#include <gtest/gtest.h>

#include "state_store.h"
#include "watcher.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "feed_test_support.h"
#include "support/temp_dir.h"

namespace newsflow::feeds {
namespace {

const char* kYaml = R"(
defaults:
  interval_s: 600
feeds:
  - url: https://example.org/rss.xml
    source: example
    lang_hint: en
    headers: {X-Token: abc}
  - url: https://news.example.com/atom
    interval_s: 60
)";

TEST(FeedsListTest, YamlWithDefaults) {
  auto feeds = ParseFeedsYaml(kYaml);
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  ASSERT_EQ(feeds->size(), 2u);
  EXPECT_EQ((*feeds)[0].source, "example");
  EXPECT_EQ((*feeds)[0].interval, std::chrono::seconds(600));
  EXPECT_EQ((*feeds)[0].headers.at("X-Token"), "abc");
  EXPECT_EQ((*feeds)[1].source, "news.example.com");  // host when not given
  EXPECT_EQ((*feeds)[1].interval, std::chrono::seconds(60));
}

// Issue 13 #12: yaml-cpp keeps both values of a repeated key (node["k"] took
// the first, a loop the last): refused, with the line.
TEST(FeedsListTest, RejectsDuplicateKeysWithTheirLine) {
  auto r = ParseFeedsYaml("feeds:\n  - url: https://a.example/\n    source: a\n    url: https://b.example/\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("duplicate key `url` at line 4 (first at line 2)"), std::string::npos)
      << r.status().ToString();
  r = ParseFeedsYaml("defaults:\n  interval_s: 60\nfeeds: []\ndefaults:\n  interval_s: 5\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("duplicate key `defaults` at line 4"), std::string::npos) << r.status().ToString();
  r = ParseFeedsYaml("feeds:\n  - url: https://a.example/\n    headers: {X-K: 1, X-K: 2}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("duplicate key `X-K` at line 3"), std::string::npos) << r.status().ToString();
}

TEST(FeedsListTest, AllowPrivateAddressesPerFeed) {
  auto r = ParseFeedsYaml("feeds:\n  - url: http://intranet.local/rss\n    allow_private_addresses: true\n"
                          "  - url: https://public.example/rss\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE((*r)[0].allow_private_addresses);
  EXPECT_FALSE((*r)[1].allow_private_addresses);
  auto back = ParseFeedsYaml(FeedsToYaml(*r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *r);
}

TEST(FeedsListTest, RejectsUnknownKeysBadUrlsAndDuplicates) {
  EXPECT_FALSE(ParseFeedsYaml("feeds:\n  - url: https://e.org/\n    intervall_s: 5\n").ok());
  EXPECT_FALSE(ParseFeedsYaml("feeds:\n  - url: ftp://e.org/\n").ok());
  EXPECT_FALSE(ParseFeedsYaml("feeds:\n  - url: https://e.org/\n  - url: https://e.org/\n").ok());
  EXPECT_FALSE(ParseFeedsYaml("feeds:\n  - url: https://e.org/\n    interval_s: 0\n").ok());
  EXPECT_FALSE(ParseFeedsYaml("feedz: []\n").ok());
  EXPECT_FALSE(ParseFeedsYaml("feeds: [unclosed\n").ok());
}

TEST(FeedsListTest, OpmlRoundTrip) {
  auto feeds = ParseFeedsYaml(kYaml);
  ASSERT_TRUE(feeds.ok());
  std::string opml = FeedsToOpml(*feeds);
  auto back = ParseOpml(opml);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), feeds->size());
  for (size_t i = 0; i < feeds->size(); ++i) {
    FeedConfig expected = (*feeds)[i];
    expected.headers.clear();  // not exported: may hold credentials
    EXPECT_EQ((*back)[i], expected) << i;
  }
  // And through YAML again.
  auto again = ParseFeedsYaml(FeedsToYaml(*back));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *back);
}

TEST(FeedsListTest, OpmlFromAFeedReaderWithFolders) {
  const char* opml = R"(<?xml version="1.0"?>
<opml version="1.0"><head><title>subs</title></head><body>
<outline text="News"><outline text="A &amp; B" type="rss" xmlUrl="https://a.example/feed"/>
<outline title="Cee" text="c" type="rss" xmlUrl="https://c.example/rss" htmlUrl="https://c.example/"/></outline>
<outline text="no feed here"/></body></opml>)";
  auto feeds = ParseOpml(opml, std::chrono::seconds(120));
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  ASSERT_EQ(feeds->size(), 2u);
  EXPECT_EQ((*feeds)[0].source, "A & B");
  EXPECT_EQ((*feeds)[1].source, "Cee");
  EXPECT_EQ((*feeds)[1].interval, std::chrono::seconds(120));
}

TEST(FeedsListTest, LoadFeedListDetectsOpml) {
  const newsflow::testing::ScopedTempDir tmp("feeds-list-");  // removed however the test ends
  const std::string dir = tmp.string();
  testing::WriteFile(dir + "/subs.opml", FeedsToOpml(*ParseFeedsYaml(kYaml)));
  auto feeds = LoadFeedList(dir + "/subs.opml");
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  EXPECT_EQ(feeds->size(), 2u);
  EXPECT_EQ(LoadFeedList(dir + "/missing.yaml").status().code(), StatusCode::kNotFound);
}

TEST(FeedsListTest, ExampleFileLoads) {
  auto feeds = LoadFeedList(std::string(NEWSFLOW_SOURCE_DIR) + "/producers/feeds/example_feeds.yaml");
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  EXPECT_EQ(feeds->size(), 3u);
}

TEST(FeedsStateTest, SaveLoadRoundTripIsAtomic) {
  const newsflow::testing::ScopedTempDir tmp("feeds-state-");  // removed however the test ends
  const std::string dir = tmp.string();
  std::string path = dir + "/feeds.state";
  StateStore a(100);
  a.Touch(DedupeKey("u", "https://e.org/1"));
  FeedState& f = a.Feed("https://e.org/feed\twith tab");
  f.etag = "\"abc\"";
  f.last_error = "HTTP 500\nline two";
  f.consecutive_failures = 3;
  ASSERT_TRUE(a.Save(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  StateStore b(100);
  ASSERT_TRUE(b.Load(path).ok());
  EXPECT_TRUE(b.Contains(DedupeKey("u", "https://e.org/1")));
  EXPECT_FALSE(b.Contains(DedupeKey("u", "https://e.org/2")));
  const FeedState& g = b.feeds().at("https://e.org/feed\twith tab");
  EXPECT_EQ(g.etag, "\"abc\"");
  EXPECT_EQ(g.last_error, "HTTP 500\nline two");
  EXPECT_EQ(g.consecutive_failures, 3);
  // A missing file is a first run; a torn one is an error, not an empty state.
  StateStore c(100);
  EXPECT_TRUE(c.Load(dir + "/none").ok());
  std::string text;
  {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  testing::WriteFile(dir + "/torn", text.substr(0, text.size() - 4));
  EXPECT_EQ(c.Load(dir + "/torn").code(), StatusCode::kCorrupt);
}

TEST(FeedsStateTest, BoundedEvictsLeastRecentlyTouched) {
  StateStore s(1000);
  s.Touch(DedupeKey("u", "keep"));
  for (int i = 0; i < 5000; ++i) {
    s.Touch(DedupeKey("u", std::to_string(i)));
    if (i % 100 == 0) s.Touch(DedupeKey("u", "keep"));  // still listed by its feed
  }
  EXPECT_LE(s.KeyCount(), 1000u + 1000u / 8 + 16);
  EXPECT_TRUE(s.Contains(DedupeKey("u", "keep")));
  EXPECT_TRUE(s.Contains(DedupeKey("u", "4999")));
  EXPECT_FALSE(s.Contains(DedupeKey("u", "0")));
}

TEST(FeedsBackoffTest, GrowsWithJitterAndCaps) {
  using std::chrono::milliseconds;
  const milliseconds init(1000), max(60000);
  EXPECT_EQ(BackoffDelay(1, init, max, 1.0), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(1, init, max, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(4, init, max, 1.0), milliseconds(8000));
  EXPECT_EQ(BackoffDelay(40, init, max, 1.0), max);
  EXPECT_GE(BackoffDelay(40, init, max, 0.0), max / 2);
}

TEST(FeedsStatusTest, TableListsFailingFeedsFirst) {
  std::vector<FeedStatusRow> rows(2);
  rows[0].source = "fine";
  rows[0].health = "ok";
  rows[1].source = "broken";
  rows[1].health = "failing";
  rows[1].consecutive_failures = 4;
  rows[1].last_error = "HTTP 500";
  std::ostringstream out;
  PrintStatusTable(out, rows);
  std::string s = out.str();
  EXPECT_LT(s.find("broken"), s.find("fine"));
  EXPECT_NE(s.find("2 feeds, 1 failing"), std::string::npos);
}

}  // namespace
}  // namespace newsflow::feeds
