#include "newsflow/kafka.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "newsflow/thread_name.h"

namespace newsflow {

void KafkaDeleter::operator()(rd_kafka_t* rk) const {
  // Consumers leave their group before this, within a deadline
  // (StageRunner::CloseWithin): an implicit close here could block forever
  // on a broker that is gone.
  if (rk == nullptr) return;
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  // After the destroy: its last error callbacks have run by now.
  ForgetKafkaFatalError(rk);
}

Status KafkaStatus(rd_kafka_resp_err_t err, std::string_view context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
  std::string m(context);
  m += ": ";
  m += rd_kafka_err2str(err);
  return Status::Unavailable(std::move(m));
}

Result<int> TopicPartitionCount(rd_kafka_t* rk, const std::string& topic,
                                std::chrono::milliseconds timeout, const std::string& brokers) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rkt == nullptr) return Status::InvalidArgument("topic '" + topic + "': bad name");
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;  // of the request
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;  // of the topic in the answer
  int partitions = 0;
  for (;;) {
    const rd_kafka_metadata_t* md = nullptr;
    err = rd_kafka_metadata(rk, 0, rkt, &md, 1000);
    rd_kafka_poll(rk, 0);  // serves the error callback: a refused login ends the wait
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
      for (int t = 0; t < md->topic_cnt; ++t) {
        if (topic != md->topics[t].topic) continue;
        topic_err = md->topics[t].err;
        partitions = md->topics[t].partition_cnt;
      }
      rd_kafka_metadata_destroy(md);
      if (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR && partitions > 0) break;
    }
    const bool transient =
        err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
        (err == RD_KAFKA_RESP_ERR_NO_ERROR &&
         (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR || topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
          topic_err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE));
    if (!transient || !KafkaFatalErrorOf(rk).ok() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // an answer comes at once
  }
  rd_kafka_topic_destroy(rkt);
  NEWSFLOW_RETURN_IF_ERROR(KafkaFatalErrorOf(rk));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return KafkaStatus(err, "cannot reach Kafka at '" + brokers + "' (metadata for topic " + topic +
                                "; check --brokers or that the broker runs)");
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || partitions <= 0)
    return Status::NotFound("topic " + topic + " is not available on the cluster at " + brokers + " (" +
                            (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_err2str(topic_err)
                                                                     : "no partitions") +
                            ", asked for " + std::to_string(timeout.count() / 1000) + " s)");
  return partitions;
}

Result<std::pair<std::string, std::string>> ParseProperty(const std::string& kv) {
  size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    return Status::InvalidArgument("-X expects key=value, got '" + kv + "'");
  return std::make_pair(kv.substr(0, eq), kv.substr(eq + 1));
}

Result<KafkaOptions> ResolveKafka(const std::string& brokers, const std::string& bootstrap_file) {
  KafkaOptions o;
  if (!brokers.empty()) {
    o.brokers = brokers;
    return o;
  }
  std::ifstream in(bootstrap_file);
  if (!in) {
    return Status::Unavailable("no --brokers given and no embedded broker bootstrap file at '" +
                               bootstrap_file + "': start `newsflow broker` first");
  }
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "bootstrap") o.brokers = v;
    if (k == "profile") o.embedded = (v == "embedded");
    if (k == "incarnation") o.incarnation = v;
  }
  o.bootstrap_file = bootstrap_file;
  if (o.brokers.empty())
    return Status::Corrupt("bootstrap file '" + bootstrap_file + "' has no bootstrap= line");
  return o;
}

Status WriteBootstrapFile(const std::string& path, const std::string& bootstraps,
                          const std::string& incarnation) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
  }
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::Unavailable("cannot write " + tmp);
    out << "bootstrap=" << bootstraps << "\nprofile=embedded\n";
    if (!incarnation.empty()) out << "incarnation=" << incarnation << "\n";
    if (!out.flush()) return Status::Unavailable("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Unavailable("cannot rename " + tmp + " to " + path);
  return Status::OK();
}

namespace {

Status Set(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    return Status::InvalidArgument("kafka property " + k + "=" + v + ": " + err);
  return Status::OK();
}

void LogCallback(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  if (level <= 3) {
    spdlog::error("rdkafka {}: {}", fac, buf);
  } else if (level <= 4) {
    spdlog::warn("rdkafka {}: {}", fac, buf);
  } else {
    spdlog::debug("rdkafka {}: {}", fac, buf);
  }
}

rd_kafka_resp_err_t OnThreadStart(rd_kafka_t*, rd_kafka_thread_type_t, const char*, void*) {
  MakeThisThreadBatch();
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t OnNew(rd_kafka_t* rk, const rd_kafka_conf_t*, void*, char*, size_t) {
  return rd_kafka_interceptor_add_on_thread_start(rk, "newsflow-batch-threads", OnThreadStart, nullptr);
}

}  // namespace

void BatchThreadsOf(rd_kafka_conf_t* conf) {
  rd_kafka_conf_interceptor_add_on_new(conf, "newsflow-batch-threads", OnNew, nullptr);
}

KafkaOptions NonCommittingClient(const KafkaOptions& o, std::string client_id) {
  KafkaOptions quiet = o;
  quiet.client_id = std::move(client_id);
  // Last, so they win over a user's -X.
  quiet.properties.push_back({"enable.auto.commit", "false"});
  quiet.properties.push_back({"enable.auto.offset.store", "false"});
  return quiet;
}

Result<rd_kafka_conf_t*> NewKafkaConf(const KafkaOptions& o, ClientRole role,
                                      const std::string& group) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::vector<std::pair<std::string, std::string>> props = {
      {"bootstrap.servers", o.brokers},
      {"client.id", o.client_id},
  };
  if (role == ClientRole::kProducer) {
    props.insert(props.end(), {{"acks", "all"},
                               // A record waits at most this long for company. Under
                               // load batches fill while the previous request is in
                               // flight, so a short linger costs no throughput; it is
                               // most of a hop's latency at low rates (issue 16).
                               {"linger.ms", "5"},
                               {"compression.type", o.embedded ? "none" : "lz4"},
                               {"message.max.bytes", "1048576"}});
    if (o.embedded) {
      // The mock loses acknowledged messages with >1 in flight (see notes).
      props.push_back({"max.in.flight.requests.per.connection", "1"});
    } else {
      props.push_back({"enable.idempotence", "true"});
    }
  } else if (role == ClientRole::kAdmin) {
    props.push_back({"enable.idempotence", "false"});
  } else {
    props.insert(props.end(), {{"group.id", group},
                               {"enable.auto.commit", "true"},
                               {"enable.auto.offset.store", "false"},
                               {"auto.offset.reset", "earliest"},
                               {"enable.partition.eof", "false"},
                               {"partition.assignment.strategy", "range,roundrobin"}});
    if (o.embedded) {
      props.insert(props.end(), {{"session.timeout.ms", "6000"},
                                 {"heartbeat.interval.ms", "1000"},
                                 // The mock parks an empty Fetch for the whole wait and
                                 // is not woken by new data: the wait is added to every
                                 // hop at low rates (Kafka itself answers on arrival).
                                 {"fetch.wait.max.ms", "10"},
                                 {"auto.commit.interval.ms", "100"},
                                 {"topic.metadata.refresh.interval.ms", "5000"}});
    } else {
      // A dead member holds its partitions until its session expires:
      // 10 s (Kafka's default is 45 s) bounds that stall for a news pipeline,
      // with heartbeats well inside it.
      props.insert(props.end(), {{"auto.commit.interval.ms", "1000"},
                                 {"session.timeout.ms", "10000"},
                                 {"heartbeat.interval.ms", "3000"}});
    }
  }
  for (const auto& p : o.properties) {
    if (role == ClientRole::kAdmin && (p.first == "transactional.id" || p.first == "enable.idempotence")) continue;
    props.push_back(p);
  }
  for (const auto& [k, v] : props) {
    // Consumer-only or producer-only user properties on the other kind of
    // client would fail; librdkafka ignores those with a warning, so apply all.
    Status s = Set(conf, k, v);
    if (!s.ok()) {
      rd_kafka_conf_destroy(conf);
      return s;
    }
  }
  rd_kafka_conf_set_log_cb(conf, LogCallback);
  rd_kafka_conf_set_error_cb(conf, KafkaErrorCallback);
  BatchThreadsOf(conf);
  return conf;
}

Result<KafkaHandle> NewKafkaClient(const KafkaOptions& o, ClientRole role, const std::string& group,
                                   rd_kafka_conf_t* extra) {
  rd_kafka_conf_t* conf = extra;
  if (conf == nullptr) {
    auto c = NewKafkaConf(o, role, group);
    if (!c.ok()) return c.status();
    conf = *c;
  }
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(role == ClientRole::kConsumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER,
                                conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(std::string("creating kafka client: ") + err);
  }
  return KafkaHandle(rk);
}

}  // namespace newsflow
