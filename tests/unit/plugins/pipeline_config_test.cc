#include "newsflow/pipeline_config.h"

#include <gtest/gtest.h>

namespace newsflow {
namespace {

const char* kGood = R"(version: 1
kafka:
  brokers: "k1:9092,k2:9092"
  properties:
    linger.ms: 20
topics: {raw: in.raw, partitions: 4}
stages:
  - name: clean
    settings: {max_ms_per_record: 500}
    instances: 2
  - name: tagger
    plugin: /opt/stages/libtagger.so
  - name: upper
    command: [python3, stage.py, --fast]
    env: {MODE: upper}
    output: news.upper
sinks: {articles: out.jsonl}
)";

// A relative plug-in path the system refuses to look up (a name over 255
// bytes: ENAMETOOLONG) is kept as given, not thrown out of the parser
// (std::filesystem::exists threw; found by fuzz_pipeline_config).
TEST(PipelineConfigTest, ARelativePluginPathTheSystemRefusesIsKeptAsGiven) {
  const std::string name = "../" + std::string(300, 'x') + ".so";
  const std::string yaml = "version: 1\nstages:\n  - name: tagger\n    plugin: " + name + "\n";
  Result<PipelineConfig> c = Status::Internal("not parsed");
  ASSERT_NO_THROW(c = ParsePipelineConfig(yaml, "dir/p.yaml"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->stages.size(), 1u);
  EXPECT_EQ(c->stages[0].plugin_path, name);
}

TEST(PipelineConfigTest, ParsesEverySection) {
  auto c = ParsePipelineConfig(kGood, "p.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->brokers, "k1:9092,k2:9092");
  ASSERT_EQ(c->kafka_properties.size(), 1u);
  EXPECT_EQ(c->kafka_properties[0].first, "linger.ms");
  EXPECT_EQ(c->raw_topic, "in.raw");
  EXPECT_EQ(c->partitions, 4);
  ASSERT_EQ(c->stages.size(), 3u);
  EXPECT_EQ(c->stages[0].instances, 2);
  EXPECT_EQ(c->stages[0].settings.at("max_ms_per_record").value, "500");
  EXPECT_EQ(c->stages[0].settings.at("max_ms_per_record").mark.line, 9);
  EXPECT_EQ(c->stages[1].kind, StageConfig::Kind::kPlugin);
  EXPECT_EQ(c->stages[2].kind, StageConfig::Kind::kCommand);
  EXPECT_EQ(c->stages[2].command, (std::vector<std::string>{"python3", "stage.py", "--fast"}));
  EXPECT_EQ(c->stages[2].env.at("MODE"), "upper");
  EXPECT_EQ(c->stages[2].output_topic, "news.upper");
  EXPECT_EQ(c->articles_output, "out.jsonl");
}

TEST(PipelineConfigTest, NamespaceAndReplicationFactor) {
  auto c = ParsePipelineConfig("namespace: staging\ntopics: {partitions: 6, replication_factor: 3}\nstages: [clean]\n",
                               "p.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ns, "staging");
  EXPECT_EQ(c->partitions, 6);
  EXPECT_EQ(c->replication_factor, 3);
  auto d = ParsePipelineConfig("stages: [clean]\n", "p.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ns, "");
  EXPECT_EQ(d->replication_factor, 0) << "not given: the cluster's size decides";
  auto bad = ParsePipelineConfig("namespace: \"a b\"\nstages: [clean]\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("p.yaml:1:12: namespace"), std::string::npos) << bad.status().ToString();
  auto rf = ParsePipelineConfig("topics: {replication_factor: 0}\nstages: [clean]\n", "p.yaml");
  ASSERT_FALSE(rf.ok());
  EXPECT_NE(rf.status().message().find("topics.replication_factor"), std::string::npos);
}

TEST(PipelineConfigTest, UnknownKeyIsRefusedWithItsLine) {
  auto c = ParsePipelineConfig("stages:\n  - name: clean\n    instance: 2\n", "p.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().rfind("p.yaml:3:5: stages[0].instance: unknown key", 0), 0u)
      << c.status().message();
}

TEST(PipelineConfigTest, UnknownTopLevelKeyIsRefused) {
  auto c = ParsePipelineConfig("stages: [clean]\nsink: {articles: x}\n", "p.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("p.yaml:2:1: sink: unknown key"), std::string::npos)
      << c.status().message();
}

TEST(PipelineConfigTest, DeliveryModeIsReadAndChecked) {
  auto none = ParsePipelineConfig("stages: [clean]\n", "p.yaml");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->delivery, "");  // not given: at_least_once unless the command line says
  auto eo = ParsePipelineConfig("delivery: exactly_once\nstages: [clean]\n", "p.yaml");
  ASSERT_TRUE(eo.ok()) << eo.status().ToString();
  EXPECT_EQ(eo->delivery, "exactly_once");
  auto bad = ParsePipelineConfig("stages: [clean]\ndelivery: twice\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(
                "p.yaml:2:11: delivery: expected at_least_once or exactly_once, got 'twice'"),
            std::string::npos)
      << bad.status().message();
}

TEST(PipelineConfigTest, TypeErrorsAreRefusedWithTheirLine) {
  auto c = ParsePipelineConfig("topics:\n  partitions: many\nstages: [clean]\n", "p.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("p.yaml:2:15: topics.partitions: expected an integer"),
            std::string::npos)
      << c.status().message();
  auto d = ParsePipelineConfig("stages:\n  - name: x\n    command: python3 x.py\n", "p.yaml");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("p.yaml:3:14: stages.x.command: expected a list"),
            std::string::npos)
      << d.status().message();
  auto e = ParsePipelineConfig("stages:\n  - name: a\n    instances: 0\n", "p.yaml");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(":3:16: stages.a.instances: must be in [1, 64]"),
            std::string::npos)
      << e.status().message();
}

// Issue 13 #12: a key given twice (yaml-cpp keeps both) is refused with its line.
TEST(PipelineConfigTest, DuplicateKeysAreRefusedWithTheirLine) {
  auto c = ParsePipelineConfig("version: 1\nstages:\n  - name: clean\n    settings: {max_ms_per_record: 500}\n"
                               "    settings: {max_ms_per_record: 5}\n",
                               "p.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "p.yaml: duplicate key `settings` at line 5 (first at line 4); remove one of them");
  c = ParsePipelineConfig("version: 1\nkafka:\n  brokers: a:1\n  brokers: b:2\nstages:\n  - name: clean\n", "p.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("duplicate key `brokers` at line 4 (first at line 3)"), std::string::npos)
      << c.status().ToString();
}

// Found by fuzz_pipeline_config (fuzz/corpus/pipeline_config/regress-recursive-alias.yaml):
// the duplicate-key walk followed every alias, so a map holding an alias of
// itself never ended, and aliases of aliases took 2^depth steps. Each map or
// sequence is now visited once; these return at once (they hung before).
TEST(PipelineConfigTest, AliasCyclesAndAliasFanOutEnd) {
  auto cycle = ParsePipelineConfig("stages: [&a {name: clean, settings: *a}]\n", "p.yaml");
  ASSERT_FALSE(cycle.ok());  // settings that hold the stage itself are not settings
  std::string fan = "x0: &a0 [k, k]\n";
  for (int i = 1; i <= 40; ++i)
    fan += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) +
           ", *a" + std::to_string(i - 1) + "]\n";
  fan += "stages: [clean]\n";
  auto wide = ParsePipelineConfig(fan, "p.yaml");
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.status().message().find("x0"), std::string::npos) << wide.status().message();
}

TEST(PipelineConfigTest, MissingStagesAndDuplicatesAndBadYaml) {
  auto a = ParsePipelineConfig("topics: {raw: x}\n", "p.yaml");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("stages: missing"), std::string::npos);
  auto b = ParsePipelineConfig("stages: [clean, clean]\n", "p.yaml");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("already in the chain"), std::string::npos);
  auto c = ParsePipelineConfig("stages: [clean\n", "p.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("not valid YAML"), std::string::npos);
}

// One topic for articles and dead letters would feed every dead letter back
// in (separate processes looped; `run` failed creating its topics, naming no
// key); a stage name is letters, digits, - and _ only, as the message says
// (a name with a byte that is not UTF-8 passed, and its records were lost to
// stderr); a second YAML document was silently ignored.
TEST(PipelineConfigTest, RawEqualToDeadLettersBadNamesAndASecondDocumentAreRefused) {
  auto same = ParsePipelineConfig("topics: {raw: t, dead_letters: t}\nstages: [clean]\n", "p.yaml");
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.status().message().find("p.yaml:1:"), std::string::npos) << same.status().message();
  EXPECT_NE(same.status().message().find("topics.dead_letters: 't' is also topics.raw"),
            std::string::npos) << same.status().message();
  auto dlq_only = ParsePipelineConfig("topics: {dead_letters: news.raw}\nstages: [clean]\n", "p.yaml");
  EXPECT_FALSE(dlq_only.ok());
  for (const std::string name : {"cl\\xe9an", "a b", "a.b", "caf\u00e9", "a:b"}) {
    auto c = ParsePipelineConfig("stages:\n  - name: \"" + name + "\"\n    command: [cat]\n", "p.yaml");
    ASSERT_FALSE(c.ok()) << name;
    EXPECT_NE(c.status().message().find("not a valid stage name"), std::string::npos)
        << c.status().message();
  }
  auto ok = ParsePipelineConfig("stages:\n  - name: My-stage_2\n    command: [cat]\n", "p.yaml");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  auto two = ParsePipelineConfig("stages: [clean]\n---\nstages: [langid]\n", "p.yaml");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("p.yaml:3: a second YAML document"), std::string::npos)
      << two.status().message();
  auto inline_second = ParsePipelineConfig("# p\nstages: [clean]\n...\n--- {stages: [langid]}\n", "p.yaml");
  ASSERT_FALSE(inline_second.ok());
  EXPECT_NE(inline_second.status().message().find("p.yaml:4: a second YAML document"),
            std::string::npos) << inline_second.status().message();
  // One document, with the markers YAML allows around it.
  for (const char* one : {"---\nstages: [clean]\n", "%YAML 1.2\n---\nstages: [clean]\n...\n",
                          "# c\n---\n# c\nstages: [clean]\n---\n# only a comment\n",
                          "stages:\n  - name: s\n    command: [cat, \"---\"]\n"})
    EXPECT_TRUE(ParsePipelineConfig(one, "p.yaml").ok()) << one;
}

TEST(PipelineConfigTest, SettingsAreCheckedAgainstTheOptionTableWithTheirLine) {
  auto c = ParsePipelineConfig(
      "stages:\n  - name: s\n    settings:\n      n: 3\n      flag: maybe\n", "p.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<OptionSpec> specs = {{"n", OptionType::kInt, "1", ""},
                                   {"flag", OptionType::kBool, "false", ""}};
  auto s = CheckStageSettings(c->stages[0], specs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("p.yaml:5:13:"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("'flag' wants a boolean"), std::string::npos)
      << s.status().message();
  specs.pop_back();
  auto u = CheckStageSettings(c->stages[0], specs);
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("p.yaml:5:13:"), std::string::npos);
  EXPECT_NE(u.status().message().find("unknown setting 'flag'"), std::string::npos);
}

}  // namespace
}  // namespace newsflow
