#pragma once

#include <cstdint>

#include "newsflow/stage.h"

namespace newsflow {

// Descriptor of the `entities` stage (see stages/entities/README.md).
StageDescriptor EntitiesStageDescriptor();

// Languages' data loaded from disk by this process so far. Copies of the stage
// opened on the same files share one load while any of them is open (for tests).
int64_t EntitiesLanguageLoads();

}  // namespace newsflow
