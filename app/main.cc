// newsflow: one executable, one subcommand per role.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "commands.h"
#include "file_producer.h"
#include "replay.h"
#include "newsflow/shutdown.h"

namespace {

// --max-record-bytes: 1 byte to 1 GiB. Unchecked, -1 (which CLI11 reads as
// 2^64 - 1) made `process` read with a limit of 0 and count every record as
// a blank line: "3 in, 0 out, 0 dead-lettered", exit 0.
const CLI::Range kRecordLimit(size_t{1}, size_t{1} << 30);
// --field NAME=INPUT_NAME, checked as it is read (a usage error, exit 2).
const CLI::Validator kFieldMapping(
    [](std::string& spec) {
      std::map<std::string, std::string> one;
      newsflow::Status s = newsflow::ParseFieldMapping(spec, one);
      return s.ok() ? std::string() : s.message();
    },
    "NAME=INPUT_NAME");
constexpr const char* kFieldHelp =
    "A JSON record's field under your name (repeatable): body=content, url=link, title=headline, "
    "published_at=date, source, id, fetched_at, content_type; a.b reaches into an object";

void AddCommon(CLI::App* app, newsflow::CommonOptions& c) {
  app->add_option("--brokers", c.brokers,
                  "Kafka bootstrap servers (host:port,...); default: the embedded broker");
  app->add_option("--bootstrap-file", c.bootstrap_file,
                  "File where `newsflow broker` writes its address");
  app->add_option("-X", c.properties, "librdkafka property key=value (repeatable), as kcat -X")
      ->take_all();
  app->add_option("--metrics-addr", c.metrics_addr,
                  "Serve Prometheus /metrics, /healthz and /readyz on host:port (port 0: any free port)");
  app->add_option("--metrics-linger-ms", c.metrics_linger_ms,
                  "produce: keep serving /metrics this long after the inputs are published, so "
                  "a scrape sees the final counts");
  app->add_option("--stop-timeout", c.stop_timeout_s,
                  "Seconds a stop (SIGINT/SIGTERM) may take to drain and commit before the "
                  "process ends anyway (exit code 4); a second signal ends it at once")
      ->check(CLI::Range(1, 3600));
  app->add_option("--log-level", c.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app->add_option("--namespace", c.ns,
                  "Prefix of every topic and consumer group this process uses (NS.news.raw, "
                  "NS.newsflow-clean): several pipelines on one cluster");
}

// How the topics a process reads and writes are created on a --brokers
// cluster when missing (`run` and `broker` have their own --partitions).
void AddTopicOptions(CLI::App* app, newsflow::CommonOptions& c, bool partitions) {
  if (partitions)
    app->add_option("--partitions", c.partitions,
                    "Partitions of the topics this process creates when missing (--brokers; default 8 "
                    "or the pipeline file's)")
        ->check(CLI::Range(1, 10000));
  app->add_option("--replication-factor", c.replication_factor,
                  "Replicas of the topics this process creates when missing (--brokers; default "
                  "min(3, brokers) or the pipeline file's)")
      ->check(CLI::Range(1, 32));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"newsflow: a streaming ingestion pipeline for news on Kafka"};
  app.require_subcommand(1);
  newsflow::CommonOptions common;
  common.bootstrap_file = "var/broker.bootstrap";
  common.metrics_addr = "127.0.0.1:0";

  newsflow::BrokerOptions broker;
  auto* cmd_broker = app.add_subcommand("broker", "Run the embedded Kafka broker (librdkafka mock cluster)");
  cmd_broker->add_option("--partitions", broker.partitions, "Partitions per topic")->check(CLI::Range(1, 256));
  cmd_broker->add_option("--count", broker.brokers, "Number of mock brokers")->check(CLI::Range(1, 9));
  cmd_broker->add_option("--topic", broker.topics, "Topics to create (default: the chain's topics)");
  cmd_broker->add_option("--pipeline", broker.pipeline,
                         "Pipeline file: create its topics, with its partitions and namespace");

  newsflow::ProduceOptions produce;
  auto* cmd_produce = app.add_subcommand("produce", "Publish raw articles from files, directories or JSON Lines");
  cmd_produce->add_option("inputs", produce.inputs,
                          "Files, directories, .jsonl/.json files (also .gz), or - for JSON Lines on stdin")
      ->required();
  cmd_produce->add_option("--source", produce.source, "Source name (default: the parent directory's name)");
  cmd_produce->add_option("--format", produce.format, "auto, text, html or jsonl")
      ->check(CLI::IsMember({"auto", "text", "html", "jsonl"}));
  cmd_produce->add_option("--field", produce.fields, kFieldHelp)->check(kFieldMapping);
  cmd_produce->add_option("--topic", produce.topic, "Topic to publish to");
  cmd_produce->add_option("--pipeline", produce.pipeline,
                          "Pipeline file: its raw and dead-letter topics, Kafka, metrics, namespace");
  cmd_produce->add_option("--max-record-bytes", produce.max_record_bytes, "Larger articles are dead-lettered")
      ->check(kRecordLimit);
  cmd_produce->add_flag("!--no-flow-control", produce.flow_control, "Do not wait for the downstream group");
  cmd_produce->add_option("--downstream-group", produce.downstream_group,
                          "Group whose lag holds the producer back (default: the topic's reader in the chain)");
  cmd_produce->add_flag("--raw", produce.raw, "Publish each line of the inputs verbatim, unchecked");
  cmd_produce->add_flag("--follow-symlinks", produce.follow_symlinks,
                        "In directories, also follow links whose target is outside the directory");

  newsflow::StageOptions stage;
  auto* cmd_stage = app.add_subcommand("stage", "Run one stage as its own process (consumer group member)");
  cmd_stage->add_option("name", stage.name,
                        "Stage name (see `newsflow stages`, or a stage of --pipeline); a,b,c runs that "
                        "chain fused behind one consumer (as run --fuse)")
      ->required();
  cmd_stage->add_option("--pipeline", stage.pipeline, "Pipeline file: the stage, its settings and topics");
  cmd_stage->add_option("--input-topic", stage.input_topic, "Topic to consume (default: the chain's)");
  cmd_stage->add_option("--output-topic", stage.output_topic, "Topic to produce (default: the chain's)");
  cmd_stage->add_option("--group", stage.group, "Consumer group (default: newsflow-<stage>)");
  cmd_stage->add_option("--set", stage.settings, "Stage setting key=value (repeatable)")->take_all();
  cmd_stage->add_option("--max-record-bytes", stage.max_record_bytes, "Larger records are dead-lettered")
      ->check(kRecordLimit);
  cmd_stage->add_option("--instances", stage.instances,
                        "Copies of the stage processing each batch in parallel, one thread each, behind "
                        "one consumer (default: the pipeline file's instances, else 1)")
      ->check(CLI::Range(1, 64));
  cmd_stage->add_flag("!--no-flow-control", stage.flow_control, "Do not wait for the downstream group");
  cmd_stage->add_option("--downstream-group", stage.downstream_group,
                        "Group whose lag holds this stage back (default: the output topic's reader)");

  newsflow::SinkOptions sink;
  auto* cmd_sink = app.add_subcommand("sink", "Write a topic to JSON Lines (consumer group newsflow-sink)");
  cmd_sink->add_option("--topic", sink.topic, "Topic to read");
  cmd_sink->add_option("--pipeline", sink.pipeline,
                       "Pipeline file: its sinks (the last topic to sinks.articles, --topic of dead "
                       "letters to sinks.dead_letters), Kafka, metrics, namespace");
  cmd_sink->add_option("--output", sink.output, "File to append to, or - for stdout");
  cmd_sink->add_option("--dead-letters", sink.dlq_output, "File for records that fail to decode (default stderr)");
  cmd_sink->add_option("--group", sink.group, "Consumer group (default: newsflow-sink, or newsflow-dlq-sink for news.dlq)");
  cmd_sink->add_flag("--raw", sink.raw, "Write records as they are, without decoding");
  cmd_sink->add_flag("--dedupe", sink.dedupe,
                     "Write each article id once: drop repeats (redeliveries after a crash), "
                     "including ids already in --output when the sink starts");

  newsflow::RunOptions run;
  auto* cmd_run = app.add_subcommand("run", "Producer, the whole chain and a JSON Lines sink in one process");
  cmd_run->add_option("inputs", run.inputs, "Files, directories, .jsonl/.json files (also .gz), or - for stdin")
      ->required();
  cmd_run->add_option("--pipeline", run.pipeline, "Pipeline file (stages, instances, topics, sinks, Kafka)");
  cmd_run->add_option("--source", run.source, "Source name for files");
  cmd_run->add_option("--format", run.format, "auto, text, html or jsonl")
      ->check(CLI::IsMember({"auto", "text", "html", "jsonl"}));
  cmd_run->add_option("--field", run.fields, kFieldHelp)->check(kFieldMapping);
  cmd_run->add_option("--stages", run.stages, "Stage chain")->delimiter(',');
  cmd_run->add_option("--set", run.settings, "stage.key=value (repeatable)")->take_all();
  cmd_run->add_option("--output", run.output,
                      "Articles out (JSON Lines); on the embedded broker the last stage writes it "
                      "itself (done once synced), with --brokers a sink reads the last topic");
  cmd_run->add_option("--instances", run.instances,
                      "Copies of every stage processing each batch in parallel, one thread each "
                      "(default: the pipeline file's instances, else 1)")
      ->check(CLI::Range(1, 64));
  cmd_run->add_flag("--fuse", run.fuse,
                    "Run the whole chain behind one consumer of the raw topic: one trip through the "
                    "broker instead of one per stage (the intermediate topics stay empty)");
  cmd_run->add_option("--dead-letters", run.dlq_output, "Dead letters out (JSON Lines)");
  cmd_run->add_option("--partitions", run.partitions,
                    "Partitions per topic (the embedded broker's, or those created on --brokers)")
      ->check(CLI::Range(1, 256));
  cmd_run->add_flag("--follow", run.follow, "Keep running after the inputs are done (until SIGINT)");
  cmd_run->add_option("--metrics-snapshot", run.metrics_snapshot,
                      "Write the final /metrics text to this file before exiting");

  newsflow::ProcessOptions process;
  auto* cmd_process = app.add_subcommand("process", "Apply stages to JSON Lines offline, without Kafka");
  cmd_process->add_option("--stages", process.stages, "Stage chain, e.g. clean,langid,entities")
      ->delimiter(',');
  cmd_process->add_option("--pipeline", process.pipeline, "Pipeline file: the stage chain (instead of --stages)");
  cmd_process->add_option("--set", process.settings, "stage.key=value (repeatable)")->take_all();
  cmd_process->add_option("--input", process.input,
                          "JSON Lines in (- for stdin); a file that is a JSON array or pretty-printed records, "
                          "gzip or a web archive is read as produce reads it");
  cmd_process->add_option("--field", process.fields, kFieldHelp)->check(kFieldMapping);
  cmd_process->add_option("--output", process.output, "JSON Lines out (- for stdout)");
  cmd_process->add_option("--dead-letters", process.dead_letters, "Dead letters out (default: stderr)");
  cmd_process->add_option("--max-record-bytes", process.max_record_bytes, "Larger records are dead-lettered")
      ->check(kRecordLimit);

  newsflow::WatchOptions watch;
  auto* cmd_watch = app.add_subcommand("watch", "Poll RSS/Atom feeds and news sitemaps into news.raw, for weeks");
  cmd_watch->add_option("--feeds", watch.feeds_file, "Feed list (YAML or OPML); reloaded on change or SIGHUP");
  cmd_watch->add_option("--state", watch.state_file, "Dedupe and health state file");
  cmd_watch->add_flag("--status", watch.status, "Print each feed's health from the state file and exit");
  cmd_watch->add_option("--topic", watch.topic, "Topic to publish to");
  cmd_watch->add_option("--max-concurrency", watch.max_concurrency, "Transfers in flight, all hosts");
  cmd_watch->add_option("--per-host", watch.per_host_concurrency, "Transfers in flight per host");
  cmd_watch->add_option("--politeness-ms", watch.politeness_ms, "Minimum gap between requests to one host");
  cmd_watch->add_flag("!--no-pages", watch.fetch_pages, "Publish what the feed gives, without fetching pages");
  cmd_watch->add_option("--confirm-topics", watch.confirm_topics,
                        "Embedded broker: an item is done once the sink of one of these topics finished it (TOPIC or TOPIC:GROUP; else re-published after a broker restart)")
      ->delimiter(',');
  cmd_watch->add_option("--max-record-bytes", watch.max_record_bytes,
                        "Larger articles are dead-lettered once and remembered as seen")
      ->check(kRecordLimit);
  cmd_watch->add_flag("--allow-private-addresses", watch.allow_private_addresses,
                      "Fetch feeds and pages on loopback, private and link-local addresses (refused by default)");

  auto* cmd_stages = app.add_subcommand("stages", "List the built-in stages and their settings");

  std::string validate_file;
  auto* cmd_validate = app.add_subcommand("validate", "Check a pipeline file: structure, stages, settings");
  auto* validate_pos = cmd_validate->add_option("file", validate_file, "Pipeline file (YAML)");
  cmd_validate->add_option("--pipeline", validate_file, "Pipeline file (YAML), as for the other commands")
      ->excludes(validate_pos);

  newsflow::ReplayOptions replay;
  auto* cmd_replay = newsflow::AddReplayCommand(app, replay);

  for (auto* c : {cmd_broker, cmd_produce, cmd_stage, cmd_sink, cmd_run, cmd_process, cmd_watch, cmd_replay})
    AddCommon(c, common);
  for (auto* c : {cmd_stage, cmd_sink, cmd_run})
    c->add_option("--delivery", common.delivery,
                  "at_least_once (default) or exactly_once: stages consume, process and produce "
                  "inside Kafka transactions, readers use read_committed (a real cluster only)")
        ->check(CLI::IsMember({"at_least_once", "exactly_once"}));
  for (auto* c : {cmd_produce, cmd_stage, cmd_sink, cmd_watch}) AddTopicOptions(c, common, true);
  AddTopicOptions(cmd_run, common, false);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11's own codes (105 a value out of range, 106 a required option,
    // ...) are not the README's: a bad option is a usage error, exit 2.
    return app.exit(e) == 0 ? 0 : 2;
  }

  for (auto* c : {cmd_broker, cmd_produce, cmd_stage, cmd_sink, cmd_run, cmd_process, cmd_watch})
    if (c->count("--metrics-addr") > 0) common.metrics_addr_given = true;
  for (auto* c : {cmd_stage, cmd_sink, cmd_run})
    if (c->count("--delivery") > 0) common.delivery_given = true;
  run.stages_given = cmd_run->count("--stages") > 0;
  run.output_given = cmd_run->count("--output") > 0;
  run.dlq_output_given = cmd_run->count("--dead-letters") > 0;
  run.partitions_given = cmd_run->count("--partitions") > 0;
  broker.partitions_given = cmd_broker->count("--partitions") > 0;
  produce.topic_given = cmd_produce->count("--topic") > 0;
  sink.topic_given = cmd_sink->count("--topic") > 0;
  sink.output_given = cmd_sink->count("--output") > 0;

  // CLD2 allocates and frees large scratch buffers per call; without a high
  // trim threshold glibc returns them to the kernel every time (~40% slower).
  // Setting the trim threshold also freezes glibc's mmap threshold at 128 KiB
  // (no dynamic adjustment any more), so every larger buffer (librdkafka's
  // fetch and message-set buffers, batches of records) was mmapped, faulted in
  // page by page and unmapped again: `run` took 261,000 page faults for 5,000
  // articles, 122,000 with this threshold, and ~10 % less CPU an article.
  // GLIBC_TUNABLES with malloc settings takes precedence over both.
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables == nullptr || std::strstr(tunables, "glibc.malloc.") == nullptr) {
    mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
  }
  auto logger = spdlog::stderr_color_mt("newsflow");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(common.log_level));
  newsflow::Shutdown::Install(&newsflow::g_stop, std::chrono::seconds(common.stop_timeout_s));
  std::signal(SIGPIPE, SIG_IGN);

  try {
    if (*cmd_broker) return newsflow::RunBroker(common, broker);
    if (*cmd_produce) return newsflow::RunProduce(common, produce);
    if (*cmd_stage) return newsflow::RunStage(common, stage);
    if (*cmd_sink) return newsflow::RunSink(common, sink);
    if (*cmd_run) return newsflow::RunPipeline(common, run);
    if (*cmd_process) return newsflow::RunProcess(common, process);
    if (*cmd_watch) {
      if (!watch.status && watch.feeds_file.empty()) {
        std::fprintf(stderr, "newsflow watch: --feeds FILE is required (or --status)\n");
        return 2;
      }
      return newsflow::RunWatch(common, watch);
    }
    if (*cmd_replay) return newsflow::RunReplay(common, replay);
    if (*cmd_stages) return newsflow::ListStages();
    if (*cmd_validate) {
      if (validate_file.empty()) {
        std::fprintf(stderr, "newsflow validate: give the pipeline file (FILE or --pipeline FILE)\n");
        return 2;
      }
      return newsflow::RunValidate(validate_file);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "newsflow: %s\n", e.what());
    return 2;
  }
  return 2;
}
