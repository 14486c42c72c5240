#include "replay.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

#include "newsflow/consumer_groups.h"
#include "newsflow/kafka.h"
#include "newsflow/pipeline_config.h"
#include "newsflow/topics.h"
#include "newsflow/topology.h"

namespace newsflow {

namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2;

int Fail(const Status& s) {
  std::fprintf(stderr, "newsflow replay: %s\n", s.message().c_str());
  return s.code() == StatusCode::kInvalidArgument ? kUsage : kFailed;
}

// The topic a stage of a pipeline file reads: the first reads the raw topic,
// each next one what the previous writes (its `output`, else its default
// route's, else news.<stage>), as `newsflow run`/`stage --pipeline` wire it.
std::string InputTopicIn(const PipelineConfig& cfg, const std::string& stage) {
  std::string in = cfg.raw_topic;
  for (const auto& s : cfg.stages) {
    if (s.name == stage) return in;
    if (!s.output_topic.empty()) {
      in = s.output_topic;
    } else {
      const StageRoute* r = DefaultRouteFor(s.name);
      in = r != nullptr ? r->output : "news." + s.name;
    }
  }
  return "";
}

Result<ResetSpec> SpecFrom(const ReplayOptions& o) {
  int given = (o.to_datetime.empty() ? 0 : 1) + (o.by_duration.empty() ? 0 : 1) + (o.to_offset ? 1 : 0) +
              (o.shift_by ? 1 : 0) + (o.to_earliest ? 1 : 0) + (o.to_latest ? 1 : 0);
  if (given != 1)
    return Status::InvalidArgument(
        "give exactly one of --to-datetime, --by-duration, --to-offset, --shift-by, --to-earliest, --to-latest");
  ResetSpec spec;
  if (!o.to_datetime.empty()) {
    auto t = ParseDatetime(o.to_datetime);
    if (!t.ok()) return t.status();
    spec = {ResetSpec::Kind::kToDatetime, *t};
  } else if (!o.by_duration.empty()) {
    auto d = ParseDuration(o.by_duration);
    if (!d.ok()) return d.status();
    spec = {ResetSpec::Kind::kByDuration, *d};
  } else if (o.to_offset) {
    if (*o.to_offset < 0) return Status::InvalidArgument("--to-offset must be 0 or more");
    spec = {ResetSpec::Kind::kToOffset, *o.to_offset};
  } else if (o.shift_by) {
    spec = {ResetSpec::Kind::kShiftBy, *o.shift_by};
  } else if (o.to_earliest) {
    spec = {ResetSpec::Kind::kToEarliest, 0};
  } else {
    spec = {ResetSpec::Kind::kToLatest, 0};
  }
  return spec;
}

}  // namespace

CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& o) {
  auto* cmd = app.add_subcommand(
      "replay", "Move a stage's consumer group to a time, an offset, the beginning or the end (dry run "
                "unless --execute)");
  cmd->add_option("stage", o.stage, "Stage whose group (newsflow-<stage>) and input topic to move");
  cmd->add_option("--pipeline", o.pipeline, "Pipeline file: the stage's input topic and Kafka settings");
  cmd->add_option("--group", o.group, "Consumer group (default: newsflow-<stage>)");
  cmd->add_option("--topic", o.topic, "Topic whose offsets to move (default: the stage's input topic)");
  cmd->add_option("--to-datetime", o.to_datetime,
                  "First record at or after this time, e.g. 2026-12-02T10:00:00Z (no zone: UTC)");
  cmd->add_option("--by-duration", o.by_duration, "First record of the last DURATION, e.g. 10m, 1h30m, PT10M");
  cmd->add_option("--to-offset", o.to_offset, "This offset in every partition (clamped to what the topic keeps)");
  cmd->add_option("--shift-by", o.shift_by, "Move by N records (negative: back), e.g. --shift-by=-100");
  cmd->add_flag("--to-earliest", o.to_earliest, "The first offset each partition keeps (re-read everything)");
  cmd->add_flag("--to-latest", o.to_latest, "The end of each partition (skip what is unread)");
  cmd->add_flag("--execute", o.execute, "Move the offsets; without it replay only prints the plan");
  cmd->add_option("--timeout-ms", o.timeout_ms, "Per admin request")->check(CLI::Range(1000, 600000));
  return cmd;
}

int RunReplay(const CommonOptions& c, const ReplayOptions& o) {
  auto spec = SpecFrom(o);
  if (!spec.ok()) return Fail(spec.status());

  std::string brokers = c.brokers;
  std::vector<std::string> props;
  std::string topic = o.topic;
  std::string ns = c.ns;  // --namespace wins over the pipeline file's
  if (!o.pipeline.empty()) {
    auto cfg = LoadPipelineConfig(o.pipeline);
    if (!cfg.ok()) return Fail(cfg.status());
    if (!o.stage.empty() && topic.empty()) {
      if (cfg->FindStage(o.stage) == nullptr)
        return Fail(Status::InvalidArgument(o.pipeline + ": no stage named '" + o.stage + "' in stages"));
      topic = InputTopicIn(*cfg, o.stage);
    }
    if (brokers.empty()) brokers = cfg->brokers;
    if (ns.empty()) ns = cfg->ns;
    for (const auto& [k, v] : cfg->kafka_properties) props.push_back(k + "=" + v);
  }
  props.insert(props.end(), c.properties.begin(), c.properties.end());
  if (o.group.empty() && o.stage.empty()) return Fail(Status::InvalidArgument("name a stage, or give --group and --topic"));
  std::string group = o.group.empty() ? GroupFor(o.stage) : o.group;
  if (topic.empty() && !o.stage.empty()) {
    const StageRoute* r = DefaultRouteFor(o.stage);
    if (r != nullptr) topic = r->input;
  }
  if (topic.empty())
    return Fail(Status::InvalidArgument("stage '" + o.stage +
                                        "' is not in the default chain: give --topic (its input topic) or --pipeline FILE"));
  if (Status s = CheckNamespace(ns); !s.ok()) return Fail(s);
  group = Namespaced(ns, group);  // as the stage named them under --namespace
  topic = Namespaced(ns, topic);

  auto kafka = ResolveKafka(brokers, c.bootstrap_file);
  if (!kafka.ok()) return Fail(kafka.status());
  if (kafka->embedded)
    return Fail(Status::Unavailable(
        "replay needs a real Kafka cluster (--brokers host:port): the embedded broker (librdkafka's mock) has no "
        "DescribeGroups API, so replay cannot check that group " + group +
        " has no live members, and offsets moved under a live member are overwritten by its next commit"));
  for (const auto& kv : props) {
    auto p = ParseProperty(kv);
    if (!p.ok()) return Fail(p.status());
    kafka->properties.push_back(*p);
  }
  kafka->client_id = "newsflow-replay";
  // A producer-type handle with no idempotence serves the admin API,
  // metadata, watermarks and offsets_for_times without joining any group.
  auto client = NewKafkaClient(*kafka, ClientRole::kAdmin, "");
  if (!client.ok()) return Fail(client.status());
  rd_kafka_t* rk = client->get();

  auto desc = DescribeGroup(rk, group, o.timeout_ms);
  if (!desc.ok()) {
    // librdkafka 2.0.2 deadlocks in rd_kafka_destroy after a failed
    // DescribeConsumerGroups (seen against the mock broker): leave the
    // handle to the process exit instead.
    (void)client->release();
    return Fail(desc.status());
  }
  auto parts = ReadPartitions(rk, group, topic, o.timeout_ms);
  if (!parts.ok()) return Fail(parts.status());
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (spec->ByTime()) {
    Status s = ResolveTimes(rk, spec->TimestampMs(now_ms), *parts, o.timeout_ms);
    if (!s.ok()) return Fail(s);
  }
  auto plan = PlanReset(*parts, *spec);
  std::printf("replay: group %s on topic %s, %s (group state %s)\n", group.c_str(), topic.c_str(),
              spec->Describe().c_str(), desc->state.c_str());
  std::fputs(FormatPlan(group, plan).c_str(), stdout);
  std::fflush(stdout);

  if (desc->HasLiveMembers()) {
    std::fprintf(stderr,
                 "newsflow replay: refused: group %s has %zu live member(s) (state %s): %s. Stop them "
                 "(SIGINT/SIGTERM; they commit and leave the group) and run replay again; nothing was moved.\n",
                 group.c_str(), desc->members.size(), desc->state.c_str(), desc->DescribeMembers().c_str());
    return kFailed;
  }
  if (!o.execute) {
    std::printf("dry run: nothing moved; add --execute to move group %s\n", group.c_str());
    return kOk;
  }
  Status s = AlterGroupOffsets(rk, group, plan, o.timeout_ms);
  if (!s.ok()) return Fail(s);
  // Read back what the group now has committed.
  auto after = ReadPartitions(rk, group, topic, o.timeout_ms);
  if (!after.ok()) return Fail(after.status().WithContext("offsets were moved, but reading them back failed"));
  for (const auto& m : plan) {
    for (const auto& p : *after) {
      if (p.partition == m.partition && p.committed != m.target)
        return Fail(Status::Internal("after the move, " + topic + "[" + std::to_string(p.partition) + "] has " +
                                     std::to_string(p.committed) + " committed, not " + std::to_string(m.target) +
                                     " (did a member join group " + group + "?)"));
    }
  }
  int64_t total = 0;
  for (const auto& m : plan) total += m.Reread();
  std::printf("moved: group %s, %zu partitions; the stage re-reads %lld records when it starts\n", group.c_str(),
              plan.size(), static_cast<long long>(total));
  return kOk;
}

}  // namespace newsflow
