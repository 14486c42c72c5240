// Test support: the one single-node Apache Kafka that every RealKafka test of
// a run shares.
//
// Under ctest, the fixture `realkafka` (tests RealKafka.ClusterUp and
// RealKafka.ClusterDown, tests/CMakeLists.txt) starts it once for the whole
// run and passes its folder in NEWSFLOW_REAL_KAFKA_DIR; tests attach to it.
// A test binary run by hand without that variable starts its own cluster the
// first time a test asks (once per binary) and stops it at exit.
//
// Tests share the cluster, also in parallel (ctest -j): each gives newsflow a
// namespace of its own (UniqueNamespace), so records, topics and committed
// offsets never mix.
#pragma once

#include <string>

#include "support/kafka_cluster.h"

namespace newsflow::testing {

// The environment variable naming the shared cluster's folder.
inline constexpr const char* kRealKafkaDirEnv = "NEWSFLOW_REAL_KAFKA_DIR";

// The shared cluster, started or attached on first use. Check ok() (and
// error()) before use: a cluster that failed to start stays failed.
KafkaCluster& SharedRealKafka();

// A namespace (newsflow --namespace) unique to the running test and process:
// "<Test>-<pid>-<n>", characters Kafka allows in topic names.
std::string UniqueNamespace();

}  // namespace newsflow::testing
