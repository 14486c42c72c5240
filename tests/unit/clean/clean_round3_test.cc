// Round 3 of the clean stage (issue 14): furniture recognised by its shape
// and position on text pages, whatever its words: counters, tickers,
// Latin-only menu lines on Arabic pages, lists of teaser headlines after the
// body (also after hard-wrapped prose) with the widget lines above them,
// bylines with a date, a date with its clock time on the fetch day. Every
// page here is written for these tests; no sentence comes from a corpus.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "clean_test_support.h"
#include "furniture.h"

namespace newsflow {
namespace {

using testing::CleanHarness;
using testing::LinesOf;
using testing::Forwarded;
using testing::TextArticle;

// Three paragraphs between a Latin sign-in line, a currency ticker, a
// reading-time counter above, and a poll, a list of suggested reads (one
// headline over 70 code points, one ending with "!"), a view counter and a
// "Powered by" line below: none of these words is in a phrase list.
constexpr const char* kTeaserPage =
    "Sign in\n"
    "اليورو 4.12 | الدولار 3.67 | الذهب 2310.50 | النفط 81.20\n"
    "بلدية الواحة تفتح حديقة عامة جديدة على ضفاف الوادي\n"
    "6 دقائق قراءة\n"
    "افتتحت بلدية الواحة صباح اليوم حديقة عامة جديدة على الضفة الشرقية للوادي، تمتد على مساحة تزيد على عشرين ألف متر مربع، وتضم ممرات للمشي ومساحات خضراء وألعابا للأطفال، وذلك ضمن خطة البلدية لزيادة المساحات المفتوحة في الأحياء القديمة.\n"
    "وقال رئيس البلدية في كلمة خلال الافتتاح إن الحديقة صممت بحيث تحافظ على الأشجار القائمة في الموقع، وإن مياه الري تأتي من محطة المعالجة التي أنشئت العام الماضي، مشيرا إلى أن أعمال الصيانة ستتولاها فرق من شباب الحي.\n"
    "ومن المنتظر أن تستقبل الحديقة الزوار يوميا من الساعة الرابعة عصرا حتى منتصف الليل، على أن تخصص أيام الجمعة للعائلات، كما تعمل البلدية على ربطها بمسار للدراجات يصل إلى وسط المدينة قبل نهاية العام.\n"
    "ما رأيك في هذا الموضوع؟\n"
    "أوافق لا أوافق\n"
    "قراءات مختارة من الموقع\n"
    "وزارة الصحة تطلق حملة تطعيم موسمية في المدارس الحكومية قبل بداية العام الدراسي\n"
    "ارتفاع أسعار الخضار في أسواق الجملة مع اشتداد موجة الحر\n"
    "فريق الجامعة يفوز ببطولة المناظرات الإقليمية للمرة الثانية!\n"
    "اكتشاف نقوش أثرية قديمة قرب الطريق الساحلي الجديد\n"
    "2٬318 مشاهدة\n"
    "Powered by Ghost\n";

TEST(CleanRound3Test, TeaserListAfterTheBodyGoesWithItsHeadingAndWidgets) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kTeaserPage, "oasis-news", "r3-1");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  ASSERT_EQ(lines.size(), 3u) << a.clean->text;  // the three paragraphs, nothing else
  EXPECT_EQ(lines[0].rfind("افتتحت بلدية الواحة", 0), 0u);
  EXPECT_EQ(lines[2].rfind("ومن المنتظر", 0), 0u);
  EXPECT_EQ(a.clean->title, "بلدية الواحة تفتح حديقة عامة جديدة على ضفاف الوادي");
  // Four headlines and the three lines above them (the heading at least
  // with them; the poll lines by the teasers' context); ticker, two
  // counters, two Latin menu lines.
  EXPECT_GE(a.clean->removed["teaser"], 5) << a.clean->text;
  EXPECT_EQ(a.clean->removed["teaser"] + a.clean->removed["short"], 7) << a.clean->text;
  EXPECT_EQ(a.clean->removed["navigation"], 5);
}

// A hard-wrapped article (no line passes the length test on its own) under
// a byline with its date, followed by a "most shared" list: headlines of
// about the wrap's length, one with "..", one ending with "!".
constexpr const char* kWrappedPage =
    "بحث\n"
    "مرصد الطقس يتوقع أمطارا غزيرة على المرتفعات\n"
    "كتبت سلمى الهاشمي في 14 مارس 2024\n"
    "توقع مرصد الطقس الوطني أن تشهد المرتفعات الغربية\n"
    "أمطارا غزيرة مصحوبة بزخات من البرد خلال اليومين\n"
    "المقبلين، ودعا السائقين إلى تجنب الطرق الجبلية في\n"
    "ساعات الليل لأن الرؤية قد تنخفض إلى أقل من مئة متر.\n"
    "وأوضح المرصد في نشرته الصباحية أن كتلة هوائية باردة\n"
    "تتقدم من الشمال وستلتقي برطوبة قادمة من البحر، وهو ما\n"
    "يرفع فرص تشكل السيول في الأودية الصغيرة، مشيرا إلى أن\n"
    "درجات الحرارة ستنخفض خمس درجات عن معدلها المعتاد.\n"
    "الأكثر تداولاً هذا الأسبوع\n"
    "افتتاح المعرض الدولي للكتاب.. وإقبال كبير في اليوم الأول\n"
    "تعديلات جديدة على مواعيد القطارات بين المدن الساحلية\n"
    "المنتخب الوطني يستعد لمباراة الحسم أمام ضيفه القوي\n"
    "هل تنجح خطة خفض أسعار الإيجارات في العاصمة هذا العام!\n"
    "طلاب المدارس المهنية يعرضون مشاريعهم في ملتقى الابتكار\n";

TEST(CleanRound3Test, HeadlineListAfterWrappedProseIsNotProse) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kWrappedPage, "weather-site", "r3-2");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  ASSERT_EQ(lines.size(), 8u) << a.clean->text;  // the two wrapped paragraphs
  EXPECT_EQ(lines.front().rfind("توقع مرصد الطقس", 0), 0u);
  EXPECT_EQ(lines.back().rfind("درجات الحرارة", 0), 0u);
  EXPECT_EQ(a.clean->title, "مرصد الطقس يتوقع أمطارا غزيرة على المرتفعات");
  // The byline with its date states the publication date and is not text.
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2024-03-14T00:00:00Z");
  EXPECT_EQ(a.clean->text.find("كتبت"), std::string::npos);
  EXPECT_EQ(a.clean->removed["teaser"] + a.clean->removed["short"], 6) << a.clean->text;
}

// A poem closing an article (eight short lines after the last paragraph,
// without sentence ends but the last) and a film's Latin title between two
// paragraphs are the article's.
constexpr const char* kVersePage =
    "أمسية شعرية في النادي الأدبي\n"
    "أقام النادي الأدبي مساء أمس أمسية شعرية شارك فيها ثلاثة من الشعراء الشباب، وحضرها جمهور كبير من محبي الشعر، وقرأ الشعراء قصائد في الوطن والحنين والصداقة، وتخللت الأمسية مداخلات من النقاد الذين أشادوا بتجارب الشباب.\n"
    "Blue Horizon\n"
    "وختم الشاعر الأصغر سنا الأمسية بقصيدة عن مدينته الساحلية، قال في مطلعها أبياتا لاقت تصفيق الحاضرين طويلا، ثم وقع الشعراء نسخا من دواوينهم الأولى في بهو النادي حتى ساعة متأخرة من الليل.\n"
    "يا بحر مدينتنا القديمة في المساء\n"
    "كم حملت من الأحلام على الموج\n"
    "وكم رددت أغانينا مع الصيادين\n"
    "في الليالي الطويلة وفي الأيام\n"
    "يا بحر إن غبنا فلا تنس الأسماء\n"
    "ولا تنس البيوت على الشاطئ القديم\n"
    "فنحن نعود إليك كلما ضاق المدى\n"
    "ونحمل في العيون ملحك والنسيم.\n";

TEST(CleanRound3Test, VerseAfterTheBodyAndLatinLineInsideItAreKept) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kVersePage, "club-news", "r3-3");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(LinesOf(a.clean->text).size(), 11u) << a.clean->text;  // two paragraphs, the Latin line, eight verses
  EXPECT_NE(a.clean->text.find("Blue Horizon"), std::string::npos) << a.clean->text;
  EXPECT_EQ(a.clean->removed.count("teaser"), 0u) << a.clean->text;
  EXPECT_EQ(a.clean->removed.count("navigation"), 0u) << a.clean->text;
}

// A date with its clock time under the title, on the day the page was
// fetched (2026-11-23): the publication time, not a banner with today's date.
constexpr const char* kClockPage =
    "مجلس الحي يناقش مشروع السوق الشعبي\n"
    "23 نوفمبر 2026 | 09:40\n"
    "ناقش مجلس الحي في اجتماعه الأسبوعي مشروع السوق الشعبي الذي طال انتظاره، واستمع الأعضاء إلى عرض من المهندس المشرف عن مراحل التنفيذ والتكلفة المتوقعة، وطالب عدد منهم بتخصيص مساحة للأسر المنتجة ومواقف كافية للسيارات.\n"
    "وقرر المجلس رفع توصياته إلى البلدية خلال أسبوعين، على أن يبدأ العمل في الموقع مع بداية الصيف إذا اكتملت الموافقات المطلوبة من الجهات المعنية.\n";

TEST(CleanRound3Test, DateWithClockTimeOnTheFetchDayIsThePublicationDate) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kClockPage, "district-news", "r3-4");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2026-11-23T00:00:00Z");
  EXPECT_EQ(a.clean->removed["dateline"], 1);
  EXPECT_EQ(LinesOf(a.clean->text).size(), 2u) << a.clean->text;
}

TEST(CleanRound3Test, BannerWithoutClockTimeOnTheFetchDayIsStillABanner) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // The fetch day's date without a clock time over the headline: a banner.
  // (Under the headline it is the article's date: CleanStageTest.
  // DateUnderTheHeadlineOnTheFetchDayIsThePublicationDate.)
  std::string page = kClockPage;
  page.replace(page.find(" | 09:40"), 8, "");
  const size_t date = page.find("23 نوفمبر");
  const std::string date_line = page.substr(date, page.find('\n', date) + 1 - date);
  page.erase(date, date_line.size());
  page.insert(0, date_line);
  Article a = TextArticle(page, "district-news", "r3-5");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_FALSE(a.clean->published_at.has_value());
  EXPECT_EQ(a.clean->removed["date_banner"], 1);
  EXPECT_EQ(LinesOf(a.clean->text).size(), 2u) << a.clean->text;
}

TEST(CleanRound3Test, OneWordLastLineOfAWrappedParagraphIsKept) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // kWrappedPage's two paragraphs alone, the last one's full stop wrapped
  // onto a line of its own word.
  std::string page = kWrappedPage;
  page = page.substr(0, page.find("الأكثر تداولاً"));
  page.erase(page.find("بحث\n"), 4);
  page.erase(page.find("كتبت"), page.find('\n', page.find("كتبت")) + 1 - page.find("كتبت"));
  const std::string last = " المعتاد.";
  page.replace(page.find(last), last.size(), "\nالمعتاد.");
  Article a = TextArticle(page, "weather-site", "r3-7");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  const auto lines = LinesOf(a.clean->text);
  ASSERT_EQ(lines.size(), 9u) << a.clean->text;
  EXPECT_EQ(lines.back(), "المعتاد.");
}

// An opinion column whose title repeats no word of the body, above a
// relative time and a view counter: the title is the line above those, not
// the counter or the time.
constexpr const char* kColumnTitlePage =
    "كتاب وآراء\n"
    "حين يصمت المطر\n"
    "منذ ساعتين\n"
    "1٬204 مشاهدة\n"
    "في كل شتاء ننتظر الغيم كما ينتظر الأطفال عودة آبائهم من السفر، نرفع رؤوسنا إلى السماء ونعد الأيام، ثم نكتشف أن الانتظار صار عادة أكثر منه أملا، وأن الأرض التي عرفناها خضراء صارت تحتاج إلى من يتذكرها.\n"
    "لا أكتب هنا عن الأرقام التي تنشرها الجهات المختصة كل عام، بل عن شعور بسيط يعرفه كل من زرع شجرة أمام بيته ثم رآها تذبل ببطء، فالمسألة في نظري ليست قضية مناخ فقط، بل قضية علاقة بيننا وبين المكان.\n";

TEST(CleanRound3Test, TitleAboveTimeAndCounterIsFoundOverThem) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kColumnTitlePage, "opinion-site", "r3-6");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "حين يصمت المطر");
  ASSERT_TRUE(a.clean->published_at.has_value());  // two hours before the fetch (19:00)
  EXPECT_EQ(*a.clean->published_at, "2026-11-23T17:00:00Z");
  EXPECT_EQ(LinesOf(a.clean->text).size(), 2u) << a.clean->text;
  EXPECT_EQ(a.clean->removed["navigation"], 1);  // the counter
}

TEST(CleanFurnitureTest, Counters) {
  using clean::LooksLikeCounter;
  auto counter = [](std::string_view s) {
    return LooksLikeCounter(s, static_cast<int>(std::count(s.begin(), s.end(), ' ')) + 1);
  };
  EXPECT_TRUE(counter("4 دقائق للقراءة"));
  EXPECT_TRUE(counter("٣٨٥٦ قراءة"));
  EXPECT_TRUE(counter("التعليقات (12)"));
  EXPECT_TRUE(counter("1,204 views"));
  EXPECT_TRUE(counter("2٬318 مشاهدة"));
  EXPECT_FALSE(counter("أوبك 2015"));             // a year
  // A run of digits longer than any int is still a number, read without
  // overflow (fuzz_clean: signed overflow; regress-counter-digits-overflow).
  EXPECT_TRUE(counter("473309021473309021 مشاهدة"));
  EXPECT_FALSE(counter("3. تطبيق الخرائط"));      // a ranked list item
  EXPECT_FALSE(counter("الساعة 10:30 صباحا"));    // a clock time
  EXPECT_FALSE(counter("نعم لا"));                // no number
  EXPECT_FALSE(counter("12 لاعبا في 3 مجموعات"));  // two numbers, five words
  EXPECT_FALSE(counter("فاز الفريق 3 مرات."));    // a sentence
}

TEST(CleanFurnitureTest, TickersLatinLinesClockTimesSentenceEnds) {
  using namespace clean;
  EXPECT_TRUE(LooksLikeTicker("اليورو 4.12 | الدولار 3.67 | الذهب عيار 21: 150 ريال", false));
  EXPECT_FALSE(LooksLikeTicker("الأسعار | ارتفعت", false));  // one separator
  EXPECT_FALSE(LooksLikeTicker("قال الوزير إن الأسعار سترتفع في الربع المقبل بسبب الطلب | وأضاف | ثم", false));
  EXPECT_TRUE(LooksLikeLatinOnly("Powered by Ghost", 3, 6));
  EXPECT_TRUE(LooksLikeLatinOnly("FR | EN", 3, 6));
  EXPECT_FALSE(LooksLikeLatinOnly("www.example.org", 1, 6));   // an address is text
  EXPECT_FALSE(LooksLikeLatinOnly("Sign in تسجيل", 3, 6));    // mixed script
  EXPECT_FALSE(LooksLikeLatinOnly("* Blue Horizon", 3, 6));   // a list item
  EXPECT_TRUE(MostlyNonLatin("مرحبا بكم في الموقع Home"));
  EXPECT_FALSE(MostlyNonLatin("Welcome to the site مرحبا"));
  EXPECT_TRUE(HasClockTime("27 يوليو 2015 | 11:02 ص"));
  EXPECT_TRUE(HasClockTime("٩:٤٥ م"));
  EXPECT_FALSE(HasClockTime("النتيجة 2:1"));
  EXPECT_FALSE(HasClockTime("بنسبة 3:1"));
  EXPECT_TRUE(HasSentenceEnd("انتهى الاجتماع. وبدأ التصويت"));
  EXPECT_FALSE(HasSentenceEnd("الدولار 3.76 اليورو 4.10"));
  EXPECT_FALSE(HasSentenceEnd("افتتاح المعرض.. وإقبال كبير"));
  EXPECT_TRUE(IsRankOnly("3"));
  EXPECT_TRUE(IsRankOnly("٢."));
  EXPECT_FALSE(IsRankOnly("3 أخبار"));
}

}  // namespace
}  // namespace newsflow
