#include "support/real_kafka.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>

#include "support/process.h"

namespace newsflow::testing {
namespace {

std::mutex g_mu;
std::unique_ptr<KafkaCluster> g_cluster;
std::string g_owned_dir;  // set when this binary started the cluster

// Stops a cluster this binary started, once every test has run.
class RealKafkaEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    std::lock_guard<std::mutex> lock(g_mu);
    g_cluster.reset();  // an owned cluster stops (SIGTERM, then SIGKILL)
    if (!g_owned_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(g_owned_dir, ec);
    }
  }
};

[[maybe_unused]] ::testing::Environment* const g_environment =
    ::testing::AddGlobalTestEnvironment(new RealKafkaEnvironment);

}  // namespace

KafkaCluster& SharedRealKafka() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_cluster) {
    const char* dir = std::getenv(kRealKafkaDirEnv);
    if (dir != nullptr && *dir != '\0') {
      g_cluster = std::make_unique<KafkaCluster>(KafkaCluster::Attach(dir));
    } else {
      g_owned_dir = MakeTempDir("real-kafka");
      g_cluster = std::make_unique<KafkaCluster>(g_owned_dir, KafkaCluster::Options{});
    }
  }
  return *g_cluster;
}

std::string UniqueNamespace() {
  static std::atomic<int> n{0};
  std::string name = "t";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) name = info->name();
  std::string ns;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    ns += ok ? c : '-';
  }
  if (ns.size() > 60) ns.resize(60);
  return ns + "-" + std::to_string(getpid()) + "-" + std::to_string(n++);
}

}  // namespace newsflow::testing
