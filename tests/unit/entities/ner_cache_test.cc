// The tagger sums per-word feature weights once per distinct word (word
// cache) and adds only the features of neighbouring words together per
// token. Its emission scores must equal, exactly, the sum of the weights of
// FeatureExtractor::Features (the features training sees), on the shipped
// models, over text with clitics, Latin words, digits and gazetteer names,
// and after the cache is cleared.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "huge_pages.h"
#include "ner.h"
#include "newsflow/paths.h"
#include "text_norm.h"

namespace newsflow::entities {
namespace {

const char* const kTexts[] = {
    "وقال رئيس الوزراء العراقي مصطفى الكاظمي في بغداد إن وزارة الدفاع الأميركية البنتاغون "
    "أرسلت وفداً إلى واشنطن ، وأكد أن عصائب أهل الحق لم تشارك .",
    "التقى الرئيس جو بايدن بالعراقيين في البيت الأبيض يوم 12 مارس 2021 مع Microsoft و Apple Inc.",
    "The Voltera Energy chief Tomas Berg met Kirkby Haven officials on Grant Avenue in New York .",
    "John Smith , a former U.S. senator , said the United Nations would meet in Geneva .",
    "و ب ل ك ف ال .",
    "x",
};

void CheckLanguage(const std::string& lang) {
  const std::string dir = StageDataDir("entities");
  Model model;
  Resources res;
  ASSERT_TRUE(model.Load(dir + "/" + lang + ".model").ok()) << dir;
  // As the stage loads them: every language's clusters file.
  ASSERT_TRUE(res.LoadClusters(dir + "/" + lang + ".clusters.tsv").ok());
  ASSERT_TRUE(res.gazetteer.LoadDir(dir + "/gazetteer").ok());
  Tagger tagger(&model, &res);
  FeatureExtractor reference(&res);
  std::vector<Token> tokens;
  std::vector<std::string_view> words;
  std::vector<uint64_t> feats;
  std::vector<int> tags;
  int64_t checked = 0;
  for (int round = 0; round < 3; ++round) {
    // Round 1 reuses the cache; round 2 starts after a forced clear.
    tagger.BeginDocument(round == 2 ? 0 : Tagger::kMaxCachedWords);
    for (const char* text : kTexts) {
      const std::string_view t(text);
      Tokenize(t, &tokens);
      words.clear();
      for (const Token& tok : tokens) words.push_back(t.substr(tok.byte_begin, tok.byte_end - tok.byte_begin));
      tagger.Tag(words, &tags);
      reference.Prepare(words);
      const std::vector<float>& emit = tagger.emissions();
      ASSERT_EQ(emit.size(), words.size() * kNumTags);
      for (size_t i = 0; i < words.size(); ++i) {
        reference.Features(i, &feats);
        float want[kNumTags] = {};
        model.Score(feats, want);
        for (int k = 0; k < kNumTags; ++k) {
          ASSERT_EQ(emit[i * kNumTags + k], want[k])
              << lang << " token " << i << " (" << words[i] << ") tag " << kTagNames[k];
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(EntitiesNerCacheTest, CachedScoresEqualFeatureScoresArabic) { CheckLanguage("ar"); }
TEST(EntitiesNerCacheTest, CachedScoresEqualFeatureScoresEnglish) { CheckLanguage("en"); }

TEST(EntitiesNerCacheTest, CacheIsBoundedAcrossDocuments) {
  const float trans[kNumTags + 1][kNumTags] = {};
  Model model;
  model.Build({}, trans);
  Resources res;
  Tagger tagger(&model, &res);
  std::vector<std::string> owned;
  std::vector<int> tags;
  for (int doc = 0; doc < 50; ++doc) {
    tagger.BeginDocument(100);
    owned.clear();
    for (int w = 0; w < 30; ++w) owned.push_back("w" + std::to_string(doc * 30 + w));
    std::vector<std::string_view> words(owned.begin(), owned.end());
    tagger.Tag(words, &tags);
    EXPECT_LE(tagger.extractor().cache_size(), 130u);
    EXPECT_EQ(tagger.extractor().folded(29), owned[29]);
  }
}

// The word cache's store: entries never move as it grows past a chunk (the
// tagger keeps pointers to them for a sentence), each is constructed once and
// destroyed by clear() and by the store's end, and it fills again after clear().
TEST(ChunkedStoreTest, EntriesStayPutAndAreDestroyedOnce) {
  auto alive = std::make_shared<int>(0);
  struct Counted {
    std::shared_ptr<int> alive;
    std::string text;
    Counted() = default;
    ~Counted() {
      if (alive) --*alive;
    }
  };
  {
    ChunkedStore<Counted, 4> store;
    std::vector<const Counted*> where;
    for (int i = 0; i < 10; ++i) {  // three chunks
      Counted& c = store.emplace_back();
      c.alive = alive;
      ++*alive;
      c.text = "word " + std::to_string(i) + " long enough to live on the heap";
      where.push_back(&c);
    }
    ASSERT_EQ(store.size(), 10u);
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(&store[i], where[i]);
      EXPECT_EQ(store[i].text, "word " + std::to_string(i) + " long enough to live on the heap");
    }
    store.clear();
    EXPECT_EQ(*alive, 0);
    EXPECT_EQ(store.size(), 0u);
    Counted& again = store.emplace_back();
    again.alive = alive;
    ++*alive;
    EXPECT_EQ(&again, where[0]);  // the chunks are kept
    ChunkedStore<Counted, 4> moved = std::move(store);
    EXPECT_EQ(moved.size(), 1u);
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(*alive, 1);
  }
  EXPECT_EQ(*alive, 0);  // the moved-to store destroyed the last one
}

}  // namespace
}  // namespace newsflow::entities
