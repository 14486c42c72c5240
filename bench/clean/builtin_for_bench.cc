// Local workaround (see tests/unit/clean/builtin_for_test.cc): lists only
// `clean`, so these binaries link without the other stages.
#include "clean_stage.h"

namespace newsflow {

const std::vector<StageDescriptor>& BuiltinStages() {
  static const std::vector<StageDescriptor> k = {CleanStageDescriptor()};
  return k;
}

}  // namespace newsflow
