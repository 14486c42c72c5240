#include "newsflow/topology.h"

namespace newsflow {

const std::vector<StageRoute>& DefaultRoutes() {
  static const std::vector<StageRoute> kRoutes = {
      {"clean", "news.raw", "news.clean"},
      {"langid", "news.clean", "news.lang"},
      {"entities", "news.lang", "news.tagged"},
  };
  return kRoutes;
}

std::vector<std::string> DefaultTopics() {
  std::vector<std::string> t = {std::string(kRawTopic)};
  for (const auto& r : DefaultRoutes()) t.push_back(r.output);
  t.push_back(std::string(kDeadLetterTopic));
  return t;
}

std::string GroupFor(std::string_view name) { return "newsflow-" + std::string(name); }

std::string DownstreamGroupOf(std::string_view topic) {
  for (const auto& r : DefaultRoutes()) {
    if (r.input == topic) return GroupFor(r.stage);
  }
  if (topic == DefaultRoutes().back().output) return GroupFor("sink");
  if (topic == kDeadLetterTopic) return GroupFor("dlq-sink");
  return "";
}

const StageRoute* DefaultRouteFor(std::string_view stage) {
  for (const auto& r : DefaultRoutes()) {
    if (r.stage == stage) return &r;
  }
  return nullptr;
}

}  // namespace newsflow
