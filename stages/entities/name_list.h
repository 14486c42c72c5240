// Typed name lists learnt from labelled training spans (issue 15, round 4):
// names seen often enough with one dominant type, and name heads and first
// tokens (the last / first token of multi-token spans: Avenue, Party,
// University, Mount) with their dominant type. They are added to the
// gazetteer under feature-only types (NPER, NLOC, NORG, NMISC for names;
// HLOC... for heads; FLOC... for first tokens), so they become the
// gazetteer's BIO and word-type features and never override the tagger's
// spans in the post-rules (those act only on PER/LOC/ORG/MISC entries).
//
// Training with a list made from the training sentences themselves would
// teach the tagger that "listed" means "exactly this label". JackknifedNames
// gives every training sentence resources whose list was compiled without
// its fold (folds by sentence content, so repeated copies of a sentence
// share a fold); text tagged later uses the list of all sentences.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ner.h"

namespace newsflow::entities {

struct NameListOptions {
  // Names: span text seen in at least min_count distinct sentences, its most
  // frequent type at least min_share of them. 3 / 0.9 measured best (round 4:
  // 2 / 0.75 lowered dev); heads and first tokens lowered cross-validation.
  int min_count = 3;
  double min_share = 0.9;
  int head_min_count = 3;    // a head / first token: seen in at least this many multi-token spans
  double head_min_share = 0.75;
  bool names = true, heads = false, firsts = false;
};

struct NameListEntry {
  std::string type;     // NPER, NLOC, ..., HLOC, ..., FLOC, ...
  std::string surface;  // tokens joined by one space
  int count = 0;
};

// Compiles the list from `sents`, skipping sentence i when skip != nullptr
// and (*skip)[i]. Sentences without MISC annotation (no_misc) count for
// PER/LOC/ORG only; a sentence present several times counts once. Names first, then heads, then first tokens, each sorted
// by type and surface (repeatable output).
std::vector<NameListEntry> CompileNameList(const std::vector<Sentence>& sents,
                                           const std::vector<char>* skip, const NameListOptions& opt);

// Which kinds a list holds, from letters: N names, H heads, F first tokens
// ("NHF", "N"), as the tools' --*-names-kinds options give them.
void SetNameListKinds(std::string_view kinds, NameListOptions* opt);

// Adds the entries to `gaz` (entries already listed keep their type: hand
// lists, loaded first, win). Names before heads before first tokens.
void AddNameList(const std::vector<NameListEntry>& list, Gazetteer* gaz);

// Writes / reads the list as a gazetteer TSV (TYPE<TAB>surface), with a
// header comment naming its source.
Status WriteNameList(const std::vector<NameListEntry>& list, const std::string& path,
                     const std::string& header);

// Fold of a sentence by its content (hash of its words), in [0, folds).
int SentenceFold(const Sentence& s, int folds);

// Per training sentence, resources with the list compiled without the
// sentence's fold; `full` holds the list of every sentence (for dev/tagging).
struct JackknifedNames {
  std::vector<std::unique_ptr<Resources>> fold_res;
  std::unique_ptr<Resources> full;
  std::vector<const Resources*> per_sentence;
  std::vector<NameListEntry> full_list;
};
// `base` holds clusters and hand lists; it is copied folds + 1 times.
JackknifedNames BuildJackknifedNames(const std::vector<Sentence>& train, const Resources& base,
                                     const NameListOptions& opt, int folds = 5);

}  // namespace newsflow::entities
