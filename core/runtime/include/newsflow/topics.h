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

#include <atomic>
#include <chrono>
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

}  // namespace newsflow
