#include "newsflow/paths.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#ifndef NEWSFLOW_SOURCE_DIR
#define NEWSFLOW_SOURCE_DIR "."
#endif
#ifndef NEWSFLOW_BINARY_DIR
#define NEWSFLOW_BINARY_DIR ""
#endif

namespace newsflow {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : std::string();
}

bool IsDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// <prefix>/share/newsflow for <prefix>/bin/newsflow, if it holds the stage data.
std::string DataDirOfExecutable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return "";
  fs::path share = exe.parent_path().parent_path() / "share" / "newsflow";
  return IsDir(share / "stages") ? share.lexically_normal().string() : "";
}

}  // namespace

std::string InstalledDataDir() {
  std::string dir = Env("NEWSFLOW_DATA_DIR");
  if (!dir.empty()) return dir;
  // The executable does not move while it runs: look once.
  static const std::string from_exe = DataDirOfExecutable();
  return from_exe;
}

std::string CorpusDir() {
  std::string v = Env("NEWSFLOW_CORPUS_DIR");
  if (!v.empty()) return v;
  std::string data = InstalledDataDir();
  if (!data.empty()) return data + "/corpus";
  return std::string(NEWSFLOW_SOURCE_DIR) + "/../shared/corpus";
}

std::string StageDataDir(std::string_view stage) {
  std::string root = Env("NEWSFLOW_STAGES_DIR");
  if (root.empty()) {
    std::string data = InstalledDataDir();
    root = data.empty() ? std::string(NEWSFLOW_SOURCE_DIR) + "/stages" : data + "/stages";
  }
  return root + "/" + std::string(stage) + "/data";
}

std::string ModelsDir() {
  std::string v = Env("NEWSFLOW_MODELS_DIR");
  if (!v.empty()) return v;
  std::string data = InstalledDataDir();
  if (data.empty()) return std::string(NEWSFLOW_SOURCE_DIR) + "/.cache/models";
  const std::string candidates[] = {data + "/models", "/var/lib/newsflow/models",
                                    StateDir() + "/models"};
  for (const std::string& c : candidates) {
    if (IsDir(c)) return c;
  }
  return StateDir() + "/models";
}

std::string StateDir() {
  std::string v = Env("NEWSFLOW_STATE_DIR");
  if (!v.empty()) return v;
  // systemd's StateDirectory= sets STATE_DIRECTORY (colon-separated when several).
  v = Env("STATE_DIRECTORY");
  if (!v.empty()) return v.substr(0, v.find(':'));
  // A binary of the build tree keeps its state with the build (<build>/state): each
  // build, and so each checkout and CI run, starts from its own, and nothing lands in
  // the sources or in the user's state shared by every checkout.
  if (InstalledDataDir().empty() && *NEWSFLOW_BINARY_DIR != '\0' && IsDir(NEWSFLOW_BINARY_DIR)) {
    return std::string(NEWSFLOW_BINARY_DIR) + "/state";
  }
  // XDG Base Directory: relative values are invalid and ignored.
  v = Env("XDG_STATE_HOME");
  if (!v.empty() && v.front() == '/') return v + "/newsflow";
  v = Env("HOME");
  if (!v.empty() && v != "/") return v + "/.local/state/newsflow";
  return "/var/lib/newsflow";
}

std::string FileStamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "-";
  return std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace newsflow
