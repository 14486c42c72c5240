#include "newsflow/offset_tracker.h"

#include <gtest/gtest.h>

namespace newsflow {
namespace {

using Positions = std::vector<std::pair<int32_t, int64_t>>;

TEST(OffsetTrackerTest, CommitsOnlyTheContiguousDonePrefix) {
  OffsetTracker t;
  t.Assign(0, 10);
  for (int64_t o = 10; o < 15; ++o) t.OnConsumed(0, o);
  EXPECT_TRUE(t.MarkDone(0, 12));
  EXPECT_TRUE(t.MarkDone(0, 11));
  EXPECT_TRUE(t.TakeCommittable().empty()) << "10 is not done, nothing may be committed";
  EXPECT_TRUE(t.MarkDone(0, 10));
  EXPECT_EQ(t.TakeCommittable(), (Positions{{0, 13}}));
  EXPECT_TRUE(t.TakeCommittable().empty()) << "reported once";
  EXPECT_EQ(t.InFlight(), 2u);
}

TEST(OffsetTrackerTest, PartitionsAreIndependent) {
  OffsetTracker t;
  t.Assign(0, 0);
  t.Assign(3, 100);
  t.OnConsumed(0, 0);
  t.OnConsumed(3, 100);
  t.MarkDone(3, 100);
  EXPECT_EQ(t.TakeCommittable(), (Positions{{3, 101}}));
  EXPECT_EQ(t.AllCommittable(), (Positions{{3, 101}}));
}

TEST(OffsetTrackerTest, ReportsGapsAsLost) {
  OffsetTracker t;
  t.Assign(0, 0);
  EXPECT_EQ(t.OnConsumed(0, 0).lost, 0);
  EXPECT_EQ(t.OnConsumed(0, 1).lost, 0);
  EXPECT_EQ(t.OnConsumed(0, 7).lost, 5);
  EXPECT_EQ(t.OnConsumed(0, 8).lost, 0);
}

TEST(OffsetTrackerTest, FirstRecordAfterCommitIsCheckedForAGap) {
  OffsetTracker t;
  t.Assign(1, 50);
  EXPECT_EQ(t.OnConsumed(1, 60).lost, 10);
  OffsetTracker unknown;
  unknown.Assign(1, -1);
  EXPECT_EQ(unknown.OnConsumed(1, 60).lost, 0) << "no committed position, nothing to compare";
}

TEST(OffsetTrackerTest, RewindIsRedeliveryNotLoss) {
  OffsetTracker t;
  t.Assign(0, 0);
  t.OnConsumed(0, 0);
  t.OnConsumed(0, 1);
  auto c = t.OnConsumed(0, 0);
  EXPECT_TRUE(c.redelivered);
  EXPECT_EQ(c.lost, 0);
}

TEST(OffsetTrackerTest, RevokeForgetsThePartition) {
  OffsetTracker t;
  t.Assign(0, 0);
  t.OnConsumed(0, 0);
  t.Revoke(0);
  EXPECT_FALSE(t.Assigned(0));
  EXPECT_FALSE(t.MarkDone(0, 0));
  EXPECT_EQ(t.InFlight(), 0u);
}

}  // namespace
}  // namespace newsflow
