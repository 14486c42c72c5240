// Publication-date recognition in page lines: ISO 8601 timestamps, human
// dates in English, French and Arabic (Egyptian and Levantine month names,
// Arabic-Indic digits), and relative dates in Arabic, English, French and
// German.
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

// A relative date in `folded` ("3 hours ago", "منذ ساعتين", "il y a 2 jours",
// "vor 5 Minuten"), resolved against `fetched_at` (RFC 3339): minutes and
// hours give a timestamp (to the minute), days and weeks a date at midnight
// UTC. Nothing when `fetched_at` is missing or invalid.
std::optional<FoundDate> FindRelativeDate(std::string_view folded, std::string_view fetched_at);

}  // namespace newsflow::clean
