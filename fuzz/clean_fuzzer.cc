// libFuzzer target: the `clean` stage (stages/clean), text and HTML.
//
// The stage is built through its descriptor with the committed stop-word and
// phrase lists, as the runner builds it. Template learning is off so that an
// input always behaves the same (libFuzzer must be able to replay it).
// Input: the first byte picks text/plain or text/html and, for HTML, a
// declared charset; the rest is the body. Whatever comes out must be valid
// UTF-8 (later stages and the codec rely on it).
#include <prometheus/registry.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "clean_stage.h"
#include "newsflow/paths.h"
#include "newsflow/settings.h"
#include "newsflow/text.h"

namespace {

struct Harness {
  Harness() {
    desc = newsflow::CleanStageDescriptor();
    // A generous time budget: a slow input should show as a libFuzzer
    // timeout, not hide behind the stage's own deadline.
    auto s = newsflow::Settings::Parse(desc.options,
                                       {{"learn_templates", "false"}, {"max_ms_per_record", "60000"}},
                                       "clean");
    if (!s.ok()) Die(s.status().ToString());
    settings = std::make_unique<newsflow::Settings>(std::move(*s));
    ctx = std::make_unique<newsflow::StageContext>(newsflow::StageContext{
        *settings, registry, newsflow::StageDataDir("clean"), newsflow::CorpusDir(), ""});
    stage = desc.create();
    newsflow::Status st = stage->Open(*ctx);
    if (!st.ok()) Die(st.ToString());
  }
  static void Die(const std::string& why) {
    std::fprintf(stderr, "clean_fuzzer: cannot open the clean stage: %s\n", why.c_str());
    std::abort();
  }
  newsflow::StageDescriptor desc;
  prometheus::Registry registry;
  std::unique_ptr<newsflow::Settings> settings;
  std::unique_ptr<newsflow::StageContext> ctx;
  std::unique_ptr<newsflow::Stage> stage;
};

void CheckUtf8(const std::string& s, const char* what) {
  if (!newsflow::IsValidUtf8(s)) {
    std::fprintf(stderr, "clean produced invalid UTF-8 in %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness h;
  if (size == 0) return 0;
  static const char* const kCharsets[] = {"", "utf-8", "windows-1256", "iso-8859-6", "utf-16", "bogus"};
  const uint8_t mode = data[0];
  newsflow::Article a;
  a.id = "fuzz";
  a.source = "fuzz";
  a.fetched_at = "2026-11-23T19:00:00Z";
  a.content_type = (mode & 1) ? newsflow::ContentType::kTextHtml : newsflow::ContentType::kTextPlain;
  a.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  const char* charset = kCharsets[(mode >> 1) % (sizeof(kCharsets) / sizeof(kCharsets[0]))];
  if (*charset != '\0') a.meta["charset"] = charset;
  auto r = h.stage->Process(a);
  if (r.ok() && a.clean) {
    CheckUtf8(a.clean->text, "clean.text");
    CheckUtf8(a.clean->title, "clean.title");
    if (a.clean->published_at) CheckUtf8(*a.clean->published_at, "clean.published_at");
  }
  return 0;
}
