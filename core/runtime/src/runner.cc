#include "newsflow/runner.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>

#include "newsflow/broker_restart.h"
#include "newsflow/line_reader.h"
#include "newsflow/processing_pool.h"
#include "newsflow/shutdown.h"
#include "newsflow/text.h"
#include "newsflow/thread_name.h"
#include "newsflow/transactional_output.h"

namespace newsflow {

// ---- outputs ---------------------------------------------------------------

Status KafkaOutput::SendTo(const std::string& topic, std::string_view key, std::string_view value,
                           int64_t origin_ms, Done done) {
  FlowController* flow = topic == topic_ ? flow_ : topic == dlq_ ? dlq_flow_ : nullptr;
  Status s = producer_.Produce(topic, key, value,
                               [done = std::move(done), topic, flow](rd_kafka_resp_err_t err, int32_t,
                                                                     int64_t) {
                                 if (flow != nullptr) flow->NoteAcked();
                                 done(KafkaStatus(err, "delivery to " + topic));
                               },
                               origin_ms);
  if (s.ok() && flow != nullptr) flow->NoteProduced(value.size());
  return s;
}

Status KafkaOutput::Send(std::string_view key, std::string_view value, int64_t origin_ms,
                         Done done) {
  return SendTo(topic_, key, value, origin_ms, std::move(done));
}

Status KafkaOutput::SendDeadLetter(std::string_view key, std::string_view value, Done done) {
  return SendTo(dlq_, key, value, 0, std::move(done));
}

namespace {

Status OpenForAppend(const std::string& path, int fallback_fd, const std::atomic<bool>* stop,
                     int& fd, bool& own) {
  if (path.empty() || path == "-") {
    fd = fallback_fd;
    own = false;
    return Status::OK();
  }
  auto opened = OpenForWriting(path, O_CREAT | O_APPEND, stop);
  if (!opened.ok()) return opened.status();
  fd = *opened;
  own = true;
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<FileOutput>> FileOutput::Open(const std::string& path,
                                                     const std::string& dlq_path,
                                                     const std::atomic<bool>* stop) {
  std::unique_ptr<FileOutput> f(new FileOutput());
  f->path_ = path;
  f->out_.name = path == "-" ? "stdout" : path;
  f->dlq_.name = dlq_path.empty() ? "stderr" : dlq_path;
  NEWSFLOW_RETURN_IF_ERROR(OpenForAppend(path, STDOUT_FILENO, stop, f->out_.fd, f->out_.own));
  NEWSFLOW_RETURN_IF_ERROR(OpenForAppend(dlq_path.empty() ? "-" : dlq_path, STDERR_FILENO, stop,
                                         f->dlq_.fd, f->dlq_.own));
  f->last_sync_ = std::chrono::steady_clock::now();
  f->stop_ = stop;
  return f;
}

FileOutput::~FileOutput() {
  if (out_.own) ::close(out_.fd);
  if (dlq_.own) ::close(dlq_.fd);
}

Status FileOutput::Write(File& f, std::string_view value, Done done) {
  if (!failed_.ok()) return failed_;
  // The record and its newline in one writev: no copy of the record, and no
  // fstat per line (a partial line is measured and cut off only on failure).
  static const char kNewline = '\n';
  const size_t total = value.size() + 1;
  size_t done_bytes = 0;
  while (done_bytes < total) {
    struct iovec iov[2];
    int n_iov = 0;
    if (done_bytes < value.size())
      iov[n_iov++] = {const_cast<char*>(value.data()) + done_bytes, value.size() - done_bytes};
    iov[n_iov++] = {const_cast<char*>(&kNewline), 1};
    ssize_t n = ::writev(f.fd, iov, n_iov);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      // The file is opened O_APPEND: this line's bytes are its last ones.
      struct stat st {};
      if (done_bytes > 0 && ::fstat(f.fd, &st) == 0 && S_ISREG(st.st_mode) &&
          st.st_size >= static_cast<off_t>(done_bytes) &&
          ::ftruncate(f.fd, st.st_size - static_cast<off_t>(done_bytes)) != 0)
        spdlog::error("cannot cut a partial line off {}: {}", f.name, std::strerror(errno));
      // The lines before this one are whole in the file: synced, they are
      // done, so the counts and the commits match what the file holds (they
      // failed with this one, and a restarted sink wrote them again).
      if (Sync().ok()) {
        std::vector<Done> ready;
        ready.swap(waiting_);
        for (auto& d : ready) d(Status::OK());
      }
      failed_ = Status::Unavailable("cannot write to " + f.name + ": " + std::strerror(err));
      return failed_;
    }
    done_bytes += static_cast<size_t>(n);
  }
  f.dirty = true;
  waiting_.push_back(std::move(done));
  if (waiting_.size() >= 1000) Poll(1);
  return Status::OK();
}

void FileOutput::CheckStillNamed(File& f) {
  struct stat by_fd {}, by_path {};
  if (!f.own || ::fstat(f.fd, &by_fd) != 0 || !S_ISREG(by_fd.st_mode)) return;
  if (::stat(f.name.c_str(), &by_path) == 0 && by_path.st_dev == by_fd.st_dev &&
      by_path.st_ino == by_fd.st_ino)
    return;
  if (by_fd.st_nlink == 0) {
    failed_ = Status::Unavailable(
        f.name + " was deleted while being written: the records written since the last sync went "
                 "with it (not committed: they are written again after a restart)");
    return;
  }
  // Renamed away (rotated): what it holds stays there; new lines go to a new
  // file at the path.
  if (::fsync(f.fd) != 0 && errno != EINVAL) {
    failed_ = Status::Unavailable("cannot sync " + f.name + " to disk: " + std::strerror(errno));
    return;
  }
  auto opened = OpenForWriting(f.name, O_CREAT | O_APPEND, stop_);
  if (!opened.ok()) {
    failed_ = opened.status().WithContext(f.name + " was renamed away; opening a new one");
    return;
  }
  ::close(f.fd);
  f.fd = *opened;
  spdlog::info("{} was renamed away (rotated): writing a new {}", f.name, f.name);
}

Status FileOutput::Sync() {
  for (File* f : {&out_, &dlq_}) {
    if (!f->dirty || !failed_.ok()) continue;
    f->dirty = false;
    CheckStillNamed(*f);
    if (!failed_.ok()) break;
    // Pipes, terminals and character devices cannot be synced (EINVAL).
    if (::fsync(f->fd) != 0 && errno != EINVAL && errno != ENOTSUP && errno != EROFS)
      failed_ = Status::Unavailable("cannot sync " + f->name + " to disk: " + std::strerror(errno));
  }
  last_sync_ = std::chrono::steady_clock::now();
  return failed_;
}

Status FileOutput::Send(std::string_view, std::string_view value, int64_t, Done done) {
  return Write(out_, value, std::move(done));
}

Status FileOutput::SendDeadLetter(std::string_view, std::string_view value, Done done) {
  return Write(dlq_, value, std::move(done));
}

void FileOutput::Poll(int timeout_ms) {
  if (waiting_.empty()) return;
  if (timeout_ms <= 0 && waiting_.size() < 1000 &&
      std::chrono::steady_clock::now() - last_sync_ < std::chrono::milliseconds(100))
    return;
  Status s = Sync();
  std::vector<Done> ready;
  ready.swap(waiting_);
  for (auto& d : ready) d(s);
}

Status FileOutput::Flush(std::chrono::milliseconds) {
  if (!waiting_.empty()) {
    Poll(1);
    return failed_;
  }
  return Sync();
}

Status SplitOutput::Flush(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  Status a = articles_->Flush(timeout);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  Status d = dead_letters_->Flush(std::max(left, std::chrono::milliseconds(0)));
  return a.ok() ? d : a;
}

// ---- runner ----------------------------------------------------------------

StageRunner::StageRunner(KafkaOptions kafka, RunnerOptions options, RecordProcessor& processor,
                         RecordOutput& output, prometheus::Registry& registry)
    : kafka_(std::move(kafka)),
      options_(std::move(options)),
      processor_(processor),
      output_(output),
      families_(MetricFamilies::For(registry)),
      metrics_(registry, options_.name, options_.input_topic, output.Describe()),
      readiness_(Readiness::For(registry).Add(options_.name)) {
  const std::map<std::string, std::string> l = {{"stage", options_.name}};
  readiness_owner_ = &Readiness::For(registry);
  backlog_gauge_ = &families_.downstream_backlog.Add(l);
  connected_gauge_ = &families_.broker_connected.Add(l);
  commits_ = &families_.commits.Add(l);
  paused_gauge_ = &families_.flow_paused.Add(l);
  queue_gauge_ = &families_.producer_queue.Add(l);
  assigned_gauge_ = &families_.assigned_partitions.Add(l);
  commit_failures_ = &families_.commit_failures.Add(l);
  commit_seconds_ = &families_.commit_seconds.Add(
      l, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5});
  delivery_failures_ = &families_.delivery_failures.Add(l);
  skipped_reread_ =
      &families_.skipped_reread.Add({{"stage", options_.name}, {"topic", options_.input_topic}});
  if (const char* skips = std::getenv("NEWSFLOW_FAULT_SKIP_RECORDS"); skips != nullptr) {
    std::istringstream in(skips);
    for (std::string item; std::getline(in, item, ',');) {
      const size_t at = item.find('@');
      int32_t partition = -1;
      int64_t offset = -1;
      // Whole numbers only (std::stoi threw on junk and ended the process).
      auto whole = [](const char* b, const char* e, auto& v) {
        const auto r = std::from_chars(b, e, v);
        return b != e && r.ec == std::errc{} && r.ptr == e;
      };
      const char* b = item.data();
      const bool ok = at != std::string::npos && whole(b, b + at, partition) &&
                      whole(b + at + 1, b + item.size(), offset) && partition >= 0 && offset >= 0;
      if (ok) {
        fault_skips_.emplace(partition, offset);
      } else {
        spdlog::warn("[{}] NEWSFLOW_FAULT_SKIP_RECORDS: ignoring '{}' (want partition@offset)",
                     options_.name, item);
      }
    }
  }
  stalled_gauge_ = &families_.output_stalled.Add(l);
  batch_size_ = &families_.batch_size.Add(
      l, prometheus::Histogram::BucketBoundaries{1, 2, 5, 10, 20, 50, 100, 200, 500});
  families_.rebalances.Add({{"stage", options_.name}, {"kind", "assign"}});
  families_.rebalances.Add({{"stage", options_.name}, {"kind", "revoke"}});
}

StageRunner::~StageRunner() = default;

void StageRunner::RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                    rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<StageRunner*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->OnAssign(parts);
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    self->OnRevoke(parts);
  } else {
    spdlog::error("[{}] rebalance error: {}", self->options_.name, rd_kafka_err2str(err));
    rd_kafka_assign(rk, nullptr);
  }
}

int StageRunner::StatsCallback(rd_kafka_t*, char* json, size_t len, void* opaque) {
  static_cast<StageRunner*>(opaque)->OnStats(std::string_view(json, len));
  return 0;  // librdkafka frees `json`
}

void StageRunner::ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<StageRunner*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (NoteKafkaError(rk, err, reason)) return;  // Run ends with it
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) self->SetConnected(false);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    spdlog::error("[{}] kafka fatal error: {}", self->options_.name, reason);
  } else {
    spdlog::warn("[{}] kafka: {}: {}", self->options_.name, rd_kafka_err2str(code), reason);
  }
}

void StageRunner::CommitCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t*, void* opaque) {
  auto* self = static_cast<StageRunner*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;  // nothing new to commit
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->commits_->Increment();
  } else {
    self->commit_failures_->Increment();
    self->commit_pending_ = true;  // CommitStored tries again at its next interval
    spdlog::warn("[{}] offset commit failed: {}", self->options_.name, rd_kafka_err2str(err));
  }
}

void StageRunner::SetConnected(bool connected) {
  // Readiness follows this flag: say when it drops, so a /readyz 503 can be
  // matched with the log.
  if (readiness_.connected.exchange(connected, std::memory_order_relaxed) && !connected)
    spdlog::info("[{}] no connection to any broker at {} (not ready until one is back)",
                 options_.name, kafka_.brokers);
  connected_gauge_->Set(connected ? 1 : 0);
}

void StageRunner::OnStats(std::string_view json) {
  Status s = stats_parser_.Parse(json, options_.input_topic, stats_);
  if (!s.ok()) {
    spdlog::debug("[{}] {}", options_.name, s.ToString());
    return;
  }
  SetConnected(stats_.brokers_up > 0);
  if (stats_.rxmsgs > rxmsgs_seen_) {
    metrics_.fetched.Increment(static_cast<double>(stats_.rxmsgs - rxmsgs_seen_));
    rxmsgs_seen_ = stats_.rxmsgs;
  }
  for (const auto& p : stats_.partitions) {
    auto it = partitions_.find(p.partition);
    if (it == partitions_.end() || p.hi_offset < 0) continue;
    // No commit yet: everything the broker still holds is uncommitted.
    int64_t base = p.committed_offset >= 0 ? p.committed_offset : std::max<int64_t>(0, p.lo_offset);
    it->second.committed_lag->Set(static_cast<double>(std::max<int64_t>(0, p.hi_offset - base)));
  }
}

void StageRunner::OnAssign(rd_kafka_topic_partition_list_t* parts) {
  families_.rebalances.Add({{"stage", options_.name}, {"kind", "assign"}}).Increment();
  // Assigned again by the same broker: read again from the committed offset.
  for (int i = 0; i < parts->cnt; ++i) lost_assignment_.erase(parts->elems[i].partition);
  // Where each partition resumes, so the first record can be checked for a gap.
  TopicPartitionList committed(rd_kafka_topic_partition_list_copy(parts));
  rd_kafka_resp_err_t err = rd_kafka_committed(rk_.get(), committed.get(), 10000);
  TopicPartitionList from_start(rd_kafka_topic_partition_list_new(committed->cnt));
  for (int i = 0; i < committed->cnt; ++i) {
    int64_t next = -1;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && committed->elems[i].offset >= 0) {
      next = committed->elems[i].offset;
      // Everything below a committed offset was done (by this group).
      NoteDoneThrough(committed->elems[i].partition, next);
    } else if (kafka_.embedded) {
      next = 0;  // embedded topics start empty: everything from 0 must arrive
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_topic_partition_list_add(from_start.get(), committed->elems[i].topic,
                                          committed->elems[i].partition)->offset = 0;
    } else {
      unchecked_starts_.insert(committed->elems[i].partition);
    }
    tracker_.Assign(committed->elems[i].partition, next);
    // Where reading starts, when known: without it the client asks the group
    // for the committed offset again and, finding none yet (the start commit
    // below is on its way), looks the beginning up on a timer: the first
    // Fetch left 106 ms after the assignment. Unknown starts (a real cluster,
    // no commit) are left to auto.offset.reset.
    if (next >= 0) parts->elems[i].offset = next;  // `committed` is a copy of `parts`, in order
  }
  rd_kafka_assign(rk_.get(), parts);
  // On the embedded broker a group that has a reader says so at once by
  // committing where it starts (0, where it starts anyway): writers whose
  // reader is optional (dead letters of a separate `stage` or `produce`:
  // FlowController::Limits::only_once_read) wait for it from then on, not
  // only after its first commit of what it read. Synchronous: once the
  // assignment is logged, a writer that starts sees the commit.
  if (from_start->cnt > 0 && output_.Transactional() == nullptr) {
    rd_kafka_resp_err_t c = rd_kafka_commit(rk_.get(), from_start.get(), 0);
    if (c != RD_KAFKA_RESP_ERR_NO_ERROR)
      spdlog::debug("[{}] committing the start of new partitions: {}", options_.name, rd_kafka_err2str(c));
  }
  if (paused_) rd_kafka_pause_partitions(rk_.get(), parts);
  for (int i = 0; i < parts->cnt; ++i) {
    const std::map<std::string, std::string> l = {
        {"stage", options_.name}, {"topic", parts->elems[i].topic},
        {"partition", std::to_string(parts->elems[i].partition)}};
    PartitionGauges& g = partitions_[parts->elems[i].partition];
    g.lag = &families_.consumer_lag.Add(l);
    g.lag_seconds = &families_.consumer_lag_seconds.Add(l);
    g.committed_lag = &families_.committed_lag.Add(l);
  }
  assigned_gauge_->Set(parts->cnt);
  readiness_.assigned.store(parts->cnt, std::memory_order_relaxed);
  spdlog::info("[{}] assigned {} partition(s) of {}", options_.name, parts->cnt,
               options_.input_topic);
}

void StageRunner::OnRevoke(rd_kafka_topic_partition_list_t* parts) {
  families_.rebalances.Add({{"stage", options_.name}, {"kind", "revoke"}}).Increment();
  // Hand the partitions over with everything done so far committed, so the
  // next owner starts where this one really stopped. What the copies
  // processed ahead and was not handed on yet is dropped: uncommitted, the
  // next owner reads it again (none of it was sent).
  DropUnhandled();
  // The broker gone past the session timeout (the assignment is lost, not
  // handed over): keep what the partitions held, for a restart's count.
  if (kafka_.embedded && rd_kafka_assignment_lost(rk_.get())) {
    for (const auto& v : tracker_.View())
      for (int i = 0; i < parts->cnt; ++i)
        if (parts->elems[i].partition == v.partition) lost_assignment_[v.partition] = v;
  }
  if (TransactionalOutput* txn = output_.Transactional()) {
    FinishTransactionOnRevoke(*txn);
  } else {
    // Bounded: while stopping, by what is left of the stop budget.
    const auto budget = std::chrono::steady_clock::now() + options_.shutdown_timeout;
    Status s = DrainOutput(std::min(budget, drain_until_));
    if (!s.ok()) spdlog::warn("[{}] flush on revoke: {}", options_.name, s.ToString());
    StoreOffsets(true);
    Status c = CommitWithin(std::min(budget, commit_until_));
    if (!c.ok()) spdlog::warn("[{}] commit on revoke: {}", options_.name, c.ToString());
  }
  for (int i = 0; i < parts->cnt; ++i) {
    tracker_.Revoke(parts->elems[i].partition);
    unchecked_starts_.erase(parts->elems[i].partition);
  }
  rd_kafka_assign(rk_.get(), nullptr);
  // A partition that moved to another member is that member's to report.
  for (auto& [p, g] : partitions_) {
    families_.consumer_lag.Remove(g.lag);
    families_.consumer_lag_seconds.Remove(g.lag_seconds);
    families_.committed_lag.Remove(g.committed_lag);
  }
  partitions_.clear();
  assigned_gauge_->Set(0);
  readiness_.assigned.store(0, std::memory_order_relaxed);
  spdlog::info("[{}] revoked {} partition(s)", options_.name, parts->cnt);
}

void StageRunner::Done(int32_t partition, int64_t offset, bool forwarded, size_t bytes,
                       const Status& s, const Origin& origin) {
  --counts_.awaiting_output;
  output_answered_ns_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                            std::memory_order_relaxed);
  if (abandoned_) return;  // counted as lost when the broker restarted
  if (!s.ok()) {
    // The output lost this record: its offset (and every later one of the
    // partition) must stay uncommitted, and the runner stops.
    delivery_failures_->Increment();
    spdlog::error("[{}] {}[{}] offset {} was not written: {} (offset not committed; it is read "
                  "again by the next run)", options_.name, options_.input_topic, partition, offset,
                  s.ToString());
    Fail(s);
    return;
  }
  tracker_.MarkDone(partition, offset);
  --counts_.in_flight;
  if (forwarded) {
    ++counts_.sent;
    metrics_.sent.Increment();
    metrics_.bytes_out.Increment(static_cast<double>(bytes));
    auto now = std::chrono::system_clock::now();
    if (origin.has_fetched) {
      double age = std::chrono::duration<double>(now - origin.fetched_at).count();
      if (age >= 0) metrics_.e2e_seconds.Observe(age);
    }
    if (origin.produced_ms > 0) {
      int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           now.time_since_epoch()).count();
      if (now_ms >= origin.produced_ms)
        metrics_.e2e_from_produce_seconds.Observe(static_cast<double>(now_ms - origin.produced_ms) /
                                                  1000.0);
    }
  }
}

int StageRunner::HandlePipelined(const std::atomic<bool>& stop, int poll_ms) {
  // Take what is fetched, up to the pool's room, waiting for the first record
  // only when nothing is in hand.
  for (int timeout = pool_->Pending() == 0 ? poll_ms : 0; !pool_->Full(); timeout = 0) {
    rd_kafka_message_t* m = NextMessage(timeout);
    if (m == nullptr) break;
    if (m->err) {
      LogConsumerError(m);
      rd_kafka_message_destroy(m);
      continue;
    }
    pool_->Submit(m);
  }
  if (pool_->Pending() == 0) return 0;
  // This thread's own copy processes the next record nobody took, then what
  // the copies finished is handed on, oldest first, a few dozen at a time (in
  // bursts, as a batch was: a record at a time woke librdkafka's and the
  // broker's threads for each and cost more than it saved). When every
  // record is taken, wait briefly for the oldest (the output's
  // acknowledgements and new records are not kept waiting long).
  size_t ready = 0;
  if (pool_->ProcessOne(processor_)) {
    ready = pool_->WaitDone(0, std::chrono::milliseconds(0));
    if (ready < kHandOnAtOnce) return 0;
  } else {
    ready = pool_->WaitDone(1, std::chrono::milliseconds(5));
  }
  int handled = 0;
  // Once stopping or failed, the rest stay in the pool, unhandled and
  // uncommitted (read again); Run clears it.
  for (; ready > 0 && !stop.load(std::memory_order_relaxed) && failure_.ok() && WaitForRoom(stop);
       --ready) {
    Handle(pool_->FrontMessage(), &pool_->FrontOutput());
    rd_kafka_message_destroy(pool_->Pop());
    ++handled;
  }
  return handled;
}

void StageRunner::DropUnhandled() {
  if (pool_ == nullptr) return;
  for (rd_kafka_message_t* m : pool_->Clear()) rd_kafka_message_destroy(m);
}

// A group without a committed offset reads a partition from its start
// (auto.offset.reset=earliest): its first record should be the partition's
// first. Records before it that the log still holds were not delivered. With
// read_committed that is normal for an aborted transaction's records; on a
// topic written without transactions it means they were missed, which no
// later check sees (gaps on a real cluster are not counted as lost: they are
// transaction markers). Said once per partition and assignment.
void StageRunner::CheckFirstOffset(int32_t partition, int64_t offset) {
  if (unchecked_starts_.erase(partition) == 0) return;
  // The start the last fetch reported (nothing blocks the loop while a
  // broker is away); unknown, nothing is said.
  const int64_t low = LogStartSeen(partition);
  if (low < 0 || offset <= low) return;
  spdlog::warn("[{}] {}[{}]: the group had no committed offset, yet its first record is at offset "
               "{} while the partition starts at {}: {} record(s) before it were not delivered "
               "(aborted transactions are skipped so; on a topic written without transactions "
               "they were missed)", options_.name, options_.input_topic, partition, offset, low,
               offset - low);
}

int64_t StageRunner::LogStartSeen(int32_t partition) {
  int64_t low = -1, high = -1;
  if (rd_kafka_get_watermark_offsets(rk_.get(), options_.input_topic.c_str(), partition, &low,
                                     &high) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return -1;
  return low < 0 ? -1 : low;
}

void StageRunner::ReadSkipped(int32_t partition, int64_t offset) {
  // Exactly once: every transaction upstream leaves a marker, so gaps
  // mid-stream are the rule and are not read again (a read per transaction
  // and partition); the start of a partition assigned without a committed
  // offset still is, once an assignment: the one skip seen in CI was a
  // partition's first record there.
  const bool markers_expected = options_.read_committed || output_.Transactional() != nullptr;
  int64_t from = tracker_.NextExpected(partition);
  if (from >= 0 && markers_expected) return;
  if (from < 0) {
    // Assigned without a committed offset: the group reads from the start
    // (the last fetch's, else asked of the broker: once an assignment).
    if (unchecked_starts_.count(partition) == 0) return;
    from = LogStartSeen(partition);
    int64_t high = -1;
    if (from < 0)
      rd_kafka_query_watermark_offsets(rk_.get(), options_.input_topic.c_str(), partition, &from,
                                       &high, 5000);
  }
  if (from < 0 || offset <= from) return;
  const auto now = std::chrono::steady_clock::now();
  if (auto it = markers_seen_.find(partition);
      it != markers_seen_.end() && now - it->second < std::chrono::seconds(10))
    return;
  std::vector<rd_kafka_message_t*> found = ReadRange(partition, from, offset);
  if (found.empty()) {
    markers_seen_[partition] = now;
    spdlog::debug("[{}] {}[{}]: offsets {}-{} hold no records (transaction markers)",
                  options_.name, options_.input_topic, partition, from, offset - 1);
    return;
  }
  skipped_reread_->Increment(static_cast<double>(found.size()));
  spdlog::warn("[{}] {}[{}]: the Kafka client skipped {} record(s) the broker holds between "
               "offsets {} and {}: read again and processed now (nothing lost)",
               options_.name, options_.input_topic, partition, found.size(), from, offset - 1);
  reading_gap_ = true;
  for (rd_kafka_message_t* m : found) {
    Handle(m);
    rd_kafka_message_destroy(m);
  }
  reading_gap_ = false;
}

std::vector<rd_kafka_message_t*> StageRunner::ReadRange(int32_t partition, int64_t from, int64_t to) {
  std::vector<rd_kafka_message_t*> found;
  if (!gap_reader_) {
    // A plain reader: no group (nothing joined, stored or committed), the
    // main consumer's isolation level (librdkafka's default, read_committed).
    auto rk = NewKafkaClient(NonCommittingClient(kafka_, kafka_.client_id), ClientRole::kConsumer, "");
    if (!rk.ok()) {
      spdlog::warn("[{}] cannot read a gap again: {}", options_.name, rk.status().ToString());
      return found;
    }
    gap_reader_ = std::move(*rk);
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(gap_reader_.get(), options_.input_topic.c_str(), nullptr);
  if (rkt == nullptr) return found;
  bool complete = false;
  if (rd_kafka_consume_start(rkt, partition, from) == 0) {
    // The main consumer has the record at `to`: the broker answers at once.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!complete && std::chrono::steady_clock::now() < until) {
      rd_kafka_message_t* m = rd_kafka_consume(rkt, partition, 100);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset >= from && m->offset < to) {
        found.push_back(m);
        continue;
      }
      complete = m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset >= to;
      rd_kafka_message_destroy(m);
    }
    rd_kafka_consume_stop(rkt, partition);
  }
  rd_kafka_topic_destroy(rkt);
  if (!complete)
    spdlog::warn("[{}] {}[{}]: could not read offsets {}-{} again within 10 s (taken as "
                 "transaction markers)", options_.name, options_.input_topic, partition, from, to - 1);
  return found;
}

rd_kafka_message_t* StageRunner::NextMessage(int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), timeout_ms);
  while (m != nullptr && !fault_skips_.empty() && m->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
         fault_skips_.erase({m->partition, m->offset}) > 0) {
    spdlog::warn("[{}] skipping {}[{}] offset {} as a faulty client would (a test)", options_.name,
                 options_.input_topic, m->partition, m->offset);
    rd_kafka_message_destroy(m);
    m = rd_kafka_consumer_poll(rk_.get(), 0);
  }
  return m;
}

void StageRunner::LogConsumerError(const rd_kafka_message_t* m) {
  if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
    spdlog::warn("[{}] consumer: {}", options_.name, rd_kafka_message_errstr(m));
}

void StageRunner::Handle(const rd_kafka_message_t* m, const RecordProcessor::Output* pre) {
  const int32_t partition = m->partition;
  const int64_t offset = m->offset;
  if (!kafka_.embedded && !reading_gap_) ReadSkipped(partition, offset);
  if (!unchecked_starts_.empty()) CheckFirstOffset(partition, offset);
  OffsetTracker::Consumed c = tracker_.OnConsumed(partition, offset);
  // On a real cluster gaps are also transaction markers, aborted records
  // (read_committed is librdkafka's default) and compaction: only what lies
  // below the log start offset was really lost.
  if (c.lost > 0 && (options_.read_committed || !kafka_.embedded))
    c.lost = LostBelowLogStart(partition, offset, c.lost);
  if (c.lost > 0) {
    counts_.lost += c.lost;
    metrics_.lost.Increment(static_cast<double>(c.lost));
    spdlog::error("[{}] LOST {} record(s) on {}[{}] before offset {} (evicted by the broker "
                  "before they were read)", options_.name, c.lost, options_.input_topic,
                  partition, offset);
  }
  if (c.redelivered) {
    ++counts_.redelivered;
    metrics_.redelivered.Increment();
  }
  // When the article first entered Kafka: the header a stage passed on, else
  // this record's own produce time (it came straight from a producer).
  int64_t produced_ms = 0;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const void* v = nullptr;
    size_t n = 0;
    if (rd_kafka_header_get_last(headers, kProducedAtHeader, &v, &n) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        v != nullptr && n > 0 && n < 24) {
      char buf[24];
      std::memcpy(buf, v, n);
      buf[n] = '\0';
      produced_ms = std::strtoll(buf, nullptr, 10);
    }
  }
  rd_kafka_timestamp_type_t ts_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  int64_t ts = rd_kafka_message_timestamp(m, &ts_type);
  if (ts_type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) ts = 0;
  if (produced_ms <= 0) produced_ms = ts;
  if (auto it = partitions_.find(partition); it != partitions_.end() && ts > 0)
    it->second.last_timestamp_ms = ts;
  ++counts_.received;
  ++counts_.in_flight;
  metrics_.received.Increment();
  metrics_.bytes_in.Increment(static_cast<double>(m->len));
  // The message outlives this call (its caller destroys it after): read in
  // place, not copied.
  const std::string_view payload(static_cast<const char*>(m->payload), m->len);
  if (pre == nullptr) processor_.Process(payload, scratch_);
  const RecordProcessor::Output& result = pre != nullptr ? *pre : scratch_;

  using Kind = RecordProcessor::Output::Kind;
  auto dead_letter = [&](const RecordProcessor::Output& out) {
    ++counts_.dead_lettered;
    metrics_.DeadLettered(out.reason_code).Increment();
    DeadLetter d = MakeDeadLetter(out, payload);
    // A record that does not decode has no id: its Kafka key (the id its
    // producer gave it) names it, in the dead letter and as its key (both
    // were null). Bounded, and UTF-8 for the dead letter's JSON.
    if (d.key.empty() && m->key != nullptr && m->key_len > 0)
      d.key = Utf8OrReplaced(std::string(static_cast<const char*>(m->key),
                                         std::min<size_t>(m->key_len, 1024)));
    d.source_topic = options_.input_topic;
    d.partition = partition;
    d.offset = offset;
    std::string json = EncodeDeadLetter(d);
    spdlog::warn("[{}] dead letter {}[{}]@{}: {}: {}", options_.name, options_.input_topic,
                 partition, offset, out.reason_code, out.reason);
    ++counts_.awaiting_output;
    Status s = output_.SendDeadLetter(d.key, json, [this, partition, offset](const Status& st) {
      Done(partition, offset, false, 0, st, Origin{});
    });
    if (!s.ok()) {
      --counts_.awaiting_output;
      delivery_failures_->Increment();
      spdlog::error("[{}] cannot send dead letter for {}[{}] offset {}: {} (offset not committed)",
                    options_.name, options_.input_topic, partition, offset, s.ToString());
      Fail(s);
    }
  };

  switch (result.kind) {
    case Kind::kDrop:
      ++counts_.dropped;
      metrics_.Dropped(result.reason).Increment();
      tracker_.MarkDone(partition, offset);
      --counts_.in_flight;
      break;
    case Kind::kDeadLetter:
      dead_letter(result);
      break;
    case Kind::kForward: {
      size_t bytes = result.value.size();
      Origin origin;
      origin.fetched_at = result.fetched_at.value_or(std::chrono::system_clock::time_point{});
      origin.has_fetched = result.fetched_at.has_value();
      origin.produced_ms = produced_ms;
      ++counts_.awaiting_output;
      Status s = output_.Send(result.key, result.value, produced_ms,
                              [this, partition, offset, bytes, origin](const Status& st) {
                                Done(partition, offset, true, bytes, st, origin);
                              });
      if (!s.ok()) --counts_.awaiting_output;
      if (!s.ok() && s.code() != StatusCode::kTooLarge) {
        // The output cannot take records (a full disk, a closed file, an
        // unknown topic): not this record's fault, so no dead letter; stop
        // with its offset uncommitted.
        spdlog::error("[{}] cannot write {}[{}] offset {} to {}: {} (offset not committed)",
                      options_.name, options_.input_topic, partition, offset, output_.Describe(),
                      s.ToString());
        Fail(s);
      } else if (!s.ok()) {
        RecordProcessor::Output failed = result;
        failed.kind = Kind::kDeadLetter;
        failed.stage = options_.name;
        failed.reason_code = std::string(StatusCodeName(s.code()));
        failed.reason = s.message();
        dead_letter(failed);
      }
      break;
    }
  }
}

void StageRunner::NoteDoneThrough(int32_t partition, int64_t offset) {
  if (offset < 0) return;
  std::lock_guard<std::mutex> lock(done_mu_);
  int64_t& done = done_through_[partition];
  done = std::max(done, offset);
}

std::map<int32_t, int64_t> StageRunner::DoneThrough() const {
  std::lock_guard<std::mutex> lock(done_mu_);
  return done_through_;
}

void StageRunner::StoreOffsets(bool all) {
  auto positions = all ? tracker_.AllCommittable() : tracker_.TakeCommittable();
  if (all) tracker_.TakeCommittable();
  if (positions.empty()) return;
  commit_pending_ = true;
  TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  for (const auto& [p, off] : positions) {
    rd_kafka_topic_partition_list_add(list.get(), options_.input_topic.c_str(), p)->offset = off;
    NoteDoneThrough(p, off);
  }
  rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__STATE)
    spdlog::warn("[{}] storing offsets: {}", options_.name, rd_kafka_err2str(err));
}

void StageRunner::UpdateFlow() {
  const bool blocked = output_.Blocked();
  const auto now = std::chrono::steady_clock::now();
  if (blocked && held_ && now - held_since_ >= std::chrono::seconds(5) &&
      now - last_pause_log_ >= std::chrono::seconds(30)) {
    // A long hold is not silent: say why (the downstream group's backlog),
    // when it starts and every 30 s while it lasts.
    last_pause_log_ = now;
    spdlog::warn("[{}] flow control: input paused for {} s: {} (waiting, nothing is lost)",
                 options_.name,
                 std::chrono::duration_cast<std::chrono::seconds>(now - held_since_).count(),
                 output_.HoldReason());
  }
  // A hold that lasts: the downstream is really behind. Pausing drops what
  // was fetched ahead (memory) and lets the loop poll the consumer again
  // (group membership, rebalances) without being handed records.
  if (blocked && held_ && !paused_ && now - held_since_ >= options_.pause_after)
    PausePartitions(true);
  if (blocked == held_) return;
  if (blocked) {
    held_since_ = now;
  } else {
    if (last_pause_log_ != std::chrono::steady_clock::time_point{}) {
      spdlog::info("[{}] flow control: input resumed after {} s", options_.name,
                   std::chrono::duration_cast<std::chrono::seconds>(now - held_since_).count());
      last_pause_log_ = {};
    }
    if (paused_) PausePartitions(false);
  }
  held_ = blocked;
  paused_gauge_->Set(blocked ? 1 : 0);
  spdlog::debug("[{}] flow control: {}", options_.name, blocked ? "held" : "released");
}

// A batch is taken whole (up to 500 records, 128 with two copies), and one
// batch of large articles alone can be more than the downstream's partition
// holds (the embedded broker keeps about 5 MiB of each: 128 records of 64 KB
// are 8 MiB, and the oldest were evicted before the next stage read them).
// So the hold is also judged record by record: the estimate behind Blocked()
// grows with every record sent.
bool StageRunner::WaitForRoom(const std::atomic<bool>& stop) {
  while (output_.Blocked()) {
    if (stop.load(std::memory_order_relaxed) || !failure_.ok()) return false;
    // The hold's figures are the dead broker's: leave the record (counted as
    // not read) for Run's loop, which follows the new broker. Before, a stage
    // held here when the broker restarted waited for ever.
    if (kafka_.embedded && BrokerMonitor::Get().Restarted()) return false;
    UpdateFlow();
    ServeOutput(10);
  }
  if (held_) UpdateFlow();
  return true;
}

void StageRunner::ServeOutput(int poll_ms) {
  output_.Poll(poll_ms);
  StoreOffsets(false);
  CommitStored();
}

void StageRunner::PausePartitions(bool pause) {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(rk_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  TopicPartitionList a(assignment);
  if (pause) {
    rd_kafka_pause_partitions(rk_.get(), a.get());
  } else {
    rd_kafka_resume_partitions(rk_.get(), a.get());
  }
  paused_ = pause;
  spdlog::debug("[{}] flow control: partitions {}", options_.name, pause ? "paused" : "resumed");
}

void StageRunner::CheckStall() {
  using std::chrono::steady_clock;
  const auto now = steady_clock::now();
  const int64_t waiting = counts_.awaiting_output.load(std::memory_order_relaxed);
  if (waiting <= 0) {
    output_waiting_since_ = {};
  } else if (output_waiting_since_ == steady_clock::time_point{}) {
    output_waiting_since_ = now;
  }
  // Stalled since the later of: the first waiting record was handed over,
  // the output last answered.
  steady_clock::time_point since{};
  if (output_waiting_since_ != steady_clock::time_point{}) {
    const steady_clock::time_point answered{
        steady_clock::duration(output_answered_ns_.load(std::memory_order_relaxed))};
    since = std::max(output_waiting_since_, answered);
  }
  const auto stalled = since == steady_clock::time_point{} ? steady_clock::duration::zero() : now - since;
  stalled_gauge_->Set(std::chrono::duration<double>(stalled).count());
  if (stalled >= options_.stall_warning) {
    if (stall_from_ == steady_clock::time_point{}) stall_from_ = since;
    if (now - stall_log_ < std::chrono::seconds(30)) return;
    stall_log_ = now;
    spdlog::warn("[{}] {} record(s) handed to {} have had no acknowledgement for {} s ({} in the "
                 "producer's queue; the stage reads at most {} ahead). Are the partitions' leaders "
                 "reachable? Nothing is lost: their input offsets are not committed",
                 options_.name, waiting, output_.Describe(),
                 std::chrono::duration_cast<std::chrono::seconds>(stalled).count(), output_.QueueLength(),
                 options_.max_in_flight);
  } else if (stall_from_ != steady_clock::time_point{}) {  // said when it began: say it ended
    spdlog::info("[{}] {} acknowledges again, after {} s without", options_.name, output_.Describe(),
                 std::chrono::duration_cast<std::chrono::seconds>(now - stall_from_).count());
    stall_from_ = stall_log_ = {};
  }
}

void StageRunner::UpdateLag() {
  auto now = std::chrono::steady_clock::now();
  if (now - last_lag_ < std::chrono::seconds(1)) return;
  last_lag_ = now;
  queue_gauge_->Set(static_cast<double>(output_.QueueLength()));
  backlog_gauge_->Set(static_cast<double>(std::max<int64_t>(0, output_.DownstreamBacklog())));
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(rk_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  TopicPartitionList a(assignment);
  if (rd_kafka_position(rk_.get(), a.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (int i = 0; i < a->cnt; ++i) {
    auto it = partitions_.find(a->elems[i].partition);
    if (it == partitions_.end()) continue;
    int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(rk_.get(), a->elems[i].topic, a->elems[i].partition, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0)
      continue;
    int64_t pos = a->elems[i].offset >= 0 ? a->elems[i].offset : low;
    int64_t lag = std::max<int64_t>(0, high - pos);
    PartitionGauges& g = it->second;
    g.lag->Set(static_cast<double>(lag));
    // The next waiting record was produced after the last consumed one, so
    // this bounds its age from above; unknown until a record was consumed.
    double seconds = 0;
    if (lag > 0 && g.last_timestamp_ms > 0)
      seconds = std::max<int64_t>(0, now_ms - g.last_timestamp_ms) / 1000.0;
    g.lag_seconds->Set(seconds);
  }
}

Status StageRunner::AbandonAfterBrokerRestart() {
  abandoned_ = true;
  BrokerMonitor& monitor = BrokerMonitor::Get();
  // What the dead broker held per partition: the end this consumer saw, or
  // what the writers on this box had acknowledged, whichever is further.
  std::map<int32_t, int64_t> ends = monitor.AckedEnds(options_.input_topic);
  for (const auto& p : stats_.partitions) ends[p.partition] = std::max(ends[p.partition], p.hi_offset);
  int64_t total = 0;
  std::vector<OffsetTracker::PartitionView> views = tracker_.View();
  for (const auto& [partition, v] : lost_assignment_) {
    bool assigned = false;
    for (const auto& w : views) assigned = assigned || w.partition == partition;
    if (!assigned) views.push_back(v);
  }
  lost_assignment_.clear();
  for (const auto& v : views) {
    int64_t low = 0, high = -1;
    if (rd_kafka_get_watermark_offsets(rk_.get(), options_.input_topic.c_str(), v.partition, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR)
      high = -1;
    int64_t end = std::max(high, ends.count(v.partition) ? ends[v.partition] : int64_t{-1});
    int64_t next = std::max<int64_t>(0, v.next_expected);
    int64_t unread = std::max<int64_t>(0, end - next);
    int64_t lost = static_cast<int64_t>(v.in_flight) + unread;
    if (lost == 0) continue;
    total += lost;
    spdlog::error("[{}] LOST {} record(s) on {}[{}]: the embedded broker restarted empty ({} "
                  "consumed but not finished, {} not yet read at offsets {}..{})",
                  options_.name, lost, options_.input_topic, v.partition, v.in_flight, unread, next,
                  end - 1);
  }
  counts_.lost += total;
  metrics_.lost.Increment(static_cast<double>(total));
  spdlog::error("[{}] the embedded broker restarted: {} record(s) of {} lost in all; following the "
                "new broker from its start", options_.name, total, options_.input_topic);
  // The dead broker cannot hear a LeaveGroup or a commit: do not wait for it
  // (KafkaDeleter destroys without a consumer close).
  DropUnhandled();
  rk_.reset();
  SetConnected(false);
  readiness_owner_->Release(readiness_);
  return Status::Unavailable("the embedded broker named in " + monitor.bootstrap_file() +
                             " restarted (incarnation " + monitor.incarnation() + " -> " +
                             monitor.new_incarnation() + ")");
}

void StageRunner::Fail(const Status& s) {
  if (failure_.ok()) failure_ = s;
}

bool StageRunner::FailedOnProducerState() const {
  if (failure_.ok() || kafka_.exactly_once) return false;  // a transactional producer stops (fencing)
  // librdkafka raises the lost state as a fatal error of the producer; what
  // the runner hears of it first varies: that error, a delivery report naming
  // the code, "Local: Purged in queue" for what the fatal error purged, or
  // "Local: Fatal error" from the next produce. The cause recorded for the
  // output's own producer decides (in `run` another hop's producer may have
  // lost its state: new clients here would not cure what failed here); a
  // delivery report alone decides when no fatal error was raised.
  const rd_kafka_resp_err_t cause = KafkaFatalCauseOf(output_.ProducerHandle());
  for (rd_kafka_resp_err_t code : kLostProducerStateErrors) {
    if (cause == code || failure_.message().find(rd_kafka_err2str(code)) != std::string::npos)
      return true;
  }
  return false;
}

bool StageRunner::PastDeadline(std::chrono::steady_clock::time_point until) const {
  return std::chrono::steady_clock::now() >= until || Shutdown::Forced() ||
         (options_.force != nullptr && options_.force->load(std::memory_order_relaxed));
}

Status StageRunner::DrainOutput(std::chrono::steady_clock::time_point until) {
  // Wait for this runner's own records only: librdkafka's queue may also
  // hold requests to a broker that is gone, which no record waits for.
  // A restarted embedded broker will never acknowledge: Run follows it.
  while (counts_.awaiting_output.load() > 0 && !PastDeadline(until) &&
         !(kafka_.embedded && BrokerMonitor::Get().Restarted()))
    output_.Poll(50);
  output_.Poll(1);
  if (int64_t n = counts_.awaiting_output.load(); n > 0)
    return Status::Timeout(std::to_string(n) + " record(s) not yet acknowledged by " +
                           output_.Describe() + " when the stop budget ran out");
  return Status::OK();
}

void StageRunner::CommitStored() {
  if (commit_interval_ <= std::chrono::milliseconds::zero() || !commit_pending_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_commit_ < commit_interval_) return;
  last_commit_ = now;
  commit_pending_ = false;  // set again by the next store, or by a failed commit
  // Asynchronous, as librdkafka's timer commits: the result reaches
  // CommitCallback on the next consumer poll; nothing new stored is no commit.
  rd_kafka_resp_err_t err = rd_kafka_commit(rk_.get(), nullptr, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
    spdlog::debug("[{}] commit: {}", options_.name, rd_kafka_err2str(err));
}

Status StageRunner::CommitWithin(std::chrono::steady_clock::time_point until) {
  auto t0 = std::chrono::steady_clock::now();
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk_.get());
  // Asynchronous, result on `q`: a synchronous commit waits for a broker
  // that may never answer.
  rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk_.get(), nullptr, q, nullptr, nullptr);
  bool answered = err != RD_KAFKA_RESP_ERR_NO_ERROR;
  while (!answered) {
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 50);
    if (ev != nullptr) {
      if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
        err = rd_kafka_event_error(ev);
        answered = true;
      }
      rd_kafka_event_destroy(ev);
    }
    if (!answered && PastDeadline(until)) break;
  }
  rd_kafka_queue_destroy(q);
  commit_seconds_->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (!answered)
    return Status::Timeout("offset commit not confirmed by Kafka at " + kafka_.brokers +
                           " within the stop budget (records since the last commit are read again)");
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) commits_->Increment();
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return Status::OK();
  commit_failures_->Increment();
  return KafkaStatus(err, "commit");
}

void StageRunner::CloseWithin(std::chrono::steady_clock::time_point until) {
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk_.get());
  if (rd_kafka_error_t* e = rd_kafka_consumer_close_queue(rk_.get(), q)) {
    spdlog::warn("[{}] leaving the group: {}", options_.name, rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
  } else {
    while (!rd_kafka_consumer_closed(rk_.get())) {
      if (PastDeadline(until)) {
        spdlog::warn("[{}] stopped without Kafka at {} confirming that it left group {} (the "
                     "group rebalances once the session times out)",
                     options_.name, kafka_.brokers, options_.group);
        break;
      }
      // Events, not callbacks: the revoke comes as an event and goes to the
      // same handler (drain + commit) as during a run.
      if (rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 50)) {
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
          RebalanceCallback(rk_.get(), rd_kafka_event_error(ev),
                            rd_kafka_event_topic_partition_list(ev), this);
        rd_kafka_event_destroy(ev);
      }
    }
  }
  rd_kafka_queue_destroy(q);
}

void StageRunner::ReportConnectivity() {
  const auto now = std::chrono::steady_clock::now();
  const bool connected = readiness_.connected.load(std::memory_order_relaxed);
  if (connected) {
    if (last_connect_log_ != std::chrono::steady_clock::time_point{})
      spdlog::info("[{}] reached Kafka at {} again", options_.name, kafka_.brokers);
    disconnected_since_ = last_connect_log_ = {};
    return;
  }
  if (disconnected_since_ == std::chrono::steady_clock::time_point{}) disconnected_since_ = now;
  // librdkafka logs a refused connection once, then suppresses repeats: say
  // it again every 30 s, naming the address, while no broker answers.
  if (now - disconnected_since_ >= std::chrono::seconds(5) &&
      now - last_connect_log_ >= std::chrono::seconds(30)) {
    last_connect_log_ = now;
    spdlog::warn("[{}] cannot reach Kafka at {} for {} s (no broker answers); retrying. Is the "
                 "broker running, and is --brokers (or the bootstrap file) right?",
                 options_.name, kafka_.brokers,
                 std::chrono::duration_cast<std::chrono::seconds>(now - disconnected_since_).count());
  }
}

Status StageRunner::Run(const std::atomic<bool>& stop) {
  NameThisThread(options_.name);  // not the main thread (`newsflow stage` runs there)
  auto conf = NewKafkaConf(kafka_, ClientRole::kConsumer, options_.group);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_rebalance_cb(*conf, &StageRunner::RebalanceCallback);
  rd_kafka_conf_set_stats_cb(*conf, &StageRunner::StatsCallback);
  rd_kafka_conf_set_error_cb(*conf, &StageRunner::ErrorCallback);
  rd_kafka_conf_set_offset_commit_cb(*conf, &StageRunner::CommitCallback);
  rd_kafka_conf_set_opaque(*conf, this);
  // Statistics feed the committed lag and broker connectivity (/readyz); a
  // user's -X statistics.interval.ms wins.
  if (!kafka_.UserSets("statistics.interval.ms")) {
    char err[256];
    rd_kafka_conf_set(*conf, "statistics.interval.ms", "1000", err, sizeof err);
  }
  if (options_.read_committed || output_.Transactional() != nullptr) {
    // Exactly once: offsets are committed only inside the output's transactions.
    char err[256];
    rd_kafka_conf_set(*conf, "isolation.level", "read_committed", err, sizeof err);
    if (output_.Transactional() != nullptr)
      rd_kafka_conf_set(*conf, "enable.auto.commit", "false", err, sizeof err);
  }
  // At least once: the stored offsets are committed by Run's loop
  // (CommitStored) every auto.commit.interval.ms (the profile's, or a user's
  // -X), not by librdkafka's auto-commit timer. librdkafka 2.0.2's main
  // thread spins for up to 1 ms whenever one of its timers falls due (fixed
  // upstream in 2.3.1, librdkafka #4671): at the embedded profile's 100 ms
  // that was most of an idle pipeline's CPU. Same offsets, same interval; a
  // user's -X enable.auto.commit is left to librdkafka.
  commit_interval_ = std::chrono::milliseconds::zero();
  if (output_.Transactional() == nullptr && !kafka_.UserSets("enable.auto.commit")) {
    char value[32];
    size_t size = sizeof value;
    if (rd_kafka_conf_get(*conf, "auto.commit.interval.ms", value, &size) == RD_KAFKA_CONF_OK) {
      commit_interval_ = std::chrono::milliseconds(std::max(1L, std::strtol(value, nullptr, 10)));
      char err[256];
      rd_kafka_conf_set(*conf, "enable.auto.commit", "false", err, sizeof err);
    }
  }
  auto rk = NewKafkaClient(kafka_, ClientRole::kConsumer, options_.group, *conf);
  if (!rk.ok()) return rk.status();
  rk_ = std::move(*rk);
  rd_kafka_poll_set_consumer(rk_.get());

  if (options_.assign_all) {
    // Every partition at once, as the group's only member would get them,
    // through the same assignment handler (committed offsets, gap checks).
    auto count = TopicPartitionCount(rk_.get(), options_.input_topic, std::chrono::seconds(10), kafka_.brokers);
    if (!count.ok()) return count.status();
    TopicPartitionList all(rd_kafka_topic_partition_list_new(*count));
    for (int p = 0; p < *count; ++p)
      rd_kafka_topic_partition_list_add(all.get(), options_.input_topic.c_str(), p);
    OnAssign(all.get());
  } else {
    TopicPartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), options_.input_topic.c_str(),
                                      RD_KAFKA_PARTITION_UA);
    NEWSFLOW_RETURN_IF_ERROR(
        KafkaStatus(rd_kafka_subscribe(rk_.get(), topics.get()), "subscribe " + options_.input_topic));
  }
  spdlog::info("[{}] consuming {} as group {} -> {}", options_.name, options_.input_topic,
               options_.group, output_.Describe());
  if (TransactionalOutput* txn = output_.Transactional()) return RunTransactional(stop, *txn);

  const int reporter = Shutdown::AddReporter([this] {
    int64_t n = counts_.in_flight.load();
    if (n <= 0) return std::string();
    return "[" + options_.name + "] " + std::to_string(n) + " record(s) of " + options_.input_topic +
           " not yet written to " + output_.Describe() +
           " (offsets not committed: they are read again after restart)";
  });
  if (!extra_.empty())  // the copies on the pool's threads, processor_ on this one
    pool_ = std::make_unique<ProcessingPool>(extra_, kRecordsAheadPerCopy * (extra_.size() + 1), options_.name);
  const int poll_ms = static_cast<int>(options_.poll_timeout.count());
  while (!stop.load(std::memory_order_relaxed) && failure_.ok()) {
    if (kafka_.embedded && BrokerMonitor::Get().Restarted()) {
      Shutdown::RemoveReporter(reporter);
      return AbandonAfterBrokerRestart();
    }
    if (Status fatal = KafkaFatalErrorOf(rk_.get(), output_.ProducerHandle()); !fatal.ok()) {
      // Authentication failed or the client is broken for good: no drain is
      // possible, and leaving the group would wait for brokers that refuse us.
      // The output's producer may have raised it (FailedOnProducerState).
      spdlog::error("[{}] stopping: {}", options_.name, fatal.ToString());
      Fail(fatal);
      Shutdown::RemoveReporter(reporter);
      DropUnhandled();
      rk_.reset();  // KafkaDeleter: without a consumer close
      return fatal;
    }
    output_.Poll(0);
    UpdateFlow();
    UpdateLag();
    CheckStall();
    ReportConnectivity();
    if (HeldBriefly()) {
      // Flow control holds the input: take nothing new, serve the output's
      // acknowledgements (they may end the hold) and commit what they allow.
      ServeOutput(10);
      continue;
    }
    if (tracker_.InFlight() >= options_.max_in_flight) {
      ServeOutput(poll_ms);
      if (pool_ != nullptr && pool_->Full()) continue;
      rd_kafka_message_t* none = NextMessage(0);  // keep the group alive
      if (none == nullptr) continue;
      if (!none->err && pool_ != nullptr) {
        pool_->Submit(none);  // handed on once the output has room
        continue;
      }
      if (!none->err && WaitForRoom(stop)) Handle(none);
      rd_kafka_message_destroy(none);
      continue;
    }
    // A batch is what is already fetched, up to 500 records or 100 ms of
    // work, so acknowledgements are served and offsets stored often even
    // when a stage is slow (a smaller redelivery window after a crash).
    int batch = 0;
    if (pool_ != nullptr) {
      batch = HandlePipelined(stop, poll_ms);
    } else {
      const auto batch_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
      for (rd_kafka_message_t* m = NextMessage(poll_ms); m != nullptr;
           m = (batch < 500 && std::chrono::steady_clock::now() < batch_end) ? NextMessage(0)
                                                                              : nullptr) {
        if (m->err) {
          LogConsumerError(m);
        } else if (!WaitForRoom(stop)) {
          rd_kafka_message_destroy(m);  // stopping: left uncommitted, read again
          break;
        } else {
          Handle(m);
          if (++batch % 64 == 0) output_.Poll(0);
        }
        rd_kafka_message_destroy(m);
        if (stop.load(std::memory_order_relaxed) || !failure_.ok()) break;
      }
    }
    output_.Poll(0);
    if (batch > 0) batch_size_->Observe(batch);
    StoreOffsets(false);
    CommitStored();
  }

  // Stopping, within the budget: half to drain, a quarter to commit, the
  // rest to leave the group; never past the process's stop deadline.
  auto now = std::chrono::steady_clock::now();
  auto end = now + options_.shutdown_timeout;
  if (auto by = Shutdown::StopBy(); by != std::chrono::steady_clock::time_point::max())
    end = std::min(end, by - std::chrono::seconds(1));
  const auto span = std::max(end - now, std::chrono::steady_clock::duration::zero());
  drain_until_ = now + span / 2;
  commit_until_ = now + span * 3 / 4;
  if (!failure_.ok())
    spdlog::error("[{}] stopping: the output failed: {}", options_.name, failure_.ToString());
  spdlog::info("[{}] stopping: draining {} in-flight record(s) (at most {} ms)", options_.name,
               counts_.awaiting_output.load(),
               std::chrono::duration_cast<std::chrono::milliseconds>(span / 2).count());
  DropUnhandled();  // processed ahead, never handed on: read again
  Status flushed = DrainOutput(drain_until_);
  if (!flushed.ok()) spdlog::error("[{}] shutdown flush: {}", options_.name, flushed.ToString());
  StoreOffsets(true);
  Status committed = CommitWithin(commit_until_);
  if (!committed.ok()) spdlog::error("[{}] final commit: {}", options_.name, committed.ToString());
  CloseWithin(end);
  rk_.reset();
  Shutdown::RemoveReporter(reporter);
  const int64_t undelivered = std::max<int64_t>(0, counts_.in_flight.load());
  spdlog::info("[{}] stopped: received {} sent {} dropped {} dead-lettered {} lost {} redelivered {} "
               "undelivered {}{}",
               options_.name, counts_.received.load(), counts_.sent.load(), counts_.dropped.load(),
               counts_.dead_lettered.load(), counts_.lost.load(), counts_.redelivered.load(),
               undelivered, output_.Summary());
  if (undelivered > 0)
    spdlog::warn("[{}] {} record(s) of {} were not written to {}; their offsets are not committed, "
                 "so the group reads them again when it restarts", options_.name, undelivered,
                 options_.input_topic, output_.Describe());
  if (!failure_.ok())
    return failure_.WithContext("[" + options_.name + "] output " + output_.Describe());
  return flushed;
}

}  // namespace newsflow
