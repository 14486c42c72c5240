#include "newsflow/metrics.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

namespace newsflow {
namespace {

using prometheus::Histogram;

Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
}

Histogram::BucketBoundaries EndToEndBuckets() {
  return {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400};
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& bind) {
  auto m = std::make_unique<MetricsServer>();
  m->registry_ = std::make_shared<prometheus::Registry>();
  MetricFamilies::For(*m->registry_);
  if (!bind.empty()) {
    try {
      m->exposer_ = std::make_unique<prometheus::Exposer>(bind);
    } catch (const std::exception& e) {
      return Status::Unavailable("metrics: cannot listen on " + bind + ": " + e.what());
    }
    m->exposer_->RegisterCollectable(m->registry_);
    auto ports = m->exposer_->GetListeningPorts();
    if (!ports.empty()) m->port_ = ports.front();
  }
  return m;
}

MetricFamilies::MetricFamilies(prometheus::Registry& r)
    : received(prometheus::BuildCounter().Name("newsflow_records_received_total")
                   .Help("Records read from the stage's input").Register(r)),
      sent(prometheus::BuildCounter().Name("newsflow_records_sent_total")
               .Help("Records written to the stage's output and acknowledged").Register(r)),
      dropped(prometheus::BuildCounter().Name("newsflow_records_dropped_total")
                  .Help("Records a stage dropped on purpose, by reason").Register(r)),
      dead_lettered(prometheus::BuildCounter().Name("newsflow_records_dead_lettered_total")
                        .Help("Records sent to the dead-letter topic, by reason").Register(r)),
      lost(prometheus::BuildCounter().Name("newsflow_records_lost_total")
               .Help("Input offsets that were never delivered (gaps)").Register(r)),
      redelivered(prometheus::BuildCounter().Name("newsflow_records_redelivered_total")
                      .Help("Input records read again (at-least-once duplicates)").Register(r)),
      bytes_in(prometheus::BuildCounter().Name("newsflow_bytes_received_total")
                   .Help("Bytes of records read").Register(r)),
      bytes_out(prometheus::BuildCounter().Name("newsflow_bytes_sent_total")
                    .Help("Bytes of records written").Register(r)),
      process_seconds(prometheus::BuildHistogram().Name("newsflow_process_seconds")
                          .Help("Time a stage spent on one record").Register(r)),
      e2e_seconds(prometheus::BuildHistogram().Name("newsflow_end_to_end_latency_seconds")
                      .Help("From the article's fetched_at to the stage's output").Register(r)),
      batch_size(prometheus::BuildHistogram().Name("newsflow_batch_size")
                     .Help("Records handled per consumer poll batch").Register(r)),
      rebalances(prometheus::BuildCounter().Name("newsflow_rebalances_total")
                     .Help("Consumer group rebalances seen, by kind").Register(r)),
      commit_seconds(prometheus::BuildHistogram().Name("newsflow_commit_seconds")
                         .Help("Time to commit offsets").Register(r)),
      commit_failures(prometheus::BuildCounter().Name("newsflow_commit_failures_total")
                          .Help("Offset commits that failed").Register(r)),
      delivery_failures(prometheus::BuildCounter().Name("newsflow_delivery_failures_total")
                            .Help("Produced records the broker did not acknowledge").Register(r)),
      producer_queue(prometheus::BuildGauge().Name("newsflow_producer_queue_messages")
                         .Help("Messages waiting in the producer's queue").Register(r)),
      flow_paused(prometheus::BuildGauge().Name("newsflow_flow_control_paused")
                      .Help("1 while held back because downstream is behind").Register(r)),
      downstream_backlog(prometheus::BuildGauge().Name("newsflow_downstream_backlog_messages")
                             .Help("Largest per-partition backlog of the downstream group").Register(r)),
      consumer_lag(prometheus::BuildGauge().Name("newsflow_consumer_lag_messages")
                       .Help("High watermark minus consumed position, per partition").Register(r)),
      assigned_partitions(prometheus::BuildGauge().Name("newsflow_assigned_partitions")
                              .Help("Partitions assigned to this consumer").Register(r)),
      build_info(prometheus::BuildGauge().Name("newsflow_build_info")
                     .Help("Build information; value 1").Register(r)) {
  build_info.Add({{"version", "0.1.0"}, {"librdkafka", rd_kafka_version_str()}}).Set(1);
}

MetricFamilies& MetricFamilies::For(prometheus::Registry& r) {
  static std::mutex mu;
  static std::map<prometheus::Registry*, std::unique_ptr<MetricFamilies>> all;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = all[&r];
  if (!slot) slot = std::make_unique<MetricFamilies>(r);
  return *slot;
}

StageMetrics::StageMetrics(prometheus::Registry& r, const std::string& stage,
                           const std::string& input_topic, const std::string& output_topic)
    : received(MetricFamilies::For(r).received.Add({{"stage", stage}, {"topic", input_topic}})),
      sent(MetricFamilies::For(r).sent.Add({{"stage", stage}, {"topic", output_topic}})),
      bytes_in(MetricFamilies::For(r).bytes_in.Add({{"stage", stage}, {"topic", input_topic}})),
      bytes_out(MetricFamilies::For(r).bytes_out.Add({{"stage", stage}, {"topic", output_topic}})),
      lost(MetricFamilies::For(r).lost.Add({{"stage", stage}, {"topic", input_topic}})),
      redelivered(MetricFamilies::For(r).redelivered.Add({{"stage", stage}, {"topic", input_topic}})),
      process_seconds(MetricFamilies::For(r).process_seconds.Add({{"stage", stage}}, LatencyBuckets())),
      e2e_seconds(MetricFamilies::For(r).e2e_seconds.Add({{"stage", stage}}, EndToEndBuckets())),
      f_(MetricFamilies::For(r)),
      stage_(stage) {
  // Make the common outcomes visible at zero, so rate() queries have series.
  DeadLettered("corrupt");
  DeadLettered("schema");
  DeadLettered("too_large");
  DeadLettered("rejected");
}

prometheus::Counter& StageMetrics::Dropped(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& c = dropped_[reason];
  if (c == nullptr) c = &f_.dropped.Add({{"stage", stage_}, {"reason", reason}});
  return *c;
}

prometheus::Counter& StageMetrics::DeadLettered(const std::string& reason_code) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& c = dead_[reason_code];
  if (c == nullptr) c = &f_.dead_lettered.Add({{"stage", stage_}, {"reason", reason_code}});
  return *c;
}

}  // namespace newsflow
