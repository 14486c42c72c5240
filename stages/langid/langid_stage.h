#pragma once

#include "newsflow/stage.h"

namespace newsflow {

// Descriptor of the `langid` stage (see stages/langid/README.md).
StageDescriptor LangidStageDescriptor();

}  // namespace newsflow
