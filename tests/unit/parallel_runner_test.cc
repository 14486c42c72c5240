// StageRunner with copies of its stage (`instances: N` behind one consumer):
// records are processed on all copies at once, and what leaves the runner is
// still every record once, in each partition's order.
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "newsflow/codec.h"
#include "newsflow/embedded_broker.h"
#include "newsflow/kafka.h"
#include "newsflow/producer.h"
#include "newsflow/runner.h"

#include <librdkafka/rdkafka_mock.h>

namespace newsflow {
namespace {

using namespace std::chrono_literals;

// Marks the article with its instance and keeps count of how many copies
// work at the same moment.
class SlowStage : public Stage {
 public:
  SlowStage(int instance, std::atomic<int>& busy, std::atomic<int>& most)
      : instance_(instance), busy_(busy), most_(most) {}
  Result<Outcome> Process(Article& a) override {
    int now = ++busy_;
    int seen = most_.load();
    while (now > seen && !most_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(1ms);  // work that takes time
    a.meta["instance"] = std::to_string(instance_);
    ++processed;
    --busy_;
    return Outcome::Forward();
  }
  std::atomic<int> processed{0};

 private:
  int instance_;
  std::atomic<int>& busy_;
  std::atomic<int>& most_;
};

// One SlowStage behind its processor: what a runner test with one copy of
// the stage needs.
struct SlowChain {
  std::atomic<int> busy{0}, most{0};
  SlowStage stage{0, busy, most};
  RecordProcessor processor{{{"slow", &stage, nullptr}}, {}};
};

// Two copies of SlowStage counted together (a runner with `instances: 2`):
// `first` goes to the runner's constructor, `second` to AddProcessor.
struct TwoSlowCopies {
  TwoSlowCopies(int instance, std::atomic<int>& busy, std::atomic<int>& most)
      : s0(instance, busy, most), s1(instance + 1, busy, most) {}
  SlowStage s0, s1;
  RecordProcessor first{{{"slow", &s0, nullptr}}, {}}, second{{{"slow", &s1, nullptr}}, {}};
};

// Keeps what the runner sends, in order; acknowledges at once.
class CaptureOutput : public RecordOutput {
 public:
  Status Send(std::string_view key, std::string_view value, int64_t, Done done) override {
    {
      std::lock_guard<std::mutex> l(mu);
      keys.emplace_back(key);
      values.emplace_back(value);
    }
    done(Status::OK());
    return Status::OK();
  }
  Status SendDeadLetter(std::string_view key, std::string_view value, Done done) override {
    {
      std::lock_guard<std::mutex> l(mu);
      dead.emplace_back(key);
      dead_values.emplace_back(value);
    }
    done(Status::OK());
    return Status::OK();
  }
  void Poll(int) override {}
  Status Flush(std::chrono::milliseconds) override { return Status::OK(); }
  std::string Describe() const override { return "capture"; }
  size_t Count() {
    std::lock_guard<std::mutex> l(mu);
    return keys.size() + dead.size();
  }
  std::mutex mu;
  std::vector<std::string> keys, values, dead, dead_values;
};

// A runner's options: its name, the topic it reads, its group.
RunnerOptions Named(const std::string& name, const std::string& topic, const std::string& group) {
  RunnerOptions ro;
  ro.name = name;
  ro.input_topic = topic;
  ro.group = group;
  return ro;
}

TEST(ParallelRunnerTest, CopiesProcessABatchTogetherAndOrderIsKeptPerPartition) {
  auto broker = EmbeddedBroker::Start(1, {"par.in"}, 4);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  KafkaOptions o = (*broker)->ClientOptions();
  auto producer = KafkaProducer::Create(o);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  constexpr int kRecords = 600;
  std::mutex mu;
  std::map<std::string, std::pair<int32_t, int64_t>> where;  // key -> partition, offset
  for (int i = 0; i < kRecords; ++i) {
    Article a;
    a.id = "a" + std::to_string(i);
    a.source = "test";
    a.fetched_at = "2026-01-01T00:00:00Z";
    a.body = "body " + std::to_string(i);
    std::string key = a.id;
    ASSERT_TRUE((*producer)
                    ->Produce("par.in", key, Codec::Encode(a),
                              [&, key](rd_kafka_resp_err_t err, int32_t p, int64_t off) {
                                ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR);
                                std::lock_guard<std::mutex> l(mu);
                                where[key] = {p, off};
                              })
                    .ok());
  }
  ASSERT_TRUE((*producer)->Flush(30s).ok());
  ASSERT_EQ(where.size(), static_cast<size_t>(kRecords));

  std::atomic<int> busy{0}, most{0};
  SlowStage s0(0, busy, most), s1(1, busy, most), s2(2, busy, most);
  RecordProcessor p0({{"slow", &s0, nullptr}}, {}), p1({{"slow", &s1, nullptr}}, {}),
      p2({{"slow", &s2, nullptr}}, {});
  CaptureOutput out;
  prometheus::Registry registry;
  RunnerOptions ro = Named("slow", "par.in", "par-group");
  StageRunner runner(o, ro, p0, out, registry);
  runner.AddProcessor(p1);
  runner.AddProcessor(p2);
  std::atomic<bool> stop{false};
  Status result;
  std::thread t([&] { result = runner.Run(stop); });
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (out.Count() < static_cast<size_t>(kRecords) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  stop = true;
  t.join();
  EXPECT_TRUE(result.ok()) << result.ToString();

  // Every record once, forwarded (none dead-lettered).
  ASSERT_EQ(out.keys.size(), static_cast<size_t>(kRecords));
  EXPECT_TRUE(out.dead.empty());
  std::map<std::string, int> seen;
  for (const auto& k : out.keys) ++seen[k];
  EXPECT_EQ(seen.size(), static_cast<size_t>(kRecords));
  // Each partition's records leave in the order of their offsets.
  std::map<int32_t, int64_t> last;
  for (const auto& k : out.keys) {
    auto [p, off] = where.at(k);
    auto it = last.find(p);
    if (it != last.end()) {
      EXPECT_GT(off, it->second) << k << " out of order on partition " << p;
    }
    last[p] = off;
  }
  // The work was shared, at the same time, and the results are the copies' own.
  EXPECT_GT(s0.processed.load(), 0);
  EXPECT_GT(s1.processed.load(), 0);
  EXPECT_GT(s2.processed.load(), 0);
  EXPECT_EQ(s0.processed + s1.processed + s2.processed, kRecords);
  EXPECT_GE(most.load(), 2) << "copies never worked at the same time";
  Codec codec;
  std::map<std::string, int> by_instance;
  for (const auto& v : out.values) {
    Article a;
    ASSERT_TRUE(codec.Decode(v, a).ok());
    ++by_instance[a.meta.at("instance")];
  }
  EXPECT_EQ(by_instance["0"], s0.processed.load());
  EXPECT_EQ(by_instance["1"], s1.processed.load());
  EXPECT_EQ(by_instance["2"], s2.processed.load());
  EXPECT_EQ(runner.counts().sent.load(), kRecords);
}

// A delivery that fails with a given Kafka error: the runner stops, and
// says whether new clients would cure it (the idempotent producer's state
// lost on the brokers after a leader's failover: `newsflow stage` then
// starts new clients instead of exiting; RealKafkaBrokerFailureTest saw
// "out of order sequence number" stop a stage for good).
class FailingOutput : public CaptureOutput {
 public:
  explicit FailingOutput(rd_kafka_resp_err_t err) : err_(err) {}
  Status Send(std::string_view key, std::string_view, int64_t, Done done) override {
    done(KafkaStatus(err_, "delivery to par.out"));
    {
      std::lock_guard<std::mutex> l(mu);
      keys.emplace_back(key);
    }
    return Status::OK();
  }

 private:
  rd_kafka_resp_err_t err_;
};

// Writes `n` articles (ids prefix0, prefix1, ...) to `topic` and waits until
// Kafka has them all: small ones, or with bodies of `body_bytes`.
bool ProduceArticles(KafkaProducer& producer, const std::string& topic, int n, const std::string& prefix,
                     size_t body_bytes = 0) {
  for (int i = 0; i < n; ++i) {
    Article a;
    a.id = prefix + std::to_string(i);
    a.source = "test";
    a.fetched_at = "2026-01-01T00:00:00Z";
    a.body = body_bytes > 0 ? std::string(body_bytes, static_cast<char>('a' + i % 26)) : "body";
    if (!producer.Produce(topic, a.id, Codec::Encode(a), [](rd_kafka_resp_err_t, int32_t, int64_t) {}).ok())
      return false;
    producer.Poll(0);
  }
  return producer.Flush(30s).ok();
}

// An embedded broker whose `topic` (of `partitions`) holds `n` small articles
// (ids prefix0, prefix1, ...); null, with the test failed, if that went wrong.
std::unique_ptr<EmbeddedBroker> BrokerWithArticles(const std::string& topic, int partitions, int n,
                                                   const std::string& prefix) {
  auto broker = EmbeddedBroker::Start(1, {topic}, partitions);
  EXPECT_TRUE(broker.ok()) << broker.status().ToString();
  if (!broker.ok()) return nullptr;
  auto producer = KafkaProducer::Create((*broker)->ClientOptions());
  EXPECT_TRUE(producer.ok()) << producer.status().ToString();
  if (!producer.ok()) return nullptr;
  EXPECT_TRUE(ProduceArticles(**producer, topic, n, prefix));
  return std::move(*broker);
}

// Polls `done` until it is true (true) or `limit` passes (false).
template <typename Done>
bool WaitUntil(Done done, std::chrono::seconds limit) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(10ms))
    if (done()) return true;
  return false;
}

// Sends slowly and notes, at each record, whether a copy of the stage was
// working at that moment.
class SlowOutput : public CaptureOutput {
 public:
  explicit SlowOutput(const std::atomic<int>& busy) : busy_(busy) {}
  Status Send(std::string_view key, std::string_view value, int64_t origin, Done done) override {
    if (busy_.load() > 0) ++sent_while_busy;
    std::this_thread::sleep_for(200us);  // a producer's work per record
    return CaptureOutput::Send(key, value, origin, std::move(done));
  }
  std::atomic<int> sent_while_busy{0};

 private:
  const std::atomic<int>& busy_;
};

// Handing records on (producing, offsets, metrics) used to wait until the
// copies had processed a whole batch, and the copies waited meanwhile: on two
// cores the fused chain's copies idled for every batch's hand-on. The copies
// now take records as they finish one, ahead of the runner's thread, which
// processes too and hands the finished ones on, in input order, in bursts.
// A record that does not decode is dead-lettered under its Kafka key, which
// the dead letter names too (both were null: nothing said which article it
// was); a record without a key keeps a null one.
TEST(ParallelRunnerTest, ARecordThatDoesNotDecodeIsDeadLetteredUnderItsKafkaKey) {
  auto broker = EmbeddedBroker::Start(1, {"undecodable.in"}, 1);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  KafkaOptions o = (*broker)->ClientOptions();
  auto producer = KafkaProducer::Create(o);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  auto ignore = [](rd_kafka_resp_err_t, int32_t, int64_t) {};
  ASSERT_TRUE((*producer)->Produce("undecodable.in", "article-7", "{not json", ignore).ok());
  ASSERT_TRUE((*producer)->Produce("undecodable.in", "", "{not json either", ignore).ok());
  ASSERT_TRUE((*producer)->Flush(30s).ok());
  std::atomic<int> busy{0}, most{0};
  SlowStage stage(0, busy, most);
  RecordProcessor processor({{"slow", &stage, nullptr}}, {});
  CaptureOutput out;
  prometheus::Registry registry;
  StageRunner runner(o, Named("slow", "undecodable.in", "undecodable-group"), processor, out, registry);
  std::atomic<bool> stop{false};
  Status result;
  std::thread t([&] { result = runner.Run(stop); });
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (out.Count() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  stop = true;
  t.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  ASSERT_EQ(out.dead.size(), 2u);
  EXPECT_EQ(out.dead[0], "article-7");
  EXPECT_NE(out.dead_values[0].find(R"("key":"article-7")"), std::string::npos) << out.dead_values[0];
  EXPECT_EQ(out.dead[1], "");
  EXPECT_NE(out.dead_values[1].find(R"("key":null)"), std::string::npos) << out.dead_values[1];
}

TEST(ParallelRunnerTest, CopiesKeepProcessingWhileEarlierRecordsAreHandedOn) {
  constexpr int kRecords = 600;
  auto broker = BrokerWithArticles("ahead.in", 4, kRecords, "ah");
  ASSERT_NE(broker, nullptr);
  KafkaOptions o = broker->ClientOptions();

  std::atomic<int> busy{0}, most{0};
  TwoSlowCopies copies(0, busy, most);
  SlowOutput out(busy);
  prometheus::Registry registry;
  StageRunner runner(o, Named("slow", "ahead.in", "ahead-group"), copies.first, out, registry);
  runner.AddProcessor(copies.second);
  std::atomic<bool> stop{false};
  Status result;
  std::thread t([&] { result = runner.Run(stop); });
  EXPECT_TRUE(WaitUntil([&] { return out.Count() >= static_cast<size_t>(kRecords); }, 60s));
  stop = true;
  t.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  EXPECT_EQ(out.keys.size(), static_cast<size_t>(kRecords));
  EXPECT_EQ(std::set<std::string>(out.keys.begin(), out.keys.end()).size(), static_cast<size_t>(kRecords));
  EXPECT_GE(most.load(), 2) << "copies never worked at the same time";
  // Most records went out while a copy worked on later ones (the first and
  // the last do not: nothing else to work on).
  EXPECT_GT(out.sent_while_busy.load(), kRecords / 2)
      << "records were handed on only while the copies were idle";
}

// A rebalance takes the partitions while the copies hold records processed
// ahead and not yet handed on: those are dropped (never sent, offsets not
// committed) and read again by whoever owns the partition next. Nothing is
// lost, every record comes out. The records outlast the rebalance: the
// embedded broker holds a growing group for session.timeout.ms - 1 s (5 s)
// before it assigns, and two copies at 1 ms a record read 2,000 in about a
// second, so with 2,000 the first member could send them all before the
// second was assigned any (a clean-clone CI run on a quiet machine: "the
// second member never got a partition").
TEST(ParallelRunnerTest, ARebalanceWhileCopiesWorkAheadLosesNothing) {
  constexpr int kRecords = 6000;
  auto broker = BrokerWithArticles("reb.in", 4, kRecords, "r");
  ASSERT_NE(broker, nullptr);
  KafkaOptions o = broker->ClientOptions();

  std::atomic<int> busy{0}, most{0};
  TwoSlowCopies a(0, busy, most), b(2, busy, most);
  CaptureOutput out_a, out_b;
  prometheus::Registry ra, rb;
  StageRunner first(o, Named("slow", "reb.in", "reb-group"), a.first, out_a, ra);
  first.AddProcessor(a.second);
  StageRunner second(o, Named("slow", "reb.in", "reb-group"), b.first, out_b, rb);
  second.AddProcessor(b.second);
  std::atomic<bool> stop{false};
  Status result_a, result_b;
  std::thread ta([&] { result_a = first.Run(stop); });
  ASSERT_TRUE(WaitUntil([&] { return out_a.Count() >= 200; }, 60s));
  std::thread tb([&] { result_b = second.Run(stop); });  // joins: the group rebalances
  std::set<std::string> distinct;
  EXPECT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> la(out_a.mu), lb(out_b.mu);
    distinct = std::set<std::string>(out_a.keys.begin(), out_a.keys.end());
    distinct.insert(out_b.keys.begin(), out_b.keys.end());
    return distinct.size() == static_cast<size_t>(kRecords);
  }, 120s)) << distinct.size() << " of " << kRecords;
  stop = true;
  ta.join();
  tb.join();
  EXPECT_TRUE(result_a.ok()) << result_a.ToString();
  EXPECT_TRUE(result_b.ok()) << result_b.ToString();
  EXPECT_GT(out_b.Count(), 0u) << "the second member never got a partition";
  EXPECT_EQ(first.counts().lost.load() + second.counts().lost.load(), 0);
  std::cout << "[ report ] rebalance with copies working ahead: " << out_a.Count() + out_b.Count()
            << " records sent for " << kRecords << "\n";
}

bool FailsOnProducerState(rd_kafka_resp_err_t err, bool exactly_once = false) {
  auto broker = EmbeddedBroker::Start(1, {"fail.in"}, 1);
  EXPECT_TRUE(broker.ok()) << broker.status().ToString();
  if (!broker.ok()) return false;
  KafkaOptions o = (*broker)->ClientOptions();
  auto producer = KafkaProducer::Create(o);
  EXPECT_TRUE(producer.ok());
  EXPECT_TRUE(ProduceArticles(**producer, "fail.in", 1, "a"));
  SlowChain chain;
  FailingOutput out(err);
  prometheus::Registry registry;
  RunnerOptions ro = Named("failing", "fail.in", "fail-group");
  o.exactly_once = exactly_once;
  StageRunner runner(o, ro, chain.processor, out, registry);
  std::atomic<bool> stop{false};
  std::thread guard([&] {  // the runner stops by itself; this only bounds the test
    for (int i = 0; i < 600 && !stop.load(); ++i) std::this_thread::sleep_for(100ms);
    stop = true;
  });
  Status result = runner.Run(stop);
  stop = true;
  guard.join();
  EXPECT_FALSE(result.ok());
  return runner.FailedOnProducerState();
}

TEST(ParallelRunnerTest, AFailedDeliveryTellsWhetherNewClientsCureIt) {
  EXPECT_TRUE(FailsOnProducerState(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER));
  EXPECT_TRUE(FailsOnProducerState(RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID));
  EXPECT_FALSE(FailsOnProducerState(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));       // the record's own
  EXPECT_FALSE(FailsOnProducerState(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));  // no retry cures it
}

// In `run`, another hop's producer may have lost its state (its fatal error
// is recorded for the process) while this runner fails for a reason of its
// own: new clients for this runner would not cure that, so it must not say
// they would. Before, the process-wide cause decided.
TEST(ParallelRunnerTest, AnotherProducersLostStateDoesNotMakeThisFailureCurable) {
  auto broker = EmbeddedBroker::Start(1, {"bystander.in"}, 1);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  auto other = KafkaProducer::Create((*broker)->ClientOptions());
  ASSERT_TRUE(other.ok());
  rd_kafka_test_fatal_error((*other)->handle(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                            "sequence rewound (a test)");
  for (int i = 0; i < 10 && KafkaFatalError().ok(); ++i) (*other)->Poll(100);
  ASSERT_FALSE(KafkaFatalError().ok()) << "the other producer's error must be recorded";
  EXPECT_FALSE(FailsOnProducerState(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
  EXPECT_TRUE(FailsOnProducerState(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER));  // its own: cured
  other->reset();
  EXPECT_TRUE(KafkaFatalError().ok());
}

// The output's producer may raise the same error as a client fatal error
// first, before any delivery report: the runner's loop stops on that, and
// it too is cured by new clients (a clean-clone CI run's stage stopped so).
// The runner's own producer (its output's) raises the fatal error a lost
// producer state gives: the runner stops and says new clients cure it.
TEST(ParallelRunnerTest, AProducersFatalErrorTellsThatNewClientsCureIt) {
  auto broker = EmbeddedBroker::Start(1, {"fatal.in", "fatal.out", "fatal.dlq"}, 1);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  KafkaOptions o = (*broker)->ClientOptions();
  auto producer = KafkaProducer::Create(o);
  ASSERT_TRUE(producer.ok());
  SlowChain chain;
  KafkaOutput out(**producer, "fatal.out", "fatal.dlq", nullptr);
  prometheus::Registry registry;
  RunnerOptions ro = Named("fatal", "fatal.in", "fatal-group");
  StageRunner runner(o, ro, chain.processor, out, registry);
  std::atomic<bool> stop{false};
  std::thread raise([&] {
    std::this_thread::sleep_for(500ms);
    rd_kafka_test_fatal_error((*producer)->handle(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                              "sequence rewound (a test)");
    for (int i = 0; i < 600 && !stop.load(); ++i) std::this_thread::sleep_for(100ms);
    stop = true;  // bounds the test if the runner never stops by itself
  });
  Status result = runner.Run(stop);
  stop = true;
  raise.join();
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.message().find("OUT_OF_ORDER_SEQUENCE_NUMBER"), std::string::npos) << result.ToString();
  EXPECT_TRUE(runner.FailedOnProducerState()) << result.ToString();
  runner.Detach();
  producer->reset();  // takes its error with it (KafkaFatalError)
  EXPECT_TRUE(KafkaFatalError().ok());
}

// Another client of the process raises it (in `newsflow run`, another hop's
// producer, or the raw producer, which new clients cure): this runner goes
// on. Before, every runner of the process stopped on it (the sinks of `run`
// with the failed stage, and the run with them).
TEST(ParallelRunnerTest, AnotherClientsFatalErrorDoesNotStopTheRunner) {
  auto broker = EmbeddedBroker::Start(1, {"other.in"}, 1);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  KafkaOptions o = (*broker)->ClientOptions();
  auto other = KafkaProducer::Create(o);
  ASSERT_TRUE(other.ok());
  SlowChain chain;
  CaptureOutput out;
  prometheus::Registry registry;
  RunnerOptions ro = Named("bystander", "other.in", "bystander-group");
  StageRunner runner(o, ro, chain.processor, out, registry);
  std::atomic<bool> stop{false}, returned{false};
  Status result;
  std::thread run([&] {
    result = runner.Run(stop);
    returned = true;
  });
  std::this_thread::sleep_for(500ms);
  rd_kafka_test_fatal_error((*other)->handle(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                            "sequence rewound (a test)");
  for (int i = 0; i < 10; ++i) (*other)->Poll(100);  // serves the error callback: recorded
  EXPECT_FALSE(KafkaFatalError().ok()) << "the error must be recorded for the process";
  EXPECT_FALSE(returned.load()) << result.ToString();  // the runner's loop checks every poll
  stop = true;
  run.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  other->reset();
  EXPECT_TRUE(KafkaFatalError().ok());
}

// An output that acknowledges nothing until told to (a partition leader
// away, a producer waiting on a dead broker); then answers everything on
// the runner's thread, as a producer's poll serves delivery reports.
class SilentOutput : public CaptureOutput {
 public:
  Status Send(std::string_view key, std::string_view, int64_t, Done done) override {
    std::lock_guard<std::mutex> l(mu);
    keys.emplace_back(key);
    held_.push_back(std::move(done));
    return Status::OK();
  }
  void Poll(int timeout_ms) override {
    std::vector<Done> now;
    {
      std::lock_guard<std::mutex> l(mu);
      if (answer) now.swap(held_);
    }
    for (auto& d : now) d(Status::OK());
    if (now.empty() && timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
  }
  int64_t QueueLength() const override { return static_cast<int64_t>(held_.size()); }
  std::atomic<bool> answer{false};

 private:
  std::vector<Done> held_;
};

double GaugeValue(prometheus::Registry& r, const std::string& name) {
  for (const auto& family : r.Collect())
    if (family.name == name && !family.metric.empty()) return family.metric.front().gauge.value;
  return -1;
}

// Records handed to an output that answers nothing: the runner says so in
// its log and on its gauge while it waits, and again when the output
// answers. Before, a stage stuck so was silent (a clean-clone run's broker
// failure test: no line from the stage for 4 min 40 s while it delivered
// nothing), indistinguishable from a hang.
TEST(ParallelRunnerTest, AnOutputThatAcknowledgesNothingIsReportedAndSoIsItsReturn) {
  auto log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("stall-test", log));
  auto text = [&] {
    std::string all;
    for (const auto& line : log->last_formatted()) all += line;
    return all;
  };
  auto broker = EmbeddedBroker::Start(1, {"stall.in"}, 2);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  KafkaOptions o = (*broker)->ClientOptions();
  auto producer = KafkaProducer::Create(o);
  ASSERT_TRUE(producer.ok());
  constexpr int kRecords = 40;
  ASSERT_TRUE(ProduceArticles(**producer, "stall.in", kRecords, "s"));
  SlowChain chain;
  SilentOutput out;
  prometheus::Registry registry;
  RunnerOptions ro = Named("stuck", "stall.in", "stall-group");
  ro.stall_warning = 500ms;
  StageRunner runner(o, ro, chain.processor, out, registry);
  std::atomic<bool> stop{false};
  Status result;
  std::thread run([&] { result = runner.Run(stop); });
  const std::string warned = "record(s) handed to capture have had no acknowledgement for";
  EXPECT_TRUE(WaitUntil([&] { return text().find(warned) != std::string::npos; }, 30s)) << text();
  EXPECT_EQ(out.Count(), static_cast<size_t>(kRecords));
  EXPECT_GE(GaugeValue(registry, "newsflow_output_stalled_seconds"), 0.5);
  EXPECT_EQ(runner.counts().sent.load(), 0);
  out.answer = true;
  EXPECT_TRUE(WaitUntil([&] { return text().find("capture acknowledges again, after") != std::string::npos; }, 30s))
      << text();
  EXPECT_TRUE(WaitUntil([&] { return runner.counts().sent.load() == kRecords; }, 30s));
  EXPECT_TRUE(WaitUntil([&] { return GaugeValue(registry, "newsflow_output_stalled_seconds") == 0.0; }, 30s));
  // Said once for this stall (the next reminder is 30 s away).
  const std::string all = text();
  EXPECT_EQ(all.find(warned), all.rfind(warned)) << all;
  stop = true;
  run.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  spdlog::set_default_logger(previous);
}

double CounterValue(prometheus::Registry& r, const std::string& name) {
  for (const auto& family : r.Collect())
    if (family.name == name && !family.metric.empty()) return family.metric.front().counter.value;
  return -1;
}

class ForwardStage : public Stage {
 public:
  Result<Outcome> Process(Article&) override { return Outcome::Forward(); }
};

// Takes records as they come and says "blocked" (flow control: the
// downstream group is behind) from its 100th record until released.
class HoldingOutput : public CaptureOutput {
 public:
  Status Send(std::string_view key, std::string_view value, int64_t origin, Done done) override {
    if (Count() + 1 == 100) hold = true;
    return CaptureOutput::Send(key, value, origin, std::move(done));
  }
  bool Blocked() const override { return hold.load(); }
  // As a producer's poll: waits for its timeout when there is nothing to serve.
  void Poll(int timeout_ms) override {
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
  }
  std::atomic<bool> hold{false};
};

// What a runner over 2,000 records did when its output held it back once,
// from the 100th record, for `hold_for`.
struct HoldResult {
  size_t taken_during_hold = 0, taken_after_hold = 0;  // records sent
  size_t distinct = 0;
  double paused_gauge = -1;
  double fetched = -1;  // newsflow_records_fetched_total, once settled
};

HoldResult RunWithOneHold(std::chrono::milliseconds pause_after, std::chrono::milliseconds hold_for) {
  constexpr int kRecords = 2000;
  HoldResult r;
  auto broker = EmbeddedBroker::Start(1, {"hold.in"}, 4);
  EXPECT_TRUE(broker.ok()) << broker.status().ToString();
  if (!broker.ok()) return r;
  KafkaOptions o = (*broker)->ClientOptions();
  auto producer = KafkaProducer::Create(o);
  EXPECT_TRUE(producer.ok()) << producer.status().ToString();
  if (!producer.ok()) return r;
  EXPECT_TRUE(ProduceArticles(**producer, "hold.in", kRecords, "h"));

  o.properties.emplace_back("statistics.interval.ms", "100");
  ForwardStage stage;
  RecordProcessor processor({{"forward", &stage, nullptr}}, {});
  HoldingOutput out;
  prometheus::Registry registry;
  RunnerOptions ro = Named("forward", "hold.in", "hold-group");
  ro.pause_after = pause_after;
  StageRunner runner(o, ro, processor, out, registry);
  std::atomic<bool> stop{false};
  Status result;
  std::thread t([&] { result = runner.Run(stop); });
  EXPECT_TRUE(WaitUntil([&] { return out.hold.load(); }, 30s));
  // What the runner had taken before the hold may still leave: count after 200 ms.
  std::this_thread::sleep_for(200ms);
  const size_t before = out.Count();
  std::this_thread::sleep_for(hold_for - 200ms);
  r.taken_during_hold = out.Count() - before;
  r.paused_gauge = GaugeValue(registry, "newsflow_flow_control_paused");
  out.hold = false;
  EXPECT_TRUE(WaitUntil([&] { return out.Count() == static_cast<size_t>(kRecords); }, 60s))
      << out.Count() << " of " << kRecords;
  r.taken_after_hold = out.Count() - before - r.taken_during_hold;
  // librdkafka's statistics (every 100 ms here) catch up with the fetches.
  EXPECT_TRUE(WaitUntil([&] { return CounterValue(registry, "newsflow_records_fetched_total") >= kRecords; }, 10s));
  std::this_thread::sleep_for(500ms);
  r.fetched = CounterValue(registry, "newsflow_records_fetched_total");
  EXPECT_EQ(GaugeValue(registry, "newsflow_flow_control_paused"), 0.0);
  stop = true;
  t.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  std::map<std::string, int> seen;
  for (const auto& k : out.keys) ++seen[k];
  r.distinct = seen.size();
  EXPECT_EQ(out.keys.size(), static_cast<size_t>(kRecords));
  return r;
}

// Nothing taken while held (the gauge says so), every record once after.
void ExpectHeldThenEveryRecordOnce(const HoldResult& r) {
  EXPECT_EQ(r.taken_during_hold, 0u) << "records were taken during the hold";
  EXPECT_GT(r.taken_after_hold, 0u);
  EXPECT_EQ(r.paused_gauge, 1.0);
  EXPECT_EQ(r.distinct, 2000u);
}

// A short flow-control hold only stops the runner taking records: what
// librdkafka fetched ahead stays, and every record crosses from the broker
// once. The runner used to pause its partitions at once, which throws the
// fetched-ahead records away (fetched again on resume) and in librdkafka
// 2.0.2 left the fetcher idle for up to a second after the resume: the
// chain of three pass-through stages moved 2,900 articles/s, now 22,000.
TEST(ParallelRunnerTest, AShortFlowControlHoldKeepsWhatWasFetchedAhead) {
  HoldResult r = RunWithOneHold(2000ms, 600ms);
  ExpectHeldThenEveryRecordOnce(r);
  EXPECT_EQ(r.fetched, 2000) << "records were fetched again: the hold threw away what was fetched ahead";
}

// A hold that lasts (pause_after) pauses the partitions: what was fetched
// ahead is let go (memory), fetched again after the resume, nothing lost.
TEST(ParallelRunnerTest, ALongFlowControlHoldPausesThePartitionsAndResumes) {
  HoldResult r = RunWithOneHold(200ms, 1000ms);
  ExpectHeldThenEveryRecordOnce(r);
  EXPECT_GT(r.fetched, 2000) << "the pause kept what was fetched ahead";
}

// A hold inside a batch (WaitForRoom) does not poll the consumer: one longer
// than max.poll.interval.ms makes librdkafka leave the group. On release the
// runner passes the rest of its batch on, rejoins and reads again what it had
// not committed: duplicates (at least once), nothing lost, no hang.
TEST(ParallelRunnerTest, AHoldLongerThanThePollIntervalLosesNothing) {
  constexpr int kRecords = 1000;
  auto broker = BrokerWithArticles("long.in", 2, kRecords, "l");
  ASSERT_NE(broker, nullptr);
  KafkaOptions o = broker->ClientOptions();
  o.properties.emplace_back("max.poll.interval.ms", "7000");  // the least the 6 s session allows
  ForwardStage stage;
  RecordProcessor processor({{"forward", &stage, nullptr}}, {});
  HoldingOutput out;  // holds from its 100th record: inside the first batch
  prometheus::Registry registry;
  StageRunner runner(o, Named("forward", "long.in", "long-group"), processor, out, registry);
  std::atomic<bool> stop{false};
  Status result;
  std::thread t([&] { result = runner.Run(stop); });
  ASSERT_TRUE(WaitUntil([&] { return out.hold.load(); }, 30s));
  std::this_thread::sleep_for(10s);  // past max.poll.interval.ms
  out.hold = false;
  std::set<std::string> distinct;
  EXPECT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> l(out.mu);
    distinct = std::set<std::string>(out.keys.begin(), out.keys.end());
    return distinct.size() == static_cast<size_t>(kRecords);
  }, 90s)) << distinct.size() << " of " << kRecords;
  stop = true;
  t.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  EXPECT_EQ(runner.counts().lost.load(), 0);
  std::cout << "[ report ] a 10 s hold inside a batch, max.poll.interval.ms 7000: " << out.keys.size()
            << " records sent for " << kRecords << "\n";
}

// One batch of large records can be more than the downstream's partition
// holds on the embedded broker (about 5 MiB; a batch of two copies is up to
// 128 records, 8 MiB of 64 KB ones): the runner used to send a whole batch
// after one look at flow control, and the broker evicted the oldest records
// before the next stage read them (`pipeline_bench.py --scale`, 64 KB
// articles on one partition: 14 to 83 records lost a run). The hold is now
// judged before each record.
TEST(ParallelRunnerTest, ABatchOfLargeRecordsWaitsForRoomDownstream) {
  auto broker = EmbeddedBroker::Start(1, {"big.out", "big.dlq"}, 1);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  // The input on 8 partitions keeps all of it (40 MiB); the output's one keeps about 5 MiB.
  ASSERT_EQ(rd_kafka_mock_topic_create((*broker)->cluster(), "big.in", 8, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  KafkaOptions o = (*broker)->ClientOptions();
  auto producer = KafkaProducer::Create(o);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  constexpr int kRecords = 150;  // 9.6 MiB: about twice what the partition keeps
  ASSERT_TRUE(ProduceArticles(**producer, "big.in", kRecords, "big", 64 * 1024));

  // The stage: two copies, its output held back by the group that reads it.
  auto out_producer = KafkaProducer::Create(o);
  ASSERT_TRUE(out_producer.ok()) << out_producer.status().ToString();
  auto flow = FlowController::Start(o, "big.out", "big-readers", FlowController::Limits::For(o));
  ASSERT_TRUE(flow.ok()) << flow.status().ToString();
  KafkaOutput output(**out_producer, "big.out", "big.dlq", flow->get());
  ForwardStage s0, s1;
  RecordProcessor p0({{"forward", &s0, nullptr}}, {}), p1({{"forward", &s1, nullptr}}, {});
  prometheus::Registry registry;
  StageRunner stage(o, Named("forward", "big.in", "big-stage"), p0, output, registry);
  stage.AddProcessor(p1);
  std::atomic<bool> stop{false};
  Status stage_result;
  std::thread st([&] { stage_result = stage.Run(stop); });
  // Until the stage is held (no reader has committed anything yet).
  int64_t last = -1;
  for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;) {
    std::this_thread::sleep_for(1500ms);
    const int64_t now = stage.counts().sent.load();
    if (now > 0 && now == last) break;
    last = now;
  }
  EXPECT_GT(stage.counts().sent.load(), 0);
  EXPECT_LT(stage.counts().sent.load(), kRecords) << "flow control never held the stage";

  // The reader starts late: everything the stage sent must still be there.
  CaptureOutput got;
  RecordProcessor reader_processor({}, {});
  prometheus::Registry reader_registry;
  StageRunner reader(o, Named("reader", "big.out", "big-readers"), reader_processor, got, reader_registry);
  Status reader_result;
  std::thread rt([&] { reader_result = reader.Run(stop); });
  for (auto end = std::chrono::steady_clock::now() + 60s;
       got.Count() < static_cast<size_t>(kRecords) && reader.counts().lost.load() == 0 &&
       std::chrono::steady_clock::now() < end;)
    std::this_thread::sleep_for(20ms);
  stop = true;
  st.join();
  rt.join();
  EXPECT_TRUE(stage_result.ok()) << stage_result.ToString();
  EXPECT_TRUE(reader_result.ok()) << reader_result.ToString();
  EXPECT_EQ(reader.counts().lost.load(), 0) << "records evicted before the reader got to them";
  EXPECT_EQ(got.Count(), static_cast<size_t>(kRecords));
  EXPECT_EQ(stage.counts().lost.load(), 0);
}

// Makes the broker answer every `api_key` request (the Kafka protocol's key)
// with `err`, as long as a test runs.
void RefuseEvery(EmbeddedBroker& broker, int16_t api_key, rd_kafka_resp_err_t err) {
  std::vector<rd_kafka_resp_err_t> errors(100000, err);
  rd_kafka_mock_push_request_errors_array(broker.cluster(), api_key, errors.size(), errors.data());
}

// Runs a runner of `topic` as `group` (with `assign_all`, assigning itself
// every partition) until `out` holds `n` records or `limit` passes; stops it.
Status RunUntilCaptured(const KafkaOptions& o, const std::string& topic, const std::string& group,
                        bool assign_all, CaptureOutput& out, size_t n, std::chrono::seconds limit) {
  SlowChain chain;
  prometheus::Registry registry;
  RunnerOptions ro = Named("aa", topic, group);
  ro.assign_all = assign_all;
  StageRunner runner(o, ro, chain.processor, out, registry);
  std::atomic<bool> stop{false};
  Status result;
  std::thread t([&] { result = runner.Run(stop); });
  WaitUntil([&] { return out.Count() >= n; }, limit);
  stop = true;
  t.join();
  return result;
}

// `run` on its own embedded broker reads without joining groups
// (RunnerOptions::assign_all): the broker's first join of a group waits 3 s for
// more members, which was most of the time one article took through `run`.
// Here the broker refuses every JoinGroup: the runner that assigns itself
// every partition still reads every record, and its commits land in its group
// (flow control and lag read them there); a runner that joins reads nothing
// while the join is refused (so the refusal is real: unrefused, the first join
// takes the mock 3 s).
TEST(RunnerAssignAllTest, ReadsAndCommitsInItsGroupWithoutEverJoiningIt) {
  constexpr int kRecords = 40;
  auto broker = BrokerWithArticles("aa.in", 4, kRecords, "a");
  ASSERT_NE(broker, nullptr);
  constexpr int16_t kJoinGroup = 11;
  RefuseEvery(*broker, kJoinGroup, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
  KafkaOptions o = broker->ClientOptions();

  CaptureOutput assigned;
  Status s = RunUntilCaptured(o, "aa.in", "aa-group", true, assigned, kRecords, 60s);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(assigned.keys.size(), static_cast<size_t>(kRecords));

  // What it read is committed in its group: the next reader starts after it.
  auto reader = NewKafkaClient(o, ClientRole::kConsumer, "aa-group");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  TopicPartitionList parts(rd_kafka_topic_partition_list_new(4));
  for (int p = 0; p < 4; ++p) rd_kafka_topic_partition_list_add(parts.get(), "aa.in", p);
  ASSERT_EQ(rd_kafka_committed(reader->get(), parts.get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  int64_t committed = 0;
  for (int i = 0; i < parts->cnt; ++i) committed += std::max<int64_t>(0, parts->elems[i].offset);
  EXPECT_EQ(committed, kRecords);

  CaptureOutput joined;
  s = RunUntilCaptured(o, "aa.in", "aa-joins", false, joined, kRecords, 8s);
  EXPECT_EQ(joined.Count(), 0u) << "the broker let a JoinGroup through: this test shows nothing";
}

// A runner starts reading where it knows the start is (the offset it has just
// read as committed, or 0 on the embedded broker), without asking the group
// and the partition again: that lookup went through a retry timer and put
// the first Fetch 106 ms after the assignment. Here the broker refuses every
// OffsetFetch and ListOffsets: the runner still reads every record.
TEST(RunnerAssignAllTest, StartsWhereItKnowsTheStartIsWithoutLookingItUpAgain) {
  constexpr int kRecords = 40;
  auto broker = BrokerWithArticles("ks.in", 4, kRecords, "k");
  ASSERT_NE(broker, nullptr);
  constexpr int16_t kListOffsets = 2, kOffsetFetch = 9;
  RefuseEvery(*broker, kOffsetFetch, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
  RefuseEvery(*broker, kListOffsets, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
  CaptureOutput out;
  Status s = RunUntilCaptured(broker->ClientOptions(), "ks.in", "ks-group", true, out, kRecords, 60s);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.keys.size(), static_cast<size_t>(kRecords));
}

}  // namespace
}  // namespace newsflow
