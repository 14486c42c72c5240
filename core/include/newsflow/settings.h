// Typed stage settings: each stage declares a table of options; values given
// in a pipeline file or with `--set stage.key=value` are checked against it
// once, at start-up (unknown key, wrong type -> error naming the key).
//
// Thread-safety: immutable after Parse; safe to share.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/status.h"

namespace newsflow {

enum class OptionType { kString, kInt, kDouble, kBool, kPath };

struct OptionSpec {
  std::string key;
  OptionType type = OptionType::kString;
  std::string default_value;  // as text; "" means unset
  std::string help;
  // kInt only: the values allowed (checked with the type, so `validate`
  // refuses what the stage would refuse at start).
  int64_t min_int = INT64_MIN;
  int64_t max_int = INT64_MAX;
  // kDouble only: the same (declared with designated initializers:
  // {.key = ..., .min_double = 0, .max_double = 1}).
  double min_double = -std::numeric_limits<double>::max();
  double max_double = std::numeric_limits<double>::max();
};

class Settings {
 public:
  Settings() = default;

  // Checks `given` (key -> textual value) against `specs` (type, and range
  // for integers); fills defaults, which must pass the same checks (a
  // plug-in's descriptor may declare a default its type refuses).
  static Result<Settings> Parse(const std::vector<OptionSpec>& specs,
                                const std::map<std::string, std::string>& given,
                                std::string_view owner);

  bool Has(std::string_view key) const;
  std::string GetString(std::string_view key) const;  // "" if unset
  int64_t GetInt(std::string_view key) const;         // 0 if unset
  double GetDouble(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

std::string_view OptionTypeName(OptionType t);
// A number as `%g` prints it (a setting's range in messages and help).
std::string FormatNumber(double x);

}  // namespace newsflow
