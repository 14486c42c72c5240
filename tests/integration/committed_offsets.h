// What a consumer group has committed, asked of the broker directly (not of
// the process's metrics): the ground truth for lag and restart tests.
#pragma once

#include <algorithm>
#include <string>

#include "broker_fixture.h"
#include "newsflow/kafka.h"

namespace newsflow::testing {

// The offsets `group` has committed for `topic`, summed over its partitions
// (-1 if the broker does not answer). Names are as the processes see them
// (already namespaced).
inline int64_t CommittedOnBroker(const TestBroker& broker, const std::string& group,
                                 const std::string& topic, int partitions) {
  const auto& a = broker.args();
  auto kafka = a.at(0) == "--bootstrap-file" ? ResolveKafka("", a.at(1)) : ResolveKafka(a.at(1), "");
  if (!kafka.ok()) return -1;
  auto rk = NewKafkaClient(*kafka, ClientRole::kConsumer, group);
  if (!rk.ok()) return -1;
  TopicPartitionList list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  if (rd_kafka_committed(rk->get(), list.get(), 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  int64_t sum = 0;
  for (int i = 0; i < list->cnt; ++i) sum += std::max<int64_t>(0, list->elems[i].offset);
  return sum;
}

}  // namespace newsflow::testing
