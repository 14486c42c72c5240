// Adapter over CLD2 (full tables): one call per text, answers in newsflow
// codes. CLD2 is the fast engine; it is sure of itself on most scripts, and
// its result chunks locate other-language passages for lang.spans.
//
// Thread-safety: CLD2 keeps no state between calls; Cld2Engine is stateless.
#pragma once

#include <string_view>
#include <vector>

#include <unicode/uscript.h>

namespace newsflow::langid {

struct Cld2Chunk {
  int64_t byte_offset = 0;
  int64_t byte_length = 0;
  std::string_view code;  // newsflow code; kUnd for "un", "xx-..." and a bare "ku"
};

struct Cld2Answer {
  std::string_view code[3];  // newsflow codes, kUnd where empty
  int percent[3] = {0, 0, 0};  // share of the scored bytes
  // Score against the language's typical text (about 1.0 for ordinary text
  // of that language; far lower when the text only resembles it).
  double normalized_score[3] = {0, 0, 0};
  bool reliable = false;
  int text_bytes = 0;  // bytes CLD2 scored (letters, not markup or digits)
  bool valid = false;  // false when CLD2 did not run (empty text)
  std::vector<Cld2Chunk> chunks;  // filled only when asked for
};

class Cld2Engine {
 public:
  // REQUIRES: `text` is interchange-valid UTF-8: well formed, no C0/C1
  // controls but tab and newline, no noncharacters (TextProfile's
  // `sanitized`). CLD2's unchecked entry point is used.
  // `script` is the majority script, used to read CLD2's bare "ku".
  static void Detect(std::string_view text, UScriptCode script, bool want_chunks,
                     Cld2Answer& out);
};

}  // namespace newsflow::langid
