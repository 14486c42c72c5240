// The stages compiled into newsflow: an explicit list, one line a stage.
#include "clean/clean_stage.h"
#include "entities/entities_stage.h"
#include "langid/langid_stage.h"
#include "newsflow/stage.h"
#include "passthrough/passthrough_stage.h"

namespace newsflow {

const std::vector<StageDescriptor>& BuiltinStages() {
  static const std::vector<StageDescriptor> kStages = {
      CleanStageDescriptor(),
      LangidStageDescriptor(),
      EntitiesStageDescriptor(),
      PassthroughStageDescriptor(),
  };
  return kStages;
}

const StageDescriptor* FindBuiltinStage(std::string_view name) {
  for (const auto& d : BuiltinStages()) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace newsflow
