// PipelineConfig: a pipeline file (YAML) parsed once into a typed struct.
//
//   kafka:   {brokers: "host:9092", properties: {linger.ms: 20}}   # brokers "": embedded
//   metrics: {addr: "127.0.0.1:0"}
//   namespace: staging                               # prefix of every topic and group
//   topics:  {raw: news.raw, dead_letters: news.dlq, partitions: 8, replication_factor: 3}
//   stages:
//     - name: clean                                  # a built-in stage
//       settings: {min_paragraph_chars: 40}
//       instances: 2                                 # copies processing in parallel (run, stage)
//     - name: tagger
//       plugin: build/examples/libtagger.so          # a shared-object stage
//     - name: upper
//       command: [python3, examples/python-stage/stage.py]   # a subprocess stage
//       env: {MODE: upper}
//       output: news.upper                           # topic written (default: see below)
//   sinks:   {articles: var/out.jsonl, dead_letters: var/dlq.jsonl}
//   delivery: exactly_once    # Kafka transactions (real cluster only); default at_least_once
//
// Load rejects unknown keys, wrong types and missing required keys with a
// message "FILE:LINE:COLUMN: KEY: what is wrong". Stage settings are kept with
// their positions so they can be checked against the stage's option table
// (CheckStageSettings) once the stage is resolved (built-in, .so, command).
//
// Thread-safety: a value; immutable after Load.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "newsflow/settings.h"
#include "newsflow/status.h"

namespace newsflow {

// Where a value came from in the file, for messages.
struct ConfigMark {
  std::string file;
  int line = 0;                  // 1-based
  int column = 0;                // 1-based
  std::string Describe() const;  // "file:line:column"
};

struct ConfigValue {
  std::string value;  // scalar as text
  ConfigMark mark;
};

struct StageConfig {
  enum class Kind { kBuiltin, kPlugin, kCommand };
  std::string name;
  Kind kind = Kind::kBuiltin;
  std::string plugin_path;                 // kPlugin: resolved against the file's directory
  std::vector<std::string> command;        // kCommand: argv; argv[0] searched in PATH
  std::map<std::string, std::string> env;  // kCommand: extra environment
  std::map<std::string, ConfigValue> settings;
  int instances = 1;
  std::string output_topic;  // "" = the default for this position
  ConfigMark mark;           // the stage's entry
};

struct PipelineConfig {
  std::string path;
  std::string brokers;  // "" = embedded broker
  std::vector<std::pair<std::string, std::string>> kafka_properties;
  std::string metrics_addr;  // "" = not given
  std::string raw_topic = "news.raw";
  std::string dead_letter_topic = "news.dlq";
  int partitions = 8;
  int replication_factor = 0;  // 0 = not given: min(3, brokers) when created
  std::string ns;              // namespace: "" = none
  std::vector<StageConfig> stages;
  std::string articles_output;      // "" = not given
  std::string dead_letters_output;  // "" = not given
  std::string delivery;  // at_least_once | exactly_once; "" = not given (at_least_once)

  const StageConfig* FindStage(const std::string& name) const;
};

// Reads and validates the structure of a pipeline file.
Result<PipelineConfig> LoadPipelineConfig(const std::string& path);
// The same from text (tests); `path` is only used in messages and to
// resolve relative plug-in paths.
Result<PipelineConfig> ParsePipelineConfig(const std::string& text, const std::string& path);

// Checks a stage's settings against its option table; errors name the file,
// line and key of the offending setting.
Result<Settings> CheckStageSettings(const StageConfig& stage, const std::vector<OptionSpec>& specs);

}  // namespace newsflow
