#include "fasttext_engine.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "newsflow/paths.h"
#include "test_texts.h"

namespace newsflow::langid {
namespace {

using namespace newsflow::langid::testing;

TEST(LangidFastTextEngineTest, OwnTokeniserMatchesPredictLine) {
  const std::string path = ModelsDir() + "/lid.176.ftz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no fastText model at " << path;
  auto engine = FastTextEngine::Load(path);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  // The flat n-gram index was read and checked against libfasttext.
  EXPECT_TRUE((*engine)->fast_ngrams());

  for (const std::string* text : {&kArabic, &kPersian, &kUrdu, &kPashto, &kSorani, &kKurmanji,
                                  &kEnglish, &kArabicNewsPersianLetters, &kMixedEnglishQuote}) {
    // Twice: the second time from the token memo.
    for (int pass = 0; pass < 2; ++pass) {
      const std::vector<FastTextGuess> ours = (*engine)->Predict(*text, USCRIPT_ARABIC);
      const std::vector<FastTextGuess> stock = (*engine)->PredictLine(*text, USCRIPT_ARABIC);
      ASSERT_EQ(ours.size(), stock.size()) << *text;
      for (size_t i = 0; i < ours.size(); ++i) {
        EXPECT_EQ(ours[i].code, stock[i].code) << *text;
        EXPECT_NEAR(ours[i].probability, stock[i].probability, 1e-4) << *text;
      }
    }
  }
}

TEST(LangidFastTextEngineTest, MissingModelIsNotFound) {
  auto engine = FastTextEngine::Load("/nonexistent/lid.176.ftz");
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace newsflow::langid
