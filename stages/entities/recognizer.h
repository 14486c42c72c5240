// Recognizer: text in, entities out (surface text, type, code-point offsets,
// canonical key). Tokenises, cuts sentences, tags, assembles spans.
//
// Thread-safety: one Recognizer per thread (it owns a Tagger's scratch).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ner.h"

namespace newsflow::entities {

struct FoundEntity {
  std::string text;       // == source[start, end) in code points
  std::string type;       // PER, LOC, ORG, MISC
  int64_t start = 0;
  int64_t end = 0;
  std::string canonical;
};

// Cuts `tokens` of `text` into sentences (token ranges): after . ! ? ؟ ؛ ۔,
// at a line break (a paragraph in clean.text), and every `max_tokens`.
void SplitSentences(std::string_view text, const std::vector<Token>& tokens, size_t max_tokens,
                    std::vector<std::pair<size_t, size_t>>* out);

class Recognizer {
 public:
  // REQUIRES: model and res outlive the Recognizer.
  Recognizer(const Model* model, const Resources* res) : tagger_(model, res), res_(res) {}

  // Tags `text` (valid UTF-8) and appends its entities to `out` (cleared first).
  // Sentences longer than `max_sentence_tokens` are cut, bounding the
  // decoder's work on texts without punctuation.
  void Find(std::string_view text, std::vector<FoundEntity>* out);

  // Document-level name propagation (PropagateNames) over the whole text.
  void set_propagate(bool on) { propagate_ = on; }
  void set_policy(GazetteerPolicy p) { tagger_.set_policy(p); }

  // Number of tokens seen by the last Find (for throughput figures).
  size_t last_token_count() const { return tokens_.size(); }

  static constexpr size_t kMaxSentenceTokens = 200;

 private:
  void SentenceWords(std::string_view text, size_t begin, size_t end);

  Tagger tagger_;
  const Resources* res_;
  std::vector<Token> tokens_;
  std::vector<std::string_view> words_;
  std::vector<std::pair<size_t, size_t>> sentences_;  // token ranges
  std::vector<std::vector<int>> tags_;                // per sentence
  std::vector<std::vector<std::string_view>> keys_;   // per sentence, per token (word cache views)
  std::vector<Span> spans_;
  bool propagate_ = true;
};

// Canonical key of the name words[b, e): the gazetteer's canonical form when
// the name is listed (under any variant or letter fold), else the first token
// clitic-stripped and all tokens folded; Latin names keep their surface form.
std::string CanonicalKey(const std::vector<std::string_view>& words, const Resources& res,
                         size_t b, size_t e, bool latin, std::string_view surface);

}  // namespace newsflow::entities
