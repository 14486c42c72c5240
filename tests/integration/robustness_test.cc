// Robustness: what a hostile user found (issue "Nothing lost, nothing hung",
// points 1, 7, 8 and 9), each checked on real processes and the embedded
// broker: an output that cannot write commits nothing and fails; stops end
// within the stop deadline and say what they left; long waits are logged
// with their reason; errors name the address or file at fault.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;

std::set<std::string> UniqueIds(const std::string& path) {
  std::set<std::string> ids;
  for (const auto& line : ReadLines(path)) ids.insert(nlohmann::json::parse(line).at("id").get<std::string>());
  return ids;
}

void WriteArticles(const std::string& path, int n) {
  std::ofstream out(path);
  for (int i = 0; i < n; ++i) {
    nlohmann::json j = {{"source", "test"},
                        {"url", "https://example.com/r/" + std::to_string(i)},
                        {"body", "Article " + std::to_string(i) + " of the robustness test."}};
    out << j.dump() << "\n";
  }
}

// n articles of prose that clean keeps (a one-line body would be dropped as
// no article), with ids from their URLs under `tag`.
void WriteProse(std::ostream& out, int n, const std::string& tag) {
  for (int i = 0; i < n; ++i) {
    std::string k = std::to_string(i);
    nlohmann::json j = {
        {"source", "test"},
        {"url", "https://example.com/" + tag + "/" + k},
        {"body", "Council vote number " + k + " on the harbour\n"
                 "The city council voted on Tuesday to extend the harbour wall by " + k +
                     " metres, after a winter in which storms flooded the old market twice.\n"
                     "Members said that the work would begin in the spring and that the "
                     "fishing fleet would be able to use the inner basin while it went on."}};
    out << j.dump() << "\n";
  }
}

// `n` lines of 64 KB that are not JSON: each one a dead letter that keeps
// 64 KB of its line.
void WriteLargeBadLines(const std::string& path, int n) {
  std::ofstream f(path, std::ios::binary);
  for (int i = 0; i < n; ++i) f << "{\"broken " << i << " " << std::string(64000, 'a' + i % 26) << "\n";
}

// The last line of a log that holds `needle`, or "".
std::string LastLineWith(const std::string& log, const std::string& needle) {
  std::string found;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    std::string line = log.substr(start, end - start);
    if (line.find(needle) != std::string::npos) found = line;
    start = end + 1;
  }
  return found;
}

class RobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = MakeTempDir(std::string("robust-") + info->name());
    boot_ = dir_ + "/broker.bootstrap";
  }

  void StartBroker(int partitions) {
    broker_ = Start({"broker", "--partitions", std::to_string(partitions)}, "broker");
    ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot_); }, 10s)) << broker_->Log();
  }

  std::unique_ptr<Process> Start(std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), NewsflowBinary());
    args.push_back("--bootstrap-file");
    args.push_back(boot_);
    return std::make_unique<Process>(args, dir_ + "/" + log + ".log");
  }

  std::string dir_, boot_;
  std::unique_ptr<Process> broker_;
};

// Point 1: a sink whose file cannot be written stops with an error and
// commits nothing it did not write; a later sink of the group gets them all.
TEST_F(RobustnessTest, SinkThatCannotWriteFailsAndCommitsNothing) {
  StartBroker(2);
  WriteArticles(dir_ + "/in.jsonl", 200);
  auto producer = Start({"produce", "--no-flow-control", dir_ + "/in.jsonl"}, "produce");
  ASSERT_EQ(producer->Wait(60s), 0) << producer->Log();
  auto full = Start({"sink", "--topic", "news.raw", "--output", "/dev/full", "--group", "g"}, "full");
  int rc = full->Wait(60s);
  EXPECT_EQ(rc, 1) << "a sink that cannot write must end with an error\n" << full->Log();
  EXPECT_NE(full->Log().find("cannot write to /dev/full"), std::string::npos) << full->Log();
  if (rc == -1) {
    full->Signal(SIGTERM);
    full->Wait(40s);
  }
  std::string out = dir_ + "/out.jsonl";
  auto good = Start({"sink", "--topic", "news.raw", "--output", out, "--group", "g"}, "good");
  bool all = WaitFor([&] { return UniqueIds(out).size() >= 200; }, 60s);
  size_t got = UniqueIds(out).size();
  std::cout << "[ report ] after the failed sink, the next sink of the group got " << got
            << " of 200\n";
  EXPECT_TRUE(all) << "got " << got << " of 200: the failed sink committed offsets it never wrote\n"
                   << good->Log();
  good->Signal(SIGTERM);
  EXPECT_EQ(good->Wait(40s), 0) << good->Log();
}

// A read error on standard input (a directory as stdin: EISDIR) is said, not
// taken for the end of the input: `produce` dead-letters it with the reason
// (as for a file), `produce --raw` ends with an error. Both said nothing and
// published nothing with std::cin.
TEST_F(RobustnessTest, ProduceSaysWhenStdinCannotBeRead) {
  StartBroker(1);
  auto produce = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), {NewsflowBinary(), "produce", "--no-flow-control"});
    for (const char* a : {"-", "--bootstrap-file"}) args.push_back(a);
    args.push_back(boot_);
    return std::make_unique<Process>(args, dir_ + "/" + log + ".log", std::map<std::string, std::string>{},
                                     "/");
  };
  auto raw = produce({"--raw"}, "raw");
  EXPECT_EQ(raw->Wait(60s), 1) << raw->Log();
  EXPECT_NE(raw->Log().find("read error on stdin after 0 line(s)"), std::string::npos) << raw->Log();
  auto articles = produce({}, "articles");
  EXPECT_EQ(articles->Wait(60s), 0) << articles->Log();
  EXPECT_NE(articles->Log().find("stdin:1: unavailable: read error"), std::string::npos) << articles->Log();
  EXPECT_NE(articles->Log().find("0 published, 0 acknowledged, 1 dead-lettered"), std::string::npos)
      << articles->Log();
}

// Point 1: `run` with an output that cannot write ends with an error
// instead of waiting forever for records that never arrive.
TEST_F(RobustnessTest, RunWithAnOutputThatCannotWriteEndsWithAnError) {
  WriteArticles(dir_ + "/in.jsonl", 50);
  Process run({NewsflowBinary(), "run", dir_ + "/in.jsonl", "--stages", "passthrough", "--output",
               "/dev/full", "--dead-letters", dir_ + "/dead.jsonl"},
              dir_ + "/run.log");
  int rc = run.Wait(120s);
  EXPECT_EQ(rc, 1) << run.Log();
  EXPECT_NE(run.Log().find("cannot write to /dev/full"), std::string::npos) << run.Log();
}

// The skip fault (a test hook, NEWSFLOW_FAULT_SKIP_RECORDS=partition@offset,...)
// given junk: each malformed item is ignored with a warning. std::stoi threw
// on it in the runner's constructor and `run` ended at once ("newsflow: stoi", exit 2).
TEST_F(RobustnessTest, AMalformedSkipFaultSettingIsIgnoredWithAWarning) {
  WriteArticles(dir_ + "/in.jsonl", 20);
  Process run({NewsflowBinary(), "run", dir_ + "/in.jsonl", "--format", "jsonl", "--stages", "passthrough",
               "--output", dir_ + "/out.jsonl", "--dead-letters", dir_ + "/dead.jsonl"},
              dir_ + "/run.log", {{"NEWSFLOW_FAULT_SKIP_RECORDS", "x@1,1@,@2,3@4z,99999999999@1"}});
  EXPECT_EQ(run.Wait(120s), 0) << run.Log();
  EXPECT_EQ(ReadLines(dir_ + "/out.jsonl").size(), 20u) << run.Log();
  for (const char* item : {"'x@1'", "'1@'", "'@2'", "'3@4z'", "'99999999999@1'"}) {
    EXPECT_NE(run.Log().find(std::string("NEWSFLOW_FAULT_SKIP_RECORDS: ignoring ") + item), std::string::npos)
        << run.Log();
  }
}

// Dead letters are evicted by the embedded broker like anything else (about
// 5 MiB of a partition): `run`'s reader dead-letters bad lines as fast as it
// reads them, and 300 lines of 64 KB on one partition (each dead letter keeps
// 64 KB of its line) outran the dead-letter sink: 225 of them were lost
// (reported LOST). Every writer of dead letters in `run` now waits for the
// dead-letter sink's group, as for its own readers.
TEST_F(RobustnessTest, RunKeepsEveryDeadLetterOfABurstOfLargeBadLines) {
  WriteLargeBadLines(dir_ + "/in.jsonl", 300);
  Process run({NewsflowBinary(), "run", dir_ + "/in.jsonl", "--format", "jsonl", "--stages", "passthrough",
               "--partitions", "1", "--output", dir_ + "/out.jsonl", "--dead-letters", dir_ + "/dead.jsonl"},
              dir_ + "/run.log");
  EXPECT_EQ(run.Wait(180s), 0) << run.Log();
  EXPECT_EQ(run.Log().find("LOST"), std::string::npos) << run.Log();
  EXPECT_EQ(ReadLines(dir_ + "/dead.jsonl").size(), 300u);
}

// The same burst through separate processes on `newsflow broker`: `produce`
// dead-letters every line, and nothing made it wait for the dead-letter sink
// (only `run` knew one reads them). Writers of dead letters on the embedded
// broker now wait for the dead-letter sink's group once it has a reader (it
// commits its start when assigned), and do not wait when nobody reads them.
TEST_F(RobustnessTest, ProduceKeepsEveryDeadLetterOfABurstForARunningDeadLetterSink) {
  StartBroker(1);
  auto dlq = Start({"sink", "--topic", "news.dlq", "--output", dir_ + "/dead.jsonl"}, "dlq");
  ASSERT_TRUE(WaitFor([&] { return dlq->Log().find("assigned 1 partition") != std::string::npos; }, 60s))
      << dlq->Log();
  WriteLargeBadLines(dir_ + "/in.jsonl", 300);
  auto produce = Start({"produce", dir_ + "/in.jsonl"}, "produce");
  EXPECT_EQ(produce->Wait(180s), 0) << produce->Log();
  EXPECT_NE(produce->Log().find("300 dead-lettered"), std::string::npos) << produce->Log();
  bool all = WaitFor([&] { return ReadLines(dir_ + "/dead.jsonl").size() >= 300; }, 120s);
  dlq->Signal(SIGTERM);
  EXPECT_EQ(dlq->Wait(60s), 0) << dlq->Log();
  EXPECT_TRUE(all) << ReadLines(dir_ + "/dead.jsonl").size() << " of 300 dead letters\n" << dlq->Log();
  EXPECT_EQ(dlq->Log().find("LOST"), std::string::npos) << dlq->Log();
}

// `watch` wrote its dead letters (feeds it cannot parse, 64 KB of each
// kept) with no flow control: on the embedded broker, which keeps about
// 5 MiB of a partition, a burst of them outran a dead-letter sink that fell
// behind, and the oldest were evicted before it read them (reported LOST).
// watch now holds its dead letters for the dead-letter sink's group once it
// has read, as `produce` and `run` do. The sink is stopped (SIGSTOP) while
// the feeds are polled: a reader that has read and then falls behind.
TEST_F(RobustnessTest, WatchKeepsEveryDeadLetterForADeadLetterSinkThatFellBehind) {
  const int kFeeds = 160;  // x 64 KB: 10 MB, twice what the broker keeps of a partition
  std::string root = dir_ + "/www";
  std::filesystem::create_directories(root);
  for (int i = 0; i < kFeeds; ++i)
    std::ofstream(root + "/f" + std::to_string(i) + ".xml") << "not a feed " << i << " " << std::string(64000, 'a' + i % 26);
  std::string port;
  auto server = StartFeedServer(root, dir_ + "/server.log", port);
  ASSERT_FALSE(port.empty()) << ReadFile(dir_ + "/server.log");
  {
    std::ofstream feeds(dir_ + "/feeds.yaml");
    feeds << "feeds:\n";
    for (int i = 0; i < kFeeds; ++i)
      feeds << "  - url: http://127.0.0.1:" << port << "/feed/f" << i << ".xml\n    source: s" << i
            << "\n    interval_s: 3600\n";
  }
  StartBroker(1);
  auto dlq = Start({"sink", "--topic", "news.dlq", "--output", dir_ + "/dead.jsonl"}, "dlq");
  ASSERT_TRUE(WaitFor([&] { return dlq->Log().find("assigned 1 partition") != std::string::npos; }, 60s))
      << dlq->Log();
  std::this_thread::sleep_for(1s);  // its start committed: the group has read
  dlq->Signal(SIGSTOP);
  auto watch = Start({"watch", "--feeds", dir_ + "/feeds.yaml", "--state", dir_ + "/feeds.state",
                      "--politeness-ms", "0", "--allow-private-addresses"},
                     "watch");
  // watch held back by the stopped sink (said after 5 s), or 20 s of polling.
  WaitFor([&] { return ReadFile(dir_ + "/watch.log").find("flow control holds back") != std::string::npos; }, 20s);
  std::this_thread::sleep_for(3s);
  dlq->Signal(SIGCONT);
  // Dead letters name their feed; a feed polled again (after its backoff)
  // may be dead-lettered twice: count the feeds.
  auto feeds_seen = [&] {
    std::set<std::string> seen;
    for (const auto& line : ReadLines(dir_ + "/dead.jsonl")) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.contains("key")) seen.insert(j.at("key").get<std::string>());
    }
    return seen.size();
  };
  bool all = WaitFor([&] { return feeds_seen() >= static_cast<size_t>(kFeeds); }, 120s);
  for (auto* p : {watch.get(), dlq.get()}) p->Signal(SIGTERM);
  EXPECT_EQ(watch->Wait(60s), 0) << watch->Log();
  EXPECT_EQ(dlq->Wait(60s), 0) << dlq->Log();
  EXPECT_TRUE(all) << feeds_seen() << " of " << kFeeds << " feeds' dead letters\n" << dlq->Log();
  EXPECT_EQ(dlq->Log().find("LOST"), std::string::npos) << dlq->Log();
}

// A stop while a page is still loading ends within --stop-timeout, with the
// state saved. The watcher gave transfers in flight 15 s (and the flush up to
// 30 s) whatever the deadline: with --stop-timeout 4 the deadline ended the
// process (exit code 4) before the save, and the next start published again
// what this one had published.
TEST_F(RobustnessTest, WatchStoppedDuringASlowPageSavesItsStateWithinTheDeadline) {
  std::string root = dir_ + "/www";
  std::filesystem::create_directories(root);
  std::string port;
  auto server = StartFeedServer(root, dir_ + "/server.log", port);
  ASSERT_FALSE(port.empty()) << ReadFile(dir_ + "/server.log");
  const std::string base = "http://127.0.0.1:" + port;
  std::ofstream(root + "/f.xml") << "<rss version=\"2.0\"><channel><title>t</title>"
                                    "<item><guid isPermaLink=\"false\">slow</guid><link>" << base
                                 << "/page/slow/120000/1</link><title>Slow</title></item>"
                                    "<item><guid isPermaLink=\"false\">fast</guid><link>" << base
                                 << "/page/fast</link><title>Fast</title></item></channel></rss>";
  std::ofstream(dir_ + "/feeds.yaml") << "feeds:\n  - url: " << base << "/feed/f.xml\n    interval_s: 3600\n";
  StartBroker(1);
  const std::string state = dir_ + "/feeds.state";
  auto watch = Start({"watch", "--feeds", dir_ + "/feeds.yaml", "--state", state, "--politeness-ms", "0",
                      "--allow-private-addresses", "--stop-timeout", "4"},
                     "watch");
  // Both pages requested: the fast one is answered, the slow one waits.
  auto requested = [&](const std::string& path) {
    std::string stats;
    HttpGet(base + "/_stats", &stats);
    return stats.find(path + " ") != std::string::npos;
  };
  ASSERT_TRUE(WaitFor([&] { return requested("/page/slow/120000/1") && requested("/page/fast"); }, 60s))
      << watch->Log();
  std::this_thread::sleep_for(1s);  // the fast page's publish
  watch->Signal(SIGTERM);
  EXPECT_EQ(watch->Wait(60s), 0) << watch->Log();
  EXPECT_EQ(watch->Log().find("stop deadline"), std::string::npos) << watch->Log();
  // Saved: the feed and its published item's keys (the slow one's are not).
  std::string saved = ReadFile(state);
  EXPECT_NE(saved.find(base + "/feed/f.xml"), std::string::npos) << saved;
  EXPECT_NE(saved.find("\nK\t"), std::string::npos) << saved;
}

// With no dead-letter sink at all, the same burst does not hold `produce`:
// nobody reads them, and it must not wait for ever for a reader nobody started.
TEST_F(RobustnessTest, ProduceDoesNotWaitForADeadLetterSinkThatNeverRan) {
  StartBroker(1);
  WriteLargeBadLines(dir_ + "/in.jsonl", 300);
  auto produce = Start({"produce", dir_ + "/in.jsonl"}, "produce");
  EXPECT_EQ(produce->Wait(120s), 0) << produce->Log();
  EXPECT_NE(produce->Log().find("300 dead-lettered"), std::string::npos) << produce->Log();
}

// `newsflow run -` (passthrough) reading a FIFO, given `articles` articles
// through it; the pipe stays open (no end of input) while `pipe` lives.
struct RunOnAPipe {
  std::unique_ptr<Process> run;
  std::ofstream pipe;
};
RunOnAPipe StartRunOnAPipe(const std::string& dir, int articles, const std::string& output,
                           std::vector<std::string> extra = {}) {
  const std::string fifo = dir + "/in.fifo";
  EXPECT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  WriteArticles(dir + "/in.jsonl", articles);
  std::vector<std::string> args = {NewsflowBinary(), "run", "-", "--format", "jsonl", "--stages",
                                   "passthrough", "--output", output, "--dead-letters",
                                   dir + "/dead.jsonl", "--metrics-addr", ""};
  args.insert(args.end(), extra.begin(), extra.end());
  RunOnAPipe r;
  r.run = std::make_unique<Process>(args, dir + "/run.log", std::map<std::string, std::string>{}, fifo);
  r.pipe.open(fifo);  // opens once `run` has it open for reading
  r.pipe << ReadFile(dir + "/in.jsonl") << std::flush;
  return r;
}

// `run -` on a pipe that stays open and quiet (`tail -f feed.jsonl | newsflow
// run -`): a signal stops it at once, drained. Before, its reader sat in a
// blocking read of stdin that the signal could not end: the run waited out
// its whole stop deadline and was stopped without draining (exit 4).
TEST_F(RobustnessTest, RunOnAQuietPipeStopsAtOnceOnASignal) {
  RunOnAPipe r = StartRunOnAPipe(dir_, 20, dir_ + "/out.jsonl", {"--stop-timeout", "20"});
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dir_ + "/out.jsonl").size() >= 20; }, 60s)) << r.run->Log();
  r.run->Signal(SIGINT);  // the pipe stays open: no end of input
  EXPECT_EQ(r.run->Wait(60s), 0) << r.run->Log();
  EXPECT_EQ(r.run->Log().find("stop deadline"), std::string::npos) << r.run->Log();
  EXPECT_NE(r.run->Log().find("20 in, 20 articles out"), std::string::npos) << r.run->Log();
}

// `run -` on a quiet pipe whose sink cannot write: the failed worker stops
// the run with an error while the pipe is still open. Before, the run waited
// for stdin's next line (or its end) before it noticed: alive, doing nothing.
TEST_F(RobustnessTest, RunOnAQuietPipeEndsWhenAWorkerFails) {
  RunOnAPipe r = StartRunOnAPipe(dir_, 50, "/dev/full");
  EXPECT_EQ(r.run->Wait(90s), 1) << "the pipe is still open\n" << r.run->Log();
  EXPECT_NE(r.run->Log().find("cannot write to /dev/full"), std::string::npos) << r.run->Log();
}

// The same with --fuse, where the chain writes the articles file itself: the
// chain's failure ends the run, and its records were never done.
TEST_F(RobustnessTest, FusedRunOnAQuietPipeEndsWhenItsChainCannotWrite) {
  RunOnAPipe r = StartRunOnAPipe(dir_, 50, "/dev/full", {"--fuse"});
  EXPECT_EQ(r.run->Wait(90s), 1) << "the pipe is still open\n" << r.run->Log();
  EXPECT_NE(r.run->Log().find("[passthrough] stopping"), std::string::npos) << r.run->Log();
  EXPECT_NE(r.run->Log().find("cannot write to /dev/full"), std::string::npos) << r.run->Log();
}

// --fuse on a quiet pipe stopped by a signal: drained, everything in the file.
TEST_F(RobustnessTest, FusedRunOnAQuietPipeStopsAtOnceDrained) {
  RunOnAPipe r = StartRunOnAPipe(dir_, 20, dir_ + "/out.jsonl", {"--fuse", "--stop-timeout", "20"});
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dir_ + "/out.jsonl").size() >= 20; }, 60s)) << r.run->Log();
  r.run->Signal(SIGINT);
  EXPECT_EQ(r.run->Wait(60s), 0) << r.run->Log();
  EXPECT_EQ(r.run->Log().find("stop deadline"), std::string::npos) << r.run->Log();
  EXPECT_NE(r.run->Log().find("20 in, 20 articles out"), std::string::npos) << r.run->Log();
  EXPECT_EQ(UniqueIds(dir_ + "/out.jsonl").size(), 20u);
}

// True once process `pid` holds `path` open (a link in /proc/PID/fd).
bool HoldsOpen(pid_t pid, const std::string& path) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code e2;
    if (std::filesystem::read_symlink(e.path(), e2).string() == path) return true;
  }
  return false;
}

// `process --input` on a named pipe whose writer has not come: a signal stops
// it at once. Before, open(2) waited for the writer whatever the signals
// said, until the stop deadline (30 s by default) or a second signal ended
// the process by force (exit 4).
TEST_F(RobustnessTest, ProcessStopsOnASignalBeforeANamedPipesWriterCame) {
  const std::string fifo = dir_ + "/feed.jsonl";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // A stop deadline far past the wait below: the old binary sat in open(2)
  // until the deadline ended it by force (exit 4, not drained).
  Process p({NewsflowBinary(), "process", "--stages", "clean", "--input", fifo, "--output",
             dir_ + "/out.jsonl", "--stop-timeout", "300"},
            dir_ + "/process.log");
  // Opened (signal handlers are set before): now waiting for the writer. The
  // old binary never opened it; it is signalled after 10 s all the same.
  WaitFor([&] { return HoldsOpen(p.pid(), fifo); }, 10s);
  p.Signal(SIGINT);
  EXPECT_EQ(p.Wait(30s), 1) << "-1: still waiting for the pipe's writer\n" << p.Log();
  EXPECT_NE(p.Log().find("stopped by a signal after line 0"), std::string::npos) << p.Log();
}

// `run` on a named pipe (or `<(zcat feed.jsonl.gz)`, a pipe as well) reads
// it as it comes, as it reads stdin, and ends with its writer. Before, it
// said "no such file or directory".
TEST_F(RobustnessTest, RunReadsANamedPipeAsItComes) {
  const std::string fifo = dir_ + "/feed";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::ostringstream articles;
  WriteProse(articles, 30, "p");
  std::thread writer = testing::WriteToPipeWhenRead(fifo, articles.str(), 500ms);
  Process run({NewsflowBinary(), "run", fifo, "--stages", "clean", "--output", dir_ + "/out.jsonl",
               "--dead-letters", dir_ + "/dead.jsonl"},
              dir_ + "/run.log", {{"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  const int rc = run.Wait(120s);
  writer.join();
  EXPECT_EQ(rc, 0) << run.Log();
  EXPECT_EQ(UniqueIds(dir_ + "/out.jsonl").size(), 30u) << run.Log();
  EXPECT_NE(run.Log().find("30 in, 30 articles out"), std::string::npos) << run.Log();
}

// `run --output` to a named pipe nobody reads yet: it waits for a reader, and
// a signal ends that wait at once with a clear error. Before, open(2) held
// the run until the stop deadline ended it by force (exit 4).
TEST_F(RobustnessTest, RunStopsOnASignalWhileItsOutputPipeHasNoReader) {
  {
    std::ofstream out(dir_ + "/in.jsonl");
    WriteProse(out, 5, "o");
  }
  const std::string fifo = dir_ + "/out.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Process run({NewsflowBinary(), "run", dir_ + "/in.jsonl", "--stages", "clean", "--output", fifo,
               "--dead-letters", dir_ + "/dead.jsonl", "--stop-timeout", "300"},
              dir_ + "/run.log", {{"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  // The old binary never said so; it is signalled after 30 s all the same.
  WaitFor([&] { return run.Log().find("a named pipe without a reader") != std::string::npos; }, 30s);
  run.Signal(SIGINT);
  EXPECT_EQ(run.Wait(30s), 1) << "-1: still in open(2)\n" << run.Log();
  EXPECT_NE(run.Log().find("stopped before a reader opened the named pipe " + fifo), std::string::npos)
      << run.Log();
}

// `run a.jsonl --output a.jsonl` appended its output to the input it was
// reading (and could read it back); now refused, the input left as it was.
// In a directory it walks, its own output files are skipped, not re-read.
TEST_F(RobustnessTest, RunNeverReadsItsOwnOutput) {
  {
    std::ofstream out(dir_ + "/in.jsonl");
    WriteProse(out, 5, "s");
  }
  const std::string input = testing::ReadFile(dir_ + "/in.jsonl");
  Process same({NewsflowBinary(), "run", dir_ + "/in.jsonl", "--stages", "clean", "--output",
                dir_ + "/in.jsonl", "--dead-letters", dir_ + "/dead.jsonl"},
               dir_ + "/same.log", {{"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  EXPECT_EQ(same.Wait(60s), 2) << same.Log();
  EXPECT_NE(same.Log().find("is also the --output file"), std::string::npos) << same.Log();
  EXPECT_EQ(testing::ReadFile(dir_ + "/in.jsonl"), input);

  std::filesystem::create_directories(dir_ + "/site");
  std::filesystem::rename(dir_ + "/in.jsonl", dir_ + "/site/in.jsonl");
  {
    std::ofstream earlier(dir_ + "/site/out.jsonl");  // an earlier run's output, where it writes
    WriteProse(earlier, 3, "earlier");
  }
  Process walk({NewsflowBinary(), "run", dir_ + "/site", "--stages", "clean", "--output",
                dir_ + "/site/out.jsonl", "--dead-letters", dir_ + "/site/dead.jsonl"},
               dir_ + "/walk.log", {{"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  EXPECT_EQ(walk.Wait(120s), 0) << walk.Log();
  EXPECT_NE(walk.Log().find("5 in, 5 articles out"), std::string::npos) << walk.Log();
  EXPECT_EQ(ReadLines(dir_ + "/site/out.jsonl").size(), 8u);  // 3 earlier + 5 new, none twice
}

// A second `newsflow broker` for the same bootstrap file while the first is
// running is refused, the file left to the first. Before, it took the file
// over as if the first had died ("replaces a broker that did not stop
// cleanly"): the clients followed it and lost what the first still held. A
// broker that did die (SIGKILL) is still replaced.
TEST_F(RobustnessTest, ASecondBrokerForTheSameBootstrapFileIsRefused) {
  StartBroker(1);
  const std::string first = ReadFile(boot_);
  auto second = Start({"broker", "--partitions", "1"}, "second");
  EXPECT_EQ(second->Wait(30s), 2) << second->Log();
  EXPECT_NE(second->Log().find("a broker is already running for " + boot_), std::string::npos)
      << second->Log();
  EXPECT_EQ(ReadFile(boot_), first);
  EXPECT_TRUE(broker_->Running());
  broker_->Signal(SIGKILL);
  ASSERT_EQ(broker_->Wait(10s), 128 + SIGKILL);
  auto third = Start({"broker", "--partitions", "1"}, "third");
  ASSERT_TRUE(WaitFor([&] { return ReadFile(boot_) != first && !ReadFile(boot_).empty(); }, 30s))
      << third->Log();
  EXPECT_NE(third->Log().find("replaces a broker that did not stop cleanly"), std::string::npos)
      << third->Log();
  third->Signal(SIGINT);
  EXPECT_EQ(third->Wait(30s), 0) << third->Log();
}

// SIGHUP (the terminal closed, an SSH session dropped) stops `process` as
// SIGTERM does: what it read is written out whole. Before, it ended the
// process on the spot (exit 129): the buffered output was lost and the file
// could end in a torn line.
TEST_F(RobustnessTest, AHangupStopsProcessAndKeepsWhatItDid) {
  const std::string fifo = dir_ + "/feed.jsonl";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const int writer = open(fifo.c_str(), O_RDWR | O_CLOEXEC);  // stays open: the input never ends
  ASSERT_GE(writer, 0);
  std::ostringstream articles;
  WriteProse(articles, 20, "h");
  const std::string text = articles.str();
  ASSERT_EQ(write(writer, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  Process p({NewsflowBinary(), "process", "--stages", "passthrough", "--input", fifo, "--output",
             dir_ + "/out.jsonl"},
            dir_ + "/process.log");
  ASSERT_TRUE(WaitFor([&] { return HoldsOpen(p.pid(), fifo); }, 30s)) << p.Log();
  std::this_thread::sleep_for(2s);  // the 20 lines read; waiting for more
  p.Signal(SIGHUP);
  EXPECT_EQ(p.Wait(30s), 1) << "129: ended by the signal\n" << p.Log();
  close(writer);
  EXPECT_NE(p.Log().find("stopped by a signal after line 20"), std::string::npos) << p.Log();
  EXPECT_EQ(ReadLines(dir_ + "/out.jsonl").size(), 20u);
  EXPECT_EQ(ReadFile(dir_ + "/out.jsonl").back(), '\n');
}

// Issue 16: `--instances N` runs N copies of a stage behind one consumer.
// Every article arrives once, the group sees one member (one assignment: the
// copies cause no rebalance and no redelivery), and clean's copies keep one
// template store, saved once in the first copy's folder (each copy saved its
// own until 2026-12-06, having learnt from its own share of the pages).
TEST_F(RobustnessTest, InstancesShareOneConsumerAndOneTemplateStore) {
  {
    std::ofstream out(dir_ + "/in.jsonl");
    WriteProse(out, 400, "i");
  }
  Process run({NewsflowBinary(), "run", dir_ + "/in.jsonl", "--stages", "clean,passthrough",
               "--instances", "3", "--output", dir_ + "/out.jsonl", "--dead-letters",
               dir_ + "/dead.jsonl", "--metrics-snapshot", dir_ + "/metrics.txt"},
              dir_ + "/run.log", {{"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  ASSERT_EQ(run.Wait(120s), 0) << run.Log();
  EXPECT_EQ(ReadLines(dir_ + "/out.jsonl").size(), 400u) << run.Log();
  EXPECT_EQ(UniqueIds(dir_ + "/out.jsonl").size(), 400u);
  std::string metrics = ReadFile(dir_ + "/metrics.txt");
  for (const char* stage : {"clean", "passthrough"}) {
    std::string line = LastLineWith(
        metrics, std::string("newsflow_rebalances_total{kind=\"assign\",stage=\"") + stage + "\"}");
    EXPECT_EQ(line.substr(line.rfind(' ') + 1), "1") << stage << ": " << line;
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/state/clean/clean_templates.txt"));
  for (const char* f : {"/state/clean/instance-2/clean_templates.txt", "/state/clean/instance-3/clean_templates.txt"})
    EXPECT_FALSE(std::filesystem::exists(dir_ + f)) << f;
  // On its own embedded broker the last stage writes the articles file itself
  // (no trip through its topic to a sink): before, it sent them to the topic.
  std::string sent = LastLineWith(
      metrics, "newsflow_records_sent_total{stage=\"passthrough\",topic=\"" + dir_ + "/out.jsonl\"}");
  EXPECT_EQ(sent.substr(sent.rfind(' ') + 1), "400") << metrics;
  EXPECT_EQ(metrics.find("stage=\"sink\""), std::string::npos) << metrics;
}

// Issue 16: `run --fuse` runs the whole chain behind one consumer of the raw
// topic. Every good article comes out with every stage's fields; a record one
// stage rejects is a dead letter naming that stage and a drop is counted, as
// without --fuse; the copies (`--instances 2`) each run the whole chain.
TEST_F(RobustnessTest, FusedChainRunsEveryStageAndNamesTheOneThatFailed) {
  {
    std::ofstream out(dir_ + "/in.jsonl");
    WriteProse(out, 200, "f");
    // Over clean's max_body_bytes (set to 2000 below): a dead letter of clean.
    out << nlohmann::json({{"source", "test"}, {"url", "https://example.com/f/big"},
                           {"body", std::string(3000, 'x')}}).dump() << "\n";
    // No article in it: clean drops it.
    out << nlohmann::json({{"source", "test"}, {"url", "https://example.com/f/menu"},
                           {"body", "Home | News | Sport"}}).dump() << "\n";
  }
  Process run({NewsflowBinary(), "run", dir_ + "/in.jsonl", "--stages", "clean,langid", "--fuse",
               "--instances", "2", "--set", "clean.max_body_bytes=2000", "--output",
               dir_ + "/out.jsonl", "--dead-letters", dir_ + "/dead.jsonl", "--metrics-snapshot",
               dir_ + "/metrics.txt"},
              dir_ + "/run.log", {{"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  ASSERT_EQ(run.Wait(120s), 0) << run.Log();
  EXPECT_NE(run.Log().find("202 in, 200 articles out, 1 dead letters, 1 dropped"), std::string::npos)
      << run.Log();
  EXPECT_NE(run.Log().find("[clean+langid] consuming news.raw"), std::string::npos) << run.Log();
  EXPECT_EQ(UniqueIds(dir_ + "/out.jsonl").size(), 200u);
  for (const auto& line : ReadLines(dir_ + "/out.jsonl")) {
    auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j.contains("clean") && j.contains("lang")) << line;
    EXPECT_EQ(j.at("lang").at("code"), "en") << line;
  }
  auto dead = ReadLines(dir_ + "/dead.jsonl");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(dead[0]).at("stage"), "clean") << dead[0];
  // Each stage keeps its own metrics: langid saw only what clean forwarded.
  std::string metrics = ReadFile(dir_ + "/metrics.txt");
  std::string langid = LastLineWith(metrics, "newsflow_process_seconds_count{stage=\"langid\"}");
  EXPECT_EQ(langid.substr(langid.rfind(' ') + 1), "200") << langid;
  // On its own embedded broker the chain writes the articles file itself (no
  // trip to a sink through news.lang): the chain's runner sent the 200 to the
  // file, observed their latency, and there is no sink runner. Before, the
  // chain sent them to news.lang and a sink read them back.
  std::string sent = LastLineWith(
      metrics, "newsflow_records_sent_total{stage=\"clean+langid\",topic=\"" + dir_ + "/out.jsonl\"}");
  EXPECT_EQ(sent.substr(sent.rfind(' ') + 1), "200") << metrics;
  std::string latency = LastLineWith(
      metrics, "newsflow_end_to_end_latency_seconds_count{since=\"fetched_at\",stage=\"clean+langid\"}");
  EXPECT_EQ(latency.substr(latency.rfind(' ') + 1), "200") << metrics;
  EXPECT_EQ(metrics.find("stage=\"sink\""), std::string::npos) << metrics;
}

// `newsflow stage clean,langid` on its own broker: the chain fused in one
// process, from clean's input (news.raw) to langid's output (news.lang), as
// group newsflow-clean, so `produce` finds the group its flow control watches.
TEST_F(RobustnessTest, StageRunsAChainFusedBetweenItsFirstInputAndLastOutput) {
  StartBroker(4);
  auto stage = Start({"stage", "clean,langid", "--instances", "2", "--set", "clean.learn_templates=false"},
                     "stage");
  auto sink = Start({"sink", "--topic", "news.lang", "--output", dir_ + "/out.jsonl"}, "sink");
  {
    std::ofstream out(dir_ + "/in.jsonl");
    WriteProse(out, 300, "s");
  }
  auto producer = Start({"produce", dir_ + "/in.jsonl"}, "produce");
  ASSERT_EQ(producer->Wait(120s), 0) << producer->Log();
  EXPECT_TRUE(WaitFor([&] { return ReadLines(dir_ + "/out.jsonl").size() >= 300; }, 60s)) << stage->Log();
  EXPECT_EQ(UniqueIds(dir_ + "/out.jsonl").size(), 300u);
  for (const auto& line : ReadLines(dir_ + "/out.jsonl")) {
    auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j.contains("clean") && j.contains("lang")) << line;
  }
  EXPECT_NE(stage->Log().find("[clean+langid] consuming news.raw as group newsflow-clean -> news.lang"),
            std::string::npos)
      << stage->Log();
  stage->Signal(SIGTERM);
  sink->Signal(SIGTERM);
  EXPECT_EQ(stage->Wait(45s), 0) << stage->Log();
  EXPECT_EQ(sink->Wait(45s), 0) << sink->Log();
}

// Point 7: with the broker gone, a stage with records in flight stops within
// the stop deadline (30 s by default), saying how many it left undelivered.
TEST_F(RobustnessTest, StageStopsWithinTheDeadlineWhenTheBrokerIsGone) {
  StartBroker(2);
  std::string out = dir_ + "/out.jsonl";
  auto stage = Start({"stage", "passthrough", "--set", "delay_us=2000", "--input-topic", "news.raw",
                      "--output-topic", "news.clean", "--group", "newsflow-clean",
                      "--downstream-group", "newsflow-sink"},
                     "stage");
  auto sink = Start({"sink", "--topic", "news.clean", "--output", out, "--group", "newsflow-sink"},
                    "sink");
  WriteArticles(dir_ + "/in.jsonl", 3000);
  auto producer = Start({"produce", dir_ + "/in.jsonl"}, "produce");
  ASSERT_TRUE(WaitFor([&] { return ReadLines(out).size() >= 300; }, 60s)) << stage->Log();
  broker_->Signal(SIGKILL);
  broker_->Wait(10s);
  std::this_thread::sleep_for(1s);
  auto t0 = std::chrono::steady_clock::now();
  stage->Signal(SIGTERM);
  sink->Signal(SIGTERM);
  int rc = stage->Wait(45s);  // the deadline is 30 s; 15 s of slack for a busy machine
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "[ report ] stage stopped after " << took << " s with exit code " << rc << "\n";
  EXPECT_NE(rc, -1) << "the stage ignored SIGTERM for 45 s\n" << stage->Log();
  std::string log = stage->Log();
  // It says what it left: the runner's final counts, or the forced report.
  std::string counts = LastLineWith(log, "undelivered");
  EXPECT_FALSE(counts.empty()) << log;
  std::cout << "[ report ] " << counts << "\n";
  EXPECT_NE(sink->Wait(45s), -1) << sink->Log();
  producer->Signal(SIGKILL);
}

// Point 7: a second signal ends a process at once (exit code 4), reporting
// what it leaves undelivered.
TEST_F(RobustnessTest, SecondSignalStopsAtOnce) {
  StartBroker(2);
  auto stage = Start({"stage", "passthrough", "--set", "delay_us=2000", "--input-topic", "news.raw",
                      "--output-topic", "news.clean", "--group", "newsflow-clean",
                      "--downstream-group", "newsflow-sink"},
                     "stage");
  WriteArticles(dir_ + "/in.jsonl", 2000);
  auto producer = Start({"produce", "--no-flow-control", dir_ + "/in.jsonl"}, "produce");
  ASSERT_EQ(producer->Wait(60s), 0) << producer->Log();
  ASSERT_TRUE(WaitFor([&] { return stage->Log().find("assigned") != std::string::npos; }, 30s));
  broker_->Signal(SIGKILL);
  broker_->Wait(10s);
  std::this_thread::sleep_for(1s);
  stage->Signal(SIGTERM);
  std::this_thread::sleep_for(1s);
  stage->Signal(SIGTERM);
  int rc = stage->Wait(10s);
  EXPECT_EQ(rc, 4) << stage->Log();
  EXPECT_NE(stage->Log().find("second stop signal"), std::string::npos) << stage->Log();
}

// Point 8: a producer held back by flow control says so, and why.
TEST_F(RobustnessTest, ProducerSaysWhyFlowControlHoldsItBack) {
  StartBroker(1);
  WriteArticles(dir_ + "/in.jsonl", 25000);  // over the 20,000-record backlog, no consumer
  auto producer = Start({"produce", dir_ + "/in.jsonl"}, "produce");
  bool said = WaitFor([&] { return producer->Log().find("flow control holds back") != std::string::npos; },
                      60s);
  std::string line = LastLineWith(producer->Log(), "flow control holds back");
  std::cout << "[ report ] " << line << "\n";
  EXPECT_TRUE(said) << producer->Log();
  EXPECT_NE(line.find("newsflow-clean"), std::string::npos) << line;
  EXPECT_NE(line.find("news.raw"), std::string::npos) << line;
  producer->Signal(SIGTERM);
  EXPECT_NE(producer->Wait(45s), -1);
}

// Point 8: a stage whose downstream group does not keep up says why it
// pauses its input.
TEST_F(RobustnessTest, StageSaysWhyFlowControlPausesIt) {
  StartBroker(1);
  auto stage = Start({"stage", "passthrough", "--input-topic", "news.raw", "--output-topic",
                      "news.clean", "--group", "newsflow-clean", "--downstream-group", "nobody"},
                     "stage");
  WriteArticles(dir_ + "/in.jsonl", 25000);
  auto producer = Start({"produce", "--no-flow-control", dir_ + "/in.jsonl"}, "produce");
  ASSERT_EQ(producer->Wait(120s), 0) << producer->Log();
  bool said = WaitFor([&] { return stage->Log().find("flow control: input paused") != std::string::npos; },
                      60s);
  std::string line = LastLineWith(stage->Log(), "flow control: input paused");
  std::cout << "[ report ] " << line << "\n";
  EXPECT_TRUE(said) << stage->Log();
  EXPECT_NE(line.find("group nobody"), std::string::npos) << line;
  EXPECT_NE(line.find("news.clean"), std::string::npos) << line;
  stage->Signal(SIGTERM);
  EXPECT_EQ(stage->Wait(45s), 0) << stage->Log();
}

// Point 8: a sink that cannot reach its broker says so, naming the address.
TEST_F(RobustnessTest, SinkNamesAnUnreachableBroker) {
  auto sink = Start({"sink", "--brokers", "127.0.0.1:1", "--output", dir_ + "/out.jsonl"}, "sink");
  bool said = WaitFor([&] { return sink->Log().find("cannot reach Kafka at 127.0.0.1:1") != std::string::npos; },
                      30s);
  EXPECT_TRUE(said) << sink->Log();
  sink->Signal(SIGTERM);
  EXPECT_NE(sink->Wait(45s), -1) << sink->Log();
}

// Point 9: the final error of a bad --brokers names the address.
TEST_F(RobustnessTest, BadBrokersErrorNamesTheAddress) {
  WriteArticles(dir_ + "/in.jsonl", 1);
  Process p({NewsflowBinary(), "produce", "--brokers", "nosuchbroker.invalid:9092", dir_ + "/in.jsonl"},
            dir_ + "/produce.log");
  EXPECT_EQ(p.Wait(60s), 1) << p.Log();
  std::string last = LastLineWith(p.Log(), " error ");
  EXPECT_NE(last.find("Broker transport failure"), std::string::npos) << p.Log();
  EXPECT_NE(last.find("nosuchbroker.invalid:9092"), std::string::npos)
      << "the final error must name the address: " << last;
}

// Point 9: a metrics address in use is named as such.
TEST_F(RobustnessTest, MetricsPortInUseIsNamed) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  std::string addr = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  Process p({NewsflowBinary(), "sink", "--brokers", "127.0.0.1:1", "--metrics-addr", addr, "--output",
             dir_ + "/out.jsonl"},
            dir_ + "/sink.log");
  EXPECT_EQ(p.Wait(30s), 1) << p.Log();
  close(fd);
  EXPECT_NE(p.Log().find(addr + " is already in use"), std::string::npos) << p.Log();
}

// Point 9: a 2 GB file is refused by its size, without being read.
TEST_F(RobustnessTest, HugeInputFileIsDeadLetteredWithoutReadingIt) {
  StartBroker(1);
  std::string big = dir_ + "/huge.txt";
  { std::ofstream(big) << "x"; }
  std::filesystem::resize_file(big, 2ull * 1024 * 1024 * 1024);  // sparse: no disk used
  std::string dead = dir_ + "/dead.jsonl";
  auto dlq = Start({"sink", "--topic", "news.dlq", "--output", dead, "--group", "d"}, "dlq");
  auto producer = Start({"produce", "--no-flow-control", big}, "produce");
  int rc = producer->Wait(120s);
  EXPECT_EQ(rc, 0) << producer->Log();
  EXPECT_NE(producer->Log().find("exceeds the record limit"), std::string::npos) << producer->Log();
  EXPECT_NE(producer->Log().find("0 published, 0 acknowledged, 1 dead-lettered"), std::string::npos)
      << producer->Log();
  ASSERT_TRUE(WaitFor([&] { return !ReadLines(dead).empty(); }, 30s)) << dlq->Log();
  auto d = nlohmann::json::parse(ReadLines(dead).front());
  EXPECT_EQ(d.at("reason_code"), "too_large");
  std::filesystem::remove(big);
  dlq->Signal(SIGTERM);
  dlq->Wait(40s);
}

// Points 1 and 9: `process` fails when it cannot write or read, and exits 3
// when records were dead-lettered.
TEST(ProcessRobustnessTest, ExitCodesSayWhatHappened) {
  std::string dir = MakeTempDir("process-robust");
  {
    std::ofstream in(dir + "/in.jsonl");
    in << R"({"v":1,"id":"a","source":"s","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"one"})" << "\n";
    in << R"({"v":1,"id":"b","source":"s","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"two"})" << "\n";
  }
  auto run = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), {NewsflowBinary(), "process", "--stages", "passthrough"});
    Process p(args, dir + "/" + log + ".log");
    int rc = p.Wait(60s);
    return std::make_pair(rc, p.Log());
  };
  auto [ok_rc, ok_log] = run({"--input", dir + "/in.jsonl", "--output", dir + "/out.jsonl"}, "ok");
  EXPECT_EQ(ok_rc, 0) << ok_log;
  EXPECT_EQ(ReadLines(dir + "/out.jsonl").size(), 2u);

  auto [full_rc, full_log] = run({"--input", dir + "/in.jsonl", "--output", "/dev/full"}, "full");
  EXPECT_EQ(full_rc, 1) << full_log;
  EXPECT_NE(full_log.find("cannot write to /dev/full"), std::string::npos) << full_log;

  auto [dir_rc, dir_log] = run({"--input", dir, "--output", dir + "/o2.jsonl"}, "dir");
  EXPECT_EQ(dir_rc, 2) << dir_log;
  EXPECT_NE(dir_log.find("is a directory"), std::string::npos) << dir_log;

  // Reading /proc/self/mem from offset 0 fails with EIO: a read error.
  auto [eio_rc, eio_log] = run({"--input", "/proc/self/mem", "--output", dir + "/o3.jsonl"}, "eio");
  EXPECT_EQ(eio_rc, 1) << eio_log;
  EXPECT_NE(eio_log.find("cannot read /proc/self/mem"), std::string::npos) << eio_log;

  {
    std::ofstream in(dir + "/poison.jsonl");
    in << "not json\n";
    in << R"({"v":1,"id":"c","source":"s","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"ok"})" << "\n";
  }
  auto [dl_rc, dl_log] = run({"--input", dir + "/poison.jsonl", "--output", dir + "/o4.jsonl",
                              "--dead-letters", dir + "/dead.jsonl"}, "dead");
  EXPECT_EQ(dl_rc, 3) << dl_log;
  EXPECT_EQ(ReadLines(dir + "/o4.jsonl").size(), 1u);
  EXPECT_EQ(ReadLines(dir + "/dead.jsonl").size(), 1u);
}

}  // namespace
}  // namespace newsflow::testing
