// ScopedTempDir: a directory of its own under $TMPDIR (mkdtemp) for a test,
// removed with everything in it when the object goes. Tests that named a
// directory after their pid and never removed it left one behind per run
// (360 nf-fp-PID directories and 160 vector files in /tmp after a day of CI).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace newsflow::testing {

class ScopedTempDir {
 public:
  explicit ScopedTempDir(std::string_view prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp " + tmpl + " failed");
    path_ = tmpl;
  }
  ~ScopedTempDir() {
    std::error_code ec;  // a test that failed half-way may have left anything: best effort
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(ScopedTempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  operator const std::filesystem::path&() const { return path_; }  // NOLINT: used where a path is
  std::filesystem::path operator/(const std::filesystem::path& p) const { return path_ / p; }
  std::string string() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace newsflow::testing
