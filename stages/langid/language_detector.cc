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

// CLD2's normalized score of ordinary text in the language it names.
constexpr double kCld2TypicalScore = 1024;

// Languages written in the Arabic script that either engine can name.
bool IsArabicScriptLanguage(std::string_view code) {
  static constexpr std::array<std::string_view, 13> kCodes = {
      "ar", "fa", "ur", "ps", "ckb", "sd", "ug", "azb", "pnb", "mzn", "lrc", "ks", "bal"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

// Languages newsflow must tell apart that CLD2 cannot name at all (its
// "ku" is Sorani in Arabic script; it has no Latin-script Kurmanji).
bool LacksInCld2(std::string_view code) { return code == "kmr"; }

// Trims [begin, end) of white space and of short head and tail pieces that
// lie across a paragraph break: CLD2's chunk edges wander a few words into
// the neighbouring paragraph.
void SnapToParagraphs(std::string_view text, size_t& begin, size_t& end) {
  auto trim = [&] {
    while (begin < end && IsSpace(text[begin])) ++begin;
    while (end > begin && IsSpace(text[end - 1])) --end;
  };
  trim();
  constexpr size_t kShortPieceBytes = 64;
  const std::string_view piece = text.substr(begin, end - begin);
  const size_t first_break = piece.find('\n');
  if (first_break == std::string_view::npos) return;
  if (first_break < kShortPieceBytes) begin += first_break + 1;
  const size_t last_break = text.substr(begin, end - begin).rfind('\n');
  if (last_break != std::string_view::npos && end - (begin + last_break) < kShortPieceBytes) {
    end = begin + last_break;
  }
  trim();
}

// Code points in s[from, to).
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
    // CLD2's own answer, only mapped to newsflow codes.
    Cld2Engine::Detect(p.sanitized, p.majority_script, /*want_chunks=*/false, cld2_);
    if (cld2_.valid && cld2_.code[0] != kUnd) {
      out.code = cld2_.code[0];
      out.confidence = cld2_.percent[0] / 100.0;
      out.engine = "cld2";
    }
    return;
  }

  // CLD2's chunks (spans) cost about 8 % of its time: ask for them up front
  // when another script is present, else only when CLD2 sees a second language.
  const bool mixed_script = p.OtherScriptLetters() >= options_.span_min_letters;
  const Guess g = DetectMain(p, /*want_chunks=*/mixed_script, cld2_);
  if (g.code == kUnd || g.confidence < options_.min_confidence) return;
  out.code = g.code;
  out.confidence = g.confidence;
  out.engine = g.engine;
  if (!mixed_script && cld2_.valid && cld2_.code[1] != kUnd &&
      cld2_.percent[1] * int64_t{cld2_.text_bytes} >= 100 * options_.span_min_letters) {
    Cld2Engine::Detect(p.sanitized, p.majority_script, /*want_chunks=*/true, cld2_);
  }
  if (!cld2_.chunks.empty() || mixed_script) FindSpans(p, cld2_, mixed_script, out);
}

void LanguageDetector::DetectRaw(std::string_view text, RawAnswers& out) {
  Profile(text, profile_);
  out.letters = profile_.letters;
  out.script = ScriptCode(profile_);
  Cld2Engine::Detect(profile_.sanitized, profile_.majority_script, false, out.cld2);
  out.fasttext = fasttext_->Predict(profile_.sanitized, profile_.majority_script);
}

LanguageDetector::Guess LanguageDetector::DetectMain(const TextProfile& p, bool want_chunks,
                                                    Cld2Answer& cld2) {
  Cld2Engine::Detect(p.sanitized, p.majority_script, want_chunks, cld2);
  const Guess c = FromCld2(cld2, p);
  if (!fasttext_) return c;
  if (c.code != kUnd && Cld2IsSure(cld2, p)) return c;

  const std::string_view window = FastTextWindow(p);
  const std::vector<FastTextGuess>& ft = fasttext_->Predict(window, p.majority_script);
  if (ft.empty()) return c;
  // A language CLD2 cannot name: its answer says nothing either way.
  if (LacksInCld2(ft[0].code)) return {ft[0].code, ft[0].probability, "fasttext"};

  Guess g = Vote(c, cld2, ft);
  // Sorani spelt with its own letters, which CLD2's small Kurdish model
  // loses to Persian or Uyghur on sentences: if fastText sees Sorani at all,
  // the letters decide.
  if (g.code != "ckb" && p.kurdish_letters > 0 && p.uyghur_only == 0 &&
      IsArabicScriptLanguage(g.code)) {
    for (const auto& v : ft) {
      if (v.code == "ckb") g = {"ckb", std::max(v.probability, g.confidence), "cld2+fasttext"};
    }
  }
  if (g.code != "ar" && IsArabicScriptLanguage(g.code) &&
      LooksLikeArabicInPersianLetters(p, window)) {
    // The same vote on the folded window.
    Cld2Engine::Detect(folded_, p.majority_script, /*want_chunks=*/false, fold_cld2_);
    const Guess folded_cld2 = FromCld2(fold_cld2_, p);
    const Guess folded =
        Vote(folded_cld2, fold_cld2_, fasttext_->Predict(folded_, p.majority_script));
    // The letters moved the answer within the family; the engines' certainty
    // that it is one of these languages carries over.
    if (folded.code == "ar") g = {"ar", std::max(folded.confidence, g.confidence), folded.engine};
  }
  return g;
}

LanguageDetector::Guess LanguageDetector::Vote(const Guess& c, const Cld2Answer& cld2,
                                               const std::vector<FastTextGuess>& ft) const {
  if (ft.empty()) return c;
  // Vote: fastText's probabilities plus CLD2's share for its first language.
  // CLD2's vote weighs at most one, scaled down by its normalized score:
  // on a sentence CLD2 claims 95-99 % for whatever it picks, and the score
  // is what tells a sentence that reads like that language from one that
  // merely resembles it. The confidence is the winner's support over the
  // weight cast, so two equally sure engines that disagree give about 0.5.
  const double cld2_weight =
      c.code != kUnd ? std::clamp(cld2.normalized_score[0] / kCld2TypicalScore, 0.0, 1.0) : 0.0;
  std::array<FastTextGuess, 8> votes;
  size_t n = 0;
  for (const auto& g : ft) {
    if (n < votes.size()) votes[n++] = g;
  }
  if (cld2_weight > 0) {
    auto* it = std::find_if(votes.begin(), votes.begin() + n,
                            [&](const FastTextGuess& g) { return g.code == c.code; });
    if (it != votes.begin() + n) {
      it->probability += c.confidence * cld2_weight;
    } else if (n < votes.size()) {
      votes[n++] = {c.code, c.confidence * cld2_weight};
    }
  }
  const auto* best = std::max_element(
      votes.begin(), votes.begin() + n,
      [](const FastTextGuess& a, const FastTextGuess& b) { return a.probability < b.probability; });
  return {best->code, best->probability / (1.0 + cld2_weight),
          cld2_weight > 0 ? "cld2+fasttext" : "fasttext"};
}

bool LanguageDetector::Cld2IsSure(const Cld2Answer& cld2, const TextProfile& p) const {
  if (!cld2.valid || !cld2.reliable || cld2.percent[0] < options_.cld2_min_percent ||
      cld2.text_bytes < options_.cld2_min_bytes ||
      cld2.normalized_score[0] < options_.cld2_min_score * kCld2TypicalScore) {
    return false;
  }
  // Arabic with Persian letter forms reads as a neighbour to CLD2 too; let
  // fastText and the folding check look at it.
  if (cld2.code[0] != "ar" && p.extended_letters == 0 && p.persian_yeh_kaf > 0) {
    return false;
  }
  return true;
}

LanguageDetector::Guess LanguageDetector::FromCld2(const Cld2Answer& cld2,
                                                   const TextProfile& p) const {
  if (!cld2.valid || cld2.code[0] == kUnd) return {kUnd, 0, "cld2"};
  // CLD2 sometimes names a Cyrillic- or Latin-script language for Arabic-
  // script text (Kazakh, Uzbek for Sorani); such an answer is noise.
  if (p.majority_script == USCRIPT_ARABIC && !IsArabicScriptLanguage(cld2.code[0])) {
    return {kUnd, 0, "cld2"};
  }
  return {cld2.code[0], cld2.percent[0] / 100.0, "cld2"};
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

// Arabic typed with the Persian forms of yeh and kaf (ی ک, as keyboards in
// Iran and Afghanistan type it) reads as Persian, Urdu or another neighbour
// to both engines. Such text has no letter beyond the Arabic alphabet but
// ی ک (no پ چ ژ گ, ٹ ے, ښ ځ, ە ...), and shows Arabic spelling (ة, إ, or
// the article ال on one word in ten); when fastText, given the same window
// with ی ک folded to ي ك, then says Arabic, it is Arabic. Persian text that
// passes the letter test stays Persian when its words say so: the letters
// alone are not folded for detection.
bool LanguageDetector::LooksLikeArabicInPersianLetters(const TextProfile& p,
                                                       std::string_view window) {
  if (p.extended_letters > 0 || p.persian_yeh_kaf == 0) return false;
  // Arabic evidence: ة, إ, or many words starting with the article ال.
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
  if (p.teh_marbuta == 0 && p.alef_hamza_below == 0 && article * 10 < words) return false;
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

void LanguageDetector::FindSpans(const TextProfile& p, const Cld2Answer& cld2, bool mixed_script,
                                 Detection& out) {
  const std::string_view text = p.sanitized;
  // Candidates, as byte ranges: runs of CLD2 chunks in another language
  // (CLD2's chunks tile the text), and, when the text mixes scripts, whole
  // paragraphs written mostly in another script (a byline, a quote): CLD2
  // folds short ones into its neighbours.
  std::vector<std::pair<size_t, size_t>>& candidates = span_candidates_;
  candidates.clear();
  const auto& chunks = cld2.chunks;
  for (size_t i = 0; i < chunks.size();) {
    size_t j = i + 1;
    while (j < chunks.size() && chunks[j].code == chunks[i].code) ++j;
    const std::string_view code = chunks[i].code;
    const auto begin = static_cast<size_t>(chunks[i].byte_offset);
    const auto end = static_cast<size_t>(chunks[j - 1].byte_offset + chunks[j - 1].byte_length);
    i = j;
    if (code != kUnd && code != out.code && begin < end && end <= text.size()) {
      candidates.emplace_back(begin, end);
    }
  }
  if (mixed_script) {
    for (size_t begin = 0; begin < text.size();) {
      size_t end = text.find('\n', begin);
      if (end == std::string_view::npos) end = text.size();
      Profile(text.substr(begin, end - begin), span_profile_);
      if (span_profile_.letters >= options_.span_min_letters &&
          span_profile_.majority_script != p.majority_script) {
        candidates.emplace_back(begin, end);
      }
      begin = end + 1;
    }
  }
  std::sort(candidates.begin(), candidates.end());

  // Check each candidate on its own so a chunk CLD2 misread (a neighbour of
  // the main language, a name) is not reported; skip overlaps.
  size_t covered = 0;
  size_t last_end = 0;
  size_t cp_bytes = 0;  // code points counted up to this byte
  int64_t cp = 0;
  for (auto [begin, end] : candidates) {
    if (static_cast<int64_t>(out.spans.size()) >= options_.max_spans) break;
    begin = std::max(begin, covered);
    SnapToParagraphs(text, begin, end);
    if (begin >= end) continue;
    Profile(text.substr(begin, end - begin), span_profile_);
    if (span_profile_.letters < options_.span_min_letters) continue;
    const Guess g = DetectMain(span_profile_, /*want_chunks=*/false, span_cld2_);
    if (g.code == kUnd || g.code == out.code || g.confidence < options_.min_confidence) continue;
    cp += CountCodePointsIn(text, cp_bytes, begin);
    const int64_t start_cp = cp;
    cp += CountCodePointsIn(text, begin, end);
    cp_bytes = end;
    covered = end;
    if (!out.spans.empty() && out.spans.back().code == g.code &&
        CountCodePointsIn(text, last_end, begin) <= 2) {
      // Adjacent pieces of one passage: one span.
      out.spans.back().end = cp;
      out.spans.back().confidence = std::max(out.spans.back().confidence, g.confidence);
    } else {
      out.spans.push_back({start_cp, cp, g.code, g.confidence});
    }
    last_end = end;
  }
}

}  // namespace newsflow::langid
