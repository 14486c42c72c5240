// MaxMarginals (the self-training tool's confidence): the best path and the
// per-token margins over the same BIO-constrained lattice the decoder uses.
#include <gtest/gtest.h>

#include <vector>

#include "ner.h"

namespace newsflow::entities {
namespace {

TEST(EntitiesMaxMarginalsTest, MarginsAreScoreGapsToTheBestOtherTag) {
  const float trans[kNumTags + 1][kNumTags] = {};
  Model model;
  model.Build({}, trans);
  const int kO = TagIndex("O"), kBPer = TagIndex("B-PER"), kBLoc = TagIndex("B-LOC");
  std::vector<float> emit(2 * kNumTags, 0.0f);
  emit[0 * kNumTags + kO] = 5, emit[0 * kNumTags + kBPer] = 2;
  emit[1 * kNumTags + kO] = 1, emit[1 * kNumTags + kBLoc] = 4;
  std::vector<int> best;
  std::vector<float> margin;
  MaxMarginals(emit, 2, model, &best, &margin);
  EXPECT_EQ(best, (std::vector<int>{kO, kBLoc}));
  // Token 0: O B-LOC (9) against B-PER B-LOC (6); token 1: O B-LOC (9) against O O (6).
  EXPECT_FLOAT_EQ(margin[0], 3.0f);
  EXPECT_FLOAT_EQ(margin[1], 3.0f);
}

// Transitions and emissions that reward I-PER everywhere: without the BIO
// constraint the best path would open with I-PER and follow O with I-PER.
TEST(EntitiesMaxMarginalsTest, PathsKeepTheBioConstraint) {
  float trans[kNumTags + 1][kNumTags] = {};
  const int kO = TagIndex("O"), kBPer = TagIndex("B-PER"), kIPer = TagIndex("I-PER");
  trans[0][kIPer] = 100;        // start -> I-PER
  trans[kO + 1][kIPer] = 100;   // O -> I-PER
  Model model;
  model.Build({}, trans);
  const size_t n = 4;
  std::vector<float> emit(n * kNumTags, 0.0f);
  for (size_t i = 0; i < n; ++i) emit[i * kNumTags + kIPer] = 10;
  emit[2 * kNumTags + kO] = 50;     // token 2 is O for sure
  emit[3 * kNumTags + kBPer] = 1;   // after O, B-PER (1) beats O (0); I-PER is not allowed
  std::vector<int> best;
  std::vector<float> margin;
  MaxMarginals(emit, n, model, &best, &margin);
  EXPECT_EQ(best, (std::vector<int>{kBPer, kIPer, kO, kBPer}));
  for (size_t i = 0; i < n; ++i) {
    EXPECT_GE(margin[i], 0.0f) << i;
    if (IsInside(best[i])) {
      EXPECT_TRUE(i > 0 && best[i - 1] != kO) << i;
    }
  }
  MaxMarginals({}, 0, model, &best, &margin);
  EXPECT_TRUE(best.empty());
}

}  // namespace
}  // namespace newsflow::entities
