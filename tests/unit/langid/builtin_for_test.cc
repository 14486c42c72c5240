// Stand-in for stages/builtin.cc. core's stage.cc defines Stage's vtable
// next to FindBuiltinStage(), which calls BuiltinStages(); linking the real
// list would pull every other stage into this test. Workaround until
// FindBuiltinStage moves to its own file in core.
#include "langid_stage.h"
#include "newsflow/stage.h"

namespace newsflow {

const std::vector<StageDescriptor>& BuiltinStages() {
  static const std::vector<StageDescriptor> kStages = {LangidStageDescriptor()};
  return kStages;
}

}  // namespace newsflow
