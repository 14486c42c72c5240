// The newsflow subcommands. main.cc parses the command line into these
// option structs once; each Run* returns the process exit code.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

namespace newsflow {

// Set by SIGINT/SIGTERM; every loop watches it.
extern std::atomic<bool> g_stop;

struct CommonOptions {
  std::string brokers;         // --brokers; empty: embedded broker
  std::string bootstrap_file;  // where `newsflow broker` writes its address
  std::vector<std::string> properties;  // -X key=value
  std::string metrics_addr;    // --metrics-addr host:port ("" = off, port 0 = any)
  bool metrics_addr_given = false;  // on the command line (wins over a pipeline file)
  int metrics_linger_ms = 0;   // produce: keep serving /metrics this long after the work
  int stop_timeout_s = 30;     // --stop-timeout: bound on draining after SIGINT/SIGTERM
  std::string log_level = "info";
  // --delivery (stage, sink, run): at_least_once or exactly_once (Kafka
  // transactions; a real cluster only). A pipeline file's `delivery:` fills it
  // unless given on the command line.
  std::string delivery = "at_least_once";
  bool delivery_given = false;
  // --namespace NS: prefixes every topic and consumer group this process
  // uses, defaults included ("NS.news.raw", "NS.newsflow-clean").
  std::string ns;
  // Topics this process creates on a --brokers cluster: 0 = the pipeline
  // file's, else 8 partitions and min(3, brokers) replicas.
  int partitions = 0;
  int replication_factor = 0;
};

struct BrokerOptions {
  std::string pipeline;  // --pipeline FILE: its topics, partitions and namespace
  bool partitions_given = false;
  int partitions = 8;
  int brokers = 1;
  std::vector<std::string> topics;  // empty: the default chain's topics
};

struct ProduceOptions {
  std::vector<std::string> inputs;  // files, directories, .jsonl, "-"
  std::string source;
  std::string format = "auto";
  std::vector<std::string> fields;  // --field NAME=INPUT_NAME
  std::string pipeline;  // --pipeline FILE: topics, Kafka, metrics from the file
  std::string topic = "news.raw";
  bool topic_given = false;
  std::string dlq_topic = "news.dlq";  // the pipeline file's topics.dead_letters
  size_t max_record_bytes = 900 * 1024;
  bool flow_control = true;
  std::string downstream_group;  // default: the group that reads `topic`
  bool raw = false;  // publish each input line verbatim (replays, tests)
  bool follow_symlinks = false;  // links leaving a walked directory (skipped by default)
};

struct StageOptions {
  std::string name;
  std::string pipeline;  // --pipeline FILE: the stage, its settings and topics from the file
  std::string input_topic, output_topic, group;
  std::vector<std::string> settings;  // key=value for this stage
  size_t max_record_bytes = 900 * 1024;
  bool flow_control = true;
  std::string downstream_group;  // default: the group that reads the output topic
  int instances = 0;  // --instances N: copies processing in parallel (0: the pipeline file's, else 1)
};

struct SinkOptions {
  // --pipeline FILE: Kafka, metrics, namespace, and the sinks: section (the
  // chain's last topic to sinks.articles; --topic <dead letters> to
  // sinks.dead_letters).
  std::string pipeline;
  bool topic_given = false, output_given = false;
  std::string topic = "news.tagged";
  std::string dlq_topic = "news.dlq";  // the pipeline file's topics.dead_letters
  std::string output = "-";
  std::string dlq_output;
  std::string group;
  bool raw = false;  // write bytes as they are (dead-letter topics)
  bool dedupe = false;  // write each article id once, also across restarts (DedupeOutput)
};

struct RunOptions {
  std::string pipeline;  // --pipeline FILE: stages, instances, topics, sinks from the file
  std::vector<std::string> inputs;
  std::string source;
  std::string format = "auto";
  std::vector<std::string> fields;  // --field NAME=INPUT_NAME
  std::vector<std::string> stages = {"clean", "langid", "entities"};
  std::vector<std::string> settings;  // stage.key=value
  std::string output = "var/demo/articles.jsonl";
  std::string dlq_output = "var/demo/dead-letters.jsonl";
  int partitions = 8;
  bool follow = false;  // keep running after the inputs are done
  std::string metrics_snapshot;  // write /metrics text here before exiting
  int instances = 0;  // --instances N for every stage (0: the pipeline file's, else 1)
  bool fuse = false;  // --fuse: the whole chain behind one consumer of the raw topic
  // Given on the command line (they win over a pipeline file).
  bool stages_given = false, output_given = false, dlq_output_given = false, partitions_given = false;
};

struct ProcessOptions {
  std::string pipeline;  // --pipeline FILE: the chain from the file
  std::vector<std::string> stages;
  std::vector<std::string> settings;  // stage.key=value
  std::string input = "-";
  std::string output = "-";
  std::string dead_letters;  // file; default stderr
  size_t max_record_bytes = 64 * 1024 * 1024;
  std::vector<std::string> fields;  // --field NAME=INPUT_NAME, for records that are not complete
};

struct WatchOptions {
  std::string feeds_file;
  std::string state_file;  // default: $NEWSFLOW_STATE_DIR/feeds.state
  bool status = false;     // print the per-feed health table and exit
  std::string topic = "news.raw";
  int max_concurrency = 16;
  int per_host_concurrency = 2;
  int politeness_ms = 1000;
  bool fetch_pages = true;
  // Embedded broker: the chain's final topics, read to confirm items end to end.
  std::vector<std::string> confirm_topics = {"news.tagged", "news.dlq"};
  size_t max_record_bytes = 900 * 1024;
  bool allow_private_addresses = false;  // SSRF guard off (intranet feeds, tests)
};

int RunBroker(const CommonOptions& c, const BrokerOptions& o);
int RunProduce(const CommonOptions& c, const ProduceOptions& o);
int RunStage(const CommonOptions& c, const StageOptions& o);
int RunSink(const CommonOptions& c, const SinkOptions& o);
int RunPipeline(const CommonOptions& c, const RunOptions& o);
int RunProcess(const CommonOptions& c, const ProcessOptions& o);
int RunWatch(const CommonOptions& c, const WatchOptions& o);
int ListStages();
// Checks a pipeline file (structure, stages, settings) and prints a summary.
int RunValidate(const std::string& path);

}  // namespace newsflow
