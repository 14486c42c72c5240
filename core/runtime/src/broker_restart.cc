#include "newsflow/broker_restart.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace newsflow {
namespace {

struct BootstrapLines {
  std::string bootstrap, incarnation;
  bool exists = false;
};

BootstrapLines ReadBootstrap(const std::string& path) {
  BootstrapLines b;
  std::ifstream in(path);
  if (!in) return b;
  b.exists = true;
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "bootstrap") b.bootstrap = v;
    if (k == "incarnation") b.incarnation = v;
  }
  return b;
}

}  // namespace

std::string NewBrokerIncarnation() {
  std::random_device rd;
  std::mt19937_64 g((static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                    static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(g()),
                static_cast<unsigned long long>(g()));
  return buf;
}

std::string LedgerDir(const std::string& bootstrap_file) { return bootstrap_file + ".ledger"; }

std::string PrepareLedgers(const std::string& bootstrap_file) {
  std::string previous = ReadBootstrap(bootstrap_file).incarnation;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(LedgerDir(bootstrap_file), ec)) {
    if (e.path().filename().string() != previous) std::filesystem::remove_all(e.path(), ec);
  }
  return previous;
}

BrokerMonitor& BrokerMonitor::Get() {
  static BrokerMonitor monitor;
  return monitor;
}

BrokerMonitor::~BrokerMonitor() {
  stop_ = true;
  if (thread_) thread_->join();
}

void BrokerMonitor::Watch(const std::string& bootstrap_file, const std::string& incarnation) {
  std::lock_guard<std::mutex> lock(mu_);
  file_ = bootstrap_file;
  incarnation_ = incarnation;
  new_incarnation_.clear();
  acked_ends_.clear();
  acked_count_ = 0;
  restarted_.store(false, std::memory_order_release);
  watching_.store(!incarnation.empty(), std::memory_order_release);
  if (!thread_ && !incarnation.empty()) thread_ = std::make_unique<std::thread>([this] { Loop(); });
}

std::string BrokerMonitor::incarnation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return incarnation_;
}

std::string BrokerMonitor::new_incarnation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return new_incarnation_;
}

std::string BrokerMonitor::bootstrap_file() const {
  std::lock_guard<std::mutex> lock(mu_);
  return file_;
}

void BrokerMonitor::NoteAcked(const char* topic, int32_t partition, int64_t offset) {
  if (!watching_.load(std::memory_order_relaxed) || topic == nullptr || offset < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (restarted_.load(std::memory_order_relaxed)) return;  // the ledger is written
  int64_t& end = acked_ends_[{topic, partition}];
  end = std::max(end, offset + 1);
  ++acked_count_;
}

int64_t BrokerMonitor::AckedCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acked_count_;
}

void BrokerMonitor::SaveLedger() {
  if (!watching_.load() || restarted_.load()) return;
  WriteLedger(incarnation(), false);
}

void BrokerMonitor::Loop() {
  while (!stop_.load()) {
    std::this_thread::sleep_for(kPollInterval);
    if (!watching_.load() || restarted_.load()) continue;
    std::string file, inc;
    {
      std::lock_guard<std::mutex> lock(mu_);
      file = file_;
      inc = incarnation_;
    }
    BootstrapLines b = ReadBootstrap(file);
    if (!b.exists || b.incarnation.empty() || b.incarnation == inc) continue;
    // Acks the dead broker sent before it died were read by the clients'
    // threads long ago; give their callbacks a moment to be served anyway.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    WriteLedger(inc, true);
    {
      std::lock_guard<std::mutex> lock(mu_);
      new_incarnation_ = b.incarnation;
      detected_at_ = std::chrono::steady_clock::now();
      restarted_.store(true, std::memory_order_release);
    }
    spdlog::error("embedded broker restarted: {} now names a new broker at {} (incarnation {}, was "
                  "{}); the old one and everything it held (topics, records, committed offsets) "
                  "are gone. Stages, sinks and watch follow the new broker; records it held that were not "
                  "finished are reported as LOST. For durability run a real broker "
                  "(scripts/kafka.sh) and pass --brokers",
                  file, b.bootstrap, b.incarnation, inc);
  }
}

void BrokerMonitor::WriteLedger(const std::string& incarnation, bool after_restart) {
  std::map<std::pair<std::string, int32_t>, int64_t> ends;
  std::string file;
  int64_t count = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ends = acked_ends_;
    file = file_;
    count = acked_count_;
  }
  if (ends.empty()) return;  // this process wrote nothing to the old broker
  std::string dir = LedgerDir(file) + "/" + incarnation;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string path = dir + "/" + std::to_string(getpid()) + ".acked";
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [tp, end] : ends) out << tp.first << ' ' << tp.second << ' ' << end << '\n';
    if (!out.flush()) {
      spdlog::error("cannot write the broker ledger {}: readers will undercount the loss", tmp);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) spdlog::error("cannot rename {} to {}: {}", tmp, path, ec.message());
  if (after_restart) {
    spdlog::warn("the restarted broker had acknowledged {} record(s) from this process; the ones "
                 "not finished downstream are lost (their readers report them); ledger {}",
                 count, path);
  } else {
    spdlog::debug("{} record(s) acknowledged by the embedded broker: ledger {}", count, path);
  }
}

std::map<int32_t, int64_t> BrokerMonitor::AckedEnds(const std::string& topic) {
  std::string file, inc;
  std::chrono::steady_clock::time_point at;
  {
    std::lock_guard<std::mutex> lock(mu_);
    file = file_;
    inc = incarnation_;
    at = detected_at_;
  }
  std::this_thread::sleep_until(at + kLedgerGrace);
  std::map<int32_t, int64_t> ends;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(LedgerDir(file) + "/" + inc, ec)) {
    if (e.path().extension() != ".acked") continue;
    std::ifstream in(e.path());
    std::string t;
    int32_t p = 0;
    int64_t end = 0;
    while (in >> t >> p >> end) {
      if (t == topic) ends[p] = std::max(ends[p], end);
    }
  }
  return ends;
}

}  // namespace newsflow
