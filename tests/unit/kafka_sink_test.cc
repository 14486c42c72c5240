// KafkaArticleSink on the embedded broker: what a producer does before its
// first record.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <string>

#include "newsflow/embedded_broker.h"
#include "newsflow/kafka_sink.h"

namespace newsflow {
namespace {

using namespace std::chrono_literals;

// A record produced while its topic's partitions are unknown waits in
// librdkafka's unassigned queue; when metadata comes it is moved to its
// partition without waking the broker thread, and leaves on that thread's
// next 1 s tick: every `newsflow produce` took a second more than its work
// (1.27 s for one article). The sink learns the partitions first, so the
// first record goes straight to its partition: librdkafka's topic log then
// never reports unassigned messages being partitioned.
TEST(KafkaArticleSinkTest, TheFirstRecordIsNeverLeftInTheUnassignedQueue) {
  auto b = EmbeddedBroker::Start(1, {"ks.topic"}, 4);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  KafkaOptions k = (*b)->ClientOptions();
  k.properties.emplace_back("debug", "topic");

  auto log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("kafka-sink-test", log);
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
  {
    prometheus::Registry registry;
    KafkaArticleSink::Options o;
    o.topic = "ks.topic";
    o.flow_control = false;
    auto sink = KafkaArticleSink::Create(k, o, registry);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    Article a;
    a.id = "first";
    a.source = "test";
    a.body = "the first record";
    EXPECT_TRUE((*sink)->Publish(a).ok());
    EXPECT_TRUE((*sink)->Flush(10s).ok());
    EXPECT_EQ((*sink)->acknowledged(), 1);
  }
  spdlog::set_default_logger(previous);

  int partitioning = 0;
  for (const std::string& line : log->last_formatted()) {
    if (line.find("unassigned messages in topic ks.topic") == std::string::npos) continue;
    ++partitioning;
    EXPECT_NE(line.find("Partitioning 0 unassigned"), std::string::npos) << line;
  }
  EXPECT_GT(partitioning, 0) << "librdkafka's topic log was not seen: the test observes nothing";
}

}  // namespace
}  // namespace newsflow
