// Bounded line reading: a line is never held whole when it is over a limit,
// so one enormous line (a 2 GB file without newlines) costs `max_bytes` of
// memory, not gigabytes, and can be refused with its real length.
#pragma once

#include <algorithm>
#include <atomic>
#include <istream>
#include <string>
#include <vector>

#include "newsflow/status.h"

namespace newsflow {

// Reads the next line (without its '\n') into `line`, keeping at most
// `max_bytes` of it; `length` is the line's full length. False at the end of
// the input when nothing was left, and on a read error (in.bad(): the
// unfinished line is dropped). The line is taken in pieces of up to 16 KiB
// by istream::getline, which searches the stream's buffer for the newline
// (libstdc++: memchr): reading a byte a call cost 5.1-5.3 us a 4 KB line,
// this 0.62-0.67 us.
inline bool ReadLineBounded(std::istream& in, std::string& line, size_t max_bytes, size_t& length) {
  line.clear();
  length = 0;
  constexpr std::streamsize kPiece = 16384;
  char piece[kPiece];
  bool any = false;
  for (;;) {
    // Stops after the newline (taken, not stored), at the end of the input,
    // or with kPiece - 1 bytes stored and no newline yet (failbit).
    in.getline(piece, kPiece);
    if (in.bad()) return false;  // a read error (libstdc++ catches it and sets badbit)
    const auto taken = static_cast<size_t>(in.gcount());
    const bool newline = !in.fail() && !in.eof();
    const bool more = in.fail() && !in.eof() && taken == static_cast<size_t>(kPiece - 1);
    const size_t stored = newline ? taken - 1 : taken;
    if (length < max_bytes) line.append(piece, std::min(stored, max_bytes - length));
    length += stored;
    any |= taken > 0;
    if (newline) return true;
    if (!more) return any;  // the end of the input: the unfinished last line, if any
    in.clear(in.rdstate() & ~std::ios::failbit);  // a longer line: its next piece
  }
}

// Lines from a file descriptor that can stay quiet for hours: stdin as a
// pipe (`tail -f feed.jsonl | newsflow run -`) or a terminal. A blocking
// read there cannot be interrupted (the signal handler only sets a flag, and
// read is restarted), so a stop request, or a pipeline that failed and set
// the flag, was seen only with the next line: `run -` on a quiet pipe sat out
// its whole stop deadline after SIGINT and then stopped without draining.
// This reader waits in poll(2) at most `wait_ms` at a time and gives up when
// `stop` is set. It reads up to 1 MiB a call (stdio reads a pipe 4 KiB at a
// time). A partial last line is returned at the end of the input, as stdio
// does; on a stop it is dropped (its writer had not finished it).
class StoppableLineReader {
 public:
  StoppableLineReader(int fd, const std::atomic<bool>* stop, int wait_ms = 200);
  // As ReadLineBounded: the next line without its '\n', at most `max_bytes`
  // of it kept, `length` its full length. False at the end of the input, on
  // a read error (failed()) and once stopped (stopped()).
  bool ReadLine(std::string& line, size_t max_bytes, size_t& length);
  // The rest of the input as one piece (a document from a pipe): at most
  // `max_bytes` kept, `length` its full length. False on a read error or a
  // stop (the piece was unfinished: nothing is returned, its bytes are
  // counted in dropped_bytes()).
  bool ReadAll(std::string& out, size_t max_bytes, size_t& length);
  bool failed() const { return error_ != 0; }
  int error() const { return error_; }  // errno of the failed read
  bool stopped() const { return stopped_; }
  // Bytes of an unfinished line dropped by a stop.
  size_t dropped_bytes() const { return dropped_; }

 private:
  bool Fill();  // more bytes in buf_; false at the end, on an error or a stop
  int fd_;
  const std::atomic<bool>* stop_;
  int wait_ms_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false, stopped_ = false;
  int error_ = 0;
  size_t dropped_ = 0;
};

// Opens `path` for StoppableLineReader without waiting: open(2) of a named
// pipe waits for its writer, and a signal cannot end that wait (`newsflow
// process --input feed.fifo` ignored SIGINT until a writer came). With
// O_NONBLOCK it returns at once and the reader's poll(2) does the waiting,
// for the writer's first bytes or its close (Linux reports no hang-up for a
// pipe whose writer never came). The descriptor stays non-blocking; the
// reader polls before every read. -1 with errno set when it cannot be opened.
int OpenForReading(const std::string& path);

// Opens `path` for writing (O_WRONLY | O_CLOEXEC | `flags`, mode 0644) the way
// OpenForReading opens for reading: open(2) of a named pipe waits for its
// reader, and a signal cannot end that wait (`newsflow run ... --output
// out.fifo` sat there to its stop deadline). A pipe without a reader is
// retried every 100 ms, logged once, until a reader comes or `stop` is set
// ("stopped before a reader opened the named pipe PATH"). The descriptor
// returned is blocking; any other failure is "cannot open PATH for writing:
// <errno text>".
Result<int> OpenForWriting(const std::string& path, int flags, const std::atomic<bool>* stop);

// True when `path` is the regular file open as `fd`, or both paths are one
// regular file: the same device and inode (through links), or, for a file
// not made yet, the same path once made absolute (devices such as /dev/null
// never clash). `process --input a.jsonl --output a.jsonl` truncated its
// input before reading a line of it ("0 in").
bool IsSameFile(int fd, const std::string& path);
bool IsSameFile(const std::string& a, const std::string& b);

inline bool ReadLineBounded(StoppableLineReader& in, std::string& line, size_t max_bytes,
                            size_t& length) {
  return in.ReadLine(line, max_bytes, length);
}

}  // namespace newsflow
