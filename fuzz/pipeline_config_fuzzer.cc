// libFuzzer target: the pipeline-file loader (core/runtime/src/pipeline_config.cc).
//
// Any bytes as a pipeline file: ParsePipelineConfig from the buffer; every
// 16th input also goes through LoadPipelineConfig from a temporary file, and
// both must agree. An accepted file's stage settings are then checked
// against a typed option table, as `validate` and the runner do.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "newsflow/pipeline_config.h"

namespace {

const std::vector<newsflow::OptionSpec>& Specs() {
  static const std::vector<newsflow::OptionSpec> specs = {
      {"name", newsflow::OptionType::kString, "", ""},
      {"count", newsflow::OptionType::kInt, "3", ""},
      {"ratio", newsflow::OptionType::kDouble, "0.5", ""},
      {"enabled", newsflow::OptionType::kBool, "true", ""},
      {"path", newsflow::OptionType::kPath, "", ""},
  };
  return specs;
}

std::string TempPath() {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/newsflow-fuzz-pipeline-" +
         std::to_string(getpid()) + ".yaml";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string kPath = "/fuzz/pipeline.yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  auto cfg = newsflow::ParsePipelineConfig(text, kPath);
  if (size > 0 && data[0] % 16 == 0) {
    static const std::string tmp = TempPath();
    if (FILE* f = std::fopen(tmp.c_str(), "wb")) {
      std::fwrite(data, 1, size, f);
      std::fclose(f);
      auto loaded = newsflow::LoadPipelineConfig(tmp);
      std::remove(tmp.c_str());
      if (loaded.ok() != cfg.ok() ||
          (loaded.ok() && loaded->stages.size() != cfg->stages.size())) {
        std::fprintf(stderr, "pipeline file loaded from a file and from a buffer disagree\n");
        std::abort();
      }
    }
  }
  if (!cfg.ok()) return 0;
  for (const auto& stage : cfg->stages) (void)newsflow::CheckStageSettings(stage, Specs());
  return 0;
}
