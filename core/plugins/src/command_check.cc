// What can be checked of a command stage before it runs (plugin_stages.h).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "newsflow/plugin_stages.h"

extern char** environ;

namespace newsflow {
namespace {

bool Executable(const std::string& path) {
  std::error_code ec;
  return access(path.c_str(), X_OK) == 0 && !std::filesystem::is_directory(path, ec);
}

bool OnPath(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return Executable(prog);
  const char* path_env = std::getenv("PATH");
  if (path_env == nullptr) return false;
  std::string_view rest(path_env);
  while (true) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (Executable((dir.empty() ? "." : dir) + "/" + prog)) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

// An argument that names a file the program will read: a script by its
// extension, or a path ("dir/file"); not an option, not the code after
// -c/-e, not a module after -m, not a URL.
bool LooksLikeFile(const std::string& arg, const std::string& previous) {
  if (arg.empty() || arg[0] == '-') return false;
  if (previous == "-c" || previous == "-e" || previous == "-m") return false;
  if (arg.find("://") != std::string::npos) return false;
  if (arg.find_first_of(" \t\n;|&$`\"'<>*?") != std::string::npos) return false;
  static constexpr std::array<std::string_view, 14> kScripts = {
      ".py", ".sh", ".bash", ".pl", ".rb", ".js", ".mjs", ".cjs", ".ts", ".lua", ".php", ".R",
      ".r", ".jar"};
  for (std::string_view ext : kScripts) {
    if (arg.size() > ext.size() && arg.compare(arg.size() - ext.size(), ext.size(), ext) == 0)
      return true;
  }
  return arg.find('/') != std::string::npos;
}

std::string DescribeEnd(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

}  // namespace

Status CheckCommandFiles(const std::vector<std::string>& argv) {
  if (argv.empty()) return Status::InvalidArgument("empty command");
  if (!OnPath(argv[0]))
    return Status::InvalidArgument("program '" + argv[0] + "' not found or not executable" +
                                   (argv[0].find('/') != std::string::npos
                                        ? std::string()
                                        : " (searched PATH)"));
  std::error_code ec;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (!LooksLikeFile(argv[i], argv[i - 1])) continue;
    if (std::filesystem::exists(argv[i], ec)) continue;
    std::string where = std::filesystem::path(argv[i]).is_relative()
                            ? " (relative paths are from the working directory, " +
                                  std::filesystem::current_path(ec).string() + ")"
                            : "";
    return Status::InvalidArgument("argument '" + argv[i] + "' looks like a file for '" + argv[0] +
                                   "', but there is no such file" + where);
  }
  return Status::OK();
}

Result<std::string> ProbeCommand(const std::string& name, const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& env,
                                 std::chrono::milliseconds timeout) {
  NEWSFLOW_RETURN_IF_ERROR(CheckCommandFiles(argv));
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) return Status::Unavailable(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    std::string key(kv.substr(0, kv.find('=')));
    if (env.count(key) == 0 && key != "NEWSFLOW_STAGE" && key != "NEWSFLOW_VALIDATE")
      env_strings.emplace_back(kv);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  env_strings.push_back("NEWSFLOW_STAGE=" + name);
  env_strings.push_back("NEWSFLOW_VALIDATE=1");
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(err[1]);
  if (rc != 0) {
    close(err[0]);
    return Status::Unavailable("cannot start '" + argv[0] + "': " + std::strerror(rc));
  }
  // Its stderr (the start of it) says why it failed, if it does.
  std::string said;
  const auto end = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool exited = false;
  fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK);
  while (true) {
    char buf[4096];
    ssize_t n;
    while ((n = read(err[0], buf, sizeof buf)) > 0)
      if (said.size() < 4096) said.append(buf, static_cast<size_t>(n));
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= end) break;
    pollfd p{err[0], POLLIN, 0};
    poll(&p, 1, 20);
  }
  if (!exited) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  } else {
    char buf[4096];
    ssize_t n;
    while ((n = read(err[0], buf, sizeof buf)) > 0)
      if (said.size() < 4096) said.append(buf, static_cast<size_t>(n));
  }
  close(err[0]);
  while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
  if (!exited)
    return "started; still running " + std::to_string(timeout.count()) +
           " ms after its input ended (ended by newsflow; a stage may exit when stdin closes)";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::string("started and ended cleanly at end of input");
  std::string last = said;
  if (size_t nl = last.rfind('\n'); nl != std::string::npos) last = last.substr(nl + 1);
  return Status::InvalidArgument("'" + argv[0] + "' " + DescribeEnd(status) +
                                 " when started with no input" +
                                 (last.empty() ? std::string() : ": " + last));
}

}  // namespace newsflow
