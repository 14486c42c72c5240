#pragma once

#include "newsflow/stage.h"

namespace newsflow {

// Descriptor of the `clean` stage (see stages/clean/README.md).
StageDescriptor CleanStageDescriptor();

}  // namespace newsflow
