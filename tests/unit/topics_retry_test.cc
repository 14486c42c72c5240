// Topic creation on real Kafka asks again when the cluster refuses for now
// (core/runtime/src/topics.cc). A clean-clone CI run lost its entities stage
// to "INVALID_REPLICATION_FACTOR: Unable to replicate the partition 1
// time(s): All brokers are currently fenced": the single KRaft broker,
// starved on a loaded machine, missed a heartbeat to its controller and was
// fenced for a moment; the stage took that first answer as final and exited.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "newsflow/topics.h"

namespace newsflow {
namespace {

using namespace std::chrono_literals;

TEST(TopicsRetryTest, AFencedBrokerOrABusyControllerIsTransient) {
  const std::string fenced = "Unable to replicate the partition 1 time(s): All brokers are currently fenced.";
  EXPECT_TRUE(TransientCreateError(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, fenced, 1, 1));
  // The metadata may no longer list the fenced broker: the message decides.
  EXPECT_TRUE(TransientCreateError(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, fenced, 1, 0));
  // Enough brokers listed: refused for now, whatever the words.
  EXPECT_TRUE(TransientCreateError(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, "", 3, 3));
  EXPECT_TRUE(TransientCreateError(RD_KAFKA_RESP_ERR_NOT_CONTROLLER, "", 1, 1));
  EXPECT_TRUE(TransientCreateError(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, "", 1, 1));
  // For good: too few brokers for the factor asked, authorization, policy.
  EXPECT_FALSE(TransientCreateError(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR,
                                    "Unable to replicate the partition 2 time(s): The target replication factor "
                                    "of 2 cannot be reached because only 1 broker(s) are registered.",
                                    2, 1));
  EXPECT_FALSE(TransientCreateError(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, "", 1, 1));
  EXPECT_FALSE(TransientCreateError(RD_KAFKA_RESP_ERR_POLICY_VIOLATION, "", 1, 1));
}

TEST(TopicsRetryTest, ATransientRefusalIsAskedAgainUntilItSucceeds) {
  int calls = 0;
  auto attempt = [&]() -> CreateOutcome {
    if (++calls < 3) return {Status::Unavailable("cannot create topic 't' (fenced)"), true};
    return {Status::OK(), false};
  };
  Status s = CreateUntilDone(attempt, std::chrono::steady_clock::now() + 10s, nullptr, 10ms);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(calls, 3);
}

TEST(TopicsRetryTest, ARefusalForGoodEndsAtOnce) {
  int calls = 0;
  auto attempt = [&]() -> CreateOutcome {
    ++calls;
    return {Status::InvalidArgument("cannot create topic 't' with replication factor 3 on a cluster of 1"), false};
  };
  Status s = CreateUntilDone(attempt, std::chrono::steady_clock::now() + 10s, nullptr, 10ms);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
}

TEST(TopicsRetryTest, ARefusalThatLastsEndsAtTheDeadlineOrOnStop) {
  int calls = 0;
  auto attempt = [&]() -> CreateOutcome {
    ++calls;
    return {Status::Unavailable("cannot create topic 't' (fenced)"), true};
  };
  const auto t0 = std::chrono::steady_clock::now();
  Status s = CreateUntilDone(attempt, t0 + 300ms, nullptr, 20ms);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("cannot create topic 't' (fenced) (asked"), std::string::npos) << s.message();
  EXPECT_GE(calls, 3);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);  // bounded by the deadline, not a hang
  std::atomic<bool> stop{true};
  calls = 0;
  s = CreateUntilDone(attempt, std::chrono::steady_clock::now() + 60s, &stop, 20ms);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(calls, 1);
}

// A SIGTERM while the cluster has not answered CreateTopics ends the wait.
TEST(TopicsRetryTest, AStopEndsTheWaitForTheClustersAnswer) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err), RD_KAFKA_CONF_OK);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);  // no brokers: no answer ever
  ASSERT_NE(rk, nullptr) << err;
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    stop = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  rd_kafka_event_t* ev = WaitForEvent(q, t0 + 60s, &stop);
  const auto took = std::chrono::steady_clock::now() - t0;
  stopper.join();
  EXPECT_EQ(ev, nullptr);
  EXPECT_LT(took, 10s) << "the wait outlived the stop";  // 0.3-0.5 s; the deadline was 60 s
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
}

}  // namespace
}  // namespace newsflow
