#include "newsflow/line_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

namespace newsflow {

StoppableLineReader::StoppableLineReader(int fd, const std::atomic<bool>* stop, int wait_ms)
    : fd_(fd), stop_(stop), wait_ms_(wait_ms), buf_(size_t{1} << 20) {}

bool StoppableLineReader::Fill() {
  for (;;) {
    if (stop_ != nullptr && stop_->load(std::memory_order_relaxed)) {
      stopped_ = true;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, stop_ != nullptr ? wait_ms_ : -1);
    if (ready < 0 && errno != EINTR) {
      error_ = errno;
      return false;
    }
    if (ready <= 0) continue;  // timed out or interrupted: look at the flag again
    const ssize_t n = read(fd_, buf_.data(), buf_.size());
    if (n > 0) {
      pos_ = 0;
      end_ = static_cast<size_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    error_ = errno;
    return false;
  }
}

bool StoppableLineReader::ReadLine(std::string& line, size_t max_bytes, size_t& length) {
  line.clear();
  length = 0;
  if (eof_ || stopped_ || error_ != 0) return false;
  bool any = false;
  for (;;) {
    if (pos_ == end_ && !Fill()) {
      if (stopped_) {
        dropped_ += length;
        return false;
      }
      return any && error_ == 0;  // an unfinished last line at the end of the input
    }
    any = true;
    const char* start = buf_.data() + pos_;
    const size_t avail = end_ - pos_;
    const void* nl = std::memchr(start, '\n', avail);
    const size_t take = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - start) : avail;
    if (length < max_bytes) line.append(start, std::min(take, max_bytes - length));
    length += take;
    pos_ += take;
    if (nl != nullptr) {
      ++pos_;  // the '\n'
      return true;
    }
  }
}

bool StoppableLineReader::ReadAll(std::string& out, size_t max_bytes, size_t& length) {
  out.clear();
  length = 0;
  if (eof_ || stopped_ || error_ != 0) return false;
  for (;;) {
    if (pos_ == end_ && !Fill()) {
      if (stopped_) {
        dropped_ += length;
        out.clear();
        return false;
      }
      return error_ == 0;
    }
    const size_t avail = end_ - pos_;
    if (length < max_bytes) out.append(buf_.data() + pos_, std::min(avail, max_bytes - length));
    length += avail;
    pos_ = end_;
  }
}

int OpenForReading(const std::string& path) {
  return open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

Result<int> OpenForWriting(const std::string& path, int flags, const std::atomic<bool>* stop) {
  for (bool said = false;;) {
    const int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | flags, 0644);
    if (fd >= 0) {
      const int fl = fcntl(fd, F_GETFL);
      if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
      return fd;
    }
    if (errno != ENXIO)  // ENXIO: a named pipe nobody reads yet
      return Status::Unavailable("cannot open " + path + " for writing: " + std::strerror(errno));
    if (!said) {
      spdlog::info("{}: a named pipe without a reader: waiting for one", path);
      said = true;
    }
    if (stop != nullptr && stop->load())
      return Status::Unavailable("stopped before a reader opened the named pipe " + path);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool IsSameFile(int fd, const std::string& path) {
  struct stat a {}, b {};
  return fstat(fd, &a) == 0 && stat(path.c_str(), &b) == 0 && S_ISREG(a.st_mode) &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool IsSameFile(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  const bool ea = stat(a.c_str(), &sa) == 0, eb = stat(b.c_str(), &sb) == 0;
  if (ea || eb)  // /dev/null twice is not a clash: regular files only
    return ea && eb && S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  std::error_code e1, e2;
  const auto ca = std::filesystem::weakly_canonical(std::filesystem::absolute(a, e1), e1);
  const auto cb = std::filesystem::weakly_canonical(std::filesystem::absolute(b, e2), e2);
  return !e1 && !e2 && ca == cb;
}

}  // namespace newsflow
