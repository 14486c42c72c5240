// Allocator for large tables read at random (the weight table, the word
// cache's tables): blocks of 4 MB and more are 2 MB aligned and asked to be
// backed by transparent huge pages, so a lookup costs one cache miss instead
// of a TLB miss as well. Smaller blocks come from the ordinary allocator.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace newsflow::entities {

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{2} << 20;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < 2 * kHuge) return std::allocator<T>().allocate(n);
    const size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (p == nullptr) throw std::bad_alloc();
    (void)madvise(p, rounded, MADV_HUGEPAGE);  // a hint: without THP, plain pages
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < 2 * kHuge) {
      std::allocator<T>().deallocate(p, n);
    } else {
      std::free(p);
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
};

// Elements that never move (references stay valid as it grows, as in a
// std::deque), kept in chunks of kChunk elements from HugePageAllocator: a
// std::deque of 200-byte entries puts two in each heap block, scattered on
// 4 KB pages, so reading one cost a TLB miss besides the cache miss.
template <typename T, size_t kChunk = 32768>
class ChunkedStore {
 public:
  ChunkedStore() = default;
  ChunkedStore(const ChunkedStore&) = delete;
  ChunkedStore& operator=(const ChunkedStore&) = delete;
  ChunkedStore(ChunkedStore&& o) noexcept
      : chunks_(std::move(o.chunks_)), size_(std::exchange(o.size_, 0)) {}
  ChunkedStore& operator=(ChunkedStore&& o) noexcept {
    if (this != &o) {
      Release();
      chunks_ = std::move(o.chunks_);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  ~ChunkedStore() { Release(); }

  T& emplace_back() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(HugePageAllocator<T>().allocate(kChunk));
    T* p = chunks_[size_ / kChunk] + size_ % kChunk;
    ::new (static_cast<void*>(p)) T();
    ++size_;
    return *p;
  }
  T& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  size_t size() const { return size_; }
  // Destroys every element; keeps the chunks for the next ones.
  void clear() {
    for (size_t i = 0; i < size_; ++i) (*this)[i].~T();
    size_ = 0;
  }

 private:
  void Release() {
    clear();
    for (T* c : chunks_) HugePageAllocator<T>().deallocate(c, kChunk);
    chunks_.clear();
  }
  std::vector<T*> chunks_;
  size_t size_ = 0;
};

}  // namespace newsflow::entities
