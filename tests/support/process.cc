#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace newsflow::testing {

std::string NewsflowBinary() {
  const char* dir = std::getenv("NEWSFLOW_TEST_BINARY_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/app/newsflow";
}

Process::Process(std::vector<std::string> args, std::string log_path,
                 std::map<std::string, std::string> env, const std::string& stdin_path)
    : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int in = open(stdin_path.c_str(), O_RDONLY);
    if (in >= 0) dup2(in, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
}

Process::~Process() {
  if (Running()) {
    Signal(SIGKILL);
    Wait(std::chrono::seconds(10));
  }
}

void Process::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

bool Process::Running() {
  if (pid_ <= 0 || status_ != -1) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return false;
}

int Process::Wait(std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() > end) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

std::string Process::Log() const { return ReadFile(log_path_); }

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  // Only complete lines: a writer may be in the middle of the last one.
  std::vector<std::string> out;
  std::string all = ReadFile(path);
  size_t start = 0;
  for (size_t nl = all.find('\n'); nl != std::string::npos; nl = all.find('\n', start)) {
    if (nl > start) out.push_back(all.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string MakeTempDir(const std::string& name) {
  const char* dir = std::getenv("NEWSFLOW_TEST_BINARY_DIR");
  std::filesystem::path p = std::filesystem::path(dir != nullptr ? dir : "/tmp") / "test-tmp" /
                            (name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

std::unique_ptr<Process> StartFeedServer(const std::string& root, const std::string& log,
                                         std::string& port) {
  port.clear();
  auto server = std::make_unique<Process>(
      std::vector<std::string>{"/usr/bin/python3",
                               std::string(NEWSFLOW_SOURCE_DIR) + "/tests/unit/feeds/feed_server.py",
                               root, "0"},
      log);
  WaitFor([&] {
    std::string text = ReadFile(log);
    size_t at = text.find("PORT ");
    if (at == std::string::npos || text.find('\n', at) == std::string::npos) return false;
    port = text.substr(at + 5, text.find('\n', at) - at - 5);
    return true;
  }, std::chrono::seconds(10));
  return server;
}

std::thread WriteToPipeWhenRead(const std::string& path, std::string text,
                                std::chrono::milliseconds delay) {
  return std::thread([path, text = std::move(text), delay] {
    std::this_thread::sleep_for(delay);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int fd = -1;
    // ENXIO: no reader yet (a blocking open would wait for one for ever).
    while ((fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 && errno == ENXIO &&
           std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (fd < 0) return;
    fcntl(fd, F_SETFL, 0);  // blocking writes from here
    for (size_t at = 0; at < text.size();) {
      const ssize_t n = write(fd, text.data() + at, text.size() - at);
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
    close(fd);
  });
}

}  // namespace newsflow::testing
