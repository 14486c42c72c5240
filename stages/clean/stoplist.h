// Stop-word lists (jusText's, one file per language) in one flat hash table:
// folded word -> set of languages. Used for the stop-word density signal.
//
// Thread-safety: immutable after Load*; share freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/status.h"

namespace newsflow::clean {

class Stoplists {
 public:
  static constexpr int kMaxLanguages = 128;

  // Loads every `<Language>.txt` in `dir` (one word a line).
  Status LoadDir(const std::string& dir);
  // Loads the compiled form: lines "<Language>\t<word>".
  Status LoadCompiled(const std::string& path);

  bool empty() const { return used_ == 0; }
  int language_count() const { return static_cast<int>(names_.size()); }
  const std::string& name(int lang) const { return names_[lang]; }
  int FindLanguage(std::string_view name) const;

  // The language whose list covers most of the first `max_tokens` tokens of
  // `text`; -1 when no list covers any.
  int DetectLanguage(std::string_view text, int max_tokens) const;

  struct Density {
    int tokens = 0;
    int stop = 0;
    double value() const { return tokens ? static_cast<double>(stop) / tokens : 0.0; }
  };
  // Stop-word share among the first `max_tokens` tokens of `line` (bounded
  // cost on long lines: a prefix estimates the density well enough).
  Density Measure(std::string_view line, int lang, int max_tokens) const;

  // Appends a hash per content word of `line` to `out`: a token not in
  // `lang`'s list (nor a listed word behind a proclitic), folded, the Arabic
  // article stripped ("والمستشفى" and "المستشفى" hash alike), of at least
  // three letters after that, not a number. Used to tell whether two stretches
  // of text speak of the same things (same names, places, topic words).
  // Stops once `out` holds `max_words` hashes (0: no limit).
  void ContentWords(std::string_view line, int lang, std::vector<uint64_t>* out, size_t max_words = 0) const;

 private:
  struct Slot {
    uint64_t hash = 0;  // 0 = empty
    uint64_t bits[2] = {0, 0};
  };
  void Insert(std::string_view word, int lang);
  const Slot* Find(std::string_view folded) const;
  // Looks a raw token up (folding it first, with Arabic clitic back-off).
  const Slot* Lookup(std::string_view token) const;
  // The same on a token already folded (FoldToken).
  const Slot* LookupFolded(std::string_view folded) const;
  void Grow();

  std::vector<std::string> names_;
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

// `word` without the Arabic article and the proclitic before it ("وال",
// "بال", "فال", "كال", "لل", "ال") when three letters (six bytes) stay;
// else `word`. Raw or folded text: folding leaves these letters as they are.
std::string_view StripArabicArticle(std::string_view word);

// Splits `s` on spaces and calls f(token) with leading/trailing punctuation
// stripped; stops early when f returns false.
template <typename F>
void ForEachToken(std::string_view s, F&& f);

}  // namespace newsflow::clean

#include "stoplist_inl.h"
