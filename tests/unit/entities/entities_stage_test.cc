#include "entities_stage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>
#include <unistd.h>
#include <prometheus/registry.h>

#include "newsflow/paths.h"
#include "newsflow/text.h"

namespace newsflow {
namespace {

class EntitiesStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const StageDescriptor d = EntitiesStageDescriptor();
    auto settings = Settings::Parse(d.options, {}, d.name);
    ASSERT_TRUE(settings.ok()) << settings.status().ToString();
    settings_ = std::move(*settings);
    ctx_ = std::make_unique<StageContext>(
        StageContext{settings_, registry_, StageDataDir("entities"), CorpusDir(), StateDir()});
    stage_ = d.create();
    const Status st = stage_->Open(*ctx_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  static Article WithText(std::string text, std::optional<std::string> lang) {
    Article a;
    a.id = "t";
    a.clean = CleanSection{};
    a.clean->text = std::move(text);
    if (lang) {
      a.lang = LangSection{};
      a.lang->code = *lang;
    }
    return a;
  }

  // The type the stage gives each name of an English text ("" if untagged).
  std::map<std::string, std::string> EnglishTypes(std::string text) {
    Article a = WithText(std::move(text), "en");
    std::map<std::string, std::string> types;
    const auto r = stage_->Process(a);
    EXPECT_TRUE(r.ok() && a.entities.has_value()) << (r.ok() ? "no entities" : r.status().ToString());
    if (a.entities) {
      for (const Entity& e : *a.entities) types[e.text] = e.type;
    }
    return types;
  }

  Settings settings_;
  prometheus::Registry registry_;
  std::unique_ptr<StageContext> ctx_;
  std::unique_ptr<Stage> stage_;
};

TEST_F(EntitiesStageTest, RejectsUnknownSettings) {
  const StageDescriptor d = EntitiesStageDescriptor();
  EXPECT_FALSE(Settings::Parse(d.options, {{"no_such_key", "1"}}, d.name).ok());
}

TEST_F(EntitiesStageTest, TagsArabicWithCodePointOffsets) {
  Article a = WithText("قال الرئيس الأمريكي جو بايدن في واشنطن إن العراق شريك.", "ar");
  auto r = stage_->Process(a);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->forwarded());
  ASSERT_TRUE(a.entities.has_value());
  ASSERT_FALSE(a.entities->empty());
  const std::string& text = a.clean->text;
  for (const Entity& e : *a.entities) {
    const size_t b = ByteOffsetOfCodePoint(text, e.start);
    EXPECT_EQ(text.substr(b, ByteOffsetOfCodePoint(text, e.end) - b), e.text);
  }
  EXPECT_EQ(a.trace.back().stage, "entities");
}

// The headline is tagged too: a name only in clean.title comes out in
// title_entities with offsets into the title, while entities keeps its
// offsets into clean.text (the demo's "... شمال لبنان" had no لبنان before).
TEST_F(EntitiesStageTest, TagsTheHeadlineIntoTitleEntities) {
  auto spans_match = [](const std::string& s, const std::vector<Entity>& list) {
    for (const Entity& e : list) {
      const size_t b = ByteOffsetOfCodePoint(s, e.start);
      EXPECT_EQ(s.substr(b, ByteOffsetOfCodePoint(s, e.end) - b), e.text);
    }
  };
  Article a = WithText("أغلقت السلطات عدة طرق رئيسية في محافظة عكار يوم الأحد بعد أمطار غزيرة.\n"
                       "وقال وزير الداخلية بسام مولوي إن الفرق تعمل في بيروت.",
                       "ar");
  a.clean->title = "أمطار غزيرة تغلق طرقا في شمال لبنان";
  Article body_only = WithText(a.clean->text, "ar");
  ASSERT_TRUE(stage_->Process(a).ok());
  ASSERT_TRUE(stage_->Process(body_only).ok());
  ASSERT_TRUE(a.title_entities.has_value());
  spans_match(a.clean->title, *a.title_entities);
  bool lebanon = false;
  for (const Entity& e : *a.title_entities) lebanon |= e.text == "لبنان" && e.type == "LOC";
  EXPECT_TRUE(lebanon) << "the headline's لبنان";
  ASSERT_TRUE(a.entities.has_value());
  spans_match(a.clean->text, *a.entities);
  // Offsets into clean.text, as without a title: بيروت is where it was.
  auto beirut = [](const std::vector<Entity>& list) {
    for (const Entity& e : list)
      if (e.text == "بيروت") return e.start;
    return int64_t{-1};
  };
  EXPECT_GE(beirut(*a.entities), 0);
  EXPECT_EQ(beirut(*a.entities), beirut(*body_only.entities));
  EXPECT_FALSE(body_only.title_entities.has_value()) << "no title, no title_entities";
  EXPECT_NE(a.trace.back().note.find("in the title"), std::string::npos) << a.trace.back().note;
}

TEST_F(EntitiesStageTest, UnsupportedLanguagePassesThrough) {
  Article a = WithText("Bundeskanzler Olaf Scholz reiste nach Paris.", "de");
  auto r = stage_->Process(a);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->forwarded());
  EXPECT_FALSE(a.entities.has_value());
  ASSERT_FALSE(a.trace.empty());
  EXPECT_EQ(a.trace.back().note, "unsupported language de");
}

TEST_F(EntitiesStageTest, WithoutLangSectionOnlyArabicScriptIsTagged) {
  Article ar = WithText("وصل مصطفى الكاظمي إلى واشنطن.", std::nullopt);
  ASSERT_TRUE(stage_->Process(ar).ok());
  ASSERT_TRUE(ar.entities.has_value());
  EXPECT_FALSE(ar.entities->empty());
  Article latin = WithText("Olaf Scholz reiste nach Paris.", std::nullopt);
  ASSERT_TRUE(stage_->Process(latin).ok());
  EXPECT_FALSE(latin.entities.has_value());
}

TEST_F(EntitiesStageTest, TagsEnglish) {
  Article a = WithText("Barack Obama met Angela Merkel in Berlin on Monday.", "en");
  ASSERT_TRUE(stage_->Process(a).ok());
  ASSERT_TRUE(a.entities.has_value());
  bool berlin = false;
  for (const Entity& e : *a.entities) berlin |= e.text == "Berlin" && e.type == "LOC";
  EXPECT_TRUE(berlin);
}

// Issue 15's demo: the round-1 English model called Voltera Energy a person
// and Tomas Berg an organisation.
TEST_F(EntitiesStageTest, TagsTheEnglishDemoNamesWithTheirTypes) {
  Article a = WithText(
      "Voltera Energy, a maker of lithium iron phosphate batteries, said on Tuesday it would "
      "build its first European factory on a disused shipyard site.\n\"The port made this the "
      "right place,\" chief executive Tomas Berg told reporters at the site.",
      "en");
  ASSERT_TRUE(stage_->Process(a).ok());
  ASSERT_TRUE(a.entities.has_value());
  std::map<std::string, std::string> types;
  for (const Entity& e : *a.entities) types[e.text] = e.type;
  EXPECT_EQ(types["Voltera Energy"], "ORG");
  EXPECT_EQ(types["Tomas Berg"], "PER");
}

// The rest of issue 15's demo names: a name ending with a place's or an
// organisation's head word takes that type (Tagger::RetypeByHead). The model
// alone called Kirkby Haven a person, Grant Avenue MISC and Harlow Valley
// Engineering a place. (The names are the bundled samples'; the sentences
// are written for this test.) Round 14's heads: the model called the Chelsea
// Flower Show an organisation.
TEST_F(EntitiesStageTest, ANamesHeadWordGivesItsType) {
  const auto types = EnglishTypes(
      "The company chose a site outside Kirkby Haven, a river town of about 14,000 people.\n"
      "Buses will be diverted along Grant Avenue while the work goes on, the council said.\n"
      "An inspection by Harlow Valley Engineering found the damage last month.\n"
      "Tickets for the Chelsea Flower Show sold out in a day.");
  for (const auto& [name, type] : {std::pair{"Kirkby Haven", "LOC"}, {"Grant Avenue", "LOC"},
                                   {"Harlow Valley Engineering", "ORG"}, {"Chelsea Flower Show", "MISC"}}) {
    EXPECT_EQ(types.count(name) ? types.at(name) : "", type) << name;
  }
}

// A name ending in a place's adjective is MISC, as in the training data's
// convention (West African, South Korean): the model alone called the demo's
// "North African" (markets) and "West African" places. A word that is itself
// a listed name is not an adjective (Iran is not Ira(q)'s, Sudan, Jordan).
// (Tagger::IsDemonym; the sentences are written for this test.)
TEST_F(EntitiesStageTest, ANameEndingInAPlacesAdjectiveIsMisc) {
  const auto types = EnglishTypes(
      "Traders said the cargoes were more competitive in North African markets.\n"
      "West African leaders met in Abuja on Tuesday.\n"
      "Officials in Iran and Sudan said talks with Jordan would resume.");
  for (const auto& [name, type] : {std::pair{"North African", "MISC"}, {"West African", "MISC"}, {"Abuja", "LOC"},
                                   {"Iran", "LOC"}, {"Sudan", "LOC"}, {"Jordan", "LOC"}}) {
    EXPECT_EQ(types.count(name) ? types.at(name) : "", type) << name;
  }
}

TEST_F(EntitiesStageTest, EmptyMissingAndHugeTextsDoNotCrash) {
  Article empty = WithText("", "ar");
  ASSERT_TRUE(stage_->Process(empty).ok());
  EXPECT_TRUE(empty.entities.has_value() && empty.entities->empty());
  Article no_clean;
  ASSERT_TRUE(stage_->Process(no_clean).ok());
  EXPECT_FALSE(no_clean.entities.has_value());
  std::string huge;
  while (huge.size() < (3u << 20)) huge += "وقال بايدن في واشنطن إن العراق شريك ";
  Article big = WithText(huge, "ar");
  auto r = stage_->Process(big);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(big.entities.has_value());
  EXPECT_FALSE(big.entities->empty());
  EXPECT_NE(big.trace.back().note.find("tagged the first"), std::string::npos);
  const int64_t cps = CountCodePoints(huge);
  for (const Entity& e : *big.entities) ASSERT_LE(e.end, cps);
  // A 3 MB headline (one line): its first 4 KB are tagged, offsets into it.
  Article big_title = WithText("قال بايدن في واشنطن إن العراق شريك.", "ar");
  big_title.clean->title = huge;
  ASSERT_TRUE(stage_->Process(big_title).ok());
  ASSERT_TRUE(big_title.title_entities.has_value());
  EXPECT_FALSE(big_title.title_entities->empty());
  for (const Entity& e : *big_title.title_entities) {
    ASSERT_LE(e.end, CountCodePoints(std::string_view(huge).substr(0, 4096)));
    const size_t b = ByteOffsetOfCodePoint(huge, e.start);
    EXPECT_EQ(huge.substr(b, ByteOffsetOfCodePoint(huge, e.end) - b), e.text);
  }
  EXPECT_FALSE(big_title.entities->empty()) << "the text is tagged whatever the headline";
}

// A data directory of links to the shipped files, without a names list: the
// tests add files to it. Removed by the caller.
std::filesystem::path LinkedDataDir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path shipped = StageDataDir("entities");
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* f : {"ar.model", "ar.clusters.tsv", "en.model", "en.clusters.tsv", "gazetteer"}) {
    fs::create_symlink(shipped / f, dir / f);
  }
  return dir;
}

// The types of what `stage` tags in `text` as language `lang`, by entity text.
std::map<std::string, std::string> TypesOf(Stage& stage, const std::string& text, const std::string& lang) {
  Article a;
  a.id = "t";
  a.clean = CleanSection{};
  a.clean->text = text;
  a.lang = LangSection{};
  a.lang->code = lang;
  std::map<std::string, std::string> types;
  if (stage.Process(a).ok() && a.entities) {
    for (const Entity& e : *a.entities) types[e.text] = e.type;
  }
  return types;
}

// Round 6: the stage loads <data_dir>/<code>.names.tsv after gazetteer/.
// The shipped list holds feature-only types (NPER...), whose effect is the
// model's; here a test list holds a three-word ORG in lower-case common
// words, which only the post-rule that adds listed names of three or more
// tokens can find, so what is tagged shows what was loaded. Fails on the
// code before round 6 (the file was not read). The other entries of the
// directory are the shipped files.
TEST(EntitiesStageNamesTest, LoadsTheLanguagesNameListFromTheDataDir) {
  namespace fs = std::filesystem;
  const fs::path dir = LinkedDataDir("newsflow_entities");
  const std::string text = "Traders at the copper kettle exchange said prices fell on Monday.";
  // Tags `text` as `lang` with a stage opened on `dir`; the entity types by text.
  auto tag = [&](const std::string& lang) {
    const StageDescriptor d = EntitiesStageDescriptor();
    auto settings = Settings::Parse(d.options, {{"data_dir", dir.string()}}, d.name);
    EXPECT_TRUE(settings.ok());
    prometheus::Registry registry;
    StageContext ctx{*settings, registry, dir.string(), CorpusDir(), StateDir()};
    auto stage = d.create();
    const Status st = stage->Open(ctx);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return st.ok() ? TypesOf(*stage, text, lang) : std::map<std::string, std::string>{};
  };
  const auto before = tag("en");
  std::ofstream(dir / "en.names.tsv") << "ORG\tcopper kettle exchange\n";
  const auto en = tag("en"), ar = tag("ar");
  fs::remove_all(dir);
  EXPECT_EQ(before.count("copper kettle exchange"), 0u);  // guard: not found without the list
  ASSERT_EQ(en.count("copper kettle exchange"), 1u);
  EXPECT_EQ(en.at("copper kettle exchange"), "ORG");
  EXPECT_EQ(ar.count("copper kettle exchange"), 0u);  // en.names.tsv is English only
}

// Copies of the stage in one process (run --instances N) share one load of a
// language's data while any of them is open; a file changed on disk is read
// again by the next Open, and data no copy holds is freed and read again.
TEST(EntitiesStageSharingTest, CopiesShareOneLoadAndReadAChangedFileAgain) {
  namespace fs = std::filesystem;
  const fs::path dir = LinkedDataDir("newsflow_entities_share");
  const StageDescriptor d = EntitiesStageDescriptor();
  auto settings = Settings::Parse(d.options, {{"data_dir", dir.string()}}, d.name);
  ASSERT_TRUE(settings.ok());
  prometheus::Registry registry;
  StageContext ctx{*settings, registry, dir.string(), CorpusDir(), StateDir()};
  auto open = [&] {
    auto stage = d.create();
    const Status st = stage->Open(ctx);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return stage;
  };
  const auto tag = TypesOf;
  const std::string ar = "قال الرئيس الأمريكي باراك أوباما في واشنطن إن وزارة الخارجية الأمريكية ستعمل مع الأمم المتحدة.";
  const std::string en = "Traders at the copper kettle exchange in London said Maria Lopez sold shares on Monday.";

  const int64_t start = EntitiesLanguageLoads();
  auto a = open();
  EXPECT_EQ(EntitiesLanguageLoads() - start, 2);  // ar and en
  auto b = open();
  auto c = open();
  EXPECT_EQ(EntitiesLanguageLoads() - start, 2) << "copies load the data again";
  const auto from_a = tag(*a, ar, "ar");
  EXPECT_FALSE(from_a.empty());
  EXPECT_EQ(tag(*b, ar, "ar"), from_a);
  EXPECT_EQ(tag(*c, en, "en"), tag(*a, en, "en"));
  // Two copies at once on the shared data (run under ThreadSanitizer too).
  std::map<std::string, std::string> on_b, on_c;
  std::thread tb([&] {
    for (int i = 0; i < 20; ++i) on_b = tag(*b, ar + " " + std::to_string(i), "ar");
  });
  std::thread tc([&] {
    for (int i = 0; i < 20; ++i) on_c = tag(*c, ar + " " + std::to_string(i), "ar");
  });
  tb.join();
  tc.join();
  EXPECT_EQ(on_b, from_a);
  EXPECT_EQ(on_c, from_a);

  // A new name list for English: the next copy reads English again, shares Arabic.
  std::ofstream(dir / "en.names.tsv") << "ORG\tcopper kettle exchange\n";
  auto e = open();
  EXPECT_EQ(EntitiesLanguageLoads() - start, 3);
  EXPECT_EQ(tag(*e, en, "en").count("copper kettle exchange"), 1u);
  EXPECT_EQ(tag(*a, en, "en").count("copper kettle exchange"), 0u);  // a keeps what it opened with
  EXPECT_EQ(tag(*e, ar, "ar"), from_a);

  // Once no copy holds the data it is freed: the next Open reads it again.
  a.reset();
  b.reset();
  c.reset();
  e.reset();
  auto f = open();
  EXPECT_EQ(EntitiesLanguageLoads() - start, 5);
  EXPECT_EQ(tag(*f, ar, "ar"), from_a);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace newsflow
