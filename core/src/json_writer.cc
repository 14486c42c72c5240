#include "newsflow/json_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace newsflow {

namespace {

// True when one of the 8 bytes of `w` must be escaped: a control byte (below
// 0x20), '"' or '\\'. Bytes of UTF-8 sequences (0x80 and up) never are.
inline bool EscapeInWord(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return (below_space | zero_byte(w ^ (kOnes * '"')) | zero_byte(w ^ (kOnes * '\\'))) != 0;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  const char* p = s.data();
  const size_t n = s.size();
  size_t run = 0;  // start of a run of bytes that need no escaping
  size_t i = 0;
  while (i < n) {
    // Eight bytes at a time while none needs escaping (article text mostly).
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (!EscapeInWord(w)) {
        i += 8;
        continue;
      }
    }
    for (const size_t end = std::min(n, i + 8); i < end; ++i) {
      unsigned char c = static_cast<unsigned char>(p[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(p + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
      }
    }
  }
  out.append(p + run, n - run);
  out += '"';
}

JsonWriter& JsonWriter::Double(double v) {
  Sep();
  if (!std::isfinite(v)) {
    out_ += "null";
    return *this;
  }
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.6g", v);
  out_.append(buf, n);
  // "%g" writes negative zero as "-0", which a JSON reader takes for the
  // integer 0: write it as a float so it reads back as the same double and a
  // record encodes to the same bytes after a round trip (found by fuzz_codec).
  if (v == 0 && std::signbit(v)) out_ += ".0";
  return *this;
}

}  // namespace newsflow
