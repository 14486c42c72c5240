// HashIndex: strings to dense indices (0, 1, 2, ... in insertion order),
// found by the strings' 128-bit XXH3 hashes in one flat, open-addressed array.
//
// The word tables of the tagger (word cache, lexicon, gazetteer keys) are
// read for every new word of every article; std::unordered_map cost two or
// three cache misses a lookup (bucket, node, key), this one probe of a flat
// array and nothing more for an absent key. The keys themselves are not kept:
// two strings with one 128-bit hash count as one, which for tables of 10^5 to
// 10^6 strings has odds of about 10^-27. Owners keep their values in a vector
// (or deque) at the returned index.
#pragma once

// Inlined: the tagger hashes short words by the million, and a call into
// the shared library costs more than the hash.
#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "huge_pages.h"

namespace newsflow::entities {

class HashIndex {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  struct Key {
    uint64_t lo = 0;
    uint64_t hi = 0;
  };
  static Key KeyOf(std::string_view s) {
    const XXH128_hash_t h = XXH3_128bits(s.data(), s.size());
    return {h.low64, h.high64};
  }

  // Starts the load of the slot where `key` would be (lookups of a sentence's
  // words overlap when their keys are computed and prefetched first).
  void Prefetch(const Key& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[key.lo & mask_]);
  }
  uint32_t Find(const Key& key) const {
    if (slots_.empty()) return kAbsent;
    for (size_t p = key.lo & mask_;; p = (p + 1) & mask_) {
      const Slot& s = slots_[p];
      if (s.index == kAbsent) return kAbsent;
      if (s.lo == key.lo && s.hi == key.hi) return s.index;
    }
  }
  uint32_t Find(std::string_view s) const { return Find(KeyOf(s)); }
  // The index of `key`, given the next free one (size()) if it is new;
  // `*inserted` says which.
  uint32_t Insert(const Key& key, bool* inserted) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t p = key.lo & mask_;
    for (; slots_[p].index != kAbsent; p = (p + 1) & mask_) {
      if (slots_[p].lo == key.lo && slots_[p].hi == key.hi) {
        *inserted = false;
        return slots_[p].index;
      }
    }
    slots_[p] = {key.lo, key.hi, static_cast<uint32_t>(size_)};
    *inserted = true;
    return static_cast<uint32_t>(size_++);
  }
  uint32_t Insert(std::string_view s, bool* inserted) { return Insert(KeyOf(s), inserted); }

  size_t size() const { return size_; }
  // Forgets every key and keeps the table's size: a cache that is emptied
  // when full fills up to the same size again.
  void Clear() {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    size_ = 0;
  }

 private:
  struct Slot {
    uint64_t lo = 0;
    uint64_t hi = 0;
    uint32_t index = kAbsent;
  };
  void Grow() {
    auto old = std::move(slots_);
    const size_t cap = std::max<size_t>(1024, old.size() * 2);
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (const Slot& s : old) {
      if (s.index == kAbsent) continue;
      size_t p = s.lo & mask_;
      while (slots_[p].index != kAbsent) p = (p + 1) & mask_;
      slots_[p] = s;
    }
  }
  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Strings to values through a HashIndex: the values live in `Store` (a
// std::deque when pointers to them must survive later additions) at the
// index of their key.
template <typename V, typename Store = std::vector<V>>
class HashedTable {
 public:
  const V* Find(std::string_view key) const {
    const uint32_t i = index_.Find(key);
    return i == HashIndex::kAbsent ? nullptr : &values_[i];
  }
  // The value of `key`, a default one added if it is new.
  V& FindOrAdd(std::string_view key) {
    bool inserted = false;
    const uint32_t i = index_.Insert(key, &inserted);
    if (inserted) values_.emplace_back();
    return values_[i];
  }
  size_t size() const { return values_.size(); }

 private:
  HashIndex index_;
  Store values_;
};

}  // namespace newsflow::entities
