// Test support: a stream that lasts as long as the test's disruptions do.
//
// Tests that kill or rescale stages while articles flow must not depend on how
// fast the chain is: a fixed input can be done before the last disruption (the
// chain got faster, the machine was idle). A Feeder publishes chunk after chunk
// on its own thread (`feed(k)` publishes chunk k, false on failure), at most one
// every `interval`, until Finish(); then, once at least `min_chunks` are out, one
// chunk more, so what happens before Finish() happens while articles flow.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace newsflow::testing {

class Feeder {
 public:
  Feeder(std::function<bool(int)> feed, int min_chunks, std::chrono::milliseconds interval,
         int max_chunks = 400)
      : thread_([this, feed = std::move(feed), min_chunks, interval, max_chunks] {
          for (int k = 0; k < max_chunks; ++k) {
            const bool last = finishing_.load() && fed_.load() >= min_chunks;
            const auto next = std::chrono::steady_clock::now() + interval;
            if (!feed(k)) {
              error_ = "publishing chunk " + std::to_string(k) + " failed";
              return;
            }
            ++fed_;
            if (last) return;
            std::this_thread::sleep_until(next);
          }
          error_ = "the feed reached its limit of " + std::to_string(max_chunks) + " chunks";
        }) {}
  ~Feeder() { Finish(); }
  Feeder(const Feeder&) = delete;
  Feeder& operator=(const Feeder&) = delete;

  // Chunks published so far.
  int fed() const { return fed_.load(); }
  // Ends the feed (after its tail chunk) and waits for it; "" or what went wrong.
  const std::string& Finish() {
    finishing_ = true;
    if (thread_.joinable()) thread_.join();
    return error_;
  }

 private:
  std::atomic<bool> finishing_{false};
  std::atomic<int> fed_{0};
  std::string error_;
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace newsflow::testing
