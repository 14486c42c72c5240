// ProcessingPool: copies of a stage chain on threads of their own; records
// come back processed in the order they went in, whatever order the copies
// finish them in.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <dirent.h>

#include "newsflow/codec.h"
#include "newsflow/processing_pool.h"

namespace newsflow {
namespace {

using namespace std::chrono_literals;

// Takes longer the earlier the article (its body is the number of
// milliseconds): the copies finish records out of order.
class SleepStage : public Stage {
 public:
  Result<Outcome> Process(Article& a) override {
    ++running;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(a.body)));
    a.meta["seen"] = "yes";
    --running;
    return Outcome::Forward();
  }
  std::atomic<int> running{0};
};

// rd_kafka_message_t is a plain struct: the pool reads payload and len only.
struct Messages {
  std::deque<std::string> payloads;
  std::deque<rd_kafka_message_t> messages;
  rd_kafka_message_t* Add(const std::string& id, int sleep_ms) {
    Article a;
    a.id = id;
    a.source = "test";
    a.fetched_at = "2026-01-01T00:00:00Z";
    a.body = std::to_string(sleep_ms);
    payloads.push_back(Codec::Encode(a));
    rd_kafka_message_t m{};
    m.payload = payloads.back().data();
    m.len = payloads.back().size();
    messages.push_back(m);
    return &messages.back();
  }
};

TEST(ProcessingPoolTest, RecordsComeBackInTheOrderTheyWentIn) {
  SleepStage s0, s1, s2;
  RecordProcessor p0({{"sleep", &s0, nullptr}}, {}), p1({{"sleep", &s1, nullptr}}, {}),
      p2({{"sleep", &s2, nullptr}}, {});
  ProcessingPool pool({&p0, &p1, &p2}, 8);
  Messages msgs;
  std::vector<rd_kafka_message_t*> in;
  for (int i = 0; i < 24; ++i) in.push_back(msgs.Add("m" + std::to_string(i), (24 - i) % 5 * 3));
  size_t next = 0, out = 0;
  Codec codec;
  while (out < in.size()) {
    while (next < in.size() && !pool.Full()) pool.Submit(in[next++]);
    EXPECT_LE(pool.Pending(), pool.capacity());
    size_t ready = pool.WaitDone(4, 1000ms);
    ASSERT_GT(ready, 0u) << "nothing processed within a second";
    for (; ready > 0; --ready, ++out) {
      ASSERT_EQ(pool.FrontMessage(), in[out]);
      const RecordProcessor::Output& o = pool.FrontOutput();
      ASSERT_EQ(o.kind, RecordProcessor::Output::Kind::kForward);
      Article a;
      ASSERT_TRUE(codec.Decode(o.value, a).ok());
      EXPECT_EQ(a.id, "m" + std::to_string(out)) << "an output was paired with another record";
      EXPECT_EQ(a.meta["seen"], "yes");
      EXPECT_EQ(pool.Pop(), in[out]);
    }
  }
  EXPECT_EQ(pool.Pending(), 0u);
}

TEST(ProcessingPoolTest, ClearWaitsForTheCopiesAndReturnsWhatWasNotTaken) {
  SleepStage s0, s1;
  RecordProcessor p0({{"sleep", &s0, nullptr}}, {}), p1({{"sleep", &s1, nullptr}}, {});
  ProcessingPool pool({&p0, &p1}, 16);
  Messages msgs;
  std::vector<rd_kafka_message_t*> in;
  for (int i = 0; i < 10; ++i) in.push_back(msgs.Add("c" + std::to_string(i), 50));
  for (auto* m : in) pool.Submit(m);
  ASSERT_EQ(pool.WaitDone(2, 5000ms), 2u);
  EXPECT_EQ(pool.Pop(), in[0]);
  std::vector<rd_kafka_message_t*> left = pool.Clear();
  // No copy still reads a record the caller may now destroy.
  EXPECT_EQ(s0.running.load() + s1.running.load(), 0);
  ASSERT_EQ(left.size(), 9u);
  for (size_t i = 0; i < left.size(); ++i) EXPECT_EQ(left[i], in[i + 1]);
  EXPECT_EQ(pool.Pending(), 0u);
  // The pool works again after a Clear.
  rd_kafka_message_t* again = msgs.Add("again", 0);
  pool.Submit(again);
  ASSERT_EQ(pool.WaitDone(1, 5000ms), 1u);
  EXPECT_EQ(pool.Pop(), again);
}

// The names of this process's threads now (/proc/self/task/*/comm).
std::multiset<std::string> ThreadNames() {
  std::multiset<std::string> names;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/comm");
    std::string name;
    if (std::getline(in, name)) names.insert(name);
  }
  closedir(d);
  return names;
}

TEST(ProcessingPoolTest, ItsThreadsAreNamedAfterTheChainAndTheirCopy) {
  SleepStage s1, s2;
  RecordProcessor p1({{"sleep", &s1, nullptr}}, {}), p2({{"sleep", &s2, nullptr}}, {});
  {
    ProcessingPool pool({&p1, &p2}, 4, "clean+langid");
    // The threads name themselves as they start: wait for it (at most 5 s).
    auto both_named = [] {
      const auto names = ThreadNames();
      return names.count("#2 clean+langid") == 1 && names.count("#3 clean+langid") == 1;
    };
    for (int i = 0; i < 500 && !both_named(); ++i) std::this_thread::sleep_for(10ms);
    const auto names = ThreadNames();
    EXPECT_EQ(names.count("#2 clean+langid"), 1u);
    EXPECT_EQ(names.count("#3 clean+langid"), 1u);
  }
  // A joined thread's /proc entry can outlive the join by a moment.
  auto gone = [] { return ThreadNames().count("#2 clean+langid") == 0; };
  for (int i = 0; i < 500 && !gone(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(gone()) << "the pool's threads end with it";
}

}  // namespace
}  // namespace newsflow
