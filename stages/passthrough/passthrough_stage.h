#pragma once

#include "newsflow/stage.h"

namespace newsflow {

// `passthrough`: forwards every record unchanged. Used by the integration
// tests and the throughput benchmark to measure the rails alone, and the
// smallest example of a stage.
StageDescriptor PassthroughStageDescriptor();

}  // namespace newsflow
