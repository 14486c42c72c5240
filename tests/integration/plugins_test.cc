// Plug-in stages end to end: the SDK installed into a temporary prefix, the
// out-of-tree C++ example built against it with find_package(newsflow), the
// Python example and an ill-behaved program as subprocess stages, all run
// through `newsflow` on the embedded broker; and `newsflow validate`.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;
const std::string kSource = NEWSFLOW_SOURCE_DIR;

std::string BinaryDir() {
  const char* d = std::getenv("NEWSFLOW_TEST_BINARY_DIR");
  return d != nullptr ? d : ".";
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// n raw articles; body i is bodies[i % size] + " article i".
int WriteArticles(const std::string& path, int n, const std::vector<std::string>& bodies) {
  std::ofstream out(path);
  for (int i = 0; i < n; ++i) {
    nlohmann::json j = {{"source", "test"},
                        {"url", "https://example.com/p/" + std::to_string(i)},
                        {"body", bodies[i % bodies.size()] + " article " + std::to_string(i)}};
    out << j.dump() << "\n";
  }
  return n;
}

class PluginPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = MakeTempDir(std::string(info->test_suite_name()) + "-" + info->name());
  }
  // Runs newsflow to completion; returns its exit status.
  int Newsflow(std::vector<std::string> args, const std::string& log,
               std::chrono::milliseconds timeout = 120s) {
    args.insert(args.begin(), NewsflowBinary());
    Process p(args, dir_ + "/" + log + ".log");
    return p.Wait(timeout);
  }
  std::string dir_;
};

TEST_F(PluginPipelineTest, ExamplesBuiltFromTheInstalledSdkRunInAPipeline) {
  // 1. The SDK, installed into a temporary prefix.
  std::string prefix = dir_ + "/prefix", log = dir_ + "/build.log";
  std::string cmd =
      "cmake --install '" + BinaryDir() + "' --prefix '" + prefix + "' >'" + log + "' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(log);
  ASSERT_TRUE(std::filesystem::exists(prefix + "/include/newsflow/plugin_abi.h"));
  // 2. The C++ example, out of tree, with find_package(newsflow).
  cmd = "cmake -S '" + kSource + "/examples/cpp-stage' -B '" + dir_ +
        "/ex' -DCMAKE_BUILD_TYPE=Release" + " -DCMAKE_PREFIX_PATH='" + prefix + "' >>'" + log +
        "' 2>&1 && cmake --build '" + dir_ + "/ex' >>'" + log + "' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(log);
  std::string so = dir_ + "/ex/libnewsflow_tagger.so";
  ASSERT_TRUE(std::filesystem::exists(so)) << ReadFile(log);
  // 3. Both examples after a built-in stage, on the embedded broker.
  std::string pipeline = dir_ + "/pipeline.yaml";
  WriteFile(pipeline,
            "version: 1\nstages:\n"
            "  - name: passthrough\n"
            "  - name: tagger\n    plugin: " +
                so +
                "\n    settings: {tag: demo}\n    instances: 2\n"
                "  - name: wordcount\n    command: [python3, " +
                kSource +
                "/examples/python-stage/stage.py]\n    env: {MIN_WORDS: \"4\"}\n"
                "sinks:\n  articles: " +
                dir_ + "/out.jsonl\n  dead_letters: " + dir_ + "/dlq.jsonl\n");
  ASSERT_EQ(Newsflow({"validate", pipeline}, "validate"), 0) << ReadFile(dir_ + "/validate.log");
  // Bodies of 3 words ("short article N") are dropped by the Python stage.
  int n = WriteArticles(dir_ + "/in.jsonl", 200, {"a longer body of words", "short"});
  ASSERT_EQ(Newsflow({"run", "--pipeline", pipeline, dir_ + "/in.jsonl", "--metrics-addr", "",
                      "--metrics-snapshot", dir_ + "/metrics.txt"},
                     "run"),
            0)
      << ReadFile(dir_ + "/run.log");
  auto lines = ReadLines(dir_ + "/out.jsonl");
  EXPECT_EQ(lines.size(), static_cast<size_t>(n / 2)) << ReadFile(dir_ + "/run.log");
  std::set<std::string> ids;
  for (const auto& l : lines) {
    auto j = nlohmann::json::parse(l);
    ids.insert(j.at("id").get<std::string>());
    EXPECT_EQ(j.at("tagger").at("tag"), "demo");
    EXPECT_EQ(j.at("wordcount").at("words"), 7);
  }
  EXPECT_EQ(ids.size(), lines.size());
  EXPECT_TRUE(ReadLines(dir_ + "/dlq.jsonl").empty());
  // The runner's standard metrics cover plug-in stages like built-ins.
  std::string metrics = ReadFile(dir_ + "/metrics.txt");
  EXPECT_NE(metrics.find("stage=\"tagger\""), std::string::npos);
  EXPECT_NE(metrics.find("stage=\"wordcount\""), std::string::npos);
  EXPECT_NE(ReadFile(dir_ + "/run.log").find("wordcount [stderr]: wordcount stage ready"),
            std::string::npos);
}

TEST_F(PluginPipelineTest, IllBehavedSubprocessStageLosesNoRecord) {
  std::string pipeline = dir_ + "/pipeline.yaml";
  WriteFile(pipeline,
            "stages:\n  - name: trouble\n    command: [python3, " + kSource +
                "/tests/data/plugins/misbehaving_stage.py]\n    env: {STATE_DIR: " + dir_ +
                "}\n    settings: {timeout_ms: 400, start_timeout_ms: 1500}\n"
                "sinks:\n  articles: " +
                dir_ + "/out.jsonl\n  dead_letters: " + dir_ + "/dlq.jsonl\n");
  // 1 in 10 records crashes once, then a crash that never stops, a hang and garbage.
  std::vector<std::string> bodies = {"fine", "fine",         "CRASH_ONCE", "fine",    "fine",
                                     "fine", "CRASH_ALWAYS", "HANG",       "GARBAGE", "fine"};
  int n = WriteArticles(dir_ + "/in.jsonl", 40, bodies);
  ASSERT_EQ(Newsflow({"run", "--pipeline", pipeline, dir_ + "/in.jsonl", "--metrics-addr", ""},
                     "run", 180s),
            0)
      << ReadFile(dir_ + "/run.log");
  auto out = ReadLines(dir_ + "/out.jsonl");
  auto dlq = ReadLines(dir_ + "/dlq.jsonl");
  EXPECT_EQ(out.size() + dlq.size(), static_cast<size_t>(n)) << ReadFile(dir_ + "/run.log");
  EXPECT_EQ(out.size(), 28u);  // "fine" x 7 per 10, and CRASH_ONCE after its retry
  std::map<std::string, int> reasons;
  for (const auto& l : dlq) {
    auto j = nlohmann::json::parse(l);
    EXPECT_EQ(j.at("stage"), "trouble");
    reasons[j.at("reason_code").get<std::string>()]++;
  }
  EXPECT_EQ(reasons["timeout"], 4);
  EXPECT_EQ(reasons["unavailable"], 4);
  EXPECT_EQ(reasons["corrupt"], 4);
}

TEST_F(PluginPipelineTest, StageProcessFromAPipelineFileOnTheBroker) {
  std::string boot = dir_ + "/broker.bootstrap";
  Process broker({NewsflowBinary(), "broker", "--partitions", "2", "--topic", "news.raw", "--topic",
                  "news.wordcount", "--topic", "news.dlq", "--bootstrap-file", boot},
                 dir_ + "/broker.log");
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot); }, 10s)) << broker.Log();
  std::string pipeline = dir_ + "/pipeline.yaml";
  WriteFile(pipeline, "stages:\n  - name: wordcount\n    command: [python3, " + kSource +
                          "/examples/python-stage/stage.py]\n");
  Process stage(
      {NewsflowBinary(), "stage", "wordcount", "--pipeline", pipeline, "--bootstrap-file", boot},
      dir_ + "/stage.log");
  std::string out = dir_ + "/out.jsonl";
  Process sink({NewsflowBinary(), "sink", "--topic", "news.wordcount", "--output", out,
                "--bootstrap-file", boot},
               dir_ + "/sink.log");
  int n = WriteArticles(dir_ + "/in.jsonl", 300, {"one two three"});
  ASSERT_EQ(Newsflow({"produce", dir_ + "/in.jsonl", "--bootstrap-file", boot}, "produce"), 0);
  ASSERT_TRUE(WaitFor([&] { return ReadLines(out).size() >= static_cast<size_t>(n); }, 90s))
      << stage.Log() << sink.Log();
  for (const auto& l : ReadLines(out))
    EXPECT_EQ(nlohmann::json::parse(l).at("wordcount").at("words"), 5);
  for (auto* p : {&stage, &sink}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(30s), 0) << p->Log();
  }
}

// `process` gives partial records (samples/feed.jsonl: no id, no
// fetched_at) what `produce` gives them, and a plug-in stage leaves a trace
// entry like the built-ins: the samples come out, only the line broken on
// purpose is a dead letter.
TEST_F(PluginPipelineTest, ProcessCompletesPartialRecordsAndTracesPluginStages) {
  std::string pipeline = dir_ + "/pipeline.yaml";
  WriteFile(pipeline, "stages:\n  - name: clean\n  - name: wordcount\n    command: [python3, " +
                          kSource + "/examples/python-stage/stage.py]\n    env: {MIN_WORDS: \"3\"}\n");
  // Its own state: clean learns boilerplate across runs (templates).
  Process process({NewsflowBinary(), "process", "--pipeline", pipeline, "--input",
                   kSource + "/samples/feed.jsonl", "--output", dir_ + "/out.jsonl", "--dead-letters",
                   dir_ + "/dlq.jsonl"},
                  dir_ + "/process.log", {{"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  EXPECT_EQ(process.Wait(120s), 3) << ReadFile(dir_ + "/process.log");
  auto out = ReadLines(dir_ + "/out.jsonl");
  auto dlq = ReadLines(dir_ + "/dlq.jsonl");
  ASSERT_EQ(out.size(), 2u) << ReadFile(dir_ + "/process.log");
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(dlq[0]).at("reason_code"), "corrupt");  // broken on purpose
  std::set<std::string> ids;
  for (const auto& l : out) {
    auto j = nlohmann::json::parse(l);
    ids.insert(j.at("id").get<std::string>());
    EXPECT_FALSE(j.at("fetched_at").get<std::string>().empty());
    EXPECT_GT(j.at("wordcount").at("words").get<int>(), 3);
    std::vector<std::string> stages;
    for (const auto& t : j.at("trace")) stages.push_back(t.at("stage").get<std::string>());
    EXPECT_EQ(stages, (std::vector<std::string>{"clean", "wordcount"})) << l;
  }
  EXPECT_EQ(ids.size(), 2u);
}

// broker, stage, sink and produce each take the same --pipeline file and
// honour it: the broker creates its plug-in's topic with its partitions and
// namespace, the sinks write where its sinks: section says, produce publishes
// to its raw topic. Nothing is repeated on the command lines.
TEST_F(PluginPipelineTest, EveryCommandTakesThePipelineFileTheSameWay) {
  std::string boot = dir_ + "/broker.bootstrap";
  std::string pipeline = dir_ + "/pipeline.yaml";
  WriteFile(pipeline, "namespace: t18\ntopics: {partitions: 3}\nstages:\n  - name: wordcount\n"
                      "    command: [python3, " + kSource + "/examples/python-stage/stage.py]\n"
                      "    env: {MIN_WORDS: \"4\"}\n"
                      "sinks:\n  articles: " + dir_ + "/out.jsonl\n  dead_letters: " + dir_ +
                      "/dlq.jsonl\n");
  const std::vector<std::string> common = {"--pipeline", pipeline, "--bootstrap-file", boot};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), NewsflowBinary());
    args.insert(args.end(), common.begin(), common.end());
    return args;
  };
  Process broker(with({"broker"}), dir_ + "/broker.log");
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot); }, 10s)) << broker.Log();
  ASSERT_TRUE(WaitFor([&] { return broker.Log().find("partitions") != std::string::npos; }, 10s));
  EXPECT_NE(broker.Log().find("topics: t18.news.raw t18.news.wordcount t18.news.dlq x 3 partitions"),
            std::string::npos)
      << broker.Log();
  Process stage(with({"stage", "wordcount"}), dir_ + "/stage.log");
  Process sink(with({"sink"}), dir_ + "/sink.log");
  Process dlq_sink(with({"sink", "--topic", "news.dlq"}), dir_ + "/dlq-sink.log");
  // 20 long, 20 short (dropped), 1 broken line (dead-lettered by produce).
  int n = WriteArticles(dir_ + "/in.jsonl", 40, {"a body of five words", "short"});
  { std::ofstream(dir_ + "/in.jsonl", std::ios::app) << "{\"body\": broken\n"; }
  ASSERT_EQ(Newsflow({"produce", dir_ + "/in.jsonl", "--pipeline", pipeline, "--bootstrap-file", boot},
                     "produce"),
            0)
      << ReadFile(dir_ + "/produce.log");
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dir_ + "/out.jsonl").size() >= static_cast<size_t>(n / 2); },
                      90s))
      << stage.Log() << sink.Log();
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dir_ + "/dlq.jsonl").size() >= 1u; }, 60s))
      << dlq_sink.Log();
  std::this_thread::sleep_for(1s);  // nothing more arrives
  auto out = ReadLines(dir_ + "/out.jsonl");
  EXPECT_EQ(out.size(), static_cast<size_t>(n / 2));
  std::set<std::string> ids;
  for (const auto& l : out) {
    auto j = nlohmann::json::parse(l);
    ids.insert(j.at("id").get<std::string>());
    EXPECT_EQ(j.at("wordcount").at("words"), 7);
    EXPECT_EQ(j.at("trace").at(0).at("stage"), "wordcount");
  }
  EXPECT_EQ(ids.size(), out.size());
  EXPECT_EQ(ReadLines(dir_ + "/dlq.jsonl").size(), 1u);
  EXPECT_NE(stage.Log().find("t18.news.wordcount"), std::string::npos) << stage.Log();
  for (auto* p : {&stage, &sink, &dlq_sink}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(30s), 0) << p->Log();
  }
}

// docs/plugins.md, "Feed one stage": complete records published verbatim to
// the middle of the chain (news.clean) reach the plug-in stage that reads it,
// with no clean stage running; the produce keys them by their ids.
TEST_F(PluginPipelineTest, RecordsFedIntoTheMiddleOfTheChainReachThePluginStage) {
  std::string boot = dir_ + "/broker.bootstrap";
  std::string pipeline = dir_ + "/pipeline.yaml";
  WriteFile(pipeline, "topics: {partitions: 2}\nstages:\n  - name: clean\n  - name: wordcount\n"
                      "    command: [python3, " + kSource + "/examples/python-stage/stage.py]\n"
                      "sinks:\n  articles: " + dir_ + "/out.jsonl\n");
  Process broker({NewsflowBinary(), "broker", "--pipeline", pipeline, "--bootstrap-file", boot},
                 dir_ + "/broker.log");
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot); }, 10s)) << broker.Log();
  Process stage({NewsflowBinary(), "stage", "wordcount", "--pipeline", pipeline, "--bootstrap-file", boot},
                dir_ + "/stage.log");
  Process sink({NewsflowBinary(), "sink", "--pipeline", pipeline, "--bootstrap-file", boot},
               dir_ + "/sink.log");
  const int n = 30;
  {
    std::ofstream in(dir_ + "/cleaned.jsonl");
    for (int i = 0; i < n; ++i) {
      nlohmann::json j = {{"v", 1},          {"id", "c" + std::to_string(i)},
                          {"source", "test"}, {"url", nullptr},
                          {"fetched_at", "2026-12-01T00:00:00Z"},
                          {"content_type", "text/plain"},
                          {"body", "raw body that clean would shorten, ignored here"},
                          {"clean", {{"title", ""}, {"text", "two words"}, {"removed", nlohmann::json::object()}}}};
      in << j.dump() << "\n";
    }
  }
  ASSERT_EQ(Newsflow({"produce", "--raw", "--topic", "news.clean", dir_ + "/cleaned.jsonl", "--pipeline",
                      pipeline, "--bootstrap-file", boot},
                     "produce"),
            0)
      << ReadFile(dir_ + "/produce.log");
  ASSERT_TRUE(WaitFor([&] { return ReadLines(dir_ + "/out.jsonl").size() >= static_cast<size_t>(n); }, 90s))
      << stage.Log() << sink.Log();
  auto out = ReadLines(dir_ + "/out.jsonl");
  EXPECT_EQ(out.size(), static_cast<size_t>(n));
  std::set<std::string> ids;
  for (const auto& l : out) {
    auto j = nlohmann::json::parse(l);
    ids.insert(j.at("id").get<std::string>());
    EXPECT_EQ(j.at("wordcount").at("words"), 2);  // counted on clean.text
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(n));
  for (auto* p : {&stage, &sink}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(30s), 0) << p->Log();
  }
}

// The children of process `pid`, from /proc.
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(t.path() / "children");
    pid_t c;
    while (in >> c) out.push_back(c);
  }
  return out;
}

// /proc/PID/stat's state letter ('Z': zombie), 0 when the process is gone.
char ProcState(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? 0 : stat[close + 2];
}

// A SIGKILLed stage program is reaped at once, /readyz turns 503 while it is
// down (it cannot start while DOWN_FILE exists) without a record arriving,
// and 200 again once it is back.
TEST_F(PluginPipelineTest, KilledStageProgramIsReapedAndReadyzSaysSo) {
  std::string boot = dir_ + "/broker.bootstrap", down = dir_ + "/down";
  std::string pipeline = dir_ + "/pipeline.yaml";
  // While DOWN_FILE exists it exits at once (sh: within milliseconds, even on a busy machine).
  WriteFile(pipeline, "stages:\n  - name: trouble\n    command: [sh, -c, 'test -e \"$DOWN_FILE\" && exit 5; "
                      "exec python3 " + kSource + "/tests/data/plugins/misbehaving_stage.py']\n"
                      "    env: {DOWN_FILE: " + down + "}\n");
  Process broker({NewsflowBinary(), "broker", "--pipeline", pipeline, "--bootstrap-file", boot},
                 dir_ + "/broker.log");
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot); }, 10s)) << broker.Log();
  const int port = FreePort();
  Process stage({NewsflowBinary(), "stage", "trouble", "--pipeline", pipeline, "--bootstrap-file",
                 boot, "--metrics-addr", "127.0.0.1:" + std::to_string(port)},
                dir_ + "/stage.log");
  const std::string readyz = "http://127.0.0.1:" + std::to_string(port) + "/readyz";
  std::string body;
  ASSERT_TRUE(WaitFor([&] { return HttpGet(readyz, &body, 1000) == 200; }, 60s))
      << body << stage.Log();
  auto children = ChildrenOf(stage.pid());
  ASSERT_EQ(children.size(), 1u) << stage.Log();
  const pid_t first = children[0];
  WriteFile(down, "x");
  ASSERT_EQ(kill(first, SIGKILL), 0);
  EXPECT_TRUE(WaitFor([&] { return HttpGet(readyz, &body, 1000) == 503; }, 10s)) << body;
  EXPECT_NE(body.find("stage trouble program: not ready"), std::string::npos) << body;
  EXPECT_TRUE(WaitFor([&] { return ProcState(first) == 0; }, 5s)) << "pid " << first << " state "
                                                                   << ProcState(first);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(HttpGet(readyz, &body, 1000), 503) << body;  // still down: it cannot start
  for (pid_t c : ChildrenOf(stage.pid())) EXPECT_NE(ProcState(c), 'Z') << "zombie " << c;
  std::filesystem::remove(down);
  EXPECT_TRUE(WaitFor([&] { return HttpGet(readyz, &body, 1000) == 200; }, 30s)) << body;
  children = ChildrenOf(stage.pid());
  ASSERT_EQ(children.size(), 1u);
  EXPECT_NE(children[0], first);
  EXPECT_NE(stage.Log().find("killed by signal"), std::string::npos) << stage.Log();
  stage.Signal(SIGTERM);
  EXPECT_EQ(stage.Wait(30s), 0) << stage.Log();
}

// A process ended by force (the stop deadline after a signal) kills its stage
// programs' process groups: its stages' Close, which stops them, does not run
// then. Before, a program busy with a record outlived `run`, orphaned.
TEST_F(PluginPipelineTest, AForcedStopKillsTheStagePrograms) {
  std::string pipeline = dir_ + "/pipeline.yaml";
  WriteFile(pipeline, "stages:\n  - name: trouble\n    command: [python3, " + kSource +
                          "/tests/data/plugins/misbehaving_stage.py]\n    env: {STATE_DIR: " + dir_ +
                          "}\n    settings: {timeout_ms: 600000}\n"
                          "sinks:\n  articles: " + dir_ + "/out.jsonl\n  dead_letters: " + dir_ +
                          "/dlq.jsonl\n");
  WriteArticles(dir_ + "/in.jsonl", 1, {"HANG"});
  Process run({NewsflowBinary(), "run", "--pipeline", pipeline, dir_ + "/in.jsonl", "--metrics-addr",
               "", "--stop-timeout", "2"},
              dir_ + "/run.log");
  // The program has the record (it logs "got ID" to stderr) and hangs on it.
  ASSERT_TRUE(WaitFor([&] { return run.Log().find("[stderr]: got ") != std::string::npos; }, 60s))
      << run.Log();
  auto children = ChildrenOf(run.pid());
  ASSERT_EQ(children.size(), 1u) << run.Log();
  const pid_t program = children[0];
  run.Signal(SIGINT);
  EXPECT_EQ(run.Wait(30s), 4) << run.Log();
  // Gone (or a zombie waiting for init to reap it), not sleeping on.
  const bool ended = WaitFor([&] { char s = ProcState(program); return s == 0 || s == 'Z'; }, 5s);
  if (!ended) kill(program, SIGKILL);
  EXPECT_TRUE(ended) << "pid " << program << " state " << ProcState(program) << "\n" << run.Log();
  EXPECT_NE(run.Log().find("killed the process groups of 1 stage program(s)"), std::string::npos)
      << run.Log();
}

struct BadFile {
  const char* name;
  std::string yaml;
  std::string expect;  // in the message
};

TEST_F(PluginPipelineTest, ValidateRefusesBadFilesWithTheirLine) {
  std::vector<BadFile> cases = {
      {"unknown-key", "stages:\n  - name: clean\n    setings: {}\n",
       ":3:5: stages[0].setings: unknown key"},
      {"missing-stage", "stages:\n  - clean\n  - name: translator\n",
       ":3:5: stages.translator: unknown stage 'translator'"},
      {"type-error", "stages:\n  - name: clean\n    settings:\n      max_ms_per_record: fast\n",
       ":4:26: stages.clean.settings: setting 'max_ms_per_record' wants an integer"},
      {"unknown-setting", "stages:\n  - name: langid\n    settings: {colour: red}\n",
       ":3:24: stages.langid.settings: unknown setting 'colour'"},
      {"wrong-abi",
       std::string("stages:\n  - name: future\n    plugin: ") + WRONG_ABI_PLUGIN + "\n",
       "was built for plug-in ABI version 999; this newsflow implements version 1"},
      // A plug-in file that is not there: a usage error like a missing program
      // (it exited 1).
      {"no-plugin-file", "stages:\n  - name: gone\n    plugin: /nonexistent/libgone.so\n",
       "plug-in gone: cannot load /nonexistent/libgone.so"},
      {"no-program", "stages:\n  - name: x\n    command: [no-such-program-here]\n",
       ":2:5: stages.x.command: program 'no-such-program-here' not found"},
      // The program exists, its script does not (a typo).
      {"no-script", "stages:\n  - name: x\n    command: [python3, examples/python-stage/stag.py]\n",
       ":2:5: stages.x.command: argument 'examples/python-stage/stag.py' looks like a file for "
       "'python3', but there is no such file"},
      // It starts but fails at once (an import error): its stderr says why.
      {"fails-at-start",
       "stages:\n  - name: x\n    command: [python3, -c, \"import sys; print('no module "
       "named torch', file=sys.stderr); sys.exit(3)\"]\n",
       ":2:5: stages.x.command: 'python3' exited with status 3 when started with no input: no "
       "module named torch"},
  };
  for (const auto& c : cases) {
    std::string path = dir_ + "/" + c.name + ".yaml";
    WriteFile(path, c.yaml);
    EXPECT_EQ(Newsflow({"validate", path}, c.name), 2) << c.name;
    std::string log = ReadFile(dir_ + "/" + std::string(c.name) + ".log");
    EXPECT_NE(log.find(c.expect), std::string::npos) << c.name << ": " << log;
    if (std::string(c.name) != "wrong-abi") {
      EXPECT_NE(log.find(path + ":"), std::string::npos) << log;
    }
  }
  EXPECT_EQ(Newsflow({"validate", kSource + "/deploy/pipeline.yaml"}, "deploy"), 0)
      << ReadFile(dir_ + "/deploy.log");
  // A working command passes the handshake (started, ended at end of input).
  std::string good = dir_ + "/good.yaml";
  WriteFile(good, "stages:\n  - name: wordcount\n    command: [python3, " + kSource +
                      "/examples/python-stage/stage.py]\n");
  EXPECT_EQ(Newsflow({"validate", good}, "good"), 0) << ReadFile(dir_ + "/good.log");
  EXPECT_NE(ReadFile(dir_ + "/good.log").find("wordcount: started and ended cleanly at end of input"),
            std::string::npos)
      << ReadFile(dir_ + "/good.log");
}

}  // namespace
}  // namespace newsflow::testing
