// Gazetteer: lists of names (countries, cities, people, organisations) with
// spelling variants, compiled at load time into a hash of token-sequence keys.
//
// Source files are TSV, one name a line:
//   TYPE <TAB> canonical <TAB> variant | variant | ...
// TYPE is PER, LOC, ORG, MISC (entities) or GIVEN, TITLE (feature-only
// lists: given names, person titles). '#' starts a comment line.
// Keys are LooseKey(Fold(token)) joined by one space, so every variant and
// letter fold of a name meets the same entry; the canonical form written out
// is the folded canonical column.
//
// Thread-safety: immutable after Load; Match is const and safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <deque>
#include <vector>

#include "hash_index.h"
#include "newsflow/status.h"

namespace newsflow::entities {

struct GazetteerEntry {
  std::string type;       // PER, LOC, ORG, MISC, GIVEN, TITLE
  std::string canonical;  // folded canonical form
};

struct GazetteerMatch {
  size_t begin = 0;  // token index
  size_t end = 0;    // one past the last token
  const GazetteerEntry* entry = nullptr;
};

class Gazetteer {
 public:
  // Loads every *.tsv file in `dir` (sorted by name, so loads are repeatable).
  Status LoadDir(const std::string& dir);
  Status LoadFile(const std::string& path);
  // Adds one name; `surface` is split on spaces.
  void Add(std::string_view type, std::string_view canonical, std::string_view surface);

  // Greedy longest, left-to-right, non-overlapping matches. `keys[i]` is the
  // loose key of token i and `stripped_keys[i]` the loose key of its
  // clitic-stripped form (a name may start with a clitic: وواشنطن).
  void Match(const std::vector<std::string>& keys, const std::vector<std::string>& stripped_keys,
             std::vector<GazetteerMatch>* out) const;

  // The same with views; `starts[i]` says which of keys[i] (bit 0) and
  // stripped_keys[i] (bit 1) begin some listed name (IsFirstToken), so
  // tokens that cannot start one cost nothing.
  void Match(const std::vector<std::string_view>& keys,
             const std::vector<std::string_view>& stripped_keys, const std::vector<uint8_t>& starts,
             std::vector<GazetteerMatch>* out) const;
  // Whether some listed name's key starts with this token key.
  bool IsFirstToken(std::string_view key) const {
    const KeyFacts* f = Facts(key);
    return f != nullptr && f->first_token;
  }

  // The entry whose key is exactly `key` (a space-joined loose key), or null.
  const GazetteerEntry* Find(std::string_view key) const;
  // Find and IsFirstToken in one lookup.
  const GazetteerEntry* Find(std::string_view key, bool* first_token) const;

  size_t size() const { return listed_; }

 private:
  template <typename Key>
  void MatchImpl(const std::vector<Key>& keys, const std::vector<Key>& stripped_keys,
                 const std::vector<uint8_t>* starts, std::vector<GazetteerMatch>* out) const;
  // Everything known of one key, so that a token costs one lookup: the name
  // listed under it, whether it is the first token of some listed key, and
  // whether it is a proper token prefix of one ("a", "a b" of "a b c": a
  // match stops growing when its key is no longer one).
  struct KeyFacts {
    GazetteerEntry entry;
    bool listed = false;
    bool first_token = false;
    bool prefix = false;
  };
  const KeyFacts* Facts(std::string_view key) const { return keys_.Find(key); }
  // deque: entries never move (Find returns pointers to them)
  HashedTable<KeyFacts, std::deque<KeyFacts>> keys_;
  size_t listed_ = 0;
  size_t max_tokens_ = 0;
};

}  // namespace newsflow::entities
