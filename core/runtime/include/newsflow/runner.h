// StageRunner: the one consume -> process -> produce -> commit loop.
//
// Every stage process, every sink and `newsflow run`'s threads use it. It
// owns the consumer (group membership, rebalances, gap detection), hands each
// record to a RecordProcessor, sends the result to a RecordOutput (a Kafka
// topic or a JSON Lines file), and stores an input offset only after its
// output or dead letter is acknowledged (at-least-once). While the output's
// downstream group is too far behind it pauses its partitions (flow control)
// instead of racing past the embedded broker's retention.
//
// Thread-safety: Run blocks its calling thread; `stop` may be set from any
// thread (signal handlers included: it is a lock-free atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "newsflow/kafka.h"
#include "newsflow/metrics.h"
#include "newsflow/offset_tracker.h"
#include "newsflow/producer.h"
#include "newsflow/record_processor.h"

namespace newsflow {

class TransactionalOutput;  // transactional_output.h (delivery: exactly_once)
class ProcessingPool;       // processing_pool.h

// Where processed records go. `done` runs once the record is safe (acked or
// written); it may run inside Send or later, from Poll/Flush. `origin_ms` is
// when the record's article first entered Kafka (0: unknown); Kafka outputs
// pass it on in a header.
class RecordOutput {
 public:
  using Done = std::function<void(const Status&)>;
  virtual ~RecordOutput() = default;
  virtual Status Send(std::string_view key, std::string_view value, int64_t origin_ms,
                      Done done) = 0;
  virtual Status SendDeadLetter(std::string_view key, std::string_view value, Done done) = 0;
  virtual void Poll(int timeout_ms) = 0;
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;
  virtual bool Blocked() const { return false; }
  virtual int64_t QueueLength() const { return 0; }
  // Largest per-partition backlog of the downstream group; -1 if unknown.
  virtual int64_t DownstreamBacklog() const { return -1; }
  // Why Blocked() holds records back, for the log.
  virtual std::string HoldReason() const { return "output busy"; }
  virtual std::string Describe() const = 0;
  // Non-null when records go out inside Kafka transactions (exactly once).
  virtual TransactionalOutput* Transactional() { return nullptr; }
  // The Kafka producer behind the output, if any (whose fatal error is the
  // runner's to stop on).
  virtual const rd_kafka_t* ProducerHandle() const { return nullptr; }
  // Appended to the runner's stop line (e.g. " duplicates dropped 3").
  virtual std::string Summary() const { return ""; }
};

// Records to `topic`, dead letters to `dlq_topic`, both through `producer`.
// With a FlowController, Blocked() follows it.
class KafkaOutput final : public RecordOutput {
 public:
  // `dlq_flow` (may be null, not owned): flow control of the dead-letter
  // topic, which holds the runner too (the embedded broker evicts dead
  // letters like anything else).
  KafkaOutput(KafkaProducer& producer, std::string topic, std::string dlq_topic,
              FlowController* flow, FlowController* dlq_flow = nullptr)
      : producer_(producer), topic_(std::move(topic)), dlq_(std::move(dlq_topic)), flow_(flow),
        dlq_flow_(dlq_flow) {}
  Status Send(std::string_view key, std::string_view value, int64_t origin_ms,
              Done done) override;
  Status SendDeadLetter(std::string_view key, std::string_view value, Done done) override;
  void Poll(int timeout_ms) override { producer_.Poll(timeout_ms); }
  Status Flush(std::chrono::milliseconds timeout) override { return producer_.Flush(timeout); }
  bool Blocked() const override {
    return (flow_ != nullptr && flow_->Blocked()) || (dlq_flow_ != nullptr && dlq_flow_->Blocked());
  }
  int64_t QueueLength() const override { return producer_.QueueLength(); }
  int64_t DownstreamBacklog() const override { return flow_ != nullptr ? flow_->MaxBacklog() : -1; }
  std::string HoldReason() const override {
    if (dlq_flow_ != nullptr && dlq_flow_->Blocked()) return dlq_flow_->Why();
    return flow_ != nullptr ? flow_->Why() : "";
  }
  std::string Describe() const override { return topic_; }
  const rd_kafka_t* ProducerHandle() const override { return producer_.handle(); }

 private:
  Status SendTo(const std::string& topic, std::string_view key, std::string_view value,
                int64_t origin_ms, Done done);
  KafkaProducer& producer_;
  std::string topic_, dlq_;
  FlowController* flow_;
  FlowController* dlq_flow_;
};

// JSON Lines files: one record a line. `done` runs only once the line is
// written and synced to disk (fsync, batched: at most every 100 ms or 1,000
// records, and on Flush), so offsets are never committed for a line a full
// or failing disk did not keep. A failed write or sync is returned (or given
// to `done`) and every later Send fails too; a partly written line is cut off
// again, so the file holds whole lines only. At each sync the path must still
// name the open file: a file renamed away (rotated) is left complete and a new
// one opened at the path; a file deleted under it fails the output (what was
// written since the last sync went with it, uncommitted: read again after a
// restart), where it went on writing to the deleted file.
class FileOutput final : public RecordOutput {
 public:
  // "-" means stdout. `dlq_path` may be empty: dead letters then go to stderr.
  // A named pipe waits for its reader; `stop`, when set, ends that wait.
  static Result<std::unique_ptr<FileOutput>> Open(const std::string& path,
                                                  const std::string& dlq_path,
                                                  const std::atomic<bool>* stop = nullptr);
  ~FileOutput() override;
  Status Send(std::string_view key, std::string_view value, int64_t origin_ms,
              Done done) override;
  Status SendDeadLetter(std::string_view key, std::string_view value, Done done) override;
  // Syncs and runs the waiting `done` callbacks (at once when timeout_ms > 0).
  void Poll(int timeout_ms) override;
  Status Flush(std::chrono::milliseconds) override;
  std::string Describe() const override { return path_; }

 private:
  struct File {
    int fd = -1;
    bool own = false, dirty = false;
    std::string name;
  };
  FileOutput() = default;
  Status Write(File& f, std::string_view value, Done done);
  Status Sync();
  void CheckStillNamed(File& f);
  File out_, dlq_;
  std::vector<Done> waiting_;  // written, not yet synced
  std::chrono::steady_clock::time_point last_sync_{};
  Status failed_;
  std::string path_;
  const std::atomic<bool>* stop_ = nullptr;
};

// Articles to one output, dead letters to another (both owned): `run` on its
// own embedded broker writes its articles file from its last stage (or fused
// chain) itself (a FileOutput) and its dead letters to the dead-letter topic
// (a KafkaOutput), so the articles take no further trip through the broker to
// a sink. Blocked while either is; the queue is both's; the producer is the
// dead letters' output's; Describe is the articles'.
class SplitOutput final : public RecordOutput {
 public:
  SplitOutput(std::unique_ptr<RecordOutput> articles, std::unique_ptr<RecordOutput> dead_letters)
      : articles_(std::move(articles)), dead_letters_(std::move(dead_letters)) {}
  Status Send(std::string_view key, std::string_view value, int64_t origin_ms,
              Done done) override {
    return articles_->Send(key, value, origin_ms, std::move(done));
  }
  Status SendDeadLetter(std::string_view key, std::string_view value, Done done) override {
    return dead_letters_->SendDeadLetter(key, value, std::move(done));
  }
  // The articles' first: a file's Poll does not wait, a producer's does (up
  // to timeout_ms), so the call waits at most timeout_ms.
  void Poll(int timeout_ms) override {
    articles_->Poll(timeout_ms);
    dead_letters_->Poll(timeout_ms);
  }
  Status Flush(std::chrono::milliseconds timeout) override;
  bool Blocked() const override { return articles_->Blocked() || dead_letters_->Blocked(); }
  int64_t QueueLength() const override { return articles_->QueueLength() + dead_letters_->QueueLength(); }
  std::string HoldReason() const override {
    return articles_->Blocked() ? articles_->HoldReason() : dead_letters_->HoldReason();
  }
  std::string Describe() const override { return articles_->Describe(); }
  const rd_kafka_t* ProducerHandle() const override { return dead_letters_->ProducerHandle(); }

 private:
  std::unique_ptr<RecordOutput> articles_, dead_letters_;
};

struct RunnerOptions {
  std::string name;         // stage name ("clean") or sink name ("sink")
  std::string input_topic;  // consumed
  std::string group;        // consumer group (newsflow-<name>)
  std::chrono::milliseconds poll_timeout{100};
  size_t max_in_flight = 5000;  // consumed but not yet acknowledged
  // Flow control (the output's downstream group is too far behind): the
  // runner first only stops taking records, keeping what librdkafka fetched
  // ahead; a hold that lasts this long also pauses the partitions, which
  // frees that memory (it is fetched again on resume). Pausing at once made
  // every short hold cost a refetch and up to a second of idle fetcher.
  std::chrono::milliseconds pause_after{2000};
  // Budget for draining, committing and leaving the group once stopped
  // (also capped by the process's stop deadline, Shutdown::StopBy()).
  std::chrono::milliseconds shutdown_timeout{30000};
  // Records handed to the output and nothing acknowledged for this long (a
  // partition leader away, a producer waiting on a dead broker): said in the
  // log, and again every 30 s, then when it moves again; the gauge
  // newsflow_output_stalled_seconds shows it all along. Nothing is lost (the
  // offsets are not committed), but a silent stall looks like a hang.
  std::chrono::milliseconds stall_warning{30000};
  // delivery: exactly_once. The consumer reads only committed records
  // (isolation.level=read_committed, set explicitly).
  bool read_committed = false;
  // Reads every partition of the input without joining the group (the group
  // still holds the committed offsets, and lag reads them): for a reader that
  // is the only one its group can ever have, `run`'s on the embedded broker
  // in its own process (KafkaOptions::private_broker). The broker's first
  // join waits 3 s for more members (librdkafka 2.0.2's mock, no setting),
  // which was most of the time one article took through `run`.
  bool assign_all = false;
  // Set when the stop must not wait at all (a second signal).
  const std::atomic<bool>* force = nullptr;
};

class StageRunner {
 public:
  StageRunner(KafkaOptions kafka, RunnerOptions options, RecordProcessor& processor,
              RecordOutput& output, prometheus::Registry& registry);
  ~StageRunner();

  // Runs until `stop` is set, then drains: flushes the output, stores and
  // commits offsets, leaves the group, each step bounded by the shutdown
  // budget. Returns an error, and stops by itself, when the output cannot
  // write a record (a full disk, a failed delivery): offsets are then
  // committed only up to the records before it, so the rest stay in Kafka.
  Status Run(const std::atomic<bool>& stop);

  // After Run failed: whether the failure was the idempotent producer's
  // state on the brokers (an out-of-order sequence, an unknown producer id,
  // an old epoch: what a leader's failover can leave behind). No retry of
  // the same client cures it, a new one does: the caller may build the
  // runner's clients again (nothing is lost: the offsets of what was not
  // written were not committed, so the new consumer reads them again).
  bool FailedOnProducerState() const;

  // Another copy of the processor's stage chain (its own Stage objects). With
  // copies, each copy processes records on a thread of its own
  // (ProcessingPool), ahead of Run's thread, which processes with the
  // processor between hand-ons and hands records on (outputs, offsets,
  // metrics, dead letters) in input order. Call before Run.
  void AddProcessor(RecordProcessor& p) { extra_.push_back(&p); }

  // After Run returned: delivery reports that still arrive (records purged
  // when the producer is torn down) are ignored, not counted as failures.
  void Detach() { abandoned_ = true; }

  // Safe to read from any thread while Run is going.
  struct Counts {
    std::atomic<int64_t> received{0}, sent{0}, dropped{0}, dead_lettered{0}, lost{0},
        redelivered{0};
    // Consumed, not yet safe in the output (their offsets are not committed).
    std::atomic<int64_t> in_flight{0};
    // Handed to the output, waiting for its acknowledgement.
    std::atomic<int64_t> awaiting_output{0};
  };
  const Counts& counts() const { return counts_; }

  // For each partition read so far, the offset below which every record is
  // done (forwarded and acknowledged, dead-lettered or dropped): what the
  // runner stored for its next commit, or committed in a transaction. Safe
  // from any thread. With AckedEnds (producer.h), a caller knows when the
  // runner has all a topic's writers wrote, whatever the counts say.
  std::map<int32_t, int64_t> DoneThrough() const;

 private:
  // When a forwarded record's article was fetched and first produced.
  struct Origin {
    std::chrono::system_clock::time_point fetched_at{};
    bool has_fetched = false;
    int64_t produced_ms = 0;  // 0: unknown
  };
  // The per-partition gauges, created on assign and removed on revoke.
  struct PartitionGauges {
    prometheus::Gauge* lag = nullptr;
    prometheus::Gauge* lag_seconds = nullptr;
    prometheus::Gauge* committed_lag = nullptr;
    int64_t last_timestamp_ms = 0;  // produce time of the last consumed record
  };

  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* parts, void* opaque);
  static int StatsCallback(rd_kafka_t* rk, char* json, size_t len, void* opaque);
  static void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void CommitCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t* offsets, void* opaque);
  void OnAssign(rd_kafka_topic_partition_list_t* parts);
  void OnRevoke(rd_kafka_topic_partition_list_t* parts);
  void OnStats(std::string_view json);
  void SetConnected(bool connected);
  // `pre`: the record's output, already computed by a copy (pool_).
  void Handle(const rd_kafka_message_t* m, const RecordProcessor::Output* pre = nullptr);
  // One step of Run's loop with copies: submit what is fetched to pool_,
  // Handle what the copies finished, in input order. Returns the records handled.
  int HandlePipelined(const std::atomic<bool>& stop, int poll_ms);
  // Empties pool_ of what was not handed on (it stays uncommitted: read again).
  void DropUnhandled();
  // What the pool holds at most, per copy (the old batch: 64 a copy).
  static constexpr size_t kRecordsAheadPerCopy = 64;
  // Processed records handed on together while the copies are busy.
  static constexpr size_t kHandOnAtOnce = 64;
  void LogConsumerError(const rd_kafka_message_t* m);
  void Done(int32_t partition, int64_t offset, bool forwarded, size_t bytes, const Status& s,
            const Origin& origin);
  void StoreOffsets(bool all);
  // Bounded versions for stopping and revoking; see Run.
  void Fail(const Status& s);
  bool PastDeadline(std::chrono::steady_clock::time_point until) const;
  Status DrainOutput(std::chrono::steady_clock::time_point until);
  Status CommitWithin(std::chrono::steady_clock::time_point until);
  // At least once: commits the stored offsets, asynchronously, once every
  // commit_interval_ (in place of librdkafka's auto-commit timer; see Run).
  void CommitStored();
  std::chrono::milliseconds commit_interval_{0};
  std::chrono::steady_clock::time_point last_commit_{};
  bool commit_pending_ = false;  // offsets stored since the last commit, or it failed
  void CloseWithin(std::chrono::steady_clock::time_point until);
  void ReportConnectivity();
  // Flow control: holds (held_) while the output is Blocked(), pauses the
  // partitions (paused_) once a hold lasts options_.pause_after.
  void UpdateFlow();
  void PausePartitions(bool pause);
  // Held back briefly: the loop takes no records (nor polls the consumer,
  // which would hand it some) and keeps what is fetched ahead.
  bool HeldBriefly() const { return held_ && !paused_; }
  // Flow control inside a batch, before each record is handed to the output:
  // waits while the output is Blocked() (serving its acknowledgements and
  // commits meanwhile). False when the runner stops or failed first: the
  // record is then left unhandled (uncommitted, read again).
  bool WaitForRoom(const std::atomic<bool>& stop);
  // While no records are taken (a hold, max_in_flight reached): serves the
  // output's acknowledgements for up to `poll_ms` and commits what they allow.
  void ServeOutput(int poll_ms);
  void UpdateLag();
  // Says when the output has acknowledged nothing for options_.stall_warning
  // while records wait, and when it moves again; keeps the gauge.
  void CheckStall();
  // delivery: exactly_once (transactional_runner.cc): consume, process and
  // produce inside transactions that carry the consumed offsets.
  Status RunTransactional(const std::atomic<bool>& stop, TransactionalOutput& txn);
  Status CommitTransaction(TransactionalOutput& txn, bool rewind);
  Status RewindToCommitted();
  void FinishTransactionOnRevoke(TransactionalOutput& txn);
  int64_t LostBelowLogStart(int32_t partition, int64_t offset, int64_t gap);
  // The embedded broker restarted (broker_restart.h): counts what it took
  // with it as lost, drops the consumer without talking to the dead broker.
  Status AbandonAfterBrokerRestart();

  KafkaOptions kafka_;
  RunnerOptions options_;
  RecordProcessor& processor_;
  RecordOutput& output_;
  MetricFamilies& families_;
  StageMetrics metrics_;
  KafkaHandle rk_;
  OffsetTracker tracker_;
  RecordProcessor::Output scratch_;
  std::vector<RecordProcessor*> extra_;  // AddProcessor
  // With copies: the copies on their own threads (Run); processor_ stays on
  // Run's thread (ProcessingPool::ProcessOne).
  std::unique_ptr<ProcessingPool> pool_;
  Counts counts_;
  bool held_ = false, paused_ = false;
  prometheus::Gauge* paused_gauge_ = nullptr;
  prometheus::Gauge* queue_gauge_ = nullptr;
  prometheus::Gauge* assigned_gauge_ = nullptr;
  prometheus::Counter* commit_failures_ = nullptr;
  prometheus::Histogram* commit_seconds_ = nullptr;
  prometheus::Counter* delivery_failures_ = nullptr;
  prometheus::Histogram* batch_size_ = nullptr;
  prometheus::Gauge* backlog_gauge_ = nullptr;
  prometheus::Gauge* connected_gauge_ = nullptr;
  prometheus::Counter* commits_ = nullptr;
  Readiness::Component& readiness_;
  std::map<int32_t, PartitionGauges> partitions_;
  // Partitions of a real cluster assigned without a committed offset: their
  // first record is checked against the partition's start (CheckFirstOffset).
  std::set<int32_t> unchecked_starts_;
  void CheckFirstOffset(int32_t partition, int64_t offset);
  // The input partition's log start offset as the last fetch reported it
  // (cached: no request); -1 when unknown.
  int64_t LogStartSeen(int32_t partition);
  // A gap before `offset` on a real cluster (read_committed skips transaction
  // markers and aborted records, so gaps are expected there) is read again
  // by gap_reader_: records the broker still holds in it were skipped by the
  // client, and are handled now, in order, before the record at `offset`.
  // Exactly once (markers after every upstream transaction): only the gap
  // before a partition's first record when the group had no committed offset.
  void ReadSkipped(int32_t partition, int64_t offset);
  // The records of [from, to) of a partition of the input, in order (none
  // when the gap holds only markers and aborted records, or on a timeout).
  std::vector<rd_kafka_message_t*> ReadRange(int32_t partition, int64_t from, int64_t to);
  KafkaHandle gap_reader_;   // no group; made at the first gap
  bool reading_gap_ = false;  // handling what ReadSkipped found
  // A partition whose last gap held only markers is not read again for a
  // while (a topic written with transactions has a gap after each one).
  std::map<int32_t, std::chrono::steady_clock::time_point> markers_seen_;
  prometheus::Counter* skipped_reread_ = nullptr;
  // The consumer's next message. NEWSFLOW_FAULT_SKIP_RECORDS=partition@offset,...
  // (tests) makes it skip those records once each, as a faulty client would.
  rd_kafka_message_t* NextMessage(int timeout_ms);
  std::set<std::pair<int32_t, int64_t>> fault_skips_;
  ConsumerStatsParser stats_parser_;
  ConsumerStats stats_;
  int64_t rxmsgs_seen_ = 0;  // stats_.rxmsgs already added to metrics_.fetched
  std::chrono::steady_clock::time_point last_lag_{};
  int64_t batch_count_ = 0;
  int64_t txn_records_ = 0;  // consumed into the open transaction
  int aborts_in_a_row_ = 0;
  Status txn_fatal_;         // a fatal transactional error: the loop stops
  Readiness* readiness_owner_ = nullptr;
  // DoneThrough's positions (written on Run's thread, read from any).
  void NoteDoneThrough(int32_t partition, int64_t offset);
  mutable std::mutex done_mu_;
  std::map<int32_t, int64_t> done_through_;
  bool abandoned_ = false;  // after a broker restart or Detach: late delivery reports are moot
  // Embedded broker: the partitions whose assignment was lost (the broker
  // away past the session timeout), as the tracker last saw them, until they
  // are assigned again. A restart then counts what they held as lost too: the
  // revocation had cleared them from the tracker, and the loss read 0.
  std::map<int32_t, OffsetTracker::PartitionView> lost_assignment_;
  Status failure_;  // the output's first failure: the runner stops
  // Shutdown budget of the current drain (time_point::max(): running).
  std::chrono::steady_clock::time_point drain_until_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point commit_until_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point disconnected_since_{}, last_connect_log_{};
  std::chrono::steady_clock::time_point held_since_{}, last_pause_log_{};
  // CheckStall. The output's last answer (Done), as steady_clock nanoseconds
  // (delivery reports may be served off Run's thread); since when records
  // wait for it; when the stall was first said and last said.
  std::atomic<int64_t> output_answered_ns_{0};
  std::chrono::steady_clock::time_point output_waiting_since_{}, stall_from_{}, stall_log_{};
  prometheus::Gauge* stalled_gauge_ = nullptr;
};

}  // namespace newsflow
