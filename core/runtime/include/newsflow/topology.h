// The default topic chain. One table, used by the broker (topic creation),
// the runner (input/output/group per stage) and flow control (who consumes
// a topic downstream).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace newsflow {

inline constexpr std::string_view kRawTopic = "news.raw";
inline constexpr std::string_view kDeadLetterTopic = "news.dlq";

struct StageRoute {
  std::string stage;
  std::string input;   // topic consumed
  std::string output;  // topic produced
};

// clean: news.raw -> news.clean, langid: news.clean -> news.lang,
// entities: news.lang -> news.tagged.
const std::vector<StageRoute>& DefaultRoutes();

// Every topic of the default chain, dead letters included.
std::vector<std::string> DefaultTopics();

// Consumer group of a stage or sink: newsflow-<name>.
std::string GroupFor(std::string_view name);

// The group that consumes `topic` in the default chain ("" if none); the
// sink's group for the last topic.
std::string DownstreamGroupOf(std::string_view topic);

// The topic a stage reads in the default chain; for stages outside it (plug-ins), "".
const StageRoute* DefaultRouteFor(std::string_view stage);

}  // namespace newsflow
