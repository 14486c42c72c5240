// Publication-date recognition in page lines: ISO 8601 timestamps and human
// dates in English, French and Arabic (Egyptian and Levantine month names,
// Arabic-Indic digits).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace newsflow::clean {

struct FoundDate {
  int year = 0, month = 0, day = 0;
  // RFC 3339 as stated when the page gave a full timestamp, else midnight UTC.
  std::string rfc3339;
  int tokens = 0;        // tokens in the line
  int other_tokens = 0;  // tokens that are not part of the date, a weekday or a time
};

// A line that is exactly an ISO 8601 / RFC 3339 timestamp (or a bare date
// YYYY-MM-DD). `line` is normalised text.
std::optional<FoundDate> ParseIsoLine(std::string_view line);

// First human date in `folded` (Normalizer::Fold output).
std::optional<FoundDate> FindDate(std::string_view folded);

}  // namespace newsflow::clean
