#include "entities_stage.h"

#include "newsflow/text.h"

namespace newsflow {
namespace {

// PLACEHOLDER: passes records through unchanged but for a trace line. The
// real `entities` logic arrives with its own issue.
class EntitiesPlaceholder final : public Stage {
 public:
  Result<Outcome> Process(Article& a) override {
    a.trace.push_back({"entities", NowRfc3339(), "placeholder: passed through"});
    return Outcome::Forward();
  }
};

}  // namespace

StageDescriptor EntitiesStageDescriptor() {
  return {"entities", "PLACEHOLDER: passes records through", {},
          [] { return std::make_unique<EntitiesPlaceholder>(); }};
}

}  // namespace newsflow
