#include "stoplist.h"

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <bit>
#include <filesystem>
#include <fstream>

#include "normalize.h"

namespace newsflow::clean {
namespace {

// Folds one token into buf (lower case, Arabic letter variants, no harakat).
// Returns false when the token is too long to be a stop word.
bool FoldToken(std::string_view t, char* buf, size_t cap, size_t* len) {
  size_t o = 0;
  size_t i = 0;
  while (i < t.size()) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    if (c < 0x80) {
      if (o >= cap) return false;
      buf[o++] = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
      ++i;
      continue;
    }
    if ((c == 0xD8 || c == 0xD9) && i + 1 < t.size()) {
      // Arabic letters: fold without decoding (same mapping as below).
      unsigned char d = static_cast<unsigned char>(t[i + 1]);
      i += 2;
      if (c == 0xD9 && ((d >= 0x8B && d <= 0x9F) || d == 0xB0)) continue;
      if (c == 0xD8 && (d == 0xA2 || d == 0xA3 || d == 0xA5)) d = 0xA7;
      else if (c == 0xD9 && d == 0xB1) c = 0xD8, d = 0xA7;
      else if (c == 0xD9 && d == 0x89) d = 0x8A;
      else if (c == 0xD8 && d == 0xA9) c = 0xD9, d = 0x87;
      if (o + 2 > cap) return false;
      buf[o++] = static_cast<char>(c);
      buf[o++] = static_cast<char>(d);
      continue;
    }
    uint32_t cp = DecodeUtf8(t, i);
    if ((cp >= 0x064B && cp <= 0x065F) || cp == 0x0670) continue;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) cp += 32;
    else if (cp == 0x0622 || cp == 0x0623 || cp == 0x0625 || cp == 0x0671) cp = 0x0627;
    else if (cp == 0x0649) cp = 0x064A;
    else if (cp == 0x0629) cp = 0x0647;
    else if (cp >= 0x0410 && cp <= 0x042F) cp += 32;  // Cyrillic capitals
    if (o + 4 > cap) return false;
    char enc[4];
    size_t k = 0;
    if (cp < 0x800) {
      enc[k++] = static_cast<char>(0xC0 | (cp >> 6));
      enc[k++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      enc[k++] = static_cast<char>(0xE0 | (cp >> 12));
      enc[k++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      enc[k++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      enc[k++] = static_cast<char>(0xF0 | (cp >> 18));
      enc[k++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      enc[k++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      enc[k++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    for (size_t m = 0; m < k; ++m) buf[o++] = enc[m];
  }
  *len = o;
  return true;
}

uint64_t Hash(std::string_view s) {
  uint64_t h = XXH3_64bits(s.data(), s.size());
  return h == 0 ? 1 : h;
}

}  // namespace

void Stoplists::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.hash == 0) continue;
    size_t p = s.hash & mask;
    while (slots_[p].hash != 0) p = (p + 1) & mask;
    slots_[p] = s;
  }
}

void Stoplists::Insert(std::string_view word, int lang) {
  char buf[128];
  size_t len = 0;
  if (word.empty() || !FoldToken(word, buf, sizeof(buf), &len) || len == 0) return;
  if ((used_ + 1) * 2 > slots_.size()) Grow();
  uint64_t h = Hash(std::string_view(buf, len));
  size_t mask = slots_.size() - 1;
  size_t p = h & mask;
  while (slots_[p].hash != 0 && slots_[p].hash != h) p = (p + 1) & mask;
  if (slots_[p].hash == 0) {
    slots_[p].hash = h;
    ++used_;
  }
  slots_[p].bits[lang >> 6] |= uint64_t{1} << (lang & 63);
}

const Stoplists::Slot* Stoplists::Find(std::string_view folded) const {
  if (slots_.empty()) return nullptr;
  uint64_t h = Hash(folded);
  size_t mask = slots_.size() - 1;
  size_t p = h & mask;
  while (slots_[p].hash != 0) {
    if (slots_[p].hash == h) return &slots_[p];
    p = (p + 1) & mask;
  }
  return nullptr;
}

const Stoplists::Slot* Stoplists::Lookup(std::string_view token) const {
  char buf[96];
  size_t len = 0;
  if (!FoldToken(token, buf, sizeof(buf), &len) || len == 0) return nullptr;
  return LookupFolded(std::string_view(buf, len));
}

const Stoplists::Slot* Stoplists::LookupFolded(std::string_view folded) const {
  const Slot* s = Find(folded);
  if (s != nullptr) return s;
  // Arabic proclitics (wa-, fa-, bi-, li-) glue to function words.
  if (folded.size() > 4 && static_cast<unsigned char>(folded[0]) >= 0xD8 &&
      static_cast<unsigned char>(folded[0]) <= 0xD9) {
    std::string_view first = folded.substr(0, 2);
    if (first == "\xD9\x88" || first == "\xD9\x81" || first == "\xD8\xA8" || first == "\xD9\x84") {
      return Find(folded.substr(2));
    }
  }
  return nullptr;
}

int Stoplists::FindLanguage(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Status Stoplists::LoadDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  if (ec) return Status::NotFound("stoplists: cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    if (static_cast<int>(names_.size()) >= kMaxLanguages) break;
    std::ifstream in(f);
    if (!in) continue;
    int lang = static_cast<int>(names_.size());
    names_.push_back(f.stem().string());
    std::string line;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      Insert(line, lang);
    }
  }
  if (names_.empty()) return Status::NotFound("stoplists: no *.txt in " + dir);
  return Status::OK();
}

Status Stoplists::LoadCompiled(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("stoplists: cannot open " + path);
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos || line[0] == '#') continue;
    std::string_view name(line.data(), tab);
    int lang = FindLanguage(name);
    if (lang < 0) {
      if (static_cast<int>(names_.size()) >= kMaxLanguages) continue;
      lang = static_cast<int>(names_.size());
      names_.emplace_back(name);
    }
    Insert(std::string_view(line).substr(tab + 1), lang);
  }
  if (names_.empty()) return Status::NotFound("stoplists: empty " + path);
  return Status::OK();
}

int Stoplists::DetectLanguage(std::string_view text, int max_tokens) const {
  if (empty()) return -1;
  std::vector<int> hits(names_.size(), 0);
  int seen = 0;
  ForEachToken(text, [&](std::string_view t) {
    const Slot* s = Lookup(t);
    if (s != nullptr) {
      for (int w = 0; w < 2; ++w) {
        uint64_t b = s->bits[w];
        while (b) {
          int bit = std::countr_zero(b);
          b &= b - 1;
          size_t lang = static_cast<size_t>(w * 64 + bit);
          if (lang < hits.size()) ++hits[lang];
        }
      }
    }
    return ++seen < max_tokens;
  });
  int best = -1, best_hits = 0;
  for (size_t i = 0; i < hits.size(); ++i) {
    if (hits[i] > best_hits) {
      best_hits = hits[i];
      best = static_cast<int>(i);
    }
  }
  return best;
}

Stoplists::Density Stoplists::Measure(std::string_view line, int lang, int max_tokens) const {
  Density d;
  if (lang < 0) return d;
  const int w = lang >> 6;
  const uint64_t bit = uint64_t{1} << (lang & 63);
  ForEachToken(line, [&](std::string_view t) {
    ++d.tokens;
    const Slot* s = Lookup(t);
    if (s != nullptr && (s->bits[w] & bit)) ++d.stop;
    return d.tokens < max_tokens;
  });
  return d;
}

std::string_view StripArabicArticle(std::string_view word) {
  // "وال", "بال", "فال", "كال", "لل", "ال": the shortest (4 bytes) plus three letters.
  if (word.size() < 10 || (word[0] != '\xD8' && word[0] != '\xD9')) return word;
  static constexpr std::string_view kPrefixes[] = {
      "\xD9\x88\xD8\xA7\xD9\x84", "\xD8\xA8\xD8\xA7\xD9\x84", "\xD9\x81\xD8\xA7\xD9\x84",
      "\xD9\x83\xD8\xA7\xD9\x84", "\xD9\x84\xD9\x84", "\xD8\xA7\xD9\x84"};
  for (std::string_view pre : kPrefixes) {
    if (word.size() >= pre.size() + 6 && word.substr(0, pre.size()) == pre) return word.substr(pre.size());
  }
  return word;
}

void Stoplists::ContentWords(std::string_view line, int lang, std::vector<uint64_t>* out,
                             size_t max_words) const {
  if (lang < 0) return;
  const int w = lang >> 6;
  const uint64_t bit = uint64_t{1} << (lang & 63);
  ForEachToken(line, [&](std::string_view t) {
    if (max_words > 0 && out->size() >= max_words) return false;
    // Under three letters either way (most stop words): no need to fold.
    if (t.size() < (static_cast<unsigned char>(t[0]) >= 0x80 ? 6u : 3u)) return true;
    char buf[96];
    size_t len = 0;
    if (!FoldToken(t, buf, sizeof(buf), &len) || len == 0) return true;
    // A stop word, or one behind a proclitic.
    const Slot* s = LookupFolded(std::string_view(buf, len));
    if (s != nullptr && (s->bits[w] & bit)) return true;
    if (static_cast<unsigned char>(buf[0]) < 0x80 && !std::isalpha(static_cast<unsigned char>(buf[0]))) {
      return true;  // a number, a symbol
    }
    const std::string_view v = StripArabicArticle(std::string_view(buf, len));
    // At least three letters (Arabic letters are two bytes; Latin words four).
    const bool arabic = static_cast<unsigned char>(v[0]) >= 0xD8 && static_cast<unsigned char>(v[0]) <= 0xDB;
    if (v.size() < (arabic ? 6u : 4u)) return true;
    out->push_back(XXH3_64bits(v.data(), v.size()));
    return true;
  });
}

}  // namespace newsflow::clean
