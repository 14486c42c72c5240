// The Grafana dashboard against the real thing: Debian's Prometheus scrapes a
// pipeline of newsflow processes (embedded broker, producer, feed watcher,
// clean, langid, entities, sinks) fed with the sample articles and a loopback
// feed server's items; every panel query of
// deploy/grafana/dashboards/newsflow.json is then evaluated through
// Prometheus's HTTP API and must return data.
#include <signal.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "committed_offsets.h"
#include "metrics_fixture.h"
#include "newsflow/kafka.h"

namespace newsflow::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPrometheus = "/usr/bin/prometheus";

struct Role {
  std::string job;  // as in deploy/prometheus/prometheus.yml
  std::vector<std::string> args;
  int port = 0;
  std::unique_ptr<Process> process;
};

// Grafana's variables, as the dashboard shows "All" stages over a range
// covering the test's data.
std::string Substitute(std::string expr) {
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"$__rate_interval", "1m"}, {"${stage}", ".*"}, {"$stage", ".*"}};
  for (const auto& [from, to] : vars)
    for (size_t at; (at = expr.find(from)) != std::string::npos;) expr.replace(at, from.size(), to);
  return expr;
}

std::string SeriesLabel(const nlohmann::json& metric) {
  std::string s;
  for (const auto& [k, v] : metric.items()) {
    if (k == "__name__") continue;
    s += (s.empty() ? "" : ",") + k + "=" + v.get<std::string>();
  }
  return "{" + s + "}";
}

class DashboardTest : public MetricsPipelineTest {};
NEWSFLOW_ON_BOTH_BROKERS(DashboardTest);

TEST_P(DashboardTest, EveryPanelQueryReturnsDataFromRealPrometheus) {
  ASSERT_TRUE(std::filesystem::exists(kPrometheus))
      << kPrometheus << " is missing: apt-get install prometheus (scripts/setup.sh does)";
  StartBroker(4);
  std::string out = dir_ + "/articles.jsonl", dlq = dir_ + "/dead-letters.jsonl";
  std::vector<Role> roles;  // in the order of their fixed ports, 9402...
  roles.push_back({"newsflow-clean", {"stage", "clean"}, 0, nullptr});
  roles.push_back({"newsflow-langid", {"stage", "langid"}, 0, nullptr});
  roles.push_back({"newsflow-entities", {"stage", "entities"}, 0, nullptr});
  roles.push_back({"newsflow-sink", {"sink", "--output", out}, 0, nullptr});
  roles.push_back({"newsflow-dlq-sink", {"sink", "--topic", "news.dlq", "--output", dlq}, 0, nullptr});
  for (auto& r : roles) {
    r.port = FreePort();
    r.process = Start(r.args, r.job, r.port);
  }
  const int produce_port = FreePort();

  // The feed watcher, scraped as a second target of the producers' job (as
  // deploy/compose/prometheus.yml scrapes it): one feed that answers, with
  // pages, and one that is gone (404), for the feeds row.
  const int kFeedItems = 5;
  std::unique_ptr<Process> feed_server;
  {
    std::string root = dir_ + "/www", port;
    std::filesystem::create_directories(root);
    feed_server = StartFeedServer(root, dir_ + "/feed-server.log", port);
    ASSERT_FALSE(port.empty()) << ReadFile(dir_ + "/feed-server.log");
    std::ofstream rss(root + "/desk.xml");
    rss << R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>)";
    for (int i = 0; i < kFeedItems; ++i)
      rss << "<item><title>Story " << i << "</title><link>http://127.0.0.1:" << port << "/page/d" << i
          << "</link><guid>d" << i << "</guid></item>";
    rss << "</channel></rss>";
    std::ofstream(dir_ + "/feeds.yaml") << "feeds:\n  - url: http://127.0.0.1:" << port
                                        << "/feed/desk.xml\n    source: desk\n    interval_s: 1\n"
                                        << "  - url: http://127.0.0.1:" << port
                                        << "/feed/gone.xml\n    source: gone\n    interval_s: 1\n";
  }
  const int watch_port = FreePort();
  auto watch = Start({"watch", "--feeds", dir_ + "/feeds.yaml", "--state", dir_ + "/feeds.state",
                      "--politeness-ms", "10", "--allow-private-addresses"},
                     "watch", watch_port);
  for (auto& r : roles) {
    ASSERT_TRUE(WaitFor([&] { return Ready(r.port) || !r.process->Running(); }, 60s))
        << r.job << " never became ready\n" << r.process->Log();
    ASSERT_TRUE(r.process->Running()) << r.process->Log();
    std::string body;
    EXPECT_EQ(HttpGet(Url(r.port, "/healthz"), &body), 200) << r.job;
  }

  // Prometheus with deploy/prometheus/prometheus.yml, its fixed ports
  // mapped to this test's free ones, scraping every second.
  const int prom_port = FreePort();
  {
    std::string cfg = ReadFile(std::string(NEWSFLOW_SOURCE_DIR) + "/deploy/prometheus/prometheus.yml");
    std::vector<std::pair<std::string, std::string>> edits = {
        {"scrape_interval: 15s", "scrape_interval: 1s"},
        {"scrape_timeout: 10s", "scrape_timeout: 1s"},
        {"evaluation_interval: 15s", "evaluation_interval: 1s"},
        {"localhost:9401", "127.0.0.1:" + std::to_string(produce_port) + "\", \"127.0.0.1:" +
                               std::to_string(watch_port)}};
    for (size_t i = 0; i < roles.size(); ++i)
      edits.push_back({"localhost:" + std::to_string(9402 + i), "127.0.0.1:" + std::to_string(roles[i].port)});
    for (const auto& [from, to] : edits) {
      size_t at = cfg.find(from);
      ASSERT_NE(at, std::string::npos) << from << " not in deploy/prometheus/prometheus.yml";
      cfg.replace(at, from.size(), to);
    }
    std::ofstream(dir_ + "/prometheus.yml") << cfg;
  }
  Process prometheus({kPrometheus, "--config.file=" + dir_ + "/prometheus.yml",
                      "--storage.tsdb.path=" + dir_ + "/tsdb",
                      "--web.listen-address=127.0.0.1:" + std::to_string(prom_port),
                      "--log.level=warn"},
                     dir_ + "/prometheus.log");
  const std::string api = "http://127.0.0.1:" + std::to_string(prom_port);
  std::string body;
  ASSERT_TRUE(WaitFor([&] { return HttpGet(api + "/-/ready", &body, 1000) == 200; }, 30s))
      << prometheus.Log();

  // Prometheus applies its targets a few seconds after start: wait until
  // every running process has been scraped, so the counters' rise is seen.
  const std::string up = UrlEncode("count(up{job!=\"newsflow-produce\"} == 1)");
  ASSERT_TRUE(WaitFor([&] {
    if (HttpGet(api + "/api/v1/query?query=" + up, &body, 1000) != 200) return false;
    auto r = nlohmann::json::parse(body, nullptr, false);
    if (r.is_discarded() || r["data"]["result"].empty()) return false;
    return r["data"]["result"][0]["value"][1] == std::to_string(roles.size());
  }, 30s)) << body << prometheus.Log();
  std::this_thread::sleep_for(2s);

  // The sample articles, many times over, so rates are not zero.
  const int articles = WriteSampleArticles(dir_ + "/in.jsonl", 40);
  auto producer = Start({"produce", dir_ + "/in.jsonl", "--metrics-linger-ms", "120000"},
                        "produce", produce_port);
  ASSERT_TRUE(WaitFor([&] { return producer->Log().find("newsflow produce:") != std::string::npos; },
                      60s))
      << producer->Log();
  // Everything reaches the sink or a drop/dead letter; wait until the sink
  // stops growing.
  size_t last = 0;
  auto stable_since = std::chrono::steady_clock::now();
  WaitFor([&] {
    size_t n = ReadLines(out).size();
    if (n != last) {
      last = n;
      stable_since = std::chrono::steady_clock::now();
    }
    return n >= static_cast<size_t>(articles) ||
           (n > 0 && std::chrono::steady_clock::now() - stable_since > 5s);
  }, 60s);
  ASSERT_GT(ReadLines(out).size(), 0u) << roles[0].process->Log();
  std::this_thread::sleep_for(4s);  // a few scrapes after the last record

  std::ifstream dash_file(std::string(NEWSFLOW_SOURCE_DIR) + "/deploy/grafana/dashboards/newsflow.json");
  nlohmann::json dash = nlohmann::json::parse(dash_file);
  int queries = 0;
  std::vector<std::string> empty;
  std::ostringstream report;
  for (const auto& panel : dash.at("panels")) {
    if (!panel.contains("targets")) continue;
    const std::string title = panel.at("title").get<std::string>();
    for (const auto& target : panel.at("targets")) {
      const std::string expr = Substitute(target.at("expr").get<std::string>());
      ++queries;
      std::string json;
      int code = HttpGet(api + "/api/v1/query?query=" + UrlEncode(expr), &json);
      ASSERT_EQ(code, 200) << expr << "\n" << json;
      nlohmann::json r = nlohmann::json::parse(json);
      ASSERT_EQ(r.at("status"), "success") << json;
      const auto& result = r.at("data").at("result");
      std::ostringstream values;
      int finite = 0, shown = 0;
      for (const auto& series : result) {
        double v = std::stod(series.at("value").at(1).get<std::string>());
        if (std::isnan(v)) continue;
        ++finite;
        if (shown++ < 6) values << " " << SeriesLabel(series.at("metric")) << "=" << v;
      }
      if (finite > shown) values << " (+" << finite - shown << " more)";
      // Gauges are mostly back to 0 once the pipeline is idle: show their
      // peak over the run as well (a subquery over the last two minutes).
      if (expr.find("rate(") == std::string::npos && expr.find("sum(") != 0 &&
          expr.find("count") != 0) {
        std::string peak_json;
        std::string peak = "max(max_over_time((" + expr + ")[2m:1s]))";
        if (HttpGet(api + "/api/v1/query?query=" + UrlEncode(peak), &peak_json) == 200) {
          auto p = nlohmann::json::parse(peak_json, nullptr, false);
          if (!p.is_discarded() && !p["data"]["result"].empty())
            values << "; peak during the run "
                   << p["data"]["result"][0]["value"][1].get<std::string>();
        }
      }
      report << "[ panel ] " << title << " [" << target.at("refId").get<std::string>() << "] "
             << result.size() << " series:" << values.str() << "\n";
      if (finite == 0) empty.push_back(title + " [" + target.at("refId").get<std::string>() + "]: " + expr);
    }
  }
  std::cout << report.str();
  std::cout << "[ report ] " << articles << " sample articles in, " << ReadLines(out).size()
            << " out, " << ReadLines(dlq).size() << " dead letters; " << queries
            << " panel queries evaluated\n";
  EXPECT_GT(queries, 20);
  for (const auto& e : empty) ADD_FAILURE() << "panel query returned no data: " << e;

  // The feeds row tells the feed that fails from the one that answers.
  std::string failures;
  ASSERT_EQ(HttpGet(api + "/api/v1/query?query=" +
                        UrlEncode("max by (source) (newsflow_feed_consecutive_failures)"),
                    &failures),
            200);
  std::map<std::string, double> by_source;
  const nlohmann::json failures_json = nlohmann::json::parse(failures);
  for (const auto& series : failures_json.at("data").at("result"))
    by_source[series.at("metric").value("source", "")] = std::stod(series.at("value").at(1).get<std::string>());
  EXPECT_EQ(by_source.size(), 2u) << failures;
  EXPECT_GE(by_source["gone"], 1) << failures;
  EXPECT_EQ(by_source["desk"], 0) << failures;
  std::cout << "[ report ] feeds row: consecutive failures gone=" << by_source["gone"]
            << ", desk=" << by_source["desk"] << "\n";

  // Lag comes from the broker's committed offsets: once the pipeline is idle,
  // the first stage's group has committed every record of the raw topic (asked
  // of the broker directly), and the committed-lag panel, series for every
  // consumer and partition, falls to 0.
  int64_t committed = -1;
  ASSERT_TRUE(WaitFor([&] {
    committed = CommittedOnBroker(broker_, Topic("newsflow-clean"), Topic("news.raw"), 4);
    return committed == articles + kFeedItems;
  }, 60s)) << "group " << Topic("newsflow-clean") << " committed " << committed << " of " << articles
           << " articles and " << kFeedItems << " feed items";
  std::string lag_series, lag_sum;
  ASSERT_TRUE(WaitFor([&] {
    HttpGet(api + "/api/v1/query?query=" +
                UrlEncode("count(newsflow_consumer_committed_lag_messages{stage=~\"clean|langid|entities|sink|dlq-sink\"})"),
            &lag_series, 1000);
    HttpGet(api + "/api/v1/query?query=" + UrlEncode("sum(newsflow_consumer_committed_lag_messages)"), &lag_sum,
            1000);
    return lag_series.find("\"20\"") != std::string::npos && lag_sum.find("\"0\"") != std::string::npos;
  }, 60s)) << "committed-lag series (5 consumers x 4 partitions): " << lag_series << "\nsum: " << lag_sum;
  std::cout << "[ report ] group " << Topic("newsflow-clean") << " committed " << committed
            << " offsets on the broker = " << articles << " articles + " << kFeedItems
            << " feed items; committed lag back to 0 on 20 series\n";

  producer->Signal(SIGTERM);
  EXPECT_EQ(producer->Wait(30s), 0) << producer->Log();
  watch->Signal(SIGTERM);
  EXPECT_EQ(watch->Wait(30s), 0) << watch->Log();
  for (auto& r : roles) {
    r.process->Signal(SIGTERM);
    EXPECT_EQ(r.process->Wait(30s), 0) << r.process->Log();
    EXPECT_EQ(r.process->Log().find("LOST"), std::string::npos) << r.process->Log();
  }
  prometheus.Signal(SIGTERM);
  prometheus.Wait(10s);
}

}  // namespace
}  // namespace newsflow::testing
