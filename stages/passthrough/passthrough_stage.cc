#include "passthrough_stage.h"

#include <chrono>
#include <thread>

namespace newsflow {
namespace {

class PassthroughStage final : public Stage {
 public:
  Status Open(StageContext& ctx) override {
    reject_marker_ = ctx.settings.GetString("reject_marker");
    delay_ = std::chrono::microseconds(ctx.settings.GetInt("delay_us"));
    return Status::OK();
  }
  Result<Outcome> Process(Article& a) override {
    // A test hook: records whose body contains the marker are rejected, so
    // tests can exercise the stage-error path through the real runner.
    if (!reject_marker_.empty() && a.body.find(reject_marker_) != std::string::npos)
      return Status::Rejected("body contains the reject marker");
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    return Outcome::Forward();
  }

 private:
  std::string reject_marker_;
  std::chrono::microseconds delay_{0};
};

}  // namespace

StageDescriptor PassthroughStageDescriptor() {
  return {"passthrough",
          "Forwards every record unchanged (tests, benchmarks, template)",
          {{"reject_marker", OptionType::kString, "",
            "Reject (dead-letter) records whose body contains this text; empty: never"},
           {"delay_us", OptionType::kInt, "0", "Sleep this long per record (to simulate a slow stage)", 0, 60000000}},
          [] { return std::make_unique<PassthroughStage>(); }};
}

}  // namespace newsflow
