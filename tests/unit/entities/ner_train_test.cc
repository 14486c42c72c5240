// Training from scratch on made-up sentences: both learners (the averaged
// perceptron and the CRF, whose runs the Arabic model mixes) learn names from
// their context and tag unseen names in held-out sentences.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ner.h"

namespace newsflow::entities {
namespace {

// "<person> met <person> in <place> on Monday ." and similar, tagged BIO.
std::vector<Sentence> MakeSentences(const std::vector<std::string>& people,
                                    const std::vector<std::string>& places, int count,
                                    uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&rng](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  const int kBPer = TagIndex("B-PER"), kBLoc = TagIndex("B-LOC"), kO = TagIndex("O");
  std::vector<Sentence> out;
  for (int i = 0; i < count; ++i) {
    Sentence s;
    auto add = [&s](const std::string& w, int tag) {
      s.words.push_back(w);
      s.tags.push_back(tag);
    };
    switch (i % 3) {
      case 0:
        add(pick(people), kBPer), add("met", kO), add(pick(people), kBPer), add("in", kO);
        add(pick(places), kBLoc), add("on", kO), add("monday", kO), add(".", kO);
        break;
      case 1:
        add("minister", kO), add(pick(people), kBPer), add("arrived", kO), add("in", kO);
        add(pick(places), kBLoc), add("yesterday", kO), add(".", kO);
        break;
      default:
        add("talks", kO), add("in", kO), add(pick(places), kBLoc), add("ended", kO);
        add("without", kO), add("a", kO), add("deal", kO), add(".", kO);
        break;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Sentence> ContextTrain() {
  return MakeSentences({"hassan", "karim", "laila", "omar", "sara", "yusuf"},
                       {"tunis", "amman", "beirut", "rabat"}, 300, 1);
}

// Names never seen in training: only their context says what they are.
std::vector<Sentence> ContextHeldOut() {
  return MakeSentences({"nadia", "tariq", "huda"}, {"muscat", "doha", "sanaa"}, 60, 2);
}

// Options for these small sets, either learner.
TrainOptions SmallSetOptions(bool crf) {
  TrainOptions opt;
  opt.epochs = 8;
  opt.word_dropout = 0.2;
  opt.verbose = false;
  opt.crf = crf;
  opt.crf_l2 = 0.001f;
  return opt;
}

double HeldOutF1(bool crf) {
  Resources res;
  Model model;
  EXPECT_TRUE(Train(ContextTrain(), {}, res, SmallSetOptions(crf), &model).ok());
  return Evaluate(ContextHeldOut(), model, res, GazetteerPolicy{false, false, false}).micro.F1();
}

TEST(EntitiesTrainTest, PerceptronTagsUnseenNamesFromContext) { EXPECT_GE(HeldOutF1(false), 85.0); }

TEST(EntitiesTrainTest, CrfTagsUnseenNamesFromContext) { EXPECT_GE(HeldOutF1(true), 85.0); }

// "<person> watched <film> in <place> ." with the film tagged MISC, or, as a
// source that does not annotate MISC writes it (UNER, BTC), tagged O.
std::vector<Sentence> FilmSentences(const std::vector<std::string>& people,
                                    const std::vector<std::string>& films, int count, uint32_t seed,
                                    bool misc_annotated) {
  std::mt19937 rng(seed);
  auto pick = [&rng](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  const int kBPer = TagIndex("B-PER"), kBMisc = TagIndex("B-MISC"), kO = TagIndex("O");
  std::vector<Sentence> out;
  for (int i = 0; i < count; ++i) {
    Sentence s;
    s.words = {pick(people), "watched", pick(films), "again", "."};
    s.tags = {kBPer, kO, misc_annotated ? kBMisc : kO, kO, kO};
    s.no_misc = !misc_annotated;
    out.push_back(std::move(s));
  }
  return out;
}

// MISC recall on held-out sentences after training on a few MISC-annotated
// sentences and many from a source without MISC, read as partial labels
// (`partial`) or taken at face value (its films are O).
double HeldOutMiscRecall(bool crf, bool partial) {
  const std::vector<std::string> people = {"hassan", "karim", "laila", "omar"};
  std::vector<Sentence> train = FilmSentences(people, {"casablanca", "metropolis", "vertigo"}, 40, 1, true);
  std::vector<Sentence> unannotated =
      FilmSentences(people, {"casablanca", "metropolis", "vertigo", "psycho"}, 200, 2, false);
  for (Sentence& s : unannotated) s.no_misc = partial;
  train.insert(train.end(), unannotated.begin(), unannotated.end());
  const std::vector<Sentence> held = FilmSentences({"nadia", "tariq"}, {"solaris", "stalker"}, 40, 3, true);
  Resources res;
  Model model;
  EXPECT_TRUE(Train(train, {}, res, SmallSetOptions(crf), &model).ok());
  return Evaluate(held, model, res, GazetteerPolicy{false, false, false}).by_type[3].Recall();
}

TEST(EntitiesTrainTest, PartialLabelsKeepMiscFromSourcesWithoutIt) {
  for (bool crf : {false, true}) {
    EXPECT_GE(HeldOutMiscRecall(crf, true), 90.0) << (crf ? "CRF" : "perceptron");
    // Taken at face value, the unannotated films teach the model that such
    // names are O.
    EXPECT_LE(HeldOutMiscRecall(crf, false), 50.0) << (crf ? "CRF" : "perceptron");
  }
}

// "<person> visited <venue> ." where the venue is tagged `venue_tag`, and
// "minister <person> spoke ." (a person known by context alone).
std::vector<Sentence> VenueSentences(const std::vector<std::string>& people,
                                     const std::vector<std::string>& venues, int count, uint32_t seed,
                                     int venue_tag, int domain, bool ministers) {
  std::mt19937 rng(seed);
  auto pick = [&rng](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  const int kBPer = TagIndex("B-PER"), kO = TagIndex("O");
  std::vector<Sentence> out;
  for (int i = 0; i < count; ++i) {
    Sentence s;
    if (ministers && i % 2 == 1) {
      s.words = {"minister", pick(people), "spoke", "."};
      s.tags = {kO, kBPer, kO, kO};
    } else {
      s.words = {pick(people), "visited", pick(venues), "."};
      s.tags = {kBPer, kO, venue_tag, kO};
    }
    s.domain = domain;
    out.push_back(std::move(s));
  }
  return out;
}

struct DomainResult {
  double venue_loc_recall;  // held-out target sentences: venues typed as the target types them (LOC)
  double minister_recall;   // held-out "minister <person>": learnt from the other source only
};

// A few target sentences tag venues LOC; many from another source tag them
// ORG (its own convention, as AQMAR tags groups PER) and alone say that a
// minister is a person.
DomainResult TrainTwoSources(bool crf, bool domain_copies) {
  const int kBLoc = TagIndex("B-LOC"), kBOrg = TagIndex("B-ORG");
  const std::vector<std::string> people = {"hassan", "karim", "laila", "omar"};
  std::vector<Sentence> train =
      VenueSentences(people, {"louvre", "prado", "uffizi"}, 40, 1, kBLoc, 0, false);
  const std::vector<Sentence> other =
      VenueSentences(people, {"louvre", "prado", "uffizi", "tate"}, 480, 2, kBOrg, 1, true);
  train.insert(train.end(), other.begin(), other.end());
  Resources res;
  TrainOptions opt = SmallSetOptions(crf);
  opt.domain_copies = domain_copies;
  Model model;
  EXPECT_TRUE(Train(train, {}, res, opt, &model).ok());
  const std::vector<std::string> unseen = {"nadia", "tariq"};
  // Venues both sources name, each its own way.
  const auto venues = VenueSentences(unseen, {"louvre", "prado"}, 40, 3, kBLoc, 0, false);
  std::vector<Sentence> ministers;
  for (const Sentence& s : VenueSentences(unseen, {"x"}, 40, 4, kBLoc, 0, true)) {
    if (s.words[0] == "minister") ministers.push_back(s);
  }
  const GazetteerPolicy bare{false, false, false};
  return {Evaluate(venues, model, res, bare).by_type[1].Recall(),
          Evaluate(ministers, model, res, bare).by_type[0].Recall()};
}

TEST(EntitiesTrainTest, DomainCopiesKeepTheTargetsConventionAndShareTheRest) {
  for (bool crf : {false, true}) {
    const char* learner = crf ? "CRF" : "perceptron";
    const DomainResult with = TrainTwoSources(crf, true);
    // The target's few sentences decide its venues' type; what only the
    // other source shows (ministers are people) is still learnt.
    EXPECT_GE(with.venue_loc_recall, 90.0) << learner;
    EXPECT_GE(with.minister_recall, 90.0) << learner;
    // Mixed as one source, the other source's convention wins.
    EXPECT_LE(TrainTwoSources(crf, false).venue_loc_recall, 50.0) << learner;
  }
}

TEST(EntitiesTrainTest, DomainCopiesOfOneSourceChangeNoPerceptronDecision) {
  // Every sentence in the target's domain: each feature and its copy get the
  // same updates, so the written model is the plain one times two.
  const std::vector<Sentence> train = ContextTrain();
  Resources res;
  TrainOptions opt = SmallSetOptions(false);
  Model plain, copies;
  ASSERT_TRUE(Train(train, {}, res, opt, &plain).ok());
  opt.domain_copies = true;
  ASSERT_TRUE(Train(train, {}, res, opt, &copies).ok());
  EXPECT_EQ(plain.num_features(), copies.num_features());
  Tagger a(&plain, &res), b(&copies, &res);
  a.set_policy({false, false, false});
  b.set_policy({false, false, false});
  std::vector<int> ta, tb;
  for (const Sentence& s : ContextHeldOut()) {
    const std::vector<std::string_view> words(s.words.begin(), s.words.end());
    a.Tag(words, &ta);
    b.Tag(words, &tb);
    EXPECT_EQ(ta, tb);
  }
}

TEST(EntitiesTrainTest, UntrainedModelFindsNothing) {
  Resources res;
  Model model;
  const float trans[kNumTags + 1][kNumTags] = {};
  model.Build({}, trans);
  const std::vector<Sentence> held = MakeSentences({"nadia"}, {"doha"}, 9, 3);
  EXPECT_EQ(Evaluate(held, model, res, GazetteerPolicy{false, false, false}).micro.correct, 0);
}

}  // namespace
}  // namespace newsflow::entities
