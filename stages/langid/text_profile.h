// One pass over an article's text that prepares it for the detectors and
// counts what the router needs: letters per script and a few Arabic-script
// letters that tell Arabic from its neighbours.
//
// The sanitised copy has the same byte length as the input, so byte offsets
// found in it (CLD2's chunks) are offsets into the original text: C0 and C1
// controls and invalid UTF-8 bytes become spaces (CLD2's *CheckUTF8 calls
// reject a whole text that contains a C1 control), as do noncharacters
// (U+FDD0..U+FDEF, U+xFFFE/F), and nothing else changes.
// Letters are not normalised: Persian and Arabic letter forms are evidence.
//
// Thread-safety: a TextProfile is a plain value; Profile() is reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <unicode/uscript.h>

namespace newsflow::langid {

struct TextProfile {
  std::string sanitized;  // same length as the input, valid UTF-8
  int64_t code_points = 0;
  // Letters and combining marks of a real script (not Common, Inherited or
  // Unknown): what a detector can learn from. Digits and punctuation are not.
  int64_t letters = 0;
  // Letters per script (UScriptCode index). For the majority, Han, Hiragana
  // and Katakana count as one writing system (USCRIPT_JAPANESE) when kana occur.
  std::array<int32_t, USCRIPT_CODE_LIMIT> script_letters{};
  UScriptCode majority_script = USCRIPT_COMMON;
  int64_t majority_letters = 0;
  bool has_kana = false;

  // Arabic-script evidence (counts of code points).
  // Letters beyond the Arabic alphabet other than ی ک (پ چ ژ گ ٹ ڈ ے ښ ځ
  // ڪ ە ...): every neighbour of Arabic uses some; Arabic words do not.
  int64_t extended_letters = 0;
  int64_t persian_yeh_kaf = 0;  // ی ک: Persian forms of ي ك
  int64_t teh_marbuta = 0;      // ة: common in Arabic, rare elsewhere
  int64_t alef_hamza_below = 0;  // إ: Arabic spelling, rare in Persian and Urdu
  int64_t arabic_letters = 0;  // letters in the Arabic script
  // Letters of Kurdish (Sorani) spelling: ە ێ ڵ ڕ ۆ. Persian, Arabic, Urdu,
  // Pashto and Sindhi do not use them; Uyghur shares ە and ۆ only.
  int64_t kurdish_letters = 0;
  int64_t uyghur_only = 0;  // ۇ ۈ ۋ ڭ: Uyghur letters Sorani does not use

  // Letters outside the majority script.
  int64_t OtherScriptLetters() const { return letters - majority_letters; }
};

// Fills `out` (reusing its buffer) from `text`, which may be any bytes.
void Profile(std::string_view text, TextProfile& out);

// ISO 15924 code of the profile's writing system: "Arab", "Latn", "Jpan"
// (Han with kana), "Zyyy" when there is text but no letters, "Zzzz" when empty.
std::string_view ScriptCode(const TextProfile& p);

}  // namespace newsflow::langid
