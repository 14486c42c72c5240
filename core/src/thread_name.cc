#include "newsflow/thread_name.h"

#include <pthread.h>
#include <sched.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "newsflow/text.h"

namespace newsflow {

void NameThisThread(std::string_view name) {
  // The main thread's name is the process's (ps, pkill, top): left alone.
  if (gettid() == getpid()) return;
  constexpr size_t kMax = 15;  // TASK_COMM_LEN - 1
  const std::string cut(CutUtf8(name, kMax));
  pthread_setname_np(pthread_self(), cut.c_str());
}

void MakeThisThreadBatch() {
  sched_param param{};
  param.sched_priority = 0;
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
}

}  // namespace newsflow
