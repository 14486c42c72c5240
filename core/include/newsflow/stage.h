// Stage: a pure transformation of an Article. A stage never sees Kafka,
// offsets, JSON bytes or threads; the runner (runner.h) owns decode, dead
// letters, produce, offsets after delivery and the standard metrics.
//
// Lifecycle: Open once -> Process per record -> Close once, all on one
// thread. A stage instance is not shared between threads; scale-out is more
// instances in more processes (Kafka consumer groups).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/article.h"
#include "newsflow/settings.h"
#include "newsflow/status.h"

namespace prometheus {
class Registry;
}

namespace newsflow {

// What a stage decided for one record. An error Status (from Process) sends
// the record to the dead-letter topic with that reason instead.
struct Outcome {
  enum class Kind { kForward, kDrop };
  Kind kind = Kind::kForward;
  std::string reason;  // for kDrop: a short, low-cardinality reason ("empty_after_clean")

  static Outcome Forward() { return {}; }
  static Outcome Drop(std::string reason) { return {Kind::kDrop, std::move(reason)}; }
  bool forwarded() const { return kind == Kind::kForward; }
};

// What a stage may use at Open. All references outlive the stage.
struct StageContext {
  const Settings& settings;
  // For stage-specific metrics; the runner already records the standard ones.
  // Create families and children here, in Open, and keep the references.
  prometheus::Registry& metrics;
  std::string data_dir;    // the repository's data/ (models, compiled lists)
  std::string corpus_dir;  // ../shared/corpus or $NEWSFLOW_CORPUS_DIR; may not exist
  std::string state_dir;   // writable; a stage may persist learnt state here
  // The copies of a stage in one process (`--instances N`) each get a
  // state_dir of their own (instance-2, ...: one file for all would keep only
  // the copy saved last); this is the first copy's, the same for every copy:
  // where a stage that shares what its copies learn keeps it. Empty: as
  // state_dir.
  std::string shared_state_dir = {};
};

class Stage {
 public:
  virtual ~Stage() = default;

  // Load models, parse settings, resolve metric handles.
  virtual Status Open(StageContext& ctx) { (void)ctx; return Status::OK(); }

  // Transform `a` in place. Must not throw; a thrown exception is caught by
  // the runner and dead-lettered like an error Status.
  virtual Result<Outcome> Process(Article& a) = 0;

  // Batch form; the default loops over Process. `out` has a.size() slots.
  virtual void ProcessBatch(std::span<Article> a, std::span<Result<Outcome>> out);

  virtual Status Close() { return Status::OK(); }
};

// A plain descriptor per stage: name, help, typed option table, factory.
struct StageDescriptor {
  std::string name;
  std::string description;
  std::vector<OptionSpec> options;
  std::function<std::unique_ptr<Stage>()> create;
};

// The stages compiled into newsflow (stages/builtin.cc: an explicit list).
const std::vector<StageDescriptor>& BuiltinStages();
const StageDescriptor* FindBuiltinStage(std::string_view name);

}  // namespace newsflow
