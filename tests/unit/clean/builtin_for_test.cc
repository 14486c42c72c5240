// Local workaround: core/src/stage.cc defines Stage::ProcessBatch next to
// FindBuiltinStage, which needs BuiltinStages() from stages/builtin.cc; that
// library links every stage. This test binary lists only `clean`, so it builds
// without the other stages' code.
#include "clean_stage.h"

namespace newsflow {

const std::vector<StageDescriptor>& BuiltinStages() {
  static const std::vector<StageDescriptor> k = {CleanStageDescriptor()};
  return k;
}

}  // namespace newsflow
