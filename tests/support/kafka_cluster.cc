#include "support/kafka_cluster.h"

#include <librdkafka/rdkafka.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

namespace newsflow::testing {
namespace {

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a shell command line, capturing stdout+stderr; returns the exit code.
int RunCapture(const std::string& cmd, std::string* output) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = ::pclose(p);
  if (output != nullptr) *output = std::move(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string KafkaScript() { return std::string(NEWSFLOW_SOURCE_DIR) + "/scripts/kafka.sh"; }

KafkaCluster::KafkaCluster(std::string dir, Options options)
    : dir_(std::move(dir)), options_(std::move(options)), owned_(true) {
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  std::vector<std::string> args = {"start", "--nodes", std::to_string(options_.nodes)};
  for (const auto& c : options_.configs) {
    args.push_back("--config");
    args.push_back(c);
  }
  for (const auto& s : options_.scram) {
    args.push_back("--scram");
    args.push_back(s);
  }
  ok_ = Script(args, &error_) == 0;
}

KafkaCluster KafkaCluster::Attach(std::string dir) {
  KafkaCluster c;
  c.dir_ = std::move(dir);
  std::string out;
  c.ok_ = c.Script({"status"}, &out) == 0;
  if (!c.ok_) c.error_ = out;
  std::ifstream env(c.dir_ + "/cluster.env");
  for (std::string line; std::getline(env, line);)
    if (line.rfind("NODES=", 0) == 0) c.options_.nodes = std::stoi(line.substr(6));
  return c;
}

KafkaCluster::KafkaCluster(KafkaCluster&& o) noexcept
    : dir_(std::move(o.dir_)),
      options_(std::move(o.options_)),
      ok_(o.ok_),
      owned_(o.owned_),
      error_(std::move(o.error_)) {
  o.owned_ = false;
}

KafkaCluster::~KafkaCluster() {
  if (owned_) Stop();
}

int KafkaCluster::Script(const std::vector<std::string>& args, std::string* output) const {
  // The tests' broker JVM options (tests/CMakeLists.txt), unless the
  // environment gives its own.
  std::string cmd = "KAFKA_JVM_PERFORMANCE_OPTS=\"${KAFKA_JVM_PERFORMANCE_OPTS-" +
                    std::string(NEWSFLOW_TEST_KAFKA_JVM_OPTS) + "}\" " + Quote(KafkaScript());
  cmd += " " + Quote(args.at(0));
  if (args[0] == "tool") {
    for (size_t i = 1; i < args.size(); ++i) cmd += " " + Quote(args[i]);
  } else {
    cmd += " --dir " + Quote(dir_);
    for (size_t i = 1; i < args.size(); ++i) cmd += " " + Quote(args[i]);
  }
  return RunCapture(cmd, output);
}

std::string KafkaCluster::Bootstrap() const {
  std::ifstream env(dir_ + "/cluster.env");
  for (std::string line; std::getline(env, line);)
    if (line.rfind("BOOTSTRAP=", 0) == 0) return line.substr(10);
  return "";
}

std::string KafkaCluster::ExtraBootstrap() const {
  std::ifstream env(dir_ + "/cluster.env");
  for (std::string line; std::getline(env, line);) {
    if (line.rfind("XPORTS=(", 0) != 0) continue;
    std::istringstream ports(line.substr(8, line.find(')') - 8));
    std::string out;
    for (std::string p; ports >> p;) out += (out.empty() ? "" : ",") + std::string("127.0.0.1:") + p;
    return out;
  }
  return "";
}

bool KafkaCluster::Kill(int node) { return Script({"kill", "--node", std::to_string(node)}, nullptr) == 0; }

bool KafkaCluster::Restart(int node) {
  return Script({"restart", "--node", std::to_string(node)}, &error_) == 0;
}

bool KafkaCluster::Stop() { return Script({"stop"}, nullptr) == 0; }

pid_t KafkaCluster::Pid(int node) const {
  std::ifstream f(dir_ + "/node-" + std::to_string(node) + "/pid");
  pid_t pid = -1;
  f >> pid;
  return pid;
}

int KafkaCluster::Tool(const std::vector<std::string>& args, std::string* output) const {
  std::vector<std::string> a = {"tool"};
  a.insert(a.end(), args.begin(), args.end());
  return Script(a, output);
}

namespace {

// A librdkafka client of the cluster (for admin requests and metadata):
// asking it is milliseconds, where a Kafka tool is a JVM (seconds each on a
// loaded 2-core machine, for every topic of every test).
struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

Handle AdminClient(const std::string& bootstrap, std::string* error) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    *error = err;
    return nullptr;
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    *error = err;
  }
  return Handle(rk);
}

}  // namespace

bool KafkaCluster::CreateTopic(const std::string& topic, int partitions, int replication_factor,
                               const std::vector<std::string>& configs) {
  Handle rk = AdminClient(Bootstrap(), &error_);
  if (!rk) return false;
  char err[512];
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, err, sizeof err);
  if (nt == nullptr) {
    error_ = err;
    return false;
  }
  for (const auto& c : configs) {
    size_t eq = c.find('=');
    if (eq == std::string::npos ||
        rd_kafka_NewTopic_set_config(nt, c.substr(0, eq).c_str(), c.substr(eq + 1).c_str()) != 0) {
      rd_kafka_NewTopic_destroy(nt);
      error_ = "bad topic config '" + c + "'";
      return false;
    }
  }
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk.get());
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(opts, 60000, err, sizeof err);
  rd_kafka_AdminOptions_set_operation_timeout(opts, 60000, err, sizeof err);
  // One request; its error code (the topic's, or the request's) and why.
  auto attempt = [&](std::string* why) {
    rd_kafka_CreateTopics(rk.get(), &nt, 1, opts, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 90000);
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
    *why = "no answer in 90 s";
    if (ev != nullptr && rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      e = rd_kafka_event_error(ev);
      *why = rd_kafka_event_error_string(ev);
    } else if (ev != nullptr) {
      size_t n = 0;
      const rd_kafka_topic_result_t** res =
          rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
      e = n == 1 ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR__FAIL;
      const char* msg = n == 1 ? rd_kafka_topic_result_error_string(res[0]) : nullptr;
      *why = msg != nullptr ? msg : rd_kafka_err2str(e);
    }
    if (ev != nullptr) rd_kafka_event_destroy(ev);
    return e;
  };
  // A node that has just started may not count yet for the replication
  // factor, or the controller may be moving: such answers are asked again
  // for up to 30 s (kafka-topics, one JVM a try, was slow enough never to
  // meet them).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  rd_kafka_resp_err_t e;
  std::string why;
  while (true) {
    e = attempt(&why);
    const bool transient = e == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR ||
                           e == RD_KAFKA_RESP_ERR_NOT_CONTROLLER || e == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
                           e == RD_KAFKA_RESP_ERR__TRANSPORT || e == RD_KAFKA_RESP_ERR__TIMED_OUT;
    if (!transient || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // As kafka-topics --create --if-not-exists: an existing topic is fine.
  const bool ok = e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
  if (!ok) error_ = "CreateTopics " + topic + ": " + why;
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  return ok;
}

int KafkaCluster::Leader(const std::string& topic, int partition) const {
  std::string error;
  Handle rk = AdminClient(Bootstrap(), &error);
  if (!rk) return -1;
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  int leader = -1;
  if (rd_kafka_metadata(rk.get(), 0, t, &md, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < md->topic_cnt; ++i)
      for (int p = 0; p < md->topics[i].partition_cnt; ++p)
        if (md->topics[i].partitions[p].id == partition && md->topics[i].partitions[p].err == 0)
          leader = md->topics[i].partitions[p].leader;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(t);
  return leader;
}

int KafkaCluster::ActiveController() const {
  std::string out;
  if (Tool({"metadata-quorum", "--bootstrap-server", Bootstrap(), "describe", "--status"}, &out) != 0)
    return -1;
  std::regex row("LeaderId:\\s*(-?\\d+)");
  std::smatch m;
  return std::regex_search(out, m, row) ? std::stoi(m[1]) : -1;
}

}  // namespace newsflow::testing
