// Builds a real `clean` stage through its descriptor, as the runner would.
#pragma once

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "clean_stage.h"
#include "newsflow/paths.h"
#include "newsflow/settings.h"

namespace newsflow::testing {

using Given = std::map<std::string, std::string>;

struct CleanHarness {
  // `shared_state_dir`: the first copy's state folder, for a copy of the
  // stage (as `run --instances N` opens them); "" for a stage on its own.
  explicit CleanHarness(std::map<std::string, std::string> given = {}, std::string state_dir = "",
                        std::string shared_state_dir = "") {
    desc = CleanStageDescriptor();
    auto s = Settings::Parse(desc.options, given, "clean");
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    settings = std::make_unique<Settings>(std::move(*s));
    ctx = std::make_unique<StageContext>(StageContext{*settings, registry, NEWSFLOW_SOURCE_DIR "/stages/clean/data",
                                                      CorpusDir(), state_dir, shared_state_dir});
    stage = desc.create();
    open_status = stage->Open(*ctx);
  }
  StageDescriptor desc;
  prometheus::Registry registry;
  std::unique_ptr<Settings> settings;
  std::unique_ptr<StageContext> ctx;
  std::unique_ptr<Stage> stage;
  Status open_status;
};

// A state folder of its own for a test (under the temporary directory, named
// after the test and the process), removed at the end.
struct TempStateDir {
  explicit TempStateDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("clean_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempStateDir() { std::filesystem::remove_all(path); }
  std::string file() const { return (path / "clean_templates.txt").string(); }
  std::filesystem::path path;
};

inline Article TextArticle(std::string body, std::string source = "test-source",
                           std::string id = "") {
  Article a;
  a.id = id.empty() ? std::to_string(std::hash<std::string>{}(body)) : id;
  a.source = std::move(source);
  a.fetched_at = "2026-11-23T19:00:00Z";
  a.content_type = ContentType::kTextPlain;
  a.body = std::move(body);
  return a;
}

inline Article HtmlArticle(std::string html, std::string source = "test-source") {
  Article a = TextArticle(std::move(html), std::move(source));
  a.content_type = ContentType::kTextHtml;
  return a;
}

// Runs `a` through the stage: success if it was cleaned and forwarded.
inline ::testing::AssertionResult Forwarded(Stage& stage, Article& a) {
  auto r = stage.Process(a);
  if (!r.ok()) return ::testing::AssertionFailure() << r.status().ToString();
  if (!r->forwarded()) return ::testing::AssertionFailure() << "not forwarded";
  if (!a.clean.has_value()) return ::testing::AssertionFailure() << "no clean section";
  return ::testing::AssertionSuccess();
}

// The lines of a clean.text (or any text), in order.
inline std::vector<std::string> LinesOf(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string l;
  while (std::getline(ss, l)) out.push_back(l);
  return out;
}

// Whether `lines` (LinesOf a cleaned text) holds `line` exactly.
inline bool HasLine(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// How many of `wanted` `lines` holds exactly (the article's paragraphs kept).
inline int CountLines(const std::vector<std::string>& lines, std::initializer_list<const char*> wanted) {
  int n = 0;
  for (const char* w : wanted) n += HasLine(lines, w);
  return n;
}

// A stage without template learning: every page judged on its own.
// Six paragraphs of one made-up article (a ferry pier to be rebuilt), each
// passing the article tests on its own: the body of the HTML round tests.
inline const std::vector<std::string>& PierParagraphs() {
  static const std::vector<std::string> p = {
      "The harbour board decided on Tuesday evening that the old ferry pier will be rebuilt before the summer "
      "season, after engineers found that several of its wooden piles had rotted through.",
      "Work is due to start in March and should take about eleven weeks, during which the ferries will use a "
      "temporary landing stage next to the fish market on the northern side of the basin.",
      "The board said that the cost of the repairs would be shared with the regional council, which had set "
      "aside money for the pier in its budget for the coming two years.",
      "Several fishermen who spoke at the meeting asked for the landing stage to be lit at night, because the "
      "boats often come back late and the northern quay has no lamps at all.",
      "The chair of the board promised that lights would be put up and that the fishermen would be told in "
      "good time when the ferries begin to use the temporary stage.",
      "A public meeting about the plans will be held in the town hall next month, where residents can look at "
      "the drawings and put their questions to the engineers."};
  return p;
}

// The clean text of an HTML page, template learning off (empty if dropped).
inline std::string CleanHtmlText(const std::string& html) {
  CleanHarness h(Given{{"learn_templates", "false"}});
  EXPECT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  Article a = HtmlArticle(html);
  EXPECT_TRUE(Forwarded(*h.stage, a));
  return a.clean ? a.clean->text : std::string();
}

// A text page through the stage, template learning off: the article as it
// comes out (no `clean` section when it was dropped, which fails the test).
inline Article CleanTextArticle(const std::string& page, const std::string& source, const std::string& id) {
  CleanHarness h(Given{{"learn_templates", "false"}});
  EXPECT_TRUE(h.open_status.ok()) << h.open_status.ToString();
  Article a = TextArticle(page, source, id);
  EXPECT_TRUE(Forwarded(*h.stage, a)) << page;
  return a;
}

inline CleanHarness OffHarness() { return CleanHarness(Given{{"learn_templates", "false"}}); }

inline bool HasCorpus() { return std::filesystem::is_directory(CorpusDir() + "/seeds"); }

}  // namespace newsflow::testing
