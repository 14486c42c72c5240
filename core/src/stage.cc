#include "newsflow/stage.h"

namespace newsflow {

void Stage::ProcessBatch(std::span<Article> a, std::span<Result<Outcome>> out) {
  for (size_t i = 0; i < a.size(); ++i) out[i] = Process(a[i]);
}

const StageDescriptor* FindBuiltinStage(std::string_view name) {
  for (const auto& d : BuiltinStages()) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace newsflow
