// Plug-in stages: adapters that make an outside program or a shared object a
// Stage, so the one StageRunner gives them the metrics, dead letters and
// offset handling every built-in stage gets. Nothing here sees Kafka.
//
//  - Subprocess stages speak JSON Lines over stdin/stdout (docs/plugins.md,
//    "The subprocess protocol"): one request line per record,
//      {"id":7,"record":{...article...}}
//    and one result line per request, echoing the id:
//      {"id":7,"record":{...}}            forward (the record, changed or not)
//      {"id":7,"drop":"reason"}           filter it out
//      {"id":7,"dead_letter":"reason"}    send it to the dead-letter topic
//    newsflow starts the program at Open, restarts it when it dies (the record
//    in hand is retried once, then dead-lettered with the reason), kills and
//    restarts it when a record takes longer than `timeout_ms` (that record is
//    dead-lettered: "timeout"), dead-letters records whose result line is not
//    a valid result, and logs each line the program writes to stderr.
//  - Shared-object stages implement the C ABI in newsflow/plugin_abi.h.
//
// Thread-safety: a descriptor is immutable; each Stage it creates is used by
// one thread, like every Stage.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "newsflow/stage.h"

namespace newsflow {

// A stage that runs `argv` (argv[0] searched in PATH) with `env` added to
// newsflow's environment, plus NEWSFLOW_STAGE=<name>.
StageDescriptor SubprocessStageDescriptor(const std::string& name, std::vector<std::string> argv,
                                          std::map<std::string, std::string> env);

// What can be checked of a command before it runs: its program (argv[0],
// searched in PATH) is executable, and every argument that looks like a file
// it will read (a script by its extension, or a path with '/'; not options,
// not the code after -c/-e or a module after -m) exists, relative paths from
// the working directory. Errors name the program or file.
Status CheckCommandFiles(const std::vector<std::string>& argv);

// A handshake for `newsflow validate`: CheckCommandFiles, then starts the
// command as a stage runs it (its env, NEWSFLOW_STAGE=<name>, plus
// NEWSFLOW_VALIDATE=1) with stdin at end of input and waits up to `timeout`.
// Exiting with status 0 passes; a non-zero status or a signal fails, quoting
// the last line it wrote to stderr (python3's "can't open file ..."); still
// running after `timeout` passes with a note (it is then killed). Returns a
// line saying what happened.
Result<std::string> ProbeCommand(const std::string& name, const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& env,
                                 std::chrono::milliseconds timeout);

// dlopen()s `path`, checks the plug-in's ABI version and returns a descriptor
// whose option table is the plug-in's. Refuses (kInvalidArgument) a missing
// entry point or another ABI version, naming the expected and found versions.
// The shared object stays loaded for the life of the process.
Result<StageDescriptor> LoadSharedObjectStage(const std::string& name, const std::string& path);

}  // namespace newsflow
