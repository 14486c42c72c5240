// clean_tool: runs the clean stage outside the pipeline.
//   clean_tool show text|html FILE      print title, date, text and removals
//   clean_tool eval HTML_DIR OUT.json   trafilatura-eval predictions for snippet_score.py
#include <prometheus/registry.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench_support.h"
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
    std::cerr << "usage: clean_tool show text|html FILE | eval HTML_DIR OUT.json\n";
    return 2;
  }
  std::string mode = argv[1];
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
