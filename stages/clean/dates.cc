#include "dates.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

#include "newsflow/text.h"

namespace newsflow::clean {
namespace {

struct MonthName {
  std::string_view name;  // folded, may be two words
  int month;
};

// Folded forms (see Normalizer::Fold): lower case, alef variants unified.
constexpr std::array kMonths = {
    MonthName{"january", 1}, MonthName{"february", 2}, MonthName{"march", 3},
    MonthName{"april", 4}, MonthName{"may", 5}, MonthName{"june", 6},
    MonthName{"july", 7}, MonthName{"august", 8}, MonthName{"september", 9},
    MonthName{"october", 10}, MonthName{"november", 11}, MonthName{"december", 12},
    MonthName{"jan", 1}, MonthName{"feb", 2}, MonthName{"mar", 3}, MonthName{"apr", 4},
    MonthName{"jun", 6}, MonthName{"jul", 7}, MonthName{"aug", 8}, MonthName{"sep", 9},
    MonthName{"sept", 9}, MonthName{"oct", 10}, MonthName{"nov", 11}, MonthName{"dec", 12},
    MonthName{"janvier", 1}, MonthName{"f\xc3\xa9vrier", 2}, MonthName{"fevrier", 2},
    MonthName{"mars", 3}, MonthName{"avril", 4}, MonthName{"mai", 5}, MonthName{"juin", 6},
    MonthName{"juillet", 7}, MonthName{"ao\xc3\xbbt", 8}, MonthName{"aout", 8},
    MonthName{"septembre", 9}, MonthName{"octobre", 10}, MonthName{"novembre", 11},
    MonthName{"d\xc3\xa9" "cembre", 12}, MonthName{"decembre", 12},
    // Arabic (Egyptian/Gulf names), folded.
    MonthName{"\xd9\x8a\xd9\x86\xd8\xa7\xd9\x8a\xd8\xb1", 1},              // يناير
    MonthName{"\xd9\x81\xd8\xa8\xd8\xb1\xd8\xa7\xd9\x8a\xd8\xb1", 2},      // فبراير
    MonthName{"\xd9\x85\xd8\xa7\xd8\xb1\xd8\xb3", 3},                      // مارس
    MonthName{"\xd8\xa7\xd8\xa8\xd8\xb1\xd9\x8a\xd9\x84", 4},              // ابريل
    MonthName{"\xd9\x85\xd8\xa7\xd9\x8a\xd9\x88", 5},                      // مايو
    MonthName{"\xd9\x8a\xd9\x88\xd9\x86\xd9\x8a\xd9\x88", 6},              // يونيو
    MonthName{"\xd9\x8a\xd9\x88\xd9\x86\xd9\x8a\xd9\x87", 6},              // يونيه
    MonthName{"\xd9\x8a\xd9\x88\xd9\x84\xd9\x8a\xd9\x88", 7},              // يوليو
    MonthName{"\xd9\x8a\xd9\x88\xd9\x84\xd9\x8a\xd9\x87", 7},              // يوليه
    MonthName{"\xd8\xa7\xd8\xba\xd8\xb3\xd8\xb7\xd8\xb3", 8},              // اغسطس
    MonthName{"\xd8\xb3\xd8\xa8\xd8\xaa\xd9\x85\xd8\xa8\xd8\xb1", 9},      // سبتمبر
    MonthName{"\xd8\xa7\xd9\x83\xd8\xaa\xd9\x88\xd8\xa8\xd8\xb1", 10},     // اكتوبر
    MonthName{"\xd9\x86\xd9\x88\xd9\x81\xd9\x85\xd8\xa8\xd8\xb1", 11},     // نوفمبر
    MonthName{"\xd8\xaf\xd9\x8a\xd8\xb3\xd9\x85\xd8\xa8\xd8\xb1", 12},     // ديسمبر
    // Levantine/Iraqi names.
    MonthName{"\xd9\x83\xd8\xa7\xd9\x86\xd9\x88\xd9\x86 \xd8\xa7\xd9\x84\xd8\xab\xd8\xa7\xd9\x86\xd9\x8a", 1},  // كانون الثاني
    MonthName{"\xd8\xb4\xd8\xa8\xd8\xa7\xd8\xb7", 2},                      // شباط
    MonthName{"\xd8\xa7\xd8\xb0\xd8\xa7\xd8\xb1", 3},                      // اذار
    MonthName{"\xd9\x86\xd9\x8a\xd8\xb3\xd8\xa7\xd9\x86", 4},              // نيسان
    MonthName{"\xd8\xa7\xd9\x8a\xd8\xa7\xd8\xb1", 5},                      // ايار
    MonthName{"\xd8\xad\xd8\xb2\xd9\x8a\xd8\xb1\xd8\xa7\xd9\x86", 6},      // حزيران
    MonthName{"\xd8\xaa\xd9\x85\xd9\x88\xd8\xb2", 7},                      // تموز
    MonthName{"\xd8\xa7\xd8\xa8", 8},                                      // اب
    MonthName{"\xd8\xa7\xd9\x8a\xd9\x84\xd9\x88\xd9\x84", 9},              // ايلول
    MonthName{"\xd8\xaa\xd8\xb4\xd8\xb1\xd9\x8a\xd9\x86 \xd8\xa7\xd9\x84\xd8\xa7\xd9\x88\xd9\x84", 10},  // تشرين الاول
    MonthName{"\xd8\xaa\xd8\xb4\xd8\xb1\xd9\x8a\xd9\x86 \xd8\xa7\xd9\x84\xd8\xab\xd8\xa7\xd9\x86\xd9\x8a", 11},  // تشرين الثاني
    MonthName{"\xd9\x83\xd8\xa7\xd9\x86\xd9\x88\xd9\x86 \xd8\xa7\xd9\x84\xd8\xa7\xd9\x88\xd9\x84", 12},  // كانون الاول
    // Maghrebi month names (folded): Moroccan ماي يوليوز غشت شتنبر نونبر دجنبر,
    // Algerian and Tunisian جانفي فيفري أفريل جوان جويلية أوت.
    MonthName{"\xd9\x85\xd8\xa7\xd9\x8a", 5},  // ماي
    MonthName{"\xd9\x8a\xd9\x88\xd9\x84\xd9\x8a\xd9\x88\xd8\xb2", 7},  // يوليوز
    MonthName{"\xd8\xba\xd8\xb4\xd8\xaa", 8},  // غشت
    MonthName{"\xd8\xb4\xd8\xaa\xd9\x86\xd8\xa8\xd8\xb1", 9},  // شتنبر
    MonthName{"\xd9\x86\xd9\x88\xd9\x86\xd8\xa8\xd8\xb1", 11},  // نونبر
    MonthName{"\xd8\xaf\xd8\xac\xd9\x86\xd8\xa8\xd8\xb1", 12},  // دجنبر
    MonthName{"\xd8\xac\xd8\xa7\xd9\x86\xd9\x81\xd9\x8a", 1},  // جانفي
    MonthName{"\xd9\x81\xd9\x8a\xd9\x81\xd8\xb1\xd9\x8a", 2},  // فيفري
    MonthName{"\xd8\xa7\xd9\x81\xd8\xb1\xd9\x8a\xd9\x84", 4},  // افريل
    MonthName{"\xd8\xac\xd9\x88\xd8\xa7\xd9\x86", 6},  // جوان
    MonthName{"\xd8\xac\xd9\x88\xd9\x8a\xd9\x84\xd9\x8a\xd9\x87", 7},  // جويليه
    MonthName{"\xd8\xa7\xd9\x88\xd8\xaa", 8},  // اوت
};

// Weekday names and time words that may sit in a date line.
constexpr std::array<std::string_view, 56> kDateWords = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "lundi", "mardi", "mercredi", "jeudi",
    "vendredi", "samedi", "dimanche", "le", "on", "at", "gmt", "utc", "am", "pm", "h", "à",
    "\xd8\xa7\xd9\x84\xd8\xa7\xd8\xab\xd9\x86\xd9\x8a\xd9\x86",  // الاثنين
    "\xd8\xa7\xd9\x84\xd8\xab\xd9\x84\xd8\xa7\xd8\xab\xd8\xa7\xd8\xa1",  // الثلاثاء
    "\xd8\xa7\xd9\x84\xd8\xa7\xd8\xb1\xd8\xa8\xd8\xb9\xd8\xa7\xd8\xa1",  // الاربعاء
    "\xd8\xa7\xd9\x84\xd8\xae\xd9\x85\xd9\x8a\xd8\xb3",  // الخميس
    "\xd8\xa7\xd9\x84\xd8\xac\xd9\x85\xd8\xb9\xd9\x87",  // الجمعه
    "\xd8\xa7\xd9\x84\xd8\xb3\xd8\xa8\xd8\xaa",  // السبت
    "\xd8\xa7\xd9\x84\xd8\xa7\xd8\xad\xd8\xaf",  // الاحد
    "\xd9\x85",  // م (PM / CE)
    "\xd8\xb5",  // ص (AM)
    "\xd8\xa7\xd9\x84\xd8\xb3\xd8\xa7\xd8\xb9\xd9\x87",  // الساعه
    // Hijri month names (folded) and the words of a two-calendar date
    // ("19 شوال 1436 هـ الموافق 26 يوليو 2015 م").
    "\xd9\x85\xd8\xad\xd8\xb1\xd9\x85",  // محرم
    "\xd8\xb5\xd9\x81\xd8\xb1",  // صفر
    "\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xb9",  // ربيع
    "\xd8\xac\xd9\x85\xd8\xa7\xd8\xaf\xd9\x8a",  // جمادي
    "\xd8\xa7\xd9\x84\xd8\xa7\xd9\x88\xd9\x84\xd9\x8a",  // الاولي
    "\xd8\xa7\xd9\x84\xd8\xa7\xd8\xae\xd8\xb1\xd9\x87",  // الاخره
    "\xd8\xb1\xd8\xac\xd8\xa8",  // رجب
    "\xd8\xb4\xd8\xb9\xd8\xa8\xd8\xa7\xd9\x86",  // شعبان
    "\xd8\xb1\xd9\x85\xd8\xb6\xd8\xa7\xd9\x86",  // رمضان
    "\xd8\xb4\xd9\x88\xd8\xa7\xd9\x84",  // شوال
    "\xd8\xb0\xd9\x88",  // ذو
    "\xd8\xb0\xd9\x8a",  // ذي
    "\xd8\xa7\xd9\x84\xd9\x82\xd8\xb9\xd8\xaf\xd9\x87",  // القعده
    "\xd8\xa7\xd9\x84\xd8\xad\xd8\xac\xd9\x87",  // الحجه
    "\xd9\x87",  // ه
    "\xd8\xa7\xd9\x84\xd9\x85\xd9\x88\xd8\xa7\xd9\x81\xd9\x82",  // الموافق
};

bool IsDigits(std::string_view t) {
  if (t.empty()) return false;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Converts Arabic-Indic and Persian digits to ASCII in place (returns copy).
std::string AsciiDigits(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xD9 && i + 1 < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0xA0 && d <= 0xA9) {  // U+0660..U+0669
        out.push_back(static_cast<char>('0' + (d - 0xA0)));
        ++i;
        continue;
      }
    }
    if (c == 0xDB && i + 1 < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0xB0 && d <= 0xB9) {  // U+06F0..U+06F9
        out.push_back(static_cast<char>('0' + (d - 0xB0)));
        ++i;
        continue;
      }
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

// "10th" -> 10, "1er" -> 1, "25" -> 25; 0 when not a day.
int DayOf(std::string_view t) {
  size_t k = 0;
  while (k < t.size() && t[k] >= '0' && t[k] <= '9') ++k;
  if (k == 0 || k > 2) return 0;
  std::string_view suf = t.substr(k);
  if (!(suf.empty() || suf == "st" || suf == "nd" || suf == "rd" || suf == "th" || suf == "er")) {
    return 0;
  }
  int d = std::stoi(std::string(t.substr(0, k)));
  return (d >= 1 && d <= 31) ? d : 0;
}

int YearOf(std::string_view t) {
  // "2015م": the Gregorian era letter glued to the year (round 10).
  if (t.size() == 6 && t[4] == '\xD9' && t[5] == '\x85') t = t.substr(0, 4);
  if (t.size() != 4 || !IsDigits(t)) return 0;
  int y = std::stoi(std::string(t));
  return (y >= 1990 && y <= 2100) ? y : 0;
}

std::string Midnight(int y, int m, int d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT00:00:00Z", y, m, d);
  return buf;
}

// A date the envelope can carry: a real calendar day (no 30 February, no 31
// April, 29 February only in leap years) in the codec's years; what the
// codec would refuse, clean must not emit (the article was dead-lettered by
// the next stage for its date).
bool Accepted(int y, int m, int d) { return ParseRfc3339(Midnight(y, m, d)).has_value(); }

// The first `max` space-separated tokens of folded text.
std::vector<std::string_view> Tokens(std::string_view s, size_t max) {
  std::vector<std::string_view> tok;
  size_t i = 0;
  while (i < s.size() && tok.size() < max) {
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) tok.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return tok;
}

bool IsDateWord(std::string_view t) {
  for (std::string_view w : kDateWords) {
    if (w == t) return true;
  }
  return false;
}

}  // namespace

std::optional<FoundDate> ParseIsoLine(std::string_view line) {
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  if (line.size() < 10 || line.size() > 35) return std::nullopt;
  if (!(IsDigits(line.substr(0, 4)) && line[4] == '-' && IsDigits(line.substr(5, 2)) &&
        line[7] == '-' && IsDigits(line.substr(8, 2)))) {
    return std::nullopt;
  }
  FoundDate f;
  f.year = std::stoi(std::string(line.substr(0, 4)));
  f.month = std::stoi(std::string(line.substr(5, 2)));
  f.day = std::stoi(std::string(line.substr(8, 2)));
  if (!Accepted(f.year, f.month, f.day)) return std::nullopt;
  f.tokens = 1;
  if (line.size() == 10) {
    f.rfc3339 = Midnight(f.year, f.month, f.day);
    return f;
  }
  std::string s(line);
  if (s[10] == ' ') s[10] = 'T';
  if (ParseRfc3339(s)) {
    f.rfc3339 = s;
    return f;
  }
  // A wall-clock time without its zone ("2015-07-23 12:35:24", what many
  // sites print): the day is stated, the instant is not; midnight UTC as for
  // any date without a zone.
  const std::string_view t = std::string_view(s).substr(11);
  const bool hhmm = s[10] == 'T' && t.size() >= 5 && IsDigits(t.substr(0, 2)) && t[2] == ':' &&
                    IsDigits(t.substr(3, 2)) &&
                    (t.size() == 5 || (t.size() == 8 && t[5] == ':' && IsDigits(t.substr(6, 2))));
  if (!hhmm) return std::nullopt;
  f.rfc3339 = Midnight(f.year, f.month, f.day);
  return f;
}

std::optional<FoundDate> FindDate(std::string_view folded_in) {
  // Every date form needs a year in digits: most lines are rejected here.
  bool digit = false;
  for (size_t i = 0; i < folded_in.size() && !digit; ++i) {
    unsigned char c = static_cast<unsigned char>(folded_in[i]);
    digit = (c >= '0' && c <= '9') ||
            (i + 1 < folded_in.size() &&
             ((c == 0xD9 && static_cast<unsigned char>(folded_in[i + 1]) >= 0xA0 &&
               static_cast<unsigned char>(folded_in[i + 1]) <= 0xA9) ||
              (c == 0xDB && static_cast<unsigned char>(folded_in[i + 1]) >= 0xB0 &&
               static_cast<unsigned char>(folded_in[i + 1]) <= 0xB9)));
  }
  if (!digit) return std::nullopt;
  std::string folded = AsciiDigits(folded_in);
  const std::vector<std::string_view> tok = Tokens(folded, 64);
  // month_at[k] = month number when a month name starts at token k; len in tokens.
  auto month_at = [&](size_t k, int* len) -> int {
    // Month names split once into first and second word.
    struct Split {
      std::string_view first, second;
      int month;
    };
    // Grouped by the first word's length in bytes: a token is compared only
    // with the names of its own length (most tokens are no month at all).
    constexpr size_t kMaxLen = 32;
    static const std::array<std::vector<Split>, kMaxLen> kSplit = [] {
      std::array<std::vector<Split>, kMaxLen> v;
      for (const MonthName& m : kMonths) {
        size_t sp = m.name.find(' ');
        Split x = sp == std::string_view::npos ? Split{m.name, {}, m.month}
                                               : Split{m.name.substr(0, sp), m.name.substr(sp + 1), m.month};
        if (x.first.size() < kMaxLen) v[x.first.size()].push_back(x);
      }
      return v;
    }();
    if (tok[k].size() >= kMaxLen) return 0;
    for (const Split& m : kSplit[tok[k].size()]) {
      if (tok[k] != m.first) continue;
      if (m.second.empty()) {
        *len = 1;
        return m.month;
      }
      if (k + 1 < tok.size() && tok[k + 1] == m.second) {
        *len = 2;
        return m.month;
      }
    }
    return 0;
  };
  for (size_t k = 0; k < tok.size(); ++k) {
    int y = 0, m = 0, d = 0;
    size_t used_from = k, used_to = k;
    int len = 0;
    if (int day = DayOf(tok[k]); day != 0 && k + 1 < tok.size()) {
      // day month [month] year | day/mm/yyyy
      size_t p = k + 1;
      int mm = 0;
      if ((mm = month_at(p, &len)) != 0) {
        p += len;
        int len2 = 0;
        if (p < tok.size() && month_at(p, &len2) != 0) p += len2;  // "يوليو تموز"
      } else if (IsDigits(tok[p]) && tok[p].size() <= 2) {
        mm = std::stoi(std::string(tok[p]));
        if (mm < 1 || mm > 12) mm = 0;
        ++p;
      }
      if (mm != 0 && p < tok.size() && (y = YearOf(tok[p])) != 0) {
        m = mm;
        d = day;
        used_to = p;
      }
    }
    if (!y) {
      if (int mm = month_at(k, &len); mm != 0 && k + len + 1 < tok.size()) {
        // month day year
        int day = DayOf(tok[k + len]);
        int yy = YearOf(tok[k + len + 1]);
        if (day && yy) {
          y = yy, m = mm, d = day;
          used_to = k + len + 1;
        }
      }
    }
    if (!y) {
      if (int yy = YearOf(tok[k]); yy && k + 2 < tok.size() && IsDigits(tok[k + 1]) &&
                                   tok[k + 1].size() <= 2) {
        int mm = std::stoi(std::string(tok[k + 1]));
        int day = DayOf(tok[k + 2]);
        if (mm >= 1 && mm <= 12 && day) {
          y = yy, m = mm, d = day;
          used_to = k + 2;
        }
      }
    }
    if (y && Accepted(y, m, d)) {
      FoundDate f;
      f.year = y, f.month = m, f.day = d;
      f.rfc3339 = Midnight(y, m, d);
      f.tokens = static_cast<int>(tok.size());
      int other = 0;
      for (size_t q = 0; q < tok.size(); ++q) {
        if (q >= used_from && q <= used_to) continue;
        if (IsDigits(tok[q]) || IsDateWord(tok[q]) || month_at(q, &len)) continue;
        // One Arabic letter: an agency's initials after a dateline ("أ ف ب",
        // "د ب أ"), not words of another sentence.
        if (tok[q].size() == 2 && (tok[q][0] == '\xD8' || tok[q][0] == '\xD9')) continue;
        ++other;
      }
      f.other_tokens = other;
      return f;
    }
  }
  return std::nullopt;
}

namespace {

// Units of relative dates, folded. `count` is the number the word itself
// says (Arabic singular 1 and dual 2; 0: a number must come before it).
struct RelUnit {
  std::string_view word;
  int seconds;
  int count;
};
constexpr std::array kRelUnits = {
    RelUnit{"minute", 60, 0}, RelUnit{"minutes", 60, 0}, RelUnit{"min", 60, 0},
    RelUnit{"mins", 60, 0}, RelUnit{"hour", 3600, 0}, RelUnit{"hours", 3600, 0},
    RelUnit{"hr", 3600, 0}, RelUnit{"hrs", 3600, 0}, RelUnit{"day", 86400, 0},
    RelUnit{"days", 86400, 0}, RelUnit{"week", 604800, 0}, RelUnit{"weeks", 604800, 0},
    RelUnit{"heure", 3600, 0}, RelUnit{"heures", 3600, 0}, RelUnit{"jour", 86400, 0},
    RelUnit{"jours", 86400, 0}, RelUnit{"semaine", 604800, 0}, RelUnit{"semaines", 604800, 0},
    RelUnit{"minuten", 60, 0}, RelUnit{"stunde", 3600, 0}, RelUnit{"stunden", 3600, 0},
    RelUnit{"tag", 86400, 0}, RelUnit{"tagen", 86400, 0}, RelUnit{"woche", 604800, 0},
    RelUnit{"wochen", 604800, 0},
    RelUnit{"\xd8\xaf\xd9\x82\xd9\x8a\xd9\x82\xd9\x87", 60, 1},                      // دقيقه
    RelUnit{"\xd8\xaf\xd9\x82\xd8\xa7\xd8\xa6\xd9\x82", 60, 0},                      // دقائق
    RelUnit{"\xd8\xaf\xd9\x82\xd9\x8a\xd9\x82\xd8\xaa\xd9\x8a\xd9\x86", 60, 2},  // دقيقتين
    RelUnit{"\xd8\xb3\xd8\xa7\xd8\xb9\xd9\x87", 3600, 1},                              // ساعه
    RelUnit{"\xd8\xb3\xd8\xa7\xd8\xb9\xd8\xa7\xd8\xaa", 3600, 0},                    // ساعات
    RelUnit{"\xd8\xb3\xd8\xa7\xd8\xb9\xd8\xaa\xd9\x8a\xd9\x86", 3600, 2},          // ساعتين
    RelUnit{"\xd9\x8a\xd9\x88\xd9\x85", 86400, 1},                                      // يوم
    RelUnit{"\xd8\xa7\xd9\x8a\xd8\xa7\xd9\x85", 86400, 0},                            // ايام
    RelUnit{"\xd9\x8a\xd9\x88\xd9\x85\xd9\x8a\xd9\x86", 86400, 2},                  // يومين
    RelUnit{"\xd8\xa7\xd8\xb3\xd8\xa8\xd9\x88\xd8\xb9", 604800, 1},                 // اسبوع
    RelUnit{"\xd8\xa7\xd8\xb3\xd8\xa7\xd8\xa8\xd9\x8a\xd8\xb9", 604800, 0},       // اسابيع
    RelUnit{"\xd8\xa7\xd8\xb3\xd8\xa8\xd9\x88\xd8\xb9\xd9\x8a\xd9\x86", 604800, 2},  // اسبوعين
};

const RelUnit* RelUnitOf(std::string_view t) {
  for (const RelUnit& u : kRelUnits) {
    if (u.word == t) return &u;
  }
  return nullptr;
}

// A count word: digits, or "a"/"an"/"one"/"une"/"un"/"einer"/"einem"/"einen".
int CountOf(std::string_view t) {
  if (IsDigits(t) && t.size() <= 3) return std::stoi(std::string(t));
  for (std::string_view one : {"a", "an", "one", "un", "une", "einer", "einem", "einen", "eine"}) {
    if (t == one) return 1;
  }
  return 0;
}

}  // namespace

std::optional<FoundDate> FindRelativeDate(std::string_view folded_in, std::string_view fetched_at) {
  auto fetched = ParseRfc3339(fetched_at);
  if (!fetched) return std::nullopt;
  std::string folded = AsciiDigits(folded_in);
  const std::vector<std::string_view> tok = Tokens(folded, 32);
  static constexpr std::string_view kMundhu = "\xd9\x85\xd9\x86\xd8\xb0";  // منذ
  static constexpr std::string_view kQabla = "\xd9\x82\xd8\xa8\xd9\x84";   // قبل
  for (size_t k = 0; k < tok.size(); ++k) {
    int count = 0, seconds = 0;
    size_t first = k, last = k;
    const RelUnit* u = nullptr;
    if (tok[k] == kMundhu || tok[k] == kQabla) {  // منذ [N] unit
      if (k + 1 < tok.size() && (u = RelUnitOf(tok[k + 1])) != nullptr && u->count > 0 &&
          !(k + 2 < tok.size() && IsDateWord(tok[k + 2]))) {  // not "منذ يوم الاثنين" (since Monday)
        count = u->count, last = k + 1;
      } else if (k + 2 < tok.size() && (count = CountOf(tok[k + 1])) > 0 &&
                 (u = RelUnitOf(tok[k + 2])) != nullptr) {
        last = k + 2;
      }
    } else if (k + 2 < tok.size() && tok[k + 2] == "ago" && (count = CountOf(tok[k])) > 0 &&
               (u = RelUnitOf(tok[k + 1])) != nullptr) {  // N unit ago
      last = k + 2;
    } else if (tok[k] == "vor" && k + 2 < tok.size() && (count = CountOf(tok[k + 1])) > 0 &&
               (u = RelUnitOf(tok[k + 2])) != nullptr) {  // vor N Einheit
      last = k + 2;
    } else if (tok[k] == "il" && k + 4 < tok.size() && tok[k + 1] == "y" && tok[k + 2] == "a" &&
               (count = CountOf(tok[k + 3])) > 0 && (u = RelUnitOf(tok[k + 4])) != nullptr) {
      last = k + 4;  // il y a N unité
    }
    if (u == nullptr || count <= 0) continue;
    seconds = u->seconds;
    const auto when = *fetched - std::chrono::seconds(static_cast<int64_t>(count) * seconds);
    FoundDate f;
    const std::time_t tt = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    f.year = tm.tm_year + 1900, f.month = tm.tm_mon + 1, f.day = tm.tm_mday;
    if (seconds < 86400) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:00Z", f.year, f.month, f.day,
                    tm.tm_hour, tm.tm_min);
      f.rfc3339 = buf;
    } else {
      f.rfc3339 = Midnight(f.year, f.month, f.day);
    }
    f.tokens = static_cast<int>(tok.size());
    int other = 0;
    for (size_t q = 0; q < tok.size(); ++q) {
      if ((q < first || q > last) && !IsDateWord(tok[q])) ++other;
    }
    f.other_tokens = other;
    return f;
  }
  return std::nullopt;
}

}  // namespace newsflow::clean
