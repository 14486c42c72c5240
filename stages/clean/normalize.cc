#include "normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/bytestream.h>
#include <unicode/uchar.h>
#include <unicode/uniset.h>
#include <unicode/unistr.h>

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "newsflow/text.h"

namespace newsflow::clean {
namespace {

#if defined(__SSE2__)
// Sixteen bytes at `p` (a character boundary, valid UTF-8) that StripPass
// copies as they are: printable ASCII, single spaces, and two-byte letters
// with lead byte D8..DB other than U+061C, tatweel U+0640 and the letters
// that may need NFKC (D9 93..95, D9 B5..B8). Returns how many of them can be
// taken at once, ending on a character boundary and not on a space (whether
// that space is written depends on what follows): 14..16, or 0 when the
// block holds anything else (the caller goes on byte by byte).
inline size_t PlainSpan16(const unsigned char* p) {
  const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  auto at_least = [&w](int lo) { return _mm_cmpeq_epi8(_mm_max_epu8(w, _mm_set1_epi8(static_cast<char>(lo))), w); };
  auto at_most = [&w](int hi) { return _mm_cmpeq_epi8(_mm_min_epu8(w, _mm_set1_epi8(static_cast<char>(hi))), w); };
  auto eq = [&w](int v) { return _mm_cmpeq_epi8(w, _mm_set1_epi8(static_cast<char>(v))); };
  const __m128i space = eq(0x20);
  const __m128i lead = _mm_and_si128(at_least(0xD8), at_most(0xDB));
  const __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_and_si128(at_least(0x20), at_most(0x7E)),
                                                    _mm_and_si128(at_least(0x80), at_most(0xBF))),
                                       lead);
  // Second bytes of the pairs that are not copied as they are.
  const __m128i after_d8 = _mm_slli_si128(eq(0xD8), 1), after_d9 = _mm_slli_si128(eq(0xD9), 1);
  const __m128i special_d9 = _mm_or_si128(_mm_or_si128(eq(0x80), _mm_and_si128(at_least(0x93), at_most(0x95))),
                                          _mm_and_si128(at_least(0xB5), at_most(0xB8)));
  const __m128i bad = _mm_or_si128(_mm_or_si128(_mm_and_si128(after_d8, eq(0x9C)), _mm_and_si128(after_d9, special_d9)),
                                   _mm_and_si128(space, _mm_slli_si128(space, 1)));  // two spaces
  if (_mm_movemask_epi8(allowed) != 0xFFFF || _mm_movemask_epi8(bad) != 0) return 0;
  const int lead_bits = _mm_movemask_epi8(lead), space_bits = _mm_movemask_epi8(space);
  size_t len = 16;
  if (((lead_bits | space_bits) >> 15) & 1) len = 15;  // a letter cut in two, or a space at the end
  if ((space_bits >> (len - 1)) & 1) --len;
  return len;
}
#endif

// NFKC restricted to Arabic (letters, presentation forms), Latin ligatures,
// full-width Latin letters and digits, and half-width kana and Hangul.
// Unrestricted NFKC would also rewrite typography that carries meaning or is
// quoted verbatim downstream ("…" -> "...", "²" -> "2", "½" -> "1⁄2"), and
// full-width punctuation is the native punctuation of Chinese and Japanese
// ("，" -> "," would change the text).
const icu::Normalizer2* Nfkc() {
  static const icu::Normalizer2* const kFiltered = []() -> const icu::Normalizer2* {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(err);
    if (U_FAILURE(err) || n == nullptr) return nullptr;
    auto* set = new icu::UnicodeSet(
        icu::UnicodeString(u"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB00-\uFDFF\uFE70-\uFEFF\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF61-\uFFDC]"),
        err);
    if (U_FAILURE(err)) return nullptr;
    set->freeze();
    return new icu::FilteredNormalizer2(*n, *set);
  }();
  return kFiltered;
}

const icu::Normalizer2* Nfc() {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(err);
  return U_SUCCESS(err) ? n : nullptr;
}

bool InNfkcScope(uint32_t cp) {
  return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
         (cp >= 0x08A0 && cp <= 0x08FF) || (cp >= 0xFB00 && cp <= 0xFDFF) ||
         (cp >= 0xFE70 && cp <= 0xFEFF) || (cp >= 0xFF10 && cp <= 0xFF19) ||
         (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A) ||
         (cp >= 0xFF61 && cp <= 0xFFDC);
}

// Characters removed outright: they carry no text and break matching.
bool IsDropped(uint32_t cp) {
  switch (cp) {
    case 0x00AD:  // soft hyphen
    case 0x061C:  // Arabic letter mark
    case 0x0640:  // tatweel
    case 0x180E:
    case 0x200B: case 0x200C: case 0x200D: case 0x200E: case 0x200F:
    case 0x2060: case 0x2061: case 0x2062: case 0x2063: case 0x2064:
    case 0xFEFF:
      return true;
    default:
      break;
  }
  if (cp >= 0x202A && cp <= 0x202E) return true;  // bidi embeddings
  if (cp >= 0x2066 && cp <= 0x2069) return true;  // bidi isolates
  if (cp >= 0x0080 && cp <= 0x009F) return true;  // C1 controls
  if (cp >= 0xFFF9 && cp <= 0xFFFB) return true;  // interlinear annotation
  return false;
}

bool IsSpace(uint32_t cp) {
  return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

bool IsLineBreak(uint32_t cp) { return cp == 0x0085 || cp == 0x2028 || cp == 0x2029; }

}  // namespace

Normalizer::Normalizer() : not_nfkc_yes_(0x10000 / 64, 0) {
  for (uint32_t cp = 0x80; cp < 0x10000; ++cp) {
    // Everything gets canonical composition (NFC: "e" + U+0301 -> "é", Bengali
    // vowel signs); only the scoped ranges get compatibility mappings.
    if ((InNfkcScope(cp) &&
         u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_NFKC_QUICK_CHECK) != UNORM_YES) ||
        u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_NFC_QUICK_CHECK) != UNORM_YES) {
      not_nfkc_yes_[cp >> 6] |= uint64_t{1} << (cp & 63);
    }
  }
}

void Normalizer::StripPass(std::string_view in, std::string& out, bool* needs_nfkc,
                           std::vector<uint32_t>* line_ends) const {
  if (line_ends != nullptr) line_ends->clear();
  // Output is never longer than input (every rewrite shrinks or keeps size),
  // so write through a raw pointer into a buffer sized once.
  out.resize(in.size());
  char* const base = out.data();
  char* o = base;
  bool pending_nl = false, pending_sp = false, line_empty = true;
  auto before_emit = [&] {
    if (pending_nl && o != base) {
      if (line_ends != nullptr) line_ends->push_back(static_cast<uint32_t>(o - base));
      *o++ = '\n';
    } else if (pending_sp && !line_empty) {
      *o++ = ' ';
    }
    pending_nl = pending_sp = false;
    line_empty = false;
  };
  auto newline = [&] {
    if (!line_empty) pending_nl = true;
    line_empty = true;
    pending_sp = false;
  };
  const unsigned char* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  // An Arabic letter (lead byte D8..DB) removed outright: U+061C, tatweel.
  auto arabic_dropped = [](unsigned char a, unsigned char b) {
    return (a == 0xD8 && b == 0x9C) || (a == 0xD9 && b == 0x80);
  };
  // The end of the span from `j` that is copied as it is: printable ASCII,
  // Arabic-block letters other than the dropped ones, and single spaces
  // followed by either (before_emit would write that space as it is). One
  // copy per span instead of one per word.
  auto span_end = [&](size_t j) {
    while (j < n) {
#if defined(__SSE2__)
      if (j + 16 <= n) {
        if (const size_t len = PlainSpan16(p + j); len > 0) {
          j += len;
          continue;
        }
      }
#endif
      const unsigned char a = p[j];
      if (a > 0x20 && a < 0x7F) {
        ++j;
      } else if (a >= 0xD8 && a <= 0xDB && j + 1 < n) {
        const unsigned char b = p[j + 1];
        if (arabic_dropped(a, b)) break;
        // U+0653..U+0655 (hamza marks) and U+0675..U+0678 may need NFKC.
        if (a == 0xD9 && ((b >= 0x93 && b <= 0x95) || (b >= 0xB5 && b <= 0xB8))) *needs_nfkc = true;
        j += 2;
      } else if (a == ' ' && j + 1 < n && p[j + 1] > 0x20 && p[j + 1] < 0x7F) {
        j += 2;
      } else if (a == ' ' && j + 2 < n && p[j + 1] >= 0xD8 && p[j + 1] <= 0xDB && !arabic_dropped(p[j + 1], p[j + 2])) {
        ++j;  // (the letter is taken on the next round)
      } else {
        break;
      }
    }
    return j;
  };
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c > 0x20 && c < 0x7F) {
      // A run of printable non-space ASCII (and what follows it, see span_end).
      const size_t j = span_end(i + 1);
      before_emit();
      std::memcpy(o, p + i, j - i);
      o += j - i;
      i = j;
      continue;
    }
    if (c < 0x80) {
      ++i;
      if (c == '\n') {
        newline();
      } else if (c == '\r') {
        if (i < n && p[i] == '\n') ++i;
        newline();
      } else if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
        pending_sp = true;
      }
      continue;  // other C0 controls and DEL are dropped
    }
    if ((c == 0xD8 || c == 0xD9 || c == 0xDA || c == 0xDB) && i + 1 < n) {
      // Arabic block fast path: only U+061C and tatweel U+0640 are dropped,
      // and U+0653..U+0655 may need NFKC composition.
      if (arabic_dropped(c, p[i + 1])) {
        i += 2;
        continue;
      }
      before_emit();
      // Copy the whole run of ordinary Arabic characters (and the words
      // after it, see span_end) at once.
      const size_t j = span_end(i);
      std::memcpy(o, p + i, j - i);
      o += j - i;
      i = j;
      continue;
    }
    size_t start = i;
    uint32_t cp = DecodeUtf8(in, i);
    if (IsDropped(cp)) continue;
    if (IsSpace(cp)) {
      pending_sp = true;
      continue;
    }
    if (IsLineBreak(cp)) {
      newline();
      continue;
    }
    if (cp >= 0x10000 || (not_nfkc_yes_[cp >> 6] >> (cp & 63)) & 1) *needs_nfkc = true;
    before_emit();
    std::memcpy(o, p + start, i - start);
    o += i - start;
  }
  out.resize(static_cast<size_t>(o - base));
  if (line_ends != nullptr && !out.empty()) line_ends->push_back(static_cast<uint32_t>(out.size()));
}

Result<std::string> Normalizer::Normalize(std::string_view in, std::vector<uint32_t>* line_ends) const {
  if (!IsValidUtf8(in)) return Status::Corrupt("invalid UTF-8 in body");
  std::string out;
  bool needs_nfkc = false;
  StripPass(in, out, &needs_nfkc, line_ends);
  if (!needs_nfkc) return out;
  const icu::Normalizer2* nfc = Nfc();
  const icu::Normalizer2* n = Nfkc();
  if (n == nullptr || nfc == nullptr) return Status::Internal("ICU normalisers unavailable");
  std::string composed, nfkc;
  {
    icu::StringByteSink<std::string> sink(&composed, static_cast<int32_t>(out.size()));
    UErrorCode err = U_ZERO_ERROR;
    nfc->normalizeUTF8(0, out, sink, nullptr, err);
    if (U_FAILURE(err)) return Status::Internal(std::string("NFC failed: ") + u_errorName(err));
  }
  icu::StringByteSink<std::string> sink(&nfkc, static_cast<int32_t>(composed.size()));
  UErrorCode err = U_ZERO_ERROR;
  n->normalizeUTF8(0, composed, sink, nullptr, err);
  if (U_FAILURE(err)) return Status::Internal(std::string("NFKC failed: ") + u_errorName(err));
  // NFKC can expose new tatweels or spaces (e.g. U+FE71 -> tatweel + fathatan).
  bool unused = false;
  StripPass(nfkc, out, &unused, line_ends);
  return out;
}

namespace {

bool IsFoldPunct(uint32_t cp) {
  if (cp < 0x80) {
    return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  }
  if (cp >= 0x00A1 && cp <= 0x00BF) return true;
  if (cp == 0x00D7 || cp == 0x00F7) return true;
  if (cp >= 0x2010 && cp <= 0x205E) return true;
  if (cp >= 0x2190 && cp <= 0x2BFF) return true;  // arrows, shapes, symbols
  if (cp == 0x060C || cp == 0x061B || cp == 0x061F || cp == 0x06D4) return true;
  if (cp >= 0x066A && cp <= 0x066D) return true;
  if (cp >= 0x3000 && cp <= 0x303F) return true;
  if (cp >= 0x1F000) return true;  // emoji and pictographs
  return false;
}

}  // namespace

std::string Normalizer::Fold(std::string_view in) {
  // Every mapping keeps or shrinks the UTF-8 length, so write in place.
  std::string out(in.size(), '\0');
  char* const base = out.data();
  char* o = base;
  bool sp = false;
  size_t i = 0;
  while (i < in.size()) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      ++i;
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      } else if (c >= 'A' && c <= 'Z') {
        c = static_cast<unsigned char>(c + 32);
      } else {
        sp = true;
        continue;
      }
      if (sp && o != base) *o++ = ' ';
      sp = false;
      *o++ = static_cast<char>(c);
      continue;
    }
    if ((c == 0xD8 || c == 0xD9) && i + 1 < in.size()) {
      // Arabic letters U+0600..U+067F: the common case, without decoding.
      unsigned char d = static_cast<unsigned char>(in[i + 1]);
      i += 2;
      if (c == 0xD9 && ((d >= 0x8B && d <= 0x9F) || d == 0xB0)) continue;  // harakat
      if ((c == 0xD8 && (d == 0x8C || d == 0x9B || d == 0x9F)) || (c == 0xD9 && d >= 0xAA && d <= 0xAD)) {
        sp = true;  // Arabic comma, semicolon, question mark, percent and separators
        continue;
      }
      if (c == 0xD8 && (d == 0xA2 || d == 0xA3 || d == 0xA5)) d = 0xA7;  // alef variants
      else if (c == 0xD9 && d == 0xB1) c = 0xD8, d = 0xA7;               // alef wasla
      else if (c == 0xD9 && d == 0x89) d = 0x8A;                         // alef maqsura -> yeh
      else if (c == 0xD8 && d == 0xA9) c = 0xD9, d = 0x87;               // teh marbuta -> heh
      if (sp && o != base) *o++ = ' ';
      sp = false;
      *o++ = static_cast<char>(c);
      *o++ = static_cast<char>(d);
      continue;
    }
    uint32_t cp = DecodeUtf8(in, i);
    if (IsFoldPunct(cp)) {
      sp = true;
      continue;
    }
    if (cp >= 0x064B && cp <= 0x065F) continue;  // harakat
    if (cp == 0x0670) continue;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) cp += 32;
    else if (cp == 0x0622 || cp == 0x0623 || cp == 0x0625 || cp == 0x0671) cp = 0x0627;
    else if (cp == 0x0649) cp = 0x064A;
    else if (cp == 0x0629) cp = 0x0647;
    else if (cp == 0x06CC) cp = 0x064A;  // Persian yeh
    else if (cp == 0x06A9) cp = 0x0643;  // keheh
    if (sp && o != base) *o++ = ' ';
    sp = false;
    if (cp < 0x800) {
      *o++ = static_cast<char>(0xC0 | (cp >> 6));
      *o++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *o++ = static_cast<char>(0xE0 | (cp >> 12));
      *o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *o++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *o++ = static_cast<char>(0xF0 | (cp >> 18));
      *o++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *o++ = static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  out.resize(static_cast<size_t>(o - base));
  return out;
}

}  // namespace newsflow::clean
