#include "newsflow/producer.h"

#include "newsflow/broker_restart.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "newsflow/shutdown.h"
#include "newsflow/thread_name.h"

namespace newsflow {
namespace {

struct AckedEndsRegistry {
  std::atomic<bool> on{false};
  std::mutex mu;
  std::map<std::pair<std::string, int32_t>, int64_t> ends;  // (topic, partition) -> offset after
};

AckedEndsRegistry& Acked() {
  static AckedEndsRegistry r;
  return r;
}

void NoteAckedEnd(const char* topic, int32_t partition, int64_t offset) {
  AckedEndsRegistry& r = Acked();
  if (!r.on.load(std::memory_order_relaxed) || topic == nullptr || offset < 0) return;
  std::lock_guard<std::mutex> lock(r.mu);
  int64_t& end = r.ends[{topic, partition}];
  end = std::max(end, offset + 1);
}

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* topic = rd_kafka_topic_name(m->rkt);
    // What the embedded broker acknowledged, in case it restarts (broker_restart.h).
    BrokerMonitor::Get().NoteAcked(topic, m->partition, m->offset);
    NoteAckedEnd(topic, m->partition, m->offset);
  }
  auto* fn = static_cast<KafkaProducer::DeliveryFn*>(m->_private);
  if (fn == nullptr) return;
  (*fn)(m->err, m->partition, m->offset);
  delete fn;
}

// Fault injection for tests, off unless NEWSFLOW_FAULT_PRODUCER_FATAL_AFTER=N
// is set: the producer that takes the process's Nth record raises the fatal
// error a leader's failover can give an idempotent producer
// (OUT_OF_ORDER_SEQUENCE_NUMBER), once per process, through librdkafka's
// own test hook. N@TOPIC counts only the records sent to TOPIC (or to
// NAMESPACE.TOPIC): in `run` the reader and the stages produce at the same
// time, so "the process's Nth record" alone does not say whose it is. The
// real failure needs a killed partition leader at the right moment
// (RealKafkaBrokerFailureTest saw it 1 run in 6); this makes the recovery
// testable on any broker (tests/integration/pipeline_test.cc).
struct FatalFault {
  int64_t after = 0;
  std::string topic;  // empty: every topic
  bool Counts(std::string_view t) const {
    if (topic.empty() || t == topic) return true;
    return t.size() > topic.size() && t.ends_with(topic) && t[t.size() - topic.size() - 1] == '.';
  }
};

void MaybeInjectFatal(rd_kafka_t* rk, std::string_view topic) {
  static const FatalFault fault = [] {
    FatalFault f;
    const char* v = std::getenv("NEWSFLOW_FAULT_PRODUCER_FATAL_AFTER");
    if (v == nullptr) return f;
    std::string_view s(v);
    f.after = std::atoll(std::string(s.substr(0, s.find('@'))).c_str());
    if (size_t at = s.find('@'); at != std::string_view::npos) f.topic = s.substr(at + 1);
    return f;
  }();
  if (fault.after <= 0 || !fault.Counts(topic)) return;
  static std::atomic<int64_t> produced{0};
  if (produced.fetch_add(1, std::memory_order_relaxed) + 1 != fault.after) return;
  spdlog::warn("producer: NEWSFLOW_FAULT_PRODUCER_FATAL_AFTER={}{}{}, a record to {}: raising a fatal error (a test)",
               fault.after, fault.topic.empty() ? "" : "@", fault.topic, topic);
  rd_kafka_test_fatal_error(rk, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                            "injected by NEWSFLOW_FAULT_PRODUCER_FATAL_AFTER");
}

}  // namespace

void TrackAckedEnds() { Acked().on = true; }

std::map<int32_t, int64_t> AckedEnds(const std::string& topic) {
  AckedEndsRegistry& r = Acked();
  std::map<int32_t, int64_t> out;
  std::lock_guard<std::mutex> lock(r.mu);
  const auto first = r.ends.lower_bound({topic, std::numeric_limits<int32_t>::min()});
  for (auto it = first; it != r.ends.end() && it->first.first == topic; ++it)
    out[it->first.second] = it->second;
  return out;
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const KafkaOptions& o) {
  auto conf = NewKafkaConf(o, ClientRole::kProducer, "");
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(*conf, OnDelivery);
  auto rk = NewKafkaClient(o, ClientRole::kProducer, "", *conf);
  if (!rk.ok()) return rk.status();
  std::unique_ptr<KafkaProducer> p(new KafkaProducer());
  p->rk_ = std::move(*rk);
  p->brokers_ = o.brokers;
  return p;
}

void KafkaProducer::LearnPartitions(const std::string& topic) {
  if (auto n = TopicPartitionCount(rk_.get(), topic, std::chrono::seconds(5), brokers_); !n.ok())
    spdlog::debug("producer: partitions of {} not known before its first record: {}", topic,
                  n.status().ToString());
}

KafkaProducer::~KafkaProducer() {
  if (rk_ && !KafkaFatalErrorOf(rk_.get()).ok()) {
    // Nothing will be delivered: do not wait for it.
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_.get(), 0);
  }
  if (rk_ && rd_kafka_outq_len(rk_.get()) > 0) {
    // Ten seconds for what is still queued, less when the process is
    // stopping (the stop deadline bounds everything, Shutdown).
    auto wait = std::chrono::milliseconds(10000);
    if (auto by = Shutdown::StopBy(); by != std::chrono::steady_clock::time_point::max())
      wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                            by - std::chrono::seconds(2) - std::chrono::steady_clock::now()),
                        std::chrono::milliseconds(0), wait);
    rd_kafka_flush(rk_.get(), static_cast<int>(wait.count()));
    if (int left = rd_kafka_outq_len(rk_.get()); left > 0) {
      spdlog::error("producer closed with {} message(s) or request(s) not acknowledged by Kafka at {}",
                    left, brokers_);
      rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    }
  }
}

Status KafkaProducer::Produce(std::string_view topic, std::string_view key, std::string_view value,
                              DeliveryFn on_delivery, int64_t origin_ms) {
  auto* fn = new DeliveryFn(std::move(on_delivery));
  std::string t(topic);
  char origin[24];
  int origin_len = origin_ms > 0 ? std::snprintf(origin, sizeof origin, "%lld",
                                                 static_cast<long long>(origin_ms))
                                 : 0;
  std::chrono::steady_clock::time_point full_since{}, last_log{};
  for (;;) {
    rd_kafka_resp_err_t err =
        origin_len > 0
            ? rd_kafka_producev(rk_.get(), RD_KAFKA_V_TOPIC(t.c_str()),
                                RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_HEADER(kProducedAtHeader, origin, origin_len),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(fn),
                                RD_KAFKA_V_END)
            : rd_kafka_producev(rk_.get(), RD_KAFKA_V_TOPIC(t.c_str()),
                                RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(fn),
                                RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      MaybeInjectFatal(rk_.get(), topic);
      return Status::OK();
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (Status f = KafkaFatalErrorOf(rk_.get()); !f.ok()) {
        delete fn;
        return f;
      }
      // The broker is not taking messages as fast as they come (or is gone):
      // wait, but say so, and give up when the process is stopping.
      auto now = std::chrono::steady_clock::now();
      if (full_since.time_since_epoch().count() == 0) full_since = now;
      if (Shutdown::StopBy() != std::chrono::steady_clock::time_point::max()) {
        delete fn;
        return Status::Unavailable("stopping: the producer's local queue is full (" +
                                   std::to_string(QueueLength()) + " waiting for Kafka at " +
                                   brokers_ + ")");
      }
      if (now - full_since >= std::chrono::seconds(10) &&
          now - last_log >= std::chrono::seconds(30)) {
        last_log = now;
        spdlog::warn("producer: local queue full for {} s ({} message(s) waiting): Kafka at {} "
                     "is not acknowledging; is it reachable?",
                     std::chrono::duration_cast<std::chrono::seconds>(now - full_since).count(),
                     QueueLength(), brokers_);
      }
      rd_kafka_poll(rk_.get(), 50);
      continue;
    }
    delete fn;
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
      return Status::TooLarge("record of " + std::to_string(value.size()) +
                              " bytes exceeds the producer's message.max.bytes");
    return KafkaStatus(err, "produce to " + t);
  }
}

Status KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  // In slices, so a fatal error (failed authentication) ends the wait.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (;;) {
    NEWSFLOW_RETURN_IF_ERROR(KafkaFatalErrorOf(rk_.get()));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    err = rd_kafka_flush(rk_.get(), static_cast<int>(
                                        std::clamp<int64_t>(left.count(), 0, 200)));
    if (err != RD_KAFKA_RESP_ERR__TIMED_OUT || left.count() <= 0) break;
  }
  NEWSFLOW_RETURN_IF_ERROR(KafkaFatalErrorOf(rk_.get()));
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT)
    return Status::Timeout(std::to_string(QueueLength()) + " message(s) still undelivered to Kafka at " +
                           brokers_);
  return KafkaStatus(err, "flush");
}

Result<std::unique_ptr<FlowController>> FlowController::Start(const KafkaOptions& o,
                                                              std::string topic, std::string group,
                                                              Limits limits) {
  std::unique_ptr<FlowController> f(new FlowController());
  // A consumer handle that never subscribes: it only reads the group's
  // committed offsets (OffsetFetch) and the topic's watermarks.
  auto rk = NewKafkaClient(NonCommittingClient(o, "newsflow-flow-control"), ClientRole::kConsumer, group);
  if (!rk.ok()) return rk.status();
  f->rk_ = std::move(*rk);
  f->topic_ = std::move(topic);
  f->group_ = std::move(group);
  f->limits_ = limits;
  auto partitions = TopicPartitionCount(f->rk_.get(), f->topic_, std::chrono::seconds(10), o.brokers);
  if (!partitions.ok()) return partitions.status();
  f->partitions_ = *partitions;
  // One check before the first record: a downstream already past its limit,
  // or an optional reader that has already read (only_once_read), holds the
  // writer from its first record, not from the loop's first check (a burst
  // of 64 KB dead letters outran a running dead-letter sink in that window).
  if (Status s = f->Check(); !s.ok()) spdlog::debug("flow control check: {}", s.ToString());
  f->thread_ = std::make_unique<std::thread>([p = f.get()] {
    NameThisThread("flow " + p->topic_);
    MakeThisThreadBatch();
    p->Loop();
  });
  return f;
}

Result<std::unique_ptr<FlowController>> FlowController::ForDeadLetters(const KafkaOptions& o,
                                                                       std::string topic, std::string group,
                                                                       bool reader_optional) {
  if (!o.embedded) return std::unique_ptr<FlowController>();
  Limits limits = Limits::For(o);
  limits.only_once_read = reader_optional;
  return Start(o, std::move(topic), std::move(group), limits);
}

FlowController::~FlowController() {
  stop_ = true;
  if (thread_) thread_->join();
  // The handle never joined a group: closing it as a consumer would wait for
  // the group's coordinator, which blocks exit until a dead broker returns.
  rk_.reset();  // KafkaDeleter: without a consumer close
}

double FlowController::Pressure() const {
  int64_t count = produced_count_.load(std::memory_order_relaxed);
  // Everything enqueued after the acks the last check could see is not in
  // its watermarks yet.
  int64_t since = count - acked_at_check_.load(std::memory_order_relaxed);
  int64_t avg = count > 0 ? produced_bytes_.load(std::memory_order_relaxed) / count : 1024;
  // Keys spread over partitions, but not evenly: assume twice the mean share,
  // and no more than all of them (one partition: exactly all).
  int64_t per_partition = std::min(since, 2 * since / std::max(1, partitions_)) + 1;
  int64_t estimate = max_backlog_.load(std::memory_order_relaxed) + per_partition;
  return std::max(static_cast<double>(estimate) / static_cast<double>(limits_.max_backlog_messages),
                  static_cast<double>(estimate) * static_cast<double>(avg) /
                      static_cast<double>(limits_.max_backlog_bytes));
}

bool FlowController::Blocked() const {
  if (limits_.only_once_read && !ever_read_.load(std::memory_order_relaxed)) return false;
  return blocked_.load(std::memory_order_relaxed) || Pressure() > 1.0;
}

void FlowController::NoteProduced(size_t bytes) {
  produced_bytes_.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  produced_count_.fetch_add(1, std::memory_order_relaxed);
}

void FlowController::Loop() {
  int since_check = 0;  // intervals since the last check
  while (!stop_) {
    rd_kafka_poll(rk_.get(), 0);  // serves the error callback (fatal errors)
    // Check at once while the writer is held back, or when what it produced
    // since the last check could bring a partition past half its limit:
    // between checks Blocked() can only guess (an upper bound: a backlog
    // grows only by what this writer produces), and a stale "blocked" stalls
    // the writer (half the chain's throughput at 50 ms). Far from the limits
    // the guess cannot block, so every 10th interval is enough (each check is
    // three requests to the broker; at every interval they cost `run` ~5 % of
    // its CPU and a third of its context switches). A writer that has written
    // nothing since the last check cannot have grown a backlog, only left it
    // to shrink: once a second keeps the backlog gauge current, instead of
    // thirty requests a second to the cluster from each idle writer (`watch`
    // between polls, a stage with no input), and the first record after such
    // a pause, more than ten intervals on, is checked at the next interval.
    const bool idle = produced_count_.load(std::memory_order_relaxed) == produced_at_check_;
    if (blocked_.load(std::memory_order_relaxed) || Pressure() > 0.5 || ++since_check >= (idle ? 100 : 10)) {
      since_check = 0;
      checks_.fetch_add(1, std::memory_order_relaxed);
      Status s = Check();
      if (!s.ok()) spdlog::debug("flow control check: {}", s.ToString());
    }
    std::this_thread::sleep_for(limits_.interval);
  }
}

Status FlowController::Check() {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(partitions_));
  for (int p = 0; p < partitions_; ++p)
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p);
  rd_kafka_resp_err_t err = rd_kafka_committed(rk_.get(), list.get(), 5000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "committed offsets");
  int64_t count = produced_count_.load(std::memory_order_relaxed);
  produced_at_check_ = count;
  int64_t acked_before = acked_count_.load(std::memory_order_relaxed);
  int64_t avg = count > 0 ? produced_bytes_.load(std::memory_order_relaxed) / count : 1024;
  // Both watermarks of every partition in two requests. Not
  // rd_kafka_query_watermark_offsets: in librdkafka 2.0.2 it ignores its
  // timeout while the partition's leader is a dead broker not yet fenced, and
  // blocked this thread (and the writer's exit) until that broker returned.
  TopicPartitionList highs(rd_kafka_topic_partition_list_copy(list.get()));
  TopicPartitionList lows(rd_kafka_topic_partition_list_copy(list.get()));
  for (int i = 0; i < list->cnt; ++i) {
    highs->elems[i].offset = RD_KAFKA_OFFSET_END;  // a "timestamp": the latest offset
    lows->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  if (stop_) return Status::OK();  // a gone broker would hold the query for 5 s
  err = rd_kafka_offsets_for_times(rk_.get(), highs.get(), 5000);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = rd_kafka_offsets_for_times(rk_.get(), lows.get(), 5000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "watermarks");
  int64_t worst = 0;
  bool blocked = false;
  bool never_committed = true;
  for (int i = 0; i < list->cnt; ++i) {
    if (highs->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return KafkaStatus(highs->elems[i].err, "high watermark");
    if (lows->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return KafkaStatus(lows->elems[i].err, "low watermark");
    int64_t high = highs->elems[i].offset, low = std::max<int64_t>(0, lows->elems[i].offset);
    if (list->elems[i].offset >= 0) never_committed = false;
    int64_t committed = list->elems[i].offset;
    int64_t base = std::max(committed < 0 ? int64_t{0} : committed, low);
    int64_t backlog = std::max<int64_t>(0, high - base);
    worst = std::max(worst, backlog);
    if (backlog > limits_.max_backlog_messages || backlog * avg > limits_.max_backlog_bytes)
      blocked = true;
  }
  max_backlog_.store(worst, std::memory_order_relaxed);
  never_committed_.store(never_committed, std::memory_order_relaxed);
  if (!never_committed) ever_read_.store(true, std::memory_order_relaxed);
  blocked_.store(blocked, std::memory_order_relaxed);
  acked_at_check_.store(acked_before, std::memory_order_relaxed);
  return Status::OK();
}

std::string FlowController::Why() const {
  std::string why = "group " + group_ + " has " + std::to_string(MaxBacklog()) +
                    " record(s) unconsumed on a partition of " + topic_ + " (limit " +
                    std::to_string(limits_.max_backlog_messages) + " records or " +
                    std::to_string(limits_.max_backlog_bytes / 1024) + " KiB per partition)";
  if (never_committed_.load(std::memory_order_relaxed))
    why += "; the group has committed nothing yet: is a consumer of group " + group_ + " running?";
  return why;
}

}  // namespace newsflow
