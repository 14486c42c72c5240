#include "file_producer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace newsflow {
namespace {

class MemorySink : public ArticleSink {
 public:
  Status Publish(const Article& a) override {
    articles.push_back(a);
    return Status::OK();
  }
  Status PublishDeadLetter(const DeadLetter& d) override {
    dead.push_back(d);
    return Status::OK();
  }
  Status Flush(std::chrono::milliseconds) override { return Status::OK(); }
  std::vector<Article> articles;
  std::vector<DeadLetter> dead;
};

std::filesystem::path TempDir() {
  auto p = std::filesystem::temp_directory_path() / ("nf-fp-" + std::to_string(getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p / "site");
  return p;
}

TEST(FileProducerTest, ReadsDirectoriesByType) {
  auto dir = TempDir();
  std::ofstream(dir / "site" / "a.txt") << "plain text article";
  std::ofstream(dir / "site" / "b.html") << "<html><body><p>hi</p></body></html>";
  std::ofstream(dir / "site" / "c.bin") << "??";
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({dir.string()}, {}, sink, stats).ok());
  ASSERT_EQ(sink.articles.size(), 2u);
  EXPECT_EQ(sink.articles[0].content_type, ContentType::kTextPlain);
  EXPECT_EQ(sink.articles[1].content_type, ContentType::kTextHtml);
  EXPECT_EQ(sink.articles[0].source, "site");
  EXPECT_EQ(sink.articles[0].id[0], 'c') << "no URL: content hash id";
  EXPECT_EQ(stats.skipped_files, 1);
}

TEST(FileProducerTest, DeadLettersInvalidUtf8Files) {
  auto dir = TempDir();
  std::ofstream(dir / "bad.txt", std::ios::binary) << "abc\xff";
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "bad.txt").string()}, {}, sink, stats).ok());
  EXPECT_TRUE(sink.articles.empty());
  ASSERT_EQ(sink.dead.size(), 1u);
  EXPECT_EQ(sink.dead[0].reason_code, "corrupt");
  EXPECT_NE(sink.dead[0].reason.find("UTF-8"), std::string::npos);
}

TEST(FileProducerTest, CompletesPartialJsonLines) {
  Article a;
  ASSERT_TRUE(ArticleFromJsonLine(R"({"body":"x","url":"https://Example.com/p?utm_source=rss","title":"T"})",
                                  {}, a).ok());
  EXPECT_EQ(a.id[0], 'u');
  EXPECT_EQ(a.url, "https://Example.com/p?utm_source=rss");
  EXPECT_EQ(a.meta.at("title"), "T");
  EXPECT_FALSE(a.fetched_at.empty());
  Article b;
  ASSERT_TRUE(ArticleFromJsonLine(R"({"body":"y","url":"https://example.com/p"})", {}, b).ok());
  EXPECT_EQ(a.id, b.id) << "same canonical URL, same id";
}

TEST(FileProducerTest, RejectsBadLinesWithReasons) {
  Article a;
  EXPECT_EQ(ArticleFromJsonLine("[1]", {}, a).code(), StatusCode::kSchema);
  EXPECT_EQ(ArticleFromJsonLine(R"({"source":"s"})", {}, a).code(), StatusCode::kSchema);
  EXPECT_EQ(ArticleFromJsonLine("{", {}, a).code(), StatusCode::kCorrupt);
  EXPECT_EQ(ArticleFromJsonLine(R"({"body":"x","fetched_at":"yesterday"})", {}, a).code(),
            StatusCode::kSchema);
  EXPECT_EQ(ArticleFromJsonLine(R"({"body":"x","content_type":"application/pdf"})", {}, a).code(),
            StatusCode::kSchema);
}

TEST(FileProducerTest, MissingPathIsAnError) {
  MemorySink sink;
  FileProducerStats stats;
  EXPECT_EQ(ProduceFromPaths({"/nonexistent/newsflow"}, {}, sink, stats).code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace newsflow
