// `newsflow replay`: moves a stage's consumer group back (or forward) to a
// time, an offset, the beginning or the end, so the stage processes those
// records again, e.g. after a settings change. Prints the plan; moves only
// with --execute; refuses while the group has live members.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "commands.h"

namespace CLI {
class App;
}

namespace newsflow {

struct ReplayOptions {
  std::string stage;     // the group is newsflow-<stage>, the topic the stage's input
  std::string pipeline;  // --pipeline FILE: plug-in stages, topics, Kafka settings
  std::string group, topic;  // --group / --topic override the stage's
  // Exactly one of these:
  std::string to_datetime, by_duration;
  std::optional<int64_t> to_offset, shift_by;
  bool to_earliest = false, to_latest = false;
  bool execute = false;  // dry run unless set
  int timeout_ms = 30000;
};

// Registers the subcommand (its own options; main.cc adds the common ones).
CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& o);

int RunReplay(const CommonOptions& c, const ReplayOptions& o);

}  // namespace newsflow
