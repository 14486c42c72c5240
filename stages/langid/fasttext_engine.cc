#include "fasttext_engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fasttext/fasttext.h>

#include "language_codes.h"

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

Result<std::unique_ptr<FastTextEngine>> FastTextEngine::Load(const std::string& path) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("fastText model not found: " + (path.empty() ? "(no path)" : path));
  }
  std::unique_ptr<FastTextEngine> engine(new FastTextEngine());
  engine->model_ = std::make_unique<fasttext::FastText>();
  try {
    engine->model_->loadModel(path);
  } catch (const std::exception& e) {
    return Status::Corrupt("fastText model " + path + ": " + e.what());
  }
  const fasttext::Args args = engine->model_->getArgs();
  if (args.model != fasttext::model_name::sup || args.wordNgrams > 1) {
    // Our tokeniser reproduces getLine for supervised unigram models only.
    return Status::InvalidArgument("fastText model " + path +
                                   ": expected a supervised model without word n-grams");
  }
  const auto dict = engine->model_->getDictionary();
  engine->eos_id_ = dict->getId(fasttext::Dictionary::EOS);
  engine->fast_ngrams_ = engine->LoadNgramRows(path);
  for (int32_t id = 0; id < dict->nlabels(); ++id) engine->labels_.push_back(dict->getLabel(id));
  return engine;
}

const std::vector<FastTextGuess>& FastTextEngine::Predict(std::string_view text,
                                                          UScriptCode script) {
  const fasttext::Dictionary& dict = *model_->getDictionary();
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
    } else if (fast_ngrams_) {
      AddNgramRows(token, ids_);
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
  if (eos_id_ >= 0) ids_.push_back(eos_id_);
  raw_.clear();
  model_->predict(kTopK, ids_, raw_, 0.0);
  return Finish(script);
}

bool FastTextEngine::LoadNgramRows(const std::string& path) {
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
  minn_ = a[9];
  maxn_ = a[10];
  if (bucket <= 0 || bucket > (1 << 28) || minn_ < 1 || maxn_ < minn_) return false;
  bucket_ = static_cast<uint32_t>(bucket);
  // Dictionary: size nwords nlabels (int32), ntokens pruneidx_size (int64),
  // entries (word '\0', count int64, type int8), pruneidx pairs (int32 x2).
  int32_t size = 0, nwords = 0, nlabels = 0;
  int64_t ntokens = 0, pruneidx_size = 0;
  if (!ReadPod(in, size) || !ReadPod(in, nwords) || !ReadPod(in, nlabels) ||
      !ReadPod(in, ntokens) || !ReadPod(in, pruneidx_size)) {
    return false;
  }
  if (nwords != model_->getDictionary()->nwords() || pruneidx_size <= 0 ||
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
  ngram_rows_.assign(bucket_, -1);
  for (int64_t i = 0; i < pruneidx_size; ++i) {
    int32_t from = 0, to = 0;
    if (!ReadPod(in, from) || !ReadPod(in, to)) return false;
    if (from < 0 || static_cast<uint32_t>(from) >= bucket_) return false;
    ngram_rows_[from] = nwords + to;
  }
  // Check against libfasttext on words in several scripts before trusting it.
  const fasttext::Dictionary& dict = *model_->getDictionary();
  std::vector<int32_t> ours, theirs;
  for (const char* w : {"newsflow", "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85",
                        "\xD0\xBC\xD0\xB8\xD1\x80\xD0\xBE\xD0\xBC",
                        "\xE6\x96\xB0\xE9\x97\xBB", "xweş", "a"}) {
    ours.clear();
    theirs.clear();
    AddNgramRows(w, ours);
    dict.computeSubwords("<" + std::string(w) + ">", theirs);
    if (ours != theirs) {
      ngram_rows_.clear();
      return false;
    }
  }
  return true;
}

void FastTextEngine::AddNgramRows(std::string_view token, std::vector<int32_t>& ids) {
  // As Dictionary::computeSubwords on "<token>": every character n-gram with
  // minn <= n <= maxn (n counts UTF-8 characters), except the lone "<" and
  // ">", hashed with 32-bit FNV-1a over sign-extended bytes, mod bucket.
  token_.assign(1, '<');
  token_.append(token);
  token_.push_back('>');
  const std::string& w = token_;
  for (size_t i = 0; i < w.size(); ++i) {
    if ((w[i] & 0xC0) == 0x80) continue;
    uint32_t h = 2166136261u;
    size_t j = i;
    for (int32_t n = 1; j < w.size() && n <= maxn_; ++n) {
      h = (h ^ static_cast<uint32_t>(static_cast<int8_t>(w[j++]))) * 16777619u;
      while (j < w.size() && (w[j] & 0xC0) == 0x80) {
        h = (h ^ static_cast<uint32_t>(static_cast<int8_t>(w[j++]))) * 16777619u;
      }
      if (n >= minn_ && !(n == 1 && (i == 0 || j == w.size()))) {
        const int32_t row = ngram_rows_[h % bucket_];
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
  model_->predictLine(in, preds, kTopK, 0.0);
  raw_.clear();
  for (const auto& [p, label] : preds) {
    // predictLine already returns probabilities; store as log to share Finish.
    raw_.emplace_back(std::log(std::max(p, 1e-30f)), model_->getLabelId(label));
  }
  return Finish(script);
}

const std::vector<FastTextGuess>& FastTextEngine::Finish(UScriptCode script) {
  guesses_.clear();
  for (const auto& [logp, label_id] : raw_) {
    if (label_id < 0 || static_cast<size_t>(label_id) >= labels_.size()) continue;
    const std::string_view code = MapFastTextLabel(labels_[label_id], script);
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
