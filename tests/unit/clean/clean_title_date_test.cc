// Round 15 of the clean stage (issue 14, point 4): the headline and the
// publication date of text pages.
//
// - with no line sharing words with the body, the short line over a date or
//   dated byline line above the body is the headline; "!" and "?" do not
//   count against a headline as a full stop does; an audio player's line
//   ("استمع إلى المقال") and a caption label ("التعليق على الصورة،") are
//   furniture (phrase list);
// - a two-calendar dateline with an agency's initials ("... 2015 م أ ف ب")
//   is a date line (one-letter words do not count), and a print edition's
//   issue line ("الجمعة ٢٤ يوليو ٢٠١٥م - العدد ١٦٢١٦") dates the article
//   over the headline too;
// - "كتب فلان" / "بقلم" / "بواسطة" lines of up to five words are bylines,
//   and "label: <a line printed near it>" is a label over a copy of the
//   headline ("الموضوع: ...");
// - a labelled line whose date is an RFC 3339 timestamp ("Published:
//   2026-11-19T07:45:00-05:00") states the publication instant;
// - Headline words are matched with the body's once the Arabic article and
//   the proclitics before it are off ("رومانية" in the headline is
//   "الرومانية" in the body);
// - a site's name on the first line needs two of the body's words and the
//   body close below it for the first line's bonus; a picture credit
//   "<words> - (Agency)" is a byline, not a headline;
// - a date right under the headline is the article's, also on the fetch day;
// - a bare timestamp line counts only above the body or under the headline
//   (further down it dates a teaser of a "latest news" list), and a
//   timestamp with a wall-clock time and no zone ("2015-07-23 12:35:24")
//   states its day.
//
// Every page here is written for these tests; no sentence comes from a corpus.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "clean_test_support.h"
#include "dates.h"
#include "newsflow/codec.h"

namespace newsflow {
namespace {

using testing::CleanHarness;
using testing::Forwarded;
using testing::HasLine;
using testing::TextArticle;

// A short English article's two paragraphs, for the date tests' pages.
const std::string kFerry1 =
    "The harbour ferry returned to its full timetable on Thursday after three weeks of repairs to "
    "the landing stage that the October storm had torn loose, the operator said.";
const std::string kFerry2 =
    "Passengers had been carried by bus around the bay while divers replaced the anchor chains and "
    "the floating pontoon was rebuilt.";
const std::string kFerryText = kFerry1 + "\n" + kFerry2 + "\n";
const std::string kFerryHtml = "<p>" + kFerry1 + "</p><p>" + kFerry2 + "</p>";

const char* kBody1 =
    "افتتحت البلدية أمس المهرجان الصيفي على الواجهة البحرية للمدينة الساحلية، بمشاركة فرق شعبية "
    "وأكشاك للحرف اليدوية ومعرض للصور القديمة، وسط حضور كبير من الأسر والزوار.";
const char* kBody2 =
    "وقال رئيس البلدية إن فعاليات المهرجان تستمر أسبوعين، وإن الدخول مجاني للجميع، وإن حافلات "
    "إضافية ستنقل الزوار من وسط المدينة إلى الواجهة كل نصف ساعة.";

// A headline whose every word stands in the body only behind the article,
// separated from the body by a date, a picture's caption and credit and a
// byline. (The caption is the short line nearest the body: with no word of
// the headline found in the body, it was taken for the headline.)
std::string HeadlinePage(const std::string& date_line) {
  return std::string("مؤشر السوق 8123.40 (+0.35%)\n") + "الرئيسية › محليات\n" +
         "مهرجان صيفي بواجهة بحرية لمدينة ساحلية\n" + date_line + "\n" +
         "لقطة من حفل الافتتاح\n" + "صورة أرشيفية - وكالات\n" + "سعاد ناصر – متابعات\n" + kBody1 +
         "\n" + kBody2 + "\n";
}

TEST(CleanTitleDateTest, HeadlineWordsMatchTheBodysBehindTheArticle) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(HeadlinePage("الأحد 22 نوفمبر 2026"), "coast-news", "t15-1");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  // Before this round: no headline found (every word missed its body form).
  EXPECT_EQ(a.clean->title, "مهرجان صيفي بواجهة بحرية لمدينة ساحلية");
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2026-11-22T00:00:00Z");
}

TEST(CleanTitleDateTest, TheFetchDaysDateUnderAFoundHeadlineIsThePublicationDate) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // TextArticle's fetch day.
  Article a = TextArticle(HeadlinePage("الاثنين 23 نوفمبر 2026"), "coast-news", "t15-2");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "مهرجان صيفي بواجهة بحرية لمدينة ساحلية");
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2026-11-23T00:00:00Z");
}

TEST(CleanTitleDateTest, ASiteNameOnTheFirstLineIsNotTheHeadline) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // The site's name shares "المدينة" with the body; the headline lies
  // below a menu and says what the body says.
  const std::string page = std::string("إذاعة المدينة\n") + "أخبار | رياضة | طقس | اتصل بنا\n" +
                           "الرئيسية / محليات\n" + "البلدية تفتتح المهرجان الصيفي للأسر\n" +
                           "22 نوفمبر 2026\n" + kBody1 + "\n" + kBody2 + "\n";
  Article a = TextArticle(page, "radio-site", "t15-3");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "البلدية تفتتح المهرجان الصيفي للأسر");
}

// A guard: passed before this round too (the credit was passed over as a
// byline by its shape " - ").
TEST(CleanTitleDateTest, APictureCreditIsNotTheHeadline) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // The credit repeats the headline's first words, then names the agency.
  const std::string page = std::string("الرئيسية › محليات\n") +
                           "البلدية تفتتح المهرجان الصيفي على الواجهة البحرية\n" +
                           "البلدية تفتتح المهرجان - (وكالات)\n" + kBody1 + "\n" + kBody2 + "\n";
  Article a = TextArticle(page, "coast-news", "t15-4");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "البلدية تفتتح المهرجان الصيفي على الواجهة البحرية");
}

TEST(CleanTitleDateTest, ALongLeadSentenceIsTheBodysNotTheHeadline) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // A page that is only its text: the lead sentence (over 20 words, a full
  // stop) shares its words with the paragraphs below, like a headline
  // would. A guard: this page passed before the round too (its lead passes
  // the article tests on its own); the evidence for the rule is news/ar,
  // where 3 of 5,000 leads went out of the text as headlines (README).
  const std::string lead =
      "أعلنت بلدية المدينة الساحلية أمس افتتاح المهرجان الصيفي على الواجهة البحرية بمشاركة فرق شعبية "
      "وأكشاك للحرف اليدوية ومعرض للصور القديمة يستمر أسبوعين كاملين للأسر والزوار من المحافظة.";
  const std::string page = lead + "\n" + kBody1 + "\n" + kBody2 + "\n";
  Article a = TextArticle(page, "coast-news", "t15-6");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_NE(a.clean->title, lead);
  EXPECT_TRUE(HasLine(testing::LinesOf(a.clean->text), lead)) << a.clean->text;
}

TEST(CleanTitleDateTest, TimestampsOfALatestNewsListDoNotDateTheArticle) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  const std::string page = std::string("الأخبار > المحافظات\n") + "البلدية تفتتح المهرجان الصيفي للأسر\n" +
                           "2026-11-21 18:05:12\n" + "عدد القراءات: 812\n" + kBody1 + "\n" + kBody2 +
                           "\n" + "آخر الأخبار\n" + "افتتاح جسر المشاة الجديد قرب الميناء\n" +
                           "2026-11-02\n" + "حملة لتشجير الأحياء الشرقية في الشتاء\n" + "2026-11-09\n" +
                           "جميع الحقوق محفوظة\n";
  Article a = TextArticle(page, "district-wire", "t15-5");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  ASSERT_TRUE(a.clean->published_at.has_value());
  // Before this round: a teaser's "2026-11-02" (bare dates outranked the
  // timestamp under the headline, which was not read as one).
  EXPECT_EQ(a.clean->published_at->substr(0, 10), "2026-11-21");
  EXPECT_FALSE(HasLine(testing::LinesOf(a.clean->text), "2026-11-02"));
}

// A column: its title shares no word with its text, the page is
// hard-wrapped, and the title stands over the author's dated byline.
std::string ColumnPage(const std::string& title, const std::string& byline) {
  return std::string("القائمة بحث\n") + "الصفحة الرئيسية » مقالات\n" + title + "\n" + byline + "\n" +
         "لم أكن أتوقع أن تتحول جلسة قصيرة في مقهى\n" +
         "الحي القديم إلى درس في الصبر، فقد جلس بجواري\n" +
         "رجل في السبعين يحكي عن أيام كان فيها الماء\n" +
         "يصل إلى البيوت مرة في الأسبوع، وكيف كانت\n" + "الأسر تقتسم ما عندها دون شكوى أو ضجر.\n" +
         "ثم سألني عن عملي، وحين أخبرته ضحك وقال إن\n" +
         "الناس في زمنه لم يعرفوا الاستعجال، وإن أجمل\n" + "ما في العمر يأتي لمن ينتظر بلا قلق.\n" +
         "أعجبني\n";
}

TEST(CleanTitleDateTest, AColumnsTitleOverItsDatedBylineIsTheHeadline) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(ColumnPage("دروس المقاهي القديمة", "كتب سامر العلي في 21 نوفمبر 2026"),
                          "columns-site", "t15-7");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  // Before: no headline (no word shared with the text), and so no date.
  EXPECT_EQ(a.clean->title, "دروس المقاهي القديمة");
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2026-11-21T00:00:00Z");
}

TEST(CleanTitleDateTest, AnExclamationMarkDoesNotCountAgainstAHeadline) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // The headline shares two words of three with the body; the caption
  // under it four of five. Counted as a sentence's end, the "!" put the
  // headline under the caption.
  const std::string page = std::string("الرئيسية › محليات\n") + "المهرجان الصيفي يبدأ!\n" +
                           "جانب من المهرجان الصيفي بالواجهة\n" + kBody1 + "\n" + kBody2 + "\n";
  Article a = TextArticle(page, "coast-news", "t15-8");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "المهرجان الصيفي يبدأ!");
}

TEST(CleanTitleDateTest, AnAudioPlayersLineACaptionLabelAndAKeyPointsHeadingAreNotHeadlines) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  for (const char* line :
       {"استمع إلى المقال (4 دقائق)", "التعليق على الصورة، جانب من المهرجان الصيفي", "أبرز النقاط"}) {
    // The headline shares no word with the body; the line under its date
    // was the nearest short line over the body.
    const std::string page = std::string("الرئيسية › محليات\n") + "احتفال على الشاطئ\n" +
                             "22/11/2026\n" + line + "\n" + kBody1 + "\n" + kBody2 + "\n";
    Article a = TextArticle(page, "coast-news", "t15-9");
    ASSERT_TRUE(Forwarded(*h.stage, a));
    EXPECT_EQ(a.clean->title, "احتفال على الشاطئ") << line;
    EXPECT_FALSE(HasLine(testing::LinesOf(a.clean->text), line)) << a.clean->text;
  }
}

TEST(CleanTitleDateTest, ATwoCalendarDatelineWithAnAgencysInitialsDatesTheArticle) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // 13 words, 4 of them one letter ("م", and the agency's "أ ف ب"): more
  // than the 12 a date line was allowed.
  const std::string page = std::string("الرئيسية › محليات\n") + "البلدية تفتتح المهرجان الصيفي للأسر\n" +
                           "الدمام 10 جمادى 1448 هـ الموافق 21 نوفمبر 2026 م أ ف ب\n" + kBody1 + "\n" +
                           kBody2 + "\n";
  Article a = TextArticle(page, "wire-desk", "t15-10");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2026-11-21T00:00:00Z");
  EXPECT_EQ(a.clean->removed["dateline"], 1);
}

TEST(CleanTitleDateTest, APrintEditionsIssueLineDatesTheArticleOnTheFetchDay) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // Over the section and the headline, the issue's date and number; the
  // fetch day's date without a clock time, which over a headline is
  // otherwise taken for a banner.
  const std::string page = std::string("جريدة الساحل\n") + "الاثنين ٢٣ نوفمبر ٢٠٢٦م - العدد ١٢٣٤٥\n" +
                           "محليات\n" + "البلدية تفتتح المهرجان الصيفي للأسر\n" + "الدمام - سعاد ناصر\n" +
                           kBody1 + "\n" + kBody2 + "\n";
  Article a = TextArticle(page, "print-site", "t15-11");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2026-11-23T00:00:00Z");
  EXPECT_EQ(a.clean->title, "البلدية تفتتح المهرجان الصيفي للأسر");
}

TEST(CleanTitleDateTest, ABylineAndAForumsSubjectLabelAreNotTheHeadline) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // A short "كتب فلان" byline right over the body was the nearest short
  // line for a headline that shares no word with its body.
  std::string page = std::string("الرئيسية › محليات\n") + "حان موعد الصيف\n" +
                     "كتب سامر العلي\n" + "١٢٣ قراءة\n" + kBody1 + "\n" + kBody2 + "\n";
  Article a = TextArticle(page, "coast-news", "t15-12");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "حان موعد الصيف");
  // A forum prints the thread's subject with its label over the headline.
  page = std::string("منتدى الساحل\n") + "الموضوع: البلدية تفتتح المهرجان الصيفي للأسر\n" +
         "البلدية تفتتح المهرجان الصيفي للأسر\n" + "مشاركة رقم 1\n" + kBody1 + "\n" + kBody2 + "\n";
  Article b = TextArticle(page, "coast-forum", "t15-13");
  ASSERT_TRUE(Forwarded(*h.stage, b));
  EXPECT_EQ(b.clean->title, "البلدية تفتتح المهرجان الصيفي للأسر");
}

TEST(CleanTitleDateTest, ALabelledTimestampIsThePublicationDate) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  // The bundled English sample's form: a label, then an RFC 3339 timestamp
  // (no human date for FindDate); before, the page had no date at all.
  const std::string page =
      "Home | Local | Weather\nFerry service resumes after storm repairs\n"
      "Published: 2026-11-19T07:45:00-05:00\n" + kFerryText;
  Article a = TextArticle(page, "harbour-news", "t15-14");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2026-11-19T07:45:00-05:00");
  EXPECT_EQ(a.clean->removed["dateline"], 1);
}

TEST(CleanTitleDateTest, ATimestampWithoutItsZoneStatesItsDay) {
  auto d = clean::ParseIsoLine("2015-07-23 12:35:24");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->rfc3339, "2015-07-23T00:00:00Z");
  d = clean::ParseIsoLine("2015-07-23 12:35");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->rfc3339, "2015-07-23T00:00:00Z");
  // With its zone, the instant as stated.
  d = clean::ParseIsoLine("2015-07-23T12:35:24+03:00");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->rfc3339, "2015-07-23T12:35:24+03:00");
  // Not a time after the day: no date line.
  EXPECT_FALSE(clean::ParseIsoLine("2015-07-23 ends the fast").has_value());
  EXPECT_FALSE(clean::ParseIsoLine("2015-07-23 1:5").has_value());
}

// A date the calendar does not have (30 February, 31 April, 29 February of a
// common year) or outside the envelope's years is no date: before, clean
// emitted it as published_at and the next stage dead-lettered the whole
// article for it ("is not an RFC 3339 date-time").
TEST(CleanTitleDateTest, ADayTheCalendarDoesNotHaveIsNoDate) {
  for (const char* bad : {"2024-02-30", "2024-04-31", "2023-02-29", "1650-01-01",
                          "2024-02-30 10:00", "2024-02-30T10:00:00Z"})
    EXPECT_FALSE(clean::ParseIsoLine(bad).has_value()) << bad;
  auto leap = clean::ParseIsoLine("2024-02-29");
  ASSERT_TRUE(leap.has_value());
  EXPECT_EQ(leap->rfc3339, "2024-02-29T00:00:00Z");
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article html = testing::HtmlArticle(
      "<html><head><title>Ferry service resumes</title><meta property=\"article:published_time\" "
      "content=\"2024-02-30T10:00:00Z\"></head><body><h1>Ferry service resumes</h1>" + kFerryHtml +
      "</body></html>");
  Article text = TextArticle(
      "Ferry service resumes after storm repairs\nPublished on 30 February 2024\n" + kFerryText,
      "harbour-news", "bad-date");
  for (Article* a : {&html, &text}) {
    ASSERT_TRUE(Forwarded(*h.stage, *a)) << a->id;
    EXPECT_FALSE(a->clean->published_at.has_value()) << *a->clean->published_at;
    // What clean forwards, the next stage can read.
    Codec codec;
    Article back;
    const Status decoded = codec.Decode(Codec::Encode(*a), back);
    EXPECT_TRUE(decoded.ok()) << decoded.ToString();
  }
}

// A metadata time whose offset is written other than as RFC 3339 wants is
// read with its offset (it was taken as UTC, the instant moved by hours); an
// offset that is none (+24:00) leaves the day only.
TEST(CleanTitleDateTest, AnOffsetWrittenLooselyIsKept) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"2026-02-28T10:00:00+0530", "2026-02-28T10:00:00+05:30"},
      {"2026-02-28T10:00:00-0800", "2026-02-28T10:00:00-08:00"},
      {"2026-02-28T10:00:00+03", "2026-02-28T10:00:00+03:00"},
      {"2026-02-28T10:00:00.250+0100", "2026-02-28T10:00:00.250+01:00"},
      {"2026-02-28T10:00:00+24:00", "2026-02-28T00:00:00Z"},
      {"2026-02-28T10:00:00", "2026-02-28T10:00:00Z"}};
  for (const auto& [given, want] : cases) {
    Article a = testing::HtmlArticle(
        "<html><head><title>Ferry service resumes</title><meta property=\"article:published_time\" "
        "content=\"" + given + "\"></head><body><h1>Ferry service resumes</h1>" + kFerryHtml +
        "</body></html>");
    ASSERT_TRUE(Forwarded(*h.stage, a)) << given;
    ASSERT_TRUE(a.clean->published_at.has_value()) << given;
    EXPECT_EQ(*a.clean->published_at, want) << given;
  }
}

// A producer's title with line breaks in it (a scraper's wrapped headline) is
// the article's title on one line; it was ignored ("no title found").
TEST(CleanTitleDateTest, AProducersTitleOnSeveralLinesIsTheTitleOnOne) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  for (const std::string& given : {std::string("Ferry service\nresumes"), std::string("\n  Ferry service \r\n\n resumes \n")}) {
    Article a = TextArticle(kFerryText);
    a.meta["title"] = given;
    ASSERT_TRUE(Forwarded(*h.stage, a)) << given;
    EXPECT_EQ(a.clean->title, "Ferry service resumes") << given;
  }
  Article blank = TextArticle(kFerryText);
  blank.meta["title"] = "\n \n";
  ASSERT_TRUE(Forwarded(*h.stage, blank));
  EXPECT_EQ(blank.clean->title, "");
}

// The producer's date (a feed item's pubDate, a scraper's published_at in a
// JSON line) dates an article whose page states none; it was not read, and
// such articles had no published_at. The page's own date wins over it.
TEST(CleanTitleDateTest, TheProducersDateDatesAPageThatStatesNone) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"item_published", "2026-11-20T08:15:00Z", "2026-11-20T08:15:00Z"},
      {"published_at", "2026-11-20 08:15:00+02:00", "2026-11-20T08:15:00+02:00"},
      {"published_at", "November 20, 2026", "2026-11-20T00:00:00Z"},
      {"published_at", "20 نوفمبر 2026", "2026-11-20T00:00:00Z"}};
  for (const auto& [key, given, want] : cases) {
    Article a = TextArticle(kFerryText);
    a.meta[key] = given;
    ASSERT_TRUE(Forwarded(*h.stage, a)) << given;
    ASSERT_TRUE(a.clean->published_at.has_value()) << given;
    EXPECT_EQ(*a.clean->published_at, want) << given;
  }
  for (const char* unreadable : {"", "soon", "2026-13-45"}) {
    Article a = TextArticle(kFerryText);
    a.meta["published_at"] = unreadable;
    ASSERT_TRUE(Forwarded(*h.stage, a)) << unreadable;
    EXPECT_FALSE(a.clean->published_at.has_value()) << unreadable;
  }
  Article page = testing::HtmlArticle(
      "<html><head><title>Ferry service resumes</title><meta property=\"article:published_time\" "
      "content=\"2026-11-19T07:00:00Z\"></head><body><h1>Ferry service resumes</h1>" + kFerryHtml + "</body></html>");
  page.meta["item_published"] = "2026-11-20T08:15:00Z";
  ASSERT_TRUE(Forwarded(*h.stage, page));
  ASSERT_TRUE(page.clean->published_at.has_value());
  EXPECT_EQ(*page.clean->published_at, "2026-11-19T07:00:00Z");
}

// A feed-only item (its page could not be fetched; the body is the item's
// summary) is titled by the feed item's title; it had none. A page's own
// title wins.
TEST(CleanTitleDateTest, AFeedItemsTitleTitlesAPageWithoutOne) {
  CleanHarness h(testing::Given{{"learn_templates", "false"}});
  ASSERT_TRUE(h.open_status.ok());
  Article summary = testing::HtmlArticle(kFerryHtml);
  summary.meta["item_title"] = "Ferry service\nresumes";
  summary.meta["feed_only"] = "true";
  ASSERT_TRUE(Forwarded(*h.stage, summary));
  EXPECT_EQ(summary.clean->title, "Ferry service resumes");
  Article page = testing::HtmlArticle("<html><head><title>Harbour ferry back on timetable</title></head><body>" +
                                      kFerryHtml + "</body></html>");
  page.meta["item_title"] = "Ferry service resumes";
  ASSERT_TRUE(Forwarded(*h.stage, page));
  EXPECT_EQ(page.clean->title, "Harbour ferry back on timetable");
}

}  // namespace
}  // namespace newsflow
