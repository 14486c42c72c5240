// StageRunner's exactly-once loop (delivery: exactly_once), kept apart from
// the at-least-once loop in runner.cc. Each transaction holds what one turn
// of the loop consumed: every output and dead letter of those records, and
// the consumer's next offsets, sent with rd_kafka_send_offsets_to_transaction
// under the group's metadata (KIP-447: a member fenced out of the group by a
// rebalance cannot commit). Readers downstream use read_committed, so they
// see a record exactly when its input offset is committed, never twice.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "newsflow/runner.h"
#include "newsflow/shutdown.h"
#include "newsflow/transactional_output.h"

namespace newsflow {
namespace {

// A transaction closes after this many records or this long, whichever
// comes first: larger transactions amortise the commit round trips, smaller
// ones keep end-to-end latency (downstream sees records at commit) low.
constexpr int kTxnMaxRecords = 2000;
constexpr auto kTxnWindow = std::chrono::milliseconds(100);

using TxnOutcome = TransactionalOutput::Outcome;

}  // namespace

int64_t StageRunner::LostBelowLogStart(int32_t partition, int64_t offset, int64_t gap) {
  // read_committed skips transaction markers and aborted records, so gaps
  // are normal. Records are lost only if the broker deleted them before they
  // were read: below the log start offset the last fetch reported.
  const int64_t low = LogStartSeen(partition);
  if (low < 0) return 0;
  const int64_t expected = offset - gap;
  return std::max<int64_t>(0, std::min(low, offset) - expected);
}

Status StageRunner::RewindToCommitted() {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  NEWSFLOW_RETURN_IF_ERROR(KafkaStatus(rd_kafka_assignment(rk_.get(), &assignment), "assignment"));
  TopicPartitionList a(assignment);
  if (a->cnt == 0) return Status::OK();
  NEWSFLOW_RETURN_IF_ERROR(KafkaStatus(rd_kafka_committed(rk_.get(), a.get(), 30000),
                                       "committed offsets of group " + options_.group));
  for (int i = 0; i < a->cnt; ++i) {
    int64_t committed = a->elems[i].offset;
    tracker_.Revoke(a->elems[i].partition);
    tracker_.Assign(a->elems[i].partition, committed >= 0 ? committed : -1);
    NoteDoneThrough(a->elems[i].partition, committed);
    if (committed < 0) a->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  if (rd_kafka_error_t* e = rd_kafka_seek_partitions(rk_.get(), a.get(), 30000)) {
    std::string msg = rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    return Status::Unavailable("seek " + options_.input_topic + " back to committed offsets: " + msg);
  }
  for (int i = 0; i < a->cnt; ++i) {
    if (a->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return KafkaStatus(a->elems[i].err, "seek " + options_.input_topic + "[" +
                                              std::to_string(a->elems[i].partition) + "]");
  }
  return Status::OK();
}

Status StageRunner::CommitTransaction(TransactionalOutput& txn, bool rewind) {
  if (!txn.open()) return Status::OK();
  // The next offset of every assigned partition: everything consumed so far
  // was handled into this transaction (or an earlier, committed one).
  TopicPartitionList positions;
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(rk_.get(), &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    positions.reset(assignment);
    rd_kafka_position(rk_.get(), positions.get());
  }
  auto t0 = std::chrono::steady_clock::now();
  TransactionalOutput::TxnResult r = txn.Commit(rk_.get(), positions.get());
  commit_seconds_->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (r.outcome == TxnOutcome::kOk) {
    commits_->Increment();
    if (positions)
      for (int i = 0; i < positions->cnt; ++i)
        NoteDoneThrough(positions->elems[i].partition, positions->elems[i].offset);
    txn_records_ = 0;
    aborts_in_a_row_ = 0;
    return Status::OK();
  }
  if (r.outcome == TxnOutcome::kFatal)
    return Status::Unavailable(
        "exactly once: " + r.error +
        ": stopping. 'Fenced' means a newer process took over this transactional.id: a restart "
        "of this stage (this one is a zombie), or a second live process sharing the id (give "
        "each its own NEWSFLOW_STATE_DIR or -X transactional.id prefix)");
  commit_failures_->Increment();
  spdlog::warn("[{}] transaction aborted: {}; {} record(s) will be read again from the last "
               "committed offsets", options_.name, r.error, txn_records_);
  TransactionalOutput::TxnResult a = txn.Abort();
  if (a.outcome != TxnOutcome::kOk)
    return Status::Unavailable("exactly once: " + a.error + ": stopping; restart the stage");
  counts_.redelivered += txn_records_;
  metrics_.redelivered.Increment(static_cast<double>(txn_records_));
  txn_records_ = 0;
  if (!rewind) return Status::OK();
  Status s = RewindToCommitted();
  if (!s.ok()) return s.WithContext("exactly once: after an aborted transaction");
  // A cause that persists (a broker refusing a record for good, e.g. over
  // the topic's max.message.bytes) aborts every retry: back off, up to 5 s,
  // instead of spinning; every abort is logged above.
  auto pause = std::chrono::milliseconds(100) * (1 << std::min(aborts_in_a_row_++, 6));
  std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(pause, std::chrono::seconds(5)));
  return Status::OK();
}

void StageRunner::FinishTransactionOnRevoke(TransactionalOutput& txn) {
  // Commit what was done before the partitions move (the generation is still
  // ours until we rejoin); if that fails the transaction is aborted and the
  // next owner reads those records from the committed offsets.
  if (!txn_fatal_.ok()) return;  // nothing transactional works any more
  Status s = CommitTransaction(txn, false);
  if (!s.ok()) txn_fatal_ = s;  // the loop stops and reports it
}

Status StageRunner::RunTransactional(const std::atomic<bool>& stop, TransactionalOutput& txn) {
  spdlog::info("[{}] exactly once: transactions as '{}', reading {} read_committed",
               options_.name, txn.transactional_id(), options_.input_topic);
  const int poll_ms = static_cast<int>(options_.poll_timeout.count());
  while (!stop.load(std::memory_order_relaxed) && txn_fatal_.ok()) {
    output_.Poll(0);
    UpdateFlow();
    UpdateLag();
    CheckStall();
    int batch = 0;
    const auto end = std::chrono::steady_clock::now() + kTxnWindow;
    // Held back by flow control: no records, but the open transaction is
    // still committed on time below.
    const bool held = HeldBriefly();
    if (held) output_.Poll(10);
    for (rd_kafka_message_t* m = held ? nullptr : NextMessage(poll_ms);
         m != nullptr;
         m = (batch < kTxnMaxRecords && std::chrono::steady_clock::now() < end)
                 ? NextMessage(0)
                 : nullptr) {
      if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
          char reason[512];
          rd_kafka_fatal_error(rk_.get(), reason, sizeof reason);
          txn_fatal_ = Status::Unavailable("exactly once: consumer fatal error: " +
                                           std::string(reason));
        } else {
          LogConsumerError(m);
        }
      } else {
        TransactionalOutput::TxnResult b = txn.Begin();
        if (b.outcome != TxnOutcome::kOk) {
          txn_fatal_ = Status::Unavailable("exactly once: " + b.error + ": stopping");
        } else {
          Handle(m);
          ++txn_records_;
          if (++batch % 64 == 0) output_.Poll(0);
        }
      }
      rd_kafka_message_destroy(m);
      if (stop.load(std::memory_order_relaxed) || !txn_fatal_.ok()) break;
    }
    if (!txn_fatal_.ok()) break;
    if (batch > 0) batch_size_->Observe(batch);
    Status s = CommitTransaction(txn, true);
    if (!s.ok()) txn_fatal_ = s;
  }

  spdlog::info("[{}] stopping: committing the open transaction ({} record(s))", options_.name,
               txn_records_);
  if (txn_fatal_.ok()) {
    Status s = CommitTransaction(txn, false);
    if (!s.ok()) txn_fatal_ = s;
  }
  if (!txn_fatal_.ok() && txn.open()) (void)txn.Abort();  // best effort; the broker times it out otherwise
  // Leaving the group is bounded like the at-least-once loop's (the handle's
  // destructor no longer closes it).
  auto end = std::chrono::steady_clock::now() + options_.shutdown_timeout;
  if (auto by = Shutdown::StopBy(); by != std::chrono::steady_clock::time_point::max())
    end = std::min(end, by - std::chrono::seconds(1));
  CloseWithin(end);
  rk_.reset();
  spdlog::info("[{}] stopped: received {} sent {} dropped {} dead-lettered {} lost {} redelivered {}",
               options_.name, counts_.received.load(), counts_.sent.load(), counts_.dropped.load(),
               counts_.dead_lettered.load(), counts_.lost.load(), counts_.redelivered.load());
  if (!txn_fatal_.ok()) spdlog::error("[{}] {}", options_.name, txn_fatal_.ToString());
  return txn_fatal_;
}

}  // namespace newsflow
