#include "newsflow/shutdown.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "newsflow/child_groups.h"
#include "newsflow/thread_name.h"

namespace newsflow {
namespace {

std::atomic<int> g_signals{0};
std::atomic<std::atomic<bool>*> g_stop_flag{nullptr};
std::atomic<int64_t> g_deadline_ms{std::chrono::milliseconds(Shutdown::kDefaultDeadline).count()};
// steady_clock nanoseconds of the first signal; 0 = none yet.
std::atomic<int64_t> g_first_signal_ns{0};

std::mutex& ReportersMutex() {
  static std::mutex m;
  return m;
}
std::map<int, std::function<std::string()>>& Reporters() {
  static std::map<int, std::function<std::string()>> r;
  return r;
}

void OnSignal(int) {
  int n = g_signals.fetch_add(1) + 1;
  if (n == 1) {
    g_first_signal_ns.store(std::chrono::steady_clock::now().time_since_epoch().count());
    if (std::atomic<bool>* stop = g_stop_flag.load()) stop->store(true);
    static const char msg[] =
        "newsflow: stopping (draining); send the signal again to stop at once\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
  }
}

[[noreturn]] void ForceExit(const char* why) {
  spdlog::error("{}: stopping now without draining", why);
  int undelivered = Shutdown::ReportUndelivered();
  if (undelivered == 0)
    spdlog::error("no loop had records in flight (each logged its own counts when it stopped); "
                  "the process was still releasing its Kafka clients");
  // Subprocess stages' programs: their stages' Close, which stops them,
  // does not run now (they outlived the process, orphaned, before).
  if (int groups = SignalChildGroups(SIGKILL); groups > 0)
    spdlog::error("killed the process groups of {} stage program(s)", groups);
  spdlog::default_logger()->flush();
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(Shutdown::kForcedExitCode);
}

void Watchdog() {
  NameThisThread("stop watchdog");
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (g_signals.load() >= 2) ForceExit("second stop signal");
    if (std::chrono::steady_clock::now() > Shutdown::StopBy()) {
      std::string why = fmt::format("stop deadline of {:g} s passed (--stop-timeout)",
                                    static_cast<double>(Shutdown::Deadline().count()) / 1000.0);
      ForceExit(why.c_str());
    }
  }
}

}  // namespace

void Shutdown::Install(std::atomic<bool>* stop, std::chrono::milliseconds deadline) {
  g_stop_flag.store(stop);
  g_deadline_ms.store(deadline.count());
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A closed terminal (an SSH session that dropped) sends SIGHUP, whose
  // default ends the process on the spot: `process` lost its buffered output
  // and left a torn last line. It stops as SIGTERM does, unless it is
  // ignored (nohup): then it stays ignored.
  struct sigaction hup {};
  if (sigaction(SIGHUP, nullptr, &hup) == 0 && hup.sa_handler != SIG_IGN) sigaction(SIGHUP, &sa, nullptr);
  static std::once_flag started;
  std::call_once(started, [] { std::thread(Watchdog).detach(); });
}

bool Shutdown::Forced() { return g_signals.load() >= 2; }

std::chrono::milliseconds Shutdown::Deadline() { return std::chrono::milliseconds(g_deadline_ms.load()); }

std::chrono::steady_clock::time_point Shutdown::StopBy() {
  int64_t first = g_first_signal_ns.load();
  if (first == 0) return std::chrono::steady_clock::time_point::max();
  return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(first)) +
         Deadline();
}

int Shutdown::AddReporter(std::function<std::string()> report) {
  std::lock_guard<std::mutex> lock(ReportersMutex());
  static int next = 0;
  Reporters()[++next] = std::move(report);
  return next;
}

void Shutdown::RemoveReporter(int id) {
  std::lock_guard<std::mutex> lock(ReportersMutex());
  Reporters().erase(id);
}

int Shutdown::ReportUndelivered() {
  std::lock_guard<std::mutex> lock(ReportersMutex());
  int n = 0;
  for (const auto& [id, report] : Reporters()) {
    std::string line = report();
    if (line.empty()) continue;
    spdlog::error("left undelivered: {}", line);
    ++n;
  }
  return n;
}

}  // namespace newsflow
