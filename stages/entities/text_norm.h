// Tokenisation and Arabic/Latin normalisation for the entity tagger.
//
// Tokens keep both byte and code-point offsets into the text they came from,
// so entity spans always point at the surface text while every feature and
// every canonical key is computed on a folded copy.
//
// Thread-safety: free functions are pure; Lexicon is immutable after load.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hash_index.h"

namespace newsflow::entities {

struct Token {
  size_t byte_begin = 0;  // into the source text
  size_t byte_end = 0;
  int64_t cp_begin = 0;   // Unicode code points into the source text
  int64_t cp_end = 0;
};

// Splits valid UTF-8 on white space and cuts punctuation off words, the way
// ANERcorp and CoNLL tokens look ("(د ب أ)" -> "(", "د", "ب", "أ", ")").
// A hyphen or apostrophe between two letters stays inside the word.
// Appends to `out` (cleared first).
void Tokenize(std::string_view text, std::vector<Token>* out);

enum class Script { kArabic, kLatin, kDigit, kPunct, kOther };
// The script of a token's first letter-like code point.
Script TokenScript(std::string_view token);

// Folds letter variants used interchangeably in news: alef forms -> ا,
// ى -> ي, ة -> ه, Persian ی -> ي, ک -> ك, drops harakat and tatweel; ASCII
// and Latin-1 letters are lower-cased. Everything else is copied.
std::string Fold(std::string_view token);

// A looser key for name matching only: Fold plus the letters foreign "g" is
// spelled with (ج غ گ ڨ ڭ) and "p"/"v" letters (پ ڤ) folded together, so
// البنتاغون / البنتاجون meet. Too lossy for features, fine for names.
std::string LooseKey(std::string_view folded);

// Further cluster granularities a clusters file may carry after coarse and
// fine (columns 5.., e.g. k = 64, 256, 2048, 4096); -1 where absent.
inline constexpr int kMaxExtraClusters = 4;
using ExtraClusters = std::array<int16_t, kMaxExtraClusters>;
inline constexpr ExtraClusters kNoExtraClusters = {-1, -1, -1, -1};

// Word frequencies over folded words (from the news corpus and the training
// data), used to decide whether a proclitic may be cut off.
class Lexicon {
 public:
  void Add(std::string_view folded_word, int64_t count);
  int64_t Count(std::string_view folded_word) const;
  size_t size() const { return words_.size(); }

  // Word clusters learnt from unlabelled news (coarse, fine); -1 if unknown.
  void SetClusters(std::string_view folded_word, int coarse, int fine);
  std::pair<int, int> Clusters(std::string_view folded_word) const;
  void SetExtraClusters(std::string_view folded_word, const ExtraClusters& extra);
  ExtraClusters ExtraClustersOf(std::string_view folded_word) const;
  size_t cluster_count() const { return clustered_; }
  // Count and clusters in one lookup; false if the word is unknown.
  bool Lookup(std::string_view folded_word, int64_t* count, std::pair<int, int>* clusters,
              ExtraClusters* extra = nullptr) const;

 private:
  // One table for counts and clusters: the tagger asks for both per token.
  struct Info {
    int64_t count = 0;
    int coarse = -1;
    int fine = -1;
    ExtraClusters extra = kNoExtraClusters;
  };
  const Info* Find(std::string_view w) const { return words_.Find(w); }
  HashedTable<Info> words_;
  size_t clustered_ = 0;
};

// Strips Arabic proclitics (و ف ب ك ل, and ل+ال written لل) from a folded
// word, one layer at a time, keeping the article ال. A layer comes off only
// when the remainder is a known word that is more frequent than the word as
// written, which keeps واشنطن, وليد, بغداد whole while والعراق, بالعراق,
// للعراق all become العراق. Returns the folded input unchanged otherwise.
std::string StripClitics(std::string_view folded, const Lexicon& lex);

// The folded word without the article ال (for the stem feature).
std::string_view DropArticle(std::string_view folded);

}  // namespace newsflow::entities
