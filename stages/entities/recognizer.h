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

class Recognizer {
 public:
  // REQUIRES: model and res outlive the Recognizer.
  Recognizer(const Model* model, const Resources* res) : tagger_(model, res), res_(res) {}

  // Tags `text` (valid UTF-8) and appends its entities to `out` (cleared first).
  // Sentences longer than `max_sentence_tokens` are cut, bounding the
  // decoder's work on texts without punctuation.
  void Find(std::string_view text, std::vector<FoundEntity>* out);

  // Number of tokens seen by the last Find (for throughput figures).
  size_t last_token_count() const { return tokens_.size(); }

  static constexpr size_t kMaxSentenceTokens = 200;

 private:
  void TagSentence(std::string_view text, size_t begin, size_t end, std::vector<FoundEntity>* out);
  std::string Canonical(std::string_view text, size_t first, size_t b, size_t e) const;

  Tagger tagger_;
  const Resources* res_;
  std::vector<Token> tokens_;
  std::vector<std::string_view> words_;
  std::vector<int> tags_;
  std::vector<Span> spans_;
};

// Canonical key of a name given the folded/stripped forms of its tokens:
// the gazetteer's canonical form when the name is listed (under any variant
// or letter fold), else the first token clitic-stripped and all tokens folded.
std::string CanonicalKey(const FeatureExtractor& fx, const Gazetteer& gaz, size_t b, size_t e,
                         bool latin, std::string_view surface);

}  // namespace newsflow::entities
