// Shared by the metrics integration tests: a broker (embedded, or the shared
// real Apache Kafka: broker_fixture.h) and newsflow processes serving
// /metrics on loopback ports, fed with the bundled sample articles.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker_fixture.h"
#include "support/http_client.h"
#include "support/process.h"

namespace newsflow::testing {

class MetricsPipelineTest : public ::testing::TestWithParam<Broker> {
 protected:
  void StartBroker(int partitions) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "-" + info->name();
    for (char& c : name) c = c == '/' ? '-' : c;
    dir_ = MakeTempDir(name);
    std::filesystem::create_directories(dir_ + "/state");
    broker_.Start(GetParam(), dir_, partitions);
  }

  // newsflow ARGS plus the broker's arguments, logging to dir_/LOG.log; with
  // a metrics port, also --metrics-addr 127.0.0.1:PORT.
  std::unique_ptr<Process> Start(std::vector<std::string> args, const std::string& log,
                                 int metrics_port = 0) {
    args.insert(args.begin(), NewsflowBinary());
    args.insert(args.end(), broker_.args().begin(), broker_.args().end());
    if (metrics_port > 0) {
      args.push_back("--metrics-addr");
      args.push_back("127.0.0.1:" + std::to_string(metrics_port));
    }
    return std::make_unique<Process>(args, dir_ + "/" + log + ".log",
                                     std::map<std::string, std::string>{
                                         {"NEWSFLOW_STATE_DIR", dir_ + "/state"}});
  }

  static std::string Url(int port, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  static bool Ready(int port) {
    std::string body;
    return HttpGet(Url(port, "/readyz"), &body, 1000) == 200;
  }

  // The bundled samples as JSON Lines, `rounds` times over with distinct
  // URLs (so distinct article ids) and sources, plus samples/feed.jsonl's broken line
  // once (a dead letter). Returns how many good articles it wrote.
  int WriteSampleArticles(const std::string& path, int rounds) {
    const std::string samples = std::string(NEWSFLOW_SOURCE_DIR) + "/samples";
    std::vector<nlohmann::json> base;
    for (const auto& e : std::filesystem::directory_iterator(samples + "/pages")) {
      std::string ext = e.path().extension().string();
      base.push_back({{"source", "samples"},
                      {"url", "https://samples.example/" + e.path().stem().string()},
                      {"content_type", ext == ".html" ? "text/html" : "text/plain"},
                      {"body", ReadFile(e.path().string())}});
    }
    std::string broken;
    for (const auto& line : ReadLines(samples + "/feed.jsonl")) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) {
        broken = line;
        continue;
      }
      std::string url = j.value("url", "https://feed.example/item");
      j["url"] = url.substr(0, url.find('?'));
      base.push_back(j);
    }
    std::ofstream out(path);
    int n = 0;
    for (int r = 0; r < rounds; ++r) {
      for (auto j : base) {
        j["url"] = j["url"].get<std::string>() + "/copy-" + std::to_string(r);
        // clean learns boilerplate per source: the same page seen again from
        // one source would turn into template lines and be dropped.
        j["source"] = j.value("source", "samples") + "-" + std::to_string(r);
        out << j.dump() << "\n";
        ++n;
      }
    }
    if (!broken.empty()) out << broken << "\n";
    return n;
  }

  // A topic's name as the processes see it (a namespace on the real broker).
  std::string Topic(std::string_view name) const { return broker_.Name(name); }

  std::string dir_;
  TestBroker broker_;
};

}  // namespace newsflow::testing
