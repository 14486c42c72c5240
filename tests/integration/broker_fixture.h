// One integration test suite, two brokers: the fixtures of pipeline_test.cc
// and the metrics tests are parameterised by the broker their processes talk
// to, and run the same test bodies on both:
//   Embedded/...   librdkafka's mock cluster in a `newsflow broker` process
//                  started per test (--bootstrap-file);
//   RealKafka/...  the run's shared single-node Apache Kafka
//                  (support/real_kafka.h), each test in a namespace of its own
//                  (--brokers B --namespace NS --partitions N).
// `ctest -R RealKafka` runs exactly the second half.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.h"
#include "support/real_kafka.h"

namespace newsflow::testing {

enum class Broker { kEmbedded, kRealKafka };

inline std::string BrokerParamName(const ::testing::TestParamInfo<Broker>& info) {
  return info.param == Broker::kEmbedded ? "mock" : "kafka";
}

// Instantiates a value-parameterised fixture for both brokers.
#define NEWSFLOW_ON_BOTH_BROKERS(Fixture)                                                         \
  INSTANTIATE_TEST_SUITE_P(Embedded, Fixture,                                                     \
                           ::testing::Values(::newsflow::testing::Broker::kEmbedded),             \
                           ::newsflow::testing::BrokerParamName);                                 \
  INSTANTIATE_TEST_SUITE_P(RealKafka, Fixture,                                                    \
                           ::testing::Values(::newsflow::testing::Broker::kRealKafka),            \
                           ::newsflow::testing::BrokerParamName)

// The broker of one test, and what every newsflow process of the test is
// given to reach it.
class TestBroker {
 public:
  // Embedded: starts `newsflow broker --partitions N` logging to DIR/broker.log.
  // Real: the shared cluster; every topic the processes create gets N partitions.
  void Start(Broker kind, const std::string& dir, int partitions) {
    kind_ = kind;
    if (kind == Broker::kEmbedded) {
      const std::string boot = dir + "/broker.bootstrap";
      args_ = {"--bootstrap-file", boot};
      process_ = std::make_unique<Process>(
          std::vector<std::string>{NewsflowBinary(), "broker", "--partitions", std::to_string(partitions),
                                   "--bootstrap-file", boot},
          dir + "/broker.log");
      ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(boot); }, std::chrono::seconds(10)))
          << process_->Log();
      return;
    }
    KafkaCluster& cluster = SharedRealKafka();
    ASSERT_TRUE(cluster.ok()) << "the shared Apache Kafka did not start:\n" << cluster.error();
    ns_ = UniqueNamespace();
    args_ = {"--brokers", cluster.Bootstrap(), "--namespace", ns_, "--partitions",
             std::to_string(partitions)};
  }

  Broker kind() const { return kind_; }
  // Appended to every newsflow command line of the test.
  const std::vector<std::string>& args() const { return args_; }
  // A topic or group name as the processes see it (in the test's namespace).
  std::string Name(std::string_view name) const {
    return ns_.empty() ? std::string(name) : ns_ + "." + std::string(name);
  }
  const std::string& ns() const { return ns_; }
  Process* process() { return process_.get(); }

 private:
  Broker kind_ = Broker::kEmbedded;
  std::vector<std::string> args_;
  std::string ns_;
  std::unique_ptr<Process> process_;
};

}  // namespace newsflow::testing
