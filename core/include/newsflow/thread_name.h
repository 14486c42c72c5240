// Names for newsflow's own threads, as `top -H`, `ps -L`, perf and gdb show
// them (librdkafka names its own: rdk:main, rdk:broker1, rdk:mock).
#pragma once

#include <string_view>

namespace newsflow {

// Names the calling thread. Linux keeps at most 15 bytes: a longer name is cut
// there (at a UTF-8 character boundary). The main thread is never renamed:
// its name is the process's, which ps and pkill match. Failing to name is not
// an error.
void NameThisThread(std::string_view name);

}  // namespace newsflow
