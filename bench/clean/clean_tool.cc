// clean_tool: runs the clean stage outside the pipeline.
//   clean_tool show text|html FILE      print title, date, text and removals
//   clean_tool eval HTML_DIR OUT.json   trafilatura-eval predictions for snippet_score.py
//   clean_tool features LIST on|off     round 12: per-line features of text pages to stderr
//     LIST: one page a line, "path<TAB>source<TAB>fetched_at<TAB>id", processed as one
//     stream in file order (learning on|off); before each page "@@P<TAB>path", then
//     one "@@F" row per block (NEWSFLOW_CLEAN_DEBUG=features), then the kept lines ("@@T");
//     "@@H" names the columns
#include <prometheus/registry.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "bench_support.h"
#include "block_cleaner.h"
#include "clean_stage.h"
#include "newsflow/json_writer.h"
#include "newsflow/paths.h"
#include "newsflow/settings.h"

namespace fs = std::filesystem;
using namespace newsflow;

namespace {

using newsflow::bench::ReadMaybeGz;
using Harness = newsflow::bench::CleanHarness;

std::string JsonString(std::string_view s) {
  std::string o;
  newsflow::AppendJsonString(o, s);  // quoted and escaped
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 4) {
    std::cerr << "usage: clean_tool show text|html FILE | eval HTML_DIR OUT.json | features LIST on|off\n";
    return 2;
  }
  std::string mode = argv[1];
  if (mode == "features") {
    setenv("NEWSFLOW_CLEAN_DEBUG", "features", 1);
    const bool learn = std::string(argv[3]) == "on";
    fs::path state = fs::temp_directory_path() / ("clean_features_" + std::to_string(getpid()) + ".txt");
    Harness fh(std::map<std::string, std::string>{{"learn_templates", learn ? "true" : "false"},
                                                  {"state_file", state.string()}});
    std::string head = "@@H";
    for (const std::string& name : clean::LineFeatureNames()) head += "\t" + name;
    std::fprintf(stderr, "%s\ttext\n", head.c_str());
    std::ifstream list(argv[2]);
    std::string line;
    while (std::getline(list, line)) {
      std::vector<std::string> col;
      std::stringstream ss(line);
      for (std::string c; std::getline(ss, c, '\t');) col.push_back(c);
      if (col.size() < 4) continue;
      Article a;
      a.id = col[3];
      a.source = col[1];
      a.fetched_at = col[2];
      a.content_type = ContentType::kTextPlain;
      a.body = ReadMaybeGz(col[0]);
      std::fprintf(stderr, "@@P\t%s\n", col[0].c_str());
      auto r = fh.stage->Process(a);
      if (!r.ok()) {
        std::fprintf(stderr, "@@E\t%s\n", r.status().ToString().c_str());
      } else if (r->forwarded() && a.clean) {
        // The page's kept lines ("@@T"), after every rule (the rescue of a
        // page where no line passed included).
        std::stringstream kept(a.clean->text);
        for (std::string k; std::getline(kept, k);) std::fprintf(stderr, "@@T\t%s\n", k.c_str());
      }
    }
    std::error_code ec;
    fs::remove(state, ec);
    return 0;
  }
  Harness h(std::map<std::string, std::string>{{"learn_templates", "false"}});
  if (mode == "show") {
    Article a;
    a.source = "tool";
    a.fetched_at = "2026-11-23T19:00:00Z";
    a.content_type = std::string(argv[2]) == "html" ? ContentType::kTextHtml : ContentType::kTextPlain;
    a.body = ReadMaybeGz(argv[3]);
    auto r = h.stage->Process(a);
    if (!r.ok()) {
      std::cout << "ERROR " << r.status().ToString() << "\n";
      return 1;
    }
    std::cout << "outcome: " << (r->forwarded() ? "forward" : "drop " + r->reason) << "\n";
    if (a.clean) {
      std::cout << "title: " << a.clean->title << "\npublished: " << a.clean->published_at.value_or("-")
                << "\nremoved:";
      for (auto& [k, v] : a.clean->removed) std::cout << " " << k << "=" << v;
      std::cout << "\n----\n" << a.clean->text << "\n";
    }
    return 0;
  }
  if (mode == "eval") {
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(argv[2])) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::ofstream out(argv[3]);
    out << "{\n";
    bool first = true;
    double secs = 0;
    size_t bytes = 0;
    for (auto& p : files) {
      std::string name = p.filename().string();
      if (name.size() > 3 && name.substr(name.size() - 3) == ".gz") name.resize(name.size() - 3);
      if (name.size() > 5 && name.substr(name.size() - 5) == ".html") name.resize(name.size() - 5);
      Article a;
      a.source = "eval-" + name;  // one page per source: no template learning effects
      a.content_type = ContentType::kTextHtml;
      a.body = ReadMaybeGz(p.string());
      bytes += a.body.size();
      auto t0 = std::chrono::steady_clock::now();
      auto r = h.stage->Process(a);
      secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::string body;
      if (r.ok() && a.clean) body = a.clean->title + "\n" + a.clean->text;
      out << (first ? "" : ",\n") << JsonString(name) << ": {\"articleBody\": "
          << JsonString(body) << "}";
      first = false;
    }
    out << "\n}\n";
    std::fprintf(stderr, "%zu pages, %.1f MB in %.2f s: %.1f MB/s, %.0f pages/s\n", files.size(),
                 bytes / 1e6, secs, bytes / 1e6 / secs, files.size() / secs);
    return 0;
  }
  std::cerr << "unknown mode\n";
  return 2;
} catch (const std::exception& e) {
  std::cerr << "clean_tool: " << e.what() << "\n";
  return 2;
}
