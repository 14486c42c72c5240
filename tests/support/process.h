// Test support: run newsflow as real OS processes and wait on what they write.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace newsflow::testing {

// The newsflow executable in the build tree.
std::string NewsflowBinary();

// A child process with stdout+stderr sent to `log_path` and stdin read from
// `stdin_path` (opened read-only: a directory gives read errors). Killed
// (SIGKILL) on destruction if still running.
class Process {
 public:
  Process(std::vector<std::string> args, std::string log_path,
          std::map<std::string, std::string> env = {}, const std::string& stdin_path = "/dev/null");
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for exit; returns the exit status (128+signal when killed), -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  bool Running();
  std::string Log() const;
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

// Polls `pred` every 50 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

std::string ReadFile(const std::string& path);

// Writes `text` into the named pipe `path` from a new thread, once `delay` has
// passed and a reader has opened the pipe, then closes it. Gives up after
// 10 s without a reader, so a reader that refused the pipe fails its test
// instead of hanging it in join().
std::thread WriteToPipeWhenRead(const std::string& path, std::string text,
                                std::chrono::milliseconds delay = std::chrono::milliseconds(0));
// The complete (newline-terminated) non-empty lines of a file.
std::vector<std::string> ReadLines(const std::string& path);

// A fresh directory under the build tree for one test's files.
std::string MakeTempDir(const std::string& name);

// tests/unit/feeds/feed_server.py serving the files of `root` on a free
// loopback port, logging to `log`. Sets `port` once it listens ("" when it
// did not start within 10 s).
std::unique_ptr<Process> StartFeedServer(const std::string& root, const std::string& log,
                                         std::string& port);

}  // namespace newsflow::testing
