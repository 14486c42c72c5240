// Clusters files with more granularities than coarse and fine (columns 5..):
// read into the lexicon, turned into features of the token and of its
// neighbours, scored by the tagger's word cache exactly as training sees
// them, and absent (no extra features) for a four-column file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ner.h"

namespace newsflow::entities {
namespace {

std::string WriteFile(const std::string& name, const std::string& body) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("newsflow_ner_clusters_test_" + std::to_string(::getpid()) + "_" + name))
                               .string();
  std::ofstream(path) << body;
  return path;
}

TEST(EntitiesClustersTest, ExtraColumnsAreRead) {
  const std::string path = WriteFile("extra.tsv",
                                     "# word<TAB>count<TAB>coarse<TAB>fine<TAB>k64<TAB>k4096\n"
                                     "paris\t50\t3\t30\t7\t4000\n"
                                     "met\t90\t1\t10\n"
                                     "rare\t2\n");
  Resources res;
  ASSERT_TRUE(res.LoadClusters(path).ok());
  EXPECT_EQ(res.lexicon.Clusters("paris"), std::make_pair(3, 30));
  const ExtraClusters want = {7, 4000, -1, -1};
  EXPECT_EQ(res.lexicon.ExtraClustersOf("paris"), want);
  EXPECT_EQ(res.lexicon.ExtraClustersOf("met"), kNoExtraClusters);
  EXPECT_EQ(res.lexicon.ExtraClustersOf("rare"), kNoExtraClusters);
  EXPECT_EQ(res.lexicon.Count("rare"), 2);
  std::filesystem::remove(path);
}

TEST(EntitiesClustersTest, OutOfRangeIdNamesFileAndWord) {
  const std::string path = WriteFile("bad.tsv", "paris\t50\t3\t30\t70000\n");
  Resources res;
  const Status st = res.LoadClusters(path);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.ToString().find(path), std::string::npos) << st.ToString();
  EXPECT_NE(st.ToString().find("paris"), std::string::npos) << st.ToString();
  std::filesystem::remove(path);
}

// Features of "met" between "karim" and "paris": each extra level adds one
// feature for the token and one for each neighbour that has that level.
TEST(EntitiesClustersTest, ExtraLevelsAddFeaturesOfTokenAndNeighbours) {
  const std::string four = WriteFile("four.tsv", "karim\t5\t1\t11\nmet\t90\t2\t12\nparis\t50\t3\t13\n");
  const std::string six = WriteFile("six.tsv",
                                    "karim\t5\t1\t11\t4\t40\nmet\t90\t2\t12\t5\t50\nparis\t50\t3\t13\t6\t60\n");
  Resources r4, r6;
  ASSERT_TRUE(r4.LoadClusters(four).ok());
  ASSERT_TRUE(r6.LoadClusters(six).ok());
  const std::vector<std::string_view> words = {"karim", "met", "paris"};
  FeatureExtractor f4(&r4), f6(&r6);
  f4.Prepare(words);
  f6.Prepare(words);
  std::vector<uint64_t> a, b;
  f4.Features(1, &a);
  f6.Features(1, &b);
  EXPECT_EQ(b.size(), a.size() + 2 * 3);  // 2 levels x (token, previous, next)
  f4.Features(0, &a);
  f6.Features(0, &b);
  EXPECT_EQ(b.size(), a.size() + 2 * 2);  // first token: no previous word
  std::filesystem::remove(four);
  std::filesystem::remove(six);
}

// A model trained with extra cluster levels: the tagger's cached per-word
// sums give exactly the scores of FeatureExtractor::Features.
TEST(EntitiesClustersTest, CachedScoresEqualFeatureScoresWithExtraLevels) {
  std::string body;
  const std::vector<std::string> vocab = {"karim", "laila", "omar", "tunis", "amman", "met",
                                          "in", "on", "monday", ".", "minister", "arrived"};
  for (size_t i = 0; i < vocab.size(); ++i) {
    body += vocab[i] + "\t" + std::to_string(10 + i) + "\t" + std::to_string(i % 3) + "\t" +
            std::to_string(i % 5) + "\t" + std::to_string(i % 2) + "\t" + std::to_string(i % 7) + "\t" +
            std::to_string(i % 4) + "\t" + std::to_string(i) + "\n";
  }
  const std::string path = WriteFile("train.tsv", body);
  Resources res;
  ASSERT_TRUE(res.LoadClusters(path).ok());
  const int kBPer = TagIndex("B-PER"), kBLoc = TagIndex("B-LOC"), kO = TagIndex("O");
  std::vector<Sentence> train;
  const char* const people[] = {"karim", "laila", "omar"};
  const char* const places[] = {"tunis", "amman"};
  for (int i = 0; i < 60; ++i) {
    Sentence s;
    s.words = {people[i % 3], "met", people[(i + 1) % 3], "in", places[i % 2], "on", "monday", "."};
    s.tags = {kBPer, kO, kBPer, kO, kBLoc, kO, kO, kO};
    train.push_back(s);
  }
  TrainOptions opt;
  opt.epochs = 3;
  opt.verbose = false;
  Model model;
  ASSERT_TRUE(Train(train, {}, res, opt, &model).ok());
  Tagger tagger(&model, &res);
  FeatureExtractor reference(&res);
  const std::vector<std::vector<std::string_view>> texts = {
      {"minister", "karim", "arrived", "in", "amman", "."},
      {"laila", "met", "someone", "in", "tunis", "on", "monday", "."},
      {"unknown", "words", "only"}};
  std::vector<int> tags;
  std::vector<uint64_t> feats;
  int checked = 0;
  for (const auto& words : texts) {
    tagger.Tag(words, &tags);
    reference.Prepare(words);
    for (size_t i = 0; i < words.size(); ++i) {
      reference.Features(i, &feats);
      float want[kNumTags] = {};
      model.Score(feats, want);
      for (int k = 0; k < kNumTags; ++k) {
        ASSERT_EQ(tagger.emissions()[i * kNumTags + k], want[k]) << words[i] << " " << kTagNames[k];
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 17);
  // The trained model tags a sentence with an unseen word right.
  tagger.Tag(texts[1], &tags);
  EXPECT_EQ(tags[0], kBPer);
  EXPECT_EQ(tags[4], kBLoc);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace newsflow::entities
