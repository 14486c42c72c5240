// FreePort (tests/support) picks the ports of processes a test starts later
// (metrics, Prometheus, Kafka nodes). A port from the kernel's own range
// could be taken meanwhile as any outgoing connection's local port: a
// clean-clone run's dashboard test lost its producer's metrics port so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "support/http_client.h"

namespace newsflow::testing {
namespace {

TEST(FreePortTest, PicksBelowTheRangeTheKernelHandsOut) {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0, high = 0;
  if (!(range >> low >> high) || low < 21000) GTEST_SKIP() << "no room below ip_local_port_range";
  std::set<int> seen;
  for (int i = 0; i < 50; ++i) {
    int port = FreePort();
    EXPECT_GE(port, 20000);
    EXPECT_LT(port, low) << "inside ip_local_port_range " << low << "-" << high;
    seen.insert(port);
  }
  // Random, so two tests running at once rarely pick the same.
  EXPECT_GT(seen.size(), 40u);
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Two tests that pick at the same moment must not get the same port: only
// one of their processes could bind it (a Kafka node of one test found its
// port taken so under ctest -j2). A narrow range makes a repeat all but
// certain for random picks that are merely free: 16 ports, 8 taken by this
// process's FreePort and 8 by scripts/free_ports.py, interleaved, each
// returned port closed again at once, as a test does before its process
// starts.
TEST(FreePortTest, NoTwoPickersGetTheSamePort) {
  namespace fs = std::filesystem;
  const fs::path claims = fs::temp_directory_path() /
                          ("free-port-test-" + std::to_string(getpid()));
  fs::remove_all(claims);
  std::mt19937 rng(std::random_device{}());
  const int low = std::uniform_int_distribution<int>(20000, 30000)(rng);
  ScopedEnv range("NEWSFLOW_PORT_RANGE", std::to_string(low) + "-" + std::to_string(low + 15));
  ScopedEnv dir("NEWSFLOW_PORT_CLAIMS", claims.string());
  const std::string script =
      std::string("python3 '") + NEWSFLOW_SOURCE_DIR + "/scripts/free_ports.py' 1";
  std::multiset<int> got;
  int in_range = 0;
  for (int i = 0; i < 8; ++i) {
    int ports[2] = {FreePort(), 0};
    FILE* p = popen(script.c_str(), "r");
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(std::fscanf(p, "%d", &ports[1]), 1);
    ASSERT_EQ(pclose(p), 0);
    for (int port : ports) {
      got.insert(port);
      in_range += port >= low && port <= low + 15;
    }
  }
  fs::remove_all(claims);
  for (int port : got) EXPECT_EQ(got.count(port), 1u) << "port " << port << " handed out twice";
  // A port of the range that something else on the machine holds is
  // skipped (the kernel's choice then fills in), never most of them.
  EXPECT_GE(in_range, 12) << "picked outside NEWSFLOW_PORT_RANGE";
}

}  // namespace
}  // namespace newsflow::testing
