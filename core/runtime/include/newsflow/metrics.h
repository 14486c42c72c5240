// Metrics and health: one prometheus-cpp registry per process, served at
// /metrics together with /healthz and /readyz, and the standard per-stage
// families every runner records (the contract in docs/metrics.md). Children
// are resolved once per stage (or per assigned partition) and kept; nothing
// is looked up per record.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/health.h"
#include "newsflow/status.h"

class CivetServer;

namespace newsflow {

// What /readyz answers. Every consumer loop of the process (a StageRunner)
// registers one component and keeps it current: partitions assigned (on
// assign/revoke) and whether a broker connection is up (from librdkafka's
// statistics and error callbacks). The process is ready when every component
// has at least one partition and a connection. A process with no component
// (broker, producer) is ready once it serves.
//
// Thread-safety: Add under a lock; the component's fields are atomics, set
// by the loop thread and read by the HTTP threads.
class Readiness {
 public:
  struct Component {
    std::string name;
    std::atomic<int> assigned{0};
    std::atomic<bool> connected{false};
    bool claimed = false;  // by a running loop (Add), not just expected
  };
  // The readiness of the process that owns `registry` (one per registry, as
  // MetricFamilies; asking for it registers the contract families there).
  static Readiness& For(prometheus::Registry& registry);

  // Announces a consumer loop that will start later (a stage still loading
  // its models), so the process is not ready before it runs.
  void Expect(const std::string& name);
  // A loop's component: the first unclaimed expected one of that name, else
  // a new one. It lives as long as the registry's Readiness.
  Component& Add(const std::string& name);
  // Gives a component back (its loop ended and another will take it, e.g.
  // after the embedded broker restarted): the next Add of its name reuses it.
  void Release(Component& c);
  // True when ready; `why` gets one line per component either way.
  bool Ready(std::string* why) const;

 private:
  mutable std::mutex mu_;
  std::deque<Component> components_;  // deque: references stay valid
  // Conditions stages add (health.h: a subprocess stage's program) count too.
  std::atomic<const HealthBoard*> board_{nullptr};
};

// Serves GET /metrics (text exposition format), /healthz (200 while the
// process runs) and /readyz (200 when Readiness says so, else 503).
class MetricsServer {
 public:
  // bind: "127.0.0.1:0" picks a free port; "" serves nothing (registry only).
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& bind);
  ~MetricsServer();
  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }
  int port() const { return port_; }

 private:
  struct Handlers;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
  std::string host_;  // where to knock to wake the listener at stop (see the destructor)
};

// The families of the contract, created once per registry (and again for a
// new registry that happens to reuse a destroyed one's address).
struct MetricFamilies {
  explicit MetricFamilies(prometheus::Registry& r);
  static MetricFamilies& For(prometheus::Registry& r);

  prometheus::Family<prometheus::Counter>& received;
  prometheus::Family<prometheus::Counter>& sent;
  prometheus::Family<prometheus::Counter>& dropped;
  prometheus::Family<prometheus::Counter>& dead_lettered;
  prometheus::Family<prometheus::Counter>& lost;
  prometheus::Family<prometheus::Counter>& redelivered;
  prometheus::Family<prometheus::Counter>& fetched;
  prometheus::Family<prometheus::Counter>& bytes_in;
  prometheus::Family<prometheus::Counter>& bytes_out;
  prometheus::Family<prometheus::Histogram>& process_seconds;
  prometheus::Family<prometheus::Histogram>& e2e_seconds;
  prometheus::Family<prometheus::Histogram>& batch_size;
  prometheus::Family<prometheus::Counter>& rebalances;
  prometheus::Family<prometheus::Counter>& commits;
  prometheus::Family<prometheus::Histogram>& commit_seconds;
  prometheus::Family<prometheus::Counter>& commit_failures;
  prometheus::Family<prometheus::Counter>& delivery_failures;
  prometheus::Family<prometheus::Counter>& skipped_reread;
  prometheus::Family<prometheus::Gauge>& producer_queue;
  prometheus::Family<prometheus::Gauge>& flow_paused;
  prometheus::Family<prometheus::Gauge>& downstream_backlog;
  prometheus::Family<prometheus::Gauge>& consumer_lag;
  prometheus::Family<prometheus::Gauge>& consumer_lag_seconds;
  prometheus::Family<prometheus::Gauge>& committed_lag;
  prometheus::Family<prometheus::Gauge>& assigned_partitions;
  prometheus::Family<prometheus::Gauge>& broker_connected;
  prometheus::Family<prometheus::Gauge>& output_stalled;
  prometheus::Family<prometheus::Gauge>& build_info;
};

// The metric names of the contract (docs/metrics.md) that every consumer
// loop exposes with its `stage` label; the compliance test checks them.
const std::vector<std::string>& ContractMetricNames();

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
  prometheus::Counter& fetched;
  prometheus::Histogram& process_seconds;
  // End-to-end latency to this stage's acknowledged output, measured from
  // the article's fetched_at and from the time it was first produced.
  prometheus::Histogram& e2e_seconds;
  prometheus::Histogram& e2e_from_produce_seconds;

  prometheus::Counter& Dropped(const std::string& reason);
  prometheus::Counter& DeadLettered(const std::string& reason_code);

 private:
  MetricFamilies& f_;
  std::string stage_;
  std::mutex mu_;
  std::map<std::string, prometheus::Counter*> dropped_, dead_;
};

// What newsflow reads from librdkafka's statistics JSON
// (statistics.interval.ms) of a consumer.
struct ConsumerStats {
  struct Partition {
    int32_t partition = -1;
    int64_t hi_offset = -1;         // high watermark
    int64_t lo_offset = -1;         // log start
    int64_t committed_offset = -1;  // the group's last committed offset, -1001 when none
    int64_t consumer_lag = -1;      // librdkafka's own: hi minus the consumed position
  };
  std::vector<Partition> partitions;  // of `topic`, only those this member fetches
  // Messages the client fetched from brokers since it started (all topics:
  // a stage's consumer reads one), fetched again after a pause included.
  int64_t rxmsgs = -1;
  int brokers_up = 0;                 // real brokers (not bootstrap entries) in state UP
};

// Parses one statistics JSON document with simdjson. `parser` and `buffer`
// are reused between calls (no allocation per call once warm).
class ConsumerStatsParser {
 public:
  ConsumerStatsParser();
  ~ConsumerStatsParser();
  Status Parse(std::string_view json, const std::string& topic, ConsumerStats& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsflow
