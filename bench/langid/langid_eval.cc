// Accuracy and throughput of language detection on the langid dev set.
//
//   newsflow-langid-eval [--corpus DIR] [--model FILE] [--repeat N] [--errors SYSTEM]
//
// Prints, in one run: accuracy per language and overall on dev-short and
// dev-long for newsflow's combined detector, for CLD2 alone, for fastText
// alone (stock predictLine on the whole text) and for newsflow without the
// fastText model; then single-thread throughput (MB/s, median of --repeat
// passes) of each on dev-long, the paragraph set. Scoring counts fa and prs
// as one another (no engine tells Dari from Persian); Kurdish labels are
// mapped per engine (ckb/kmr), never a bare "ku".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <simdjson.h>

#include "language_detector.h"
#include "newsflow/paths.h"

namespace {

using newsflow::langid::DetectMode;
using newsflow::langid::Detection;
using newsflow::langid::LanguageDetector;

struct Item {
  std::string text;
  std::string lang;
};

struct System {
  std::string name;
  LanguageDetector* detector;
  DetectMode mode;
};

std::vector<Item> Load(const std::string& path) {
  std::vector<Item> items;
  std::ifstream in(path);
  std::string line;
  simdjson::dom::parser parser;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc)) continue;
    std::string_view text, lang;
    if (doc["text"].get(text) || doc["lang"].get(lang)) continue;
    items.push_back({std::string(text), std::string(lang)});
  }
  return items;
}

bool Correct(std::string_view predicted, std::string_view gold) {
  if (predicted == gold) return true;
  auto persian = [](std::string_view c) { return c == "fa" || c == "prs"; };
  return persian(predicted) && persian(gold);
}

struct Score {
  int n = 0;
  int correct = 0;
  int und = 0;
};

struct Evaluation {
  std::map<std::string, Score> per_lang;
  Score all;
  std::map<std::string, int> engines;
};

Evaluation Evaluate(const System& sys, const std::vector<Item>& items, bool print_errors,
                    const char* set_name) {
  Evaluation ev;
  Detection d;
  for (const Item& it : items) {
    sys.detector->Detect(it.text, d, sys.mode);
    const bool ok = Correct(d.code, it.lang);
    for (Score* s : {&ev.per_lang[it.lang], &ev.all}) {
      ++s->n;
      s->correct += ok;
      s->und += d.code == "und";
    }
    ++ev.engines[std::string(d.engine)];
    if (!ok && print_errors) {
      std::printf("ERR %s %s gold=%s got=%.*s conf=%.3f engine=%.*s | %.160s\n", sys.name.c_str(),
                  set_name, it.lang.c_str(), static_cast<int>(d.code.size()), d.code.data(),
                  d.confidence, static_cast<int>(d.engine.size()), d.engine.data(),
                  it.text.c_str());
    }
  }
  return ev;
}

double Pct(const Score& s) { return s.n ? 100.0 * s.correct / s.n : 0; }

double MegabytesPerSecond(const System& sys, const std::vector<Item>& items, int repeat) {
  size_t bytes = 0;
  for (const Item& it : items) bytes += it.text.size();
  std::vector<double> rates;
  Detection d;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const Item& it : items) sys.detector->Detect(it.text, d, sys.mode);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(bytes / 1e6 / s);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string corpus = newsflow::CorpusDir() + "/langid";
  std::string model = newsflow::ModelsDir() + "/lid.176.ftz";
  std::string errors_for;
  int repeat = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--corpus")) corpus = argv[i + 1];
    else if (!std::strcmp(argv[i], "--model")) model = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeat")) repeat = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--errors")) errors_for = argv[i + 1];
  }
  const std::vector<Item> shorts = Load(corpus + "/dev-short.jsonl");
  const std::vector<Item> longs = Load(corpus + "/dev-long.jsonl");
  if (shorts.empty() || longs.empty()) {
    std::fprintf(stderr, "no dev set under %s\n", corpus.c_str());
    return 2;
  }

  newsflow::langid::DetectorOptions opt;
  opt.model_path = model;
  auto full = LanguageDetector::Create(opt);
  opt.model_path = "";
  auto bare = LanguageDetector::Create(opt);
  if (!full.ok() || !bare.ok() || !(*full)->fasttext_loaded()) {
    std::fprintf(stderr, "cannot load the fastText model %s\n", model.c_str());
    return 2;
  }
  const std::vector<System> systems = {
      {"newsflow", full->get(), DetectMode::kCombined},
      {"cld2", full->get(), DetectMode::kCld2Only},
      {"fasttext", full->get(), DetectMode::kFastTextOnly},
      {"nf-nomodel", bare->get(), DetectMode::kCombined},
  };

  std::vector<std::string> langs;  // corpus order
  for (const Item& it : shorts) {
    if (std::find(langs.begin(), langs.end(), it.lang) == langs.end()) langs.push_back(it.lang);
  }
  std::vector<Evaluation> ev_short, ev_long;
  for (const System& s : systems) {
    ev_short.push_back(Evaluate(s, shorts, errors_for == s.name, "short"));
    ev_long.push_back(Evaluate(s, longs, errors_for == s.name, "long"));
  }

  std::printf("Accuracy %% (fa/prs counted as one another; und counts as wrong)\n");
  std::printf("%-5s", "lang");
  for (const char* set : {"short", "long"}) {
    for (const System& s : systems) std::printf(" %10s", (s.name.substr(0, 8) + "/" + set[0]).c_str());
  }
  std::printf("   n_s  n_l\n");
  for (const std::string& l : langs) {
    std::printf("%-5s", l.c_str());
    for (const auto* evs : {&ev_short, &ev_long}) {
      for (const Evaluation& e : *evs) {
        auto it = e.per_lang.find(l);
        if (it == e.per_lang.end()) std::printf(" %10s", "-");
        else std::printf(" %10.1f", Pct(it->second));
      }
    }
    auto ns = ev_short[0].per_lang.find(l);
    auto nl = ev_long[0].per_lang.find(l);
    std::printf("  %4d %4d\n", ns == ev_short[0].per_lang.end() ? 0 : ns->second.n,
                nl == ev_long[0].per_lang.end() ? 0 : nl->second.n);
  }
  std::printf("%-5s", "ALL");
  for (const auto* evs : {&ev_short, &ev_long}) {
    for (const Evaluation& e : *evs) std::printf(" %10.2f", Pct(e.all));
  }
  std::printf("  %4d %4d\n\n", ev_short[0].all.n, ev_long[0].all.n);

  for (size_t i = 0; i < systems.size(); ++i) {
    std::printf("%-10s und: short %d, long %d; decided by:", systems[i].name.c_str(),
                ev_short[i].all.und, ev_long[i].all.und);
    for (const auto* evs : {&ev_short, &ev_long}) {
      for (const auto& [engine, n] : (*evs)[i].engines) std::printf(" %s=%d", engine.c_str(), n);
      std::printf(" |");
    }
    std::printf("\n");
  }

  size_t bytes = 0;
  for (const Item& it : longs) bytes += it.text.size();
  std::printf("\nThroughput on dev-long (%zu items, %.2f MB), one thread, median of %d passes\n",
              longs.size(), bytes / 1e6, repeat);
  for (const System& s : systems) {
    std::printf("%-10s %7.1f MB/s\n", s.name.c_str(), MegabytesPerSecond(s, longs, repeat));
  }
  return 0;
}
