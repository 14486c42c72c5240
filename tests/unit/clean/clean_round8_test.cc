// Round 8 of the clean stage (issue 14): rules from the errors of round 7's
// held-out templates (T21-T22), written as mechanisms: a "read also" / "most
// read" marker between two paragraphs of one article (a side column
// flattened into the text) no longer cuts the rest when the prose under it
// speaks of the same things; pager lines ("« السابق 1 2 التالي »", "الصفحة 2
// من 3") are navigation and do not take the subheadings beside them along;
// a comment thread's entries (a timestamp above, a removed counter below)
// are removed. Every page here is written for these tests; no sentence comes
// from a corpus.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clean_test_support.h"

namespace newsflow {
namespace {

using testing::CleanHarness;
using testing::Forwarded;
using testing::HasLine;
using testing::LinesOf;
using testing::TextArticle;

using testing::OffHarness;

const char* kTitle = "ميناء الصيادين في المدينة يستقبل قوارب جديدة";
const char* kPara1 =
    "استقبل ميناء الصيادين في المدينة صباح أمس عشرين قاربا جديدا للصيد، قدمتها وزارة الزراعة للصيادين "
    "الذين فقدوا قواربهم في عاصفة الشتاء الماضي، وسط فرحة كبيرة من أهالي الحي البحري.";
const char* kPara2 =
    "وقال رئيس جمعية الصيادين إن القوارب الجديدة مجهزة بمحركات حديثة وأجهزة لاسلكية، وإنها ستساعد "
    "الصيادين على العودة إلى البحر بعد أشهر من التوقف.";
const char* kPara3 =
    "وأضاف رئيس الجمعية أن الوزارة وعدت بتوزيع عشرين قاربا أخرى على الصيادين قبل نهاية العام، وأن "
    "الميناء يحتاج أيضا إلى رصيف جديد لاستقبال القوارب الكبيرة في موسم الصيد.";
const char* kPara4 =
    "ويعمل في ميناء الصيادين أكثر من ثلاثمئة صياد، يبيعون صيدهم كل صباح في سوق السمك القريب من "
    "الميناء، ويعيلون مئات الأسر في الحي البحري.";

std::string Head() { return std::string("بوابة الساحل الإخبارية\n") + kTitle + "\n" + kPara1 + "\n" + kPara2 + "\n"; }

// A side column flattened between the paragraphs: its "most read" heading
// and one headline, then the article goes on. Before: everything under the
// heading was cut as an unrelated tail (the last two paragraphs lost).
TEST(CleanRound8Test, AMostReadMarkerBetweenParagraphsOfOneArticleDoesNotCutIt) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = Head() + "الأكثر قراءة\n" + "مهرجان الكتاب يفتح أبوابه للزوار الأسبوع المقبل\n" + kPara3 +
                           "\n" + kPara4 + "\n" + "جميع الحقوق محفوظة لبوابة الساحل\n";
  Article a = TextArticle(page, "coast-portal", "r8-side-column");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  int body = 0;
  for (const char* p : {kPara1, kPara2, kPara3, kPara4}) body += HasLine(lines, p);
  EXPECT_EQ(body, 4) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "الأكثر قراءة")) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "مهرجان الكتاب يفتح أبوابه للزوار الأسبوع المقبل")) << a.clean->text;
}

// Guard: a related article glued after the body under "اقرأ أيضاً" speaks of
// other things; it is still cut.
TEST(CleanRound8Test, ARelatedArticleGluedAfterTheMarkerIsStillCut) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const char* other1 =
      "افتتحت مكتبة البلدية فرعها الثالث في حي الجامعة مساء الخميس، بحضور عدد من الكتاب والطلاب، ويضم "
      "الفرع قاعة للمطالعة وركنا لكتب الأطفال ومختبرا للحاسوب.";
  const char* other2 =
      "وأوضحت مديرة المكتبة أن الفرع يفتح أبوابه يوميا حتى العاشرة ليلا، وأن الاشتراك فيه مجاني لطلاب "
      "المدارس والجامعات طوال السنة الدراسية.";
  const std::string page = Head() + kPara3 + "\n" + "اقرأ أيضاً:\n" + "مكتبة البلدية تفتتح فرعها الثالث\n" + other1 +
                           "\n" + other2 + "\n";
  Article a = TextArticle(page, "coast-portal", "r8-glued");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, kPara1) && HasLine(lines, kPara2) && HasLine(lines, kPara3)) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, other1)) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, other2)) << a.clean->text;
}

// An article split over pages: the pager and the page counter between the
// pages are navigation; the subheadings beside them stay. Before: the pager
// lines were kept (short lines between paragraphs).
TEST(CleanRound8Test, PagerLinesBetweenPagesAreRemovedAndSubheadingsBesideThemKept) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = Head() + "« السابق  1  2  3  التالي »\n" + "الصفحة 2 من 3\n" + "رصيف جديد\n" + kPara3 +
                           "\n" + "< Prev 1 2 3 Next >\n" + "Page 3 of 3\n" + "سوق السمك\n" + kPara4 + "\n" +
                           "1  2  3\n";
  Article a = TextArticle(page, "coast-portal", "r8-pager");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  int body = 0;
  for (const char* p : {kPara1, kPara2, kPara3, kPara4}) body += HasLine(lines, p);
  EXPECT_EQ(body, 4) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, "رصيف جديد")) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, "سوق السمك")) << a.clean->text;
  int pager = 0;
  for (const char* l : {"« السابق 1 2 3 التالي »", "الصفحة 2 من 3", "< Prev 1 2 3 Next >", "Page 3 of 3", "1 2 3"}) {
    pager += HasLine(lines, l);
  }
  EXPECT_EQ(pager, 0) << a.clean->text;
}

// Guard: a line with two numbers that is a sentence, or numbers that are no
// page row, is no pager.
TEST(CleanRound8Test, NumbersInASentenceAreNoPager) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = Head() + "وصل 20 قاربا من 40.\n" + kPara3 + "\n" + "النتيجة 3 2 4\n" + kPara4 + "\n";
  Article a = TextArticle(page, "coast-portal", "r8-not-pager");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, "وصل 20 قاربا من 40.")) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, kPara3) && HasLine(lines, kPara4)) << a.clean->text;
}

// A comment thread after the body: per entry a name, a timestamp, the
// comment, a like counter. Before: the comments long enough for prose were
// kept.
TEST(CleanRound8Test, CommentThreadEntriesAfterTheBodyAreRemoved) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const char* c1 =
      "والله خبر حلو جدا وأخيرا الصيادين حياخدوا حقهم بعد العاصفة دي، بس المهم المتابعة وإن القوارب توصل "
      "للناس اللي تستاهلها فعلا مش لأي حد. ربنا يوفق الجميع!";
  const char* c2 =
      "أنا من الحي البحري وأعرف ناس كتير خسروا قواربهم، ربنا يعوضهم خير ويا ريت الوزارة تكمل الوعد وتبني "
      "الرصيف الجديد بسرعة قبل الموسم. الناس تعبت من الانتظار..";
  const std::string page = Head() + kPara3 + "\n" + "التعليقات (2)\n" + "أبو سالم\n" +
                           "23 نوفمبر 2026 - 9:15 م\n" + c1 + "\n" + "رد  أعجبني (12)\n" + "زائر\n" +
                           "منذ 3 ساعات\n" + c2 + "\n" + "رد  أعجبني (4)\n" + "أضف تعليقك\n";
  Article a = TextArticle(page, "coast-portal", "r8-comments");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, kPara1) && HasLine(lines, kPara2) && HasLine(lines, kPara3)) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, c1)) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, c2)) << a.clean->text;
}

// Guard: a one-paragraph item between a dateline and a view counter is the
// article, not a comment (one such entry is no thread).
TEST(CleanRound8Test, AOneParagraphItemBetweenADateAndACounterIsKept) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("بوابة الساحل الإخبارية\n") + kTitle + "\n" + "23 نوفمبر 2026 - 9:15 م\n" +
                           kPara1 + "\n" + "240 مشاهدة\n" + "جميع الحقوق محفوظة لبوابة الساحل\n";
  Article a = TextArticle(page, "coast-portal", "r8-one-para");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_TRUE(HasLine(LinesOf(a.clean->text), kPara1)) << a.clean->text;
}

// A text page without a headline whose first paragraph announces a quoted
// verse with a colon: the paragraph is prose (not a line too weak to keep),
// the verse is no headline, and neither is the announcing paragraph. Before,
// the verse was taken for the title, the paragraph above it removed as
// "low_text" and the verse's second quotation, spelt with other vowel marks,
// as the title's repeat: three body lines lost (seen on a news/ar column).
TEST(CleanRound8Test, AParagraphEndingWithAColonBeforeAVerseIsKeptAndNoTitle) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string opening =
      "كتب الشاعر القديم قصيدة عن البحر والسفر ما زال الناس يرددونها في المجالس حتى اليوم، ومنها قوله:";
  const std::string verse = "وَمَا البَحْرُ إِلَّا مَوْجَةٌ إِنْ تَعَالَتْ... عَلَوْنَا وَإِنْ تَهْدَأْ نَعُدْ لِلْمَرَافِئِ";
  const std::string verse2 = "وما البحرُ إلا موجةٌ إن تعالتْ... علونا وإن تهدأْ نعدْ للمرافئِ";
  const std::string page = opening + "\n" + verse + "\n" + kPara1 + "\n" + kPara2 + "\n" +
                           "وقال الشاعر في ختام قصيدته مكررا البيت الذي اشتهر به بين أهل الساحل:\n" + verse2 +
                           "\n" + kPara3 + "\n";
  Article a = TextArticle(page, "coast-portal", "r8-colon-verse");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, opening)) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, verse)) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, verse2)) << a.clean->text;
  EXPECT_EQ(a.clean->title, "") << a.clean->title;
}

}  // namespace
}  // namespace newsflow
