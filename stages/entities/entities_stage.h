#pragma once

#include "newsflow/stage.h"

namespace newsflow {

// Descriptor of the `entities` stage (see stages/entities/README.md).
StageDescriptor EntitiesStageDescriptor();

}  // namespace newsflow
