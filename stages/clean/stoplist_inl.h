// Inline part of stoplist.h.
#pragma once

namespace newsflow::clean {

inline bool IsAsciiPunct(unsigned char c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

template <typename F>
void ForEachToken(std::string_view s, F&& f) {
  size_t i = 0, n = s.size();
  while (i < n) {
    while (i < n && (s[i] == ' ' || s[i] == '\n')) ++i;
    size_t j = i;
    while (j < n && s[j] != ' ' && s[j] != '\n') ++j;
    size_t a = i, b = j;
    while (a < b && IsAsciiPunct(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && IsAsciiPunct(static_cast<unsigned char>(s[b - 1]))) --b;
    if (b > a) {
      if (!f(s.substr(a, b - a))) return;
    }
    i = j;
  }
}

}  // namespace newsflow::clean
