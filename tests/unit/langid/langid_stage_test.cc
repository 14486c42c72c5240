#include "langid_stage.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "newsflow/paths.h"
#include "newsflow/settings.h"
#include "test_texts.h"

namespace newsflow {
namespace {

using namespace newsflow::langid::testing;

bool HaveModel() { return std::filesystem::exists(ModelsDir() + "/lid.176.ftz"); }

using Given = std::map<std::string, std::string>;

// A stage opened through its descriptor, as the runner does it.
struct OpenedStage {
  Settings settings;
  prometheus::Registry registry;
  std::unique_ptr<Stage> stage;
  Status open_status;

  explicit OpenedStage(const Given& given) {
    const StageDescriptor d = LangidStageDescriptor();
    auto s = Settings::Parse(d.options, given, d.name);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) settings = *s;
    StageContext ctx{settings, registry, StageDataDir("langid"), CorpusDir(), StateDir()};
    stage = d.create();
    open_status = stage->Open(ctx);
  }

  // Value of a gauge/counter family's first child, or -1.
  double Metric(const std::string& name) {
    for (const auto& family : registry.Collect()) {
      if (family.name != name || family.metric.empty()) continue;
      const auto& m = family.metric[0];
      return family.type == prometheus::MetricType::Gauge ? m.gauge.value : m.counter.value;
    }
    return -1;
  }
};

Article WithText(std::string text, std::string title = "") {
  Article a;
  a.id = "t1";
  a.source = "test";
  a.clean = CleanSection{};
  a.clean->text = std::move(text);
  a.clean->title = std::move(title);
  return a;
}

TEST(LangidStageTest, WritesLangSection) {
  if (!HaveModel()) GTEST_SKIP() << "no fastText model";
  OpenedStage s(Given{});
  ASSERT_TRUE(s.open_status.ok()) << s.open_status.ToString();
  EXPECT_EQ(s.Metric("newsflow_langid_fasttext_loaded"), 1);

  Article a = WithText(kPashto, "An English title that must not be used");
  auto r = s.stage->Process(a);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->forwarded());
  ASSERT_TRUE(a.lang.has_value());
  EXPECT_EQ(a.lang->code, "ps");
  EXPECT_EQ(a.lang->script, "Arab");
  EXPECT_GT(a.lang->confidence, 0.5);
  EXPECT_FALSE(a.lang->engine.empty());
  ASSERT_FALSE(a.trace.empty());
  EXPECT_EQ(a.trace.back().stage, "langid");
}

TEST(LangidStageTest, MixedArticleGetsSpans) {
  if (!HaveModel()) GTEST_SKIP() << "no fastText model";
  OpenedStage s(Given{});
  ASSERT_TRUE(s.open_status.ok());
  Article a = WithText(MixedArticle());
  ASSERT_TRUE(s.stage->Process(a).ok());
  EXPECT_EQ(a.lang->code, "ar");
  ASSERT_FALSE(a.lang->spans.empty());
  EXPECT_EQ(a.lang->spans[0].code, "en");
  EXPECT_GT(s.Metric("newsflow_langid_spans_total"), 0);
}

TEST(LangidStageTest, FallsBackToTitleOnlyWhenBodyIsEmpty) {
  OpenedStage s(Given{});
  ASSERT_TRUE(s.open_status.ok());
  Article a = WithText("", kEnglish);
  ASSERT_TRUE(s.stage->Process(a).ok());
  EXPECT_EQ(a.lang->code, "en");
  EXPECT_TRUE(a.lang->spans.empty());

  Article empty = WithText("", "");
  ASSERT_TRUE(s.stage->Process(empty).ok());
  EXPECT_EQ(empty.lang->code, "und");
  EXPECT_EQ(empty.lang->confidence, 0);
}

TEST(LangidStageTest, RunsOnCld2AloneWithoutTheModelAndSaysSo) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("langid-test", sink));

  OpenedStage s(Given{{"model_path", "/nonexistent/models/lid.176.ftz"}});
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(s.open_status.ok()) << s.open_status.ToString();

  EXPECT_EQ(s.Metric("newsflow_langid_fasttext_loaded"), 0);
  bool logged = false;
  for (const std::string& line : sink->last_formatted()) {
    if (line.find("CLD2 only") != std::string::npos &&
        line.find("/nonexistent/models/lid.176.ftz") != std::string::npos) {
      logged = true;
    }
  }
  EXPECT_TRUE(logged);

  Article a = WithText(kArabicNews);
  ASSERT_TRUE(s.stage->Process(a).ok());
  EXPECT_EQ(a.lang->code, "ar");
  EXPECT_EQ(a.lang->engine, "cld2");
  EXPECT_NE(a.trace.back().note.find("CLD2 only"), std::string::npos);
}

TEST(LangidStageTest, RequireFasttextFailsWithoutTheModel) {
  OpenedStage s(Given{{"model_path", "/nonexistent/lid.176.ftz"}, {"require_fasttext", "true"}});
  EXPECT_EQ(s.open_status.code(), StatusCode::kUnavailable);
}

TEST(LangidStageTest, RejectsUnknownAndBadSettings) {
  const StageDescriptor d = LangidStageDescriptor();
  EXPECT_FALSE(Settings::Parse(d.options, {{"min_confidnce", "0.5"}}, d.name).ok());
  EXPECT_FALSE(Settings::Parse(d.options, {{"min_letters", "many"}}, d.name).ok());
  // Out of range is refused when the settings are read (`validate`, --set),
  // not only when the stage starts.
  for (const char* bad : {"-1e308", "1.5"})
    EXPECT_FALSE(Settings::Parse(d.options, {{"min_confidence", bad}}, d.name).ok()) << bad;
  EXPECT_FALSE(Settings::Parse(d.options, {{"cld2_min_score", "-1"}}, d.name).ok());
  EXPECT_TRUE(Settings::Parse(d.options, {{"min_confidence", "0.9"}, {"cld2_min_score", "0.5"}}, d.name).ok());
}

}  // namespace
}  // namespace newsflow
