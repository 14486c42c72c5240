// Shared by clean_bench and clean_tool: reading the (gzipped) evaluation
// pages and a clean stage opened outside the runner.
#pragma once

#include <prometheus/registry.h>
#include <zlib.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "clean_stage.h"
#include "newsflow/paths.h"
#include "newsflow/settings.h"

namespace newsflow::bench {

// The file's bytes, gunzipped when it is gzip (gzread passes plain files through).
inline std::string ReadMaybeGz(const std::string& path) {
  std::string out;
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return out;
  char buf[65536];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, n);
  gzclose(f);
  return out;
}

// The clean stage opened with `given` settings; throws on bad settings (tools only).
struct CleanHarness {
  explicit CleanHarness(std::map<std::string, std::string> given) {
    desc = CleanStageDescriptor();
    auto s = Settings::Parse(desc.options, given, "clean");
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    settings = std::make_unique<Settings>(std::move(*s));
    ctx = std::make_unique<StageContext>(
        StageContext{*settings, registry, StageDataDir("clean"), CorpusDir(), ""});
    stage = desc.create();
    Status st = stage->Open(*ctx);
    if (!st.ok()) throw std::runtime_error(st.ToString());
  }
  StageDescriptor desc;
  prometheus::Registry registry;
  std::unique_ptr<Settings> settings;
  std::unique_ptr<StageContext> ctx;
  std::unique_ptr<Stage> stage;
};

}  // namespace newsflow::bench
