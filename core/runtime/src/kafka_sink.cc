#include "newsflow/kafka_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "newsflow/broker_restart.h"
#include "newsflow/codec.h"
#include "newsflow/text.h"
#include "newsflow/topology.h"

namespace newsflow {

Result<std::unique_ptr<KafkaArticleSink>> KafkaArticleSink::Create(const KafkaOptions& kafka,
                                                                   Options o,
                                                                   prometheus::Registry& registry,
                                                                   const std::atomic<bool>* stop) {
  std::unique_ptr<KafkaArticleSink> s(new KafkaArticleSink());
  s->kafka_ = kafka;
  auto producer = KafkaProducer::Create(kafka);
  if (!producer.ok()) return producer.status();
  s->producer_ = std::move(*producer);
  s->producer_->LearnPartitions(o.topic);
  if (o.flow_control) {
    std::string group = o.downstream_group.empty() ? DownstreamGroupOf(o.topic) : o.downstream_group;
    if (!group.empty()) {
      auto flow = FlowController::Start(kafka, o.topic, group,
                                        o.limits.value_or(FlowController::Limits::For(kafka)));
      if (!flow.ok()) return flow.status();
      s->flow_ = std::move(*flow);
    }
    if (o.dlq_flow == nullptr && !o.dlq_group.empty()) {
      auto dlq = FlowController::ForDeadLetters(kafka, o.dlq_topic, o.dlq_group, /*reader_optional=*/true);
      if (!dlq.ok()) return dlq.status();
      s->own_dlq_flow_ = std::move(*dlq);
    }
  }
  s->dlq_flow_ = o.dlq_flow != nullptr ? o.dlq_flow : s->own_dlq_flow_.get();
  s->metrics_ = std::make_unique<StageMetrics>(registry, o.producer_name, "", o.topic);
  s->paused_ = &MetricFamilies::For(registry).flow_paused.Add({{"stage", o.producer_name}});
  s->queue_ = &MetricFamilies::For(registry).producer_queue.Add({{"stage", o.producer_name}});
  s->delivery_failures_ = &MetricFamilies::For(registry).delivery_failures.Add({{"stage", o.producer_name}});
  s->stop_ = stop != nullptr ? stop : &s->never_stop_;
  s->options_ = std::move(o);
  return s;
}

Status KafkaArticleSink::Publish(const Article& a) {
  std::string json = Codec::Encode(a);
  if (json.size() > options_.max_record_bytes) {
    DeadLetter d;
    d.stage = options_.producer_name;
    d.reason_code = "too_large";
    d.reason = "article of " + std::to_string(json.size()) + " bytes exceeds the limit of " +
               std::to_string(options_.max_record_bytes);
    d.key = a.id;
    d.payload = json;
    NEWSFLOW_RETURN_IF_ERROR(PublishDeadLetter(d));
    return Status::TooLarge(d.reason);
  }
  return Send(a.id, json);
}

Status KafkaArticleSink::PublishBytes(std::string_view key, std::string_view value) {
  return Send(key, value);
}

Status KafkaArticleSink::WaitFor(FlowController& flow) {
  paused_->Set(1);
  // A long hold is logged with its reason when it passes 5 s, then every
  // 30 s, and its end too: a producer never waits without a word.
  const auto start = std::chrono::steady_clock::now();
  auto last_log = start - std::chrono::seconds(30);
  bool logged = false;
  // A restarted embedded broker never drains the old backlog: stop waiting.
  auto& restarted = BrokerMonitor::Get().restarted_flag();
  while (flow.Blocked() && !stop_->load() && !restarted.load() && OwnFatalError().ok()) {
    {
      std::shared_lock lock(producer_mu_);
      producer_->Poll(20);
    }
    auto now = std::chrono::steady_clock::now();
    if (now - start >= std::chrono::seconds(5) && now - last_log >= std::chrono::seconds(30)) {
      last_log = now;
      logged = true;
      spdlog::warn("{}: flow control holds back after {} record(s), for {} s so far: {}",
                   options_.producer_name, published_.load(),
                   std::chrono::duration_cast<std::chrono::seconds>(now - start).count(), flow.Why());
    }
  }
  paused_->Set(0);
  if (logged && !stop_->load())
    spdlog::info("{}: flow control released after {} s", options_.producer_name,
                 std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                  start).count());
  if (stop_->load()) return Status::Unavailable("stopping");
  if (restarted.load()) return Status::Unavailable("the embedded broker restarted");
  NEWSFLOW_RETURN_IF_ERROR(RenewIfLost());
  return OwnFatalError();
}

Status KafkaArticleSink::Send(std::string_view key, std::string_view json) {
  if (flow_ && flow_->Blocked()) NEWSFLOW_RETURN_IF_ERROR(WaitFor(*flow_));
  NEWSFLOW_RETURN_IF_ERROR(Hand(false, key, json));
  if (flow_) flow_->NoteProduced(json.size());
  published_.fetch_add(1);
  return Status::OK();
}

KafkaArticleSink::~KafkaArticleSink() {
  // First, while everything its delivery reports touch is alive; they change
  // nothing now (renewing_).
  renewing_ = true;
  std::unique_lock lock(producer_mu_);
  producer_.reset();
}

Status KafkaArticleSink::OwnFatalError() {
  std::shared_lock lock(producer_mu_);
  return KafkaFatalErrorOf(producer_ ? producer_->handle() : nullptr);
}

bool KafkaArticleSink::LostProducerState() const {
  if (renewing_.load() || !producer_) return true;
  char why[256];
  const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(producer_->handle(), why, sizeof why);
  return IsLostProducerStateError(cause);
}

Status KafkaArticleSink::ProduceHeld(uint64_t seq, const Unacked& u) {
  const bool dead_letter = u.dead_letter;
  const size_t bytes = u.value.size();
  return producer_->Produce(
      dead_letter ? options_.dlq_topic : options_.topic, u.key, u.value,
      [this, seq, dead_letter, bytes](rd_kafka_resp_err_t err, int32_t, int64_t) {
        // Runs inside the producer's poll or flush, with producer_mu_ held.
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR && LostProducerState()) return;  // the next producer sends it
        if (err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT && !stop_->load()) {
          delivery_failures_->Increment();
          std::lock_guard<std::mutex> lock(unacked_mu_);
          retry_.push_back(seq);  // the next Publish or Flush sends it again
          return;
        }
        {
          std::lock_guard<std::mutex> lock(unacked_mu_);
          unacked_.erase(seq);
        }
        if (FlowController* f = dead_letter ? dlq_flow_ : flow_.get()) f->NoteAcked();
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          if (dead_letter) return;
          acked_.fetch_add(1);
          metrics_->sent.Increment();
          metrics_->bytes_out.Increment(static_cast<double>(bytes));
          return;
        }
        failed_.fetch_add(1);
        delivery_failures_->Increment();
        spdlog::error("{}: delivery failed: {}", dead_letter ? "dead letter" : "produce", rd_kafka_err2str(err));
      });
}

Status KafkaArticleSink::Hand(bool dead_letter, std::string_view key, std::string_view value) {
  NEWSFLOW_RETURN_IF_ERROR(RenewIfLost());
  {
    // Held while the record is kept and handed over, so a renewal (exclusive)
    // cannot send it too.
    std::shared_lock lock(producer_mu_);
    // What timed out goes first; a producer that lost its state is renewed below.
    if (Status r = ResendTimedOut(); !r.ok() && !LostProducerState()) return r;
    uint64_t seq;
    const Unacked* held;
    {
      std::lock_guard<std::mutex> l(unacked_mu_);
      seq = ++next_seq_;
      Unacked& u = unacked_[seq];
      u.dead_letter = dead_letter;
      u.key.assign(key);
      u.value.assign(value);
      held = &u;  // a map node: stays put until erased, which only its delivery does
    }
    Status s = ProduceHeld(seq, *held);
    if (s.ok()) {
      producer_->Poll(0);
      queue_->Set(producer_->QueueLength());
      return s;
    }
    if (!LostProducerState()) {
      std::lock_guard<std::mutex> l(unacked_mu_);
      unacked_.erase(seq);
      return s;
    }
  }
  return Renew();  // a new producer sends it, after what is older
}

bool KafkaArticleSink::HeldCopy(uint64_t seq, Unacked& u) {
  std::lock_guard<std::mutex> l(unacked_mu_);
  auto it = unacked_.find(seq);
  if (it == unacked_.end()) return false;
  u = it->second;
  return true;
}

Status KafkaArticleSink::ResendTimedOut() {
  std::vector<uint64_t> seqs;
  {
    std::lock_guard<std::mutex> l(unacked_mu_);
    if (retry_.empty()) return Status::OK();
    seqs.swap(retry_);
  }
  std::sort(seqs.begin(), seqs.end());
  spdlog::warn("{}: {} record(s) timed out before Kafka acknowledged them (message.timeout.ms): "
               "sending them again", options_.producer_name, seqs.size());
  for (size_t i = 0; i < seqs.size(); ++i) {
    Unacked u;
    if (!HeldCopy(seqs[i], u)) continue;  // acknowledged meanwhile
    if (Status s = ProduceHeld(seqs[i], u); !s.ok()) {
      std::lock_guard<std::mutex> l(unacked_mu_);
      retry_.insert(retry_.end(), seqs.begin() + static_cast<std::ptrdiff_t>(i), seqs.end());
      return s;
    }
  }
  return Status::OK();
}

Status KafkaArticleSink::RenewIfLost() {
  {
    std::shared_lock lock(producer_mu_);
    if (!LostProducerState()) return Status::OK();
  }
  return Renew();
}

Status KafkaArticleSink::Renew() {
  std::unique_lock lock(producer_mu_);
  if (!producer_ || !LostProducerState()) return Status::OK();  // renewed by another thread
  char why[512] = "";
  const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(producer_->handle(), why, sizeof why);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_renewal_ > std::chrono::minutes(1)) renewals_in_a_row_ = 0;
  constexpr int kNewProducers = 5;
  if (++renewals_in_a_row_ > kNewProducers)
    return Status::Unavailable(options_.producer_name + ": the producer lost its state on the brokers " +
                               std::to_string(renewals_in_a_row_) + " times in a row (" +
                               rd_kafka_err2name(cause) + ": " + why + ")");
  last_renewal_ = now;
  renewing_ = true;
  // What the old producer holds comes back as failed deliveries: kept.
  rd_kafka_purge(producer_->handle(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  const auto end = now + std::chrono::seconds(2);
  while (producer_->QueueLength() > 0 && std::chrono::steady_clock::now() < end) producer_->Poll(50);
  auto fresh = KafkaProducer::Create(kafka_);
  if (!fresh.ok()) {
    renewing_ = false;
    return fresh.status().WithContext(options_.producer_name + ": starting a new producer");
  }
  {
    std::unique_ptr<KafkaProducer> old = std::move(producer_);
    producer_ = std::move(*fresh);
  }  // the old one is destroyed, and its fatal error with it (KafkaFatalError)
  renewing_ = false;
  producer_->LearnPartitions(options_.topic);
  std::vector<uint64_t> seqs;
  {
    std::lock_guard<std::mutex> l(unacked_mu_);
    seqs.reserve(unacked_.size());
    for (const auto& [seq, u] : unacked_) seqs.push_back(seq);
    retry_.clear();  // all of it goes again below
  }
  renewals_total_.fetch_add(1);
  delivery_failures_->Increment(static_cast<double>(seqs.size()));
  spdlog::warn("{}: the producer lost its state on the brokers ({}: {}): new producer ({} of {} in a "
               "row), sending again the {} record(s) not acknowledged",
               options_.producer_name, rd_kafka_err2name(cause), why, renewals_in_a_row_, kNewProducers,
               seqs.size());
  for (uint64_t seq : seqs) {
    Unacked u;
    if (!HeldCopy(seq, u)) continue;  // acknowledged meanwhile
    Status s = ProduceHeld(seq, u);
    if (s.ok()) continue;
    if (LostProducerState()) return s.WithContext(options_.producer_name + ": the new producer");
    {
      std::lock_guard<std::mutex> l(unacked_mu_);
      unacked_.erase(seq);
    }
    failed_.fetch_add(1);
    delivery_failures_->Increment();
    spdlog::error("{}: sending again failed: {}", options_.producer_name, s.ToString());
  }
  queue_->Set(producer_->QueueLength());
  return Status::OK();
}

void KafkaArticleSink::Abandon() {
  std::unique_lock lock(producer_mu_);
  rd_kafka_purge(producer_->handle(),
                 RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (producer_->QueueLength() > 0 && std::chrono::steady_clock::now() < end) producer_->Poll(50);
}

Status KafkaArticleSink::PublishDeadLetter(const DeadLetter& d) {
  FlowController* flow = dlq_flow_;
  if (flow != nullptr && flow->Blocked()) NEWSFLOW_RETURN_IF_ERROR(WaitFor(*flow));
  std::string json = EncodeDeadLetter(d);
  metrics_->DeadLettered(d.reason_code).Increment();
  NEWSFLOW_RETURN_IF_ERROR(Hand(true, d.key, json));
  if (flow != nullptr) flow->NoteProduced(json.size());
  return Status::OK();
}

Status KafkaArticleSink::Flush(std::chrono::milliseconds timeout) {
  // In slices, so a restarted embedded broker ends the wait at once.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto& restarted = BrokerMonitor::Get().restarted_flag();
  Status flushed;
  std::shared_lock lock(producer_mu_, std::defer_lock);
  for (;;) {
    // A producer that lost its state on the brokers is replaced, and what it
    // held is sent again (Renew); the flush goes on with the new one.
    NEWSFLOW_RETURN_IF_ERROR(RenewIfLost());
    lock.lock();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    Status resent = ResendTimedOut();
    flushed = producer_->Flush(std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(500)));
    if (flushed.ok() && !resent.ok()) flushed = resent;
    const bool lost = LostProducerState();
    bool again;  // timed out meanwhile: to be sent again
    {
      std::lock_guard<std::mutex> l(unacked_mu_);
      again = !retry_.empty();
    }
    if (std::chrono::steady_clock::now() >= deadline || restarted.load() ||
        (!lost && !again && flushed.code() != StatusCode::kTimeout))
      break;
    lock.unlock();
  }
  {
    std::lock_guard<std::mutex> l(unacked_mu_);
    if (!retry_.empty() && flushed.ok())
      flushed = Status::Timeout(std::to_string(retry_.size()) + " record(s) timed out before Kafka at " +
                                kafka_.brokers + " acknowledged them; they are sent again");
  }
  if (!flushed.ok() && restarted.load())
    flushed = Status::Unavailable("the embedded broker restarted with " +
                                  std::to_string(producer_->QueueLength()) +
                                  " record(s) not acknowledged");
  queue_->Set(producer_->QueueLength());
  lock.unlock();
  NEWSFLOW_RETURN_IF_ERROR(flushed);
  if (failed_.load() > 0)
    return Status::Unavailable(std::to_string(failed_.load()) + " record(s) were not acknowledged");
  return Status::OK();
}

}  // namespace newsflow
