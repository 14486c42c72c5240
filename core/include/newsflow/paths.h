// Where newsflow finds data at run time. Every path can be overridden by an
// environment variable; without one, an installed binary (<prefix>/bin/newsflow
// next to <prefix>/share/newsflow) uses its own prefix, wherever it was moved,
// and a binary in the build tree uses the source tree it was compiled from.
#pragma once

#include <string>
#include <string_view>

namespace newsflow {

// The data folder of an installed newsflow: <prefix>/share/newsflow, found from
// the running executable (/proc/self/exe, symbolic links resolved), or
// $NEWSFLOW_DATA_DIR. "" when neither holds a `stages` folder (the build tree).
std::string InstalledDataDir();

// Shared corpora (seeds, stoplists, NER sets): $NEWSFLOW_CORPUS_DIR, else
// <data>/corpus when installed, else <source>/../shared/corpus. May not exist;
// callers skip cleanly.
std::string CorpusDir();

// A stage's committed data (models, compiled lists): $NEWSFLOW_STAGES_DIR/<name>/data,
// else <data>/stages/<name>/data when installed, else <source>/stages/<name>/data.
std::string StageDataDir(std::string_view stage);

// Downloaded third-party models (e.g. lid.176.ftz): $NEWSFLOW_MODELS_DIR; else,
// when installed, the first existing of <data>/models, /var/lib/newsflow/models
// and StateDir()/models (StateDir()/models if none exists; `newsflow-fetch-models`
// fills these); else <source>/.cache/models (filled by scripts/setup.sh).
std::string ModelsDir();

// Writable state (learnt templates, feed state, transactional-id slots), never
// the source tree: $NEWSFLOW_STATE_DIR, else systemd's $STATE_DIRECTORY (its
// first entry; set by StateDirectory= in a unit), else (a binary of the build
// tree) <build>/state, else $XDG_STATE_HOME/newsflow, else
// $HOME/.local/state/newsflow, else /var/lib/newsflow.
std::string StateDir();

// "<size>@<seconds>.<nanoseconds>" of the file at `path` (symbolic links
// followed), "-" when it cannot be read: tells whether a loaded file changed.
std::string FileStamp(const std::string& path);

}  // namespace newsflow
