// The stages compiled into newsflow: an explicit list, one line a stage.
#include "clean/clean_stage.h"
#include "entities/entities_stage.h"
#include "langid/langid_stage.h"
#include "newsflow/stage.h"

namespace newsflow {

const std::vector<StageDescriptor>& BuiltinStages() {
  static const std::vector<StageDescriptor> kStages = {
      CleanStageDescriptor(),
      LangidStageDescriptor(),
      EntitiesStageDescriptor(),
  };
  return kStages;
}

}  // namespace newsflow
