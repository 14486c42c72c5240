// NameThisThread: the names `top -H`, perf and gdb show for newsflow's threads.
#include "newsflow/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <sys/types.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace newsflow {
namespace {

std::string NameOf(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

std::string NamedOnAThread(const std::string& name) {
  std::string seen;
  std::thread([&] {
    NameThisThread(name);
    seen = NameOf(gettid());
  }).join();
  return seen;
}

TEST(ThreadNameTest, NamesTheCallingThreadCutAtFifteenBytes) {
  EXPECT_EQ(NamedOnAThread("sink"), "sink");
  EXPECT_EQ(NamedOnAThread("clean+langid+entities"), "clean+langid+en");
}

TEST(ThreadNameTest, ACutNeverSplitsACharacter) {
  // 7 two-byte letters (14 bytes) and one more: the 15-byte cut would fall
  // inside the 8th letter, so it is left out whole.
  EXPECT_EQ(NamedOnAThread("#2 \xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9\xD8\xB9\xD8\xB1"),
            "#2 \xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9\xD8\xB9");
  EXPECT_EQ(NamedOnAThread("\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9\xD8\xB9\xD8\xB1\xD8\xA8"),
            "\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9\xD8\xB9\xD8\xB1");
}

TEST(ThreadNameTest, TheMainThreadKeepsTheProcessName) {
  const std::string before = NameOf(getpid());
  ASSERT_EQ(gettid(), getpid()) << "gtest runs tests on the main thread";
  NameThisThread("renamed");
  EXPECT_EQ(NameOf(getpid()), before) << "ps and pkill match the main thread's name";
}

TEST(ThreadNameTest, ABatchThreadAndTheThreadsItStartsRunUnderSchedBatch) {
  int own = -1, child = -1;
  std::thread([&] {
    MakeThisThreadBatch();
    own = sched_getscheduler(0);
    std::thread([&] { child = sched_getscheduler(0); }).join();
  }).join();
  EXPECT_EQ(own, SCHED_BATCH);
  EXPECT_EQ(child, SCHED_BATCH);
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER) << "only the calling thread changes";
}

}  // namespace
}  // namespace newsflow
