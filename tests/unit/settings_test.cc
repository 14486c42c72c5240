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
  for (const char* not_finite : {"nan", "NaN", "inf", "-infinity", "1e999"})
    EXPECT_FALSE(Settings::Parse(kSpecs, {{"ratio", not_finite}}, "c").ok()) << not_finite;
  auto ok = Settings::Parse(kSpecs, {{"ratio", "0.25"}, {"strict", "yes"}}, "c");
  ASSERT_TRUE(ok.ok());
  EXPECT_DOUBLE_EQ(ok->GetDouble("ratio"), 0.25);
  EXPECT_TRUE(ok->GetBool("strict"));
}

// An integer setting with a range refuses values outside it (as `validate`
// runs Parse too, it refuses what the stage would refuse at start); a default
// the option's own type or range refuses (a plug-in's descriptor) is refused
// naming the setting, not handed to the stage unchecked.
TEST(SettingsTest, RangesAndDefaultsAreChecked) {
  const std::vector<OptionSpec> specs = {{"timeout_ms", OptionType::kInt, "10", "t", 1, 1000}};
  EXPECT_TRUE(Settings::Parse(specs, {{"timeout_ms", "1000"}}, "s").ok());
  for (const char* bad : {"0", "-5", "1001", "9223372036854775807"}) {
    auto s = Settings::Parse(specs, {{"timeout_ms", bad}}, "s");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find("wants an integer from 1 to 1000"), std::string::npos)
        << s.status().message();
  }
  const std::vector<OptionSpec> wrong_default = {{"n", OptionType::kInt, "abc", "n"}};
  auto d = Settings::Parse(wrong_default, {}, "plug");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("the default of setting 'n' wants an integer"),
            std::string::npos) << d.status().message();
  const std::vector<OptionSpec> out_of_range = {{"n", OptionType::kInt, "0", "n", 1, 5}};
  EXPECT_FALSE(Settings::Parse(out_of_range, {{"n", "3"}}, "plug").ok());
}

// A number setting with a range refuses values outside it, as an integer's
// does (langid's min_confidence=-1e308 passed `validate` and `--set`, and was
// refused only when the stage started).
TEST(SettingsTest, NumberRangesAreChecked) {
  const std::vector<OptionSpec> specs = {{.key = "ratio", .type = OptionType::kDouble, .default_value = "0.5",
                                          .help = "r", .min_double = 0, .max_double = 1}};
  for (const char* good : {"0", "1", "0.25", "1e-3"})
    EXPECT_TRUE(Settings::Parse(specs, {{"ratio", good}}, "s").ok()) << good;
  for (const char* bad : {"-1e308", "-0.001", "1.5", "1e308"}) {
    auto s = Settings::Parse(specs, {{"ratio", bad}}, "s");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find("wants a number from 0 to 1"), std::string::npos) << s.status().message();
  }
}

}  // namespace
}  // namespace newsflow
