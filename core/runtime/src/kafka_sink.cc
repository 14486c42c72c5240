#include "newsflow/kafka_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>

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
  }
  s->metrics_ = std::make_unique<StageMetrics>(registry, o.producer_name, "", o.topic);
  s->paused_ = &MetricFamilies::For(registry).flow_paused.Add({{"stage", o.producer_name}});
  s->queue_ = &MetricFamilies::For(registry).producer_queue.Add({{"stage", o.producer_name}});
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

Status KafkaArticleSink::Send(std::string_view key, std::string_view json) {
  if (flow_ && flow_->Blocked()) {
    paused_->Set(1);
    // A long hold is logged with its reason when it passes 5 s, then every
    // 30 s, and its end too: a producer never waits without a word.
    const auto start = std::chrono::steady_clock::now();
    auto last_log = start - std::chrono::seconds(30);
    bool logged = false;
    // A restarted embedded broker never drains the old backlog: stop waiting.
    auto& restarted = BrokerMonitor::Get().restarted_flag();
    while (flow_->Blocked() && !stop_->load() && !restarted.load() && KafkaFatalError().ok()) {
      producer_->Poll(20);
      auto now = std::chrono::steady_clock::now();
      if (now - start >= std::chrono::seconds(5) && now - last_log >= std::chrono::seconds(30)) {
        last_log = now;
        logged = true;
        spdlog::warn("{}: flow control holds back after {} record(s), for {} s so far: {}",
                     options_.producer_name, published_.load(),
                     std::chrono::duration_cast<std::chrono::seconds>(now - start).count(),
                     flow_->Why());
      }
    }
    paused_->Set(0);
    if (logged && !stop_->load())
      spdlog::info("{}: flow control released after {} s", options_.producer_name,
                   std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                    start).count());
    if (stop_->load()) return Status::Unavailable("stopping");
    if (restarted.load()) return Status::Unavailable("the embedded broker restarted");
    NEWSFLOW_RETURN_IF_ERROR(KafkaFatalError());
  }
  auto bytes = json.size();
  Status s = producer_->Produce(options_.topic, key, json,
                                [this, bytes](rd_kafka_resp_err_t err, int32_t, int64_t) {
                                  if (flow_) flow_->NoteAcked();
                                  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                                    acked_.fetch_add(1);
                                    metrics_->sent.Increment();
                                    metrics_->bytes_out.Increment(static_cast<double>(bytes));
                                  } else {
                                    failed_.fetch_add(1);
                                    spdlog::error("produce: delivery failed: {}", rd_kafka_err2str(err));
                                  }
                                });
  if (!s.ok()) return s;
  if (flow_) flow_->NoteProduced(json.size());
  published_.fetch_add(1);
  producer_->Poll(0);
  queue_->Set(producer_->QueueLength());
  return Status::OK();
}

void KafkaArticleSink::Abandon() {
  rd_kafka_purge(producer_->handle(),
                 RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (producer_->QueueLength() > 0 && std::chrono::steady_clock::now() < end) producer_->Poll(50);
}

Status KafkaArticleSink::PublishDeadLetter(const DeadLetter& d) {
  std::string json = EncodeDeadLetter(d);
  metrics_->DeadLettered(d.reason_code).Increment();
  return producer_->Produce(options_.dlq_topic, d.key, json,
                            [this](rd_kafka_resp_err_t err, int32_t, int64_t) {
                              if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                                failed_.fetch_add(1);
                                spdlog::error("dead letter: delivery failed: {}", rd_kafka_err2str(err));
                              }
                            });
}

Status KafkaArticleSink::Flush(std::chrono::milliseconds timeout) {
  // In slices, so a restarted embedded broker ends the wait at once.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto& restarted = BrokerMonitor::Get().restarted_flag();
  Status flushed;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    flushed = producer_->Flush(std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(500)));
    if (flushed.code() != StatusCode::kTimeout || restarted.load() ||
        std::chrono::steady_clock::now() >= deadline)
      break;
  }
  if (!flushed.ok() && restarted.load())
    flushed = Status::Unavailable("the embedded broker restarted with " +
                                  std::to_string(producer_->QueueLength()) +
                                  " record(s) not acknowledged");
  queue_->Set(producer_->QueueLength());
  NEWSFLOW_RETURN_IF_ERROR(flushed);
  if (failed_.load() > 0)
    return Status::Unavailable(std::to_string(failed_.load()) + " record(s) were not acknowledged");
  return Status::OK();
}

}  // namespace newsflow
