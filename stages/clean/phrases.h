// Boilerplate phrase lists: data files per language (data/phrases/<lang>.tsv),
// matched on folded text (Normalizer::Fold). Lines of a file:
//   <reason> TAB <action> TAB <match> TAB <phrase>
// action: drop (the line), cut (stand-alone marker: the rest of the page is
//         another article once the body has started; inline: the line only),
//         published / updated (a date label),
//         credit (a photo-credit label: with its colon it makes a short line
//         a caption, "Foto: X", "(Photo: X)"),
//         agency (a picture agency or stock library: in a credit's brackets
//         or slashes it makes a short line a caption, "X / Getty Images").
// match:  line (the whole line), prefix (the line starts with it), contains.
//
// Thread-safety: immutable after Load; share freely.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "newsflow/status.h"

namespace newsflow::clean {

enum class PhraseAction { kDrop, kCut, kPublished, kUpdated, kCredit, kAgency };

struct PhraseHit {
  const std::string* reason = nullptr;  // null: no match
  PhraseAction action = PhraseAction::kDrop;
  bool whole_line = false;  // the phrase is the whole line (stand-alone marker)
  bool at_start = false;    // the phrase starts the line
  bool multi_word = false;  // the phrase has more than one word
  // Set by Match whether or not it found a phrase: false when no word of
  // the line can start a credit or agency phrase (a bit test per word in
  // the same pass).
  bool may_credit = false;
  size_t phrase_len = 0;    // bytes of the folded phrase
  explicit operator bool() const { return reason != nullptr; }
};

class PhraseLists {
 public:
  // Loads every *.tsv in `dir`.
  Status LoadDir(const std::string& dir);
  // One file; also used by tests.
  Status LoadFile(const std::string& path);
  // Adds one phrase; `phrase` is folded here.
  Status Add(std::string_view reason, std::string_view action, std::string_view match,
             std::string_view phrase);

  size_t size() const { return count_; }

  // Best hit for a folded line; line matches win over prefix, prefix over contains.
  PhraseHit Match(std::string_view folded) const;

 private:
  struct Entry {
    std::string phrase;
    std::string reason;
    PhraseAction action;
  };
  // Prefix and contains phrases are bucketed by their first word, so a line
  // costs one hash lookup per word instead of one search per phrase.
  // Transparent hashing: look folded views up without building strings.
  struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using ViewMap = std::unordered_map<std::string, V, ViewHash, std::equal_to<>>;
  ViewMap<Entry> exact_;
  ViewMap<std::vector<Entry>> prefix_;
  ViewMap<std::vector<Entry>> contains_;
  // Cheap pre-filter on a word's first bytes and length before a lookup.
  // First two and last two bytes and the length: in Arabic the first two
  // bytes are one letter (and "ال" starts most words), so the end counts too.
  static size_t FilterKey(std::string_view w) {
    size_t a = static_cast<unsigned char>(w[0]);
    size_t b = w.size() > 1 ? static_cast<unsigned char>(w[1]) : 0;
    size_t c = static_cast<unsigned char>(w[w.size() - 1]);
    size_t d = w.size() > 1 ? static_cast<unsigned char>(w[w.size() - 2]) : 0;
    return (a * 131 + b * 7 + w.size() * 1031 + c * 17 + d * 5) & 4095;
  }
  std::vector<bool> contains_filter_ = std::vector<bool>(4096, false);
  // Same for the first words of credit and agency phrases.
  std::vector<bool> credit_filter_ = std::vector<bool>(4096, false);
  size_t count_ = 0;
};

}  // namespace newsflow::clean
