// Named-entity tagger: an averaged structured perceptron over BIO tags with
// first-order Viterbi decoding, hashed sparse features and an open-addressing
// weight table. Knows nothing of Kafka or Articles; the stage wraps it.
//
// Thread-safety: Resources and Model are immutable after load and may be
// shared; a Tagger holds per-call scratch buffers and is single-threaded.
#pragma once

#include <array>
#include <deque>
#include <unordered_map>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gazetteer.h"
#include "hash_index.h"
#include "huge_pages.h"
#include "newsflow/status.h"
#include "text_norm.h"

namespace newsflow::entities {

// Fixed tag set: O, then B-/I- for PER, LOC, ORG, MISC.
inline constexpr int kNumTags = 9;
inline constexpr std::array<std::string_view, kNumTags> kTagNames = {
    "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"};
int TagIndex(std::string_view name);  // -1 if unknown
// Entity type of a tag ("PER"), empty for O.
std::string_view TagType(int tag);
inline bool IsInside(int tag) { return tag > 0 && tag % 2 == 0; }
inline bool IsBegin(int tag) { return tag > 0 && tag % 2 == 1; }

// Dense word vectors (round 5 experiment, README.md): folded word -> a
// real-valued vector, the same dimension for every word.
struct DenseVectors {
  int dim = 0;
  std::unordered_map<std::string, uint32_t> index;  // word -> row
  std::vector<float> data;                          // rows of `dim` floats
  // The word's vector, or null.
  const float* Find(const std::string& word) const {
    auto it = index.find(word);
    return it == index.end() ? nullptr : &data[static_cast<size_t>(it->second) * dim];
  }
  size_t size() const { return index.size(); }
};

// Word statistics, clusters and gazetteers shared by the feature extractor,
// the trainer and the stage.
struct Resources {
  Lexicon lexicon;
  Gazetteer gazetteer;
  DenseVectors vectors;

  // Vectors file: "word v1 ... vd" per line (newsflow-ner-vectors), each
  // vector multiplied by `scale`. May be called more than once (vocabulary
  // words, then n-gram vectors of unseen words); a word already loaded keeps
  // its first vector. Call before any FeatureExtractor uses the resources.
  Status LoadVectors(const std::string& path, float scale);

  // Clusters file: "word<TAB>count<TAB>coarse<TAB>fine[<TAB>extra...]" per
  // line, words folded; up to kMaxExtraClusters extra granularities.
  Status LoadClusters(const std::string& path);

  // What the stage loads for language `code` from its data directory `dir`:
  // `<code>.clusters.tsv` if present, every list in `gazetteer/` (required),
  // then `<code>.names.tsv` if present (the typed name list compiled from
  // the training spans by newsflow-train-ner --names-out, name_list.h; last,
  // so a name the hand lists already hold keeps their type). Models are
  // loaded separately.
  Status LoadDataDir(const std::string& dir, std::string_view code);
};

// Everything the tagger needs about one distinct word (its surface form),
// computed once and kept in the extractor's word cache: folded and clitic-
// stripped forms, loose keys, script, corpus count and clusters, gazetteer
// facts.
struct WordInfo {
  std::string folded, stripped, loose, loose_stripped;
  Script script = Script::kOther;
  std::pair<int, int> clusters{-1, -1};
  ExtraClusters extra_clusters = kNoExtraClusters;
  int64_t count = 0;
  std::string gaz_word;    // type of a one-word gazetteer entry for the stem, or ""
  uint8_t gaz_start = 0;   // bit 0: loose, bit 1: loose_stripped starts a gazetteer key
  const float* vec = nullptr;  // dense vector of the folded (else stripped) word, or null
};

// One sentence prepared for feature extraction: per-word facts come from a
// word cache (a word seen before costs one hash lookup), gazetteer matches
// are computed per sentence, features hashed per token.
class FeatureExtractor {
 public:
  explicit FeatureExtractor(const Resources* res) : res_(res) {}

  // REQUIRES: `words` outlive the following Features calls.
  void Prepare(const std::vector<std::string_view>& words);
  // Hashed features of token i (appended to `out` after clearing it).
  void Features(size_t i, std::vector<uint64_t>* out) const;

  // Prepared per-token views, valid until the next Prepare (the strings
  // themselves live in the word cache until ClearCache).
  size_t size() const { return words_.size(); }
  std::string_view word(size_t i) const { return words_[i]; }
  const std::string& folded(size_t i) const { return info_[i]->folded; }
  const std::string& stripped(size_t i) const { return info_[i]->stripped; }
  const std::string& loose_stripped(size_t i) const { return info_[i]->loose_stripped; }
  const WordInfo& info(size_t i) const { return *info_[i]; }
  // Index of token i's entry in the word cache (stable until ClearCache).
  uint32_t word_id(size_t i) const { return ids_[i]; }
  const std::vector<GazetteerMatch>& gazetteer_matches() const { return matches_; }
  const std::string& gazetteer_tag(size_t i) const { return gaz_tag_[i]; }
  // Type of a one-word gazetteer entry for token i's stem ("TITLE", "LOC"...) or "".
  const std::string& gazetteer_word_type(size_t i) const { return info_[i]->gaz_word; }
  const Resources& resources() const { return *res_; }

  // Word cache: entries ever prepared since the last ClearCache.
  size_t cache_size() const { return cache_.size(); }
  // Drops every cached word. Invalidates views into earlier sentences.
  void ClearCache();

 private:
  uint32_t Intern(std::string_view word, const HashIndex::Key& key);
  const Resources* res_;
  std::vector<std::string_view> words_;
  std::vector<uint32_t> ids_;
  std::vector<const WordInfo*> info_;
  ChunkedStore<WordInfo> cache_;  // entries never move
  HashIndex index_;                    // word -> cache entry
  std::vector<HashIndex::Key> hashes_;  // per token of the sentence
  std::vector<std::string_view> loose_views_, stripped_views_;
  std::vector<uint8_t> starts_;
  std::vector<std::string> gaz_tag_;   // "B-LOC", "I-PER", "GIVEN", or ""
  std::vector<GazetteerMatch> matches_;
};

// The weights: transitions plus a table of feature hash -> int16 weights per
// tag (scaled), probed with linear open addressing.
class Model {
 public:
  Status Load(const std::string& path);
  Status Save(const std::string& path) const;

  // Adds the weights of `feats` into scores[kNumTags].
  void Score(const std::vector<uint64_t>& feats, float* scores) const;
  // Adds the quantised weights of one feature into acc[kNumTags]; a score is
  // the int32 sum of its features' weights times scale() (exact, so partial
  // sums can be cached and added in any order).
  void Accumulate(uint64_t key, int32_t* acc) const {
    if (!MayContain(key)) return;
    size_t p = key & mask_;
    while (true) {
      const Slot& s = slots_[p];
      if (s.key == key) {
        for (int t = 0; t < kNumTags; ++t) acc[t] += s.w[t];
        return;
      }
      if (s.key == 0) return;
      p = (p + 1) & mask_;
    }
  }
  float scale() const { return scale_; }
  void Prefetch(uint64_t key) const {
    if (MayContain(key)) __builtin_prefetch(&slots_[key & mask_]);
  }
  float Transition(int prev, int cur) const { return trans_[prev + 1][cur]; }

  size_t num_features() const { return num_features_; }
  // Before Build: drop features whose quantised weights are all below `q`.
  void set_prune_below(int q) { prune_below_ = q; }
  size_t memory_bytes() const { return slots_.size() * sizeof(Slot); }
  // Drops the features whose every quantised weight is below `q` in
  // magnitude: the same model as training with set_prune_below(q) (pruning
  // happens after quantisation), without training again.
  void Prune(int q);

  // Dense features (round 5 experiment): weights per position (0 the token,
  // 1 the previous, 2 the next, 3 two back, 4 two ahead), tag and vector
  // component, laid out [pos][tag][dim]. Not saved by Save. Call after Build
  // (the contribution is quantised with Build's scale).
  void SetDense(int dim, int positions, std::vector<float> w) {
    dense_dim_ = dim;
    dense_positions_ = positions;
    dense_ = std::move(w);
  }
  int dense_dim() const { return dense_dim_; }
  int dense_positions() const { return dense_positions_; }
  // Adds vector `v` seen at position `pos`, quantised to the int units of
  // Accumulate (rounded per position, so cached sums stay exact).
  void AccumulateDense(int pos, const float* v, int32_t* acc) const;

  // Builds from trained float weights (feature hash -> weights per tag).
  void Build(const std::vector<std::pair<uint64_t, std::array<float, kNumTags>>>& feats,
             const float trans[kNumTags + 1][kNumTags]);

 private:
  struct Slot {
    uint64_t key = 0;  // 0 = empty (feature hashes are forced non-zero)
    std::array<int16_t, kNumTags> w{};
  };
  // A one-hash Bloom filter over the keys (16 bits a key, ~6 % false
  // positives, 1 MB for the Arabic model): most features of a text are not
  // in the model (rare bigrams), and the filter answers from cache where the
  // table would cost a memory miss.
  bool MayContain(uint64_t key) const {
    const uint64_t b = (key >> 32) & filter_mask_;
    return (filter_[b >> 6] >> (b & 63)) & 1;
  }
  void BuildFilter();

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  std::vector<uint64_t> filter_;
  uint64_t filter_mask_ = 0;
  uint64_t mask_ = 0;
  size_t num_features_ = 0;
  float scale_ = 1.0f;  // weight = w * scale_
  int prune_below_ = 1;  // drop features with every |quantised weight| below this
  float trans_[kNumTags + 1][kNumTags] = {};  // row 0 = sentence start
  std::vector<float> dense_;
  int dense_dim_ = 0, dense_positions_ = 0;
};

// Decodes one sentence. Not thread-safe (scratch buffers).
// How listed names (gazetteer matches of PER/LOC/ORG/MISC) adjust the
// tagger's output after decoding.
struct GazetteerPolicy {
  // A predicted MISC span that is exactly a listed name takes the list's
  // type (ANERcorp calls البيت الأبيض MISC; for news it is an ORG). PER, LOC
  // and ORG spans keep the tagger's type: context knows better than a list
  // whether مانشستر is the city or the club.
  bool override_type = true;
  // A listed name of at least `add_missing_min_tokens` tokens that no
  // predicted span touches is added. Shorter names are left to the tagger,
  // which weighs list membership against context: on dev most one- and
  // two-token additions were wrong (السوداني "Sudanese", مجلس النواب inside
  // a longer name), while long names (عصائب أهل الحق) are rarely anything
  // else but are made of common words the tagger does not trust.
  bool add_missing = true;
  size_t add_missing_min_tokens = 3;
  // With override_type, PER/LOC/ORG spans take the list's type too. For a
  // small-data model (English: WikiGold, 28 k tokens, no clusters) a list is
  // a better judge than its context (it tags Microsoft, Samsung as LOC).
  bool override_any_type = false;
  // A span opened on a particle (فإن, في, من ...) starts one token later.
  bool trim_particles = true;
  // Name propagation: a one-token name that is the last name of a person
  // named in full in the same document becomes PER (Behe after Michael
  // Behe). English only: Arabic full names end in الله, الرحمن (عبد الله).
  bool retype_last_names = false;
  // A name of two or more tokens whose last token is a place's or an
  // organisation's head word ("Grant Avenue", "Harlow Valley", "Voltera
  // Energy", "Meridian Holdings") takes that type. English only.
  bool retype_by_head = false;
};

// The policy the stage runs with for a language: lists override any type
// only for English, whose model is trained on a quarter of Arabic's data.
GazetteerPolicy DefaultPolicy(std::string_view lang);

class Tagger {
 public:
  Tagger(const Model* model, const Resources* res);
  void Tag(const std::vector<std::string_view>& words, std::vector<int>* tags);
  void set_policy(GazetteerPolicy p) { policy_ = p; }
  const GazetteerPolicy& policy() const { return policy_; }
  const FeatureExtractor& extractor() const { return fx_; }

  // Call before each document: drops the word caches when they hold more
  // than `max_words` words (memory bound; views into earlier documents'
  // words become invalid).
  void BeginDocument(size_t max_words = kMaxCachedWords);
  static constexpr size_t kMaxCachedWords = 1 << 17;

  // The emission scores of the last Tag (n x kNumTags), for tests.
  const std::vector<float>& emissions() const { return emit_; }

 private:
  using Acc = std::array<int32_t, kNumTags>;
  // A word's share of a token's score, by the position it is seen from:
  // the features that depend on the word alone (self) and on it as the
  // previous/next word and two back/ahead, summed once per distinct word.
  struct WordScores {
    Acc self, prev, next, prev2, next2;
    uint64_t bigram_prev_seed = 0;  // hash state of the stem as a bigram's first half
    uint64_t bigram_next_seed = 0;
    uint64_t stem_h0 = 0;
    int freq_bucket = 0;
  };
  // The scores of token i's word (computed on first sight).
  const WordScores& ScoresOf(size_t token);
  void ApplyGazetteer(std::vector<int>* tags) const;
  void RetypeByHead(std::vector<int>* tags) const;
  // Whether token i (of the last Tag) is a Latin adjective of a listed place
  // (African, European, Chinese, Israeli) and not itself a listed name.
  bool IsDemonym(size_t i) const;
  void TrimParticles(std::vector<int>* tags) const;

  const Model* model_;
  GazetteerPolicy policy_;
  FeatureExtractor fx_;
  std::vector<WordScores, HugePageAllocator<WordScores>> scores_;
  std::vector<uint8_t> scored_;
  Acc bos_prev_{}, bos_prev2_{}, eos_next_{}, eos_next2_{};
  std::array<Acc, 3> gaz_empty_{};  // kGaz, kPrevGaz, kNextGaz of ""
  uint64_t bos_bigram_seed_ = 0, bos_stem_h0_ = 0;
  std::vector<const WordScores*> ws_scratch_;
  std::vector<uint64_t> pair_keys_;
  std::vector<float> emit_;
  std::vector<float> delta_;
  std::vector<int> back_;
  bool dense_ = false;  // the model has dense weights of the resources' vector dimension
};

struct Sentence {
  std::vector<std::string> words;
  std::vector<int> tags;
  // The source does not annotate MISC (UNER, BTC): its O tokens may be
  // MISC names, and training treats them as partial labels.
  bool no_misc = false;
  // Where the sentence comes from, for TrainOptions::domain_copies: 0 the
  // target (the data the model is judged on: ANERcorp, WikiGold), 1, 2, ...
  // other sources (extra sets), each its own.
  int domain = 0;
};

// Reads `token<TAB>tag` lines, blank line between sentences.
Result<std::vector<Sentence>> ReadConll(const std::string& path);

// A sentence from a source whose MISC tags are not trusted: they become O,
// and its O tokens are read as partial labels (may be MISC).
void DropMisc(Sentence* s);

struct TrainOptions {
  int epochs = 15;
  uint32_t seed = 1;
  // Independent runs (seeds seed, seed+1, ...) whose weights are averaged.
  int runs = 1;
  // Drop features whose int16 weights are all below this (model size, speed).
  int prune_below = 1;
  // Probability of hiding a token's word-identity features in a pass.
  double word_dropout = 0.0;
  // Loss-augmented training: added to the score of every wrong tag.
  float margin = 0.0f;
  // Conditional random field instead of the perceptron: the same features,
  // lattice and Viterbi decoding, trained on the log-likelihood (forward-
  // backward over the BIO-constrained lattice) with AdaGrad steps of size
  // `crf_rate`, an L2 penalty `crf_l2` on the rows a sentence touches, and
  // the same weight averaging and word dropout.
  bool crf = false;
  float crf_rate = 0.1f;
  float crf_l2 = 0.0f;
  int crf_epochs = 0;  // 0: `epochs`
  // Both learners, `runs` runs each, weights scaled to a mean absolute weight
  // of 1 per run (the CRF's times mix_crf_weight) and summed: one linear model.
  bool mix_crf = false;
  float mix_crf_weight = 1.0f;
  // Dense word vectors (Resources::vectors) as real-valued features of the
  // token and of its neighbours up to `dense_window` away (0: none).
  int dense_window = 0;
  // Feature augmentation for training on other sources (Daume III 2007,
  // "Frustratingly easy domain adaptation"): every feature of a sentence
  // also fires as a copy private to its Sentence::domain, so what holds in
  // every source is learnt by the shared weights and a source's own
  // conventions (AQMAR's PER for groups, tweets' casing) by its copies. The
  // written model keeps the shared weight plus the target's (domain 0)
  // copy: one weight a feature, tagging unchanged.
  bool domain_copies = false;

  // Per training sentence, the resources its features are computed with
  // (jackknifed profiles, profile.h); null: `res` for every sentence.
  const std::vector<const Resources*>* sentence_resources = nullptr;
  // Progress per epoch (averaged weights scored on `dev` when non-empty).
  bool verbose = true;
};

// Trains an averaged perceptron; on return `model` holds the averaged weights.
// When `dev` is non-empty, prints dev micro-F1 after every epoch to stderr.
Status Train(const std::vector<Sentence>& train, const std::vector<Sentence>& dev,
             const Resources& res, const TrainOptions& opt, Model* model);

// Span scoring (CoNLL exact match).
struct SpanScore {
  int64_t gold = 0, predicted = 0, correct = 0;
  double Precision() const { return predicted ? 100.0 * correct / predicted : 0; }
  double Recall() const { return gold ? 100.0 * correct / gold : 0; }
  double F1() const {
    const double p = Precision(), r = Recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
};
struct Evaluation {
  std::array<SpanScore, 4> by_type;  // PER, LOC, ORG, MISC
  SpanScore micro;
  void Add(const std::vector<int>& gold, const std::vector<int>& predicted);
  std::string Table() const;  // a printable table
};

struct Span {
  size_t begin, end;  // token indices
  int type;           // 0 PER, 1 LOC, 2 ORG, 3 MISC
};
// Spans of a BIO sequence, conlleval rules (an I-X after O or another type
// starts a new span).
void ExtractSpans(const std::vector<int>& tags, std::vector<Span>* out);

// Scores `data`. With doc_sentences > 1, runs of that many consecutive
// sentences are treated as one document for PropagateNames (ANERcorp has no
// document boundaries).
// `predicted`, when given, gets each sentence's tags (for error listings).
Evaluation Evaluate(const std::vector<Sentence>& data, const Model& model, const Resources& res,
                    GazetteerPolicy policy = {}, size_t doc_sentences = 1,
                    std::vector<std::vector<int>>* predicted = nullptr);

// Document-level consistency: a name tagged somewhere in a document is
// tagged at its other, untagged occurrences (majority type), and a person's
// last name alone counts as that person. `keys` are per-sentence token keys
// (LooseKey of the clitic-stripped form), `tags` per-sentence BIO tags.
void PropagateNames(const std::vector<std::vector<std::string_view>>& keys,
                    std::vector<std::vector<int>>* tags, bool retype_last_names = false);

// Max-marginals of a sentence's BIO-constrained lattice (emissions n x
// kNumTags, the model's transitions): `best` gets the Viterbi path and
// `margin[i]` the score of that path minus the best path that gives token i
// another tag (0 when two tags tie). The self-training tool keeps sentences
// whose every margin is high.
void MaxMarginals(const std::vector<float>& emit, size_t n, const Model& model, std::vector<int>* best,
                  std::vector<float>* margin);

}  // namespace newsflow::entities
