#include "gazetteer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "text_norm.h"

namespace newsflow::entities {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t b = 0;
  while (true) {
    const size_t e = s.find(sep, b);
    out.push_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Space-joined keys of the tokens of `surface` (punctuation tokens kept, so
// "U.S." and "Al-Qaeda" match the way the tokenizer splits text).
void KeysOf(std::string_view surface, bool loose, std::string* key, size_t* n_tokens) {
  std::vector<Token> toks;
  Tokenize(surface, &toks);
  key->clear();
  for (const Token& t : toks) {
    if (!key->empty()) key->push_back(' ');
    const std::string f = Fold(surface.substr(t.byte_begin, t.byte_end - t.byte_begin));
    key->append(loose ? LooseKey(f) : f);
  }
  *n_tokens = toks.size();
}

}  // namespace

void Gazetteer::Add(std::string_view type, std::string_view canonical, std::string_view surface) {
  std::string key;
  size_t n = 0;
  KeysOf(surface, /*loose=*/true, &key, &n);
  if (n == 0) return;
  std::string canon;
  size_t n_canon = 0;
  KeysOf(canonical, /*loose=*/false, &canon, &n_canon);
  // First definition wins: files are read in name order, so a hand-written
  // list can be given precedence by its name.
  KeyFacts& facts = keys_.FindOrAdd(key);
  if (facts.listed) return;
  keys_.FindOrAdd(std::string_view(key).substr(0, key.find(' '))).first_token = true;
  for (size_t sp = key.find(' '); sp != std::string::npos; sp = key.find(' ', sp + 1)) {
    keys_.FindOrAdd(std::string_view(key).substr(0, sp)).prefix = true;
  }
  max_tokens_ = std::max(max_tokens_, n);
  // `facts` stays valid: deque elements never move.
  facts.entry = GazetteerEntry{std::string(type), std::move(canon)};
  facts.listed = true;
  ++listed_;
}

Status Gazetteer::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("gazetteer: cannot open " + path);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string_view v = Trim(line);
    if (v.empty() || v.front() == '#') continue;
    const auto cols = Split(v, '\t');
    if (cols.size() < 2) {
      return Status::Corrupt("gazetteer: " + path + ":" + std::to_string(line_no) +
                             ": want TYPE<TAB>canonical[<TAB>variants]");
    }
    const std::string_view type = Trim(cols[0]);
    const std::string_view canonical = Trim(cols[1]);
    Add(type, canonical, canonical);
    if (cols.size() > 2) {
      for (std::string_view variant : Split(cols[2], '|')) {
        variant = Trim(variant);
        if (!variant.empty()) Add(type, canonical, variant);
      }
    }
  }
  return Status::OK();
}

Status Gazetteer::LoadDir(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".tsv") files.push_back(e.path().string());
  }
  if (ec) return Status::NotFound("gazetteer: cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) NEWSFLOW_RETURN_IF_ERROR(LoadFile(f));
  return Status::OK();
}

const GazetteerEntry* Gazetteer::Find(std::string_view key) const {
  const KeyFacts* f = Facts(key);
  return f != nullptr && f->listed ? &f->entry : nullptr;
}

const GazetteerEntry* Gazetteer::Find(std::string_view key, bool* first_token) const {
  const KeyFacts* f = Facts(key);
  *first_token = f != nullptr && f->first_token;
  return f != nullptr && f->listed ? &f->entry : nullptr;
}

void Gazetteer::Match(const std::vector<std::string>& keys,
                      const std::vector<std::string>& stripped_keys,
                      std::vector<GazetteerMatch>* out) const {
  MatchImpl(keys, stripped_keys, nullptr, out);
}

void Gazetteer::Match(const std::vector<std::string_view>& keys,
                      const std::vector<std::string_view>& stripped_keys,
                      const std::vector<uint8_t>& starts, std::vector<GazetteerMatch>* out) const {
  MatchImpl(keys, stripped_keys, &starts, out);
}

template <typename Key>
void Gazetteer::MatchImpl(const std::vector<Key>& keys, const std::vector<Key>& stripped_keys,
                          const std::vector<uint8_t>* starts,
                          std::vector<GazetteerMatch>* out) const {
  out->clear();
  const size_t n = keys.size();
  std::string key;
  size_t i = 0;
  while (i < n) {
    GazetteerMatch best;
    for (int variant = 0; variant < 2; ++variant) {
      const std::string_view first = variant == 0 ? keys[i] : stripped_keys[i];
      if (variant == 1 && first == std::string_view(keys[i])) break;
      if (starts != nullptr ? ((*starts)[i] & (1 << variant)) == 0 : !IsFirstToken(first)) continue;
      key.assign(first);
      const size_t limit = std::min(n, i + max_tokens_);
      for (size_t j = i + 1; j <= limit; ++j) {
        if (j > i + 1) {
          key.push_back(' ');
          key.append(keys[j - 1]);
        }
        const KeyFacts* f = Facts(key);
        if (f == nullptr) break;
        if (f->listed && j - i > best.end - best.begin) best = {i, j, &f->entry};
        if (!f->prefix) break;  // no longer name starts so
      }
    }
    if (best.entry != nullptr) {
      out->push_back(best);
      i = best.end;
    } else {
      ++i;
    }
  }
}

}  // namespace newsflow::entities
