// Round 9 (issue 14, HTML): an article element made of short lines (an
// event's agenda, a podcast's notes) is the article even when a one-block
// blurb beside it (a site description) has more prose of its own; a short
// label ending with a colon, or a short heading, goes with the furniture it
// labels.
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

constexpr const char* kNav =
    "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/events\">Events</a></li>"
    "<li><a href=\"/about\">About</a></li></ul></nav>";
constexpr const char* kFooter =
    "<footer><p><a href=\"/imprint\">Imprint</a> <a href=\"/privacy\">Privacy</a></p></footer></body></html>";

// A site description beside the article: one paragraph that passes the
// article tests on its own.
constexpr const char* kBlurb =
    "The reading circle brings together people from the town who like to talk about books, share what they "
    "have read over the winter and plan outings to libraries and literary festivals in the region.";

std::string BlurbPage(const std::string& title, const std::string& article) {
  return "<html><head><title>" + title + "</title></head><body>" + kNav + "<div class=\"site-intro\"><p>" +
         kBlurb + "</p></div><article><h1>" + title + "</h1>" + article + "</article>" + kFooter;
}

int Count(const std::string& text, const std::string& line) {
  int n = 0;
  for (const std::string& l : LinesOf(text)) n += l == line ? 1 : 0;
  return n;
}

// The article element holds only short lines (host, moderator, an agenda),
// none passing on its own; the blurb beside it won the main container and
// the agenda was dropped as short lines outside it.
TEST(CleanHtml9Test, ArticleOfShortLinesBesideAOneBlockBlurbIsKept) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  const std::vector<std::string> lines = {"Host: the public library, Market Street 4", "Moderator: Anna Berg",
                                          "Welcome and short introductions (15 mins)",
                                          "Three readers present a favourite novel",
                                          "Choosing the summer book (30 mins)",
                                          "Planning the trip to the poetry festival"};
  const std::string article = "<p>" + lines[0] + "</p><p>" + lines[1] + "</p><h2>Agenda</h2><ul><li>" + lines[2] +
                              "</li><li>" + lines[3] + "</li><li>" + lines[4] + "</li><li>" + lines[5] +
                              "</li></ul>";
  Article a = HtmlArticle(BlurbPage("Spring meeting of the reading circle", article));
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  int found = 0;
  for (const std::string& l : lines) found += Count(text, l);
  EXPECT_EQ(found, 6) << text;  // before: 0, only the blurb was kept
  EXPECT_EQ(Count(text, "Agenda"), 1) << text;
  EXPECT_EQ(Count(text, "Home"), 0) << text;
  EXPECT_EQ(Count(text, "Imprint Privacy"), 0) << text;
}

// Guard: an article element whose few short lines hold less text than the
// blurb (a gallery link, a category, "Print") does not take its place.
TEST(CleanHtml9Test, ArticleElementWithLessTextThanTheBlurbDoesNotWin) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  Article a = HtmlArticle(BlurbPage("Spring meeting of the reading circle",
                                    "<p>Photo gallery</p><p>Posted in Events</p><p>Print this page</p>"));
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, kBlurb), 1) << text;
  EXPECT_EQ(Count(text, "Photo gallery"), 0) << text;
  EXPECT_EQ(Count(text, "Print this page"), 0) << text;
  EXPECT_EQ(LinesOf(text).size(), 1u) << text;
}

const std::vector<std::string> kParas = {
    "The village council agreed on Monday to turn the disused railway station into a library and a small "
    "museum, ending a debate that has divided the community for almost four years.",
    "Volunteers who have looked after the building since the last train left in 1998 said they were glad "
    "that it would finally be used again, although the repairs will take at least two summers.",
    "The plans include a reading room in the old ticket hall, a workshop for the local history society and "
    "a garden on the platform, where the council hopes to hold concerts in the evenings.",
};

constexpr const char* kAuthorBox =
    "<div class=\"author-box\"><p>Jane Miller writes about local politics, schools and transport for the "
    "weekly paper and has lived in the village for twenty years.</p></div>";

std::string ArticlePage(const std::string& tail) {
  std::string html = std::string("<html><head><title>Old railway station to become a library</title></head><body>") +
                     kNav + "<article><h1>Old railway station to become a library</h1>";
  for (const std::string& p : kParas) html += "<p>" + p + "</p>";
  return html + tail + "</article>" + kFooter;
}

// A label of one to three words with its colon, right above an author box
// that is dropped: it labelled the box and goes with it.
TEST(CleanHtml9Test, ColonLabelAboveADroppedBoxGoesWithIt) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  Article a = HtmlArticle(ArticlePage(std::string("<p>Written by:</p>") + kAuthorBox));
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, "Written by:"), 0) << text;  // before: kept as the article's last line
  for (const std::string& p : kParas) EXPECT_EQ(Count(text, p), 1) << text;
  EXPECT_EQ(LinesOf(text).size(), 3u) << text;
}

// Guards: a colon line followed by kept text announces it and stays; a
// longer one (four or more words: "Here is the full list:") is the article's
// sentence even when what it announces was dropped.
TEST(CleanHtml9Test, ColonLineBeforeKeptTextOrOfFourWordsStays) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  const std::string closing =
      "Work on the roof is to begin in March, once the council has chosen a builder from the five firms that "
      "have sent offers.";
  Article a = HtmlArticle(ArticlePage("<h2>Next steps:</h2><p>" + closing + "</p><p>Here is the full list:</p>" +
                                      kAuthorBox));
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, "Next steps:"), 1) << text;
  EXPECT_EQ(Count(text, closing), 1) << text;
  EXPECT_EQ(Count(text, "Here is the full list:"), 1) << text;
  EXPECT_EQ(LinesOf(text).size(), 6u) << text;
}

// A short heading inside the article over a box that was dropped (a box
// heading, a blurb, a list of links) heads the box and goes with it, and so
// does the box's own heading under it; a heading over a subheading over
// text keeps its section.
TEST(CleanHtml9Test, ShortHeadingOfADroppedBoxGoesWithIt) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  const std::string box =
      "<h4>Podcast</h4><div class=\"related-podcast\"><p>Every week our reporters talk about what moved the "
      "village, from council meetings to football results and the weather.</p></div>"
      "<ul><li><a href=\"/a\">Bakery wins regional prize for its rye bread</a></li>"
      "<li><a href=\"/b\">New bus timetable from June</a></li>"
      "<li><a href=\"/c\">School choir sings in the cathedral</a></li></ul>";
  std::string html = std::string("<html><head><title>Old railway station to become a library</title></head><body>") +
                     kNav + "<article><h1>Old railway station to become a library</h1><p>" + kParas[0] +
                     "</p><h2>The plans</h2><h3>A reading room</h3><p>" + kParas[1] + "</p><p>" + kParas[2] +
                     "</p><h3>Latest articles</h3>" + box + "</article>" + kFooter;
  Article a = HtmlArticle(html);
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, "Latest articles"), 0) << text;  // before: kept as the last line
  EXPECT_EQ(Count(text, "Podcast"), 0) << text;
  EXPECT_EQ(Count(text, "The plans"), 1) << text;
  EXPECT_EQ(Count(text, "A reading room"), 1) << text;
  for (const std::string& p : kParas) EXPECT_EQ(Count(text, p), 1) << text;
  EXPECT_EQ(LinesOf(text).size(), 5u) << text;
}

// Guard: a heading of five or more words over a dropped box is taken for
// the article's own (a section whose content the cleaner lost) and stays.
TEST(CleanHtml9Test, LongHeadingOverADroppedBoxStays) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  Article a = HtmlArticle(ArticlePage(std::string("<h3>What the council will decide next</h3>") + kAuthorBox));
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, "What the council will decide next"), 1) << text;
  EXPECT_EQ(LinesOf(text).size(), 4u) << text;
}

}  // namespace
}  // namespace newsflow
