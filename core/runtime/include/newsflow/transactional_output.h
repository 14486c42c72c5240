// Exactly-once delivery (`delivery: exactly_once`): a stage's output written
// inside Kafka transactions, with the consumed offsets sent to the same
// transaction (the librdkafka EOS pattern, KIP-447).
//
// TransactionalOutput wraps a KafkaOutput over a producer configured with a
// `transactional.id`. Records and dead letters join the open transaction; a
// record's `done` callback is held back until the transaction commits (then
// it runs with OK) and is dropped when the transaction aborts, so the
// runner's counts and offsets only ever see committed work.
//
// Only a real Kafka cluster honours transactions: the embedded broker (the
// mock cluster) accepts every call but exposes aborted records, so commands
// refuse this mode there (../shared/notes/embedded-broker.md).
//
// Thread-safety: none; used from the runner's one loop thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "newsflow/runner.h"

namespace newsflow {

// The transactional.id of one stage instance. Chosen so that a restarted
// process reuses its predecessor's id and so fences it: init_transactions
// aborts the transaction a SIGKILLed process left open at once, instead of
// leaving downstream read_committed readers stalled until
// transaction.timeout.ms. Two live processes must never share an id (the
// newer would fence the older), so each takes a numbered slot: the lowest N
// whose lock file <state_dir>/transactions/<group>.<N>.lock it can flock. The
// kernel drops the lock when a process dies, so a restart on the same host
// finds its old slot free; a hung zombie keeps its slot, and KIP-447's group
// generation check fences its offsets instead. The id is
// "<prefix>-<host>-<N>", prefix "newsflow-<group>" unless the user gave
// -X transactional.id=PREFIX.
class TransactionalSlot {
 public:
  static Result<std::unique_ptr<TransactionalSlot>> Acquire(const std::string& state_dir,
                                                            const std::string& group,
                                                            const std::string& prefix);
  ~TransactionalSlot();
  const std::string& id() const { return id_; }

 private:
  TransactionalSlot() = default;
  int fd_ = -1;
  std::string id_;
};

class TransactionalOutput final : public RecordOutput {
 public:
  // `producer` must be configured with transactional.id; calls
  // init_transactions (fencing earlier instances of the same id).
  static Result<std::unique_ptr<TransactionalOutput>> Create(
      KafkaProducer& producer, std::string topic, std::string dlq_topic, FlowController* flow,
      std::string transactional_id);

  Status Send(std::string_view key, std::string_view value, int64_t origin_ms,
              Done done) override;
  Status SendDeadLetter(std::string_view key, std::string_view value, Done done) override;
  void Poll(int timeout_ms) override { inner_.Poll(timeout_ms); }
  Status Flush(std::chrono::milliseconds timeout) override { return inner_.Flush(timeout); }
  bool Blocked() const override { return inner_.Blocked(); }
  int64_t QueueLength() const override { return inner_.QueueLength(); }
  int64_t DownstreamBacklog() const override { return inner_.DownstreamBacklog(); }
  std::string Describe() const override { return inner_.Describe(); }
  TransactionalOutput* Transactional() override { return this; }
  const rd_kafka_t* ProducerHandle() const override { return producer_.handle(); }

  // What a failed transactional call leaves to do.
  enum class Outcome { kOk, kAbortable, kFatal };
  struct TxnResult {
    Outcome outcome = Outcome::kOk;
    std::string error;  // what failed, for the log
  };

  bool open() const { return open_; }
  const std::string& transactional_id() const { return id_; }
  // Starts a transaction unless one is open.
  TxnResult Begin();
  // Sends `offsets` (next offsets to read, of `consumer`'s group) to the
  // open transaction and commits it; retriable errors are retried. On
  // success the held callbacks run. On kAbortable call Abort().
  TxnResult Commit(rd_kafka_t* consumer, const rd_kafka_topic_partition_list_t* offsets);
  // Aborts the open transaction; its held callbacks are dropped.
  TxnResult Abort();

 private:
  TransactionalOutput(KafkaProducer& producer, std::string topic, std::string dlq,
                      FlowController* flow, std::string id)
      : producer_(producer), inner_(producer, std::move(topic), std::move(dlq), flow),
        id_(std::move(id)) {}
  Done Hold(Done done);
  TxnResult Classify(rd_kafka_error_t* error, const std::string& what);

  KafkaProducer& producer_;
  KafkaOutput inner_;
  std::string id_;
  bool open_ = false;
  std::vector<Done> held_;  // acknowledged, waiting for the commit
  int64_t generation_ = 0;  // transactions aborted so far
};

}  // namespace newsflow
