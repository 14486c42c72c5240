#include "ner.h"

#include <sys/mman.h>
// Inlined: the tagger hashes short words by the million, and a call into
// the shared library costs more than the hash.
#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace newsflow::entities {

int TagIndex(std::string_view name) {
  for (int i = 0; i < kNumTags; ++i) {
    if (kTagNames[i] == name) return i;
  }
  return -1;
}

std::string_view TagType(int tag) {
  if (tag <= 0) return {};
  return kTagNames[tag].substr(2);
}

// ---------------------------------------------------------------- resources

Status Resources::LoadClusters(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("entities: cannot open clusters file " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t t1 = line.find('\t');
    if (t1 == std::string::npos) continue;
    const size_t t2 = line.find('\t', t1 + 1);
    const std::string word = line.substr(0, t1);
    const int64_t count = std::atoll(line.c_str() + t1 + 1);
    lexicon.Add(word, count);
    if (t2 != std::string::npos) {
      const size_t t3 = line.find('\t', t2 + 1);
      const int coarse = std::atoi(line.c_str() + t2 + 1);
      const int fine = t3 == std::string::npos ? coarse : std::atoi(line.c_str() + t3 + 1);
      lexicon.SetClusters(word, coarse, fine);
      if (t3 != std::string::npos) {
        ExtraClusters extra = kNoExtraClusters;
        size_t t = line.find('\t', t3 + 1);
        for (int j = 0; j < kMaxExtraClusters && t != std::string::npos; ++j) {
          const int id = std::atoi(line.c_str() + t + 1);
          if (id < 0 || id > INT16_MAX) {
            return Status::InvalidArgument("entities: clusters file " + path + ": cluster id " +
                                           std::to_string(id) + " out of range for word " + word);
          }
          extra[j] = static_cast<int16_t>(id);
          t = line.find('\t', t + 1);
        }
        if (extra[0] >= 0) lexicon.SetExtraClusters(word, extra);
      }
    }
  }
  return Status::OK();
}

Status Resources::LoadDataDir(const std::string& dir, std::string_view code) {
  const std::string prefix = dir + "/" + std::string(code);
  if (std::ifstream(prefix + ".clusters.tsv")) NEWSFLOW_RETURN_IF_ERROR(LoadClusters(prefix + ".clusters.tsv"));
  NEWSFLOW_RETURN_IF_ERROR(gazetteer.LoadDir(dir + "/gazetteer"));
  if (std::ifstream(prefix + ".names.tsv")) NEWSFLOW_RETURN_IF_ERROR(gazetteer.LoadFile(prefix + ".names.tsv"));
  return Status::OK();
}

Status Resources::LoadVectors(const std::string& path, float scale) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("entities: cannot open vectors file " + path);
  std::string line;
  std::vector<float> row;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const size_t sp = line.find(' ');
    if (line.empty() || sp == std::string::npos) continue;
    row.clear();
    const char* p = line.c_str() + sp;
    char* end = nullptr;
    while (true) {
      const float f = std::strtof(p, &end);
      if (end == p) break;
      row.push_back(f * scale);
      p = end;
    }
    if (vectors.dim == 0) vectors.dim = static_cast<int>(row.size());
    if (static_cast<int>(row.size()) != vectors.dim || row.empty()) {
      return Status::InvalidArgument("entities: vectors file " + path + " line " +
                                     std::to_string(line_no) + ": " + std::to_string(row.size()) +
                                     " numbers, expected " + std::to_string(vectors.dim));
    }
    auto [it, inserted] =
        vectors.index.try_emplace(line.substr(0, sp), static_cast<uint32_t>(vectors.index.size()));
    if (inserted) vectors.data.insert(vectors.data.end(), row.begin(), row.end());
  }
  return Status::OK();
}

// ---------------------------------------------------------------- features

namespace {

// Feature template ids seed the feature hashes; ids of retired templates
// (kStemNoCluster, kTrigram, ...) stay reserved so later ids keep their value.
enum Template : uint64_t {
  kBias = 1, kWord, kStem, kStem0, kSuf1, kSuf2, kSuf3, kSuf4, kPre1, kPre2, kPre3,
  kPrevWord, kNextWord, kPrev2Word, kNext2Word, kPrevStem, kNextStem, kBigramPrev,
  kBigramNext, kClusterCoarse, kClusterFine, kPrevCluster, kNextCluster, kFreq, kClitic,
  kShape, kCapFirst, kGaz, kPrevGaz, kNextGaz, kGazWord, kScript, kFirstPos, kPrevGazWord,
  kNextGazWord, kStemNoCluster, kPrevShape, kNextShape, kLen, kCliticPrefix, kTrigram,
  kPrevStemFreq, kPrevCoarse, kNextCoarse, kStem0Cluster, kPrevGazFreq, kClusterBigramPrev,
  kClusterBigramNext, kPrev2Cluster, kNext2Cluster, kProductivity, kProductivityFreq,
  // Extra cluster granularities (clusters file columns 5..): level j uses id + j.
  kClusterX = 64, kPrevClusterX = 72, kNextClusterX = 80,
};

inline uint64_t Nz(uint64_t h) { return h ? h : 1; }

inline uint64_t H(uint64_t tmpl, std::string_view s) {
  return Nz(XXH3_64bits_withSeed(s.data(), s.size(), tmpl * 0x9E3779B97F4A7C15ULL));
}

inline uint64_t H2(uint64_t tmpl, std::string_view a, std::string_view b) {
  const uint64_t h = XXH3_64bits_withSeed(a.data(), a.size(), tmpl * 0x9E3779B97F4A7C15ULL);
  return Nz(XXH3_64bits_withSeed(b.data(), b.size(), h));
}

inline uint64_t HI(uint64_t tmpl, int64_t v) {
  return Nz(XXH3_64bits_withSeed(&v, sizeof v, tmpl * 0x9E3779B97F4A7C15ULL));
}

// Byte offsets of the first `k` code points / last `k` code points.
size_t PrefixBytes(std::string_view s, int k) {
  size_t i = 0;
  int seen = 0;
  while (i < s.size()) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == k) return i;
      ++seen;
    }
    ++i;
  }
  return seen >= k ? s.size() : std::string_view::npos;
}

size_t SuffixStart(std::string_view s, int k) {
  int seen = 0;
  for (size_t i = s.size(); i-- > 0;) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (++seen == k) return i;
    }
  }
  return std::string_view::npos;
}

// Xx, XX, x, d, X.X. ... with runs collapsed: the shape of a Latin token.
std::string Shape(std::string_view w) {
  std::string out;
  for (unsigned char c : w) {
    char m;
    if (c >= 'A' && c <= 'Z') m = 'X';
    else if (c >= 'a' && c <= 'z') m = 'x';
    else if (c >= '0' && c <= '9') m = 'd';
    else if (c >= 0x80) m = 'u';
    else m = static_cast<char>(c);
    if (out.empty() || out.back() != m) out.push_back(m);
    if (out.size() >= 8) break;
  }
  return out;
}

int FreqBucket(int64_t count) {
  if (count <= 0) return 0;
  return std::min(12, 1 + static_cast<int>(std::log2(static_cast<double>(count))) / 2);
}

}  // namespace

// Features 1..kLexicalFeatures of every token are its word identity (word,
// stem, stem without article); training may hide them (word dropout).
constexpr size_t kLexicalFeatures = 3;

namespace {

}  // namespace

void FeatureExtractor::ClearCache() {
  index_.Clear();
  cache_.clear();
  words_.clear();
  ids_.clear();
  info_.clear();
}

uint32_t FeatureExtractor::Intern(std::string_view word, const HashIndex::Key& key) {
  bool inserted = false;
  const uint32_t id = index_.Insert(key, &inserted);
  if (!inserted) return id;
  WordInfo& w = cache_.emplace_back();
  w.script = TokenScript(word);
  w.folded = Fold(word);
  w.stripped = w.script == Script::kArabic ? StripClitics(w.folded, res_->lexicon) : w.folded;
  w.loose = LooseKey(w.folded);
  w.loose_stripped = w.stripped == w.folded ? w.loose : LooseKey(w.stripped);
  if (res_->vectors.dim > 0) {
    w.vec = res_->vectors.Find(w.folded);
    if (w.vec == nullptr && w.stripped != w.folded) w.vec = res_->vectors.Find(w.stripped);
  }
  res_->lexicon.Lookup(w.stripped, &w.count, &w.clusters, &w.extra_clusters);
  if (w.clusters.first < 0 && w.stripped != w.folded) {
    int64_t folded_count = 0;  // the stripped form's count is the feature
    res_->lexicon.Lookup(w.folded, &folded_count, &w.clusters, &w.extra_clusters);
  }
  bool first_stripped = false;
  if (const GazetteerEntry* e = res_->gazetteer.Find(w.loose_stripped, &first_stripped)) {
    w.gaz_word = e->type;
  }
  const bool first_loose =
      w.loose == w.loose_stripped ? first_stripped : res_->gazetteer.IsFirstToken(w.loose);
  w.gaz_start = (first_loose ? 1 : 0) | (first_stripped ? 2 : 0);
  return id;
}

void FeatureExtractor::Prepare(const std::vector<std::string_view>& words) {
  const size_t n = words.size();
  words_ = words;
  ids_.resize(n);
  info_.resize(n);
  loose_views_.resize(n);
  stripped_views_.resize(n);
  starts_.resize(n);
  // Hashes first and their slots prefetched, so the lookups overlap.
  hashes_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    hashes_[i] = HashIndex::KeyOf(words[i]);
    index_.Prefetch(hashes_[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    ids_[i] = Intern(words[i], hashes_[i]);
    const WordInfo& w = cache_[ids_[i]];
    info_[i] = &w;
    loose_views_[i] = w.loose;
    stripped_views_[i] = w.loose_stripped;
    starts_[i] = w.gaz_start;
  }
  gaz_tag_.assign(n, std::string());
  res_->gazetteer.Match(loose_views_, stripped_views_, starts_, &matches_);
  for (const GazetteerMatch& m : matches_) {
    const std::string& type = m.entry->type;
    for (size_t j = m.begin; j < m.end; ++j) {
      gaz_tag_[j] = (j == m.begin ? "B-" : "I-") + type;
    }
  }
}

void FeatureExtractor::Features(size_t i, std::vector<uint64_t>* out) const {
  out->clear();
  const size_t n = words_.size();
  const WordInfo& wi = *info_[i];
  const std::string& w = wi.folded;
  const std::string& s = wi.stripped;
  const std::string_view s0 = DropArticle(s);
  const bool arabic = wi.script == Script::kArabic;
  const bool latin = wi.script == Script::kLatin;
  auto word_at = [&](ptrdiff_t j) -> std::string_view {
    if (j < 0) return "<s>";
    if (j >= static_cast<ptrdiff_t>(n)) return "</s>";
    return info_[j]->folded;
  };
  auto stem_at = [&](ptrdiff_t j) -> std::string_view {
    if (j < 0) return "<s>";
    if (j >= static_cast<ptrdiff_t>(n)) return "</s>";
    return info_[j]->stripped;
  };
  const auto ii = static_cast<ptrdiff_t>(i);

  out->push_back(HI(kBias, 0));
  out->push_back(H(kWord, w));
  out->push_back(H(kStem, s));
  out->push_back(H(kStem0, s0));
  out->push_back(HI(kScript, static_cast<int>(wi.script)));
  out->push_back(HI(kLen, std::min<int64_t>(12, static_cast<int64_t>(w.size()))));
  // Affixes of the stem: for Arabic the clitics are separate features.
  const std::string_view a = arabic ? s0 : std::string_view(w);
  static constexpr uint64_t kSufT[] = {kSuf1, kSuf2, kSuf3, kSuf4};
  static constexpr uint64_t kPreT[] = {kPre1, kPre2, kPre3};
  for (int k = 1; k <= 4; ++k) {
    const size_t b = SuffixStart(a, k);
    if (b == std::string_view::npos || b == 0) break;
    out->push_back(H(kSufT[k - 1], a.substr(b)));
  }
  for (int k = 1; k <= 3; ++k) {
    const size_t e = PrefixBytes(a, k);
    if (e == std::string_view::npos || e == a.size()) break;
    out->push_back(H(kPreT[k - 1], a.substr(0, e)));
  }
  out->push_back(H(kPrevWord, word_at(ii - 1)));
  out->push_back(H(kNextWord, word_at(ii + 1)));
  out->push_back(H(kPrev2Word, word_at(ii - 2)));
  out->push_back(H(kNext2Word, word_at(ii + 2)));
  out->push_back(H(kPrevStem, stem_at(ii - 1)));
  out->push_back(H(kNextStem, stem_at(ii + 1)));
  out->push_back(H2(kBigramPrev, stem_at(ii - 1), s));
  out->push_back(H2(kBigramNext, s, stem_at(ii + 1)));
  const auto [coarse, fine] = wi.clusters;
  out->push_back(HI(kClusterCoarse, coarse));
  if (fine >= 0) out->push_back(HI(kClusterFine, fine));
  if (i > 0) out->push_back(HI(kPrevCluster, info_[i - 1]->clusters.second));
  if (i + 1 < n) out->push_back(HI(kNextCluster, info_[i + 1]->clusters.second));
  for (int j = 0; j < kMaxExtraClusters; ++j) {
    if (wi.extra_clusters[j] >= 0) out->push_back(HI(kClusterX + j, wi.extra_clusters[j]));
    if (i > 0 && info_[i - 1]->extra_clusters[j] >= 0) {
      out->push_back(HI(kPrevClusterX + j, info_[i - 1]->extra_clusters[j]));
    }
    if (i + 1 < n && info_[i + 1]->extra_clusters[j] >= 0) {
      out->push_back(HI(kNextClusterX + j, info_[i + 1]->extra_clusters[j]));
    }
  }
  out->push_back(HI(kFreq, FreqBucket(wi.count) * 4 + static_cast<int>(wi.script)));
  if (arabic) {
    const int clitic = (s != w ? 1 : 0) + (s0.size() != s.size() ? 2 : 0);
    out->push_back(HI(kClitic, clitic));
    // Which proclitics came off (و, ب, لل...): "و" before a name often
    // starts a new entity in a list.
    if (s != w && w.size() > s.size()) {
      out->push_back(H(kCliticPrefix, std::string_view(w).substr(0, w.size() - s.size())));
    }
  }
  const int fb = FreqBucket(wi.count);
  out->push_back(HI(kPrevStemFreq, static_cast<int64_t>(H(0, stem_at(ii - 1)) & 0xFFFFFFFF) * 16 + fb));
  if (!info_[i > 0 ? i - 1 : i]->gaz_word.empty() && i > 0) {
    out->push_back(H2(kPrevGazFreq, info_[i - 1]->gaz_word, std::to_string(fb)));
  }
  if (i > 0) out->push_back(HI(kPrevCoarse, info_[i - 1]->clusters.first));
  if (i + 1 < n) out->push_back(HI(kNextCoarse, info_[i + 1]->clusters.first));
  if (latin) {
    const std::string shape = Shape(words_[i]);
    out->push_back(H(kShape, shape));
    out->push_back(HI(kCapFirst, (i == 0 ? 2 : 0) + (shape[0] == 'X' ? 1 : 0)));
  }
  if (i > 0 && info_[i - 1]->script == Script::kLatin) out->push_back(H(kPrevShape, Shape(words_[i - 1])));
  if (i + 1 < n && info_[i + 1]->script == Script::kLatin) {
    out->push_back(H(kNextShape, Shape(words_[i + 1])));
  }
  if (i == 0) out->push_back(HI(kFirstPos, 1));
  out->push_back(H(kGaz, gaz_tag_[i]));
  out->push_back(H(kPrevGaz, i > 0 ? std::string_view(gaz_tag_[i - 1]) : "<s>"));
  out->push_back(H(kNextGaz, i + 1 < n ? std::string_view(gaz_tag_[i + 1]) : "</s>"));
  if (!wi.gaz_word.empty()) out->push_back(H(kGazWord, wi.gaz_word));
  if (i > 0 && !info_[i - 1]->gaz_word.empty()) out->push_back(H(kPrevGazWord, info_[i - 1]->gaz_word));
  if (i + 1 < n && !info_[i + 1]->gaz_word.empty()) {
    out->push_back(H(kNextGazWord, info_[i + 1]->gaz_word));
  }
}

// ---------------------------------------------------------------- model

namespace {
constexpr char kMagic[8] = {'N', 'F', 'N', 'E', 'R', '0', '0', '1'};
}

void Model::Build(const std::vector<std::pair<uint64_t, std::array<float, kNumTags>>>& feats,
                  const float trans[kNumTags + 1][kNumTags]) {
  std::memcpy(trans_, trans, sizeof trans_);
  float max_abs = 1e-6f;
  for (const auto& [k, w] : feats) {
    for (float x : w) max_abs = std::max(max_abs, std::fabs(x));
  }
  scale_ = max_abs / 32767.0f;
  // Features whose every weight rounds below min_weight_ carry no decision
  // and only cost table space and cache misses.
  std::vector<std::pair<uint64_t, std::array<int16_t, kNumTags>>> kept;
  kept.reserve(feats.size());
  for (const auto& [k, w] : feats) {
    std::array<int16_t, kNumTags> q{};
    bool any = false;
    for (int t = 0; t < kNumTags; ++t) {
      q[t] = static_cast<int16_t>(std::lround(w[t] / scale_));
      any |= std::abs(q[t]) >= prune_below_;
    }
    if (any) kept.emplace_back(k, q);
  }
  size_t cap = 16;
  while (cap < kept.size() * 2) cap <<= 1;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  for (const auto& [k, q] : kept) {
    size_t p = k & mask_;
    while (slots_[p].key != 0) p = (p + 1) & mask_;
    slots_[p].key = k;
    slots_[p].w = q;
  }
  num_features_ = kept.size();
  BuildFilter();
}

void Model::BuildFilter() {
  size_t bits = 1 << 12;
  while (bits < num_features_ * 16) bits <<= 1;
  filter_.assign(bits / 64, 0);
  filter_mask_ = bits - 1;
  for (const Slot& s : slots_) {
    if (s.key == 0) continue;
    const uint64_t b = (s.key >> 32) & filter_mask_;
    filter_[b >> 6] |= uint64_t{1} << (b & 63);
  }
}

void Model::Prune(int q) {
  std::vector<Slot> kept;
  for (const Slot& s : slots_) {
    if (s.key == 0) continue;
    bool any = false;
    for (int t = 0; t < kNumTags; ++t) any |= std::abs(s.w[t]) >= q;
    if (any) kept.push_back(s);
  }
  size_t cap = 16;
  while (cap < kept.size() * 2) cap <<= 1;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  for (const Slot& s : kept) {
    size_t p = s.key & mask_;
    while (slots_[p].key != 0) p = (p + 1) & mask_;
    slots_[p] = s;
  }
  num_features_ = kept.size();
  BuildFilter();
}

void Model::AccumulateDense(int pos, const float* v, int32_t* acc) const {
  for (int t = 0; t < kNumTags; ++t) {
    const float* w = &dense_[(static_cast<size_t>(pos) * kNumTags + t) * dense_dim_];
    double d = 0;
    for (int j = 0; j < dense_dim_; ++j) d += static_cast<double>(w[j]) * v[j];
    acc[t] += static_cast<int32_t>(std::lround(d / scale_));
  }
}

void Model::Score(const std::vector<uint64_t>& feats, float* scores) const {
  int32_t acc[kNumTags] = {};
  // The table is larger than the caches: ask for every home slot first so
  // the misses overlap instead of queueing one by one.
  for (uint64_t k : feats) __builtin_prefetch(&slots_[k & mask_]);
  for (uint64_t k : feats) {
    size_t p = k & mask_;
    while (true) {
      const Slot& s = slots_[p];
      if (s.key == k) {
        for (int t = 0; t < kNumTags; ++t) acc[t] += s.w[t];
        break;
      }
      if (s.key == 0) break;
      p = (p + 1) & mask_;
    }
  }
  for (int t = 0; t < kNumTags; ++t) scores[t] = acc[t] * scale_;
}

Status Model::Save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::Unavailable("entities: cannot write model " + path);
  const uint32_t tags = kNumTags;
  const uint64_t n = num_features_;
  out.write(kMagic, sizeof kMagic);
  out.write(reinterpret_cast<const char*>(&tags), sizeof tags);
  out.write(reinterpret_cast<const char*>(&scale_), sizeof scale_);
  out.write(reinterpret_cast<const char*>(trans_), sizeof trans_);
  out.write(reinterpret_cast<const char*>(&n), sizeof n);
  // Records in key order so the file is byte-for-byte reproducible.
  std::vector<const Slot*> recs;
  recs.reserve(n);
  for (const Slot& s : slots_) {
    if (s.key != 0) recs.push_back(&s);
  }
  std::sort(recs.begin(), recs.end(), [](const Slot* a, const Slot* b) { return a->key < b->key; });
  for (const Slot* s : recs) {
    out.write(reinterpret_cast<const char*>(&s->key), sizeof s->key);
    out.write(reinterpret_cast<const char*>(s->w.data()), sizeof(int16_t) * kNumTags);
  }
  if (!out) return Status::Unavailable("entities: short write to " + path);
  return Status::OK();
}

Status Model::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("entities: cannot open model " + path);
  char magic[8];
  uint32_t tags = 0;
  uint64_t n = 0;
  in.read(magic, sizeof magic);
  in.read(reinterpret_cast<char*>(&tags), sizeof tags);
  if (!in || std::memcmp(magic, kMagic, sizeof kMagic) != 0 || tags != kNumTags) {
    return Status::Corrupt("entities: " + path + " is not a newsflow NER model (version 1)");
  }
  in.read(reinterpret_cast<char*>(&scale_), sizeof scale_);
  in.read(reinterpret_cast<char*>(trans_), sizeof trans_);
  in.read(reinterpret_cast<char*>(&n), sizeof n);
  if (!in || n > (1ULL << 28)) return Status::Corrupt("entities: truncated model " + path);
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  std::vector<char> buf(n * (sizeof(uint64_t) + sizeof(int16_t) * kNumTags));
  in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (!in) return Status::Corrupt("entities: truncated model " + path);
  const char* p = buf.data();
  for (uint64_t r = 0; r < n; ++r) {
    uint64_t k;
    std::memcpy(&k, p, sizeof k);
    p += sizeof k;
    size_t pos = k & mask_;
    while (slots_[pos].key != 0) pos = (pos + 1) & mask_;
    slots_[pos].key = k;
    std::memcpy(slots_[pos].w.data(), p, sizeof(int16_t) * kNumTags);
    p += sizeof(int16_t) * kNumTags;
  }
  num_features_ = n;
  BuildFilter();
  return Status::OK();
}

// ---------------------------------------------------------------- decoding

namespace {

bool Allowed(int prev, int cur) {
  if (!IsInside(cur)) return true;
  return prev == cur || prev == cur - 1;  // I-X after B-X or I-X
}

// Partial labels of a sentence whose source does not annotate MISC: a token
// tagged O may be O or part of a MISC name; any other tag is certain.
constexpr int kBMisc = 7, kIMisc = 8;
bool PartialAllowed(int given, int t) {
  return given == 0 ? (t == 0 || t == kBMisc || t == kIMisc) : t == given;
}

template <typename TransFn>
void Viterbi(const std::vector<float>& emit, size_t n, TransFn trans, std::vector<float>* delta,
             std::vector<int>* back, std::vector<int>* tags) {
  constexpr float kNeg = -std::numeric_limits<float>::infinity();
  tags->assign(n, 0);
  if (n == 0) return;
  delta->assign(n * kNumTags, kNeg);
  back->assign(n * kNumTags, 0);
  for (int t = 0; t < kNumTags; ++t) {
    if (!IsInside(t)) (*delta)[t] = emit[t] + trans(-1, t);
  }
  // Transition scores once, and for I-X only its two allowed predecessors
  // (B-X, I-X), in increasing order so ties resolve as a full scan would.
  float tr[kNumTags][kNumTags];
  for (int p = 0; p < kNumTags; ++p) {
    for (int t = 0; t < kNumTags; ++t) tr[p][t] = trans(p, t);
  }
  for (size_t i = 1; i < n; ++i) {
    const float* prev = &(*delta)[(i - 1) * kNumTags];
    for (int t = 0; t < kNumTags; ++t) {
      float best = kNeg;
      int arg = 0;
      if (IsInside(t)) {
        for (int p : {t - 1, t}) {
          const float v = prev[p] + tr[p][t];
          if (v > best) { best = v; arg = p; }
        }
      } else {
        for (int p = 0; p < kNumTags; ++p) {
          const float v = prev[p] + tr[p][t];
          if (v > best) { best = v; arg = p; }
        }
      }
      (*delta)[i * kNumTags + t] = best + emit[i * kNumTags + t];
      (*back)[i * kNumTags + t] = arg;
    }
  }
  int best_t = 0;
  for (int t = 1; t < kNumTags; ++t) {
    if ((*delta)[(n - 1) * kNumTags + t] > (*delta)[(n - 1) * kNumTags + best_t]) best_t = t;
  }
  for (size_t i = n; i-- > 0;) {
    (*tags)[i] = best_t;
    best_t = (*back)[i * kNumTags + best_t];
  }
}

}  // namespace

GazetteerPolicy DefaultPolicy(std::string_view lang) {
  GazetteerPolicy p;
  p.override_any_type = lang == "en";
  p.retype_last_names = lang == "en";
  p.retype_by_head = lang == "en";
  return p;
}

Tagger::Tagger(const Model* model, const Resources* res) : model_(model), fx_(res) {
  dense_ = model->dense_dim() > 0 && model->dense_dim() == res->vectors.dim;
  // Sentence boundaries seen from a token: the constant features of "<s>"
  // and "</s>" in the neighbour positions (FeatureExtractor::Features).
  model_->Accumulate(H(kPrevWord, "<s>"), bos_prev_.data());
  model_->Accumulate(H(kPrevStem, "<s>"), bos_prev_.data());
  model_->Accumulate(H(kPrev2Word, "<s>"), bos_prev2_.data());
  model_->Accumulate(H(kNextWord, "</s>"), eos_next_.data());
  model_->Accumulate(H(kNextStem, "</s>"), eos_next_.data());
  model_->Accumulate(H(kNext2Word, "</s>"), eos_next2_.data());
  bos_bigram_seed_ = XXH3_64bits_withSeed("<s>", 3, kBigramPrev * 0x9E3779B97F4A7C15ULL);
  bos_stem_h0_ = H(0, "<s>");
  model_->Accumulate(H(kGaz, ""), gaz_empty_[0].data());
  model_->Accumulate(H(kPrevGaz, ""), gaz_empty_[1].data());
  model_->Accumulate(H(kNextGaz, ""), gaz_empty_[2].data());
}

void Tagger::BeginDocument(size_t max_words) {
  if (fx_.cache_size() <= max_words) return;
  fx_.ClearCache();
  scores_.clear();
  scored_.clear();
}

// Must agree with FeatureExtractor::Features, feature for feature (the test
// EntitiesNerTest.CachedScoresEqualFeatureScores checks it): every feature
// that depends on one word only is summed here once per distinct word.
const Tagger::WordScores& Tagger::ScoresOf(size_t token) {
  const uint32_t id = fx_.word_id(token);
  if (id >= scores_.size()) {
    scores_.resize(fx_.cache_size());
    scored_.resize(fx_.cache_size(), 0);
  }
  WordScores& ws = scores_[id];
  if (scored_[id]) return ws;
  scored_[id] = 1;
  ws = WordScores{};
  const WordInfo& wi = fx_.info(token);
  const std::string_view surface = fx_.word(token);
  const std::string& w = wi.folded;
  const std::string& s = wi.stripped;
  const std::string_view s0 = DropArticle(s);
  const bool arabic = wi.script == Script::kArabic;
  const bool latin = wi.script == Script::kLatin;
  // Keys first, then weights: the table lookups are cache misses, and
  // prefetching them all lets them overlap.
  struct Pending {
    Acc* acc;
    uint64_t key;
  };
  std::array<Pending, 64> pending;
  size_t np = 0;
  auto add = [&](Acc& acc, uint64_t key) {
    model_->Prefetch(key);
    pending[np++] = {&acc, key};
  };
  // Self.
  Acc& a = ws.self;
  add(a, HI(kBias, 0));
  add(a, H(kWord, w));
  add(a, H(kStem, s));
  add(a, H(kStem0, s0));
  add(a, HI(kScript, static_cast<int>(wi.script)));
  add(a, HI(kLen, std::min<int64_t>(12, static_cast<int64_t>(w.size()))));
  const std::string_view af = arabic ? s0 : std::string_view(w);
  static constexpr uint64_t kSufT[] = {kSuf1, kSuf2, kSuf3, kSuf4};
  static constexpr uint64_t kPreT[] = {kPre1, kPre2, kPre3};
  for (int k = 1; k <= 4; ++k) {
    const size_t b = SuffixStart(af, k);
    if (b == std::string_view::npos || b == 0) break;
    add(a, H(kSufT[k - 1], af.substr(b)));
  }
  for (int k = 1; k <= 3; ++k) {
    const size_t e = PrefixBytes(af, k);
    if (e == std::string_view::npos || e == af.size()) break;
    add(a, H(kPreT[k - 1], af.substr(0, e)));
  }
  const auto [coarse, fine] = wi.clusters;
  add(a, HI(kClusterCoarse, coarse));
  if (fine >= 0) add(a, HI(kClusterFine, fine));
  for (int j = 0; j < kMaxExtraClusters; ++j) {
    const int x = wi.extra_clusters[j];
    if (x < 0) continue;
    add(a, HI(kClusterX + j, x));
    add(ws.prev, HI(kPrevClusterX + j, x));
    add(ws.next, HI(kNextClusterX + j, x));
  }
  ws.freq_bucket = FreqBucket(wi.count);
  add(a, HI(kFreq, ws.freq_bucket * 4 + static_cast<int>(wi.script)));
  if (arabic) {
    const int clitic = (s != w ? 1 : 0) + (s0.size() != s.size() ? 2 : 0);
    add(a, HI(kClitic, clitic));
    if (s != w && w.size() > s.size()) {
      add(a, H(kCliticPrefix, std::string_view(w).substr(0, w.size() - s.size())));
    }
  }
  std::string shape;
  if (latin) {
    shape = Shape(surface);
    add(a, H(kShape, shape));
  }
  if (!wi.gaz_word.empty()) add(a, H(kGazWord, wi.gaz_word));
  // As the previous / next word.
  add(ws.prev, H(kPrevWord, w));
  add(ws.prev, H(kPrevStem, s));
  add(ws.prev, HI(kPrevCluster, fine));
  add(ws.prev, HI(kPrevCoarse, coarse));
  if (latin) add(ws.prev, H(kPrevShape, shape));
  if (!wi.gaz_word.empty()) add(ws.prev, H(kPrevGazWord, wi.gaz_word));
  add(ws.next, H(kNextWord, w));
  add(ws.next, H(kNextStem, s));
  add(ws.next, HI(kNextCluster, fine));
  add(ws.next, HI(kNextCoarse, coarse));
  if (latin) add(ws.next, H(kNextShape, shape));
  if (!wi.gaz_word.empty()) add(ws.next, H(kNextGazWord, wi.gaz_word));
  add(ws.prev2, H(kPrev2Word, w));
  add(ws.next2, H(kNext2Word, w));
  ws.bigram_prev_seed = XXH3_64bits_withSeed(s.data(), s.size(), kBigramPrev * 0x9E3779B97F4A7C15ULL);
  ws.bigram_next_seed = XXH3_64bits_withSeed(s.data(), s.size(), kBigramNext * 0x9E3779B97F4A7C15ULL);
  ws.stem_h0 = H(0, s);
  for (size_t k = 0; k < np; ++k) model_->Accumulate(pending[k].key, pending[k].acc->data());
  if (dense_ && wi.vec != nullptr) {
    Acc* by_pos[] = {&ws.self, &ws.prev, &ws.next, &ws.prev2, &ws.next2};
    for (int p = 0; p < model_->dense_positions() && p < 5; ++p) {
      model_->AccumulateDense(p, wi.vec, by_pos[p]->data());
    }
  }
  return ws;
}

void Tagger::Tag(const std::vector<std::string_view>& words, std::vector<int>* tags) {
  const size_t n = words.size();
  fx_.Prepare(words);
  // Word scores first (ScoresOf may grow scores_), then pointers to them.
  std::vector<const WordScores*>& ws = ws_scratch_;
  ws.resize(n);
  for (size_t i = 0; i < n; ++i) ScoresOf(i);
  for (size_t i = 0; i < n; ++i) ws[i] = &scores_[fx_.word_id(i)];
  emit_.resize(n * kNumTags);
  const float scale = model_->scale();
  // Features of a token and its neighbours together: stem bigrams and the
  // previous stem with this word's frequency. Their weights are mostly
  // cache misses in a large table, so all keys are computed and prefetched
  // before any is read.
  pair_keys_.resize(3 * n);
  for (size_t i = 0; i < n; ++i) {
    const WordScores& me = *ws[i];
    const std::string& s = fx_.stripped(i);
    const uint64_t prev_seed = i > 0 ? ws[i - 1]->bigram_prev_seed : bos_bigram_seed_;
    pair_keys_[3 * i] = Nz(XXH3_64bits_withSeed(s.data(), s.size(), prev_seed));
    const std::string_view next_stem = i + 1 < n ? std::string_view(fx_.stripped(i + 1)) : "</s>";
    pair_keys_[3 * i + 1] =
        Nz(XXH3_64bits_withSeed(next_stem.data(), next_stem.size(), me.bigram_next_seed));
    const uint64_t prev_h0 = i > 0 ? ws[i - 1]->stem_h0 : bos_stem_h0_;
    pair_keys_[3 * i + 2] =
        HI(kPrevStemFreq, static_cast<int64_t>(prev_h0 & 0xFFFFFFFF) * 16 + me.freq_bucket);
    for (int k = 0; k < 3; ++k) model_->Prefetch(pair_keys_[3 * i + k]);
  }
  for (size_t i = 0; i < n; ++i) {
    const WordScores& me = *ws[i];
    Acc acc = me.self;
    const Acc& pv = i > 0 ? ws[i - 1]->prev : bos_prev_;
    const Acc& pv2 = i > 1 ? ws[i - 2]->prev2 : bos_prev2_;
    const Acc& nx = i + 1 < n ? ws[i + 1]->next : eos_next_;
    const Acc& nx2 = i + 2 < n ? ws[i + 2]->next2 : eos_next2_;
    for (int t = 0; t < kNumTags; ++t) acc[t] += pv[t] + pv2[t] + nx[t] + nx2[t];
    for (int k = 0; k < 3; ++k) model_->Accumulate(pair_keys_[3 * i + k], acc.data());
    if (i > 0 && !fx_.gazetteer_word_type(i - 1).empty()) {
      model_->Accumulate(H2(kPrevGazFreq, fx_.gazetteer_word_type(i - 1), std::to_string(me.freq_bucket)),
                         acc.data());
    }
    if (fx_.info(i).script == Script::kLatin) {
      const bool cap = !words[i].empty() && words[i][0] >= 'A' && words[i][0] <= 'Z';
      model_->Accumulate(HI(kCapFirst, (i == 0 ? 2 : 0) + (cap ? 1 : 0)), acc.data());
    }
    if (i == 0) model_->Accumulate(HI(kFirstPos, 1), acc.data());
    // Gazetteer tags of the token and its neighbours; most are "" (no
    // listed name), whose weights are summed once.
    auto gaz = [&](uint64_t tmpl, std::string_view tag, const Acc& empty) {
      if (tag.empty()) {
        for (int t = 0; t < kNumTags; ++t) acc[t] += empty[t];
      } else {
        model_->Accumulate(H(tmpl, tag), acc.data());
      }
    };
    gaz(kGaz, fx_.gazetteer_tag(i), gaz_empty_[0]);
    gaz(kPrevGaz, i > 0 ? std::string_view(fx_.gazetteer_tag(i - 1)) : "<s>", gaz_empty_[1]);
    gaz(kNextGaz, i + 1 < n ? std::string_view(fx_.gazetteer_tag(i + 1)) : "</s>", gaz_empty_[2]);
    for (int t = 0; t < kNumTags; ++t) emit_[i * kNumTags + t] = static_cast<float>(acc[t]) * scale;
  }
  Viterbi(emit_, n, [this](int p, int c) { return model_->Transition(p, c); }, &delta_, &back_,
          tags);
  ApplyGazetteer(tags);
}

namespace {

// Particles, verbs of saying and titles do not start a name; a span the
// decoder opened on one (فإن الكاظمي, جنرال بات رايدر) starts one token later.
bool IsParticle(std::string_view stripped) {
  static constexpr std::string_view kParticles[] = {
      "\u0627\u0646",              // ان (أن إن after folding)
      "\u0641\u064A",              // في
      "\u0645\u0646",              // من
      "\u0627\u0644\u064A",       // الي (إلى)
      "\u0639\u0646",              // عن
      "\u0645\u0639",              // مع
      "\u0642\u0627\u0644",       // قال
      "\u0627\u0646\u0647",       // انه
      "\u0627\u0646\u0647\u0627",  // انها
      "\u0647\u0630\u0627",       // هذا
      "\u0647\u0630\u0647",       // هذه
      "\u0627\u0644\u0630\u064A",  // الذي
      "\u0644\u0627",              // لا
      "\u0645\u0627",              // ما
  };
  for (std::string_view p : kParticles) {
    if (stripped == p) return true;
  }
  return false;
}

}  // namespace

void Tagger::TrimParticles(std::vector<int>* tags) const {
  const size_t n = tags->size();
  for (size_t i = 0; i < n; ++i) {
    if (!IsBegin((*tags)[i])) continue;
    // فان/بان are also van and Ban (Ki-moon): a clitic+particle reading
    // needs the hamza the surface form has in فإن, بأن.
    const std::string_view surface = fx_.word(i);
    const bool hamza = surface.find("\u0623") != std::string_view::npos ||
                       surface.find("\u0625") != std::string_view::npos;
    const bool title = fx_.gazetteer_word_type(i) == "TITLE" ||  // الجنرال بات رايدر
                       surface == "\u0639\u0644\u0649" ||         // على (not the name علي)
                       surface == "\u0625\u0644\u0649";           // إلى
    if (!title && !IsParticle(fx_.folded(i)) && !(hamza && IsParticle(fx_.stripped(i)))) continue;
    const int b = (*tags)[i];
    (*tags)[i] = 0;
    if (i + 1 < n && (*tags)[i + 1] == b + 1) (*tags)[i + 1] = b;
  }
}

void Tagger::RetypeByHead(std::vector<int>* tags) const {
  static const int kLoc = TagIndex("B-LOC"), kOrg = TagIndex("B-ORG"), kMisc = TagIndex("B-MISC");
  static const std::unordered_map<std::string_view, int> kHeads = {
      {"Street", kLoc}, {"Avenue", kLoc}, {"Road", kLoc}, {"Boulevard", kLoc}, {"Lane", kLoc},
      {"Square", kLoc}, {"River", kLoc}, {"Valley", kLoc}, {"Bay", kLoc}, {"Harbour", kLoc},
      {"Harbor", kLoc}, {"Lake", kLoc}, {"Mountains", kLoc}, {"Island", kLoc}, {"Islands", kLoc},
      {"County", kLoc}, {"Province", kLoc}, {"Haven", kLoc}, {"Heights", kLoc}, {"Hills", kLoc},
      {"Beach", kLoc}, {"Coast", kLoc}, {"Sea", kLoc}, {"Ocean", kLoc}, {"Peninsula", kLoc},
      {"Inc", kOrg}, {"Inc.", kOrg}, {"Ltd", kOrg}, {"Ltd.", kOrg}, {"Corp", kOrg}, {"Corp.", kOrg},
      {"Corporation", kOrg}, {"Company", kOrg}, {"Group", kOrg}, {"Holdings", kOrg},
      {"Engineering", kOrg}, {"Energy", kOrg}, {"Systems", kOrg}, {"Technologies", kOrg},
      {"Airlines", kOrg}, {"Airways", kOrg}, {"Bank", kOrg}, {"University", kOrg}, {"College", kOrg},
      {"Institute", kOrg}, {"Association", kOrg}, {"Council", kOrg}, {"Ministry", kOrg},
      {"Agency", kOrg}, {"Foundation", kOrg}, {"Club", kOrg}, {"FC", kOrg}, {"Records", kOrg},
      {"Party", kOrg}, {"Committee", kOrg}, {"Commission", kOrg}, {"Federation", kOrg},
      {"Union", kOrg}, {"Society", kOrg}, {"Motors", kOrg}, {"Industries", kOrg},
      // Round 14: the heads of >= 8 names in ner/en/extra (WikiNEuRal, UNER) that are
      // >= 95 % one type there and common nouns (not WikiGold: its cross-validation
      // judges them).
      {"Army", kOrg}, {"Navy", kOrg}, {"School", kOrg}, {"Pictures", kOrg}, {"Entertainment", kOrg},
      {"Athletics", kOrg}, {"Cup", kMisc}, {"War", kMisc}, {"Wars", kMisc}, {"Olympics", kMisc},
      {"Festival", kMisc}, {"Series", kMisc}, {"Tour", kMisc}, {"Show", kMisc}, {"Testament", kMisc}};
  std::vector<Span> spans;
  ExtractSpans(*tags, &spans);
  for (const Span& sp : spans) {
    const std::string_view last = fx_.word(sp.end - 1);
    int b_tag = -1;
    if (auto it = kHeads.find(last); it != kHeads.end() && sp.end - sp.begin >= 2) {
      b_tag = it->second;
    } else if (TagType((*tags)[sp.begin]) != "MISC" && IsDemonym(sp.end - 1)) {
      b_tag = kMisc;  // North African (markets), South Korean, Roman: CoNLL's MISC
    } else {
      continue;
    }
    (*tags)[sp.begin] = b_tag;
    for (size_t i = sp.begin + 1; i < sp.end; ++i) (*tags)[i] = b_tag + 1;
  }
}

bool Tagger::IsDemonym(size_t i) const {
  const std::string_view w = fx_.word(i);
  if (w.size() < 5 || w[0] < 'A' || w[0] > 'Z') return false;
  // A listed word (Iran, Sudan, Jordan): the word cache looked it up already
  // (a Latin word's stripped form is the word itself).
  if (!fx_.gazetteer_word_type(i).empty()) return false;
  const Gazetteer& gazetteer = fx_.resources().gazetteer;
  const auto place = [&gazetteer](const std::string& name) {
    const GazetteerEntry* e = gazetteer.Find(LooseKey(Fold(name)));
    return e != nullptr && (e->type == "LOC" || e->type == "NLOC");
  };
  // The word as a place's name with its ending changed: Africa-n, Europ(e)-an,
  // Chin(a)-ese, Israel-i, Ital(y)-ian, Germ(any)-an, Pol(and)-ish, Swed(en)-ish
  // (the endings are tried in this order; "" first). No ending is a suffix, so
  // a candidate is never the word itself.
  static constexpr std::string_view kSuffixes[] = {"ian", "an", "ese", "ish", "i", "n"};
  static constexpr std::string_view kEndings[] = {"", "a", "e", "o", "y", "ia", "any", "and", "en", "ey"};
  for (std::string_view suffix : kSuffixes) {
    if (w.size() < suffix.size() + 3 || w.substr(w.size() - suffix.size()) != suffix) continue;
    const std::string_view stem = w.substr(0, w.size() - suffix.size());
    for (std::string_view ending : kEndings) {
      if (suffix == "i" && !ending.empty()) break;  // Israel-i, Iraq-i; not Georgi (a given name)
      std::string name(stem);
      name += ending;
      if (place(name)) return true;
    }
  }
  return false;
}

void Tagger::ApplyGazetteer(std::vector<int>* tags) const {
  if (policy_.retype_by_head) RetypeByHead(tags);
  if (policy_.trim_particles) TrimParticles(tags);
  if (!policy_.override_type && !policy_.add_missing) return;
  for (const GazetteerMatch& m : fx_.gazetteer_matches()) {
    const std::string& type = m.entry->type;
    const int b_tag = TagIndex("B-" + type);
    if (b_tag < 0) continue;  // GIVEN, TITLE: features only
    bool touched = false;
    for (size_t i = m.begin; i < m.end; ++i) touched |= (*tags)[i] != 0;
    const bool exact = (*tags)[m.begin] != 0 && !IsInside((*tags)[m.begin]) &&
                       (m.end == tags->size() || !IsInside((*tags)[m.end])) && [&] {
                         for (size_t i = m.begin + 1; i < m.end; ++i) {
                           if (!IsInside((*tags)[i])) return false;
                         }
                         return true;
                       }();
    const bool misc = IsBegin((*tags)[m.begin]) && TagType((*tags)[m.begin]) == "MISC";
    const bool add = !touched && policy_.add_missing &&
                     m.end - m.begin >= policy_.add_missing_min_tokens;
    if ((exact && (misc || policy_.override_any_type) && policy_.override_type) || add) {
      (*tags)[m.begin] = b_tag;
      for (size_t i = m.begin + 1; i < m.end; ++i) (*tags)[i] = b_tag + 1;
    }
  }
}

// ---------------------------------------------------------------- data + eval

Result<std::vector<Sentence>> ReadConll(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("entities: cannot open " + path);
  std::vector<Sentence> out;
  Sentence cur;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (!cur.words.empty()) out.push_back(std::move(cur));
      cur = Sentence();
      continue;
    }
    const size_t tab = line.rfind('\t');
    if (tab == std::string::npos) {
      return Status::Corrupt(path + ":" + std::to_string(line_no) + ": want token<TAB>tag");
    }
    const int tag = TagIndex(std::string_view(line).substr(tab + 1));
    if (tag < 0) return Status::Corrupt(path + ":" + std::to_string(line_no) + ": unknown tag");
    cur.words.push_back(line.substr(0, tab));
    cur.tags.push_back(tag);
  }
  if (!cur.words.empty()) out.push_back(std::move(cur));
  return out;
}

void DropMisc(Sentence* s) {
  static const int kBMisc = TagIndex("B-MISC");  // B-MISC and I-MISC are the last tags
  for (int& t : s->tags) {
    if (t >= kBMisc) t = 0;
  }
  s->no_misc = true;
}

void ExtractSpans(const std::vector<int>& tags, std::vector<Span>* out) {
  out->clear();
  int open_type = -1;
  size_t open_begin = 0;
  for (size_t i = 0; i <= tags.size(); ++i) {
    const int t = i < tags.size() ? tags[i] : 0;
    const int type = t == 0 ? -1 : (t - 1) / 2;
    const bool continues = IsInside(t) && type == open_type;
    if (!continues && open_type >= 0) {
      out->push_back({open_begin, i, open_type});
      open_type = -1;
    }
    if (t != 0 && !continues) {
      open_type = type;
      open_begin = i;
    }
  }
}

void Evaluation::Add(const std::vector<int>& gold, const std::vector<int>& predicted) {
  std::vector<Span> g, p;
  ExtractSpans(gold, &g);
  ExtractSpans(predicted, &p);
  for (const Span& s : g) { ++by_type[s.type].gold; ++micro.gold; }
  for (const Span& s : p) { ++by_type[s.type].predicted; ++micro.predicted; }
  for (const Span& s : p) {
    for (const Span& t : g) {
      if (s.begin == t.begin && s.end == t.end && s.type == t.type) {
        ++by_type[s.type].correct;
        ++micro.correct;
        break;
      }
    }
  }
}

std::string Evaluation::Table() const {
  static constexpr const char* kTypes[] = {"PER", "LOC", "ORG", "MISC"};
  std::ostringstream os;
  char line[160];
  std::snprintf(line, sizeof line, "%-6s %6s %6s %6s %7s %7s %7s\n", "type", "gold", "pred",
                "match", "P", "R", "F1");
  os << line;
  auto row = [&](const char* name, const SpanScore& s) {
    std::snprintf(line, sizeof line, "%-6s %6lld %6lld %6lld %7.2f %7.2f %7.2f\n", name,
                  static_cast<long long>(s.gold), static_cast<long long>(s.predicted),
                  static_cast<long long>(s.correct), s.Precision(), s.Recall(), s.F1());
    os << line;
  };
  for (int t = 0; t < 4; ++t) row(kTypes[t], by_type[t]);
  row("micro", micro);
  return os.str();
}

void PropagateNames(const std::vector<std::vector<std::string_view>>& keys,
                    std::vector<std::vector<int>>* tags, bool retype_last_names) {
  constexpr size_t kMaxTokens = 6;
  // key -> votes per type (PER, LOC, ORG, MISC)
  std::unordered_map<std::string, std::array<int, 4>> votes;
  // First tokens of the voted keys: a position whose token starts none of
  // them is skipped without building keys.
  std::unordered_set<std::string_view> firsts, last_names;
  std::vector<Span> spans;
  auto join = [&](const std::vector<std::string_view>& k, size_t b, size_t e) {
    std::string out(k[b]);
    for (size_t j = b + 1; j < e; ++j) out.append(" ").append(k[j]);
    return out;
  };
  for (size_t s = 0; s < keys.size(); ++s) {
    ExtractSpans((*tags)[s], &spans);
    for (const Span& sp : spans) {
      if (sp.end - sp.begin > kMaxTokens) continue;
      ++votes[join(keys[s], sp.begin, sp.end)][sp.type];
      firsts.insert(keys[s][sp.begin]);
      // A person named in full is later named by the last name alone.
      if (sp.type == 0 && sp.end - sp.begin >= 2) {
        ++votes[std::string(keys[s][sp.end - 1])][0];
        firsts.insert(keys[s][sp.end - 1]);
        last_names.insert(keys[s][sp.end - 1]);
      }
    }
  }
  if (votes.empty()) return;
  // A one-token name that is the last name of a person named in full in the
  // same document is that person (Behe after Michael Behe), whatever type
  // the tagger gave it.
  if (retype_last_names && !last_names.empty()) {
    for (size_t s = 0; s < keys.size(); ++s) {
      std::vector<int>& t = (*tags)[s];
      ExtractSpans(t, &spans);
      for (const Span& sp : spans) {
        if (sp.end - sp.begin == 1 && sp.type != 0 && last_names.count(keys[s][sp.begin]) > 0) {
          t[sp.begin] = 1;  // B-PER
        }
      }
    }
  }
  for (size_t s = 0; s < keys.size(); ++s) {
    std::vector<int>& t = (*tags)[s];
    const size_t n = t.size();
    for (size_t i = 0; i < n; ++i) {
      if (t[i] != 0 || firsts.find(keys[s][i]) == firsts.end()) continue;
      for (size_t e = std::min(n, i + kMaxTokens); e > i; --e) {
        bool free = true;
        for (size_t j = i; j < e && free; ++j) free = t[j] == 0;
        if (!free || (e < n && IsInside(t[e]))) continue;
        if (e - i == 1 && keys[s][i].size() < 6) continue;  // too short to trust alone
        auto it = votes.find(join(keys[s], i, e));
        if (it == votes.end()) continue;
        const auto& v = it->second;
        const int type = static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
        t[i] = type * 2 + 1;
        for (size_t j = i + 1; j < e; ++j) t[j] = type * 2 + 2;
        i = e - 1;
        break;
      }
    }
  }
}

Evaluation Evaluate(const std::vector<Sentence>& data, const Model& model, const Resources& res,
                    GazetteerPolicy policy, size_t doc_sentences,
                    std::vector<std::vector<int>>* predicted) {
  Evaluation ev;
  if (predicted) predicted->clear();
  Tagger tagger(&model, &res);
  tagger.set_policy(policy);
  std::vector<std::string_view> words;
  std::vector<std::vector<std::string_view>> keys;
  std::vector<std::vector<int>> preds;
  for (size_t d = 0; d < data.size(); d += std::max<size_t>(1, doc_sentences)) {
    const size_t end = std::min(data.size(), d + std::max<size_t>(1, doc_sentences));
    tagger.BeginDocument();
    keys.clear();
    preds.clear();
    for (size_t k = d; k < end; ++k) {
      words.assign(data[k].words.begin(), data[k].words.end());
      preds.emplace_back();
      tagger.Tag(words, &preds.back());
      keys.emplace_back();
      for (size_t i = 0; i < words.size(); ++i) {
        keys.back().push_back(tagger.extractor().loose_stripped(i));
      }
    }
    if (doc_sentences > 1) PropagateNames(keys, &preds, policy.retype_last_names);
    for (size_t k = d; k < end; ++k) ev.Add(data[k].tags, preds[k - d]);
    if (predicted) predicted->insert(predicted->end(), preds.begin(), preds.end());
  }
  return ev;
}

// ---------------------------------------------------------------- training

namespace {

// The key of feature `key`'s copy private to domain `d` (splitmix64 of the
// two: collisions with real keys are as unlikely as between them).
uint64_t DomainCopyKey(uint64_t key, int d) {
  uint64_t z = key + 0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(d) + 2);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

Status Train(const std::vector<Sentence>& train, const std::vector<Sentence>& dev,
             const Resources& res, const TrainOptions& opt, Model* model) {
  if (train.empty()) return Status::InvalidArgument("entities: empty training set");
  model->set_prune_below(opt.prune_below);
  // Features are extracted once and mapped to dense indices.
  std::unordered_map<uint64_t, uint32_t> index;
  std::vector<uint64_t> keys;
  // domain_copies: whether a feature is a domain's copy, and a shared
  // feature's target-domain copy (-1: none).
  std::vector<char> is_copy;
  std::vector<int64_t> target_copy;
  std::vector<std::vector<std::vector<uint32_t>>> feats(train.size());
  // Dense features: the vector of every token (null: none), positions
  // self, -1, +1, -2, +2 (offsets kDenseOffset) up to the window.
  static constexpr int kDenseOffset[] = {0, -1, 1, -2, 2};
  const int dense_pos = opt.dense_window > 0 && res.vectors.dim > 0 ? 1 + 2 * std::min(2, opt.dense_window) : 0;
  const int dd = dense_pos > 0 ? res.vectors.dim : 0;
  const size_t nd = static_cast<size_t>(dense_pos) * kNumTags * dd;
  std::vector<std::vector<const float*>> vecs(train.size());
  {
    std::vector<std::string_view> words;
    std::vector<uint64_t> f;
    // One extractor (and word cache) per resource set.
    std::unordered_map<const Resources*, std::unique_ptr<FeatureExtractor>> extractors;
    for (size_t si = 0; si < train.size(); ++si) {
      const Resources* r = opt.sentence_resources != nullptr ? (*opt.sentence_resources)[si] : &res;
      auto& slot = extractors[r];
      if (!slot) slot = std::make_unique<FeatureExtractor>(r);
      FeatureExtractor& fx = *slot;
      words.assign(train[si].words.begin(), train[si].words.end());
      fx.Prepare(words);
      feats[si].resize(words.size());
      if (dense_pos > 0) {
        vecs[si].resize(words.size());
        for (size_t i = 0; i < words.size(); ++i) vecs[si][i] = fx.info(i).vec;
      }
      for (size_t i = 0; i < words.size(); ++i) {
        fx.Features(i, &f);
        auto& dst = feats[si][i];
        const size_t m = f.size();
        dst.reserve(opt.domain_copies ? 2 * m : m);
        for (uint64_t k : f) {
          auto [it, inserted] = index.try_emplace(k, static_cast<uint32_t>(keys.size()));
          if (inserted) keys.push_back(k);
          dst.push_back(it->second);
        }
        if (!opt.domain_copies) continue;
        // The same features again as the sentence's domain's own copies
        // (positions m.. mirror 0..m: word dropout hides both).
        const int d = train[si].domain;
        for (size_t j = 0; j < m; ++j) {
          const uint64_t k = DomainCopyKey(f[j], d);
          auto [it, inserted] = index.try_emplace(k, static_cast<uint32_t>(keys.size()));
          if (inserted) {
            keys.push_back(k);
            is_copy.resize(keys.size(), 0);
            is_copy.back() = 1;
            if (d == 0) {
              target_copy.resize(keys.size(), -1);
              target_copy[dst[j]] = static_cast<int64_t>(it->second);
            }
          }
          dst.push_back(it->second);
        }
      }
    }
  }
  const size_t nf = keys.size();
  int num_domains = 1;
  for (const Sentence& st : train) num_domains = std::max(num_domains, st.domain + 1);
  is_copy.resize(nf, 0);
  target_copy.resize(nf, -1);
  // A token's word-identity features (hidden by word dropout): positions
  // 1..kLexicalFeatures of its list, and of its domain copies' half.
  auto lexical = [&](size_t k, size_t size) {
    if (opt.domain_copies && k >= size / 2) k -= size / 2;
    return k >= 1 && k <= kLexicalFeatures;
  };
  // The model as written: shared weights (not the copies) plus the target
  // domain's copy of each (domain_copies); weight_of(f * kNumTags + t) is
  // feature f's weight for tag t.
  auto written = [&](auto weight_of) {
    std::vector<std::pair<uint64_t, std::array<float, kNumTags>>> out;
    out.reserve(nf);
    for (size_t f = 0; f < nf; ++f) {
      if (is_copy[f]) continue;
      out.emplace_back();
      out.back().first = keys[f];
      for (int t = 0; t < kNumTags; ++t) {
        out.back().second[t] = weight_of(f * kNumTags + t) +
                               (target_copy[f] >= 0 ? weight_of(static_cast<size_t>(target_copy[f]) * kNumTags + t) : 0.0f);
      }
    }
    return out;
  };
  // Several runs over different shuffles, their averaged weights averaged
  // again: a linear model, so this is one model with less shuffle variance.
  std::vector<float> bag(nf * kNumTags, 0.0f);
  float bag_t[kNumTags + 1][kNumTags] = {};
  std::vector<float> bag_d(nd, 0.0f);
  // Calls fn(weight row offset, vector) for every dense input of token i:
  // the row of tag t is offset + t * dd.
  auto for_dense = [&](size_t si, size_t i, auto fn) {
    const auto n = static_cast<ptrdiff_t>(vecs[si].size());
    for (int p = 0; p < dense_pos; ++p) {
      const ptrdiff_t j = static_cast<ptrdiff_t>(i) + kDenseOffset[p];
      if (j < 0 || j >= n || vecs[si][j] == nullptr) continue;
      fn(static_cast<size_t>(p) * kNumTags * dd, vecs[si][j]);
    }
  };
  const int runs = std::max(1, opt.runs) * (opt.mix_crf ? 2 : 1);
  for (int run = 0; run < runs; ++run) {
  // With mix_crf, runs alternate between the learners (same shuffle seed per pair).
  const bool use_crf = opt.mix_crf ? (run % 2 == 1) : opt.crf;
  std::vector<float> w(nf * kNumTags, 0.0f), wa(nf * kNumTags, 0.0f);
  std::vector<float> wd(nd, 0.0f), wad(nd, 0.0f);  // dense weights, [pos][tag][dim]
  float tw[kNumTags + 1][kNumTags] = {}, ta[kNumTags + 1][kNumTags] = {};
  // domain_copies: each domain's own transition weights (and their
  // averaging and AdaGrad sums), and `te`, the transitions the current
  // sentence is scored with (tw, plus its domain's copy).
  using TransTable = std::array<std::array<float, kNumTags>, kNumTags + 1>;
  std::vector<TransTable> dtw(num_domains), dta(num_domains), dtg2(num_domains);
  float te[kNumTags + 1][kNumTags] = {};
  int cur_domain = 0;
  double c = 1;
  // The averaged transition p -> t as written: shared, plus the target
  // domain's copy (domain_copies).
  auto written_transition = [&](int p, int t) {
    float v = tw[p][t] - ta[p][t] / static_cast<float>(c);
    if (opt.domain_copies) v += dtw[0][p][t] - dta[0][p][t] / static_cast<float>(c);
    return v;
  };
  std::vector<size_t> order(train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937 rng(opt.seed + static_cast<uint32_t>(opt.mix_crf ? run / 2 : run));
  std::vector<float> emit, delta, emit_c;
  std::vector<int> back, pred, gold_c;
  std::vector<char> drop;
  std::uniform_real_distribution<double> coin(0.0, 1.0);

  // Emission scores of sentence `si` under the current weights, after
  // drawing its word-identity dropout: hiding a token's own word features
  // now and then makes the model learn from context, affixes, clusters and
  // gazetteers, which is what unseen names have.
  auto score_sentence = [&](size_t si) {
    const size_t n = train[si].words.size();
    cur_domain = train[si].domain;
    for (int p = 0; p <= kNumTags; ++p) {
      for (int t = 0; t < kNumTags; ++t) {
        te[p][t] = tw[p][t] + (opt.domain_copies ? dtw[cur_domain][p][t] : 0.0f);
      }
    }
    emit.assign(n * kNumTags, 0.0f);
    drop.assign(n, 0);
    for (size_t i = 0; i < n; ++i) drop[i] = coin(rng) < opt.word_dropout;
    for (size_t i = 0; i < n; ++i) {
      const auto& fi = feats[si][i];
      for (size_t k = 0; k < fi.size(); ++k) {
        if (drop[i] && lexical(k, fi.size())) continue;
        const float* row = &w[static_cast<size_t>(fi[k]) * kNumTags];
        for (int t = 0; t < kNumTags; ++t) emit[i * kNumTags + t] += row[t];
      }
      for_dense(si, i, [&](size_t off, const float* v) {
        for (int t = 0; t < kNumTags; ++t) {
          const float* row = &wd[off + static_cast<size_t>(t) * dd];
          float d = 0;
          for (int j = 0; j < dd; ++j) d += row[j] * v[j];
          emit[i * kNumTags + t] += d;
        }
      });
    }
  };

  auto averaged = [&]() {
    const auto out = written([&](size_t k) { return w[k] - wa[k] / static_cast<float>(c); });
    float avg_t[kNumTags + 1][kNumTags];
    for (int p = 0; p <= kNumTags; ++p) {
      for (int t = 0; t < kNumTags; ++t) avg_t[p][t] = written_transition(p, t);
    }
    model->Build(out, avg_t);
    if (nd > 0) {
      std::vector<float> avg_d(nd);
      for (size_t k = 0; k < nd; ++k) avg_d[k] = wd[k] - wad[k] / static_cast<float>(c);
      model->SetDense(dd, dense_pos, std::move(avg_d));
    }
  };

  if (use_crf) {
    // AdaGrad accumulators, per weight and per transition.
    std::vector<float> g2(nf * kNumTags, 0.0f), gd2(nd, 0.0f);
    float tg2[kNumTags + 1][kNumTags] = {};
    std::vector<double> alpha, beta, alpha_c, beta_c;
    constexpr double kNegInf = -std::numeric_limits<double>::infinity();
    auto lse = [](double a, double b) {
      if (a == -std::numeric_limits<double>::infinity()) return b;
      if (b == -std::numeric_limits<double>::infinity()) return a;
      return a > b ? a + std::log1p(std::exp(b - a)) : b + std::log1p(std::exp(a - b));
    };
    auto step = [&](float* wv, float* av, float* acc, float grad, float fc) {
      grad -= opt.crf_l2 * *wv;
      *acc += grad * grad;
      const float d = opt.crf_rate * grad / (std::sqrt(*acc) + 1e-6f);
      *wv += d;
      *av += fc * d;
    };
    const int crf_epochs = opt.crf_epochs > 0 ? opt.crf_epochs : opt.epochs;
    for (int epoch = 1; epoch <= crf_epochs; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      double loglik = 0;
      for (size_t si : order) {
        const Sentence& s = train[si];
        const size_t n = s.words.size();
        if (n == 0) continue;
        score_sentence(si);
        // Forward-backward in log space over the allowed transitions;
        // `allowed(i, t)` restricts the lattice (partial labels).
        auto forward_backward = [&](auto allowed, std::vector<double>* al, std::vector<double>* be) {
          al->assign(n * kNumTags, kNegInf);
          be->assign(n * kNumTags, kNegInf);
          for (int t = 0; t < kNumTags; ++t) {
            if (!IsInside(t) && allowed(0, t)) (*al)[t] = emit[t] + te[0][t];
          }
          for (size_t i = 1; i < n; ++i) {
            for (int t = 0; t < kNumTags; ++t) {
              if (!allowed(i, t)) continue;
              double a = kNegInf;
              for (int p = 0; p < kNumTags; ++p) {
                if (Allowed(p, t)) a = lse(a, (*al)[(i - 1) * kNumTags + p] + te[p + 1][t]);
              }
              (*al)[i * kNumTags + t] = a + emit[i * kNumTags + t];
            }
          }
          for (int t = 0; t < kNumTags; ++t) {
            if (allowed(n - 1, t)) (*be)[(n - 1) * kNumTags + t] = 0;
          }
          for (size_t i = n - 1; i-- > 0;) {
            for (int p = 0; p < kNumTags; ++p) {
              if (!allowed(i, p)) continue;
              double b = kNegInf;
              for (int t = 0; t < kNumTags; ++t) {
                if (Allowed(p, t) && allowed(i + 1, t)) {
                  b = lse(b, te[p + 1][t] + emit[(i + 1) * kNumTags + t] + (*be)[(i + 1) * kNumTags + t]);
                }
              }
              (*be)[i * kNumTags + p] = b;
            }
          }
          double z = kNegInf;
          for (int t = 0; t < kNumTags; ++t) z = lse(z, (*al)[(n - 1) * kNumTags + t]);
          return z;
        };
        const double log_z = forward_backward([](size_t, int) { return true; }, &alpha, &beta);
        // Observed side: the gold path, or with partial labels (MISC not
        // annotated) the expectation over the paths that agree with them.
        double log_zc = 0;
        const bool partial = s.no_misc;
        if (partial) {
          log_zc = forward_backward([&](size_t i, int t) { return PartialAllowed(s.tags[i], t); },
                                    &alpha_c, &beta_c);
        }
        double gold_score = 0;
        if (!partial) {
          for (size_t i = 0; i < n; ++i) {
            gold_score += emit[i * kNumTags + s.tags[i]] + te[i == 0 ? 0 : s.tags[i - 1] + 1][s.tags[i]];
          }
        }
        loglik += (partial ? log_zc : gold_score) - log_z;
        auto observed = [&](size_t i, int t) -> double {
          if (!partial) return s.tags[i] == t ? 1.0 : 0.0;
          const double v = alpha_c[i * kNumTags + t] + beta_c[i * kNumTags + t] - log_zc;
          return v == kNegInf ? 0.0 : std::exp(v);
        };
        auto observed_pair = [&](size_t i, int p, int t) -> double {
          if (!partial) return s.tags[i - 1] == p && s.tags[i] == t ? 1.0 : 0.0;
          const double v = alpha_c[(i - 1) * kNumTags + p] + te[p + 1][t] + emit[i * kNumTags + t] +
                           beta_c[i * kNumTags + t] - log_zc;
          return v == kNegInf ? 0.0 : std::exp(v);
        };
        // Gradients (observed - expected), applied as AdaGrad steps.
        const auto fc = static_cast<float>(c);
        float tgrad[kNumTags + 1][kNumTags] = {};
        float grad[kNumTags];
        for (size_t i = 0; i < n; ++i) {
          for (int t = 0; t < kNumTags; ++t) {
            const double m = std::exp(alpha[i * kNumTags + t] + beta[i * kNumTags + t] - log_z);
            grad[t] = static_cast<float>(observed(i, t)) - static_cast<float>(m);
          }
          const auto& fi = feats[si][i];
          for (size_t k = 0; k < fi.size(); ++k) {
            if (drop[i] && lexical(k, fi.size())) continue;
            const size_t b = static_cast<size_t>(fi[k]) * kNumTags;
            for (int t = 0; t < kNumTags; ++t) step(&w[b + t], &wa[b + t], &g2[b + t], grad[t], fc);
          }
          for_dense(si, i, [&](size_t off, const float* v) {
            for (int t = 0; t < kNumTags; ++t) {
              const size_t r = off + static_cast<size_t>(t) * dd;
              for (int j = 0; j < dd; ++j) step(&wd[r + j], &wad[r + j], &gd2[r + j], grad[t] * v[j], fc);
            }
          });
          if (i == 0) {
            for (int t = 0; t < kNumTags; ++t) {
              if (!IsInside(t)) tgrad[0][t] += static_cast<float>(observed(0, t)) -
                                               static_cast<float>(std::exp(alpha[t] + beta[t] - log_z));
            }
            continue;
          }
          for (int p = 0; p < kNumTags; ++p) {
            for (int t = 0; t < kNumTags; ++t) {
              if (!Allowed(p, t)) continue;
              const double e = std::exp(alpha[(i - 1) * kNumTags + p] + te[p + 1][t] +
                                        emit[i * kNumTags + t] + beta[i * kNumTags + t] - log_z);
              tgrad[p + 1][t] += static_cast<float>(observed_pair(i, p, t)) - static_cast<float>(e);
            }
          }
        }
        for (int p = 0; p <= kNumTags; ++p) {
          for (int t = 0; t < kNumTags; ++t) {
            if (tgrad[p][t] == 0.0f) continue;
            step(&tw[p][t], &ta[p][t], &tg2[p][t], tgrad[p][t], fc);
            if (opt.domain_copies) {
              step(&dtw[cur_domain][p][t], &dta[cur_domain][p][t], &dtg2[cur_domain][p][t], tgrad[p][t], fc);
            }
          }
        }
        c += 1;
      }
      if (opt.verbose) {
        std::fprintf(stderr, "epoch %d: log-likelihood %.1f", epoch, loglik);
        if (!dev.empty()) {
          averaged();
          const Evaluation ev = Evaluate(dev, *model, res);
          std::fprintf(stderr, ", dev P %.2f R %.2f F1 %.2f", ev.micro.Precision(),
                       ev.micro.Recall(), ev.micro.F1());
        }
        std::fprintf(stderr, "\n");
      }
    }
  }
  const int perceptron_epochs = use_crf ? 0 : opt.epochs;
  for (int epoch = 1; epoch <= perceptron_epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    int64_t errors = 0, tokens = 0;
    for (size_t si : order) {
      const Sentence& s = train[si];
      const size_t n = s.words.size();
      score_sentence(si);
      // Loss-augmented decoding: every wrong tag gets a head start, so the
      // update also fires on correct but low-margin sentences.
      if (opt.margin > 0) {
        for (size_t i = 0; i < n; ++i) {
          for (int t = 0; t < kNumTags; ++t) {
            if (t != s.tags[i]) emit[i * kNumTags + t] += opt.margin;
          }
        }
      }
      Viterbi(emit, n, [&](int p, int t) { return te[p + 1][t]; }, &delta, &back, &pred);
      // Partial labels (MISC not annotated): the gold path is the best path
      // that agrees with them (latent-variable perceptron).
      const std::vector<int>* gold = &s.tags;
      if (s.no_misc) {
        emit_c.assign(emit.begin(), emit.end());
        for (size_t i = 0; i < n; ++i) {
          for (int t = 0; t < kNumTags; ++t) {
            if (!PartialAllowed(s.tags[i], t)) emit_c[i * kNumTags + t] = -1e30f;
          }
        }
        Viterbi(emit_c, n, [&](int p, int t) { return te[p + 1][t]; }, &delta, &back, &gold_c);
        gold = &gold_c;
      }
      tokens += static_cast<int64_t>(n);
      const auto fc = static_cast<float>(c);
      for (size_t i = 0; i < n; ++i) {
        const int g = (*gold)[i], p = pred[i];
        const int gp = i == 0 ? -1 : (*gold)[i - 1], pp = i == 0 ? -1 : pred[i - 1];
        if (g != p) {
          ++errors;
          const auto& fi = feats[si][i];
          for (size_t k = 0; k < fi.size(); ++k) {
            if (drop[i] && lexical(k, fi.size())) continue;
            const size_t b = static_cast<size_t>(fi[k]) * kNumTags;
            w[b + g] += 1; wa[b + g] += fc;
            w[b + p] -= 1; wa[b + p] -= fc;
          }
          for_dense(si, i, [&](size_t off, const float* v) {
            const size_t rg = off + static_cast<size_t>(g) * dd, rp = off + static_cast<size_t>(p) * dd;
            for (int j = 0; j < dd; ++j) {
              wd[rg + j] += v[j]; wad[rg + j] += fc * v[j];
              wd[rp + j] -= v[j]; wad[rp + j] -= fc * v[j];
            }
          });
        }
        if (g != p || gp != pp) {
          tw[gp + 1][g] += 1; ta[gp + 1][g] += fc;
          tw[pp + 1][p] -= 1; ta[pp + 1][p] -= fc;
          if (opt.domain_copies) {
            auto& dw = dtw[cur_domain];
            auto& da = dta[cur_domain];
            dw[gp + 1][g] += 1; da[gp + 1][g] += fc;
            dw[pp + 1][p] -= 1; da[pp + 1][p] -= fc;
          }
        }
      }
      c += 1;
    }
    if (opt.verbose) {
      std::fprintf(stderr, "epoch %d: %lld/%lld token errors", epoch,
                   static_cast<long long>(errors), static_cast<long long>(tokens));
      if (!dev.empty()) {
        averaged();
        const Evaluation ev = Evaluate(dev, *model, res);
        std::fprintf(stderr, ", dev P %.2f R %.2f F1 %.2f", ev.micro.Precision(),
                     ev.micro.Recall(), ev.micro.F1());
      }
      std::fprintf(stderr, "\n");
    }
  }
  // Mixing learners: each run's weights on one scale (mean absolute weight 1).
  float unit = 1.0f;
  if (opt.mix_crf) {
    double sum = 0;
    size_t cnt = 0;
    for (size_t k = 0; k < nf * kNumTags; ++k) {
      const float v = w[k] - wa[k] / static_cast<float>(c);
      if (v != 0.0f) sum += std::fabs(v), ++cnt;
    }
    if (cnt > 0 && sum > 0) unit = static_cast<float>(cnt / sum);
    if (use_crf) unit *= opt.mix_crf_weight;
  }
  for (size_t k = 0; k < nf * kNumTags; ++k) {
    bag[k] += unit * (w[k] - wa[k] / static_cast<float>(c)) / static_cast<float>(runs);
  }
  for (size_t k = 0; k < nd; ++k) {
    bag_d[k] += unit * (wd[k] - wad[k] / static_cast<float>(c)) / static_cast<float>(runs);
  }
  for (int p = 0; p <= kNumTags; ++p) {
    for (int t = 0; t < kNumTags; ++t) {
      bag_t[p][t] += unit * written_transition(p, t) / static_cast<float>(runs);
    }
  }
  }  // runs
  model->Build(written([&](size_t k) { return bag[k]; }), bag_t);
  if (nd > 0) model->SetDense(dd, dense_pos, std::move(bag_d));
  return Status::OK();
}

// ---------------------------------------------------------------- confidence

void MaxMarginals(const std::vector<float>& emit, size_t n, const Model& model, std::vector<int>* best,
                  std::vector<float>* margin) {
  best->assign(n, 0);
  margin->assign(n, 0);
  if (n == 0) return;
  constexpr float kNeg = -1e30f;
  // Viterbi forward and backward over the lattice the decoder uses (I-X
  // only after B-X or I-X, never first).
  std::vector<float> fwd(n * kNumTags, kNeg), bwd(n * kNumTags, kNeg);
  for (int t = 0; t < kNumTags; ++t) {
    if (!IsInside(t)) fwd[t] = model.Transition(-1, t) + emit[t];
  }
  for (size_t i = 1; i < n; ++i) {
    for (int t = 0; t < kNumTags; ++t) {
      float b = kNeg;
      for (int p = 0; p < kNumTags; ++p) {
        if (Allowed(p, t)) b = std::max(b, fwd[(i - 1) * kNumTags + p] + model.Transition(p, t));
      }
      fwd[i * kNumTags + t] = b + emit[i * kNumTags + t];
    }
  }
  for (int t = 0; t < kNumTags; ++t) bwd[(n - 1) * kNumTags + t] = 0;
  for (size_t i = n - 1; i-- > 0;) {
    for (int t = 0; t < kNumTags; ++t) {
      float b = kNeg;
      for (int q = 0; q < kNumTags; ++q) {
        if (!Allowed(t, q)) continue;
        b = std::max(b, model.Transition(t, q) + emit[(i + 1) * kNumTags + q] + bwd[(i + 1) * kNumTags + q]);
      }
      bwd[i * kNumTags + t] = b;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    float b1 = kNeg, b2 = kNeg;
    int arg = 0;
    for (int t = 0; t < kNumTags; ++t) {
      const float s = fwd[i * kNumTags + t] + bwd[i * kNumTags + t];
      if (s > b1) {
        b2 = b1;
        b1 = s;
        arg = t;
      } else if (s > b2) {
        b2 = s;
      }
    }
    (*best)[i] = arg;
    (*margin)[i] = b1 - b2;
  }
}

}  // namespace newsflow::entities
