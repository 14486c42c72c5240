// KafkaProducer: a thin owner of a librdkafka producer with per-message
// delivery callbacks. Callbacks run on the thread that calls Poll or Flush.
//
// Thread-safety: Produce may be called from several threads; Poll/Flush
// should be called from one (callbacks run there).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "newsflow/kafka.h"
#include "newsflow/status.h"

namespace newsflow {

// Carries the first produce time (ms since the epoch, decimal) from stage to
// stage; absent on records straight from a producer, whose Kafka timestamp
// is that time.
inline constexpr const char* kProducedAtHeader = "newsflow-produced-ms";

// Where the records this process wrote end, per partition: after
// TrackAckedEnds(), every producer of the process notes for each record Kafka
// acknowledged the offset after it, and AckedEnds(topic) says, for each
// partition written, the offset after the last record acknowledged so far.
// A reader that has finished every record below those offsets has everything
// this process wrote to the topic, whatever the count of records it saw (a
// record sent again after a lost producer state arrives twice). `run` ends on
// it (off elsewhere: it costs a lock per acknowledgement).
void TrackAckedEnds();
std::map<int32_t, int64_t> AckedEnds(const std::string& topic);

class KafkaProducer {
 public:
  // err == NO_ERROR when the broker acknowledged the message.
  using DeliveryFn = std::function<void(rd_kafka_resp_err_t err, int32_t partition, int64_t offset)>;

  static Result<std::unique_ptr<KafkaProducer>> Create(const KafkaOptions& o);
  ~KafkaProducer();

  // Copies key and value. Waits (serving callbacks) while the local queue is
  // full. An immediate error (e.g. message too large) is returned and
  // `on_delivery` is not called. `origin_ms` > 0 goes out in the
  // kProducedAtHeader header: when the record's article first entered Kafka
  // (end-to-end latency from produce time, docs/metrics.md).
  Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                 DeliveryFn on_delivery, int64_t origin_ms = 0);

  // Learns `topic`'s partitions before its first record (best effort, up to
  // 5 s; a failure shows again on delivery). A record produced while they are
  // unknown waits in librdkafka 2.0's unassigned queue, and moving it to its
  // partition once metadata arrives wakes no broker thread: it leaves on that
  // thread's next 1 s tick (every `newsflow produce` started a second late).
  void LearnPartitions(const std::string& topic);

  int Poll(int timeout_ms) { return rd_kafka_poll(rk_.get(), timeout_ms); }
  // Waits until every message is delivered or failed, serving callbacks.
  Status Flush(std::chrono::milliseconds timeout);
  int QueueLength() const { return rd_kafka_outq_len(rk_.get()); }
  rd_kafka_t* handle() { return rk_.get(); }
  const rd_kafka_t* handle() const { return rk_.get(); }
  const std::string& brokers() const { return brokers_; }

 private:
  KafkaProducer() = default;
  KafkaHandle rk_;
  std::string brokers_;
};

// FlowController: holds a writer back while the group that consumes `topic`
// is too far behind (the embedded broker keeps only ~5 MiB per partition and
// evicts older data silently). A background thread compares the group's
// committed offsets with the high watermarks: every `interval` while the
// writer nears a limit, every 10th far from it, every 100th (a second) while
// the writer has written nothing since the last check.
class FlowController {
 public:
  struct Limits {
    int64_t max_backlog_messages = 20000;      // per partition
    int64_t max_backlog_bytes = 3 * 1024 * 1024;  // per partition, estimated (the mock keeps ~5 MiB)
    std::chrono::milliseconds interval{10};  // between checks near a limit (10x far, 100x idle)
    // No hold until the group has committed an offset of the topic once: for
    // dead letters, whose reader is optional (a separate `stage` must not stop
    // for want of one), while one that has read them is waited for.
    bool only_once_read = false;
    // On a real cluster retention is the broker's (days, by default), not a few
    // MiB: the hold is only a bound on how far a writer runs ahead (issue 16:
    // the embedded bounds there held the chain to a third of its speed).
    static Limits For(const KafkaOptions& o) {
      Limits l;
      if (!o.embedded) {
        l.max_backlog_messages = 1000000;
        l.max_backlog_bytes = int64_t{1} << 30;
      }
      return l;
    }
  };

  static Result<std::unique_ptr<FlowController>> Start(const KafkaOptions& o, std::string topic,
                                                       std::string group, Limits limits);
  // Flow control of dead letters written to `topic` for the dead-letter sink's
  // `group`: only on the embedded broker, which keeps about 5 MiB of a
  // partition (a real cluster keeps days), so null elsewhere. With
  // `reader_optional` (a writer that does not know a dead-letter sink runs:
  // `produce`, `watch`, a separate `stage`) it holds the writer only once the
  // group has read (committed) once: nobody may ever start one.
  static Result<std::unique_ptr<FlowController>> ForDeadLetters(const KafkaOptions& o, std::string topic,
                                                                std::string group, bool reader_optional);
  ~FlowController();

  // True while the last check found a partition over its limit, or when what
  // was produced since that check could push one over (checks are periodic,
  // the writer is not).
  bool Blocked() const;
  // The estimate Blocked() judges, as a fraction of the nearer limit (1: at it).
  double Pressure() const;
  // Checks made against the broker so far.
  int64_t checks() const { return checks_.load(std::memory_order_relaxed); }
  int partitions() const { return partitions_; }  // of the topic, at the start
  int64_t MaxBacklog() const { return max_backlog_.load(std::memory_order_relaxed); }
  const std::string& group() const { return group_; }
  // Why the writer is held back, for the log: the group, topic, backlog and
  // limits, and a hint when the group has never committed (no consumer).
  std::string Why() const;
  const std::string& topic() const { return topic_; }
  // The writer reports each message it enqueues and each the broker acks, so
  // messages still in its local queue count against the limit too.
  void NoteProduced(size_t bytes);
  void NoteAcked() { acked_count_.fetch_add(1, std::memory_order_relaxed); }

 private:
  FlowController() = default;
  void Loop();
  Status Check();

  KafkaHandle rk_;
  std::string topic_, group_;
  Limits limits_;
  int partitions_ = 0;
  std::atomic<bool> blocked_{false};
  std::atomic<int64_t> max_backlog_{0};
  std::atomic<bool> never_committed_{false};
  std::atomic<bool> ever_read_{false};  // the group has committed once (only_once_read)
  std::atomic<int64_t> produced_bytes_{0}, produced_count_{0};
  std::atomic<int64_t> acked_count_{0}, acked_at_check_{0};
  std::atomic<int64_t> checks_{0};
  int64_t produced_at_check_ = 0;  // produced_count_ when the last check began (checking thread only)
  std::atomic<bool> stop_{false};
  std::unique_ptr<std::thread> thread_;
};

}  // namespace newsflow
