// Round 11 (issue 14, HTML): inside the main container, lines without links
// that fail only the prose tests (code, data rows, references) are kept;
// "Quelle: X" is a credit line like "Foto: X".
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

// The first four paragraphs of the pier article.
const std::vector<std::string>& Paragraphs() {
  static const std::vector<std::string> p(PierParagraphs().begin(), PierParagraphs().begin() + 4);
  return p;
}

// The article's paragraphs with `extra` (raw HTML) after the second one, and
// `aside` (raw HTML) in a plain <div> after the article element.
std::string Page(const std::string& extra, const std::string& aside = "") {
  std::string html =
      "<html><head><title>Ferry pier to be rebuilt</title></head><body>"
      "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>"
      "<div class=\"wrap\"><article><h1>Ferry pier to be rebuilt</h1>";
  for (size_t i = 0; i < Paragraphs().size(); ++i) {
    html += "<p>" + Paragraphs()[i] + "</p>";
    if (i == 1) html += extra;
  }
  html += "</article><div>" + aside + "</div></div>";
  html += "<footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
  return html;
}

// 70-200 code points, few stop words, no full stop: the prose tests reject
// them (class bad without a reason).
constexpr const char* kCode =
    "pier_load = sum(pile.capacity for pile in piles if pile.state == SOUND) / len(piles) # ratio per span";
constexpr const char* kData =
    "Length: 142 m Width: 9.5 m Piles: 318 oak Depth: 6.2 m Built: 1911 Last repair: 1987 Load: 40 t";

// Code and a data row inside the article: the old code dropped both (only
// short and near-good blocks of the main container were taken).
TEST(CleanHtml11Test, CodeAndDataLinesInsideTheArticleAreKept) {
  const std::string extra = std::string("<pre><code>") + kCode + "</code></pre><p>" + kData + "</p>";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page(extra)));
  EXPECT_TRUE(HasLine(lines, kCode));
  EXPECT_TRUE(HasLine(lines, kData));
  for (const std::string& p : Paragraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
  EXPECT_EQ(lines.size(), Paragraphs().size() + 2);
}

// Guards: such a line with links in it (a tag row) stays out, and so does
// one outside the main container.
TEST(CleanHtml11Test, LinkedLowProseLineInsideTheArticleStaysOut) {
  const std::string row =
      "<p>Pier 2024 <a href=\"/t/harbour\">harbour board</a> ferry rebuild piles oak quay basin fish market "
      "March budget council fishermen lamps stage landing</p>";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page(row)));
  for (const std::string& l : lines) EXPECT_EQ(l.find("Pier 2024"), std::string::npos) << l;
  EXPECT_EQ(lines.size(), Paragraphs().size());
}

TEST(CleanHtml11Test, DataLineOutsideTheMainContainerStaysOut) {
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("", std::string("<p>") + kData + "</p>")));
  EXPECT_FALSE(HasLine(lines, kData));
  EXPECT_EQ(lines.size(), Paragraphs().size());
}

// "Quelle: X" under a paragraph is a credit: the old code kept it (a short
// line of the main container).
TEST(CleanHtml11Test, SourceCreditLineGoes) {
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("<p>Quelle: Landesregierung</p>")));
  EXPECT_FALSE(HasLine(lines, "Quelle: Landesregierung"));
  for (const std::string& p : Paragraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
  EXPECT_EQ(lines.size(), Paragraphs().size());
}

// Guard: the word starting a sentence is no label (no colon within its
// first 40 bytes).
TEST(CleanHtml11Test, SentenceStartingWithQuelleStays) {
  const std::string line = "Quelle der Sorge ist der Zustand der alten Pfähle.";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page("<p>" + line + "</p>")));
  EXPECT_TRUE(HasLine(lines, line));
}

}  // namespace
}  // namespace newsflow
