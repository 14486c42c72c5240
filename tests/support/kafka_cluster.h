// Test support: an Apache Kafka (KRaft) cluster on loopback, run by
// scripts/kafka.sh from the jars deploy/kafka/pom.xml pins. Real processes,
// data on disk under the given folder.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace newsflow::testing {

// The repository's scripts/kafka.sh.
std::string KafkaScript();

class KafkaCluster {
 public:
  struct Options {
    int nodes = 1;
    std::vector<std::string> configs;  // extra server properties, key=value (NODEID is replaced)
    std::vector<std::string> scram;    // --scram MECH=[name=u,password=p], added at format time
  };

  // Formats and starts a cluster with its data under `dir` (a new folder);
  // returns when every node is ready. On failure, ok() is false and error()
  // holds the script's output.
  KafkaCluster(std::string dir, Options options);
  // Joins an already running cluster (its folder), stops nothing on destruction.
  static KafkaCluster Attach(std::string dir);
  ~KafkaCluster();  // stops the nodes it started (SIGTERM, then SIGKILL)
  KafkaCluster(KafkaCluster&&) noexcept;
  KafkaCluster(const KafkaCluster&) = delete;
  KafkaCluster& operator=(const KafkaCluster&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }
  std::string Bootstrap() const;  // host:port,...
  // The extra listener's addresses (the NODEXPORT port of each node, see
  // scripts/kafka.sh), for a listener a test adds with `configs`.
  std::string ExtraBootstrap() const;
  int nodes() const { return options_.nodes; }

  // Node ids are 1..nodes.
  bool Kill(int node);     // SIGKILL
  bool Restart(int node);  // starts a stopped or killed node, waits until ready
  bool Stop();             // every node, controlled shutdown
  pid_t Pid(int node) const;

  // Runs a Kafka tool (scripts/kafka.sh tool NAME ARGS...); returns its exit
  // code, with stdout+stderr in `output`.
  int Tool(const std::vector<std::string>& args, std::string* output = nullptr) const;
  // Creates a topic through the Admin API (librdkafka; idempotent, as
  // kafka-topics --create --if-not-exists); false and why in error() on failure.
  bool CreateTopic(const std::string& topic, int partitions, int replication_factor = 1,
                   const std::vector<std::string>& configs = {});
  // The leader node of a partition, from the cluster's metadata; -1 if unknown.
  int Leader(const std::string& topic, int partition) const;
  // The active controller's node id, from kafka-metadata-quorum; -1 if unknown.
  int ActiveController() const;

 private:
  KafkaCluster() = default;
  int Script(const std::vector<std::string>& args, std::string* output) const;

  std::string dir_;
  Options options_;
  bool ok_ = false, owned_ = false;
  std::string error_;
};

}  // namespace newsflow::testing
