// Round 5 of the clean stage (issue 14): article text after the body that
// the teaser and smoothing rules used to drop. A line ending with a colon
// announces what follows (a poem, a list of quotes); a one- or two-word
// widget line inside the body (an ad slot) does not decide the class of the
// short lines beside it; a line that is only a date is never part of a
// wrapped paragraph. Every page here is written for these tests; no sentence
// comes from a corpus.
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

// Two paragraphs, then a line announcing a poem and eight verse lines (each
// headline-sized, none ending a sentence: the shape of a teaser list), then
// a related-stories list under an unknown heading.
const std::vector<std::string> kVerses = {
    "على شاطئ البحر القديم وقفت أسأل الموج",
    "عن زورق غاب في المساء ولم يعد إلينا",
    "وكانت أمي تنادي من بعيد بصوت حزين",
    "يا ريح الشمال احملي إلينا الأخبار الجميلة",
    "فالليل طويل في الميناء والنجوم قليلة",
    "والصيادون يغنون للفجر أغنية الرجوع",
    "وأنا على الرمل أكتب اسمك ثم يمحوه الماء",
    "حتى يعود الزورق ويضحك الأطفال في الحي",
};

std::string PoemPage(const std::string& inside = "") {
  std::string page =
      "مجلة الساحل الثقافية\n"
      "شاعر الميناء يعود بديوان جديد عن البحر\n"
      "يعود الشاعر المعروف في مدينة الميناء إلى قرائه بديوان جديد بعد غياب دام سبع سنوات، يجمع فيه قصائد كتبها خلال إقامته الطويلة بين الصيادين في القرى الساحلية، ويقول إنه أراد أن يحفظ فيها لغة البحارة وحكاياتهم قبل أن تضيع.\n"
      "ويضم الديوان أربعين قصيدة بين الفصيح والعامي، ويحضر فيها البحر بوصفه بيتا ومنفى في آن واحد، وقد قدم له ناقد من جامعة المدينة رأى أن الشاعر وجد فيه صوته الأخير بعد سنوات من التجريب.\n"
      "ومن أبرز ما جاء في الديوان قوله في قصيدة الزورق:\n";
  for (size_t i = 0; i < kVerses.size(); ++i) {
    if (i == kVerses.size() / 2 && !inside.empty()) page += inside + "\n";
    page += kVerses[i] + "\n";
  }
  page +=
      "قد يهمك أيضا\n"
      "افتتاح معرض الكتاب في العاصمة بمشاركة مئات دور النشر العربية\n"
      "فرقة المسرح الوطني تقدم عرضها الجديد في مهرجان الربيع السنوي\n"
      "تكريم الفائزين بجائزة القصة القصيرة في حفل أقيم بدار الأوبرا\n";
  return page;
}

TEST(CleanRound5Test, ColonLineAnnouncesAPoemThatTheTeaserRuleKeeps) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(PoemPage(), "coast-mag", "r5-poem");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  // Two paragraphs, the announcing line and the eight verses; before: the
  // announcing line and the verses went as teasers (9 lines lost).
  EXPECT_TRUE(HasLine(lines, "ومن أبرز ما جاء في الديوان قوله في قصيدة الزورق:")) << a.clean->text;
  int verses = 0;
  for (const auto& v : kVerses) verses += HasLine(lines, v);
  EXPECT_EQ(verses, 8) << a.clean->text;
  // The related-stories list below still goes.
  EXPECT_FALSE(HasLine(lines, "افتتاح معرض الكتاب في العاصمة بمشاركة مئات دور النشر العربية")) << a.clean->text;
  EXPECT_EQ(lines.size(), 11u) << a.clean->text;
  EXPECT_GE(a.clean->removed["teaser"], 3);
}

// A heading-sized line without a colon over the same lines is still a list
// of teasers: the rule needs the announcing colon.
TEST(CleanRound5Test, WithoutTheColonHeadlineLinesAfterTheBodyStillGo) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  std::string page = PoemPage();
  const std::string intro = "ومن أبرز ما جاء في الديوان قوله في قصيدة الزورق:\n";
  page.replace(page.find(intro), intro.size(), "");
  Article a = TextArticle(page, "coast-mag", "r5-no-colon");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(lines.size(), 2u) << a.clean->text;
}

// The same poem cut in two by an ad slot ("إعلان"), on pages of one site read
// with template learning on: the ad line becomes template after three
// pages, and the verses after it are still the announced poem.
TEST(CleanRound5Test, AnAdSlotLearntAsTemplateDoesNotCutTheAnnouncedPoem) {
  CleanHarness h(testing::Given{{"learn_templates", "true"}, {"template_min_pages", "3"}});
  ASSERT_TRUE(h.open_status.ok());
  const std::vector<std::string> places = {"الشمال", "الجنوب", "الشرق", "الغرب", "الوسط"};
  for (size_t p = 0; p < places.size(); ++p) {
    // Each page its own text (lines that repeat across pages are template).
    std::string page = PoemPage("إعلان");
    for (const std::string& v : kVerses) {
      page.replace(page.find(v), v.size(), v + " في " + places[p]);
    }
    const std::string para = "يعود الشاعر المعروف في مدينة الميناء";
    page.replace(page.find(para), para.size(), para + " (" + places[p] + ")");
    const std::string para2 = "ويضم الديوان أربعين قصيدة";
    page.replace(page.find(para2), para2.size(), para2 + " عن " + places[p]);
    const std::string intro = "قوله في قصيدة الزورق:";
    page.replace(page.find(intro), intro.size(), "قوله في قصيدة " + places[p] + ":");
    const std::string heads = "قد يهمك أيضا\n";
    page.replace(page.find(heads), heads.size(),
                 heads + "رحلة بحرية جديدة تنطلق من ميناء " + places[p] + " نحو الجزر البعيدة\n");
    Article a = TextArticle(page, "coast-mag-learn", "r5-learn-" + std::to_string(p));
    ASSERT_TRUE(Forwarded(*h.stage, a)) << p;
    const auto lines = LinesOf(a.clean->text);
    int verses = 0;
    for (const auto& v : kVerses) verses += HasLine(lines, v + " في " + places[p]);
    EXPECT_EQ(verses, 8) << "page " << p << ":\n" << a.clean->text;
    EXPECT_FALSE(HasLine(lines, "إعلان")) << "page " << p;
    if (p >= 3) {
      EXPECT_GE(a.clean->removed["template"], 1) << "page " << p;  // the ad slot was learnt
    }
  }
}

// An ad slot between paragraphs with a subheading right after it: before,
// the subheading took the ad line's class and was dropped.
constexpr const char* kAdSlotPage =
    "أخبار الوادي\n"
    "مشروع السد الجديد يدخل مرحلة التشغيل التجريبي\n"
    "بدأت هيئة المياه في الوادي التشغيل التجريبي للسد الجديد بعد ثلاث سنوات من الأعمال الإنشائية، وقالت إن البحيرة خلف السد ستمتلئ تدريجيا خلال موسم الأمطار المقبل، وإن المحطة الكهربائية الملحقة به ستبدأ الإنتاج في الربيع.\n"
    "وأوضح مدير الهيئة أن السد سيوفر مياه الري لنحو أربعة آلاف مزرعة في القرى الواقعة أسفل الوادي، ويحمي الأحياء المنخفضة من السيول التي ضربت المنطقة مرتين خلال العقد الماضي.\n"
    "إعلان\n"
    "أثر المشروع على المزارعين\n"
    "ويقول مزارعون في القرى المجاورة إنهم ينتظرون المياه منذ سنوات، بعدما اضطر كثير منهم إلى ترك أراضيهم في مواسم الجفاف، ويأملون أن تعيد القنوات الجديدة الحياة إلى الحقول التي هجرها أصحابها.\n"
    "وتعمل الهيئة على تدريب المزارعين على أساليب الري بالتنقيط، وتقدم لهم قروضا ميسرة لشراء المعدات، على أن تبدأ المرحلة الأولى في القرى الأقرب إلى السد قبل نهاية العام.\n";

TEST(CleanRound5Test, AnAdSlotInsideTheBodyDoesNotTakeTheSubheadingWithIt) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kAdSlotPage, "valley-news", "r5-ad");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, "أثر المشروع على المزارعين")) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "إعلان")) << a.clean->text;
  int paragraphs = 0;
  for (const auto& l : lines) paragraphs += l.size() > 200;
  EXPECT_EQ(paragraphs, 4) << a.clean->text;
}

// After the body: a short heading, then headlines each followed by its date,
// one headline short and ending with "!". With the dates counted as lines of
// a wrapped paragraph, the run passed the prose test and was kept.
constexpr const char* kDatedListPage =
    "شبكة الأخبار المحلية\n"
    "افتتاح مكتبة عامة جديدة في حي الزيتون\n"
    "افتتحت البلدية مكتبة عامة جديدة في حي الزيتون تضم أكثر من عشرين ألف كتاب وقاعة للأطفال ومختبرا صغيرا للحاسوب، وقالت إنها ستفتح أبوابها طوال أيام الأسبوع حتى ساعة متأخرة من المساء.\n"
    "وقال مدير المكتبة إن الاشتراك فيها مجاني لسكان الحي، وإن برنامجا للقراءة الصيفية سيبدأ الشهر المقبل بالتعاون مع المدارس القريبة، داعيا الأهالي إلى التبرع بالكتب التي لم يعودوا يحتاجونها.\n"
    "تابع هذه القصة أيضا\n"
    "احذروا الحر!\n"
    "12 مارس 2024\n"
    "البلدية تطلق حملة لزراعة الأشجار في الشوارع الرئيسية\n"
    "3 مارس 2024\n"
    "طلاب الحي يفوزون بمسابقة الروبوت على مستوى المدينة\n"
    "27 فبراير 2024\n";

TEST(CleanRound5Test, DateLinesBetweenHeadlinesDoNotMakeTheListProse) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kDatedListPage, "olive-net", "r5-dated");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_EQ(lines.size(), 2u) << a.clean->text;  // the two paragraphs only
  EXPECT_FALSE(HasLine(lines, "البلدية تطلق حملة لزراعة الأشجار في الشوارع الرئيسية")) << a.clean->text;
}

// A hard-wrapped paragraph whose lines hold a date inside the sentence is
// still prose: only a line that is a date and nothing else ends a run
// (a guard: passes before and after).
constexpr const char* kWrappedDatesPage =
    "جريدة المدينة\n"
    "المجلس البلدي يقر ميزانية العام المقبل\n"
    "أقر المجلس البلدي في جلسته التي عقدت يوم\n"
    "الخميس 14 مارس 2024 ميزانية العام المقبل بعد\n"
    "نقاش طويل استمر حتى ساعة متأخرة من الليل، وقد\n"
    "صوت لصالحها أحد عشر عضوا من أصل خمسة عشر.\n"
    "وتتضمن الميزانية مخصصات لصيانة الطرق وتوسيع\n"
    "شبكة الصرف الصحي في الأحياء الشرقية التي\n"
    "تعاني من الفيضانات منذ سنوات طويلة.\n";

TEST(CleanRound5Test, AWrappedLineWithADateInsideStaysProse) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kWrappedDatesPage, "city-paper", "r5-wrapped");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, "الخميس 14 مارس 2024 ميزانية العام المقبل بعد")) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, "أقر المجلس البلدي في جلسته التي عقدت يوم")) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, "تعاني من الفيضانات منذ سنوات طويلة.")) << a.clean->text;
}

// A Moroccan portal's date line under the headline, month names as written
// in the Maghreb ("يوليوز", "غشت", "شتنبر"): before, no date was read.
TEST(CleanRound5Test, MaghrebiMonthNamesAreRead) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"الثلاثاء 9 يوليوز 2024 - 10:15", "2024-07-09"}, {"12 غشت 2024", "2024-08-12"},
      {"الأحد 1 شتنبر 2024", "2024-09-01"}, {"5 جوان 2024", "2024-06-05"}, {"18 أفريل 2024", "2024-04-18"}};
  for (const auto& [line, day] : cases) {
    std::string page = std::string("جهة الشمال\nتعاونية نسائية تطلق منتجات جديدة من زيت الأركان\n") + line + "\n" +
                       "أطلقت تعاونية نسائية في قرية جبلية مجموعة جديدة من منتجات زيت الأركان، بعد عامين من العمل على تحسين طرق العصر والتعبئة، وتقول رئيستها إن التعاونية تشغل اليوم أكثر من ستين امرأة من القرى المجاورة.\n"
                       "وتأمل التعاونية أن تصل منتجاتها إلى أسواق المدن الكبرى خلال الموسم المقبل، بعدما حصلت على شهادة جودة من المختبر الجهوي، وتعمل على افتتاح متجر صغير على الطريق الوطنية.\n";
    Article a = TextArticle(page, "atlas-portal", "r5-ma-" + day);
    ASSERT_TRUE(Forwarded(*h.stage, a)) << line;
    ASSERT_TRUE(a.clean->published_at.has_value()) << line;
    EXPECT_EQ(*a.clean->published_at, day + "T00:00:00Z") << line;
  }
}

// An Egyptian-style date line with its clock time right above the headline:
// the publication date (before: a banner). Without the clock time it stays
// a banner.
constexpr const char* kDateAbovePage =
    "الرئيسية | محافظات | رياضة\n"
    "الأربعاء، 6 مارس 2024 11:20 ص\n"
    "محافظة النهر تفتتح جسرا جديدا للمشاة فوق الطريق السريع\n"
    "كتب سامح علي\n"
    "افتتح محافظ النهر صباح اليوم جسرا جديدا للمشاة فوق الطريق السريع عند مدخل المدينة، بعد أن شهد الموقع عدة حوادث خلال العام الماضي، وأكد أن الجسر مجهز بمصاعد لكبار السن وذوي الاحتياجات الخاصة.\n"
    "وقال المحافظ إن المحافظة تخطط لإنشاء ثلاثة جسور أخرى على الطريق نفسه خلال العامين المقبلين، داعيا المواطنين إلى استخدامها حفاظا على سلامتهم.\n";

TEST(CleanRound5Test, DateWithClockTimeAboveTheHeadlineIsThePublicationDate) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kDateAbovePage, "river-gate", "r5-above");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "محافظة النهر تفتتح جسرا جديدا للمشاة فوق الطريق السريع");
  ASSERT_TRUE(a.clean->published_at.has_value()) << a.clean->text;
  EXPECT_EQ(*a.clean->published_at, "2024-03-06T00:00:00Z");

  std::string page = kDateAbovePage;
  page.replace(page.find(" 11:20 ص"), std::string(" 11:20 ص").size(), "");
  Article b = TextArticle(page, "river-gate", "r5-above-2");
  ASSERT_TRUE(Forwarded(*h.stage, b));
  EXPECT_FALSE(b.clean->published_at.has_value()) << *b.clean->published_at;
}

// A decree quoted in the article: its number and date lines hold " / "
// between numbers. Before, they were taken for breadcrumbs, and the short
// header lines around them followed them out. The site's breadcrumb above
// the headline still goes.
constexpr const char* kDecreePage =
    "الرئيسية / محليات / قرارات\n"
    "صدور قرار بإنشاء هيئة جديدة لتنظيم النقل البحري\n"
    "صدر اليوم قرار بإنشاء هيئة عامة لتنظيم النقل البحري، ترتبط مباشرة برئيس مجلس الوزراء، وتتولى الإشراف على الموانئ التجارية وترخيص شركات الشحن ووضع معايير السلامة للسفن العاملة في المياه الإقليمية.\n"
    "بسم الله الرحمن الرحيم\n"
    "الرقم : ق / 512\n"
    "التاريخ : 14 / 3 / 1445هـ\n"
    "بعون الله تعالى\n"
    "وبناء على ما عرضه وزير النقل، وبعد الاطلاع على نظام الموانئ والمرافئ البحرية وعلى قرار مجلس الوزراء ذي الصلة، قررنا إنشاء الهيئة العامة لتنظيم النقل البحري على أن يصدر تنظيمها خلال تسعين يوما من تاريخه.\n"
    "وتتولى الهيئة اقتراح الأنظمة واللوائح الخاصة بالنقل البحري، ومتابعة تنفيذ الاتفاقيات الدولية التي تكون الدولة طرفا فيها، والتنسيق مع الجهات المعنية في كل ما يتعلق بسلامة الملاحة وحماية البيئة البحرية.\n";

TEST(CleanRound5Test, NumbersJoinedBySlashesAreNotABreadcrumb) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kDecreePage, "port-daily", "r5-decree");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  EXPECT_TRUE(HasLine(lines, "الرقم : ق / 512")) << a.clean->text;
  EXPECT_TRUE(HasLine(lines, "التاريخ : 14 / 3 / 1445ه")) << a.clean->text;  // tatweel removed
  EXPECT_TRUE(HasLine(lines, "بعون الله تعالى")) << a.clean->text;
  EXPECT_FALSE(HasLine(lines, "الرئيسية / محليات / قرارات")) << a.clean->text;
  EXPECT_EQ(a.clean->removed["breadcrumb"], 1) << a.clean->text;
}

}  // namespace
}  // namespace newsflow
