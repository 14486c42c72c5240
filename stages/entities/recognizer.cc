#include "recognizer.h"

#include <unordered_map>

namespace newsflow::entities {
namespace {

bool EndsSentence(std::string_view w) {
  return w == "." || w == "!" || w == "?" || w == "\u061F" || w == "\u061B" || w == "\u06D4";
}

}  // namespace

std::string CanonicalKey(const FeatureExtractor& fx, const Gazetteer& gaz, size_t b, size_t e,
                         bool latin, std::string_view surface) {
  // Listed names first: any variant or fold of a gazetteer name gives its
  // canonical form.
  for (int variant = 0; variant < 2; ++variant) {
    std::string key = LooseKey(variant == 0 ? fx.stripped(b) : fx.folded(b));
    for (size_t j = b + 1; j < e; ++j) {
      key.push_back(' ');
      key.append(LooseKey(fx.folded(j)));
    }
    const GazetteerEntry* entry = gaz.Find(key);
    if (entry != nullptr && entry->type != "GIVEN" && entry->type != "TITLE") {
      return entry->canonical;
    }
  }
  if (latin) {
    // Latin names keep their case; only white space is normalised.
    std::string out;
    bool space = false;
    for (char c : surface) {
      const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
      if (ws) { space = !out.empty(); continue; }
      if (space) { out.push_back(' '); space = false; }
      out.push_back(c);
    }
    return out;
  }
  std::string out = fx.stripped(b);
  for (size_t j = b + 1; j < e; ++j) {
    out.push_back(' ');
    out.append(fx.folded(j));
  }
  return out;
}

void Recognizer::Find(std::string_view text, std::vector<FoundEntity>* out) {
  out->clear();
  Tokenize(text, &tokens_);
  size_t begin = 0;
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const std::string_view w =
        text.substr(tokens_[i].byte_begin, tokens_[i].byte_end - tokens_[i].byte_begin);
    bool cut = EndsSentence(w) || i + 1 - begin >= kMaxSentenceTokens;
    if (!cut && i + 1 < tokens_.size()) {
      // A line break is a paragraph break in clean.text.
      const std::string_view gap =
          text.substr(tokens_[i].byte_end, tokens_[i + 1].byte_begin - tokens_[i].byte_end);
      cut = gap.find('\n') != std::string_view::npos;
    }
    if (cut) {
      TagSentence(text, begin, i + 1, out);
      begin = i + 1;
    }
  }
  if (begin < tokens_.size()) TagSentence(text, begin, tokens_.size(), out);

  // Within one article, names whose loose keys agree share one canonical
  // form (the first seen), so unlisted spelling variants still meet.
  std::unordered_map<std::string, std::string> seen;
  for (FoundEntity& f : *out) {
    auto [it, inserted] = seen.try_emplace(f.type + "\t" + LooseKey(f.canonical), f.canonical);
    if (!inserted) f.canonical = it->second;
  }
}

void Recognizer::TagSentence(std::string_view text, size_t begin, size_t end,
                             std::vector<FoundEntity>* out) {
  words_.clear();
  for (size_t i = begin; i < end; ++i) {
    words_.push_back(
        text.substr(tokens_[i].byte_begin, tokens_[i].byte_end - tokens_[i].byte_begin));
  }
  tagger_.Tag(words_, &tags_);
  ExtractSpans(tags_, &spans_);
  const FeatureExtractor& fx = tagger_.extractor();
  for (const Span& s : spans_) {
    const Token& first = tokens_[begin + s.begin];
    const Token& last = tokens_[begin + s.end - 1];
    FoundEntity f;
    f.text = std::string(text.substr(first.byte_begin, last.byte_end - first.byte_begin));
    f.type = std::string(TagType(static_cast<int>(s.type) * 2 + 1));
    f.start = first.cp_begin;
    f.end = last.cp_end;
    const bool latin = TokenScript(words_[s.begin]) == Script::kLatin;
    f.canonical = CanonicalKey(fx, res_->gazetteer, s.begin, s.end, latin, f.text);
    out->push_back(std::move(f));
  }
}

}  // namespace newsflow::entities
