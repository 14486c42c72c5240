// Typed name lists compiled from training spans (name_list.h): what gets
// listed, that the lists are features only, and that the jackknife keeps a
// training sentence's own names out of the list its features see.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "name_list.h"
#include "ner.h"

namespace newsflow::entities {
namespace {

// "w/TAG w/TAG ..." -> Sentence (TAG O when absent).
Sentence S(std::string_view text) {
  Sentence s;
  size_t p = 0;
  while (p < text.size()) {
    size_t e = text.find(' ', p);
    if (e == std::string_view::npos) e = text.size();
    const std::string_view tok = text.substr(p, e - p);
    const size_t slash = tok.rfind('/');
    if (slash == std::string_view::npos) {
      s.words.emplace_back(tok);
      s.tags.push_back(0);
    } else {
      s.words.emplace_back(tok.substr(0, slash));
      s.tags.push_back(TagIndex(tok.substr(slash + 1)));
    }
    p = e + 1;
  }
  return s;
}

const NameListEntry* FindEntry(const std::vector<NameListEntry>& list, std::string_view surface) {
  for (const NameListEntry& e : list) {
    if (e.surface == surface) return &e;
  }
  return nullptr;
}

// The round-4 first setting: names seen twice, 75 % one type, heads and first tokens.
NameListOptions AllKinds() {
  NameListOptions opt;
  opt.min_count = 2;
  opt.min_share = 0.75;
  opt.heads = opt.firsts = true;
  return opt;
}

std::vector<Sentence> Corpus() {
  return {
      S("He/O lives/O on/O Grant/B-LOC Avenue/I-LOC ./O"),
      S("A/O shop/O on/O Grant/B-LOC Avenue/I-LOC closed/O"),
      S("Park/B-LOC Avenue/I-LOC is/O long/O"),
      S("Mount/B-LOC Hood/I-LOC and/O Mount/B-LOC Rainier/I-LOC and/O Mount/B-LOC Baker/I-LOC"),
      S("Jordan/B-PER scored/O"),
      S("Jordan/B-LOC borders/O Iraq/B-LOC"),
      S("Acme/B-ORG Inc/I-ORG said/O"),
      // The same sentence three times over (a weighted set): counts once.
      S("Zorblax/B-ORG Labs/I-ORG grew/O"),
      S("Zorblax/B-ORG Labs/I-ORG grew/O"),
      S("Zorblax/B-ORG Labs/I-ORG grew/O"),
  };
}

TEST(EntitiesNameListTest, ListsNamesSeenTwiceWithOneTypeAndHeadsAndFirstTokens) {
  const std::vector<NameListEntry> list = CompileNameList(Corpus(), nullptr, AllKinds());
  // Seen twice as LOC.
  const NameListEntry* grant = FindEntry(list, "Grant Avenue");
  ASSERT_NE(grant, nullptr);
  EXPECT_EQ(grant->type, "NLOC");
  EXPECT_EQ(grant->count, 2);
  // Seen once, or three times in one repeated sentence: not listed.
  EXPECT_EQ(FindEntry(list, "Park Avenue"), nullptr);
  EXPECT_EQ(FindEntry(list, "Acme Inc"), nullptr);
  EXPECT_EQ(FindEntry(list, "Zorblax Labs"), nullptr);
  // PER once, LOC once: no dominant type.
  EXPECT_EQ(FindEntry(list, "Jordan"), nullptr);
  // The shipped defaults: names only, seen in three sentences, 90 % one type.
  const std::vector<NameListEntry> strict = CompileNameList(Corpus(), nullptr, NameListOptions{});
  EXPECT_EQ(FindEntry(strict, "Grant Avenue"), nullptr);
  EXPECT_EQ(FindEntry(strict, "Avenue"), nullptr);
  // Last token of three LOC spans: a LOC head; first token of three: a LOC cue.
  const NameListEntry* avenue = FindEntry(list, "Avenue");
  ASSERT_NE(avenue, nullptr);
  EXPECT_EQ(avenue->type, "HLOC");
  EXPECT_EQ(avenue->count, 3);
  const NameListEntry* mount = FindEntry(list, "Mount");
  ASSERT_NE(mount, nullptr);
  EXPECT_EQ(mount->type, "FLOC");
  // Names before heads before first tokens.
  for (size_t i = 1; i < list.size(); ++i) {
    auto rank = [](const NameListEntry& e) { return e.type[0] == 'N' ? 0 : e.type[0] == 'H' ? 1 : 2; };
    EXPECT_LE(rank(list[i - 1]), rank(list[i])) << list[i].surface;
  }
}

TEST(EntitiesNameListTest, ListsAreFeaturesAndNeverOverrideSpans) {
  Resources res;
  res.gazetteer.Add("LOC", "Park Avenue", "Park Avenue");  // a hand list, loaded first
  NameListOptions opt = AllKinds();
  AddNameList(CompileNameList(Corpus(), nullptr, opt), &res.gazetteer);
  // The hand list keeps its type; the learnt entries carry feature-only types.
  FeatureExtractor fx(&res);
  const std::vector<std::string_view> words = {"Kirkby", "Avenue", "and", "Grant", "Avenue",
                                               "and", "Park", "Avenue"};
  fx.Prepare(words);
  EXPECT_EQ(fx.gazetteer_tag(0), "");
  EXPECT_EQ(fx.gazetteer_tag(1), "B-HLOC");  // a head: feature of the token and, as "next", of Kirkby
  EXPECT_EQ(fx.gazetteer_word_type(1), "HLOC");
  EXPECT_EQ(fx.gazetteer_tag(3), "B-NLOC");
  EXPECT_EQ(fx.gazetteer_tag(4), "I-NLOC");
  EXPECT_EQ(fx.gazetteer_tag(6), "B-LOC");
  EXPECT_EQ(fx.gazetteer_tag(7), "I-LOC");

  // A model with no weights tags O everywhere; the post-rules may add or
  // retype only PER/LOC/ORG/MISC entries, so only the hand-listed name is
  // touched (override on, add_missing for two tokens).
  Model model;
  const float trans[kNumTags + 1][kNumTags] = {};
  model.Build({}, trans);
  Tagger tagger(&model, &res);
  GazetteerPolicy policy = DefaultPolicy("en");
  policy.add_missing_min_tokens = 2;
  tagger.set_policy(policy);
  std::vector<int> tags;
  tagger.Tag(words, &tags);
  const int b_loc = TagIndex("B-LOC"), i_loc = TagIndex("I-LOC");
  EXPECT_EQ(tags, (std::vector<int>{0, 0, 0, 0, 0, 0, b_loc, i_loc}));
}

TEST(EntitiesNameListTest, JackknifeHidesASentencesOwnNames) {
  std::vector<Sentence> train = Corpus();
  NameListOptions opt = AllKinds();
  opt.min_count = 1;  // every name, so each sentence's own names would be listed
  const JackknifedNames jk = BuildJackknifedNames(train, Resources{}, opt, 5);
  ASSERT_EQ(jk.per_sentence.size(), train.size());
  // The full list (for tagging new text) has the name of the repeated sentence ...
  const std::string key = "zorblax labs";
  ASSERT_NE(jk.full->gazetteer.Find(key), nullptr);
  EXPECT_EQ(jk.full->gazetteer.Find(key)->type, "NORG");
  // ... and no copy of that sentence sees it: copies share a fold.
  size_t checked = 0, hidden = 0;
  for (size_t i = 0; i < train.size(); ++i) {
    if (train[i].words[0] != "Zorblax") continue;
    ++checked;
    hidden += jk.per_sentence[i]->gazetteer.Find(key) == nullptr;
    EXPECT_EQ(SentenceFold(train[i], 5), SentenceFold(train[7], 5));
  }
  EXPECT_EQ(checked, 3u);
  EXPECT_EQ(hidden, 3u);
  // Acme Inc (one sentence) is hidden from its own sentence, seen by the others' folds.
  const size_t acme = 6;
  EXPECT_EQ(jk.per_sentence[acme]->gazetteer.Find("acme inc"), nullptr);
  size_t seen_elsewhere = 0;
  for (size_t i = 0; i < train.size(); ++i) {
    if (SentenceFold(train[i], 5) != SentenceFold(train[acme], 5)) {
      seen_elsewhere += jk.per_sentence[i]->gazetteer.Find("acme inc") != nullptr;
    }
  }
  EXPECT_GT(seen_elsewhere, 0u);
}

TEST(EntitiesNameListTest, WrittenListLoadsAsTheCompiledOne) {
  const std::vector<NameListEntry> list = CompileNameList(Corpus(), nullptr, AllKinds());
  const std::string path = std::filesystem::temp_directory_path() /
                           ("newsflow_names_" + std::to_string(::getpid()) + ".tsv");
  ASSERT_TRUE(WriteNameList(list, path, "test list\nsecond line").ok());
  Gazetteer from_file, direct;
  ASSERT_TRUE(from_file.LoadFile(path).ok());
  AddNameList(list, &direct);
  std::filesystem::remove(path);
  EXPECT_EQ(from_file.size(), direct.size());
  EXPECT_EQ(from_file.size(), list.size());
  for (const char* key : {"grant avenue", "avenue", "mount"}) {
    ASSERT_NE(from_file.Find(key), nullptr) << key;
    EXPECT_EQ(from_file.Find(key)->type, direct.Find(key)->type) << key;
  }
}

// Round 6: what the stage, entities_bench and newsflow-ner-tag load from a
// data directory. Fails on the code before round 6 (no LoadDataDir: the
// list was never loaded outside newsflow-train-ner --names).
TEST(EntitiesNameListTest, DataDirLoadsTheLanguagesNameListAfterTheHandLists) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("newsflow_datadir_" + std::to_string(::getpid()));
  fs::create_directories(dir / "gazetteer");
  {
    std::ofstream(dir / "gazetteer" / "10_hand.tsv") << "ORG\tQuellmark Foundry\n";
    // The hand list's ORG wins over the list's NPER for the same key.
    std::ofstream(dir / "en.names.tsv") << "# compiled\nNPER\tQuellmark Foundry\nNLOC\tBrisvane\n";
    std::ofstream(dir / "en.clusters.tsv") << "brisvane\t7\t3\t30\n";
  }
  Resources en, ar;
  ASSERT_TRUE(en.LoadDataDir(dir.string(), "en").ok());
  ASSERT_TRUE(ar.LoadDataDir(dir.string(), "ar").ok());  // no ar.names.tsv, no ar.clusters.tsv: fine
  fs::remove(dir / "gazetteer" / "10_hand.tsv");
  const bool without_gazetteer = Resources().LoadDataDir((dir / "gazetteer").string(), "en").ok();
  fs::remove_all(dir);
  ASSERT_NE(en.gazetteer.Find("brisvane"), nullptr);
  EXPECT_EQ(en.gazetteer.Find("brisvane")->type, "NLOC");
  ASSERT_NE(en.gazetteer.Find("quellmark foundry"), nullptr);
  EXPECT_EQ(en.gazetteer.Find("quellmark foundry")->type, "ORG");
  EXPECT_EQ(en.gazetteer.size(), 2u);
  EXPECT_EQ(en.lexicon.cluster_count(), 1u);
  // The list is per language: Arabic sees the hand list only.
  EXPECT_EQ(ar.gazetteer.Find("brisvane"), nullptr);
  EXPECT_EQ(ar.gazetteer.size(), 1u);
  EXPECT_FALSE(without_gazetteer);  // gazetteer/ is required, as before
}

}  // namespace
}  // namespace newsflow::entities
