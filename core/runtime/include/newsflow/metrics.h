// Metrics: one prometheus-cpp registry per process, served at /metrics, and
// the standard per-stage families every runner records (the contract in
// docs/metrics.md). Children are resolved once per stage and kept; nothing
// is looked up per record.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "newsflow/status.h"

namespace newsflow {

class MetricsServer {
 public:
  // bind: "127.0.0.1:0" picks a free port; "" serves nothing (registry only).
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& bind);
  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }
  int port() const { return port_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

// The families of the contract, created once per registry.
struct MetricFamilies {
  explicit MetricFamilies(prometheus::Registry& r);
  static MetricFamilies& For(prometheus::Registry& r);

  prometheus::Family<prometheus::Counter>& received;
  prometheus::Family<prometheus::Counter>& sent;
  prometheus::Family<prometheus::Counter>& dropped;
  prometheus::Family<prometheus::Counter>& dead_lettered;
  prometheus::Family<prometheus::Counter>& lost;
  prometheus::Family<prometheus::Counter>& redelivered;
  prometheus::Family<prometheus::Counter>& bytes_in;
  prometheus::Family<prometheus::Counter>& bytes_out;
  prometheus::Family<prometheus::Histogram>& process_seconds;
  prometheus::Family<prometheus::Histogram>& e2e_seconds;
  prometheus::Family<prometheus::Histogram>& batch_size;
  prometheus::Family<prometheus::Counter>& rebalances;
  prometheus::Family<prometheus::Histogram>& commit_seconds;
  prometheus::Family<prometheus::Counter>& commit_failures;
  prometheus::Family<prometheus::Counter>& delivery_failures;
  prometheus::Family<prometheus::Gauge>& producer_queue;
  prometheus::Family<prometheus::Gauge>& flow_paused;
  prometheus::Family<prometheus::Gauge>& downstream_backlog;
  prometheus::Family<prometheus::Gauge>& consumer_lag;
  prometheus::Family<prometheus::Gauge>& assigned_partitions;
  prometheus::Family<prometheus::Gauge>& build_info;
};

// Children for one stage of one process. Outcome children with a free-form
// reason (drops) are created on first use and cached; reasons are short
// stage-chosen codes, so their number stays small.
class StageMetrics {
 public:
  StageMetrics(prometheus::Registry& r, const std::string& stage, const std::string& input_topic,
               const std::string& output_topic);

  prometheus::Counter& received;
  prometheus::Counter& sent;
  prometheus::Counter& bytes_in;
  prometheus::Counter& bytes_out;
  prometheus::Counter& lost;
  prometheus::Counter& redelivered;
  prometheus::Histogram& process_seconds;
  prometheus::Histogram& e2e_seconds;

  prometheus::Counter& Dropped(const std::string& reason);
  prometheus::Counter& DeadLettered(const std::string& reason_code);

 private:
  MetricFamilies& f_;
  std::string stage_;
  std::mutex mu_;
  std::map<std::string, prometheus::Counter*> dropped_, dead_;
};

}  // namespace newsflow
