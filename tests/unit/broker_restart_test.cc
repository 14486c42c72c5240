// BrokerMonitor (broker_restart.h): a new incarnation in the bootstrap file is
// noticed, writers' acknowledged ends reach readers through the ledger; and the
// per-partition view of OffsetTracker that the loss count is built on.
#include "newsflow/broker_restart.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "newsflow/kafka.h"
#include "newsflow/offset_tracker.h"

namespace newsflow {
namespace {

TEST(OffsetTrackerViewTest, CountsInFlightAndNextExpectedPerPartition) {
  OffsetTracker t;
  t.Assign(0, 10);
  t.Assign(1, 0);
  for (int64_t o = 10; o < 15; ++o) t.OnConsumed(0, o);
  t.MarkDone(0, 10);
  t.MarkDone(0, 12);
  auto v = t.View();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].partition, 0);
  EXPECT_EQ(v[0].next_expected, 15);
  EXPECT_EQ(v[0].in_flight, 3u);  // 11, 13, 14
  EXPECT_EQ(v[1].next_expected, 0);
  EXPECT_EQ(v[1].in_flight, 0u);
}

TEST(BrokerMonitorTest, NoticesANewIncarnationAndSharesWhatWritersHadAcked) {
  auto dir = std::filesystem::temp_directory_path() /
             ("broker-monitor-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string boot = (dir / "broker.bootstrap").string();
  std::string first = NewBrokerIncarnation(), second = NewBrokerIncarnation();
  ASSERT_EQ(first.size(), 32u);
  ASSERT_NE(first, second);
  ASSERT_TRUE(WriteBootstrapFile(boot, "127.0.0.1:1", first).ok());
  auto resolved = ResolveKafka("", boot);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->incarnation, first);
  EXPECT_EQ(resolved->bootstrap_file, boot);

  BrokerMonitor& m = BrokerMonitor::Get();
  m.Watch(boot, first);
  m.NoteAcked("news.raw", 0, 41);
  m.NoteAcked("news.raw", 0, 40);
  m.NoteAcked("news.raw", 3, 7);
  m.NoteAcked("news.clean", 0, 99);
  EXPECT_EQ(m.AckedCount(), 4);
  std::this_thread::sleep_for(2 * BrokerMonitor::kPollInterval);
  EXPECT_FALSE(m.Restarted()) << "the same incarnation is no restart";

  // Another writer of this box left its ledger for the first incarnation.
  std::filesystem::create_directories(LedgerDir(boot) + "/" + first);
  std::ofstream(LedgerDir(boot) + "/" + first + "/1.acked") << "news.raw 0 30\nnews.raw 1 12\n";
  std::filesystem::create_directories(LedgerDir(boot) + "/older");
  EXPECT_EQ(PrepareLedgers(boot), first);  // what a new broker does before writing its file
  EXPECT_FALSE(std::filesystem::exists(LedgerDir(boot) + "/older"));
  ASSERT_TRUE(WriteBootstrapFile(boot, "127.0.0.1:2", second).ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!m.Restarted() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(m.Restarted());
  EXPECT_EQ(m.new_incarnation(), second);
  auto ends = m.AckedEnds("news.raw");
  EXPECT_EQ(ends, (std::map<int32_t, int64_t>{{0, 42}, {1, 12}, {3, 8}}));

  m.Watch(boot, second);  // re-armed on the new broker
  EXPECT_FALSE(m.Restarted());
  EXPECT_EQ(m.AckedCount(), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace newsflow
