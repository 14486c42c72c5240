// Tests only a real Apache Kafka can answer (issue 12, points 3a, 3c, 3d, 3f):
// broker and controller failure on a 3-node cluster, scale-out through the
// real group coordinator, a SASL_SSL listener, and a whole-box crash of every
// newsflow process. Real newsflow processes (tests/support/process.h), real
// Kafka 4.x (tests/support/kafka_cluster.h, scripts/kafka.sh); each test
// starts its own cluster under the build folder and creates its topics.
// Every test prints its counts as one "[ report ]" line.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/feeder.h"
#include "support/kafka_cluster.h"
#include "support/process.h"
#include "support/sink_file.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// `n` raw articles as JSON Lines, ids from `prefix` and the index.
void WriteArticles(const std::string& path, int first, int n, size_t size, const std::string& prefix) {
  std::ofstream out(path);
  std::string filler;
  while (filler.size() < size) filler += "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ";
  filler.resize(size);
  for (int i = first; i < first + n; ++i) {
    nlohmann::json j = {{"source", "test"},
                        {"url", "https://example.com/" + prefix + "/" + std::to_string(i)},
                        {"body", "Article " + std::to_string(i) + ". " + filler}};
    out << j.dump() << "\n";
  }
}

// Sum of "LOST <n> record(s)" in a process log (the runner's gap check).
int64_t LostIn(const std::string& log) {
  static const std::regex kLost("LOST (\\d+) record");
  int64_t n = 0;
  for (std::sregex_iterator it(log.begin(), log.end(), kLost), end; it != end; ++it)
    n += std::stoll((*it)[1]);
  return n;
}

// The partition counts of every "assigned N partition(s)" line, in order.
std::vector<int> Assignments(const std::string& log) {
  static const std::regex kAssigned("assigned (\\d+) partition\\(s\\)");
  std::vector<int> out;
  for (std::sregex_iterator it(log.begin(), log.end(), kAssigned), end; it != end; ++it)
    out.push_back(std::stoi((*it)[1]));
  return out;
}

void Report(const std::string& what, int64_t produced, size_t delivered, int64_t duplicates,
            int64_t lost, const std::string& extra, Clock::time_point start) {
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("[ report ] %s: produced %lld delivered %zu duplicates %lld lost %lld %s wall %.1f s\n",
              what.c_str(), static_cast<long long>(produced), delivered,
              static_cast<long long>(duplicates), static_cast<long long>(lost), extra.c_str(), secs);
  std::fflush(stdout);
}

KafkaCluster::Options Nodes(int n) {
  KafkaCluster::Options o;
  o.nodes = n;
  return o;
}

class RealKafkaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Clusters and files live under the build folder, also when the binary
    // runs outside ctest.
    setenv("NEWSFLOW_TEST_BINARY_DIR", NEWSFLOW_BINARY_DIR, 0);
  }

  void StartCluster(KafkaCluster::Options o) {
    start_ = Clock::now();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = MakeTempDir(std::string(info->test_suite_name()) + "-" + info->name());
    cluster_ = std::make_unique<KafkaCluster>(dir_ + "/kafka", std::move(o));
    ASSERT_TRUE(cluster_->ok()) << cluster_->error();
    brokers_ = cluster_->Bootstrap();
  }

  void CreateTopics(const std::vector<std::pair<std::string, int>>& topics, int rf,
                    const std::vector<std::string>& configs = {}) {
    for (const auto& [t, p] : topics) ASSERT_TRUE(cluster_->CreateTopic(t, p, rf, configs)) << cluster_->error();
  }

  std::unique_ptr<Process> Start(std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), NewsflowBinary());
    args.push_back("--brokers");
    args.push_back(brokers_);
    for (const auto& x : client_props_) {
      args.push_back("-X");
      args.push_back(x);
    }
    return std::make_unique<Process>(args, dir_ + "/" + log + ".log");
  }

  std::unique_ptr<Process> StartPassthrough(const std::string& in, const std::string& out,
                                            const std::string& group, const std::string& downstream,
                                            const std::string& log, int delay_us) {
    return Start({"stage", "passthrough", "--input-topic", in, "--output-topic", out, "--group", group,
                  "--downstream-group", downstream, "--set", "delay_us=" + std::to_string(delay_us)},
                 log);
  }

  std::unique_ptr<Process> StartSink(const std::string& topic, const std::string& out,
                                     const std::string& group, const std::string& log,
                                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sink", "--topic", topic, "--output", out, "--group", group};
    args.insert(args.end(), extra.begin(), extra.end());
    return Start(args, log);
  }

  // Records a topic holds (sum of its partitions' end offsets), -1 on error.
  int64_t EndOffsets(const std::string& topic) {
    std::string out;
    if (cluster_->Tool({"get-offsets", "--bootstrap-server", cluster_->Bootstrap(), "--topic", topic},
                       &out) != 0)
      return -1;
    int64_t n = 0;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      size_t colon = line.rfind(':');
      if (line.rfind(topic + ":", 0) == 0 && colon != std::string::npos)
        n += std::stoll(line.substr(colon + 1));
    }
    return n;
  }

  Clock::time_point start_;
  std::string dir_, brokers_;
  std::vector<std::string> client_props_;
  std::unique_ptr<KafkaCluster> cluster_;
};

// ---- a. broker failure -----------------------------------------------------

class RealKafkaBrokerFailureTest : public RealKafkaTest {};

TEST_F(RealKafkaBrokerFailureTest, LeaderAndControllerKilledMidStreamLoseNothing) {
  StartCluster(Nodes(3));
  CreateTopics({{"news.raw", 4}, {"news.clean", 4}, {"news.dlq", 1}}, 3, {"min.insync.replicas=2"});
  std::string out = dir_ + "/out.jsonl";
  auto stage = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage", 1000);
  auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");

  // Articles keep coming for the whole test: batches from fresh producer
  // processes (acks=all, idempotent), one after another, until both killed
  // nodes are back, then one batch more (testing::Feeder): a fixed number of
  // batches could all be out before the second kill when the chain or the
  // producers ran fast, and "producers finish while the node is down" could
  // not hold (seen in CI: 11 of 12 batches done at the controller's kill).
  constexpr int kMinBatches = 12, kPerBatch = 1500;
  // Written by the feeder's one thread, read after Finish() has joined it.
  int produce_failures = 0;
  std::string produce_logs;
  Feeder feeder(
      [&](int b) {
        const std::string in = dir_ + "/in" + std::to_string(b) + ".jsonl";
        WriteArticles(in, b * kPerBatch, kPerBatch, 600, "a");
        auto p = Start({"produce", in}, "produce" + std::to_string(b));
        int rc = p->Wait(180s);
        if (rc != 0) {
          ++produce_failures;
          produce_logs += "batch " + std::to_string(b) + " exit " + std::to_string(rc) + ":\n" + p->Log();
        }
        return true;
      },
      kMinBatches, 4s, 60);
  auto delivered = [&] { return Ids(out).unique.size(); };
  auto wait_more = [&](size_t n) {
    size_t target = delivered() + n;
    return WaitFor([&] { return delivered() >= target; }, 120s);
  };

  // Nothing below means anything without a flowing chain: stop here, not
  // after every later wait has run out (14 minutes, seen in CI).
  ASSERT_TRUE(WaitFor([&] { return delivered() >= 1000; }, 120s)) << stage->Log() << sink->Log();
  int leader = cluster_->Leader("news.clean", 0);
  ASSERT_GE(leader, 1);
  std::printf("killing node %d, leader of news.clean[0], at %zu delivered\n", leader, delivered());
  ASSERT_TRUE(cluster_->Kill(leader));
  // While the node is down, articles keep flowing and producer processes
  // start, publish and exit (a flow controller's group handle once kept a
  // finished producer from exiting until the dead broker came back).
  int batches = feeder.fed();
  EXPECT_TRUE(wait_more(1000)) << "no progress with node " << leader << " down\n" << sink->Log();
  EXPECT_TRUE(WaitFor([&] { return feeder.fed() >= batches + 2; }, 120s))
      << "producers must finish while node " << leader << " is down";
  ASSERT_TRUE(cluster_->Restart(leader)) << cluster_->error();
  int controller = cluster_->ActiveController();
  ASSERT_GE(controller, 1);
  std::printf("killing node %d, the active controller, at %zu delivered\n", controller, delivered());
  ASSERT_TRUE(cluster_->Kill(controller));
  batches = feeder.fed();
  EXPECT_TRUE(wait_more(1000)) << "no progress with the controller down\n" << sink->Log();
  EXPECT_TRUE(WaitFor([&] { return feeder.fed() >= batches + 2; }, 120s))
      << "producers must finish while the controller (node " << controller << ") is down";
  ASSERT_TRUE(cluster_->Restart(controller)) << cluster_->error();
  int new_controller = cluster_->ActiveController();
  EXPECT_GE(new_controller, 1);
  int produced_while_failing = feeder.fed();

  EXPECT_EQ(feeder.Finish(), "");
  const int batches_fed = feeder.fed();
  const int kTotal = batches_fed * kPerBatch;
  EXPECT_EQ(produce_failures, 0) << produce_logs;
  EXPECT_TRUE(WaitFor([&] { return delivered() >= static_cast<size_t>(kTotal); }, 300s))
      << "delivered " << delivered() << " of " << kTotal << "\n" << stage->Log() << sink->Log();
  std::this_thread::sleep_for(2s);  // late duplicates, if any, land too
  for (auto* p : {stage.get(), sink.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(60s), 0) << p->Log();
  }
  IdCount c = Ids(out);
  int64_t lost = LostIn(stage->Log()) + LostIn(sink->Log());
  int64_t produced = EndOffsets("news.raw");
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(produced, kTotal) << "idempotent producers write each article once";
  EXPECT_EQ(lost, 0);
  // A controlled shutdown of the last two nodes waits for a quorum that is
  // gone (60 s each, then SIGKILL): this cluster's data is not needed again.
  for (int n = 1; n <= cluster_->nodes(); ++n) cluster_->Kill(n);
  Report("a. broker failure (3 nodes, rf 3, min.insync 2)", produced, c.unique.size(),
         static_cast<int64_t>(c.lines - c.unique.size()), lost,
         "killed leader " + std::to_string(leader) + " then controller " + std::to_string(controller) +
             " (batches produced before the restarts ended: " + std::to_string(produced_while_failing) +
             "/" + std::to_string(batches_fed) + ")",
         start_);
}

// ---- c. scale-out under load ------------------------------------------------

class RealKafkaScaleOutTest : public RealKafkaTest {};

// Members and partitions of a group, from kafka-consumer-groups --describe --members:
// the #PARTITIONS column of each member.
std::vector<int> MemberPartitions(const KafkaCluster& k, const std::string& group) {
  std::string out;
  if (k.Tool({"consumer-groups", "--bootstrap-server", k.Bootstrap(), "--describe", "--group", group,
              "--members"},
             &out) != 0)
    return {};
  std::vector<int> parts;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream row(line);
    std::vector<std::string> cols;
    for (std::string c; row >> c;) cols.push_back(c);
    if (cols.size() >= 5 && cols[0] == group && std::all_of(cols.back().begin(), cols.back().end(), ::isdigit))
      parts.push_back(std::stoi(cols.back()));
  }
  return parts;
}

TEST_F(RealKafkaScaleOutTest, OneToThreeToOneInstancesWhileArticlesFlow) {
  StartCluster(Nodes(1));
  CreateTopics({{"news.raw", 8}, {"news.clean", 8}, {"news.dlq", 1}}, 1);
  std::string out = dir_ + "/out.jsonl";
  constexpr int kChunk = 1000, kMinTotal = 12000;
  constexpr int kDelayUs = 2000;  // ~500 records/s per instance
  auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");
  auto s1 = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage1", kDelayUs);
  // Articles flow (1,000 a second, more than one instance takes) until the
  // scaling is done, however fast the stages are.
  Feeder feeder(
      [&](int k) {
        std::string path = dir_ + "/in-" + std::to_string(k) + ".jsonl";
        WriteArticles(path, k * kChunk, kChunk, 500, "s");
        auto produce = Start({"produce", path}, "produce-" + std::to_string(k));
        return produce->Wait(120s) == 0;
      },
      kMinTotal / kChunk, 1s);
  auto delivered = [&] { return Ids(out).unique.size(); };
  ASSERT_TRUE(WaitFor([&] { return delivered() >= 1000; }, 120s)) << s1->Log();
  size_t at_grow = delivered();

  // Grow to three.
  auto s2 = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage2", kDelayUs);
  auto s3 = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage3", kDelayUs);
  auto latest = [](Process& p) {
    auto a = Assignments(p.Log());
    return a.empty() ? -1 : a.back();
  };
  ASSERT_TRUE(WaitFor([&] { return latest(*s2) > 0 && latest(*s3) > 0 && latest(*s1) > 0 &&
                                   latest(*s1) + latest(*s2) + latest(*s3) == 8; }, 90s))
      << "the coordinator never spread the 8 partitions over 3 members\n"
      << s1->Log() << s2->Log() << s3->Log();
  std::vector<int> members = MemberPartitions(*cluster_, "newsflow-clean");
  EXPECT_EQ(members.size(), 3u) << "kafka-consumer-groups sees these members' partition counts";
  int sum = 0;
  for (int m : members) sum += m;
  EXPECT_EQ(sum, 8);
  std::string spread = std::to_string(latest(*s1)) + "+" + std::to_string(latest(*s2)) + "+" +
                       std::to_string(latest(*s3));
  size_t at_three = delivered();
  // Articles flow through the three.
  ASSERT_TRUE(WaitFor([&] { return delivered() >= at_three + 2000; }, 120s));
  size_t at_shrink = delivered();

  // Back to one: the others leave the group cleanly.
  for (auto* p : {s2.get(), s3.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(60s), 0) << p->Log();
  }
  ASSERT_TRUE(WaitFor([&] { return latest(*s1) == 8; }, 90s)) << s1->Log();
  size_t at_one = delivered();
  // And through the one left.
  ASSERT_TRUE(WaitFor([&] { return delivered() >= at_one + 1000; }, 120s)) << s1->Log();
  EXPECT_EQ(feeder.Finish(), "");
  const int kTotal = feeder.fed() * kChunk;
  EXPECT_GE(kTotal, kMinTotal);
  EXPECT_TRUE(WaitFor([&] { return delivered() >= static_cast<size_t>(kTotal); }, 300s))
      << "delivered " << delivered() << " of " << kTotal << "\n" << s1->Log();
  std::this_thread::sleep_for(2s);
  for (auto* p : {s1.get(), sink.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(60s), 0) << p->Log();
  }
  IdCount c = Ids(out);
  int64_t lost = LostIn(s1->Log()) + LostIn(s2->Log()) + LostIn(s3->Log()) + LostIn(sink->Log());
  int64_t duplicates = static_cast<int64_t>(c.lines - c.unique.size());
  int64_t rebalances = static_cast<int64_t>(Assignments(s1->Log()).size() + Assignments(s2->Log()).size() +
                                            Assignments(s3->Log()).size());
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(lost, 0);
  // The commit window: a partition handed over cleanly (revoke: flush, store,
  // commit) repeats nothing; what is in flight at a rebalance is at most one
  // poll batch (500) per member per rebalance.
  EXPECT_LE(duplicates, 500 * rebalances);
  Report("c. scale-out 1->3->1 (8 partitions)", EndOffsets("news.raw"), c.unique.size(), duplicates, lost,
         "assignments " + std::to_string(rebalances) + ", spread " + spread + ", delivered at grow/three/shrink/one " +
             std::to_string(at_grow) + "/" + std::to_string(at_three) + "/" + std::to_string(at_shrink) + "/" +
             std::to_string(at_one),
         start_);
}

// ---- d. security pass-through -----------------------------------------------

class RealKafkaSecurityTest : public RealKafkaTest {
 protected:
  // A CA and a broker certificate for 127.0.0.1 (PEM), made with openssl.
  void MakeCertificates(const std::string& dir) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/san.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    std::string cmd =
        "cd '" + dir + "' && "
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=newsflow-test-ca && "
        "openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj /CN=127.0.0.1 && "
        "openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.pem -days 2 "
        "-extfile san.ext && "
        "openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.p8 && "
        "cat broker.p8 broker.pem > keystore.pem";
    ASSERT_EQ(std::system(("(" + cmd + ") > '" + dir + "/openssl.log' 2>&1").c_str()), 0)
        << ReadFile(dir + "/openssl.log");
  }
};

TEST_F(RealKafkaSecurityTest, SaslSslPipelineRunsAndAWrongPasswordFailsFast) {
  std::string pki = MakeTempDir("RealKafkaSecurityTest-pki");
  MakeCertificates(pki);
  if (HasFatalFailure()) return;
  // One SASL_SSL listener with SCRAM-SHA-256 (the user made at format time)
  // and PLAIN (the same user and password, from the listener's JAAS config).
  KafkaCluster::Options o;
  o.nodes = 1;
  o.configs = {
      "listeners=PLAINTEXT://127.0.0.1:NODEPORT,CONTROLLER://127.0.0.1:NODECPORT,SASL_SSL://127.0.0.1:NODEXPORT",
      "advertised.listeners=PLAINTEXT://127.0.0.1:NODEPORT,SASL_SSL://127.0.0.1:NODEXPORT",
      "sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN",
      "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config="
      "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      "listener.name.sasl_ssl.plain.sasl.jaas.config="
      "org.apache.kafka.common.security.plain.PlainLoginModule required user_newsflow=\"s3cret-pass\";",
      "ssl.keystore.type=PEM",
      "ssl.keystore.location=" + pki + "/keystore.pem",
  };
  o.scram = {"SCRAM-SHA-256=[name=newsflow,password=s3cret-pass]"};
  StartCluster(o);
  if (HasFatalFailure()) return;
  CreateTopics({{"news.raw", 4}, {"news.clean", 4}, {"news.dlq", 1}}, 1);
  brokers_ = cluster_->ExtraBootstrap();  // the clients see only the SASL_SSL listener
  ASSERT_FALSE(brokers_.empty());
  // librdkafka before 2.6.1 computes a SCRAM proof Kafka 4.x rejects even
  // with the right password (librdkafka #4895): there the pipeline runs with
  // PLAIN over the same TLS listener, and SCRAM must fail with a clear note.
  const bool scram_works = rd_kafka_version() >= 0x020601ff;
  const std::string mechanism = scram_works ? "SCRAM-SHA-256" : "PLAIN";
  auto secure = [&](const std::string& mech, const std::string& password) {
    return std::vector<std::string>{"security.protocol=SASL_SSL", "sasl.mechanisms=" + mech,
                                    "sasl.username=newsflow", "sasl.password=" + password,
                                    "ssl.ca.location=" + pki + "/ca.pem"};
  };

  // The whole pipeline over SASL_SSL.
  client_props_ = secure(mechanism, "s3cret-pass");
  constexpr int kTotal = 2000;
  WriteArticles(dir_ + "/in.jsonl", 0, kTotal, 800, "sec");
  std::string out = dir_ + "/out.jsonl";
  auto stage = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage", 0);
  auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");
  auto produce = Start({"produce", dir_ + "/in.jsonl"}, "produce");
  ASSERT_EQ(produce->Wait(120s), 0) << produce->Log();
  EXPECT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= kTotal; }, 120s))
      << stage->Log() << sink->Log();
  for (auto* p : {stage.get(), sink.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(60s), 0) << p->Log();
  }
  IdCount c = Ids(out);
  int64_t lost = LostIn(stage->Log()) + LostIn(sink->Log());
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(lost, 0);

  // Authentication failures: every process ends, non-zero, naming the
  // failure, within 30 s of its start; nothing is written.
  auto expect_fails_fast = [&](const std::string& what, const std::string& must_say) {
    auto t0 = Clock::now();
    std::vector<std::pair<std::string, std::unique_ptr<Process>>> bad;
    bad.emplace_back("produce", Start({"produce", dir_ + "/in.jsonl"}, what + "-produce"));
    bad.emplace_back("stage", StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink",
                                               what + "-stage", 0));
    bad.emplace_back("sink", StartSink("news.clean", dir_ + "/" + what + "-out.jsonl", "newsflow-sink",
                                       what + "-sink"));
    std::string timings;
    for (auto& [name, p] : bad) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(30s - (Clock::now() - t0));
      int rc = p->Wait(std::max(left, std::chrono::milliseconds(1)));
      char buf[64];
      std::snprintf(buf, sizeof buf, " %s exit %d at %.1f s;", name.c_str(), rc,
                    std::chrono::duration<double>(Clock::now() - t0).count());
      timings += buf;
      EXPECT_NE(rc, -1) << what << ": " << name << " still running 30 s after its start:\n" << p->Log();
      EXPECT_NE(rc, 0) << what << ": " << name << "\n" << p->Log();
      EXPECT_NE(p->Log().find(must_say), std::string::npos)
          << what << ": " << name << " must say '" << must_say << "':\n" << p->Log();
    }
    EXPECT_EQ(Ids(dir_ + "/" + what + "-out.jsonl").lines, 0u);
    timings.pop_back();  // the last ';'
    return timings;
  };
  client_props_ = secure(mechanism, "wrong-pass");
  std::string wrong = expect_fails_fast("wrong-password", "Kafka authentication failed");
  std::string scram_note;
  if (!scram_works) {
    client_props_ = secure("SCRAM-SHA-256", "s3cret-pass");
    scram_note = "; SCRAM with the right password on librdkafka " + std::string(rd_kafka_version_str()) +
                 ":" + expect_fails_fast("old-scram", "fixed in librdkafka 2.6.1");
  }
  Report("d. SASL_SSL (" + mechanism + ")", EndOffsets("news.raw"), c.unique.size(),
         static_cast<int64_t>(c.lines - c.unique.size()), lost, "wrong password:" + wrong + scram_note,
         start_);
}

// ---- f. whole-box crash ------------------------------------------------------

class RealKafkaWholeBoxCrashTest : public RealKafkaTest {};

TEST_F(RealKafkaWholeBoxCrashTest, EveryProcessSigkilledMidStreamEveryFeedItemDeliveredOnce) {
  StartCluster(Nodes(1));
  CreateTopics({{"news.raw", 4}, {"news.clean", 4}, {"news.lang", 4}, {"news.tagged", 4}, {"news.dlq", 1}}, 1);
  constexpr int kFeeds = 5, kItems = 150, kTotal = kFeeds * kItems;
  std::string root = dir_ + "/www";
  std::filesystem::create_directories(root);
  std::string server_log = dir_ + "/server.log";
  std::string port;
  auto server = StartFeedServer(root, server_log, port);
  ASSERT_FALSE(port.empty()) << ReadFile(server_log);
  std::set<std::string> expected;  // page paths
  {
    std::ofstream feeds(dir_ + "/feeds.yaml");
    feeds << "feeds:\n";
    for (int f = 0; f < kFeeds; ++f) {
      std::string name = "desk" + std::to_string(f);
      std::ofstream rss(root + "/" + name + ".xml");
      rss << R"(<?xml version="1.0"?><rss version="2.0"><channel><title>)" << name << "</title>";
      for (int i = 0; i < kItems; ++i) {
        std::string page = "/page/" + name + "-" + std::to_string(i);
        expected.insert(page);
        rss << "<item><title>" << name << " story " << i << "</title><link>http://127.0.0.1:" << port << page
            << "</link><guid>" << name << "-" << i << "</guid></item>";
      }
      rss << "</channel></rss>";
      feeds << "  - url: http://127.0.0.1:" << port << "/feed/" << name << ".xml\n    source: " << name
            << "\n    interval_s: 1\n";
    }
  }
  std::string out = dir_ + "/articles.jsonl";
  // watch -> news.raw -> clean -> news.clean -> langid -> news.lang -> entities -> news.tagged -> sink
  // (passthroughs in the stages' places and groups: the real stages drop
  // the feed server's one-line pages as boilerplate).
  auto start_all = [&](const std::string& round) {
    std::vector<std::unique_ptr<Process>> ps;
    ps.push_back(Start({"watch", "--feeds", dir_ + "/feeds.yaml", "--state", dir_ + "/feeds.state",
                        "--per-host", "1", "--politeness-ms", "20", "--allow-private-addresses"},
                       "watch" + round));
    ps.push_back(StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-langid",
                                  "clean" + round, 2000));
    ps.push_back(StartPassthrough("news.clean", "news.lang", "newsflow-langid", "newsflow-entities",
                                  "langid" + round, 2000));
    ps.push_back(StartPassthrough("news.lang", "news.tagged", "newsflow-entities", "newsflow-sink",
                                  "entities" + round, 2000));
    ps.push_back(StartSink("news.tagged", out, "newsflow-sink", "sink" + round, {"--dedupe"}));
    return ps;
  };
  auto lines = [&] { return ReadLines(out).size(); };

  auto first = start_all("1");
  ASSERT_TRUE(WaitFor([&] { return lines() >= 100; }, 120s)) << first[0]->Log() << first[4]->Log();
  // Killed first, counted after: the count asks the broker through Kafka's
  // own tool (a JVM start, over 10 s on a loaded machine), long enough for the
  // chain to finish every item before the kill (seen at ctest -j 6).
  size_t at_kill = lines();
  for (auto& p : first) p->Signal(SIGKILL);
  for (auto& p : first) p->Wait(10s);
  int64_t raw_at_kill = EndOffsets("news.raw");
  std::printf("SIGKILLed watch, 3 stages and the sink at %zu written, %lld in news.raw\n", at_kill,
              static_cast<long long>(raw_at_kill));
  EXPECT_LT(at_kill, static_cast<size_t>(kTotal)) << "the crash must come mid-stream";

  auto second = start_all("2");
  EXPECT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= kTotal; }, 240s))
      << "written " << Ids(out).unique.size() << " of " << kTotal << "\n" << second[0]->Log() << second[4]->Log();
  std::this_thread::sleep_for(4s);  // a repeat still on its way must be dropped, not written
  for (auto& p : second) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(60s), 0) << p->Log();
  }
  IdCount c = Ids(out);
  std::set<std::string> got_pages;
  for (const auto& u : c.urls)
    if (size_t at = u.find("/page/"); at != std::string::npos) got_pages.insert(u.substr(at));
  EXPECT_EQ(got_pages, expected) << "every feed item is delivered";
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(c.lines, static_cast<size_t>(kTotal)) << "--dedupe keeps the file exact across the crash";
  int64_t lost = 0;
  for (auto* ps : {&first, &second})
    for (auto& p : *ps) lost += LostIn(p->Log());
  EXPECT_EQ(lost, 0);
  std::smatch m;
  std::string sink_log = second[4]->Log();
  int64_t dropped = -1;
  if (std::regex_search(sink_log, m, std::regex("duplicates dropped (\\d+)"))) dropped = std::stoll(m[1]);
  EXPECT_GE(dropped, 0) << "the sink's stop line counts dropped repeats\n" << sink_log;
  int64_t raw = EndOffsets("news.raw"), tagged = EndOffsets("news.tagged");
  EXPECT_GE(tagged, kTotal);
  Report("f. whole-box crash (watch, 3 stages, sink)", raw, c.unique.size(), tagged - kTotal, lost,
         "(duplicates = repeats that reached news.tagged; the restarted sink dropped " +
             std::to_string(dropped) + " repeats, its own uncommitted tail included; news.raw " +
             std::to_string(raw) + " records for " +
             std::to_string(kTotal) + " items; file lines " + std::to_string(c.lines) + ")",
         start_);
}

}  // namespace
}  // namespace newsflow::testing
