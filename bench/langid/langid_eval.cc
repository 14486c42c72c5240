// Accuracy and throughput of language detection on the langid dev set.
//
//   newsflow-langid-eval [--corpus DIR] [--model FILE] [--repeat N] [--errors SYSTEM]
//                        [--dump FILE.tsv] [--fasttext-max-bytes N] [--cld2-min-bytes N]
//                        [--cld2-min-percent N] [--cld2-min-score X] [--min-confidence X]
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
#include <ctime>
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

// Seconds of CPU time this thread has used: on a machine shared with other
// jobs, wall time measures the neighbours as much as the detector.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

struct Rate {
  double cpu_mbps = 0;   // median MB per second of this thread's CPU time
  double cpu_best = 0;   // best pass: least disturbed by other jobs
  double wall_mbps = 0;  // median MB per second of wall-clock time
};

// Median rates of each system over `repeat` passes; the systems take turns
// within each pass so a busy machine slows them alike.
std::vector<Rate> MegabytesPerSecond(const std::vector<System>& systems,
                                     const std::vector<Item>& items, int repeat) {
  size_t bytes = 0;
  for (const Item& it : items) bytes += it.text.size();
  std::vector<std::vector<double>> cpu(systems.size()), wall(systems.size());
  Detection d;
  for (int r = 0; r < repeat; ++r) {
    for (size_t i = 0; i < systems.size(); ++i) {
      const System& sys = systems[i];
      sys.detector->ClearCaches();  // every pass starts cold
      const double c0 = ThreadCpuSeconds();
      const auto t0 = std::chrono::steady_clock::now();
      for (const Item& it : items) sys.detector->Detect(it.text, d, sys.mode);
      const double w =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      cpu[i].push_back(bytes / 1e6 / (ThreadCpuSeconds() - c0));
      wall[i].push_back(bytes / 1e6 / w);
    }
  }
  auto median = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::vector<Rate> rates;
  for (size_t i = 0; i < systems.size(); ++i) {
    rates.push_back({median(cpu[i]), cpu[i].back(), median(wall[i])});
  }
  return rates;
}

}  // namespace

int main(int argc, char** argv) {
  std::string corpus = newsflow::CorpusDir() + "/langid";
  std::string model = newsflow::ModelsDir() + "/lid.176.ftz";
  std::string errors_for;
  std::string dump;
  newsflow::langid::DetectorOptions opt;
  int repeat = 21;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--corpus")) corpus = argv[i + 1];
    else if (!std::strcmp(argv[i], "--model")) model = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeat")) repeat = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--errors")) errors_for = argv[i + 1];
    else if (!std::strcmp(argv[i], "--dump")) dump = argv[i + 1];
    else if (!std::strcmp(argv[i], "--fasttext-max-bytes")) opt.fasttext_max_bytes = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cld2-min-bytes")) opt.cld2_min_bytes = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cld2-min-percent")) opt.cld2_min_percent = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cld2-min-score")) opt.cld2_min_score = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--min-confidence")) opt.min_confidence = std::atof(argv[i + 1]);
  }
  const std::vector<Item> shorts = Load(corpus + "/dev-short.jsonl");
  const std::vector<Item> longs = Load(corpus + "/dev-long.jsonl");
  if (shorts.empty() || longs.empty()) {
    std::fprintf(stderr, "no dev set under %s\n", corpus.c_str());
    return 2;
  }

  opt.model_path = model;
  auto full = LanguageDetector::Create(opt);
  opt.model_path = "";
  auto bare = LanguageDetector::Create(opt);
  // The same detector tuned for precision: disagreements become "und".
  opt.model_path = model;
  opt.min_confidence = 0.5;
  auto precise = LanguageDetector::Create(opt);
  if (!full.ok() || !bare.ok() || !precise.ok() || !(*full)->fasttext_loaded()) {
    std::fprintf(stderr, "cannot load the fastText model %s\n", model.c_str());
    return 2;
  }
  if (!dump.empty()) {
    // One TSV row per item with both engines' raw answers, for analysis.
    std::FILE* f = std::fopen(dump.c_str(), "w");
    LanguageDetector::RawAnswers raw;
    for (const auto* set : {&shorts, &longs}) {
      for (const Item& it : *set) {
        (*full)->DetectRaw(it.text, raw);
        std::fprintf(f, "%s\t%s\t%zu\t%lld\t%.*s\t%.*s\t%d\t%d\t%d", set == &shorts ? "short" : "long",
                     it.lang.c_str(), it.text.size(), static_cast<long long>(raw.letters),
                     static_cast<int>(raw.script.size()), raw.script.data(),
                     static_cast<int>(raw.cld2.code[0].size()), raw.cld2.code[0].data(),
                     raw.cld2.percent[0], raw.cld2.reliable, raw.cld2.text_bytes);
        std::fprintf(f, "\t%.*s\t%d", static_cast<int>(raw.cld2.code[1].size()), raw.cld2.code[1].data(), raw.cld2.percent[1]);
        std::fprintf(f, "\t%.3f", raw.cld2.normalized_score[0]);
        for (size_t k = 0; k < 3; ++k) {
          if (k < raw.fasttext.size()) {
            std::fprintf(f, "\t%.*s\t%.4f", static_cast<int>(raw.fasttext[k].code.size()),
                         raw.fasttext[k].code.data(), raw.fasttext[k].probability);
          } else {
            std::fprintf(f, "\t-\t0");
          }
        }
        std::fprintf(f, "\n");
      }
    }
    std::fclose(f);
  }
  const std::vector<System> systems = {
      {"newsflow", full->get(), DetectMode::kCombined},
      {"cld2", full->get(), DetectMode::kCld2Only},
      {"fasttext", full->get(), DetectMode::kFastTextOnly},
      {"nf-nomodel", bare->get(), DetectMode::kCombined},
      {"nf-conf.5", precise->get(), DetectMode::kCombined},
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
  std::printf("systems: newsflow = combined detector (defaults), cld2 = CLD2 alone, fasttext = "
              "fastText alone (predictLine, whole text),\n         nf-nomodel = newsflow without "
              "the model file, nf-conf.5 = newsflow with min_confidence 0.5\n");
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
    auto precision = [](const Score& s) {
      return s.n > s.und ? 100.0 * s.correct / (s.n - s.und) : 0.0;
    };
    std::printf("%-10s und: short %d, long %d; precision (answered items): short %.2f, long "
                "%.2f; decided by:",
                systems[i].name.c_str(), ev_short[i].all.und, ev_long[i].all.und,
                precision(ev_short[i].all), precision(ev_long[i].all));
    for (const auto* evs : {&ev_short, &ev_long}) {
      for (const auto& [engine, n] : (*evs)[i].engines) std::printf(" %s=%d", engine.c_str(), n);
      std::printf(" |");
    }
    std::printf("\n");
  }

  // The Arabic items re-typed with the Persian letter forms ی ک (U+06CC for
  // ي and ى, U+06A9 for ك), as Iranian and Afghan keyboards produce Arabic: how
  // many still come out Arabic.
  std::printf("\nArabic items re-typed with Persian letters (ي ى->ی, ك->ک), still 'ar':\n");
  for (const System& s : systems) {
    std::printf("%-10s", s.name.c_str());
    for (const auto* set : {&shorts, &longs}) {
      int n = 0, ar = 0;
      Detection d;
      for (const Item& it : *set) {
        if (it.lang != "ar") continue;
        std::string t = it.text;
        for (size_t k = 0; k + 1 < t.size(); ++k) {
          if (t[k] == '\xD9' && t[k + 1] == '\x8A') t.replace(k, 2, "\xDB\x8C");
          else if (t[k] == '\xD9' && t[k + 1] == '\x89') t.replace(k, 2, "\xDB\x8C");
          else if (t[k] == '\xD9' && t[k + 1] == '\x83') t.replace(k, 2, "\xDA\xA9");
        }
        s.detector->Detect(t, d, s.mode);
        ++n;
        ar += d.code == "ar";
        if (d.code != "ar" && errors_for == s.name) {
          std::printf("ERR %s retyped got=%.*s conf=%.3f | %.160s\n", s.name.c_str(),
                      static_cast<int>(d.code.size()), d.code.data(), d.confidence, t.c_str());
        }
      }
      std::printf("  %s %d/%d", set == &shorts ? "short" : "long", ar, n);
    }
    std::printf("\n");
  }

  size_t bytes = 0;
  for (const Item& it : longs) bytes += it.text.size();
  std::printf("\nThroughput on dev-long (%zu items, %.2f MB), one thread, median of %d passes\n",
              longs.size(), bytes / 1e6, repeat);
  {
    // How much of the paragraph set reaches fastText in newsflow's detector.
    LanguageDetector& nf = *systems[0].detector;
    const int64_t calls0 = nf.fasttext_calls(), bytes0 = nf.fasttext_bytes();
    Detection d;
    for (const Item& it : longs) nf.Detect(it.text, d);
    std::printf("newsflow's fastText reads %lld bytes in %lld calls per pass (%.1f%% of the bytes)\n",
                static_cast<long long>(nf.fasttext_bytes() - bytes0),
                static_cast<long long>(nf.fasttext_calls() - calls0),
                100.0 * (nf.fasttext_bytes() - bytes0) / bytes);
  }
  const std::vector<Rate> mbps = MegabytesPerSecond(systems, longs, repeat);
  std::printf("%-10s %12s %12s %12s %10s %10s\n", "system", "CPU median", "CPU best",
              "wall median", "x cld2 med", "x cld2 best");
  for (size_t i = 0; i < systems.size(); ++i) {
    std::printf("%-10s %12.1f %12.1f %12.1f %10.2f %10.2f\n", systems[i].name.c_str(),
                mbps[i].cpu_mbps, mbps[i].cpu_best, mbps[i].wall_mbps,
                mbps[i].cpu_mbps / mbps[1].cpu_mbps, mbps[i].cpu_best / mbps[1].cpu_best);
  }
  std::printf("(MB/s; CPU: bytes per second of this thread's CPU time, one core; best: the "
              "fastest pass;\n wall time also counts other jobs on the machine; fastText's token "
              "memo is cleared before every pass)\n");

  // Where the time goes: the pieces newsflow's path is made of, same items.
  std::printf("\nBreakdown (same items, best pass, MB/s of CPU time; higher is cheaper)\n");
  auto rate = [&](auto&& fn) {
    std::vector<double> rates;
    for (int r = 0; r < repeat; ++r) {
      const double c0 = ThreadCpuSeconds();
      for (const Item& it : longs) fn(it.text);
      rates.push_back(bytes / 1e6 / (ThreadCpuSeconds() - c0));
    }
    std::sort(rates.begin(), rates.end());
    return rates.back();
  };
  newsflow::langid::TextProfile prof;
  newsflow::langid::Cld2Answer ans;
  std::printf("%-26s %7.1f\n", "profile (scan, scripts)",
              rate([&](const std::string& t) { newsflow::langid::Profile(t, prof); }));
  std::printf("%-26s %7.1f\n", "cld2 without chunks", rate([&](const std::string& t) {
                newsflow::langid::Cld2Engine::Detect(t, USCRIPT_LATIN, false, ans);
              }));
  std::printf("%-26s %7.1f\n", "cld2 with chunks", rate([&](const std::string& t) {
                newsflow::langid::Cld2Engine::Detect(t, USCRIPT_LATIN, true, ans);
              }));
  return 0;
}
