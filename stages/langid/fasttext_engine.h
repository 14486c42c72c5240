// Adapter over fastText's lid.176 model loaded with Debian's libfasttext.
//
// Predict() tokenises the text itself (same rules as libfasttext's
// Dictionary::getLine: split on ASCII whitespace, "</s>" at the end, word
// vectors for known words, character 2..4-grams for unknown ones) instead of
// going through predictLine's std::istream, so a caller can hand it a window
// of a long text without copying, and no stream is built per record. The
// rows of each token are memoised (bounded): looking up a pruned model's
// n-gram rows one hash-map probe per n-gram was half of fastText's time.
//
// Thread-safety: the loaded model is read-only, but Predict() uses scratch
// buffers of the instance; use one FastTextEngine per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <unicode/uscript.h>

#include "newsflow/status.h"

namespace fasttext {
class FastText;
}

namespace newsflow::langid {

struct FastTextGuess {
  std::string_view code;  // newsflow code
  double probability = 0;
};

class FastTextEngine {
 public:
  // kNotFound when the file does not exist, kCorrupt when libfasttext
  // refuses it (its exceptions stop here; start-up only).
  static Result<std::unique_ptr<FastTextEngine>> Load(const std::string& path);
  ~FastTextEngine();

  // Top guesses, best first; labels that map to the same newsflow code
  // ("arz" and "ar") are summed. Empty when the text has no token.
  // `script` is the majority script, used to read the bare "ku" label.
  const std::vector<FastTextGuess>& Predict(std::string_view text, UScriptCode script);

  // Work done so far: predictions made and bytes of text read.
  int64_t calls() const { return calls_; }
  int64_t bytes_read() const { return bytes_read_; }

  // Forgets the memoised token rows (benchmarks measure a cold start).
  void ClearCache() {
    token_rows_.clear();
    cached_ids_.clear();
  }

  // The stock path (std::istringstream + predictLine), for comparison in
  // benchmarks. Newlines become spaces, as predictLine wants one line.
  const std::vector<FastTextGuess>& PredictLine(std::string_view text, UScriptCode script);

 private:
  FastTextEngine() = default;
  const std::vector<FastTextGuess>& Finish(UScriptCode script);

  std::unique_ptr<fasttext::FastText> model_;
  int32_t eos_id_ = -1;
  std::vector<std::string> labels_;  // by label id; codes point into these
  std::vector<int32_t> ids_;
  std::string token_;
  std::string line_;
  std::vector<std::pair<float, int32_t>> raw_;  // (log-probability, label id)

  // Token -> [offset, offset + count) in cached_ids_.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::pair<uint32_t, uint32_t>, StringHash, std::equal_to<>>
      token_rows_;
  std::vector<int32_t> cached_ids_;
  int64_t calls_ = 0;
  int64_t bytes_read_ = 0;
  std::vector<FastTextGuess> guesses_;
};

}  // namespace newsflow::langid
