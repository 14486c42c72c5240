// UTF-8 and time helpers shared by the codec, producers and stages.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace newsflow {

// True if `s` is valid UTF-8 (simdjson's validator).
bool IsValidUtf8(std::string_view s);

// `s` with every byte that does not begin a valid UTF-8 sequence replaced by
// U+FFFD (a file name, which Linux lets be any bytes, put into a record; a
// page's text under a wrong charset; libxml2's text of a feed it could not
// decode). Valid input is returned as it is, without a copy.
std::string Utf8OrReplaced(std::string s);

// True when `s` starts with a UTF-8 byte-order mark (U+FEFF).
inline bool StartsWithUtf8Bom(std::string_view s) { return s.substr(0, 3) == "\xEF\xBB\xBF"; }

// Removes a UTF-8 byte-order mark from the start of `s` (editors on Windows
// write one at the start of a file, so a JSON Lines file's first line would
// not parse); true when there was one.
inline bool StripUtf8Bom(std::string& s) {
  if (!StartsWithUtf8Bom(s)) return false;
  s.erase(0, 3);
  return true;
}

// Appends code point `cp` (REQUIRES: a Unicode scalar value) as UTF-8.
inline void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Number of code points in valid UTF-8 `s`.
int64_t CountCodePoints(std::string_view s);

// Byte offset of code point `cp` in valid UTF-8 `s` (s.size() if past the end).
size_t ByteOffsetOfCodePoint(std::string_view s, int64_t cp);

// `s` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string_view CutUtf8(std::string_view s, size_t max_bytes);

// RFC 3339 in UTC with seconds: 2026-11-23T19:26:11Z.
std::string FormatRfc3339(std::chrono::system_clock::time_point t);
std::string NowRfc3339();
// Parses RFC 3339 / ISO 8601 date-times with offset or Z ("2021-07-25T04:59:16+00:00").
// Only real calendar dates (no February 30) with years kMinRfc3339Year to
// kMaxRfc3339Year are accepted: the result must fit system_clock's range.
inline constexpr int kMinRfc3339Year = 1700;
inline constexpr int kMaxRfc3339Year = 2200;
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s);

// Lower-case hex of a 128-bit XXH3 hash: stable across runs and machines.
std::string StableHash128(std::string_view data);

// Canonical form of a URL for identity: scheme and host lower-cased, default
// port, fragment and tracking parameters (utm_*, fbclid, gclid, ...) removed,
// remaining query parameters sorted. Empty when `url` is not an absolute URL.
std::string CanonicalUrl(std::string_view url);

// Stable article id: "u" + hash of the canonical URL when there is one, else
// "c" + hash of source and body.
std::string ArticleId(std::string_view url, std::string_view source, std::string_view body);

}  // namespace newsflow
