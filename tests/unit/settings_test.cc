#include "newsflow/settings.h"

#include <gtest/gtest.h>

namespace newsflow {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"max_bytes", OptionType::kInt, "1000", "limit"},
    {"ratio", OptionType::kDouble, "", "a ratio"},
    {"strict", OptionType::kBool, "false", "strict mode"},
    {"model", OptionType::kPath, "", "model path"},
};

TEST(SettingsTest, FillsDefaults) {
  auto s = Settings::Parse(kSpecs, {}, "clean");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->GetInt("max_bytes"), 1000);
  EXPECT_FALSE(s->GetBool("strict"));
  EXPECT_FALSE(s->Has("ratio"));
}

TEST(SettingsTest, RejectsUnknownKeyNamingIt) {
  auto s = Settings::Parse(kSpecs, {{"max_byte", "5"}}, "clean");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("'max_byte'"), std::string::npos);
  EXPECT_NE(s.status().message().find("max_bytes"), std::string::npos);
}

TEST(SettingsTest, RejectsTypeErrors) {
  EXPECT_FALSE(Settings::Parse(kSpecs, {{"max_bytes", "12x"}}, "c").ok());
  EXPECT_FALSE(Settings::Parse(kSpecs, {{"ratio", "abc"}}, "c").ok());
  EXPECT_FALSE(Settings::Parse(kSpecs, {{"strict", "maybe"}}, "c").ok());
  auto ok = Settings::Parse(kSpecs, {{"ratio", "0.25"}, {"strict", "yes"}}, "c");
  ASSERT_TRUE(ok.ok());
  EXPECT_DOUBLE_EQ(ok->GetDouble("ratio"), 0.25);
  EXPECT_TRUE(ok->GetBool("strict"));
}

}  // namespace
}  // namespace newsflow
