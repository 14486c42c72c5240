// EmbeddedBroker: librdkafka's mock cluster as newsflow's broker when no
// --brokers is given. Runs as threads of the hosting process, listening on
// 127.0.0.1; other processes speak the Kafka protocol to it over loopback.
// Everything is in memory: a restart loses topics, data and offsets.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "newsflow/kafka.h"
#include "newsflow/status.h"

struct rd_kafka_mock_cluster_s;

namespace newsflow {

class EmbeddedBroker {
 public:
  ~EmbeddedBroker();

  // Starts `brokers` mock brokers and creates `topics` with `partitions`
  // partitions each (before any client can auto-create them with 4).
  static Result<std::unique_ptr<EmbeddedBroker>> Start(int brokers,
                                                       const std::vector<std::string>& topics,
                                                       int partitions);

  const std::string& bootstraps() const { return bootstraps_; }
  // Options for clients of this broker (embedded profile).
  KafkaOptions ClientOptions() const;
  rd_kafka_mock_cluster_s* cluster() { return cluster_; }

 private:
  EmbeddedBroker() = default;
  KafkaHandle host_;  // the handle that owns the mock cluster
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstraps_;
};

}  // namespace newsflow
