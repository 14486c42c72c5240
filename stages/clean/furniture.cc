#include "furniture.h"

#include <cctype>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace newsflow::clean {
namespace {

// Bytes of the digit at `s[i]` (ASCII, Arabic-Indic U+0660..U+0669 or
// Extended Arabic-Indic U+06F0..U+06F9), 0 when none; `value` gets it.
size_t DigitAt(std::string_view s, size_t i, int* value = nullptr) {
  if (i >= s.size()) return 0;
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c >= '0' && c <= '9') {
    if (value != nullptr) *value = c - '0';
    return 1;
  }
  if (i + 1 < s.size()) {
    const unsigned char d = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xD9 && d >= 0xA0 && d <= 0xA9) || (c == 0xDB && d >= 0xB0 && d <= 0xB9)) {
      if (value != nullptr) *value = c == 0xD9 ? d - 0xA0 : d - 0xB0;
      return 2;
    }
  }
  return 0;
}

// Steps `i` over at most `max` digits (any script DigitAt reads); returns how many.
size_t SkipDigits(std::string_view s, size_t& i, size_t max) {
  size_t n = 0;
  for (size_t k; n < max && (k = DigitAt(s, i)) > 0; i += k) ++n;
  return n;
}

bool IsAsciiLetter(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

// Splits on single spaces (normalised text has no others).
template <typename F>
void ForEachWord(std::string_view s, F&& f) {
  size_t b = 0;
  while (b <= s.size()) {
    size_t e = s.find(' ', b);
    if (e == std::string_view::npos) e = s.size();
    if (e > b && !f(s.substr(b, e - b))) return;
    b = e + 1;
  }
}

enum class Tok { kNumber, kYear, kWord, kPunct };

Tok Classify(std::string_view w) {
  // Brackets and a label's colon around a count: "(8)", "[12]", "8:" .
  while (!w.empty() && (w.front() == '(' || w.front() == '[')) w.remove_prefix(1);
  while (!w.empty() && (w.back() == ')' || w.back() == ']' || w.back() == ':')) w.remove_suffix(1);
  if (w.empty()) return Tok::kPunct;
  int digits = 0, value = 0;
  bool other = false, letter = false;
  for (size_t i = 0; i < w.size();) {
    int v = 0;
    if (size_t k = DigitAt(w, i, &v); k > 0) {
      // Only a 4-digit value is read (a year); longer runs of digits must not
      // overflow it (found by fuzz_clean).
      if (++digits <= 4) value = value * 10 + v;
      i += k;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(w[i]);
    // Thousands separators and decimal points: , . and Arabic ٬ ٫ (U+066C, U+066B).
    if (c == ',' || c == '.') {
      other |= digits == 0;
      ++i;
      continue;
    }
    if (c == 0xD9 && i + 1 < w.size() &&
        (static_cast<unsigned char>(w[i + 1]) == 0xAC || static_cast<unsigned char>(w[i + 1]) == 0xAB)) {
      i += 2;
      continue;
    }
    letter |= IsAsciiLetter(c) || c >= 0xC3;
    other = true;
    ++i;
  }
  if (digits > 0 && !other) return digits == 4 && value >= 1900 && value <= 2099 ? Tok::kYear : Tok::kNumber;
  return letter ? Tok::kWord : Tok::kPunct;
}

// Words of `s` split at spaces (punctuation counts as part of a word).
int SpaceSeparatedWords(std::string_view s) {
  int n = 0;
  bool in = false;
  for (char c : s) {
    const bool space = c == ' ';
    n += !space && !in;
    in = !space;
  }
  return n;
}

// Ends with ".", "!", "?" or the Arabic question mark.
bool EndsWithSentenceMark(std::string_view s) {
  if (s.empty()) return false;
  const char last = s.back();
  return last == '.' || last == '!' || last == '?' || s.ends_with("\xD8\x9F");
}

}  // namespace

bool LooksLikeCounter(std::string_view line, int tokens) {
  if (tokens < 2 || tokens > 4 || line.size() > 80) return false;
  // Cheap test first: most lines hold no digit.
  bool digit = false;
  for (size_t i = 0; i < line.size() && !digit; ++i) digit = DigitAt(line, i) > 0;
  if (!digit || HasClockTime(line)) return false;
  // "3. تطبيق ..." numbers a list item: a rank, not a count.
  size_t lead = 0;
  for (size_t k = DigitAt(line, lead); k > 0; k = DigitAt(line, lead)) lead += k;
  if (lead > 0 && lead < line.size() && (line[lead] == '.' || line[lead] == ')' || line[lead] == '-')) return false;
  int numbers = 0, words = 0;
  bool ok = true;
  ForEachWord(line, [&](std::string_view w) {
    switch (Classify(w)) {
      case Tok::kNumber: ++numbers; break;
      case Tok::kWord: ++words; break;
      case Tok::kYear: ok = false; break;
      case Tok::kPunct: break;
    }
    return ok;
  });
  if (!ok || numbers != 1 || words == 0) return false;
  const char last = line.back();
  return last != '.' && last != '!' && last != '?';
}

bool LooksLikeReadingTime(std::string_view line, int tokens) {
  if (tokens < 2 || tokens > 6 || line.size() > 80) return false;
  bool digit = false;
  for (size_t i = 0; i < line.size() && !digit; ++i) digit = DigitAt(line, i) > 0;
  if (!digit || HasClockTime(line)) return false;
  int numbers = 0;
  bool minutes = false, ok = true;
  ForEachWord(line, [&](std::string_view w) {
    const Tok t = Classify(w);
    if (t == Tok::kNumber) ++numbers;
    if (t == Tok::kYear) ok = false;
    // دقائق دقيقة دقيقه, min mins minutes, Minuten, minutos
    minutes = minutes || w == "\xD8\xAF\xD9\x82\xD8\xA7\xD8\xA6\xD9\x82" ||
              w == "\xD8\xAF\xD9\x82\xD9\x8A\xD9\x82\xD8\xA9" ||
              w == "\xD8\xAF\xD9\x82\xD9\x8A\xD9\x82\xD9\x87" || w == "min" || w == "mins" ||
              w == "minutes" || w == "Minuten" || w == "minutos";
    return ok;
  });
  if (!ok || numbers != 1 || !minutes) return false;
  const char last = line.back();
  return last != '.' && last != '!' && last != '?';
}

bool LooksLikeWeather(std::string_view line, int tokens) {
  if (tokens < 1 || tokens > 10 || line.size() > 160) return false;
  const char last = line.back();
  if (last == '.' || last == '!' || last == '?') return false;
  // "°" U+00B0 (C2 B0), "℃" U+2103 (E2 84 83), right after a digit.
  for (size_t at = 0; at < line.size(); ++at) {
    const bool degree = line.compare(at, 2, "\xC2\xB0") == 0 || line.compare(at, 3, "\xE2\x84\x83") == 0;
    if (!degree || at == 0) continue;
    // The digit before it: ASCII, or a two-byte Arabic-Indic one.
    if (DigitAt(line, at - 1) > 0 || (at >= 2 && DigitAt(line, at - 2) == 2)) return true;
  }
  return false;
}

bool LooksLikeLanguageMenu(std::string_view line) {
  if (line.size() > 200) return false;
  // Two names at least, one of them in a script other than Arabic's (an
  // upper-case Latin letter, Cyrillic, Hebrew, CJK) or Persian's "ی": a
  // byte scan rejects the Arabic lines first.
  bool other = false;
  for (size_t i = 0; i < line.size() && !other; ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    other = (c >= 'A' && c <= 'Z') || c == 0xD0 || c == 0xD1 || c == 0xD7 || (c >= 0xE4 && c <= 0xE9) ||
            (c == 0xDB && i + 1 < line.size() && static_cast<unsigned char>(line[i + 1]) == 0x8C);
  }
  if (!other) return false;
  static const std::unordered_set<std::string_view> kEndonyms = {
      "English", "Fran\xC3\xA7" "ais", "Francais", "Espa\xC3\xB1ol", "Deutsch", "Italiano",
      "Portugu\xC3\xAAs", "T\xC3\xBCrk\xC3\xA7" "e", "Polski", "Nederlands",
      "\xD0\xA0\xD1\x83\xD1\x81\xD1\x81\xD0\xBA\xD0\xB8\xD0\xB9",  // Русский
      "\xE4\xB8\xAD\xE6\x96\x87",                                      // 中文
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",                        // 日本語
      "\xD7\xA2\xD7\x91\xD7\xA8\xD7\x99\xD7\xAA",                    // עברית
      "\xD9\x81\xD8\xA7\xD8\xB1\xD8\xB3\xDB\x8C",                    // فارسی
      "\xD8\xA7\xD8\xB1\xD8\xAF\xD9\x88",                              // اردو
      "\xD8\xA7\xD9\x84\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9",  // العربية
      "\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A"};                              // عربي
  int words = 0, names = 0;
  ForEachWord(line, [&](std::string_view w) {
    ++words;
    names += kEndonyms.count(w) != 0;
    return words <= 12;
  });
  return words <= 12 && names >= 2 && names * 2 >= words;
}

bool LooksLikeSignatureLine(std::string_view line) {
  if (line.size() > 120) return false;
  static constexpr std::string_view kMarks[] = {"-", "\xE2\x80\x93", "\xE2\x80\x94", "*"};
  std::string_view rest;
  for (std::string_view m : kMarks) {
    if (line.starts_with(m)) rest = line.substr(m.size());
  }
  if (rest.empty()) return false;
  for (size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == ':' || c == '|' || c == '/' || c == '@' || c == '#' || DigitAt(rest, i) > 0) return false;
  }
  if (rest.find("\xC2\xA9") != std::string_view::npos || EndsWithSentenceMark(rest)) return false;  // ©
  const int words = SpaceSeparatedWords(rest);
  return words >= 1 && words <= 5;
}

bool LooksLikeShareRow(std::string_view folded) {
  if (folded.size() > 200) return false;
  // Networks, one word each; two-word names are joined below.
  static const std::unordered_set<std::string_view> kNetworks = {
      "\xD9\x81\xD9\x8A\xD8\xB3\xD8\xA8\xD9\x88\xD9\x83",  // فيسبوك
      "\xD8\xAA\xD9\x88\xD9\x8A\xD8\xAA\xD8\xB1",              // تويتر
      "\xD9\x88\xD8\xA7\xD8\xAA\xD8\xB3\xD8\xA7\xD8\xA8",    // واتساب
      "\xD8\xA7\xD9\x86\xD8\xB3\xD8\xAA\xD8\xBA\xD8\xB1\xD8\xA7\xD9\x85",  // انستغرام
      "\xD8\xA7\xD9\x86\xD8\xB3\xD8\xAA\xD8\xAC\xD8\xB1\xD8\xA7\xD9\x85",  // انستجرام
      "\xD9\x8A\xD9\x88\xD8\xAA\xD9\x8A\xD9\x88\xD8\xA8",    // يوتيوب
      "\xD8\xAA\xD9\x8A\xD9\x84\xD9\x8A\xD8\xAC\xD8\xB1\xD8\xA7\xD9\x85",  // تيليجرام
      "\xD8\xAA\xD9\x84\xD8\xBA\xD8\xB1\xD8\xA7\xD9\x85",    // تلغرام
      "\xD8\xAA\xD9\x84\xD9\x8A\xD8\xAC\xD8\xB1\xD8\xA7\xD9\x85",  // تليجرام
      "\xD9\x84\xD9\x8A\xD9\x86\xD9\x83\xD8\xAF\xD8\xA7\xD9\x86",  // لينكدان
      "\xD8\xB3\xD9\x86\xD8\xA7\xD8\xA8\xD8\xB4\xD8\xA7\xD8\xAA",  // سنابشات
      "\xD9\x85\xD8\xA7\xD8\xB3\xD9\x86\xD8\xAC\xD8\xB1",    // ماسنجر
      "facebook", "twitter", "whatsapp", "telegram", "linkedin", "instagram", "youtube", "pinterest",
      "reddit", "messenger", "snapchat", "tiktok", "threads", "bluesky", "mastodon", "xing"};
  // First halves of two-word names and their second halves: فيس بوك, واتس اب,
  // سناب شات, لينكد ان.
  static const std::pair<std::string_view, std::string_view> kPairs[] = {
      {"\xD9\x81\xD9\x8A\xD8\xB3", "\xD8\xA8\xD9\x88\xD9\x83"},
      {"\xD9\x88\xD8\xA7\xD8\xAA\xD8\xB3", "\xD8\xA7\xD8\xA8"},
      {"\xD8\xB3\xD9\x86\xD8\xA7\xD8\xA8", "\xD8\xB4\xD8\xA7\xD8\xAA"},
      {"\xD9\x84\xD9\x8A\xD9\x86\xD9\x83\xD8\xAF", "\xD8\xA7\xD9\x86"}};
  // The call around them, folded as the line is (ة is ه, ى is ي, no
  // punctuation): four were once written unfolded and never matched.
  static const std::unordered_set<std::string_view> kCall = {
      "\xD8\xB4\xD8\xA7\xD8\xB1\xD9\x83",                        // شارك
      "\xD8\xB4\xD8\xA7\xD8\xB1\xD9\x83\xD9\x88\xD8\xA7",    // شاركوا
      "\xD9\x85\xD8\xB4\xD8\xA7\xD8\xB1\xD9\x83\xD9\x87",    // مشاركه
      "\xD8\xA7\xD9\x86\xD8\xB4\xD8\xB1",                        // انشر
      "\xD8\xAA\xD8\xA7\xD8\xA8\xD8\xB9\xD9\x86\xD8\xA7",    // تابعنا
      "\xD8\xAA\xD8\xA7\xD8\xA8\xD8\xB9\xD9\x88\xD9\x86\xD8\xA7",  // تابعونا
      "\xD8\xB9\xD9\x84\xD9\x8A",                                  // علي (على)
      "\xD8\xB9\xD8\xA8\xD8\xB1",                                  // عبر
      "\xD8\xB7\xD8\xA8\xD8\xA7\xD8\xB9\xD9\x87",              // طباعه
      "\xD8\xA7\xD9\x84\xD8\xA8\xD8\xB1\xD9\x8A\xD8\xAF",    // البريد
      "\xD8\xA7\xD9\x84\xD8\xA7\xD9\x84\xD9\x83\xD8\xAA\xD8\xB1\xD9\x88\xD9\x86\xD9\x8A",  // الالكتروني
      // Folding drops punctuation: "E-mail" arrives as "e mail".
      "share", "follow", "us", "on", "via", "print", "email", "e", "mail", "teilen", "partager",
      "compartir"};
  // One pass, no copy: most lines fail at their first word.
  int words = 0, networks = 0;
  std::string_view second;  // the second half a two-word name still needs
  bool ok = true;
  ForEachWord(folded, [&](std::string_view w) {
    if (++words > 16) return ok = false;
    if (!second.empty()) {
      if (w != second) return ok = false;
      second = {};
      ++networks;
      return true;
    }
    if (kNetworks.count(w) != 0) {
      ++networks;
      return true;
    }
    for (const auto& [first, rest] : kPairs) {
      if (w == first) {
        second = rest;
        return true;
      }
    }
    return ok = kCall.count(w) != 0;
  });
  return ok && second.empty() && words >= 2 && networks >= 2;
}

bool LooksLikeReporterLine(std::string_view line, int tokens) {
  if (tokens < 2 || tokens > 8 || line.size() > 160) return false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '|' || c == '/' || c == ':' || c == '@' || DigitAt(line, i) > 0) return false;
  }
  if (EndsWithSentenceMark(line)) return false;
  // The dash: "-", en dash, em dash; it splits the line in two parts of 1-5 words.
  static constexpr std::string_view kDashes[] = {"-", "\xE2\x80\x93", "\xE2\x80\x94"};
  size_t at = std::string_view::npos, len = 0;
  for (std::string_view d : kDashes) {
    const size_t k = line.find(d);
    if (k != std::string_view::npos && k < at) {
      at = k;
      len = d.size();
    }
  }
  if (at == std::string_view::npos) return false;
  const std::string_view rest = line.substr(at + len);
  for (std::string_view d : kDashes) {
    if (rest.find(d) != std::string_view::npos) return false;  // one dash only
  }
  const int left = SpaceSeparatedWords(line.substr(0, at)), right = SpaceSeparatedWords(rest);
  return left >= 1 && left <= 5 && right >= 1 && right <= 5;
}

bool LooksLikePager(std::string_view line) {
  if (line.size() > 120) return false;
  // A gallery's counter in brackets, "(1 من 12)", "[3 / 8]": the counter
  // inside (round 17). A lone "(3)" still reads as no page number.
  if (line.size() > 2 && ((line.front() == '(' && line.back() == ')') ||
                          (line.front() == '[' && line.back() == ']'))) {
    line = line.substr(1, line.size() - 2);
  }
  bool digit = false;
  for (size_t i = 0; i < line.size() && !digit; ++i) digit = DigitAt(line, i) > 0;
  if (!digit) return false;
  int numbers = 0, words = 0, tokens = 0, first = 0, second = 0, third = 0;
  bool in_row = true;  // numbers so far are 1, 2, 3, ...
  bool ok = true;
  ForEachWord(line, [&](std::string_view w) {
    ++tokens;
    if (Classify(w) == Tok::kWord) {
      ++words;
      return ok = words <= 3;
    }
    int value = 0;
    size_t i = 0, digits = 0;
    for (size_t k; (k = DigitAt(w, i)) > 0 && digits < 4; i += k, ++digits) {
      int v = 0;
      DigitAt(w, i, &v);
      value = value * 10 + v;
    }
    if (digits == 0) return true;  // an arrow, a bar, a slash
    if (i != w.size()) return ok = false;  // "3." "(3)" "2015-07": no page number
    ++numbers;
    if (numbers == 1) first = value;
    if (numbers == 2) second = value;
    if (numbers == 3) third = value;
    in_row &= value == numbers;
    return true;
  });
  if (!ok) return false;
  const char end = line.back();
  if (words == 3) {
    // Round 10: a results counter, "النتائج 1 إلى 6 من 34", "Results 1 to 10 of 52".
    return numbers == 3 && tokens <= 6 && first >= 1 && first <= second && second <= third && end != '.' &&
           end != '!' && end != '?';
  }
  if (numbers >= 2 && in_row && tokens <= numbers + 4) return true;
  const char last = line.back();
  return numbers == 2 && tokens <= 4 && first >= 1 && first <= second && second <= 999 && last != '.' &&
         last != '!' && last != '?';
}

bool LooksLikeHeadlineTicker(std::string_view line) {
  if (line.size() > 1200) return false;
  // Every mark is three bytes from E2: ◄ E2 97 84, ► E2 96 BA, ◀ E2 97 80,
  // ▶ E2 96 B6, • E2 80 A2. One memchr pass over the lead byte.
  auto is_mark = [](unsigned char b1, unsigned char b2) {
    return (b1 == 0x97 && (b2 == 0x84 || b2 == 0x80)) || (b1 == 0x96 && (b2 == 0xBA || b2 == 0xB6)) ||
           (b1 == 0x80 && b2 == 0xA2);
  };
  const char* p = line.data();
  const char* end = p + line.size();
  while ((p = static_cast<const char*>(std::memchr(p, '\xE2', static_cast<size_t>(end - p)))) != nullptr) {
    const size_t at = static_cast<size_t>(p - line.data());
    ++p;
    if (at + 4 > line.size() || !is_mark(static_cast<unsigned char>(line[at + 1]), static_cast<unsigned char>(line[at + 2]))) {
      continue;
    }
    // A mark with a space on each side and two words or more on each side.
    if (at == 0 || line[at - 1] != ' ' || line[at + 3] != ' ') continue;
    if (SpaceSeparatedWords(line.substr(0, at)) >= 2 && SpaceSeparatedWords(line.substr(at + 3)) >= 2) return true;
  }
  return false;
}

std::string_view QuotedInside(std::string_view line) {
  static constexpr std::pair<std::string_view, std::string_view> kPairs[] = {
      {"\xC2\xAB", "\xC2\xBB"},          // « »
      {"\xE2\x80\x9C", "\xE2\x80\x9D"},  // “ ”
      {"\"", "\""},
  };
  for (const auto& [open, close] : kPairs) {
    if (line.size() > open.size() + close.size() && line.substr(0, open.size()) == open &&
        line.substr(line.size() - close.size()) == close) {
      std::string_view in = line.substr(open.size(), line.size() - open.size() - close.size());
      while (!in.empty() && in.front() == ' ') in.remove_prefix(1);
      while (!in.empty() && in.back() == ' ') in.remove_suffix(1);
      // One quotation: no closing mark inside ("«a» and «b»" is two).
      if (in.find(close) != std::string_view::npos || in.find(open) != std::string_view::npos) return {};
      return in;
    }
  }
  return {};
}

bool LooksLikeTicker(std::string_view line, bool ends_sentence) {
  if (ends_sentence || line.size() > 400) return false;
  int seps = 0;
  size_t b = 0;
  while (true) {
    const size_t e = line.find(" | ", b);
    std::string_view seg = line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b);
    int words = 1;
    for (char c : seg) words += c == ' ';
    if (words > 6) return false;
    if (e == std::string_view::npos) break;
    ++seps;
    b = e + 3;
  }
  return seps >= 2;
}

bool LooksLikeKicker(std::string_view line) {
  if (line.size() > 400 || std::memchr(line.data(), '|', line.size()) == nullptr) return false;
  const size_t bar = line.find(" | ");
  if (bar == std::string_view::npos || bar == 0 || line.find(" | ", bar + 3) != std::string_view::npos) return false;
  const std::string_view label = line.substr(0, bar), head = line.substr(bar + 3);
  const auto words = [](std::string_view s) { return 1 + static_cast<int>(std::count(s.begin(), s.end(), ' ')); };
  if (words(label) > 2 || words(head) < 3 || head.find('|') != std::string_view::npos) return false;
  for (char ch : label) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= '0' && c <= '9') || IsAsciiLetter(c)) return false;
  }
  return true;
}

bool IsClockOnly(std::string_view line) {
  if (line.size() > 32) return false;
  if (line.size() >= 2 && line.front() == '(' && line.back() == ')') line = line.substr(1, line.size() - 2);
  // Groups of digits separated by ':': one or two, then two, then optionally two.
  int groups = 0, digits = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ':') {
      if (digits == 0 || digits > 2 || (groups > 0 && digits != 2)) return false;
      ++groups;
      digits = 0;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == 0xD9 && i + 1 < line.size() && static_cast<unsigned char>(line[i + 1]) >= 0xA0 &&
               static_cast<unsigned char>(line[i + 1]) <= 0xA9) {
      ++digits;  // Arabic-Indic digit
      ++i;
    } else {
      return false;
    }
  }
  return groups == 2 || groups == 3;
}

bool LooksLikeLatinOnly(std::string_view line, int tokens, int max_tokens) {
  if (tokens < 1 || tokens > max_tokens || line.size() > 120) return false;
  if (line[0] == '*' || line[0] == '-' || line.rfind("\xE2\x80\xA2", 0) == 0) return false;  // a list item
  int letters = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 0x80) {
      if (c == '.' || c == '/' || c == '@' || c == '_' || c == '#') return false;  // URLs, addresses, tags
      letters += IsAsciiLetter(c);
      continue;
    }
    // Latin-1 and Latin Extended-A letters, general punctuation and symbols
    // (dashes, arrows, ☰); anything else is another script.
    if (c == 0xC2 || c == 0xC3 || c == 0xC5) {
      letters += c != 0xC2;
      ++i;
      continue;
    }
    if (c == 0xE2 && i + 2 < line.size()) {
      i += 2;
      continue;
    }
    return false;
  }
  return letters >= 2;
}

bool MostlyNonLatin(std::string_view sample) {
  int latin = 0, other = 0;
  for (unsigned char c : sample) {
    latin += IsAsciiLetter(c);
    other += c >= 0xC4 && c < 0xF8;  // lead bytes of letters beyond Latin-1
  }
  return other > latin;
}

bool HasClockTime(std::string_view line) {
  for (size_t p = line.find(':'); p != std::string_view::npos; p = line.find(':', p + 1)) {
    // One or two digits before, exactly two after.
    size_t before = 0, i = p;
    while (before < 2 && i > 0) {
      size_t k = 0;
      if (i >= 1 && DigitAt(line, i - 1) == 1) k = 1;
      else if (i >= 2 && DigitAt(line, i - 2) == 2) k = 2;
      if (k == 0) break;
      i -= k;
      ++before;
    }
    if (before == 0) continue;
    size_t j = p + 1;
    if (SkipDigits(line, j, 3) == 2) return true;
  }
  return false;
}

bool HasSentenceEnd(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    if (c == '.' || c == '!' || c == '?') len = 1;
    else if (c == 0xD8 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x9F) len = 2;  // ؟
    if (len == 0) continue;
    // "..", "..." inside a line (a pause in a headline) end no sentence.
    if (c == '.' && i + 1 < s.size() && s[i + 1] == '.') {
      while (i + 1 < s.size() && s[i + 1] == '.') ++i;
      if (i + 1 < s.size()) continue;
      return true;
    }
    const size_t next = i + len;
    if (next >= s.size()) return true;
    const unsigned char n = static_cast<unsigned char>(s[next]);
    if (n == ' ' || n == '"' || n == '\'' || n == ')' || n == 0xC2 /* » */ || n == 0xE2 /* ” */) return true;
    i = next - 1;
  }
  return false;
}

bool IsRankOnly(std::string_view line) {
  size_t i = 0;
  if (SkipDigits(line, i, 3) == 0) return false;
  if (i < line.size() && (line[i] == '.' || line[i] == ')' || line[i] == '-')) ++i;
  return i == line.size();
}

namespace {

// Decodes the UTF-8 code point at `s[i]` (advancing `i`); invalid bytes read as U+FFFD.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + static_cast<size_t>(len) > s.size()) len = 1;
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
  if (len == 1 && c >= 0x80) cp = 0xFFFD;
  i += static_cast<size_t>(len);
  return cp;
}

bool IsDash(uint32_t cp) { return cp == '-' || cp == 0x2013 || cp == 0x2014 || cp == 0x2015; }

// A number of at most `max` digits and nothing else.
bool IsNumber(std::string_view w, size_t max) {
  size_t i = 0;
  return SkipDigits(w, i, max) > 0 && i == w.size();
}

}  // namespace

bool LooksLikeEmbedSignature(std::string_view line) {
  if (line.size() < 12 || line.size() > 200) return false;
  size_t i = 0;
  if (!IsDash(NextCodePoint(line, i)) || i >= line.size() || line[i] != ' ') return false;
  const size_t at = line.find("(@");
  if (at == std::string_view::npos) return false;
  size_t j = at + 2, handle = 0;
  while (j < line.size() && (IsAsciiLetter(static_cast<unsigned char>(line[j])) ||
                             (line[j] >= '0' && line[j] <= '9') || line[j] == '_')) {
    ++j;
    ++handle;
  }
  if (handle == 0 || handle > 15 || j >= line.size() || line[j] != ')') return false;
  std::string_view rest = line.substr(j + 1);
  int tokens = 0;
  std::string_view last;
  ForEachWord(rest, [&](std::string_view w) {
    ++tokens;
    last = w;
    return true;
  });
  return tokens >= 1 && tokens <= 4 && last.size() >= 4 && IsNumber(last, 4) &&
         (last.size() == 4 || last.size() == 8);  // a year, ASCII or Arabic-Indic
}

bool IsBareLink(std::string_view line) {
  if (line.size() < 6 || line.size() > 120 || line.find(' ') != std::string_view::npos) return false;
  const size_t dot = line.find('.');
  const size_t slash = line.find('/');
  return dot != std::string_view::npos && slash != std::string_view::npos && dot > 0 && dot + 1 < line.size();
}

bool LooksLikePageMark(std::string_view line, int tokens) {
  if (line.size() > 60 || tokens < 1 || tokens > 5) return false;
  // "- 10 -": a dash, one to three digits, a dash.
  {
    size_t i = 0;
    if (line.size() >= 3 && IsDash(NextCodePoint(line, i))) {
      while (i < line.size() && line[i] == ' ') ++i;
      if (SkipDigits(line, i, 4) > 0) {
        while (i < line.size() && line[i] == ' ') ++i;
        if (i < line.size() && IsDash(NextCodePoint(line, i)) && i == line.size()) return true;
      }
    }
  }
  // "... ص 14": the last token a number, the one before it a page word.
  if (tokens < 2) return false;
  const size_t sp = line.rfind(' ');
  if (sp == std::string_view::npos || !IsNumber(line.substr(sp + 1), 4)) return false;
  std::string_view head = line.substr(0, sp);
  const size_t sp2 = head.rfind(' ');
  std::string_view w = sp2 == std::string_view::npos ? head : head.substr(sp2 + 1);
  return w == "\xD8\xB5" || w == "\xD8\xB5." ||                              // ص
         w == "\xD8\xB5\xD9\x81\xD8\xAD\xD8\xA9" ||                       // صفحة
         w == "\xD8\xA7\xD9\x84\xD8\xB5\xD9\x81\xD8\xAD\xD8\xA9" ||   // الصفحة
         w == "page" || w == "Page" || w == "p.";
}

bool IsTagOrHandleLine(std::string_view line) {
  if (line.size() < 2 || line.size() > 300 || (line[0] != '#' && line[0] != '@')) return false;
  int tokens = 0, tags = 0, handles = 0;
  ForEachWord(line, [&](std::string_view w) {
    ++tokens;
    if (w.size() >= 2 && w[0] == '#' && w[1] != '#' && !(w[1] >= '0' && w[1] <= '9')) ++tags;
    if (w.size() >= 2 && w[0] == '@') ++handles;
    return true;
  });
  return (tokens >= 2 && tags == tokens) || (tokens == 1 && handles == 1 && line.size() <= 16);
}

bool IsSymbolCounter(std::string_view line) {
  if (line.size() > 120) return false;
  bool digit = false, symbol = false;
  for (size_t i = 0; i < line.size();) {
    if (const size_t k = DigitAt(line, i); k > 0) {
      digit = true;
      i += k;
      continue;
    }
    const uint32_t cp = NextCodePoint(line, i);
    if ((cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF)) {
      symbol = true;
    } else if (cp < 0x80) {
      if (IsAsciiLetter(static_cast<unsigned char>(cp)) && cp != 'K' && cp != 'M' && cp != 'k') return false;
    } else if (!(cp == 0xFE0F || cp == 0x00D7 || (cp >= 0x2010 && cp <= 0x205E) || cp == 0x060C ||
                 cp == 0x066B || cp == 0x066C || cp == 0x066A)) {
      return false;  // a letter (or a character this test does not know)
    }
  }
  return digit && symbol;
}

// Round 11. A telephone number: a run of 9 to 15 digits that starts with 0
// ("0551234567", "920012345" is not one: no leading 0), or a "+" and 10 to 15
// digits in groups split by single spaces or dashes ("+966 12 345 6789").
namespace {

// Whether `line` holds a zero digit (any script) or a "+": a phone number
// needs one, and most lines have neither (four memchr scans, no byte loop).
bool MayHoldPhone(std::string_view line) {
  const char* p = line.data();
  const size_t n = line.size();
  if (std::memchr(p, '0', n) != nullptr || std::memchr(p, '+', n) != nullptr) return true;
  for (const unsigned char tail : {0xA0, 0xB0}) {  // U+0660 is D9 A0, U+06F0 is DB B0
    const unsigned char lead = tail == 0xA0 ? 0xD9 : 0xDB;
    for (size_t i = 1; i < n;) {
      const void* hit = std::memchr(p + i, tail, n - i);
      if (hit == nullptr) break;
      const size_t k = static_cast<size_t>(static_cast<const char*>(hit) - p);
      if (static_cast<unsigned char>(p[k - 1]) == lead) return true;
      i = k + 1;
    }
  }
  return false;
}

}  // namespace

bool HasPhoneNumber(std::string_view line) {
  if (!MayHoldPhone(line)) return false;
  for (size_t i = 0; i < line.size();) {
    const bool plus = line[i] == '+';
    size_t j = plus ? i + 1 : i;
    int value = -1;
    if (DigitAt(line, j, &value) == 0) {
      ++i;
      continue;
    }
    const bool run_start = i == 0 || DigitAt(line, i - 1) == 0;
    size_t digits = 0;
    if (plus) {
      while (j < line.size()) {
        const size_t got = SkipDigits(line, j, 16);
        digits += got;
        if (got == 0 || j + 1 >= line.size() || (line[j] != ' ' && line[j] != '-') || DigitAt(line, j + 1) == 0) break;
        ++j;
      }
      if (digits >= 10 && digits <= 15) return true;
    } else {
      digits = SkipDigits(line, j, 17);
      if (run_start && value == 0 && digits >= 9 && digits <= 15) return true;
    }
    i = j > i ? j : i + 1;
  }
  return false;
}

bool HasEmailAddress(std::string_view line) {
  // name@domain.tld: letters, digits or ._%+- before the "@", a dot in what
  // follows, letters after the last dot.
  auto local = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  };
  for (size_t at = line.find('@'); at != std::string_view::npos; at = line.find('@', at + 1)) {
    if (at == 0 || !local(line[at - 1])) continue;
    size_t end = at + 1;
    while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '.' ||
                                 line[end] == '-')) {
      ++end;
    }
    std::string_view domain = line.substr(at + 1, end - at - 1);
    while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    const size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) continue;
    bool letters = true;
    for (char c : domain.substr(dot + 1)) letters = letters && std::isalpha(static_cast<unsigned char>(c));
    if (letters) return true;
  }
  return false;
}

bool LooksLikeContactLine(std::string_view line, int tokens, bool ends_sentence) {
  if (ends_sentence || tokens > 16 || line.size() > 240) return false;
  // An address after a label ("البريد الإلكتروني: x@y.com", "Email: ..."):
  // a press office's contact block. A bare address under a column is the
  // columnist's signature, which the corpus text keeps as the article's.
  const size_t at = line.find('@');
  if (at != std::string_view::npos) {
    const size_t colon = line.substr(0, at).rfind(':');
    if (colon != std::string_view::npos && HasEmailAddress(line.substr(colon + 1))) return true;
  }
  return HasPhoneNumber(line);
}

bool HasIssueNumber(std::string_view folded) {
  static constexpr std::string_view kIssue = "\xD8\xA7\xD9\x84\xD8\xB9\xD8\xAF\xD8\xAF ";  // "العدد "
  for (size_t at = folded.find(kIssue); at != std::string_view::npos; at = folded.find(kIssue, at + 1)) {
    if (DigitAt(folded, at + kIssue.size()) > 0) return true;
  }
  return false;
}

bool StartsWithPlayGlyph(std::string_view line) {
  if (line.empty() || line.size() > 300) return false;
  size_t i = 0;
  const uint32_t cp = NextCodePoint(line, i);
  const bool glyph = cp == 0x25B6 || cp == 0x25BA || cp == 0x25B7 || cp == 0x23F5 || cp == 0x23EF ||
                     cp == 0x1F3A5 || cp == 0x1F4FA || cp == 0x1F4F9 || cp == 0x1F3AC;
  if (!glyph) return false;
  // Something after the glyph: a label or a headline, not a lone symbol.
  while (i < line.size() && (line[i] == ' ' || static_cast<unsigned char>(line[i]) == 0xEF)) {
    if (line[i] != ' ') i += 3;  // U+FE0F (variation selector)
    else ++i;
  }
  return i < line.size();
}

// Round 22 (LooksLikeAgedTeaser).
namespace {

// Whether `w` is a separator word: "·", "•", "|", "-", "–", "—", "/".
bool IsSeparatorWord(std::string_view w) {
  static constexpr std::string_view kMarks[] = {"\xC2\xB7", "\xE2\x80\xA2", "|", "-", "\xE2\x80\x93",
                                                "\xE2\x80\x94", "/"};
  return std::find(std::begin(kMarks), std::end(kMarks), w) != std::end(kMarks);
}

// Units of time from a second to weeks: Arabic (singular, dual, plural, the
// accusative) and English.
bool IsAgeUnit(std::string_view w) {
  static constexpr std::string_view kUnits[] = {
      "ساعة", "ساعه", "ساعات", "ساعتين", "ساعتان", "دقيقة", "دقيقه", "دقائق", "دقيقتين", "دقيقتان",
      "ثانية", "ثوان", "ثواني", "يوم", "يوما", "يوماً", "أيام", "ايام", "يومين", "يومان",
      "أسبوع", "اسبوع", "أسابيع", "اسابيع", "أسبوعين", "اسبوعين",
      "hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "day", "days", "week", "weeks"};
  return std::find(std::begin(kUnits), std::end(kUnits), w) != std::end(kUnits);
}

// Takes the last space-separated word off `s` (which loses it and its space).
std::string_view PopWord(std::string_view& s) {
  const size_t sp = s.rfind(' ');
  std::string_view w = sp == std::string_view::npos ? s : s.substr(sp + 1);
  s = sp == std::string_view::npos ? std::string_view() : s.substr(0, sp);
  return w;
}

}  // namespace

bool LooksLikeAgedTeaser(std::string_view line) {
  if (line.size() > 600 || line.size() < 16) return false;
  std::string_view rest = line;
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  // The age clause, from the end; most lines fail at their last word.
  std::string_view w = PopWord(rest);
  if (w == "ago") {
    if (!IsAgeUnit(PopWord(rest))) return false;  // "3 hours ago", "an hour ago"
    std::string_view shorter = rest;
    const std::string_view count = PopWord(shorter);
    if (IsNumber(count, 3) || count == "an" || count == "a") rest = shorter;
  } else {
    if (!IsAgeUnit(w)) return false;  // "منذ 5 ساعات", "قبل ساعتين"
    w = PopWord(rest);
    if (IsNumber(w, 3)) w = PopWord(rest);
    if (w != "منذ" && w != "قبل") return false;
  }
  // A separator right before the age, and two words or more before the first one.
  if (!IsSeparatorWord(PopWord(rest))) return false;
  int words = 0;
  bool ok = false;
  ForEachWord(rest, [&](std::string_view x) {
    if (IsSeparatorWord(x)) return false;
    ok = ++words >= 2;
    return !ok;
  });
  return ok;
}

bool OpensWithClock(std::string_view line) {
  const size_t sp = line.find(' ');
  return sp != std::string_view::npos && sp <= 12 && IsClockOnly(line.substr(0, sp));
}

uint64_t RhymeKey(std::string_view line) {
  // Code points from the end: decode backwards by skipping continuation bytes.
  uint64_t key = 0;
  int letters = 0;
  size_t end = line.size();
  while (end > 0 && letters < 3) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(line[start]) & 0xC0) == 0x80) --start;
    size_t at = start;
    const uint32_t cp = NextCodePoint(line, at);
    end = start;
    const bool harakat = (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640;
    const bool letter = (cp >= 0x0621 && cp <= 0x064A) || (cp >= 0x0671 && cp <= 0x06D3) ||
                        (cp < 0x80 && std::isalpha(static_cast<int>(cp)));
    if (harakat) continue;
    if (!letter) {
      if (letters > 0) break;  // the word ended
      continue;              // trailing punctuation, spaces, digits
    }
    key = key << 21 | cp;
    ++letters;
  }
  return letters == 3 ? key : 0;
}

int TocEntryNumber(std::string_view line) {
  size_t i = 0;
  int value = 0, digits = 0;
  for (int v = 0; i < line.size() && digits < 3;) {
    const size_t k = DigitAt(line, i, &v);
    if (k == 0) break;
    value = value * 10 + v;
    ++digits;
    i += k;
  }
  if (digits == 0 || digits > 2 || i >= line.size() || line[i] != ' ') return -1;
  const std::string_view rest = line.substr(i + 1);
  const int words = SpaceSeparatedWords(rest);
  if (words < 1 || words > 5) return -1;
  // Words, not marks: the first character after the number is a letter;
  // and no figure among them (a table's row, "1 الأهلي 23 34", is no entry).
  const unsigned char c = static_cast<unsigned char>(rest.empty() ? ' ' : rest[0]);
  if (!(c >= 0xC3 || IsAsciiLetter(c))) return -1;
  for (size_t k = 0; k < rest.size(); ++k) {
    if (DigitAt(rest, k) > 0) return -1;
  }
  return value;
}

bool LooksLikeToolRow(std::string_view folded) {
  if (folded.size() > 160) return false;
  static const std::unordered_set<std::string_view> kTools = {
      // (Folded: ة is ه, every alef form is ا.)
      "طباعه", "اطبع", "البريد", "الالكتروني", "بريد", "ارسال", "ارسل", "تكبير", "تصغير", "الخط",
      "حفظ", "احفظ", "نسخ", "الرابط", "مشاركه", "شارك", "تعليق", "علق", "اعجبني", "اعجاب", "ابلاغ",
      "اغلاق", "النافذه", "المفضله", "print", "email", "e", "mail", "share", "save", "comment", "like",
      "report", "close", "copy", "link", "font", "bookmark"};  // "E-mail" folds to "e mail"
  int words = 0;
  std::string_view first;
  bool two_kinds = false, ok = true;
  ForEachWord(folded, [&](std::string_view w) {
    if (++words > 8 || kTools.count(w) == 0) return ok = false;
    if (first.empty()) first = w;
    else if (w != first) two_kinds = true;
    return true;
  });
  return ok && words >= 2 && two_kinds;
}

bool LooksLikePrevNextLink(std::string_view line, std::string_view folded) {
  if (line.size() > 400) return false;
  // Folded forms (ة is ه, alef forms are ا).
  static const std::unordered_set<std::string_view> kUnits = {
      "الخبر", "المقال", "المقاله", "الموضوع", "الحلقه", "الصفحه", "الالبوم", "الفيديو", "القصه",
      "التقرير", "الجزء", "العدد", "الدرس", "المنشور", "التدوينه", "الصوره"};
  static const std::unordered_set<std::string_view> kWhich = {"السابق", "السابقه", "التالي", "التاليه",
                                                              "القادم", "القادمه"};
  const size_t a = folded.find(' ');
  // Cheap test first: the second word opens with "السـ", "التـ" or "القـ".
  if (a == std::string_view::npos || a < 6 || folded.size() < a + 7 ||
      folded.compare(a + 1, 4, "\xD8\xA7\xD9\x84") != 0) {
    return false;
  }
  const std::string_view third = folded.substr(a + 5, 2);
  if (third != "\xD8\xB3" && third != "\xD8\xAA" && third != "\xD9\x82") return false;
  if (kUnits.count(folded.substr(0, a)) == 0) return false;
  const size_t b = folded.find(' ', a + 1);
  if (kWhich.count(folded.substr(a + 1, b == std::string_view::npos ? std::string_view::npos : b - a - 1)) == 0)
    return false;
  if (b == std::string_view::npos) return true;  // the two words alone (or with marks)
  // Something after them: a colon or an arrow must set it off.
  const size_t s1 = line.find(' ');
  const size_t s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
  if (s2 == std::string_view::npos) return false;
  if (line[s2 - 1] == ':') return true;
  const std::string_view next = line.substr(s2 + 1);
  static constexpr std::string_view kMarks[] = {":", "\xE2\x97\x80", "\xE2\x96\xB6", "\xC2\xBB", "\xC2\xAB",
                                                "\xE2\x86\x90", "\xE2\x86\x92"};  // ◀ ▶ » « ← →
  for (std::string_view m : kMarks) {
    if (next.substr(0, m.size()) == m) return true;
  }
  return false;
}

}  // namespace newsflow::clean
