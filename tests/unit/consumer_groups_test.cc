// The pure parts of `newsflow replay`: time and duration parsing, and the
// reset plan computed from partition states (no Kafka).
#include <gtest/gtest.h>

#include "newsflow/consumer_groups.h"

namespace newsflow {
namespace {

TEST(ReplayParseTest, DatetimeInUtcAndWithZones) {
  auto t = ParseDatetime("2026-12-02T10:00:00Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, 1796205600000LL);  // date -u -d 2026-12-02T10:00:00Z +%s
  EXPECT_EQ(*ParseDatetime("2026-12-02T10:00:00"), *t) << "no zone means UTC";
  EXPECT_EQ(*ParseDatetime("2026-12-02 10:00:00Z"), *t);
  EXPECT_EQ(*ParseDatetime("2026-12-02T11:00:00+01:00"), *t);
  EXPECT_EQ(*ParseDatetime("2026-12-02T05:30:00-0430"), *t);
  EXPECT_EQ(*ParseDatetime("2026-12-02T10:00Z"), *t) << "seconds are optional";
  EXPECT_EQ(*ParseDatetime("2026-12-02T10:00:00.250Z"), *t + 250);
  EXPECT_EQ(*ParseDatetime("2026-12-02T10:00:00.5Z"), *t + 500);
  EXPECT_EQ(*ParseDatetime("2026-12-02"), *t - 10 * 3600 * 1000);
  EXPECT_EQ(*ParseDatetime("1970-01-01T00:00:00Z"), 0);
}

TEST(ReplayParseTest, BadDatetimesNameTheValueAndTheFormat) {
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-12-02T25:00:00Z",
                          "2026-12-02T10:00:00Q", "2026-12-02T10:00:00Z junk", "2026-12-02T10",
                          // zone offsets past 23:59 (+99:99 was taken as 100 hours 39 minutes)
                          "2026-12-02T10:00:00+99:99", "2026-12-02T10:00:00-24:00", "2026-12-02T10:00:00+05:60"}) {
    auto t = ParseDatetime(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find(std::string("'") + bad + "'"), std::string::npos) << t.status().message();
    EXPECT_NE(t.status().message().find("YYYY-MM-DD"), std::string::npos);
  }
}

TEST(ReplayParseTest, Durations) {
  EXPECT_EQ(*ParseDuration("10m"), 600'000);
  EXPECT_EQ(*ParseDuration("90s"), 90'000);
  EXPECT_EQ(*ParseDuration("1h30m"), 5'400'000);
  EXPECT_EQ(*ParseDuration("2d"), 172'800'000);
  EXPECT_EQ(*ParseDuration("500ms"), 500);
  EXPECT_EQ(*ParseDuration("PT10M"), 600'000);
  EXPECT_EQ(*ParseDuration("P1DT2H"), 93'600'000);
  EXPECT_EQ(*ParseDuration("pt1h5s"), 3'605'000);
  for (const char* bad : {"", "10", "m", "10x", "0s", "P1M", "-5m", "10 m"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ReplayParseTest, ByDurationLooksUpNowMinusTheDuration) {
  ResetSpec s{ResetSpec::Kind::kByDuration, 600'000};
  EXPECT_EQ(s.TimestampMs(1'000'000'000), 1'000'000'000 - 600'000);
  ResetSpec d{ResetSpec::Kind::kToDatetime, 42};
  EXPECT_EQ(d.TimestampMs(1'000'000'000), 42);
}

// Three partitions: [0] committed 80 of 20..100; [1] never committed, 10..50;
// [2] empty (5..5), committed 5.
std::vector<PartitionState> Parts() {
  return {{"news.raw", 0, 80, 20, 100, 60},
          {"news.raw", 1, -1, 10, 50, -1},
          {"news.raw", 2, 5, 5, 5, -1}};
}

TEST(ReplayPlanTest, ToEarliestAndLatest) {
  auto plan = PlanReset(Parts(), {ResetSpec::Kind::kToEarliest, 0});
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].target, 20);
  EXPECT_EQ(plan[0].Reread(), 60);
  EXPECT_EQ(plan[1].current, -1);
  EXPECT_EQ(plan[1].position, 10) << "no committed offset: the group resumes at the earliest";
  EXPECT_EQ(plan[1].target, 10);
  EXPECT_EQ(plan[1].Reread(), 0);
  EXPECT_EQ(plan[2].target, 5);
  plan = PlanReset(Parts(), {ResetSpec::Kind::kToLatest, 0});
  EXPECT_EQ(plan[0].target, 100);
  EXPECT_EQ(plan[0].Reread(), -20) << "negative: records skipped";
  EXPECT_EQ(plan[1].target, 50);
  EXPECT_EQ(plan[1].Reread(), -40);
}

TEST(ReplayPlanTest, ToOffsetAndShiftAreClampedToWhatThePartitionKeeps) {
  auto plan = PlanReset(Parts(), {ResetSpec::Kind::kToOffset, 30});
  EXPECT_EQ(plan[0].target, 30);
  EXPECT_EQ(plan[1].target, 30);
  EXPECT_EQ(plan[2].target, 5);
  plan = PlanReset(Parts(), {ResetSpec::Kind::kToOffset, 1000});
  EXPECT_EQ(plan[0].target, 100);
  plan = PlanReset(Parts(), {ResetSpec::Kind::kShiftBy, -70});
  EXPECT_EQ(plan[0].target, 20) << "80-70 is below the earliest kept offset";
  EXPECT_EQ(plan[1].target, 10);
  plan = PlanReset(Parts(), {ResetSpec::Kind::kShiftBy, -15});
  EXPECT_EQ(plan[0].target, 65);
  EXPECT_EQ(plan[0].Reread(), 15);
  plan = PlanReset(Parts(), {ResetSpec::Kind::kShiftBy, 15});
  EXPECT_EQ(plan[1].target, 25) << "shift counts from where the group resumes";
}

TEST(ReplayPlanTest, ByTimeUsesTheLookedUpOffsetElseTheEnd) {
  auto plan = PlanReset(Parts(), {ResetSpec::Kind::kToDatetime, 123});
  EXPECT_EQ(plan[0].target, 60);
  EXPECT_EQ(plan[0].Reread(), 20);
  EXPECT_EQ(plan[1].target, 50) << "no record at or after the time: the end";
  EXPECT_EQ(plan[2].target, 5);
}

TEST(ReplayPlanTest, SortedAndFormattedOneLineAPartition) {
  auto parts = Parts();
  std::swap(parts[0], parts[2]);
  auto plan = PlanReset(parts, {ResetSpec::Kind::kToEarliest, 0});
  EXPECT_EQ(plan[0].partition, 0);
  EXPECT_EQ(plan[2].partition, 2);
  std::string text = FormatPlan("newsflow-clean", plan);
  EXPECT_NE(text.find("TOPIC"), std::string::npos);
  EXPECT_NE(text.find("RE-READ"), std::string::npos);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 5u) << text;  // header, 3 partitions, total
  EXPECT_NE(text.find("news.raw         1              -             10              0"), std::string::npos) << text;
  EXPECT_NE(text.find("60 records to re-read"), std::string::npos) << text;
}

TEST(ReplayGroupTest, LiveMembersUnlessEmptyOrDead) {
  GroupDescription g{"newsflow-clean", "Empty", {}};
  EXPECT_FALSE(g.HasLiveMembers());
  g.state = "Dead";
  EXPECT_FALSE(g.HasLiveMembers());
  g.state = "PreparingRebalance";
  EXPECT_TRUE(g.HasLiveMembers());
  g.state = "Stable";
  g.members.push_back({"m-1", "newsflow", "/127.0.0.1"});
  EXPECT_TRUE(g.HasLiveMembers());
  EXPECT_EQ(g.DescribeMembers(), "client id newsflow, host /127.0.0.1 (member m-1)");
}

}  // namespace
}  // namespace newsflow
