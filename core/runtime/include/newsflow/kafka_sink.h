// KafkaArticleSink: the ArticleSink producers use. Publishes raw articles to
// news.raw keyed by article id, holds back while the topic's consumer group
// is too far behind (FlowController), and sends dead letters to news.dlq.
//
// After a broker's failover the idempotent producer may find its state lost
// on the brokers (librdkafka's fatal error, cause OUT_OF_ORDER_SEQUENCE_NUMBER,
// UNKNOWN_PRODUCER_ID or INVALID_PRODUCER_EPOCH): no retry of that producer
// cures it, a new one does. The sink keeps every record until Kafka
// acknowledged it; on such an error it starts a new producer and sends again,
// in their order, all it still holds (at most five times in a row without a
// minute between; duplicates in the topic are possible, as after any retry).
// `produce` and `watch` go on instead of failing (`produce`) or refusing
// every later article while running on (`watch`).
// A record that timed out before Kafka acknowledged it (message.timeout.ms,
// 5 minutes by default: the broker was away that long) is sent again by the
// next Publish or Flush rather than failed: `watch` had marked its item seen,
// so a failed record was lost until a restart, and every later Flush failed. (In `run` the stages'
// runners stop on any fatal error of the process, so `run` still fails.)
//
// Thread-safety: Publish/PublishDeadLetter may be called from several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "newsflow/metrics.h"
#include "newsflow/producer.h"
#include "newsflow/sink.h"

namespace newsflow {

class KafkaArticleSink final : public ArticleSink {
 public:
  struct Options {
    std::string topic = "news.raw";
    std::string dlq_topic = "news.dlq";
    std::string producer_name = "produce";  // metrics label
    size_t max_record_bytes = 900 * 1024;
    bool flow_control = true;
    std::string downstream_group;  // default: the group that reads `topic`
    std::optional<FlowController::Limits> limits;  // default: FlowController::Limits::For(kafka)
    // Flow control of `dlq_topic` (not owned; may be null): dead letters wait
    // for it as articles wait for theirs (`run`, whose dead-letter sink is
    // known to read the topic).
    FlowController* dlq_flow = nullptr;
    // Without dlq_flow: the group of a dead-letter sink that may read
    // `dlq_topic`; with flow control on, the sink starts a controller of its
    // own that holds dead letters for it once it has read
    // (FlowController::ForDeadLetters, reader optional). Empty: none.
    std::string dlq_group;
  };

  ~KafkaArticleSink() override;
  static Result<std::unique_ptr<KafkaArticleSink>> Create(const KafkaOptions& kafka, Options o,
                                                          prometheus::Registry& registry,
                                                          const std::atomic<bool>* stop = nullptr);

  Status Publish(const Article& a) override;
  Status PublishDeadLetter(const DeadLetter& d) override;
  Status Flush(std::chrono::milliseconds timeout) override;
  // Publishes bytes as they are, unchecked (replays and tests of bad input).
  Status PublishBytes(std::string_view key, std::string_view value);
  // The broker is gone for good (the embedded broker restarted): drops what
  // it never acknowledged without waiting for it; the sink is unusable after.
  void Abandon();

  int64_t published() const { return published_.load(); }
  int64_t acknowledged() const { return acked_.load(); }
  int64_t failed() const { return failed_.load(); }
  int renewals() const { return renewals_total_.load(); }  // new producers started

 private:
  KafkaArticleSink() = default;
  Status Send(std::string_view key, std::string_view value);
  // Waits while `flow` holds back (logged past 5 s); not OK when stopping,
  // after a restart of the embedded broker or on the producer's fatal error.
  Status WaitFor(FlowController& flow);
  // Holds the record and hands it to the producer (renewing it when it lost
  // its state): OK once a producer took it.
  Status Hand(bool dead_letter, std::string_view key, std::string_view value);
  Status RenewIfLost();  // REQUIRES: producer_mu_ not held
  // Sends again what timed out (retry_). REQUIRES: producer_mu_ held.
  Status ResendTimedOut();
  // A record until Kafka acknowledged it (the value sent again by a new producer).
  struct Unacked {
    bool dead_letter = false;
    std::string key, value;
  };
  // Hands record `seq` (held in unacked_) to the current producer.
  // REQUIRES: producer_mu_ held (shared or exclusive).
  Status ProduceHeld(uint64_t seq, const Unacked& u);
  // A copy of record `seq` while it is held (not yet acknowledged).
  bool HeldCopy(uint64_t seq, Unacked& u);
  // The producer is in a fatal state a new producer cures (see above).
  // REQUIRES: producer_mu_ held.
  bool LostProducerState() const;
  // The recorded fatal error if this sink's producer raised it (or a failed
  // login): another client's in the same process is not this one's to stop
  // on. REQUIRES: producer_mu_ not held.
  Status OwnFatalError();
  // Starts a new producer and sends again what is not acknowledged; OK when
  // another thread did so already. Takes producer_mu_ exclusively.
  Status Renew();
  Options options_;
  KafkaOptions kafka_;
  std::shared_mutex producer_mu_;  // producer_ is replaced under it (Renew)
  std::mutex unacked_mu_;
  std::map<uint64_t, Unacked> unacked_;  // by sequence: the order they were sent in
  uint64_t next_seq_ = 0;                // under unacked_mu_
  std::vector<uint64_t> retry_;          // under unacked_mu_: timed out, to send again
  int renewals_in_a_row_ = 0;            // under producer_mu_ (exclusive)
  std::chrono::steady_clock::time_point last_renewal_{};
  std::atomic<int> renewals_total_{0};
  // While a producer is replaced (or the sink destroyed), what the old one
  // reports as failed is kept for the next one.
  std::atomic<bool> renewing_{false};
  std::unique_ptr<KafkaProducer> producer_;
  std::unique_ptr<FlowController> flow_;
  std::unique_ptr<FlowController> own_dlq_flow_;  // Options::dlq_group's
  FlowController* dlq_flow_ = nullptr;             // Options::dlq_flow, else own_dlq_flow_; may be null
  const std::atomic<bool>* stop_ = nullptr;
  std::atomic<bool> never_stop_{false};
  std::atomic<int64_t> published_{0}, acked_{0}, failed_{0};
  std::unique_ptr<StageMetrics> metrics_;
  prometheus::Gauge* paused_ = nullptr;
  prometheus::Gauge* queue_ = nullptr;
  // Records Kafka did not acknowledge: failed, timed out (sent again) or
  // held by a producer that lost its state (sent again by a new one).
  prometheus::Counter* delivery_failures_ = nullptr;
};

}  // namespace newsflow
