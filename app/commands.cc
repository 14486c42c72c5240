#include "commands.h"

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "feeds/watcher.h"
#include "file_producer.h"
#include "newsflow/embedded_broker.h"
#include "newsflow/kafka_sink.h"
#include "newsflow/metrics.h"
#include "newsflow/paths.h"
#include "newsflow/record_processor.h"
#include "newsflow/runner.h"
#include "newsflow/stage.h"
#include "newsflow/text.h"
#include "newsflow/topology.h"

namespace newsflow {

std::atomic<bool> g_stop{false};

namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2;

int Fail(const Status& s) {
  spdlog::error("{}", s.ToString());
  return s.code() == StatusCode::kInvalidArgument ? kUsage : kFailed;
}

Result<KafkaOptions> Kafka(const CommonOptions& c) {
  auto o = ResolveKafka(c.brokers, c.bootstrap_file);
  if (!o.ok()) return o.status();
  for (const auto& kv : c.properties) {
    auto p = ParseProperty(kv);
    if (!p.ok()) return p.status();
    o->properties.push_back(*p);
  }
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

Result<std::vector<OpenedStage>> OpenStages(const std::vector<std::string>& names,
                                            const std::vector<std::string>& settings,
                                            const std::string& only, prometheus::Registry& registry,
                                            const std::vector<std::pair<std::string, std::string>>& topics) {
  auto split = SplitSettings(settings, only);
  if (!split.ok()) return split.status();
  for (const auto& [stage, kv] : *split) {
    if (std::find(names.begin(), names.end(), stage) == names.end())
      return Status::InvalidArgument("--set for stage '" + stage + "', which is not in the chain");
  }
  std::vector<OpenedStage> out;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const StageDescriptor* d = FindBuiltinStage(name);
    if (d == nullptr) {
      std::string known;
      for (const auto& s : BuiltinStages()) known += (known.empty() ? "" : ", ") + s.name;
      return Status::InvalidArgument("unknown stage '" + name + "' (built in: " + known + ")");
    }
    auto parsed = Settings::Parse(d->options, (*split)[name], name);
    if (!parsed.ok()) return parsed.status();
    OpenedStage o;
    o.name = name;
    o.settings = std::make_unique<Settings>(std::move(*parsed));
    o.stage = d->create();
    o.metrics = std::make_unique<StageMetrics>(registry, name, topics[i].first, topics[i].second);
    std::string state = StateDir() + "/" + name;
    std::error_code ec;
    std::filesystem::create_directories(state, ec);
    StageContext ctx{*o.settings, registry, StageDataDir(name), CorpusDir(), state};
    Status s = o.stage->Open(ctx);
    if (!s.ok()) return s.WithContext("opening stage " + name);
    out.push_back(std::move(o));
  }
  return out;
}

void CloseStages(std::vector<OpenedStage>& stages) {
  for (auto& s : stages) {
    Status st = s.stage->Close();
    if (!st.ok()) spdlog::warn("closing stage {}: {}", s.name, st.ToString());
  }
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

// One stage consuming `input` and producing `output`, on its own thread.
struct StageWorker {
  std::unique_ptr<KafkaProducer> producer;
  std::unique_ptr<FlowController> flow;
  std::unique_ptr<RecordOutput> output;
  std::unique_ptr<RecordProcessor> processor;
  std::unique_ptr<StageRunner> runner;
  std::thread thread;
  Status result;
};

Result<std::unique_ptr<StageWorker>> MakeKafkaWorker(const KafkaOptions& kafka, OpenedStage* stage,
                                                     const std::string& name,
                                                     const std::string& input,
                                                     const std::string& output,
                                                     const std::string& group, bool flow_control,
                                                     size_t max_record_bytes,
                                                     prometheus::Registry& registry,
                                                     const std::string& downstream_group = "") {
  auto w = std::make_unique<StageWorker>();
  auto producer = KafkaProducer::Create(kafka);
  if (!producer.ok()) return producer.status();
  w->producer = std::move(*producer);
  std::string downstream = downstream_group.empty() ? DownstreamGroupOf(output) : downstream_group;
  if (flow_control && !downstream.empty()) {
    auto flow = FlowController::Start(kafka, output, downstream, FlowController::Limits{});
    if (!flow.ok()) return flow.status();
    w->flow = std::move(*flow);
  }
  w->output = std::make_unique<KafkaOutput>(*w->producer, output, std::string(kDeadLetterTopic),
                                            w->flow.get());
  std::vector<ChainLink> chain;
  if (stage != nullptr) chain.push_back({stage->name, stage->stage.get(), stage->metrics.get()});
  RecordProcessor::Options po;
  po.max_record_bytes = max_record_bytes;
  w->processor = std::make_unique<RecordProcessor>(std::move(chain), po);
  RunnerOptions ro;
  ro.name = name;
  ro.input_topic = input;
  ro.group = group.empty() ? GroupFor(name) : group;
  w->runner = std::make_unique<StageRunner>(kafka, ro, *w->processor, *w->output, registry);
  return w;
}

Result<std::unique_ptr<StageWorker>> MakeSinkWorker(const KafkaOptions& kafka, const std::string& name,
                                                    const std::string& topic, const std::string& path,
                                                    const std::string& dlq_path, bool raw,
                                                    const std::string& group,
                                                    prometheus::Registry& registry) {
  auto w = std::make_unique<StageWorker>();
  auto out = FileOutput::Open(path, dlq_path);
  if (!out.ok()) return out.status();
  w->output = std::move(*out);
  RecordProcessor::Options po;
  po.decode = !raw;
  po.max_record_bytes = 64 * 1024 * 1024;  // a sink keeps whatever the topic holds
  po.max_output_bytes = SIZE_MAX;
  w->processor = std::make_unique<RecordProcessor>(std::vector<ChainLink>{}, po);
  RunnerOptions ro;
  ro.name = name;
  ro.input_topic = topic;
  ro.group = group.empty() ? GroupFor(name) : group;
  w->runner = std::make_unique<StageRunner>(kafka, ro, *w->processor, *w->output, registry);
  return w;
}

void Start(StageWorker& w, const std::atomic<bool>& stop) {
  w.thread = std::thread([&w, &stop] { w.result = w.runner->Run(stop); });
}

void EnsureParent(const std::string& path) {
  std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
}

}  // namespace

int RunBroker(const CommonOptions& c, const BrokerOptions& o) {
  std::vector<std::string> topics = o.topics.empty() ? DefaultTopics() : o.topics;
  auto broker = EmbeddedBroker::Start(o.brokers, topics, o.partitions);
  if (!broker.ok()) return Fail(broker.status());
  Status s = WriteBootstrapFile(c.bootstrap_file, (*broker)->bootstraps());
  if (!s.ok()) return Fail(s);
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

int RunProduce(const CommonOptions& c, const ProduceOptions& o) {
  auto kafka = Kafka(c);
  if (!kafka.ok()) return Fail(kafka.status());
  auto metrics = Metrics(c);
  if (!metrics.ok()) return Fail(metrics.status());
  KafkaArticleSink::Options so;
  so.topic = o.topic;
  so.max_record_bytes = o.max_record_bytes;
  so.flow_control = o.flow_control;
  so.downstream_group = o.downstream_group;
  auto sink = KafkaArticleSink::Create(*kafka, so, (*metrics)->registry(), &g_stop);
  if (!sink.ok()) return Fail(sink.status());
  if (o.raw) {
    int64_t n = 0;
    for (const auto& path : o.inputs) {
      std::ifstream file;
      std::istream* in = &std::cin;
      if (path != "-") {
        file.open(path, std::ios::binary);
        if (!file) return Fail(Status::NotFound("cannot read " + path));
        in = &file;
      }
      std::string line;
      while (std::getline(*in, line)) {
        Status s = (*sink)->PublishBytes(std::to_string(n++), line);
        if (!s.ok()) return Fail(s);
      }
    }
    Status f = (*sink)->Flush(std::chrono::seconds(60));
    std::fprintf(stderr, "newsflow produce --raw: %lld line(s) published\n", static_cast<long long>(n));
    LingerForScrape(c);
    return f.ok() ? kOk : Fail(f);
  }
  FileProducerOptions fo{o.source, o.format};
  FileProducerStats stats;
  Status s = ProduceFromPaths(o.inputs, fo, **sink, stats);
  Status f = (*sink)->Flush(std::chrono::seconds(60));
  std::fprintf(stderr, "newsflow produce: %lld published, %lld acknowledged, %lld dead-lettered, %lld skipped\n",
               static_cast<long long>(stats.published),
               static_cast<long long>((*sink)->acknowledged()),
               static_cast<long long>(stats.dead_lettered),
               static_cast<long long>(stats.skipped_files));
  LingerForScrape(c);
  if (!s.ok()) return Fail(s);
  if (!f.ok()) return Fail(f);
  return kOk;
}

int RunStage(const CommonOptions& c, const StageOptions& o) {
  auto kafka = Kafka(c);
  if (!kafka.ok()) return Fail(kafka.status());
  const StageRoute* route = DefaultRouteFor(o.name);
  std::string input = !o.input_topic.empty() ? o.input_topic : (route ? route->input : "");
  std::string output = !o.output_topic.empty() ? o.output_topic : (route ? route->output : "");
  if (input.empty() || output.empty())
    return Fail(Status::InvalidArgument("stage '" + o.name +
                                        "' is not in the default chain: give --input-topic and --output-topic"));
  auto metrics = Metrics(c);
  if (!metrics.ok()) return Fail(metrics.status());
  // Not ready while the stage loads its models and joins the group.
  Readiness::For((*metrics)->registry()).Expect(o.name);
  auto stages = OpenStages({o.name}, o.settings, o.name, (*metrics)->registry(), {{input, output}});
  if (!stages.ok()) return Fail(stages.status());
  auto worker = MakeKafkaWorker(*kafka, &(*stages)[0], o.name, input, output, o.group,
                                o.flow_control, o.max_record_bytes, (*metrics)->registry(),
                                o.downstream_group);
  if (!worker.ok()) return Fail(worker.status());
  Status s = (*worker)->runner->Run(g_stop);
  CloseStages(*stages);
  return s.ok() ? kOk : Fail(s);
}

int RunSink(const CommonOptions& c, const SinkOptions& o) {
  auto kafka = Kafka(c);
  if (!kafka.ok()) return Fail(kafka.status());
  auto metrics = Metrics(c);
  if (!metrics.ok()) return Fail(metrics.status());
  bool is_dlq = o.topic == kDeadLetterTopic;
  std::string name = is_dlq ? "dlq-sink" : "sink";
  Readiness::For((*metrics)->registry()).Expect(name);
  if (o.output != "-") EnsureParent(o.output);
  auto worker = MakeSinkWorker(*kafka, name, o.topic, o.output, o.dlq_output, o.raw || is_dlq,
                               o.group, (*metrics)->registry());
  if (!worker.ok()) return Fail(worker.status());
  Status s = (*worker)->runner->Run(g_stop);
  return s.ok() ? kOk : Fail(s);
}

int RunPipeline(const CommonOptions& c, const RunOptions& o) {
  std::unique_ptr<EmbeddedBroker> broker;
  std::vector<std::pair<std::string, std::string>> topics = ChainTopics(o.stages);
  KafkaOptions kafka;
  if (c.brokers.empty()) {
    std::vector<std::string> names = {std::string(kRawTopic), std::string(kDeadLetterTopic)};
    for (const auto& t : topics) names.push_back(t.second);
    auto b = EmbeddedBroker::Start(1, names, o.partitions);
    if (!b.ok()) return Fail(b.status());
    broker = std::move(*b);
    kafka = broker->ClientOptions();
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
  auto stages = OpenStages(o.stages, o.settings, "", registry, topics);
  if (!stages.ok()) return Fail(stages.status());

  EnsureParent(o.output);
  EnsureParent(o.dlq_output);
  std::atomic<bool> stop_workers{false};
  std::vector<std::unique_ptr<StageWorker>> workers;
  // Each hop's reader, so every writer's flow control watches the right group.
  std::vector<std::string> groups;
  for (size_t i = 0; i < o.stages.size(); ++i) {
    std::string g = GroupFor(o.stages[i]);
    if (std::find(groups.begin(), groups.end(), g) != groups.end()) g += "-" + std::to_string(i + 1);
    groups.push_back(g);
  }
  groups.push_back(GroupFor("sink"));
  for (size_t i = 0; i < stages->size(); ++i) {
    auto w = MakeKafkaWorker(kafka, &(*stages)[i], o.stages[i], topics[i].first, topics[i].second,
                             groups[i], true, 900 * 1024, registry, groups[i + 1]);
    if (!w.ok()) return Fail(w.status());
    workers.push_back(std::move(*w));
  }
  auto sink = MakeSinkWorker(kafka, "sink", topics.back().second, o.output, "", false, "", registry);
  if (!sink.ok()) return Fail(sink.status());
  auto dlq = MakeSinkWorker(kafka, "dlq-sink", std::string(kDeadLetterTopic), o.dlq_output, "",
                            true, "", registry);
  if (!dlq.ok()) return Fail(dlq.status());
  StageWorker* sink_w = sink->get();
  StageWorker* dlq_w = dlq->get();
  workers.push_back(std::move(*sink));
  workers.push_back(std::move(*dlq));
  for (auto& w : workers) Start(*w, stop_workers);

  KafkaArticleSink::Options so;
  so.downstream_group = groups.front();
  auto producer = KafkaArticleSink::Create(kafka, so, registry, &g_stop);
  if (!producer.ok()) return Fail(producer.status());
  FileProducerStats stats;
  auto t0 = std::chrono::steady_clock::now();
  Status ps = ProduceFromPaths(o.inputs, FileProducerOptions{o.source, o.format}, **producer, stats);
  Status pf = (*producer)->Flush(std::chrono::seconds(60));
  if (!ps.ok()) spdlog::error("produce: {}", ps.ToString());
  if (!pf.ok()) spdlog::error("produce: {}", pf.ToString());
  const int64_t expected = stats.published + stats.dead_lettered;
  spdlog::info("run: {} article(s) published, {} dead-lettered by the producer", stats.published,
               stats.dead_lettered);

  // Every record ends in exactly one place: the sink, the dead letters, or a
  // stage's drop. Wait until all are accounted for.
  auto accounted = [&] {
    int64_t n = sink_w->runner->counts().sent.load() + dlq_w->runner->counts().sent.load();
    for (auto& w : workers) n += w->runner->counts().dropped.load();
    return n;
  };
  auto last_log = std::chrono::steady_clock::now();
  while (!g_stop.load() && (o.follow || accounted() < expected)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (std::chrono::steady_clock::now() - last_log > std::chrono::seconds(5)) {
      last_log = std::chrono::steady_clock::now();
      spdlog::info("run: {}/{} record(s) accounted for", accounted(), expected);
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop_workers = true;
  for (auto& w : workers) w->thread.join();
  CloseStages(*stages);
  int64_t out = sink_w->runner->counts().sent.load();
  int64_t dead = dlq_w->runner->counts().sent.load();
  int64_t dropped = 0;
  for (auto& w : workers) dropped += w->runner->counts().dropped.load();
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
  bool ok = ps.ok() && pf.ok() && (g_stop.load() || out + dead + dropped >= expected);
  return ok ? kOk : kFailed;
}

int RunProcess(const CommonOptions& c, const ProcessOptions& o) {
  auto metrics = MetricsServer::Start("");
  if (!metrics.ok()) return Fail(metrics.status());
  std::vector<std::pair<std::string, std::string>> labels(o.stages.size(), {"file", "file"});
  auto stages = OpenStages(o.stages, o.settings, "", (*metrics)->registry(), labels);
  if (!stages.ok()) return Fail(stages.status());
  std::vector<ChainLink> chain;
  for (auto& s : *stages) chain.push_back({s.name, s.stage.get(), s.metrics.get()});
  RecordProcessor::Options po;
  po.max_record_bytes = o.max_record_bytes;
  po.max_output_bytes = SIZE_MAX;
  RecordProcessor processor(std::move(chain), po);

  std::ifstream file_in;
  std::istream* in = &std::cin;
  if (o.input != "-") {
    file_in.open(o.input, std::ios::binary);
    if (!file_in) return Fail(Status::NotFound("cannot read " + o.input));
    in = &file_in;
  }
  FILE* out = stdout;
  if (o.output != "-") {
    EnsureParent(o.output);
    out = std::fopen(o.output.c_str(), "w");
    if (out == nullptr) return Fail(Status::Unavailable("cannot write " + o.output));
  }
  FILE* dead = stderr;
  if (!o.dead_letters.empty()) {
    dead = std::fopen(o.dead_letters.c_str(), "w");
    if (dead == nullptr) return Fail(Status::Unavailable("cannot write " + o.dead_letters));
  }
  int64_t n = 0, forwarded = 0, dropped = 0, dead_lettered = 0;
  std::string line;
  RecordProcessor::Output result;
  while (std::getline(*in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    processor.Process(line, result);
    switch (result.kind) {
      case RecordProcessor::Output::Kind::kForward:
        ++forwarded;
        std::fwrite(result.value.data(), 1, result.value.size(), out);
        std::fputc('\n', out);
        break;
      case RecordProcessor::Output::Kind::kDrop:
        ++dropped;
        std::fprintf(stderr, "newsflow process: line %lld (id %s) dropped by %s: %s\n",
                     static_cast<long long>(n), result.key.c_str(), result.stage.c_str(),
                     result.reason.c_str());
        break;
      case RecordProcessor::Output::Kind::kDeadLetter: {
        ++dead_lettered;
        DeadLetter d = MakeDeadLetter(result, line);
        d.source_topic = o.input == "-" ? "stdin" : o.input;
        d.offset = n;  // the line number
        d.partition = 0;
        std::string json = EncodeDeadLetter(d);
        std::fwrite(json.data(), 1, json.size(), dead);
        std::fputc('\n', dead);
        if (dead != stderr)
          std::fprintf(stderr, "newsflow process: line %lld dead-lettered by %s: %s: %s\n",
                       static_cast<long long>(n), result.stage.c_str(), result.reason_code.c_str(),
                       result.reason.c_str());
        break;
      }
    }
  }
  CloseStages(*stages);
  if (out != stdout) std::fclose(out);
  if (dead != stderr) std::fclose(dead);
  std::fprintf(stderr, "newsflow process: %lld in, %lld out, %lld dropped, %lld dead-lettered\n",
               static_cast<long long>(n), static_cast<long long>(forwarded),
               static_cast<long long>(dropped), static_cast<long long>(dead_lettered));
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
  auto kafka = Kafka(c);
  if (!kafka.ok()) return Fail(kafka.status());
  auto metrics = Metrics(c);
  if (!metrics.ok()) return Fail(metrics.status());
  KafkaArticleSink::Options so;
  so.topic = o.topic;
  so.producer_name = "watch";
  auto sink = KafkaArticleSink::Create(*kafka, so, (*metrics)->registry(), &g_stop);
  if (!sink.ok()) return Fail(sink.status());
  feeds::WatcherOptions wo;
  wo.feeds_file = o.feeds_file;
  wo.state_file = state;
  wo.max_concurrency = o.max_concurrency;
  wo.per_host_concurrency = o.per_host_concurrency;
  wo.politeness_delay = std::chrono::milliseconds(o.politeness_ms);
  wo.fetch_pages = o.fetch_pages;
  EnsureParent(state);
  auto w = feeds::Watcher::Create(wo, **sink, (*metrics)->registry());
  if (!w.ok()) return Fail(w.status());
  g_watcher = w->get();
  std::signal(SIGHUP, OnHangup);
  spdlog::info("watch: polling feeds from {} into {} (state {})", o.feeds_file, o.topic, state);
  Status s = (*w)->Run(g_stop);
  g_watcher = nullptr;
  return s.ok() ? kOk : Fail(s);
}

int ListStages() {
  for (const auto& d : BuiltinStages()) {
    std::printf("%s: %s\n", d.name.c_str(), d.description.c_str());
    for (const auto& o : d.options) {
      std::printf("  %-24s %-8s default %-10s %s\n", o.key.c_str(),
                  std::string(OptionTypeName(o.type)).c_str(),
                  o.default_value.empty() ? "-" : o.default_value.c_str(), o.help.c_str());
    }
  }
  return kOk;
}

}  // namespace newsflow
