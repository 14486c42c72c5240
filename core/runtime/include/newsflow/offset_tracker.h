// OffsetTracker: which input offsets are safe to commit, and which offsets
// never arrived. Pure logic, no Kafka, so it is unit-tested on its own.
//
// A record's offset becomes committable only when its output (or dead letter)
// is acknowledged, and only once every earlier offset of the same partition
// is too: the committed position is the end of the contiguous done prefix.
// Offsets that jump forward are reported as lost (the embedded broker evicts
// old data silently when a consumer falls behind).
//
// Thread-safety: none; the runner uses it from its one loop thread.
#pragma once

#include <cstdint>
#include <cstddef>
#include <deque>
#include <map>
#include <utility>
#include <vector>

namespace newsflow {

class OffsetTracker {
 public:
  // Starts tracking `partition`; `next_expected` is the committed position
  // (-1 when unknown: no gap check for the first record).
  void Assign(int32_t partition, int64_t next_expected);
  void Revoke(int32_t partition);
  // The offset the next record of `partition` should have; -1 when unknown
  // (assigned without a committed offset, nothing consumed yet).
  int64_t NextExpected(int32_t partition) const;
  bool Assigned(int32_t partition) const { return parts_.count(partition) != 0; }

  struct Consumed {
    int64_t lost = 0;         // offsets skipped before this one
    bool redelivered = false; // at or below an offset already seen
  };
  // REQUIRES: Assigned(partition).
  Consumed OnConsumed(int32_t partition, int64_t offset);
  // The record's output is safe; returns false for an unknown offset.
  bool MarkDone(int32_t partition, int64_t offset);

  // Partitions whose committable position advanced since the last call, with
  // that position (the next offset to read).
  std::vector<std::pair<int32_t, int64_t>> TakeCommittable();
  // Positions for everything assigned that has one (for a final commit).
  std::vector<std::pair<int32_t, int64_t>> AllCommittable() const;

  size_t InFlight() const;  // consumed, not yet done

  // Per assigned partition: the next offset expected and how many consumed
  // records are not done yet (what a broker that vanished takes with it).
  struct PartitionView {
    int32_t partition = 0;
    int64_t next_expected = -1;
    size_t in_flight = 0;
  };
  std::vector<PartitionView> View() const;

 private:
  struct Part {
    int64_t next_expected = -1;
    int64_t committable = -1;  // -1: nothing done yet
    bool dirty = false;
    std::deque<std::pair<int64_t, bool>> pending;  // (offset, done), ascending
  };
  std::map<int32_t, Part> parts_;
};

}  // namespace newsflow
