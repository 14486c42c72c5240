#include "newsflow/thread_name.h"

#include <pthread.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace newsflow {

void NameThisThread(std::string_view name) {
  // The main thread's name is the process's (ps, pkill, top): left alone.
  if (gettid() == getpid()) return;
  constexpr size_t kMax = 15;  // TASK_COMM_LEN - 1
  size_t n = std::min(name.size(), kMax);
  // Do not cut a character in two: back up over continuation bytes.
  if (n < name.size())
    while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
  const std::string cut(name.substr(0, n));
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace newsflow
