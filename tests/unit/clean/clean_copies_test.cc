// Copies of `clean` in one process (`run --instances N`, a fused chain's
// copies) share what they learn of a site's template: its furniture is
// removed after `template_min_pages` pages of the site, whichever copies
// cleaned them (each copy learnt from its own share of the pages before:
// about N x min_pages pages with N copies).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "clean_test_support.h"

namespace newsflow {
namespace {

namespace fs = std::filesystem;
using testing::CleanHarness;
using testing::Forwarded;
using testing::TextArticle;

// A state folder for the first copy, with the second's inside it.
struct TempDir : testing::TempStateDir {
  explicit TempDir(const std::string& name) : TempStateDir("copies_" + name) {
    fs::create_directories(path / "instance-2");
  }
};

const char kMenu[] = "Island Courier: subscribe for one euro a month";

// A page of one site: its menu line, then a story of its own.
std::string Page(int i) {
  const std::string n = std::to_string(i);
  return std::string(kMenu) + "\n" + "Harbour council votes on ferry timetable number " + n + "\n" +
         "The harbour council voted on Tuesday to keep early ferry " + n +
         ", after a petition signed by most of the island's fishermen and their families.\n" +
         "Members said late boat " + n +
         " would run only in summer, when visitors fill the last crossing of the day.\n";
}

// Whether cleaning page `i` with `h` removed a line as template (the menu:
// the rest of each page is its own).
bool MenuRemovedAsTemplate(CleanHarness& h, int i) {
  Article a = TextArticle(Page(i), "island-courier", "page-" + std::to_string(i));
  EXPECT_TRUE(Forwarded(*h.stage, a)) << "page " << i;
  if (!a.clean.has_value()) return false;
  auto it = a.clean->removed.find("template");
  return it != a.clean->removed.end() && it->second > 0;
}

// Two copies opened as `run --instances 2` opens them: the second with a
// state folder of its own and the first's as the shared one.
struct TwoCopies {
  explicit TwoCopies(const TempDir& d)
      : first({{"template_min_pages", "3"}}, d.path.string(), d.path.string()),
        second({{"template_min_pages", "3"}}, (d.path / "instance-2").string(), d.path.string()) {
    EXPECT_TRUE(first.open_status.ok()) << first.open_status.ToString();
    EXPECT_TRUE(second.open_status.ok()) << second.open_status.ToString();
  }
  CleanHarness first, second;
};

TEST(CleanCopiesTest, ASitesTemplateIsLearntFromPagesEitherCopyCleaned) {
  TempDir dir("alternate");
  TwoCopies copies(dir);
  // Pages alternate between the copies, as a consumer's records do.
  EXPECT_FALSE(MenuRemovedAsTemplate(copies.first, 0));
  EXPECT_FALSE(MenuRemovedAsTemplate(copies.second, 1));
  EXPECT_FALSE(MenuRemovedAsTemplate(copies.first, 2));
  // Three pages of the site seen: the menu is template on either copy. (The
  // second copy had counted one page of its own: the old code kept the menu
  // until its own third page, page 5.)
  EXPECT_TRUE(MenuRemovedAsTemplate(copies.second, 3));
  EXPECT_TRUE(MenuRemovedAsTemplate(copies.first, 4));
}

TEST(CleanCopiesTest, CopiesCleaningAtOnceLearnTogetherAndSaveOneState) {
  TempDir dir("threads");
  {
    TwoCopies copies(dir);
    // Both copies clean pages of the site at the same time (the store is
    // read and written from two threads).
    std::vector<int> removed(2, 0);
    std::thread t([&] {
      for (int i = 0; i < 40; i += 2) removed[1] += MenuRemovedAsTemplate(copies.second, i + 1);
    });
    for (int i = 0; i < 40; i += 2) removed[0] += MenuRemovedAsTemplate(copies.first, i);
    t.join();
    // 40 pages, the menu template from the fourth page on: 37, or 36 when
    // the fourth page was looked up while the third was being cleaned (each
    // copy has one page in flight). Copies learning alone: at most 34 (each
    // from its own fourth page on).
    EXPECT_GE(removed[0] + removed[1], 36);
    EXPECT_LE(removed[0] + removed[1], 37);
    EXPECT_TRUE(copies.first.stage->Close().ok());
    EXPECT_TRUE(copies.second.stage->Close().ok());
  }
  // One state file, the first copy's; none in the second copy's own folder.
  EXPECT_TRUE(fs::exists(dir.path / "clean_templates.txt"));
  EXPECT_FALSE(fs::exists(dir.path / "instance-2" / "clean_templates.txt"));
  // A restart: a copy opened later knows the template from its first page.
  TwoCopies again(dir);
  EXPECT_TRUE(MenuRemovedAsTemplate(again.second, 100));
}

}  // namespace
}  // namespace newsflow
