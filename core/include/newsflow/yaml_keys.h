// Duplicate-key check for yaml-cpp documents (header-only: include it only
// from code that links yaml-cpp).
//
// yaml-cpp keeps both entries of `a: 1` / `a: 2` in a map and node["a"]
// returns the first, while a loop over the map sees both: two readers of the
// same file could disagree on the value. Config loaders call this right after
// YAML::Load and refuse the file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

namespace newsflow {

// "" when no map in `node` repeats a key; else "duplicate key `k` at line N
// (first at line M)" for the first repetition found (lines 1-based).
inline std::string FindDuplicateYamlKey(const YAML::Node& node, int depth = 0) {
  if (depth > 256) return {};  // deeper than any config; yaml-cpp bounds depth too
  if (node.IsMap()) {
    std::map<std::string, int> seen;  // key -> line
    for (const auto& kv : node) {
      if (kv.first.IsScalar()) {
        int line = kv.first.Mark().line + 1;
        auto [it, inserted] = seen.emplace(kv.first.Scalar(), line);
        if (!inserted) {
          return "duplicate key `" + kv.first.Scalar() + "` at line " + std::to_string(line) +
                 " (first at line " + std::to_string(it->second) + ")";
        }
      }
      std::string inner = FindDuplicateYamlKey(kv.second, depth + 1);
      if (!inner.empty()) return inner;
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      std::string inner = FindDuplicateYamlKey(item, depth + 1);
      if (!inner.empty()) return inner;
    }
  }
  return {};
}

}  // namespace newsflow
