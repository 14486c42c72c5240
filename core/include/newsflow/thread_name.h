// Names for newsflow's own threads, as `top -H`, `ps -L`, perf and gdb show
// them (librdkafka names its own: rdk:main, rdk:broker1, rdk:mock), and the
// scheduling of the threads that carry records between the stages.
#pragma once

#include <string_view>

namespace newsflow {

// Names the calling thread. Linux keeps at most 15 bytes: a longer name is cut
// there (at a UTF-8 character boundary). The main thread is never renamed:
// its name is the process's, which ps and pkill match. Failing to name is not
// an error.
void NameThisThread(std::string_view name);

// Puts the calling thread under SCHED_BATCH (Linux): woken, it no longer
// preempts the thread running on its core, it waits for that thread's slice
// to end or for an idle core; its share of the CPU is unchanged (same nice).
// For the rails' threads (Kafka clients, the embedded broker, sinks, flow
// control, `run`'s reader) beside busy stage threads: they wake once or more
// a record, and each wake-up preempted a stage thread and cost it its caches
// (issue 16: 0.7-1.0 preemptions an article; with the rails under SCHED_BATCH
// 0.35-0.5, the rails 19 % and the stage threads 5 % less CPU an article). A
// thread it creates inherits it.
// Idle cores are unaffected: a trickle of records is not delayed. Failing
// (a policy refused by a sandbox) is not an error.
void MakeThisThreadBatch();

}  // namespace newsflow
