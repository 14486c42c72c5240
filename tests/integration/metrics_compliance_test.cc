// Compliance: every registered stage (as `newsflow stages` lists them), run
// as its own process through the one runner, exposes the metrics contract
// (docs/metrics.md, ContractMetricNames()) with its own `stage` label, and
// answers /healthz and /readyz. New stages are picked up without edits here.
#include <signal.h>

#include <iostream>
#include <regex>
#include <set>

#include "metrics_fixture.h"
#include "newsflow/metrics.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;

// Stage names from `newsflow stages` ("name: description" lines).
std::vector<std::string> RegisteredStages(const std::string& dir) {
  Process list({NewsflowBinary(), "stages"}, dir + "/stages.log");
  EXPECT_EQ(list.Wait(30s), 0);
  std::vector<std::string> names;
  for (const auto& line : ReadLines(dir + "/stages.log")) {
    if (line.empty() || line[0] == ' ') continue;
    size_t colon = line.find(':');
    if (colon != std::string::npos) names.push_back(line.substr(0, colon));
  }
  return names;
}

// The metric names (histograms without their _bucket/_sum/_count suffixes)
// that have a sample labelled stage="<stage>".
std::set<std::string> NamesWithStage(const std::string& exposition, const std::string& stage) {
  std::set<std::string> names;
  std::istringstream in(exposition);
  const std::string label = "stage=\"" + stage + "\"";
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.find(label) == std::string::npos) continue;
    std::string name = line.substr(0, line.find('{'));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s(suffix);
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
          name.find("_total") == std::string::npos) {
        name.resize(name.size() - s.size());
        break;
      }
    }
    names.insert(name);
  }
  return names;
}

class MetricsComplianceTest : public MetricsPipelineTest {};
NEWSFLOW_ON_BOTH_BROKERS(MetricsComplianceTest);

// No broker involved.
TEST(MetricsComplianceTest, ContractIsDocumented) {
  std::string doc = ReadFile(std::string(NEWSFLOW_SOURCE_DIR) + "/docs/metrics.md");
  ASSERT_FALSE(doc.empty());
  for (const auto& name : ContractMetricNames())
    EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name << " is not in docs/metrics.md";
  EXPECT_NE(doc.find("`newsflow_build_info`"), std::string::npos);
  EXPECT_NE(doc.find("`newsflow_records_dropped_total`"), std::string::npos);
}

TEST_P(MetricsComplianceTest, EveryRegisteredStageExposesTheContract) {
  StartBroker(2);
  std::vector<std::string> stages = RegisteredStages(dir_);
  ASSERT_GE(stages.size(), 4u) << ReadFile(dir_ + "/stages.log");
  struct Running {
    std::string stage;
    int port;
    std::unique_ptr<Process> process;
  };
  std::vector<Running> running;
  // Every stage reads news.raw in its own group, so each sees every record.
  for (const auto& s : stages) {
    int port = FreePort();
    running.push_back({s, port,
                       Start({"stage", s, "--input-topic", "news.raw", "--output-topic",
                              "news.compliance." + s, "--group", "compliance-" + s,
                              "--no-flow-control"},
                             s, port)});
  }
  int sink_port = FreePort();
  running.push_back({"sink", sink_port,
                     Start({"sink", "--topic", "news.raw", "--output", dir_ + "/raw.jsonl",
                            "--group", "compliance-sink", "--raw"},
                           "sink", sink_port)});
  for (auto& r : running) {
    // One answer that is both 200 and names the connected broker. Asking
    // twice compared two samples: once, on the shared real cluster under a
    // full `ctest -j 3`, the second came 503 (0 partitions, no broker) right
    // after the first was 200, and readiness came back on its own.
    std::string body;
    ASSERT_TRUE(WaitFor([&] {
      return (HttpGet(Url(r.port, "/readyz"), &body, 1000) == 200 &&
              body.find("broker connected") != std::string::npos) ||
             !r.process->Running();
    }, 60s)) << r.stage << " never became ready: " << body << "\n" << r.process->Log();
    ASSERT_TRUE(r.process->Running()) << r.process->Log();
    EXPECT_EQ(HttpGet(Url(r.port, "/healthz"), &body), 200) << r.stage << "\n" << r.process->Log();
  }
  const int articles = WriteSampleArticles(dir_ + "/in.jsonl", 2);
  auto producer = Start({"produce", dir_ + "/in.jsonl"}, "produce");
  ASSERT_EQ(producer->Wait(60s), 0) << producer->Log();

  for (auto& r : running) {
    std::string text;
    // Every stage has seen every record once its received counter says so.
    const std::string received = "newsflow_records_received_total{stage=\"" + r.stage +
                                 "\",topic=\"" + Topic("news.raw") + "\"} " + std::to_string(articles);
    ASSERT_TRUE(WaitFor([&] {
      HttpGet(Url(r.port, "/metrics"), &text);
      return text.find(received) != std::string::npos;
    }, 60s)) << r.stage << ": expected " << received << "\n" << text;
    std::this_thread::sleep_for(1500ms);  // a statistics interval, for the committed lag
    ASSERT_EQ(HttpGet(Url(r.port, "/metrics"), &text), 200);
    std::set<std::string> have = NamesWithStage(text, r.stage);
    std::vector<std::string> missing;
    for (const auto& name : ContractMetricNames())
      if (have.count(name) == 0) missing.push_back(name);
    std::string m;
    for (const auto& s : missing) m += " " + s;
    EXPECT_TRUE(missing.empty()) << r.stage << " lacks:" << m;
    EXPECT_NE(text.find("newsflow_build_info{"), std::string::npos) << r.stage;
    std::cout << "[ report ] " << r.stage << ": " << ContractMetricNames().size() - missing.size()
              << "/" << ContractMetricNames().size() << " contract metrics with stage=\"" << r.stage
              << "\"\n";
  }
  for (auto& r : running) {
    r.process->Signal(SIGTERM);
    EXPECT_EQ(r.process->Wait(30s), 0) << r.process->Log();
  }
}

}  // namespace
}  // namespace newsflow::testing
