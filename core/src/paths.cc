#include "newsflow/paths.h"

#include <cstdlib>

#ifndef NEWSFLOW_SOURCE_DIR
#define NEWSFLOW_SOURCE_DIR "."
#endif

namespace newsflow {
namespace {

std::string FromEnv(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : std::move(fallback);
}

}  // namespace

std::string CorpusDir() {
  return FromEnv("NEWSFLOW_CORPUS_DIR", std::string(NEWSFLOW_SOURCE_DIR) + "/../shared/corpus");
}

std::string StageDataDir(std::string_view stage) {
  return FromEnv("NEWSFLOW_STAGES_DIR", std::string(NEWSFLOW_SOURCE_DIR) + "/stages") + "/" +
         std::string(stage) + "/data";
}

std::string ModelsDir() {
  return FromEnv("NEWSFLOW_MODELS_DIR", std::string(NEWSFLOW_SOURCE_DIR) + "/.cache/models");
}

std::string StateDir() {
  return FromEnv("NEWSFLOW_STATE_DIR", std::string(NEWSFLOW_SOURCE_DIR) + "/var/state");
}

}  // namespace newsflow
