// Data loaded once per process and key while anyone holds it: the copies of a
// stage in one process (`--instances N`, a fused chain's copies) share one
// load of their models instead of one each (SharedLoads<const Model>), or one
// store of what they learn (a mutable T, which must then be thread-safe
// itself: clean's TemplateStore).
//
// The holders keep shared pointers; the registry keeps weak references only,
// so data nobody holds is freed and the next Get loads it again. Put in the
// key whatever must make a new load (a file's FileStamp, paths.h), so a file
// changed on disk is read again by the next Get while older holders keep what
// they have.
//
// Thread-safety: Get may be called from any thread; a load runs under the
// registry's lock, so concurrent Gets of one key load it once.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "newsflow/status.h"

namespace newsflow {

template <typename T>
class SharedLoads {
 public:
  // The data under `key`, from a live holder or else from `load()`, which
  // returns Result<std::shared_ptr<T>> (or of non-const T for a const T);
  // its error is returned as is.
  template <typename Load>
  Result<std::shared_ptr<T>> Get(const std::string& key, Load&& load) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = held_.find(key); it != held_.end()) {
      if (auto data = it->second.lock()) return data;
    }
    auto fresh = std::forward<Load>(load)();
    if (!fresh.ok()) return fresh.status();
    std::shared_ptr<T> data = std::move(fresh).value();
    loads_.fetch_add(1, std::memory_order_relaxed);
    std::erase_if(held_, [](const auto& kv) { return kv.second.expired(); });
    held_[key] = data;
    return data;
  }

  // Loads made so far (for tests: holders of one key share one load).
  int64_t loads() const { return loads_.load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<T>> held_;
  std::atomic<int64_t> loads_{0};
};

}  // namespace newsflow
