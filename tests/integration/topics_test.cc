// Topics on real Apache Kafka (core/runtime/src/topics.cc): with --brokers,
// every process creates the topics it reads and writes through the admin
// API, with the partitions and replication factor asked (pipeline file or
// flags); the cluster refusing is a clear error; an existing topic with fewer
// partitions than asked is reported. Real Kafka only: the embedded broker
// has no CreateTopics (`newsflow broker` makes its topics).
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <fstream>
#include <map>

#include "support/http_client.h"
#include "support/process.h"
#include "support/real_kafka.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;

struct Described {
  int partitions = -1;  // -1: no such topic
  int replication_factor = -1;
};

// Every topic of the cluster, from one metadata request (librdkafka, so no
// JVM tool start per look).
std::map<std::string, Described> Topics(KafkaCluster& k) {
  std::map<std::string, Described> out;
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", k.Bootstrap().c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) return out;
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 1, nullptr, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < md->topic_cnt; ++i) {
      const auto& t = md->topics[i];
      if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      out[t.topic] = {t.partition_cnt, t.partition_cnt > 0 ? t.partitions[0].replica_cnt : 0};
    }
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_destroy(rk);
  return out;
}

Described Describe(KafkaCluster& k, const std::string& topic) {
  auto all = Topics(k);
  auto it = all.find(topic);
  return it == all.end() ? Described{} : it->second;
}

class RealKafkaTopicsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(std::string("RealKafkaTopicsTest-") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(kafka_.ok()) << kafka_.error();
    ns_ = UniqueNamespace();
  }
  KafkaCluster& kafka_ = SharedRealKafka();
  std::string dir_, ns_;
};

TEST_F(RealKafkaTopicsTest, RunCreatesTheChainsTopicsAsThePipelineFileAsks) {
  {
    std::ofstream f(dir_ + "/pipeline.yaml");
    f << "namespace: " << ns_ << "\n"
      << "topics: {partitions: 3, replication_factor: 1}\n"
      << "stages:\n  - passthrough\n";
    std::ofstream(dir_ + "/in.jsonl") << R"({"body":"one","source":"s"})" << "\n"
                                      << R"({"body":"two","source":"s"})" << "\n";
  }
  const std::vector<std::string> topics = {ns_ + ".news.raw", ns_ + ".news.passthrough", ns_ + ".news.dlq"};
  auto before = Topics(kafka_);
  for (const auto& t : topics) ASSERT_EQ(before.count(t), 0u) << t << " exists before";
  Process run({NewsflowBinary(), "run", "--pipeline", dir_ + "/pipeline.yaml", "--brokers", kafka_.Bootstrap(),
               "--output", dir_ + "/out.jsonl", "--dead-letters", dir_ + "/dlq.jsonl", dir_ + "/in.jsonl"},
              dir_ + "/run.log");
  ASSERT_EQ(run.Wait(120s), 0) << run.Log();
  EXPECT_EQ(ReadLines(dir_ + "/out.jsonl").size(), 2u) << run.Log();
  for (const auto& t : topics) {
    Described d = Describe(kafka_, t);
    EXPECT_EQ(d.partitions, 3) << t;
    EXPECT_EQ(d.replication_factor, 1) << t;
    EXPECT_NE(run.Log().find("created topic '" + t + "': 3 partition(s), replication factor 1"),
              std::string::npos)
        << run.Log();
  }
  std::cout << "[ report ] " << topics.size() << " topics absent before, created with 3 partitions, RF 1\n";
}

TEST_F(RealKafkaTopicsTest, EveryProcessCreatesWhatItReadsAndWritesFromItsFlags) {
  // A sink alone: only its input topic; a stage: input, output, dead letters.
  const std::string boot = kafka_.Bootstrap();
  Process sink({NewsflowBinary(), "sink", "--topic", "news.clean", "--output", dir_ + "/out.jsonl", "--brokers",
                boot, "--namespace", ns_, "--partitions", "5"},
               dir_ + "/sink.log");
  ASSERT_TRUE(WaitFor([&] { return sink.Log().find("consuming") != std::string::npos || !sink.Running(); }, 60s))
      << sink.Log();
  EXPECT_EQ(Describe(kafka_, ns_ + ".news.clean").partitions, 5);
  EXPECT_EQ(Describe(kafka_, ns_ + ".news.raw").partitions, -1) << "the sink does not touch news.raw";
  Process stage({NewsflowBinary(), "stage", "passthrough", "--input-topic", "news.raw", "--output-topic",
                 "news.clean", "--brokers", boot, "--namespace", ns_, "--partitions", "2"},
                dir_ + "/stage.log");
  std::ofstream(dir_ + "/in.jsonl") << R"({"body":"x","source":"s"})" << "\n";
  Process produce({NewsflowBinary(), "produce", dir_ + "/in.jsonl", "--brokers", boot, "--namespace", ns_,
                   "--partitions", "2"},
                  dir_ + "/produce.log");
  ASSERT_EQ(produce.Wait(60s), 0) << produce.Log();
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dir_ + "/out.jsonl").size() >= 1; }, 60s))
      << stage.Log() << sink.Log();
  EXPECT_EQ(Describe(kafka_, ns_ + ".news.raw").partitions, 2);
  EXPECT_EQ(Describe(kafka_, ns_ + ".news.dlq").partitions, 2);
  EXPECT_EQ(Describe(kafka_, ns_ + ".news.clean").partitions, 5) << "created by the sink first";
  // The stage asked 2 partitions of news.clean and got 5: more is fine, not reported.
  EXPECT_EQ(stage.Log().find("partition(s), 2 asked"), std::string::npos) << stage.Log();
  for (Process* p : {&stage, &sink}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(30s), 0) << p->Log();
  }
}

TEST_F(RealKafkaTopicsTest, UnderPartitionedTopicIsReported) {
  const std::string topic = ns_ + ".news.raw";
  ASSERT_TRUE(kafka_.CreateTopic(topic, 1, 1)) << kafka_.error();
  const int port = FreePort();
  Process sink({NewsflowBinary(), "sink", "--topic", "news.raw", "--raw", "--output", dir_ + "/out.jsonl",
                "--brokers", kafka_.Bootstrap(), "--namespace", ns_, "--partitions", "4", "--metrics-addr",
                "127.0.0.1:" + std::to_string(port)},
               dir_ + "/sink.log");
  ASSERT_TRUE(WaitFor([&] { return sink.Log().find("consuming") != std::string::npos || !sink.Running(); }, 60s))
      << sink.Log();
  EXPECT_NE(sink.Log().find("topic '" + topic + "' has 1 partition(s), 4 asked"), std::string::npos)
      << sink.Log();
  std::string metrics;
  ASSERT_EQ(HttpGet("http://127.0.0.1:" + std::to_string(port) + "/metrics", &metrics), 200);
  EXPECT_NE(metrics.find("newsflow_topic_partitions_missing{topic=\"" + topic + "\"} 3"), std::string::npos)
      << metrics;
  EXPECT_EQ(Describe(kafka_, topic).partitions, 1) << "newsflow never alters an existing topic";
  sink.Signal(SIGTERM);
  EXPECT_EQ(sink.Wait(30s), 0) << sink.Log();
}

TEST_F(RealKafkaTopicsTest, RefusedCreationStopsWithAMessageNamingTheTopic) {
  // One broker cannot hold 2 replicas: the cluster refuses, the command says
  // which topic and what to change, and exits instead of waiting.
  std::ofstream(dir_ + "/in.jsonl") << R"({"body":"x","source":"s"})" << "\n";
  Process produce({NewsflowBinary(), "produce", dir_ + "/in.jsonl", "--brokers", kafka_.Bootstrap(),
                   "--namespace", ns_, "--replication-factor", "2"},
                  dir_ + "/produce.log");
  int code = produce.Wait(60s);
  EXPECT_NE(code, 0) << produce.Log();
  EXPECT_NE(code, -1) << "must not hang";
  EXPECT_NE(produce.Log().find("topic '" + ns_ + ".news."), std::string::npos) << produce.Log();
  EXPECT_NE(produce.Log().find("replication factor 2 on a cluster of 1 broker(s)"), std::string::npos)
      << produce.Log();
  EXPECT_EQ(Describe(kafka_, ns_ + ".news.raw").partitions, -1) << "nothing half-created";
}

}  // namespace
}  // namespace newsflow::testing

namespace newsflow::testing {
namespace {

// No cluster at the address (yet: a box still booting): the process waits,
// says what it waits for, and a SIGTERM ends the wait at once.
TEST(KafkaWaitTest, UnreachableClusterIsAwaitedAndSigtermEndsTheWait) {
  using namespace std::chrono_literals;
  std::string dir = MakeTempDir("kafka-wait");
  std::ofstream(dir + "/in.jsonl") << R"({"body":"x"})" << "\n";
  const int port = FreePort();  // nothing listens there
  Process p({NewsflowBinary(), "produce", "--brokers", "127.0.0.1:" + std::to_string(port), dir + "/in.jsonl"},
            dir + "/produce.log");
  ASSERT_TRUE(WaitFor([&] { return p.Log().find("waiting for Kafka at 127.0.0.1:") != std::string::npos; }, 30s))
      << p.Log();
  EXPECT_TRUE(p.Running()) << p.Log();
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(5s), 1) << p.Log();
  EXPECT_NE(p.Log().find("stopped while waiting for Kafka at 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << p.Log();
}

}  // namespace
}  // namespace newsflow::testing
