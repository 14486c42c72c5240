// Round 2 of the clean stage: no real article is dropped (short items,
// columns of short lines, hard-wrapped text, one-paragraph wire stories),
// titles and dates from the page, never the id. Every page here is written
// for these tests (in the spirit of corpus cases, not copies of them).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "clean_test_support.h"

namespace newsflow {
namespace {

using testing::CleanHarness;
using testing::Forwarded;
using testing::HtmlArticle;
using testing::TextArticle;

int CountLines(const std::string& text) {
  if (text.empty()) return 0;
  return static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
}

std::string Note(const Article& a) { return a.trace.empty() ? "" : a.trace.back().note; }

// An opinion column laid out in short lines (18 lines, ~350 characters of
// prose, none passing the length test on its own).
constexpr const char* kColumn =
    "* في كل صيف نعود\n"
    "إلى السؤال نفسه\n"
    "عن الماء الذي نهدره\n"
    "في الحدائق والشوارع\n"
    "وكأن الصحراء لا تعنينا\n"
    "* يقول المسؤولون\n"
    "إن الاستهلاك ارتفع\n"
    "بنسبة لم يعرفها البلد من قبل\n"
    "وإن الحل في التوعية\n"
    "قبل أن يكون في الأسعار\n"
    "* لكنني أسأل بصدق\n"
    "هل تكفي حملة إعلانية\n"
    "لتغيير عادة عمرها\n"
    "عشرات السنين..؟\n"
    "* الماء ليس سلعة عادية\n"
    "إنه الحياة نفسها\n"
    "ومن يهدره اليوم\n"
    "يسرق من أبنائه غدا\n";

TEST(CleanRound2Test, ColumnOfShortLinesIsKeptWhole) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kColumn, "column-site", "col-1");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(CountLines(a.clean->text), 18) << a.clean->text;
}

TEST(CleanRound2Test, ColumnOfShortLinesKeepsProseDropsFurniture) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(std::string("صحيفة الضفة\nكتاب الرأي\nالماء والصيف\n") + kColumn +
                              "جميع مقالات الكاتب\nاترك تعليقاً\nجميع الحقوق محفوظة © 2026\n",
                          "column-site", "col-2");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(CountLines(a.clean->text), 18) << a.clean->text;
  EXPECT_EQ(a.clean->text.find("جميع"), std::string::npos) << a.clean->text;
  EXPECT_EQ(a.clean->title, "الماء والصيف");
}

TEST(CleanRound2Test, OneParagraphWireItemIsKeptWithLowConfidence) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // One line, no final full stop, a link-back glued to its end.
  const std::string item =
      "أعلنت هيئة الطيران المدني اليوم استئناف الرحلات في مطار المدينة الساحلية بعد توقف دام "
      "أسبوعين، وقال مسؤول إن أول طائرة هبطت صباحا رابط الخبر بصحيفة الضفة: استئناف الرحلات";
  Article a = TextArticle(item + "\n", "wire", "wire-1");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->text, item);
  EXPECT_NE(Note(a).find("low confidence"), std::string::npos) << Note(a);
  // Its only line is the story, not a headline: no title, and the trace says so.
  EXPECT_EQ(a.clean->title, "");
  EXPECT_NE(Note(a).find("no title found"), std::string::npos) << Note(a);
}

TEST(CleanRound2Test, TwoSentenceItemIsKept) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(
      "The port reopened on Tuesday after a two-day strike.\nShips queued outside overnight.\n",
      "wire", "wire-2");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_NE(a.clean->text.find("Ships queued outside overnight."), std::string::npos) << a.clean->text;
}

TEST(CleanRound2Test, PagesWithoutAnArticleAreStillDropped) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // A name under a picture: a few words, no prose.
  Article name = TextArticle("محمد الراشد\n", "photos", "p-1");
  auto r = h.stage->Process(name);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->forwarded());
  EXPECT_EQ(r->reason, "no_article");
  // Only a link back to a gallery.
  Article link = TextArticle("رابط الخبر بصحيفة الضفة: بالصور .. مهرجان الصيف في المدينة\n", "photos", "p-2");
  r = h.stage->Process(link);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->forwarded());
  EXPECT_EQ(r->reason, "only_boilerplate");
  // A login wall.
  Article wall = HtmlArticle(
      "<html><head><title>Sign in | Daily Example</title></head><body><form>"
      "<h2>Sign in to continue</h2><label>Email address</label><input name=e>"
      "<label>Password</label><input name=p type=password>"
      "<a href=\"/forgot\">Forgot your password?</a><button>Sign in</button>"
      "<a href=\"/join\">Create an account</a></form></body></html>",
      "wall");
  r = h.stage->Process(wall);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->forwarded()) << wall.clean->text;
  // An index page: lists of linked headlines.
  std::string index = "<html><body><h1>Latest news</h1><ul>";
  for (int i = 0; i < 12; ++i) {
    index += "<li><a href=\"/a" + std::to_string(i) + "\">Council approves budget for new library number " +
             std::to_string(i) + "</a></li>";
  }
  index += "</ul></body></html>";
  Article idx = HtmlArticle(index, "index");
  r = h.stage->Process(idx);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->forwarded()) << idx.clean->text;
  // A plain-text list of headlines.
  Article list = TextArticle(
      "Council approves budget for new library\nFerry timetable changes for the winter\n"
      "Storm closes mountain roads in the north\nLocal team wins regional cup final\n"
      "New bus lanes open on the ring road\nMuseum extends opening hours in summer\n",
      "index-text", "ix-1");
  r = h.stage->Process(list);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->forwarded()) << list.clean->text;
}

TEST(CleanRound2Test, HardWrappedArticleKeepsBodyDropsFurniture) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(
      "Home | News | Sport | Weather\n"
      "Print edition\n"
      "River town opens its new footbridge\n"
      "The new footbridge over the river was opened on Saturday by\n"
      "the mayor, who said that it would shorten the walk to the\n"
      "station for thousands of people who live on the east bank\n"
      "and had to use the road bridge until now.\n"
      "The bridge took two years to build and cost less than the\n"
      "council had planned, because the steel was bought before\n"
      "prices went up in the spring of last year.\n"
      "Print\n"
      "Share\n"
      "Copyright 2026 River Town News\n",
      "print-site", "wrap-1");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(CountLines(a.clean->text), 7) << a.clean->text;
  EXPECT_EQ(a.clean->text.find("Home"), std::string::npos);
  EXPECT_EQ(a.clean->text.find("Copyright"), std::string::npos);
  EXPECT_EQ(a.clean->title, "River town opens its new footbridge");
}

TEST(CleanRound2Test, TextTitleIsTheHeadlineNotTheSiteNameOrTicker) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(
      "صحيفة الضفة الإلكترونية\n"
      "الدولار 3.75 | اليورو 4.10 | الذهب 250\n"
      "مواقيت الصلاة: الفجر 4:20 الظهر 12:15\n"
      "افتتاح مكتبة عامة جديدة في وسط المدينة\n"
      "كتب: سامي العلي\n"
      "افتتحت البلدية أمس مكتبة عامة جديدة في وسط المدينة تضم أكثر من عشرين ألف كتاب وقاعة "
      "للأطفال وأخرى للمطالعة، وقال رئيس البلدية إن المكتبة ستفتح أبوابها طوال أيام الأسبوع.\n"
      "وأضاف أن المكتبة الجديدة جزء من خطة لتطوير وسط المدينة تشمل حدائق وممرات للمشاة، "
      "وأن العمل في المرحلة الثانية من الخطة سيبدأ في الخريف المقبل.\n",
      "site", "t-1");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "افتتاح مكتبة عامة جديدة في وسط المدينة");
  EXPECT_EQ(a.clean->text.find("الدولار"), std::string::npos);
  EXPECT_EQ(a.clean->text.find("مواقيت"), std::string::npos);
}

constexpr const char* kBody =
    "<p>The new footbridge over the river was opened on Saturday by the mayor, who said that it "
    "would shorten the walk to the station for thousands of people on the east bank.</p>"
    "<p>The bridge took two years to build and cost less than the council had planned, because "
    "the steel was bought before prices went up.</p>";

std::string Page(const std::string& head, const std::string& body_top) {
  return "<html><head>" + head + "</head><body><article>" + body_top + kBody + "</article></body></html>";
}

TEST(CleanRound2Test, HtmlTitleSourcesInOrder) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  struct Case {
    std::string head, top, want;
  } cases[] = {
      {"<title>River News</title><meta property=\"og:title\" content=\"Footbridge opens\">", "",
       "Footbridge opens"},
      {"<title>River News</title><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
       "\"headline\": \"Town gets a \\\"new\\\" bridge\"}</script>",
       "", "Town gets a \"new\" bridge"},
      {"<title>River News</title>", "<h1>Mayor opens the footbridge</h1>", "Mayor opens the footbridge"},
      {"<title>Footbridge opens to walkers | River News</title>", "", "Footbridge opens to walkers"},
  };
  for (const Case& c : cases) {
    Article a = HtmlArticle(Page(c.head, c.top), "html-title");
    ASSERT_TRUE(Forwarded(*h.stage, a)) << c.want;
    EXPECT_EQ(a.clean->title, c.want);
  }
  // No title anywhere: "" and the trace says so; never the id.
  Article none = HtmlArticle(Page("", ""), "html-title");
  none.id = "u0123456789abcdef";
  ASSERT_TRUE(Forwarded(*h.stage, none));
  EXPECT_EQ(none.clean->title, "");
  EXPECT_NE(Note(none).find("no title found"), std::string::npos) << Note(none);
  // A producer's title that is only the id is not a title.
  Article idt = HtmlArticle(Page("", ""), "html-title");
  idt.id = "u0123456789abcdef";
  idt.meta["title"] = idt.id;
  ASSERT_TRUE(Forwarded(*h.stage, idt));
  EXPECT_NE(idt.clean->title, idt.id);
}

TEST(CleanRound2Test, HtmlPublishedAtSources) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  struct Case {
    std::string head, top, want;
  } cases[] = {
      {"<script type=\"application/ld+json\">{\"headline\":\"x\",\"datePublished\": "
       "\"2024-03-05T08:30:00+03:00\"}</script>",
       "", "2024-03-05T08:30:00+03:00"},
      {"<meta property=\"article:published_time\" content=\"2024-03-06T10:00:00Z\">", "",
       "2024-03-06T10:00:00Z"},
      {"", "<p class=\"meta\"><time datetime=\"2024-03-07T09:15:00Z\">7 March</time></p>",
       "2024-03-07T09:15:00Z"},
  };
  for (const Case& c : cases) {
    Article a = HtmlArticle(Page("<title>Footbridge opens</title>" + c.head, c.top), "html-date");
    ASSERT_TRUE(Forwarded(*h.stage, a)) << c.want;
    ASSERT_TRUE(a.clean->published_at.has_value()) << c.want;
    EXPECT_EQ(*a.clean->published_at, c.want);
  }
}

// Pages of one site published on one day share their date line, and every
// page carries the same "read also" marker: template learning must not turn
// either off.
TEST(CleanRound2Test, LearntTemplateLinesStillGiveDateAndCut) {
  CleanHarness h;  // template learning on, min 3 pages
  ASSERT_TRUE(h.open_status.ok());
  const char* topics[] = {"المكتبة", "الحديقة", "الملعب", "المستشفى", "المدرسة"};
  for (int i = 0; i < 5; ++i) {
    std::string t = topics[i];
    Article a = TextArticle(
        "صحيفة الضفة\nافتتاح " + t + " الجديدة في المدينة\nتاريخ النشر: 22 يوليو 2015\n"
        "افتتحت البلدية أمس " + t + " الجديدة في وسط المدينة بعد عامين من العمل، وقال رئيس "
        "البلدية إن " + t + " ستخدم آلاف السكان في الأحياء الشرقية.\n"
        "وأضاف أن العمل في " + t + " سيبدأ في الخريف المقبل بعد انتهاء الدراسات.\n"
        "إقرأ أيضاً:\nخبر آخر عن " + t + " القديمة\n"
        "هذا نص خبر آخر عن " + t + " القديمة لا علاقة له بالخبر الأول، نشر في يوم آخر وفي قسم آخر.\n",
        "same-day-site", "d-" + std::to_string(i));
    ASSERT_TRUE(Forwarded(*h.stage, a)) << i;
    ASSERT_TRUE(a.clean->published_at.has_value()) << i;
    EXPECT_EQ(*a.clean->published_at, "2015-07-22T00:00:00Z") << i;
    EXPECT_EQ(a.clean->text.find("خبر آخر"), std::string::npos) << i << ": " << a.clean->text;
    EXPECT_EQ(CountLines(a.clean->text), 2) << i << ": " << a.clean->text;
  }
}

// The corpus case that opened the issue: of the first 5,000 articles of
// news/ar as plain text, only pages without prose are dropped (a name under
// a picture, a link back to a gallery). Skips without the corpus.
TEST(CleanRound2Test, CorpusArabicArticlesAreNotDropped) {
  const std::string path = CorpusDir() + "/news/ar/saudinewsnet.jsonl";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (NEWSFLOW_CORPUS_DIR)";
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  std::ifstream in(path);
  std::string line;
  int seen = 0, dropped = 0, dropped_long = 0;
  bool named_kept[2] = {false, false};
  while (seen < 5000 && std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    Article a = TextArticle(j["text"].get<std::string>(), j["source"].get<std::string>(),
                            j["id"].get<std::string>());
    ++seen;
    auto r = h.stage->Process(a);
    ASSERT_TRUE(r.ok()) << a.id;
    if (!r->forwarded()) {
      ++dropped;
      // Pages dropped have little text; a longer one must be a link-back only.
      if (a.body.size() > 200) ++dropped_long;
    }
    if (a.id == "snn-2015-07-22-00655") named_kept[0] = r->forwarded();
    if (a.id == "snn-2015-07-22-01508") named_kept[1] = r->forwarded();
  }
  EXPECT_EQ(seen, 5000);
  EXPECT_TRUE(named_kept[0]) << "column of short lines";
  EXPECT_TRUE(named_kept[1]) << "two-sentence wire item";
  EXPECT_EQ(dropped_long, 0);
  EXPECT_LE(dropped, 40);  // before round 2: 62 with learning off
  std::printf("news/ar: %d articles, %d dropped\n", seen, dropped);
}

}  // namespace
}  // namespace newsflow
