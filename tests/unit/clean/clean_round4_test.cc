// Round 4 of the clean stage: template learning counts a page once, whatever
// process lifetime or id it comes back with. The counted pages (a key of the
// id and one of the text, per source) are kept in the state file, so a
// restart, a second run over the same input, a replay or a redelivery does
// not count the same lines again, and neither does a republished copy under
// a new id. Every page here is written for these tests.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "clean_test_support.h"
#include "templates.h"

namespace newsflow {
namespace {

namespace fs = std::filesystem;
using testing::CleanHarness;
using testing::Forwarded;
using testing::TextArticle;

// A state directory of its own for each test, removed at the end.
struct StateDir : testing::TempStateDir {
  explicit StateDir(const std::string& name) : TempStateDir("r4_" + name) {}
};

// A story whose body lines are all short enough to be counted by template
// learning (at most 300 code points each).
std::string Story(int i) {
  const std::string n = std::to_string(i);
  return "Harbour council votes on ferry timetable number " + n + "\n" +
         "The harbour council voted on Tuesday to keep early ferry " + n +
         ", after a petition signed by most of the island's fishermen and their families.\n" +
         "Members said late boat " + n +
         " would run only in summer, when visitors fill the last crossing of the day.\n" +
         "The next vote on ferry " + n + " is planned for the autumn session of the council.\n";
}

// A story with one line that is site furniture (the same on every page).
std::string StoryWithMenu(int i) { return "Island Courier: subscribe for one euro a month\n" + Story(i); }

int Templates(const Article& a) {
  auto it = a.clean->removed.find("template");
  return it == a.clean->removed.end() ? 0 : it->second;
}

// The same pages read in four stage lifetimes (a rerun of `newsflow
// process`, a replay, a restart after a crash) with the state file in
// between: their body lines never become template. On the old code the
// fourth lifetime (template_min_pages 3) removed every body line as template.
TEST(CleanRound4Test, SamePagesInFourLifetimesDoNotTurnBodyIntoTemplate) {
  StateDir dir("lifetimes");
  for (int life = 0; life < 4; ++life) {
    CleanHarness h(testing::Given{{"template_min_pages", "3"}}, dir.path.string());
    ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
    int forwarded = 0, template_lines = 0;
    for (int i = 0; i < 2; ++i) {
      Article a = TextArticle(Story(i), "island-courier", "courier-" + std::to_string(i));
      if (Forwarded(*h.stage, a)) ++forwarded;
      ASSERT_TRUE(a.clean.has_value());
      template_lines += Templates(a);
      EXPECT_NE(a.clean->text.find("voted on Tuesday to keep early ferry " + std::to_string(i)),
                std::string::npos)
          << "lifetime " << life << ": " << a.clean->text;
    }
    EXPECT_EQ(forwarded, 2) << "lifetime " << life;
    EXPECT_EQ(template_lines, 0) << "lifetime " << life;
    ASSERT_TRUE(h.stage->Close().ok());
  }
  // The counts themselves did not move: each of the two pages counted once.
  clean::TemplateStore store(10, 1000, 3);
  ASSERT_TRUE(store.Load(dir.file()).ok());
  EXPECT_EQ(store.page_key_count(), 4u);  // 2 pages x (id key + text key)
}

// One article republished under four ids (and once more with another date
// banner above it): its own lines are not template.
TEST(CleanRound4Test, SameBodyUnderNewIdsIsNotCountedAgain) {
  StateDir dir("republished");
  // A long paragraph keys the text, so a copy with different furniture
  // around it is still the same page.
  const std::string body =
      Story(7) +
      "The council's report, published with the vote, lists the crossings of the last three years by "
      "month and by boat, the cost of each crossing to the island, the number of passengers who were "
      "left on the quay when a boat was full, and the repairs the two old ferries will need before "
      "winter; it ends with a request to the ministry for a third boat, which the mayor said was the "
      "only lasting answer to the queues of the summer.\n";
  int template_lines = 0, forwarded = 0;
  {
    CleanHarness h(testing::Given{{"template_min_pages", "3"}}, dir.path.string());
    ASSERT_TRUE(h.open_status.ok());
    for (int copy = 0; copy < 4; ++copy) {
      Article a = TextArticle(body, "island-courier", "republished-" + std::to_string(copy));
      if (Forwarded(*h.stage, a)) ++forwarded;
      template_lines += Templates(a);
    }
    ASSERT_TRUE(h.stage->Close().ok());
  }
  {
    CleanHarness h(testing::Given{{"template_min_pages", "3"}}, dir.path.string());
    ASSERT_TRUE(h.open_status.ok());
    for (int copy = 4; copy < 6; ++copy) {
      Article a = TextArticle("Tuesday 3 March, weather: wind " + std::to_string(copy) + " knots\n" + body,
                              "island-courier", "republished-" + std::to_string(copy));
      if (Forwarded(*h.stage, a)) ++forwarded;
      template_lines += Templates(a);
      EXPECT_NE(a.clean->text.find("Members said late boat 7"), std::string::npos) << a.clean->text;
    }
  }
  EXPECT_EQ(forwarded, 6);
  EXPECT_EQ(template_lines, 0);
}

// Real furniture (a menu line on distinct pages) is still learnt across a
// restart, and pages read again after the restart do not add to its count:
// with template_min_pages 3, pages 0 and 1 count 2; after the restart the
// re-read pages 0 and 1 count nothing, page 2 makes 3 (kept: it is the
// third), page 3 sees the line as template.
TEST(CleanRound4Test, MenuOnDistinctPagesIsLearntAcrossRestartAndReReadsDoNotCount) {
  StateDir dir("menu");
  {
    CleanHarness h(testing::Given{{"template_min_pages", "3"}}, dir.path.string());
    ASSERT_TRUE(h.open_status.ok());
    for (int i = 0; i < 2; ++i) {
      Article a = TextArticle(StoryWithMenu(i), "island-courier", "page-" + std::to_string(i));
      ASSERT_TRUE(Forwarded(*h.stage, a));
      EXPECT_EQ(Templates(a), 0);
    }
    ASSERT_TRUE(h.stage->Close().ok());
  }
  CleanHarness h(testing::Given{{"template_min_pages", "3"}}, dir.path.string());
  ASSERT_TRUE(h.open_status.ok());
  for (int i = 0; i < 2; ++i) {  // redelivered after the restart
    Article a = TextArticle(StoryWithMenu(i), "island-courier", "page-" + std::to_string(i));
    ASSERT_TRUE(Forwarded(*h.stage, a));
    EXPECT_EQ(Templates(a), 0) << "re-read page " << i << " counted again";
  }
  Article third = TextArticle(StoryWithMenu(2), "island-courier", "page-2");
  ASSERT_TRUE(Forwarded(*h.stage, third));
  EXPECT_EQ(Templates(third), 0) << "menu counted on more than 2 pages before page 2";
  Article fourth = TextArticle(StoryWithMenu(3), "island-courier", "page-3");
  ASSERT_TRUE(Forwarded(*h.stage, fourth));
  EXPECT_EQ(Templates(fourth), 1) << "menu on 3 distinct pages not learnt";
  EXPECT_EQ(fourth.clean->text.find("Island Courier: subscribe"), std::string::npos);
  EXPECT_NE(fourth.clean->text.find("voted on Tuesday to keep early ferry 3"), std::string::npos);
}

// The store itself: a page counts once by id or by text, the memory of
// counted pages is a ring of max_pages pages per source (the oldest is
// forgotten), it survives Save/Load in order, and the file stays bounded.
TEST(CleanRound4Test, StoreRemembersCountedPagesBoundedAndPersisted) {
  StateDir dir("store");
  const std::vector<uint64_t> line = {0xabcdef};
  clean::TemplateStore s(10, 1000, 3, /*max_pages=*/2);
  EXPECT_TRUE(s.Observe("src", 1, 101, line));
  EXPECT_FALSE(s.Observe("src", 1, 999, line));  // same id, text changed
  EXPECT_FALSE(s.Observe("src", 2, 101, line));  // same text, new id
  EXPECT_FALSE(s.IsTemplate("src", 0xabcdef));
  EXPECT_TRUE(s.Observe("src", 3, 103, line));
  EXPECT_EQ(s.page_key_count(), 4u);  // 2 pages x 2 keys: the ring is full
  ASSERT_TRUE(s.Save(dir.file()).ok());

  clean::TemplateStore t(10, 1000, 3, 2);
  ASSERT_TRUE(t.Load(dir.file()).ok());
  EXPECT_EQ(t.page_key_count(), 4u);
  EXPECT_FALSE(t.Observe("src", 3, 103, line));  // newest page still known after the load
  EXPECT_FALSE(t.IsTemplate("src", 0xabcdef));   // count still 2
  EXPECT_TRUE(t.Observe("src", 4, 104, line));
  EXPECT_TRUE(t.IsTemplate("src", 0xabcdef));

  // Many pages: the keys held (and the lines written) stay at 2 x max_pages.
  clean::TemplateStore big(10, 1000, 3, 100);
  for (uint64_t p = 1; p <= 5000; ++p) big.Observe("src", p, p + (1ull << 40), line);
  EXPECT_EQ(big.page_key_count(), 200u);
  ASSERT_TRUE(big.Save(dir.file()).ok());
  std::ifstream in(dir.file());
  int key_lines = 0;
  for (std::string l; std::getline(in, l);) key_lines += l.rfind("P ", 0) == 0;
  EXPECT_EQ(key_lines, 200);
  EXPECT_FALSE(fs::exists(dir.file() + ".tmp"));
  clean::TemplateStore reload(10, 1000, 3, 100);
  ASSERT_TRUE(reload.Load(dir.file()).ok());
  EXPECT_FALSE(reload.Observe("src", 5000, 5000 + (1ull << 40), line));  // newest kept
  EXPECT_FALSE(reload.Observe("src", 4901, 4901 + (1ull << 40), line));  // the 100th newest kept
  EXPECT_TRUE(reload.Observe("src", 4900, 4900 + (1ull << 40), line));   // older ones forgotten
}

// The format-1 state file (counts, no counted pages) still loads: what was
// learnt stays learnt.
TEST(CleanRound4Test, OldFormatStateStillLoads) {
  StateDir dir("v1");
  {
    std::ofstream out(dir.file());
    out << "newsflow-clean-templates 1\n"
           "S 12 2 island courier\n"
           "00000000000000aa 5\n"
           "00000000000000bb 1\n";
  }
  clean::TemplateStore s(10, 1000, 3);
  ASSERT_TRUE(s.Load(dir.file()).ok());
  EXPECT_TRUE(s.IsTemplate("island courier", 0xaa));
  EXPECT_FALSE(s.IsTemplate("island courier", 0xbb));
  EXPECT_EQ(s.page_key_count(), 0u);
  EXPECT_TRUE(s.Observe("island courier", 7, 8, std::vector<uint64_t>{0xbb}));
  EXPECT_FALSE(s.Observe("island courier", 7, 9, std::vector<uint64_t>{0xbb}));
}

// The number of line hashes held (a gauge read for every page) is kept as
// the store changes, not summed over up to template_max_sources sources each
// time: it follows new lines, shrinking, a source's eviction and a load. The
// lines a saved file lists per source ("S <pages> <lines> ...") are the
// independent count it is checked against.
size_t LinesInFile(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string l; std::getline(in, l);) {
    if (l.rfind("S ", 0) != 0) continue;
    std::istringstream ls(l.substr(2));
    size_t pages = 0, lines = 0;
    ls >> pages >> lines;
    n += lines;
  }
  return n;
}

std::vector<uint64_t> Lines(uint64_t from, uint64_t n) {
  std::vector<uint64_t> v;
  for (uint64_t i = 0; i < n; ++i) v.push_back(from + i);
  return v;
}

TEST(CleanRound4Test, LineCountFollowsNewLinesShrinkingEvictionAndLoad) {
  StateDir dir("lines");
  clean::TemplateStore s(/*max_sources=*/2, /*max_lines=*/16, 3);
  EXPECT_EQ(s.line_count(), 0u);
  s.Observe("a", 1, 101, Lines(0, 10));
  s.Observe("a", 2, 102, Lines(5, 10));  // 5 lines again, 5 new: 15
  EXPECT_EQ(s.line_count(), 15u);
  s.Observe("b", 3, 103, Lines(100, 8));
  EXPECT_EQ(s.line_count(), 23u);
  s.Observe("c", 4, 104, Lines(200, 4));  // a third source: "a", the least recent, goes
  EXPECT_EQ(s.source_count(), 2u);
  EXPECT_EQ(s.line_count(), 12u);
  s.Observe("b", 5, 105, Lines(300, 10));  // 18 > 16: b's rarest lines go (down to <= 12)
  ASSERT_TRUE(s.Save(dir.file()).ok());
  EXPECT_EQ(s.line_count(), LinesInFile(dir.file()));
  EXPECT_LE(s.line_count(), 4u + 12u);
  clean::TemplateStore t(2, 16, 3);
  ASSERT_TRUE(t.Load(dir.file()).ok());
  EXPECT_EQ(t.line_count(), s.line_count());
}

// With more sources than template_max_sources, the least recently used one
// is forgotten (in constant time: it was a scan of every source for each
// new one, about 10 us a page once 2,000 sources were held).
TEST(CleanRound4Test, TheLeastRecentlyUsedSourceIsForgotten) {
  clean::TemplateStore s(/*max_sources=*/2, 1000, /*min_pages=*/3);
  const std::vector<uint64_t> menu = {0x1};
  for (uint64_t p = 1; p <= 3; ++p) {
    s.Observe("a", p, 100 + p, menu);
    s.Observe("b", 10 + p, 200 + p, menu);
  }
  ASSERT_TRUE(s.IsTemplate("a", 0x1));
  ASSERT_TRUE(s.IsTemplate("b", 0x1));
  s.Observe("a", 4, 104, menu);  // "a" used last: "b" is now the least recent
  s.Observe("c", 21, 301, menu);
  EXPECT_TRUE(s.IsTemplate("a", 0x1));
  EXPECT_FALSE(s.IsTemplate("b", 0x1)) << "the least recently used source is the one forgotten";
  EXPECT_EQ(s.source_count(), 2u);
  s.Observe("b", 31, 401, menu);  // back, learning from scratch: "a" is the least recent now
  EXPECT_FALSE(s.IsTemplate("a", 0x1));
  EXPECT_EQ(s.source_count(), 2u);
}

}  // namespace
}  // namespace newsflow
