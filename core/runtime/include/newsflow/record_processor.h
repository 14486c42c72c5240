// RecordProcessor: one record's way through a chain of stages, independent of
// where the bytes come from. The Kafka runner and the offline `process`
// command both use it, so decode, size limits, stage errors and dead-letter
// reasons are the same everywhere.
//
// Thread-safety: not thread-safe (owns a Codec); one per loop thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/codec.h"
#include "newsflow/metrics.h"
#include "newsflow/sink.h"
#include "newsflow/stage.h"

namespace newsflow {

struct ChainLink {
  std::string name;
  Stage* stage = nullptr;         // not owned
  StageMetrics* metrics = nullptr;  // not owned; may be null
};

class RecordProcessor {
 public:
  struct Options {
    size_t max_record_bytes = 900 * 1024;  // input larger -> dead letter (too_large)
    size_t max_output_bytes = 1000 * 1000;  // encoded output larger -> dead letter
    bool decode = true;  // false: pass bytes through untouched (raw sinks)
    // A sink (no stages): a record that decodes is passed on as its own
    // bytes when they are one line, not re-encoded: the sink writes what the
    // topic holds (field order, numbers, unknown members as they came), and
    // re-encoding cost a sink about as much CPU as decoding. A record spread
    // over lines is re-encoded on one.
    bool verbatim = false;
    // Decodes a record instead of the codec (`process` completes partial
    // records as `produce` would: RecordFromJsonLine). Empty: the codec.
    std::function<Status(std::string_view, Article&)> decoder;
  };

  struct Output {
    enum class Kind { kForward, kDrop, kDeadLetter };
    Kind kind = Kind::kForward;
    std::string key;    // article id when known
    std::string value;  // the encoded record (kForward)
    std::string stage;  // the stage that dropped / failed
    std::string reason;       // drop reason, or dead-letter message
    std::string reason_code;  // dead letters: StatusCodeName
    std::optional<std::chrono::system_clock::time_point> fetched_at;
  };

  RecordProcessor(std::vector<ChainLink> chain, Options options);

  void Process(std::string_view bytes, Output& out);
  const std::vector<ChainLink>& chain() const { return chain_; }

 private:
  void DeadLetterOut(Output& out, const std::string& stage, const Status& s);

  std::vector<ChainLink> chain_;
  Options options_;
  Codec codec_;
  Article article_;
};

// Builds the dead letter for an Output of kind kDeadLetter.
DeadLetter MakeDeadLetter(const RecordProcessor::Output& out, std::string_view payload);

}  // namespace newsflow
