// Round 8 (issue 14, HTML): boilerplate class hints that hold a page's whole
// article (a page builder's "widget" wrappers, "Section--Ads" layout
// modifiers) no longer throw the article away; hints on prose beside the
// article, on comment threads and on boxes next to a full article still do.
// A page whose DOM shows a teaser while JSON-LD's articleBody holds the
// article gets the articleBody's paragraphs.
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

// A JSON-LD script with `articleBody` (already JSON-escaped text).
std::string LdJson(const std::string& body) {
  return "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\","
         "\"headline\":\"" + std::string(kTitle) + "\",\"articleBody\":\"" + body + "\"}</script>";
}

std::string JoinedParas(const std::string& sep) {
  std::string out;
  for (const std::string& p : kParas) out += (out.empty() ? "" : sep) + p;
  return out;
}

constexpr const char* kTeaser = "The council has decided what to do with the old station. Subscribe to read on.";

TEST(CleanHtml8Test, ArticleOnlyInJsonLdArticleBodyIsTakenWhenThePageShowsATeaser) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  // JSON escapes: \n between paragraphs, \u00e9 and a surrogate pair (U+1F682).
  std::string body = JoinedParas("\\n\\n") + "\\nThe caf\\u00e9 on platform two \\ud83d\\ude82 will reopen too.";
  std::string html = Head() + LdJson(body) + "<div class=\"story\"><h1>" + kTitle + "</h1><p>" + kTeaser +
                     "</p></div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Paragraphs(text), 5) << text;  // before: 0, only the teaser
  EXPECT_EQ(Count(text, "The caf\xC3\xA9 on platform two \xF0\x9F\x9A\x82 will reopen too."), 1) << text;
  EXPECT_EQ(Count(text, kTeaser), 1) << text;
  EXPECT_EQ(Count(text, "Home"), 0) << text;
}

TEST(CleanHtml8Test, EscapedMarkupInAJsonLdArticleBodyIsRemoved) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  // Markup escaped as entities, an entity escaped twice, a script inside.
  std::string body;
  for (const std::string& p : kParas) body += "&lt;p class=&quot;text&quot;&gt;" + p + "&lt;/p&gt;";
  body += "&lt;script&gt;if (document.cookie) {}&lt;/script&gt;&lt;p&gt;A caf&amp;eacute; will open.&lt;/p&gt;";
  std::string html = Head() + LdJson(body) + "<div class=\"story\"><h1>" + kTitle + "</h1><p>" + kTeaser +
                     "</p></div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Paragraphs(text), 5) << text;
  EXPECT_EQ(Count(text, "A caf\xC3\xA9 will open."), 1) << text;
  EXPECT_EQ(text.find("document.cookie"), std::string::npos) << text;
  EXPECT_EQ(text.find("<p"), std::string::npos) << text;
}

// Guard: when the DOM holds the article, the articleBody adds nothing, even
// when the DOM sets it in short pieces (no block long enough to count as
// prose, so only the comparison of the text finds it).
TEST(CleanHtml8Test, JsonLdArticleBodyIsNotAddedWhenTheDomHoldsTheArticle) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  std::vector<std::string> pieces;
  for (const std::string& p : kParas) {
    const size_t cut = p.find(' ', p.size() / 2);  // two pieces of about 90 bytes
    ASSERT_NE(cut, std::string::npos);
    pieces.push_back(p.substr(0, cut));
    pieces.push_back(p.substr(cut + 1));
  }
  std::string body, dom;
  for (const std::string& p : pieces) {
    body += (body.empty() ? "" : "\\n") + p;
    dom += "<p>" + p + "</p>";
  }
  std::string html = Head() + LdJson(body) + "<div class=\"story\"><h1>" + kTitle + "</h1>" + dom +
                     "</div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  int found = 0;
  for (const std::string& p : pieces) {
    EXPECT_LE(Count(text, p), 1) << p << "\n" << text;  // never twice
    found += Count(text, p);
  }
  EXPECT_EQ(static_cast<size_t>(found), LinesOf(text).size()) << text;
}

// Guard: a DOM with prose of its own (half the articleBody's size or more)
// keeps its text alone, even when the articleBody says something else (a
// stale or unrelated articleBody).
TEST(CleanHtml8Test, JsonLdArticleBodyIsNotAddedWhenTheDomHasProseOfItsOwn) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  std::string other;
  for (int i = 0; i < 4; ++i) {
    other += "Paragraph " + std::to_string(i) +
             " of another story: the regional bus company will add two evening lines from June, the mayor "
             "said, and the timetable will be printed in the village newsletter next month.\\n";
  }
  std::string html = Head() + LdJson(other) + "<div class=\"story\"><h1>" + kTitle + "</h1>";
  for (size_t i = 0; i < 3; ++i) html += "<p>" + kParas[i] + "</p>";
  html += "</div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Paragraphs(text), 3) << text;
  EXPECT_EQ(text.find("another story"), std::string::npos) << text;
}

// JSON-LD is read by simdjson: a headline written with \u escapes is the
// decoded text (the hand-written reader before kept "Caf" + "u00e9": the
// title then fell back to og:title). Here the page has no og:title and the
// <title> carries the site name, so the JSON-LD headline decides.
TEST(CleanHtml8Test, JsonLdHeadlineWithUnicodeEscapesIsDecoded) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  std::string dom;
  for (const std::string& p : kParas) dom += "<p>" + p + "</p>";
  std::string html =
      std::string("<html><head><title>Station news | The Valley Gazette</title>") +
      "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":"
      "\"Caf\\u00e9 and library for the old station \\u2013 council decides\","
      "\"datePublished\":\"2024-05-06T09:30:00+02:00\"}</script></head><body>" + kNav +
      "<div class=\"story\">" + dom + "</div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "Caf\xC3\xA9 and library for the old station \xE2\x80\x93 council decides");
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(a.clean->published_at->substr(0, 10), "2024-05-06");
}

// The fields are found at any depth (a `@graph` of several objects, the
// article not the first), and JSON-LD with raw line breaks inside a string
// (invalid JSON, common on real pages) is still read.
TEST(CleanHtml8Test, JsonLdInAGraphAndWithRawLineBreaksIsRead) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  const std::string body = JoinedParas("\n\n");  // raw line breaks, not \n escapes
  std::string html = Head() +
                     "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@graph\":["
                     "{\"@type\":\"WebSite\",\"name\":\"The Valley Gazette\"},"
                     "{\"@type\":\"NewsArticle\",\"mainEntityOfPage\":{\"@id\":\"https://example.org/a\"},"
                     "\"articleBody\":\"" + body + "\"}]}</script>" +
                     "<div class=\"story\"><h1>" + kTitle + "</h1><p>" + kTeaser + "</p></div></body></html>";
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(Paragraphs(a.clean->text), 5) << a.clean->text;
}

}  // namespace
}  // namespace newsflow
