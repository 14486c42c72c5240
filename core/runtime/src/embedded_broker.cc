#include "newsflow/embedded_broker.h"

#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>

namespace newsflow {

EmbeddedBroker::~EmbeddedBroker() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

Result<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::Start(
    int brokers, const std::vector<std::string>& topics, int partitions) {
  std::unique_ptr<EmbeddedBroker> b(new EmbeddedBroker());
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "client.id", "newsflow-embedded-broker", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);  // it has no bootstrap on purpose
  BatchThreadsOf(conf);  // rdk:mock too
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::Internal(std::string("embedded broker host handle: ") + err);
  }
  b->host_.reset(rk);
  b->cluster_ = rd_kafka_mock_cluster_new(rk, brokers);
  if (b->cluster_ == nullptr) return Status::Internal("rd_kafka_mock_cluster_new failed");
  b->bootstraps_ = rd_kafka_mock_cluster_bootstraps(b->cluster_);
  for (const auto& t : topics) {
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(b->cluster_, t.c_str(), partitions, 1);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "creating topic " + t);
  }
  spdlog::info("embedded broker: {} broker(s) at {}, {} topics x {} partitions", brokers,
               b->bootstraps_, topics.size(), partitions);
  return b;
}

KafkaOptions EmbeddedBroker::ClientOptions() const {
  KafkaOptions o;
  o.brokers = bootstraps_;
  o.embedded = true;
  return o;
}

}  // namespace newsflow
