#include "fasttext_engine.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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

// Engines that load one file (copies of the stage in one process) share one
// load of the model while any of them holds it, predict the same from two
// threads at once, and read the file again once it changed or no engine
// holds it any more.
TEST(LangidFastTextEngineTest, EnginesOfOneFileShareOneLoad) {
  namespace fs = std::filesystem;
  const std::string shipped = ModelsDir() + "/lid.176.ftz";
  if (!fs::exists(shipped)) GTEST_SKIP() << "no fastText model at " << shipped;
  const fs::path dir = fs::temp_directory_path() / ("newsflow_ft_share_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "lid.176.ftz").string();
  fs::copy_file(shipped, path);

  const int64_t start = FastTextEngine::Loads();
  auto a = FastTextEngine::Load(path);
  auto b = FastTextEngine::Load(path);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(FastTextEngine::Loads() - start, 1) << "the second engine read the file again";
  EXPECT_TRUE((*b)->fast_ngrams());

  // Both at once, each with its own scratch, against one engine alone.
  auto codes = [](FastTextEngine& e) {
    std::vector<std::string> out;
    for (int round = 0; round < 50; ++round) {
      for (const std::string* text : {&kArabic, &kPersian, &kUrdu, &kEnglish, &kMixedEnglishQuote}) {
        const auto& g = e.Predict(*text, USCRIPT_ARABIC);
        out.push_back(g.empty() ? "" : std::string(g[0].code) + ":" + std::to_string(g[0].probability));
      }
    }
    return out;
  };
  std::vector<std::string> from_a, from_b;
  std::thread ta([&] { from_a = codes(**a); });
  std::thread tb([&] { from_b = codes(**b); });
  ta.join();
  tb.join();
  auto c = FastTextEngine::Load(path);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(from_a, codes(**c));
  EXPECT_EQ(from_b, from_a);
  EXPECT_EQ(FastTextEngine::Loads() - start, 1);

  // A changed file is read again by the next engine.
  fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(5));
  auto d = FastTextEngine::Load(path);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FastTextEngine::Loads() - start, 2);
  EXPECT_EQ(codes(**d), from_a);

  // Once no engine holds it, the next Load reads the file again.
  a = Status::NotFound("released");
  b = Status::NotFound("released");
  c = Status::NotFound("released");
  d = Status::NotFound("released");
  auto e = FastTextEngine::Load(path);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(FastTextEngine::Loads() - start, 3);
  fs::remove_all(dir);
}

TEST(LangidFastTextEngineTest, MissingModelIsNotFound) {
  auto engine = FastTextEngine::Load("/nonexistent/lid.176.ftz");
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace newsflow::langid
