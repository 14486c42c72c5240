// Round 10 of the clean stage (issue 14): rules from round 9's held-out
// templates (T29-T32, now tuning data), all on text pages and by shape:
//
// - an embedded post's signature ("— Name (@handle) July 26, 2015") is
//   furniture, with the bare link right above it and the post's text above
//   that;
// - a printed page number between dashes ("- ١٠ -") and a jump line ending
//   with a page reference ("تابع ص ١٤") are furniture once the article has
//   begun;
// - a line of two or more hashtags, a lone "@handle", and a line of numbers
//   with symbols and no word ("👁 63.8K 22:03") are furniture;
// - after the body, units that repeat one shape each (a headline, maybe a
//   lede, and the same removed short line closing or opening each) are
//   teasers, however much prose a lede holds;
// - a year with the era letter glued to it ("2015م") is a year.
//
// Every page here is written for these tests; no sentence comes from a corpus.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clean_test_support.h"
#include "furniture.h"

namespace newsflow {
namespace {

using testing::CleanHarness;
using testing::Forwarded;
using testing::HasLine;
using testing::LinesOf;
using testing::TextArticle;

using testing::OffHarness;

const char* kTitle = "افتتاح سوق شعبي جديد على ضفة النهر";
const char* kPara1 =
    "افتتحت البلدية صباح أمس سوقا شعبيا جديدا على ضفة النهر، يضم أكثر من مئتي محل للحرف اليدوية "
    "والمأكولات التقليدية، وساحة واسعة للعروض الفنية.";
const char* kPara2 =
    "وقال مدير السوق إن المحلات ستفتح أبوابها يوميا من العصر حتى منتصف الليل، وإن الإيجارات ستبقى "
    "رمزية في السنة الأولى لتشجيع الحرفيين الشباب.";
const char* kPara3 =
    "وأضاف أن البلدية تخطط لربط السوق بمواقف للسيارات وخط للحافلات قبل نهاية الصيف، وأن السوق "
    "سيستضيف مهرجانا للحرف في كل شهر.";
const char* kPara4 =
    "ويعد السوق الجديد الأكبر من نوعه في المحافظة، وقد شارك في تصميمه طلاب من كلية العمارة بعد "
    "مسابقة مفتوحة للتصاميم.";

int BodyKept(const std::vector<std::string>& lines) {
  return testing::CountLines(lines, {kPara1, kPara2, kPara3, kPara4});
}

TEST(CleanRound10Test, EmbedSignatureAndBareLinkShapes) {
  EXPECT_TRUE(clean::LooksLikeEmbedSignature("— سالم الراشد (@salem_r) July 26, 2015"));
  EXPECT_TRUE(clean::LooksLikeEmbedSignature("- City News (@citynews) 3 March 2016"));
  // Not a signature: no handle, no year after it, a sentence after the handle.
  EXPECT_FALSE(clean::LooksLikeEmbedSignature("— سالم الراشد July 26, 2015"));
  EXPECT_FALSE(clean::LooksLikeEmbedSignature("— سالم الراشد (@salem_r)"));
  EXPECT_FALSE(clean::LooksLikeEmbedSignature(
      "وكتب الوزير (@minister) في حسابه أن المشروع سيكتمل قبل نهاية عام 2016"));
  EXPECT_TRUE(clean::IsBareLink("pic.twitter.com/Ab12Cd34"));
  EXPECT_TRUE(clean::IsBareLink("https://t.co/xyz123"));
  EXPECT_FALSE(clean::IsBareLink("زوروا موقعنا example.com/news"));
  EXPECT_FALSE(clean::IsBareLink("2015/07/26"));
}

TEST(CleanRound10Test, PageMarkTagAndCounterShapes) {
  EXPECT_TRUE(clean::LooksLikePageMark("- 10 -", 3));
  EXPECT_TRUE(clean::LooksLikePageMark("- \xD9\xA1\xD9\xA2 -", 3));               // - ١٢ -
  EXPECT_TRUE(clean::LooksLikePageMark("\xE2\x80\x94 7 \xE2\x80\x94", 3));        // — 7 —
  EXPECT_TRUE(clean::LooksLikePageMark("تابع ص \xD9\xA1\xD9\xA4", 3));            // تابع ص ١٤
  EXPECT_TRUE(clean::LooksLikePageMark("البقية في الصفحة 9", 4));
  EXPECT_TRUE(clean::LooksLikePageMark("Continued on page 4", 4));
  EXPECT_FALSE(clean::LooksLikePageMark("- 10", 2));
  EXPECT_FALSE(clean::LooksLikePageMark("الصفحة 2 من 3", 4));  // a pager's job
  EXPECT_FALSE(clean::LooksLikePageMark("فاز الفريق بنتيجة 3", 4));

  EXPECT_TRUE(clean::IsTagOrHandleLine("#السوق #النهر #البلدية"));
  EXPECT_TRUE(clean::IsTagOrHandleLine("@city_channel"));
  EXPECT_FALSE(clean::IsTagOrHandleLine("#نافذة:"));  // one hashtag: a column's section heading
  EXPECT_FALSE(clean::IsTagOrHandleLine("#السوق الجديد يفتح أبوابه"));
  EXPECT_FALSE(clean::IsTagOrHandleLine("@city_channel تابعونا"));

  EXPECT_TRUE(clean::IsSymbolCounter("\xF0\x9F\x91\x81 63.8K 22:03"));  // 👁
  EXPECT_TRUE(clean::IsSymbolCounter("\xF0\x9F\x91\x8D 321 \xE2\x9D\xA4\xEF\xB8\x8F 173"));  // 👍 ❤️
  EXPECT_FALSE(clean::IsSymbolCounter("3601100204"));   // a number alone (news/ar prints codes so)
  EXPECT_FALSE(clean::IsSymbolCounter("\xE2\x97\x8F كم عدد المحلات؟ 200"));  // ● a question
  EXPECT_FALSE(clean::IsSymbolCounter("\xF0\x9F\x91\x81 views 120"));
}

// An embedded post between two paragraphs: its text, its picture link and
// its signature. Before: all three kept (the text is a sentence, the two
// short lines sit between paragraphs).
TEST(CleanRound10Test, AnEmbeddedPostInsideTheBodyIsRemoved) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string post = "السوق الجديد على ضفة النهر تحفة حقيقية، زرته مع أولادي وقضينا وقتا رائعا!";
  const std::string link = "pic.twitter.com/Qw3Er5Ty7u";
  const std::string sig = "— سالم الراشد (@salem_r) July 26, 2015";
  const std::string page = std::string("بوابة النهر\n") + kTitle + "\n" + kPara1 + "\n" + kPara2 + "\n" + post +
                           "\n" + link + "\n" + sig + "\n" + kPara3 + "\n" + kPara4 +
                           "\nجميع الحقوق محفوظة لبوابة النهر\n";
  Article a = TextArticle(page, "river-portal", "r10-embed");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, post)) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, link)) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, sig)) << a.clean->text;
  EXPECT_EQ(a.clean->removed["player"], 3) << a.clean->text;
}

// An e-paper's text: page numbers and a jump line between the paragraphs.
// Before: kept (short lines between paragraphs).
TEST(CleanRound10Test, PageNumbersAndJumpLinesBetweenParagraphsAreRemoved) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("جريدة النهر\nمحليات\n") + kTitle + "\n" + kPara1 + "\n" + kPara2 +
                           "\n- \xD9\xA7 -\nتابع ص \xD9\xA1\xD9\xA1\n" + kPara3 + "\n- \xD9\xA8 -\n" + kPara4 +
                           "\n- \xD9\xA9 -\n";
  Article a = TextArticle(page, "river-paper", "r10-page-marks");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "- \xD9\xA7 -")) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "- \xD9\xA8 -")) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "تابع ص \xD9\xA1\xD9\xA1")) << a.clean->text;
}

// A channel's post: hashtags, the channel's handle, a views line and a
// reactions line, then the channel's next posts with their views. Before:
// all kept. Once removed, the counters are not neutral after the body: the
// next posts' long headlines (near-prose) go with them.
TEST(CleanRound10Test, ChannelPostFurnitureIsRemoved) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string tags = "#السوق #النهر #البلدية";
  const std::string views = "\xF0\x9F\x91\x81 12.4K 18:40";
  const std::string likes = "\xF0\x9F\x91\x8D 210 \xE2\x9D\xA4\xEF\xB8\x8F 95";
  // (The next posts' headlines are long: each passes as near-prose.)
  const std::string next1 =
      "\xF0\x9F\x93\x8C انقطاع المياه عن ثلاثة أحياء شرقية صباح الغد بسبب أعمال صيانة في محطة الضخ الرئيسية";
  const std::string next2 =
      "\xF0\x9F\x94\xB4 فريق المدينة يتأهل إلى نصف نهائي الكأس بعد فوزه على ضيفه بهدفين نظيفين في مباراة مثيرة";
  const std::string page = std::string("قناة أخبار النهر\n") + kTitle + "\n" + kPara1 + "\n" + kPara2 + "\n" +
                           kPara3 + "\n" + kPara4 + "\n" + tags + "\n@river_news\n" + views + "\n" + likes + "\n" +
                           next1 + "\n\xF0\x9F\x91\x81 9.1K 17:02\n" + next2 + "\n\xF0\x9F\x91\x81 7.3K 16:15\n";
  Article a = TextArticle(page, "river-channel", "r10-channel");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  for (const std::string& l : {tags, std::string("@river_news"), views, likes, next1, next2}) {
    EXPECT_FALSE(HasLine(lines, l)) << l << "\n" << a.clean->text;
  }
}

// Related items after the body, each a headline, a one-sentence lede and
// the same "read more" line. Before: the first item (headline and lede) was
// kept with the share row and the heading above it (the lede passes the
// prose tests; the first "read more" cut only what follows it).
TEST(CleanRound10Test, TeaserUnitsWithLedesAfterTheBodyAreRemoved) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string head1 = "إغلاق جسر المدينة القديم للصيانة ثلاثة أسابيع";
  const std::string lede1 =
      "أعلنت إدارة الطرق أن الجسر القديم سيغلق أمام السيارات اعتبارا من الأحد المقبل لإجراء أعمال صيانة شاملة.";
  const std::string head2 = "مهرجان الحرف يعود إلى الساحة الكبرى";
  const std::string lede2 =
      "يعود مهرجان الحرف اليدوية إلى الساحة الكبرى بعد غياب عامين بمشاركة أكثر من مئة حرفي من المحافظات.";
  const std::string head3 = "حملة لتشجير الأحياء الجنوبية قبل الخريف";
  const std::string lede3 =
      "أطلقت جمعية أهلية حملة لزراعة ألف شجرة في الأحياء الجنوبية بالتعاون مع البلدية والمدارس القريبة.";
  const std::string more = "اقرأ المزيد ←";
  const std::string page = std::string("بوابة النهر\n") + kTitle + "\n" + kPara1 + "\n" + kPara2 + "\n" + kPara3 +
                           "\n" + kPara4 + "\nشارك غرد أرسل\nموضوعات متعلقة\n" + head1 + "\n" + lede1 + "\n" +
                           more + "\n" + head2 + "\n" + lede2 + "\n" + more + "\n" + head3 + "\n" + lede3 + "\n" +
                           more + "\nجميع الحقوق محفوظة لبوابة النهر\n";
  Article a = TextArticle(page, "river-portal", "r10-units");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  for (const std::string& l : {head1, lede1, head2, lede2, head3, lede3}) {
    EXPECT_FALSE(HasLine(lines, l)) << l << "\n" << a.clean->text;
  }
  EXPECT_FALSE(HasLine(lines, "موضوعات متعلقة")) << a.clean->text;
}

// Guard: an ad label repeated between the paragraphs is no teaser marker:
// the paragraphs between the labels end with full stops and pass the prose
// tests; all of them stay.
TEST(CleanRound10Test, AnAdLabelBetweenParagraphsMakesNoTeaserUnits) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("بوابة النهر\n") + kTitle + "\n" + kPara1 + "\nإعلان\n" + kPara2 + "\n" +
                           kPara3 + "\nإعلان\n" + kPara4 + "\nإعلان\n";
  Article a = TextArticle(page, "river-portal", "r10-ads");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(BodyKept(LinesOf(a.clean->text)), 4) << a.clean->text;
  EXPECT_EQ(a.clean->removed.count("teaser"), 0u) << a.clean->text;
}

// Guard: one hashtag heading a column's section, a short epigraph under it:
// the column is kept whole (a hashtag line needs two or more tags).
TEST(CleanRound10Test, AOneHashtagHeadingKeepsTheColumnBelowIt) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string epigraph = "الصبر مفتاح الفرج..";
  const std::string page = std::string(kTitle) + "\n" + kPara1 + "\n#زاوية_الأحد:\n" + epigraph + "\n" + kPara2 +
                           "\n" + kPara3 + "\n" + kPara4 + "\n";
  Article a = TextArticle(page, "river-column", "r10-one-tag");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  EXPECT_EQ(a.clean->removed.count("tags"), 0u) << a.clean->text;
}

// A date under the title with the era letter glued to the year. Before: not
// read (the year token "2015م" was no year), no published_at.
TEST(CleanRound10Test, AYearWithTheEraLetterIsRead) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("جريدة النهر\n") + kTitle + "\n24 يوليو 2015م\n" + kPara1 + "\n" + kPara2 +
                           "\n" + kPara3 + "\n";
  Article a = TextArticle(page, "river-paper", "r10-era-year");
  a.fetched_at = "2015-07-26T09:00:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, a));
  ASSERT_TRUE(a.clean->published_at.has_value()) << a.clean->text;
  EXPECT_EQ(a.clean->published_at->substr(0, 10), "2015-07-24");
}

TEST(CleanRound10Test, ResultsCounterIsAPager) {
  EXPECT_TRUE(clean::LooksLikePager("النتائج 1 إلى 6 من 34"));
  EXPECT_TRUE(clean::LooksLikePager("Results 1 to 10 of 52"));
  // Not a counter: numbers out of order, a sentence, more words.
  EXPECT_FALSE(clean::LooksLikePager("فاز 3 مقابل 1 في 2"));
  EXPECT_FALSE(clean::LooksLikePager("النتائج 1 إلى 6 من 34."));
  EXPECT_FALSE(clean::LooksLikePager("وصل عدد الزوار 1 إلى 6 من أصل 34"));
}

// A forum thread: a results counter and the thread's "subject" line above
// the post; the post's number and date with its clock time above the
// poster's member box; the headline right above the text. Before: the
// counter was taken for the title (five tokens, one word over the pager's
// limit) and, with the headline found, the date (not right above it) was
// not read.
TEST(CleanRound10Test, AForumPostGetsItsHeadlineAndItsDateOverTheMemberBox) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("منتديات الحوار العربي\nالرئيسية > المنتدى العام > الأخبار\n") +
                           "النتائج 1 إلى 7 من 21\nالموضوع: " + kTitle + "\n#1 24-07-2015, 9:41 م\nأبو خالد\n" +
                           "عضو فعال\nتاريخ التسجيل: مارس 2012\nالمشاركات: 1,204\n" + kTitle + "\n" + kPara1 +
                           "\n" + kPara2 + "\n" + kPara3 + "\nرد مع اقتباس\n";
  Article a = TextArticle(page, "river-forum", "r10-forum");
  a.fetched_at = "2015-07-26T09:00:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, kTitle);
  ASSERT_TRUE(a.clean->published_at.has_value()) << a.clean->text;
  EXPECT_EQ(a.clean->published_at->substr(0, 10), "2015-07-24");
  EXPECT_FALSE(HasLine(LinesOf(a.clean->text), "النتائج 1 إلى 7 من 21")) << a.clean->text;
}

// Guard: a banner with today's date and no clock time a few lines above the
// title is still a banner, not the publication date.
TEST(CleanRound10Test, ABannerWithoutClockTimeAFewLinesAboveTheTitleIsNoDate) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("بوابة النهر\nالأحد 26 يوليو 2015\nأخبار\nمحليات\n") + kTitle + "\n" +
                           kPara1 + "\n" + kPara2 + "\n" + kPara3 + "\n";
  Article a = TextArticle(page, "river-portal", "r10-banner");
  a.fetched_at = "2015-07-26T09:00:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_FALSE(a.clean->published_at.has_value()) << *a.clean->published_at;
}

}  // namespace
}  // namespace newsflow
