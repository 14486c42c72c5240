// Behaviour on pages written for these tests (English, French, Arabic), on
// HTML, and on hostile input. Sentences here are our own.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "clean_test_support.h"
#include "newsflow/codec.h"
#include "newsflow/text.h"
#include "normalize.h"

namespace newsflow {
namespace {

using testing::CleanHarness;
using testing::LinesOf;
using testing::Forwarded;
using testing::HtmlArticle;
using testing::TextArticle;

bool Contains(const Article& a, std::string_view s) {
  return a.clean->text.find(s) != std::string::npos;
}

constexpr const char* kEnglishPage =
    "Home > World > Europe\n"
    "Monday, 23 November 2026\n"
    "Harbour town votes to rebuild its old sea wall\n"
    "Published on 14 March 2025\n"
    "Residents of the small harbour town voted on Sunday to rebuild the stone sea wall that "
    "has protected the quay since the nineteenth century, after two winter storms left large "
    "gaps in it.\n"
    "The council said the work would start in the spring and take about eighteen months, "
    "with most of the cost covered by a regional fund for coastal defences.\n"
    "Read also: Fishermen count the cost of a stormy winter\n"
    "Engineers who surveyed the wall in January found that the foundations were sound but "
    "that many of the upper blocks had shifted or cracked.\n"
    "A long wait\n"
    "Local shop owners had asked for repairs for years, and several of them said they were "
    "relieved that a decision had finally been taken.\n"
    "Tags: coast, storms, council\n"
    "Share this article\n"
    "Follow us on Twitter\n"
    "We use cookies to improve your experience on our site.\n"
    "Subscribe to our newsletter\n"
    "Leave a Reply\n"
    "Your email address will not be published. Required fields are marked *\n"
    "Related articles\n"
    "Ferry timetable changes for the winter season\n"
    "A new ferry timetable will come into force next month, with fewer crossings on weekdays "
    "and an extra evening service on Fridays, the operator announced on Tuesday.\n";

TEST(CleanStageTest, EnglishPageDropsEachBoilerplateKind) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  Article a = TextArticle(kEnglishPage, "en-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "Harbour town votes to rebuild its old sea wall");
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2025-03-14T00:00:00Z");
  auto lines = LinesOf(a.clean->text);
  ASSERT_EQ(lines.size(), 5u) << a.clean->text;
  EXPECT_TRUE(lines[0].starts_with("Residents of the small harbour town"));
  EXPECT_TRUE(lines[2].starts_with("Engineers who surveyed"));  // after the inline teaser
  EXPECT_EQ(lines[3], "A long wait");
  EXPECT_FALSE(Contains(a, "Read also"));
  EXPECT_FALSE(Contains(a, "ferry timetable"));
  EXPECT_FALSE(Contains(a, "cookies"));
  EXPECT_FALSE(Contains(a, "Monday"));
  EXPECT_GT(a.clean->removed["read_also"], 0);
  EXPECT_GT(a.clean->removed["unrelated_tail"], 0);
  EXPECT_EQ(a.clean->removed["date_banner"], 1);
  ASSERT_FALSE(a.trace.empty());
  EXPECT_EQ(a.trace.back().stage, "clean");
}

constexpr const char* kFrenchPage =
    "Accueil › Régions › Bretagne\n"
    "Une bibliothèque ouvre ses portes dans l'ancienne gare\n"
    "Publié le 3 mars 2025 à 10h15\n"
    "Écouter cet article\n"
    "La commune a inauguré samedi sa nouvelle bibliothèque, installée dans le bâtiment de "
    "l'ancienne gare qui était fermé depuis plus de vingt ans.\n"
    "Les travaux ont duré deux ans et ont permis de conserver la façade d'origine, tout en "
    "ajoutant une grande salle de lecture lumineuse à l'arrière.\n"
    "À lire aussi : Le marché du dimanche change d'emplacement\n"
    "Les habitants pourront emprunter des livres, des jeux et des disques, et des ateliers "
    "pour les enfants auront lieu chaque mercredi après-midi.\n"
    "Mots-clés : culture, patrimoine, lecture\n"
    "Partager\n"
    "Suivez-nous sur Facebook\n"
    "Nous utilisons des cookies pour mesurer l'audience de ce site.\n"
    "Inscrivez-vous à notre newsletter\n"
    "Laisser un commentaire\n"
    "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *\n"
    "Sur le même sujet\n"
    "Le conseil municipal a voté le budget de l'année prochaine, qui prévoit une hausse des "
    "dépenses consacrées à l'entretien des routes et des écoles.\n";

TEST(CleanStageTest, FrenchPageDropsEachBoilerplateKind) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kFrenchPage, "fr-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "Une bibliothèque ouvre ses portes dans l'ancienne gare");
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(a.clean->published_at->substr(0, 10), "2025-03-03");
  auto lines = LinesOf(a.clean->text);
  ASSERT_EQ(lines.size(), 3u) << a.clean->text;
  EXPECT_TRUE(lines[2].starts_with("Les habitants pourront"));
  EXPECT_FALSE(Contains(a, "conseil municipal"));
  EXPECT_FALSE(Contains(a, "Mots-clés"));
  EXPECT_FALSE(Contains(a, "cookies"));
}

// Arabic page of our own, with presentation forms, tatweel, zero-width and
// bidi controls mixed in, a site banner with the fetch date, a stated
// publication date, an inline teaser and a stand-alone "read also" marker.
constexpr const char* kArabicPage =
    "الرئيسية / أخبار محلية\n"
    "الاثنين 23 نوفمبر 2026\n"
    "افتتاح سوق جديد للمزارعين في وسط المدينة\n"
    "تاريخ النشر: 5 فبراير 2025\n"
    "افتتحت البلدية صباح اليوم سوقاً جديداً للمزارعين في الساحة القديمة وسط المدينة، "
    "ويضم السوق أكثر من أربعين كشكاً لبيع الخضار والفواكه الطازجة.\n"
    "وقال رئيس البلدية إن السوق سيفتح أبوابه ثلاثة أيام في الأسبوع، وإن الهدف منه دعم "
    "المزارعين الصغار وتقريب المنتجات من السكان بأسعار معقولة.\n"
    "اقرأ أيضاً: ارتفاع أسعار الخضار مع بداية فصل الشتاء\n"
    "وأضاف أن البلدية ستعمل على توفير مواقف للسيارات قرب السوق خلال الأشهر المقبلة، "
    "بعد شكاوى من ازدحام الشوارع المحيطة بالساحة.\n"
    "كلمات دلالية: سوق، مزارعون، بلدية\n"
    "شارك الخبر\n"
    "تابعونا على فيسبوك\n"
    "اترك تعليقاً\n"
    "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *\n"
    "اقرأ أيضاً:\n"
    "أعلنت وزارة النقل عن خطة لتوسيع شبكة الحافلات في الضواحي الشرقية خلال العام المقبل، "
    "مع إضافة خطوط جديدة تربط الأحياء بالمستشفى الرئيسي.\n";

TEST(CleanStageTest, ArabicPageCutsGluedArticleAndKeepsTextAfterInlineTeaser) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kArabicPage, "ar-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "افتتاح سوق جديد للمزارعين في وسط المدينة");
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(a.clean->published_at->substr(0, 10), "2025-02-05");
  auto lines = LinesOf(a.clean->text);
  ASSERT_EQ(lines.size(), 3u) << a.clean->text;
  EXPECT_TRUE(lines[2].starts_with("وأضاف أن البلدية"));
  EXPECT_FALSE(Contains(a, "وزارة النقل"));
  EXPECT_FALSE(Contains(a, "اقرأ أيضاً"));
  EXPECT_EQ(a.clean->removed["date_banner"], 1);
}

TEST(CleanStageTest, BannerWithTodaysDateIsNotAPublicationDate) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  // The only date stands over the headline, in the site's header, and
  // equals the fetch date: the calendar day, not the article's.
  Article a = TextArticle(
      "23 November 2026\nBridge closed for repairs\n"
      "The old bridge over the river will be closed to traffic for two weeks while workers "
      "replace the worn surface and repaint the railings, the city said.\n",
      "banner-test");
  auto r = h.stage->Process(a);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(a.clean->published_at.has_value());
  EXPECT_EQ(a.clean->removed["date_banner"], 1);
}

TEST(CleanStageTest, DateUnderTheHeadlineOnTheFetchDayIsThePublicationDate) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  // Right under the headline, a date is the article's, also on the day the
  // page was fetched (most pages are read the day they come out). Before
  // this, such a date counted as a banner and the article had none.
  Article a = TextArticle(
      "Bridge closed for repairs\n23 November 2026\n"
      "The old bridge over the river will be closed to traffic for two weeks while workers "
      "replace the worn surface and repaint the railings, the city said.\n",
      "banner-test");
  auto r = h.stage->Process(a);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2026-11-23T00:00:00Z");
  EXPECT_EQ(a.clean->removed["dateline"], 1);
  EXPECT_EQ(a.clean->removed["date_banner"], 0);
}

TEST(CleanStageTest, IsoTimestampLineIsThePublicationDate) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(
      "Rain expected all week\n2024-05-02T08:30:00+02:00\n"
      "Forecasters expect steady rain across the region for the rest of the week, with the "
      "heaviest falls on Thursday night and a drier spell from Saturday.\n",
      "iso-test");
  auto r = h.stage->Process(a);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2024-05-02T08:30:00+02:00");
}

// "منذ ساعتين" under the title is the publication time, counted back from the
// fetch time (TextArticle fetches at 2026-11-23T19:00:00Z); days give a date.
TEST(CleanStageTest, RelativeDateUnderTheTitleIsResolvedAgainstTheFetchTime) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  const std::string body =
      "\n\xD8\xA3\xD8\xB9\xD9\x84\xD9\x86\xD8\xAA \xD8\xA7\xD9\x84\xD8\xAD\xD9\x83\xD9\x88\xD9\x85\xD8\xA9 "
      "\xD8\xB9\xD9\x86 \xD8\xAE\xD8\xB7\xD8\xA9 \xD8\xAC\xD8\xAF\xD9\x8A\xD8\xAF\xD8\xA9 \xD9\x84\xD8\xAA\xD9\x88\xD8\xB3\xD9\x8A\xD8\xB9 "
      "\xD8\xA7\xD9\x84\xD9\x85\xD9\x8A\xD9\x86\xD8\xA7\xD8\xA1 \xD8\xA7\xD9\x84\xD8\xAA\xD8\xAC\xD8\xA7\xD8\xB1\xD9\x8A "
      "\xD8\xAE\xD9\x84\xD8\xA7\xD9\x84 \xD8\xA7\xD9\x84\xD8\xB3\xD9\x86\xD9\x88\xD8\xA7\xD8\xAA "
      "\xD8\xA7\xD9\x84\xD8\xAE\xD9\x85\xD8\xB3 \xD8\xA7\xD9\x84\xD9\x85\xD9\x82\xD8\xA8\xD9\x84\xD8\xA9 "
      "\xD9\x88\xD9\x81\xD9\x82 \xD9\x85\xD8\xA7 \xD8\xA3\xD9\x81\xD8\xA7\xD8\xAF \xD8\xA8\xD9\x8A\xD8\xA7\xD9\x86 "
      "\xD8\xB1\xD8\xB3\xD9\x85\xD9\x8A \xD8\xB5\xD8\xAF\xD8\xB1 \xD8\xA7\xD9\x84\xD9\x8A\xD9\x88\xD9\x85.\n";
  // Title, then "منذ ساعتين" (two hours ago).
  Article ar = TextArticle("\xD8\xAE\xD8\xB7\xD8\xA9 \xD9\x84\xD8\xAA\xD9\x88\xD8\xB3\xD9\x8A\xD8\xB9 \xD8\xA7\xD9\x84\xD9\x85\xD9\x8A\xD9\x86\xD8\xA7\xD8\xA1\n"
                           "\xD9\x85\xD9\x86\xD8\xB0 \xD8\xB3\xD8\xA7\xD8\xB9\xD8\xAA\xD9\x8A\xD9\x86" + body, "rel-ar");
  ASSERT_TRUE(Forwarded(*h.stage, ar));
  ASSERT_TRUE(ar.clean->published_at.has_value());
  EXPECT_EQ(*ar.clean->published_at, "2026-11-23T17:00:00Z");
  EXPECT_EQ(ar.clean->text.find("\xD9\x85\xD9\x86\xD8\xB0"), std::string::npos) << "the date line is removed";

  Article en = TextArticle(
      "Rain expected all week\n3 days ago\n"
      "Forecasters expect steady rain across the region for the rest of the week, with the "
      "heaviest falls on Thursday night and a drier spell from Saturday.\n",
      "rel-en");
  ASSERT_TRUE(Forwarded(*h.stage, en));
  ASSERT_TRUE(en.clean->published_at.has_value());
  EXPECT_EQ(*en.clean->published_at, "2026-11-20T00:00:00Z");

  // "منذ يوم الاثنين" is "since Monday", not "a day ago"; a timestamp under
  // a teaser further down is not the article's date.
  Article since = TextArticle(
      "Rain expected all week\n"
      "\xD9\x85\xD9\x86\xD8\xB0 \xD9\x8A\xD9\x88\xD9\x85 \xD8\xA7\xD9\x84\xD8\xA7\xD8\xAB\xD9\x86\xD9\x8A\xD9\x86\n"
      "Forecasters expect steady rain across the region for the rest of the week, with the "
      "heaviest falls on Thursday night and a drier spell from Saturday.\n"
      "Farmers said the rain came too late for the wheat harvest but would help the orchards.\n"
      "5 hours ago\n",
      "rel-since");
  ASSERT_TRUE(Forwarded(*h.stage, since));
  EXPECT_FALSE(since.clean->published_at.has_value()) << *since.clean->published_at;
}

TEST(CleanStageTest, NormalisesArabicPresentationFormsAndControls) {
  clean::Normalizer n;
  // U+FEFB (lam-alef ligature), tatweel, ZWJ, RLM, LRE/PDF, NBSP, full-width digits.
  auto r = n.Normalize(
      "\xEF\xBB\xBB\xD8\xA8\xD8\xAF \xD9\x85\xD9\x80\xD9\x80\xD9\x86\xE2\x80\x8D\xE2\x80\x8F "
      "\xE2\x80\xAA\xD8\xB0\xD9\x84\xD9\x83\xE2\x80\xAC\xC2\xA0\xEF\xBC\x91\xEF\xBC\x92  \r\n\r\n  x ");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "\xD9\x84\xD8\xA7\xD8\xA8\xD8\xAF \xD9\x85\xD9\x86 \xD8\xB0\xD9\x84\xD9\x83 12\nx");
}

TEST(CleanStageTest, NormalisationComposesButKeepsTypography) {
  clean::Normalizer n;
  // "e" + combining acute composes; the ellipsis, superscript two and the
  // "ﬁ" ligature outside Arabic keep/lose compatibility forms as documented.
  auto r = n.Normalize("Caf" "e\xCC\x81 \xE2\x80\xA6 m\xC2\xB2 \xEF\xAC\x81n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "Caf\xC3\xA9 \xE2\x80\xA6 m\xC2\xB2 fin");
  // Chinese keeps its full-width comma and semicolon; full-width Latin
  // letters become ASCII, half-width katakana full-width.
  auto cjk = n.Normalize("\xE4\xB8\x80\xEF\xBC\x8C\xE4\xBA\x8C\xEF\xBC\x9B \xEF\xBC\xA1\xEF\xBD\x82 \xEF\xBD\xB1");
  ASSERT_TRUE(cjk.ok());
  EXPECT_EQ(*cjk, "\xE4\xB8\x80\xEF\xBC\x8C\xE4\xBA\x8C\xEF\xBC\x9B Ab \xE3\x82\xA2");
}

TEST(CleanStageTest, InvalidUtf8IsAnErrorNotCorruptedText) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(std::string("Valid start then \xC3\x28 broken byte\n"), "bad-utf8");
  auto r = h.stage->Process(a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
}

TEST(CleanStageTest, EmptyAndBoilerplateOnlyPagesAreDroppedWithReason) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  Article empty = TextArticle("", "empty");
  auto r = h.stage->Process(empty);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->forwarded());
  EXPECT_EQ(r->reason, "empty_page");

  Article junk = TextArticle("Share this article\nFollow us on Twitter\nSubscribe\nBack to top\n", "junk");
  r = h.stage->Process(junk);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->forwarded());
  EXPECT_EQ(r->reason, "only_boilerplate");
}

TEST(CleanStageTest, BinaryGarbageHasAClearOutcome) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245u + 12345u;
    garbage.push_back(static_cast<char>(x >> 24));
  }
  Article t = TextArticle(garbage, "garbage");
  auto r = h.stage->Process(t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  Article html = TextArticle(garbage, "garbage");
  html.content_type = ContentType::kTextHtml;
  r = h.stage->Process(html);  // decoded as windows-1252: any outcome but a crash
  if (r.ok() && html.clean) {
    EXPECT_TRUE(IsValidUtf8(html.clean->text));
  }
}

TEST(CleanStageTest, HugeTextPageCompletes) {
  CleanHarness h(testing::Given{{"max_ms_per_record", "60000"}});
  ASSERT_TRUE(h.open_status.ok());
  std::string para =
      "The committee met again on Thursday to review the draft plan, and members agreed to "
      "publish a revised version for comment before the end of the month.\n";
  std::string body = "Committee reviews draft plan\n";
  while (body.size() < (20u << 20)) body += para;
  Article a = TextArticle(body, "huge");
  auto r = h.stage->Process(a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(IsValidUtf8(a.clean->text));
}

TEST(CleanStageTest, HugeHtmlPageEndsCleanOrTimesOut) {
  std::string html = "<html><head><title>Big page</title></head><body><article>";
  const std::string para =
      "<p>The harbour board met on Tuesday and agreed to dredge the channel before the summer, "
      "so that larger ferries can dock at the old quay again.</p>\n";
  while (html.size() < (20u << 20)) html += para;
  html += "</article></body></html>";
  for (const char* budget : {"60000", "1"}) {
    CleanHarness h(testing::Given{{"max_ms_per_record", budget}});
    ASSERT_TRUE(h.open_status.ok());
    Article a = TextArticle(html, "huge-html");
    a.content_type = ContentType::kTextHtml;
    auto r = h.stage->Process(a);
    if (r.ok()) {
      ASSERT_TRUE(a.clean.has_value());
      EXPECT_TRUE(IsValidUtf8(a.clean->text));
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kTimeout) << r.status().ToString();
    }
  }
}

TEST(CleanStageTest, OversizedBodyIsRejected) {
  CleanHarness h(testing::Given{{"max_body_bytes", "1000"}});
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(std::string(2000, 'a'), "big");
  auto r = h.stage->Process(a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTooLarge);
}

TEST(CleanStageTest, DeeplyNestedAndBrokenHtmlHasAClearOutcome) {
  CleanHarness h(testing::Given{{"max_ms_per_record", "60000"}});
  ASSERT_TRUE(h.open_status.ok());
  std::string html = "<html><body>";
  for (int i = 0; i < 100000; ++i) html += "<div><span>";
  html += "<p>Deep text that nobody will read, buried under many layers of markup.";
  for (int i = 0; i < 5000; ++i) html += "</b></i><table><tr><td>";
  Article a = TextArticle(html, "deep");
  a.content_type = ContentType::kTextHtml;
  auto r = h.stage->Process(a);
  if (r.ok() && a.clean) {
    EXPECT_TRUE(IsValidUtf8(a.clean->text));
  }
}

TEST(CleanStageTest, HtmlKeepsArticleDropsFurnitureAndDecodesCharset) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  // windows-1252 bytes: \xE9 = é, \x92 = ’
  std::string html =
      "<html><head><meta charset=\"windows-1252\"><title>Caf\xE9 reopens | The Gazette</title>"
      "<meta property=\"article:published_time\" content=\"2025-06-01T09:00:00Z\"></head><body>"
      "<nav><a href=/>Home</a> <a href=/news>News</a> <a href=/sport>Sport</a></nav>"
      "<div class=\"cookie-banner\">We use cookies to make this site work.</div>"
      "<article><h1>Caf\xE9 reopens</h1>"
      "<p>The caf\xE9 on the corner of the market square reopened on Saturday after a "
      "six-month renovation, with a larger terrace and a new kitchen.</p>"
      "<p>The owner said she had kept the old wooden counter because regular customers "
      "asked her not to replace it, and that the menu would change every season.</p>"
      "<h2>Longer hours</h2>"
      "<p>It will now stay open until ten in the evening on weekdays, which the owner "
      "hopes will bring in people leaving the theatre across the street.</p>"
      "<div class=\"share-buttons\"><a href=#>Facebook</a><a href=#>Twitter</a></div>"
      "</article>"
      "<aside class=\"related\"><h3>Related</h3><ul><li><a href=/a>Bakery wins prize</a></li>"
      "<li><a href=/b>New bus line to the market</a></li></ul></aside>"
      "<section id=\"comments\"><h3>Leave a comment</h3><p>Your email address will not be "
      "published.</p></section>"
      "<footer><p>\xA9 2025 The Gazette. All rights reserved.</p></footer>"
      "<script>var x = '<p>not text</p>';</script></body></html>";
  Article a = HtmlArticle(html, "html-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_EQ(a.clean->title, "Caf\xC3\xA9 reopens");
  ASSERT_TRUE(a.clean->published_at.has_value());
  EXPECT_EQ(*a.clean->published_at, "2025-06-01T09:00:00Z");
  auto lines = LinesOf(a.clean->text);
  ASSERT_EQ(lines.size(), 4u) << a.clean->text;
  EXPECT_TRUE(lines[0].starts_with("The caf\xC3\xA9 on the corner"));
  EXPECT_EQ(lines[2], "Longer hours");
  EXPECT_FALSE(Contains(a, "cookies"));
  EXPECT_FALSE(Contains(a, "Bakery"));
  EXPECT_FALSE(Contains(a, "email"));
  EXPECT_FALSE(Contains(a, "Gazette"));
  EXPECT_FALSE(Contains(a, "not text"));
}

// Issue 13 #4: the body of a record is UTF-8 (producers decode legacy pages
// with ICU); a <meta charset> or meta.charset left over from the original
// bytes must not decode it again (windows-1256 garbled it, ISO-8859-6 emptied it).
TEST(CleanStageTest, Utf8BodyWithStaleLegacyCharsetIsNotDecodedAgain) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  // Made-up sentences for the test.
  const std::string p1 = "ذهب الولد إلى السوق صباح يوم الجمعة واشترى الخبز والفاكهة لعائلته الكبيرة.";
  const std::string p2 = "ثم عاد إلى البيت قبل الظهر وساعد أمه في تحضير الغداء للضيوف القادمين من المدينة.";
  const std::string p3 = "وفي المساء جلس مع أصدقائه في الحديقة وتحدثوا طويلا عن المدرسة والامتحانات القادمة.";
  for (const std::string label : {"windows-1256", "iso-8859-6"}) {
    for (bool hint : {false, true}) {
      Article a = HtmlArticle("<html><head><meta charset=\"" + label + "\"><title>خبر</title></head><body><article>"
                              "<h1>عودة الولد</h1><p>" + p1 + "</p><p>" + p2 + "</p><p>" + p3 +
                              "</p></article></body></html>",
                              "ar-test");
      if (hint) a.meta["charset"] = label;  // a producer that kept the HTTP charset
      ASSERT_TRUE(Forwarded(*h.stage, a)) << label;
      EXPECT_NE(a.clean->text.find(p1), std::string::npos) << label << " hint=" << hint << ": " << a.clean->text;
      EXPECT_NE(a.clean->text.find(p3), std::string::npos) << label << " hint=" << hint;
    }
  }
}

// Pages broken in ways seen in the wild: a <noscript> left open by a stray
// tag (libxml2 would keep it open to the end of the page), the readable copy
// of a script-rendered article inside <noscript>, and a NUL byte.
TEST(CleanStageTest, HtmlNoscriptAndNulBytesDoNotHideTheArticle) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  const std::string body =
      "<p>The ferry company said on Monday that the night crossing would return in April, "
      "two years after it was cut for lack of passengers.</p>"
      "<p>Tickets go on sale next week, and the first sailing is already half full, "
      "according to the company's spokesman.</p>";
  const std::string pages[] = {
      "<html><body><noscript><div class=\"nojs\"></noscript><div id=\"main\">" + body +
          "</div></body></html>",
      "<html><body><div class=\"post\"><script type=\"text/template\">" + body +
          "</script><noscript>" + body + "</noscript></div></body></html>",
      "<html><body><div>" + body.substr(0, 40) + std::string(1, '\0') + body.substr(40) +
          "</div></body></html>",
      // Left open with no closing tag at all, and one inside another: each
      // tag goes on its own (both hid the article before: "empty_page").
      "<html><body><noscript><img src=\"x.gif\"><div id=\"main\">" + body + "</div></body></html>",
      "<html><body><noscript><noscript>Enable JavaScript</noscript></noscript><div id=\"main\">" +
          body + "</div></body></html>",
  };
  for (const std::string& html : pages) {
    Article a = HtmlArticle(html, "noscript-test");
    ASSERT_TRUE(Forwarded(*h.stage, a)) << html;
    EXPECT_TRUE(Contains(a, "night crossing would return in April")) << a.clean->text;
    EXPECT_TRUE(Contains(a, "first sailing is already half full")) << a.clean->text;
    EXPECT_EQ(a.clean->text.find('\0'), std::string::npos);
  }
}

// One <br> breaks a line inside a paragraph, two end the paragraph: text
// set with a <br> per line stays whole paragraphs.
TEST(CleanStageTest, HtmlLineBreaksJoinAndDoubleBreaksSplitParagraphs) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  std::string html =
      "<html><body><div class=\"post\">"
      "The harbour master said on Friday that the old<br>\n"
      "lighthouse would be repaired before the winter,<br>\n"
      "after a storm broke two of its windows last month.<br><br>\n"
      "Work is expected to take six weeks and will be paid<br>\n"
      "for by the port authority and the town together.</div></body></html>";
  Article a = HtmlArticle(html, "br-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  auto lines = LinesOf(a.clean->text);
  ASSERT_EQ(lines.size(), 2u) << a.clean->text;
  EXPECT_EQ(lines[0],
            "The harbour master said on Friday that the old lighthouse would be repaired before "
            "the winter, after a storm broke two of its windows last month.");
  EXPECT_TRUE(lines[1].starts_with("Work is expected to take six weeks and will be paid for"));
}

// "teaser" marks both a box of links to other articles and, on the article's
// own page, its lede: only the box that links away is boilerplate.
TEST(CleanStageTest, HtmlTeaserClassDropsLinkBoxesKeepsLede) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  std::string html =
      "<html><body><div class=\"content\">"
      "<h1>Night ferry returns</h1>"
      "<div class=\"teaser-text\">After two years without it, islanders will again be able "
      "to reach the mainland overnight.</div>"
      "<p>The ferry company said on Monday that the night crossing would return in April, "
      "two years after it was cut for lack of passengers.</p>"
      "<p>Tickets go on sale next week, and the first sailing is already half full, "
      "according to the company's spokesman.</p></div>"
      "<div class=\"teaser\"><h3><a href=\"/harbour\">Harbour dredging starts</a></h3>"
      "<div class=\"teaser-text\">Work to deepen the harbour entrance began this week and "
      "will last until the summer.</div></div>"
      "</body></html>";
  Article a = HtmlArticle(html, "teaser-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_TRUE(Contains(a, "islanders will again be able")) << a.clean->text;
  EXPECT_TRUE(Contains(a, "night crossing would return")) << a.clean->text;
  EXPECT_FALSE(Contains(a, "deepen the harbour")) << a.clean->text;
}

// Inside the article container: picture credits, an author box, an
// affiliate disclosure and a rating widget are not article text.
TEST(CleanStageTest, HtmlDropsCreditsAuthorBoxDisclosureAndRatingWidget) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  std::string html =
      "<html><body><article><h1>Lighthouse keepers return</h1>"
      "<p>This post contains affiliate links, and we may earn a commission when you buy.</p>"
      "<p>For the first time in forty years, the lighthouse on the northern cape has a keeper "
      "living in it, after the coastguard decided that automation alone was not enough.</p>"
      "<figure><img src=a.jpg><div>The lighthouse seen from the harbour. (Photo: Jane Roe / "
      "Getty Images)</div></figure>"
      "<p>The new keeper, a retired fisherman, will check the lamp every night and report "
      "ships in trouble by radio to the station in the bay.</p>"
      "<div>Foto: Max Muster</div>"
      "<p>A photo (taken by a neighbour in May, see image 2) shows the lamp lit again.</p>"
      "<p>He said the job had been his dream since he was a boy watching the light from his "
      "bedroom window across the water.</p>"
      "<div>\xC2\xA9 2025 Coastal News. All rights reserved.</div>"
      "<div>Was this article helpful?</div>"
      "<div class=\"author-box\"><p>Sam Writer covers the coast and its people for the paper "
      "and has lived in the harbour town for twenty years with two dogs.</p></div>"
      "</article></body></html>";
  Article a = HtmlArticle(html, "credit-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_TRUE(Contains(a, "lighthouse on the northern cape")) << a.clean->text;
  EXPECT_TRUE(Contains(a, "retired fisherman")) << a.clean->text;
  EXPECT_TRUE(Contains(a, "his dream since he was a boy")) << a.clean->text;
  EXPECT_TRUE(Contains(a, "shows the lamp lit again")) << a.clean->text;
  EXPECT_FALSE(Contains(a, "Getty")) << a.clean->text;
  EXPECT_FALSE(Contains(a, "Max Muster")) << a.clean->text;
  EXPECT_FALSE(Contains(a, "All rights reserved")) << a.clean->text;
  EXPECT_FALSE(Contains(a, "affiliate")) << a.clean->text;
  EXPECT_FALSE(Contains(a, "helpful")) << a.clean->text;
  EXPECT_FALSE(Contains(a, "two dogs")) << a.clean->text;
  EXPECT_GE(a.clean->removed["caption"], 3);
  EXPECT_EQ(a.clean->removed["disclosure"], 1);
  EXPECT_EQ(a.clean->removed["feedback"], 1);
}

// A news agency in a dateline opens the article text, and a line that only
// starts with a credit word ("Credit unions ...") is not a credit: only
// picture agencies and credit labels with their colon mark a caption.
TEST(CleanStageTest, AgencyDatelineIsNotACredit) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  std::string page =
      "Ferry strike ends after two weeks\n"
      "PARIS (AFP) - Ferry crews ended their strike on Monday after the company agreed to hire "
      "more sailors.\n"
      "The strike had left islanders without a daily connection to the mainland for two weeks, "
      "and shops had begun to run out of fresh food.\n"
      "Unions said they would watch closely whether the promised sailors are hired by spring.\n"
      "Credit unions on the islands said deposits had fallen during the strike.\n";
  Article a = TextArticle(page, "dateline-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_TRUE(Contains(a, "PARIS (AFP) - Ferry crews ended their strike")) << a.clean->text;
  EXPECT_TRUE(Contains(a, "Credit unions on the islands")) << a.clean->text;
  EXPECT_EQ(a.clean->removed.count("caption"), 0u);
}

TEST(CleanStageTest, LearnsPerSourceTemplateAndPersistsIt) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("clean_tpl_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto page = [](int i) {
    return "Story number " + std::to_string(i) + " from the valley\n" +
           "Gazette Plus: all our stories for one euro\n" +
           "This is the body of story " + std::to_string(i) +
           ", which tells what happened in the valley on day " + std::to_string(i) +
           " and why the people there cared about it so much.\n";
  };
  {
    CleanHarness h(testing::Given{{"template_min_pages", "3"}}, dir.string());
    ASSERT_TRUE(h.open_status.ok());
    for (int i = 0; i < 3; ++i) {
      Article a = TextArticle(page(i), "valley-gazette", "id" + std::to_string(i));
      ASSERT_TRUE(h.stage->Process(a).ok());
    }
    Article a = TextArticle(page(3), "valley-gazette", "id3");
    ASSERT_TRUE(h.stage->Process(a).ok());
    EXPECT_FALSE(Contains(a, "Gazette Plus")) << a.clean->text;
    EXPECT_EQ(a.clean->removed["template"], 1);
    // Another source has not learnt it.
    Article b = TextArticle(page(4), "other-site", "id4");
    ASSERT_TRUE(h.stage->Process(b).ok());
    EXPECT_EQ(b.clean->removed.count("template"), 0u);
    ASSERT_TRUE(h.stage->Close().ok());
  }
  {
    CleanHarness h(testing::Given{{"template_min_pages", "3"}}, dir.string());
    ASSERT_TRUE(h.open_status.ok());
    Article a = TextArticle(page(9), "valley-gazette", "id9");
    ASSERT_TRUE(h.stage->Process(a).ok());
    EXPECT_EQ(a.clean->removed["template"], 1) << "state not reloaded";
  }
  fs::remove_all(dir);
}

TEST(CleanStageTest, RefetchedArticleDoesNotBecomeTemplate) {
  CleanHarness h(testing::Given{{"template_min_pages", "2"}});
  ASSERT_TRUE(h.open_status.ok());
  std::string body =
      "Same story\nA short second line here\nThe same story fetched again and again must "
      "keep its text, because a re-fetch is not evidence of a site template at all.\n";
  for (int i = 0; i < 4; ++i) {
    Article a = TextArticle(body, "refetch", "same-id");
    ASSERT_TRUE(h.stage->Process(a).ok());
    EXPECT_EQ(a.clean->removed.count("template"), 0u);
  }
}

TEST(CleanStageTest, DescriptorRejectsUnknownSettings) {
  auto d = CleanStageDescriptor();
  EXPECT_EQ(d.name, "clean");
  auto s = Settings::Parse(d.options, {{"no_such_key", "1"}}, "clean");
  EXPECT_FALSE(s.ok());
}

TEST(CleanStageTest, ExposesRemovalMetrics) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  Article a = TextArticle(kEnglishPage, "metrics");
  ASSERT_TRUE(h.stage->Process(a).ok());
  bool found = false;
  for (const auto& fam : h.registry.Collect()) {
    if (fam.name == "newsflow_clean_removed_blocks_total") {
      for (const auto& m : fam.metric) {
        if (m.label.size() == 1 && m.label[0].value == "read_also" && m.counter.value > 0) found = true;
      }
    }
  }
  EXPECT_TRUE(found);
}

// Found by fuzz_clean (fuzz/corpus/clean/regress-year-3824-meta-date): reading
// a metadata date beyond what the clock holds overflowed a signed integer in
// ParseRfc3339 (undefined behaviour; the sanitizer build aborts on it). The
// date is read without overflow, and, outside the envelope's years (1700 to
// 2200), it is no date: clean emitted "3824-10-05T00:00:00Z" here, which the
// next stage's codec refuses, dead-lettering the whole article.
TEST(CleanStageTest, MetadataDateBeyondTheClockIsReadWithoutOverflow) {
  CleanHarness h;
  ASSERT_TRUE(h.open_status.ok());
  std::string html =
      "<html><head><title>Harbour works</title>"
      "<meta property=\"article:published_time\" content=\"3824-10-05T09:30:00+03:00\"></head><body>"
      "<article><h1>Harbour works</h1>"
      "<p>The harbour authority said on the first day of the works that the new quay would be "
      "finished before the winter storms, and that ferries would keep running meanwhile.</p>"
      "<p>Fishermen said they had been promised a larger basin for years and would believe it "
      "when they saw the first boats moored along the new wall.</p></article></body></html>";
  Article a = HtmlArticle(html, "date-test");
  ASSERT_TRUE(Forwarded(*h.stage, a));
  EXPECT_FALSE(a.clean->published_at.has_value()) << *a.clean->published_at;
  Codec codec;
  Article back;
  EXPECT_TRUE(codec.Decode(Codec::Encode(a), back).ok());
}

}  // namespace
}  // namespace newsflow
