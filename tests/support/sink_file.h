// What a sink's JSON Lines file holds: article ids, once and in all.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "support/process.h"

namespace newsflow::testing {

struct IdCount {
  std::set<std::string> unique;  // distinct article ids
  std::set<std::string> urls;    // distinct urls
  size_t lines = 0;              // records (a line being written is not one yet)
};

inline IdCount Ids(const std::string& path) {
  IdCount c;
  for (const auto& line : ReadLines(path)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("id")) continue;  // a line being written
    ++c.lines;
    c.unique.insert(j.at("id").get<std::string>());
    if (j.contains("url") && j.at("url").is_string()) c.urls.insert(j.at("url").get<std::string>());
  }
  return c;
}

}  // namespace newsflow::testing
