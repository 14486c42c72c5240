// The post-rules of GazetteerPolicy on a model with no weights: every token
// scores alike, so the tagger says O everywhere and what is left is the rule.
#include <gtest/gtest.h>

#include "ner.h"

namespace newsflow::entities {
namespace {

class EntitiesNerPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const float trans[kNumTags + 1][kNumTags] = {};
    model_.Build({}, trans);
    res_.gazetteer.Add("ORG", "عصائب أهل الحق", "عصائب أهل الحق");
    res_.gazetteer.Add("ORG", "مجلس النواب", "مجلس النواب");
  }

  std::vector<int> Tag(const std::vector<std::string_view>& words, GazetteerPolicy policy) {
    Tagger tagger(&model_, &res_);
    tagger.set_policy(policy);
    std::vector<int> tags;
    tagger.Tag(words, &tags);
    return tags;
  }

  Model model_;
  Resources res_;
};

TEST_F(EntitiesNerPolicyTest, OnlyLongListedNamesAreAdded) {
  const std::vector<std::string_view> words = {"قالت", "عصائب", "أهل", "الحق", "إن",
                                               "مجلس", "النواب", "اجتمع"};
  const std::vector<int> tags = Tag(words, GazetteerPolicy());
  const int b_org = TagIndex("B-ORG"), i_org = TagIndex("I-ORG");
  EXPECT_EQ(tags, (std::vector<int>{0, b_org, i_org, i_org, 0, 0, 0, 0}));
}

TEST_F(EntitiesNerPolicyTest, AddingListedNamesCanBeTurnedOff) {
  GazetteerPolicy policy;
  policy.add_missing = false;
  const std::vector<std::string_view> words = {"عصائب", "أهل", "الحق"};
  EXPECT_EQ(Tag(words, policy), (std::vector<int>{0, 0, 0}));
}

// A last name tagged with another type elsewhere in the document becomes
// PER when the person is named in full (English policy); Arabic keeps the
// tagger's type, as full names there end in words like الله (عبد الله).
TEST(EntitiesPropagateTest, LastNamesOfFullNamesBecomePersonsInEnglishOnly) {
  const int b_per = TagIndex("B-PER"), i_per = TagIndex("I-PER"), b_loc = TagIndex("B-LOC");
  const std::vector<std::vector<std::string_view>> keys = {
      {"john", "kitzmiller", "wrote", "."}, {"kitzmiller", "said", "so", "."}, {"kitzmiller", "ran", "."}};
  const std::vector<std::vector<int>> tagged = {
      {b_per, i_per, 0, 0}, {b_loc, 0, 0, 0}, {0, 0, 0}};
  auto tags = tagged;
  PropagateNames(keys, &tags, /*retype_last_names=*/true);
  EXPECT_EQ(tags[1][0], b_per);
  EXPECT_EQ(tags[2][0], b_per);  // untagged: propagation, as before
  tags = tagged;
  PropagateNames(keys, &tags, /*retype_last_names=*/false);
  EXPECT_EQ(tags[1][0], b_loc);
  EXPECT_EQ(tags[2][0], b_per);
  EXPECT_TRUE(DefaultPolicy("en").retype_last_names);
  EXPECT_FALSE(DefaultPolicy("ar").retype_last_names);
}

}  // namespace
}  // namespace newsflow::entities
