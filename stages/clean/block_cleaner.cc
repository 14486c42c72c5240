#include "block_cleaner.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <bit>
#include <cctype>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dates.h"
#include "furniture.h"
#include "stoplist_inl.h"
#include "newsflow/text.h"

namespace newsflow::clean {
namespace {

enum class Cls { kGood, kNear, kShort, kBad };

// A line that ends with a colon announces what follows (a quote, verse, a
// list): "قال في بيان:", "طريقة التحضير:".
bool EndsWithColon(std::string_view t) { return !t.empty() && t.back() == ':'; }

// Code points of a line's first word (up to its first space): whether it
// would have fitted at the end of the line above, on a hard-wrapped page.
int FirstWordCp(std::string_view t) {
  int cp = 0;
  for (size_t p = 0; p < t.size() && t[p] != ' '; ++p) cp += (static_cast<unsigned char>(t[p]) & 0xC0) != 0x80;
  return cp;
}

// The width lines were wrapped at: the upper quartile of their lengths (a
// longer headline or dateline among them does not set it). Reorders `cp`.
int WrapWidth(std::vector<int>& cp) {
  if (cp.empty()) return 0;
  std::nth_element(cp.begin(), cp.begin() + static_cast<long>(cp.size() * 3 / 4), cp.end());
  return cp[cp.size() * 3 / 4];
}

// A bulleted list item ("• ...", "▪ ...", "* ...", "- ...", "-word"): a
// highlight or a point of a list, never a page's headline.
bool BulletItem(std::string_view t) {
  return !t.empty() && (t[0] == '*' || t[0] == '-' || t.rfind("\xE2\x80\xA2", 0) == 0 ||
                        t.rfind("\xE2\x96\xAA", 0) == 0);
}

// Seed of a page's text key for template counting (the id key is unseeded).
constexpr uint64_t kBodyKeySeed = 0x636c65616e626f64ULL;

// Reason strings are interned here so metrics can pre-create their children.
const std::vector<std::string>& AllReasons() {
  static const std::vector<std::string> k = {
      "template", "adblock", "comment_form", "read_next", "read_also", "tags", "share",
      "follow", "player", "cookie", "newsletter", "navigation", "dateline", "date_banner",
      "duplicate", "title_repeat", "unrelated_tail", "teaser", "short", "low_text",
      "link_dense", "boilerplate_markup", "breadcrumb", "caption", "disclosure", "feedback", "other"};
  return k;
}

struct Info {
  int cp = 0;
  int tokens = 0;
  std::string folded;
  uint64_t hash = 0;
  bool end_punct = false;
  int sent_punct = 0;
  double stop = 0;
  Cls cls = Cls::kShort;
  const std::string* reason = nullptr;
  PhraseHit hit;
  bool is_title = false;
  bool folded_full = false;  // `folded` covers the whole line
  // Furniture by its shape, decided by position (before or after the body):
  // a counter that is not a date, a Latin-only line on a page in another script.
  bool shape = false;
  bool continues = false;    // a line of a run of short prose lines that continues the one above
  bool para_start = false;   // a line of such a run after one that ends a sentence (a paragraph's start)
  bool over_width = false;   // a line of such a run much longer than its width (not cut by the wrap)
  bool pager = false;        // a pager or page counter (furniture.h LooksLikePager)
  bool kicker = false;       // "label | headline" (furniture.h LooksLikeKicker), decided by position
  bool clock = false;        // only a clock time or a duration (furniture.h IsClockOnly), by position
  // Round 10: removed furniture that says nothing about the lines beside it
  // (an embedded post, a symbol counter), like a kicker or a clock line.
  bool aside = false;
  bool contact = false;      // round 11: a contact line (furniture.h LooksLikeContactLine)
  bool reading_time = false; // round 15: furniture.h LooksLikeReadingTime
};

// Number of set bits in `x` when only bits 7, 15, ..., 63 may be set. Without
// -mpopcnt std::popcount is a library call; this is a multiply.
inline int SumHighBits(uint64_t x) {
  return static_cast<int>((((x >> 7) * 0x0101010101010101ULL) >> 56) & 0xFF);
}

// Number of bytes of `w` equal to the byte replicated in `pattern`.
inline int CountBytesEqual(uint64_t w, uint64_t pattern) {
  constexpr uint64_t k7f = 0x7F7F7F7F7F7F7F7FULL;
  uint64_t t = w ^ pattern;  // zero bytes where equal
  uint64_t nonzero = ((t & k7f) + k7f) | t;
  return SumHighBits(~nonzero & ~k7f);
}

// Code points, tokens and sentence punctuation in one pass over the line,
// eight bytes at a time (this runs over every byte of every page).
void LineStats(std::string_view s, int* cp, int* tokens, int* sent, int* cjk_out = nullptr) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  const unsigned char* b = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  int cont = 0, sp = 0, p = 0, x9f = 0;
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time: each compare gives 0xFF (-1) per matching byte,
  // subtracted into per-lane byte counters that are summed (psadbw) before
  // they can wrap (255 rounds).
  {
    const __m128i zero = _mm_setzero_si128();
    const __m128i k_c0 = _mm_set1_epi8(static_cast<char>(0xC0)), k_80 = _mm_set1_epi8(static_cast<char>(0x80));
    const __m128i k_sp = _mm_set1_epi8(' '), k_dot = _mm_set1_epi8('.'), k_ex = _mm_set1_epi8('!');
    const __m128i k_q = _mm_set1_epi8('?'), k_9f = _mm_set1_epi8(static_cast<char>(0x9F));
    __m128i a_cont = zero, a_sp = zero, a_p = zero, a_9f = zero;
    auto sum = [&zero](__m128i acc) {
      const __m128i s = _mm_sad_epu8(acc, zero);
      return _mm_cvtsi128_si32(s) + _mm_cvtsi128_si32(_mm_srli_si128(s, 8));
    };
    int rounds = 0;
    for (; i + 16 <= n; i += 16) {
      const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
      a_cont = _mm_sub_epi8(a_cont, _mm_cmpeq_epi8(_mm_and_si128(w, k_c0), k_80));
      a_sp = _mm_sub_epi8(a_sp, _mm_cmpeq_epi8(w, k_sp));
      a_p = _mm_sub_epi8(a_p, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, k_dot), _mm_cmpeq_epi8(w, k_ex)),
                                           _mm_cmpeq_epi8(w, k_q)));
      a_9f = _mm_sub_epi8(a_9f, _mm_cmpeq_epi8(w, k_9f));
      if (++rounds == 255 || i + 32 > n) {
        cont += sum(a_cont);
        sp += sum(a_sp);
        p += sum(a_p);
        x9f += sum(a_9f);
        a_cont = a_sp = a_p = a_9f = zero;
        rounds = 0;
      }
    }
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, b + i, 8);
    // Continuation bytes are 10xxxxxx: top bit set, next bit clear.
    cont += SumHighBits(w & ~(w << 1) & 0x8080808080808080ULL);
    sp += CountBytesEqual(w, kOnes * ' ');
    p += CountBytesEqual(w, kOnes * '.') + CountBytesEqual(w, kOnes * '!') +
         CountBytesEqual(w, kOnes * '?');
    x9f += CountBytesEqual(w, kOnes * 0x9F);
  }
  for (; i < n; ++i) {
    unsigned char x = b[i];
    cont += (x & 0xC0) == 0x80;
    sp += x == ' ';
    p += x == '.' || x == '!' || x == '?';
    x9f += x == 0x9F;
  }
  // Arabic question mark U+061F is D8 9F; 0x9F bytes are rare, so look only then.
  for (size_t k = 1; x9f > 0 && k < n; ++k) {
    if (b[k] == 0x9F) {
      --x9f;
      p += b[k - 1] == 0xD8;
    }
  }
  *cp = static_cast<int>(n) - cont;
  *tokens = s.empty() ? 0 : sp + 1;
  *sent = p;
  // Chinese and Japanese write without spaces and say in one character what
  // alphabetic scripts say in several: count each Han/kana character
  // (U+3000..U+9FFF, lead bytes E3..E9) as three code points and two as a
  // token, and their full stop as sentence punctuation. Looked at only when
  // most of the line is multi-byte.
  if (cont * 2 > static_cast<int>(n)) {
    int cjk = 0;
    for (size_t k = 0; k < n; ++k) {
      if (b[k] >= 0xE3 && b[k] <= 0xE9) {
        ++cjk;
        if (b[k] == 0xE3 && k + 2 < n && b[k + 1] == 0x80 && b[k + 2] == 0x82) ++*sent;  // 。
      }
    }
    *cp += 2 * cjk;
    *tokens = std::max(*tokens, cjk / 2);
    if (cjk_out != nullptr) *cjk_out = cjk;
  }
}

// Round 14: most of the line's code points are Han or kana (U+3000..U+9FFF,
// lead bytes E3..E9). No stop-word list covers Chinese or Japanese, so the
// page's list (picked from its Latin menu words) says nothing about such a
// line.
// `cp` and `cjk` as LineStats gives them (cp counts each Han/kana
// character three times).
bool MostlyHanKana(int cp, int cjk) { return cjk > 0 && 4 * cjk > cp; }

// Words of one Arabic letter (two bytes) in `line`.
int OneLetterArabicWords(std::string_view line) {
  int n = 0;
  ForEachToken(line, [&](std::string_view w) {
    n += w.size() == 2 && (w[0] == '\xD8' || w[0] == '\xD9');
    return true;
  });
  return n;
}

// `s` without the closing quotes, brackets, spaces and asterisks at its end.
std::string_view WithoutClosers(std::string_view s) {
  size_t e = s.size();
  while (e > 0) {
    unsigned char c = static_cast<unsigned char>(s[e - 1]);
    if (c == '"' || c == '\'' || c == ')' || c == ' ' || c == '*') {
      --e;
      continue;
    }
    // ” ’ (3 bytes) and » (2 bytes) close quotes.
    if (e >= 3 && (s.substr(e - 3, 3) == "\xE2\x80\x9D" || s.substr(e - 3, 3) == "\xE2\x80\x99")) {
      e -= 3;
      continue;
    }
    if (e >= 2 && s.substr(e - 2, 2) == "\xC2\xBB") {
      e -= 2;
      continue;
    }
    break;
  }
  return s.substr(0, e);
}

// The last visible character is "!", "?" or the Arabic "؟" (closing quotes
// and brackets skipped).
bool EndsWithExclamationOrQuestion(std::string_view s) {
  s = WithoutClosers(s);
  if (s.empty()) return false;
  if (s.back() == '!' || s.back() == '?') return true;
  return s.size() >= 2 && s.substr(s.size() - 2) == "\xD8\x9F";  // ؟
}

// Sentence punctuation at the end, ignoring closing quotes and brackets.
bool EndsSentence(std::string_view s) {
  const size_t e = WithoutClosers(s).size();
  if (e == 0) return false;
  char last = s[e - 1];
  return last == '.' || last == '!' || last == '?' ||
         (e >= 3 && (s.substr(e - 3, 3) == "\xE3\x80\x82" ||                // 。
                     s.substr(e - 3, 3) == "\xEF\xBC\x81" ||                // ！
                     s.substr(e - 3, 3) == "\xEF\xBC\x9F")) ||              // ？
         (e >= 2 && s.substr(e - 2, 2) == "\xD8\x9F") ||     // ؟
         (e >= 3 && s.substr(e - 3, 3) == "\xE2\x80\xA6");  // …
}

// The last at most `max` bytes of `s`, starting on a UTF-8 boundary.
std::string_view Suffix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t b = s.size() - max;
  while (b < s.size() && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) ++b;
  return s.substr(b);
}

// "Home > World > Europe", "الرئيسية / أخبار": short segments joined by
// separators, no sentence punctuation. On text pages (`words`) at least two
// segments are words: one opening with a digit is a number ("الرقم : أ / 267",
// "9 / 10 / 1436" in a decree quoted by the article). HTML keeps the older
// test (its menus are marked up; measured: the change only moved 4 pages).
bool LooksLikeBreadcrumb(std::string_view s, int cp, bool words) {
  if (cp > 100) return false;
  int word_segs = 0;
  auto count_seg = [&word_segs](std::string_view seg) {
    while (!seg.empty() && seg.front() == ' ') seg.remove_prefix(1);
    if (!seg.empty() && !(seg.front() >= '0' && seg.front() <= '9')) ++word_segs;
  };
  static const std::string_view kSeps[] = {" > ", " \xE2\x80\xBA ", " / ", " \xC2\xBB ", " | ",
                                           " \xE2\x86\x92 ", " :: "};
  int seps = 0;
  size_t seg_start = 0;
  int max_seg_tokens = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != ' ') {
      ++i;
      continue;
    }
    bool matched = false;
    for (std::string_view sep : kSeps) {
      if (s.compare(i, sep.size(), sep) == 0) {
        std::string_view seg = s.substr(seg_start, i - seg_start);
        max_seg_tokens = std::max(max_seg_tokens, static_cast<int>(std::count(seg.begin(), seg.end(), ' ')) + 1);
        count_seg(seg);
        ++seps;
        i += sep.size();
        seg_start = i;
        matched = true;
        break;
      }
    }
    if (!matched) ++i;
  }
  if (seps == 0) return false;
  std::string_view seg = s.substr(seg_start);
  max_seg_tokens = std::max(max_seg_tokens, static_cast<int>(std::count(seg.begin(), seg.end(), ' ')) + 1);
  count_seg(seg);
  return max_seg_tokens <= 3 && (!words || word_segs >= 2) && s.find('.') == std::string_view::npos;
}

constexpr size_t kFoldBytes = 200;

// Position of the first '(', '/' or '|' in `s`, or s.size(): three memchr
// scans, each bounded by the best position so far (find_first_of would call
// memchr once per byte of `s`; a byte loop costs more than the scans).
size_t FirstBracketSlashOrBar(std::string_view s) {
  size_t best = s.size();
  for (const char c : {'(', '/', '|'}) {
    if (best == 0) break;
    if (const void* q = std::memchr(s.data(), c, best)) best = static_cast<size_t>(static_cast<const char*>(q) - s.data());
  }
  return best;
}

// Round 14: words that mix Latin and Cyrillic letters ("Аdvеrtіѕе wіth
// thе ..." with Cyrillic look-alikes of a, e, i, s, o, c, p). Ads and spam
// write them to slip past filters; no language writes a word that way. A
// word is a run of letters (ASCII or U+0400-U+04FF); a hyphen, an
// apostrophe or a digit ends it, so "USB-порт" or "iPhone'ом" are two
// words. True for three or more such words making at least a fifth of the
// line's words.
bool MixesLatinAndCyrillic(std::string_view t) {
  // The look-alikes (а е о р с у х і ѕ, А В Е К М Н О Р С Т Х) start with
  // lead bytes 0xD0 or 0xD1; most lines have neither (memchr is cheap).
  if (std::memchr(t.data(), 0xD0, t.size()) == nullptr && std::memchr(t.data(), 0xD1, t.size()) == nullptr) {
    return false;
  }
  int words = 0, mixed = 0;
  bool latin = false, cyr = false, in_word = false;
  auto end_word = [&] {
    if (in_word) {
      ++words;
      if (latin && cyr) ++mixed;
    }
    latin = cyr = in_word = false;
  };
  for (size_t i = 0; i < t.size();) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      latin = in_word = true;
      ++i;
    } else if (c >= 0xD0 && c <= 0xD3 && i + 1 < t.size()) {
      cyr = in_word = true;
      i += 2;
    } else {
      end_word();
      i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }
  }
  end_word();
  return mixed >= 3 && mixed * 5 >= words;
}

// A reading time, on its own line by a byline: "4 min read", "Lesezeit: 3
// Minuten", "Tiempo de lectura: 5 min", "Ten tekst przeczytasz w mniej niż
// minutę". `folded` is the line's folded text. A number and a unit of minutes
// need a reading word before or after them: a bare "6 Min." may be a
// recipe's time.
bool LooksLikeReadingTime(std::string_view folded) {
  if (folded.size() > 60) return false;
  if (folded.substr(0, 21) == "ten tekst przeczytasz") return true;
  std::vector<std::string_view> w;
  for (size_t i = 0; i < folded.size();) {
    size_t j = folded.find(' ', i);
    if (j == std::string_view::npos) j = folded.size();
    if (j > i) w.push_back(folded.substr(i, j - i));
    i = j + 1;
  }
  if (w.size() < 2 || w.size() > 6) return false;
  static const std::vector<std::string_view> kNumbers = {"one", "two", "three", "four", "five", "six",
                                                         "seven", "eight", "nine", "ten", "ein", "eine",
                                                         "zwei", "drei", "vier", "fünf", "fuenf"};
  static const std::vector<std::string_view> kUnits = {"min", "mins", "minute", "minutes", "minuten",
                                                       "minuto", "minutos", "minuty", "minut", "minutter"};
  auto in = [](const std::vector<std::string_view>& set, std::string_view x) {
    return std::find(set.begin(), set.end(), x) != set.end();
  };
  auto number = [&in](std::string_view x) {
    if (x.empty() || x.size() > 3) return in(kNumbers, x);
    return std::all_of(x.begin(), x.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  auto join = [&w](size_t from, size_t to) {
    std::string out;
    for (size_t k = from; k < to; ++k) {
      if (!out.empty()) out.push_back(' ');
      out.append(w[k]);
    }
    return out;
  };
  static const std::vector<std::string_view> kBefore = {"lesezeit", "lesedauer", "reading time", "read time",
                                                        "tiempo de lectura", "temps de lecture",
                                                        "czas czytania", "tempo de leitura", "leestijd"};
  static const std::vector<std::string_view> kAfter = {"read", "reading", "reading time", "lesezeit", "lesen",
                                                       "lesedauer", "de lectura", "de lecture", "de leitura",
                                                       "czytania"};
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    if (!number(w[i]) || !in(kUnits, w[i + 1])) continue;
    const std::string before = join(0, i), after = join(i + 2, w.size());
    if (!before.empty() && in(kBefore, before) && after.empty()) return true;
    if (before.empty() && !after.empty() && in(kAfter, after)) return true;
  }
  return false;
}

// A picture caption with its credit, or a credit line: "Foto: X",
// "... getarnt. (X / iStock.com)", "© Bundesrat | X". Short lines only (the
// caller checks). Any of:
//  - a copyright sign;
//  - a credit label (phrase lists, action `credit`) with its colon, at the
//    start of the line or after its first bracket, slash or bar ("(Foto:
//    X)"). Without the colon "Credit Suisse shares fell" and "(Abb. 1)" are
//    article text; a longer label ("photograph by") needs none at the start;
//  - a picture agency (action `agency`) after the first bracket, slash or
//    bar: "X/Getty Images". Text before that point is not looked at;
//  - either of those in the last words of a line that ends without a full
//    stop: "... Notunterkünfte. Foto: Galli/Malteser".
// `h` is the phrase hit of the line's folded text (its start only when not
// `folded_full`).
bool LooksLikeCredit(const PhraseLists& phrases, std::string_view raw, bool folded_full,
                     const PhraseHit& h, bool ends_sentence) {
  if (std::memchr(raw.data(), 0xC2, raw.size()) != nullptr &&
      raw.find("\xC2\xA9") != std::string_view::npos) {
    return true;  // ©
  }
  auto label_colon = [](std::string_view part) {
    const size_t colon = part.find(':');
    return colon != std::string_view::npos && colon <= 40;
  };
  if (h && h.action == PhraseAction::kCredit && h.at_start && (label_colon(raw) || h.multi_word)) {
    return true;
  }
  // Does `part` (raw text) hold an agency, or a label with its colon?
  auto has_credit = [&phrases, &label_colon](std::string_view part) {
    const std::string folded = Normalizer::Fold(part);
    for (size_t start = 0; start < folded.size();) {  // a credit may follow other phrases
      PhraseHit t = phrases.Match(std::string_view(folded).substr(start));
      if (!t) return false;  // Match looked at every word
      if (t.action == PhraseAction::kAgency) return true;
      if (t.action == PhraseAction::kCredit && label_colon(part)) return true;
      start = folded.find(' ', start);
      if (start == std::string::npos) return false;
      ++start;
    }
    return false;
  };
  // The rest looks for credit words: most lines have none (Match's word pass
  // tested each word's bit). A longer line was folded only at its start, so
  // its end is folded too when a credit could sit there: in a credit's
  // punctuation, or at the end of a caption without a full stop.
  if (!h.may_credit) {
    if (folded_full) return false;
    const std::string_view end = Suffix(raw, 120);
    const bool punct = FirstBracketSlashOrBar(end) < end.size();
    if (!punct && ends_sentence) return false;
    if (!phrases.Match(Normalizer::Fold(end)).may_credit) return false;
  }
  size_t p = FirstBracketSlashOrBar(raw);  // the first bracket, slash or bar
  if (p == raw.size()) p = std::string_view::npos;
  if (p != std::string_view::npos && has_credit(CutUtf8(raw.substr(p + 1), 160))) return true;
  if (!ends_sentence && raw.size() > 60) {
    const std::string_view tail = Suffix(raw, 60);
    const size_t sp = tail.find(' ');  // the first word may be cut
    if (sp != std::string_view::npos && has_credit(tail.substr(sp + 1))) return true;
  }
  return false;
}


}  // namespace

const std::vector<std::string>& RemovalReasons() { return AllReasons(); }

// Text pages: does the article go on after the stand-alone marker at
// `marker` ("Lire aussi", "الأكثر قراءة")? A side column flattened into the
// text puts such a marker between two paragraphs of one article; a related
// article glued after the body speaks of other things. The prose under the
// marker (up to the next marker) continues the article when a fair share of
// its content words (names, places, topic words; not stop words) were
// already used by the title and the prose above. Too little prose under the
// marker to tell (a teaser or two) is cut as before.
bool ArticleGoesOn(const Stoplists* stop, const std::vector<Block>& blocks, const std::vector<Info>& info,
                   size_t marker, int lang) {
  if (stop == nullptr || lang < 0) return false;
  const size_t n = blocks.size();
  // Bounded cost: the first 24 content words under the marker are a fair
  // sample; they are compared with the title's and the 100 nearest above it
  // (a nearer window also decides better: 24 / 100 kept more of T22 than
  // 40 / 150 and no glued article of T04).
  constexpr size_t kAfterWords = 24, kBeforeWords = 100;
  std::vector<uint64_t> after;
  for (size_t k = marker + 1; k < n && after.size() < kAfterWords; ++k) {
    if (info[k].hit && info[k].hit.action == PhraseAction::kCut && info[k].hit.whole_line) break;
    if (info[k].cls == Cls::kGood) stop->ContentWords(blocks[k].text, lang, &after, kAfterWords);
  }
  constexpr size_t kMinWords = 12;  // about two lines of prose
  if (after.size() < kMinWords) return false;
  std::vector<uint64_t> before;
  for (size_t k = marker; k-- > 0 && before.size() < kBeforeWords;) {
    if (info[k].cls == Cls::kGood && !info[k].is_title) stop->ContentWords(blocks[k].text, lang, &before, kBeforeWords);
  }
  for (size_t k = 0; k < marker; ++k) {
    if (info[k].is_title) stop->ContentWords(blocks[k].text, lang, &before);
  }
  std::sort(before.begin(), before.end());
  size_t shared = 0;
  std::vector<uint64_t> distinct;
  for (uint64_t h : after) {
    if (std::binary_search(before.begin(), before.end(), h)) {
      ++shared;
      distinct.push_back(h);
    }
  }
  std::sort(distinct.begin(), distinct.end());
  const size_t words = static_cast<size_t>(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
  // Measured on the dev set's pages: a glued related article shares at most
  // 14 % of its content words with the article above (most share under 5 %:
  // common verbs and the country's name); the rest of a split article 9-44 %.
  return words >= 4 && shared * 100 >= after.size() * 15;
}

// Text pages: under a "you may also like" marker, one or more teaser cards
// (a headline, then a reading-time line: "مطبخ · 6 دقائق") and right after
// them a line of prose. A box set between two paragraphs: the text under
// it is the article's again, however few words it shares with the text
// above (a new article would begin with its own headline, not prose). A
// list of cards at the page's end has no prose under it. The cards
// themselves go by the teaser-card rule in Clean.
bool CardsThenProse(const std::vector<Block>& blocks, const std::vector<Info>& info, size_t marker) {
  const size_t n = blocks.size();
  size_t j = marker + 1;
  int cards = 0;
  while (j + 1 < n && !info[j].reading_time && info[j + 1].reading_time && !info[j].end_punct &&
         info[j].tokens >= 2 && info[j].tokens <= 24) {
    ++cards;
    j += 2;
  }
  return cards > 0 && j < n && info[j].cls == Cls::kGood && !info[j].is_title;
}

// See the call in Clean: teaser units after the body, each beside the same
// removed short line (round 10 of issue 14).
void MarkRepeatedUnits(const std::vector<Block>& blocks, std::vector<Info>& info, const std::string* why) {
  const size_t n = info.size();
  size_t first_good = n;
  for (size_t i = 0; i < n; ++i) {
    if (info[i].cls == Cls::kGood) {
      first_good = i;
      break;
    }
  }
  if (first_good == n) return;
  // Removed short lines after the body began: one to four words, no sentence end.
  std::vector<size_t> cand;
  for (size_t i = first_good + 1; i < n; ++i) {
    const Info& f = info[i];
    if (f.reason != nullptr && f.tokens >= 1 && f.tokens <= 4 && f.cp < 40 && !f.end_punct && !f.is_title) {
      cand.push_back(i);
    }
  }
  if (cand.size() < 2) return;
  // A unit's first line reads as a headline: 3-20 words, no full stop at
  // its end (a headline may end with "!" or "؟"). (It may have been removed
  // already: the first "read more" cuts what follows as another article.)
  auto headline = [&](size_t k) {
    const Info& f = info[k];
    return !f.is_title && !(f.end_punct && blocks[k].text.back() == '.') && f.tokens >= 3 && f.tokens <= 20;
  };
  // Nothing the article tests passed after `from` (the units are the page's tail).
  auto tail = [&](size_t from) {
    for (size_t k = from; k < n; ++k) {
      if (info[k].cls == Cls::kGood && info[k].reason == nullptr) return false;
    }
    return true;
  };
  std::vector<size_t> pos;
  std::vector<char> done(cand.size(), 0);
  for (size_t c = 0; c < cand.size(); ++c) {
    if (done[c]) continue;
    pos.clear();
    for (size_t d = c; d < cand.size(); ++d) {
      if (!done[d] && info[cand[d]].hash == info[cand[c]].hash) {
        pos.push_back(cand[d]);
        done[d] = 1;
      }
    }
    if (pos.size() < 2) continue;
    bool ok = true;
    size_t gap_first = 0, gap_last = 0;
    for (size_t k = 0; k + 1 < pos.size() && ok; ++k) {
      const size_t gap = pos[k + 1] - pos[k] - 1;
      ok = gap >= 1 && gap <= 3;
      if (k == 0) gap_first = gap;
      gap_last = gap;
    }
    if (!ok) continue;
    // The line closes each unit ("headline, lede, read more"): the unit
    // above the first one is a teaser too. Or it opens each: the one below
    // the last.
    size_t from = n, to = n;
    bool units = true;
    for (size_t k = 0; k + 1 < pos.size(); ++k) units = units && headline(pos[k] + 1);
    if (!units) continue;
    if (pos[0] >= gap_first + first_good + 1 && headline(pos[0] - gap_first) && tail(pos.back() + 1)) {
      from = pos[0] - gap_first;
      to = pos.back();
    } else if (pos.back() + gap_last < n && headline(pos.back() + 1) && tail(pos.back() + gap_last + 1)) {
      from = pos[0];
      to = pos.back() + gap_last;
    }
    for (size_t k = from; k <= to && to < n; ++k) {
      if (info[k].reason == nullptr && !info[k].is_title) {
        info[k].reason = why;
        info[k].cls = Cls::kBad;
      }
    }
  }
}

// See the call in Clean: entries of a comment thread after the body.
void MarkDatedEntries(const std::vector<Block>& blocks, std::vector<Info>& info, const std::string* dateline,
                      const std::string* banner, const std::string* why) {
  const size_t n = blocks.size();
  auto stamp = [&](size_t k) { return info[k].reason == dateline || info[k].reason == banner; };
  // Removed, or furniture by its shape (a counter: "أعجبني (12)").
  auto removed = [&](size_t k) { return (info[k].cls == Cls::kBad && info[k].reason != nullptr) || info[k].shape; };
  size_t first_body = n;  // the article's first good line that is no such entry
  std::vector<size_t> entries;
  for (size_t i = 1; i + 1 < n; ++i) {
    const bool entry = info[i].reason == nullptr && !info[i].is_title && stamp(i - 1) && removed(i + 1);
    if (entry && first_body < i) {
      entries.push_back(i);
    } else if (!entry && info[i].cls == Cls::kGood && first_body == n) {
      first_body = i;
    }
  }
  if (entries.size() < 2) return;
  for (size_t i : entries) {
    info[i].reason = why;
    info[i].cls = Cls::kBad;
  }
}

// HTML: a note of the publication about itself at the end of the article.
// Among the last three kept blocks of a page that keeps six or more, the
// first that names the site (og:site_name, folded, as whole words) is
// dropped when no kept block above it (nor the title) names it: a
// disclaimer ("NOW Grenada is not responsible for ..."), a promo ("... en
// Guatemala.com tenemos canal de Telegram"), an author's bio ("... Senior
// Editor for the California Globe"), a citation or licence line. An
// article about the site's owner names it earlier and keeps the line.
// Names that fold to under four bytes are not used.
static bool DropSiteNoteAtTheEnd(const std::vector<Block>& blocks, const std::vector<Info>& info,
                                 const std::string& site_name, std::vector<Cls>& out) {
  const std::string name = Normalizer::Fold(site_name);
  if (name.size() < 4) return false;  // "U.S." folds to "u s"; "Tom" is a word more often than a name
  auto names = [&name](const std::string& text) {
    const std::string f = Normalizer::Fold(text);
    for (size_t p = f.find(name); p != std::string::npos; p = f.find(name, p + 1)) {
      const size_t e = p + name.size();
      if ((p == 0 || f[p - 1] == ' ') && (e == f.size() || f[e] == ' ')) return true;
    }
    return false;
  };
  const size_t n = blocks.size();
  std::vector<size_t> kept;
  for (size_t i = 0; i < n; ++i) {
    if (out[i] == Cls::kGood && info[i].reason == nullptr && !info[i].is_title) kept.push_back(i);
  }
  if (kept.size() < 6) return false;
  size_t hit = n;
  for (size_t k = kept.size() - 3; k < kept.size() && hit == n; ++k) {
    if (names(blocks[kept[k]].text)) hit = k;
  }
  if (hit == n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (info[i].is_title && names(blocks[i].text)) return false;
  }
  for (size_t k = 0; k < hit; ++k) {
    if (names(blocks[kept[k]].text)) return false;
  }
  out[kept[hit]] = Cls::kBad;
  return true;
}

// HTML: the article element (a block's hint > 0 names it; not one covering
// 90 % of the page) beside `main` that the main container should be when
// `main` is a blurb of one or two blocks: three or more of its blocks pass
// no hard reason, boilerplate hint or link test, and they hold more code
// points than `main`. `main` itself when there is none (the one with the most
// such text wins).
static std::pair<int, int> ArticleBesideABlurb(const std::vector<Block>& blocks, const std::vector<Info>& info,
                                               const std::vector<std::pair<int, int>>& ranges,
                                               std::pair<int, int> main) {
  const size_t n = blocks.size();
  int main_cp = 0;
  for (int i = main.first; i < main.second; ++i) main_cp += info[static_cast<size_t>(i)].cp;
  std::pair<int, int> pick = main;
  int pick_cp = main_cp;
  int last_node = -1;
  for (size_t i = 0; i < n; ++i) {
    const Block& b = blocks[i];
    if (b.hint <= 0 || b.hint_node < 0 || b.hint_node == last_node) continue;
    last_node = b.hint_node;
    const auto r = ranges[static_cast<size_t>(b.hint_node)];
    if (static_cast<size_t>(r.second - r.first) * 10 >= n * 9) continue;
    if (r.second > main.first && main.second > r.first) continue;  // overlaps the winner
    int lines = 0, cp = 0;
    for (int k = r.first; k < r.second; ++k) {
      const size_t kk = static_cast<size_t>(k);
      if (info[kk].reason != nullptr || info[kk].hit || blocks[kk].link_density > 0.5 || blocks[kk].hint < 0) {
        continue;
      }
      ++lines;
      cp += info[kk].cp;
    }
    if (lines >= 3 && cp > pick_cp) {
      pick = r;
      pick_cp = cp;
    }
  }
  return pick;
}

// Round 12 (issue 14): per-line features for a learned line classifier,
// written by NEWSFLOW_CLEAN_DEBUG=features (`clean_tool features`) for
// stages/clean/tools/ardev/learn_lines.py. Everything here is what the rules
// already computed (shape, classes before and after smoothing, reasons,
// flags) plus cheap byte counts, position and the neighbours' values.
constexpr int kNeighbourFeatures = 6;
const std::vector<std::string>& LineFeatureNames() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v = {
        "log_cp", "log_tokens", "end_punct", "sent_punct", "stop", "stop_measured", "ends_colon",
        "cls_good", "cls_near", "cls_short", "cls_bad", "out_good", "has_reason", "rule_keep",
        "hit", "hit_cut", "shape", "kicker", "clock", "aside", "contact", "pager", "continues",
        "para_start", "over_width", "digit_share", "latin_share", "has_bar", "has_colon", "bullet",
        "starts_digit", "repeated", "r_template", "r_date", "r_caption", "r_navigation", "r_teaser",
        "r_tail", "r_title_repeat", "r_duplicate", "r_short_low", "r_other",
        "rel_pos", "before_first_keep", "after_last_keep", "log_dist_keep", "above_title",
        "under_title", "log_lines", "page_keep_share", "log_cp_vs_page"};
    for (const char* side : {"p1_", "n1_", "p2_", "n2_"}) {
      for (const char* f : {"log_cp", "end_punct", "cls_good", "rule_keep", "has_reason", "stop"}) {
        v.push_back(std::string(side) + f);
      }
    }
    return v;
  }();
  return k;
}

static void LineFeatures(const std::vector<Block>& blocks, const std::vector<Info>& info,
                         const std::vector<Cls>& cls, const std::vector<Cls>& out, int lang,
                         size_t title_idx, std::vector<float>& x) {
  const size_t n = blocks.size();
  const size_t nf = LineFeatureNames().size();
  constexpr size_t kBase = 51;  // features before the neighbours'
  x.assign(n * nf, 0.0f);
  std::vector<char> keep(n);
  size_t first_keep = n, last_keep = n, kept = 0;
  std::vector<uint64_t> hashes(n);
  double log_cp_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    keep[i] = out[i] == Cls::kGood && info[i].reason == nullptr && !info[i].is_title;
    if (keep[i]) {
      if (first_keep == n) first_keep = i;
      last_keep = i;
      ++kept;
      log_cp_sum += std::log1p(info[i].cp);
    }
    hashes[i] = info[i].hash;
  }
  std::sort(hashes.begin(), hashes.end());
  const double mean_keep_cp = kept ? log_cp_sum / kept : 0.0;
  std::vector<int> dist(n, 1 << 20);
  for (size_t i = 0, last = n; i < n; ++i) {
    if (keep[i]) last = i;
    if (last < n) dist[i] = static_cast<int>(i - last);
  }
  for (size_t i = n, next = n; i-- > 0;) {
    if (keep[i]) next = i;
    if (next < n) dist[i] = std::min(dist[i], static_cast<int>(next - i));
  }
  auto reason_is = [&](size_t i, std::initializer_list<const char*> names) {
    if (info[i].reason == nullptr) return false;
    for (const char* s : names) {
      if (*info[i].reason == s) return true;
    }
    return false;
  };
  for (size_t i = 0; i < n; ++i) {
    float* f = &x[i * nf];
    const Info& g = info[i];
    const std::string& t = blocks[i].text;
    int digits = 0, latin = 0;
    bool bar = false, colon = false;
    for (size_t k = 0; k < t.size(); ++k) {
      const unsigned char c = static_cast<unsigned char>(t[k]);
      if (c >= '0' && c <= '9') ++digits;
      else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ++latin;
      else if (c == 0xD9 && k + 1 < t.size() && static_cast<unsigned char>(t[k + 1]) >= 0xA0 &&
               static_cast<unsigned char>(t[k + 1]) <= 0xA9) ++digits;
      else if (c == '|') bar = true;
      else if (c == ':') colon = true;
    }
    const double cp = std::max(1, g.cp);
    const bool measured = lang >= 0 && g.cp >= 70 && (g.cp < 200 || g.sent_punct < 2);
    const auto range = std::equal_range(hashes.begin(), hashes.end(), g.hash);
    size_t k = 0;
    f[k++] = static_cast<float>(std::log1p(g.cp));
    f[k++] = static_cast<float>(std::log1p(g.tokens));
    f[k++] = g.end_punct;
    f[k++] = std::min(g.sent_punct, 5) / 5.0f;
    f[k++] = static_cast<float>(g.stop);
    f[k++] = measured;
    f[k++] = EndsWithColon(t);
    f[k++] = cls[i] == Cls::kGood;
    f[k++] = cls[i] == Cls::kNear;
    f[k++] = cls[i] == Cls::kShort;
    f[k++] = cls[i] == Cls::kBad;
    f[k++] = out[i] == Cls::kGood;
    f[k++] = g.reason != nullptr;
    f[k++] = keep[i];
    f[k++] = static_cast<bool>(g.hit);
    f[k++] = g.hit && g.hit.action == PhraseAction::kCut;
    f[k++] = g.shape;
    f[k++] = g.kicker;
    f[k++] = g.clock;
    f[k++] = g.aside;
    f[k++] = g.contact;
    f[k++] = g.pager;
    f[k++] = g.continues;
    f[k++] = g.para_start;
    f[k++] = g.over_width;
    f[k++] = static_cast<float>(digits / cp);
    f[k++] = static_cast<float>(latin / cp);
    f[k++] = bar;
    f[k++] = colon;
    f[k++] = BulletItem(t);
    f[k++] = !t.empty() && ((t[0] >= '0' && t[0] <= '9') ||
                            (static_cast<unsigned char>(t[0]) == 0xD9 && t.size() > 1 &&
                             static_cast<unsigned char>(t[1]) >= 0xA0 && static_cast<unsigned char>(t[1]) <= 0xA9));
    f[k++] = range.second - range.first > 1;
    f[k++] = reason_is(i, {"template"});
    f[k++] = reason_is(i, {"dateline", "date_banner"});
    f[k++] = reason_is(i, {"caption", "disclosure"});
    f[k++] = reason_is(i, {"navigation", "breadcrumb", "link_dense"});
    f[k++] = reason_is(i, {"teaser", "read_also", "read_next"});
    f[k++] = reason_is(i, {"unrelated_tail"});
    f[k++] = reason_is(i, {"title_repeat"});
    f[k++] = reason_is(i, {"duplicate"});
    f[k++] = reason_is(i, {"short", "low_text"});
    {
      float any = 0;
      for (size_t r = k - 9; r < k; ++r) any += f[r];
      f[k++] = g.reason != nullptr && any == 0;
    }
    f[k++] = n > 1 ? static_cast<float>(i) / static_cast<float>(n - 1) : 0.0f;
    f[k++] = first_keep == n || i < first_keep;
    f[k++] = last_keep == n || i > last_keep;
    f[k++] = static_cast<float>(std::log1p(std::min(dist[i], 1000)));
    f[k++] = title_idx < n && i < title_idx;
    f[k++] = title_idx < n && i == title_idx + 1;
    f[k++] = static_cast<float>(std::log1p(n));
    f[k++] = n ? static_cast<float>(kept) / static_cast<float>(n) : 0.0f;
    f[k++] = static_cast<float>(std::log1p(g.cp) - mean_keep_cp);
  }
  for (size_t i = 0; i < n; ++i) {
    float* f = &x[i * nf] + kBase;
    const long offs[] = {-1, 1, -2, 2};
    for (int s = 0; s < 4; ++s) {
      const long j = static_cast<long>(i) + offs[s];
      float* o = f + s * kNeighbourFeatures;
      if (j < 0 || j >= static_cast<long>(n)) continue;  // all zero: no line there
      const float* y = &x[static_cast<size_t>(j) * nf];
      o[0] = y[0];   // log_cp
      o[1] = y[2];   // end_punct
      o[2] = y[7];   // cls_good
      o[3] = y[13];  // rule_keep
      o[4] = y[12];  // has_reason
      o[5] = y[4];   // stop
    }
  }
}

Result<CleanResult> BlockCleaner::Clean(std::vector<Block>& blocks, const PageInfo& page,
                                        std::chrono::steady_clock::time_point deadline) {
  const size_t n = blocks.size();
  auto reason = [](std::string_view r) -> const std::string* {
    for (const std::string& s : AllReasons()) {
      if (s == r) return &s;
    }
    return &AllReasons().back();
  };
  auto timed_out = [&](size_t i) {
    return (i & 63) == 0 && std::chrono::steady_clock::now() > deadline;
  };

  // The page's stop-word language, from its first few hundred tokens. Every
  // page is detected on its own: one source can publish in several languages
  // (a wire desk, a folder of pages), and ~100 lookups cost little.
  int lang = -1;
  // Latin-only short lines are menus on a page in another script; looked at
  // (once) only when such a line turns up.
  std::string sample;
  int non_latin_page = -1;
  auto non_latin = [&] {
    if (non_latin_page < 0) non_latin_page = MostlyNonLatin(sample) ? 1 : 0;
    return non_latin_page == 1;
  };
  if (stop_ != nullptr && !stop_->empty()) {
    for (size_t i = 0; i < n && sample.size() < 2000; ++i) {
      if (blocks[i].text.size() > 60) {
        sample.append(CutUtf8(blocks[i].text, 600));
        sample.push_back(' ');
      }
    }
    // A page of short lines (a column, hard-wrapped text): its shorter lines too.
    for (size_t i = 0; sample.size() < 300 && i < n; ++i) {
      if (blocks[i].text.size() > 15 && blocks[i].text.size() <= 60) {
        sample.append(blocks[i].text);
        sample.push_back(' ');
      }
    }
    lang = stop_->DetectLanguage(sample, 100);
  }

  // Every line's hash, and which of them the site's template holds, for the
  // whole page at once: one lookup of the source under one lock of the store
  // the copies of `clean` in a process share.
  std::vector<uint64_t> line_hashes(n);
  for (size_t i = 0; i < n; ++i) line_hashes[i] = XXH3_64bits(blocks[i].text.data(), blocks[i].text.size());
  std::vector<char> template_line;
  if (opt_.learn_templates && templates_ != nullptr) templates_->TemplateLines(page.source, line_hashes, template_line);

  std::vector<Info> info(n);
  for (size_t i = 0; i < n; ++i) {
    if (timed_out(i)) return Status::Timeout("clean: time budget exceeded while scoring blocks");
    Info& f = info[i];
    const std::string& t = blocks[i].text;
    int cjk = 0;
    LineStats(t, &f.cp, &f.tokens, &f.sent_punct, &cjk);
    f.end_punct = EndsSentence(t);
    const bool longish = f.cp > opt_.max_boilerplate_chars;
    // Folded text serves phrase, title and date matching, all of which look
    // at short lines or line starts; long lines fold only their beginning.
    if (!longish) {
      // Lines past a short length only need their beginning folded (phrase
      // prefixes, and "contains" phrases near the start); equality tests
      // (title, repeats) then use the raw hash.
      f.folded_full = f.cp <= 120;
      f.folded = Normalizer::Fold(f.folded_full ? std::string_view(t) : CutUtf8(t, kFoldBytes));
    }
    f.hash = line_hashes[i];
    // Density only decides blocks of middle length, or long ones without
    // sentence punctuation (see the initial classes below).
    if (lang >= 0 && f.cp >= 70 && (f.cp < 200 || f.sent_punct < 2) && !MostlyHanKana(f.cp, cjk)) {
      f.stop = stop_->Measure(t, lang, 20).value();
    } else {
      f.stop = 1.0;
    }

    if (!template_line.empty() && !longish && template_line[i]) {
      f.reason = reason("template");
      // A stand-alone marker ("إقرأ أيضاً:", "Related articles") repeats on
      // every page of its site, so it becomes template too: it must still
      // end the article (or head its box).
      if (phrases_ != nullptr) {
        const PhraseHit h = phrases_->Match(f.folded);
        if (h && ((h.action == PhraseAction::kCut && h.whole_line) || h.action == PhraseAction::kPublished ||
                  h.action == PhraseAction::kUpdated)) {
          f.hit = h;  // a date label still states the page's date
        }
      }
      continue;
    }
    if (LooksLikeBreadcrumb(t, f.cp, page.ranges == nullptr) && !FindDate(f.folded)) {
      f.reason = reason("breadcrumb");
      continue;
    }
    if (phrases_ != nullptr) {
      const PhraseHit h = phrases_->Match(f.folded);
      if (h && (h.whole_line || !longish)) {
        f.hit = h;
        if (h.action == PhraseAction::kDrop) {
          f.reason = reason(*h.reason);
        } else if (h.action == PhraseAction::kCut) {
          if (!h.whole_line) f.reason = reason(*h.reason);  // inline teaser: this line only
        }
      }
      if (!longish && LooksLikeCredit(*phrases_, t, f.folded_full, h, f.end_punct)) {
        f.reason = reason("caption");
        f.hit = PhraseHit{};
      } else if (f.hit && (f.hit.action == PhraseAction::kCredit || f.hit.action == PhraseAction::kAgency)) {
        f.hit = PhraseHit{};
      }
    }
    // Words spelt with Cyrillic look-alikes of Latin letters: an ad (round 14).
    if (f.reason == nullptr && MixesLatinAndCyrillic(t)) {
      f.reason = reason("other");
      f.hit = PhraseHit{};
    }
    // HTML pages: a reading time by the byline (round 13).
    if (page.ranges != nullptr && f.reason == nullptr && !f.hit && f.cp <= 60 &&
        LooksLikeReadingTime(f.folded)) {
      f.reason = reason("dateline");
    }
    // Text pages: a news ticker flattened into one line, its headlines
    // between arrows or bullets, however long (round 18).
    if (page.ranges == nullptr && f.reason == nullptr && !f.hit && LooksLikeHeadlineTicker(t)) {
      f.reason = reason("navigation");
    }
    // Text pages: a teaser that ends with its age, "headline · source · منذ 5
    // ساعات" (round 22).
    if (page.ranges == nullptr && f.reason == nullptr && !f.hit && !f.end_punct && f.tokens >= 5 &&
        LooksLikeAgedTeaser(t)) {
      f.reason = reason("teaser");
    }
    // Text pages: furniture by its shape (furniture.h), whatever its words.
    if (page.ranges == nullptr && f.reason == nullptr && !f.hit && !longish) {
      if (LooksLikeTicker(t, f.end_punct) && !FindDate(f.folded)) {
        f.reason = reason("navigation");  // "الدولار 3.75 | اليورو 4.10 | ..."
      } else if (LooksLikePager(t) && !FindDate(f.folded)) {
        f.reason = reason("navigation");  // "« السابق 1 2 3 التالي »", "الصفحة 2 من 3"
        f.pager = true;
      } else if (LooksLikeKicker(t)) {
        f.kicker = true;  // "فيديو | ...", "شريط الأخبار | ..."
      } else if (f.cp <= 12 && IsClockOnly(t)) {
        f.clock = true;  // "4:32" (a video's length), "14:05"
      } else if (f.tokens <= 5 && LooksLikePageMark(t, f.tokens)) {
        f.clock = true;  // "- ١٠ -", "تابع ص ١٤" (an e-paper's page number, a jump line)
      } else if (IsTagOrHandleLine(t)) {
        f.reason = reason("tags");  // "#عاجل #الرياض", "@channel"
        f.aside = true;
      } else if (LooksLikeWeather(t, f.tokens)) {
        f.reason = reason("navigation");  // "جدة 40° غائم جزئيا" (a weather widget, round 16)
        f.aside = true;
      } else if (LooksLikeLanguageMenu(t)) {
        f.reason = reason("navigation");  // "الخدمة العربية English Français 中文" (round 16)
        f.aside = true;
      } else if (LooksLikeShareRow(f.folded)) {
        f.reason = reason("share");  // "شارك فيسبوك تويتر واتساب" (round 16)
        f.aside = true;
      } else if (LooksLikeToolRow(f.folded)) {
        f.reason = reason("share");  // "طباعة البريد الإلكتروني تكبير تصغير" (round 25)
        f.aside = true;
      } else if (LooksLikePrevNextLink(t, f.folded)) {
        f.reason = reason("read_next");  // "الحلقة السابقة: ...", "الألبوم التالي ◀" (round 25)
      } else if (IsSymbolCounter(t) && !FindDate(f.folded)) {
        f.reason = reason("navigation");  // "👁 63.8K 22:03", "👍 321 ❤️ 173"
        f.aside = true;
      } else if (StartsWithPlayGlyph(t)) {
        f.reason = reason("player");  // "▶ شاهد: ...", "🎥 فيديو: ..." (round 11)
        f.aside = true;
      } else if (LooksLikeContactLine(t, f.tokens, f.end_punct)) {
        f.reason = reason("other");  // "للبيع شقة ... ت: 0551234567" (round 11)
        f.aside = true;
        f.contact = true;
      } else if (LooksLikeEmbedSignature(t)) {
        // "— Name (@handle) July 26, 2015" closes an embedded post: the bare
        // link right above it and the post's text above that go with it.
        f.reason = reason("player");
        f.aside = true;
        size_t k = i;
        while (k > 0 && info[k - 1].reason == nullptr && IsBareLink(blocks[k - 1].text)) {
          --k;
          info[k].reason = reason("player");
          info[k].aside = true;
        }
        if (k > 0 && info[k - 1].reason == nullptr && !info[k - 1].hit && info[k - 1].cp <= 300) {
          info[k - 1].reason = reason("player");
          info[k - 1].aside = true;
        }
      } else if (LooksLikeLatinOnly(t, f.tokens, 6) && non_latin()) {
        f.shape = true;  // "Menu Search", "Powered by WordPress" (a film's title in the body)
      } else if (f.cp <= 80 && LooksLikeCounter(t, f.tokens) && !FindDate(f.folded) &&
                 !FindRelativeDate(f.folded, page.fetched_at)) {
        f.shape = true;  // "4 دقائق للقراءة", "24 مشاهدة"
        f.reading_time = LooksLikeReadingTime(t, f.tokens);
      } else if (f.cp <= 80 && LooksLikeReadingTime(t, f.tokens)) {
        f.shape = true;  // "صحة ورشاقة · 4 دقائق"
        f.reading_time = true;
      }
    }
  }

  // Text pages: a table of contents (round 24): three or more lines
  // numbered 1, 2, 3... in a row, each the number and one to five words
  // without a sentence end ("١ التعريف", "2 التفاصيل"), and a one- or
  // two-word heading right above them ("محتويات"). An article's numbered
  // list puts a mark after the number ("1 - ...", "1. ...") or says more.
  if (page.ranges == nullptr) {
    auto toc_number = [&](size_t i) {
      const Info& f = info[i];
      if (f.reason != nullptr || f.hit || f.end_punct || f.tokens < 2 || f.tokens > 6) return -1;
      return TocEntryNumber(blocks[i].text);
    };
    for (size_t i = 0; i < n;) {
      if (toc_number(i) != 1) {
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (j < n && toc_number(j) == toc_number(j - 1) + 1) ++j;
      if (j - i >= 3) {
        for (size_t k = i; k < j; ++k) info[k].reason = reason("navigation");
        if (i > 0 && info[i - 1].reason == nullptr && !info[i - 1].hit && info[i - 1].tokens <= 2 &&
            !info[i - 1].end_punct) {
          info[i - 1].reason = reason("navigation");
        }
      }
      i = j;
    }
  }

  // Initial classes: length, punctuation, stop words, links, markup hints.
  for (size_t i = 0; i < n; ++i) {
    Info& f = info[i];
    const Block& b = blocks[i];
    if (f.reason != nullptr || (f.hit && f.hit.action == PhraseAction::kCut)) {
      f.cls = Cls::kBad;
      continue;
    }
    const bool stop_low = lang >= 0 && f.stop < 0.15;
    const bool stop_ok = lang < 0 || f.stop >= 0.30;
    if (b.link_density > 0.5) {
      f.cls = Cls::kBad;
      f.reason = reason("link_dense");
    } else if (f.cp >= 200) {
      f.cls = ((!stop_low || f.sent_punct >= 2) && b.link_density <= 0.25) ? Cls::kGood : Cls::kNear;
    } else if (f.cp >= 70) {
      // A sentence that ends with a colon announces what follows (a quote,
      // verse, a list): prose as much as one ending with a full stop.
      const bool announces = EndsWithColon(b.text) && f.tokens >= 8;
      if (stop_ok && (f.end_punct || announces) && b.link_density <= 0.2) f.cls = Cls::kGood;
      else if (!stop_low && b.link_density <= 0.3) f.cls = Cls::kNear;
      else f.cls = Cls::kBad;
    } else {
      f.cls = Cls::kShort;
    }
  }
  // The first block that passed the article tests on its own (before any
  // context rule): the title is looked for above it.
  size_t first_body = n;
  for (size_t i = 0; i < n; ++i) {
    if (info[i].cls == Cls::kGood) {
      first_body = i;
      break;
    }
  }
  // Round 11, text pages: a box that ends in contact lines (classified ads
  // under their heading, an obituary notice, a press office's name, role and
  // telephone) is furniture together with the lines right above it that end
  // no sentence and are short (a heading, a name, a notice), up to six of
  // them, never above the first body line: a side column flattened between
  // the paragraphs says nothing about them.
  if (page.ranges == nullptr) {
    const std::string* template_reason = reason("template");
    for (size_t i = first_body + 1; i < n; ++i) {
      if (!info[i].contact || info[i - 1].contact) continue;
      for (size_t k = i - 1, steps = 0; k > first_body && steps < 6; --k, ++steps) {
        Info& g = info[k];
        // (A heading that template learning already removed is part of the
        // box: the walk goes on above it.)
        if (g.reason == template_reason) continue;
        if (g.reason != nullptr || g.hit || g.cls == Cls::kGood || g.end_punct || g.cp > 160 || g.tokens > 24) break;
        g.reason = reason("other");
        g.cls = Cls::kBad;
        g.aside = true;
      }
    }
  }
  // Text pages: hard-wrapped paragraphs and columns of short lines (an
  // opinion column, a poem, a print layout) are prose cut into lines that
  // are each too short to pass. A run of three or more such lines is judged
  // as one paragraph: enough text, stop words at the density of prose, and
  // lines that continue one another (most do not end a sentence) but a
  // sentence ends somewhere. Lists of headlines and menus fail the
  // stop-word or the sentence test.
  if (page.ranges == nullptr && lang >= 0) {
    // A line that is only a date ("21 يوليو 2015", a weekday with it) is a
    // teaser's or the page's date, never a piece of a wrapped paragraph: it
    // ends a run (dates are classed further down, after this step).
    std::vector<signed char> date_only_memo(n, -1);  // eligible() asks twice per line
    auto date_only = [&](size_t k) {
      const Info& f = info[k];
      if (f.tokens > 6 || f.folded.empty()) return false;
      if (date_only_memo[k] < 0) {
        const auto d = FindDate(f.folded);
        date_only_memo[k] = d.has_value() && d->other_tokens == 0;
      }
      return date_only_memo[k] == 1;
    };
    auto eligible = [&](size_t k) {
      const Info& f = info[k];
      return f.reason == nullptr && !f.hit && !f.shape && f.cls != Cls::kGood && f.cp >= 8 && f.cp < 200 &&
             f.tokens >= 2 && !date_only(k);
    };
    // A sentence ends on the line: not a decimal point ("3.76") inside it.
    auto sentence = [&](size_t k) {
      return info[k].end_punct || (info[k].sent_punct > 0 && HasSentenceEnd(blocks[k].text));
    };
    std::vector<Stoplists::Density> run_stop;
    std::vector<int> widths;
    bool prose_above = false;  // a run before this one was taken for prose
    size_t last_body = n;  // the last block that passed the article tests on its own
    for (size_t k = n; k-- > 0;) {
      if (info[k].cls == Cls::kGood) {
        last_body = k;
        break;
      }
    }
    size_t i = 0;
    while (i < n) {
      if (!eligible(i)) {
        ++i;
        continue;
      }
      size_t j = i;
      int run_cp = 0, run_sentences = 0;
      while (j < n && eligible(j)) {
        run_cp += info[j].cp;
        run_sentences += sentence(j);
        ++j;
      }
      // The wrapped sentence may end on a line too short for the run
      // ("السويدية.", one word): it ends the run's sentence all the same.
      const bool closing = j < n && !info[j - 1].end_punct && info[j].end_punct && info[j].reason == nullptr &&
                           !info[j].hit && !info[j].shape && info[j].cp < 70;
      // Cheap tests first: most runs are a few lines of furniture.
      // A run after one taken for prose may be shorter: the next paragraph
      // of the same hard-wrapped article (three lines of a 32-column wire).
      const int min_cp = prose_above ? 100 : 150;
      if (j - i < 3 || run_cp < min_cp || (run_sentences + closing == 0 && j - i < 8)) {
        i = j;
        continue;
      }
      run_stop.clear();
      for (size_t k = i; k < j; ++k) run_stop.push_back(stop_->Measure(blocks[k].text, lang, 64));
      // Lines at the edges without a single stop word are furniture around
      // the prose (a site name, a byline, "طباعة"), not part of it.
      size_t a = i, b = j;
      while (a < b && run_stop[a - i].stop == 0) ++a;
      while (b > a && run_stop[b - 1 - i].stop == 0) --b;
      // After the body (nothing below passed the tests on its own), a list
      // of headlines (teasers under a heading, "most read") is not prose,
      // even when one ends with "!" or "؟" or it follows the last wrapped
      // paragraph: three or more headline-sized lines (4+ words, 25+ code
      // points) making up 40 % of the lines, no line ending with a full
      // stop, and lines that end early: a third or more of those without
      // punctuation would have had room for the next line's first word
      // within the run's width (a wrapped line has none). The lines after
      // a run's last full stop are cut off when they read as such a list.
      // The run's width: the upper quartile of its line lengths (a longer
      // title or lede line in the run does not set it).
      widths.clear();
      for (size_t k = a; k < b; ++k) widths.push_back(info[k].cp);
      const int width = WrapWidth(widths);
      auto first_word_cp = [&](size_t k) { return FirstWordCp(blocks[k].text); };
      auto full_stop = [&](size_t k) {  // ends with "." (not "..")
        const std::string& t = blocks[k].text;
        return info[k].end_punct && t.back() == '.' && (t.size() < 2 || t[t.size() - 2] != '.');
      };
      auto list_like = [&](size_t from, size_t to) {
        if (to < from + 3) return false;
        int heads = 0, open = 0, early = 0;
        for (size_t k = from; k < to; ++k) {
          const Info& f = info[k];
          if (full_stop(k)) return false;
          heads += f.tokens >= 4 && f.cp >= 25;  // (a headline may end with "!" or "؟", never ".")
          if (!f.end_punct && k + 1 < to) {
            ++open;
            early += f.cp + 1 + first_word_cp(k + 1) <= width;
          }
        }
        return heads >= 3 && heads * 5 >= static_cast<int>(to - from) * 2 && early * 3 >= open;
      };
      // Open lines (no sentence end, not the run's last) and those of them
      // that end early.
      auto open_early = [&](size_t from, size_t to, int* open, int* early) {
        *open = *early = 0;
        for (size_t k = from; k + 1 < to; ++k) {
          if (info[k].end_punct) continue;
          ++*open;
          *early += info[k].cp + 1 + first_word_cp(k + 1) <= width;
        }
      };
      auto ragged = [&](size_t from, size_t to) {
        int open, early;
        open_early(from, to, &open, &early);
        return open >= 2 && early * 2 > open;
      };
      // Eight or more lines cut at the width (at most a quarter end early,
      // nine in ten at least three quarters of it): a hard-wrapped paragraph
      // even when its one sentence never ends with a full stop; a list of
      // headlines is shorter and ragged.
      auto tight = [&](size_t from, size_t to) {
        int open, early;
        if (to < from + 8) return false;
        open_early(from, to, &open, &early);
        int full = 0;
        for (size_t k = from; k < to; ++k) full += info[k].cp * 4 >= width * 3;
        return open >= 7 && early * 4 <= open && full * 10 >= static_cast<int>(to - from) * 9;
      };
      {
        size_t last_sentence = b;
        for (size_t k = b; k-- > a;) {
          if (full_stop(k)) {
            last_sentence = k;
            break;
          }
        }
        const bool after_body = last_body == n || last_body < i;
        if (after_body && last_sentence < b && list_like(last_sentence + 1, b)) b = last_sentence + 1;
        if (after_body && (first_body < i || prose_above) && list_like(a, b)) {
          i = j;
          continue;
        }
        // After a paragraph that passed on its own (nothing below did), a run
        // whose open lines mostly end early is ragged, not wrapped: a wrapped
        // line ends where the next line's first word would not have fitted
        // within the run's width. Post navigation, reply-form prompts and
        // category lines under an article read so; a page that is all short
        // lines (a column, a poem) has no such paragraph above and is judged
        // as before.
        if (after_body && last_body < i && ragged(a, b)) {
          i = j;
          continue;
        }
      }
      int cp = 0, open_ends = 0, sentences = 0;
      Stoplists::Density d;
      for (size_t k = a; k < b; ++k) {
        cp += info[k].cp;
        open_ends += !info[k].end_punct;
        sentences += sentence(k);
        d.tokens += run_stop[k - i].tokens;
        d.stop += run_stop[k - i].stop;
      }
      const size_t len = b - a;
      // Prose ends sentences somewhere; a list of headlines does not.
      if (len >= 3 && cp >= min_cp && d.value() >= 0.25 && open_ends * 3 >= static_cast<int>(len) * 2 &&
          (sentences > 0 || (b == j && closing) || tight(a, b))) {
        // (The run's width is its upper quartile, as above: a longer
        // headline or dateline taken into the run does not set it.)
        prose_above = true;
        for (size_t k = a; k < b; ++k) {
          info[k].cls = Cls::kGood;
          // The line above was cut by the wrap: no sentence end, near the width.
          // A line much longer than the run's width (a headline, a dateline
          // taken into the run) was not cut by the wrap.
          info[k].continues = k > a && !info[k - 1].end_punct && info[k - 1].cp * 5 >= width * 4 &&
                              info[k].cp * 4 <= width * 5;
          info[k].para_start = k > a && info[k - 1].end_punct;
          info[k].over_width = info[k].cp * 10 > width * 11 + 20;
        }
        // The last line of the wrapped sentence, however short ("والإنسانية."),
        // ends it: it may have been too short for the run or left at its edge.
        if (b < n && !info[b - 1].end_punct && info[b].end_punct && info[b].reason == nullptr && !info[b].hit &&
            !info[b].shape && info[b].cp < 70) {
          info[b].cls = Cls::kGood;
          info[b].continues = true;
        }
      }
      i = j;
    }
  }
  // Text pages: furniture by position. Before the first and after the last
  // line that passed the article tests, a counter or a Latin-only line on a
  // page in another script is a widget or a menu. After the
  // last one, a run of three or more headline-like lines (3-20 words, no
  // sentence end, not list items; timestamps, counters, ranks and menu
  // lines may sit between them) is a list of teasers: prose runs were judged above, so
  // these failed the prose test. The short lines between the body and such a
  // list go with it (its heading, "did you like it?", "join our channel").
  std::vector<size_t> announced;  // text pages: lines a colon line announced (kept below)
  if (page.ranges == nullptr) {
    size_t first_para = n, last_para = n;
    for (size_t i = 0; i < n; ++i) {
      if (info[i].cls != Cls::kGood) continue;
      if (first_para == n) first_para = i;
      last_para = i;
    }
    for (size_t i = 0; first_para < n && i < n; ++i) {
      if (info[i].shape && info[i].reason == nullptr && (i < first_para || i > last_para)) {
        info[i].reason = reason("navigation");
        info[i].cls = Cls::kBad;
      }
      // A kicker line ("فيديو | headline", "شريط الأخبار | headline") once
      // the article has begun: a video box or a ticker flattened between the
      // paragraphs, a related link after them. (Above the body such a line
      // may be the page's headline with its section: left to the title test.)
      if (info[i].kicker && info[i].reason == nullptr && i > first_para) {
        info[i].reason = reason("teaser");
        info[i].cls = Cls::kBad;
      }
      // So is a line that is only a clock time or a duration ("4:32" under
      // a video's kicker, a post's "14:05"): no article line is one.
      if (info[i].clock && info[i].reason == nullptr && i > first_para) {
        info[i].reason = reason("navigation");
        info[i].cls = Cls::kBad;
      }
    }
    auto list_marker = [](const std::string& t) {
      if (t.empty()) return false;
      if (t[0] == '*' || t[0] == '-' || t.rfind("\xE2\x80\xA2", 0) == 0) return true;  // •
      size_t d = 0;
      while (d < t.size() && d < 3 && t[d] >= '0' && t[d] <= '9') ++d;
      return d > 0 && d < t.size() && (t[d] == '.' || t[d] == ')' || t[d] == '-');
    };
    auto headline_like = [&](size_t k) {
      const Info& f = info[k];
      // (A sentence ending inside the line, "... هذا الأسبوع. سمات ...", is
      // the article's last paragraph with a leftover after it, not a headline.)
      return f.reason == nullptr && !f.hit && !f.end_punct && f.cls != Cls::kGood && f.tokens >= 3 &&
             f.tokens <= 20 && f.cp >= 15 && f.cp <= 160 && !list_marker(blocks[k].text) &&
             !(f.sent_punct > 0 && HasSentenceEnd(blocks[k].text));
    };
    auto filler = [&](size_t k) {
      const Info& f = info[k];
      if (f.reason == reason("dateline") || f.reason == reason("date_banner") || f.reason == reason("navigation") ||
          f.shape || IsRankOnly(blocks[k].text)) {
        return true;
      }
      // A one- or two-word line learnt as template ("إعلان", an ad slot, is
      // navigation without learning and template with it) does not break a
      // run either; a stand-alone marker ("الأكثر قراءة", which keeps its
      // phrase hit when learnt) still does.
      if (f.reason != nullptr) {
        return f.reason == reason("template") && !f.hit && f.tokens >= 1 && f.tokens <= 2 && f.cp < 24;
      }
      // A one- or two-word label without punctuation between headlines (a
      // section kicker over each teaser: "سياسة", "منوعات") does not break
      // the run either.
      if (f.tokens >= 1 && f.tokens <= 2 && f.cp < 24 && !f.end_punct && !f.hit &&
          !blocks[k].text.empty() && !EndsWithColon(blocks[k].text)) {
        return true;
      }
      return f.tokens <= 6 && !f.folded.empty() &&
             (FindDate(f.folded).has_value() || FindRelativeDate(f.folded, page.fetched_at).has_value());
    };
    // A line of the article that ends with a colon ("يقول الشاعر في قصيدته:",
    // "He told reporters:") announces what follows: a poem, a quote, a list.
    // Four or more words and no hard reason: a teaser list's heading is
    // shorter or a phrase ("اقرأ أيضاً:"). Such a run is the article's text.
    auto announces = [&](size_t k) {
      const Info& f = info[k];
      const std::string& t = blocks[k].text;
      return f.reason == nullptr && !f.hit && f.tokens >= 4 && EndsWithColon(t);
    };
    // (Round 25: a line already known for a teaser or a link to the previous
    // or next item counts with the headlines of a run; it had ended the run,
    // leaving the lines above it one short of three.)
    const std::string* const read_next = reason("read_next");
    const std::string* const teaser = reason("teaser");
    auto known_teaser = [&](size_t m) { return info[m].reason == read_next || info[m].reason == teaser; };
    size_t open_from = last_para + 1;  // headings above the next list may start here
    for (size_t k = last_para + 1; last_para < n && k < n;) {
      if (!headline_like(k)) {
        ++k;
        continue;
      }
      size_t j = k, last_head = k;
      int heads = 0, head_cp = 0;
      while (j < n && (headline_like(j) || filler(j) || (j > k && known_teaser(j)))) {
        if (headline_like(j) || known_teaser(j)) {
          ++heads;
          head_cp += info[j].cp;
          last_head = j;
        }
        ++j;
      }
      // The colon line is the run's first line (it is headline-sized too) or
      // the line above it.
      if (announces(k) || (k > 0 && announces(k - 1))) {
        announced.push_back(announces(k) ? k : k - 1);
        for (size_t m = k; m <= last_head; ++m) {
          if (headline_like(m)) announced.push_back(m);
        }
        open_from = last_head + 1;
        k = j;
        continue;
      }
      // Verse (round 23): three or more of the lines, and most of them,
      // end on one rhyme (the last three letters); headlines do not. The
      // rhyming lines are the article's (a song or a poem it quotes), kept
      // as announced lines are; the others are judged as before.
      uint64_t rhyme = 0;
      std::vector<std::pair<size_t, uint64_t>> keyed;  // headline-sized lines with a rhyme key
      {
        // (Different words on one rhyme: a box's rows that end on the same
        // word, "... ريال", "... مباشر", are no verse.)
        std::unordered_map<uint64_t, std::unordered_set<std::string_view>> ends;
        int most = 0;
        for (size_t m = k; m <= last_head; ++m) {
          if (!headline_like(m)) continue;
          const uint64_t key = RhymeKey(blocks[m].text);
          if (key == 0) continue;
          keyed.emplace_back(m, key);
          const std::string_view t = blocks[m].text;
          const size_t sp = t.rfind(' ');
          auto& words = ends[key];
          words.insert(sp == std::string_view::npos ? t : t.substr(sp + 1));
          if (static_cast<int>(words.size()) > most) most = static_cast<int>(words.size()), rhyme = key;
        }
        if (most < 3 || most * 5 < heads * 3) rhyme = 0;
      }
      if (rhyme != 0) {
        for (const auto& [m, key] : keyed) {
          if (key == rhyme) announced.push_back(m);
        }
        open_from = last_head + 1;
        k = j;
        continue;
      }
      // Headlines run to 35+ code points on average (news/ar: median 48);
      // shorter lines in a row are credits or verse ("كلمات: ...").
      if (heads >= 3 && head_cp >= 35 * heads) {
        for (size_t m = k; m <= last_head; ++m) {
          if (info[m].reason == nullptr) {
            info[m].reason = reason("teaser");
            info[m].cls = Cls::kBad;
          }
        }
        for (size_t m = k; m-- > open_from;) {
          Info& f = info[m];
          if (f.reason != nullptr) continue;
          const char last = blocks[m].text.empty() ? ' ' : blocks[m].text.back();
          if (f.cp >= 70 || f.tokens > 8 || last == '.' || last == '!') break;  // a closing sentence
          f.reason = reason("teaser");
          f.cls = Cls::kBad;
        }
        open_from = last_head + 1;
      }
      k = j;
    }
  }
  // HTML: the container holding most body text (readability's top candidate)
  // is the article. Boilerplate hints on elements that wrap it say nothing
  // (a "modal-open" body, a "sidebar-layout" wrapper); inside it, or inside
  // an <article>/articleBody element, short blocks (list items, table cells,
  // subheadings) are kept unless another signal rejects them.
  std::vector<char> in_main_dbg(n, ' ');
  size_t main_end = 0;  // HTML: the block after the main container (0: none)
  if (page.ranges != nullptr && !page.ranges->empty()) {
    const auto& ranges = *page.ranges;
    // Round 12: prose under boilerplate class hints (a comment, an author
    // box, a "widget" teaser) does not vote for the article's container when
    // the page has prose outside such hints: at least half the weight of the
    // hinted prose (itself counted at 0.3). Only a page whose prose is
    // nearly all hinted (the article under a layout word such as "widget"
    // or "meta" that no rule cleared) lets hinted prose vote, as before.
    // (An author's bio under an "author-box" hint had outvoted the article's
    // short paragraphs.)
    std::unordered_map<int, double> score, hinted_score;
    double total = 0, hinted_total = 0;
    for (size_t i = 0; i < n; ++i) {
      if (info[i].cls != Cls::kGood && info[i].cls != Cls::kNear) continue;
      double w = info[i].cp * (1.0 - blocks[i].link_density) * (info[i].cls == Cls::kGood ? 1.0 : 0.5);
      const bool hinted = blocks[i].hint < 0;
      if (hinted) w *= 0.3;
      auto& sc = hinted ? hinted_score : score;
      (hinted ? hinted_total : total) += w;
      if (blocks[i].parent >= 0) sc[blocks[i].parent] += w;
      if (blocks[i].grand >= 0) sc[blocks[i].grand] += w * 0.5;
    }
    if (total < 0.5 * hinted_total) {
      for (const auto& [node, w] : hinted_score) score[node] += w;
      total += hinted_total;
    }
    int top = -1;
    double best = 0;
    for (const auto& [node, sc] : score) {
      if (sc > best || (sc == best && node > top)) {
        best = sc;
        top = node;
      }
    }
    std::pair<int, int> main_range{0, 0};
    if (top >= 0 && best >= 0.3 * total) main_range = ranges[static_cast<size_t>(top)];
    // A blurb beside the article: when the winner holds one or two blocks
    // (a site description, an author's bio) outside an article element
    // (<article>, articleBody, an article class; not the whole page) whose
    // own blocks (three or more not rejected by a hard reason, a boilerplate
    // hint or links) hold more text, that element is the article: its lines
    // are short (an agenda, a podcast's notes) and lost to the one paragraph.
    if (main_range.second > main_range.first && main_range.second - main_range.first <= 2) {
      main_range = ArticleBesideABlurb(blocks, info, ranges, main_range);
    }
    auto covers = [](std::pair<int, int> outer, std::pair<int, int> inner) {
      return outer.first <= inner.first && inner.second <= outer.second;
    };
    const bool have_main = main_range.second > main_range.first &&
                           static_cast<size_t>(main_range.second - main_range.first) * 10 < n * 9;
    if (have_main) main_end = static_cast<size_t>(main_range.second);
    for (size_t i = 0; i < n; ++i) {
      Info& f = info[i];
      Block& b = blocks[i];
      if (have_main && main_range.first <= static_cast<int>(i) && static_cast<int>(i) < main_range.second) {
        in_main_dbg[i] = 'M';
      }
      if (b.hint < 0 && b.hint_node >= 0 && main_range.second > main_range.first &&
          covers(ranges[static_cast<size_t>(b.hint_node)], main_range)) {
        b.hint = 0;
      }
      if (b.hint < 0 && f.reason == nullptr) {
        f.cls = Cls::kBad;
        f.reason = reason("boilerplate_markup");
        continue;
      }
      if (f.reason != nullptr || f.hit || b.link_density > 0.5) continue;
      // So are lines without links that failed only the prose tests (few
      // stop words, no full stop): code, data rows, a reference, a quote
      // with its source, a byline with an affiliation. Hard reasons, hints
      // and links were excluded above; linked ones stay out (link furniture).
      const bool plain_bad = f.cls == Cls::kBad && b.link_density == 0;
      if (f.cls != Cls::kShort && f.cls != Cls::kNear && !plain_bad) continue;
      const int ii = static_cast<int>(i);
      bool in_main = have_main && main_range.first <= ii && ii < main_range.second;
      bool in_article = false;  // inside an <article>/articleBody element, not the whole page
      if (b.hint > 0 && b.hint_node >= 0) {
        auto r = ranges[static_cast<size_t>(b.hint_node)];
        in_article = static_cast<size_t>(r.second - r.first) * 10 < n * 9;
      }
      // No container stands out (the body is split over many wrappers, or
      // the page is short): an <article>/articleBody element stands in.
      // (With a main container, boosting the whole <article> was measured
      // to cost more precision than it gains.)
      if (!have_main && in_article) in_main = true;
      // A short line right before a link ("More on this", "Latest
      // articles") labels a link list, not article text.
      if (in_main && f.cls == Cls::kShort && i + 1 < n && blocks[i + 1].link_density > 0.5) in_main = false;
      if (in_main) f.cls = Cls::kGood;
    }
  }
  size_t first_good = n;
  for (size_t i = 0; i < n; ++i) {
    if (info[i].cls == Cls::kGood) {
      first_good = i;
      break;
    }
  }

  // Title: the producer's/HTML hint, else a repeated or leading short line.
  CleanResult res;
  std::string title_folded;
  size_t title_idx = n;
  if (!page.title_hint.empty() && page.title_hint != page.id) {
    res.section.title = page.title_hint;
    title_folded = Normalizer::Fold(CutUtf8(page.title_hint, kFoldBytes));
    for (size_t i = 0; i < n; ++i) {
      if (info[i].folded_full && info[i].folded == title_folded) {
        title_idx = i;
        break;
      }
    }
  } else {
    // No title given: the headline is a short line above the body that says
    // what the body says. Candidates are the lines above the first block
    // that passed the article tests on its own (at most 15); each is scored
    // by the share of its words found in the body, printed twice (a page
    // that repeats its headline), and its distance to the body; tickers,
    // dates and lines ending a sentence score less.
    const size_t limit = std::min(n, first_body == n ? size_t{15} : std::min(first_body, size_t{15}));
    // (Decided once per line: the date tests are not cheap.)
    std::vector<signed char> cand_memo(n, -1);
    // "الموضوع: <a line printed near it>", "Subject: ...": a forum's or a
    // form's label over a copy of the headline, not the headline.
    auto labels_another_line = [&](size_t i) {
      const std::string& t = blocks[i].text;
      const size_t colon = t.find(": ");
      if (colon == std::string::npos || colon == 0 || colon > 24) return false;
      const std::string_view rest = std::string_view(t).substr(colon + 2);
      if (rest.size() < 8) return false;
      for (size_t j = 0; j < std::min(n, limit + 3); ++j) {
        if (j != i && blocks[j].text.size() >= rest.size() && std::string_view(blocks[j].text).substr(0, rest.size()) == rest) {
          return true;
        }
      }
      return false;
    };
    // A box's heading over a schedule or a timeline ("برامج اليوم" over
    // "09:00 ..." rows): the two lines under it open with a clock time; a
    // headline has its date, byline, caption or text under it (round 22).
    auto heads_clock_rows = [&](size_t i) {
      return i + 2 < n && OpensWithClock(blocks[i + 1].text) && OpensWithClock(blocks[i + 2].text);
    };
    auto candidate = [&](size_t i) {
      if (cand_memo[i] < 0) {
        const Info& f = info[i];
        // (A line that continues a hard-wrapped sentence is no headline.)
        // (Nor is a list item: "• ...", "- ...", "* ..." are highlights or
        // bullets; nor a wrapped paragraph's first line after the sentence
        // that ended the one above it in the same run; nor a line ending
        // with a colon, which announces what follows: "طريقة التحضير:";
        // nor a sentence of over 20 words that ends with a full stop: a
        // lead paragraph, whose words the body below shares too.)
        cand_memo[i] = f.reason == nullptr && f.tokens >= 2 && f.tokens <= 40 && f.cp <= 300 && !f.hit &&
                       !f.continues && !f.para_start && !f.shape && !BulletItem(blocks[i].text) &&
                       !EndsWithColon(blocks[i].text) && !(f.tokens > 20 && blocks[i].text.back() == '.') &&
                       !FindDate(f.folded).has_value() &&
                       !(f.tokens <= 6 && FindRelativeDate(f.folded, page.fetched_at).has_value()) &&
                       !labels_another_line(i) && !heads_clock_rows(i);
      }
      return cand_memo[i] == 1;
    };
    // Body words -> the last body line holding them (a candidate's words
    // count when body text below it holds them).
    // Words (4 bytes or more) are compared by a hash of their ASCII-lower-
    // cased bytes, one leading waw (U+0648, "and") stripped: "وأوضح" in the
    // body, "أوضح" in the headline. First the candidates' words, then one
    // pass over at most 1,200 bytes of body text records, per word, the last
    // body line holding it: a candidate's word counts when a body line below
    // the candidate holds it.
    // Quotes and punctuation around a word are not part of it: «التعليم»
    // in the headline is التعليم in the body.
    auto strip_waw = [](std::string_view w) {
      for (bool again = true; again && !w.empty();) {
        again = false;
        const unsigned char c = static_cast<unsigned char>(w[0]);
        if (c < 0x80 && !std::isalnum(c)) {
          w.remove_prefix(1), again = true;
        } else if (w.size() >= 2 && c == 0xC2 && (w[1] == '\xAB' || w[1] == '\xBB')) {
          w.remove_prefix(2), again = true;  // « »
        } else if (w.size() >= 3 && c == 0xE2 && w[1] == '\x80' && (w[2] >= '\x98' && w[2] <= '\x9D')) {
          w.remove_prefix(3), again = true;  // ‘ ’ ‚ ‛ “ ”
        }
      }
      for (bool again = true; again && !w.empty();) {
        again = false;
        const unsigned char c = static_cast<unsigned char>(w.back());
        if (c < 0x80 && !std::isalnum(c)) {
          w.remove_suffix(1), again = true;
        } else if (w.size() >= 2 && (c == 0xAB || c == 0xBB) && w[w.size() - 2] == '\xC2') {
          w.remove_suffix(2), again = true;
        } else if (w.size() >= 3 && c >= 0x98 && c <= 0x9D && w[w.size() - 2] == '\x80' &&
                   w[w.size() - 3] == '\xE2') {
          w.remove_suffix(3), again = true;
        } else if (w.size() >= 2 && (c == 0x8C || c == 0x9B || c == 0x9F) && w[w.size() - 2] == '\xD8') {
          w.remove_suffix(2), again = true;  // ، ؛ ؟
        }
      }
      // The article and the proclitics before it, when three letters stay:
      // "رومانية" in the headline is "الرومانية" in the body, "للموسيقيين"
      // is "الموسيقيين".
      if (const std::string_view bare = StripArabicArticle(w); bare.size() < w.size()) return bare;
      if (w.size() > 5 && w[0] == '\xD9' && w[1] == '\x88') w.remove_prefix(2);
      return w;
    };
    auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; };
    auto word_hash = [&lower](std::string_view w) {
      uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: words are short, a library call costs more
      for (char ch : w) h = (h ^ static_cast<unsigned char>(lower(ch))) * 0x100000001b3ULL;
      return h | 1;  // never 0: 0 marks an empty slot
    };
    // A cheap signature (length, second and last byte) filters body words
    // before hashing: most are not a candidate's.
    auto signature = [&lower](std::string_view w) {
      return (w.size() * 131 + static_cast<unsigned char>(lower(w[1])) * 31 +
              static_cast<unsigned char>(lower(w.back()))) & 4095;
    };
    constexpr size_t kSlots = 256, kMaxWords = 192;  // open addressing, at most 3/4 full
    uint64_t slot_key[kSlots] = {};
    uint32_t slot_line[kSlots] = {};
    uint64_t sig_bits[64] = {};
    auto slot_of = [&](uint64_t h) {
      size_t s = h & (kSlots - 1);
      while (slot_key[s] != 0 && slot_key[s] != h) s = (s + 1) & (kSlots - 1);
      return s;
    };
    std::vector<uint64_t> cand_words;              // candidates' word hashes, in order
    std::vector<size_t> cand_start(limit + 1, 0);  // candidate i: [cand_start[i], cand_start[i+1])
    for (size_t i = 0; i < limit; ++i) {
      cand_start[i] = cand_words.size();
      if (!candidate(i)) continue;
      ForEachToken(blocks[i].text, [&](std::string_view w) {
        w = strip_waw(w);
        if (w.size() < 4) return true;
        if (cand_words.size() >= kMaxWords) return false;
        const uint64_t h = word_hash(w);
        cand_words.push_back(h);
        slot_key[slot_of(h)] = h;
        const size_t sig = signature(w);
        sig_bits[sig >> 6] |= uint64_t{1} << (sig & 63);
        return true;
      });
    }
    cand_start[limit] = cand_words.size();
    if (!cand_words.empty()) {
      size_t bytes = 0;
      for (size_t k = 0; k < n && bytes < 1200; ++k) {
        if (info[k].cls != Cls::kGood) continue;
        std::string_view t = CutUtf8(blocks[k].text, 1200 - bytes);
        bytes += t.size() + 1;
        ForEachToken(t, [&](std::string_view w) {
          w = strip_waw(w);
          if (w.size() < 4) return true;
          const size_t sig = signature(w);
          if ((sig_bits[sig >> 6] >> (sig & 63) & 1) == 0) return true;
          const uint64_t h = word_hash(w);
          const size_t s = slot_of(h);
          if (slot_key[s] == h) slot_line[s] = static_cast<uint32_t>(k);
          return true;
        });
      }
    }
    // "City – Agency", "Name - City", and a label or city with a colon
    // before one to three words ("الرياض: «الصحيفة»", "حاوره: فلان",
    // "By: X"): datelines and bylines, not headlines.
    auto byline_shape = [&](size_t i) {
      const Info& f = info[i];
      const std::string& t = blocks[i].text;
      if (f.tokens <= 5 && (t.find(" \xE2\x80\x93 ") != std::string::npos || t.find(" - ") != std::string::npos)) {
        return true;
      }
      // "كتب فلان", "بقلم فلان", "بواسطة فلان" (by X): a byline.
      if (f.tokens >= 2 && f.tokens <= 5) {
        static constexpr std::string_view kBy[] = {
            "\xD9\x83\xD8\xAA\xD8\xA8 ",                          // كتب
            "\xD9\x83\xD8\xAA\xD8\xA8\xD8\xAA ",                // كتبت
            "\xD8\xA8\xD9\x82\xD9\x84\xD9\x85 ",                // بقلم
            "\xD8\xA8\xD9\x88\xD8\xA7\xD8\xB3\xD8\xB7\xD8\xA9 "};  // بواسطة
        for (std::string_view by : kBy) {
          if (t.compare(0, by.size(), by) == 0) return true;
        }
      }
      // "<words> - (Agency)": a picture's credit line, which often repeats
      // the headline's first words.
      if (t.size() > 5 && t.back() == ')' && t.rfind(" - (") != std::string::npos) return true;
      if (f.tokens < 2 || f.tokens > 4) return false;
      const size_t colon = t.find(':');
      return colon != std::string::npos && colon + 1 < t.size() && t.find(' ') < t.size() &&
             colon <= t.find(' ', t.find(' ') + 1) && t.find(':', colon + 1) == std::string::npos;
    };
    // The first line of prose, a date line taken into the run not counted.
    size_t prose_top = first_good;
    while (prose_top < limit && (info[prose_top].cls != Cls::kGood || FindDate(info[prose_top].folded))) ++prose_top;
    double best = 0.3;
    bool repeat_seen = false;
    std::vector<int> found_of(limit + 1, -1);  // candidates' body words found below them
    for (size_t i = 0; i < limit; ++i) {
      if (!candidate(i)) continue;
      const Info& f = info[i];
      int words = 0, found = 0, digits = 0;
      for (size_t w = cand_start[i]; w < cand_start[i + 1]; ++w) {
        ++words;
        found += slot_line[slot_of(cand_words[w])] > i;
      }
      found_of[i] = found;
      for (char ch : blocks[i].text) digits += ch >= '0' && ch <= '9';
      double score = words > 0 ? static_cast<double>(found) / words : 0;
      if (f.tokens == 2 && found == 0) score = 0;
      // Only the first line printed twice: a picture caption is often
      // printed twice too, below the headline.
      for (size_t j = i + 1; !repeat_seen && j < std::min(n, limit + 2); ++j) {
        if (info[j].hash == f.hash || (f.folded_full && info[j].folded_full && info[j].folded == f.folded)) {
          score += 1;
          repeat_seen = true;
        }
      }
      // A sentence's full stop counts against a headline; "!" and "?" do
      // not ("وأين بقية جبل الجليد ؟!", "الرقابة على التلفزيون!").
      if (f.end_punct && !EndsWithExclamationOrQuestion(blocks[i].text)) score -= 0.15;
      // A page that opens with a line saying what the body says opens with
      // its headline; "City – Agency", "Name - City" are datelines and bylines.
      // (Two words of the body at least, and the body close below: a
      // site's name over its menus, "تلفزيون المدينة", "وكالة أنباء
      // الدولة", shares a word or two with many a body.)
      if (i == 0 && f.cls != Cls::kGood && found >= 2 && std::min(first_good, first_body) <= 4) {
        score += 0.2;  // (not the first line of a run of prose)
      }
      if (byline_shape(i)) score -= 0.3;
      if (blocks[i].text.find(" | ") != std::string::npos || digits * 4 > f.cp) score -= 0.5;
      // Nearer the body is likelier (a site's slogan sharing a word sits
      // higher). The body starts at the first line that passed on its own;
      // a line at or above the first line of prose (a hard-wrapped page
      // where no line passed) counts its distance from there (round 17: the
      // headline taken into the run was 0.13 down, and the wrapped
      // paragraph's first line under it, which shares as many words with
      // the lines below, won).
      score -= 0.01 * static_cast<double>((i <= prose_top ? std::min(limit, prose_top) : limit) - i);
      if (score > best) {
        best = score;
        title_idx = i;
      }
      // The first line that clearly says what the body says is the
      // headline: lines under it (a caption, hard-wrapped body text) repeat
      // the body's words too.
      if (best >= 0.6) break;
    }
    // No line says what the body says (a column's title shares no word with
    // its text, and a hard-wrapped page may have taken it into its first
    // run of prose): the short line right over a date or dated byline line
    // above the body, the date line nearest the body ("headline / كتب فلان
    // في 23 يوليو 2015").
    for (size_t i = std::min(first_body, std::min(n, size_t{16})); title_idx == n && i-- > 1;) {
      const Info& d = info[i];
      if (d.cp > 120 || d.tokens > 16) continue;
      const bool labelled = d.hit && (d.hit.action == PhraseAction::kPublished ||
                                      d.hit.action == PhraseAction::kUpdated);
      if (!labelled && d.reason != nullptr && d.reason != reason("dateline")) continue;
      const auto date = FindDate(d.folded);
      if (!date || (!labelled && date->other_tokens > 6)) continue;
      // A short line between it and the body that could be the headline
      // (a print edition's date stands over the section and the headline):
      // not this rule's case.
      bool headline_below = false;
      for (size_t k = i + 1; k < std::min(first_body, n) && !headline_below; ++k) {
        headline_below = candidate(k) && info[k].tokens <= 20 && !byline_shape(k) && info[k].cls != Cls::kGood;
      }
      if (headline_below) break;
      auto headline_like = [&](size_t h) {
        const Info& f = info[h];
        const std::string& t = blocks[h].text;
        return f.reason == nullptr && !f.hit && !f.shape && f.tokens >= 2 && f.tokens <= 20 && f.cp <= 200 &&
               !byline_shape(h) && !EndsWithColon(t) && t.back() != '.' && !BulletItem(t) &&
               !FindDate(f.folded).has_value();
      };
      size_t h = i - 1;
      // (Round 19: "headline / name / date": a bare name of two or three
      // words over the date, the headline of four words or more over it.)
      // The name is letters only; the headline shares a word with the body
      // (a menu over a short headline shares none).
      auto letters_only = [&](size_t k) {
        for (unsigned char ch : blocks[k].text) {
          if (ch < 0x80 && ch != ' ' && !std::isalpha(ch)) return false;
        }
        return blocks[k].text.find("\xC2") == std::string::npos;  // « » and the like
      };
      if (h > 0 && h - 1 < limit && info[h].tokens <= 3 && letters_only(h) && info[h - 1].tokens >= 4 &&
          found_of[h - 1] >= 1 && headline_like(h - 1)) {
        --h;
      }
      if (headline_like(h)) title_idx = h;
      break;  // only the date line nearest the body
    }
    // Else (no such date line): the nearest short line right above the
    // body, over its date,
    // within three lines that are not furniture (dates, counters, captions,
    // phrase lines in between do not count).
    // On a hard-wrapped page the body starts with the first line of the
    // first run taken for prose, which may lie far above the first line long
    // enough to pass on its own (a headline or dateline taken into the run,
    // longer than its width, is no wrapped line).
    size_t body_top = first_body;
    for (size_t i = 0; i < first_body; ++i) {
      if (info[i].cls == Cls::kGood && !info[i].over_width) {
        body_top = i;
        break;
      }
    }
    for (size_t i = body_top, seen = 0; title_idx == n && body_top < n && i-- > 0 && seen < 3 &&
                                        i + 8 > body_top;) {
      const Info& f = info[i];
      if (candidate(i) && f.tokens <= 20 && !byline_shape(i)) {
        title_idx = i;
      } else if (f.reason == nullptr && !f.hit && !f.shape && !byline_shape(i) && !FindDate(f.folded) &&
                 !FindRelativeDate(f.folded, page.fetched_at)) {
        ++seen;
      }
    }
    if (title_idx == n && n > 0 && first_body == 0 && !info[0].end_punct && info[0].cp <= 300 &&
        info[0].reason == nullptr && !EndsWithColon(blocks[0].text)) {
      // A text page that opens with its headline, when body follows (a
      // one-paragraph story is not its own title).
      for (size_t k = 1; k < n && title_idx == n; ++k) {
        if (info[k].cls == Cls::kGood) title_idx = 0;
      }
    }
    if (title_idx < n && !page.id.empty() && blocks[title_idx].text == page.id) title_idx = n;
    if (title_idx < n) {
      res.section.title = blocks[title_idx].text;
      title_folded = info[title_idx].folded;
    }
  }
  if (!title_folded.empty()) {
    const uint64_t title_hash = title_idx < n ? info[title_idx].hash : 0;
    for (size_t i = 0; i < n; ++i) {
      if ((info[i].folded_full && info[i].folded == title_folded) ||
          (title_idx < n && info[i].hash == title_hash)) {
        info[i].cls = Cls::kBad;
        if (i == title_idx) {
          info[i].is_title = true;
        } else {
          info[i].reason = reason("title_repeat");
        }
      }
    }
  }
  if (first_good < n && info[first_good].cls != Cls::kGood) {
    first_good = n;
    for (size_t i = 0; i < n; ++i) {
      if (info[i].cls == Cls::kGood) {
        first_good = i;
        break;
      }
    }
  }

  // Dates: a labelled date line > the page's metadata > an ISO timestamp line
  // > an unlabelled date just under the title (unless it is the fetch date,
  // i.e. a site banner with today's date). Relative dates ("منذ 3 ساعات")
  // count as dates, resolved against the fetch time.
  const std::string fetched_day = page.fetched_at.size() >= 10 ? page.fetched_at.substr(0, 10) : "";
  int pub_rank = 0;
  std::string published;
  bool updated_only = false;  // `published` is a "last updated" date (rank 1)
  if (page.published_hint) {
    pub_rank = 3;
    published = *page.published_hint;
  }
  // Right under the headline; with no headline found, within three lines
  // above the body (where the headline's date line stands).
  auto under_headline = [&](size_t i) {
    if (title_idx < n) return i > title_idx && i <= title_idx + 3;
    return first_good < n && i < first_good && i + 3 >= first_good;
  };
  for (size_t i = 0; i < n; ++i) {
    Info& f = info[i];
    if (f.is_title || f.cp > 120) continue;
    // Template lines too: pages published on one day share their date line,
    // which template learning then counts as the site's.
    if (f.reason != nullptr && f.reason != reason("dateline") && f.reason != reason("template")) continue;
    if (f.hit && (f.hit.action == PhraseAction::kPublished || f.hit.action == PhraseAction::kUpdated)) {
      auto d = FindDate(f.folded);
      if (!d) {
        // "Published: 2026-11-19T07:45:00-05:00": a timestamp after the label.
        std::string_view t = blocks[i].text;
        while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
        const size_t sp = t.find_last_of(' ');
        if (sp != std::string_view::npos) d = ParseIsoLine(t.substr(sp + 1));
        if (d) d->other_tokens = f.tokens - 1;
      }
      if (!d) d = FindRelativeDate(f.folded, page.fetched_at);  // "Published 3 hours ago"
      if (d && d->other_tokens <= 8) {
        f.reason = reason("dateline");
        f.cls = Cls::kBad;
        if (f.hit.action == PhraseAction::kPublished && pub_rank < 4) {
          pub_rank = 4;
          published = d->rfc3339;
        } else if (f.hit.action == PhraseAction::kUpdated && pub_rank < 1 && under_headline(i)) {
          // A "last updated" date right under the title is the best the
          // page says when it states no publication date (a labelled or
          // unlabelled publication date found later still wins).
          pub_rank = 1;
          published = d->rfc3339;
          updated_only = true;
        }
      }
      continue;
    }
    if (auto iso = ParseIsoLine(blocks[i].text)) {
      f.reason = reason("dateline");
      f.cls = Cls::kBad;
      // Above the body or right under the headline; further down, a bare
      // timestamp dates a teaser in a list ("latest news", each headline
      // over its date), not this article.
      const bool top = i < first_good || under_headline(i);
      if (pub_rank < 2 && top) {
        pub_rank = 2;
        published = iso->rfc3339;
      }
      continue;
    }
    // (An agency's initials after a dateline, "... 2015 م أ ف ب", are
    // one-letter words that do not count.)
    const int one_letter = f.tokens > 10 && f.tokens <= 16 ? OneLetterArabicWords(blocks[i].text) : 0;
    if (f.tokens - one_letter > 12) continue;
    auto d = FindDate(f.folded);
    // "منذ ساعتين", "3 hours ago": resolved against the fetch time. Such a
    // line is never a site banner (those show today's calendar date).
    const bool relative = !d && (d = FindRelativeDate(f.folded, page.fetched_at)).has_value();
    // A text page's byline with its date above the body ("كتب X في 27
    // يوليو 2015", "By X on 3 May 2024"): a few more words, no sentence; it may have been
    // taken into a run of short prose lines (first_good). Right under the
    // title it states the publication date.
    const bool near_title = under_headline(i);
    // (Up to six other words: the date words of a two-calendar dateline,
    // "جدة 18 شوال 1436 هـ الموافق 25 يوليو 2015 م واس", do not count.)
    // (When the run of prose took in the lines above the title too, a site
    // name over the headline, the body starts under the title; a wrapped
    // line that continues the one above is the body's, date or not.)
    const bool body_from_title = title_idx < n && first_good <= title_idx && near_title && !f.continues;
    const bool byline = d && page.ranges == nullptr && !f.end_punct && d->other_tokens <= 6 &&
                        f.tokens - one_letter - d->other_tokens <= 10 && f.tokens <= 16 &&
                        (i <= first_good || body_from_title);
    if (!d || (d->other_tokens > 2 && !byline)) continue;
    f.cls = Cls::kBad;
    // Some sites print the date with its clock time right above the headline
    // ("الجمعة، 31 يوليو 2015 2:21 م"): a banner shows the day, not the time.
    // (Round 10: or a few lines above it, with only short lines between: a
    // forum post's "#1 27-07-2015, 5:20 م" over the poster's member box.)
    auto short_between = [&](size_t from, size_t to) {
      if (to > from + 7) return false;
      for (size_t k = from + 1; k < to; ++k) {
        if (info[k].cls == Cls::kGood || info[k].cp >= 60) return false;
      }
      return true;
    };
    const bool above_title = page.ranges == nullptr && title_idx < n && i < title_idx &&
                             (i + 1 == title_idx ? d->other_tokens == 0
                                                 : d->other_tokens <= 1 && short_between(i, title_idx)) &&
                             HasClockTime(blocks[i].text);
    // A print edition's line ("الجمعة ٢٤ يوليو ٢٠١٥م - العدد ١٦٢١٦"): the
    // issue's date is the article's, over the headline too.
    const bool edition = page.ranges == nullptr && i < first_good && HasIssueNumber(f.folded);
    const bool under_title = (near_title && (i < first_good || byline)) || above_title || edition;
    // A date with its clock time states when the article was published, even
    // on the day it was fetched; a site's banner shows the calendar day.
    // (Not for a date right under the headline: most pages are read on the
    // day they came out, and a banner stands over the page, not under its
    // headline.)
    const bool today = !relative && !fetched_day.empty() && d->rfc3339.compare(0, 10, fetched_day) == 0 &&
                       !HasClockTime(blocks[i].text) && !near_title && !edition;
    if (relative && !under_title) {
      f.reason = reason("dateline");  // a teaser's or comment's timestamp
    } else if (under_title && !today) {
      f.reason = reason("dateline");
      if (pub_rank < 1 || (pub_rank == 1 && updated_only)) {
        updated_only = false;
        pub_rank = 1;
        published = d->rfc3339;
      }
    } else {
      f.reason = reason("date_banner");
    }
  }
  if (pub_rank == 0 && page.published_stated) {
    pub_rank = 1;
    published = *page.published_stated;
  }
  if (pub_rank == 0 && page.published_weak) {
    pub_rank = 1;
    published = *page.published_weak;
  }
  // Every source above checks its dates; this keeps the promise for any
  // later one: never a published_at the envelope's codec refuses.
  if (pub_rank > 0 && ParseRfc3339(published)) res.section.published_at = published;

  // Repeated consecutive lines (an image caption printed twice, a widget).
  for (size_t i = 1; i < n; ++i) {
    const bool same = info[i].hash == info[i - 1].hash ||
                      (info[i].folded_full && info[i - 1].folded_full && info[i].folded == info[i - 1].folded);
    if (same && !info[i].folded.empty() && !info[i].is_title &&
        info[i].cp <= opt_.max_boilerplate_chars && info[i].reason != reason("title_repeat")) {
      for (size_t k : {i - 1, i}) {
        if (info[k].reason == nullptr) info[k].reason = reason("duplicate");
        info[k].cls = Cls::kBad;
      }
    }
  }

  // Text pages: a pull quote, a line that is wholly a quotation of five
  // words or more found word for word inside another line of the page: the
  // article's own sentence printed again in large type between its
  // paragraphs (round 18). A quotation said once stays. Inside the body it
  // is neutral to the smoothing below, as an embedded post is.
  if (page.ranges == nullptr) {
    for (size_t i = 0; i < n; ++i) {
      if (info[i].reason != nullptr || info[i].is_title || info[i].cp > 400) continue;
      const std::string_view in = QuotedInside(blocks[i].text);
      if (in.size() < 20 || std::count(in.begin(), in.end(), ' ') < 4) continue;
      for (size_t j = 0; j < n; ++j) {
        if (j != i && blocks[j].text.size() > in.size() && blocks[j].text.find(in) != std::string::npos) {
          info[i].reason = reason("duplicate");
          info[i].cls = Cls::kBad;
          info[i].aside = true;  // it says nothing about the lines beside it
          break;
        }
      }
    }
  }

  // Stand-alone markers: after the body has begun, the rest is another article
  // or a list of teasers; before it, the marker and its one teaser line go.
  bool body_started = false;
  for (size_t i = 0; i < n; ++i) {
    Info& f = info[i];
    // A paragraph the stop-word test leaves near-good (a wire item of names
    // and places) begins the body too: a box heading under it ("فتوى اليوم")
    // must not take the box's first line for the article.
    if (f.cls == Cls::kGood || (f.cls == Cls::kNear && f.tokens >= 12 && !f.is_title)) body_started = true;
    if (!(f.hit && f.hit.action == PhraseAction::kCut && f.hit.whole_line)) continue;
    f.reason = reason(*f.hit.reason);
    f.cls = Cls::kBad;
    if (page.ranges != nullptr && blocks[i].parent >= 0) {
      // HTML: the marker heads a box (its container); the page goes on after
      // it. A container full of body text is the article itself: then only
      // the teaser line right after the marker goes.
      auto [first, last] = (*page.ranges)[static_cast<size_t>(blocks[i].parent)];
      size_t end = std::min(n, static_cast<size_t>(std::max(last, 0)));
      int good = 0;
      for (size_t k = i + 1; k < end; ++k) good += info[k].cls == Cls::kGood;
      if (good > 1) end = std::min(n, i + 2);
      for (size_t k = i + 1; k < end; ++k) {
        if (info[k].reason == nullptr && !info[k].is_title) {
          info[k].reason = reason("teaser");
          info[k].cls = Cls::kBad;
        }
      }
      continue;
    }
    if (body_started && (CardsThenProse(blocks, info, i) || ArticleGoesOn(stop_, blocks, info, i, lang))) {
      // A side column flattened into the text ("Lire aussi", "الأكثر قراءة"
      // between two paragraphs): the article goes on under it. The marker
      // goes, and the headline right under it when that is no prose.
      if (i + 1 < n && info[i + 1].reason == nullptr && !info[i + 1].is_title &&
          info[i + 1].cls != Cls::kGood && !info[i + 1].end_punct &&
          info[i + 1].cp <= opt_.max_boilerplate_chars) {
        info[i + 1].reason = reason("teaser");
        info[i + 1].cls = Cls::kBad;
      }
      continue;
    }
    if (body_started) {
      for (size_t k = i + 1; k < n; ++k) {
        info[k].cls = Cls::kBad;
        if (info[k].reason == nullptr && !info[k].is_title) info[k].reason = reason("unrelated_tail");
      }
      break;
    }
    if (i + 1 < n && info[i + 1].reason == nullptr && !info[i + 1].is_title &&
        info[i + 1].cp <= opt_.max_boilerplate_chars) {
      info[i + 1].reason = reason("teaser");
      info[i + 1].cls = Cls::kBad;
    }
  }

  // Text pages: a teaser card between the paragraphs ("you may also like"):
  // a headline without a sentence end over a reading time ("مطبخ · 8
  // دقائق"). Inside the body both go: an article's own text does not stop
  // for a reading time.
  if (page.ranges == nullptr) {
    size_t first_body_line = n;
    for (size_t i = 0; i < n && first_body_line == n; ++i) {
      if (info[i].cls == Cls::kGood) first_body_line = i;
    }
    for (size_t i = first_body_line + 1; i < n; ++i) {
      if (!info[i].reading_time) continue;
      info[i].cls = Cls::kBad;
      if (info[i].reason == nullptr) info[i].reason = reason("teaser");
      Info& h = info[i - 1];
      if (h.reason == nullptr && !h.is_title && !h.end_punct && h.tokens >= 2 && h.tokens <= 24 &&
          h.cp <= 200) {
        h.cls = Cls::kBad;
        h.reason = reason("teaser");
      }
    }
  }

  // Text pages: teasers after the body that repeat one unit each, a
  // headline (no sentence end), maybe a lede, and the same removed short
  // line ("اقرأ المزيد ←", a template line) after or before each: the units
  // between two such lines and the one beside the first (or last) are
  // teasers, however much prose a lede holds.
  if (page.ranges == nullptr) MarkRepeatedUnits(blocks, info, reason("teaser"));

  // Text pages: a thread of comments (or a list of dated items) after the
  // body repeats one shape per entry: a timestamp line, the entry, a removed
  // line under it (a like counter, "رد"). An entry between a timestamp above
  // and a removed line below, twice or more after the article began, is not
  // the article's; the article's own lines follow one another.
  if (page.ranges == nullptr) MarkDatedEntries(blocks, info, reason("dateline"), reason("date_banner"),
                                               reason("teaser"));

  // Context smoothing (jusText): near-good and short blocks take their class
  // from the nearest decided neighbours.
  std::vector<Cls> cls(n);
  for (size_t i = 0; i < n; ++i) cls[i] = info[i].cls;
  // Text pages: a one- or two-word line with a hard reason inside the body
  // ("إعلان", "Advertisement") interrupts the article; it is removed, but it
  // says nothing about the short lines beside it (a subheading, a list line),
  // which take their class from the text beyond it; so do the lines of a
  // pager between two pages of an article. HTML: the same for an
  // inline teaser line ("Read more: headline"), whatever its length. Judged
  // on the classes before smoothing: the nearest good or bad line on each
  // side is good.
  std::vector<char> interrupts;
  {
    const bool text_page = page.ranges == nullptr;
    // (Words: tokens with a letter or digit; "- إعلان -" is one word.)
    auto words = [&](size_t i) {
      int w = 0;
      bool in = false, letter = false;
      for (char ch : blocks[i].text) {
        if (ch == ' ') {
          w += in && letter;
          in = letter = false;
          continue;
        }
        in = true;
        letter |= static_cast<unsigned char>(ch) >= 0x80 || std::isalnum(static_cast<unsigned char>(ch));
      }
      return w + (in && letter);
    };
    auto interrupting = [&](size_t i) {
      if (cls[i] != Cls::kBad || info[i].reason == nullptr) return false;
      if (text_page) {
        return (info[i].tokens >= 1 && info[i].cp < 24 && (info[i].tokens <= 2 || words(i) <= 2)) ||
               info[i].pager;
      }
      return info[i].hit && info[i].hit.action == PhraseAction::kCut && !info[i].hit.whole_line;
    };
    // (Round 17: other such lines are looked past too: a site that puts an
    // ad label after every line or two of a decree or a list interrupts it
    // again and again.)
    auto decided = [&](size_t i, int dir) {
      long j = static_cast<long>(i) + dir;
      while (j >= 0 && j < static_cast<long>(n)) {
        if ((cls[j] == Cls::kGood || cls[j] == Cls::kBad) && !info[j].pager &&
            !(text_page && interrupting(static_cast<size_t>(j)))) {
          return cls[j];
        }
        j += dir;
      }
      return Cls::kBad;
    };
    for (size_t i = 0; i < n; ++i) {
      if (interrupting(i) && decided(i, -1) == Cls::kGood && decided(i, +1) == Cls::kGood) {
        if (interrupts.empty()) interrupts.assign(n, 0);
        interrupts[i] = 1;
      }
    }
  }
  // (An embedded post, a tag line or a symbol counter is neutral only inside
  // the body, above its last good line: after it, removed furniture.)
  size_t last_good = 0;
  for (size_t k = n; k-- > 0;) {
    if (cls[k] == Cls::kGood) {
      last_good = k;
      break;
    }
  }
  auto neighbour = [&](size_t i, int dir, bool ignore_near) {
    long j = static_cast<long>(i) + dir;
    while (j >= 0 && j < static_cast<long>(n)) {
      Cls c = cls[j];
      // (A kicker line or a lone clock time removed inside or after the
      // body says nothing about the lines beside it either: the article's
      // last line under a video box's "فيديو | ..." is still text.)
      if ((!interrupts.empty() && interrupts[j]) ||
          ((info[j].kicker || info[j].clock || (info[j].aside && static_cast<size_t>(j) < last_good)) &&
           c == Cls::kBad)) {
        c = Cls::kShort;
      }
      if (c == Cls::kGood || c == Cls::kBad || (c == Cls::kNear && !ignore_near)) return c;
      j += dir;
    }
    return Cls::kBad;
  };
  std::vector<Cls> out = cls;
  for (size_t i = 0; i < n; ++i) {
    if (timed_out(i)) return Status::Timeout("clean: time budget exceeded while smoothing");
    if (cls[i] == Cls::kNear) {
      Cls p = neighbour(i, -1, true), q = neighbour(i, +1, true);
      out[i] = (p == Cls::kBad && q == Cls::kBad) ? Cls::kBad : Cls::kGood;
    } else if (cls[i] == Cls::kShort) {
      Cls p = neighbour(i, -1, true), q = neighbour(i, +1, true);
      if (p == Cls::kGood && q == Cls::kGood) {
        out[i] = Cls::kGood;
      } else if (p == Cls::kBad && q == Cls::kBad) {
        out[i] = Cls::kBad;
      } else if ((p == Cls::kBad && neighbour(i, -1, false) == Cls::kNear) ||
                 (q == Cls::kBad && neighbour(i, +1, false) == Cls::kNear)) {
        out[i] = Cls::kGood;
      } else {
        out[i] = Cls::kBad;
      }
      // A heading that opens body text, or a short closing sentence.
      if (out[i] == Cls::kBad && blocks[i].heading && q == Cls::kGood) out[i] = Cls::kGood;
      // (The line above may have been kept by smoothing itself: a closing
      // sentence under two short lines of verse.)
      if (out[i] == Cls::kBad && info[i].end_punct && info[i].tokens >= 4 && i > 0 &&
          (cls[i - 1] == Cls::kGood || out[i - 1] == Cls::kGood)) {
        out[i] = Cls::kGood;
      }
    }
  }
  for (size_t m : announced) {
    if (info[m].reason == nullptr) out[m] = Cls::kGood;
  }

  // Runs of plain (unlinked) list items or table rows next to body text are
  // content: ingredient lists, bullet points, fact boxes. Navigation lists are
  // link-dense and never get here.
  if (page.ranges != nullptr) {
    size_t i = 0;
    while (i < n) {
      if (!blocks[i].list_item || info[i].reason != nullptr || blocks[i].link_density > 0.2) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < n && blocks[j].list_item && info[j].reason == nullptr && blocks[j].link_density <= 0.2) ++j;
      const bool near_body = (i > 0 && out[i - 1] == Cls::kGood) || (i > 1 && out[i - 2] == Cls::kGood) ||
                             (j < n && out[j] == Cls::kGood) || (j + 1 < n && out[j + 1] == Cls::kGood);
      if (j - i >= 3 && near_body) {
        for (size_t k = i; k < j; ++k) out[k] = Cls::kGood;
      }
      i = j;
    }
  }

  // Text pages: runs of three or more list lines ("1. ...", "* ...",
  // "- ...", "• ...") next to body text are the article's own list (a
  // ranking, bullet points, a schedule).
  if (page.ranges == nullptr) {
    auto list_line = [&](size_t k) {
      const std::string& t = blocks[k].text;
      if (info[k].reason != nullptr || info[k].is_title || t.empty()) return false;
      if (t[0] == '*' || t[0] == '-' || t.rfind("\xE2\x80\xA2", 0) == 0) return true;  // •
      size_t d = 0;
      while (d < t.size() && d < 3 && t[d] >= '0' && t[d] <= '9') ++d;
      return d > 0 && d < t.size() && (t[d] == '.' || t[d] == ')' || t[d] == '-');
    };
    size_t i = 0;
    while (i < n) {
      if (!list_line(i)) {
        ++i;
        continue;
      }
      size_t j = i;
      bool near_body = (i > 0 && out[i - 1] == Cls::kGood) || (i > 1 && out[i - 2] == Cls::kGood);
      while (j < n && list_line(j)) near_body |= out[j++] == Cls::kGood;
      near_body |= (j < n && out[j] == Cls::kGood) || (j + 1 < n && out[j + 1] == Cls::kGood);
      if (j - i >= 3 && near_body) {
        for (size_t k = i; k < j; ++k) out[k] = Cls::kGood;
      }
      i = j;
    }
  }

  // A lede or standfirst: the line right under the title, before the body.
  if (title_idx < n) {
    size_t i = title_idx + 1;
    while (i < n && info[i].reason != nullptr && info[i].reason == reason("dateline")) ++i;
    if (i < n && info[i].reason == nullptr && out[i] != Cls::kGood && info[i].tokens >= 5 &&
        blocks[i].link_density < 0.3 && i + 1 < n && out[i + 1] == Cls::kGood) {
      out[i] = Cls::kGood;
    } else if (page.ranges != nullptr) {
      // HTML (round 12): the standfirst may sit under removed furniture (a
      // byline, its date, a picture's caption and credit: up to six blocks
      // removed for a reason, not link lists) and above up to three lines
      // not kept (a caption) before the first kept paragraph. Not a line
      // under a boilerplate hint, one with a date or a " | " (a byline with
      // its date, a source and reading time), nor one ending with a colon.
      i = title_idx + 1;
      for (size_t skipped = 0; i < n && skipped < 6 && info[i].reason != nullptr &&
                               blocks[i].link_density <= 0.5; ++i, ++skipped) {
      }
      if (i < n && info[i].reason == nullptr && !info[i].hit && out[i] != Cls::kGood && info[i].tokens >= 5 &&
          blocks[i].link_density < 0.3 && blocks[i].hint >= 0 && !EndsWithColon(blocks[i].text) &&
          blocks[i].text.find(" | ") == std::string::npos && !FindDate(info[i].folded).has_value()) {
        size_t j = i + 1;
        while (j < n && j <= i + 3 && out[j] != Cls::kGood) ++j;
        if (j < n && out[j] == Cls::kGood) out[i] = Cls::kGood;
      }
    }
  }

  // HTML: a label of one to three words ending with a colon ("Quellenangaben:",
  // "Geschrieben von:", "Kontakt:") kept while what it labels (the next
  // block) was not, or at the end of the page, labels furniture that went.
  auto drop_box_labels = [&] {
    if (page.ranges != nullptr) {
      for (size_t i = 0; i < n; ++i) {
        if (out[i] != Cls::kGood || info[i].reason != nullptr || info[i].is_title) continue;
        if (info[i].tokens > 3 || !EndsWithColon(blocks[i].text)) continue;
        size_t j = i + 1;
        while (j < n && info[j].is_title) ++j;
        if (j == n || out[j] != Cls::kGood || info[j].reason != nullptr) out[i] = Cls::kBad;
      }
    }
    // HTML: a heading of one to four words ("Neueste Artikel", "Related
    // notes") kept while nothing of its section is (up to the next heading
    // after some text: a heading over a subheading keeps its section) heads a
    // box that went.
    // (From the bottom up: a heading over a box heading that goes goes too.)
    if (page.ranges != nullptr) {
      for (size_t i = n; i-- > 0;) {
        if (out[i] != Cls::kGood || info[i].reason != nullptr || info[i].is_title || !blocks[i].heading) {
          continue;
        }
        if (info[i].tokens > 4) continue;
        // (At most 200 blocks are looked at: a section longer than that is
        // taken to have content, so a page of headings stays linear.)
        const size_t end = std::min(n, i + 201);
        bool content = false, body = false;
        size_t j = i + 1;
        for (; j < end && !content && !(body && blocks[j].heading); ++j) {
          content = out[j] == Cls::kGood && info[j].reason == nullptr && !info[j].is_title;
          body |= !blocks[j].heading;
        }
        if (!content && j == end && end < n) content = true;
        if (!content) out[i] = Cls::kBad;
      }
    }
  };
  // HTML (round 13): teaser cards after the article. A kept block after the
  // main container, of up to 300 code points, whose nearest block above
  // (over removed dates, tags, captions and hinted furniture) is a linked
  // headline not kept (link density 0.9 or more, 2-16 words) is the excerpt
  // of another post; when two or more such cards follow the article they go.
  if (page.ranges != nullptr && main_end > 0) {
    const std::string* const furniture[] = {reason("boilerplate_markup"), reason("dateline"), reason("tags"),
                                            reason("caption")};
    auto is_furniture = [&](size_t j) {
      return out[j] != Cls::kGood && std::find(std::begin(furniture), std::end(furniture), info[j].reason) !=
                                         std::end(furniture);
    };
    const std::string* const link_dense = reason("link_dense");
    std::vector<size_t> cards;
    for (size_t i = main_end; i < n; ++i) {
      if (out[i] != Cls::kGood || info[i].reason != nullptr || info[i].is_title || blocks[i].heading ||
          info[i].cp > 300) {
        continue;
      }
      size_t j = i;
      while (j > 0 && is_furniture(j - 1)) --j;
      if (j == 0) continue;
      const size_t h = j - 1;
      if (out[h] != Cls::kGood && info[h].reason == link_dense && blocks[h].link_density >= 0.9 &&
          info[h].tokens >= 2 && info[h].tokens <= 16) {
        cards.push_back(i);
      }
    }
    if (cards.size() >= 2) {
      for (size_t i : cards) out[i] = Cls::kBad;
    }
  }
  drop_box_labels();
  // (A note of the site dropped at the end may leave its box's heading or
  // label behind: they are looked at again.)
  if (page.ranges != nullptr && !page.site_name.empty() &&
      DropSiteNoteAtTheEnd(blocks, info, page.site_name, out)) {
    drop_box_labels();
  }

  // Text pages (round 16): the reporter's line right over the first kept
  // paragraph ("name – city", "واس – الرياض") heads the article's own text;
  // short, it fell to its neighbours (a removed header line above). Only
  // a line no rule removed, not the title.
  if (page.ranges == nullptr) {
    // A kept paragraph of the text, and a line that may join it: neither
    // removed by a rule nor the title.
    auto kept_text = [&](size_t i) { return out[i] == Cls::kGood && info[i].reason == nullptr && !info[i].is_title; };
    auto candidate = [&](size_t i) { return out[i] != Cls::kGood && info[i].reason == nullptr && !info[i].is_title; };
    size_t first = 0;
    while (first < n && !kept_text(first)) ++first;
    if (first > 0 && first < n && candidate(first - 1) &&
        LooksLikeReporterLine(blocks[first - 1].text, info[first - 1].tokens)) {
      out[first - 1] = Cls::kGood;
    }
    // And the signature right under the last kept paragraph ("- name",
    // "* كاتب من مصر"): a column's or a letter's own last line.
    size_t last = n;
    while (last > 0 && !kept_text(last - 1)) --last;
    if (last > 0 && last < n && candidate(last) && LooksLikeSignatureLine(blocks[last].text)) {
      out[last] = Cls::kGood;
    }
  }

  // Assemble.
  std::string& text = res.section.text;
  size_t kept = 0;
  // NEWSFLOW_CLEAN_DEBUG=1: one line per block for people; =tsv: the full
  // text, tab-separated, for scripts that match blocks against labels.
  static const char* debug = std::getenv("NEWSFLOW_CLEAN_DEBUG");
  if (debug != nullptr && std::strcmp(debug, "features") == 0) {
    std::vector<float> x;
    LineFeatures(blocks, info, cls, out, lang, title_idx, x);
    const size_t nf = LineFeatureNames().size();
    for (size_t i = 0; i < n; ++i) {
      std::string row = "@@F";
      char buf[32];
      for (size_t k = 0; k < nf; ++k) {
        std::snprintf(buf, sizeof(buf), "\t%.4g", x[i * nf + k]);
        row += buf;
      }
      std::fprintf(stderr, "%s\t%s\n", row.c_str(), blocks[i].text.c_str());
    }
  }
  for (size_t i = 0; debug != nullptr && std::strcmp(debug, "features") != 0 && i < n; ++i) {
    static const char* kC = "GNSB";
    const char* why = info[i].reason ? info[i].reason->c_str() : "-";
    if (std::strcmp(debug, "tsv") == 0) {
      std::fprintf(stderr, "@@%c\t%c\t%c\t%s\t%.2f\t%d\t%.2f\t%d\t%d\t%d\t%s\n", in_main_dbg[i],
                   kC[static_cast<int>(cls[i])], kC[static_cast<int>(out[i])], why,
                   blocks[i].link_density, blocks[i].hint, info[i].stop, info[i].is_title ? 1 : 0,
                   blocks[i].list_item ? 1 : 0, blocks[i].heading ? 1 : 0, blocks[i].text.c_str());
    } else {
      std::fprintf(stderr, "%c%c>%c %-14s ld=%.2f h=%d st=%.2f | %.100s\n", in_main_dbg[i],
                   kC[static_cast<int>(cls[i])], kC[static_cast<int>(out[i])], why,
                   blocks[i].link_density, blocks[i].hint, info[i].stop, blocks[i].text.c_str());
    }
  }
  for (size_t i = 0; i < n; ++i) {
    Info& f = info[i];
    if (f.is_title) continue;
    if (out[i] == Cls::kGood && f.reason == nullptr) {
      if (!text.empty()) text.push_back('\n');
      text.append(blocks[i].text);
      ++kept;
      continue;
    }
    const std::string* r = f.reason;
    if (r == nullptr) r = reason(cls[i] == Cls::kShort ? "short" : "low_text");
    ++res.section.removed[*r];
  }
  // Nothing passed. Before dropping the page, look at what only the soft
  // tests (length, context) rejected: a one-paragraph wire story, a caption
  // story, a column of short lines are articles, kept with a low-confidence
  // note. A page is dropped when what is left is not prose: a few words (a
  // name under a picture), a list of headlines (an index page: five or more
  // lines, none ending a sentence), or furniture only (every line had a hard
  // reason: template, phrase, markup, links).
  bool rescued = false;
  bool soft_text = false;  // something only the soft tests rejected
  if (kept == 0 && n > 0) {
    std::vector<size_t> cand;
    int tokens = 0, sentences = 0, longest = 0;
    Stoplists::Density d;
    for (size_t i = 0; i < n; ++i) {
      const Info& f = info[i];
      if (f.is_title || f.reason != nullptr || blocks[i].hint < 0 || blocks[i].link_density > 0.3) continue;
      cand.push_back(i);
      tokens += f.tokens;
      longest = std::max(longest, f.tokens);
      sentences += f.end_punct || f.sent_punct > 0;
      if (lang >= 0) {
        const Stoplists::Density di = stop_->Measure(blocks[i].text, lang, 64);
        d.tokens += di.tokens;
        d.stop += di.stop;
      }
    }
    soft_text = !cand.empty();
    // Text pages (round 21): eight or more lines in a row cut at one width
    // (four in five at least three quarters of it, at most a quarter of the
    // lines without a sentence end leaving room for the next line's first
    // word) are a hard-wrapped text, a poem or a column in dialect with few
    // full stops and stop words, never a list of headlines, whose lines end
    // where the headline does.
    bool wrapped = false;
    if (page.ranges == nullptr && cand.size() >= 8) {
      std::vector<int> widths;
      for (size_t i : cand) widths.push_back(info[i].cp);
      const int width = WrapWidth(widths);
      size_t run = 0, best_run = 0;
      int open = 0, early = 0, full = 0;
      for (size_t k = 0; k < cand.size(); ++k) {
        const size_t i = cand[k];
        const bool next_adjacent = k + 1 < cand.size() && cand[k + 1] == i + 1;
        full += info[i].cp * 4 >= width * 3;
        if (next_adjacent && !info[i].end_punct) {
          ++open;
          early += info[i].cp + 1 + FirstWordCp(blocks[i + 1].text) <= width;
        }
        run = k > 0 && cand[k - 1] + 1 == i ? run + 1 : 1;
        best_run = std::max(best_run, run);
      }
      wrapped = best_run >= 8 && open >= 7 && early * 4 <= open && full * 5 >= static_cast<int>(cand.size()) * 4;
    }
    // A line of 20+ words is a paragraph that lacks its full stop (a caption
    // story, a one-paragraph wire item), not a headline.
    const bool headline_list = cand.size() >= 5 && sentences == 0 && longest < 20 && !wrapped;
    const bool prose = sentences > 0 || lang < 0 || d.value() >= 0.2 || wrapped;
    const int min_tokens = page.html ? 15 : 8;
    if (tokens >= min_tokens && prose && !headline_list && !(page.html && sentences == 0)) {
      for (size_t i : cand) {
        if (!text.empty()) text.push_back('\n');
        text.append(blocks[i].text);
        ++kept;
        const std::string* r = reason(info[i].cls == Cls::kShort ? "short" : "low_text");
        if (auto it = res.section.removed.find(*r); it != res.section.removed.end() && --it->second == 0) {
          res.section.removed.erase(it);
        }
      }
      rescued = true;
    }
  }
  if (kept == 0) res.drop_reason = n == 0 ? "empty_page" : soft_text ? "no_article" : "only_boilerplate";

  if (opt_.learn_templates && templates_ != nullptr && n > 0) {
    std::vector<uint64_t> hashes;
    hashes.reserve(n);
    std::unordered_set<uint64_t> seen;
    // The page's text key: its long lines (paragraphs, never counted as
    // template) identify the article even when the furniture around it
    // changes between copies (a date banner, a most-read list); a page
    // without any long line is keyed by all its lines. Seeded apart from
    // the id key.
    std::vector<uint64_t> long_lines;
    for (const Info& f : info) {
      if (f.cp <= opt_.max_boilerplate_chars) {
        if (seen.insert(f.hash).second) hashes.push_back(f.hash);
      } else {
        long_lines.push_back(f.hash);
      }
    }
    std::vector<uint64_t> all_lines;
    if (long_lines.empty()) {
      all_lines.reserve(n);
      for (const Info& f : info) all_lines.push_back(f.hash);
    }
    const std::vector<uint64_t>& keyed = long_lines.empty() ? all_lines : long_lines;
    const uint64_t body_key = XXH3_64bits_withSeed(keyed.data(), keyed.size() * sizeof(uint64_t), kBodyKeySeed);
    templates_->Observe(page.source, page.page_key, body_key, hashes);
  }
  res.note = "kept " + std::to_string(kept) + "/" + std::to_string(n) + " blocks" +
             (lang >= 0 ? ", stoplist " + stop_->name(lang) : "");
  if (rescued) {
    res.note += "; low confidence: no block passed the article tests, kept the " +
                std::to_string(kept) + " not rejected by a hard rule";
  }
  if (res.section.title.empty() && kept > 0) res.note += "; no title found";
  return res;
}

}  // namespace newsflow::clean
