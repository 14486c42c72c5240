// A client's fatal error (librdkafka's __FATAL) belongs to the handle that
// raised it (core/runtime/src/kafka_fatal.cc). A clean-clone CI run of
// RealKafkaBrokerFailureTest lost its stage this way: after a leader was
// killed, the stage's idempotent producer raised "out of order sequence
// number" as a fatal error; `newsflow stage` started new clients as it is
// meant to, but the error was recorded for the whole process, so the new
// producer found it waiting and the stage exited with 54,000 articles unread.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "newsflow/embedded_broker.h"
#include "newsflow/kafka.h"
#include "newsflow/producer.h"

namespace newsflow {
namespace {

using namespace std::chrono_literals;

// Produces one record and waits for its acknowledgement.
Status ProduceOne(KafkaProducer& p, const std::string& topic) {
  auto acked = std::make_shared<std::atomic<int>>(-1);
  Status s = p.Produce(topic, "k", "v", [acked](rd_kafka_resp_err_t err, int32_t, int64_t) {
    *acked = static_cast<int>(err);
  });
  if (!s.ok()) return s;
  NEWSFLOW_RETURN_IF_ERROR(p.Flush(30s));
  if (acked->load() != 0) return KafkaStatus(static_cast<rd_kafka_resp_err_t>(acked->load()), "delivery");
  return Status::OK();
}

TEST(KafkaFatalTest, AClientsFatalErrorGoesWithTheClientSoANewOneCanStart) {
  auto broker = EmbeddedBroker::Start(1, {"fatal.out"}, 1);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  KafkaOptions o = (*broker)->ClientOptions();
  o.properties.push_back({"enable.idempotence", "true"});  // as on a real cluster
  ASSERT_TRUE(KafkaFatalError().ok());

  auto first = KafkaProducer::Create(o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(ProduceOne(**first, "fatal.out").ok());
  // What librdkafka raises when the brokers lost the producer's sequence.
  ASSERT_EQ(rd_kafka_test_fatal_error((*first)->handle(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                      "sequence rewound (a test)"),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  for (int i = 0; i < 100 && KafkaFatalError().ok(); ++i) (*first)->Poll(50);
  Status fatal = KafkaFatalError();
  ASSERT_FALSE(fatal.ok());
  EXPECT_NE(fatal.message().find("(OUT_OF_ORDER_SEQUENCE_NUMBER)"), std::string::npos) << fatal.ToString();
  EXPECT_FALSE(ProduceOne(**first, "fatal.out").ok()) << "a client in a fatal state writes nothing";

  first->reset();
  EXPECT_TRUE(KafkaFatalError().ok()) << "the error outlived its client: " << KafkaFatalError().ToString();
  auto second = KafkaProducer::Create(o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Status s = ProduceOne(**second, "fatal.out");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(KafkaFatalTest, AnotherClientsDestructionLeavesTheErrorInPlace) {
  auto broker = EmbeddedBroker::Start(1, {"fatal.other"}, 1);
  ASSERT_TRUE(broker.ok()) << broker.status().ToString();
  KafkaOptions o = (*broker)->ClientOptions();
  auto failing = KafkaProducer::Create(o);
  auto bystander = KafkaProducer::Create(o);
  ASSERT_TRUE(failing.ok() && bystander.ok());
  ASSERT_EQ(rd_kafka_test_fatal_error((*failing)->handle(), RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID, "a test"),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  for (int i = 0; i < 100 && KafkaFatalError().ok(); ++i) (*failing)->Poll(50);
  ASSERT_FALSE(KafkaFatalError().ok());
  bystander->reset();
  EXPECT_FALSE(KafkaFatalError().ok()) << "only the client that raised it takes it away";
  failing->reset();
  EXPECT_TRUE(KafkaFatalError().ok());
}

}  // namespace
}  // namespace newsflow
