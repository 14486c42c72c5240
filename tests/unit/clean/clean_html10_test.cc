// Round 10 (issue 14, HTML): a note of the publication about itself at the
// end of the article (a disclaimer, a promo, an author's bio that names the
// site given by og:site_name) goes; the article's own lines stay.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clean_test_support.h"

namespace newsflow {
namespace {

using testing::CleanHtmlText;
using testing::HasLine;
using testing::LinesOf;
using testing::PierParagraphs;

std::string Page(const std::string& site, const std::vector<std::string>& paragraphs) {
  std::string html = "<html><head><title>Ferry pier to be rebuilt</title>";
  if (!site.empty()) html += "<meta property=\"og:site_name\" content=\"" + site + "\">";
  html +=
      "</head><body><nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>"
      "<article><h1>Ferry pier to be rebuilt</h1>";
  for (const std::string& p : paragraphs) html += "<p>" + p + "</p>";
  html += "</article><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
  return html;
}

constexpr const char* kDisclaimer =
    "The Harbour Gazette is not responsible for the opinions and statements of readers who send us their "
    "letters, and we reserve the right to shorten them.";

// Six paragraphs, then the publication's disclaimer naming it: the old code
// kept the disclaimer (it passes the article tests on its own).
TEST(CleanHtml10Test, NoteOfThePublicationAboutItselfAtTheEndGoes) {
  std::vector<std::string> paragraphs = PierParagraphs();
  paragraphs.push_back(kDisclaimer);
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("Harbour Gazette", paragraphs)));
  EXPECT_FALSE(HasLine(lines, kDisclaimer));
  for (const std::string& p : PierParagraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
  EXPECT_EQ(lines.size(), PierParagraphs().size());
}

// Guards: the same line stays when the page gives no site name, when an
// earlier paragraph names the site (an article about the publication itself),
// when the article keeps fewer than six blocks, and when the name is only
// part of a longer word.
TEST(CleanHtml10Test, NoteStaysWithoutASiteName) {
  std::vector<std::string> paragraphs = PierParagraphs();
  paragraphs.push_back(kDisclaimer);
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("", paragraphs)));
  EXPECT_TRUE(HasLine(lines, kDisclaimer));
  EXPECT_EQ(lines.size(), paragraphs.size());
}

TEST(CleanHtml10Test, LastLineStaysWhenTheArticleNamesTheSiteEarlier) {
  std::vector<std::string> paragraphs = PierParagraphs();
  paragraphs[1] =
      "The Harbour Gazette first reported in January that the pier was unsafe, after a reader sent in "
      "photographs of the broken piles under the walkway.";
  paragraphs.push_back(kDisclaimer);
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("Harbour Gazette", paragraphs)));
  EXPECT_TRUE(HasLine(lines, kDisclaimer));
  EXPECT_EQ(lines.size(), paragraphs.size());
}

TEST(CleanHtml10Test, LastLineOfAShortArticleStays) {
  std::vector<std::string> paragraphs(PierParagraphs().begin(), PierParagraphs().begin() + 4);
  paragraphs.push_back(kDisclaimer);
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("Harbour Gazette", paragraphs)));
  EXPECT_TRUE(HasLine(lines, kDisclaimer));
  EXPECT_EQ(lines.size(), paragraphs.size());
}

TEST(CleanHtml10Test, SiteNameInsideALongerWordDoesNotCount) {
  std::vector<std::string> paragraphs = PierParagraphs();
  const std::string last =
      "Readers can find the timetable of the temporary ferry service in the Harbour Gazetteer, the free "
      "guide that the tourist office hands out at the station.";
  paragraphs.push_back(last);
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("Harbour Gazette", paragraphs)));
  EXPECT_TRUE(HasLine(lines, last));
  EXPECT_EQ(lines.size(), paragraphs.size());
}

// A site name shorter than four folded bytes ("Tom", "U.S." -> "u s") is a
// word more often than a name: the article's last line keeps it.
TEST(CleanHtml10Test, SiteNameOfUnderFourLettersIsNotMatched) {
  std::vector<std::string> paragraphs = PierParagraphs();
  const std::string last =
      "Until then the kiosk on the quay stays open as usual, said Tom Baker, who has sold tickets and "
      "newspapers there for more than twenty years.";
  paragraphs.push_back(last);
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("Tom", paragraphs)));
  EXPECT_TRUE(HasLine(lines, last));
  EXPECT_EQ(lines.size(), paragraphs.size());
}

}  // namespace
}  // namespace newsflow
