// FreePort (tests/support) picks the ports of processes a test starts later
// (metrics, Prometheus, Kafka nodes). A port from the kernel's own range
// could be taken meanwhile as any outgoing connection's local port: a
// clean-clone run's dashboard test lost its producer's metrics port so.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

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

}  // namespace
}  // namespace newsflow::testing
