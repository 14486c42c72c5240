#include "fasttext_engine.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
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
