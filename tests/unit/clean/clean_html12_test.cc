// Round 12 (HTML): prose under boilerplate class hints does not vote for the
// article's container when the page has prose outside such hints (at least
// half the weight of the hinted prose, itself counted at 0.3); a page whose
// prose is nearly all hinted lets it vote as before. The heading of a site's
// note dropped at the end goes with it; a standfirst under the byline and
// above a caption is kept.
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

// A site menu of 80 links: it keeps each box below 30 % of the page's text
// (a hinted wrapper holding more loses its hint at extraction).
std::string Menu() {
  std::string html = "<nav><ul>";
  for (int i = 0; i < 80; ++i) {
    html += "<li><a href=\"/s" + std::to_string(i) + "\">Section number " + std::to_string(i) +
            " of the harbour news</a></li>";
  }
  return html + "</ul></nav>";
}

// The article's paragraphs: each holds a long link (link density 0.33-0.41),
// so each is only near-good on its own.
const std::vector<std::string>& LinkedParagraphs() {
  static const std::vector<std::string> p = {
      "The harbour board met on Tuesday evening in the town hall, and <a href=\"/pier\">the long "
      "report of the engineers on the rotten wooden piles under the old ferry pier</a> was read out in "
      "full before the members voted on the repairs.",
      "Fishermen at the meeting asked that the landing stage should be lit at night, because <a "
      "href=\"/boats\">the fishing boats that come back late in the evening to the northern quay</a> "
      "have no lamps there and the water is deep.",
      "The regional council will pay half of the cost of the work on the pier, and <a "
      "href=\"/council\">the money that the council set aside for the ferry pier in its budget</a> is "
      "enough for the first part of the work on the piles and the deck."};
  return p;
}

// The author's bio: five plain paragraphs that pass on their own.
const std::vector<std::string>& Bio() {
  static const std::vector<std::string> p = {
      "Marta Lindqvist has written about the harbour and its people for the paper since she left the "
      "maritime college, where she had studied ship engineering for four years before she found that "
      "she liked talking to sailors more than drawing hulls for them.",
      "She grew up on one of the islands in the bay and still takes the morning ferry to the office on "
      "most days of the week, which is why the readers often send her their complaints about the "
      "timetable and the price of the tickets in the summer.",
      "When she is not at the quay she is usually in the archive of the town library, reading the old "
      "shipping registers for a book about the families who built the first wooden piers of the town "
      "more than a hundred years ago.",
      "Her first story for the paper was about the night the old lighthouse keeper rowed out alone in "
      "a storm to bring back two boys whose dinghy had lost its oars near the rocks.",
      "Readers who want to tell her about a boat, a quay or a family of the harbour can find her at "
      "the paper on weekday mornings, or write to her at the address of the newsroom."};
  return p;
}

// Text of a paragraph without its markup (the link's tags).
std::string Plain(std::string s) {
  for (size_t open = s.find('<'); open != std::string::npos; open = s.find('<')) {
    s.erase(open, s.find('>', open) - open + 1);
  }
  return s;
}

// The article element with its linked paragraphs, and beside it an author
// box (class "author-box": a boilerplate hint) whose bio, counted at 0.3,
// outweighs them. The old code took the bio's box for the article's
// container, cleared its hint (a hint wrapping the container says nothing)
// and kept the bio, while the article's near-good paragraphs, with no good
// neighbour, went.
TEST(CleanHtml12Test, AuthorBoxUnderAHintDoesNotWinOverTheArticle) {
  std::string html = "<html><head><title>Pier repairs to start in spring</title></head><body>" + Menu() +
                     "<div class=\"wrap\"><article><h1>Pier repairs to start in spring</h1>";
  for (const std::string& p : LinkedParagraphs()) html += "<p>" + p + "</p>";
  html += "</article><div class=\"author-box\"><h3>About the author</h3>";
  for (const std::string& p : Bio()) html += "<p>" + p + "</p>";
  html += "</div></div><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(html));
  for (const std::string& p : LinkedParagraphs()) EXPECT_TRUE(HasLine(lines, Plain(p))) << Plain(p);
  for (const std::string& p : Bio()) EXPECT_FALSE(HasLine(lines, p)) << p;
  EXPECT_EQ(lines.size(), LinkedParagraphs().size());
}

// Guard: the article sits under a layout word ("post-widget") that no rule
// cleared, and outside it there is only one short plain sentence, under half
// the weight of the hinted prose. The hinted prose still votes: its box is
// the container, its hint goes and the article is kept. (With any unhinted
// prose enough to silence the hinted prose, the one sentence became the
// container and the article was dropped.)
TEST(CleanHtml12Test, ArticleUnderALayoutHintStillWinsOverOneShortPlainLine) {
  static const std::vector<std::string> paragraphs = {
      "The harbour board met on Tuesday and voted that the repairs of the old ferry pier should begin "
      "in spring.",
      "Engineers had found that several of the wooden piles under the pier had rotted through in the "
      "storms.",
      "The ferries will use a landing stage next to the fish market while the work goes on for eleven "
      "weeks.",
      "Fishermen asked that the landing stage be lit at night, since their boats often come back very "
      "late.",
      "The cost of the repairs will be shared with the regional council, which has set aside the "
      "money.",
      "The board will meet again in April to hear how far the work on the piles and the deck has come."};
  std::string html = "<html><head><title>Pier repairs to start in spring</title></head><body>" + Menu() +
                     "<div class=\"post-widget\"><h1>Pier repairs to start in spring</h1>";
  for (const std::string& p : paragraphs) html += "<p>" + p + "</p>";
  html += "</div><div class=\"note\"><p>This paper is printed on recycled paper in a mill that is in our "
          "own town.</p></div><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(html));
  for (const std::string& p : paragraphs) EXPECT_TRUE(HasLine(lines, p)) << p;
}


// The article (og:site_name "Harbour Gazette") with `tail` (raw HTML) after
// its paragraphs, inside the article element.
std::string SitePage(const std::string& tail) {
  std::string html =
      "<html><head><title>Ferry pier to be rebuilt</title>"
      "<meta property=\"og:site_name\" content=\"Harbour Gazette\"></head><body>"
      "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>"
      "<article><h1>Ferry pier to be rebuilt</h1>";
  for (const std::string& p : PierParagraphs()) html += "<p>" + p + "</p>";
  return html + tail + "</article><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
}

constexpr const char* kReadersNote =
    "Readers of the Harbour Gazette can send us their own stories about the harbour, and we print the best "
    "of them every Saturday.";

// The site's note at the end goes (round 10) and now its box's heading with
// it: the old code judged the headings before the note was dropped and kept
// "More from our readers" as the article's last line.
TEST(CleanHtml12Test, HeadingOfTheSiteNoteAtTheEndGoesWithIt) {
  const std::vector<std::string> lines =
      LinesOf(CleanHtmlText(SitePage(std::string("<h3>More from our readers</h3><p>") + kReadersNote + "</p>")));
  EXPECT_FALSE(HasLine(lines, "More from our readers"));
  EXPECT_FALSE(HasLine(lines, kReadersNote));
  for (const std::string& p : PierParagraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
  EXPECT_EQ(lines.size(), PierParagraphs().size());
}

// Guard: a heading whose section keeps a line after the note stays (the
// second pass judges sections as the first does).
TEST(CleanHtml12Test, HeadingOverTheNoteAndKeptTextStays) {
  const std::string after =
      "The engineers will present a second report in the autumn, when the work on the deck is due to begin.";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(SitePage(
      std::string("<h3>More from our readers</h3><p>") + kReadersNote + "</p><p>" + after + "</p>")));
  EXPECT_FALSE(HasLine(lines, kReadersNote));
  EXPECT_TRUE(HasLine(lines, "More from our readers"));
  EXPECT_TRUE(HasLine(lines, after));
}


// The article with a byline box under its headline (class "meta": removed as
// furniture) and `under_byline` (raw HTML) between it and the body.
std::string BylinePage(const std::string& under_byline) {
  std::string html =
      "<html><head><title>Ferry pier to be rebuilt</title></head><body>"
      "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>"
      "<div class=\"wrap\"><article><h1>Ferry pier to be rebuilt</h1>"
      "<div class=\"meta\"><span>By Ann Lee</span><span>4 March 2024</span></div>" +
      under_byline + "<div class=\"text\">";
  for (size_t i = 0; i < 4; ++i) html += "<p>" + PierParagraphs()[i] + "</p>";
  return html + "</div></article></div><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
}

// A subtitle under the byline, above a picture's caption and credit: the old
// code kept a standfirst only right under the headline (datelines between),
// and here the line had removed furniture above and below it.
TEST(CleanHtml12Test, StandfirstUnderTheBylineAndAboveACaptionIsKept) {
  const std::string subtitle = "Engineers found rotten piles under the ferry pier";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(BylinePage(
      "<h2>" + subtitle +
      "</h2><figure><img src=\"pier.jpg\"><figcaption>The pier at low tide</figcaption></figure>"
      "<p>Photo: Ann Lee</p>")));
  EXPECT_TRUE(HasLine(lines, subtitle));
  EXPECT_FALSE(HasLine(lines, "The pier at low tide"));
  EXPECT_FALSE(HasLine(lines, "Photo: Ann Lee"));
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(HasLine(lines, PierParagraphs()[i])) << i;
  EXPECT_EQ(lines.size(), 5u);
}

// Guards: a line announcing something (ending with a colon) and a byline
// line of " | "-separated parts in the standfirst's place stay out.
TEST(CleanHtml12Test, AnnouncementOrBarSeparatedLineUnderTheBylineStaysOut) {
  for (const std::string line :
       {"Hear the whole meeting of the harbour board here:", "Ann Lee | Harbour desk | four minutes to read"}) {
    const std::vector<std::string> lines = LinesOf(CleanHtmlText(BylinePage("<p>" + line + "</p>")));
    EXPECT_FALSE(HasLine(lines, line)) << line;
    EXPECT_EQ(lines.size(), 4u) << line;
  }
}

}  // namespace
}  // namespace newsflow
