// Unicode clean-up for page text: NFKC restricted to Arabic (presentation
// forms, composed letters), Latin ligatures and full-width forms, removal of zero-width, bidi-control and tatweel
// characters, C0/C1 controls, and whitespace normalisation (one space between
// words, one '\n' between lines, no empty lines, no trailing spaces).
//
// Thread-safety: Normalizer is immutable after construction; share freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/status.h"

#include "newsflow/text.h"

namespace newsflow::clean {

class Normalizer {
 public:
  // Builds the NFKC quick-check bitmap from ICU once (64 Ki code points).
  Normalizer();

  // REQUIRES: nothing; invalid UTF-8 yields kCorrupt (never partial output).
  // Output is valid UTF-8, lines separated by '\n', no empty lines.
  // When `line_ends` is given it receives the byte offset where each line
  // ends (the position of its '\n', or the size for the last line).
  Result<std::string> Normalize(std::string_view in, std::vector<uint32_t>* line_ends = nullptr) const;

  // Text folded for matching (phrase lists, templates, title repeats):
  // lower-case (ASCII and Latin-1), Arabic letter variants unified
  // (أ إ آ ٱ -> ا, ى -> ي, ة -> ه), Arabic diacritics dropped, punctuation
  // and symbols dropped, single spaces. REQUIRES: `in` is normalised UTF-8.
  static std::string Fold(std::string_view in);

 private:
  // Strip/whitespace pass; sets *needs_nfkc when a code point is not
  // NFKC-quick-check YES.
  void StripPass(std::string_view in, std::string& out, bool* needs_nfkc,
                 std::vector<uint32_t>* line_ends) const;

  std::vector<uint64_t> not_nfkc_yes_;  // bitmap over the BMP
};

// Decodes one code point at s[i] of valid UTF-8; advances i.
inline uint32_t DecodeUtf8(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  if (c < 0xE0) {
    uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2;
    return cp;
  }
  if (c < 0xF0) {
    uint32_t cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                  (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    i += 3;
    return cp;
  }
  uint32_t cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
                ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
                (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
  i += 4;
  return cp;
}

using ::newsflow::AppendUtf8;  // core/include/newsflow/text.h

inline bool IsArabicLetter(uint32_t cp) {
  return (cp >= 0x0620 && cp <= 0x064A) || (cp >= 0x066E && cp <= 0x06D3) ||
         (cp >= 0x06FA && cp <= 0x06FC);
}

}  // namespace newsflow::clean
