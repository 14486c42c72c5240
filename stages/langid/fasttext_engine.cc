#include "fasttext_engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fasttext/fasttext.h>

#include "language_codes.h"
#include "newsflow/paths.h"
#include "newsflow/shared_loads.h"

namespace newsflow::langid {
namespace {

// Labels asked from the model: enough to sum a language's dialect labels.
constexpr int32_t kTopK = 5;

// Bounds of the token memo (about 10 MB when full); it starts over when full.
constexpr size_t kMaxCachedTokens = 50'000;
constexpr size_t kMaxCachedIds = 1'000'000;

// libfasttext 0.9.2's file header.
constexpr int32_t kFileMagic = 793712314;
constexpr int32_t kFileVersion = 12;

template <typename T>
bool ReadPod(std::istream& in, T& v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), sizeof(T)));
}

bool IsFastTextSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
}

}  // namespace

FastTextEngine::~FastTextEngine() = default;

struct FastTextEngine::Model {
  fasttext::FastText ft;
  int32_t eos_id = -1;
  std::vector<std::string> labels;  // by label id; codes point into these
  // Hash bucket -> input row (nwords + pruned index), -1 when pruned away.
  std::vector<int32_t> ngram_rows;
  bool fast_ngrams = false;
  int32_t minn = 0;
  int32_t maxn = 0;
  uint32_t bucket = 0;
};

SharedLoads<const FastTextEngine::Model>& FastTextEngine::Loaded() {
  static SharedLoads<const Model> loads;
  return loads;
}

int64_t FastTextEngine::Loads() { return Loaded().loads(); }

bool FastTextEngine::fast_ngrams() const { return m_->fast_ngrams; }

Result<std::unique_ptr<FastTextEngine>> FastTextEngine::Load(const std::string& path) {
  // One load per file and process while an engine holds it: the model and its
  // n-gram index are about 11 MB, the same for every copy of the stage. The
  // key has the file's size and modification time, so a changed file is read
  // again by the next engine.
  auto m = Loaded().Get(path + '\n' + FileStamp(path), [&] { return LoadModel(path); });
  if (!m.ok()) return m.status();
  return std::unique_ptr<FastTextEngine>(new FastTextEngine(std::move(m).value()));
}

Result<std::shared_ptr<const FastTextEngine::Model>> FastTextEngine::LoadModel(const std::string& path) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("fastText model not found: " + (path.empty() ? "(no path)" : path));
  }
  auto m = std::make_shared<Model>();
  try {
    m->ft.loadModel(path);
  } catch (const std::exception& e) {
    return Status::Corrupt("fastText model " + path + ": " + e.what());
  }
  const fasttext::Args args = m->ft.getArgs();
  if (args.model != fasttext::model_name::sup || args.wordNgrams > 1) {
    // Our tokeniser reproduces getLine for supervised unigram models only.
    return Status::InvalidArgument("fastText model " + path +
                                   ": expected a supervised model without word n-grams");
  }
  const auto dict = m->ft.getDictionary();
  m->eos_id = dict->getId(fasttext::Dictionary::EOS);
  m->fast_ngrams = LoadNgramRows(path, *m);
  for (int32_t id = 0; id < dict->nlabels(); ++id) m->labels.push_back(dict->getLabel(id));
  return std::shared_ptr<const Model>(std::move(m));
}

const std::vector<FastTextGuess>& FastTextEngine::Predict(std::string_view text,
                                                          UScriptCode script) {
  const fasttext::Dictionary& dict = *m_->ft.getDictionary();
  ++calls_;
  bytes_read_ += static_cast<int64_t>(text.size());
  ids_.clear();
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsFastTextSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsFastTextSpace(text[i])) ++i;
    if (i == start) break;
    const std::string_view token = text.substr(start, i - start);
    if (token.starts_with("__label__")) continue;  // getLine reads these as labels
    if (auto it = token_rows_.find(token); it != token_rows_.end()) {
      const auto [offset, count] = it->second;
      ids_.insert(ids_.end(), cached_ids_.begin() + offset, cached_ids_.begin() + offset + count);
      continue;
    }
    const size_t before = ids_.size();
    token_.assign(token);
    const int32_t wid = dict.getId(token_);
    if (wid >= 0) {
      const std::vector<int32_t>& sub = dict.getSubwords(wid);
      ids_.insert(ids_.end(), sub.begin(), sub.end());
    } else if (m_->fast_ngrams) {
      AddNgramRows(*m_, token, token_, ids_);
    } else {
      token_.insert(0, 1, '<');
      token_.push_back('>');
      dict.computeSubwords(token_, ids_);
    }
    if (token_rows_.size() >= kMaxCachedTokens || cached_ids_.size() >= kMaxCachedIds) {
      token_rows_.clear();
      cached_ids_.clear();
    }
    token_rows_.emplace(token, std::make_pair(static_cast<uint32_t>(cached_ids_.size()),
                                              static_cast<uint32_t>(ids_.size() - before)));
    cached_ids_.insert(cached_ids_.end(), ids_.begin() + before, ids_.end());
  }
  if (ids_.empty()) {
    guesses_.clear();
    return guesses_;
  }
  if (m_->eos_id >= 0) ids_.push_back(m_->eos_id);
  raw_.clear();
  m_->ft.predict(kTopK, ids_, raw_, 0.0);
  return Finish(script);
}

bool FastTextEngine::LoadNgramRows(const std::string& path, Model& m) {
  std::ifstream in(path, std::ios::binary);
  int32_t magic = 0, version = 0;
  if (!ReadPod(in, magic) || !ReadPod(in, version) || magic != kFileMagic ||
      version != kFileVersion) {
    return false;
  }
  // Args: dim ws epoch minCount neg wordNgrams loss model bucket minn maxn
  // lrUpdateRate (int32 each), t (double).
  int32_t a[12];
  double t = 0;
  for (int32_t& v : a) {
    if (!ReadPod(in, v)) return false;
  }
  if (!ReadPod(in, t)) return false;
  const int32_t bucket = a[8];
  m.minn = a[9];
  m.maxn = a[10];
  if (bucket <= 0 || bucket > (1 << 28) || m.minn < 1 || m.maxn < m.minn) return false;
  m.bucket = static_cast<uint32_t>(bucket);
  // Dictionary: size nwords nlabels (int32), ntokens pruneidx_size (int64),
  // entries (word '\0', count int64, type int8), pruneidx pairs (int32 x2).
  int32_t size = 0, nwords = 0, nlabels = 0;
  int64_t ntokens = 0, pruneidx_size = 0;
  if (!ReadPod(in, size) || !ReadPod(in, nwords) || !ReadPod(in, nlabels) ||
      !ReadPod(in, ntokens) || !ReadPod(in, pruneidx_size)) {
    return false;
  }
  if (nwords != m.ft.getDictionary()->nwords() || pruneidx_size <= 0 ||
      pruneidx_size > bucket) {
    return false;  // an unpruned model needs no table; leave it to libfasttext
  }
  std::string word;
  for (int32_t i = 0; i < size; ++i) {
    if (!std::getline(in, word, '\0')) return false;
    int64_t count = 0;
    int8_t type = 0;
    if (!ReadPod(in, count) || !ReadPod(in, type)) return false;
  }
  m.ngram_rows.assign(m.bucket, -1);
  for (int64_t i = 0; i < pruneidx_size; ++i) {
    int32_t from = 0, to = 0;
    if (!ReadPod(in, from) || !ReadPod(in, to)) return false;
    if (from < 0 || static_cast<uint32_t>(from) >= m.bucket) return false;
    m.ngram_rows[from] = nwords + to;
  }
  // Check against libfasttext on words in several scripts before trusting it.
  const fasttext::Dictionary& dict = *m.ft.getDictionary();
  std::vector<int32_t> ours, theirs;
  std::string scratch;
  for (const char* w : {"newsflow", "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85",
                        "\xD0\xBC\xD0\xB8\xD1\x80\xD0\xBE\xD0\xBC",
                        "\xE6\x96\xB0\xE9\x97\xBB", "xweş", "a"}) {
    ours.clear();
    theirs.clear();
    AddNgramRows(m, w, scratch, ours);
    dict.computeSubwords("<" + std::string(w) + ">", theirs);
    if (ours != theirs) {
      m.ngram_rows.clear();
      return false;
    }
  }
  return true;
}

void FastTextEngine::AddNgramRows(const Model& m, std::string_view token, std::string& scratch,
                                  std::vector<int32_t>& ids) {
  // As Dictionary::computeSubwords on "<token>": every character n-gram with
  // minn <= n <= maxn (n counts UTF-8 characters), except the lone "<" and
  // ">", hashed with 32-bit FNV-1a over sign-extended bytes, mod bucket.
  scratch.assign(1, '<');
  scratch.append(token);
  scratch.push_back('>');
  const std::string& w = scratch;
  for (size_t i = 0; i < w.size(); ++i) {
    if ((w[i] & 0xC0) == 0x80) continue;
    uint32_t h = 2166136261u;
    size_t j = i;
    for (int32_t n = 1; j < w.size() && n <= m.maxn; ++n) {
      h = (h ^ static_cast<uint32_t>(static_cast<int8_t>(w[j++]))) * 16777619u;
      while (j < w.size() && (w[j] & 0xC0) == 0x80) {
        h = (h ^ static_cast<uint32_t>(static_cast<int8_t>(w[j++]))) * 16777619u;
      }
      if (n >= m.minn && !(n == 1 && (i == 0 || j == w.size()))) {
        const int32_t row = m.ngram_rows[h % m.bucket];
        if (row >= 0) ids.push_back(row);
      }
    }
  }
}

const std::vector<FastTextGuess>& FastTextEngine::PredictLine(std::string_view text,
                                                              UScriptCode script) {
  line_.assign(text);
  std::replace(line_.begin(), line_.end(), '\n', ' ');
  line_.push_back('\n');
  std::istringstream in(line_);
  std::vector<std::pair<fasttext::real, std::string>> preds;
  m_->ft.predictLine(in, preds, kTopK, 0.0);
  raw_.clear();
  for (const auto& [p, label] : preds) {
    // predictLine already returns probabilities; store as log to share Finish.
    raw_.emplace_back(std::log(std::max(p, 1e-30f)), m_->ft.getLabelId(label));
  }
  return Finish(script);
}

const std::vector<FastTextGuess>& FastTextEngine::Finish(UScriptCode script) {
  guesses_.clear();
  for (const auto& [logp, label_id] : raw_) {
    if (label_id < 0 || static_cast<size_t>(label_id) >= m_->labels.size()) continue;
    const std::string_view code = MapFastTextLabel(m_->labels[label_id], script);
    const double p = std::exp(static_cast<double>(logp));
    auto it = std::find_if(guesses_.begin(), guesses_.end(),
                           [&](const FastTextGuess& g) { return g.code == code; });
    if (it != guesses_.end()) {
      it->probability += p;
    } else {
      guesses_.push_back({code, p});
    }
  }
  std::stable_sort(guesses_.begin(), guesses_.end(),
                   [](const FastTextGuess& a, const FastTextGuess& b) {
                     return a.probability > b.probability;
                   });
  return guesses_;
}

}  // namespace newsflow::langid
