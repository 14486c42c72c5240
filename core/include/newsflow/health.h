// Health of what a stage depends on beyond Kafka (a subprocess stage's
// program), for /readyz. A stage adds a condition to the board of its
// metrics registry at Open, keeps it current, and drops it when it goes
// away; the runtime's Readiness (metrics.h) reports the process not ready
// while any condition is down. Lives in core so stage libraries can use it
// without linking the runtime (librdkafka).
//
// Thread-safety: all members are safe to call from any thread.
#pragma once

#include <atomic>
#include <list>
#include <mutex>
#include <string>

namespace prometheus {
class Registry;
}

namespace newsflow {

class HealthBoard {
 public:
  class Condition {
   public:
    // Up or down, and a short line saying what it is or why it is down.
    void Set(bool up, std::string detail);
    bool up() const { return up_.load(std::memory_order_acquire); }
    std::string detail() const;
    const std::string& name() const { return name_; }

   private:
    friend class HealthBoard;
    std::string name_;
    std::atomic<bool> up_{false};
    mutable std::mutex mu_;
    std::string detail_;
  };

  // The board of the process that owns `registry`.
  static HealthBoard& For(prometheus::Registry& registry);

  // A new condition, down until Set(true, ...); valid until Drop.
  Condition& Add(const std::string& name);
  void Drop(Condition& c);
  // True when every condition is up; appends one line per condition to `why`.
  bool Ready(std::string* why) const;

 private:
  mutable std::mutex mu_;
  std::list<Condition> conditions_;
};

}  // namespace newsflow
