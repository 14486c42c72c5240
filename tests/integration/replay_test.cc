// `newsflow replay` on a real single-node Apache Kafka (scripts/kafka.sh),
// with the stage, sinks and producer as separate processes: reprocess the
// later of two batches after a settings change, dry runs move nothing, a
// live group is refused, --to-earliest re-reads everything. Plus the
// embedded broker's refusal.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "support/kafka_cluster.h"
#include "support/process.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;

void WriteArticles(const std::string& path, int n, const std::string& batch, const std::string& word) {
  std::ofstream out(path);
  for (int i = 0; i < n; ++i) {
    nlohmann::json j = {{"source", "test"},
                        {"url", "https://example.com/" + batch + "/" + std::to_string(i)},
                        {"body", "Article " + std::to_string(i) + " of batch " + word +
                                     ". Lorem ipsum dolor sit amet, consectetur adipiscing elit."}};
    out << j.dump() << "\n";
  }
}

std::string UtcNow() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, ms);
  return out;
}

// Articles of the sink file by batch ("a"/"b"), counting repeats.
struct Delivered {
  size_t lines = 0;
  std::map<std::string, int> per_url;
  int Batch(const std::string& b) const {
    int n = 0;
    for (const auto& [u, c] : per_url) n += u.find("/" + b + "/") != std::string::npos ? c : 0;
    return n;
  }
  int MaxRepeats() const {
    int m = 0;
    for (const auto& [u, c] : per_url) m = std::max(m, c);
    return m;
  }
};

Delivered Articles(const std::string& path) {
  Delivered d;
  for (const auto& line : ReadLines(path)) {
    ++d.lines;
    ++d.per_url[nlohmann::json::parse(line).at("url").get<std::string>()];
  }
  return d;
}

// Dead letters by the batch of their payload.
Delivered DeadLetters(const std::string& path) {
  Delivered d;
  for (const auto& line : ReadLines(path)) {
    ++d.lines;
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j.at("stage"), "passthrough") << line;
    auto payload = nlohmann::json::parse(j.at("payload").get<std::string>());
    ++d.per_url[payload.at("url").get<std::string>()];
  }
  return d;
}

class RealKafkaReplayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir("RealKafkaReplayTest"));
    cluster_ = new KafkaCluster(*dir_ + "/kafka", {});
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete dir_;
  }

  void SetUp() override {
    ASSERT_TRUE(cluster_->ok()) << cluster_->error();
    brokers_ = cluster_->Bootstrap();
    for (const auto& [t, p] : std::vector<std::pair<std::string, int>>{
             {"news.raw", 3}, {"news.passthrough", 3}, {"news.dlq", 1}})
      ASSERT_TRUE(cluster_->CreateTopic(t, p)) << cluster_->error();
    pipeline_ = *dir_ + "/pipeline.yaml";
    std::ofstream(pipeline_) << "topics: {raw: news.raw, dead_letters: news.dlq, partitions: 3}\n"
                                "stages:\n  - name: passthrough\n";
  }

  std::unique_ptr<Process> Start(std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), NewsflowBinary());
    args.insert(args.end(), {"--brokers", brokers_});
    return std::make_unique<Process>(args, *dir_ + "/" + log + ".log");
  }

  std::unique_ptr<Process> StartStage(const std::string& log, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"stage", "passthrough", "--pipeline", pipeline_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Start(args, log);
  }

  // Runs `newsflow replay passthrough --pipeline P ARGS`; returns its exit
  // code, its output in `out`.
  int Replay(std::vector<std::string> args, std::string* out, const std::string& log) {
    args.insert(args.begin(), {"replay", "passthrough", "--pipeline", pipeline_});
    auto p = Start(args, log);
    int rc = p->Wait(120s);
    *out = p->Log();
    return rc;
  }

  int Produce(const std::string& file, const std::string& log) {
    auto p = Start({"produce", file, "--no-flow-control"}, log);
    return p->Wait(120s);
  }

  // Sums of CURRENT-OFFSET and LOG-END-OFFSET of a group, as the Kafka tool
  // (kafka-consumer-groups --describe) reports them: an independent check.
  std::pair<long, long> GroupOffsets(const std::string& group) {
    std::string out;
    int rc = cluster_->Tool({"consumer-groups", "--bootstrap-server", brokers_, "--describe", "--group", group}, &out);
    EXPECT_EQ(rc, 0) << out;
    long current = 0, end = 0;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::vector<std::string> cols;
      for (std::string c; f >> c;) cols.push_back(c);
      if (cols.size() < 6 || cols[0] != group) continue;
      if (cols[3] != "-") current += std::stol(cols[3]);
      end += std::stol(cols[4]);
    }
    return {current, end};
  }

  static std::string* dir_;
  static KafkaCluster* cluster_;
  std::string brokers_, pipeline_;
};

std::string* RealKafkaReplayTest::dir_ = nullptr;
KafkaCluster* RealKafkaReplayTest::cluster_ = nullptr;

TEST_F(RealKafkaReplayTest, ReplaysTheLaterBatchAfterASettingsChange) {
  constexpr int kA = 200, kB = 150;
  const std::string out = *dir_ + "/articles.jsonl", dlq = *dir_ + "/dead-letters.jsonl";
  auto sink = Start({"sink", "--topic", "news.passthrough", "--output", out}, "sink");
  auto dlq_sink = Start({"sink", "--topic", "news.dlq", "--output", dlq}, "dlq-sink");
  auto stage = StartStage("stage-1");

  // Two batches at distinct times; the stage forwards both (no reject marker).
  WriteArticles(*dir_ + "/a.jsonl", kA, "a", "alpha");
  WriteArticles(*dir_ + "/b.jsonl", kB, "b", "beta");
  ASSERT_EQ(Produce(*dir_ + "/a.jsonl", "produce-a"), 0);
  ASSERT_TRUE(WaitFor([&] { return Articles(out).lines >= kA; }, 120s)) << stage->Log() << sink->Log();
  std::this_thread::sleep_for(1500ms);
  const std::string between = UtcNow();
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(Produce(*dir_ + "/b.jsonl", "produce-b"), 0);
  ASSERT_TRUE(WaitFor([&] { return Articles(out).lines >= kA + kB; }, 120s)) << stage->Log() << sink->Log();

  // While the stage runs, replay is refused and names the member.
  std::string text;
  ASSERT_TRUE(WaitFor([&] { return Replay({"--to-datetime", between}, &text, "replay-wait") != 0; }, 60s))
      << "the running stage never showed up as a live member:\n" << text;
  int rc = Replay({"--to-datetime", between, "--execute"}, &text, "replay-refused");
  EXPECT_EQ(rc, 1) << text;
  EXPECT_NE(text.find("refused: group newsflow-passthrough has 1 live member(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("client id newsflow, host /127.0.0.1"), std::string::npos) << text;
  EXPECT_NE(text.find("nothing was moved"), std::string::npos) << text;

  stage->Signal(SIGTERM);
  ASSERT_EQ(stage->Wait(60s), 0) << stage->Log();
  EXPECT_NE(stage->Log().find("received 350 sent 350 dropped 0 dead-lettered 0 lost 0"), std::string::npos)
      << stage->Log();
  EXPECT_EQ(GroupOffsets("newsflow-passthrough"), std::make_pair(350L, 350L)) << "the refused replay moved nothing";

  // Dry runs print the plan and move nothing.
  ASSERT_EQ(Replay({"--to-datetime", between}, &text, "replay-dry"), 0) << text;
  EXPECT_NE(text.find("group newsflow-passthrough: 3 partitions"), std::string::npos) << text;
  EXPECT_NE(text.find(std::to_string(kB) + " records to re-read"), std::string::npos) << text;
  EXPECT_NE(text.find("dry run: nothing moved"), std::string::npos) << text;
  ASSERT_EQ(Replay({"--by-duration", "1h"}, &text, "replay-dry-duration"), 0) << text;
  EXPECT_NE(text.find(std::to_string(kA + kB) + " records to re-read"), std::string::npos) << text;
  ASSERT_EQ(Replay({"--shift-by=-10"}, &text, "replay-dry-shift"), 0) << text;
  EXPECT_NE(text.find("30 records to re-read"), std::string::npos) << text;
  ASSERT_EQ(Replay({"--to-latest"}, &text, "replay-dry-latest"), 0) << text;
  EXPECT_NE(text.find("0 change, 0 records to re-read"), std::string::npos) << text;
  {  // The group and topic named directly, without a stage or pipeline file.
    auto p = Start({"replay", "--group", "newsflow-passthrough", "--topic", "news.raw", "--to-offset", "0"},
                   "replay-dry-group");
    EXPECT_EQ(p->Wait(120s), 0) << p->Log();
    EXPECT_NE(p->Log().find("350 records to re-read"), std::string::npos) << p->Log();
  }
  EXPECT_EQ(GroupOffsets("newsflow-passthrough"), std::make_pair(350L, 350L)) << "a dry run moved offsets";

  // Replay to the time between the batches, then restart with a new setting:
  // the stage now rejects "beta", so exactly batch b goes to dead letters.
  ASSERT_EQ(Replay({"--to-datetime", between, "--execute"}, &text, "replay-between"), 0) << text;
  EXPECT_NE(text.find("moved: group newsflow-passthrough, 3 partitions; the stage re-reads 150 records"),
            std::string::npos)
      << text;
  EXPECT_EQ(GroupOffsets("newsflow-passthrough"), std::make_pair(long{kA}, 350L));
  stage = StartStage("stage-2", {"--set", "reject_marker=beta"});
  ASSERT_TRUE(WaitFor([&] { return DeadLetters(dlq).lines >= kB; }, 120s)) << stage->Log() << dlq_sink->Log();
  stage->Signal(SIGTERM);
  ASSERT_EQ(stage->Wait(60s), 0) << stage->Log();
  EXPECT_NE(stage->Log().find("received 150 sent 0 dropped 0 dead-lettered 150 lost 0"), std::string::npos)
      << stage->Log();
  EXPECT_EQ(GroupOffsets("newsflow-passthrough"), std::make_pair(350L, 350L));
  // Nothing new reached the output topic (batch a was not re-read)...
  EXPECT_EQ(GroupOffsets("newsflow-sink").second, 350L);
  Delivered d = Articles(out);
  EXPECT_EQ(d.lines, 350u);
  EXPECT_EQ(d.Batch("a"), kA);
  EXPECT_EQ(d.Batch("b"), kB);
  EXPECT_EQ(d.MaxRepeats(), 1);
  // ...and every record of batch b was processed again, under the new setting.
  Delivered dl = DeadLetters(dlq);
  EXPECT_EQ(dl.lines, static_cast<size_t>(kB));
  EXPECT_EQ(dl.Batch("a"), 0);
  EXPECT_EQ(dl.Batch("b"), kB);
  EXPECT_EQ(dl.MaxRepeats(), 1);

  // --to-earliest re-reads everything: batch a forwarded again, batch b
  // dead-lettered again.
  ASSERT_EQ(Replay({"--to-earliest", "--execute"}, &text, "replay-earliest"), 0) << text;
  EXPECT_NE(text.find("re-reads 350 records"), std::string::npos) << text;
  EXPECT_EQ(GroupOffsets("newsflow-passthrough"), std::make_pair(0L, 350L));
  stage = StartStage("stage-3", {"--set", "reject_marker=beta"});
  ASSERT_TRUE(WaitFor([&] { return Articles(out).lines >= 350u + kA && DeadLetters(dlq).lines >= 2u * kB; }, 120s))
      << stage->Log();
  stage->Signal(SIGTERM);
  ASSERT_EQ(stage->Wait(60s), 0) << stage->Log();
  EXPECT_NE(stage->Log().find("received 350 sent 200 dropped 0 dead-lettered 150 lost 0"), std::string::npos)
      << stage->Log();
  d = Articles(out);
  EXPECT_EQ(d.lines, 350u + kA);
  EXPECT_EQ(d.Batch("a"), 2 * kA);
  EXPECT_EQ(d.Batch("b"), kB);
  dl = DeadLetters(dlq);
  EXPECT_EQ(dl.lines, 2u * kB);
  EXPECT_EQ(dl.Batch("a"), 0);
  EXPECT_EQ(dl.Batch("b"), 2 * kB);
  EXPECT_EQ(GroupOffsets("newsflow-sink").second, 550L);

  for (auto* p : {sink.get(), dlq_sink.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(60s), 0) << p->Log();
  }
  std::printf("replay counts: produced %d (a) + %d (b); after replay to the gap: delivered %zu, dead letters %zu "
              "(all of b); after --to-earliest: delivered %zu, dead letters %zu; lost 0\n",
              kA, kB, size_t{350}, static_cast<size_t>(kB), d.lines, dl.lines);
}

// The embedded broker has no DescribeGroups: replay says it needs a real cluster.
TEST(ReplayEmbeddedTest, RefusesWithAClearMessage) {
  std::string dir = MakeTempDir("ReplayEmbeddedTest");
  std::string boot = dir + "/broker.bootstrap";
  Process broker({NewsflowBinary(), "broker", "--bootstrap-file", boot}, dir + "/broker.log");
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot); }, 10s)) << broker.Log();
  Process replay({NewsflowBinary(), "replay", "clean", "--to-earliest", "--execute", "--bootstrap-file", boot},
                 dir + "/replay.log");
  EXPECT_EQ(replay.Wait(60s), 1) << replay.Log();
  EXPECT_NE(replay.Log().find("replay needs a real Kafka cluster (--brokers host:port)"), std::string::npos)
      << replay.Log();
  // The same when pointed at it with --brokers (the DescribeGroups request fails).
  std::string addr = ReadFile(boot);
  addr = addr.substr(addr.find("bootstrap=") + 10);
  addr = addr.substr(0, addr.find('\n'));
  Process direct({NewsflowBinary(), "replay", "clean", "--to-earliest", "--brokers", addr}, dir + "/direct.log");
  EXPECT_EQ(direct.Wait(60s), 1) << direct.Log();
  EXPECT_NE(direct.Log().find("replay needs a real Kafka cluster"), std::string::npos) << direct.Log();
}

}  // namespace
}  // namespace newsflow::testing
