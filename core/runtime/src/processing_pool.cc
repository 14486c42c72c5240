#include "newsflow/processing_pool.h"

#include <algorithm>
#include <string>

#include "newsflow/thread_name.h"

namespace newsflow {

ProcessingPool::ProcessingPool(std::vector<RecordProcessor*> processors, size_t capacity,
                               std::string_view name)
    : ring_(std::max<size_t>(1, capacity)) {
  workers_.reserve(processors.size());
  for (RecordProcessor* p : processors) {
    // Copy 1 is the runner's own thread: these are #2, #3, ...
    std::string thread_name = "#" + std::to_string(workers_.size() + 2) + " " + std::string(name);
    workers_.emplace_back([this, p, thread_name] {
      NameThisThread(thread_name);
      Work(p);
    });
  }
}

ProcessingPool::~ProcessingPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

size_t ProcessingPool::Pending() const {
  std::lock_guard<std::mutex> l(mu_);
  return static_cast<size_t>(submitted_ - taken_);
}

void ProcessingPool::Submit(rd_kafka_message_t* m) {
  std::unique_lock<std::mutex> l(mu_);
  Slot& s = ring_[submitted_ % ring_.size()];
  s.message = m;
  s.done = false;
  ++submitted_;
  const bool wake = idle_ > 0;
  l.unlock();
  if (wake) work_cv_.notify_one();
}

void ProcessingPool::Work(RecordProcessor* p) {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    while (!stopping_ && (clearing_ || claimed_ == submitted_)) {
      ++idle_;
      work_cv_.wait(l);
      --idle_;
    }
    if (stopping_) return;
    ProcessNext(l, *p);
  }
}

void ProcessingPool::ProcessNext(std::unique_lock<std::mutex>& l, RecordProcessor& p) {
  Slot& s = ring_[claimed_++ % ring_.size()];
  ++working_;
  l.unlock();
  p.Process(std::string_view(static_cast<const char*>(s.message->payload), s.message->len), s.out);
  l.lock();
  --working_;
  s.done = true;
  // Records finish out of order (articles differ in size): the runner
  // takes only the oldest ones in a row.
  while (done_through_ < claimed_ && ring_[done_through_ % ring_.size()].done) ++done_through_;
  if ((waiting_for_ != 0 && done_through_ >= waiting_for_) || (clearing_ && working_ == 0))
    done_cv_.notify_all();
}

bool ProcessingPool::ProcessOne(RecordProcessor& p) {
  std::unique_lock<std::mutex> l(mu_);
  if (clearing_ || claimed_ == submitted_) return false;
  ProcessNext(l, p);
  return true;
}

size_t ProcessingPool::WaitDone(size_t want, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> l(mu_);
  const uint64_t target = taken_ + std::min<uint64_t>(want, submitted_ - taken_);
  if (done_through_ < target && wait.count() > 0) {
    waiting_for_ = target;  // > done_through_, so never 0 (0: nobody waits)
    done_cv_.wait_for(l, wait, [&] { return done_through_ >= target; });
    waiting_for_ = 0;
  }
  return static_cast<size_t>(done_through_ - taken_);
}

rd_kafka_message_t* ProcessingPool::Pop() {
  std::lock_guard<std::mutex> l(mu_);
  Slot& s = ring_[taken_++ % ring_.size()];
  rd_kafka_message_t* m = s.message;
  s.message = nullptr;
  return m;
}

std::vector<rd_kafka_message_t*> ProcessingPool::Clear() {
  std::unique_lock<std::mutex> l(mu_);
  clearing_ = true;
  done_cv_.wait(l, [&] { return working_ == 0; });
  std::vector<rd_kafka_message_t*> left;
  left.reserve(static_cast<size_t>(submitted_ - taken_));
  for (uint64_t i = taken_; i < submitted_; ++i) {
    Slot& s = ring_[i % ring_.size()];
    left.push_back(s.message);
    s.message = nullptr;
  }
  taken_ = claimed_ = done_through_ = submitted_;
  clearing_ = false;
  return left;
}

}  // namespace newsflow
