// Bounded line reading: a line is never held whole when it is over a limit,
// so one enormous line (a 2 GB file without newlines) costs `max_bytes` of
// memory, not gigabytes, and can be refused with its real length.
#pragma once

#include <cstdio>
#include <istream>
#include <string>

namespace newsflow {

// Reads the next line (without its '\n') into `line`, keeping at most
// `max_bytes` of it; `length` is the line's full length. False at the end of
// the input when nothing was left. A read error sets in.bad() (FILE*: ferror).
inline bool ReadLineBounded(std::istream& in, std::string& line, size_t max_bytes, size_t& length) {
  line.clear();
  length = 0;
  std::streambuf* sb = in.rdbuf();
  bool any = false;
  try {
    for (;;) {
      int c = sb->sbumpc();
      if (c == std::char_traits<char>::eof()) {
        in.setstate(any ? std::ios::eofbit : std::ios::eofbit | std::ios::failbit);
        return any;
      }
      any = true;
      if (c == '\n') return true;
      if (length < max_bytes) line.push_back(static_cast<char>(c));
      ++length;
    }
  } catch (...) {  // libstdc++ throws on read errors (EIO, EISDIR)
    in.setstate(std::ios::badbit);
    return false;
  }
}

inline bool ReadLineBounded(FILE* in, std::string& line, size_t max_bytes, size_t& length) {
  line.clear();
  length = 0;
  bool any = false;
  for (;;) {
    int c = getc_unlocked(in);
    if (c == EOF) return any;
    any = true;
    if (c == '\n') return true;
    if (length < max_bytes) line.push_back(static_cast<char>(c));
    ++length;
  }
}

}  // namespace newsflow
