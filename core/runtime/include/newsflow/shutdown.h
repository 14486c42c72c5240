// Shutdown: a bounded stop for every newsflow process.
//
// The first SIGINT/SIGTERM (or SIGHUP, a closed terminal, unless it is
// ignored as under nohup) sets the process's stop flag: every loop sees it,
// drains (delivers what is in flight, commits, leaves the group) and returns.
// The drain is bounded: a second SIGINT/SIGTERM, or the stop deadline
// (--stop-timeout, default 30 s) passing, ends the process at once with
// exit code kForcedExitCode, after logging what each registered reporter says
// it leaves undelivered. Code that can block inside librdkafka (a broker that
// is gone) therefore cannot keep a process alive past the deadline.
//
// Thread-safety: every function may be called from any thread; the signal
// handler only touches lock-free atomics.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

namespace newsflow {

class Shutdown {
 public:
  // Exit code of a process ended by a second signal or by the stop deadline.
  static constexpr int kForcedExitCode = 4;
  static constexpr std::chrono::seconds kDefaultDeadline{30};

  // Installs the SIGINT/SIGTERM/SIGHUP handlers and the watchdog thread. `stop` is
  // set by the first signal; `deadline` counts from it.
  static void Install(std::atomic<bool>* stop, std::chrono::milliseconds deadline);

  // Whether a second signal asked to stop at once.
  static bool Forced();
  // When the watchdog ends the process; time_point::max() until a stop signal
  // (or when Install was not called: tests, libraries).
  static std::chrono::steady_clock::time_point StopBy();
  static std::chrono::milliseconds Deadline();

  // Something that can say, from any thread, what it has not delivered yet
  // ("" when nothing). Reported when the process is ended by force.
  static int AddReporter(std::function<std::string()> report);
  static void RemoveReporter(int id);

  // Logs every reporter's line (used by the watchdog; exposed for tests).
  static int ReportUndelivered();
};

}  // namespace newsflow
