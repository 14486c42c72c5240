// LanguageDetector: language, script and confidence of a text, plus the
// other-language passages of a mixed text. Knows nothing of Kafka or Articles.
//
// Two engines, combined so that newsflow gets better accuracy than either
// alone at close to CLD2's speed:
//   * CLD2 (full tables) runs on every text. When it is reliable, clearly
//     ahead, the text is paragraph-sized and reads like ordinary text of the
//     language it names, its answer stands (the fast path: most articles).
//   * Otherwise fastText lid.176 reads a window of the text in its majority
//     script and the two vote: fastText's probabilities plus CLD2's share,
//     one vote each. Kurmanji, which CLD2 cannot name, is fastText's alone.
//     Where the two disagree the winner's confidence is about 0.5.
//   * Arabic written with Persian letter forms (ی ک) is checked once more
//     with those letters folded, so it does not become Persian.
// Without the model file the detector runs on CLD2 alone (fasttext_loaded()
// is false); the stage logs and exports that.
//
// Codes: ISO 639-1 where one exists, else ISO 639-3 ("ckb", "kmr"); "und"
// when the text is too short or no engine is sure enough. Persian and Dari
// are not separable by either engine: both come out as "fa".
//
// Thread-safety: not thread-safe (scratch buffers); one instance per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cld2_engine.h"
#include "fasttext_engine.h"
#include "language_codes.h"
#include "newsflow/status.h"
#include "text_profile.h"

namespace newsflow::langid {

struct DetectorOptions {
  // lid.176.ftz; empty or missing -> CLD2 only.
  std::string model_path;
  // Fewer letters than this (digits, punctuation and symbols do not count): "und".
  int64_t min_letters = 6;
  // Below this confidence the answer is "und". Where the engines disagree
  // the winner's confidence is about 0.5; 0.5 trades answers for precision.
  double min_confidence = 0.4;
  // CLD2 answers alone only when it is reliable, with at least this share
  // of the scored bytes...
  int cld2_min_percent = 90;
  // ...at least this many scored bytes (on sentences CLD2 is confidently
  // wrong too often, e.g. Kurmanji as Turkish at 99 %)...
  int cld2_min_bytes = 256;
  // ...and a normalized score of at least this fraction of ordinary text in
  // that language (text that merely resembles it scores far lower).
  double cld2_min_score = 0.25;
  // Bytes of majority-script text fastText reads; its answer settles long
  // before the end of a news article.
  int64_t fasttext_max_bytes = 512;
  // Smallest other-language passage (in letters) reported as a span.
  int64_t span_min_letters = 24;
  // At most this many spans per text (a pathological text alternating
  // languages every line would otherwise carry thousands).
  int64_t max_spans = 32;
};

enum class DetectMode {
  kCombined,      // newsflow's detector
  kCld2Only,      // CLD2 alone on the whole text (also the no-model fallback)
  kFastTextOnly,  // fastText alone on the whole text via predictLine (benchmarks)
};

struct Span {
  int64_t start = 0;  // code points into the text
  int64_t end = 0;
  std::string_view code;
  double confidence = 0;
};

struct Detection {
  std::string_view code = kUnd;
  double confidence = 0;
  std::string_view script = "Zzzz";  // ISO 15924
  std::string_view engine = "none";  // "cld2", "fasttext", "cld2+fasttext", "none"
  std::vector<Span> spans;
};

class LanguageDetector {
 public:
  // Fails only on a model file that exists but does not load; a missing file
  // gives a CLD2-only detector.
  static Result<std::unique_ptr<LanguageDetector>> Create(DetectorOptions options);

  bool fasttext_loaded() const { return fasttext_ != nullptr; }

  // fastText's work so far (0 without the model).
  int64_t fasttext_calls() const { return fasttext_ ? fasttext_->calls() : 0; }
  int64_t fasttext_bytes() const { return fasttext_ ? fasttext_->bytes_read() : 0; }

  // Drops memoised state (fastText's token rows); answers do not change.
  void ClearCaches() {
    if (fasttext_) fasttext_->ClearCache();
  }
  const DetectorOptions& options() const { return options_; }

  // Any bytes are accepted (invalid UTF-8 and controls are blanked first).
  // Codes and the script point into static or model-owned strings, valid
  // while the detector lives; `out` is reused.
  void Detect(std::string_view text, Detection& out, DetectMode mode = DetectMode::kCombined);

  // Both engines' raw answers on `text` (fastText on the whole text), for
  // tuning tools. REQUIRES: fasttext_loaded().
  struct RawAnswers {
    Cld2Answer cld2;
    std::vector<FastTextGuess> fasttext;
    int64_t letters = 0;
    std::string_view script;
  };
  void DetectRaw(std::string_view text, RawAnswers& out);

 private:
  explicit LanguageDetector(DetectorOptions options) : options_(std::move(options)) {}

  struct Guess {
    std::string_view code;
    double confidence = 0;
    std::string_view engine;
  };
  // The main language of a profiled text; fills `cld2` when CLD2 ran.
  Guess DetectMain(const TextProfile& p, bool want_chunks, Cld2Answer& cld2);
  Guess FromCld2(const Cld2Answer& cld2, const TextProfile& p) const;
  // Both engines' answers on one text, combined. `c` is FromCld2(cld2).
  Guess Vote(const Guess& c, const Cld2Answer& cld2, const std::vector<FastTextGuess>& ft) const;
  // CLD2 may answer alone (the fast path).
  bool Cld2IsSure(const Cld2Answer& cld2, const TextProfile& p) const;
  // Majority-script tokens of p.sanitized, at most fasttext_max_bytes.
  std::string_view FastTextWindow(const TextProfile& p);
  bool LooksLikeArabicInPersianLetters(const TextProfile& p, std::string_view window);
  void FindSpans(const TextProfile& p, const Cld2Answer& cld2, bool mixed_script,
                 Detection& out);

  DetectorOptions options_;
  std::unique_ptr<FastTextEngine> fasttext_;
  TextProfile profile_;
  TextProfile span_profile_;
  Cld2Answer cld2_;
  Cld2Answer span_cld2_;
  Cld2Answer fold_cld2_;
  std::vector<std::pair<size_t, size_t>> span_candidates_;
  std::string window_;
  std::string folded_;
};

}  // namespace newsflow::langid
