// newsflow-ner-tag: tags text from stdin (one paragraph a line) with a model
// and prints one entity a line: start end type text canonical. For looking
// at what the tagger does on real text.
//
//   newsflow-ner-tag --lang ar < article.txt
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "newsflow/paths.h"
#include "recognizer.h"

using namespace newsflow::entities;

int main(int argc, char** argv) {
  CLI::App app{"Tag text from stdin with the newsflow entity tagger"};
  std::string lang = "ar", model_path;
  app.add_option("--lang", lang, "ar or en");
  app.add_option("--model", model_path, "model file (default: data/<lang>.model)");
  CLI11_PARSE(app, argc, argv);
  const std::string dir = newsflow::StageDataDir("entities");
  if (model_path.empty()) model_path = dir + "/" + lang + ".model";
  Model model;
  Resources res;
  if (auto st = model.Load(model_path); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 2;
  }
  // as the stage: clusters if present, gazetteer/, <lang>.names.tsv if present
  if (auto st = res.LoadDataDir(dir, lang); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  Recognizer r(&model, &res);
  r.set_policy(DefaultPolicy(lang));
  std::vector<FoundEntity> found;
  r.Find(text, &found);
  for (const auto& f : found) {
    std::printf("%lld\t%lld\t%s\t%s\t%s\n", static_cast<long long>(f.start),
                static_cast<long long>(f.end), f.type.c_str(), f.text.c_str(), f.canonical.c_str());
  }
  return 0;
}
