#include "name_list.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <unordered_set>

namespace newsflow::entities {

namespace {

constexpr std::array<const char*, 4> kTypes = {"PER", "LOC", "ORG", "MISC"};

// Per key: counts by type (PER, LOC, ORG, MISC).
using Counts = std::map<std::string, std::array<int, 4>>;

void Emit(const Counts& counts, const char* prefix, int min_count, double min_share,
          std::vector<NameListEntry>* out) {
  for (const auto& [key, c] : counts) {
    const int total = c[0] + c[1] + c[2] + c[3];
    const int best = static_cast<int>(std::max_element(c.begin(), c.end()) - c.begin());
    if (total < min_count || c[best] < min_share * total) continue;
    out->push_back({std::string(prefix) + kTypes[best], key, total});
  }
}

// Hash of a sentence's words (its folds); with its tags, of the sentence.
uint64_t WordsHash(const Sentence& s) {
  uint64_t h = 0;
  for (const std::string& w : s.words) h = XXH3_64bits_withSeed(w.data(), w.size(), h + 1);
  return h;
}

uint64_t SentenceHash(const Sentence& s) {
  uint64_t h = WordsHash(s);
  for (int t : s.tags) h = XXH3_64bits_withSeed(&t, sizeof t, h + 1);
  return h;
}

}  // namespace

std::vector<NameListEntry> CompileNameList(const std::vector<Sentence>& sents,
                                           const std::vector<char>* skip, const NameListOptions& opt) {
  Counts names, heads, firsts;
  std::vector<Span> spans;
  // A sentence given several times (a set weighted by repetition) counts once.
  std::unordered_set<uint64_t> seen;
  for (size_t si = 0; si < sents.size(); ++si) {
    if (skip != nullptr && (*skip)[si]) continue;
    const Sentence& s = sents[si];
    if (!seen.insert(SentenceHash(s)).second) continue;
    ExtractSpans(s.tags, &spans);
    for (const Span& sp : spans) {
      if (sp.type < 0 || sp.type > 3) continue;
      std::string key;
      for (size_t i = sp.begin; i < sp.end; ++i) {
        if (i > sp.begin) key += ' ';
        key += s.words[i];
      }
      ++names[key][sp.type];
      if (sp.end - sp.begin >= 2) {
        ++heads[s.words[sp.end - 1]][sp.type];
        ++firsts[s.words[sp.begin]][sp.type];
      }
    }
  }
  std::vector<NameListEntry> out;
  if (opt.names) Emit(names, "N", opt.min_count, opt.min_share, &out);
  if (opt.heads) Emit(heads, "H", opt.head_min_count, opt.head_min_share, &out);
  if (opt.firsts) Emit(firsts, "F", opt.head_min_count, opt.head_min_share, &out);
  // Names, then heads, then first tokens (the order AddNameList and a
  // written list's loader give precedence in), each by type and surface.
  auto rank = [](const NameListEntry& e) { return e.type[0] == 'N' ? 0 : e.type[0] == 'H' ? 1 : 2; };
  std::sort(out.begin(), out.end(), [&](const NameListEntry& a, const NameListEntry& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return a.type != b.type ? a.type < b.type : a.surface < b.surface;
  });
  return out;
}

void SetNameListKinds(std::string_view kinds, NameListOptions* opt) {
  opt->names = kinds.find('N') != std::string_view::npos;
  opt->heads = kinds.find('H') != std::string_view::npos;
  opt->firsts = kinds.find('F') != std::string_view::npos;
}

void AddNameList(const std::vector<NameListEntry>& list, Gazetteer* gaz) {
  for (const char kind : {'N', 'H', 'F'}) {
    for (const NameListEntry& e : list) {
      if (!e.type.empty() && e.type[0] == kind) gaz->Add(e.type, e.surface, e.surface);
    }
  }
}

Status WriteNameList(const std::vector<NameListEntry>& list, const std::string& path,
                     const std::string& header) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return Status::Unavailable("entities: cannot write name list " + path);
  std::string h = header;
  for (size_t p = 0; p < h.size(); ++p) {
    if (p == 0 || h[p - 1] == '\n') out << "# ";
    out << h[p];
  }
  if (!h.empty()) out << '\n';
  for (const NameListEntry& e : list) out << e.type << '\t' << e.surface << '\n';
  if (!out) return Status::Unavailable("entities: short write to " + path);
  return Status::OK();
}

int SentenceFold(const Sentence& s, int folds) {
  uint64_t h = WordsHash(s);
  h ^= h >> 29;
  return static_cast<int>(h % static_cast<uint64_t>(std::max(1, folds)));
}

JackknifedNames BuildJackknifedNames(const std::vector<Sentence>& train, const Resources& base,
                                     const NameListOptions& opt, int folds) {
  JackknifedNames j;
  std::vector<int> fold(train.size());
  for (size_t i = 0; i < train.size(); ++i) fold[i] = SentenceFold(train[i], folds);
  std::vector<char> skip(train.size());
  for (int k = 0; k < folds; ++k) {
    for (size_t i = 0; i < train.size(); ++i) skip[i] = fold[i] == k;
    auto r = std::make_unique<Resources>(base);
    AddNameList(CompileNameList(train, &skip, opt), &r->gazetteer);
    j.fold_res.push_back(std::move(r));
  }
  j.full_list = CompileNameList(train, nullptr, opt);
  j.full = std::make_unique<Resources>(base);
  AddNameList(j.full_list, &j.full->gazetteer);
  j.per_sentence.resize(train.size());
  for (size_t i = 0; i < train.size(); ++i) j.per_sentence[i] = j.fold_res[fold[i]].get();
  return j;
}

}  // namespace newsflow::entities
