// Dense word vectors as real-valued features (round 5 experiment): the
// vectors file loads as written (scaled, first vector of a word kept, a
// short row named), training learns dense weights the tagger uses for a word
// it never saw, and the tagger's cached emission scores equal the direct sum
// of the sparse features' weights and the dense contributions of the token
// and its neighbours.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ner.h"
#include "support/temp_dir.h"

namespace newsflow::entities {
namespace {

// One file per process: CTest runs each test as its own process, several at
// once, and two tests writing one fixed path raced (a test read the other's
// file while it was being rewritten and trained without vectors).
// (A directory of the process's own, removed at exit.)
std::string WriteFile(const std::string& name, const std::string& text) {
  static const testing::ScopedTempDir dir("nf-dense-");
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

TEST(EntitiesNerDenseTest, LoadsVectorsScaledFirstWins) {
  Resources res;
  const std::string a = WriteFile("nf_dense_a.txt", "alpha 1 0 0.5\nbeta 0 1 0\n");
  const std::string b = WriteFile("nf_dense_b.txt", "alpha 9 9 9\ngamma 0 0 1\n");
  ASSERT_TRUE(res.LoadVectors(a, 2.0f).ok());
  ASSERT_TRUE(res.LoadVectors(b, 2.0f).ok());
  EXPECT_EQ(res.vectors.dim, 3);
  EXPECT_EQ(res.vectors.size(), 3u);
  const float* v = res.vectors.Find("alpha");
  ASSERT_NE(v, nullptr);
  EXPECT_FLOAT_EQ(v[0], 2.0f);
  EXPECT_FLOAT_EQ(v[2], 1.0f);
  ASSERT_NE(res.vectors.Find("gamma"), nullptr);
  EXPECT_FLOAT_EQ(res.vectors.Find("gamma")[2], 2.0f);
  EXPECT_EQ(res.vectors.Find("delta"), nullptr);

  const std::string bad = WriteFile("nf_dense_bad.txt", "alpha 1 0 0\nbeta 1 0\n");
  Resources r2;
  const Status st = r2.LoadVectors(bad, 1.0f);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.ToString().find("nf_dense_bad.txt line 2"), std::string::npos) << st.ToString();
  EXPECT_FALSE(Resources().LoadVectors("/nonexistent/vectors.txt", 1.0f).ok());
}

// Names share one direction of the vector space, other words another; the
// test names and context words are new, so only their vectors (and the
// neighbours' vectors) tell them apart.
struct Toy {
  Resources res;
  std::vector<Sentence> train;
  Toy() {
    std::string vec;
    const char* names[] = {"zorvan", "kelith", "marrow", "tibbet", "quorra", "sallix"};
    const char* words[] = {"went", "to", "the", "market", "and", "saw", "it", "was", "big"};
    for (const char* n : names) vec += std::string(n) + " 1 0 0.2 0\n";
    for (const char* w : words) vec += std::string(w) + " 0 1 0 0.1\n";
    // Unseen in training; plovik and wobbly look alike but for their vectors.
    vec += "plovik 1 0 0.1 0\nwobbly 0 1 0.1 0\nfendra 0 1 0 0.2\n";
    EXPECT_TRUE(res.LoadVectors(WriteFile("nf_dense_toy.txt", vec), 3.0f).ok());
    for (int k = 0; k < 6; ++k) {
      Sentence s;
      s.words = {words[k % 9], names[k], words[(k + 3) % 9], words[(k + 5) % 9]};
      s.tags = {0, 1, 0, 0};  // O B-PER O O
      train.push_back(s);
    }
  }
};

TEST(EntitiesNerDenseTest, UnseenWordTaggedFromItsVector) {
  Toy toy;
  TrainOptions opt;
  opt.epochs = 10;
  opt.verbose = false;
  opt.dense_window = 1;
  Model with;
  ASSERT_TRUE(Train(toy.train, {}, toy.res, opt, &with).ok());
  EXPECT_EQ(with.dense_dim(), 4);
  EXPECT_EQ(with.dense_positions(), 3);
  std::vector<int> tags;
  Tagger tagger(&with, &toy.res);
  tagger.Tag({"fendra", "plovik", "fendra"}, &tags);
  EXPECT_EQ(tags, (std::vector<int>{0, 1, 0}));
  tagger.Tag({"fendra", "wobbly", "fendra"}, &tags);
  EXPECT_EQ(tags, (std::vector<int>{0, 0, 0}));

  // Without the dense features the two unseen words cannot be told apart.
  opt.dense_window = 0;
  Model without;
  ASSERT_TRUE(Train(toy.train, {}, toy.res, opt, &without).ok());
  EXPECT_EQ(without.dense_dim(), 0);
  Tagger plain(&without, &toy.res);
  std::vector<int> a, b;
  plain.Tag({"fendra", "plovik", "fendra"}, &a);
  plain.Tag({"fendra", "wobbly", "fendra"}, &b);
  EXPECT_EQ(a, b);
}

TEST(EntitiesNerDenseTest, CachedScoresEqualSparsePlusDenseSum) {
  Toy toy;
  TrainOptions opt;
  opt.epochs = 5;
  opt.verbose = false;
  opt.dense_window = 2;
  opt.mix_crf = true;  // both learners touch the dense weights
  opt.crf_epochs = 3;
  Model model;
  ASSERT_TRUE(Train(toy.train, {}, toy.res, opt, &model).ok());
  ASSERT_EQ(model.dense_positions(), 5);
  Tagger tagger(&model, &toy.res);
  FeatureExtractor reference(&toy.res);
  const std::vector<std::vector<std::string_view>> texts = {
      {"fendra", "plovik", "fendra", "zorvan", "went", "unknownword", "to"},
      {"plovik"},
      {"the", "market", "sallix", "big"},
  };
  static constexpr int kOffset[] = {0, -1, 1, -2, 2};
  int64_t checked = 0, dense_nonzero = 0;
  for (int round = 0; round < 2; ++round) {
    tagger.BeginDocument(round == 1 ? 0 : Tagger::kMaxCachedWords);
    for (const auto& words : texts) {
      std::vector<int> tags;
      tagger.Tag(words, &tags);
      reference.Prepare(words);
      const std::vector<float>& emit = tagger.emissions();
      std::vector<uint64_t> feats;
      for (size_t i = 0; i < words.size(); ++i) {
        reference.Features(i, &feats);
        int32_t sparse[kNumTags] = {};
        for (uint64_t k : feats) model.Accumulate(k, sparse);
        int32_t dense[kNumTags] = {};
        for (int p = 0; p < 5; ++p) {
          const ptrdiff_t j = static_cast<ptrdiff_t>(i) + kOffset[p];
          if (j < 0 || j >= static_cast<ptrdiff_t>(words.size())) continue;
          if (const float* v = reference.info(static_cast<size_t>(j)).vec) model.AccumulateDense(p, v, dense);
        }
        for (int t = 0; t < kNumTags; ++t) {
          dense_nonzero += dense[t] != 0;
          ASSERT_EQ(emit[i * kNumTags + t], static_cast<float>(sparse[t] + dense[t]) * model.scale())
              << "token " << i << " (" << words[i] << ") tag " << kTagNames[t];
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 24);
  EXPECT_GT(dense_nonzero, 50);
}

}  // namespace
}  // namespace newsflow::entities
