#include "newsflow/stage.h"

namespace newsflow {

void Stage::ProcessBatch(std::span<Article> a, std::span<Result<Outcome>> out) {
  for (size_t i = 0; i < a.size(); ++i) out[i] = Process(a[i]);
}

}  // namespace newsflow
