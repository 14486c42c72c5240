// Round 7 of the clean stage (issue 14): rules from the errors of round 5's
// held-out templates (T17-T20), written as shapes and positions. Ragged short
// lines after the body are no wrapped paragraph; section kickers between
// teaser headlines do not save the list; a hard-wrapped paragraph keeps its
// one-word closing line, its short next paragraph and its sentence without a
// full stop; titles are matched without the quotes around words and are never
// a bullet; two-calendar datelines and "last updated" dates are read. Every
// page here is written for these tests; no sentence comes from a corpus.
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

int CodePoints(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Hard-wraps `text` at `width` code points, as a print layout or a wire
// service's narrow column does.
std::vector<std::string> Wrap(const std::string& text, int width) {
  std::vector<std::string> out;
  std::string line;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    const std::string word = text.substr(i, j - i);
    if (!line.empty() && CodePoints(line) + 1 + CodePoints(word) > width) {
      out.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    i = j + 1;
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

using testing::OffHarness;

const char* kPara1 =
    "افتتحت بلدية الواحة مساء أمس الحديقة العامة الجديدة في الحي الشمالي، بعد عامين من العمل على تحويل "
    "أرض مهجورة إلى مساحة خضراء تضم ممرات للمشي وملاعب للأطفال ومقاعد تحت الأشجار، وحضر الافتتاح عدد كبير "
    "من سكان الحي وأعضاء المجلس البلدي.";
const char* kPara2 =
    "وقال رئيس البلدية في كلمته إن الحديقة جزء من خطة أوسع لزيادة المساحات الخضراء في المدينة، وإن "
    "البلدية ستفتتح حديقتين أخريين قبل نهاية العام في الحيين الشرقي والجنوبي، داعيا السكان إلى المحافظة "
    "على المرافق الجديدة.";

// Post navigation, a reply form and a category line after the body: short
// lines, one of them a sentence, stop words enough for prose, but ragged.
TEST(CleanRound7Test, RaggedLinesAfterTheBodyAreNotAWrappedParagraph) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("مدونة الواحة الإخبارية\n") +
                           "افتتاح حديقة عامة جديدة في الحي الشمالي\n" + kPara1 + "\n" + kPara2 + "\n" +
                           "نشر هذا الخبر في قسم أخبار المدينة\n"
                           "التنقل بين المقالات\n"
                           "← إغلاق طريق الميناء من أجل الصيانة\n"
                           "مهرجان الربيع يعود إلى الساحة الكبرى في المدينة →\n"
                           "اترك ردا على هذا الخبر إلغاء الرد\n"
                           "يجب أن تكون مسجلا لكي تضيف تعليقا على هذا الخبر.\n";
  Article a = TextArticle(page, "oasis-blog", "r7-ragged");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  // Before: the six lines after the body were taken for a wrapped paragraph
  // and kept.
  EXPECT_TRUE(HasLine(lines, kPara1)) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, kPara2)) << a.clean->text;
  int after = 0;
  for (const char* l : {"نشر هذا الخبر في قسم أخبار المدينة", "التنقل بين المقالات",
                        "← إغلاق طريق الميناء من أجل الصيانة", "مهرجان الربيع يعود إلى الساحة الكبرى في المدينة →",
                        "اترك ردا على هذا الخبر إلغاء الرد", "يجب أن تكون مسجلا لكي تضيف تعليقا على هذا الخبر."}) {
    after += HasLine(lines, l);
  }
  EXPECT_EQ(after, 0) << a.clean->text;
}

// Guard: a page that is all short lines (a column, no paragraph above) is
// still judged as wrapped prose, however its lines end.
TEST(CleanRound7Test, AColumnOfShortLinesWithoutAParagraphAboveIsStillProse) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page =
      "عمود الأحد\n"
      "حين تعود إلى المدينة بعد غياب\n"
      "تجد أن الشوارع قد تغيرت كثيرا\n"
      "وأن المقهى الذي كنت تجلس فيه\n"
      "صار متجرا للهواتف والأجهزة\n"
      "لكن الناس ما زالوا يسلمون عليك\n"
      "كما كانوا يفعلون في الأيام الأولى.\n"
      "وهذا وحده يكفي لكي تشعر أنك في بيتك.\n";
  Article a = TextArticle(page, "column-site", "r7-column");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, "تجد أن الشوارع قد تغيرت كثيرا")) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, "كما كانوا يفعلون في الأيام الأولى.")) << a.clean->text;
  EXPECT_GE(lines.size(), 6u) << a.clean->text;
}

// "Related topics" with a section word over each headline: the one-word
// kickers used to break the run, so no three headlines stood together.
TEST(CleanRound7Test, SectionKickersBetweenTeaserHeadlinesDoNotSaveTheList) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("افتتاح حديقة عامة جديدة في الحي الشمالي\n") + kPara1 + "\n" + kPara2 +
                           "\n"
                           "مواضيع ذات صلة\n"
                           "رياضة\n"
                           "فريق المدينة يتأهل إلى نهائي كأس الأندية بعد فوز صعب\n"
                           "اقتصاد\n"
                           "ارتفاع أسعار الخضار في الأسواق المركزية مع بداية الصيف\n"
                           "منوعات\n"
                           "مصور شاب يفوز بجائزة دولية عن صورة لطيور مهاجرة فوق البحيرة\n";
  Article a = TextArticle(page, "oasis-daily", "r7-kickers");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  // Before: the kickers and headlines were smoothed into the article.
  EXPECT_FALSE(HasLine(lines, "فريق المدينة يتأهل إلى نهائي كأس الأندية بعد فوز صعب")) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "مصور شاب يفوز بجائزة دولية عن صورة لطيور مهاجرة فوق البحيرة")) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "اقتصاد")) << a.clean->text;
  EXPECT_EQ(lines.size(), 2u) << a.clean->text;
  EXPECT_GE(a.clean->removed["teaser"], 3);
}

// The article's last paragraph ends with a leftover after its last sentence
// ("... الجديدة. وسوم الحديقة"): no punctuation at the end, headline-sized,
// right above a teaser list. A sentence ends inside it: it is no headline.
TEST(CleanRound7Test, ALastParagraphWithALeftoverIsNotTakenIntoTheTeaserList) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string last = "ودعا المجلس السكان إلى المحافظة على المرافق الجديدة. وسوم الحديقة البلدية";
  const std::string page = std::string("افتتاح حديقة عامة جديدة في الحي الشمالي\n") + kPara1 + "\n" + last +
                           "\n"
                           "فريق المدينة يتأهل إلى نهائي كأس الأندية بعد فوز صعب\n"
                           "ارتفاع أسعار الخضار في الأسواق المركزية مع بداية الصيف\n"
                           "مصور شاب يفوز بجائزة دولية عن صورة لطيور مهاجرة فوق البحيرة\n";
  Article a = TextArticle(page, "oasis-daily", "r7-leftover");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  // Before: the last paragraph went with the teasers.
  EXPECT_TRUE(HasLine(lines, last)) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "ارتفاع أسعار الخضار في الأسواق المركزية مع بداية الصيف")) << a.clean->text;
  EXPECT_EQ(lines.size(), 2u) << a.clean->text;
}

// Two short closing sentences after the last paragraph, then the page's
// furniture: the first is kept as a closing sentence under a paragraph, the
// second under the first (kept by smoothing itself).
TEST(CleanRound7Test, TwoShortClosingSentencesAreBothKept) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("افتتاح حديقة عامة جديدة في الحي الشمالي\n") + kPara1 + "\n" + kPara2 +
                           "\n"
                           "«الحديقة لكم فحافظوا عليها».\n"
                           "وهذا ما نرجوه من كل السكان هنا.\n"
                           "مقالات ذات صلة\n"
                           "فريق المدينة يتأهل إلى نهائي كأس الأندية بعد فوز صعب\n"
                           "ارتفاع أسعار الخضار في الأسواق المركزية مع بداية الصيف\n"
                           "مصور شاب يفوز بجائزة دولية عن صورة لطيور مهاجرة فوق البحيرة\n";
  Article a = TextArticle(page, "oasis-daily", "r7-closing");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, "«الحديقة لكم فحافظوا عليها».")) << a.clean->text;
  // Before: the second closing sentence was lost.
  EXPECT_TRUE(HasLine(lines, "وهذا ما نرجوه من كل السكان هنا.")) << a.clean->text;
  EXPECT_EQ(lines.size(), 4u) << a.clean->text;
}

// A wire story in a 34-column layout: headline with quotes, a two-calendar
// dateline, two wrapped paragraphs (the second short, ending on a one-word
// line), an end marker.
const char* kWire1 =
    "أعلنت هيئة النقل العام أن خط الحافلات الجديد بين المطار ووسط المدينة سيبدأ العمل مطلع الشهر المقبل، "
    "بعد انتهاء التجارب الفنية على المسار والمحطات، وأن الرحلات ستنطلق كل ربع ساعة من السادسة صباحا حتى "
    "منتصف الليل طوال أيام الأسبوع.";
const char* kWire2 =
    "وأضافت الهيئة أن سعر التذكرة سيكون موحدا لكل المحطات على الخط الجديد، وأن البطاقات الشهرية ستباع في "
    "جميع المحطات.";

std::string WirePage() {
  return std::string("الخدمة العربية   English   Français\n") +
         "«هيئة النقل» تطلق خط حافلات بين «المطار» ووسط المدينة\n"
         "الواحة 12 شوال 1436 هـ الموافق 28 يوليو 2015 م وكالة الأنباء\n" +
         Join(Wrap(kWire1, 34)) + Join(Wrap(kWire2, 34)) + "//انتهى//\n";
}

TEST(CleanRound7Test, WrappedWireStoryKeepsItsShortParagraphAndClosingWord) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const auto second = Wrap(kWire2, 34);
  ASSERT_EQ(second.size(), 4u);  // the fixture: three full lines (102 code points), then one word
  ASSERT_EQ(second.back().find(' '), std::string::npos);
  Article a = TextArticle(WirePage(), "wire-ar", "r7-wire");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  int kept = 0;
  for (const auto& l : Wrap(kWire1, 34)) kept += HasLine(lines, l);
  for (const auto& l : second) kept += HasLine(lines, l);
  const int total = static_cast<int>(Wrap(kWire1, 34).size() + second.size());
  // Before: the second paragraph (three lines under 150 code points and a
  // one-word closing line) was lost.
  EXPECT_EQ(kept, total) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "//انتهى//")) << a.clean->text;
}

TEST(CleanRound7Test, QuotedHeadlineAboveAWrappedBodyIsTheTitle) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(WirePage(), "wire-ar", "r7-wire-title");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  // Before: «هيئة النقل» did not match هيئة النقل in the body, and a wrapped
  // line below was taken for the title.
  EXPECT_EQ(a.clean->title, "«هيئة النقل» تطلق خط حافلات بين «المطار» ووسط المدينة");
}

TEST(CleanRound7Test, TwoCalendarDatelineUnderTheTitleIsThePublicationDate) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(WirePage(), "wire-ar", "r7-wire-date");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  // Before: the Hijri half counted as other words, no date was taken.
  EXPECT_EQ(a.clean->published_at.value_or(""), "2015-07-28T00:00:00Z");
}

// One paragraph, one sentence that never ends with a full stop, wrapped at
// 30 columns: still the article (before: the page was dropped).
TEST(CleanRound7Test, AWrappedParagraphWithoutAFullStopIsKept) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string text =
      "قررت إدارة التعليم في محافظة الواحة نقل ستة من الطلاب المتفوقين إلى صفوف أعلى بعد اجتيازهم "
      "اختبارات خاصة أشرفت عليها لجنة من المختصين في المناهج والتقويم وهم من مدارس الحي الشمالي والحي "
      "الشرقي ومدرسة القرية الجديدة وقدم مدير التعليم شكره للمعلمين وأولياء الأمور متمنيا للطلاب "
      "التوفيق والنجاح";
  const auto wrapped = Wrap(text, 30);
  ASSERT_GE(wrapped.size(), 8u);
  const std::string page = std::string("الخدمة العربية   English   Français\n") +
                           "نقل ستة طلاب متفوقين إلى صفوف أعلى\n" + Join(wrapped) + "//انتهى//\n";
  Article a = TextArticle(page, "wire-ar", "r7-nostop");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  int kept = 0;
  for (const auto& l : wrapped) kept += HasLine(lines, l);
  EXPECT_EQ(kept, static_cast<int>(wrapped.size())) << a.clean->text;
}

// Guard: three headlines (no sentence end) are not taken for such a paragraph.
TEST(CleanRound7Test, AShortRunOfHeadlinesWithoutFullStopIsNotProse) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("افتتاح حديقة عامة جديدة في الحي الشمالي\n") + kPara1 + "\n" + kPara2 +
                           "\n"
                           "قصص أخرى\n"
                           "فريق المدينة يتأهل إلى نهائي كأس الأندية بعد فوز صعب\n"
                           "ارتفاع أسعار الخضار في الأسواق المركزية مع بداية الصيف\n"
                           "مصور شاب يفوز بجائزة دولية عن صورة لطيور مهاجرة فوق البحيرة\n"
                           "افتتاح معرض الكتاب في العاصمة بمشاركة مئات دور النشر\n";
  Article a = TextArticle(page, "oasis-daily", "r7-heads");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(LinesOf(a.clean->text).size(), 2u) << a.clean->text;
}

// A wire story wrapped at 34 columns whose headline says in other words
// what the body says (few shared words), then an unwrapped paragraph far
// below: the headline (longer than the column: no wrapped line) is the
// nearest short line above the wrapped body.
TEST(CleanRound7Test, HeadlineInOtherWordsAboveAWrappedBodyIsTheTitle) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string head = "قوافل الشتاء تصل إلى قرى الجبل المعزولة";
  const std::string wrapped_text =
      "بدأت جمعية الهلال الأهلية أمس توزيع أغطية وملابس ومدافئ على الأسر التي تسكن المرتفعات، بعد أن قطعت "
      "الثلوج الطرق إليها منذ أسبوعين، ونقلت الشاحنات المساعدات عبر طريق ترابي فتحته فرق البلدية خلال "
      "الليل، وقال منسق الجمعية إن المرحلة الأولى شملت أكثر من ثلاثمائة أسرة في سبع بلدات صغيرة.";
  const auto wrapped = Wrap(wrapped_text, 34);
  ASSERT_GE(wrapped.size(), 9u);  // the first line that passes on its own lies 9+ lines below
  const std::string page = head + "\n" +
                           "الجبل 5 رجب 1436 هـ الموافق 24 أبريل 2015 م وكالة الأنباء\n" + Join(wrapped) +
                           "وأضاف المنسق أن الجمعية تنتظر وصول شحنة ثانية من الأغطية والمواد الغذائية خلال الأيام "
                           "المقبلة، وأنها ستوزعها على القرى التي لم تصلها القافلة الأولى بسبب انهيار جسر صغير على "
                           "الوادي، داعيا المتطوعين إلى التسجيل في مقر الجمعية.\n";
  Article a = TextArticle(page, "wire-ar", "r7-other-words");
  a.fetched_at = "2015-04-25T09:00:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, a));
  // Before: a wrapped line of the body was the title (the fallback looked
  // only above the unwrapped paragraph, and the headline, taken into the run
  // of short lines, shares few words with the body).
  EXPECT_EQ(a.clean->title, head);
  EXPECT_EQ(a.clean->published_at.value_or(""), "2015-04-24T00:00:00Z");
}

// An opinion piece whose headline shares no word with the body, over its
// date and a "city: «paper»" line: the nearest short line above the body is
// that dateline, which is no headline ("حاوره: فلان", "Beirut: X" alike).
TEST(CleanRound7Test, ACityColonPaperLineIsNotTheTitle) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("أخبار الخليج\n") + "أين ذهبت أشجار الحي؟\n" + "28-07-2015\n" +
                           "الواحة: «صحيفة السهل»\n" + kPara1 + "\n" + kPara2 + "\n";
  Article a = TextArticle(page, "plain-opinion", "r7-dateline-title");
  a.fetched_at = "2015-07-29T08:00:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, a));
  // Before: "الواحة: «صحيفة السهل»" was the title.
  EXPECT_EQ(a.clean->title, "أين ذهبت أشجار الحي؟");
}

// Highlights as bullets under the headline: their words are the body's, but a
// bullet is never the title; the "last updated" date under the title is the
// page's only date.
std::string HighlightsPage() {
  return std::string("الواحة 41° | الساحل 37°\n") + "أخبار المدينة\n" +
         "الحديقة العامة الجديدة تفتح أبوابها في الحي الشمالي\n"
         "آخر تحديث 28-07-2015 | 9:40 ص\n"
         "أبرز النقاط\n"
         "• افتتحت بلدية الواحة مساء أمس الحديقة العامة الجديدة\n"
         "• وقال رئيس البلدية في كلمته إن الحديقة جزء من خطة\n" +
         kPara1 + "\n" + kPara2 + "\n";
}

TEST(CleanRound7Test, ABulletIsNeverTheTitle) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(HighlightsPage(), "oasis-gulf", "r7-bullets");
  a.fetched_at = "2015-07-29T08:00:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, a));
  // Before: the first bullet (all its words in the body) was the title.
  EXPECT_EQ(a.clean->title, "الحديقة العامة الجديدة تفتح أبوابها في الحي الشمالي");
}

TEST(CleanRound7Test, LastUpdatedDateUnderTheTitleIsTheFallbackPublicationDate) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(HighlightsPage(), "oasis-gulf", "r7-updated");
  a.fetched_at = "2015-07-29T08:00:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, a));
  // Before: no published_at (a "last updated" date was never used).
  EXPECT_EQ(a.clean->published_at.value_or(""), "2015-07-28T00:00:00Z");
}

// Guard: a labelled publication date still wins over the update date.
TEST(CleanRound7Test, APublicationDateStillWinsOverTheUpdateDate) {
  CleanHarness h = OffHarness();
  ASSERT_TRUE(h.open_status.ok());
  std::string page = HighlightsPage();
  page += "تاريخ النشر: 26 يوليو 2015\n";
  Article a = TextArticle(page, "oasis-gulf", "r7-updated-2");
  a.fetched_at = "2015-07-29T08:00:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->published_at.value_or(""), "2015-07-26T00:00:00Z");
}

}  // namespace
}  // namespace newsflow
