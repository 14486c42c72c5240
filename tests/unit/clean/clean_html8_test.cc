// Round 8 (issue 14, HTML): boilerplate class hints that hold a page's whole
// article (a page builder's "widget" wrappers, "Section--Ads" layout
// modifiers) no longer throw the article away; hints on prose beside the
// article, on comment threads and on boxes next to a full article still do.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clean_test_support.h"

namespace newsflow {
namespace {

using testing::CleanHarness;
using testing::Forwarded;
using testing::HtmlArticle;
using testing::LinesOf;

// Invented paragraphs, each long enough to pass on its own.
const std::vector<std::string> kParas = {
    "The village council agreed on Monday to turn the disused railway station into a library and a small "
    "museum, ending a debate that has divided the community for almost four years.",
    "Volunteers who have looked after the building since the last train left in 1998 said they were glad "
    "that it would finally be used again, although the repairs will take at least two summers.",
    "The plans include a reading room in the old ticket hall, a workshop for the local history society and "
    "a garden on the platform, where the council hopes to hold concerts in the evenings.",
    "Some residents had asked for the site to be sold for housing instead, arguing that young families "
    "cannot find homes in the village and that a library would mostly serve older people.",
    "The council said the first rooms should open next autumn and that the museum would show photographs "
    "and tickets that former passengers have collected and donated over the years.",
};

constexpr const char* kNav =
    "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li>"
    "<li><a href=\"/sport\">Sport</a></li><li><a href=\"/culture\">Culture</a></li></ul></nav>";

constexpr const char* kTitle = "Old railway station to become a library";

std::string Head() {
  return std::string("<html><head><title>") + kTitle + "</title></head><body>" + kNav;
}

int Count(const std::string& text, const std::string& line) {
  int n = 0;
  for (const std::string& l : LinesOf(text)) n += l == line ? 1 : 0;
  return n;
}

int Paragraphs(const std::string& text) {
  int n = 0;
  for (const std::string& p : kParas) n += Count(text, p);
  return n;
}

// No article element; each paragraph in a page builder's wrapper whose
// class says "widget" (each wrapper under 30 % of the page, so the old rule
// for wrappers did not drop the hint).
TEST(CleanHtml8Test, ArticleSplitOverWidgetWrappersIsKept) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  std::string html = Head() + "<div class=\"builder-section\"><h1>" + kTitle + "</h1>";
  for (const std::string& p : kParas) html += "<div class=\"builder-widget-wrap\"><p>" + p + "</p></div>";
  html += "</div><div class=\"sidebar\"><ul><li><a href=\"/a\">Bakery wins regional prize</a></li>"
          "<li><a href=\"/b\">New bus timetable from June</a></li></ul></div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));  // before: dropped, every paragraph boilerplate_markup
  const std::string& text = a.clean->text;
  EXPECT_EQ(Paragraphs(text), 5) << text;
  EXPECT_EQ(Count(text, "Bakery wins regional prize"), 0) << text;
  EXPECT_EQ(Count(text, "Home"), 0) << text;
  EXPECT_EQ(LinesOf(text).size(), 5u) << text;
}

// An articleBody element whose sections carry an "ads" layout modifier
// (the sections may hold ad slots; the text is the article's).
TEST(CleanHtml8Test, ArticleSectionsWithAnAdsModifierInsideTheArticleAreKept) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  std::string html = Head() + "<article itemprop=\"articleBody\"><h1>" + kTitle + "</h1>";
  // One section per paragraph: none holds 30 % of the page, so the rule for
  // wrappers of the whole article does not apply.
  for (size_t i = 0; i < kParas.size(); ++i) {
    html += "<section class=\"Report__Section Report__Section--Ads\">" +
            std::string(i == 2 ? "<h2>The objections</h2>" : "") + "<p>" + kParas[i] + "</p></section>";
  }
  html += "</article>";
  html += "<footer><a href=\"/imprint\">Imprint</a> <a href=\"/privacy\">Privacy</a></footer></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));  // before: only the title left, the page dropped
  const std::string& text = a.clean->text;
  EXPECT_EQ(Paragraphs(text), 5) << text;
  EXPECT_EQ(Count(text, "The objections"), 1) << text;
  EXPECT_EQ(Count(text, "Imprint Privacy"), 0) << text;
}

// Guard: on a page with an article element, prose in a widget beside it (a
// sidebar's "about this blog" box) keeps its hint even when the article is
// made of short lines.
TEST(CleanHtml8Test, ProseInAWidgetBesideAShortArticleStaysOut) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  std::string html = Head() + "<article><h1>" + kTitle + "</h1><p>" + kParas[0] +
                     "</p><ul><li>Reading room in the ticket hall.</li><li>Workshop for the history society."
                     "</li><li>Garden on the platform.</li></ul></article>";
  html += "<div id=\"secondary\">";
  for (size_t i = 1; i < 9; ++i) {
    html += "<div class=\"blog-widget\"><p>" + kParas[1 + i % 4] + " Box " + std::to_string(i) + ".</p></div>";
  }
  html += "</div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, kParas[0]), 1) << text;
  EXPECT_EQ(Count(text, "Garden on the platform."), 1) << text;
  EXPECT_EQ(LinesOf(text).size(), 4u) << text;  // the paragraph and three list items, no box
}

// Guard: a comment thread (a list, one comment per item) under a short post
// stays out, however long the comments are.
TEST(CleanHtml8Test, CommentThreadUnderAShortPostStaysOut) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  std::string html = Head() + "<div class=\"post\"><h1>" + kTitle + "</h1><p>" + kParas[0] + "</p></div>";
  html += "<ol class=\"comment-list\">";
  for (size_t i = 1; i < 9; ++i) {
    html += "<li class=\"comment\"><div class=\"comment-body\"><p>" + kParas[1 + i % 4] + " Reader " +
            std::to_string(i) + ".</p></div></li>";
  }
  html += "</ol></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, kParas[0]), 1) << text;
  EXPECT_EQ(LinesOf(text).size(), 1u) << text;  // no comment
}

// Guard: under an article with paragraphs of its own, a long thread of
// comments, each in an element of its own (no list), stays out even though
// it holds four times the article's text.
TEST(CleanHtml8Test, LongCommentThreadUnderAFullArticleStaysOut) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  std::string html = Head() + "<div class=\"story\"><h1>" + kTitle + "</h1>";
  for (size_t i = 0; i < 4; ++i) html += "<p>" + kParas[i] + "</p>";
  html += "</div><div class=\"thread\">";
  for (int c = 0; c < 20; ++c) {
    html += "<div class=\"comment-entry\"><p>" + kParas[static_cast<size_t>(c) % kParas.size()] +
            " Reader number " + std::to_string(c + 1) + " agrees.</p></div>";
  }
  html += "</div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Paragraphs(text), 4) << text;
  EXPECT_EQ(LinesOf(text).size(), 4u) << text;
}

}  // namespace
}  // namespace newsflow
