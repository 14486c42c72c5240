#include "newsflow/offset_tracker.h"

#include <algorithm>

namespace newsflow {

void OffsetTracker::Assign(int32_t partition, int64_t next_expected) {
  Part p;
  p.next_expected = next_expected;
  parts_[partition] = std::move(p);
}

void OffsetTracker::Revoke(int32_t partition) { parts_.erase(partition); }

int64_t OffsetTracker::NextExpected(int32_t partition) const {
  auto it = parts_.find(partition);
  return it == parts_.end() ? -1 : it->second.next_expected;
}

OffsetTracker::Consumed OffsetTracker::OnConsumed(int32_t partition, int64_t offset) {
  Part& p = parts_[partition];
  Consumed c;
  if (p.next_expected >= 0) {
    if (offset > p.next_expected) c.lost = offset - p.next_expected;
    if (offset < p.next_expected) c.redelivered = true;
  }
  if (!c.redelivered) {
    p.next_expected = offset + 1;
    p.pending.emplace_back(offset, false);
  } else {
    // A rewind (seek or broker retry): track it again in order.
    auto it = std::lower_bound(p.pending.begin(), p.pending.end(), std::make_pair(offset, false));
    if (it == p.pending.end() || it->first != offset) p.pending.insert(it, {offset, false});
  }
  return c;
}

bool OffsetTracker::MarkDone(int32_t partition, int64_t offset) {
  auto pit = parts_.find(partition);
  if (pit == parts_.end()) return false;
  Part& p = pit->second;
  auto it = std::lower_bound(p.pending.begin(), p.pending.end(), std::make_pair(offset, false));
  if (it == p.pending.end() || it->first != offset) return false;
  it->second = true;
  while (!p.pending.empty() && p.pending.front().second) {
    p.committable = p.pending.front().first + 1;
    p.dirty = true;
    p.pending.pop_front();
  }
  return true;
}

std::vector<std::pair<int32_t, int64_t>> OffsetTracker::TakeCommittable() {
  std::vector<std::pair<int32_t, int64_t>> out;
  for (auto& [part, p] : parts_) {
    if (p.dirty) {
      out.emplace_back(part, p.committable);
      p.dirty = false;
    }
  }
  return out;
}

std::vector<std::pair<int32_t, int64_t>> OffsetTracker::AllCommittable() const {
  std::vector<std::pair<int32_t, int64_t>> out;
  for (const auto& [part, p] : parts_) {
    if (p.committable >= 0) out.emplace_back(part, p.committable);
  }
  return out;
}

size_t OffsetTracker::InFlight() const {
  size_t n = 0;
  for (const auto& [part, p] : parts_) {
    for (const auto& e : p.pending) n += !e.second;
  }
  return n;
}

std::vector<OffsetTracker::PartitionView> OffsetTracker::View() const {
  std::vector<PartitionView> out;
  for (const auto& [part, p] : parts_) {
    PartitionView v;
    v.partition = part;
    v.next_expected = p.next_expected;
    for (const auto& e : p.pending) v.in_flight += !e.second;
    out.push_back(v);
  }
  return out;
}

}  // namespace newsflow
