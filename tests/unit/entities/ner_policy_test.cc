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

}  // namespace
}  // namespace newsflow::entities
