// A Stage that hands each record to a child process over pipes (protocol in
// plugin_stages.h). One record in flight at a time: the runner calls Process
// per record, and a reply is matched to its request by the echoed id.
#include <fcntl.h>
#include <poll.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "newsflow/child_groups.h"
#include "newsflow/codec.h"
#include "newsflow/health.h"
#include "newsflow/json_text.h"
#include "newsflow/plugin_stages.h"

extern char** environ;

namespace newsflow {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxLineBytes = 64 * 1024 * 1024;
// The longest timeout_ms and start_timeout_ms: a day (a deadline further off
// would overflow the clock's arithmetic and time out at once).
constexpr int64_t kMaxWaitMs = 24LL * 3600 * 1000;

std::string Truncated(std::string_view s, size_t n = 160) {
  std::string out(s.substr(0, n));
  if (s.size() > n) out += "...";
  return out;
}

std::string DescribeWait(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

class SubprocessStage final : public Stage {
 public:
  SubprocessStage(std::string name, std::vector<std::string> argv,
                  std::map<std::string, std::string> env)
      : name_(std::move(name)), argv_(std::move(argv)), env_(std::move(env)) {}
  ~SubprocessStage() override {
    StopWatcher();
    std::lock_guard<std::mutex> lock(mu_);
    Stop(std::chrono::milliseconds(0));
    if (ready_ != nullptr) board_->Drop(*ready_);
  }

  Status Open(StageContext& ctx) override {
    // A missing program or script would dead-letter every record: refuse now.
    Status files = CheckCommandFiles(argv_);
    if (!files.ok()) return files;
    timeout_ = std::chrono::milliseconds(ctx.settings.GetInt("timeout_ms"));
    start_allowance_ = std::chrono::milliseconds(ctx.settings.GetInt("start_timeout_ms"));
    if (timeout_.count() <= 0 || start_allowance_.count() < 0)
      return Status::InvalidArgument("stage " + name_ +
                                     ": timeout_ms must be > 0 and start_timeout_ms >= 0");
    auto& restarts =
        prometheus::BuildCounter()
            .Name("newsflow_subprocess_restarts_total")
            .Help("Times a subprocess stage's program was (re)started after it died or timed out")
            .Register(ctx.metrics);
    restarts_ = &restarts.Add({{"stage", name_}});
    auto& timeouts = prometheus::BuildCounter()
                         .Name("newsflow_subprocess_timeouts_total")
                         .Help("Records a subprocess stage did not answer within timeout_ms")
                         .Register(ctx.metrics);
    timeouts_ = &timeouts.Add({{"stage", name_}});
    // /readyz says not ready while the program is down (Watch).
    board_ = &HealthBoard::For(ctx.metrics);
    ready_ = &board_->Add("stage " + name_ + " program");
    {
      std::lock_guard<std::mutex> lock(mu_);
      NEWSFLOW_RETURN_IF_ERROR(Spawn());
    }
    watcher_ = std::thread([this] { Watch(); });
    return Status::OK();
  }

  Result<Outcome> Process(Article& a) override {
    std::lock_guard<std::mutex> lock(mu_);
    request_.clear();
    const uint64_t id = ++next_id_;
    request_ += "{\"id\":";
    request_ += std::to_string(id);
    request_ += ",\"record\":";
    Codec::Encode(a, request_);
    request_ += "}\n";
    std::string failure;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (pid_ <= 0) {
        Status s = Restart();
        if (!s.ok()) {
          failure = s.message();
          continue;
        }
      }
      // The first record after a start also waits for the program to load
      // (an interpreter, a model), which is not the record's fault.
      auto deadline = Clock::now() + timeout_ +
                      (answered_since_start_ ? std::chrono::milliseconds(0) : start_allowance_);
      Exchange r = Send(id, deadline);
      switch (r.kind) {
        case Exchange::kReply:
          answered_since_start_ = true;
          MarkUpIfStarted();
          return Apply(a);
        case Exchange::kGarbage:
          return Status::Corrupt("stage program wrote an invalid result line: " + r.detail);
        case Exchange::kTimeout:
          timeouts_->Increment();
          spdlog::warn("stage {}: no result for record {} within {} ms; restarting the program",
                       name_, a.id, timeout_.count());
          Stop(std::chrono::milliseconds(0));
          return Status::Timeout("no result within " + std::to_string(timeout_.count()) + " ms");
        case Exchange::kDied:
          failure = r.detail;
          spdlog::warn("stage {}: program {} while processing record {}{}", name_, r.detail, a.id,
                       attempt == 0 ? "; restarting and retrying it" : "");
          break;
      }
    }
    return Status::Unavailable("stage program " + failure +
                               " while processing this record (tried twice)");
  }

  Status Close() override {
    StopWatcher();
    std::lock_guard<std::mutex> lock(mu_);
    Stop(std::chrono::milliseconds(2000));
    return Status::OK();
  }

 private:
  struct Exchange {
    enum Kind { kReply, kGarbage, kTimeout, kDied } kind = kReply;
    std::string detail;
  };

  Status Spawn() {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
      return Status::Unavailable(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group, so a kill reaches a shell wrapper's children too;
    // default signal handling, so SIGPIPE etc. behave as the program expects.
    sigset_t all;
    sigfillset(&all);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view kv(*e);
      std::string key(kv.substr(0, kv.find('=')));
      if (env_.count(key) == 0 && key != "NEWSFLOW_STAGE") env_strings.emplace_back(kv);
    }
    for (const auto& [k, v] : env_) env_strings.push_back(k + "=" + v);
    env_strings.push_back("NEWSFLOW_STAGE=" + name_);
    std::vector<char*> envp, argv;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (auto& s : argv_) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
      answered_since_start_ = false;  // restarts back off while it cannot start
      close(in[1]);
      close(out[0]);
      close(err[0]);
      return Status::Unavailable("cannot start '" + argv_[0] + "': " + std::strerror(rc));
    }
    pid_ = pid;
    RegisterChildGroup(pid_);  // its group: posix_spawnattr_setpgroup(0)
    to_child_ = in[1];
    from_child_ = out[0];
    child_err_ = err[0];
    for (int fd : {to_child_, from_child_, child_err_})
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    out_buf_.clear();
    discarding_line_ = false;
    err_buf_.clear();
    answered_since_start_ = false;
    spdlog::info("stage {}: started '{}' (pid {})", name_, argv_[0], pid_);
    started_at_ = Clock::now();
    if (ready_ != nullptr) ready_->Set(false, "starting (pid " + std::to_string(pid_) + ")");
    return Status::OK();
  }

  // Back off when the program keeps dying before it answers anything (a
  // broken install, a crash at start); one that served records restarts at once.
  std::chrono::milliseconds NextBackoff() {
    if (answered_since_start_) {
      quick_restarts_ = 0;
      return std::chrono::milliseconds(0);
    }
    quick_restarts_ = std::min(quick_restarts_ + 1, 6);
    return std::chrono::milliseconds(50 << quick_restarts_);
  }

  Status Restart() {
    std::this_thread::sleep_for(NextBackoff());
    restarts_->Increment();
    return Spawn();
  }

  // Between records (mu_ free), notices at once when the program dies (a
  // SIGKILL, the OOM killer, a crash of its own): reaps it, so no zombie
  // stays behind, reports not ready, and starts it again (with the same
  // backoff as Restart), so the stage is ready again without waiting for a
  // record. Also passes on what the program writes to stderr meanwhile.
  void Watch() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!closing_) {
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      if (closing_) break;
      if (pid_ > 0) {
        int status = 0;
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == 0) {
          DrainStderr();
          MarkUpIfStarted();
          continue;
        }
        const pid_t old = pid_;
        std::string how = r == pid_ ? DescribeWait(status) : "is gone";
        Release(true, &status);
        spdlog::warn("stage {}: program (pid {}) {} between records; starting it again", name_,
                     old, how);
        ready_->Set(false, "program (pid " + std::to_string(old) + ") " + how +
                               "; starting it again");
      }
      // Down (died, timed out, or failed to start): start it again.
      auto delay = NextBackoff();
      cv_.wait_for(lock, delay, [this] { return closing_ || pid_ > 0; });
      if (closing_ || pid_ > 0) continue;
      restarts_->Increment();
      Status s = Spawn();
      if (!s.ok()) {
        spdlog::warn("stage {}: {}", name_, s.message());
        ready_->Set(false, s.message());
      }
    }
  }

  // A started program counts as up once it answered a record or stayed alive
  // for kStartedAfter (one that dies as it starts never looks ready).
  static constexpr std::chrono::milliseconds kStartedAfter{1000};
  void MarkUpIfStarted() {
    if (ready_ == nullptr || ready_->up() || pid_ <= 0) return;
    if (answered_since_start_ || Clock::now() - started_at_ >= kStartedAfter)
      ready_->Set(true, "running (pid " + std::to_string(pid_) + ")");
  }

  void StopWatcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    if (watcher_.joinable()) watcher_.join();
  }

  // Closes the pipes and reaps the child: after `grace` for it to exit by
  // itself (stdin closed), else SIGKILL to its process group.
  void Stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return;
    if (to_child_ >= 0) close(to_child_);
    to_child_ = -1;
    int status = 0;
    auto deadline = Clock::now() + grace;
    bool reaped = false;
    while (true) {
      DrainStderr();
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || r < 0) {
        reaped = true;
        break;
      }
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Release(reaped, &status);
  }

  // Reaps a child whose stdout closed; describes how it ended.
  std::string Reap() {
    int status = 0;
    close(to_child_);
    to_child_ = -1;
    // stdout closed: it is exiting; give it a moment, then make sure.
    auto deadline = Clock::now() + std::chrono::milliseconds(500);
    pid_t r = 0;
    while ((r = waitpid(pid_, &status, WNOHANG)) == 0 && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    Release(r != 0, &status);
    return DescribeWait(status);
  }

  // Ends the child for good: kills its process group unless it was already
  // reaped, keeps what it still had to say on stderr, closes the pipes.
  void Release(bool reaped, int* status) {
    if (!reaped) {
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
      waitpid(pid_, status, 0);
    }
    DrainStderr();
    FlushStderr();
    close(from_child_);
    close(child_err_);
    from_child_ = child_err_ = -1;
    UnregisterChildGroup(pid_);
    pid_ = -1;
    if (ready_ != nullptr) ready_->Set(false, "program not running");
  }

  void DrainStderr() {
    if (child_err_ < 0) return;
    char buf[4096];
    while (true) {
      ssize_t n = read(child_err_, buf, sizeof buf);
      if (n <= 0) break;
      err_buf_.append(buf, static_cast<size_t>(n));
    }
    size_t start = 0, nl;
    while ((nl = err_buf_.find('\n', start)) != std::string::npos) {
      spdlog::info("stage {} [stderr]: {}", name_,
                   std::string_view(err_buf_).substr(start, nl - start));
      start = nl + 1;
    }
    err_buf_.erase(0, start);
    if (err_buf_.size() > 64 * 1024) FlushStderr();
  }

  void FlushStderr() {
    if (!err_buf_.empty()) spdlog::info("stage {} [stderr]: {}", name_, err_buf_);
    err_buf_.clear();
  }

  // Writes request_ and waits for the result line of `id`.
  Exchange Send(uint64_t id, Clock::time_point deadline) {
    size_t written = 0;
    while (true) {
      // A complete line already buffered?
      size_t nl;
      while ((nl = out_buf_.find('\n')) != std::string::npos) {
        line_.assign(out_buf_, 0, nl);
        out_buf_.erase(0, nl + 1);
        if (line_.find_first_not_of(" \t\r") == std::string::npos) continue;
        int64_t got = ParseReply();
        if (got < 0) return {Exchange::kGarbage, Truncated(line_)};
        if (static_cast<uint64_t>(got) == id) {
          if (written < request_.size())
            return {Exchange::kGarbage, "result before the whole request was read"};
          return {Exchange::kReply, ""};
        }
        if (static_cast<uint64_t>(got) > id)
          return {Exchange::kGarbage, "unknown id " + std::to_string(got)};
        // A late answer to a record already given up on (garbage/timeout): skip.
        spdlog::warn("stage {}: ignoring a late result for request {}", name_, got);
      }
      if (out_buf_.size() > kMaxLineBytes) {
        // The rest of that line is still coming: it is skipped as it arrives,
        // not read as the next record's result.
        out_buf_.clear();
        discarding_line_ = true;
        return {Exchange::kGarbage, "result line over 64 MiB"};
      }
      auto now = Clock::now();
      if (now >= deadline) return {Exchange::kTimeout, ""};
      pollfd fds[3] = {{from_child_, POLLIN, 0}, {child_err_, POLLIN, 0}, {to_child_, POLLOUT, 0}};
      nfds_t n = written < request_.size() ? 3 : 2;
      int ms = static_cast<int>(
                   std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) +
               1;
      int rc = poll(fds, n, ms);
      if (rc < 0 && errno != EINTR)
        return {Exchange::kDied, std::string("poll: ") + std::strerror(errno)};
      if (rc <= 0) continue;
      if (fds[1].revents != 0) DrainStderr();
      if (n == 3 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t w = write(to_child_, request_.data() + written, request_.size() - written);
        if (w > 0) {
          written += static_cast<size_t>(w);
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
          return {Exchange::kDied, Reap()};  // EPIPE: it closed stdin or died
        }
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[65536];
        ssize_t r = read(from_child_, buf, sizeof buf);
        if (r > 0) {
          AppendOutput(std::string_view(buf, static_cast<size_t>(r)));
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
          return {Exchange::kDied, Reap()};
        }
      }
    }
  }

  // Bytes read from the program's stdout; while the tail of an over-long line
  // is being skipped, everything up to and including its newline goes.
  void AppendOutput(std::string_view bytes) {
    if (discarding_line_) {
      size_t nl = bytes.find('\n');
      if (nl == std::string_view::npos) return;
      bytes.remove_prefix(nl + 1);
      discarding_line_ = false;
    }
    out_buf_.append(bytes);
  }

  // Parses line_ into doc_; returns its id, or -1 when it is not a result line.
  int64_t ParseReply() {
    auto err = ParseJsonText(parser_, line_).get(doc_);
    if (err || !doc_.is_object()) return -1;
    simdjson::dom::object obj = doc_.get_object().value_unsafe();
    int64_t id = 0;
    if (obj["id"].get_int64().get(id) || id < 0) return -1;
    int kinds = 0;
    for (auto field : obj) {
      if (field.key == "record" || field.key == "drop" || field.key == "dead_letter")
        ++kinds;
      else if (field.key != "id")
        return -1;
    }
    return kinds == 1 ? id : -1;
  }

  // Applies the parsed result (doc_) to `a`.
  Result<Outcome> Apply(Article& a) {
    simdjson::dom::object obj = doc_.get_object().value_unsafe();
    std::string_view reason;
    if (obj["drop"].get_string().get(reason) == simdjson::SUCCESS)
      return Outcome::Drop(std::string(reason));
    if (obj["dead_letter"].get_string().get(reason) == simdjson::SUCCESS)
      return Status::Rejected(std::string(reason));
    simdjson::dom::element rec;
    if (obj["record"].get(rec) || !rec.is_object())
      return Status::Corrupt("stage program wrote an invalid result line: " + Truncated(line_));
    record_ = simdjson::minify(rec);
    Status s = codec_.Decode(record_, a);
    if (!s.ok()) return s.WithContext("record from stage program");
    return Outcome::Forward();
  }

  std::string name_;
  std::vector<std::string> argv_;
  std::map<std::string, std::string> env_;
  std::chrono::milliseconds timeout_{10000};
  std::chrono::milliseconds start_allowance_{5000};
  pid_t pid_ = -1;
  int to_child_ = -1, from_child_ = -1, child_err_ = -1;
  uint64_t next_id_ = 0;
  std::string request_, out_buf_, err_buf_, line_, record_;
  bool discarding_line_ = false;  // skipping the rest of a line over kMaxLineBytes
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  Codec codec_;
  bool answered_since_start_ = false;
  Clock::time_point started_at_;
  int quick_restarts_ = 0;
  prometheus::Counter* restarts_ = nullptr;
  prometheus::Counter* timeouts_ = nullptr;
  // mu_ guards the child and its pipes: Process holds it for a whole record,
  // Watch between records.
  std::mutex mu_;
  std::condition_variable cv_;
  bool closing_ = false;
  std::thread watcher_;
  HealthBoard* board_ = nullptr;
  HealthBoard::Condition* ready_ = nullptr;
};

}  // namespace

StageDescriptor SubprocessStageDescriptor(const std::string& name, std::vector<std::string> argv,
                                          std::map<std::string, std::string> env) {
  std::string prog = argv.empty() ? "" : argv[0];
  return {name,
          "Subprocess stage: runs '" + prog + "', records as JSON Lines over stdin/stdout",
          {{"timeout_ms", OptionType::kInt, "10000",
            "A record without a result after this long is dead-lettered (timeout) and the program "
            "restarted (1 ms to a day)",
            1, kMaxWaitMs},
           {"start_timeout_ms", OptionType::kInt, "5000",
            "Extra time for the first record after the program (re)starts, to load (up to a day)",
            0, kMaxWaitMs}},
          [name, argv = std::move(argv), env = std::move(env)] {
            return std::make_unique<SubprocessStage>(name, argv, env);
          }};
}

}  // namespace newsflow
