#include "newsflow/child_groups.h"

#include <signal.h>

#include <mutex>
#include <set>

namespace newsflow {
namespace {

std::mutex& GroupsMutex() {
  static std::mutex m;
  return m;
}
std::set<pid_t>& Groups() {
  static std::set<pid_t> g;
  return g;
}

}  // namespace

void RegisterChildGroup(pid_t pgid) {
  std::lock_guard<std::mutex> lock(GroupsMutex());
  Groups().insert(pgid);
}

void UnregisterChildGroup(pid_t pgid) {
  std::lock_guard<std::mutex> lock(GroupsMutex());
  Groups().erase(pgid);
}

int SignalChildGroups(int sig) {
  std::lock_guard<std::mutex> lock(GroupsMutex());
  for (pid_t g : Groups()) kill(-g, sig);
  return static_cast<int>(Groups().size());
}

}  // namespace newsflow
