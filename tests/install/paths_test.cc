// Where newsflow looks for data and state (core/src/paths.cc): the environment
// first, then the installed layout found from the executable, then (build tree)
// the source tree; state never in the source tree (the build's folder for a
// build-tree binary, the user's or the system's for an installed one).
#include "newsflow/paths.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace newsflow {
namespace {

namespace fs = std::filesystem;

// Sets or clears environment variables for one test, restoring them after.
class EnvGuard {
 public:
  void Set(const char* name, const char* value) {
    if (!saved_.count(name)) {
      const char* old = getenv(name);
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value) setenv(name, value, 1); else unsetenv(name);
  }
  ~EnvGuard() {
    for (auto& [k, v] : saved_) {
      if (v) setenv(k.c_str(), v->c_str(), 1); else unsetenv(k.c_str());
    }
  }
 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

class PathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"NEWSFLOW_STATE_DIR", "STATE_DIRECTORY", "XDG_STATE_HOME", "NEWSFLOW_DATA_DIR",
                          "NEWSFLOW_STAGES_DIR", "NEWSFLOW_MODELS_DIR", "NEWSFLOW_CORPUS_DIR"}) {
      env_.Set(v, nullptr);
    }
    env_.Set("HOME", "/home/someone");
  }
  EnvGuard env_;
};

TEST_F(PathsTest, BuildTreeStateIsInTheBuildFolder) {
  // This test binary is not installed: its state goes with its build.
  EXPECT_EQ(StateDir(), std::string(NEWSFLOW_BINARY_DIR) + "/state");
  // Not the old <source>/var/state, and not the user's state every checkout shares.
  EXPECT_NE(StateDir(), std::string(NEWSFLOW_SOURCE_DIR) + "/var/state");
  EXPECT_EQ(StateDir().find("/.local/state"), std::string::npos);
  env_.Set("NEWSFLOW_STATE_DIR", "/explicit");
  EXPECT_EQ(StateDir(), "/explicit");
}

// An installed layout (NEWSFLOW_DATA_DIR with a stages folder), for the rules of
// installed binaries.
class InstalledPathsTest : public PathsTest {
 protected:
  void SetUp() override {
    PathsTest::SetUp();
    // One folder per process: ctest runs each test of this fixture as its own
    // process, in parallel, and a shared folder was removed under a sibling.
    root_ = fs::path(::testing::TempDir()) /
            ("newsflow-installed-paths-test-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "share/stages");
    env_.Set("NEWSFLOW_DATA_DIR", (root_ / "share").c_str());
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(InstalledPathsTest, StateDirPrecedence) {
  EXPECT_EQ(StateDir(), "/home/someone/.local/state/newsflow");
  env_.Set("XDG_STATE_HOME", "relative/ignored");  // the XDG spec: relative paths are invalid
  EXPECT_EQ(StateDir(), "/home/someone/.local/state/newsflow");
  env_.Set("XDG_STATE_HOME", "/xdg/state");
  EXPECT_EQ(StateDir(), "/xdg/state/newsflow");
  env_.Set("STATE_DIRECTORY", "/var/lib/newsflow:/var/lib/other");  // systemd StateDirectory=
  EXPECT_EQ(StateDir(), "/var/lib/newsflow");
  env_.Set("NEWSFLOW_STATE_DIR", "/explicit");
  EXPECT_EQ(StateDir(), "/explicit");
}

TEST_F(InstalledPathsTest, StateDirWithoutHomeIsTheSystemOne) {
  env_.Set("HOME", nullptr);
  EXPECT_EQ(StateDir(), "/var/lib/newsflow");
  env_.Set("HOME", "/");  // system users often have HOME=/
  EXPECT_EQ(StateDir(), "/var/lib/newsflow");
}

TEST_F(PathsTest, BuildTreeUsesTheSourceTree) {
  // This test binary is not installed: no <prefix>/share/newsflow next to it.
  EXPECT_EQ(InstalledDataDir(), "");
  EXPECT_EQ(StageDataDir("clean"), std::string(NEWSFLOW_SOURCE_DIR) + "/stages/clean/data");
  EXPECT_TRUE(fs::exists(StageDataDir("clean") + "/stoplists.tsv"));
  EXPECT_EQ(ModelsDir(), std::string(NEWSFLOW_SOURCE_DIR) + "/.cache/models");
}

TEST_F(InstalledPathsTest, DataDirVariableActsAsAnInstalledPrefix) {
  const fs::path& root = root_;
  EXPECT_EQ(InstalledDataDir(), (root / "share").string());
  EXPECT_EQ(StageDataDir("entities"), (root / "share/stages/entities/data").string());
  EXPECT_EQ(CorpusDir(), (root / "share/corpus").string());
  // No models folder anywhere: the user's state folder, where newsflow-fetch-models puts it.
  if (!fs::exists("/var/lib/newsflow/models")) {
    EXPECT_EQ(ModelsDir(), "/home/someone/.local/state/newsflow/models");
  }
  fs::create_directories(root / "share/models");
  EXPECT_EQ(ModelsDir(), (root / "share/models").string());
  // Each specific variable still wins.
  env_.Set("NEWSFLOW_STAGES_DIR", "/stages");
  env_.Set("NEWSFLOW_MODELS_DIR", "/models");
  env_.Set("NEWSFLOW_CORPUS_DIR", "/corpus");
  EXPECT_EQ(StageDataDir("clean"), "/stages/clean/data");
  EXPECT_EQ(ModelsDir(), "/models");
  EXPECT_EQ(CorpusDir(), "/corpus");
}

}  // namespace
}  // namespace newsflow
