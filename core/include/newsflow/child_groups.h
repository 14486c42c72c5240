// Process groups of the programs a newsflow process started (subprocess
// stages run each program in a group of its own). A stage stops its program
// when it closes; a process ended by force (Shutdown's watchdog: a second
// signal, the stop deadline) skips that, so it kills the groups listed here
// first, leaving no program running without the process that fed it.
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <sys/types.h>

namespace newsflow {

void RegisterChildGroup(pid_t pgid);
void UnregisterChildGroup(pid_t pgid);
// Sends `sig` to every registered group; returns how many there were.
int SignalChildGroups(int sig);

}  // namespace newsflow
