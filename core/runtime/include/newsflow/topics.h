// Topics on a real Kafka cluster: every process creates the topics it reads
// and writes before it consumes or produces (the admin API's CreateTopics),
// and says so when an existing topic has fewer partitions than asked.
// Namespaces: one cluster shared by several pipelines (staging and
// production, tests) keeps them apart by prefixing every topic and consumer
// group name a process uses ("NS.news.raw", "NS.newsflow-clean").
//
// The embedded broker creates its topics itself (`newsflow broker`), and has
// no CreateTopics: EnsureTopics is for `--brokers` clusters only.
#pragma once

#include <prometheus/registry.h>

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/kafka.h"
#include "newsflow/status.h"

namespace newsflow {

// Partitions when neither a flag nor a pipeline file says (as `newsflow broker`).
inline constexpr int kDefaultPartitions = 8;

// "" -> name; "NS" -> "NS.name". An empty `name` stays empty (no group).
std::string Namespaced(std::string_view ns, std::string_view name);

// A namespace is part of topic names: letters, digits, '.', '_', '-', at most
// 100 characters. Errors name the bad value.
Status CheckNamespace(std::string_view ns);

struct TopicOptions {
  int partitions = kDefaultPartitions;
  int replication_factor = 0;  // 0: min(3, brokers in the cluster's metadata)
  // How long to wait for the cluster (it may still be starting) and for the
  // new topics' leaders; authentication and TLS failures end it at once.
  // 45 s: a cluster started by scripts/kafka.sh or systemd is up well within
  // it, and a wrong --brokers ends with a clear error in under a minute.
  std::chrono::milliseconds timeout{45000};
  const std::atomic<bool>* stop = nullptr;  // SIGINT/SIGTERM: give up waiting at once
};

// Creates whichever of `topics` the cluster lacks, with the asked partitions
// and replication factor; another process creating one at the same moment
// (TOPIC_ALREADY_EXISTS) is fine. Waits until every topic has a leader for
// each partition. An existing topic with fewer partitions than asked is
// reported: a warning naming topic, has and asked, and the gauge
// newsflow_topic_partitions_missing{topic} (asked - has) when `registry` is
// given. Fails with a message naming the topic and what to do when the
// cluster refuses (authorization, policy, replication factor).
Status EnsureTopics(const KafkaOptions& kafka, const std::vector<std::string>& topics,
                    const TopicOptions& options, prometheus::Registry* registry = nullptr);

// Whether the cluster's answer to CreateTopics may change by asking again: a
// controller moving or busy, a timeout, and INVALID_REPLICATION_FACTOR while
// the cluster's metadata lists enough brokers for `replication_factor` or
// the answer says the brokers are fenced ("All brokers are currently
// fenced": a KRaft broker whose heartbeat to the controller lapsed under load,
// or one just started). Not: too few brokers, authorization, policy.
bool TransientCreateError(rd_kafka_resp_err_t err, std::string_view message, int replication_factor,
                          int brokers);

// The next event on `q`, or nullptr once `deadline` passes or `stop` is set
// (checked every 200 ms): a SIGTERM ends a wait for the cluster's answer to
// CreateTopics at once (it waited up to the whole timeout, 45 s, and a
// process stopped while a fenced broker held the answer outlived its 30 s
// stop deadline).
rd_kafka_event_t* WaitForEvent(rd_kafka_queue_t* q, std::chrono::steady_clock::time_point deadline,
                               const std::atomic<bool>* stop);

// One creation attempt's outcome (EnsureTopics' step, exposed for tests).
struct CreateOutcome {
  Status status;           // OK: every missing topic exists now
  bool transient = false;  // worth asking again (TransientCreateError)
};

// Calls `attempt` until it succeeds, fails for good, `deadline` passes or
// `stop` is set; a transient failure is logged and asked again after
// `pause`. The last failure is returned, with how long it was tried.
Status CreateUntilDone(const std::function<CreateOutcome()>& attempt,
                       std::chrono::steady_clock::time_point deadline, const std::atomic<bool>* stop,
                       std::chrono::milliseconds pause = std::chrono::milliseconds(500));

}  // namespace newsflow
