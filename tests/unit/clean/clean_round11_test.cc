// Round 11 of the clean stage (issue 14): rules from round 10's held-out
// templates (T33-T36, now tuning data), all on text pages and by shape:
//
// - a contact line (at most 16 words, no sentence end, a telephone number:
//   a run of 9-15 digits starting with 0, or "+" and 10-15 digits in
//   groups) is furniture, and so are the short lines right above it that
//   end no sentence (the box's heading, a notice, a name): a side column of
//   classified ads or a press office's contact block between or after the
//   paragraphs;
// - a line that opens with a play or camera glyph ("▶ شاهد: ...") is a
//   video link.
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

const char* kTitle = "مدرسة القرية تفتح مختبرا للروبوتات";
const char* kPara1 =
    "افتتحت مدرسة القرية الثانوية أمس مختبرا صغيرا للروبوتات بتبرع من أولياء الأمور، يضم عشر طاولات "
    "عمل وطابعة ثلاثية الأبعاد ومجموعة من الحواسيب المحمولة.";
const char* kPara2 =
    "وقالت مديرة المدرسة إن الطلاب سيتدربون في المختبر مرتين في الأسبوع بعد الدوام، وإن فريقا منهم "
    "يستعد للمشاركة في مسابقة المحافظة في الربيع المقبل.";
const char* kPara3 =
    "وأوضح معلم الفيزياء المشرف على المختبر أن أول مشروع للطلاب سيكون ذراعا آلية تفرز قطع البلاستيك "
    "المعاد تدويرها بحسب ألوانها.";
const char* kPara4 =
    "ويأمل أولياء الأمور أن تتوسع التجربة لتشمل مدارس البنات في القرى المجاورة خلال العام الدراسي "
    "القادم.";

int BodyKept(const std::vector<std::string>& lines) {
  return testing::CountLines(lines, {kPara1, kPara2, kPara3, kPara4});
}

TEST(CleanRound11Test, PhoneAndContactLineShapes) {
  EXPECT_TRUE(clean::HasPhoneNumber("للبيع سيارة موديل قديم 0561234567"));
  EXPECT_TRUE(clean::HasPhoneNumber("هاتف: +966 12 345 6789"));
  EXPECT_TRUE(clean::HasPhoneNumber("\xD9\xA0\xD9\xA5\xD9\xA0\xD9\xA1\xD9\xA2\xD9\xA3\xD9\xA4\xD9\xA5\xD9\xA6\xD9\xA7"));
  // Not a phone: a year, an amount without a leading 0, a short code.
  EXPECT_FALSE(clean::HasPhoneNumber("بلغت قيمة الصفقة 1500000000 ريال في عام 2015"));
  EXPECT_FALSE(clean::HasPhoneNumber("رقم القرار 0123"));
  EXPECT_FALSE(clean::HasPhoneNumber("+5 درجات"));
  EXPECT_TRUE(clean::LooksLikeContactLine("مطلوب معلمة لغة إنجليزية للتواصل 0509876543", 6, false));
  // A sentence that ends is prose, even with a number in it; so is a long line.
  EXPECT_FALSE(clean::LooksLikeContactLine("ودعت الجمعية المتبرعين إلى الاتصال على الرقم 0509876543.", 8, true));
  EXPECT_FALSE(clean::LooksLikeContactLine("x 0509876543", 17, false));
}

TEST(CleanRound11Test, PlayGlyphShape) {
  EXPECT_TRUE(clean::StartsWithPlayGlyph("▶ شاهد: لحظة افتتاح المختبر"));
  EXPECT_TRUE(clean::StartsWithPlayGlyph("🎥 فيديو"));
  EXPECT_FALSE(clean::StartsWithPlayGlyph("▶"));
  EXPECT_FALSE(clean::StartsWithPlayGlyph("شاهد ▶ الفيديو"));
  EXPECT_FALSE(clean::StartsWithPlayGlyph(kPara1));
}

// A regional paper's side column flattened between two paragraphs: a
// notices heading, two notices that end no sentence, a classifieds heading
// and three ads with phone numbers. Before: all of it kept (the heading and
// notice lines are short lines between body text).
TEST(CleanRound11Test, AClassifiedsColumnBetweenParagraphsIsRemoved) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::vector<std::string> column = {
      "تهنئة",
      "تهنئ أسرة المدرسة الزميل سعيد بمناسبة ترقيته إلى وكيل للشؤون التعليمية",
      "إعلانات",
      "للإيجار شقة مفروشة قرب السوق المركزي 0534567812",
      "مطلوب مزارع خبرة في النخيل الاتصال 0598765123",
      "بيع أثاث مكتبي مستعمل بحالة جيدة 0551122334"};
  std::string page = std::string("جريدة الوادي\nمحليات  رياضة  آراء\n") + kTitle + "\n" + kPara1 + "\n" + kPara2 + "\n";
  for (const auto& l : column) page += l + "\n";
  page += std::string(kPara3) + "\n" + kPara4 + "\nجريدة الوادي - جميع الحقوق محفوظة\n";
  Article a = TextArticle(page, "valley-paper", "r11-classifieds");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  int kept = 0;
  for (const auto& l : column) kept += HasLine(lines, l);
  EXPECT_EQ(kept, 0) << a.clean->text;
  EXPECT_EQ(a.clean->removed["other"], 6) << a.clean->text;
}

// Guard: a press office's contact block after the article (a heading, a
// name, a role, a phone) goes, with the box rule as before it (after the
// body these short lines were already removed), and no body line with it.
TEST(CleanRound11Test, AContactBlockAfterTheBodyIsRemoved) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::vector<std::string> block = {"للتواصل الإعلامي", "منى الحارثي", "مسؤولة الإعلام في المدرسة",
                                          "جوال: +966 50 123 4567"};
  std::string page = std::string(kTitle) + "\n" + kPara1 + "\n" + kPara2 + "\n" + kPara3 + "\n" + kPara4 + "\n";
  for (const auto& l : block) page += l + "\n";
  Article a = TextArticle(page, "school-news", "r11-contact");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  int kept = 0;
  for (const auto& l : block) kept += HasLine(lines, l);
  EXPECT_EQ(kept, 0) << a.clean->text;
}

// A TV channel's page: video links with their durations between the
// paragraphs. Before: the "▶" lines were kept (short lines inside the body).
TEST(CleanRound11Test, VideoLinksBetweenParagraphsAreRemoved) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string v1 = "▶ شاهد: طلاب القرية يجربون الذراع الآلية";
  const std::string v2 = "▶ فيديو: جولة داخل المختبر الجديد";
  const std::string page = std::string("قناة الوادي\n") + kTitle + "\n" + kPara1 + "\n" + kPara2 + "\n" + v1 +
                           "\n03:12\n" + kPara3 + "\n" + v2 + "\n01:45\n" + kPara4 + "\n";
  Article a = TextArticle(page, "valley-tv", "r11-video");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, v1)) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, v2)) << a.clean->text;
  EXPECT_EQ(a.clean->removed["player"], 2) << a.clean->text;
}

// The same side column on pages of one site read with template learning on:
// the ads heading repeats on every page and becomes template after three
// pages; the notice and its heading above it, different on each page, still
// go with the ads below. Before the walk passed over template lines: the notice was kept
// from the fourth page on.
TEST(CleanRound11Test, AColumnWhoseHeadingsAreLearntAsTemplateIsStillRemoved) {
  CleanHarness h(testing::Given{{"learn_templates", "true"}, {"template_min_pages", "3"}});
  ASSERT_TRUE(h.open_status.ok());
  const std::vector<std::string> places = {"الشمال", "الجنوب", "الشرق", "الغرب", "الوسط"};
  for (size_t p = 0; p < places.size(); ++p) {
    const std::string x = " في " + places[p];
    const std::string notice = "تهنئ أسرة المدرسة" + x + " الزميل سعيد بمناسبة ترقيته إلى وكيل، والحفل مساء الخميس";
    const std::string notice2 = "يهنئ نادي الحي" + x + " لاعبه ماجد بمناسبة تخرجه في كلية الهندسة، والحفل في قاعة النادي";
    const std::string ad1 = "للإيجار شقة مفروشة قرب السوق" + x + " 05345678" + std::to_string(10 + p);
    const std::string ad2 = "مطلوب مزارع خبرة في النخيل" + x + " 05987651" + std::to_string(20 + p);
    // Each page its own text (lines that repeat across pages are template).
    const std::string y = places[p] + ": ";
    const std::string page = std::string("جريدة الوادي\n") + kTitle + x + "\n" + y + kPara1 + "\n" + y + kPara2 +
                             "\nتهاني " + places[p] + "\n" + notice + "\n" + notice2 + "\nإعلانات مبوبة\n" + ad1 + "\n" + ad2 + "\n" + y + kPara3 + "\n" + y +
                             kPara4 + "\n";
    Article a = TextArticle(page, "valley-paper-learn", "r11-learn-" + std::to_string(p));
    ASSERT_TRUE(Forwarded(*h.stage, a)) << p;
    const auto lines = LinesOf(a.clean->text);
    int body = 0;
    for (const char* para : {kPara1, kPara2, kPara3, kPara4}) body += HasLine(lines, y + para);
    EXPECT_EQ(body, 4) << "page " << p << ":\n" << a.clean->text;
    EXPECT_FALSE(HasLine(lines, notice)) << "page " << p << ":\n" << a.clean->text;
    EXPECT_FALSE(HasLine(lines, ad1)) << "page " << p;
    EXPECT_FALSE(HasLine(lines, "تهاني " + places[p])) << "page " << p;
    EXPECT_FALSE(HasLine(lines, notice2)) << "page " << p;
    EXPECT_FALSE(HasLine(lines, "إعلانات مبوبة")) << "page " << p;
    if (p >= 3) {
      EXPECT_GE(a.clean->removed["template"], 1) << "page " << p;  // the ads heading was learnt
    }
  }
}

// Guard: an article line that asks readers to call a number, and ends its
// sentence, stays; so does the paragraph above it.
TEST(CleanRound11Test, AnArticleSentenceWithAPhoneNumberStays) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string call = "ودعت المدرسة الراغبين في التطوع إلى الاتصال على الرقم 0501234567.";
  const std::string page = std::string(kTitle) + "\n" + kPara1 + "\n" + kPara2 + "\n" + kPara3 + "\n" + call +
                           "\n" + kPara4 + "\n";
  Article a = TextArticle(page, "school-news", "r11-call");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(BodyKept(lines), 4) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, call)) << a.clean->text;
}

}  // namespace
}  // namespace newsflow
