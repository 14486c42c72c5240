#include "recognizer.h"

#include <unordered_map>

namespace newsflow::entities {
namespace {

// Every reading of `folded` with one or two proclitic layers removed (و/ف,
// then ب/ك/ل, with لل read as ل + ال), longest remainder first; remainders
// shorter than two letters are left out.
std::vector<std::string> ProcliticReadings(std::string_view folded) {
  static constexpr std::string_view kConj[] = {"\u0648", "\u0641"};                 // و ف
  static constexpr std::string_view kPrep[] = {"\u0628", "\u0643", "\u0644"};      // ب ك ل
  static constexpr std::string_view kLamLam = "\u0644\u0644";                       // لل
  static constexpr std::string_view kAl = "\u0627\u0644";                           // ال
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (s.size() >= 4) out.push_back(std::move(s));  // two Arabic letters
  };
  auto preps = [&](std::string_view rest) {
    if (rest.starts_with(kLamLam)) add(std::string(kAl) + std::string(rest.substr(kLamLam.size())));
    for (std::string_view p : kPrep) {
      if (rest.starts_with(p)) add(std::string(rest.substr(p.size())));
    }
  };
  for (std::string_view c : kConj) {
    if (folded.starts_with(c)) {
      const std::string_view rest = folded.substr(c.size());
      add(std::string(rest));
      preps(rest);
    }
  }
  preps(folded);
  return out;
}

bool EndsSentence(std::string_view w) {
  return w == "." || w == "!" || w == "?" || w == "\u061F" || w == "\u061B" || w == "\u06D4";
}

}  // namespace

void SplitSentences(std::string_view text, const std::vector<Token>& tokens, size_t max_tokens,
                    std::vector<std::pair<size_t, size_t>>* out) {
  out->clear();
  size_t begin = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string_view w =
        text.substr(tokens[i].byte_begin, tokens[i].byte_end - tokens[i].byte_begin);
    bool cut = EndsSentence(w) || i + 1 - begin >= max_tokens;
    if (!cut && i + 1 < tokens.size()) {
      // A line break is a paragraph break in clean.text.
      const std::string_view gap =
          text.substr(tokens[i].byte_end, tokens[i + 1].byte_begin - tokens[i].byte_end);
      cut = gap.find('\n') != std::string_view::npos;
    }
    if (cut) {
      out->emplace_back(begin, i + 1);
      begin = i + 1;
    }
  }
  if (begin < tokens.size()) out->emplace_back(begin, tokens.size());
}

std::string CanonicalKey(const std::vector<std::string_view>& words, const Resources& res,
                         size_t b, size_t e, bool latin, std::string_view surface) {
  std::vector<std::string> folded;
  folded.reserve(e - b);
  for (size_t j = b; j < e; ++j) folded.push_back(Fold(words[j]));
  const std::string first_stripped =
      TokenScript(words[b]) == Script::kArabic ? StripClitics(folded[0], res.lexicon) : folded[0];
  // Listed names first: any variant or fold of a gazetteer name gives its
  // canonical form. The first token is tried as the lexicon strips it, as
  // written, and with every proclitic reading (و ف, then ب ك ل, or لل ->
  // ال): a listed name is rare in the corpus counts (والكاظمي), but a list
  // match is specific enough to trust.
  std::vector<std::string> firsts = {first_stripped, folded[0]};
  if (TokenScript(words[b]) == Script::kArabic) {
    for (std::string& c : ProcliticReadings(folded[0])) firsts.push_back(std::move(c));
  }
  for (size_t variant = 0; variant < firsts.size(); ++variant) {
    std::string key = LooseKey(firsts[variant]);
    for (size_t j = 1; j < folded.size(); ++j) {
      key.push_back(' ');
      key.append(LooseKey(folded[j]));
    }
    const GazetteerEntry* entry = res.gazetteer.Find(key);
    // Feature-only lists (GIVEN, TITLE, cues) name no entity.
    if (entry != nullptr && TagIndex("B-" + entry->type) >= 0) {
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
  std::string out = first_stripped;
  for (size_t j = 1; j < folded.size(); ++j) {
    out.push_back(' ');
    out.append(folded[j]);
  }
  return out;
}

void Recognizer::Find(std::string_view text, std::vector<FoundEntity>* out) {
  out->clear();
  tagger_.BeginDocument();
  Tokenize(text, &tokens_);
  SplitSentences(text, tokens_, kMaxSentenceTokens, &sentences_);

  // Pass 1: tag every sentence, keep the tags and the name keys.
  const size_t ns = sentences_.size();
  if (tags_.size() < ns) tags_.resize(ns);
  if (keys_.size() < ns) keys_.resize(ns);
  for (size_t s = 0; s < ns; ++s) {
    const auto [b, e] = sentences_[s];
    SentenceWords(text, b, e);
    tagger_.Tag(words_, &tags_[s]);
    keys_[s].resize(e - b);
    for (size_t i = 0; i < e - b; ++i) keys_[s][i] = tagger_.extractor().loose_stripped(i);
  }
  // Pass 2: names tagged somewhere in the article, tagged everywhere in it.
  if (propagate_ && ns > 0) {
    tags_.resize(ns);
    keys_.resize(ns);
    PropagateNames(keys_, &tags_, tagger_.policy().retype_last_names);
  }
  for (size_t s = 0; s < ns; ++s) {
    const auto [b, e] = sentences_[s];
    SentenceWords(text, b, e);
    ExtractSpans(tags_[s], &spans_);
    for (const Span& sp : spans_) {
      const Token& first = tokens_[b + sp.begin];
      const Token& last = tokens_[b + sp.end - 1];
      FoundEntity f;
      f.text = std::string(text.substr(first.byte_begin, last.byte_end - first.byte_begin));
      f.type = std::string(TagType(static_cast<int>(sp.type) * 2 + 1));
      f.start = first.cp_begin;
      f.end = last.cp_end;
      const bool latin = TokenScript(words_[sp.begin]) == Script::kLatin;
      f.canonical = CanonicalKey(words_, *res_, sp.begin, sp.end, latin, f.text);
      out->push_back(std::move(f));
    }
  }

  // Within one article, names whose loose keys agree share one canonical
  // form (the first seen), so unlisted spelling variants still meet.
  std::unordered_map<std::string, std::string> seen;
  for (FoundEntity& f : *out) {
    auto [it, inserted] = seen.try_emplace(f.type + "\t" + LooseKey(f.canonical), f.canonical);
    if (!inserted) f.canonical = it->second;
  }
}

void Recognizer::SentenceWords(std::string_view text, size_t begin, size_t end) {
  words_.clear();
  for (size_t i = begin; i < end; ++i) {
    words_.push_back(
        text.substr(tokens_[i].byte_begin, tokens_[i].byte_end - tokens_[i].byte_begin));
  }
}

}  // namespace newsflow::entities
