// Adapter over fastText's lid.176 model loaded with Debian's libfasttext.
//
// Predict() tokenises the text itself (same rules as libfasttext's
// Dictionary::getLine: split on ASCII whitespace, "</s>" at the end, word
// vectors for known words, character 2..4-grams for unknown ones) instead of
// going through predictLine's std::istream, so a caller can hand it a window
// of a long text without copying, and no stream is built per record. The
// rows of each token are memoised (bounded), and the n-gram rows of unknown
// words come from a flat copy of the model's pruning index (read from the
// file, checked against libfasttext at load): its std::unordered_map probe
// per n-gram was two thirds of fastText's time in newsflow.
//
// Thread-safety: the loaded model is read-only and shared by the engines that
// loaded the same file (one load per process while any engine holds it), but
// Predict() uses scratch buffers of the instance; use one FastTextEngine per
// thread.
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

namespace newsflow {
template <typename T>
class SharedLoads;  // newsflow/shared_loads.h
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
  // True when unknown words' n-gram rows come from the flat index.
  bool fast_ngrams() const;
  // Model files read by this process so far (engines share a load; for tests).
  static int64_t Loads();

  // Forgets the memoised token rows (benchmarks measure a cold start).
  void ClearCache() {
    token_rows_.clear();
    cached_ids_.clear();
  }

  // The stock path (std::istringstream + predictLine), for comparison in
  // benchmarks. Newlines become spaces, as predictLine wants one line.
  const std::vector<FastTextGuess>& PredictLine(std::string_view text, UScriptCode script);

 private:
  // What the model file gives (libfasttext's model, labels, the flat n-gram
  // index): read-only once loaded, shared by the engines of one process that
  // load the same file (copies of the stage).
  struct Model;
  explicit FastTextEngine(std::shared_ptr<const Model> m) : m_(std::move(m)) {}
  static Result<std::shared_ptr<const Model>> LoadModel(const std::string& path);
  // The models this process holds, by file and its FileStamp.
  static SharedLoads<const Model>& Loaded();
  const std::vector<FastTextGuess>& Finish(UScriptCode script);
  // Reads the pruning index of `path` into m.ngram_rows; false when the file
  // is not in the layout this code knows (then libfasttext does the work).
  static bool LoadNgramRows(const std::string& path, Model& m);
  // Dictionary::computeSubwords for "<token>", through m.ngram_rows.
  static void AddNgramRows(const Model& m, std::string_view token, std::string& scratch,
                           std::vector<int32_t>& ids);

  std::shared_ptr<const Model> m_;
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
