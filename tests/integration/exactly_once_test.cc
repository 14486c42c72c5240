// delivery: exactly_once on a real Apache Kafka broker: a chain of two
// passthrough stage processes (raw -> s1 -> s2 -> sink) inside Kafka
// transactions, one stage SIGKILLed ten times at random moments while articles
// flow (at least 20,000, fed until the last kill is done); the read_committed
// sink must hold every article exactly once.
// The same scenario in at_least_once shows what the mode buys (duplicates).
//
// Needs Java and the Kafka jars (scripts/kafka.sh); the cluster runs under the
// build tree and is stopped at the end.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "support/feeder.h"
#include "support/kafka_cluster.h"
#include "support/process.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kArticles = 20000;
constexpr int kBadRecords = 50;  // undecodable: every one must become exactly one dead letter
constexpr int kKills = 10;
constexpr int kChunk = 1000;  // articles a producer run of the feed
// The stages' consumer sessions (the cluster allows down to 1 s): a killed
// stage's successor gets its partitions once the dead member's session ends.
// Not shorter: with 2 s a live stage lost its session once in ten runs (the
// broker did not answer its heartbeats for 2 s at load average ~30).
constexpr const char* kSession = "session.timeout.ms=3000";
constexpr const char* kHeartbeat = "heartbeat.interval.ms=1000";

struct Counts {
  std::set<std::string> unique;
  size_t lines = 0;
};

// Articles by id; dead letters by the source offset they came from.
Counts Read(const std::string& path, bool dead_letters) {
  Counts c;
  for (const auto& line : ReadLines(path)) {
    ++c.lines;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    if (dead_letters) {
      const auto& s = j.at("source");
      c.unique.insert(s.at("topic").get<std::string>() + "/" +
                      std::to_string(s.at("partition").get<int>()) + "/" +
                      std::to_string(s.at("offset").get<int64_t>()));
    } else {
      c.unique.insert(j.at("id").get<std::string>());
    }
  }
  return c;
}

void WriteArticles(const std::string& path, int n, int first = 0) {
  std::ofstream out(path);
  std::string filler;
  while (filler.size() < 300) filler += "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ";
  filler.resize(300);
  for (int i = first; i < first + n; ++i) {
    nlohmann::json j = {{"source", "test"},
                        {"url", "https://example.com/eo/" + std::to_string(i)},
                        {"body", "Article " + std::to_string(i) + ". " + filler}};
    out << j.dump() << "\n";
  }
}

size_t CountLines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

// Waits until `path` holds `n` distinct records (parsing only once enough lines are there).
bool WaitForUnique(const std::string& path, bool dead_letters, size_t n,
                   std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (CountLines(path) >= n && Read(path, dead_letters).unique.size() >= n) return true;
    std::this_thread::sleep_for(500ms);
  }
  return false;
}

unsigned Seed() {
  if (const char* s = std::getenv("NEWSFLOW_TEST_SEED")) return static_cast<unsigned>(std::stoul(s));
  return static_cast<unsigned>(
      std::chrono::system_clock::now().time_since_epoch().count() & 0x7fffffff);
}

class RealKafkaExactlyOnceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string dir = MakeTempDir("RealKafkaExactlyOnce-cluster");
    // Sessions shorter than Kafka's minimum (group.min.session.timeout.ms,
    // 6 s), for this test's cluster only: a SIGKILLed stage's partitions then
    // move after kSession instead of 6 s, ten times per chain.
    KafkaCluster::Options o;
    o.configs = {"group.min.session.timeout.ms=1000"};
    cluster_ = new KafkaCluster(dir + "/kafka", std::move(o));
  }
  static void TearDownTestSuite() {
    delete cluster_;  // stops the broker
    cluster_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(cluster_->ok()) << cluster_->error();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = MakeTempDir(std::string(info->test_suite_name()) + "-" + info->name());
    std::filesystem::create_directories(dir_ + "/state");
  }

  // Every process runs without /metrics (--metrics-addr ""): these tests
  // scrape nothing. (Stopping the metrics server once waited out civetweb's
  // 2 s listener poll at every exit, which set the pace of the feed's
  // producer runs; MetricsServer no longer waits.)
  std::unique_ptr<Process> Start(std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), NewsflowBinary());
    for (const char* a : {"--metrics-addr", "", "--brokers"}) args.push_back(a);
    args.push_back(cluster_->Bootstrap());
    return std::make_unique<Process>(args, dir_ + "/" + log + ".log",
                                     std::map<std::string, std::string>{
                                         {"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  }

  // One chain: raw -> s1 -> s2 -> sink, every process in `delivery` mode,
  // stage `victim` (1 or 2, chosen at random each time) SIGKILLed kKills
  // times at random moments and restarted at once.
  struct Report {
    int64_t produced = 0, delivered = 0, duplicates = 0, lost = 0, kills = 0;
    int64_t dead_letters = 0, dead_letter_duplicates = 0;
    int64_t aborted = -1;  // exactly_once: records only read_uncommitted sees (both stage topics)
    size_t delivered_at_last_kill = 0;
  };
  Report RunChain(const std::string& delivery, const std::string& prefix, unsigned seed) {
    Report r;
    const std::string raw = prefix + ".raw", t1 = prefix + ".s1", t2 = prefix + ".s2";
    for (const auto& t : {raw, t1, t2, std::string("news.dlq")})
      EXPECT_TRUE(cluster_->CreateTopic(t, 4)) << cluster_->error();
    const std::string g1 = prefix + "-s1", g2 = prefix + "-s2", gs = prefix + "-sink";
    // Short sessions so a killed member's partitions move in seconds.
    const std::vector<std::string> fast = {"-X", kSession, "-X", kHeartbeat};
    auto stage = [&](int n, int incarnation) {
      std::vector<std::string> a = {"stage", "passthrough", "--input-topic", n == 1 ? raw : t1,
                                    "--output-topic", n == 1 ? t1 : t2, "--group", n == 1 ? g1 : g2,
                                    "--downstream-group", n == 1 ? g2 : gs, "--delivery", delivery,
                                    "--set", "delay_us=200"};
      a.insert(a.end(), fast.begin(), fast.end());
      return Start(a, "s" + std::to_string(n) + "-" + std::to_string(incarnation));
    };
    const std::string out = dir_ + "/out.jsonl", dlq = dir_ + "/dlq.jsonl";
    std::unique_ptr<Process> stages[2] = {stage(1, 0), stage(2, 0)};
    auto sink = Start({"sink", "--topic", t2, "--output", out, "--group", gs, "--delivery", delivery},
                      "sink");
    auto dlq_sink = Start({"sink", "--topic", "news.dlq", "--output", dlq, "--group",
                           prefix + "-dlq-sink", "--delivery", delivery},
                          "dlq-sink");

    {
      std::ofstream bad(dir_ + "/bad.jsonl");
      for (int i = 0; i < kBadRecords; ++i) bad << "{not json " << i << "\n";
    }
    // The feed lasts as long as the kills do, whatever the chain's speed
    // (at least kArticles, in chunks of kChunk a second).
    Feeder feeder(
        [&](int k) {
          std::string path = dir_ + "/in-" + std::to_string(k) + ".jsonl";
          WriteArticles(path, kChunk, k * kChunk);
          auto p = Start({"produce", "--topic", raw, "--downstream-group", g1, path},
                         "produce-" + std::to_string(k));
          return p->Wait(180s) == 0;
        },
        kArticles / kChunk, 1s);
    auto bad_producer = Start({"produce", "--raw", "--topic", raw, "--no-flow-control",
                               dir_ + "/bad.jsonl"},
                              "produce-bad");

    // Kill only once records flow through the chain.
    EXPECT_TRUE(WaitFor([&] { return CountLines(out) > 0; }, 120s))
        << stages[0]->Log() << stages[1]->Log();
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> delay_ms(100, 1500), which(0, 1);
    int incarnation[2] = {0, 0};
    for (int k = 0; k < kKills; ++k) {
      int v = which(rng);
      // A random moment once the victim works (has partitions), so the kill
      // lands mid-transaction rather than while it still joins the group.
      EXPECT_TRUE(WaitFor([&] { return stages[v]->Log().find("assigned") != std::string::npos; },
                          60s))
          << stages[v]->Log();
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      stages[v]->Signal(SIGKILL);
      EXPECT_EQ(stages[v]->Wait(10s), 128 + SIGKILL);
      ++r.kills;
      r.delivered_at_last_kill = Read(out, false).unique.size();
      std::cout << "[ kill ] " << k + 1 << ": stage s" << v + 1 << " after "
                << r.delivered_at_last_kill << " delivered, " << feeder.fed() * kChunk << " fed\n";
      stages[v] = stage(v + 1, ++incarnation[v]);
    }
    EXPECT_EQ(feeder.Finish(), "");
    r.produced = static_cast<int64_t>(feeder.fed()) * kChunk;
    EXPECT_EQ(bad_producer->Wait(60s), 0) << bad_producer->Log();
    EXPECT_TRUE(WaitForUnique(out, false, static_cast<size_t>(r.produced), 180s) &&
                WaitForUnique(dlq, true, kBadRecords, 60s))
        << "delivered " << Read(out, false).unique.size() << "\n"
        << stages[0]->Log() << stages[1]->Log();
    // Anything still in flight (a redelivered batch) lands in this window.
    std::this_thread::sleep_for(3s);
    for (auto* p : {stages[0].get(), stages[1].get(), sink.get(), dlq_sink.get()}) {
      p->Signal(SIGTERM);
      EXPECT_EQ(p->Wait(60s), 0) << p->Log();
      EXPECT_EQ(p->Log().find("LOST"), std::string::npos) << p->Log();
    }
    Counts c = Read(out, false);
    r.delivered = static_cast<int64_t>(c.unique.size());
    r.duplicates = static_cast<int64_t>(c.lines - c.unique.size());
    r.lost = r.produced - r.delivered;
    Counts d = Read(dlq, true);
    r.dead_letters = static_cast<int64_t>(d.unique.size());
    r.dead_letter_duplicates = static_cast<int64_t>(d.lines - d.unique.size());
    if (delivery == "exactly_once") {
      // What the kills left behind: records of transactions that never
      // committed are in the logs, visible only to read_uncommitted readers.
      r.aborted = 0;
      for (const auto& t : {t1, t2}) {
        std::string path = dir_ + "/uncommitted-" + t + ".jsonl";
        auto reader = Start({"sink", "--topic", t, "--output", path, "--group", t + "-uncommitted",
                             "-X", "isolation.level=read_uncommitted"},
                            "uncommitted-" + t);
        size_t last = 0;
        auto stable_since = std::chrono::steady_clock::now();
        EXPECT_TRUE(WaitFor([&] {
          size_t n = CountLines(path);
          if (n != last) {
            last = n;
            stable_since = std::chrono::steady_clock::now();
          }
          return n >= static_cast<size_t>(r.produced) &&
                 std::chrono::steady_clock::now() - stable_since > 3s;
        }, 120s)) << reader->Log();
        reader->Signal(SIGTERM);
        EXPECT_EQ(reader->Wait(30s), 0) << reader->Log();
        r.aborted += static_cast<int64_t>(CountLines(path)) - r.produced;
      }
    }
    return r;
  }

  static KafkaCluster* cluster_;
  std::string dir_;
};

KafkaCluster* RealKafkaExactlyOnceTest::cluster_ = nullptr;

TEST_F(RealKafkaExactlyOnceTest, TenStageKillsLeaveEveryArticleExactlyOnce) {
  unsigned seed = Seed();
  std::cout << "[ seed ] " << seed << " (NEWSFLOW_TEST_SEED=" << seed << " repeats the kills)\n";
  Report r = RunChain("exactly_once", "eo", seed);
  std::cout << "[ report ] produced " << r.produced << " delivered " << r.delivered
            << " duplicates " << r.duplicates << " lost " << r.lost << " kills " << r.kills
            << " (dead letters " << r.dead_letters << " of " << kBadRecords << ", duplicates "
            << r.dead_letter_duplicates << "; aborted records only read_uncommitted sees "
            << r.aborted << ")\n";
  EXPECT_EQ(r.kills, kKills);
  EXPECT_EQ(r.lost, 0);
  EXPECT_EQ(r.duplicates, 0);
  EXPECT_GE(r.produced, kArticles);
  EXPECT_EQ(r.delivered, r.produced);
  EXPECT_EQ(r.dead_letters, kBadRecords);
  EXPECT_EQ(r.dead_letter_duplicates, 0);
  EXPECT_LT(r.delivered_at_last_kill, static_cast<size_t>(r.produced))
      << "every kill must happen while articles still flow";
  EXPECT_GT(r.aborted, 0) << "the kills must have hit open transactions (else nothing was tested)";
}

// The contrast: the same kills in at_least_once lose nothing but redeliver.
TEST_F(RealKafkaExactlyOnceTest, AtLeastOnceUnderTheSameKillsDuplicates) {
  unsigned seed = Seed();
  std::cout << "[ seed ] " << seed << "\n";
  Report r = RunChain("at_least_once", "alo", seed);
  std::cout << "[ report ] at_least_once: produced " << r.produced << " delivered " << r.delivered
            << " duplicates " << r.duplicates << " lost " << r.lost << " kills " << r.kills << "\n";
  EXPECT_EQ(r.lost, 0);
  EXPECT_GE(r.produced, kArticles);
  EXPECT_EQ(r.delivered, r.produced);
}

// Two live processes forced onto one transactional.id (-X transactional.id
// with separate state folders, so both take slot 0): the newer fences the
// older, which must stop with a clear error and a non-zero exit instead of
// writing on; the survivor finishes the work exactly once.
TEST_F(RealKafkaExactlyOnceTest, FencedProducerStopsWithAClearError) {
  const int n = 3000;
  for (const char* t : {"fence.raw", "fence.out"}) ASSERT_TRUE(cluster_->CreateTopic(t, 4)) << cluster_->error();
  auto stage = [&](const std::string& name) {
    std::filesystem::create_directories(dir_ + "/state-" + name);
    std::vector<std::string> a = {NewsflowBinary(), "stage", "passthrough", "--input-topic",
                                  "fence.raw", "--output-topic", "fence.out", "--group", "fence-s1",
                                  "--downstream-group", "fence-sink", "--delivery", "exactly_once",
                                  "--set", "delay_us=1000", "-X", "transactional.id=fence",
                                  "-X", "session.timeout.ms=6000", "--metrics-addr", "", "--brokers",
                                  cluster_->Bootstrap()};
    return std::make_unique<Process>(a, dir_ + "/" + name + ".log",
                                     std::map<std::string, std::string>{
                                         {"NEWSFLOW_STATE_DIR", dir_ + "/state-" + name}});
  };
  const std::string out = dir_ + "/out.jsonl";
  auto sink = Start({"sink", "--topic", "fence.out", "--output", out, "--group", "fence-sink",
                     "--delivery", "exactly_once"},
                    "sink");
  auto first = stage("first");
  WriteArticles(dir_ + "/in.jsonl", n);
  auto producer = Start({"produce", "--topic", "fence.raw", "--downstream-group", "fence-s1",
                         dir_ + "/in.jsonl"},
                        "produce");
  ASSERT_TRUE(WaitFor([&] { return CountLines(out) > 0; }, 120s)) << first->Log();
  auto second = stage("second");
  EXPECT_EQ(first->Wait(90s), 1) << first->Log();
  std::string log = first->Log();
  EXPECT_NE(log.find("exactly once: "), std::string::npos) << log;
  EXPECT_NE(log.find("transactional.id 'fence-"), std::string::npos) << log;
  EXPECT_EQ(producer->Wait(120s), 0) << producer->Log();
  EXPECT_TRUE(WaitForUnique(out, false, n, 120s)) << second->Log();
  std::this_thread::sleep_for(2s);
  Counts c = Read(out, false);
  std::cout << "[ report ] fenced: produced " << n << " delivered " << c.unique.size()
            << " duplicates " << c.lines - c.unique.size() << "\n";
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(n));
  EXPECT_EQ(c.lines, static_cast<size_t>(n));
  for (auto* p : {second.get(), sink.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(60s), 0) << p->Log();
  }
}

TEST(ExactlyOnceRefusalTest, EmbeddedBrokerRefusesExactlyOnce) {
  // The embedded broker cannot honour transactions, so every command
  // refuses the mode at start (exit 2), from the flag or a pipeline file.
  std::string dir = MakeTempDir("ExactlyOnceRefusal");
  std::string boot = dir + "/broker.bootstrap";
  auto broker = std::make_unique<Process>(
      std::vector<std::string>{NewsflowBinary(), "broker", "--partitions", "1", "--bootstrap-file",
                               boot},
      dir + "/broker.log");
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot); }, 10s)) << broker->Log();
  const std::vector<std::vector<std::string>> commands = {
      {"stage", "passthrough", "--input-topic", "news.raw", "--output-topic", "news.clean"},
      {"sink", "--topic", "news.clean", "--output", dir + "/out.jsonl"},
  };
  int i = 0;
  for (auto args : commands) {
    args.insert(args.begin(), NewsflowBinary());
    for (const char* a : {"--delivery", "exactly_once", "--bootstrap-file"}) args.push_back(a);
    args.push_back(boot);
    Process p(args, dir + "/cmd" + std::to_string(i++) + ".log");
    EXPECT_EQ(p.Wait(30s), 2) << p.Log();
    EXPECT_NE(p.Log().find("exactly_once needs a real Kafka cluster"), std::string::npos) << p.Log();
  }
  {
    std::ofstream f(dir + "/eo.yaml");
    f << "delivery: exactly_once\nstages:\n  - name: passthrough\n";
    std::ofstream g(dir + "/bad.yaml");
    g << "delivery: sometimes\nstages:\n  - name: passthrough\n";
  }
  Process from_file({NewsflowBinary(), "stage", "passthrough", "--pipeline", dir + "/eo.yaml",
                     "--bootstrap-file", boot},
                    dir + "/file.log");
  EXPECT_EQ(from_file.Wait(30s), 2) << from_file.Log();
  EXPECT_NE(from_file.Log().find("exactly_once needs a real Kafka cluster"), std::string::npos)
      << from_file.Log();
  Process bad_key({NewsflowBinary(), "validate", dir + "/bad.yaml"}, dir + "/bad.log");
  EXPECT_EQ(bad_key.Wait(30s), 2) << bad_key.Log();
  EXPECT_NE(bad_key.Log().find("bad.yaml:1:11: delivery: expected at_least_once or exactly_once"),
            std::string::npos)
      << bad_key.Log();
  // `run` without --brokers starts its own embedded broker: refused too.
  Process run({NewsflowBinary(), "run", "--delivery", "exactly_once", "--output",
               dir + "/run.jsonl", dir + "/missing.jsonl"},
              dir + "/run.log");
  EXPECT_EQ(run.Wait(30s), 2) << run.Log();
  EXPECT_NE(run.Log().find("exactly_once needs a real Kafka cluster"), std::string::npos)
      << run.Log();
  broker->Signal(SIGTERM);
  EXPECT_EQ(broker->Wait(30s), 0);
}

}  // namespace
}  // namespace newsflow::testing
