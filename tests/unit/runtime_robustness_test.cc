// FileOutput (a failed write is reported, `done` runs only after the line is
// synced) and bounded line reading (a huge line is not held whole).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <thread>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "file_producer.h"
#include "memory_sink.h"
#include "newsflow/line_reader.h"
#include "newsflow/runner.h"
#include "support/temp_dir.h"

namespace newsflow {
namespace {

// The test's own directory, removed after the test.
testing::ScopedTempDir TempDir(const std::string& name) { return testing::ScopedTempDir("nf-rr-" + name + "-"); }

TEST(FileOutputTest, AFailedWriteIsReportedAndItsRecordNeverDone) {
  auto out = FileOutput::Open("/dev/full", "/dev/full");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  int done = 0;
  Status s = (*out)->Send("k", "{\"a\":1}", 0, [&](const Status&) { ++done; });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot write to /dev/full"), std::string::npos) << s.ToString();
  (*out)->Poll(1);
  EXPECT_EQ(done, 0) << "a record that was not written must never be reported done";
  // Every later record fails too, dead letters included.
  EXPECT_FALSE((*out)->SendDeadLetter("k", "{}", [&](const Status&) { ++done; }).ok());
  EXPECT_FALSE((*out)->Flush(std::chrono::milliseconds(10)).ok());
  EXPECT_EQ(done, 0);
}

// A line cut short by a full disk is taken off again, so the file holds whole
// lines only (RLIMIT_FSIZE stands in for the full disk: the second line is
// written in part, then the write fails with EFBIG); the whole line before it
// is reported done.
TEST(FileOutputTest, ALineWrittenInPartIsCutOffAgain) {
  auto dir = TempDir("partial");
  std::string path = (dir / "out.jsonl").string();
  auto out = FileOutput::Open(path, (dir / "dead.jsonl").string());
  ASSERT_TRUE(out.ok());
  const std::string first = "{\"n\":\"" + std::string(40, 'a') + "\"}";
  int first_ok = 0, first_failed = 0;
  ASSERT_TRUE((*out)->Send("k", first, 0, [&](const Status& st) { st.ok() ? ++first_ok : ++first_failed; }).ok());
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit lim = old;
  lim.rlim_cur = first.size() + 1 + 20;  // room for 20 bytes of the second line
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
  Status s = (*out)->Send("k", "{\"n\":\"" + std::string(40, 'b') + "\"}", 0, [](const Status&) {});
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot write to"), std::string::npos) << s.ToString();
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  EXPECT_EQ(all.str(), first + "\n") << "the part of the second line must be cut off";
  // The first line is whole in the file: done, not failed with the second
  // (a sink counted it unsent and, restarted, wrote it again).
  (*out)->Poll(1);
  EXPECT_EQ(first_ok, 1);
  EXPECT_EQ(first_failed, 0);
}

// The output file deleted under a running sink: the lines written since the
// last sync fail (so their offsets are not committed) and so does every later
// one; before, it went on writing to the deleted file, every record reported
// done and committed, exit 0. Renamed away (rotated): the renamed file keeps
// its lines and a new file at the path gets the next ones, nothing failing.
TEST(FileOutputTest, ADeletedFileFailsARotatedOneIsReopened) {
  auto dir = TempDir("deleted");
  const std::string path = (dir / "out.jsonl").string();
  auto out = FileOutput::Open(path, (dir / "dead.jsonl").string());
  ASSERT_TRUE(out.ok());
  int ok = 0, failed = 0;
  auto count = [&](const Status& s) { s.ok() ? ++ok : ++failed; };
  ASSERT_TRUE((*out)->Send("k", "{\"n\":0}", 0, count).ok());
  ASSERT_TRUE((*out)->Flush(std::chrono::milliseconds(10)).ok());
  std::filesystem::rename(path, path + ".1");  // rotated
  ASSERT_TRUE((*out)->Send("k", "{\"n\":1}", 0, count).ok());
  ASSERT_TRUE((*out)->Flush(std::chrono::milliseconds(10)).ok());
  ASSERT_TRUE((*out)->Send("k", "{\"n\":2}", 0, count).ok());
  ASSERT_TRUE((*out)->Flush(std::chrono::milliseconds(10)).ok());
  EXPECT_EQ(ok, 3);
  auto read = [](const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(read(path + ".1"), "{\"n\":0}\n{\"n\":1}\n");
  EXPECT_EQ(read(path), "{\"n\":2}\n");
  std::filesystem::remove(path);  // deleted
  ASSERT_TRUE((*out)->Send("k", "{\"n\":3}", 0, count).ok());
  Status s = (*out)->Flush(std::chrono::milliseconds(10));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("was deleted while being written"), std::string::npos) << s.ToString();
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(failed, 1);
  EXPECT_FALSE((*out)->Send("k", "{\"n\":4}", 0, count).ok());
}

TEST(FileOutputTest, DoneRunsOnceTheLineIsSynced) {
  auto dir = TempDir("sync");
  std::string path = (dir / "out.jsonl").string();
  auto out = FileOutput::Open(path, (dir / "dead.jsonl").string());
  ASSERT_TRUE(out.ok());
  int ok = 0;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE((*out)->Send("k", "{\"n\":" + std::to_string(i) + "}", 0, [&](const Status& s) {
      if (s.ok()) ++ok;
    }).ok());
  ASSERT_TRUE((*out)->SendDeadLetter("k", "{\"dead\":1}", [&](const Status& s) {
    if (s.ok()) ++ok;
  }).ok());
  (*out)->Poll(0);  // within 100 ms of the last sync: not yet
  EXPECT_EQ(ok, 0);
  ASSERT_TRUE((*out)->Flush(std::chrono::milliseconds(10)).ok());
  EXPECT_EQ(ok, 4);
  std::ifstream in(path);
  std::string a, b, c, d;
  std::getline(in, a);
  std::getline(in, b);
  std::getline(in, c);
  EXPECT_EQ(a + b + c, "{\"n\":0}{\"n\":1}{\"n\":2}");
  EXPECT_FALSE(std::getline(in, d));
}

// Dead letters kept in memory, acknowledged at once; Blocked when told.
class HeldDeadLetters : public RecordOutput {
 public:
  Status Send(std::string_view, std::string_view, int64_t, Done) override {
    return Status::Internal("articles do not come here");
  }
  Status SendDeadLetter(std::string_view, std::string_view value, Done done) override {
    values.emplace_back(value);
    done(Status::OK());
    return Status::OK();
  }
  void Poll(int) override { ++polls; }
  Status Flush(std::chrono::milliseconds) override { return Status::OK(); }
  bool Blocked() const override { return blocked; }
  std::string HoldReason() const override { return "dead letters behind"; }
  std::string Describe() const override { return "held"; }
  std::vector<std::string> values;
  int polls = 0;
  bool blocked = false;
};

// `run --fuse` on its own embedded broker: articles to the file (done once
// synced, as a sink's are), dead letters to the dead-letter output; a hold of
// the dead letters holds the runner; a file that cannot be written fails its
// articles and nothing else.
TEST(SplitOutputTest, ArticlesToTheFileDeadLettersToTheirOwnOutput) {
  auto dir = TempDir("split");
  const std::string path = (dir / "out.jsonl").string();
  auto file = FileOutput::Open(path, "");
  ASSERT_TRUE(file.ok());
  auto held = std::make_unique<HeldDeadLetters>();
  HeldDeadLetters* dead = held.get();
  SplitOutput out(std::move(*file), std::move(held));
  EXPECT_EQ(out.Describe(), path);
  int articles = 0, letters = 0;
  ASSERT_TRUE(out.Send("a", "{\"n\":1}", 0, [&](const Status& s) { articles += s.ok(); }).ok());
  ASSERT_TRUE(out.SendDeadLetter("b", "{\"dead\":1}", [&](const Status& s) { letters += s.ok(); }).ok());
  EXPECT_EQ(letters, 1);
  EXPECT_EQ(dead->values, std::vector<std::string>{"{\"dead\":1}"});
  out.Poll(0);  // within 100 ms of the file's opening: not synced, not done
  EXPECT_EQ(articles, 0);
  out.Poll(1);
  EXPECT_EQ(articles, 1);
  EXPECT_GE(dead->polls, 2);
  std::stringstream written;
  written << std::ifstream(path).rdbuf();
  EXPECT_EQ(written.str(), "{\"n\":1}\n");
  EXPECT_FALSE(out.Blocked());
  dead->blocked = true;
  EXPECT_TRUE(out.Blocked());
  EXPECT_EQ(out.HoldReason(), "dead letters behind");

  auto full = FileOutput::Open("/dev/full", "");
  ASSERT_TRUE(full.ok());
  SplitOutput failing(std::move(*full), std::make_unique<HeldDeadLetters>());
  EXPECT_FALSE(failing.Send("a", "{}", 0, [](const Status&) {}).ok());
  EXPECT_TRUE(failing.SendDeadLetter("b", "{}", [](const Status&) {}).ok());
  EXPECT_FALSE(failing.Flush(std::chrono::milliseconds(10)).ok());
}

// "short\n" + big + "\n\nend" read through either reader: the overlong line
// measured and cut to 1,000 bytes (not held whole), the empty line kept, the
// unfinished last line returned at the end of the input.
template <typename In>
void ExpectShortBigEmptyEnd(In& in, const std::string& big) {
  std::string line;
  size_t length = 0;
  ASSERT_TRUE(ReadLineBounded(in, line, 1000, length));
  EXPECT_EQ(line, "short");
  ASSERT_TRUE(ReadLineBounded(in, line, 1000, length));
  EXPECT_EQ(length, big.size());
  EXPECT_EQ(line, big.substr(0, 1000));
  ASSERT_TRUE(ReadLineBounded(in, line, 1000, length));
  EXPECT_EQ(line, "");
  ASSERT_TRUE(ReadLineBounded(in, line, 1000, length));
  EXPECT_EQ(line, "end");
  EXPECT_FALSE(ReadLineBounded(in, line, 1000, length));
}

TEST(LineReaderTest, AnOverlongLineIsMeasuredNotHeld) {
  std::string big(10 * 1024 * 1024, 'x');
  std::istringstream in("short\n" + big + "\n\nend");
  ExpectShortBigEmptyEnd(in, big);
  EXPECT_FALSE(in.bad());
}

// Lines around the reader's 16 KiB pieces: each whole (or cut at the bound),
// its full length measured, the last one without a newline kept.
TEST(LineReaderTest, LinesAcrossItsPiecesAreWhole) {
  const std::vector<size_t> sizes = {0, 1, 16382, 16383, 16384, 16385, 40000, 16383};
  std::string all;
  for (size_t i = 0; i < sizes.size(); ++i) {
    all += std::string(sizes[i], static_cast<char>('a' + i));
    if (i + 1 < sizes.size()) all += '\n';
  }
  for (size_t bound : {size_t{1} << 20, size_t{16383}, size_t{100}}) {
    std::istringstream in(all);
    std::string line;
    size_t length = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      ASSERT_TRUE(ReadLineBounded(in, line, bound, length)) << i;
      EXPECT_EQ(length, sizes[i]) << i;
      EXPECT_EQ(line, std::string(std::min(sizes[i], bound), static_cast<char>('a' + i))) << i;
    }
    EXPECT_FALSE(ReadLineBounded(in, line, bound, length));
    EXPECT_FALSE(in.bad());
  }
}

// A read error (a directory opened as a file: EISDIR) ends the reading and
// is said by the stream's badbit, not taken for the end of the input.
TEST(LineReaderTest, AReadErrorIsNotTheEndOfTheInput) {
  std::ifstream in(::testing::TempDir(), std::ios::binary);
  ASSERT_TRUE(in.is_open());
  std::string line;
  size_t length = 0;
  EXPECT_FALSE(ReadLineBounded(in, line, 100, length));
  EXPECT_TRUE(in.bad());
}

// Writes `all` into the pipe's write end 64 KiB at a time from a new thread,
// then closes it.
std::thread WriteAndClose(int fd, std::string all) {
  return std::thread([fd, all = std::move(all)] {
    for (size_t at = 0; at < all.size();) {
      ssize_t n = write(fd, all.data() + at, std::min<size_t>(65536, all.size() - at));
      ASSERT_GT(n, 0);
      at += static_cast<size_t>(n);
    }
    close(fd);
  });
}

// The reader of stdin: lines across its 1 MiB reads, an overlong line
// measured and cut, an unfinished last line kept at the end of the input.
TEST(StoppableLineReaderTest, ReadsLinesAsStdioDoes) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string big(3 * 1024 * 1024, 'x');  // spans several reads
  std::thread writer = WriteAndClose(fds[1], "short\n" + big + "\n\nend");
  std::atomic<bool> stop{false};
  StoppableLineReader in(fds[0], &stop);
  ExpectShortBigEmptyEnd(in, big);
  EXPECT_FALSE(in.failed());
  EXPECT_FALSE(in.stopped());
  writer.join();
  close(fds[0]);
}

// A pipe that stays open and quiet: setting the flag ends the wait (a
// blocking read would wait for the next byte), and the unfinished line that
// was waiting for its end is dropped and counted, not passed on as a line.
TEST(StoppableLineReaderTest, AStopEndsTheWaitOnAQuietPipe) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "one\ntw", 6), 6);
  std::atomic<bool> stop{false};
  StoppableLineReader in(fds[0], &stop, 20);
  std::string line;
  size_t length = 0;
  ASSERT_TRUE(ReadLineBounded(in, line, 100, length));
  EXPECT_EQ(line, "one");
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  EXPECT_FALSE(ReadLineBounded(in, line, 100, length));  // returns only because of the flag
  stopper.join();
  EXPECT_TRUE(in.stopped());
  EXPECT_FALSE(in.failed());
  EXPECT_EQ(in.dropped_bytes(), 2u);
  EXPECT_FALSE(ReadLineBounded(in, line, 100, length));
  close(fds[1]);
  close(fds[0]);
}

// A document read whole from a pipe: kept up to the limit and measured; a
// stop while the writer has not finished drops it (counted), not returned.
TEST(StoppableLineReaderTest, ReadAllKeepsUpToTheLimitAndDropsAnUnfinishedPieceOnAStop) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::thread writer = WriteAndClose(fds[1], std::string(3 * 1024 * 1024, 'y'));
  std::atomic<bool> stop{false};
  StoppableLineReader in(fds[0], &stop);
  std::string out;
  size_t length = 0;
  EXPECT_TRUE(in.ReadAll(out, 1000, length));
  EXPECT_EQ(length, 3u * 1024 * 1024);
  EXPECT_EQ(out, std::string(1000, 'y'));
  EXPECT_FALSE(in.ReadAll(out, 1000, length));  // at the end
  writer.join();
  close(fds[0]);

  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "abc", 3), 3);  // and the writer stays
  StoppableLineReader quiet(fds[0], &stop, 20);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  EXPECT_FALSE(quiet.ReadAll(out, 1000, length));
  stopper.join();
  EXPECT_TRUE(quiet.stopped());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(quiet.dropped_bytes(), 3u);
  close(fds[1]);
  close(fds[0]);
}

// A named pipe without a reader: OpenForWriting waits for one (open(2)
// would, whatever the signals say) until the stop flag is set, then says so;
// with a reader it opens at once, blocking.
TEST(OpenForWritingTest, WaitsForANamedPipesReaderUntilAStop) {
  const auto dir = TempDir("ofw");
  const std::string fifo = (dir / "pipe").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto stopped = OpenForWriting(fifo, 0, &stop);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().message(), "stopped before a reader opened the named pipe " + fifo);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(250));  // it waited
  stopper.join();
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  auto opened = OpenForWriting(fifo, 0, &stop);  // a reader: at once, even with the flag set
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const int fd = *opened;
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(write(fd, "x\n", 2), 2);
  char buf[4];
  EXPECT_EQ(read(reader, buf, sizeof buf), 2);
  close(fd);
  close(reader);
}

// One file under two names (a link, ./, a file not made yet) is the same
// file; devices such as /dev/null are never a clash.
TEST(IsSameFileTest, ComparesFilesNotNames) {
  const auto tmp = TempDir("same");
  const std::string dir = tmp.string();
  std::ofstream(dir + "/a.jsonl") << "x\n";
  std::ofstream(dir + "/b.jsonl") << "x\n";
  std::filesystem::create_symlink(dir + "/a.jsonl", dir + "/link");
  EXPECT_TRUE(IsSameFile(dir + "/a.jsonl", dir + "/link"));
  EXPECT_TRUE(IsSameFile(dir + "/a.jsonl", dir + "/./a.jsonl"));
  EXPECT_FALSE(IsSameFile(dir + "/a.jsonl", dir + "/b.jsonl"));  // same bytes, other file
  EXPECT_TRUE(IsSameFile(dir + "/new.jsonl", dir + "/../" + std::filesystem::path(dir).filename().string() + "/new.jsonl"));
  EXPECT_FALSE(IsSameFile(dir + "/new.jsonl", dir + "/a.jsonl"));
  EXPECT_FALSE(IsSameFile("/dev/null", "/dev/null"));
  const int fd = open((dir + "/link").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(IsSameFile(fd, dir + "/a.jsonl"));
  EXPECT_FALSE(IsSameFile(fd, dir + "/b.jsonl"));
  close(fd);
}

// A read error (stdin is a directory) is reported with its errno.
TEST(StoppableLineReaderTest, AReadErrorIsReported) {
  int fd = open("/", O_RDONLY);
  ASSERT_GE(fd, 0);
  std::atomic<bool> stop{false};
  StoppableLineReader in(fd, &stop);
  std::string line;
  size_t length = 0;
  EXPECT_FALSE(ReadLineBounded(in, line, 100, length));
  EXPECT_TRUE(in.failed());
  EXPECT_EQ(in.error(), EISDIR);
  close(fd);
}

using testing::MemorySink;

TEST(FileProducerLimitsTest, AFileOverTheRecordLimitIsDeadLetteredUnread) {
  auto dir = TempDir("huge");
  auto big = dir / "huge.txt";
  { std::ofstream(big) << "x"; }
  std::filesystem::resize_file(big, 2ull * 1024 * 1024 * 1024);  // sparse
  MemorySink sink;
  FileProducerStats stats;
  FileProducerOptions o;
  ASSERT_TRUE(ProduceFromPaths({big.string()}, o, sink, stats).ok());
  EXPECT_TRUE(sink.articles.empty());
  ASSERT_EQ(sink.dead.size(), 1u);
  EXPECT_EQ(sink.dead[0].reason_code, "too_large");
  EXPECT_NE(sink.dead[0].reason.find("2147483648 bytes exceeds the record limit"), std::string::npos)
      << sink.dead[0].reason;
  EXPECT_TRUE(sink.dead[0].payload.empty());
  std::filesystem::remove_all(dir);
}

TEST(FileProducerLimitsTest, AnOverlongJsonLineIsDeadLetteredAndTheRestFlows) {
  auto dir = TempDir("line");
  auto f = dir / "in.jsonl";
  {
    std::ofstream out(f);
    out << R"({"body":")" << std::string(100000, 'y') << "\"}\n";
    out << R"({"body":"fine"})" << "\n";
  }
  MemorySink sink;
  FileProducerStats stats;
  FileProducerOptions o;
  o.max_record_bytes = 10000;  // lines over 40,000 bytes are not held
  ASSERT_TRUE(ProduceFromPaths({f.string()}, o, sink, stats).ok());
  ASSERT_EQ(sink.articles.size(), 1u);
  EXPECT_EQ(sink.articles[0].body, "fine");
  ASSERT_EQ(sink.dead.size(), 1u);
  EXPECT_EQ(sink.dead[0].reason_code, "too_large");
  EXPECT_LE(sink.dead[0].payload.size(), 1024u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace newsflow
