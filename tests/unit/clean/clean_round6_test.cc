// Round 6 (issue 14, HTML): an inline "read more" teaser between paragraphs
// does not decide the class of the short line after it.
#include <gtest/gtest.h>

#include <string>

#include "clean_test_support.h"

namespace newsflow {
namespace {

using testing::CleanHarness;
using testing::Forwarded;
using testing::HtmlArticle;
using testing::LinesOf;

// Four paragraphs of an invented report, long enough to pass on their own.
constexpr const char* kP1 =
    "The harbour board voted on Tuesday to rebuild the old northern pier, which has been closed to the public "
    "since the winter storms damaged its wooden deck, and the work is expected to take most of next year.";
constexpr const char* kP2 =
    "Fishermen who moor their boats along the pier said they were relieved, although several of them told the "
    "meeting that the board should have acted years ago, when the first cracks in the supports were found.";
constexpr const char* kP3 =
    "Not everyone welcomed the decision. A group of residents who live near the harbour argued that the money "
    "would be better spent on the sea wall, which they say protects far more homes than the pier ever could.";
constexpr const char* kP4 =
    "The board said it would publish the full cost of the project in the spring, once the engineers have "
    "finished their survey, and that residents would be invited to a second meeting before any work begins.";

// The body is split over two wrappers, so the short subheading between them
// lies outside the container that wins; above it, an inline teaser line.
std::string Page(const std::string& teaser, const std::string& after_teaser, bool body_after) {
  std::string html =
      "<html><head><title>Harbour board votes to rebuild the northern pier</title></head><body>"
      "<h1>Harbour board votes to rebuild the northern pier</h1><div class=\"part-one\"><p>";
  html += kP1;
  html += "</p><p>";
  html += kP2;
  html += "</p><p>" + teaser + "</p></div><p>" + after_teaser + "</p>";
  if (body_after) {
    html += "<div class=\"part-two\"><p>";
    html += kP3;
    html += "</p><p>";
    html += kP4;
    html += "</p></div>";
  }
  html += "</body></html>";
  return html;
}

int Count(const std::string& text, const std::string& line) {
  int n = 0;
  for (const std::string& l : LinesOf(text)) n += l == line ? 1 : 0;
  return n;
}

TEST(CleanRound6Test, HtmlSubheadingAfterAnInlineTeaserTakesTheClassOfTheTextBeyond) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  Article a = HtmlArticle(Page("Read more: <a href=\"/sea-wall\">Sea wall repairs delayed again by the council</a>",
                               "Residents object", true));
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  // The subheading is kept, the teaser is not, and all four paragraphs are.
  EXPECT_EQ(Count(text, "Residents object"), 1) << text;
  EXPECT_EQ(Count(text, "Read more: Sea wall repairs delayed again by the council"), 0) << text;
  EXPECT_EQ(Count(text, kP1) + Count(text, kP2) + Count(text, kP3) + Count(text, kP4), 4) << text;
  EXPECT_EQ(LinesOf(text).size(), 5u) << text;
  EXPECT_EQ(a.clean->removed["read_also"], 1);
}

TEST(CleanRound6Test, HtmlShortLineAfterAnInlineTeaserAtTheEndStaysOut) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  // No body text after the teaser: the short line below it is not article text.
  Article a = HtmlArticle(Page("Read more: <a href=\"/sea-wall\">Sea wall repairs delayed again by the council</a>",
                               "Share this story", false));
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, "Share this story"), 0) << text;
  EXPECT_EQ(Count(text, kP1) + Count(text, kP2), 2) << text;
  EXPECT_EQ(LinesOf(text).size(), 2u) << text;
}

TEST(CleanRound6Test, HtmlShortLineAfterALinkListBetweenParagraphsIsNotKept) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  // A link-dense block without a teaser marker (a box of links) still takes
  // the short line after it: only inline teasers interrupt.
  Article a = HtmlArticle(Page("<a href=\"/x\">Sea wall repairs delayed again by the council</a>",
                               "Residents object", true));
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const std::string& text = a.clean->text;
  EXPECT_EQ(Count(text, "Residents object"), 0) << text;
  EXPECT_EQ(Count(text, kP1) + Count(text, kP2) + Count(text, kP3) + Count(text, kP4), 4) << text;
}

}  // namespace
}  // namespace newsflow
