// clean_bench: one-core throughput of the clean stage.
//   text/plain MB/s on the seed pages plus our own test pages (replicated),
//   text/html MB/s and pages/s on trafilatura-eval pages, and pages/s of
//   Debian's python3-readability (Document(html).summary()) on the same pages,
//   measured in the same run. Prints medians of several runs.
//
// Usage: clean_bench [N_HTML_PAGES=200] [RUNS=5]
#include <prometheus/registry.h>
#include <zlib.h>

#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench_support.h"
#include "clean_stage.h"
#include "newsflow/paths.h"
#include "newsflow/settings.h"

namespace fs = std::filesystem;
using namespace newsflow;
using Clock = std::chrono::steady_clock;

namespace {

using newsflow::bench::ReadMaybeGz;
using Harness = newsflow::bench::CleanHarness;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Seconds to clean all `pages` once.
// CPU seconds of this thread: the machine is shared, so wall time would
// measure the neighbours too. Both sides of the readability ratio use CPU time.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double RunOnce(Stage& stage, const std::vector<Article>& pages, size_t* ok) {
  std::vector<Article> copies = pages;  // Process mutates its input
  double t0 = ThreadCpuSeconds();
  size_t good = 0;
  for (Article& a : copies) {
    auto r = stage.Process(a);
    if (r.ok()) ++good;
  }
  *ok = good;
  return ThreadCpuSeconds() - t0;
}

}  // namespace

int main(int argc, char** argv) try {
  size_t n_html = argc > 1 ? std::stoul(argv[1]) : 200;
  int runs = argc > 2 ? std::stoi(argv[2]) : 5;
  std::string corpus = CorpusDir();
  Harness h(std::map<std::string, std::string>{{"learn_templates", "false"}, {"max_ms_per_record", "60000"}});

  // text/plain: seeds, each replicated to ~1 MB pages of article-like lines.
  std::vector<Article> text;
  size_t text_bytes = 0;
  for (auto& e : fs::directory_iterator(corpus + "/seeds")) {
    if (e.path().extension() != ".txt") continue;
    Article a;
    a.source = "bench";
    a.content_type = ContentType::kTextPlain;
    a.body = ReadMaybeGz(e.path().string());
    for (int k = 0; k < 20; ++k) {
      text.push_back(a);
      text_bytes += a.body.size();
    }
  }
  if (text.empty()) {
    std::fprintf(stderr, "no seeds under %s\n", corpus.c_str());
    return 1;
  }
  // Repeat the set to get enough bytes per run.
  std::vector<Article> text_run;
  size_t text_run_bytes = 0;
  while (text_run_bytes < (20u << 20)) {
    for (auto& a : text) text_run.push_back(a);
    text_run_bytes += text_bytes;
  }
  std::vector<double> tmbs;
  for (int r = 0; r < runs; ++r) {
    size_t ok = 0;
    double s = RunOnce(*h.stage, text_run, &ok);
    tmbs.push_back(text_run_bytes / 1e6 / s);
  }
  std::printf("text/plain: %.1f MB per run, median %.1f MB/s (runs %d)\n", text_run_bytes / 1e6,
              Median(tmbs), runs);

  if (n_html == 0) return 0;
  // text/html: the first n_html trafilatura-eval pages (sorted by name).
  std::string hdir = corpus + "/cleaning-dev/trafilatura-eval/html";
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(hdir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.size() > n_html) files.resize(n_html);
  std::vector<Article> html;
  size_t html_bytes = 0;
  for (auto& p : files) {
    Article a;
    a.source = "bench";
    a.content_type = ContentType::kTextHtml;
    a.body = ReadMaybeGz(p.string());
    html_bytes += a.body.size();
    html.push_back(std::move(a));
  }
  std::vector<double> hmbs, hps;
  size_t ok = 0;
  for (int r = 0; r < runs; ++r) {
    double s = RunOnce(*h.stage, html, &ok);
    hmbs.push_back(html_bytes / 1e6 / s);
    hps.push_back(html.size() / s);
  }
  std::printf("text/html: %zu pages, %.1f MB, median %.1f MB/s, %.0f pages/s (%zu ok)\n", html.size(),
              html_bytes / 1e6, Median(hmbs), Median(hps), ok);

  if (std::getenv("CLEAN_BENCH_NO_PEER") != nullptr) return 0;
  // python3-readability on the same files, same run (1 pass: it is slow).
  std::string list = (fs::temp_directory_path() / "clean_bench_files.txt").string();
  {
    std::ofstream l(list);
    for (auto& p : files) l << p.string() << "\n";
  }
  std::string cmd =
      "/usr/bin/python3 -c '\n"
      "import gzip, sys, time\n"
      "from readability import Document\n"
      "pages = [gzip.open(p.strip(), \"rb\").read() for p in open(sys.argv[1])]\n"
      "rates = []\n"
      "for run in range(int(sys.argv[2])):\n"
      "    t = time.process_time(); n = 0\n"
      "    for b in pages:\n"
      "        try:\n"
      "            Document(b).summary(); n += 1\n"
      "        except Exception:\n"
      "            pass\n"
      "    rates.append(len(pages) / (time.process_time() - t))\n"
      "rates.sort()\n"
      "print(rates[len(rates) // 2], n)\n"
      "' " + list + " " + std::to_string(std::max(1, runs / 2)) + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  double rps = 0;
  int rok = 0;
  if (p != nullptr) {
    if (std::fscanf(p, "%lf %d", &rps, &rok) != 2) rps = 0;
    pclose(p);
  }
  if (rps > 0) {
    std::printf("python3-readability: median %.1f pages/s (%d ok) on the same %zu pages, %d runs, CPU time\n", rps, rok, html.size(), std::max(1, runs / 2));
    std::printf("ratio clean/readability: %.1fx\n", Median(hps) / rps);
  } else {
    std::printf("python3-readability: not available (python3 -c 'from readability import Document' failed)\n");
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "clean_bench: %s\n", e.what());
  return 2;
}
