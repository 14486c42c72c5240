// Duplicate-key check for simdjson DOM values (header-only: include it only
// from code that links simdjson).
//
// simdjson keeps every member of an object, so {"body":"a","body":"b"} parses;
// obj["body"] then returns the first while a loop over the members ends with
// the last. The codec and the file producer refuse such records instead of
// picking one silently.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace newsflow {

namespace json_duplicates_detail {

// True when an object inside `e` repeats a key: `key` is that key and
// `path` where the object is ("meta", "entities[2]", "" for `e` itself).
inline bool Find(simdjson::dom::element e, int depth, std::string& path, std::string& key) {
  namespace dom = simdjson::dom;
  if (depth > 1024) return false;  // simdjson's own depth limit is lower
  dom::object obj;
  dom::array arr;
  if (!e.get_object().get(obj)) {
    std::vector<std::string_view> keys;
    keys.reserve(obj.size());
    for (auto [k, v] : obj) keys.push_back(k);
    bool found = false;
    if (keys.size() <= 12) {  // records' objects are small: no allocation to sort
      for (size_t i = 1; i < keys.size() && !found; ++i) {
        for (size_t j = 0; j < i && !found; ++j) {
          if (keys[i] == keys[j]) {
            found = true;
            key.assign(keys[i]);
          }
        }
      }
    } else {
      std::sort(keys.begin(), keys.end());
      auto it = std::adjacent_find(keys.begin(), keys.end());
      if (it != keys.end()) {
        found = true;
        key.assign(*it);
      }
    }
    if (found) return true;
    for (auto [k, v] : obj) {
      if ((v.is_object() || v.is_array()) && Find(v, depth + 1, path, key)) {
        path = std::string(k) + (path.empty() || path[0] == '[' ? "" : ".") + path;
        return true;
      }
    }
  } else if (!e.get_array().get(arr)) {
    size_t i = 0;
    for (dom::element v : arr) {
      if ((v.is_object() || v.is_array()) && Find(v, depth + 1, path, key)) {
        path = "[" + std::to_string(i) + "]" + (path.empty() || path[0] == '[' ? "" : ".") + path;
        return true;
      }
      ++i;
    }
  }
  return false;
}

}  // namespace json_duplicates_detail

// "" when no object in `e` repeats a key; else where, e.g. "duplicate key
// 'body'" (the top level), "meta: duplicate key 'lang'",
// "entities[2]: duplicate key 'type'".
inline std::string FindDuplicateJsonKey(simdjson::dom::element e) {
  std::string path, key;
  if (!json_duplicates_detail::Find(e, 0, path, key)) return {};
  return (path.empty() ? "" : path + ": ") + "duplicate key '" + key + "'";
}

}  // namespace newsflow
