// Round 13 (HTML): a <figcaption> of up to 200 code points is a picture's
// caption, not the article's text: the tag is a boilerplate hint like <nav>
// or <aside> (the full-article truth of cleaning-dev leaves such captions
// out). A longer one (a lede or a teaser's text set in a figcaption) takes
// the hint of the element around it again; a page whose prose is all in
// captions (a gallery) keeps them through round 8's rule for hints that hold
// the page's prose. A reading time by the byline ("4 min read", "Lesezeit: 3
// Minuten") is furniture on HTML pages; a few calls to follow the site's app
// or channel join the phrase lists (en, and a first Spanish list). Teaser
// cards after the article (a linked headline, then a short excerpt; two or
// more) go.
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

// The article with a figure after its second paragraph; `figure` is the
// figure's raw HTML.
std::string Page(const std::string& figure) {
  std::string html =
      "<html><head><title>Ferry pier to be rebuilt</title></head><body>"
      "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>"
      "<article><h1>Ferry pier to be rebuilt</h1>";
  for (size_t i = 0; i < PierParagraphs().size(); ++i) {
    html += "<p>" + PierParagraphs()[i] + "</p>";
    if (i == 1) html += figure;
  }
  return html + "</article><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
}

constexpr const char* kCaption =
    "The old ferry pier seen from the northern quay on a grey morning, with the fishing boats moored in "
    "front of it.";

// A caption written as a sentence, without a credit label, in a
// <figcaption>: the old code kept it between the paragraphs (it passes the
// prose tests on its own). It goes now.
TEST(CleanHtml13Test, CaptionInAFigcaptionGoes) {
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(
      Page(std::string("<figure><img src=\"/pier.jpg\" alt=\"\"><figcaption>") + kCaption + "</figcaption></figure>")));
  EXPECT_FALSE(HasLine(lines, kCaption));
  for (const std::string& p : PierParagraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
  EXPECT_EQ(lines.size(), PierParagraphs().size());
}

// Guard: a figcaption of more than 200 code points holds a paragraph of the
// article (a site that sets its lede there); it stays. Fails when the length
// limit is taken out of the rule.
TEST(CleanHtml13Test, LongFigcaptionKeepsItsText) {
  const std::string lede =
      "The pier was built in 1911 by the families of the island's fishermen, who carried the oak for its "
      "piles across the bay in their own boats, and for more than a hundred years it has been the first "
      "thing that visitors to the town see from the ferry.";
  ASSERT_GT(lede.size(), 200u);
  const std::vector<std::string> lines = LinesOf(
      CleanHtmlText(Page("<figure><img src=\"/pier.jpg\" alt=\"\"><figcaption>" + lede + "</figcaption></figure>")));
  EXPECT_TRUE(HasLine(lines, lede));
  for (const std::string& p : PierParagraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
}

// A <br> inside a figcaption (a credit on its own line, a long caption set
// in lines): the <br> is no caption of its own. The old code let the <br>
// inherit the caption's flag and looked up element -1 when it ended (UBSan:
// fuzz/corpus/clean/regress-br-in-figcaption, replayed by fuzz_clean). The
// short caption still goes; the long one still stays, its lines joined.
TEST(CleanHtml13Test, LineBreaksInsideAFigcaption) {
  const std::vector<std::string> short_lines = LinesOf(CleanHtmlText(
      Page(std::string("<figure><img src=\"/pier.jpg\" alt=\"\"><figcaption>") + kCaption +
           "<br>Photo: Harbour Board</figcaption></figure>")));
  EXPECT_FALSE(HasLine(short_lines, kCaption));
  EXPECT_EQ(short_lines.size(), PierParagraphs().size());
  const std::string first =
      "The pier was built in 1911 by the families of the island's fishermen, who carried the oak for its "
      "piles across the bay in their own boats,";
  const std::string second =
      "and for more than a hundred years it has been the first thing that visitors to the town see from "
      "the ferry.";
  const std::vector<std::string> long_lines = LinesOf(CleanHtmlText(Page(
      "<figure><img src=\"/pier.jpg\" alt=\"\"><figcaption>" + first + "<br>" + second + "</figcaption></figure>")));
  EXPECT_TRUE(HasLine(long_lines, first + " " + second));
  for (const std::string& p : PierParagraphs()) EXPECT_TRUE(HasLine(long_lines, p)) << p;
}

// Guard: a figcaption that carries a class hint of its own keeps it (an
// article class: the caption box is the article's text on that site).
TEST(CleanHtml13Test, FigcaptionWithAnArticleClassKeepsItsHint) {
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page(
      std::string("<figure><img src=\"/pier.jpg\" alt=\"\"><figcaption class=\"article-text\">") + kCaption +
      "</figcaption></figure>")));
  EXPECT_TRUE(HasLine(lines, kCaption));
}

// Guard: a gallery whose text is all in captions (each under 200 code
// points) is kept: the captions hold the page's prose, so round 8's rule
// clears their hint. Fails if the figcaption hint is not cleared like a
// class hint.
TEST(CleanHtml13Test, GalleryWhoseTextIsAllCaptionsIsKept) {
  static const std::vector<std::string> captions = {
      "The first ferry of the morning leaves the old pier at six o'clock, when the fish market on the quay "
      "is already full of buyers who have come down from the town.",
      "Engineers from the harbour board looked at every one of the wooden piles under the pier during the "
      "low tides of last winter, climbing down on ladders from the deck.",
      "Several of the piles at the northern end of the pier had rotted through and were held up only by "
      "the iron bands that had been put around them after the storm.",
      "The temporary landing stage next to the fish market will be used by the ferries for eleven weeks "
      "while the work on the piles and on the deck goes on.",
      "Fishermen asked the board to light the landing stage at night, because their boats often come back "
      "to the northern quay long after it has become dark.",
      "The new deck of the pier will be made of oak again, as it was when the pier was first built by the "
      "families of the island more than a hundred years ago."};
  std::string html =
      "<html><head><title>The old pier in pictures</title></head><body>"
      "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>"
      "<div class=\"gallery\"><h1>The old pier in pictures</h1>";
  for (size_t i = 0; i < captions.size(); ++i) {
    html += "<figure><img src=\"/p" + std::to_string(i) + ".jpg\" alt=\"\"><figcaption>" + captions[i] +
            "</figcaption></figure>";
  }
  html += "</div><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(html));
  for (const std::string& c : captions) EXPECT_TRUE(HasLine(lines, c)) << c;
}

// The article with `under_title` (raw HTML) right under its headline and
// `after` (raw HTML) after its paragraphs.
std::string FramedPage(const std::string& under_title, const std::string& after) {
  std::string html =
      "<html><head><title>Ferry pier to be rebuilt</title></head><body>"
      "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>"
      "<article><h1>Ferry pier to be rebuilt</h1>" + under_title;
  for (const std::string& p : PierParagraphs()) html += "<p>" + p + "</p>";
  return html + after + "</article><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
}

// Reading times in several forms go; the old code kept them (short lines
// inside the article element, next to its text).
TEST(CleanHtml13Test, ReadingTimeLineGoes) {
  for (const char* rt : {"4 min read", "Lesezeit: 3 Minuten", "5 Minuten Lesezeit", "Tiempo de lectura: 6 min",
                         "Ten tekst przeczytasz w mniej niż minutę"}) {
    const std::vector<std::string> lines =
        LinesOf(CleanHtmlText(FramedPage(std::string("<p class=\"byline\">") + rt + "</p>", "")));
    EXPECT_FALSE(HasLine(lines, rt)) << rt;
    for (const std::string& p : PierParagraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
  }
}

// Guard: a time without a reading word is not a reading time ("Backzeit: 25
// Minuten" is a recipe's data; "20 min" may be too): such lines are judged as
// before: between the article's paragraphs they stay, as with the old code.
TEST(CleanHtml13Test, TimeWithoutAReadingWordStays) {
  for (const char* line : {"Backzeit: 25 Minuten", "Ruhezeit 20 min"}) {
    const std::vector<std::string> lines = LinesOf(CleanHtmlText(Page(std::string("<p>") + line + "</p>")));
    EXPECT_TRUE(HasLine(lines, line)) << line;
  }
}

// Calls to follow the site's app or channel go (en; es is a new list); the
// old code kept both as the article's last line.
TEST(CleanHtml13Test, CallToDownloadTheAppOrFollowTheChannelGoes) {
  for (const char* call : {"For the latest news from the harbour download the Gazette apps for iOS and Android.",
                           "¡Mira lo que tiene nuestro canal de YouTube!"}) {
    const std::vector<std::string> lines = LinesOf(CleanHtmlText(FramedPage("", std::string("<p>") + call + "</p>")));
    EXPECT_FALSE(HasLine(lines, call)) << call;
    for (const std::string& p : PierParagraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
  }
}

// The article, then `cards` teaser cards of other posts after it: a linked
// headline, a date line (class "meta": removed furniture) and an excerpt
// (the first card's excerpt with `excerpt_tail` after it).
std::string TeaserPage(size_t cards, const std::string& excerpt_tail = "") {
  static const std::vector<std::pair<std::string, std::string>> teasers = {
      {"New timetable for the island ferries",
       "From June the first ferry will leave the old pier half an hour earlier, the operator said on Monday."},
      {"Fish market to open on Sundays",
       "Traders at the northern quay will sell fish on Sunday mornings during the summer months this year."},
      {"Lighthouse keeper's house becomes a museum",
       "The house by the old lighthouse will open to visitors in May with an exhibition about the keepers."}};
  std::string html =
      "<html><head><title>Ferry pier to be rebuilt</title></head><body>"
      "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>"
      "<article><h1>Ferry pier to be rebuilt</h1>";
  for (const std::string& p : PierParagraphs()) html += "<p>" + p + "</p>";
  html += "</article><div class=\"more\">";
  for (size_t i = 0; i < cards && i < teasers.size(); ++i) {
    html += "<div class=\"card\"><p><a href=\"/t" + std::to_string(i) + "\">" + teasers[i].first +
            "</a></p><p class=\"meta\">3 March 2024</p><p>" + teasers[i].second + (i == 0 ? excerpt_tail : "") +
            "</p></div>";
  }
  return html + "</div><footer><p><a href=\"/imprint\">Imprint</a></p></footer></body></html>";
}

// Three teaser cards after the article: the old code kept their excerpts
// (each passes the prose tests on its own). They go; the article stays.
TEST(CleanHtml13Test, TeaserCardsAfterTheArticleGo) {
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(TeaserPage(3)));
  for (const std::string& p : PierParagraphs()) EXPECT_TRUE(HasLine(lines, p)) << p;
  EXPECT_EQ(lines.size(), PierParagraphs().size());
}

// Guards: one card alone is not a list of teasers (fails with a limit of
// one card), and an excerpt longer than 300 code points is text, not a
// teaser: it stays while the two short ones beside it go (fails without the
// length limit).
TEST(CleanHtml13Test, OneCardOrLongExcerptsAfterTheArticleStay) {
  const std::string one =
      "From June the first ferry will leave the old pier half an hour earlier, the operator said on Monday.";
  EXPECT_TRUE(HasLine(LinesOf(CleanHtmlText(TeaserPage(1))), one));
  const std::string more =
      " The operator explained that the earlier start would let workers from the islands reach the town "
      "before the shops open, and that the evening ferries would not change; a longer summer timetable "
      "will follow in July.";
  const std::vector<std::string> lines = LinesOf(CleanHtmlText(TeaserPage(3, more)));
  EXPECT_TRUE(HasLine(lines, one + more));
  EXPECT_EQ(lines.size(), PierParagraphs().size() + 1);
}

}  // namespace
}  // namespace newsflow
