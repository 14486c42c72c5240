#include "file_producer.h"

#include <gtest/gtest.h>
#include <unicode/ucnv.h>
#include <zlib.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "memory_sink.h"
#include "newsflow/codec.h"
#include "newsflow/text.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace newsflow {
namespace {

using testing::MemorySink;
using testing::WriteToPipeWhenRead;

// The test's own directory with an empty "site" in it, removed after the test.
testing::ScopedTempDir TempDir() {
  testing::ScopedTempDir d("nf-fp-");
  std::filesystem::create_directories(d / "site");
  return d;
}

// The gzip format of `s` (one member).
std::string GzipOf(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
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

// A page saved under a name of no known type (page.php, a hash) is HTML when
// it starts as a page does: produced as text/html from a directory (it was
// skipped) and when named (it was text/plain, its markup the article's text).
// Other files of unknown type are skipped in a directory, text when named.
TEST(FileProducerTest, APageSavedUnderAnotherNameIsHtml) {
  auto dir = TempDir();
  std::ofstream(dir / "site" / "page.php") << "<!DOCTYPE html><html><body><p>hi</p></body></html>";
  std::ofstream(dir / "site" / "3f9a1c") << "\n<html lang=\"ar\"><p>hi</p></html>";
  std::ofstream(dir / "site" / "notes.md") << "# notes, not a page";
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "site").string()}, {}, sink, stats).ok());
  ASSERT_EQ(sink.articles.size(), 2u);
  for (const auto& a : sink.articles) EXPECT_EQ(a.content_type, ContentType::kTextHtml) << a.meta.at("file");
  EXPECT_EQ(stats.skipped_files, 1);
  MemorySink named;
  FileProducerStats named_stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "site" / "page.php").string(), (dir / "site" / "notes.md").string()}, {},
                               named, named_stats).ok());
  ASSERT_EQ(named.articles.size(), 2u);
  EXPECT_EQ(named.articles[0].content_type, ContentType::kTextHtml);
  EXPECT_EQ(named.articles[1].content_type, ContentType::kTextPlain);
}

// File names are bytes; records are UTF-8. A name that is not UTF-8 (0xFF)
// keeps its article, the bad byte shown as U+FFFD in meta.file and source;
// before, the record was not UTF-8 and the first stage dead-lettered it.
TEST(FileProducerTest, AFileNameThatIsNotUtf8KeepsItsArticle) {
  auto dir = TempDir();
  const std::filesystem::path folder = dir / "desk\xff";
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "report\xff.txt") << "plain text article";
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({folder.string()}, {}, sink, stats).ok());
  ASSERT_EQ(sink.articles.size(), 1u);
  EXPECT_TRUE(sink.dead.empty());
  const Article& a = sink.articles[0];
  EXPECT_EQ(a.meta.at("file"), "report\xEF\xBF\xBD.txt");
  EXPECT_EQ(a.source, "desk\xEF\xBF\xBD");
  Codec codec;
  Article back;
  EXPECT_TRUE(codec.Decode(Codec::Encode(a), back).ok());
  EXPECT_EQ(Utf8OrReplaced("ok \xC3\xA9 \xC3 \xED\xA0\x80 \xF0\x9F\x98\x80"),
            "ok \xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xF0\x9F\x98\x80");
}

TEST(FileProducerTest, DeadLettersBinaryFiles) {
  auto dir = TempDir();
  std::ofstream(dir / "bad.txt", std::ios::binary) << std::string("abc\0\xff\x01", 6);
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "bad.txt").string()}, {}, sink, stats).ok());
  EXPECT_TRUE(sink.articles.empty());
  ASSERT_EQ(sink.dead.size(), 1u);
  EXPECT_EQ(sink.dead[0].reason_code, "corrupt");
  EXPECT_NE(sink.dead[0].reason.find("not a text file"), std::string::npos) << sink.dead[0].reason;
}

// Standard input ("-") read through `fd` for the length of one call.
template <typename Fn>
void WithStdin(int fd, Fn fn) {
  std::fflush(stdin);
  int saved = dup(0);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(dup2(fd, 0), 0);
  clearerr(stdin);
  fn();
  dup2(saved, 0);
  close(saved);
  clearerr(stdin);
}

TEST(FileProducerTest, ReadsJsonLinesFromStdin) {
  auto dir = TempDir();
  std::ofstream(dir / "in.jsonl") << "{\"source\":\"s\",\"body\":\"one\"}\n{\"source\":\"s\",\"body\":\"two\"}\n";
  int fd = open((dir / "in.jsonl").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  MemorySink sink;
  FileProducerStats stats;
  WithStdin(fd, [&] { ASSERT_TRUE(ProduceFromPaths({"-"}, {}, sink, stats).ok()); });
  close(fd);
  ASSERT_EQ(sink.articles.size(), 2u);
  EXPECT_EQ(sink.articles[1].body, "two");
  EXPECT_TRUE(sink.dead.empty());
}

// A JSON Lines file saved with a UTF-8 byte-order mark (Windows editors):
// its first line is a record like the others, not a dead letter "invalid
// JSON". A mark later in the file is not a file's start: still refused.
TEST(FileProducerTest, AByteOrderMarkAtTheStartOfAJsonLinesFileIsSkipped) {
  auto dir = TempDir();
  std::ofstream(dir / "in.jsonl", std::ios::binary)
      << "\xEF\xBB\xBF{\"source\":\"s\",\"body\":\"one\"}\n{\"source\":\"s\",\"body\":\"two\"}\n"
      << "\xEF\xBB\xBF{\"source\":\"s\",\"body\":\"three\"}\n";
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "in.jsonl").string()}, {}, sink, stats).ok());
  ASSERT_EQ(sink.articles.size(), 2u);
  EXPECT_EQ(sink.articles[0].body, "one");
  ASSERT_EQ(sink.dead.size(), 1u);
  EXPECT_NE(sink.dead[0].reason.find("in.jsonl:3"), std::string::npos) << sink.dead[0].reason;
}

// A read error on standard input (here: a directory as stdin, EISDIR) is a
// dead letter with the reason, as for files; std::cin's stdio buffer took it
// for the end of the input, and the run said "0 in" without a word.
TEST(FileProducerTest, ReadErrorOnStdinIsADeadLetter) {
  int fd = open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  MemorySink sink;
  FileProducerStats stats;
  WithStdin(fd, [&] { ASSERT_TRUE(ProduceFromPaths({"-"}, {}, sink, stats).ok()); });
  close(fd);
  EXPECT_TRUE(sink.articles.empty());
  ASSERT_EQ(sink.dead.size(), 1u);
  EXPECT_EQ(sink.dead[0].reason_code, "unavailable");
  EXPECT_NE(sink.dead[0].reason.find("read error"), std::string::npos) << sink.dead[0].reason;
}

// Bytes of `utf8` in `charset`, converted by ICU.
std::string Encode(const std::string& utf8, const char* charset) {
  std::string out(utf8.size() * 4 + 16, '\0');
  UErrorCode err = U_ZERO_ERROR;
  int32_t n = ucnv_convert(charset, "UTF-8", out.data(), static_cast<int32_t>(out.size()), utf8.data(),
                           static_cast<int32_t>(utf8.size()), &err);
  EXPECT_TRUE(U_SUCCESS(err)) << charset << ": " << u_errorName(err);
  out.resize(U_SUCCESS(err) ? static_cast<size_t>(n) : 0);
  return out;
}

// Issue 13 #4: legacy encodings are decoded like `watch` decodes pages
// (they were all dead-lettered as "not valid UTF-8").
TEST(FileProducerTest, DecodesLegacyEncodingsLikeWatch) {
  auto dir = TempDir();
  // "The boy went to the market, then came back home in the evening." (a made-up sentence)
  const std::string text =
      "\u0630\u0647\u0628 \u0627\u0644\u0648\u0644\u062f \u0625\u0644\u0649 \u0627\u0644\u0633\u0648\u0642 "
      "\u062b\u0645 \u0639\u0627\u062f \u0625\u0644\u0649 \u0627\u0644\u0628\u064a\u062a "
      "\u0641\u064a \u0627\u0644\u0645\u0633\u0627\u0621.";
  auto page = [&](const char* label) {
    return std::string("<html><head><meta charset=\"") + label + "\"><title>t</title></head><body><p>" + text +
           "</p></body></html>";
  };
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / "site" / name, std::ios::binary) << bytes;
  };
  write("a-1256.html", Encode(page("windows-1256"), "windows-1256"));
  write("b-8859-6.html", Encode(page("iso-8859-6"), "ISO-8859-6"));
  write("c-utf16.txt", std::string("\xFF\xFE") + Encode(text, "UTF-16LE"));
  write("d-utf16be.txt", std::string("\xFE\xFF") + Encode(text, "UTF-16BE"));
  write("e-utf8.txt", text);
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "site").string()}, {}, sink, stats).ok());
  EXPECT_TRUE(sink.dead.empty()) << sink.dead[0].reason;
  ASSERT_EQ(sink.articles.size(), 5u);
  std::vector<std::string> charsets;
  for (const auto& a : sink.articles) {
    EXPECT_NE(a.body.find(text), std::string::npos) << a.meta.at("file") << ": " << a.body;
    auto it = a.meta.find("source_charset");
    charsets.push_back(it == a.meta.end() ? "" : it->second);
  }
  EXPECT_EQ(charsets, (std::vector<std::string>{"windows-1256", "iso-8859-6", "utf-16le", "utf-16be", ""}));
  // No byte-order mark left at the start of the text.
  EXPECT_EQ(sink.articles[2].body, text);
}

// Issue 13 #11: a link inside the directory to a file outside it is not
// followed (it published /etc/passwd); it is reported as skipped.
TEST(FileProducerTest, DoesNotFollowSymlinksOutOfTheDirectory) {
  namespace fs = std::filesystem;
  auto dir = TempDir();
  std::ofstream(dir / "secret.txt") << "SECRET-OUTSIDE";
  std::ofstream(dir / "site" / "a.txt") << "inside article";
  fs::create_directories(dir / "site" / "sub");
  fs::create_symlink(dir / "secret.txt", dir / "site" / "leak.txt");
  fs::create_symlink(dir, dir / "site" / "sub" / "up");               // directory leaving the tree
  fs::create_symlink(dir / "site" / "a.txt", dir / "site" / "sub" / "same.txt");  // stays inside
  {
    MemorySink sink;
    FileProducerStats stats;
    ASSERT_TRUE(ProduceFromPaths({(dir / "site").string()}, {}, sink, stats).ok());
    ASSERT_EQ(sink.articles.size(), 2u);  // a.txt and the link to it
    for (const auto& a : sink.articles) EXPECT_EQ(a.body, "inside article");
    EXPECT_EQ(stats.skipped_symlinks, 2);
    EXPECT_EQ(stats.skipped_files, 2);
  }
  {
    // Asked for: followed, and the link back to an ancestor is walked once.
    MemorySink sink;
    FileProducerStats stats;
    FileProducerOptions o;
    o.follow_symlinks = true;
    ASSERT_TRUE(ProduceFromPaths({(dir / "site").string()}, o, sink, stats).ok());
    int secret = 0;
    for (const auto& a : sink.articles) secret += a.body == "SECRET-OUTSIDE";
    EXPECT_EQ(secret, 1);
    EXPECT_EQ(stats.skipped_symlinks, 0);
  }
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

// A partial record without content_type is an HTML page when its body starts
// as one (the WHATWG sniffing signatures); it was always text/plain, and a
// scraped page's markup became its text. A given content_type is kept.
TEST(FileProducerTest, APartialRecordsBodyThatStartsAsHtmlIsHtml) {
  const std::vector<std::pair<std::string, ContentType>> cases = {
      {R"({"body":"<!DOCTYPE html><html><body><p>x</p></body></html>"})", ContentType::kTextHtml},
      {R"({"body":"\ufeff\n  <HTML lang=\"ar\"><p>x</p></HTML>"})", ContentType::kTextHtml},
      {R"({"body":"<p>A paragraph.</p><p>Another.</p>"})", ContentType::kTextHtml},
      {R"({"body":"<!-- saved page --><div>x</div>"})", ContentType::kTextHtml},
      {R"({"body":"<!--[if IE]><![endif]--><!doctype html><p>x</p>"})", ContentType::kTextHtml},
      {R"({"body":"<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\"><html>"})",
       ContentType::kTextHtml},
      {R"({"body":"<!doctype html\n  public \"-//w3c//dtd xhtml\">"})", ContentType::kTextHtml},
      {R"({"body":"<meta charset=\"utf-8\"><p>x</p>"})", ContentType::kTextHtml},
      {R"({"body":"<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>"})", ContentType::kTextPlain},
      {R"({"body":"A line of text with <b>bold</b> in it"})", ContentType::kTextPlain},
      {R"({"body":"<articles> are not a tag we know"})", ContentType::kTextPlain},
      {R"({"body":"<p"})", ContentType::kTextPlain},
      {R"({"body":"<p>x</p>","content_type":"text/plain"})", ContentType::kTextPlain},
      {R"({"body":"plain","content_type":"text/html"})", ContentType::kTextHtml}};
  for (const auto& [line, want] : cases) {
    Article a;
    ASSERT_TRUE(ArticleFromJsonLine(line, {}, a).ok()) << line;
    EXPECT_EQ(a.content_type, want) << line;
  }
}

// A scraper's published_at goes to meta.published_at (clean reads it when the
// page states no date): text as written, a number as Unix time (seconds or
// milliseconds); another type is left alone, as the member was before.
TEST(FileProducerTest, AScrapersPublishedAtIsKeptForClean) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"body":"x","published_at":"March 5, 2024"})", "March 5, 2024"},
      {R"({"body":"x","published_at":1709632800})", "2024-03-05T10:00:00Z"},
      {R"({"body":"x","published_at":1709632800000})", "2024-03-05T10:00:00Z"},
      {R"({"body":"x","published_at":{"date":"2024"}})", ""},
      {R"({"body":"x","published_at":-5})", ""},
      {R"({"body":"x"})", ""}};
  for (const auto& [line, want] : cases) {
    Article a;
    ASSERT_TRUE(ArticleFromJsonLine(line, {}, a).ok()) << line;
    EXPECT_EQ(a.meta.count("published_at") ? a.meta.at("published_at") : "", want) << line;
  }
}

// `process` input: partial records completed as produce completes them, with
// their stage sections kept; complete records as they are.
TEST(FileProducerTest, RecordFromJsonLineCompletesAndKeepsStageSections) {
  const std::string line =
      R"({"body":"x","url":"https://example.com/p","clean":{"text":"X"},"wordcount":{"words":1},)"
      R"("trace":[{"stage":"clean","at":"2026-01-01T00:00:00Z"}]})";
  Article produced, a;
  ASSERT_TRUE(ArticleFromJsonLine(line, {}, produced).ok());
  auto s = RecordFromJsonLine(line, {}, a);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(a.id, produced.id);  // the same id produce gives it
  EXPECT_EQ(a.source, "jsonl");
  EXPECT_FALSE(a.fetched_at.empty());
  ASSERT_TRUE(a.clean.has_value());
  EXPECT_EQ(a.clean->text, "X");
  EXPECT_EQ(a.clean->title, "");  // optional on input
  ASSERT_EQ(a.trace.size(), 1u);
  ASSERT_EQ(a.extensions.size(), 1u);
  EXPECT_EQ(a.extensions[0].second, R"({"words":1})");
  // A complete record is taken as it is.
  Article c;
  ASSERT_TRUE(RecordFromJsonLine(R"({"id":"k","source":"s","fetched_at":"2026-01-01T00:00:00Z",)"
                                 R"("content_type":"text/plain","body":"b","lang":{"code":"en",)"
                                 R"("confidence":1,"script":"Latn","spans":[]}})",
                                 {}, c)
                  .ok());
  EXPECT_EQ(c.id, "k");
  ASSERT_TRUE(c.lang.has_value());
  // Broken sections are refused as the codec refuses them.
  EXPECT_EQ(RecordFromJsonLine(R"({"body":"x","clean":{"title":"t"}})", {}, a).code(),
            StatusCode::kSchema);
  EXPECT_EQ(RecordFromJsonLine(R"({"source":"s"})", {}, a).code(), StatusCode::kSchema);
  EXPECT_EQ(RecordFromJsonLine("{", {}, a).code(), StatusCode::kCorrupt);
}

TEST(FileProducerTest, RawLinesAreKeyedByTheirIdElseTheirNumber) {
  EXPECT_EQ(RawLineKey(R"({"id":"u123","body":"x"})", 7), "u123");
  EXPECT_EQ(RawLineKey(R"({"id":"","body":"x"})", 7), "7");
  EXPECT_EQ(RawLineKey(R"({"id":5})", 8), "8");
  EXPECT_EQ(RawLineKey("not json", 9), "9");
}

// A scraper's export is often one JSON document, not JSON Lines: Scrapy's
// `-o items.json` writes an array with a record on each line and commas
// between them, Python's json.dump a compact array on one line or a
// pretty-printed one, `jq .` records one after another, pretty-printed. Read
// line by line, a 3-record export gave 1 article (the last line, whole) and 4
// dead letters ("invalid JSON"); a pretty-printed record gave none.
TEST(FileProducerTest, AJsonDocumentOfRecordsIsReadRecordByRecord) {
  auto dir = TempDir();
  auto record = [](int i) {
    // Brackets, braces, commas and escaped quotes inside strings are text.
    return "{\"url\": \"https://ex.example/a" + std::to_string(i) + "\", \"title\": \"[Live] {" +
           std::to_string(i) + "}, \\\"quoted\\\" ]}\", \"body\": \"<p>story " + std::to_string(i) +
           " ],[ {\\\\}</p>\"}";
  };
  const std::map<std::string, std::string> files = {
      {"scrapy.json", "[\n" + record(0) + ",\n" + record(1) + ",\n" + record(2) + "\n]"},
      {"compact.json", "[" + record(0) + "," + record(1) + "," + record(2) + "]"},
      {"pretty.json", "\xEF\xBB\xBF[\n  {\n    \"url\": \"https://ex.example/a0\",\n    \"body\": \"x0\"\n  },\n"
                      "  {\n    \"url\": \"https://ex.example/a1\",\n    \"body\": \"x1\"\n  },\n"
                      "  {\n    \"url\": \"https://ex.example/a2\",\n    \"body\": \"x2\"\n  }\n]\n"},
      {"one-after-another.json", "{\n  \"url\": \"https://ex.example/a0\",\n  \"body\": \"x0\"\n}\n"
                                 "{\n  \"url\": \"https://ex.example/a1\",\n  \"body\": \"x1\"\n}\n"
                                 "{\n  \"url\": \"https://ex.example/a2\",\n  \"body\": \"x2\"\n}\n"}};
  for (const auto& [name, text] : files) {
    std::ofstream(dir / name, std::ios::binary) << text;
    MemorySink sink;
    FileProducerStats stats;
    ASSERT_TRUE(ProduceFromPaths({(dir / name).string()}, {}, sink, stats).ok()) << name;
    EXPECT_EQ(sink.dead.size(), 0u) << name << ": " << (sink.dead.empty() ? "" : sink.dead[0].reason);
    ASSERT_EQ(sink.articles.size(), 3u) << name;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(sink.articles[i].url, "https://ex.example/a" + std::to_string(i)) << name;
    if (name == "scrapy.json") {
      EXPECT_EQ(sink.articles[1].meta.at("title"), "[Live] {1}, \"quoted\" ]}");
      EXPECT_EQ(sink.articles[2].body, "<p>story 2 ],[ {\\}</p>");
    }
  }
  // One pretty-printed record.
  std::ofstream(dir / "one.json") << "{\n  \"url\": \"https://ex.example/one\",\n  \"body\": \"x\"\n}\n";
  MemorySink one;
  FileProducerStats one_stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "one.json").string()}, {}, one, one_stats).ok());
  ASSERT_EQ(one.articles.size(), 1u);
  EXPECT_TRUE(one.dead.empty());
}

// In an array, each item that is no record is a dead letter of its own,
// named by its line and number; a file cut short keeps the items before the
// cut and dead-letters the unfinished one. A .json file of JSON Lines is still
// read line by line: a broken line is one dead letter, not the rest of the file.
TEST(FileProducerTest, ItemsOfAJsonArrayThatAreNoRecordsAndACutAreDeadLetteredOneByOne) {
  auto dir = TempDir();
  std::ofstream(dir / "mixed.json") << "[{\"body\": \"a\"}, 42, \"text\", [1, 2], {\"nobody\": 1},\n"
                                       "true, {\"body\": \"b\"}]";
  MemorySink mixed;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "mixed.json").string()}, {}, mixed, stats).ok());
  ASSERT_EQ(mixed.articles.size(), 2u);
  EXPECT_EQ(mixed.articles[0].body, "a");
  EXPECT_EQ(mixed.articles[1].body, "b");
  ASSERT_EQ(mixed.dead.size(), 5u);
  EXPECT_NE(mixed.dead[0].reason.find("mixed.json:1 (item 2): expected a JSON object"), std::string::npos)
      << mixed.dead[0].reason;
  EXPECT_EQ(mixed.dead[0].payload, "42");
  EXPECT_EQ(mixed.dead[1].payload, "\"text\"");
  EXPECT_EQ(mixed.dead[2].payload, "[1, 2]");
  EXPECT_NE(mixed.dead[3].reason.find("missing string field 'body'"), std::string::npos) << mixed.dead[3].reason;
  EXPECT_NE(mixed.dead[4].reason.find("mixed.json:2 (item 6)"), std::string::npos) << mixed.dead[4].reason;

  std::ofstream(dir / "cut.json") << "[\n{\"body\": \"a\"},\n{\"body\": \"b\"},\n{\"body\": \"c [unfinis";
  MemorySink cut;
  ASSERT_TRUE(ProduceFromPaths({(dir / "cut.json").string()}, {}, cut, stats).ok());
  ASSERT_EQ(cut.articles.size(), 2u);
  ASSERT_EQ(cut.dead.size(), 1u);
  EXPECT_NE(cut.dead[0].reason.find("cut.json:4 (item 3): the file ends inside this JSON value"),
            std::string::npos)
      << cut.dead[0].reason;
  EXPECT_EQ(cut.dead[0].payload, "{\"body\": \"c [unfinis");

  std::ofstream(dir / "lines.json") << "{\"body\": \"a\"}\n{\"body\": \"b\n{\"body\": \"c\"}\n";
  MemorySink lines;
  ASSERT_TRUE(ProduceFromPaths({(dir / "lines.json").string()}, {}, lines, stats).ok());
  ASSERT_EQ(lines.articles.size(), 2u);
  ASSERT_EQ(lines.dead.size(), 1u);
  EXPECT_NE(lines.dead[0].reason.find("lines.json:2"), std::string::npos) << lines.dead[0].reason;
}

// A scraper's records name their fields its own way ("content", "link",
// "headline", a body inside an object): every record was a dead letter
// ("missing string field 'body'", nothing said which fields it had). `--field`
// maps them; without it the dead letter lists the record's text fields.
TEST(FileProducerTest, FieldsUnderTheInputsOwnNamesAreMappedWithField) {
  const std::string record =
      R"({"link":"https://ex.example/s1","headline":"A headline","date":"2026-11-20T08:00:00Z",)"
      R"("article":{"html":"<html><body><p>text</p></body></html>"},"n":5})";
  Article a;
  Status plain = ArticleFromJsonLine(record, {}, a);
  EXPECT_EQ(plain.code(), StatusCode::kSchema);
  EXPECT_NE(plain.message().find("its text fields: link, headline, date; name yours with --field body=NAME"),
            std::string::npos)
      << plain.message();

  FileProducerOptions o;
  for (const char* spec : {"body=article.html", "url=link", "title=headline", "published_at=date"})
    ASSERT_TRUE(ParseFieldMapping(spec, o.fields).ok()) << spec;
  ASSERT_TRUE(ArticleFromJsonLine(record, o, a).ok());
  EXPECT_EQ(a.body, "<html><body><p>text</p></body></html>");
  EXPECT_EQ(a.content_type, ContentType::kTextHtml);
  EXPECT_EQ(a.url, "https://ex.example/s1");
  EXPECT_EQ(a.meta.at("title"), "A headline");
  EXPECT_EQ(a.meta.at("published_at"), "2026-11-20T08:00:00Z");
  EXPECT_EQ(a.id, ArticleId("https://ex.example/s1", a.source, a.body));

  // A mapped field that is missing, or not text, is named with its mapping.
  FileProducerOptions missing;
  ASSERT_TRUE(ParseFieldMapping("body=content", missing.fields).ok());
  Status m = ArticleFromJsonLine(record, missing, a);
  EXPECT_EQ(m.code(), StatusCode::kSchema);
  EXPECT_NE(m.message().find("missing string field 'content' (--field body=content)"), std::string::npos)
      << m.message();
  FileProducerOptions not_text = o;
  not_text.fields["url"] = "n";
  Status t = ArticleFromJsonLine(record, not_text, a);
  EXPECT_NE(t.message().find("url (from n): expected a string"), std::string::npos) << t.message();

  std::map<std::string, std::string> f;
  EXPECT_FALSE(ParseFieldMapping("bodyy=content", f).ok());
  EXPECT_FALSE(ParseFieldMapping("body", f).ok());
  EXPECT_FALSE(ParseFieldMapping("body=", f).ok());
  EXPECT_TRUE(ParseFieldMapping("body=content", f).ok());
  Status twice = ParseFieldMapping("body=text", f);
  EXPECT_NE(twice.message().find("already mapped to content"), std::string::npos) << twice.message();
}

// gzip files as their inner name says: a folder of .jsonl.gz dumps, an array
// in .json.gz, a saved page.html.gz, and a gzip file whose name does not say
// so. They were skipped in a folder (unknown type) and, named, dead letters
// ("not a text file").
TEST(FileProducerTest, GzipFilesAreReadAsTheirInnerNameSays) {
  auto dir = TempDir();
  auto gzip = [](const std::filesystem::path& p, const std::string& text) {
    gzFile f = gzopen(p.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
    gzclose(f);
  };
  gzip(dir / "site" / "day1.jsonl.gz", "{\"url\":\"https://ex.example/1\",\"body\":\"one\"}\n"
                                       "{\"url\":\"https://ex.example/2\",\"body\":\"two\"}\n");
  gzip(dir / "site" / "items.json.gz", "[{\"url\":\"https://ex.example/3\",\"body\":\"three\"},\n"
                                       " {\"url\":\"https://ex.example/4\",\"body\":\"four\"}]");
  gzip(dir / "site" / "page.html.gz", "<html><head><title>Saved</title></head><body><p>five</p></body></html>");
  gzip(dir / "site" / "misnamed.jsonl", "{\"url\":\"https://ex.example/6\",\"body\":\"six\"}\n");
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "site").string()}, {}, sink, stats).ok());
  EXPECT_TRUE(sink.dead.empty()) << sink.dead[0].reason;
  EXPECT_EQ(stats.skipped_files, 0);
  std::map<std::string, std::string> bodies;  // file -> bodies
  for (const auto& a : sink.articles) bodies[a.url.value_or(a.meta.count("file") ? a.meta.at("file") : "?")] = a.body;
  ASSERT_EQ(sink.articles.size(), 6u);
  EXPECT_EQ(bodies["https://ex.example/1"], "one");
  EXPECT_EQ(bodies["https://ex.example/4"], "four");
  EXPECT_EQ(bodies["https://ex.example/6"], "six");
  EXPECT_NE(bodies["page.html.gz"].find("<p>five</p>"), std::string::npos);
  for (const auto& a : sink.articles) {
    if (a.meta.count("file")) {
      EXPECT_EQ(a.content_type, ContentType::kTextHtml);
    }
  }
}

// A gzip file cut short or corrupt: every record before the damage is
// published, then one dead letter says what is wrong (gzread returned nothing
// of a cut file's last piece, and a corrupt one was lost without a word when
// the type sniffing rewound it). Members one after another are all read;
// bytes after the gzip data are ignored, as gzip does; a decompressed page
// over the record limit is refused without reading on (a gzip bomb).
TEST(FileProducerTest, AGzipFileCutShortOrCorruptKeepsWhatCameBeforeAndSaysWhy) {
  auto dir = TempDir();
  // Records of words that do not repeat, so half the compressed bytes hold
  // about half the records.
  std::string lines;
  uint32_t x = 12345;
  for (int i = 0; i < 20; ++i) {
    std::string body;
    for (int w = 0; w < 300; ++w) {
      x = x * 1664525u + 1013904223u;
      body += std::to_string(x % 100000) + " ";
    }
    lines += "{\"url\":\"https://ex.example/" + std::to_string(i) + "\",\"body\":\"" + body + "\"}\n";
  }
  const std::string whole = GzipOf(lines);
  auto run = [&](const std::string& name, const std::string& bytes, MemorySink& sink) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    FileProducerStats stats;
    ASSERT_TRUE(ProduceFromPaths({(dir / name).string()}, {}, sink, stats).ok());
  };
  MemorySink cut;
  run("cut.jsonl.gz", whole.substr(0, whole.size() / 2), cut);
  EXPECT_GE(cut.articles.size(), 5u);
  EXPECT_LT(cut.articles.size(), 20u);
  ASSERT_EQ(cut.dead.size(), 1u);
  EXPECT_NE(cut.dead[0].reason.find("gzip: the file ends inside the compressed data (cut short); the rest"),
            std::string::npos)
      << cut.dead[0].reason;

  std::string damaged = whole;
  for (size_t i = damaged.size() / 3; i < damaged.size() / 3 + 64; ++i) damaged[i] = '\x55';
  MemorySink corrupt;
  run("corrupt.jsonl.gz", damaged, corrupt);
  EXPECT_LT(corrupt.articles.size(), 20u);
  ASSERT_EQ(corrupt.dead.size(), 1u);
  EXPECT_NE(corrupt.dead[0].reason.find("gzip: "), std::string::npos) << corrupt.dead[0].reason;

  MemorySink members;
  run("members.jsonl.gz", whole + GzipOf("{\"body\":\"after\"}\n") + "trailing bytes", members);
  EXPECT_EQ(members.articles.size(), 21u);
  EXPECT_TRUE(members.dead.empty());

  MemorySink bomb;
  run("bomb.html.gz", GzipOf("<html>" + std::string(50 << 20, ' ')), bomb);
  EXPECT_TRUE(bomb.articles.empty());
  ASSERT_EQ(bomb.dead.size(), 1u);
  EXPECT_NE(bomb.dead[0].reason.find("exceeds the record limit"), std::string::npos) << bomb.dead[0].reason;
}

// One WARC record: type, target URI, block.
std::string WarcRecord(const std::string& type, const std::string& uri, const std::string& block) {
  std::string h = "WARC/1.0\r\nWARC-Type: " + type + "\r\nWARC-Date: 2026-11-20T08:00:00Z\r\n" +
                  "WARC-Record-ID: <urn:uuid:" + std::to_string(std::hash<std::string>{}(type + uri)) + ">\r\n";
  if (!uri.empty()) h += "WARC-Target-URI: " + uri + "\r\n";
  h += std::string("Content-Type: ") +
       (type == "response" || type == "request" ? "application/http; msgtype=" + type : "application/warc-fields") +
       "\r\nContent-Length: " + std::to_string(block.size()) + "\r\n\r\n";
  return h + block + "\r\n\r\n";
}

std::string HttpResponse(const std::string& status, const std::string& type, const std::string& body,
                         const std::string& headers = "") {
  return "HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A web archive (WARC, as Common Crawl's CC-NEWS ships news): each response
// that is a page becomes an article with the archived URL and time, its body
// de-chunked, decompressed and decoded as `watch` decodes pages; requests,
// metadata, revisits, images and 404s are skipped (counted); a page that does
// not decompress is a dead letter. The same as .warc.gz (a member a record).
// A .warc file was skipped as of unknown type.
TEST(FileProducerTest, AWebArchiveGivesItsPagesAsArticles) {
  auto dir = TempDir();
  const std::string page = "<html><head><title>Budget</title></head><body><p>The council met.</p></body></html>";
  const std::string gz = GzipOf(page);
  std::string chunked;
  for (size_t i = 0; i < gz.size(); i += 50) {
    std::string piece = gz.substr(i, 50);
    char size[16];
    std::snprintf(size, sizeof size, "%zx", piece.size());
    chunked += std::string(size) + "\r\n" + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";
  const std::vector<std::string> records = {
      WarcRecord("warcinfo", "", "software: test\r\n"),
      WarcRecord("request", "https://news.example/a", "GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n"),
      WarcRecord("response", "https://news.example/a", HttpResponse("200 OK", "text/html; charset=utf-8", page)),
      WarcRecord("response", "https://news.example/b",
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
                 "Content-Encoding: gzip\r\n\r\n" + chunked),
      WarcRecord("response", "https://news.example/c",
                 HttpResponse("200 OK", "text/html; charset=windows-1252", "<html><body><p>caf\xe9</p></body></html>")),
      WarcRecord("response", "https://news.example/gone", HttpResponse("404 Not Found", "text/html", "<html>x</html>")),
      WarcRecord("response", "https://news.example/logo.png", HttpResponse("200 OK", "image/png", "\x89PNG")),
      WarcRecord("revisit", "https://news.example/a", "HTTP/1.1 200 OK\r\n\r\n"),
      WarcRecord("response", "https://news.example/bad",
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\nnot gzip")};
  std::string plain, members;
  for (const auto& r : records) {
    plain += r;
    members += GzipOf(r);
  }
  for (const auto& [name, bytes] : {std::pair<std::string, std::string>{"crawl.warc", plain}, {"crawl.warc.gz", members}}) {
    std::ofstream(dir / "site" / name, std::ios::binary) << bytes;
    MemorySink sink;
    FileProducerStats stats;
    ASSERT_TRUE(ProduceFromPaths({(dir / "site" / name).string()}, {}, sink, stats).ok()) << name;
    ASSERT_EQ(sink.articles.size(), 3u) << name;
    std::map<std::string, Article> by_url;
    for (const auto& a : sink.articles) by_url[a.url.value_or("")] = a;
    EXPECT_EQ(by_url["https://news.example/a"].body, page);
    EXPECT_EQ(by_url["https://news.example/b"].body, page) << "de-chunked and gunzipped";
    EXPECT_NE(by_url["https://news.example/c"].body.find("caf\xc3\xa9"), std::string::npos);
    EXPECT_EQ(by_url["https://news.example/c"].meta.at("source_charset"), "windows-1252");
    EXPECT_EQ(by_url["https://news.example/a"].fetched_at, "2026-11-20T08:00:00Z");
    EXPECT_EQ(by_url["https://news.example/a"].source, "news.example");
    EXPECT_EQ(by_url["https://news.example/a"].content_type, ContentType::kTextHtml);
    EXPECT_EQ(stats.skipped_records, 5);  // warcinfo, request, 404, image, revisit
    ASSERT_EQ(sink.dead.size(), 1u) << name;
    EXPECT_NE(sink.dead[0].reason.find("https://news.example/bad: page does not decompress"), std::string::npos)
        << sink.dead[0].reason;
  }
  // Cut short inside a record: what came before is published, the cut a dead letter.
  std::string cut = records[0] + records[2] + records[3].substr(0, records[3].size() / 2);
  std::ofstream(dir / "cut.warc", std::ios::binary) << cut;
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "cut.warc").string()}, {}, sink, stats).ok());
  ASSERT_EQ(sink.articles.size(), 1u);
  ASSERT_EQ(sink.dead.size(), 1u);
  EXPECT_NE(sink.dead[0].reason.find("cut.warc (record 3): the file ends inside this record"), std::string::npos)
      << sink.dead[0].reason;
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

// A field of the wrong type is a dead letter naming it, not replaced: id 5
// became a content hash, fetched_at 5 the time of reading, content_type 5
// text/plain, meta values that were not strings vanished, "v": 2 became 1.
// null stays "not given"; an id over the schema's 256 characters is refused
// (here and by the codec).
TEST(FileProducerTest, FieldsOfTheWrongTypeAreRefusedNotReplaced) {
  Article a;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"body":"x","id":5})", "id: expected a string"},
      {R"({"body":"x","source":5})", "source: expected a string"},
      {R"({"body":"x","url":5})", "url: expected a string"},
      {R"({"body":"x","fetched_at":5})", "fetched_at: expected a string"},
      {R"({"body":"x","content_type":5})", "content_type: expected a string"},
      {R"({"body":"x","title":["t"]})", "title: expected a string"},
      {R"({"body":"x","meta":{"a":1}})", "meta.a: expected a string (meta values are text)"},
      {R"({"body":"x","meta":"m"})", "meta: expected an object"},
      {R"({"body":"x","v":2})", "v: unsupported envelope version 2"},
      {R"({"body":"x","id":")" + std::string(257, 'i') + R"("})", "id: longer than 256 characters"}};
  for (const auto& [line, why] : bad) {
    Status s = ArticleFromJsonLine(line, {}, a);
    EXPECT_EQ(s.code(), StatusCode::kSchema) << line;
    EXPECT_EQ(s.message(), why) << line;
  }
  ASSERT_TRUE(ArticleFromJsonLine(R"({"body":"x","url":null,"meta":null,"title":null,"v":1})", {}, a).ok());
  EXPECT_FALSE(a.url.has_value());
  const std::string id256 = std::string(255, 'i') + "\xD8\xA8";  // 256 characters, 257 bytes
  ASSERT_TRUE(ArticleFromJsonLine(R"({"body":"x","id":")" + id256 + R"("})", {}, a).ok());
  EXPECT_EQ(a.id, id256);
  Codec codec;
  Article back;
  EXPECT_TRUE(codec.Decode(Codec::Encode(a), back).ok());
  a.id += "i";
  EXPECT_EQ(codec.Decode(Codec::Encode(a), back).code(), StatusCode::kSchema);
}

// Issue 13 #12: a repeated key is refused (produce took the first "body",
// the stages' codec the last).
TEST(FileProducerTest, RejectsDuplicateKeysInJsonLines) {
  Article a;
  Status s = ArticleFromJsonLine(R"({"body":"first","body":"second"})", {}, a);
  EXPECT_EQ(s.code(), StatusCode::kSchema);
  EXPECT_EQ(s.message(), "duplicate key 'body'");
  s = ArticleFromJsonLine(R"({"body":"b","meta":{"k":"1","k":"2"}})", {}, a);
  EXPECT_EQ(s.code(), StatusCode::kSchema);
  EXPECT_EQ(s.message(), "meta: duplicate key 'k'");
  // Issue 13 #13: impossible dates are refused here too.
  EXPECT_EQ(ArticleFromJsonLine(R"({"body":"x","fetched_at":"2026-13-45T99:99:99Z"})", {}, a).code(),
            StatusCode::kSchema);
  EXPECT_EQ(ArticleFromJsonLine(R"({"body":"x","fetched_at":"0001-01-01T00:00:00Z"})", {}, a).code(),
            StatusCode::kSchema);
}

// A named pipe, or a process substitution (`newsflow produce <(zcat
// feed.jsonl.gz)`: /dev/fd/N, a pipe), is read as it comes, as stdin is:
// JSON Lines. Before, anything but a file or a directory was refused as "no
// such file or directory".
TEST(FileProducerTest, ReadsJsonLinesFromANamedPipe) {
  auto dir = TempDir();
  const auto fifo = dir / "feed";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer = WriteToPipeWhenRead(
      fifo, "{\"source\":\"s\",\"body\":\"one\"}\nnot json\n{\"source\":\"s\",\"body\":\"two\"}\n",
      std::chrono::milliseconds(100));
  MemorySink sink;
  FileProducerStats stats;
  std::atomic<bool> stop{false};
  FileProducerOptions o;
  o.stop = &stop;
  Status s = ProduceFromPaths({fifo.string()}, o, sink, stats);
  writer.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(sink.articles.size(), 2u);
  EXPECT_EQ(sink.articles[0].body, "one");
  EXPECT_EQ(sink.articles[1].body, "two");
  ASSERT_EQ(sink.dead.size(), 1u);  // the bad line, with where it was
  EXPECT_NE(sink.dead[0].reason.find(fifo.string() + ":2"), std::string::npos) << sink.dead[0].reason;
}

// A pipe named as text (or --format text/html) is one document: all of it,
// to the writer's close; over the record limit it is a dead letter.
TEST(FileProducerTest, ATextPipeIsOneDocumentUpToTheRecordLimit) {
  auto dir = TempDir();
  const auto fifo = dir / "page.txt";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string text = "First line\n\n" + std::string(3 << 20, 'x') + "\nlast";
  // The pipe written (over several 1 MiB reads) and read with this limit.
  auto produce = [&](size_t max_record_bytes, MemorySink& sink) {
    std::thread writer = WriteToPipeWhenRead(fifo, text);
    FileProducerStats stats;
    FileProducerOptions o;
    o.max_record_bytes = max_record_bytes;
    Status s = ProduceFromPaths({fifo.string()}, o, sink, stats);
    writer.join();
    EXPECT_TRUE(s.ok()) << s.ToString();
  };
  MemorySink whole;
  produce(4 << 20, whole);
  ASSERT_EQ(whole.articles.size(), 1u);
  EXPECT_EQ(whole.articles[0].body, text);
  EXPECT_EQ(whole.articles[0].content_type, ContentType::kTextPlain);
  MemorySink sink;
  produce(1 << 20, sink);
  EXPECT_TRUE(sink.articles.empty());
  ASSERT_EQ(sink.dead.size(), 1u);
  EXPECT_EQ(sink.dead[0].reason_code, "too_large");
  EXPECT_NE(sink.dead[0].reason.find(std::to_string(text.size()) + " bytes"), std::string::npos)
      << sink.dead[0].reason;
}

// A walked directory that holds the run's own output: that file is skipped
// (logged and counted), not read back as input.
TEST(FileProducerTest, TheRunsOwnOutputIsNotReadAsInput) {
  auto dir = TempDir();
  std::ofstream(dir / "site" / "in.jsonl") << "{\"source\":\"s\",\"body\":\"one\"}\n";
  std::ofstream(dir / "site" / "out.jsonl") << "{\"source\":\"s\",\"body\":\"old output\"}\n";
  MemorySink sink;
  FileProducerStats stats;
  FileProducerOptions o;
  o.not_inputs = {(dir / "site" / "." / "out.jsonl").string()};
  ASSERT_TRUE(ProduceFromPaths({(dir / "site").string()}, o, sink, stats).ok());
  ASSERT_EQ(sink.articles.size(), 1u);
  EXPECT_EQ(sink.articles[0].body, "one");
  EXPECT_EQ(stats.skipped_files, 1);
}

// A named pipe whose writer never comes: a stop request ends the wait (a
// blocking open(2) waits for the writer whatever the signals say).
TEST(FileProducerTest, AStopEndsTheWaitForANamedPipesWriter) {
  auto dir = TempDir();
  const auto fifo = dir / "feed.jsonl";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  MemorySink sink;
  FileProducerStats stats;
  std::atomic<bool> stop{false};
  FileProducerOptions o;
  o.stop = &stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  Status s = ProduceFromPaths({fifo.string(), (dir / "never-read.jsonl").string()}, o, sink, stats);
  stopper.join();
  EXPECT_TRUE(s.ok()) << s.ToString();  // stopped: the next path is not looked at
  EXPECT_TRUE(sink.articles.empty());
  EXPECT_TRUE(sink.dead.empty());
}

// In a directory, a named pipe is skipped, logged and counted (it could wait
// for ever for a writer), not read and not passed over in silence.
TEST(FileProducerTest, ANamedPipeInADirectoryIsSkippedAndCounted) {
  auto dir = TempDir();
  ASSERT_EQ(mkfifo((dir / "site" / "pipe.jsonl").c_str(), 0600), 0);
  std::ofstream(dir / "site" / "a.txt") << "Some text";
  MemorySink sink;
  FileProducerStats stats;
  ASSERT_TRUE(ProduceFromPaths({(dir / "site").string()}, {}, sink, stats).ok());
  EXPECT_EQ(sink.articles.size(), 1u);
  EXPECT_EQ(stats.skipped_files, 1);
}

TEST(FileProducerTest, MissingPathIsAnError) {
  MemorySink sink;
  FileProducerStats stats;
  EXPECT_EQ(ProduceFromPaths({"/nonexistent/newsflow"}, {}, sink, stats).code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace newsflow
