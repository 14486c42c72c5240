// ProcessingPool: a runner's copies of its stage chain processing records
// ahead of the thread that hands them on.
//
// The runner's thread submits consumed records (oldest first) and takes them
// back processed, in the same order; the copies on the pool's threads and the
// runner's own processor (ProcessOne, between hand-ons) take the next record
// as they finish one. Handing on (producing, offsets, metrics) no longer
// leaves the copies idle, as it did when a batch was processed whole and then
// handed on whole, and no thread is added to the copies (on two cores a
// third busy thread cost more in preemptions than it saved).
//
// Thread-safety: Submit, ProcessOne, WaitDone, Front*, Pop and Clear are for
// one thread (the runner's); the workers are the pool's own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "newsflow/record_processor.h"

namespace newsflow {

class ProcessingPool {
 public:
  // One worker thread per processor (not owned; each used by its thread
  // only): the runner's copies besides the one its own thread runs.
  // At most `capacity` records are in the pool at once. The threads are named
  // "#2 <name>", "#3 <name>", ... (the runner's own is copy 1).
  ProcessingPool(std::vector<RecordProcessor*> processors, size_t capacity, std::string_view name = "");
  // Stops the workers once their current record is processed.
  ~ProcessingPool();
  ProcessingPool(const ProcessingPool&) = delete;
  ProcessingPool& operator=(const ProcessingPool&) = delete;

  size_t capacity() const { return ring_.size(); }
  // Submitted and not yet popped (processed or not).
  size_t Pending() const;
  bool Full() const { return Pending() >= capacity(); }

  // Requires !Full(). The message is not owned: it must stay valid until
  // Pop or Clear hands it back.
  void Submit(rd_kafka_message_t* m);

  // Processes the oldest record no copy has taken yet, on the calling thread
  // with `p`; false when every pending record is taken.
  bool ProcessOne(RecordProcessor& p);

  // Waits up to `wait` until at least `want` of the oldest pending records
  // (at most Pending()) are processed; returns how many of the oldest are
  // processed, in a row, now. The caller pops at most that many.
  size_t WaitDone(size_t want, std::chrono::milliseconds wait);

  // The oldest pending record and its output (WaitDone said it is processed).
  rd_kafka_message_t* FrontMessage() const { return ring_[taken_ % ring_.size()].message; }
  const RecordProcessor::Output& FrontOutput() const { return ring_[taken_ % ring_.size()].out; }
  // Removes the oldest record and hands its message back.
  rd_kafka_message_t* Pop();

  // Waits for the records being processed, then empties the pool: every
  // record not yet popped (processed or not), oldest first.
  std::vector<rd_kafka_message_t*> Clear();

 private:
  struct Slot {
    rd_kafka_message_t* message = nullptr;
    RecordProcessor::Output out;
    bool done = false;
  };
  void Work(RecordProcessor* p);
  // Under mu_ (`l`), claimed_ < submitted_: processes the next record with `p`.
  void ProcessNext(std::unique_lock<std::mutex>& l, RecordProcessor& p);

  std::vector<Slot> ring_;
  std::vector<std::thread> workers_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  // Record sequence numbers (slot = number % capacity), under mu_:
  // popped < done_through <= claimed <= submitted.
  uint64_t submitted_ = 0, claimed_ = 0, done_through_ = 0;
  uint64_t taken_ = 0;    // popped; written by the runner's thread only
  uint64_t waiting_for_ = 0;  // WaitDone's target while it waits, else 0
  int working_ = 0, idle_ = 0;
  bool clearing_ = false, stopping_ = false;
};

}  // namespace newsflow
