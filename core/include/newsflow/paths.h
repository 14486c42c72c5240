// Where newsflow finds data at run time. Every path can be overridden by an
// environment variable, so an installed binary works outside the source tree.
#pragma once

#include <string>
#include <string_view>

namespace newsflow {

// Shared corpora (seeds, stoplists, NER sets): $NEWSFLOW_CORPUS_DIR, else
// <source>/../shared/corpus. May not exist; callers skip cleanly.
std::string CorpusDir();

// A stage's committed data (models, compiled lists): $NEWSFLOW_STAGES_DIR/<name>/data,
// else <source>/stages/<name>/data.
std::string StageDataDir(std::string_view stage);

// Downloaded third-party models (e.g. lid.176.ftz): $NEWSFLOW_MODELS_DIR, else
// <source>/.cache/models (filled by scripts/setup.sh).
std::string ModelsDir();

// Writable state (learnt templates, feed state): $NEWSFLOW_STATE_DIR, else
// <source>/var/state.
std::string StateDir();

}  // namespace newsflow
