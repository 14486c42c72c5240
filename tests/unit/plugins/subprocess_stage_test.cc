#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "newsflow/health.h"
#include "newsflow/plugin_stages.h"

namespace newsflow {
namespace {

const std::string kSource = NEWSFLOW_SOURCE_DIR;

Article MakeArticle(const std::string& id, const std::string& body) {
  Article a;
  a.id = id;
  a.source = "test";
  a.fetched_at = "2026-11-23T10:00:00Z";
  a.body = body;
  return a;
}

// The children of this process, from /proc.
std::vector<pid_t> Children() {
  std::vector<pid_t> out;
  for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(t.path() / "children");
    pid_t p;
    while (in >> p) out.push_back(p);
  }
  return out;
}

// The state letter of /proc/PID/stat ('Z': a zombie), or 0 when it is gone.
char ProcState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? 0 : stat[close + 2];
}

template <typename F>
bool Eventually(F f, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

class SubprocessStageTest : public ::testing::Test {
 protected:
  void Open(std::vector<std::string> argv, std::map<std::string, std::string> given = {},
            std::map<std::string, std::string> env = {}) {
    state_ = std::filesystem::temp_directory_path() /
             ("nf-subprocess-" + std::to_string(getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(state_);
    std::filesystem::create_directories(state_);
    env["STATE_DIR"] = state_.string();
    descriptor_ = SubprocessStageDescriptor("sub", std::move(argv), std::move(env));
    auto s = Settings::Parse(descriptor_.options, given, "sub");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    settings_ = *s;
    stage_ = descriptor_.create();
    StageContext ctx{settings_, registry_, "", "", state_.string()};
    ASSERT_TRUE(stage_->Open(ctx).ok());
  }
  void TearDown() override {
    if (stage_) {
      EXPECT_TRUE(stage_->Close().ok());
    }
    std::filesystem::remove_all(state_);
  }
  std::vector<std::string> Misbehaving() {
    return {"python3", kSource + "/tests/data/plugins/misbehaving_stage.py"};
  }

  prometheus::Registry registry_;
  StageDescriptor descriptor_;
  Settings settings_;
  std::unique_ptr<Stage> stage_;
  std::filesystem::path state_;
};

TEST_F(SubprocessStageTest, PythonExampleAddsItsSectionAndDrops) {
  Open({"python3", kSource + "/examples/python-stage/stage.py"}, {}, {{"MIN_WORDS", "3"}});
  Article a = MakeArticle("a1", "three little words and more");
  auto r = stage_->Process(a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->forwarded());
  ASSERT_EQ(a.extensions.size(), 1u);
  EXPECT_EQ(a.extensions[0].first, "wordcount");
  EXPECT_EQ(a.extensions[0].second, "{\"words\":5}");
  Article b = MakeArticle("a2", "short");
  auto d = stage_->Process(b);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->forwarded());
  EXPECT_EQ(d->reason, "too_short");
}

TEST_F(SubprocessStageTest, VerdictsMapToOutcomes) {
  Open(Misbehaving());
  Article a = MakeArticle("a", "plain");
  auto f = stage_->Process(a);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->forwarded());
  Article d = MakeArticle("d", "DROP");
  auto dr = stage_->Process(d);
  ASSERT_TRUE(dr.ok());
  EXPECT_EQ(dr->reason, "asked_to");
  Article r = MakeArticle("r", "REJECT");
  auto rj = stage_->Process(r);
  ASSERT_FALSE(rj.ok());
  EXPECT_EQ(rj.status().code(), StatusCode::kRejected);
  EXPECT_EQ(rj.status().message(), "asked to reject");
}

TEST_F(SubprocessStageTest, CrashOnceIsRetriedCrashAlwaysIsDeadLettered) {
  Open(Misbehaving());
  Article once = MakeArticle("once", "CRASH_ONCE");
  auto r1 = stage_->Process(once);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_TRUE(r1->forwarded());
  Article always = MakeArticle("always", "CRASH_ALWAYS");
  auto r2 = stage_->Process(always);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r2.status().message().find("exited with status 3"), std::string::npos)
      << r2.status().message();
  Article after = MakeArticle("after", "fine");
  auto r3 = stage_->Process(after);
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
}

TEST_F(SubprocessStageTest, HangTimesOutAndTheNextRecordIsServed) {
  Open(Misbehaving(), {{"timeout_ms", "300"}, {"start_timeout_ms", "30000"}});
  Article warm = MakeArticle("w", "fine");  // past the start allowance
  ASSERT_TRUE(stage_->Process(warm).ok());
  Article h = MakeArticle("h", "HANG");
  auto t0 = std::chrono::steady_clock::now();
  auto r = stage_->Process(h);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout);
  EXPECT_EQ(r.status().message(), "no result within 300 ms");
  Article next = MakeArticle("n", "fine");
  auto r2 = stage_->Process(next);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
}

// A result line over the 64 MiB limit dead-letters its record; the rest of
// that line, still in the pipe, is skipped, not read as the next record's
// result (before, the next record was dead-lettered with the line's tail).
TEST_F(SubprocessStageTest, AnOverlongLineFailsItsRecordOnly) {
  Open(Misbehaving(), {{"timeout_ms", "20000"}});
  Article huge = MakeArticle("huge", "HUGE_LINE");
  auto r = stage_->Process(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("over 64 MiB"), std::string::npos) << r.status().message();
  for (const char* id : {"after1", "after2"}) {
    Article next = MakeArticle(id, "fine");
    auto r2 = stage_->Process(next);
    ASSERT_TRUE(r2.ok()) << id << ": " << r2.status().ToString();
    EXPECT_TRUE(r2->forwarded());
    EXPECT_EQ(next.id, id);
  }
}

TEST_F(SubprocessStageTest, GarbageAndWrongIdsAreDeadLettersAndLateAnswersSkipped) {
  Open(Misbehaving());
  Article g = MakeArticle("g", "GARBAGE");
  auto r = stage_->Process(g);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("this is not json"), std::string::npos);
  Article w = MakeArticle("w", "WRONG_ID");
  auto rw = stage_->Process(w);
  ASSERT_FALSE(rw.ok());
  Article next = MakeArticle("n", "fine");
  auto r2 = stage_->Process(next);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(next.id, "n");
}

TEST_F(SubprocessStageTest, MixedTroubleLosesNoRecord) {
  Open(Misbehaving(), {{"timeout_ms", "300"}, {"start_timeout_ms", "3000"}});
  const std::vector<std::string> bodies = {"ok",   "CRASH_ONCE",   "GARBAGE", "ok",
                                           "HANG", "CRASH_ALWAYS", "DROP",    "REJECT",
                                           "ok",   "WRONG_ID",     "ok"};
  int out = 0, dropped = 0, dead = 0;
  for (size_t i = 0; i < bodies.size(); ++i) {
    Article a = MakeArticle("m" + std::to_string(i), bodies[i]);
    auto r = stage_->Process(a);
    if (!r.ok())
      ++dead;
    else if (r->forwarded())
      ++out;
    else
      ++dropped;
    if (r.ok() && r->forwarded()) {
      EXPECT_EQ(a.id, "m" + std::to_string(i));
    }
  }
  EXPECT_EQ(out + dropped + dead, static_cast<int>(bodies.size()));
  EXPECT_EQ(out, 5);  // 4 x ok + CRASH_ONCE
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(dead, 5);  // GARBAGE, HANG, CRASH_ALWAYS, REJECT, WRONG_ID
}

// A program killed between records is reaped at once (no zombie), the stage
// reports not ready while it is down (here it keeps failing to start while
// DOWN_FILE exists), and it comes back without a record arriving.
TEST_F(SubprocessStageTest, KilledProgramIsReapedAtOnceNotReadyWhileDownThenRestarted) {
  std::string down = std::filesystem::temp_directory_path() /
                     ("nf-subprocess-down-" + std::to_string(getpid()));
  std::filesystem::remove(down);
  // While DOWN_FILE exists it exits at once (sh: within milliseconds, even on a busy machine).
  Open({"sh", "-c", "test -e \"$DOWN_FILE\" && exit 5; exec python3 " + Misbehaving()[1]}, {},
       {{"DOWN_FILE", down}});
  HealthBoard& board = HealthBoard::For(registry_);
  std::string why;
  EXPECT_TRUE(Eventually([&] { return board.Ready(nullptr); }));
  Article a = MakeArticle("a", "fine");
  ASSERT_TRUE(stage_->Process(a).ok());
  auto children = Children();
  ASSERT_EQ(children.size(), 1u);
  const pid_t first = children[0];
  std::ofstream(down).put('x');
  ASSERT_EQ(kill(first, SIGKILL), 0);
  // Reaped without a record: no zombie left in /proc.
  EXPECT_TRUE(Eventually([&] { return ProcState(first) == 0; })) << ProcState(first);
  // Down while it cannot start.
  EXPECT_TRUE(Eventually([&] { return !board.Ready(nullptr); }));
  for (int i = 0; i < 15; ++i) {  // restarted, dying, restarted...: never ready meanwhile
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(board.Ready(nullptr));
  }
  why.clear();
  EXPECT_FALSE(board.Ready(&why));
  EXPECT_NE(why.find("stage sub program: not ready"), std::string::npos) << why;
  for (pid_t p : Children()) EXPECT_NE(ProcState(p), 'Z') << "zombie " << p;
  // Startable again: back, and ready, with no record arriving.
  std::filesystem::remove(down);
  EXPECT_TRUE(Eventually([&] { return board.Ready(nullptr); })) << why;
  children = Children();
  ASSERT_EQ(children.size(), 1u);
  EXPECT_NE(children[0], first);
  Article b = MakeArticle("b", "fine");
  auto r = stage_->Process(b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->forwarded());
  EXPECT_TRUE(stage_->Close().ok());
  stage_.reset();
  EXPECT_TRUE(board.Ready(&why)) << why;  // a closed stage's condition no longer counts
}

// A program that served records and then cannot be started at all (its file
// was removed) is retried with the growing backoff, not every 50 ms.
TEST_F(SubprocessStageTest, AProgramThatCannotStartAnyMoreIsRetriedWithBackoff) {
  std::string prog = std::filesystem::temp_directory_path() /
                     ("nf-subprocess-prog-" + std::to_string(getpid()));
  std::filesystem::copy_file(Misbehaving()[1], prog, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(prog, std::filesystem::perms::owner_all);
  Open({prog});
  Article a = MakeArticle("a", "fine");
  ASSERT_TRUE(stage_->Process(a).ok());
  auto restarts = [&] {
    for (const auto& f : registry_.Collect())
      if (f.name == "newsflow_subprocess_restarts_total") return f.metric.at(0).counter.value;
    return -1.0;
  };
  std::filesystem::remove(prog);
  auto children = Children();
  ASSERT_EQ(children.size(), 1u);
  kill(children[0], SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  // 100 + 200 + 400 + 800 ms of backoff fit in 2 s: at most 5 tries, not 40.
  EXPECT_GE(restarts(), 1);
  EXPECT_LE(restarts(), 5);
  EXPECT_FALSE(HealthBoard::For(registry_).Ready(nullptr));
}

TEST_F(SubprocessStageTest, MissingProgramIsDeadLetteredNotFatalAtProcess) {
  descriptor_ = SubprocessStageDescriptor("sub", {"/nonexistent/program"}, {});
  auto s = Settings::Parse(descriptor_.options, {}, "sub");
  ASSERT_TRUE(s.ok());
  settings_ = *s;
  auto stage = descriptor_.create();
  StageContext ctx{settings_, registry_, "", "", ""};
  Status st = stage->Open(ctx);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/nonexistent/program"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace newsflow
