// Integration tests: a broker, producers, stages and sinks as separate OS
// processes speaking the Kafka protocol over loopback. PipelineTest runs on
// both brokers (broker_fixture.h): the embedded one and a real Apache Kafka.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "broker_fixture.h"
#include "support/http_client.h"
#include "committed_offsets.h"
#include "support/process.h"
#include "support/sink_file.h"
#include "support/schema.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;

// Writes `n` raw articles as JSON Lines, each `size` bytes of body or so.
void WriteArticles(const std::string& path, int n, size_t size, const std::string& prefix = "a") {
  std::ofstream out(path);
  std::string filler;
  while (filler.size() < size) filler += "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ";
  filler.resize(size);
  for (int i = 0; i < n; ++i) {
    nlohmann::json j = {{"source", "test"},
                        {"url", "https://example.com/" + prefix + "/" + std::to_string(i)},
                        {"body", "Article " + std::to_string(i) + ". " + filler}};
    out << j.dump() << "\n";
  }
}

// The urls of WriteArticles' first `n` articles that `c` lacks (at most ten):
// which article went missing, for the failure message.
std::string MissingArticles(const IdCount& c, int n, const std::string& prefix = "a") {
  std::string missing;
  int shown = 0;
  for (int i = 0; i < n && shown < 10; ++i) {
    std::string url = "https://example.com/" + prefix + "/" + std::to_string(i);
    if (c.urls.count(url) == 0) missing += (shown++ == 0 ? "" : ", ") + url;
  }
  return missing.empty() ? "none" : missing;
}

class PipelineTest : public ::testing::TestWithParam<Broker> {
 protected:
  // The broker of the test's parameter, its topics with `partitions` partitions.
  void StartBroker(int partitions) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "-" + info->name();
    for (char& c : name) c = c == '/' ? '-' : c;
    dir_ = MakeTempDir(name);
    broker_.Start(GetParam(), dir_, partitions);
  }

  std::unique_ptr<Process> Start(std::vector<std::string> args, const std::string& log,
                                 std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), NewsflowBinary());
    args.insert(args.end(), broker_.args().begin(), broker_.args().end());
    return std::make_unique<Process>(args, dir_ + "/" + log + ".log", std::move(env));
  }

  // A topic's name as the processes see it (a namespace on the real broker).
  std::string Topic(std::string_view name) const { return broker_.Name(name); }

  // A passthrough stage process reading `in`, writing `out`.
  std::unique_ptr<Process> StartPassthrough(const std::string& in, const std::string& out,
                                            const std::string& group, const std::string& downstream,
                                            const std::string& log,
                                            std::vector<std::string> extra = {},
                                            std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args = {"stage", "passthrough", "--input-topic", in,
                                     "--output-topic", out, "--group", group,
                                     "--downstream-group", downstream};
    args.insert(args.end(), extra.begin(), extra.end());
    return Start(args, log, std::move(env));
  }

  std::unique_ptr<Process> StartSink(const std::string& topic, const std::string& out,
                                     const std::string& group, const std::string& log) {
    return Start({"sink", "--topic", topic, "--output", out, "--group", group}, log);
  }

  int Produce(std::vector<std::string> args, const std::string& log) {
    auto p = Start(std::move(args), log);
    return p->Wait(120s);
  }

  // A passthrough stage from news.raw to news.clean (with `stage_args`) whose
  // Kafka client skips the records at `skips` (partition, offset), as the
  // fault NEWSFLOW_FAULT_SKIP_RECORDS makes it: every article must reach the
  // sink once, and the stage's log name each skip and each record read
  // again. Returns the stage's log.
  std::string ExpectSkippedRecordsReadAgain(size_t articles, std::vector<std::string> stage_args,
                                            const std::vector<std::pair<int, int64_t>>& skips,
                                            std::chrono::seconds within) {
    StartBroker(2);
    std::string out = dir_ + "/out.jsonl";
    auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");
    std::string fault;
    for (const auto& [p, o] : skips) fault += (fault.empty() ? "" : ",") + std::to_string(p) + "@" + std::to_string(o);
    auto stage = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage",
                                  std::move(stage_args), {{"NEWSFLOW_FAULT_SKIP_RECORDS", fault}});
    WriteArticles(dir_ + "/in.jsonl", static_cast<int>(articles), 300);
    EXPECT_EQ(Produce({"produce", dir_ + "/in.jsonl"}, "produce"), 0);
    EXPECT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= articles; }, within))
        << "got " << Ids(out).unique.size() << " of " << articles << "\n" << stage->Log();
    const std::string log = stage->Log();
    const std::string raw = Topic("news.raw");
    for (const auto& [p, o] : skips) {
      const std::string at = raw + "[" + std::to_string(p) + "]";
      EXPECT_NE(log.find("skipping " + at + " offset " + std::to_string(o) + " as a faulty client would"),
                std::string::npos) << log;
      EXPECT_NE(log.find(at + ": the Kafka client skipped 1 record(s) the broker holds between offsets " +
                         std::to_string(o) + " and " + std::to_string(o)),
                std::string::npos) << log;
    }
    EXPECT_EQ(Ids(out).lines, articles) << "a record read again is handled once";
    for (auto* p : {stage.get(), sink.get()}) {
      p->Signal(SIGTERM);
      EXPECT_EQ(p->Wait(30s), 0) << p->Log();
      EXPECT_EQ(p->Log().find("LOST"), std::string::npos) << p->Log();
    }
    return log;
  }

  std::string dir_;
  TestBroker broker_;
};

NEWSFLOW_ON_BOTH_BROKERS(PipelineTest);

TEST_P(PipelineTest, EveryArticleArrivesThroughThreeStageProcesses) {
  StartBroker(4);
  auto s1 = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-langid", "s1");
  auto s2 = StartPassthrough("news.clean", "news.lang", "newsflow-langid", "newsflow-entities", "s2");
  auto s3 = StartPassthrough("news.lang", "news.tagged", "newsflow-entities", "newsflow-sink", "s3");
  std::string out = dir_ + "/out.jsonl";
  auto sink = StartSink("news.tagged", out, "newsflow-sink", "sink");
  WriteArticles(dir_ + "/in.jsonl", 1000, 800);
  ASSERT_EQ(Produce({"produce", dir_ + "/in.jsonl"}, "produce"), 0);
  ASSERT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= 1000; }, 90s))
      << "got " << Ids(out).unique.size() << "\n" << sink->Log();
  IdCount c = Ids(out);
  EXPECT_EQ(c.unique.size(), 1000u);
  EXPECT_EQ(c.lines, 1000u) << "no failure happened, so no record may be duplicated";
  SchemaValidator tagged("article.v1.schema.json");
  for (const auto& line : ReadLines(out)) ASSERT_EQ(tagged.Validate(line), "") << line;
  for (auto* p : {s1.get(), s2.get(), s3.get(), sink.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(30s), 0) << p->Log();
    EXPECT_EQ(p->Log().find("LOST"), std::string::npos) << p->Log();
  }
}

TEST_P(PipelineTest, SigkilledStageRestartsWithoutLoss) {
  constexpr int kArticles = 6000;  // 1 ms each in the stage: seconds of headroom to kill it
  StartBroker(4);
  std::string out = dir_ + "/out.jsonl";
  auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");
  auto stage = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink",
                                "stage1", {"--set", "delay_us=1000"});
  WriteArticles(dir_ + "/in.jsonl", kArticles, 300);
  auto producer = Start({"produce", dir_ + "/in.jsonl"}, "produce");
  ASSERT_TRUE(WaitFor([&] { return Ids(out).lines >= 1500; }, 60s)) << stage->Log();
  // The kill must come after the stage's first offset commit has reached the
  // broker (auto-commit runs every second on a real cluster): then a restart
  // may repeat only what came after it.
  int64_t committed = 0;
  ASSERT_TRUE(WaitFor([&] {
    committed = CommittedOnBroker(broker_, Topic("newsflow-clean"), Topic("news.raw"), 4);
    return committed > 0;
  }, 30s)) << "the stage never committed an offset\n" << stage->Log();
  stage->Signal(SIGKILL);
  EXPECT_EQ(stage->Wait(10s), 128 + SIGKILL);
  size_t at_kill = Ids(out).unique.size();
  EXPECT_LT(at_kill, static_cast<size_t>(kArticles)) << "the stage must be killed mid-stream";
  auto restarted = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink",
                                    "stage2");
  ASSERT_EQ(producer->Wait(120s), 0) << producer->Log();
  ASSERT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= static_cast<size_t>(kArticles); }, 90s))
      << "got " << Ids(out).unique.size() << "; missing: " << MissingArticles(Ids(out), kArticles)
      << "\n" << restarted->Log() << "\nthe sink:\n" << sink->Log();
  IdCount c = Ids(out);
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(kArticles));
  EXPECT_LT(c.lines - c.unique.size(), at_kill) << "offsets must have been committed before the kill";
  std::cout << "[ report ] killed after " << at_kill << " records (" << committed << " committed); duplicates redelivered: "
            << c.lines - c.unique.size() << " of " << c.lines << "\n";
  restarted->Signal(SIGTERM);
  EXPECT_EQ(restarted->Wait(30s), 0);
  EXPECT_EQ(restarted->Log().find("LOST"), std::string::npos) << restarted->Log();
}

// On a real cluster read_committed leaves a gap for every transaction marker
// and aborted record, so a gap alone proves nothing; a record the client
// skipped leaves the same gap (a clean-clone CI run: the first record of a
// partition never reached the sink, 5,999 of 6,000, and nothing said so).
// The stage reads each gap again and handles what the broker holds in it.
// The skips are injected (NEWSFLOW_FAULT_SKIP_RECORDS): a partition's first
// record with no committed offset yet, and one mid-stream.
TEST_P(PipelineTest, RecordsTheClientSkippedAreReadAgain) {
  if (GetParam() != Broker::kRealKafka) GTEST_SKIP() << "the embedded broker counts a gap as LOST";
  ExpectSkippedRecordsReadAgain(400, {}, {{0, 0}, {1, 50}}, 60s);
}

// Exactly once reads transactionally (read_committed), where every upstream
// transaction leaves a marker, so gaps mid-stream are not read again; the
// start of a partition assigned without a committed offset is, once: the
// skip seen in CI was a partition's first record. Skipped here: the first
// record of partitions 0 and 1. Before, both were committed past silently.
TEST_P(PipelineTest, ExactlyOnceReadsAgainAPartitionsFirstRecordTheClientSkipped) {
  if (GetParam() != Broker::kRealKafka) GTEST_SKIP() << "exactly_once needs a real Kafka cluster";
  const std::string log = ExpectSkippedRecordsReadAgain(300, {"--delivery", "exactly_once"}, {{0, 0}, {1, 0}}, 90s);
  EXPECT_NE(log.find("exactly once: transactions as"), std::string::npos) << log;
}

// After a leader's failover an idempotent producer can find its sequence
// lost on the brokers: librdkafka raises a fatal error and that producer
// writes nothing more. `newsflow stage` starts new clients and reads again
// from its last committed offsets (a clean-clone CI run's stage exited
// instead: the error was kept for the whole process and the new producer
// found it waiting). The fatal error is injected here (producer.cc).
TEST_P(PipelineTest, AStageWhoseProducerLostItsSequenceStartsNewClientsAndLosesNothing) {
  constexpr int kArticles = 3000;
  StartBroker(4);
  std::string out = dir_ + "/out.jsonl";
  auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");
  auto stage = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage",
                                {"--set", "delay_us=200"},
                                {{"NEWSFLOW_FAULT_PRODUCER_FATAL_AFTER", "1000"}});
  WriteArticles(dir_ + "/in.jsonl", kArticles, 300);
  ASSERT_EQ(Produce({"produce", dir_ + "/in.jsonl"}, "produce"), 0);
  ASSERT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= static_cast<size_t>(kArticles); }, 90s))
      << "got " << Ids(out).unique.size() << " of " << kArticles << "\n" << stage->Log();
  const std::string log = stage->Log();
  EXPECT_NE(log.find("raising a fatal error (a test)"), std::string::npos) << log;
  EXPECT_NE(log.find("starting new Kafka clients (1 of 5 in a row)"), std::string::npos) << log;
  EXPECT_TRUE(stage->Running()) << "the stage must go on after new clients\n" << log;
  IdCount c = Ids(out);
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(kArticles));
  std::cout << "[ report ] fatal producer error after 1000 records; new clients; duplicates redelivered: "
            << c.lines - c.unique.size() << " of " << c.lines << "\n";
  for (auto* p : {stage.get(), sink.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(30s), 0) << p->Log();
    EXPECT_EQ(p->Log().find("LOST"), std::string::npos) << p->Log();
  }
}

// The same lost state in `newsflow produce`: its sink keeps every record
// until Kafka acknowledged it, starts a new producer and sends again what
// the old one held, so the command ends well with every article in the
// topic (it exited 1 with "N record(s) were not acknowledged" before).
TEST_P(PipelineTest, AProducerWhoseSequenceWasLostStartsANewOneAndLosesNothing) {
  constexpr int kArticles = 3000;
  StartBroker(4);
  std::string out = dir_ + "/out.jsonl";
  auto sink = StartSink("news.raw", out, "newsflow-clean", "sink");  // the group produce watches
  WriteArticles(dir_ + "/in.jsonl", kArticles, 300);
  auto producer = Start({"produce", dir_ + "/in.jsonl"}, "produce",
                        {{"NEWSFLOW_FAULT_PRODUCER_FATAL_AFTER", "1000"}});
  ASSERT_EQ(producer->Wait(120s), 0) << producer->Log();
  const std::string log = producer->Log();
  EXPECT_NE(log.find("raising a fatal error (a test)"), std::string::npos) << log;
  EXPECT_NE(log.find("new producer (1 of 5 in a row)"), std::string::npos) << log;
  ASSERT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= static_cast<size_t>(kArticles); }, 90s))
      << "got " << Ids(out).unique.size() << " of " << kArticles << "\n" << sink->Log();
  IdCount c = Ids(out);
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(kArticles));
  std::cout << "[ report ] fatal producer error after 1000 records; new producer; duplicates: "
            << c.lines - c.unique.size() << " of " << c.lines << "\n";
  sink->Signal(SIGTERM);
  EXPECT_EQ(sink->Wait(30s), 0) << sink->Log();
}

// The same lost state in one of `newsflow run`'s stages: `run` starts new
// Kafka clients for that stage, as `stage` does, and ends once every reader
// has done all its topic's writers wrote, not when the sink has counted as
// many records as went in (records written twice around the new clients
// would reach that count with others still on their way). Before, the run
// failed (exit 1) on the first such error, with the stage's records unwritten.
// Its own embedded broker, or the real one. The fault counts only the
// stage's output topic (`1000@news.passthrough`): counted over the process,
// the 3,000th record was the stage's only when the reader had finished its
// 2,000 first, and one clean-clone run's reader, still writing, took it.
// Two stages: on its own embedded broker `run`'s last stage writes the
// articles file itself, and its producer carries dead letters only.
TEST_P(PipelineTest, RunStartsNewClientsForAStageWhoseProducerLostItsStateAndLosesNothing) {
  constexpr int kArticles = 2000;
  StartBroker(4);
  const std::string out = dir_ + "/out.jsonl";
  WriteArticles(dir_ + "/in.jsonl", kArticles, 300);
  auto run = Start({"run", dir_ + "/in.jsonl", "--stages", "passthrough,passthrough", "--output", out,
                    "--dead-letters", dir_ + "/dead.jsonl", "--metrics-addr", ""},
                   "run", {{"NEWSFLOW_FAULT_PRODUCER_FATAL_AFTER", "1000@news.passthrough"}});
  ASSERT_EQ(run->Wait(180s), 0) << run->Log();
  const std::string log = run->Log();
  EXPECT_NE(log.find("raising a fatal error (a test)"), std::string::npos) << log;
  EXPECT_NE(log.find("starting new Kafka clients (1 of 5 in a row)"), std::string::npos) << log;
  EXPECT_EQ(log.find("produce: the producer lost its state"), std::string::npos)
      << "the fault hit the reader, not the stage\n" << log;
  IdCount c = Ids(out);
  EXPECT_EQ(c.unique.size(), static_cast<size_t>(kArticles)) << log;
  std::cout << "[ report ] run: fatal producer error in the stage; new clients; duplicates: "
            << c.lines - c.unique.size() << " of " << c.lines << "\n";
}

// A group without a committed offset reads each partition from its start. On
// a real cluster a first record past that start is the only sign of records
// the group never got (later gaps are transaction markers, not counted as
// lost): the sink says so, with the offsets. Provoked with an aborted
// transaction at the start of the partition (the embedded broker does not
// honour transactions, and counts any gap from offset 0 as LOST).
TEST_P(PipelineTest, AGroupsFirstRecordPastThePartitionsStartIsReported) {
  if (GetParam() != Broker::kRealKafka) GTEST_SKIP() << "transactions need the real broker";
  StartBroker(1);
  auto sink = StartSink("news.raw", dir_ + "/out.jsonl", "newsflow-clean", "sink");
  ASSERT_TRUE(WaitFor([&] { return sink->Log().find("assigned 1 partition") != std::string::npos; }, 60s))
      << sink->Log();
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", SharedRealKafka().Bootstrap().c_str(), err,
                              sizeof err), RD_KAFKA_CONF_OK) << err;
  ASSERT_EQ(rd_kafka_conf_set(conf, "transactional.id", (broker_.ns() + "-txn").c_str(), err, sizeof err),
            RD_KAFKA_CONF_OK) << err;
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  ASSERT_NE(rk, nullptr) << err;
  const std::string topic = Topic("news.raw");
  auto send = [&](int n, bool commit) {
    rd_kafka_error_t* e = rd_kafka_begin_transaction(rk);
    if (e != nullptr) return std::string(rd_kafka_error_string(e));
    for (int i = 0; i < n; ++i) {
      const std::string v = R"({"url":"https://example.com/t/)" + std::to_string(i) + R"(","body":"x"})";
      rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                        RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    rd_kafka_flush(rk, 30000);  // on the broker first: an abort drops what was not sent yet
    e = commit ? rd_kafka_commit_transaction(rk, 30000) : rd_kafka_abort_transaction(rk, 30000);
    return e != nullptr ? std::string(rd_kafka_error_string(e)) : std::string();
  };
  rd_kafka_error_t* init = rd_kafka_init_transactions(rk, 60000);
  ASSERT_EQ(init, nullptr) << rd_kafka_error_string(init);
  EXPECT_EQ(send(3, false), "");  // offsets 0-2, aborted; 3 is the abort marker
  EXPECT_EQ(send(2, true), "");   // offsets 4-5, committed
  rd_kafka_destroy(rk);
  ASSERT_TRUE(WaitFor([&] { return sink->Log().find("were not delivered") != std::string::npos; }, 60s))
      << sink->Log();
  EXPECT_NE(sink->Log().find("its first record is at offset 4 while the partition starts at 0: 4 "
                             "record(s) before it were not delivered"),
            std::string::npos)
      << sink->Log();
  sink->Signal(SIGTERM);
  EXPECT_EQ(sink->Wait(30s), 0) << sink->Log();
}

// A broker away for longer than message.timeout.ms: what the producer
// held times out. The sink sends it again (before, each such record was
// failed: `produce` exited 1, and `watch`, which had marked the item seen,
// lost it until a restart and failed every later flush). The embedded broker
// is stopped with SIGSTOP for four message timeouts while articles come in
// on a pipe.
TEST_P(PipelineTest, ProducerSendsAgainWhatTimedOutWhileTheBrokerWasAway) {
  if (GetParam() != Broker::kEmbedded) GTEST_SKIP() << "the shared Apache Kafka cannot be paused";
  StartBroker(4);
  std::string out = dir_ + "/out.jsonl";
  auto sink = StartSink("news.raw", out, "newsflow-clean", "sink");
  const std::string fifo = dir_ + "/in.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  WriteArticles(dir_ + "/first.jsonl", 500, 300, "first");
  WriteArticles(dir_ + "/second.jsonl", 500, 300, "second");
  const int port = FreePort();
  auto producer = std::make_unique<Process>(
      [&] {
        std::vector<std::string> args = {NewsflowBinary(), "produce", "-", "-X", "message.timeout.ms=1000",
                                         "--metrics-addr", "127.0.0.1:" + std::to_string(port),
                                         "--metrics-linger-ms", "30000"};
        args.insert(args.end(), broker_.args().begin(), broker_.args().end());
        return args;
      }(),
      dir_ + "/produce.log", std::map<std::string, std::string>{}, fifo);
  {
    std::ofstream pipe(fifo);  // opens once the producer has it open for reading
    pipe << ReadFile(dir_ + "/first.jsonl") << std::flush;
    ASSERT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= 500; }, 60s)) << producer->Log();
    broker_.process()->Signal(SIGSTOP);
    pipe << ReadFile(dir_ + "/second.jsonl") << std::flush;
    std::this_thread::sleep_for(4s);
    broker_.process()->Signal(SIGCONT);
  }  // end of input
  // Operators see it: each record sent again counts as a delivery failure.
  std::string metrics;
  ASSERT_TRUE(WaitFor([&] {
    return HttpGet("http://127.0.0.1:" + std::to_string(port) + "/metrics", &metrics, 1000) == 200 &&
           producer->Log().find("newsflow produce:") != std::string::npos;  // its summary: all flushed
  }, 120s)) << producer->Log();
  HttpGet("http://127.0.0.1:" + std::to_string(port) + "/metrics", &metrics, 1000);
  const size_t at = metrics.find("newsflow_delivery_failures_total{stage=\"produce\"}");
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::stod(metrics.substr(metrics.find(' ', at) + 1)), 1.0) << metrics.substr(at, 80);
  producer->Signal(SIGTERM);  // ends the linger
  ASSERT_EQ(producer->Wait(120s), 0) << producer->Log();
  EXPECT_NE(producer->Log().find("timed out before Kafka acknowledged them"), std::string::npos)
      << "the broker's pause must have timed records out\n" << producer->Log();
  ASSERT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= 1000; }, 60s))
      << "got " << Ids(out).unique.size() << " of 1000\n" << producer->Log() << sink->Log();
  EXPECT_EQ(Ids(out).unique.size(), 1000u);
  sink->Signal(SIGTERM);
  EXPECT_EQ(sink->Wait(30s), 0) << sink->Log();
}

TEST_P(PipelineTest, TwoInstancesShareThePartitions) {
  StartBroker(4);
  std::string out = dir_ + "/out.jsonl";
  auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");
  auto a = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "a",
                            {"--set", "delay_us=500"});
  auto b = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "b",
                            {"--set", "delay_us=500"});
  auto two_each = [&] {
    return a->Log().find("assigned 2 partition(s)") != std::string::npos &&
           b->Log().find("assigned 2 partition(s)") != std::string::npos;
  };
  ASSERT_TRUE(WaitFor(two_each, 60s)) << a->Log() << b->Log();
  WriteArticles(dir_ + "/in.jsonl", 2000, 300);
  ASSERT_EQ(Produce({"produce", dir_ + "/in.jsonl"}, "produce"), 0);
  ASSERT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= 2000; }, 90s));
  a->Signal(SIGTERM);
  b->Signal(SIGTERM);
  ASSERT_EQ(a->Wait(30s), 0);
  ASSERT_EQ(b->Wait(30s), 0);
  // Each instance says how many it handled when it stops.
  auto received = [](const std::string& log) {
    size_t at = log.rfind("stopped: received ");
    return at == std::string::npos ? -1L : std::stol(log.substr(at + 18));
  };
  long ra = received(a->Log()), rb = received(b->Log());
  EXPECT_GT(ra, 0) << a->Log();
  EXPECT_GT(rb, 0) << b->Log();
  EXPECT_GE(ra + rb, 2000);
  std::cout << "[ report ] instance a handled " << ra << ", instance b " << rb << "\n";
}

TEST_P(PipelineTest, BurstTenTimesRetentionLosesNothing) {
  // One partition keeps ~5 MiB in the embedded broker; send ~50 MiB. Real
  // Kafka evicts nothing, so there it is the same 50 MiB through one
  // partition, both hops, counted at the sink.
  StartBroker(1);
  std::string out = dir_ + "/out.jsonl";
  auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");
  auto stage = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage");
  WriteArticles(dir_ + "/in.jsonl", 10000, 5000);
  ASSERT_GE(std::filesystem::file_size(dir_ + "/in.jsonl"), 50u * 1000 * 1000);
  ASSERT_EQ(Produce({"produce", dir_ + "/in.jsonl"}, "produce"), 0);
  ASSERT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= 10000; }, 240s))
      << "got " << Ids(out).unique.size() << "\n" << stage->Log() << sink->Log();
  for (auto* p : {stage.get(), sink.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(30s), 0);
    EXPECT_EQ(p->Log().find("LOST"), std::string::npos) << p->Log();
  }
}

TEST_P(PipelineTest, PoisonRecordsBecomeDeadLettersWhileGoodOnesFlow) {
  StartBroker(2);
  std::string out = dir_ + "/out.jsonl", dlq = dir_ + "/dlq.jsonl";
  auto sink = StartSink("news.clean", out, "newsflow-sink", "sink");
  auto dlq_sink = StartSink("news.dlq", dlq, "newsflow-dlq-sink", "dlq-sink");
  auto stage = StartPassthrough("news.raw", "news.clean", "newsflow-clean", "newsflow-sink", "stage",
                                {"--set", "reject_marker=POISON", "--max-record-bytes", "20000"});
  const std::string good =
      R"({"v":1,"id":"good-1","source":"t","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"fine"})";
  {
    std::ofstream f(dir_ + "/raw.jsonl", std::ios::binary);
    f << good << "\n";
    f << "{this is not json\n";
    f << R"({"v":1,"id":"bad-utf8","source":"t","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":")"
      << "\xC3\x28\xFF" << "\"}\n";
    f << R"({"v":1,"id":"huge","source":"t","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":")"
      << std::string(30000, 'x') << "\"}\n";
    f << R"({"v":1,"id":"no-body","source":"t","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain"})" << "\n";
    f << R"({"v":1,"id":"poison","source":"t","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"POISON"})" << "\n";
    f << R"({"v":1,"id":"good-2","source":"t","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"fine too"})" << "\n";
  }
  ASSERT_EQ(Produce({"produce", "--raw", dir_ + "/raw.jsonl"}, "produce"), 0);
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dlq).size() >= 5 && ReadLines(out).size() >= 2; }, 60s))
      << stage->Log();
  EXPECT_TRUE(stage->Running()) << "a poison record must never stop the stage";
  std::multiset<std::string> codes;
  SchemaValidator schema("dlq.v1.schema.json");
  for (const auto& line : ReadLines(dlq)) {
    EXPECT_EQ(schema.Validate(line), "") << line;
    auto j = nlohmann::json::parse(line);
    codes.insert(j.at("reason_code").get<std::string>());
    EXPECT_EQ(j.at("stage"), "passthrough");
    EXPECT_EQ(j.at("source").at("topic"), Topic("news.raw"));
    EXPECT_GE(j.at("source").at("offset").get<int>(), 0);
    EXPECT_FALSE(j.at("reason").get<std::string>().empty());
  }
  EXPECT_EQ(codes.count("corrupt"), 2u);  // invalid JSON, invalid UTF-8
  EXPECT_EQ(codes.count("too_large"), 1u);
  EXPECT_EQ(codes.count("schema"), 1u);
  EXPECT_EQ(codes.count("rejected"), 1u);
  IdCount good_out = Ids(out);
  EXPECT_EQ(good_out.unique, (std::set<std::string>{"good-1", "good-2"}));
}

TEST_P(PipelineTest, ProducerDeadLettersBadInputLines) {
  StartBroker(2);
  std::string dlq = dir_ + "/dlq.jsonl";
  auto dlq_sink = StartSink("news.dlq", dlq, "newsflow-dlq-sink", "dlq-sink");
  {
    std::ofstream f(dir_ + "/in.jsonl", std::ios::binary);
    f << R"({"body":"ok","source":"s"})" << "\n";
    f << "[1,2,3]\n";
    f << R"({"source":"no body"})" << "\n";
    f << R"({"body":"x","content_type":"image/png"})" << "\n";
  }
  ASSERT_EQ(Produce({"produce", "--no-flow-control", dir_ + "/in.jsonl"}, "produce"), 0);
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dlq).size() >= 3; }, 60s)) << dlq_sink->Log();
  for (const auto& line : ReadLines(dlq)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j.at("stage"), "produce");
    EXPECT_NE(j.at("reason").get<std::string>().find("in.jsonl:"), std::string::npos)
        << "the reason names file and line";
  }
}

}  // namespace
}  // namespace newsflow::testing

namespace newsflow::testing {
namespace {

// `newsflow watch` as a process: a loopback feed server's items reach
// news.raw once each, and a restart with the same state publishes nothing again.
// A feed of `items` stories on a loopback server (its pages too), and
// dir_/feeds.yaml naming it; the server in *server.
void ServeFeed(const std::string& dir, int items, std::unique_ptr<Process>* server) {
  std::string root = dir + "/www";
  std::filesystem::create_directories(root);
  std::ostringstream rss;
  rss << R"(<?xml version="1.0"?><rss version="2.0"><channel><title>World</title>)";
  for (int i = 0; i < items; ++i)
    rss << "<item><title>Story " << i << "</title><link>http://127.0.0.1:PORT/page/s" << i << "</link><guid>s"
        << i << "</guid><pubDate>Mon, 23 Nov 2026 10:" << (i < 10 ? "0" : "") << i << ":00 GMT</pubDate></item>";
  rss << "</channel></rss>";
  std::string server_log = dir + "/server.log";
  std::string port;
  std::ofstream(root + "/world.xml") << rss.str();
  *server = StartFeedServer(root, server_log, port);
  ASSERT_FALSE(port.empty()) << ReadFile(server_log);
  std::string xml = rss.str();  // the links need the real port
  for (size_t at; (at = xml.find("PORT")) != std::string::npos;) xml.replace(at, 4, port);
  std::ofstream(root + "/world.xml") << xml;
  std::ofstream(dir + "/feeds.yaml") << "feeds:\n  - url: http://127.0.0.1:" << port
                                     << "/feed/world.xml\n    source: world-desk\n    interval_s: 1\n";
}

TEST_P(PipelineTest, WatchPublishesFeedItemsOnceAcrossRestarts) {
  StartBroker(2);
  std::unique_ptr<Process> server;
  ASSERT_NO_FATAL_FAILURE(ServeFeed(dir_, 3, &server));
  std::string out = dir_ + "/raw.jsonl";
  auto sink = StartSink("news.raw", out, "newsflow-clean", "sink");
  std::vector<std::string> watch = {"watch", "--feeds", dir_ + "/feeds.yaml", "--state",
                                    dir_ + "/feeds.state", "--politeness-ms", "10",
                                    "--allow-private-addresses"};  // the feed server is on loopback
  auto w1 = Start(watch, "watch1");
  ASSERT_TRUE(WaitFor([&] { return ReadLines(out).size() >= 3; }, 60s)) << w1->Log();
  // A second watcher on the same state file is refused while the first runs:
  // before, it polled the same feeds, published every item again and
  // overwrote the first's state.
  auto twin = Start(watch, "twin");
  EXPECT_EQ(twin->Wait(30s), 2) << twin->Log();
  EXPECT_NE(twin->Log().find("a watcher is already running with the state file"), std::string::npos)
      << twin->Log();
  w1->Signal(SIGTERM);
  ASSERT_EQ(w1->Wait(30s), 0) << w1->Log();
  auto w2 = Start(watch, "watch2");
  std::this_thread::sleep_for(4s);  // several poll intervals
  w2->Signal(SIGTERM);
  ASSERT_EQ(w2->Wait(30s), 0) << w2->Log();
  std::this_thread::sleep_for(1s);
  auto lines = ReadLines(out);
  ASSERT_EQ(lines.size(), 3u) << "a restart must not publish the same items again";
  SchemaValidator raw("raw.v1.schema.json");
  for (const auto& line : lines) {
    EXPECT_EQ(raw.Validate(line), "") << line;
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j.at("source"), "world-desk");
    EXPECT_EQ(j.at("content_type"), "text/html");
    EXPECT_NE(j.at("body").get<std::string>().find("s"), std::string::npos);
    EXPECT_TRUE(j.at("meta").contains("item_title"));
  }
  auto status = Start({"watch", "--status", "--state", dir_ + "/feeds.state"}, "status");
  ASSERT_EQ(status->Wait(10s), 0);
  EXPECT_NE(status->Log().find("world-desk"), std::string::npos) << status->Log();
}

// `watch` whose producer lost its state on the brokers (injected after its
// 4th record) starts a new one and publishes every item; before, it went on
// polling with a dead producer: 4 of 12 items published, and "sink flush
// failed, state save postponed" every 5 s until restarted.
TEST_P(PipelineTest, WatchGoesOnWithANewProducerAfterItLostItsState) {
  StartBroker(2);
  std::unique_ptr<Process> server;
  ASSERT_NO_FATAL_FAILURE(ServeFeed(dir_, 12, &server));
  std::string out = dir_ + "/raw.jsonl";
  auto sink = StartSink("news.raw", out, "newsflow-clean", "sink");
  auto w = Start({"watch", "--feeds", dir_ + "/feeds.yaml", "--state", dir_ + "/feeds.state", "--politeness-ms",
                  "10", "--allow-private-addresses"},
                 "watch", {{"NEWSFLOW_FAULT_PRODUCER_FATAL_AFTER", "4"}});
  EXPECT_TRUE(WaitFor([&] { return Ids(out).unique.size() >= 12; }, 60s))
      << "got " << Ids(out).unique.size() << " of 12\n" << w->Log();
  EXPECT_NE(w->Log().find("new producer (1 of 5 in a row)"), std::string::npos) << w->Log();
  EXPECT_EQ(w->Log().find("sink refused"), std::string::npos) << w->Log();
  w->Signal(SIGTERM);
  EXPECT_EQ(w->Wait(30s), 0) << w->Log();
}

}  // namespace
}  // namespace newsflow::testing

namespace newsflow::testing {
namespace {

// An input saved with a UTF-8 byte-order mark: the first line is processed
// like the rest (it was dead-lettered as invalid JSON).
TEST(ProcessCommandTest, AByteOrderMarkAtTheStartOfTheInputIsSkipped) {
  std::string dir = MakeTempDir("process-bom");
  std::ofstream(dir + "/in.jsonl", std::ios::binary)
      << "\xEF\xBB\xBF" << R"({"source":"s","body":"one"})" << "\n" << R"({"source":"s","body":"two"})" << "\n";
  Process p({NewsflowBinary(), "process", "--stages", "passthrough", "--input", dir + "/in.jsonl",
             "--output", dir + "/out.jsonl", "--dead-letters", dir + "/dead.jsonl"},
            dir + "/process.log");
  ASSERT_EQ(p.Wait(60s), 0) << p.Log();
  EXPECT_EQ(ReadLines(dir + "/out.jsonl").size(), 2u);
  EXPECT_NE(p.Log().find("2 in, 2 out, 0 dropped, 0 dead-lettered"), std::string::npos) << p.Log();
}

// Blank lines are not records: "in" counts the others (a file of one record
// between blank lines said "5 in"). A line over --max-record-bytes is a dead
// letter that gives the line's size and says it holds only its start (it said
// 1001 bytes, not truncated). Limits outside 1 byte to 1 GiB are usage errors:
// -1 (read as 2^64 - 1, the read limit wrapping to 0) made every record a
// blank line, "0 out, 0 dead-lettered", exit 0.
TEST(ProcessCommandTest, CountsRecordsNotBlankLinesAndSaysHowLongAnOverlongLineWas) {
  std::string dir = MakeTempDir("process-counts");
  const std::string big = R"({"source":"s","body":")" + std::string(5000, 'x') + R"("})";
  std::ofstream(dir + "/in.jsonl", std::ios::binary)
      << "\n\n" << R"({"source":"s","body":"one"})" << "\n \n\n" << big << "\n\n";
  Process p({NewsflowBinary(), "process", "--stages", "passthrough", "--input", dir + "/in.jsonl",
             "--output", dir + "/out.jsonl", "--dead-letters", dir + "/dead.jsonl",
             "--max-record-bytes", "1000"},
            dir + "/process.log");
  ASSERT_EQ(p.Wait(60s), 3) << p.Log();
  EXPECT_NE(p.Log().find("2 in, 1 out, 0 dropped, 1 dead-lettered"), std::string::npos) << p.Log();
  auto dead = ReadLines(dir + "/dead.jsonl");
  ASSERT_EQ(dead.size(), 1u);
  auto j = nlohmann::json::parse(dead[0]);
  EXPECT_EQ(j.at("payload_bytes").get<int64_t>(), static_cast<int64_t>(big.size())) << dead[0];
  EXPECT_TRUE(j.at("payload_truncated").get<bool>()) << dead[0];
  for (const char* limit : {"-1", "0", "18446744073709551615"}) {
    Process bad({NewsflowBinary(), "process", "--stages", "passthrough", "--input", dir + "/in.jsonl",
                 "--output", dir + "/out2.jsonl", "--max-record-bytes", limit},
                dir + "/bad.log");
    EXPECT_EQ(bad.Wait(60s), 2) << limit << "\n" << bad.Log();
    EXPECT_NE(bad.Log().find("not in range"), std::string::npos) << bad.Log();
  }
}

// `run --partitions -3` aborted inside librdkafka (rd_calloc assertion, exit
// 134), 100000 waited out the stop deadline, 0 failed after 10 s naming a
// topic; `--format bogus` was taken. Each is a usage error now (exit 2), and
// so is every option CLI11 refuses (it exited 105, 106, ...), and every
// setting out of its stage's range.
TEST(RunCommandTest, AbsurdOptionsAreUsageErrors) {
  std::string dir = MakeTempDir("run-usage");
  std::ofstream(dir + "/in.jsonl", std::ios::binary) << R"({"source":"s","body":"one"})" << "\n";
  const std::vector<std::vector<std::string>> refused = {
      {"--partitions", "-3"}, {"--partitions", "0"}, {"--partitions", "100000"},
      {"--format", "bogus"}, {"--instances", "0"},
      // Settings a stage's range or type refuses (accepted before: nan turned
      // langid's threshold off, -5 made entities tag nothing).
      {"--set", "langid.min_confidence=nan"}, {"--set", "entities.max_text_bytes=-5"},
      // One file for articles and dead letters (both were mixed into it).
      {"--dead-letters", dir + "/./out.jsonl"}};
  for (const auto& extra : refused) {
    std::vector<std::string> args = {NewsflowBinary(), "run", dir + "/in.jsonl", "--output",
                                     dir + "/out.jsonl", "--metrics-addr", ""};
    args.insert(args.end(), extra.begin(), extra.end());
    Process p(args, dir + "/run.log");
    EXPECT_EQ(p.Wait(60s), 2) << extra[0] << " " << extra[1] << "\n" << p.Log();
  }
}

// The same rules for the other commands: `sink` with one file for articles
// and dead letters, `produce` into the dead-letter topic (its articles were
// then written out as dead letters), `broker --metrics-addr` (accepted and
// ignored: the embedded broker has no metrics) are usage errors, said before
// any broker is looked for. `broker --metrics-addr ""`, every command's "no
// metrics" (scripts pass one set of flags to all), starts as without it.
TEST(RunCommandTest, SinkProduceAndBrokerRefuseWhatTheyCannotDo) {
  std::string dir = MakeTempDir("other-usage");
  std::ofstream(dir + "/in.jsonl", std::ios::binary) << R"({"source":"s","body":"one"})" << "\n";
  const std::vector<std::vector<std::string>> refused = {
      {"sink", "--output", dir + "/o.jsonl", "--dead-letters", dir + "/o.jsonl"},
      {"produce", "--topic", "news.dlq", dir + "/in.jsonl"},
      {"broker", "--metrics-addr", "127.0.0.1:0"}};
  for (auto args : refused) {
    const std::string what = args[0];
    args.insert(args.begin(), NewsflowBinary());
    args.push_back("--bootstrap-file");
    args.push_back(dir + "/none.bootstrap");
    Process p(args, dir + "/" + what + ".log");
    EXPECT_EQ(p.Wait(60s), 2) << what << "\n" << p.Log();
    EXPECT_NE(p.Log().find("invalid_argument"), std::string::npos) << p.Log();
  }
  Process broker({NewsflowBinary(), "broker", "--metrics-addr", "", "--bootstrap-file", dir + "/b.bootstrap"},
                 dir + "/broker.log");
  EXPECT_TRUE(WaitFor([&] { return std::filesystem::exists(dir + "/b.bootstrap"); }, 30s)) << broker.Log();
  broker.Signal(SIGTERM);
  EXPECT_EQ(broker.Wait(30s), 0) << broker.Log();
}

// `--field` as a user gives it: a scraper's export with its own field names
// goes through `run`; a mapping that cannot be is a usage error (exit 2)
// before anything starts.
TEST(RunCommandTest, FieldMapsAScrapersOwnNamesAndABadMappingIsAUsageError) {
  std::string dir = MakeTempDir("run-field");
  std::ofstream(dir + "/items.json", std::ios::binary)
      << R"([{"link":"https://ex.example/f1","headline":"Mapped","content":"Plain text of the story."}])";
  Process run({NewsflowBinary(), "run", dir + "/items.json", "--stages", "passthrough", "--field", "body=content",
               "--field", "url=link", "--field", "title=headline", "--output", dir + "/out.jsonl",
               "--dead-letters", dir + "/dlq.jsonl", "--metrics-addr", ""},
              dir + "/run.log", {{"NEWSFLOW_STATE_DIR", dir + "/state"}});
  ASSERT_EQ(run.Wait(120s), 0) << run.Log();
  auto lines = ReadLines(dir + "/out.jsonl");
  ASSERT_EQ(lines.size(), 1u) << run.Log();
  auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j.at("url"), "https://ex.example/f1");
  EXPECT_EQ(j.at("body"), "Plain text of the story.");
  EXPECT_EQ(j.at("meta").at("title"), "Mapped");
  // `process` completes partial records the same way.
  std::ofstream(dir + "/items.jsonl", std::ios::binary)
      << R"({"link":"https://ex.example/f2","content":"Another story."})" << "\n";
  Process process({NewsflowBinary(), "process", "--stages", "passthrough", "--input", dir + "/items.jsonl",
                   "--output", dir + "/processed.jsonl", "--field", "body=content", "--field", "url=link"},
                  dir + "/process.log");
  ASSERT_EQ(process.Wait(60s), 0) << process.Log();
  lines = ReadLines(dir + "/processed.jsonl");
  ASSERT_EQ(lines.size(), 1u) << process.Log();
  EXPECT_EQ(nlohmann::json::parse(lines[0]).at("url"), "https://ex.example/f2");
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"produce", dir + "/items.json", "--field", "bodyy=content"}, "bodyy is not one of"},
      {{"run", dir + "/items.json", "--field", "body"}, "give NAME=INPUT_NAME"},
      {{"process", "--stages", "passthrough", "--field", "url=a", "--field", "url=b"}, "already mapped to a"},
      {{"run", dir + "/items.json", "--field", "body=a", "--field", "body=b"}, "already mapped to a"}};
  for (auto [args, why] : refused) {
    args.insert(args.begin(), NewsflowBinary());
    Process p(args, dir + "/refused.log");
    EXPECT_EQ(p.Wait(60s), 2) << p.Log();
    EXPECT_NE(p.Log().find(why), std::string::npos) << p.Log();
  }
}

// `process` reads a scraper's own files as `produce` does: a JSON array (one
// item a line, with commas, as Scrapy exports it), the same gzipped, a
// pretty-printed record. It read them as JSON Lines: one "invalid JSON" dead
// letter a line, and a gzip file's bytes as lines. An item that is no record
// is a dead letter with its reason; JSON Lines are still read line by line.
TEST(RunCommandTest, ProcessReadsAJsonArrayAGzipFileAndPrettyRecords) {
  std::string dir = MakeTempDir("process-files");
  std::ofstream(dir + "/items.json", std::ios::binary)
      << "[\n"
         R"({"link":"https://ex.example/p1","content":"First story of the export."},)" "\n"
         R"({"link":"https://ex.example/p2","content":"Second story of the export."},)" "\n"
         "42\n]\n";
  std::ofstream(dir + "/pretty.json", std::ios::binary)
      << "{\n  \"link\": \"https://ex.example/p3\",\n  \"content\": \"A pretty record.\"\n}\n";
  std::filesystem::copy_file(dir + "/items.json", dir + "/copy.json");
  ASSERT_EQ(std::system(("gzip -f " + dir + "/copy.json").c_str()), 0);
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"items.json", {"https://ex.example/p1", "https://ex.example/p2"}},
      {"copy.json.gz", {"https://ex.example/p1", "https://ex.example/p2"}},
      {"pretty.json", {"https://ex.example/p3"}}};
  for (const auto& [name, urls] : cases) {
    SCOPED_TRACE(name);
    Process process({NewsflowBinary(), "process", "--stages", "passthrough", "--input", dir + "/" + name,
                     "--output", dir + "/out.jsonl", "--dead-letters", dir + "/dlq.jsonl", "--field",
                     "body=content", "--field", "url=link"},
                    dir + "/process.log");
    const int dead = name == "pretty.json" ? 0 : 1;
    ASSERT_EQ(process.Wait(60s), dead ? 3 : 0) << process.Log();
    auto lines = ReadLines(dir + "/out.jsonl");
    ASSERT_EQ(lines.size(), urls.size()) << process.Log();
    for (size_t i = 0; i < urls.size(); ++i) EXPECT_EQ(nlohmann::json::parse(lines[i]).at("url"), urls[i]);
    auto dlq = ReadLines(dir + "/dlq.jsonl");
    ASSERT_EQ(dlq.size(), static_cast<size_t>(dead)) << process.Log();
    if (dead) {
      EXPECT_NE(dlq[0].find("item 3"), std::string::npos) << dlq[0];
    }
    const std::string summary = std::to_string(urls.size() + dead) + " in, " + std::to_string(urls.size()) + " out";
    EXPECT_NE(process.Log().find(summary), std::string::npos) << process.Log();
  }
}

// A stop signal while flow control holds `run`'s reader: what was published
// goes through and the run ends well (exit 0: the reader's "stopping" was
// counted as a failure, exit 1). Cut off by the stop deadline instead, the
// forced exit says how many published records were not through the chain (it
// said nothing of them: they were counted nowhere).
TEST(RunCommandTest, AStopWhileTheReaderIsHeldEndsWellAndADeadlineSaysWhatItCut) {
  std::string dir = MakeTempDir("run-held");
  auto write = [&](const std::string& name, int n) {
    std::ofstream in(dir + "/" + name, std::ios::binary);
    for (int i = 0; i < n; ++i)
      in << R"({"source":"s","body":"article )" << i << " " << std::string(4000, 'x') << R"("})" << "\n";
  };
  write("big.jsonl", 12000);  // 48 MB: flow control holds the reader long before the end
  write("in.jsonl", 1500);
  auto start = [&](const std::string& name, const std::string& input, const std::string& delay_us,
                   std::vector<std::string> extra) {
    std::vector<std::string> args = {NewsflowBinary(), "run", dir + "/" + input, "--stages",
                                     "passthrough", "--set", "passthrough.delay_us=" + delay_us,
                                     "--output", dir + "/" + name + ".jsonl", "--metrics-addr", ""};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Process>(args, dir + "/" + name + ".log");
  };
  auto held = start("held", "big.jsonl", "300", {});
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dir + "/held.jsonl").size() >= 200; }, 60s)) << held->Log();
  held->Signal(SIGTERM);
  EXPECT_EQ(held->Wait(60s), 0) << held->Log();
  EXPECT_EQ(held->Log().find("NOT FINISHED"), std::string::npos) << held->Log();
  EXPECT_EQ(held->Log().find("12000 article(s) published"), std::string::npos)
      << "the reader must be stopped before the end\n" << held->Log();
  auto cut = start("cut", "in.jsonl", "3000", {"--stop-timeout", "2"});
  ASSERT_TRUE(WaitFor([&] { return cut->Log().find("article(s) published") != std::string::npos; }, 60s))
      << cut->Log();
  cut->Signal(SIGTERM);
  EXPECT_EQ(cut->Wait(60s), 4) << cut->Log();
  EXPECT_NE(cut->Log().find("record(s) published were not through the chain (the embedded broker "
                            "held them: gone with the process)"),
            std::string::npos) << cut->Log();
}

// `produce` whose broker died keeps what it published until Kafka
// acknowledges it, and a stop signal ends that wait (exit 1, the records
// named as unacknowledged). Before, the final flush did not hear the signal:
// the stop deadline forced it out (exit 4) 20 s later.
TEST(RunCommandTest, ProduceWaitingForAGoneBrokerStopsOnASignal) {
  std::string dir = MakeTempDir("produce-stop");
  const std::string boot = dir + "/broker.bootstrap";
  Process broker({NewsflowBinary(), "broker", "--bootstrap-file", boot}, dir + "/broker.log");
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot); }, 30s)) << broker.Log();
  {
    std::ofstream in(dir + "/in.jsonl", std::ios::binary);
    for (int i = 0; i < 200; ++i) in << R"({"source":"s","body":"article )" << i << R"("})" << "\n";
  }
  broker.Signal(SIGKILL);
  ASSERT_EQ(broker.Wait(30s), 128 + SIGKILL);
  Process produce({NewsflowBinary(), "produce", dir + "/in.jsonl", "--bootstrap-file", boot,
                   "--no-flow-control", "--stop-timeout", "20", "--metrics-addr", ""},
                  dir + "/produce.log");
  std::this_thread::sleep_for(3s);  // published to librdkafka, waiting for the dead broker
  ASSERT_TRUE(produce.Running()) << produce.Log();
  const auto t0 = std::chrono::steady_clock::now();
  produce.Signal(SIGTERM);
  const int rc = produce.Wait(25s);
  // Exit 1, not the stop deadline's 4: the wait heard the signal (the
  // producer's close still gives Kafka up to 10 s, within the deadline).
  EXPECT_EQ(rc, 1) << produce.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 18s) << produce.Log();
  EXPECT_NE(produce.Log().find("200 published, 0 acknowledged"), std::string::npos) << produce.Log();
  if (rc == -1) produce.Signal(SIGKILL), produce.Wait(30s);
}

// A stop signal closes `run`'s inputs and lets what was published through the
// chain before it exits: the embedded broker's records do not outlive the
// process. Before, a SIGTERM (or the Ctrl-C that ends --follow) once the
// articles were published ended at once with exit 0, most of them in neither
// output file.
TEST(RunCommandTest, AStopSignalFinishesWhatWasPublished) {
  std::string dir = MakeTempDir("run-stop");
  std::ofstream in(dir + "/in.jsonl", std::ios::binary);
  for (int i = 0; i < 600; ++i) in << R"({"source":"s","body":"article )" << i << R"("})" << "\n";
  in.close();
  for (const std::string extra : {"", "--follow"}) {
    std::vector<std::string> args = {NewsflowBinary(), "run", dir + "/in.jsonl", "--stages",
                                     "passthrough", "--set", "passthrough.delay_us=5000",
                                     "--output", dir + "/out.jsonl", "--dead-letters",
                                     dir + "/dlq.jsonl", "--metrics-addr", ""};
    if (!extra.empty()) args.push_back(extra);
    std::filesystem::remove(dir + "/out.jsonl");
    Process p(args, dir + "/run" + extra + ".log");
    ASSERT_TRUE(WaitFor([&] { return p.Log().find("article(s) published") != std::string::npos; }, 60s))
        << p.Log();
    p.Signal(extra.empty() ? SIGTERM : SIGINT);
    EXPECT_EQ(p.Wait(60s), 0) << extra << "\n" << p.Log();
    EXPECT_EQ(ReadLines(dir + "/out.jsonl").size(), 600u) << extra << "\n" << p.Log();
    EXPECT_NE(p.Log().find("finishing the 600 record(s) already published"), std::string::npos)
        << p.Log();
  }
}

// `process --input a --output a` truncated its input before reading a line
// ("0 in", the file gone); the output and the dead letters in one file
// overwrote each other. Both are refused, and the input is left as it was.
TEST(ProcessCommandTest, RefusesToWriteItsInputOrOneFileTwice) {
  std::string dir = MakeTempDir("process-same-file");
  const std::string input = R"({"source":"s","body":"one"})" "\n" R"({"source":"s","body":"two"})" "\n";
  std::ofstream(dir + "/in.jsonl", std::ios::binary) << input;
  std::filesystem::create_symlink(dir + "/in.jsonl", dir + "/link.jsonl");
  const std::vector<std::vector<std::string>> refused = {
      {"--output", dir + "/in.jsonl"},
      {"--output", dir + "/link.jsonl"},  // the same file through a link
      {"--output", dir + "/out.jsonl", "--dead-letters", dir + "/in.jsonl"},
      {"--output", dir + "/out.jsonl", "--dead-letters", dir + "/./out.jsonl"}};
  for (const auto& extra : refused) {
    std::vector<std::string> args = {NewsflowBinary(), "process", "--stages", "passthrough", "--input",
                                     dir + "/in.jsonl"};
    args.insert(args.end(), extra.begin(), extra.end());
    Process p(args, dir + "/process.log");
    EXPECT_EQ(p.Wait(60s), 2) << extra[1] << "\n" << p.Log();
    EXPECT_NE(p.Log().find("invalid_argument"), std::string::npos) << p.Log();
    EXPECT_EQ(ReadFile(dir + "/in.jsonl"), input) << extra[1];
  }
}

TEST(ProcessCommandTest, AppliesAChainOfflineKeepingIdsAndReportingFailures) {
  std::string dir = MakeTempDir("process-command");
  {
    std::ofstream in(dir + "/in.jsonl", std::ios::binary);
    in << R"({"v":1,"id":"keep-me","source":"s","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"one","clean":{"title":"t","text":"one","published_at":null,"removed":{}}})" << "\n";
    in << "not json\n";
    in << R"({"v":1,"id":"bad","source":"s","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"POISON"})" << "\n";
  }
  Process p({NewsflowBinary(), "process", "--stages", "passthrough", "--set",
             "passthrough.reject_marker=POISON", "--input", dir + "/in.jsonl", "--output",
             dir + "/out.jsonl", "--dead-letters", dir + "/dead.jsonl"},
            dir + "/process.log");
  ASSERT_EQ(p.Wait(60s), 3) << "exit code 3: some records were dead-lettered\n" << p.Log();
  auto out = ReadLines(dir + "/out.jsonl");
  ASSERT_EQ(out.size(), 1u);
  auto j = nlohmann::json::parse(out[0]);
  EXPECT_EQ(j.at("id"), "keep-me");
  EXPECT_EQ(j.at("clean").at("text"), "one") << "earlier stages' sections are kept";
  auto dead = ReadLines(dir + "/dead.jsonl");
  ASSERT_EQ(dead.size(), 2u);
  SchemaValidator schema("dlq.v1.schema.json");
  for (const auto& d : dead) EXPECT_EQ(schema.Validate(d), "") << d;
  EXPECT_EQ(nlohmann::json::parse(dead[1]).at("key"), "bad");
  EXPECT_NE(p.Log().find("3 in, 1 out, 0 dropped, 2 dead-lettered"), std::string::npos) << p.Log();
}

TEST(ProcessCommandTest, RefusesUnknownStagesAndSettings) {
  std::string dir = MakeTempDir("process-refuse");
  Process a({NewsflowBinary(), "process", "--stages", "nosuch"}, dir + "/a.log");
  EXPECT_EQ(a.Wait(30s), 2);
  EXPECT_NE(a.Log().find("unknown stage 'nosuch'"), std::string::npos) << a.Log();
  Process b({NewsflowBinary(), "process", "--stages", "passthrough", "--set", "passthrough.nope=1"},
            dir + "/b.log");
  EXPECT_EQ(b.Wait(30s), 2);
  EXPECT_NE(b.Log().find("unknown setting 'nope'"), std::string::npos) << b.Log();
}

}  // namespace
}  // namespace newsflow::testing

namespace newsflow::testing {
namespace {

// -X properties reach librdkafka as they are: a real one is accepted, a
// misspelt one is refused naming it (no broker needed to tell).
TEST(KafkaPropertiesTest, PassThroughToLibrdkafka) {
  std::string dir = MakeTempDir("kafka-props");
  std::ofstream(dir + "/in.jsonl") << R"({"body":"x"})" << "\n";
  Process bad({NewsflowBinary(), "produce", "--brokers", "127.0.0.1:9", "-X", "sasl.mechanismz=PLAIN",
               dir + "/in.jsonl"},
              dir + "/bad.log");
  EXPECT_EQ(bad.Wait(30s), 2);
  EXPECT_NE(bad.Log().find("sasl.mechanismz=PLAIN"), std::string::npos) << bad.Log();
  Process malformed({NewsflowBinary(), "produce", "--brokers", "127.0.0.1:9", "-X", "novalue",
                     dir + "/in.jsonl"},
                    dir + "/malformed.log");
  EXPECT_EQ(malformed.Wait(30s), 2);
  EXPECT_NE(malformed.Log().find("key=value"), std::string::npos) << malformed.Log();
}

}  // namespace
}  // namespace newsflow::testing
