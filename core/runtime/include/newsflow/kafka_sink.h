// KafkaArticleSink: the ArticleSink producers use. Publishes raw articles to
// news.raw keyed by article id, holds back while the topic's consumer group
// is too far behind (FlowController), and sends dead letters to news.dlq.
//
// Thread-safety: Publish/PublishDeadLetter may be called from several threads.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

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
  };

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

 private:
  KafkaArticleSink() = default;
  Status Send(std::string_view key, std::string_view value);
  Options options_;
  std::unique_ptr<KafkaProducer> producer_;
  std::unique_ptr<FlowController> flow_;
  const std::atomic<bool>* stop_ = nullptr;
  std::atomic<bool> never_stop_{false};
  std::atomic<int64_t> published_{0}, acked_{0}, failed_{0};
  std::unique_ptr<StageMetrics> metrics_;
  prometheus::Gauge* paused_ = nullptr;
  prometheus::Gauge* queue_ = nullptr;
};

}  // namespace newsflow
