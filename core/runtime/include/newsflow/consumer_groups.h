// Consumer-group offsets: read a group's state and committed offsets, plan a
// reset (to a time, an offset, the beginning or the end, as
// `kafka-consumer-groups --reset-offsets` does) and apply it. Used by
// `newsflow replay`.
//
// The parsing and planning parts are pure (no Kafka); the rest uses
// librdkafka 2.0.2's admin API (DescribeConsumerGroups,
// ListConsumerGroupOffsets, AlterConsumerGroupOffsets) and
// rd_kafka_offsets_for_times / watermarks on any client handle.
//
// Thread-safety: free functions; a handle is used by one caller at a time.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/status.h"

namespace newsflow {

// "2026-12-02T10:00:00Z", "2026-12-02T10:00:00.250+01:00", "2026-12-02 10:00:00"
// (no zone: UTC) -> milliseconds since the Unix epoch.
Result<int64_t> ParseDatetime(std::string_view text);

// "10m", "90s", "1h30m", "2d", "500ms", or ISO 8601 "PT10M" / "P1DT2H" -> milliseconds (> 0).
Result<int64_t> ParseDuration(std::string_view text);

// Where to move a group's committed offsets.
struct ResetSpec {
  enum class Kind { kToDatetime, kByDuration, kToOffset, kShiftBy, kToEarliest, kToLatest };
  Kind kind = Kind::kToEarliest;
  int64_t value = 0;  // datetime: ms since epoch; duration: ms; offset; shift (signed)

  // The timestamp to look offsets up at (time kinds only); `now_ms` for durations.
  int64_t TimestampMs(int64_t now_ms) const;
  bool ByTime() const { return kind == Kind::kToDatetime || kind == Kind::kByDuration; }
  std::string Describe() const;  // "to 2026-12-02T10:00:00.000Z", "to the earliest offset", ...
};

// A partition of the group's topic as read from the cluster.
struct PartitionState {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;    // the group's committed offset; -1: none
  int64_t low = 0, high = 0;  // watermarks: first offset kept, next offset to be written
  int64_t time_offset = -1;  // time kinds: first offset with timestamp >= the time; -1: none (end)
};

// One line of the plan.
struct PartitionMove {
  std::string topic;
  int32_t partition = 0;
  int64_t current = -1;   // committed offset; -1: none
  int64_t position = 0;   // where the group would resume now (committed, else the earliest)
  int64_t target = 0;     // the new committed offset
  // Records the group will read again (position - target); negative: skipped.
  int64_t Reread() const { return position - target; }
};

// The plan: for each partition, the new offset, clamped to [low, high] as
// the Kafka tool does. A group with no committed offset resumes at `low`
// (newsflow consumers use auto.offset.reset=earliest).
std::vector<PartitionMove> PlanReset(const std::vector<PartitionState>& partitions, const ResetSpec& spec);

// The plan as a table, one line a partition, with a header and a total.
std::string FormatPlan(const std::string& group, const std::vector<PartitionMove>& plan);

// --- Against a cluster ---------------------------------------------------

struct GroupMember {
  std::string member_id, client_id, host;
};

struct GroupDescription {
  std::string group;
  std::string state;  // "Empty", "Stable", "Dead", ...
  std::vector<GroupMember> members;
  // Members may be live unless the group is Empty or Dead (no such group).
  bool HasLiveMembers() const;
  // "client id newsflow, host /127.0.0.1 (member newsflow-…); ..."
  std::string DescribeMembers() const;
};

// DescribeConsumerGroups for one group. On a broker without the API (the
// embedded broker) the error says that a real Kafka cluster is needed.
Result<GroupDescription> DescribeGroup(rd_kafka_t* rk, const std::string& group, int timeout_ms);

// Every partition of `topic`: the group's committed offset and the watermarks.
Result<std::vector<PartitionState>> ReadPartitions(rd_kafka_t* rk, const std::string& group,
                                                   const std::string& topic, int timeout_ms);

// Fills `time_offset` of each partition for `timestamp_ms` (offsets_for_times).
Status ResolveTimes(rd_kafka_t* rk, int64_t timestamp_ms, std::vector<PartitionState>& partitions,
                    int timeout_ms);

// Commits the plan's targets for `group` (AlterConsumerGroupOffsets). The
// broker refuses partitions the group is consuming; any partition error fails.
Status AlterGroupOffsets(rd_kafka_t* rk, const std::string& group, const std::vector<PartitionMove>& plan,
                         int timeout_ms);

}  // namespace newsflow
