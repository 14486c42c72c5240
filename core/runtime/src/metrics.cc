#include "newsflow/metrics.h"

#include <CivetServer.h>
#include <librdkafka/rdkafka.h>
#include <prometheus/text_serializer.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <netdb.h>
#include <sys/socket.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

namespace newsflow {
namespace {

// Why `bind` ("host:port" or "port") cannot be listened on, found by trying
// it: CivetServer only says "null context".
// `bind` ("host:port", "[v6]:port" or "port") as host (brackets removed,
// empty for every address) and port.
std::pair<std::string, std::string> SplitBind(const std::string& bind) {
  const size_t colon = bind.rfind(':');
  std::string host = colon == std::string::npos ? "" : bind.substr(0, colon);
  std::string port = colon == std::string::npos ? bind : bind.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, port};
}

std::string WhyCannotListen(const std::string& bind) {
  const auto [host, port] = SplitBind(bind);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return "cannot resolve '" + bind + "' (" + gai_strerror(rc) + "): expected host:port";
  std::string why = "the server could not start";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
      int err = errno;
      why = err == EADDRINUSE
                ? "address " + bind + " is already in use (another process listens there; give " +
                      "another --metrics-addr, or port 0 for any free port)"
                : std::string(std::strerror(err));
    }
    ::close(fd);
    break;
  }
  freeaddrinfo(res);
  return why;
}

using prometheus::Histogram;

Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
}

Histogram::BucketBoundaries EndToEndBuckets() {
  return {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400};
}

void Reply(mg_connection* conn, int code, const char* reason, const char* content_type,
           const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            code, reason, content_type, body.size());
  mg_write(conn, body.data(), body.size());
}

}  // namespace

// ---- readiness --------------------------------------------------------------

namespace {

// The families and readiness of each registry, created on first use. Keyed
// by address, so an entry is checked before use: a registry can be destroyed
// and another built at the same address (tests do it), and the families of
// the old one would then dangle and never reach the new one. The families
// register themselves in their registry, so a registry without them is new.
struct PerRegistry {
  std::unique_ptr<MetricFamilies> families;
  std::unique_ptr<Readiness> readiness;
};

bool HoldsContractFamilies(prometheus::Registry& r) {
  for (const auto& family : r.Collect()) {
    if (family.name == "newsflow_build_info") return true;
  }
  return false;
}

PerRegistry& SlotFor(prometheus::Registry& r) {
  static std::mutex mu;
  static std::map<prometheus::Registry*, PerRegistry> all;
  std::lock_guard<std::mutex> lock(mu);
  PerRegistry& slot = all[&r];
  if (slot.families != nullptr && !HoldsContractFamilies(r)) slot = PerRegistry{};
  if (slot.families == nullptr) {
    slot.families = std::make_unique<MetricFamilies>(r);
    slot.readiness = std::make_unique<Readiness>();
  }
  return slot;
}

}  // namespace

Readiness& Readiness::For(prometheus::Registry& registry) {
  Readiness& r = *SlotFor(registry).readiness;
  r.board_.store(&HealthBoard::For(registry), std::memory_order_release);
  return r;
}

void Readiness::Expect(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  components_.emplace_back();
  components_.back().name = name;
}

Readiness::Component& Readiness::Add(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& c : components_) {
    if (c.name == name && !c.claimed) {
      c.claimed = true;
      return c;
    }
  }
  components_.emplace_back();
  components_.back().name = name;
  components_.back().claimed = true;
  return components_.back();
}

void Readiness::Release(Component& c) {
  std::lock_guard<std::mutex> lock(mu_);
  c.assigned.store(0, std::memory_order_relaxed);
  c.connected.store(false, std::memory_order_relaxed);
  c.claimed = false;
}

bool Readiness::Ready(std::string* why) const {
  std::lock_guard<std::mutex> lock(mu_);
  bool ready = true;
  std::string out;
  for (const auto& c : components_) {
    int assigned = c.assigned.load(std::memory_order_relaxed);
    bool connected = c.connected.load(std::memory_order_relaxed);
    bool ok = assigned > 0 && connected;
    ready = ready && ok;
    out += c.name + ": " + (ok ? "ready" : "not ready") + " (" + std::to_string(assigned) +
           " partition(s) assigned, broker " + (connected ? "connected" : "not connected") + ")\n";
  }
  if (components_.empty()) out = "ready (no consumer in this process)\n";
  if (const HealthBoard* board = board_.load(std::memory_order_acquire))
    ready = board->Ready(&out) && ready;
  if (why != nullptr) *why = std::move(out);
  return ready;
}

// ---- HTTP -------------------------------------------------------------------

struct MetricsServer::Handlers {
  class Metrics final : public CivetHandler {
   public:
    explicit Metrics(std::shared_ptr<prometheus::Registry> r) : registry_(std::move(r)) {}
    bool handleGet(CivetServer*, mg_connection* conn) override {
      std::string body = prometheus::TextSerializer().Serialize(registry_->Collect());
      Reply(conn, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
      return true;
    }

   private:
    std::shared_ptr<prometheus::Registry> registry_;
  };
  class Alive final : public CivetHandler {
   public:
    bool handleGet(CivetServer*, mg_connection* conn) override {
      Reply(conn, 200, "OK", "text/plain; charset=utf-8", "ok\n");
      return true;
    }
  };
  class Ready final : public CivetHandler {
   public:
    explicit Ready(Readiness& r) : readiness_(r) {}
    bool handleGet(CivetServer*, mg_connection* conn) override {
      std::string why;
      bool ready = readiness_.Ready(&why);
      Reply(conn, ready ? 200 : 503, ready ? "OK" : "Service Unavailable",
            "text/plain; charset=utf-8", why);
      return true;
    }

   private:
    Readiness& readiness_;
  };

  Handlers(std::shared_ptr<prometheus::Registry> r, Readiness& readiness)
      : metrics(std::move(r)), ready(readiness) {}
  Metrics metrics;
  Alive alive;
  Ready ready;
};

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& bind) {
  std::unique_ptr<MetricsServer> m(new MetricsServer());
  m->registry_ = std::make_shared<prometheus::Registry>();
  MetricFamilies::For(*m->registry_);
  if (!bind.empty()) {
    m->handlers_ = std::make_unique<Handlers>(m->registry_, Readiness::For(*m->registry_));
    try {
      m->server_ = std::make_unique<CivetServer>(std::vector<std::string>{
          "listening_ports", bind, "num_threads", "2", "request_timeout_ms", "10000"});
    } catch (const std::exception&) {
      return Status::Unavailable("metrics: cannot listen on " + bind + ": " + WhyCannotListen(bind));
    }
    m->server_->addHandler("/metrics", m->handlers_->metrics);
    m->server_->addHandler("/healthz", m->handlers_->alive);
    m->server_->addHandler("/readyz", m->handlers_->ready);
    auto ports = m->server_->getListeningPorts();
    if (!ports.empty()) m->port_ = ports.front();
    // The address to knock on at stop: the bound host, or this host's
    // loopback when bound to every address ("0.0.0.0:p", "[::]:p", "p").
    const std::string host = SplitBind(bind).first;
    m->host_ = host.empty() || host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
  }
  return m;
}

// Connects to host:port and hangs up at once (a knock that wakes a
// listener's poll); gives up after 100 ms, never blocks longer.
void Knock(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
    }
    ::close(fd);
    break;
  }
  freeaddrinfo(res);
}

MetricsServer::~MetricsServer() {
  // Stop serving before the handlers and the registry go. civetweb's
  // listener polls its sockets 2 s at a time and reads the stop flag only
  // between polls, so close() took up to 2 s, at the exit of every process
  // with metrics on. A thread knocks on the port until close() returns: the
  // poll wakes, the listener sees the flag and stops at once (a knock that
  // lands before the flag is set only starts another round; the next one
  // ends it). A knock accepted as a connection is hung up with nothing sent.
  if (server_) {
    std::atomic<bool> closed{false};
    std::thread knocker;
    if (port_ > 0) {
      knocker = std::thread([this, &closed] {
        while (!closed.load()) {
          Knock(host_, port_);
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      });
    }
    server_->close();
    closed = true;
    if (knocker.joinable()) knocker.join();
  }
  server_.reset();
}

// ---- families ---------------------------------------------------------------

MetricFamilies::MetricFamilies(prometheus::Registry& r)
    : received(prometheus::BuildCounter().Name("newsflow_records_received_total")
                   .Help("Records read from the stage's input").Register(r)),
      sent(prometheus::BuildCounter().Name("newsflow_records_sent_total")
               .Help("Records written to the stage's output and acknowledged").Register(r)),
      dropped(prometheus::BuildCounter().Name("newsflow_records_dropped_total")
                  .Help("Records a stage dropped on purpose, by reason").Register(r)),
      dead_lettered(prometheus::BuildCounter().Name("newsflow_records_dead_lettered_total")
                        .Help("Records sent to the dead-letter topic, by reason").Register(r)),
      lost(prometheus::BuildCounter().Name("newsflow_records_lost_total")
               .Help("Input offsets that were never delivered (gaps)").Register(r)),
      redelivered(prometheus::BuildCounter().Name("newsflow_records_redelivered_total")
                      .Help("Input records read again (at-least-once duplicates)").Register(r)),
      fetched(prometheus::BuildCounter().Name("newsflow_records_fetched_total")
                  .Help("Input records librdkafka fetched from the brokers, fetched again "
                        "after a pause or rebalance included").Register(r)),
      bytes_in(prometheus::BuildCounter().Name("newsflow_bytes_received_total")
                   .Help("Bytes of records read").Register(r)),
      bytes_out(prometheus::BuildCounter().Name("newsflow_bytes_sent_total")
                    .Help("Bytes of records written").Register(r)),
      process_seconds(prometheus::BuildHistogram().Name("newsflow_process_seconds")
                          .Help("Time a stage spent on one record").Register(r)),
      e2e_seconds(prometheus::BuildHistogram().Name("newsflow_end_to_end_latency_seconds")
                      .Help("From the article's fetched_at (since=fetched_at) or its first "
                            "produce time (since=produced) to the stage's acknowledged output")
                      .Register(r)),
      batch_size(prometheus::BuildHistogram().Name("newsflow_batch_size")
                     .Help("Records handed on together: a consumer poll batch, or with copies of the stage a burst of processed records").Register(r)),
      rebalances(prometheus::BuildCounter().Name("newsflow_rebalances_total")
                     .Help("Consumer group rebalances seen, by kind").Register(r)),
      commits(prometheus::BuildCounter().Name("newsflow_commits_total")
                  .Help("Offset commits completed (automatic and synchronous)").Register(r)),
      commit_seconds(prometheus::BuildHistogram().Name("newsflow_commit_seconds")
                         .Help("Time of synchronous offset commits (revoke, shutdown)").Register(r)),
      commit_failures(prometheus::BuildCounter().Name("newsflow_commit_failures_total")
                          .Help("Offset commits that failed").Register(r)),
      delivery_failures(prometheus::BuildCounter().Name("newsflow_delivery_failures_total")
                            .Help("Produced records the broker did not acknowledge").Register(r)),
      skipped_reread(prometheus::BuildCounter().Name("newsflow_records_skipped_reread_total")
                         .Help("Input records the Kafka client skipped although the broker held "
                               "them (a gap that was not transaction markers), read again and "
                               "processed").Register(r)),
      producer_queue(prometheus::BuildGauge().Name("newsflow_producer_queue_messages")
                         .Help("Messages waiting in the producer's queue").Register(r)),
      flow_paused(prometheus::BuildGauge().Name("newsflow_flow_control_paused")
                      .Help("1 while held back because downstream is behind").Register(r)),
      downstream_backlog(prometheus::BuildGauge().Name("newsflow_downstream_backlog_messages")
                             .Help("Largest per-partition backlog of the downstream group").Register(r)),
      consumer_lag(prometheus::BuildGauge().Name("newsflow_consumer_lag_messages")
                       .Help("High watermark minus consumed position, per partition").Register(r)),
      consumer_lag_seconds(prometheus::BuildGauge().Name("newsflow_consumer_lag_seconds")
                               .Help("While records wait: now minus the produce time of the last "
                                     "consumed record (an upper bound on the oldest waiting "
                                     "record's age); 0 when caught up")
                               .Register(r)),
      committed_lag(prometheus::BuildGauge().Name("newsflow_consumer_committed_lag_messages")
                        .Help("High watermark minus the group's committed offset, per partition "
                              "(librdkafka statistics)")
                        .Register(r)),
      assigned_partitions(prometheus::BuildGauge().Name("newsflow_assigned_partitions")
                              .Help("Partitions assigned to this consumer").Register(r)),
      broker_connected(prometheus::BuildGauge().Name("newsflow_broker_connected")
                           .Help("1 while at least one broker connection is up").Register(r)),
      output_stalled(prometheus::BuildGauge().Name("newsflow_output_stalled_seconds")
                         .Help("Seconds records have waited for the output with nothing "
                               "acknowledged since; 0 when nothing waits or it answers")
                         .Register(r)),
      build_info(prometheus::BuildGauge().Name("newsflow_build_info")
                     .Help("Build information; value 1").Register(r)) {
  build_info.Add({{"version", "0.1.0"}, {"librdkafka", rd_kafka_version_str()}}).Set(1);
}

MetricFamilies& MetricFamilies::For(prometheus::Registry& r) { return *SlotFor(r).families; }

const std::vector<std::string>& ContractMetricNames() {
  static const std::vector<std::string> names = {
      "newsflow_records_received_total",
      "newsflow_records_sent_total",
      "newsflow_records_dead_lettered_total",
      "newsflow_records_lost_total",
      "newsflow_records_redelivered_total",
      "newsflow_records_fetched_total",
      "newsflow_bytes_received_total",
      "newsflow_bytes_sent_total",
      "newsflow_process_seconds",
      "newsflow_end_to_end_latency_seconds",
      "newsflow_batch_size",
      "newsflow_rebalances_total",
      "newsflow_commits_total",
      "newsflow_commit_seconds",
      "newsflow_commit_failures_total",
      "newsflow_delivery_failures_total",
      "newsflow_producer_queue_messages",
      "newsflow_flow_control_paused",
      "newsflow_downstream_backlog_messages",
      "newsflow_consumer_lag_messages",
      "newsflow_consumer_lag_seconds",
      "newsflow_consumer_committed_lag_messages",
      "newsflow_assigned_partitions",
      "newsflow_broker_connected",
      "newsflow_output_stalled_seconds",
  };
  return names;
}

StageMetrics::StageMetrics(prometheus::Registry& r, const std::string& stage,
                           const std::string& input_topic, const std::string& output_topic)
    : received(MetricFamilies::For(r).received.Add({{"stage", stage}, {"topic", input_topic}})),
      sent(MetricFamilies::For(r).sent.Add({{"stage", stage}, {"topic", output_topic}})),
      bytes_in(MetricFamilies::For(r).bytes_in.Add({{"stage", stage}, {"topic", input_topic}})),
      bytes_out(MetricFamilies::For(r).bytes_out.Add({{"stage", stage}, {"topic", output_topic}})),
      lost(MetricFamilies::For(r).lost.Add({{"stage", stage}, {"topic", input_topic}})),
      redelivered(MetricFamilies::For(r).redelivered.Add({{"stage", stage}, {"topic", input_topic}})),
      fetched(MetricFamilies::For(r).fetched.Add({{"stage", stage}, {"topic", input_topic}})),
      process_seconds(MetricFamilies::For(r).process_seconds.Add({{"stage", stage}}, LatencyBuckets())),
      e2e_seconds(MetricFamilies::For(r).e2e_seconds.Add({{"stage", stage}, {"since", "fetched_at"}},
                                                         EndToEndBuckets())),
      e2e_from_produce_seconds(MetricFamilies::For(r).e2e_seconds.Add(
          {{"stage", stage}, {"since", "produced"}}, EndToEndBuckets())),
      f_(MetricFamilies::For(r)),
      stage_(stage) {
  // Make the common outcomes visible at zero, so rate() queries have series.
  DeadLettered("corrupt");
  DeadLettered("schema");
  DeadLettered("too_large");
  DeadLettered("rejected");
}

namespace {

// A drop reason is a label only while it is a short token and the stage has
// made few of them: a plug-in's reason is its own text, and one series per
// distinct text would grow without bound. Anything else counts as "other".
std::string DropReasonLabel(std::string_view reason, size_t labels_so_far) {
  constexpr size_t kMaxBytes = 64, kMaxLabels = 32;
  bool token = !reason.empty() && reason.size() <= kMaxBytes;
  for (char ch : reason) {
    const unsigned char c = static_cast<unsigned char>(ch);
    token = token && (std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':');
  }
  return token && labels_so_far < kMaxLabels ? std::string(reason) : std::string("other");
}

}  // namespace

prometheus::Counter& StageMetrics::Dropped(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = dropped_.find(reason); it != dropped_.end()) return *it->second;
  const std::string label = DropReasonLabel(reason, dropped_.size());
  auto& c = dropped_[label];
  if (c == nullptr) c = &f_.dropped.Add({{"stage", stage_}, {"reason", label}});
  return *c;
}

prometheus::Counter& StageMetrics::DeadLettered(const std::string& reason_code) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& c = dead_[reason_code];
  if (c == nullptr) c = &f_.dead_lettered.Add({{"stage", stage_}, {"reason", reason_code}});
  return *c;
}

// ---- librdkafka statistics ----------------------------------------------------

struct ConsumerStatsParser::Impl {
  simdjson::ondemand::parser parser;
  std::string buffer;
};

ConsumerStatsParser::ConsumerStatsParser() : impl_(std::make_unique<Impl>()) {}
ConsumerStatsParser::~ConsumerStatsParser() = default;

namespace {

using simdjson::ondemand::object;

Status JsonError(simdjson::error_code e, const char* where) {
  return Status::Corrupt(std::string("statistics JSON (") + where + "): " +
                         simdjson::error_message(e));
}

Status ParseBrokers(object brokers, ConsumerStats& out) {
  for (auto b : brokers) {
    object bo;
    if (auto e = b.value().get_object().get(bo)) return JsonError(e, "broker");
    std::string_view state, source;
    for (auto f : bo) {
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return JsonError(e, "broker key");
      if (key == "state") {
        if (auto e = f.value().get_string().get(state)) return JsonError(e, "broker state");
      } else if (key == "source") {
        if (auto e = f.value().get_string().get(source)) return JsonError(e, "broker source");
      }
    }
    // Logical brokers (the group coordinator handle) mirror a real one.
    if (state == "UP" && source != "logical") ++out.brokers_up;
  }
  return Status::OK();
}

Status ParsePartitions(object partitions, ConsumerStats& out) {
  for (auto p : partitions) {
    std::string_view id;
    if (auto e = p.unescaped_key().get(id)) return JsonError(e, "partition key");
    if (id == "-1") continue;  // librdkafka's internal unassigned partition
    object po;
    if (auto e = p.value().get_object().get(po)) return JsonError(e, "partition");
    ConsumerStats::Partition part;
    bool desired = false;
    for (auto f : po) {
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return JsonError(e, "partition field");
      int64_t* slot = nullptr;
      if (key == "desired") {
        if (auto e = f.value().get_bool().get(desired)) return JsonError(e, "desired");
        continue;
      }
      if (key == "hi_offset") slot = &part.hi_offset;
      if (key == "lo_offset") slot = &part.lo_offset;
      if (key == "committed_offset") slot = &part.committed_offset;
      if (key == "consumer_lag") slot = &part.consumer_lag;
      if (slot == nullptr) continue;
      if (auto e = f.value().get_int64().get(*slot)) return JsonError(e, "offset");
    }
    char* end = nullptr;
    std::string ids(id);
    part.partition = static_cast<int32_t>(std::strtol(ids.c_str(), &end, 10));
    if (desired) out.partitions.push_back(part);
  }
  return Status::OK();
}

}  // namespace

Status ConsumerStatsParser::Parse(std::string_view json, const std::string& topic,
                                  ConsumerStats& out) {
  out = ConsumerStats();
  std::string& buf = impl_->buffer;
  buf.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  buf.assign(json);
  simdjson::padded_string_view view(buf.data(), buf.size(), buf.capacity());
  simdjson::ondemand::document doc;
  if (auto e = impl_->parser.iterate(view).get(doc)) return JsonError(e, "document");
  object root;
  if (auto e = doc.get_object().get(root)) return JsonError(e, "root");
  for (auto field : root) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return JsonError(e, "key");
    if (key == "rxmsgs") {
      if (auto e = field.value().get_int64().get(out.rxmsgs)) return JsonError(e, "rxmsgs");
    } else if (key == "brokers") {
      object brokers;
      if (auto e = field.value().get_object().get(brokers)) return JsonError(e, "brokers");
      NEWSFLOW_RETURN_IF_ERROR(ParseBrokers(brokers, out));
    } else if (key == "topics") {
      object topics;
      if (auto e = field.value().get_object().get(topics)) return JsonError(e, "topics");
      for (auto t : topics) {
        std::string_view name;
        if (auto e = t.unescaped_key().get(name)) return JsonError(e, "topic key");
        if (name != topic) continue;
        object to;
        if (auto e = t.value().get_object().get(to)) return JsonError(e, "topic");
        for (auto f : to) {
          std::string_view k;
          if (auto e = f.unescaped_key().get(k)) return JsonError(e, "topic field");
          if (k != "partitions") continue;
          object parts;
          if (auto e = f.value().get_object().get(parts)) return JsonError(e, "partitions");
          NEWSFLOW_RETURN_IF_ERROR(ParsePartitions(parts, out));
        }
      }
    }
  }
  return Status::OK();
}

}  // namespace newsflow
