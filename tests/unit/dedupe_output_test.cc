// DedupeOutput (`newsflow sink --dedupe`): ids already in the file, torn last
// lines, repeats dropped and counted.
#include "newsflow/dedupe_output.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace newsflow {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DedupeOutputTest, KnowsTheFileCutsATornLineAndDropsRepeats) {
  std::string dir = std::filesystem::temp_directory_path() / ("dedupe-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir + "/out.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << R"({"v":1,"id":"a","body":"x"})" << "\n"
        << "not json\n"
        << R"({"v":1,"id":"b","body":"y"})" << "\n"
        << R"({"v":1,"id":"c","bo)";  // killed mid-write
  }
  prometheus::Registry registry;
  auto out = DedupeOutput::Open(path, dir + "/dead.jsonl", registry, "sink");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)->known(), 2u);
  std::string before = Slurp(path);
  EXPECT_EQ(before.back(), '\n') << "the torn last line is cut off";
  EXPECT_EQ(before.find(R"("id":"c")"), std::string::npos);

  int done = 0;
  auto count = [&](const Status& s) {
    EXPECT_TRUE(s.ok());
    ++done;
  };
  ASSERT_TRUE((*out)->Send("a", R"({"v":1,"id":"a","body":"x"})", 0, count).ok());  // in the file
  ASSERT_TRUE((*out)->Send("c", R"({"v":1,"id":"c","body":"z"})", 0, count).ok());  // new
  ASSERT_TRUE((*out)->Send("c", R"({"v":1,"id":"c","body":"z"})", 0, count).ok());  // repeat
  ASSERT_TRUE((*out)->Send("", "raw line", 0, count).ok());  // no id: written as it comes
  // Written lines are done once synced (FileOutput); dropped repeats at once.
  EXPECT_EQ(done, 2) << "the repeats of ids already written are done at once";
  ASSERT_TRUE((*out)->Flush(std::chrono::seconds(5)).ok());
  EXPECT_EQ(done, 4) << "dropped repeats are done too, so their offsets commit";
  EXPECT_EQ((*out)->dropped(), 2);
  EXPECT_EQ((*out)->Summary(), " duplicates dropped 2");
  EXPECT_EQ(Slurp(path), before + R"({"v":1,"id":"c","body":"z"})" + "\nraw line\n");
  std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(text.find("newsflow_sink_duplicates_dropped_total{stage=\"sink\"} 2"), std::string::npos) << text;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace newsflow
