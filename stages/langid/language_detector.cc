#include "language_detector.h"

#include <algorithm>
#include <array>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace newsflow::langid {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Cuts `s` to at most `max_bytes`, at the last space before the limit when
// there is one, else at a UTF-8 boundary (scripts written without spaces).
std::string_view CutAt(std::string_view s, int64_t max_bytes) {
  if (static_cast<int64_t>(s.size()) <= max_bytes) return s;
  size_t end = static_cast<size_t>(max_bytes);
  size_t space = end;
  while (space > 0 && !IsSpace(s[space])) --space;
  if (space > end / 2) return s.substr(0, space);
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

bool SameWritingSystem(UScriptCode sc, UScriptCode majority) {
  if (sc == majority) return true;
  return majority == USCRIPT_JAPANESE &&
         (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA);
}

// True unless most letters of `token` belong to another writing system.
bool TokenInScript(std::string_view token, UScriptCode majority) {
  int in = 0;
  int out = 0;
  int32_t i = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(token.data());
  const auto n = static_cast<int32_t>(token.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0 || u_isdigit(c)) continue;
    UErrorCode err = U_ZERO_ERROR;
    const UScriptCode sc = uscript_getScript(c, &err);
    if (U_FAILURE(err) || sc <= USCRIPT_INHERITED || sc == USCRIPT_UNKNOWN) continue;
    (SameWritingSystem(sc, majority) ? in : out)++;
  }
  return in >= out;
}

// Codes fastText gives to Arabic written with Persian letter forms (ی ک).
bool IsPersianLetterNeighbour(std::string_view code) { return code == "fa" || code == "ur"; }

// Code points in s[from, to) when starting at code point `base` of `from`.
int64_t CountCodePointsIn(std::string_view s, size_t from, size_t to) {
  int64_t n = 0;
  for (size_t i = from; i < to && i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

Result<std::unique_ptr<LanguageDetector>> LanguageDetector::Create(DetectorOptions options) {
  std::unique_ptr<LanguageDetector> d(new LanguageDetector(std::move(options)));
  auto ft = FastTextEngine::Load(d->options_.model_path);
  if (ft.ok()) {
    d->fasttext_ = std::move(ft).value();
  } else if (ft.status().code() != StatusCode::kNotFound) {
    return ft.status();
  }
  return d;
}

void LanguageDetector::Detect(std::string_view text, Detection& out, DetectMode mode) {
  out = Detection{};
  TextProfile& p = profile_;
  Profile(text, p);
  out.script = ScriptCode(p);
  if (p.letters < options_.min_letters) return;

  if (mode == DetectMode::kFastTextOnly) {
    if (!fasttext_) return;
    const auto& g = fasttext_->PredictLine(p.sanitized, p.majority_script);
    if (!g.empty()) {
      out.code = g[0].code;
      out.confidence = g[0].probability;
      out.engine = "fasttext";
    }
    return;
  }
  if (mode == DetectMode::kCld2Only) {
    Cld2Engine::Detect(p.sanitized, p.majority_script, /*want_chunks=*/false, cld2_);
    const Guess g = FromCld2(cld2_);
    out.code = g.code;
    out.confidence = g.confidence;
    out.engine = g.engine;
    return;
  }

  const Guess g = DetectMain(p, /*want_chunks=*/true, cld2_);
  if (g.code == kUnd || g.confidence < options_.min_confidence) return;
  out.code = g.code;
  out.confidence = g.confidence;
  out.engine = g.engine;
  if (!cld2_.chunks.empty()) FindSpans(p, cld2_, out);
}

LanguageDetector::Guess LanguageDetector::DetectMain(const TextProfile& p, bool want_chunks,
                                                    Cld2Answer& cld2) {
  cld2 = Cld2Answer{};
  const bool arabic = p.majority_script == USCRIPT_ARABIC;
  const bool mixed = p.OtherScriptLetters() >= options_.span_min_letters;
  // Arabic-script text goes to fastText anyway; CLD2 runs there only to
  // locate passages in other scripts.
  const bool run_cld2 = !fasttext_ || !arabic || (want_chunks && mixed);
  if (run_cld2) Cld2Engine::Detect(p.sanitized, p.majority_script, want_chunks, cld2);

  if (!fasttext_) return FromCld2(cld2);
  if (!arabic && cld2.valid && cld2.reliable && cld2.code[0] != kUnd &&
      cld2.percent[0] >= options_.cld2_min_percent && cld2.text_bytes >= options_.cld2_min_bytes) {
    return FromCld2(cld2);
  }
  Guess g = FromFastText(p);
  if (g.code == kUnd) return run_cld2 ? FromCld2(cld2) : g;
  if (cld2.valid && cld2.code[0] == g.code) {
    g.confidence = std::max(g.confidence, cld2.percent[0] / 100.0);
  }
  return g;
}

LanguageDetector::Guess LanguageDetector::FromCld2(const Cld2Answer& cld2) const {
  if (!cld2.valid || cld2.code[0] == kUnd) return {kUnd, 0, "cld2"};
  return {cld2.code[0], cld2.percent[0] / 100.0, "cld2"};
}

LanguageDetector::Guess LanguageDetector::FromFastText(const TextProfile& p) {
  const std::string_view window = FastTextWindow(p);
  const auto& guesses = fasttext_->Predict(window, p.majority_script);
  if (guesses.empty()) return {kUnd, 0, "fasttext"};
  Guess g{guesses[0].code, guesses[0].probability, "fasttext"};
  if (IsPersianLetterNeighbour(g.code) && LooksLikeArabicInPersianLetters(p, window)) {
    const auto& folded = fasttext_->Predict(folded_, p.majority_script);
    if (!folded.empty() && folded[0].code == "ar") g = {"ar", folded[0].probability, "fasttext"};
  }
  return g;
}

std::string_view LanguageDetector::FastTextWindow(const TextProfile& p) {
  const std::string_view text = p.sanitized;
  if (p.OtherScriptLetters() < options_.span_min_letters) {
    return CutAt(text, options_.fasttext_max_bytes);
  }
  // Mixed scripts: keep the majority script's words so a byline or a quote
  // in another script does not pull the answer away from the main language.
  window_.clear();
  size_t i = 0;
  while (i < text.size() && static_cast<int64_t>(window_.size()) < options_.fasttext_max_bytes) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i == start) break;
    const std::string_view token = text.substr(start, i - start);
    if (!TokenInScript(token, p.majority_script)) continue;
    if (!window_.empty()) window_.push_back(' ');
    window_.append(token);
  }
  return CutAt(window_, options_.fasttext_max_bytes);
}

// Arabic typed with the Persian forms of yeh and kaf (ی ک, common on
// keyboards in Iran and Afghanistan) reads as Persian to fastText. Such text
// has none of the letters only Persian uses (پ چ ژ گ), and its words carry
// the Arabic article and teh marbuta; when fastText, given the same window
// with ی ک folded to ي ك, then says Arabic, it is Arabic. Persian text with
// ی ک stays Persian: its words, not its letter forms, carry the decision.
bool LanguageDetector::LooksLikeArabicInPersianLetters(const TextProfile& p,
                                                       std::string_view window) {
  if (p.persian_only > 0 || p.persian_yeh_kaf == 0) return false;
  // Arabic evidence: ة, or many words starting with the article ال.
  int64_t words = 0;
  int64_t article = 0;
  size_t i = 0;
  while (i < window.size()) {
    while (i < window.size() && IsSpace(window[i])) ++i;
    const size_t start = i;
    while (i < window.size() && !IsSpace(window[i])) ++i;
    if (i == start) break;
    ++words;
    if (window.substr(start).starts_with("\xD8\xA7\xD9\x84")) ++article;  // ال
  }
  if (p.teh_marbuta == 0 && article * 10 < words) return false;
  folded_.assign(window);
  // ی (DB 8C) -> ي (D9 8A) and ک (DA A9) -> ك (D9 83): same byte lengths.
  for (size_t j = 0; j + 1 < folded_.size(); ++j) {
    const auto a = static_cast<unsigned char>(folded_[j]);
    const auto b = static_cast<unsigned char>(folded_[j + 1]);
    if (a == 0xDB && b == 0x8C) {
      folded_[j] = '\xD9';
      folded_[j + 1] = '\x8A';
    } else if (a == 0xDA && b == 0xA9) {
      folded_[j] = '\xD9';
      folded_[j + 1] = '\x83';
    }
  }
  return true;
}

void LanguageDetector::FindSpans(const TextProfile& p, const Cld2Answer& cld2, Detection& out) {
  const std::string_view text = p.sanitized;
  // CLD2's chunks tile the text; merge runs of one language, then check each
  // candidate on its own so a chunk CLD2 misread (a neighbour of the main
  // language, a name) is not reported.
  size_t cp_pos_bytes = 0;
  int64_t cp_pos = 0;
  const auto& chunks = cld2.chunks;
  for (size_t i = 0; i < chunks.size();) {
    size_t j = i + 1;
    while (j < chunks.size() && chunks[j].code == chunks[i].code) ++j;
    const std::string_view code = chunks[i].code;
    size_t begin = static_cast<size_t>(chunks[i].byte_offset);
    size_t end = static_cast<size_t>(chunks[j - 1].byte_offset + chunks[j - 1].byte_length);
    i = j;
    if (code == kUnd || code == out.code || end > text.size() || begin >= end) continue;
    while (begin < end && IsSpace(text[begin])) ++begin;
    while (end > begin && IsSpace(text[end - 1])) --end;
    Profile(text.substr(begin, end - begin), span_profile_);
    if (span_profile_.letters < options_.span_min_letters) continue;
    const Guess g = DetectMain(span_profile_, /*want_chunks=*/false, span_cld2_);
    if (g.code == kUnd || g.code == out.code || g.confidence < options_.min_confidence) continue;
    cp_pos += CountCodePointsIn(text, cp_pos_bytes, begin);
    const int64_t start_cp = cp_pos;
    cp_pos += CountCodePointsIn(text, begin, end);
    cp_pos_bytes = end;
    out.spans.push_back({start_cp, cp_pos, g.code, g.confidence});
  }
}

}  // namespace newsflow::langid
