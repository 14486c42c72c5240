#include "newsflow/topics.h"

#include <prometheus/gauge.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

namespace newsflow {

std::string Namespaced(std::string_view ns, std::string_view name) {
  if (ns.empty() || name.empty()) return std::string(name);
  std::string out(ns);
  out += '.';
  out += name;
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const {
    if (m != nullptr) rd_kafka_metadata_destroy(m);
  }
};
using Metadata = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

// What the admin client's error callback saw: authentication and TLS
// failures never heal by waiting, so they end the wait at once.
struct ClientErrors {
  std::mutex mu;
  std::string fatal;  // "" while none
  std::string last;
};

void OnError(rd_kafka_t* rk, int err, const char* reason, void*) {
  auto* errors = static_cast<ClientErrors*>(rd_kafka_opaque(rk));
  std::lock_guard<std::mutex> lock(errors->mu);
  errors->last = reason;
  if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL)
    errors->fatal = reason;
  // The process-wide record of errors no retry cures (KafkaFatalError): every
  // loop of the process stops on it, with the same explanation.
  NoteKafkaError(rk, err, reason);
}

struct TopicState {
  int partitions = 0;  // 0: absent
  bool leaders = false;  // every partition has a leader
};

// One metadata request for every topic; retried in short steps until the
// deadline so a fatal client error ends it early.
Result<Metadata> FetchMetadata(rd_kafka_t* rk, ClientErrors& errors, const std::string& brokers,
                               Clock::time_point deadline, const std::atomic<bool>* stop) {
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  const auto started = Clock::now();
  auto next_note = started + std::chrono::seconds(10);
  do {
    if (Clock::now() >= next_note) {  // a cluster still starting (a reboot): say what we wait for
      next_note += std::chrono::seconds(10);
      std::lock_guard<std::mutex> lock(errors.mu);
      spdlog::warn("waiting for Kafka at {}: cannot reach Kafka at {} for {} s ({}); retrying for up "
                   "to {} s more. Is the broker running, and is --brokers right?",
                   brokers, brokers,
                   std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count(),
                   errors.last.empty() ? "no answer" : errors.last,
                   std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now()).count()));
    }
    {
      std::lock_guard<std::mutex> lock(errors.mu);
      if (!errors.fatal.empty())
        return Status::Unavailable("Kafka at " + brokers + " refused this client: " + errors.fatal +
                                   " (check the -X security properties: security.protocol, "
                                   "sasl.mechanisms, sasl.username/password, ssl.ca.location)");
    }
    if (stop != nullptr && stop->load())
      return Status::Unavailable("stopped while waiting for Kafka at " + brokers);
    const rd_kafka_metadata_t* md = nullptr;
    err = rd_kafka_metadata(rk, 1, nullptr, &md, 1000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Metadata(md);
    // Error callbacks (a refused login) are served only by polling the handle.
    rd_kafka_poll(rk, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a refused connection fails at once
  } while (Clock::now() < deadline);
  std::string last;
  {
    std::lock_guard<std::mutex> lock(errors.mu);
    last = errors.last;
  }
  return Status::Unavailable("no metadata from Kafka at " + brokers + ": " + rd_kafka_err2str(err) +
                             (last.empty() ? "" : " (" + last + ")") +
                             "; is the cluster up and are --brokers and -X properties right?");
}

std::map<std::string, TopicState> Topics(const rd_kafka_metadata_t& md) {
  std::map<std::string, TopicState> out;
  for (int i = 0; i < md.topic_cnt; ++i) {
    const auto& t = md.topics[i];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partition_cnt == 0) continue;
    TopicState s;
    s.partitions = t.partition_cnt;
    s.leaders = std::all_of(t.partitions, t.partitions + t.partition_cnt,
                            [](const rd_kafka_metadata_partition_t& p) { return p.leader >= 0; });
    out[t.topic] = s;
  }
  return out;
}

std::string CreateCommand(const std::string& topic, int partitions, int rf) {
  return "kafka-topics.sh --create --topic " + topic + " --partitions " + std::to_string(partitions) +
         " --replication-factor " + std::to_string(rf);
}

Status CreateError(const std::string& topic, rd_kafka_resp_err_t err, const char* message,
                   int partitions, int rf, int brokers) {
  std::string why = std::string(rd_kafka_err2name(err)) + (message && *message ? std::string(": ") + message : "");
  switch (err) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return Status::Unavailable("not allowed to create topic '" + topic + "' (" + why +
                                 "): ask the cluster's administrator to create it (" +
                                 CreateCommand(topic, partitions, rf) +
                                 ") or to grant this principal CREATE on it, then start again");
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
      if (TransientCreateError(err, message ? message : "", rf, brokers)) {
        // Enough brokers, refused for now (a fenced broker): not the flag's fault.
        return Status::Unavailable("cannot create topic '" + topic + "' with replication factor " +
                                   std::to_string(rf) + ": the cluster lists " + std::to_string(brokers) +
                                   " broker(s) but refused (" + why + ")");
      }
      return Status::InvalidArgument("cannot create topic '" + topic + "' with replication factor " +
                                     std::to_string(rf) + " on a cluster of " + std::to_string(brokers) +
                                     " broker(s) (" + why +
                                     "): lower --replication-factor or topics.replication_factor");
    default:
      return Status::Unavailable("cannot create topic '" + topic + "' (" + why +
                                 "): create it by hand (" + CreateCommand(topic, partitions, rf) + ")");
  }
}

}  // namespace

rd_kafka_event_t* WaitForEvent(rd_kafka_queue_t* q, Clock::time_point deadline, const std::atomic<bool>* stop) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || (stop != nullptr && stop->load())) return nullptr;
    if (rd_kafka_event_t* ev = rd_kafka_queue_poll(q, static_cast<int>(std::min<int64_t>(left, 200)))) return ev;
  }
}

bool TransientCreateError(rd_kafka_resp_err_t err, std::string_view message, int replication_factor,
                          int brokers) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
      return true;
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
      return replication_factor <= brokers || message.find("fenced") != std::string_view::npos;
    default:
      return false;
  }
}

Status CreateUntilDone(const std::function<CreateOutcome()>& attempt, Clock::time_point deadline,
                       const std::atomic<bool>* stop, std::chrono::milliseconds pause) {
  const auto started = Clock::now();
  for (int tries = 1;; ++tries) {
    CreateOutcome o = attempt();
    if (o.status.ok() || !o.transient) return o.status;
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
    if (Clock::now() + pause >= deadline || (stop != nullptr && stop->load())) {
      return Status(o.status.code(), o.status.message() + " (asked " + std::to_string(tries) + " time(s) over " +
                                         std::to_string(waited) + " s)");
    }
    spdlog::warn("{}; asking again (the cluster may be busy or a broker fenced for a moment)",
                 o.status.message());
    std::this_thread::sleep_for(pause);
  }
}

Status EnsureTopics(const KafkaOptions& kafka, const std::vector<std::string>& wanted,
                    const TopicOptions& options, prometheus::Registry* registry) {
  if (kafka.embedded) return Status::OK();  // `newsflow broker` made them
  std::vector<std::string> topics;
  for (const auto& t : wanted)
    if (!t.empty() && std::find(topics.begin(), topics.end(), t) == topics.end()) topics.push_back(t);
  if (topics.empty()) return Status::OK();
  const auto deadline = Clock::now() + options.timeout;

  auto conf = NewKafkaConf(kafka, ClientRole::kAdmin, "");
  if (!conf.ok()) return conf.status();
  char errstr[512];
  ClientErrors errors;
  rd_kafka_conf_set_opaque(*conf, &errors);
  rd_kafka_conf_set_error_cb(*conf, OnError);
  auto client = NewKafkaClient(kafka, ClientRole::kAdmin, "", *conf);
  if (!client.ok()) return client.status();
  rd_kafka_t* rk = client->get();

  auto md = FetchMetadata(rk, errors, kafka.brokers, deadline, options.stop);
  if (!md.ok()) return md.status();
  int brokers = (*md)->broker_cnt;
  const int rf = options.replication_factor > 0 ? options.replication_factor : std::min(3, std::max(1, brokers));
  auto have = Topics(**md);

  std::vector<std::string> missing;  // absent at the start: their leaders are awaited below
  for (const auto& t : topics)
    if (have.count(t) == 0) missing.push_back(t);

  // Each attempt creates what is still absent (an earlier attempt may have
  // created some, another process others); a transient refusal is asked
  // again until the deadline (CreateUntilDone).
  bool first = true;
  auto attempt = [&]() -> CreateOutcome {
    std::vector<std::string> absent;
    if (first) {
      absent = missing;
      first = false;
    } else {
      auto again = FetchMetadata(rk, errors, kafka.brokers, deadline, options.stop);
      if (!again.ok()) return {again.status(), false};
      brokers = (*again)->broker_cnt;
      auto now_have = Topics(**again);
      for (const auto& t : missing)
        if (now_have.count(t) == 0) absent.push_back(t);
    }
    if (absent.empty()) return {Status::OK(), false};
    std::vector<rd_kafka_NewTopic_t*> news;
    for (const auto& t : absent) {
      rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.c_str(), options.partitions, rf, errstr, sizeof errstr);
      if (nt == nullptr) {
        for (auto* n : news) rd_kafka_NewTopic_destroy(n);
        return {Status::InvalidArgument("topic '" + t + "': " + errstr), false};
      }
      news.push_back(nt);
    }
    rd_kafka_AdminOptions_t* ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const int left_ms = static_cast<int>(std::max<int64_t>(1000, left.count()));
    rd_kafka_AdminOptions_set_request_timeout(ao, left_ms, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_operation_timeout(ao, left_ms, errstr, sizeof errstr);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, news.data(), news.size(), ao, q);
    rd_kafka_event_t* ev = WaitForEvent(q, Clock::now() + std::chrono::milliseconds(left_ms + 5000), options.stop);
    CreateOutcome out;
    if (ev == nullptr && options.stop != nullptr && options.stop->load()) {
      out.status = Status::Unavailable("stopped while creating topic(s) on " + kafka.brokers);
    } else if (ev == nullptr) {
      out.status = Status::Timeout("creating topic(s) on " + kafka.brokers + ": no answer in " +
                                   std::to_string(left_ms / 1000) + " s");
    } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* msg = rd_kafka_event_error_string(ev);
      out.status = CreateError(absent.front(), rd_kafka_event_error(ev), msg, options.partitions, rf, brokers);
      out.transient = TransientCreateError(rd_kafka_event_error(ev), msg ? msg : "", rf, brokers);
    } else {
      size_t n = 0;
      const rd_kafka_topic_result_t** res =
          rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
      for (size_t i = 0; i < n; ++i) {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res[i]);
        std::string name = rd_kafka_topic_result_name(res[i]);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          spdlog::info("created topic '{}': {} partition(s), replication factor {}", name,
                       options.partitions, rf);
        } else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
          spdlog::debug("topic '{}' was created by another process meanwhile", name);
        } else if (out.status.ok() || (out.transient && !TransientCreateError(err, "", rf, brokers))) {
          // The first refusal is reported; one for good outranks a transient one.
          const char* msg = rd_kafka_topic_result_error_string(res[i]);
          out.status = CreateError(name, err, msg, options.partitions, rf, brokers);
          out.transient = TransientCreateError(err, msg ? msg : "", rf, brokers);
        }
      }
    }
    if (ev != nullptr) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(ao);
    for (auto* nt : news) rd_kafka_NewTopic_destroy(nt);
    return out;
  };
  if (!missing.empty()) NEWSFLOW_RETURN_IF_ERROR(CreateUntilDone(attempt, deadline, options.stop));

  // Brokers learn about new topics a moment after the controller: wait until
  // each partition has a leader, so consumers and producers start cleanly.
  std::map<std::string, TopicState> now;
  for (;;) {
    auto now_md = FetchMetadata(rk, errors, kafka.brokers, deadline, options.stop);
    if (!now_md.ok()) return now_md.status();
    now = Topics(**now_md);
    std::string waiting;
    for (const auto& t : missing) {
      auto it = now.find(t);
      if (it == now.end() || !it->second.leaders) waiting = t;
    }
    if (waiting.empty()) break;
    if (Clock::now() >= deadline)
      return Status::Timeout("topic '" + waiting + "' was created on " + kafka.brokers +
                             " but has no leader for every partition after " +
                             std::to_string(options.timeout.count() / 1000) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Created here or elsewhere, a topic with fewer partitions than asked caps
  // how many consumers of a group can share it.
  prometheus::Family<prometheus::Gauge>* short_family = nullptr;
  if (registry != nullptr)
    short_family = &prometheus::BuildGauge()
                        .Name("newsflow_topic_partitions_missing")
                        .Help("Partitions asked for a topic (--partitions, topics.partitions) that it lacks")
                        .Register(*registry);
  for (const auto& t : topics) {
    const int has = now.count(t) != 0 ? now[t].partitions : 0;
    if (has > 0 && has < options.partitions)
      spdlog::warn("topic '{}' has {} partition(s), {} asked: at most {} consumer(s) of a group can share "
                   "it (add partitions with kafka-topics.sh --alter --topic {} --partitions {}; keys then "
                   "move to other partitions)",
                   t, has, options.partitions, has, t, options.partitions);
    if (short_family != nullptr)
      short_family->Add({{"topic", t}}).Set(std::max(0, options.partitions - has));
  }
  return Status::OK();
}

}  // namespace newsflow
