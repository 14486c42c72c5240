#include "newsflow/settings.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace newsflow {
namespace {

bool ParseBool(std::string_view v, bool* out) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") { *out = true; return true; }
  if (v == "false" || v == "0" || v == "no" || v == "off") { *out = false; return true; }
  return false;
}

bool ValidFor(OptionType t, const std::string& v) {
  switch (t) {
    case OptionType::kString:
    case OptionType::kPath:
      return true;
    case OptionType::kInt: {
      int64_t x;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
      return ec == std::errc() && p == v.data() + v.size();
    }
    case OptionType::kDouble: {
      if (v.empty()) return false;
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      // "nan" and "inf" parse, and compare false with every bound a stage
      // checks (min_confidence=nan switched langid's threshold off).
      return end == v.c_str() + v.size() && std::isfinite(x);
    }
    case OptionType::kBool: {
      bool b;
      return ParseBool(v, &b);
    }
  }
  return false;
}

}  // namespace

std::string FormatNumber(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

std::string_view OptionTypeName(OptionType t) {
  switch (t) {
    case OptionType::kString: return "string";
    case OptionType::kInt: return "integer";
    case OptionType::kDouble: return "number";
    case OptionType::kBool: return "boolean";
    case OptionType::kPath: return "path";
  }
  return "?";
}

// "" when `value` fits `spec` (its type and, for integers, its range), else
// what is wrong with it.
static std::string Misfit(const OptionSpec& spec, const std::string& value) {
  if (!ValidFor(spec.type, value))
    return std::string(spec.type == OptionType::kInt ? "wants an " : "wants a ") +
           std::string(OptionTypeName(spec.type)) + ", got '" + value + "'";
  if (spec.type == OptionType::kInt) {
    int64_t x = 0;
    std::from_chars(value.data(), value.data() + value.size(), x);
    if (x < spec.min_int || x > spec.max_int)
      return "wants an integer from " + std::to_string(spec.min_int) + " to " +
             std::to_string(spec.max_int) + ", got " + value;
  }
  if (spec.type == OptionType::kDouble) {
    const double x = std::strtod(value.c_str(), nullptr);
    if (x < spec.min_double || x > spec.max_double)
      return "wants a number from " + FormatNumber(spec.min_double) + " to " +
             FormatNumber(spec.max_double) + ", got " + value;
  }
  return "";
}

Result<Settings> Settings::Parse(const std::vector<OptionSpec>& specs,
                                 const std::map<std::string, std::string>& given,
                                 std::string_view owner) {
  Settings s;
  for (const auto& spec : specs) {
    if (spec.default_value.empty()) continue;
    if (std::string why = Misfit(spec, spec.default_value); !why.empty())
      return Status::InvalidArgument(std::string(owner) + ": the default of setting '" + spec.key +
                                     "' " + why + " (the stage's own declaration is wrong)");
    s.values_[spec.key] = spec.default_value;
  }
  for (const auto& [key, value] : given) {
    const OptionSpec* spec = nullptr;
    for (const auto& candidate : specs) {
      if (candidate.key == key) spec = &candidate;
    }
    if (spec == nullptr) {
      std::string known;
      for (const auto& c : specs) known += (known.empty() ? "" : ", ") + c.key;
      return Status::InvalidArgument(std::string(owner) + ": unknown setting '" + key +
                                     "' (known: " + (known.empty() ? "none" : known) + ")");
    }
    if (std::string why = Misfit(*spec, value); !why.empty())
      return Status::InvalidArgument(std::string(owner) + ": setting '" + key + "' " + why);
    s.values_[key] = value;
  }
  return s;
}

bool Settings::Has(std::string_view key) const { return values_.find(key) != values_.end(); }

std::string Settings::GetString(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string() : it->second;
}

int64_t Settings::GetInt(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return 0;
  int64_t x = 0;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), x);
  return x;
}

double Settings::GetDouble(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? 0.0 : std::strtod(it->second.c_str(), nullptr);
}

bool Settings::GetBool(std::string_view key) const {
  auto it = values_.find(key);
  bool b = false;
  if (it != values_.end()) ParseBool(it->second, &b);
  return b;
}

}  // namespace newsflow
