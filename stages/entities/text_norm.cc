#include "text_norm.h"

#include "newsflow/text.h"

namespace newsflow::entities {
namespace {

// Decodes one code point of valid UTF-8 at `i`, advancing `i`. Bytes that do
// not start a valid sequence come back as one code point each (U+FFFD), so
// offsets stay monotonic even on bad input.
char32_t Next(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) { ++i; return b0; }
  int len = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
  else { ++i; return 0xFFFD; }
  if (i + len > s.size()) { ++i; return 0xFFFD; }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) { ++i; return 0xFFFD; }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}


bool IsSpace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000 || c == 0xFEFF || c < 0x20 || (c >= 0x7F && c < 0xA0);
}

bool IsArabicLetter(char32_t c) {
  return (c >= 0x0620 && c <= 0x064A) || (c >= 0x066E && c <= 0x06D3) || c == 0x06D5 ||
         (c >= 0x06FA && c <= 0x06FC) || (c >= 0x0750 && c <= 0x077F) ||
         (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFC);
}

bool IsArabicMark(char32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 ||
         (c >= 0x06D6 && c <= 0x06ED) || (c >= 0x0610 && c <= 0x061A);
}

bool IsDigit(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 0x0660 && c <= 0x0669) || (c >= 0x06F0 && c <= 0x06F9);
}

bool IsLatinLetter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

bool IsPunct(char32_t c) {
  if (c < 0x80) {
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             c == '_');
  }
  return (c >= 0xA1 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || c == 0x060C || c == 0x061B ||
         c == 0x061F || (c >= 0x066A && c <= 0x066D) || c == 0x06D4 ||
         (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) ||
         (c >= 0x3001 && c <= 0x3003) || (c >= 0xFD3E && c <= 0xFD3F) ||
         // Symbols are not part of a word: arrows, mathematical and technical
         // signs, box drawing, shapes, dingbats, emoji and pictographs (an
         // emoji glued to a name made "بيروت😀" the entity and its canonical
         // form).
         // (and the symbols of the letterlike block: ™ ℠ № ℗ ℹ; enclosed
         // alphanumerics; CJK symbols).
         c == 0x2116 || c == 0x2117 || c == 0x2120 || c == 0x2122 || c == 0x2139 ||
         (c >= 0x2190 && c <= 0x23FF) || (c >= 0x2460 && c <= 0x24FF) ||
         (c >= 0x2500 && c <= 0x27BF) || (c >= 0x2900 && c <= 0x2BFF) ||
         c == 0x3030 || c == 0x303D || (c >= 0x3200 && c <= 0x32FF) ||
         (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x1F000 && c <= 0x1FBFF);
}

// A connector stays inside a word when a word character follows it.
bool IsConnector(char32_t c) {
  return c == '-' || c == '\'' || c == 0x2019 || c == '.' || c == ',' || c == '&';
}

bool IsWordChar(char32_t c) { return !IsSpace(c) && !IsPunct(c); }

}  // namespace

void Tokenize(std::string_view text, std::vector<Token>* out) {
  out->clear();
  size_t i = 0;
  int64_t cp_index = 0;
  while (i < text.size()) {
    const size_t b = i;
    const char32_t c = Next(text, i);
    if (IsSpace(c)) { ++cp_index; continue; }
    Token t;
    t.byte_begin = b;
    t.cp_begin = cp_index++;
    if (!IsWordChar(c)) {
      t.byte_end = i;
      t.cp_end = cp_index;
      out->push_back(t);
      continue;
    }
    char32_t prev = c;
    while (i < text.size()) {
      size_t j = i;
      const char32_t d = Next(text, j);
      if (IsWordChar(d)) {
        i = j;
        ++cp_index;
        prev = d;
        continue;
      }
      if (IsConnector(d) && j < text.size()) {
        size_t k = j;
        const char32_t e = Next(text, k);
        // "2,500", "3.5", "U.S", "techno-based", "O'Neil" stay whole; a comma
        // only joins digits.
        const bool joins = (d == ',') ? (IsDigit(prev) && IsDigit(e))
                                      : (IsWordChar(e) && !IsSpace(e));
        if (joins) {
          i = k;
          cp_index += 2;
          prev = e;
          continue;
        }
      }
      break;
    }
    t.byte_end = i;
    t.cp_end = cp_index;
    out->push_back(t);
  }
}

Script TokenScript(std::string_view token) {
  size_t i = 0;
  bool digit = false;
  while (i < token.size()) {
    const char32_t c = Next(token, i);
    if (IsArabicLetter(c)) return Script::kArabic;
    if (IsLatinLetter(c)) return Script::kLatin;
    if (IsDigit(c)) digit = true;
  }
  if (digit) return Script::kDigit;
  if (!token.empty()) {
    size_t j = 0;
    if (IsPunct(Next(token, j))) return Script::kPunct;
  }
  return Script::kOther;
}

std::string Fold(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  size_t i = 0;
  while (i < token.size()) {
    char32_t c = Next(token, i);
    if (IsArabicMark(c)) continue;
    switch (c) {
      case 0x0622: case 0x0623: case 0x0625: case 0x0671: case 0x0672: case 0x0673:
        c = 0x0627; break;                  // alef forms
      case 0x0649: case 0x06CC: case 0x06D0: case 0x064A:
        c = 0x064A; break;                  // ى ی -> ي
      case 0x0629: case 0x06C3: c = 0x0647; break;  // ة -> ه
      case 0x06A9: case 0x06AA: c = 0x0643; break;  // ک -> ك
      case 0x06C1: case 0x06BE: case 0x06D5: c = 0x0647; break;  // Persian/Urdu heh
      case 0x0624: c = 0x0648; break;       // ؤ -> و
      case 0x0626: c = 0x064A; break;       // ئ -> ي
      case 0x200C: case 0x200D: continue;   // ZWNJ/ZWJ
      default: break;
    }
    if (c >= 0x0660 && c <= 0x0669) c = '0' + (c - 0x0660);
    else if (c >= 0x06F0 && c <= 0x06F9) c = '0' + (c - 0x06F0);
    else if (c >= 'A' && c <= 'Z') c += 32;
    else if (c >= 0xC0 && c <= 0xDE && c != 0xD7) c += 32;
    AppendUtf8(out, c);
  }
  return out;
}

std::string LooseKey(std::string_view folded) {
  std::string out;
  out.reserve(folded.size());
  size_t i = 0;
  while (i < folded.size()) {
    char32_t c = Next(folded, i);
    switch (c) {
      case 0x062C: case 0x063A: case 0x06AF: case 0x06A8: case 0x06AD: case 0x06B3:
        c = 0x063A; break;  // ج غ گ ڨ ڭ : foreign g
      case 0x067E: c = 0x0628; break;  // پ -> ب
      case 0x06A4: case 0x06A5: c = 0x0641; break;  // ڤ -> ف
      case 0x0686: c = 0x062A; break;  // چ: rendered تش; keep one letter for the key
      default: break;
    }
    AppendUtf8(out, c);
  }
  // أميركا/أمريكا (and every derived form) are one name spelt two ways.
  static constexpr std::string_view kMyrk = "\u0645\u064A\u0631\u0643";  // ميرك
  static constexpr std::string_view kMryk = "\u0645\u0631\u064A\u0643";  // مريك
  for (size_t p = out.find(kMyrk); p != std::string::npos; p = out.find(kMyrk, p + 1)) {
    out.replace(p, kMyrk.size(), kMryk);
  }
  return out;
}

void Lexicon::Add(std::string_view w, int64_t count) { words_.FindOrAdd(w).count += count; }

int64_t Lexicon::Count(std::string_view w) const {
  const Info* info = Find(w);
  return info == nullptr ? 0 : info->count;
}

void Lexicon::SetClusters(std::string_view w, int coarse, int fine) {
  Info& info = words_.FindOrAdd(w);
  if (info.coarse < 0) ++clustered_;
  info.coarse = coarse;
  info.fine = fine;
}

std::pair<int, int> Lexicon::Clusters(std::string_view w) const {
  const Info* info = Find(w);
  return info == nullptr ? std::make_pair(-1, -1) : std::make_pair(info->coarse, info->fine);
}

void Lexicon::SetExtraClusters(std::string_view w, const ExtraClusters& extra) {
  words_.FindOrAdd(w).extra = extra;
}

ExtraClusters Lexicon::ExtraClustersOf(std::string_view w) const {
  const Info* info = Find(w);
  return info == nullptr ? kNoExtraClusters : info->extra;
}

bool Lexicon::Lookup(std::string_view w, int64_t* count, std::pair<int, int>* clusters,
                     ExtraClusters* extra) const {
  const Info* info = Find(w);
  if (info == nullptr) {
    *count = 0;
    *clusters = {-1, -1};
    if (extra) *extra = kNoExtraClusters;
    return false;
  }
  *count = info->count;
  *clusters = {info->coarse, info->fine};
  if (extra) *extra = info->extra;
  return true;
}

namespace {

constexpr std::string_view kAl = "\u0627\u0644";     // ال
constexpr std::string_view kLam = "\u0644";          // ل
constexpr std::string_view kLamLam = "\u0644\u0644";  // لل
constexpr std::string_view kProclitics[] = {"\u0648", "\u0641", "\u0628", "\u0643"};  // و ف ب ك

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string StripClitics(std::string_view folded, const Lexicon& lex) {
  // Fast exit: only words starting with a proclitic letter can lose one.
  if (!folded.starts_with(kLam)) {
    bool any = false;
    for (std::string_view p : kProclitics) any |= folded.starts_with(p);
    if (!any) return std::string(folded);
  }
  std::string cur(folded);
  std::string lamlam;
  int64_t here = lex.Count(cur);
  // At most three layers: و + ب + ال..., and the loop only ever shortens.
  for (int layer = 0; layer < 3; ++layer) {
    std::string_view best;
    bool best_is_lamlam = false;
    int64_t best_count = 0;
    auto consider = [&](std::string_view cand, bool is_lamlam) {
      if (CodePoints(cand) < 2) return;
      const int64_t n = lex.Count(cand);
      // A remainder seen only once or twice is as likely chance as a word.
      if (n >= 3 && n > here && n > best_count) {
        best_count = n;
        best = cand;
        best_is_lamlam = is_lamlam;
      }
    };
    std::string_view v(cur);
    if (v.starts_with(kLamLam) && CodePoints(v) > 3) {
      lamlam.assign(kAl);
      lamlam.append(v.substr(kLamLam.size()));  // للعراق -> العراق
      consider(lamlam, true);
    }
    if (v.starts_with(kLam)) consider(v.substr(kLam.size()), false);
    for (std::string_view p : kProclitics) {
      if (v.starts_with(p)) consider(v.substr(p.size()), false);
    }
    if (best.empty()) break;
    // `best` views into `cur` or `lamlam`; copy before overwriting.
    cur = best_is_lamlam ? lamlam : std::string(best);
    here = best_count;
  }
  return cur;
}

std::string_view DropArticle(std::string_view folded) {
  if (folded.starts_with(kAl) && CodePoints(folded) > 3) return folded.substr(kAl.size());
  return folded;
}

}  // namespace newsflow::entities
