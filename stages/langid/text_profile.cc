#include "text_profile.h"

#include <array>
#include <vector>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace newsflow::langid {
namespace {

bool IsAsciiLetter(unsigned char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

// Controls other than tab and newline confuse both engines; DEL too.
bool IsAsciiControl(unsigned char c) { return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F; }

// The script of a letter, or -1 for anything that is not one (Common and
// Inherited characters, digits, unassigned code points).
int16_t LetterScript(UChar32 c) {
  UErrorCode err = U_ZERO_ERROR;
  const UScriptCode sc = uscript_getScript(c, &err);
  // Letters and combining marks only: the Arabic block also holds digits
  // and punctuation (٬ ٫ ٪) whose script is Arabic.
  if (U_FAILURE(err) || sc <= USCRIPT_INHERITED || sc == USCRIPT_UNKNOWN ||
      (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) == 0) {
    return -1;
  }
  return static_cast<int16_t>(sc);
}

// LetterScript for the Basic Multilingual Plane, looked up once (about 2 ms,
// 128 KB): with ICU per character the profile pass was a tenth of the
// detector's time.
class BmpScripts {
 public:
  BmpScripts() : table_(0x10000) {
    for (UChar32 c = 0; c < 0x10000; ++c) table_[c] = LetterScript(c);
  }
  int16_t operator()(UChar32 c) const { return c < 0x10000 ? table_[c] : LetterScript(c); }

 private:
  std::vector<int16_t> table_;
};

}  // namespace

void Profile(std::string_view text, TextProfile& p) {
  p.sanitized.assign(text.data(), text.size());
  p.code_points = 0;
  p.letters = 0;
  p.script_letters.fill(0);
  p.majority_script = USCRIPT_COMMON;
  p.majority_letters = 0;
  p.has_kana = false;
  p.extended_letters = p.persian_yeh_kaf = p.teh_marbuta = p.alef_hamza_below = 0;
  p.arabic_letters = 0;
  p.kurdish_letters = p.uyghur_only = 0;

  static const BmpScripts kScripts;
  char* s = p.sanitized.data();
  const int64_t n = static_cast<int64_t>(p.sanitized.size());
  int64_t latin = 0;
  int64_t i = 0;
  while (i < n) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // ASCII fast path: most bytes of most feeds
      if (IsAsciiLetter(b)) {
        ++latin;
      } else if (IsAsciiControl(b)) {
        s[i] = ' ';
      }
      ++i;
      ++p.code_points;
      continue;
    }
    const int64_t start = i;
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s), i, n, c);
    ++p.code_points;
    if (c < 0 || (c >= 0x80 && c <= 0x9F) || U_IS_UNICODE_NONCHAR(c)) {
      // Invalid bytes, C1 controls and noncharacters: blank them, keeping
      // byte offsets (CLD2 wants interchange-valid UTF-8).
      for (int64_t j = start; j < i; ++j) s[j] = ' ';
      continue;
    }
    const int16_t sc = kScripts(c);
    if (sc < 0) continue;
    ++p.letters;
    ++p.script_letters[sc];
    if (sc == USCRIPT_ARABIC) {
      ++p.arabic_letters;
      // Letters beyond the Arabic alphabet (U+0621..U+065F, U+0670): those of
      // Persian, Urdu, Pashto, Sindhi, Kurdish, Uyghur... ی ک are counted apart.
      if (c >= 0x0671 && c != 0x06CC && c != 0x06A9) ++p.extended_letters;
      switch (c) {
        case 0x0625:
          ++p.alef_hamza_below;
          break;
        case 0x06CC: case 0x06A9:
          ++p.persian_yeh_kaf;
          break;
        case 0x0629:
          ++p.teh_marbuta;
          break;
        case 0x06D5: case 0x06CE: case 0x06B5: case 0x0695: case 0x06C6:
          ++p.kurdish_letters;
          break;
        case 0x06C7: case 0x06C8: case 0x06CB: case 0x06AD:
          ++p.uyghur_only;
          break;
        default:
          break;
      }
    } else if (sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA) {
      p.has_kana = true;
    }
  }
  p.letters += latin;
  p.script_letters[USCRIPT_LATIN] += static_cast<int32_t>(latin);

  // Japanese mixes Han and kana; count the three as one writing system so a
  // kana-heavy sentence and a Han-heavy one get the same majority.
  const int64_t japanese = p.has_kana ? int64_t{p.script_letters[USCRIPT_HAN]} +
                                            p.script_letters[USCRIPT_HIRAGANA] +
                                            p.script_letters[USCRIPT_KATAKANA]
                                      : 0;
  for (int sc = 0; sc < USCRIPT_CODE_LIMIT; ++sc) {
    if (p.script_letters[sc] > p.majority_letters) {
      p.majority_letters = p.script_letters[sc];
      p.majority_script = static_cast<UScriptCode>(sc);
    }
  }
  if (japanese > p.majority_letters) {
    p.majority_letters = japanese;
    p.majority_script = USCRIPT_JAPANESE;
  }
}

std::string_view ScriptCode(const TextProfile& p) {
  if (p.letters == 0) return p.code_points == 0 ? "Zzzz" : "Zyyy";
  if (p.majority_script == USCRIPT_HAN && p.has_kana) return "Jpan";
  const char* name = uscript_getShortName(p.majority_script);
  return name != nullptr ? std::string_view(name) : std::string_view("Zzzz");
}

}  // namespace newsflow::langid
