#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "newsflow/plugin_stages.h"

namespace newsflow {
namespace {

TEST(SharedObjectStageTest, WrongAbiVersionIsRefusedNamingBothVersions) {
  auto d = LoadSharedObjectStage("future", WRONG_ABI_PLUGIN);
  ASSERT_FALSE(d.ok());
  const std::string& m = d.status().message();
  EXPECT_NE(m.find("ABI version 999"), std::string::npos) << m;
  EXPECT_NE(m.find("implements version 1"), std::string::npos) << m;
}

// Three options declared and no table for them: refused (before, the loader
// read the table through a null pointer: `validate` died of SIGSEGV).
TEST(SharedObjectStageTest, OptionsDeclaredWithoutATableAreRefused) {
  auto d = LoadSharedObjectStage("broken", NO_OPTION_TABLE_PLUGIN);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("3 options declared, no option table"), std::string::npos)
      << d.status().message();
}

TEST(SharedObjectStageTest, MissingFileIsRefused) {
  auto d = LoadSharedObjectStage("nope", "/nonexistent/libnope.so");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("cannot load"), std::string::npos);
}

TEST(SharedObjectStageTest, ExampleTaggerForwardsAndDeadLetters) {
  auto d = LoadSharedObjectStage("tagger", TAGGER_PLUGIN);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->options.size(), 2u);
  auto bad = Settings::Parse(d->options, {{"colour", "red"}}, "tagger");
  EXPECT_FALSE(bad.ok());
  auto s = Settings::Parse(d->options, {{"tag", "t\"1"}, {"block", "forbidden"}}, "tagger");
  ASSERT_TRUE(s.ok());
  prometheus::Registry registry;
  auto stage = d->create();
  StageContext ctx{*s, registry, "", "", ""};
  ASSERT_TRUE(stage->Open(ctx).ok());
  Article a;
  a.id = "x";
  a.source = "s";
  a.fetched_at = "2026-11-23T10:00:00Z";
  a.body = "hello";
  auto r = stage->Process(a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(a.extensions.size(), 1u);
  EXPECT_EQ(a.extensions[0].first, "tagger");
  EXPECT_NE(a.extensions[0].second.find("\"tag\":\"t\\\"1\""), std::string::npos)
      << a.extensions[0].second;
  a.extensions.clear();
  a.body = "something forbidden";
  auto r2 = stage->Process(a);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kRejected);
  EXPECT_TRUE(stage->Close().ok());
}

TEST(SharedObjectStageTest, CreateFailureIsReported) {
  auto d = LoadSharedObjectStage("tagger", TAGGER_PLUGIN);
  ASSERT_TRUE(d.ok());
  auto s = Settings::Parse(d->options, {{"tag", ""}}, "tagger");
  ASSERT_TRUE(s.ok());
  prometheus::Registry registry;
  auto stage = d->create();
  StageContext ctx{*s, registry, "", "", ""};
  Status st = stage->Open(ctx);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'tag' must not be empty"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace newsflow
