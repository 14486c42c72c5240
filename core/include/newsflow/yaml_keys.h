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
#include <vector>

namespace newsflow {

namespace yaml_keys_detail {

inline std::string Find(const YAML::Node& node, std::vector<YAML::Node>& done, int depth) {
  if (!node.IsMap() && !node.IsSequence()) return {};
  if (depth > 256) return {};  // deeper than any config; yaml-cpp bounds depth too
  // An alias is the very node its anchor names: each map and sequence is
  // checked once, so aliases that repeat their anchor (or sit inside it, a
  // cycle) cannot make this walk exponential or endless (found by fuzzing).
  for (const auto& d : done)
    if (d.is(node)) return {};
  if (done.size() >= 20000) return "more than 20000 maps and sequences: refusing the document";
  done.push_back(node);
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
      std::string inner = Find(kv.second, done, depth + 1);
      if (!inner.empty()) return inner;
    }
  } else {
    for (const auto& item : node) {
      std::string inner = Find(item, done, depth + 1);
      if (!inner.empty()) return inner;
    }
  }
  return {};
}

}  // namespace yaml_keys_detail

// "" when no map in `node` repeats a key; else "duplicate key `k` at line N
// (first at line M)" for the first repetition found (lines 1-based).
inline std::string FindDuplicateYamlKey(const YAML::Node& node) {
  std::vector<YAML::Node> done;
  return yaml_keys_detail::Find(node, done, 0);
}

}  // namespace newsflow
