#include "language_detector.h"

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "newsflow/paths.h"
#include "newsflow/text.h"
#include "test_texts.h"

namespace newsflow::langid {
namespace {

using namespace newsflow::langid::testing;

std::string ModelPath() { return ModelsDir() + "/lid.176.ftz"; }

// One detector with the model for the whole suite: loading takes a while.
class LangidDetectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(ModelPath())) return;
    DetectorOptions opt;
    opt.model_path = ModelPath();
    auto d = LanguageDetector::Create(opt);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    detector_ = std::move(d).value().release();
  }
  static void TearDownTestSuite() {
    delete detector_;
    detector_ = nullptr;
  }
  void SetUp() override {
    if (detector_ == nullptr) GTEST_SKIP() << "no fastText model at " << ModelPath();
  }
  Detection Detect(const std::string& text) {
    Detection d;
    detector_->Detect(text, d);
    return d;
  }
  static LanguageDetector* detector_;
};
LanguageDetector* LangidDetectorTest::detector_ = nullptr;

TEST_F(LangidDetectorTest, TellsArabicScriptNeighboursApart) {
  struct Case {
    const std::string* text;
    std::string_view code;
  };
  const Case cases[] = {{&kArabic, "ar"}, {&kPersian, "fa"}, {&kUrdu, "ur"},
                        {&kPashto, "ps"}, {&kSorani, "ckb"}};
  for (const Case& c : cases) {
    const Detection d = Detect(*c.text);
    EXPECT_EQ(d.code, c.code) << *c.text;
    EXPECT_EQ(d.script, "Arab");
    EXPECT_GE(d.confidence, 0.5) << c.code;
    EXPECT_LE(d.confidence, 1.0) << c.code;
  }
}

TEST_F(LangidDetectorTest, NamesLanguageAndScriptAcrossScripts) {
  struct Case {
    std::string text;
    std::string_view code;
    std::string_view script;
  };
  const Case cases[] = {
      {"Bugün hava çok güzeldi, bu yüzden parkta arkadaşlarımızla uzun bir yürüyüş yaptık.",
       "tr", "Latn"},
      {"Heute war das Wetter sehr schön, deshalb sind wir mit Freunden lange im Park "
       "spazieren gegangen.",
       "de", "Latn"},
      {"Hoy hizo muy buen tiempo, así que dimos un largo paseo por el parque con nuestros "
       "amigos.",
       "es", "Latn"},
      {"Сегодня была прекрасная погода, поэтому мы долго гуляли в парке с друзьями.", "ru",
       "Cyrl"},
      {"היום מזג האוויר היה יפה מאוד, ולכן טיילנו זמן רב בפארק עם החברים שלנו.", "he", "Hebr"},
      {"今天天气非常好，所以我们和朋友们在公园里散步了很长时间。", "zh", "Hani"},
      {"今日はとても良い天気だったので、友達と公園を長い時間散歩しました。", "ja", "Jpan"},
      {"오늘은 날씨가 아주 좋아서 친구들과 함께 공원에서 오랫동안 산책을 했습니다.", "ko",
       "Hang"},
      {"اڄ موسم ڏاڍي سٺي هئي، تنهن ڪري اسان دوستن سان گڏ باغ ۾ گهڻي دير تائين گهمندا رهياسين.",
       "sd", "Arab"},
      {"بۈگۈن ھاۋا ناھايىتى ياخشى ئىدى، شۇڭا بىز دوستلىرىمىز بىلەن باغچىدا ئۇزۇن ساياھەت قىلدۇق.",
       "ug", "Arab"},
  };
  for (const Case& c : cases) {
    const Detection d = Detect(c.text);
    EXPECT_EQ(d.code, c.code) << c.text;
    EXPECT_EQ(d.script, c.script) << c.text;
  }
}

TEST_F(LangidDetectorTest, KurmanjiIsKmrNeverBareKu) {
  const Detection d = Detect(kKurmanji);
  EXPECT_EQ(d.code, "kmr");
  EXPECT_EQ(d.script, "Latn");
}

TEST_F(LangidDetectorTest, ArabicTypedWithPersianLettersStaysArabic) {
  EXPECT_EQ(Detect(kArabicNews).code, "ar");
  const Detection d = Detect(kArabicNewsPersianLetters);
  EXPECT_EQ(d.code, "ar") << "engine " << d.engine << " confidence " << d.confidence;
  // And Persian itself, which uses the same letter forms, stays Persian.
  EXPECT_EQ(Detect(kPersian).code, "fa");
}

TEST_F(LangidDetectorTest, MixedArticleKeepsArabicAndReportsTheEnglishPart) {
  const std::string text = MixedArticle();
  const Detection d = Detect(text);
  EXPECT_EQ(d.code, "ar");
  EXPECT_EQ(d.script, "Arab");

  // The quote, in code points.
  const int64_t quote_start = CountCodePoints(kMixedArabicParagraph1) + 1;
  const int64_t quote_end = quote_start + CountCodePoints(kMixedEnglishQuote);
  bool found = false;
  for (const Span& s : d.spans) {
    EXPECT_NE(s.code, "ar");
    EXPECT_LT(s.start, s.end);
    EXPECT_LE(s.end, CountCodePoints(text));
    if (s.code == "en" && s.start <= quote_start + 2 && s.end >= quote_end - 2) found = true;
  }
  EXPECT_TRUE(found) << "no English span over code points [" << quote_start << ", " << quote_end
                     << "); spans: " << d.spans.size();
  // Offsets are code points: the text the spans cut out is the quote and
  // the byline, nothing Arabic.
  std::string english;
  for (const Span& s : d.spans) {
    const size_t b = ByteOffsetOfCodePoint(text, s.start);
    const size_t e = ByteOffsetOfCodePoint(text, s.end);
    english += text.substr(b, e - b) + "|";
  }
  EXPECT_NE(english.find("half a million people"), std::string::npos) << english;
  EXPECT_NE(english.find(kMixedByline), std::string::npos) << english;
  EXPECT_EQ(english.find("\xD9\x88"), std::string::npos) << english;  // و
}

TEST_F(LangidDetectorTest, EnglishBylineUnderArabicArticleIsASpan) {
  const std::string text = kArabicNews + "\n" + kMixedByline;
  const Detection d = Detect(text);
  EXPECT_EQ(d.code, "ar");
  ASSERT_EQ(d.spans.size(), 1u);
  EXPECT_EQ(d.spans[0].code, "en");
  EXPECT_EQ(d.spans[0].start, CountCodePoints(kArabicNews) + 1);
  EXPECT_EQ(d.spans[0].end, CountCodePoints(text));
}

TEST_F(LangidDetectorTest, EnglishParagraphInFrenchArticleIsASpan) {
  // Same script: found through CLD2's chunks, not through scripts.
  const std::string fr1 =
      "Le conseil municipal a adopté mardi un nouveau budget qui double les dépenses pour les "
      "transports publics et ajoute trois lignes de bus dans les quartiers du nord.";
  const std::string fr2 =
      "Les syndicats ont salué cette décision, mais ils demandent davantage de moyens pour "
      "les conducteurs et pour les équipes chargées de l'entretien des véhicules.";
  const std::string text = fr1 + "\n" + kEnglish + "\n" + fr2;
  const Detection d = Detect(text);
  EXPECT_EQ(d.code, "fr");
  ASSERT_FALSE(d.spans.empty());
  EXPECT_EQ(d.spans[0].code, "en");
  const int64_t start = CountCodePoints(fr1) + 1;
  EXPECT_NEAR(d.spans[0].start, start, 3);
  EXPECT_NEAR(d.spans[0].end, start + CountCodePoints(kEnglish), 3);
}

TEST_F(LangidDetectorTest, MonolingualTextHasNoSpans) {
  EXPECT_TRUE(Detect(kArabicNews).spans.empty());
  EXPECT_TRUE(Detect(kEnglish + "\n" + kEnglish).spans.empty());
}

TEST_F(LangidDetectorTest, EmptyTextIsUnd) {
  const Detection d = Detect("");
  EXPECT_EQ(d.code, "und");
  EXPECT_EQ(d.confidence, 0);
  EXPECT_EQ(d.script, "Zzzz");
  EXPECT_TRUE(d.spans.empty());
}

TEST_F(LangidDetectorTest, DigitsAndPunctuationAreUnd) {
  for (const std::string text :
       {"12,345.67 -- 2024/11/23 (+1) 555-0100 !!! ??? ... 99% #42 @ 3:15",
        "٣٤٥٬٦٧ ١٢٣٤٥ ، ؛ ؟ ۱۴۰۳/۰۸/۰۳", "$ 1 000 000 = € 920 000 ± 5 %"}) {
    const Detection d = Detect(text);
    EXPECT_EQ(d.code, "und") << text;
    EXPECT_EQ(d.script, "Zyyy") << text;
  }
}

TEST_F(LangidDetectorTest, TooShortIsUnd) { EXPECT_EQ(Detect("Hi!").code, "und"); }

TEST_F(LangidDetectorTest, ControlCharactersDoNotBreakDetection) {
  // C1 controls make CLD2 refuse a whole text unless they are blanked.
  std::string text = kEnglish;
  text.insert(20, "\xC2\x85");
  text.insert(5, "\x01\x1B");
  text += "\xFF\xFE";  // invalid UTF-8
  text.insert(40, "\xEF\xBF\xBE");  // a noncharacter, U+FFFE
  EXPECT_EQ(Detect(text).code, "en");
}

TEST_F(LangidDetectorTest, TenMegabyteTextDoesNotCrash) {
  std::string text;
  text.reserve(10'500'000);
  while (text.size() < 10'000'000) {
    text += kEnglish;
    text += '\n';
    text += kArabic;
    text += '\n';
    text += kEnglish;
    text += '\n';
  }
  const auto t0 = std::chrono::steady_clock::now();
  const Detection d = Detect(text);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(d.code == "en" || d.code == "ar") << d.code;
  std::printf("10 MB text: %s in %.2f s, %zu spans\n", std::string(d.code).c_str(), s,
              d.spans.size());
}

TEST(LangidCld2OnlyTest, RunsWithoutTheModel) {
  DetectorOptions opt;
  opt.model_path = "/nonexistent/lid.176.ftz";
  auto d = LanguageDetector::Create(opt);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE((*d)->fasttext_loaded());
  Detection out;
  (*d)->Detect(kEnglish, out);
  EXPECT_EQ(out.code, "en");
  EXPECT_EQ(out.engine, "cld2");
  (*d)->Detect(kArabicNews, out);
  EXPECT_EQ(out.code, "ar");
  (*d)->Detect(kUrdu, out);
  EXPECT_EQ(out.code, "ur");
  (*d)->Detect("", out);
  EXPECT_EQ(out.code, "und");
}

TEST(LangidCld2OnlyTest, CorruptModelIsAnError) {
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("newsflow_langid_bad_model_" + std::to_string(::getpid()) + ".ftz")).string();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("not a model", f);
    std::fclose(f);
  }
  DetectorOptions opt;
  opt.model_path = path;
  auto d = LanguageDetector::Create(opt);
  EXPECT_FALSE(d.ok());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace newsflow::langid
