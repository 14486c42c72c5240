#include "clean_stage.h"

#include "newsflow/text.h"

namespace newsflow {
namespace {

// PLACEHOLDER: passes records through unchanged but for a trace line. The
// real `clean` logic arrives with its own issue.
class CleanPlaceholder final : public Stage {
 public:
  Result<Outcome> Process(Article& a) override {
    a.trace.push_back({"clean", NowRfc3339(), "placeholder: passed through"});
    return Outcome::Forward();
  }
};

}  // namespace

StageDescriptor CleanStageDescriptor() {
  return {"clean", "PLACEHOLDER: passes records through", {},
          [] { return std::make_unique<CleanPlaceholder>(); }};
}

}  // namespace newsflow
