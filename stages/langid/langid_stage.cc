#include "langid_stage.h"

#include "newsflow/text.h"

namespace newsflow {
namespace {

// PLACEHOLDER: passes records through unchanged but for a trace line. The
// real `langid` logic arrives with its own issue.
class LangidPlaceholder final : public Stage {
 public:
  Result<Outcome> Process(Article& a) override {
    a.trace.push_back({"langid", NowRfc3339(), "placeholder: passed through"});
    return Outcome::Forward();
  }
};

}  // namespace

StageDescriptor LangidStageDescriptor() {
  return {"langid", "PLACEHOLDER: passes records through", {},
          [] { return std::make_unique<LangidPlaceholder>(); }};
}

}  // namespace newsflow
