#include "commands.h"

#include <prometheus/text_serializer.h>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unistd.h>
#include <set>
#include <sstream>
#include <thread>

#include "feeds/end_to_end.h"
#include "feeds/watcher.h"
#include "file_producer.h"
#include "newsflow/broker_restart.h"
#include "newsflow/dedupe_output.h"
#include "newsflow/embedded_broker.h"
#include "newsflow/kafka_sink.h"
#include "newsflow/line_reader.h"
#include "newsflow/metrics.h"
#include "newsflow/paths.h"
#include "newsflow/pipeline_config.h"
#include "newsflow/plugin_stages.h"
#include "newsflow/record_processor.h"
#include "newsflow/runner.h"
#include "newsflow/shutdown.h"
#include "newsflow/stage.h"
#include "newsflow/text.h"
#include "newsflow/thread_name.h"
#include "newsflow/topics.h"
#include "newsflow/topology.h"
#include "newsflow/transactional_output.h"

namespace newsflow {

std::atomic<bool> g_stop{false};

namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2, kDeadLettered = 3;

int Fail(const Status& s) {
  spdlog::error("{}", s.ToString());
  return s.code() == StatusCode::kInvalidArgument ? kUsage : kFailed;
}

// Exactly once needs transactions, which the embedded broker (librdkafka's
// mock cluster) accepts but does not honour.
Status CheckDelivery(const CommonOptions& c, bool embedded) {
  if (c.delivery != "exactly_once" || !embedded) return Status::OK();
  return Status::InvalidArgument(
      "delivery exactly_once needs a real Kafka cluster: the embedded broker does not honour "
      "transactions (aborted records stay visible to read_committed readers). Give --brokers "
      "host:port of Apache Kafka (scripts/kafka.sh start runs one), or use --delivery at_least_once");
}

Result<KafkaOptions> Kafka(const CommonOptions& c) {
  NEWSFLOW_RETURN_IF_ERROR(CheckNamespace(c.ns));
  auto o = ResolveKafka(c.brokers, c.bootstrap_file);
  if (!o.ok()) return o.status();
  NEWSFLOW_RETURN_IF_ERROR(CheckDelivery(c, o->embedded));
  o->exactly_once = c.delivery == "exactly_once";
  for (const auto& kv : c.properties) {
    auto p = ParseProperty(kv);
    if (!p.ok()) return p.status();
    o->properties.push_back(*p);
  }
  // Notice when the embedded broker behind the bootstrap file restarts.
  if (o->embedded) BrokerMonitor::Get().Watch(o->bootstrap_file, o->incarnation);
  return o;
}

Result<std::unique_ptr<MetricsServer>> Metrics(const CommonOptions& c) {
  auto m = MetricsServer::Start(c.metrics_addr);
  if (!m.ok()) return m.status();
  if ((*m)->port() > 0) {
    std::string host = c.metrics_addr.substr(0, c.metrics_addr.rfind(':'));
    if (host.empty()) host = "0.0.0.0";
    spdlog::info("metrics at http://{}:{}/metrics", host, (*m)->port());
  }
  return m;
}

// Fills what the command line left out from a pipeline file; command-line
// -X properties come after the file's, so they win.
void MergeCommon(const PipelineConfig& cfg, CommonOptions& c) {
  if (c.brokers.empty()) c.brokers = cfg.brokers;
  if (!c.delivery_given && !cfg.delivery.empty()) c.delivery = cfg.delivery;
  if (c.ns.empty()) c.ns = cfg.ns;
  if (c.partitions == 0) c.partitions = cfg.partitions;
  if (c.replication_factor == 0) c.replication_factor = cfg.replication_factor;
  if (!c.metrics_addr_given && !cfg.metrics_addr.empty()) c.metrics_addr = cfg.metrics_addr;
  std::vector<std::string> props;
  for (const auto& [k, v] : cfg.kafka_properties) props.push_back(k + "=" + v);
  props.insert(props.end(), c.properties.begin(), c.properties.end());
  c.properties = std::move(props);
}

// A topic or group name in this process's namespace (--namespace).
std::string Ns(const CommonOptions& c, std::string_view name) { return Namespaced(c.ns, name); }

// On a --brokers cluster, the topics this process reads and writes exist
// before it consumes or produces: created when missing (topics.h).
Status PrepareTopics(const KafkaOptions& kafka, const CommonOptions& c,
                     const std::vector<std::string>& topics, prometheus::Registry& registry,
                     int partitions = 0) {
  TopicOptions to;
  to.partitions = partitions > 0 ? partitions : c.partitions > 0 ? c.partitions : kDefaultPartitions;
  to.replication_factor = c.replication_factor;
  to.stop = &g_stop;
  return EnsureTopics(kafka, topics, to, &registry);
}

// Prometheus pulls: a short-lived producer keeps serving its final counts
// for a while (until SIGINT/SIGTERM) so the next scrape sees them.
void LingerForScrape(const CommonOptions& c) {
  if (c.metrics_linger_ms <= 0 || c.metrics_addr.empty()) return;
  std::fflush(stderr);
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(c.metrics_linger_ms);
  while (!g_stop.load() && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// A stage opened for use: its settings outlive it, as StageContext promises.
struct OpenedStage {
  std::string name;
  std::unique_ptr<Settings> settings;
  std::unique_ptr<Stage> stage;
  std::unique_ptr<StageMetrics> metrics;
};

// "clean.max_ms=5" -> {clean: {max_ms: 5}}; a bare "key=value" goes to `only`.
Result<std::map<std::string, std::map<std::string, std::string>>> SplitSettings(
    const std::vector<std::string>& kvs, const std::string& only) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& kv : kvs) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::InvalidArgument("--set expects [stage.]key=value, got '" + kv + "'");
    std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
    size_t dot = key.find('.');
    std::string stage = only;
    if (dot != std::string::npos) {
      stage = key.substr(0, dot);
      key = key.substr(dot + 1);
    }
    if (stage.empty())
      return Status::InvalidArgument("--set " + kv + ": name the stage as stage.key=value");
    out[stage][key] = value;
  }
  return out;
}

// The topics a chain reads and writes: the default route where a stage has
// one, else news.<stage>; the first stage reads news.raw.
std::vector<std::pair<std::string, std::string>> ChainTopics(const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, std::string>> t;
  std::set<std::string> used = {std::string(kRawTopic), std::string(kDeadLetterTopic)};
  std::string in(kRawTopic);
  for (size_t i = 0; i < names.size(); ++i) {
    const StageRoute* r = DefaultRouteFor(names[i]);
    std::string out = r != nullptr ? r->output : "news." + names[i];
    if (used.count(out) != 0) out = "news." + names[i] + "." + std::to_string(i + 1);
    used.insert(out);
    t.emplace_back(in, out);
    in = out;
  }
  return t;
}

// A stage resolved for use: what it is, its checked settings, where it sits.
struct StagePlan {
  std::string name;
  StageDescriptor descriptor;
  Settings settings;
  int instances = 1;
  std::string input, output;  // topics
};

std::string BuiltinNames() {
  std::string known;
  for (const auto& s : BuiltinStages()) known += (known.empty() ? "" : ", ") + s.name;
  return known;
}

// Built-in, shared object or subprocess: the descriptor of a configured stage.
Result<StageDescriptor> Describe(const StageConfig& s) {
  switch (s.kind) {
    case StageConfig::Kind::kBuiltin: {
      const StageDescriptor* d = FindBuiltinStage(s.name);
      if (d == nullptr)
        return Status::InvalidArgument(s.mark.Describe() + ": stages." + s.name + ": unknown stage '" +
                                       s.name + "' (built in: " + BuiltinNames() +
                                       "; a plug-in needs plugin: FILE.so or command: [program, ...])");
      return *d;
    }
    case StageConfig::Kind::kPlugin: {
      auto d = LoadSharedObjectStage(s.name, s.plugin_path);
      if (!d.ok()) return d.status().WithContext(s.mark.Describe());
      return d;
    }
    case StageConfig::Kind::kCommand:
      return SubprocessStageDescriptor(s.name, s.command, s.env);
  }
  return Status::Internal("unreachable");
}

// The topic a stage writes when the pipeline does not say: its default route's,
// else news.<stage>.
std::string DefaultOutputOf(const std::string& name) {
  const StageRoute* r = DefaultRouteFor(name);
  return r != nullptr ? r->output : "news." + name;
}

Result<std::vector<StagePlan>> PlanFromConfig(const PipelineConfig& c) {
  std::vector<StagePlan> plans;
  std::set<std::string> used = {c.raw_topic, c.dead_letter_topic};
  std::string in = c.raw_topic;
  for (const auto& sc : c.stages) {
    auto d = Describe(sc);
    if (!d.ok()) return d.status();
    auto settings = CheckStageSettings(sc, d->options);
    if (!settings.ok()) return settings.status();
    StagePlan p{sc.name, std::move(*d), std::move(*settings), sc.instances, in, ""};
    p.output = sc.output_topic.empty() ? DefaultOutputOf(sc.name) : sc.output_topic;
    if (!used.insert(p.output).second)
      return Status::InvalidArgument(sc.mark.Describe() + ": stages." + sc.name + ".output: topic '" +
                                     p.output + "' is already used in this pipeline");
    in = p.output;
    plans.push_back(std::move(p));
  }
  return plans;
}

Result<std::vector<StagePlan>> PlanFromNames(const std::vector<std::string>& names,
                                             const std::vector<std::string>& settings,
                                             const std::string& only) {
  auto split = SplitSettings(settings, only);
  if (!split.ok()) return split.status();
  for (const auto& [stage, kv] : *split) {
    if (std::find(names.begin(), names.end(), stage) == names.end())
      return Status::InvalidArgument("--set for stage '" + stage + "', which is not in the chain");
  }
  std::vector<StagePlan> plans;
  auto topics = ChainTopics(names);
  for (size_t i = 0; i < names.size(); ++i) {
    const StageDescriptor* d = FindBuiltinStage(names[i]);
    if (d == nullptr)
      return Status::InvalidArgument("unknown stage '" + names[i] + "' (built in: " + BuiltinNames() +
                                     "; plug-in stages are named in a --pipeline file)");
    auto parsed = Settings::Parse(d->options, (*split)[names[i]], names[i]);
    if (!parsed.ok()) return parsed.status();
    plans.push_back({names[i], *d, std::move(*parsed), 1, topics[i].first, topics[i].second});
  }
  return plans;
}

// One instance of a planned stage, opened. Instance k > 0 keeps its state in
// a folder of its own: instances learn from different records, and one file
// for all would keep only the last saved. A stage whose copies share what
// they learn (clean's templates) keeps it in the first copy's folder.
Result<OpenedStage> OpenStage(const StagePlan& p, prometheus::Registry& registry,
                              const std::string& in_label, const std::string& out_label,
                              int instance = 0) {
  OpenedStage o;
  o.name = p.name;
  o.settings = std::make_unique<Settings>(p.settings);
  o.stage = p.descriptor.create();
  o.metrics = std::make_unique<StageMetrics>(registry, p.name, in_label, out_label);
  const std::string first = StateDir() + "/" + p.name;
  std::string state = first;
  if (instance > 0) state += "/instance-" + std::to_string(instance + 1);
  std::error_code ec;
  std::filesystem::create_directories(state, ec);
  StageContext ctx{*o.settings, registry, StageDataDir(p.name), CorpusDir(), state, first};
  Status s = o.stage->Open(ctx);
  if (!s.ok()) return s.WithContext("opening stage " + p.name);
  return o;
}

Result<std::vector<OpenedStage>> OpenStages(const std::vector<StagePlan>& plans,
                                            prometheus::Registry& registry, bool file_labels) {
  std::vector<OpenedStage> out;
  for (const auto& p : plans) {
    auto o = file_labels ? OpenStage(p, registry, "file", "file") : OpenStage(p, registry, p.input, p.output);
    if (!o.ok()) return o.status();
    out.push_back(std::move(*o));
  }
  return out;
}

void CloseStages(std::vector<OpenedStage>& stages) {
  for (auto& s : stages) {
    Status st = s.stage->Close();
    if (!st.ok()) spdlog::warn("closing stage {}: {}", s.name, st.ToString());
  }
}

// The plan's `instances` copies of its stage, opened (closed again if one fails).
Result<std::vector<OpenedStage>> OpenInstances(const StagePlan& p, prometheus::Registry& registry) {
  std::vector<OpenedStage> out;
  for (int k = 0; k < p.instances; ++k) {
    auto s = OpenStage(p, registry, p.input, p.output, k);
    if (!s.ok()) {
      CloseStages(out);
      return s.status();
    }
    out.push_back(std::move(*s));
  }
  return out;
}

// One stage consuming `input` and producing `output`, on its own thread.
struct StageWorker {
  std::unique_ptr<TransactionalSlot> slot;  // exactly once: held while the producer lives
  std::unique_ptr<KafkaProducer> producer;
  std::unique_ptr<FlowController> flow;
  std::unique_ptr<RecordOutput> output;
  std::unique_ptr<RecordProcessor> processor;
  std::vector<std::unique_ptr<RecordProcessor>> copies;  // instances: N, processing in parallel
  std::unique_ptr<StageRunner> runner;
  std::thread thread;
  Status result;
  std::atomic<bool> finished{false};  // Run returned (stopped, or its output failed)

  // Delivery reports call into the output and the runner (the transactional
  // output holds acknowledged records until its commit): none may arrive
  // after they are gone. What the producer still holds once the runner
  // stopped is past its commit anyway (read again after a restart): purge it
  // and serve the reports while everything is alive, instead of leaving them
  // to the producer's destructor, after the output (a use after free that
  // corrupted the heap of a fenced exactly-once stage).
  ~StageWorker() {
    if (thread.joinable()) thread.join();
    if (runner) runner->Detach();
    if (!producer) return;
    rd_kafka_purge(producer->handle(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT |
                                           RD_KAFKA_PURGE_F_NON_BLOCKING);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    do producer->Poll(10);
    while (producer->QueueLength() > 0 && std::chrono::steady_clock::now() < end);
  }
};

// The processor and the one runner loop over `w.output`, shared by stage and
// sink workers.
void AttachRunner(StageWorker& w, const KafkaOptions& kafka, std::vector<ChainLink> chain,
                  const RecordProcessor::Options& po, const std::string& name,
                  const std::string& input, const std::string& group,
                  prometheus::Registry& registry) {
  w.processor = std::make_unique<RecordProcessor>(std::move(chain), po);
  RunnerOptions ro;
  ro.name = name;
  ro.input_topic = input;
  ro.group = group.empty() ? GroupFor(name) : group;
  ro.read_committed = kafka.exactly_once;
  ro.assign_all = kafka.private_broker;
  w.runner = std::make_unique<StageRunner>(kafka, ro, *w.processor, *w.output, registry);
}

// The chain of copy `k`: the k-th instance of every stage in `stages`.
std::vector<ChainLink> ChainOf(std::vector<std::vector<OpenedStage>*> stages, size_t k) {
  std::vector<ChainLink> chain;
  for (auto* instances : stages) {
    OpenedStage& c = (*instances)[k];
    chain.push_back({c.name, c.stage.get(), c.metrics.get()});
  }
  return chain;
}

// Applies `--instances` (when given) to every plan; returns the widest count,
// which every stage of a fused chain gets (copy k runs instance k of each).
int ApplyInstances(std::vector<StagePlan>& plans, int given) {
  int widest = 1;
  for (auto& p : plans) {
    if (given > 0) p.instances = given;
    widest = std::max(widest, p.instances);
  }
  return widest;
}

// The name a fused chain runs under: its stages joined by '+'.
std::string ChainName(const std::vector<StagePlan>& plans) {
  std::string name;
  for (const auto& p : plans) name += (name.empty() ? "" : "+") + p.name;
  return name;
}

// More instances of the worker's stages (`instances: N`): the runner processes
// each batch on all of them at once, behind one consumer, so the group and
// its partitions stay as they are (no rebalance when instances start or stop).
// Instance 0 of each stage is the worker's own chain; every stage of a fused
// chain has the same number of instances.
void AddCopies(StageWorker& w, std::vector<std::vector<OpenedStage>*> stages, size_t max_record_bytes) {
  for (size_t k = 1; k < stages.front()->size(); ++k) {
    RecordProcessor::Options po;
    po.max_record_bytes = max_record_bytes;
    w.copies.push_back(std::make_unique<RecordProcessor>(ChainOf(stages, k), po));
    w.runner->AddProcessor(*w.copies.back());
  }
}

// A stage worker's output to `output` through its producer: transactional
// (delivery: exactly_once) or not, flow-controlled by `downstream_group`'s
// lag (its default: the topic's reader in the standard chain).
Result<std::unique_ptr<RecordOutput>> KafkaOutputFor(StageWorker& w, const KafkaOptions& kafka,
                                                     const std::string& output, bool flow_control,
                                                     const std::string& downstream_group,
                                                     const std::string& dlq_topic,
                                                     FlowController* dlq_flow) {
  w.producer->LearnPartitions(output);
  std::string downstream = downstream_group.empty() ? DownstreamGroupOf(output) : downstream_group;
  if (flow_control && !downstream.empty()) {
    auto flow = FlowController::Start(kafka, output, downstream, FlowController::Limits::For(kafka));
    if (!flow.ok()) return flow.status();
    w.flow = std::move(*flow);
  }
  if (kafka.exactly_once) {
    auto out = TransactionalOutput::Create(*w.producer, output, dlq_topic, w.flow.get(), w.slot->id());
    if (!out.ok()) return out.status();
    return std::unique_ptr<RecordOutput>(std::move(*out));
  }
  return std::unique_ptr<RecordOutput>(
      std::make_unique<KafkaOutput>(*w.producer, output, dlq_topic, w.flow.get(), dlq_flow));
}

// A worker running `stages` from `input` to `output`, its dead letters to
// `dlq_topic`; with `articles_file`, its articles go to that file instead of
// `output` (`run` on its own embedded broker: RunPipeline).
Result<std::unique_ptr<StageWorker>> MakeKafkaWorker(const KafkaOptions& kafka,
                                                     std::vector<std::vector<OpenedStage>*> stages,
                                                     const std::string& name,
                                                     const std::string& input,
                                                     const std::string& output,
                                                     const std::string& group, bool flow_control,
                                                     size_t max_record_bytes,
                                                     prometheus::Registry& registry,
                                                     const std::string& downstream_group = "",
                                                     const std::string& dlq_topic = std::string(kDeadLetterTopic),
                                                     FlowController* dlq_flow = nullptr,
                                                     const std::string& articles_file = "") {
  auto w = std::make_unique<StageWorker>();
  KafkaOptions producer_options = kafka;
  if (kafka.exactly_once) {
    // A transactional producer, its id from a slot (TransactionalSlot says
    // why); -X transactional.id=P names the id's prefix.
    std::string prefix;
    auto& props = producer_options.properties;
    for (auto it = props.begin(); it != props.end();) {
      if (it->first == "transactional.id") {
        prefix = it->second;
        it = props.erase(it);
      } else {
        ++it;
      }
    }
    auto slot = TransactionalSlot::Acquire(StateDir(), group.empty() ? GroupFor(name) : group,
                                           prefix);
    if (!slot.ok()) return slot.status();
    w->slot = std::move(*slot);
    props.emplace_back("transactional.id", w->slot->id());
  }
  auto producer = KafkaProducer::Create(producer_options);
  if (!producer.ok()) return producer.status();
  w->producer = std::move(*producer);
  if (!articles_file.empty()) {
    // Articles to the file, dead letters to their topic (`run` on its own
    // embedded broker: RunPipeline says why). A file holds no one back: no
    // flow control but the dead letters'.
    auto file = FileOutput::Open(articles_file, "", &g_stop);
    if (!file.ok()) return file.status();
    w->output = std::make_unique<SplitOutput>(
        std::move(*file), std::make_unique<KafkaOutput>(*w->producer, output, dlq_topic, nullptr, dlq_flow));
  } else {
    auto out = KafkaOutputFor(*w, kafka, output, flow_control, downstream_group, dlq_topic, dlq_flow);
    if (!out.ok()) return out.status();
    w->output = std::move(*out);
  }
  RecordProcessor::Options po;
  po.max_record_bytes = max_record_bytes;
  AttachRunner(*w, kafka, ChainOf(stages, 0), po, name, input, group, registry);
  AddCopies(*w, stages, max_record_bytes);
  return w;
}

Result<std::unique_ptr<StageWorker>> MakeSinkWorker(const KafkaOptions& kafka, const std::string& name,
                                                    const std::string& topic, const std::string& path,
                                                    const std::string& dlq_path, bool raw,
                                                    const std::string& group,
                                                    prometheus::Registry& registry,
                                                    bool dedupe = false, bool dead_letters = false) {
  auto w = std::make_unique<StageWorker>();
  if (dedupe) {
    auto out = DedupeOutput::Open(path, dlq_path, registry, name, &g_stop);
    if (!out.ok()) return out.status();
    w->output = std::move(*out);
  } else {
    auto out = FileOutput::Open(path, dlq_path, &g_stop);
    if (!out.ok()) return out.status();
    w->output = std::move(*out);
  }
  RecordProcessor::Options po;
  po.decode = !raw;
  po.verbatim = true;
  po.max_record_bytes = 64 * 1024 * 1024;  // a sink keeps whatever the topic holds
  po.max_output_bytes = SIZE_MAX;
  // The embedded broker answers an empty Fetch only when fetch.wait.max.ms
  // has passed, so the 10 ms its readers wait (a hop's latency) cost an idle
  // reader 100 requests a second. Dead letters are rare and nobody waits on
  // them by the millisecond: 200 ms (an idle `run --fuse` 4.2 -> 3.8 % of a
  // core). A user's -X fetch.wait.max.ms wins.
  KafkaOptions k = kafka;
  if (dead_letters && k.embedded && !k.UserSets("fetch.wait.max.ms"))
    k.properties.push_back({"fetch.wait.max.ms", "200"});
  AttachRunner(*w, k, {}, po, name, topic, group, registry);
  return w;
}

// The worker's runner returned `result`. A failed worker fails the whole run:
// stop the producer too (it could wait forever on flow control for records
// that will never be read).
void Finish(StageWorker& w, Status result) {
  w.result = std::move(result);
  w.finished = true;
  if (!w.result.ok()) g_stop = true;
}

// A sink's thread in `run`: rails, beside the stage threads (MakeThisThreadBatch).
void Start(StageWorker& w, const std::atomic<bool>& stop) {
  w.thread = std::thread([&w, &stop] {
    MakeThisThreadBatch();
    Finish(w, w.runner->Run(stop));
  });
}

// New Kafka clients for a stage whose idempotent producer's state was lost on
// the brokers (a leader's failover: no retry of the same client cures it), as
// `stage` and each stage of `run` build them: at most kInARow times in a row
// without a minute of work between, waiting a second longer each time. What
// was not written is read again from the last committed offsets.
class NewClients {
 public:
  explicit NewClients(std::string name) : name_(std::move(name)) {}

  // After the runner's Run returned `s` (started at `started`): whether new
  // clients are due (logged when they are). Never while `stopping`.
  bool Due(const Status& s, const StageRunner& runner, std::chrono::steady_clock::time_point started,
           bool stopping) {
    if (s.ok() || stopping || !runner.FailedOnProducerState()) return false;
    if (std::chrono::steady_clock::now() - started > std::chrono::minutes(1)) in_a_row_ = 0;
    if (++in_a_row_ > kInARow) return false;
    spdlog::warn("[{}] {}: starting new Kafka clients ({} of {} in a row); what was not written "
                 "is read again from the last committed offsets", name_, s.ToString(), in_a_row_,
                 kInARow);
    return true;
  }

  // The wait before them; ends early once `stopping` says so.
  void Wait(const std::function<bool()>& stopping) const {
    for (int i = 0; i < in_a_row_ * 10 && !stopping(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

 private:
  static constexpr int kInARow = 5;
  std::string name_;
  int in_a_row_ = 0;
};

// After a runner gave up on a restarted embedded broker (it counted what the
// old broker took with it as lost): drops the worker's clients, purging what
// the dead broker never acknowledged, re-reads the bootstrap file (re-arming
// the monitor) into `kafka`. False when there is nothing to follow.
bool FollowRestartedBroker(const CommonOptions& c, KafkaOptions& kafka,
                           std::unique_ptr<StageWorker>& w) {
  if (!kafka.embedded || !BrokerMonitor::Get().Restarted() || g_stop.load()) return false;
  w.reset();  // ~StageWorker purges what the dead broker never acknowledged
  auto k = Kafka(c);
  if (!k.ok()) {
    spdlog::error("cannot follow the restarted embedded broker: {}", k.status().ToString());
    return false;
  }
  kafka = *k;
  spdlog::info("following the restarted embedded broker at {}", kafka.brokers);
  return true;
}

void EnsureParent(const std::string& path) {
  std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
}

// --pipeline FILE for broker, produce and sink, as stage, run and process
// take it: the file fills what the command line left out (MergeCommon: Kafka,
// metrics, namespace, delivery, partitions), plus what the command uses of it.

// Each stage's output topic, in chain order, as PlanFromConfig names them
// (without loading any plug-in).
std::vector<std::string> ChainOutputs(const PipelineConfig& cfg) {
  std::vector<std::string> out;
  for (const auto& sc : cfg.stages)
    out.push_back(sc.output_topic.empty() ? DefaultOutputOf(sc.name) : sc.output_topic);
  return out;
}

// The group that reads `topic` in the file's chain (a stage's, or the sink's
// for the last topic); "" when the chain does not read it.
std::string ReaderInPipeline(const PipelineConfig& cfg, const std::string& topic) {
  std::vector<std::string> inputs = {cfg.raw_topic};
  for (auto& t : ChainOutputs(cfg)) inputs.push_back(t);
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k] != topic) continue;
    return GroupFor(k < cfg.stages.size() ? cfg.stages[k].name : std::string("sink"));
  }
  return "";
}

Status UsePipeline(CommonOptions& c, BrokerOptions& o) {
  if (o.pipeline.empty()) return Status::OK();
  auto cfg = LoadPipelineConfig(o.pipeline);
  if (!cfg.ok()) return cfg.status();
  if (!cfg->brokers.empty())
    return Status::InvalidArgument(o.pipeline + ": kafka.brokers is " + cfg->brokers +
                                   ": that pipeline runs on a Kafka cluster, not on the embedded "
                                   "broker (leave kafka.brokers empty to use `newsflow broker`)");
  MergeCommon(*cfg, c);
  if (!o.partitions_given) o.partitions = cfg->partitions;
  if (o.topics.empty()) {
    o.topics = {cfg->raw_topic};
    for (auto& t : ChainOutputs(*cfg)) o.topics.push_back(t);
    o.topics.push_back(cfg->dead_letter_topic);
  }
  return Status::OK();
}

Status UsePipeline(CommonOptions& c, ProduceOptions& o) {
  if (o.pipeline.empty()) return Status::OK();
  auto cfg = LoadPipelineConfig(o.pipeline);
  if (!cfg.ok()) return cfg.status();
  MergeCommon(*cfg, c);
  if (!o.topic_given) o.topic = cfg->raw_topic;
  o.dlq_topic = cfg->dead_letter_topic;
  if (o.downstream_group.empty()) o.downstream_group = ReaderInPipeline(*cfg, o.topic);
  return Status::OK();
}

// On the embedded broker dead letters are evicted like anything else (about
// 5 MiB a partition), so their writers wait for the dead-letter sink's group
// as for their own readers. `run` starts that sink itself; separate
// processes (`stage`, `produce` on `newsflow broker`) wait only once the
// group has a reader (`reader_optional`): a stage must not stop for want of
// a reader nobody started. None on a real cluster (its retention is days)
// or without flow control.
Result<std::unique_ptr<FlowController>> DeadLetterFlow(const KafkaOptions& kafka,
                                                       const CommonOptions& c,
                                                       const std::string& dlq_topic,
                                                       bool flow_control, bool reader_optional) {
  if (!flow_control) return std::unique_ptr<FlowController>();
  return FlowController::ForDeadLetters(kafka, dlq_topic, Ns(c, GroupFor("dlq-sink")), reader_optional);
}

Status UsePipeline(CommonOptions& c, SinkOptions& o) {
  if (o.pipeline.empty()) return Status::OK();
  auto cfg = LoadPipelineConfig(o.pipeline);
  if (!cfg.ok()) return cfg.status();
  MergeCommon(*cfg, c);
  auto outputs = ChainOutputs(*cfg);
  if (!o.topic_given) o.topic = outputs.empty() ? cfg->raw_topic : outputs.back();
  o.dlq_topic = cfg->dead_letter_topic;
  const std::string& file = o.topic == o.dlq_topic ? cfg->dead_letters_output : cfg->articles_output;
  if (!o.output_given && !file.empty()) o.output = file;
  return Status::OK();
}

}  // namespace

// An exclusive lock on `<path>.lock` for the life of the process (the
// kernel lets go when it dies, however it dies): one broker per bootstrap
// file, one watcher per state file.
class LifeLock {
 public:
  LifeLock() = default;
  LifeLock(const LifeLock&) = delete;
  LifeLock& operator=(const LifeLock&) = delete;
  ~LifeLock() {
    if (fd_ >= 0) close(fd_);
  }
  // OK with held() false when another process holds it.
  Status Take(const std::string& path) {
    EnsureParent(path);
    const std::string lock_path = path + ".lock";
    fd_ = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::Unavailable("cannot open " + lock_path + ": " + std::strerror(errno));
    held_ = flock(fd_, LOCK_EX | LOCK_NB) == 0;
    return Status::OK();
  }
  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

int RunBroker(const CommonOptions& c_in, const BrokerOptions& o_in) {
  CommonOptions c = c_in;
  BrokerOptions o = o_in;
  // librdkafka's mock cluster has no metrics to serve (an address was
  // accepted and ignored): its clients' own, in every other process, cover
  // it. An empty address, every command's "no metrics", is what it does.
  if (c.metrics_addr_given && !c.metrics_addr.empty())
    return Fail(Status::InvalidArgument(
        "broker serves no metrics (the embedded broker has none; each stage, sink and producer "
        "serves its own): drop --metrics-addr"));
  if (Status p = UsePipeline(c, o); !p.ok()) return Fail(p);
  std::vector<std::string> topics = o.topics.empty() ? DefaultTopics() : o.topics;
  Status ns = CheckNamespace(c.ns);
  if (!ns.ok()) return Fail(ns);
  for (auto& t : topics) t = Ns(c, t);
  // One broker per bootstrap file. A second `newsflow broker` here took the
  // file over as if the first had died: the clients followed it, and the
  // records the first, still running, held were lost to them.
  LifeLock lock;
  if (Status l = lock.Take(c.bootstrap_file); !l.ok()) return Fail(l);
  if (!lock.held()) {
    auto running = ResolveKafka("", c.bootstrap_file);
    return Fail(Status::InvalidArgument(
        "a broker is already running for " + c.bootstrap_file +
        (running.ok() ? " (at " + running->brokers + ")" : std::string()) +
        ": stop it first (SIGINT), or give this one its own --bootstrap-file"));
  }
  auto broker = EmbeddedBroker::Start(o.brokers, topics, o.partitions);
  if (!broker.ok()) return Fail(broker.status());
  std::string previous = PrepareLedgers(c.bootstrap_file);
  Status s = WriteBootstrapFile(c.bootstrap_file, (*broker)->bootstraps(), NewBrokerIncarnation());
  if (!s.ok()) return Fail(s);
  if (!previous.empty())
    spdlog::warn("broker: replaces a broker that did not stop cleanly (incarnation {}); "
                 "everything it held is gone, its clients follow this one and report the loss",
                 previous);
  std::printf("newsflow broker: bootstrap %s (written to %s); topics:", (*broker)->bootstraps().c_str(),
              c.bootstrap_file.c_str());
  for (const auto& t : topics) std::printf(" %s", t.c_str());
  std::printf(" x %d partitions\n", o.partitions);
  std::fflush(stdout);
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::error_code ec;
  std::filesystem::remove(c.bootstrap_file, ec);
  spdlog::info("broker: stopped (all data was in memory)");
  return kOk;
}

// --field's NAME=INPUT_NAME pairs (checked again: a caller other than the CLI).
Status FieldMappings(const std::vector<std::string>& specs, std::map<std::string, std::string>& fields) {
  for (const auto& spec : specs) NEWSFLOW_RETURN_IF_ERROR(ParseFieldMapping(spec, fields));
  return Status::OK();
}

// One file for articles and dead letters mixed both into it (`process`
// refuses this too); the files may not exist yet: compared as paths as well.
Status OneFileForBoth(const std::string& output, const std::string& dead_letters) {
  if (output == "-" || output.empty() || dead_letters.empty() || dead_letters == "-")
    return Status::OK();
  std::error_code e1, e2;
  const auto a = std::filesystem::weakly_canonical(output, e1);
  const auto b = std::filesystem::weakly_canonical(dead_letters, e2);
  if ((!e1 && !e2 && a == b) || IsSameFile(output, dead_letters))
    return Status::InvalidArgument("--output and --dead-letters are the same file (" + output +
                                   "): give the dead letters a file of their own");
  return Status::OK();
}

// The end of `produce`: a record stays held until Kafka acknowledged it
// (README), so the last flush is not cut at a fixed time (it gave up after
// 60 s of a broker outage, exit 1, saying nothing of its own meanwhile): it
// says every 30 s what it waits for, and ends once all is acknowledged, on a
// stop signal (the stop deadline bounds it), or on an error that waiting
// cannot cure.
Status FlushAcknowledged(KafkaArticleSink& sink, const KafkaOptions& kafka) {
  auto last_said = std::chrono::steady_clock::now();
  for (;;) {
    // In one-second slices, so a stop signal ends the wait at once.
    Status f = sink.Flush(std::chrono::seconds(1));
    if (f.ok() || f.code() != StatusCode::kTimeout || g_stop.load() ||
        (kafka.embedded && BrokerMonitor::Get().Restarted()))
      return f;
    if (std::chrono::steady_clock::now() - last_said >= std::chrono::seconds(30)) {
      last_said = std::chrono::steady_clock::now();
      spdlog::warn("produce: waiting for Kafka at {} to acknowledge what was published ({}); "
                   "nothing is dropped; a stop signal ends the wait",
                   kafka.brokers, f.message());
    }
  }
}

int RunProduce(const CommonOptions& c_in, const ProduceOptions& o_in) {
  CommonOptions c = c_in;
  ProduceOptions o = o_in;
  std::map<std::string, std::string> fields;
  if (Status m = FieldMappings(o.fields, fields); !m.ok()) return Fail(m);
  if (Status p = UsePipeline(c, o); !p.ok()) return Fail(p);
  if (o.topic == o.dlq_topic)
    return Fail(Status::InvalidArgument("produce --topic " + o.topic +
                                        " is the dead-letter topic: articles there would be read as "
                                        "dead letters"));
  auto kafka = Kafka(c);
  if (!kafka.ok()) return Fail(kafka.status());
  auto metrics = Metrics(c);
  if (!metrics.ok()) return Fail(metrics.status());
  KafkaArticleSink::Options so;
  so.topic = Ns(c, o.topic);
  so.dlq_topic = Ns(c, o.dlq_topic);
  so.max_record_bytes = o.max_record_bytes;
  so.flow_control = o.flow_control;
  so.downstream_group =
      Ns(c, o.downstream_group.empty() ? DownstreamGroupOf(o.topic) : o.downstream_group);
  Status topics = PrepareTopics(*kafka, c, {so.topic, so.dlq_topic}, (*metrics)->registry());
  if (!topics.ok()) return Fail(topics);
  auto dlq_flow = DeadLetterFlow(*kafka, c, so.dlq_topic, o.flow_control, /*reader_optional=*/true);
  if (!dlq_flow.ok()) return Fail(dlq_flow.status());
  so.dlq_flow = dlq_flow->get();
  auto sink = KafkaArticleSink::Create(*kafka, so, (*metrics)->registry(), &g_stop);
  if (!sink.ok()) return Fail(sink.status());
  // Said if the process is ended by force (second signal, stop deadline).
  KafkaArticleSink* counted = sink->get();
  const std::string brokers = kafka->brokers;
  struct Unregister {
    int id;
    ~Unregister() { Shutdown::RemoveReporter(id); }
  } reporter{Shutdown::AddReporter([counted, brokers] {
    int64_t n = counted->published() - counted->acknowledged() - counted->failed();
    if (n <= 0) return std::string();
    return "produce: " + std::to_string(n) + " record(s) published but not yet acknowledged by " +
           "Kafka at " + brokers + " (they may not have arrived: produce the input again)";
  })};
  if (o.raw) {
    int64_t n = 0;
    for (const auto& path : o.inputs) {
      // Files, pipes and stdin through StoppableLineReader (1 MiB reads after
      // poll(2)): a signal ends the wait for a quiet pipe's next line, or for
      // a named pipe's writer.
      const int fd = path == "-" ? STDIN_FILENO : OpenForReading(path);
      if (fd < 0) return Fail(Status::NotFound("cannot read " + path + ": " + std::strerror(errno)));
      StoppableLineReader in(fd, &g_stop);
      std::string line;
      size_t length = 0;
      Status s;
      while (s.ok() && ReadLineBounded(in, line, SIZE_MAX - 1, length)) {
        s = (*sink)->PublishBytes(RawLineKey(line, n), line);  // the id when it has one
        ++n;
      }
      const bool failed = in.failed();
      const int err = in.error();
      if (fd != STDIN_FILENO) close(fd);
      if (!s.ok()) return Fail(s);
      if (failed) {
        (void)FlushAcknowledged(**sink, *kafka);
        return Fail(Status::Unavailable("read error on " + (path == "-" ? std::string("stdin") : path) +
                                        " after " + std::to_string(n) + " line(s): " +
                                        std::strerror(err)));
      }
    }
    Status f = FlushAcknowledged(**sink, *kafka);
    std::fprintf(stderr, "newsflow produce --raw: %lld line(s) published\n", static_cast<long long>(n));
    LingerForScrape(c);
    return f.ok() ? kOk : Fail(f);
  }
  FileProducerOptions fo;
  fo.source = o.source;
  fo.format = o.format;
  fo.fields = fields;
  fo.follow_symlinks = o.follow_symlinks;
  fo.max_record_bytes = o.max_record_bytes;
  fo.stop = &g_stop;
  FileProducerStats stats;
  Status s = ProduceFromPaths(o.inputs, fo, **sink, stats);
  Status f = FlushAcknowledged(**sink, *kafka);
  BrokerMonitor::Get().SaveLedger();
  if (kafka->embedded && BrokerMonitor::Get().Restarted()) {
    // Acknowledged by a broker that then died: gone unless read in time.
    std::fprintf(stderr, "newsflow produce: the embedded broker restarted while publishing: the "
                 "%lld record(s) it had acknowledged are lost unless a stage finished them (the "
                 "stages report the rest as LOST); publish again to the new broker\n",
                 static_cast<long long>(BrokerMonitor::Get().AckedCount()));
    if (s.ok()) s = Status::Unavailable("the embedded broker restarted during produce");
  }
  std::fprintf(stderr, "newsflow produce: %lld published, %lld acknowledged, %lld dead-lettered, %lld skipped%s\n",
               static_cast<long long>(stats.published),
               static_cast<long long>((*sink)->acknowledged()),
               static_cast<long long>(stats.dead_lettered),
               static_cast<long long>(stats.skipped_files),
               stats.skipped_records > 0
                   ? (" (and " + std::to_string(stats.skipped_records) + " WARC records that are no page)").c_str()
                   : "");
  LingerForScrape(c);
  if (!s.ok()) return Fail(s);
  if (!f.ok()) return Fail(f);
  return kOk;
}

namespace {

// Serves the planned chain (one stage, or several fused behind one consumer)
// from `plans.front().input` to `plans.back().output` until stopped.
int ServeChain(const CommonOptions& c, const StageOptions& o, std::optional<PipelineConfig>& config,
               std::vector<StagePlan> plans, const std::string& name, std::string downstream,
               std::string dlq_topic);

// `newsflow stage a,b,c`: the chain fused behind one consumer (as `run --fuse`),
// from the first stage's input to the last one's output of the default chain.
int RunStageChain(const CommonOptions& c, const StageOptions& o, const std::vector<std::string>& names) {
  if (!o.pipeline.empty())
    return Fail(Status::InvalidArgument("a chain of stages (" + o.name + ") takes its stages from the "
                                        "command line, not with --pipeline; name one stage of the file"));
  auto plans = PlanFromNames(names, o.settings, "");
  if (!plans.ok()) return Fail(plans.status());
  // From where the default chain feeds the first stage to where it takes
  // the last one's output (langid,entities: news.clean -> news.tagged).
  if (const StageRoute* r = DefaultRouteFor(names.front())) plans->front().input = r->input;
  if (const StageRoute* r = DefaultRouteFor(names.back())) plans->back().output = r->output;
  const std::string name = ChainName(*plans);
  std::optional<PipelineConfig> none;
  return ServeChain(c, o, none, std::move(*plans), name, o.downstream_group, std::string(kDeadLetterTopic));
}

}  // namespace

int RunStage(const CommonOptions& c, const StageOptions& o) {
  if (o.name.find(',') != std::string::npos) {
    std::vector<std::string> names;
    std::stringstream in(o.name);
    for (std::string n; std::getline(in, n, ',');)
      if (!n.empty()) names.push_back(n);
    return RunStageChain(c, o, names);
  }
  std::optional<PipelineConfig> config;
  StagePlan plan;
  std::string downstream = o.downstream_group;
  std::string dlq_topic(kDeadLetterTopic);
  if (!o.pipeline.empty()) {
    auto cfg = LoadPipelineConfig(o.pipeline);
    if (!cfg.ok()) return Fail(cfg.status());
    config = std::move(*cfg);
    if (config->FindStage(o.name) == nullptr)
      return Fail(Status::InvalidArgument(o.pipeline + ": no stage named '" + o.name + "' in stages"));
    auto plans = PlanFromConfig(*config);
    if (!plans.ok()) return Fail(plans.status());
    for (size_t i = 0; i < plans->size(); ++i) {
      if ((*plans)[i].name != o.name) continue;
      plan = (*plans)[i];
      if (downstream.empty())
        downstream = GroupFor(i + 1 < plans->size() ? (*plans)[i + 1].name : "sink");
    }
    if (!o.settings.empty()) {
      auto split = SplitSettings(o.settings, o.name);
      if (!split.ok()) return Fail(split.status());
      std::map<std::string, std::string> merged(plan.settings.values().begin(), plan.settings.values().end());
      for (const auto& [k, v] : (*split)[o.name]) merged[k] = v;
      auto s = Settings::Parse(plan.descriptor.options, merged, o.name);
      if (!s.ok()) return Fail(s.status());
      plan.settings = std::move(*s);
    }
    dlq_topic = config->dead_letter_topic;
  } else {
    auto plans = PlanFromNames({o.name}, o.settings, o.name);
    if (!plans.ok()) return Fail(plans.status());
    plan = std::move((*plans)[0]);
    const StageRoute* route = DefaultRouteFor(o.name);
    plan.input = route ? route->input : "";
    plan.output = route ? route->output : "";
  }
  std::vector<StagePlan> plans;
  plans.push_back(std::move(plan));
  return ServeChain(c, o, config, std::move(plans), o.name, downstream, dlq_topic);
}

namespace {

int ServeChain(const CommonOptions& c, const StageOptions& o, std::optional<PipelineConfig>& config,
               std::vector<StagePlan> plans, const std::string& name, std::string downstream,
               std::string dlq_topic) {
  std::string input = plans.front().input, output = plans.back().output;
  if (!o.input_topic.empty()) input = o.input_topic;
  if (!o.output_topic.empty()) output = o.output_topic;
  if (input.empty() || output.empty())
    return Fail(Status::InvalidArgument("stage '" + name +
                                        "' is not in the default chain: give --input-topic and --output-topic"));
  // Reading the dead-letter topic as input would dead-letter each dead letter
  // into it again, for ever; writing to it mixes articles into dead letters.
  if (input == dlq_topic || output == dlq_topic || input == output)
    return Fail(Status::InvalidArgument(
        "stage '" + name + "': input topic '" + input + "', output topic '" + output +
        "' and dead-letter topic '" + dlq_topic + "' must be three different topics"));
  CommonOptions common = c;
  if (config) MergeCommon(*config, common);
  auto kafka = Kafka(common);
  if (!kafka.ok()) return Fail(kafka.status());
  auto metrics = Metrics(common);
  if (!metrics.ok()) return Fail(metrics.status());
  // Not ready while the stage loads its models and joins the group.
  Readiness::For((*metrics)->registry()).Expect(name);
  if (downstream.empty()) downstream = DownstreamGroupOf(output);
  downstream = Ns(common, downstream);
  // A chain's group is its first stage's: what writes its input (`produce`,
  // an upstream stage) watches that group's lag by default.
  const std::string group = Ns(common, o.group.empty() ? GroupFor(plans.front().name) : o.group);
  input = Ns(common, input);
  output = Ns(common, output);
  dlq_topic = Ns(common, dlq_topic);
  Status topics = PrepareTopics(*kafka, common, {input, output, dlq_topic}, (*metrics)->registry());
  if (!topics.ok()) return Fail(topics);
  const int widest = ApplyInstances(plans, o.instances);
  std::vector<std::vector<OpenedStage>> stages;
  auto close_all = [&] {
    for (auto& instances : stages) CloseStages(instances);
  };
  for (auto& p : plans) {
    p.instances = widest;
    p.input = input;  // the labels of the stage's metrics
    p.output = output;
    auto opened = OpenInstances(p, (*metrics)->registry());
    if (!opened.ok()) {
      close_all();
      return Fail(opened.status());
    }
    stages.push_back(std::move(*opened));
  }
  std::vector<std::vector<OpenedStage>*> chain;
  for (auto& instances : stages) chain.push_back(&instances);
  Status s;
  NewClients new_clients(name);
  for (;;) {  // again after the embedded broker restarted, or with new clients
    // Its client follows the broker as the worker's do (made afresh each time).
    auto dlq_flow = DeadLetterFlow(*kafka, common, dlq_topic, o.flow_control, /*reader_optional=*/true);
    if (!dlq_flow.ok()) {
      close_all();
      return Fail(dlq_flow.status());
    }
    auto worker = MakeKafkaWorker(*kafka, chain, name, input, output, group, o.flow_control,
                                  o.max_record_bytes, (*metrics)->registry(), downstream, dlq_topic,
                                  dlq_flow->get());
    if (!worker.ok()) {
      close_all();
      return Fail(worker.status());
    }
    const auto started = std::chrono::steady_clock::now();
    s = (*worker)->runner->Run(g_stop);
    if (FollowRestartedBroker(common, *kafka, *worker)) continue;
    if (!new_clients.Due(s, *(*worker)->runner, started, g_stop.load())) break;
    worker->reset();  // purges what was not acknowledged; those offsets were not committed
    new_clients.Wait([] { return g_stop.load(); });
    if (g_stop.load()) break;
  }
  BrokerMonitor::Get().SaveLedger();
  close_all();
  return s.ok() ? kOk : Fail(s);
}

}  // namespace

int RunSink(const CommonOptions& c_in, const SinkOptions& o_in) {
  CommonOptions c = c_in;
  SinkOptions o = o_in;
  if (Status p = UsePipeline(c, o); !p.ok()) return Fail(p);
  if (Status one = OneFileForBoth(o.output, o.dlq_output); !one.ok()) return Fail(one);
  if (o.dedupe && (o.raw || o.topic == o.dlq_topic))
    return Fail(Status::InvalidArgument("sink --dedupe needs article ids: it cannot be combined with "
                                        "--raw or the dead-letter topic " + o.topic));
  auto kafka = Kafka(c);
  if (!kafka.ok()) return Fail(kafka.status());
  auto metrics = Metrics(c);
  if (!metrics.ok()) return Fail(metrics.status());
  bool is_dlq = o.topic == o.dlq_topic;
  std::string name = is_dlq ? "dlq-sink" : "sink";
  Readiness::For((*metrics)->registry()).Expect(name);
  const std::string topic = Ns(c, o.topic);
  Status topics = PrepareTopics(*kafka, c, {topic}, (*metrics)->registry());
  if (!topics.ok()) return Fail(topics);
  if (o.output != "-") EnsureParent(o.output);
  Status s;
  for (;;) {  // again after the embedded broker restarted
    auto worker = MakeSinkWorker(*kafka, name, topic, o.output, o.dlq_output, o.raw || is_dlq,
                                 Ns(c, o.group.empty() ? GroupFor(name) : o.group),
                                 (*metrics)->registry(), o.dedupe, is_dlq);
    if (!worker.ok()) return Fail(worker.status());
    s = (*worker)->runner->Run(g_stop);
    if (!FollowRestartedBroker(c, *kafka, *worker)) break;
  }
  return s.ok() ? kOk : Fail(s);
}

int RunPipeline(const CommonOptions& c_in, const RunOptions& o_in) {
  CommonOptions c = c_in;
  RunOptions o = o_in;
  std::map<std::string, std::string> fields;
  if (Status m = FieldMappings(o.fields, fields); !m.ok()) return Fail(m);
  std::string raw_topic(kRawTopic), dlq_topic(kDeadLetterTopic);
  Result<std::vector<StagePlan>> plans = Status::Internal("no plan");
  if (!o.pipeline.empty()) {
    auto cfg = LoadPipelineConfig(o.pipeline);
    if (!cfg.ok()) return Fail(cfg.status());
    if (o.stages_given) return Fail(Status::InvalidArgument("give either --stages or --pipeline"));
    if (!o.settings.empty())
      return Fail(Status::InvalidArgument("--set with --pipeline: put the settings in " + o.pipeline));
    MergeCommon(*cfg, c);
    if (!o.output_given && !cfg->articles_output.empty()) o.output = cfg->articles_output;
    if (!o.dlq_output_given && !cfg->dead_letters_output.empty()) o.dlq_output = cfg->dead_letters_output;
    if (!o.partitions_given) o.partitions = cfg->partitions;
    raw_topic = cfg->raw_topic;
    dlq_topic = cfg->dead_letter_topic;
    plans = PlanFromConfig(*cfg);
  } else {
    plans = PlanFromNames(o.stages, o.settings, "");
  }
  if (!plans.ok()) return Fail(plans.status());
  Status ns = CheckNamespace(c.ns);
  if (!ns.ok()) return Fail(ns);
  raw_topic = Ns(c, raw_topic);
  dlq_topic = Ns(c, dlq_topic);
  for (auto& p : *plans) {
    p.input = Ns(c, p.input);
    p.output = Ns(c, p.output);
  }
  std::unique_ptr<EmbeddedBroker> broker;
  KafkaOptions kafka;
  if (Status d = CheckDelivery(c, c.brokers.empty()); !d.ok()) return Fail(d);
  // An input that is also an output would be read back as it is written.
  for (const auto& in : o.inputs) {
    for (const auto& [flag, out] : {std::pair<const char*, const std::string&>{"--output", o.output},
                                    {"--dead-letters", o.dlq_output}}) {
      if (in != "-" && out != "-" && IsSameFile(in, out))
        return Fail(Status::InvalidArgument("input " + in + " is also the " + flag + " file: the run " +
                                            "would read back what it writes; write elsewhere"));
    }
  }
  if (Status one = OneFileForBoth(o.output, o.dlq_output); !one.ok()) return Fail(one);
  if (c.brokers.empty()) {
    std::vector<std::string> names = {raw_topic, dlq_topic};
    for (const auto& p : *plans) names.push_back(p.output);
    auto b = EmbeddedBroker::Start(1, names, o.partitions);
    if (!b.ok()) return Fail(b.status());
    spdlog::warn("run: the embedded broker lives in this process and keeps everything in memory: "
                 "nothing survives a restart. For durability run a real broker (scripts/kafka.sh "
                 "start) and pass --brokers");
    broker = std::move(*b);
    kafka = broker->ClientOptions();
    kafka.private_broker = true;
    for (const auto& kv : c.properties) {
      auto p = ParseProperty(kv);
      if (!p.ok()) return Fail(p.status());
      kafka.properties.push_back(*p);
    }
  } else {
    auto k = Kafka(c);
    if (!k.ok()) return Fail(k.status());
    kafka = *k;
  }
  auto metrics = Metrics(c);
  if (!metrics.ok()) return Fail(metrics.status());
  prometheus::Registry& registry = (*metrics)->registry();
  {
    std::vector<std::string> topics = {raw_topic, dlq_topic};
    for (const auto& p : *plans) topics.push_back(p.output);
    Status ts = PrepareTopics(kafka, c, topics, registry, o.partitions);
    if (!ts.ok()) return Fail(ts);
  }
  // Every instance is its own Stage object; the instances of a stage share one
  // consumer of its group and process each batch in parallel (AddCopies).
  std::vector<std::vector<OpenedStage>> stages;  // per plan, its instances
  auto close_all = [&] {
    for (auto& instances : stages) CloseStages(instances);
  };
  const int widest = ApplyInstances(*plans, o.instances);
  for (auto& p : *plans) {
    if (o.fuse) p.instances = widest;
    auto opened = OpenInstances(p, registry);
    if (!opened.ok()) {
      close_all();
      return Fail(opened.status());
    }
    stages.push_back(std::move(*opened));
  }

  EnsureParent(o.output);
  EnsureParent(o.dlq_output);
  // The run ends when every reader has done what every writer of its topic
  // wrote (AckedEnds, DoneThrough): counting the records that arrived would
  // end it early when some arrive twice (sent again after a lost producer
  // state, or read again by new clients) and leave others still on the way.
  TrackAckedEnds();
  // Every writer of dead letters here (the stages, the reader) waits for
  // the dead-letter sink's group, which `run` starts itself. 300 bad lines
  // of 64 KB on one partition lost 225 dead letters before.
  auto dlq_flow_or = DeadLetterFlow(kafka, c, dlq_topic, /*flow_control=*/true, /*reader_optional=*/false);
  if (!dlq_flow_or.ok()) {
    close_all();
    return Fail(dlq_flow_or.status());
  }
  std::unique_ptr<FlowController> dlq_flow = std::move(*dlq_flow_or);
  std::atomic<bool> stop_workers{false};
  // In chain order: the stage worker(s), the sink, the dead-letter sink.
  // A stage worker can be replaced by its own thread (new clients, below):
  // workers_mu guards the slots; a slot is empty while that happens.
  std::mutex workers_mu;
  std::vector<std::unique_ptr<StageWorker>> workers;
  std::vector<std::string> inputs;  // the topic each worker reads
  std::vector<std::function<Result<std::unique_ptr<StageWorker>>()>> makers;  // stage workers'
  std::atomic<int64_t> retired_dropped{0}, retired_lost{0}, retired_sent{0};  // of replaced workers
  Status failed_renewal;  // under workers_mu
  // Each hop's reader, so every writer's flow control watches the right group.
  std::vector<std::string> groups;
  for (size_t i = 0; i < plans->size(); ++i) {
    std::string g = Ns(c, GroupFor((*plans)[i].name));
    if (std::find(groups.begin(), groups.end(), g) != groups.end()) g += "-" + std::to_string(i + 1);
    groups.push_back(g);
  }
  groups.push_back(Ns(c, GroupFor("sink")));
  // On its own embedded broker (memory only, no other client can reach it)
  // the last worker (the fused chain, or the last stage) writes the articles
  // file itself: the last topic had one reader, this run's sink, and the trip
  // there and back (the broker's copies in and out, a fetch, the sink's
  // decoding of each record) was most of what the fused chain's rails cost
  // (issue 16). Its records are done once the file is synced, as the sink's
  // were: its input offsets are committed after that, never before. On a
  // cluster the last topic is the pipeline's output for every reader: it is
  // written, and the sink reads it.
  const bool direct = kafka.private_broker;
  // The articles file a worker writes itself: the last one's, when direct.
  auto file_if_last = [&](bool last) { return direct && last ? o.output : std::string(); };
  if (o.fuse) {
    // One consumer of the raw topic runs the whole chain and produces the last
    // stage's output: one trip through the broker instead of one per stage
    // (the intermediate topics stay empty). Dead letters and drops still name
    // the stage, and each stage keeps its own metrics.
    std::vector<std::vector<OpenedStage>*> chain;
    for (auto& instances : stages) chain.push_back(&instances);
    makers.push_back([&, chain] {
      return MakeKafkaWorker(kafka, chain, ChainName(*plans), plans->front().input, plans->back().output,
                             groups.front(), true, 900 * 1024, registry, groups.back(), dlq_topic,
                             dlq_flow.get(), file_if_last(true));
    });
    inputs.push_back(plans->front().input);
  }
  for (size_t i = 0; i < plans->size() && !o.fuse; ++i) {
    makers.push_back([&, i] {
      const StagePlan& p = (*plans)[i];
      return MakeKafkaWorker(kafka, {&stages[i]}, p.name, p.input, p.output, groups[i], true,
                             900 * 1024, registry, groups[i + 1], dlq_topic, dlq_flow.get(),
                             file_if_last(i + 1 == plans->size()));
    });
    inputs.push_back((*plans)[i].input);
  }
  for (auto& make : makers) {
    auto w = make();
    if (!w.ok()) return Fail(w.status());
    workers.push_back(std::move(*w));
  }
  StageWorker* sink_w = nullptr;  // none when the last stage worker writes the file (direct)
  if (!direct) {
    auto sink = MakeSinkWorker(kafka, "sink", plans->back().output, o.output, "", false,
                               groups.back(), registry);
    if (!sink.ok()) return Fail(sink.status());
    sink_w = sink->get();
    workers.push_back(std::move(*sink));
    inputs.push_back(plans->back().output);
  }
  auto dlq = MakeSinkWorker(kafka, "dlq-sink", dlq_topic, o.dlq_output, "", true,
                            Ns(c, GroupFor("dlq-sink")), registry, /*dedupe=*/false,
                            /*dead_letters=*/true);
  if (!dlq.ok()) return Fail(dlq.status());
  StageWorker* dlq_w = dlq->get();
  workers.push_back(std::move(*dlq));
  inputs.push_back(dlq_topic);
  // Stage workers: new clients after the idempotent producer's state was lost
  // on the brokers, as `stage` does (ServeChain). Sinks write files: started
  // plainly.
  std::vector<std::thread> stage_threads;
  // Whatever way this function returns, the stage threads stop and are
  // joined first (before the workers they use go).
  struct JoinOnReturn {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~JoinOnReturn() {
      stop = true;
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } join_on_return{stop_workers, stage_threads};
  for (size_t i = 0; i < makers.size(); ++i) {
    stage_threads.emplace_back([&, i] {
      NewClients new_clients(o.fuse ? ChainName(*plans) : (*plans)[i].name);
      auto stopping = [&] { return stop_workers.load() || g_stop.load(); };
      for (;;) {
        StageWorker* w = nullptr;
        {
          std::lock_guard<std::mutex> lock(workers_mu);
          w = workers[i].get();
        }
        const auto started = std::chrono::steady_clock::now();
        Status s = w->runner->Run(stop_workers);
        if (!new_clients.Due(s, *w->runner, started, stopping())) {
          Finish(*w, std::move(s));
          return;
        }
        std::unique_ptr<StageWorker> old;
        {
          std::lock_guard<std::mutex> lock(workers_mu);
          retired_dropped += w->runner->counts().dropped.load();
          retired_lost += w->runner->counts().lost.load();
          if (i + 1 == makers.size()) retired_sent += w->runner->counts().sent.load();
          old = std::move(workers[i]);
        }
        old.reset();  // purges what was not acknowledged; those offsets were not committed
        new_clients.Wait(stopping);
        auto fresh = makers[i]();
        std::lock_guard<std::mutex> lock(workers_mu);
        if (!fresh.ok()) {
          spdlog::error("run: new Kafka clients: {}", fresh.status().ToString());
          // g_stop ends the wait below; the empty slot is skipped from here on.
          failed_renewal = fresh.status();
          g_stop = true;
          return;
        }
        workers[i] = std::move(*fresh);
      }
    });
  }
  for (size_t i = makers.size(); i < workers.size(); ++i) Start(*workers[i], stop_workers);

  KafkaArticleSink::Options so;
  so.topic = raw_topic;
  so.dlq_topic = dlq_topic;
  so.downstream_group = groups.front();
  so.dlq_flow = dlq_flow.get();
  auto producer = KafkaArticleSink::Create(kafka, so, registry, &g_stop);
  if (!producer.ok()) return Fail(producer.status());
  FileProducerStats stats;
  auto t0 = std::chrono::steady_clock::now();
  FileProducerOptions fo;
  fo.source = o.source;
  fo.format = o.format;
  fo.fields = fields;
  fo.stop = &g_stop;  // a failed worker or a signal ends the wait for stdin's next line
  fo.not_inputs = {o.output, o.dlq_output};
  // The reader is rails too; every stage thread was started before this
  // (a thread inherits its creator's policy).
  MakeThisThreadBatch();
  Status ps = ProduceFromPaths(o.inputs, fo, **producer, stats);
  Status pf = (*producer)->Flush(std::chrono::seconds(60));
  const bool reader_stopped = g_stop.load() && ps.code() == StatusCode::kUnavailable &&
                              ps.message().find("stopping") != std::string::npos;
  if (reader_stopped)
    spdlog::info("run: the reader stopped at the signal ({})", ps.message());
  else if (!ps.ok())
    spdlog::error("produce: {}", ps.ToString());
  if (!pf.ok()) spdlog::error("produce: {}", pf.ToString());
  const int64_t expected = stats.published + stats.dead_lettered;
  spdlog::info("run: {} article(s) published, {} dead-lettered by the producer", stats.published,
               stats.dead_lettered);

  // Every record ends in exactly one place: the sink, the dead letters, or a
  // stage's drop (the counts below). The wait ends when every worker, in
  // chain order, has done everything written to the topic it reads.
  // Lost records (evicted by the embedded broker before they were read) are
  // skipped by their readers, so a run that lost some ends, and says so.
  auto lost = [&] {
    std::lock_guard<std::mutex> lock(workers_mu);
    int64_t n = retired_lost.load();
    for (auto& w : workers)
      if (w) n += w->runner->counts().lost.load();
    return n;
  };
  // Articles in the file: the sink's, or (direct) the last stage worker's,
  // its replaced workers' included.
  auto articles_out = [&]() -> int64_t {
    if (sink_w != nullptr) return sink_w->runner->counts().sent.load();
    std::lock_guard<std::mutex> lock(workers_mu);
    const auto& last = workers[makers.size() - 1];
    return retired_sent.load() + (last ? last->runner->counts().sent.load() : 0);
  };
  auto accounted = [&] {
    int64_t n = articles_out() + dlq_w->runner->counts().sent.load();
    {
      std::lock_guard<std::mutex> lock(workers_mu);
      n += retired_dropped.load();
      for (auto& w : workers)
        if (w) n += w->runner->counts().dropped.load();
    }
    return n + lost();
  };
  // Ended by force (the stop deadline, a second signal), `run` has no summary:
  // what was published and is not through the chain is said here.
  const int run_reporter = Shutdown::AddReporter([&]() -> std::string {
    const int64_t left = expected - accounted();
    if (left <= 0) return std::string();
    return "run: " + std::to_string(left) + " of the " + std::to_string(expected) +
           " record(s) published were not through the chain" +
           (kafka.embedded ? " (the embedded broker held them: gone with the process)"
                           : " (still in the raw topic)");
  });
  // Empty when drained, else what is still on its way (for the log).
  auto waiting_for = [&]() -> std::string {
    std::lock_guard<std::mutex> lock(workers_mu);
    for (size_t i = 0; i < workers.size(); ++i) {
      if (!workers[i]) return "new Kafka clients for " + inputs[i];
      const std::map<int32_t, int64_t> done = workers[i]->runner->DoneThrough();
      for (const auto& [partition, end] : AckedEnds(inputs[i])) {
        auto it = done.find(partition);
        const int64_t at = it == done.end() ? -1 : it->second;
        if (at < end)
          return inputs[i] + "[" + std::to_string(partition) + "] read up to " + std::to_string(at) +
                 " of " + std::to_string(end);
      }
    }
    return "";
  };
  auto drained = [&] { return waiting_for().empty(); };
  auto last_log = std::chrono::steady_clock::now();
  // A worker that ended by itself (its output cannot write) never finishes
  // its records: stop waiting and fail.
  auto any_finished = [&] {
    std::lock_guard<std::mutex> lock(workers_mu);
    for (auto& w : workers)
      if (w && w->finished.load()) return true;
    return false;
  };
  // A stop signal closes the inputs (the reader has returned) and the wait
  // goes on until what was published is through the chain: on the embedded
  // broker, records not read when `run` exits are gone with it (a SIGTERM
  // mid-burst, or the Ctrl-C that ends --follow, lost them, with exit 0).
  // Bounded by the stop deadline; a second signal stops at once (exit 4).
  auto renewal_failed = [&] {
    std::lock_guard<std::mutex> lock(workers_mu);
    return !failed_renewal.ok();
  };
  bool said_stopping = false;
  // On a cluster of its own the records stay in the raw topic (durable, read
  // again): a signal stops at once, as it always did.
  auto keep_waiting = [&] {
    if (g_stop.load() && !kafka.embedded) return false;
    return (o.follow && !g_stop.load()) || !drained();
  };
  while (!any_finished() && !renewal_failed() && keep_waiting()) {
    if (g_stop.load() && !said_stopping) {
      said_stopping = true;
      spdlog::info("run: stopping: inputs closed; finishing the {} record(s) already published "
                   "({} accounted for; a second signal stops at once)", expected, accounted());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (std::chrono::steady_clock::now() - last_log > std::chrono::seconds(5)) {
      last_log = std::chrono::steady_clock::now();
      std::string on_the_way = waiting_for();
      spdlog::info("run: {}/{} record(s) accounted for{}", accounted(), expected,
                   on_the_way.empty() ? "" : "; waiting for " + on_the_way);
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop_workers = true;
  for (auto& t : stage_threads) t.join();
  for (auto& w : workers)
    if (w && w->thread.joinable()) w->thread.join();
  close_all();
  bool workers_ok = failed_renewal.ok();
  if (!failed_renewal.ok()) spdlog::error("run: {}", failed_renewal.ToString());
  for (auto& w : workers) {
    if (!w || w->result.ok()) continue;
    workers_ok = false;
    spdlog::error("run: {}", w->result.ToString());
  }
  int64_t out = articles_out();
  int64_t dead = dlq_w->runner->counts().sent.load();
  int64_t dropped = retired_dropped.load();
  for (auto& w : workers)
    if (w) dropped += w->runner->counts().dropped.load();
  std::printf("newsflow run: %lld in, %lld articles out, %lld dead letters, %lld dropped, in %.2f s\n",
              static_cast<long long>(expected), static_cast<long long>(out),
              static_cast<long long>(dead), static_cast<long long>(dropped), secs);
  std::printf("  articles:     %s\n  dead letters: %s\n", o.output.c_str(), o.dlq_output.c_str());
  if (!o.metrics_snapshot.empty()) {
    EnsureParent(o.metrics_snapshot);
    std::ofstream snap(o.metrics_snapshot);
    snap << prometheus::TextSerializer().Serialize(registry.Collect());
    std::printf("  metrics:      %s (snapshot of /metrics at the end)\n", o.metrics_snapshot.c_str());
  }
  if ((*metrics)->port() > 0)
    std::printf("  metrics:      http://127.0.0.1:%d/metrics (served while running)\n",
                (*metrics)->port());
  if (lost() > 0) std::printf("  LOST:         %lld record(s) were evicted before they were read\n",
                              static_cast<long long>(lost()));
  const int64_t unfinished = expected - (out + dead + dropped + lost());
  if (unfinished > 0)
    std::printf("  NOT FINISHED: %lld record(s) were published and not through the chain%s\n",
                static_cast<long long>(unfinished),
                kafka.embedded ? " (the embedded broker held them: gone)" : " (still in the raw topic)");
  // The reader stopped by the signal ("stopping") is no failure: what it
  // published is counted above, and what it did not read was never in.
  const bool reader_ok = ps.ok() || reader_stopped;
  bool ok = reader_ok && pf.ok() && workers_ok && lost() == 0 &&
            (out + dead + dropped >= expected || (g_stop.load() && !kafka.embedded));
  Shutdown::RemoveReporter(run_reporter);
  return ok ? kOk : kFailed;
}

// A file `process` writes, truncated; a named pipe waits for its reader
// (stoppable: open(2) would wait whatever the signals say).
Result<FILE*> OpenOutput(const std::string& path) {
  auto fd = OpenForWriting(path, O_CREAT | O_TRUNC, &g_stop);
  if (!fd.ok()) return fd.status();
  FILE* f = fdopen(*fd, "w");
  if (f != nullptr) return f;
  close(*fd);
  return Status::Unavailable("cannot write " + path + ": " + std::strerror(errno));
}

namespace {

// Whether the regular file `path`, open as `fd`, is one `process` reads as
// `produce` does (ProduceReadsWhole), not as JSON Lines. Its head is read
// with pread: nothing is consumed.
bool IsWholeFileInput(const std::string& path, int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  char head[4096];
  const ssize_t got = pread(fd, head, sizeof(head), 0);
  return got > 0 && ProduceReadsWhole(path, std::string_view(head, static_cast<size_t>(got)));
}

}  // namespace

int RunProcess(const CommonOptions& c, const ProcessOptions& o) {
  FileProducerOptions fo;  // for partial records: their fields' names (before any model loads)
  if (Status m = FieldMappings(o.fields, fo.fields); !m.ok()) return Fail(m);
  // Served only when asked for (an offline job; a long one can be watched).
  // It was accepted and ignored.
  auto metrics = c.metrics_addr_given ? Metrics(c) : MetricsServer::Start("");
  if (!metrics.ok()) return Fail(metrics.status());
  Result<std::vector<StagePlan>> plans = Status::Internal("no plan");
  if (!o.pipeline.empty()) {
    if (!o.stages.empty()) return Fail(Status::InvalidArgument("give either --stages or --pipeline"));
    if (!o.settings.empty())
      return Fail(Status::InvalidArgument("--set with --pipeline: put the settings in " + o.pipeline));
    auto cfg = LoadPipelineConfig(o.pipeline);
    if (!cfg.ok()) return Fail(cfg.status());
    plans = PlanFromConfig(*cfg);
  } else if (o.stages.empty()) {
    return Fail(Status::InvalidArgument("give --stages or --pipeline"));
  } else {
    plans = PlanFromNames(o.stages, o.settings, "");
  }
  if (!plans.ok()) return Fail(plans.status());
  auto stages = OpenStages(*plans, (*metrics)->registry(), true);
  if (!stages.ok()) return Fail(stages.status());
  std::vector<ChainLink> chain;
  for (auto& s : *stages) chain.push_back({s.name, s.stage.get(), s.metrics.get()});
  RecordProcessor::Options po;
  po.max_record_bytes = o.max_record_bytes;
  po.max_output_bytes = SIZE_MAX;
  // Partial records get what `produce` would give them (id, fetched_at, ...),
  // their fields found under the input's names as `produce --field` finds them.
  po.decoder = [fo](std::string_view line, Article& a) { return RecordFromJsonLine(line, fo, a); };
  RecordProcessor processor(std::move(chain), po);

  // Input: a readable file (or stdin); a directory or an unreadable file is
  // an error, not "0 in".
  int in_fd = STDIN_FILENO;
  const std::string in_name = o.input == "-" ? "stdin" : o.input;
  if (o.input != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(o.input, ec))
      return Fail(Status::InvalidArgument("--input " + o.input +
                                          " is a directory: give a JSON Lines file, or - for stdin"));
    in_fd = OpenForReading(o.input);  // a named pipe: its writer awaited in poll(2), stoppable
    if (in_fd < 0)
      return Fail(Status::NotFound("cannot read " + o.input + ": " + std::strerror(errno)));
  }
  // Writing the input (or one file twice, truncated by each) would destroy
  // it before it is read: refuse, as `sort -o` is careful to.
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"--output", o.output},
                                   {"--dead-letters", o.dead_letters}}) {
    if (!path.empty() && path != "-" && IsSameFile(in_fd, path))
      return Fail(Status::InvalidArgument(std::string(flag) + " " + path + " is the input file: " +
                                          "writing it would destroy the input before it is read"));
  }
  if (Status one = OneFileForBoth(o.output, o.dead_letters); !one.ok()) return Fail(one);
  // A scraper's file that is no JSON Lines (read whole below, not line by
  // line: a JSON array gave one dead letter a line, a gzip file one of its
  // bytes); a regular file only, looked at without reading it.
  const bool whole_file = in_fd != STDIN_FILENO && IsWholeFileInput(o.input, in_fd);
  // Through poll(2): a signal ends the wait for a quiet stdin's next line.
  StoppableLineReader in(in_fd, &g_stop);
  FILE* out = stdout;
  if (o.output != "-") {
    EnsureParent(o.output);
    auto opened = OpenOutput(o.output);
    if (!opened.ok()) return Fail(opened.status());
    out = *opened;
  }
  const std::string out_name = o.output == "-" ? "stdout" : o.output;
  FILE* dead = stderr;
  const std::string dead_name = o.dead_letters.empty() ? "stderr" : o.dead_letters;
  if (!o.dead_letters.empty()) {
    auto opened = OpenOutput(o.dead_letters);
    if (!opened.ok()) return Fail(opened.status());
    dead = *opened;
  }
  // A write that fails (a full disk) ends the command with an error: the
  // counts must never claim records that are not in the file.
  Status write_error;
  auto write_line = [&](FILE* f, const std::string& name, std::string_view v) {
    if (!write_error.ok()) return;
    if (std::fwrite(v.data(), 1, v.size(), f) != v.size() || std::fputc('\n', f) == EOF)
      write_error = Status::Unavailable("cannot write to " + name + ": " + std::strerror(errno));
  };
  // n: the line (or item) number; records: lines that are not blank, items
  // and inputs dead-lettered before any stage (the summary's "in").
  int64_t n = 0, records = 0, forwarded = 0, dropped = 0, dead_lettered = 0;
  RecordProcessor::Output result;
  // One record through the chain; `length` is the record's whole size when
  // only its start was held (a line over the limit).
  auto handle = [&](std::string_view record, size_t length) {
    ++records;
    if (length > o.max_record_bytes) {
      result = RecordProcessor::Output();
      result.kind = RecordProcessor::Output::Kind::kDeadLetter;
      result.stage = "process";
      result.reason_code = std::string(StatusCodeName(StatusCode::kTooLarge));
      result.reason = "line of " + std::to_string(length) + " bytes exceeds --max-record-bytes " +
                      std::to_string(o.max_record_bytes);
    } else {
      processor.Process(record, result);
    }
    switch (result.kind) {
      case RecordProcessor::Output::Kind::kForward:
        ++forwarded;
        write_line(out, out_name, result.value);
        break;
      case RecordProcessor::Output::Kind::kDrop:
        ++dropped;
        std::fprintf(stderr, "newsflow process: line %lld (id %s) dropped by %s: %s\n",
                     static_cast<long long>(n), result.key.c_str(), result.stage.c_str(),
                     result.reason.c_str());
        break;
      case RecordProcessor::Output::Kind::kDeadLetter: {
        ++dead_lettered;
        DeadLetter d = MakeDeadLetter(result, record);
        // `record` holds the start of a line over the limit: say how long it was.
        if (length > record.size()) d.payload_bytes = static_cast<int64_t>(length);
        d.source_topic = in_name;
        d.offset = n;  // the line number
        d.partition = 0;
        std::string json = EncodeDeadLetter(d);
        write_line(dead, dead_name, json);
        if (dead != stderr)
          std::fprintf(stderr, "newsflow process: line %lld dead-lettered by %s: %s: %s\n",
                       static_cast<long long>(n), result.stage.c_str(), result.reason_code.c_str(),
                       result.reason.c_str());
        break;
      }
    }
  };
  if (whole_file) {
    // A JSON array or pretty-printed records, a gzip file, a web archive: read
    // as `produce` reads them (file_producer.h), each article then through the
    // chain as a line would be; what cannot become an article is a dead
    // letter with its reason, as there.
    struct ToChain : ArticleSink {
      std::function<void(const Article&)> article;
      std::function<void(const DeadLetter&)> dead_letter;
      Status Publish(const Article& a) override {
        article(a);
        return Status::OK();
      }
      Status PublishDeadLetter(const DeadLetter& d) override {
        dead_letter(d);
        return Status::OK();
      }
      Status Flush(std::chrono::milliseconds) override { return Status::OK(); }
    } chain_sink;
    chain_sink.article = [&](const Article& a) {
      ++n;
      if (write_error.ok() && !g_stop.load()) {
        const std::string record = Codec::Encode(a);
        handle(record, record.size());
      }
    };
    chain_sink.dead_letter = [&](const DeadLetter& d) {  // the file reader logs its reason
      ++n;
      ++records;
      ++dead_lettered;
      write_line(dead, dead_name, EncodeDeadLetter(d));
    };
    FileProducerOptions files = fo;
    files.max_record_bytes = o.max_record_bytes;
    files.stop = &g_stop;
    FileProducerStats stats;
    if (Status s = ProduceFromPaths({o.input}, files, chain_sink, stats); !s.ok() && write_error.ok())
      write_error = s;
  }
  std::string line;
  size_t length = 0;
  // Lines over the limit are not held whole (a 2 GB line would need 2 GB).
  while (!whole_file && write_error.ok() && !g_stop.load() &&
         ReadLineBounded(in, line, o.max_record_bytes + 1, length)) {
    if (++n == 1) StripUtf8Bom(line);  // a file saved with a byte-order mark
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    handle(line, length);
  }
  Status read_error;
  if (in.failed())
    read_error = Status::Unavailable("cannot read " + in_name + " after line " + std::to_string(n) +
                                     ": " + std::strerror(in.error()));
  if (in_fd != STDIN_FILENO) close(in_fd);
  CloseStages(*stages);
  for (auto [f, name] : {std::pair<FILE*, const std::string*>{out, &out_name}, {dead, &dead_name}}) {
    if (!write_error.ok()) break;
    bool own = f != stdout && f != stderr;
    if (std::fflush(f) != 0 || (own && fsync(fileno(f)) != 0 && errno != EINVAL))
      write_error = Status::Unavailable("cannot write to " + *name + ": " + std::strerror(errno));
  }
  if (out != stdout && std::fclose(out) != 0 && write_error.ok())
    write_error = Status::Unavailable("cannot write to " + out_name + ": " + std::strerror(errno));
  if (dead != stderr && std::fclose(dead) != 0 && write_error.ok())
    write_error = Status::Unavailable("cannot write to " + dead_name + ": " + std::strerror(errno));
  if (write_error.ok()) {
    std::fprintf(stderr, "newsflow process: %lld in, %lld out, %lld dropped, %lld dead-lettered\n",
                 static_cast<long long>(records), static_cast<long long>(forwarded),
                 static_cast<long long>(dropped), static_cast<long long>(dead_lettered));
  } else {
    std::fprintf(stderr, "newsflow process: %lld in, OUTPUT FAILED: %s and %s are incomplete\n",
                 static_cast<long long>(records), out_name.c_str(), dead_name.c_str());
  }
  // Exit codes (README "Exit codes"): 1 input or output failed, 3 some
  // records were dead-lettered, 0 every record went out (or was dropped on
  // purpose).
  if (!write_error.ok()) return Fail(write_error.WithContext("the output is incomplete"));
  if (!read_error.ok()) return Fail(read_error);
  if (g_stop.load()) return Fail(Status::Unavailable("stopped by a signal after line " + std::to_string(n)));
  if (dead_lettered > 0) return kDeadLettered;
  return kOk;
}

namespace {
std::atomic<feeds::Watcher*> g_watcher{nullptr};
void OnHangup(int) {
  if (feeds::Watcher* w = g_watcher.load()) w->Reload();
}
}  // namespace

int RunWatch(const CommonOptions& c, const WatchOptions& o) {
  std::string state = o.state_file.empty() ? StateDir() + "/feeds.state" : o.state_file;
  if (o.status) {
    auto rows = feeds::ReadStatusRows(state);
    if (!rows.ok()) return Fail(rows.status());
    feeds::PrintStatusTable(std::cout, *rows);
    return kOk;
  }
  // One watcher per state file: a second polled the same feeds, published
  // every item again and overwrote the first's state (and its pending list).
  LifeLock lock;
  if (Status l = lock.Take(state); !l.ok()) return Fail(l);
  if (!lock.held())
    return Fail(Status::InvalidArgument("a watcher is already running with the state file " + state +
                                        ": stop it first (SIGINT), or give this one its own --state"));
  auto kafka = Kafka(c);
  if (!kafka.ok()) return Fail(kafka.status());
  auto metrics = Metrics(c);
  if (!metrics.ok()) return Fail(metrics.status());
  KafkaArticleSink::Options so;
  so.topic = Ns(c, o.topic);
  so.dlq_topic = Ns(c, kDeadLetterTopic);
  so.downstream_group = Ns(c, DownstreamGroupOf(o.topic));
  so.producer_name = "watch";
  // Dead letters (unparseable feeds, oversized articles) wait for the
  // dead-letter sink's group once it has read, as `produce`'s do: the sink
  // starts its own controller, so one that follows a restarted broker gets a
  // new one with its new producer.
  so.dlq_group = Ns(c, GroupFor("dlq-sink"));
  Status topics = PrepareTopics(*kafka, c, {so.topic, so.dlq_topic}, (*metrics)->registry());
  if (!topics.ok()) return Fail(topics);
  so.max_record_bytes = o.max_record_bytes;
  EnsureParent(state);
  std::unique_ptr<ArticleSink> sink;
  if (kafka->embedded) {
    // Acknowledged by a broker that keeps nothing across its restart is not
    // delivered: confirm each item at the end of the chain (end_to_end.h).
    spdlog::warn("watch: the embedded broker keeps everything in memory and nothing survives its "
                 "restart; an item counts as delivered only once {} has it, else it is published "
                 "again. For durability run a real broker (scripts/kafka.sh start) and pass --brokers",
                 fmt::join(o.confirm_topics, " or "));
    feeds::EndToEndOptions eo;
    eo.pending_file = state + ".pending";
    for (const auto& t : o.confirm_topics) {  // topic or topic:group
      size_t colon = t.find(':');
      const std::string topic = t.substr(0, colon);
      std::string g = colon == std::string::npos ? DownstreamGroupOf(topic) : t.substr(colon + 1);
      eo.final_topics.push_back(Ns(c, topic));
      eo.final_groups.push_back(Ns(c, g.empty() ? GroupFor("sink") : g));
    }
    eo.sink = so;
    auto e2e = feeds::EndToEndSink::Create(*kafka, [&c] { return Kafka(c); }, eo,
                                           (*metrics)->registry(), &g_stop);
    if (!e2e.ok()) return Fail(e2e.status());
    sink = std::move(*e2e);
  } else {
    auto plain = KafkaArticleSink::Create(*kafka, so, (*metrics)->registry(), &g_stop);
    if (!plain.ok()) return Fail(plain.status());
    sink = std::move(*plain);
  }
  feeds::WatcherOptions wo;
  wo.feeds_file = o.feeds_file;
  wo.state_file = state;
  wo.max_concurrency = o.max_concurrency;
  wo.per_host_concurrency = o.per_host_concurrency;
  wo.politeness_delay = std::chrono::milliseconds(o.politeness_ms);
  wo.fetch_pages = o.fetch_pages;
  wo.allow_private_addresses = o.allow_private_addresses;
  // Its 15 s for transfers in flight and 30 s for the flush outlasted a
  // shorter --stop-timeout: a stop during a slow page ended in the forced
  // exit, without the state save.
  feeds::FitShutdownInto(wo, std::chrono::seconds(c.stop_timeout_s));
  auto w = feeds::Watcher::Create(wo, *sink, (*metrics)->registry());
  if (!w.ok()) return Fail(w.status());
  g_watcher = w->get();
  std::signal(SIGHUP, OnHangup);
  spdlog::info("watch: polling feeds from {} into {} (state {})", o.feeds_file, so.topic, state);
  Status s = (*w)->Run(g_stop);
  g_watcher = nullptr;
  return s.ok() ? kOk : Fail(s);
}

int RunValidate(const std::string& path) {
  auto cfg = LoadPipelineConfig(path);
  if (!cfg.ok()) return Fail(cfg.status());
  auto plans = PlanFromConfig(*cfg);
  if (!plans.ok()) return Fail(plans.status());
  // A command whose program or script is missing would only fail at start-up
  // (every record dead-lettered): check the files, then start it once with
  // no input (ProbeCommand).
  std::vector<std::string> notes;
  for (size_t i = 0; i < cfg->stages.size(); ++i) {
    const StageConfig& sc = cfg->stages[i];
    if (sc.kind != StageConfig::Kind::kCommand) continue;
    auto probe = ProbeCommand(sc.name, sc.command, sc.env,
                              std::chrono::milliseconds((*plans)[i].settings.GetInt("start_timeout_ms")));
    if (!probe.ok())
      return Fail(Status::InvalidArgument(sc.mark.Describe() + ": stages." + sc.name +
                                          ".command: " + probe.status().message()));
    notes.push_back(sc.name + ": " + *probe);
  }
  std::printf("%s: ok\n", path.c_str());
  std::printf("  %s", cfg->raw_topic.c_str());
  for (const auto& p : *plans) {
    std::printf(" -> %s", p.name.c_str());
    if (p.instances > 1) std::printf(" x%d", p.instances);
    std::printf(" -> %s", p.output.c_str());
  }
  std::printf("\n  dead letters: %s; partitions: %d; brokers: %s\n", cfg->dead_letter_topic.c_str(),
              cfg->partitions, cfg->brokers.empty() ? "embedded" : cfg->brokers.c_str());
  if (!cfg->ns.empty())
    std::printf("  namespace: %s (topics and groups are %s.<name>)\n", cfg->ns.c_str(), cfg->ns.c_str());
  for (const auto& p : *plans) std::printf("  %s: %s\n", p.name.c_str(), p.descriptor.description.c_str());
  for (const auto& n : notes) std::printf("  %s\n", n.c_str());
  return kOk;
}

int ListStages() {
  auto print = [](const StageDescriptor& d, const char* indent) {
    std::printf("%s%s: %s\n", indent, d.name.c_str(), d.description.c_str());
    for (const auto& o : d.options) {
      // An integer's range, when it has one: what `validate` and --set accept.
      std::string range;
      if (o.type == OptionType::kInt && (o.min_int != INT64_MIN || o.max_int != INT64_MAX))
        range = " [" + std::to_string(o.min_int) + ".." + std::to_string(o.max_int) + "]";
      if (o.type == OptionType::kDouble && (o.min_double != -std::numeric_limits<double>::max() ||
                                            o.max_double != std::numeric_limits<double>::max()))
        range = " [" + FormatNumber(o.min_double) + ".." + FormatNumber(o.max_double) + "]";
      std::printf("%s  %-24s %-8s default %-10s %s%s\n", indent, o.key.c_str(),
                  std::string(OptionTypeName(o.type)).c_str(),
                  o.default_value.empty() ? "-" : o.default_value.c_str(), o.help.c_str(),
                  range.c_str());
    }
  };
  for (const auto& d : BuiltinStages()) print(d, "");
  // Plug-ins are not registered names: they are named in a pipeline file.
  std::printf("\nplug-in stages, named in a --pipeline file (docs/plugins.md)\n");
  StageDescriptor command = SubprocessStageDescriptor("command: [program, ...]", {"program"}, {});
  command.description = "any program speaking JSON Lines on stdin/stdout";
  print(command, "  ");
  std::printf("  plugin: FILE.so: a shared object implementing core/include/newsflow/plugin_abi.h "
              "(its own settings)\n");
  return kOk;
}

}  // namespace newsflow
