// FlowController's cadence: it asks the broker (three requests a check) as
// often as the writer's position needs: every interval near a limit, where a
// stale answer would stall or overrun, every 10th far from it, where the
// estimate between checks cannot block, every 100th while the writer writes
// nothing.
#include <gtest/gtest.h>

#include <sched.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "newsflow/embedded_broker.h"
#include "newsflow/kafka.h"
#include "newsflow/producer.h"

#include <librdkafka/rdkafka_mock.h>

namespace newsflow {
namespace {

using namespace std::chrono_literals;

struct Writer {
  std::unique_ptr<EmbeddedBroker> broker;
  std::unique_ptr<KafkaProducer> producer;
  std::unique_ptr<FlowController> flow;
  std::atomic<int> acked{0};

  void Start(FlowController::Limits limits) {
    auto b = EmbeddedBroker::Start(1, {"fc.topic"}, 4);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    broker = std::move(*b);
    auto p = KafkaProducer::Create(broker->ClientOptions());
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    producer = std::move(*p);
    // The group never consumes: every record stays backlog.
    auto f = FlowController::Start(broker->ClientOptions(), "fc.topic", "fc-readers", limits);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    flow = std::move(*f);
  }

  // Writes one record every 5 ms for `span`, as a writer does (note, produce,
  // ack), without waiting on the flow controller; returns its checks meanwhile.
  int64_t WriteFor(std::chrono::milliseconds span) {
    const std::string value(512, 'x');
    int64_t before = flow->checks();
    auto end = std::chrono::steady_clock::now() + span;
    for (int i = 0; std::chrono::steady_clock::now() < end; ++i) {
      flow->NoteProduced(value.size());
      EXPECT_TRUE(producer->Produce("fc.topic", "k" + std::to_string(i), value,
                                    [this](rd_kafka_resp_err_t err, int32_t, int64_t) {
                                      EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR);
                                      flow->NoteAcked();
                                      ++acked;
                                    }).ok());
      producer->Poll(0);
      std::this_thread::sleep_for(5ms);
    }
    EXPECT_TRUE(producer->Flush(10s).ok());
    return flow->checks() - before;
  }
};

TEST(FlowControlTest, FarFromItsLimitsAWriterChecksEveryTenthInterval) {
  Writer w;
  w.Start(FlowController::Limits{});  // 20,000 records or 3 MiB a partition
  std::this_thread::sleep_for(300ms);  // the first check is done
  int64_t checks = w.WriteFor(2s);
  // About 20 checks in 2 s of writing; at every interval it was about 200.
  std::cout << "[ report ] " << w.acked.load() << " records written in 2 s, " << checks
            << " checks (pressure " << w.flow->Pressure() << ")\n";
  EXPECT_GT(w.acked.load(), 100);
  EXPECT_LT(w.flow->Pressure(), 0.5);
  EXPECT_FALSE(w.flow->Blocked());
  EXPECT_LE(checks, 60);
  EXPECT_GE(checks, 5);  // still checked: far from the limit is not never
}

// A writer with nothing to write (`watch` between polls, a stage with no
// input) checks once a second instead of ten times (three requests to the
// cluster a check), and checks again soon after it writes again.
TEST(FlowControlTest, AnIdleWriterChecksOnceASecondAndWritingAgainRestoresTheCadence) {
  Writer w;
  w.Start(FlowController::Limits{});
  std::this_thread::sleep_for(300ms);  // the first check is done
  const int64_t before = w.flow->checks();
  std::this_thread::sleep_for(4s);
  const int64_t idle_checks = w.flow->checks() - before;
  int64_t checks = w.WriteFor(2s);
  std::cout << "[ report ] idle 4 s: " << idle_checks << " checks; then " << w.acked.load()
            << " records written in 2 s, " << checks << " checks\n";
  // Every 10th interval would be about 40 in 4 s.
  EXPECT_LE(idle_checks, 8);
  EXPECT_GE(idle_checks, 1);  // still checked: the backlog gauge stays current
  EXPECT_GE(checks, 5);
  EXPECT_LE(checks, 60);
}

// The flow controller's handle and `watch`'s confirming readers never
// commit, so their auto-commit is off, even when the user's -X turns it on
// for every client: librdkafka 2.0.2's main thread spun for up to 1 ms at
// each of the timer's ten ticks a second, and `run`'s three flow-control
// handles took 1.5 % of a core, idle or busy.
TEST(FlowControlTest, ANonCommittingClientHasAutoCommitOffWhateverTheUserSays) {
  auto b = EmbeddedBroker::Start(1, {"fc.topic"}, 1);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  KafkaOptions o = (*b)->ClientOptions();
  o.properties.push_back({"enable.auto.commit", "true"});
  o.properties.push_back({"enable.auto.offset.store", "true"});
  auto rk = NewKafkaClient(NonCommittingClient(o, "fc-test"), ClientRole::kConsumer, "fc-readers");
  ASSERT_TRUE(rk.ok()) << rk.status().ToString();
  auto get = [&](const char* key) {
    char value[64] = "";
    size_t size = sizeof value;
    EXPECT_EQ(rd_kafka_conf_get(rd_kafka_conf(rk->get()), key, value, &size), RD_KAFKA_CONF_OK) << key;
    return std::string(value);
  };
  EXPECT_EQ(get("enable.auto.commit"), "false");
  EXPECT_EQ(get("enable.auto.offset.store"), "false");
  EXPECT_EQ(get("client.id"), "fc-test");
  EXPECT_EQ(get("bootstrap.servers"), o.brokers);  // the rest of the options stay
}

TEST(FlowControlTest, NearItsLimitAWriterChecksEveryInterval) {
  FlowController::Limits limits;
  limits.max_backlog_messages = 40;  // a partition: reached within the first second
  Writer w;
  w.Start(limits);
  std::this_thread::sleep_for(300ms);
  int64_t checks = w.WriteFor(2s);
  std::cout << "[ report ] " << w.acked.load() << " records written in 2 s, " << checks
            << " checks (pressure " << w.flow->Pressure() << ", backlog "
            << w.flow->MaxBacklog() << ")\n";
  EXPECT_TRUE(w.flow->Blocked()) << w.flow->Why();
  EXPECT_GT(w.flow->MaxBacklog(), 40);
  // Held back most of the span: checks at every interval, well above the
  // ~20 of the far-from-limits cadence.
  EXPECT_GE(checks, 60);
}

// What a reader of group fc-readers that has read nothing yet commits (as a
// runner on the embedded broker does when assigned): offset 0 of each of
// fc.topic's 4 partitions. "" when the broker took it, else why not.
std::string CommitTheStart(const KafkaOptions& o) {
  auto reader = NewKafkaClient(o, ClientRole::kConsumer, "fc-readers");
  if (!reader.ok()) return reader.status().ToString();
  TopicPartitionList at(rd_kafka_topic_partition_list_new(4));
  for (int p = 0; p < 4; ++p) rd_kafka_topic_partition_list_add(at.get(), "fc.topic", p)->offset = 0;
  rd_kafka_resp_err_t err = rd_kafka_commit(reader->get(), at.get(), 0);
  return err == RD_KAFKA_RESP_ERR_NO_ERROR ? "" : rd_kafka_err2str(err);
}

// A writer starting while its downstream is already past the limit is held
// from its first record: before, the first check came up to ten intervals
// later (far from the limits, every 10th), and meanwhile the writer's own
// estimate started from an empty backlog.
TEST(FlowControlTest, AWriterStartingOverABacklogPastTheLimitIsHeldAtOnce) {
  auto b = EmbeddedBroker::Start(1, {"fc.topic"}, 1);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto p = KafkaProducer::Create((*b)->ClientOptions());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  for (int i = 0; i < 60; ++i)
    ASSERT_TRUE((*p)->Produce("fc.topic", "k" + std::to_string(i), "v",
                                 [](rd_kafka_resp_err_t, int32_t, int64_t) {}).ok());
  ASSERT_TRUE((*p)->Flush(10s).ok());
  FlowController::Limits limits;
  limits.max_backlog_messages = 40;
  auto f = FlowController::Start((*b)->ClientOptions(), "fc.topic", "fc-readers", limits);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->MaxBacklog(), 60);
  EXPECT_TRUE((*f)->Blocked()) << "60 records unread, limit 40: " << (*f)->Why();
}

// The dead-letter sink of a `produce` on the embedded broker commits its
// start when assigned; a `produce` started after that waits for it from its
// first dead letter. A CI run lost 45 of 300 dead letters of 64 KB: the
// writer burst past what the broker keeps before its flow controller's loop
// first saw the group's commit.
TEST(FlowControlTest, AnOptionalReaderThatHasReadHoldsAWriterFromItsFirstRecord) {
  auto b = EmbeddedBroker::Start(1, {"fc.topic"}, 4);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(CommitTheStart((*b)->ClientOptions()), "");
  FlowController::Limits limits;
  limits.max_backlog_messages = 40;
  limits.only_once_read = true;
  auto f = FlowController::Start((*b)->ClientOptions(), "fc.topic", "fc-readers", limits);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  for (int i = 0; i < 100; ++i) (*f)->NoteProduced(512);  // a burst, none acknowledged yet
  EXPECT_TRUE((*f)->Blocked()) << "a burst of 100 records past a limit of 40: " << (*f)->Why();
}

// Dead letters of a separate `stage` or `produce` on the embedded broker: a
// reader of them is optional, so the writer is held only once the dead-letter
// sink's group has read (committed) once; until then no backlog holds it (it
// would stop for good for want of a reader nobody started).
TEST(FlowControlTest, AnOptionalReadersHoldStartsOnceItsGroupHasRead) {
  FlowController::Limits limits;
  limits.max_backlog_messages = 40;
  limits.only_once_read = true;
  Writer w;
  w.Start(limits);
  std::this_thread::sleep_for(300ms);
  w.WriteFor(1500ms);
  std::this_thread::sleep_for(300ms);  // a check after the last record
  EXPECT_GT(w.flow->MaxBacklog(), 40);
  EXPECT_FALSE(w.flow->Blocked()) << "held for a group that never read: " << w.flow->Why();

  // A reader of group fc-readers commits where it is (the start: it has read
  // nothing yet): from now on its backlog holds the writer.
  ASSERT_EQ(CommitTheStart(w.broker->ClientOptions()), "");
  bool held = false;
  for (auto end = std::chrono::steady_clock::now() + 10s; !held && std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(20ms))
    held = w.flow->Blocked();
  EXPECT_TRUE(held) << "a group that has read is not waited for: " << w.flow->Why();
}

// The rails' threads (every thread librdkafka starts for newsflow's clients
// and for the embedded broker, the flow controller's) run under SCHED_BATCH,
// so their wake-ups do not preempt stage threads (MakeThisThreadBatch); the
// thread that made them keeps its own policy.
TEST(FlowControlTest, TheRailsThreadsRunUnderSchedBatch) {
  Writer w;
  w.Start(FlowController::Limits{});
  // Each thread names itself and sets its policy as it starts, a moment after
  // the call that made it returned: read until every one has, or 10 s.
  std::multimap<std::string, int> policy_of;  // thread name -> policy (names repeat: one rdk:main a client)
  auto settled = [&] {
    policy_of.clear();
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream in(task.path() / "comm");
      std::string name;
      std::getline(in, name);
      if (name.rfind("rdk:", 0) == 0 || name.rfind("flow ", 0) == 0)
        policy_of.emplace(name, sched_getscheduler(std::stoi(task.path().filename().string())));
    }
    for (const char* name : {"rdk:mock", "rdk:main", "flow fc.topic"})
      if (policy_of.count(name) == 0) return false;
    for (const auto& [name, policy] : policy_of)
      if (policy != SCHED_BATCH) return false;
    return true;
  };
  for (auto end = std::chrono::steady_clock::now() + 10s; !settled() && std::chrono::steady_clock::now() < end;)
    std::this_thread::sleep_for(10ms);
  for (const char* name : {"rdk:mock", "rdk:main", "flow fc.topic"})
    EXPECT_GE(policy_of.count(name), 1u) << name << " not found among this process's threads";
  for (const auto& [name, policy] : policy_of) EXPECT_EQ(policy, SCHED_BATCH) << name;
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
}

}  // namespace
}  // namespace newsflow

namespace newsflow {
namespace {

// A topic created a moment ago may not be in the metadata of the broker a new
// client asks first (a KRaft broker learns it from the metadata log after the
// CreateTopics answer; seen in CI: a stage started right after kafka-topics.sh
// stopped on "topic news.clean has no partitions"). The flow controller asks
// again until the topic appears; it stopped at the first answer.
TEST(FlowControlTest, WaitsForATopicThatReachesTheBrokerLate) {
  auto b = EmbeddedBroker::Start(1, {"fc.topic"}, 1);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  // The embedded broker creates any topic a client names, so the lag is
  // played by the topic's metadata error: "unknown topic", no partitions.
  ASSERT_EQ(rd_kafka_mock_topic_create((*b)->cluster(), "fc.late", 3, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_mock_topic_set_error((*b)->cluster(), "fc.late", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  std::thread create([&] {
    std::this_thread::sleep_for(1500ms);
    rd_kafka_mock_topic_set_error((*b)->cluster(), "fc.late", RD_KAFKA_RESP_ERR_NO_ERROR);
  });
  auto f = FlowController::Start((*b)->ClientOptions(), "fc.late", "fc-readers", FlowController::Limits{});
  create.join();
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->partitions(), 3);
}

// ... for 10 s, then it names the topic and the broker's answer.
TEST(FlowControlTest, ATopicThatNeverAppearsEndsTheStartWithItsName) {
  auto b = EmbeddedBroker::Start(1, {"fc.topic"}, 1);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(rd_kafka_mock_topic_create((*b)->cluster(), "fc.absent", 3, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_mock_topic_set_error((*b)->cluster(), "fc.absent", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  auto f = FlowController::Start((*b)->ClientOptions(), "fc.absent", "fc-readers", FlowController::Limits{});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().ToString().find("topic fc.absent is not available on the cluster"), std::string::npos)
      << f.status().ToString();
  EXPECT_NE(f.status().ToString().find("Unknown topic"), std::string::npos)
      << f.status().ToString();
}

}  // namespace
}  // namespace newsflow
