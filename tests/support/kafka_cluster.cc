#include "support/kafka_cluster.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

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
  std::string cmd = Quote(KafkaScript());
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

bool KafkaCluster::CreateTopic(const std::string& topic, int partitions, int replication_factor,
                               const std::vector<std::string>& configs) {
  std::vector<std::string> args = {"topics", "--bootstrap-server", Bootstrap(), "--create",
                                   "--if-not-exists", "--topic", topic, "--partitions",
                                   std::to_string(partitions), "--replication-factor",
                                   std::to_string(replication_factor)};
  for (const auto& c : configs) {
    args.push_back("--config");
    args.push_back(c);
  }
  return Tool(args, &error_) == 0;
}

int KafkaCluster::Leader(const std::string& topic, int partition) const {
  std::string out;
  if (Tool({"topics", "--bootstrap-server", Bootstrap(), "--describe", "--topic", topic}, &out) != 0)
    return -1;
  std::regex row("Partition:\\s*" + std::to_string(partition) + "\\s+Leader:\\s*(-?\\d+)");
  std::smatch m;
  return std::regex_search(out, m, row) ? std::stoi(m[1]) : -1;
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
