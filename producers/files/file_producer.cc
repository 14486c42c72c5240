#include "file_producer.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <sstream>
#include <vector>

#include "charset.h"
#include "newsflow/codec.h"
#include "newsflow/json_duplicates.h"
#include "newsflow/json_text.h"
#include "newsflow/line_reader.h"
#include "newsflow/text.h"

namespace newsflow {
namespace fs = std::filesystem;
namespace {

enum class Kind { kText, kHtml, kJsonl, kWarc, kUnknown };

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string LowerExtension(const fs::path& p) { return Lower(p.extension().string()); }

Kind KindOf(const fs::path& p, const std::string& format) {
  if (format == "text") return Kind::kText;
  if (format == "html") return Kind::kHtml;
  if (format == "jsonl") return Kind::kJsonl;
  const std::string ext = LowerExtension(p);
  if (ext == ".txt" || ext == ".text") return Kind::kText;
  if (ext == ".html" || ext == ".htm" || ext == ".xhtml") return Kind::kHtml;
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return Kind::kJsonl;
  if (ext == ".warc") return Kind::kWarc;
  return Kind::kUnknown;
}

// Whether a body with no content_type is an HTML page: it starts (after
// white space, a byte-order mark and an XML declaration, as XHTML has) with
// one of the HTML signatures of the WHATWG MIME Sniffing standard (section
// 7.1: "<!DOCTYPE HTML", "<html", "<head", "<body", "<p", "<div", "<table",
// "<!--", ...; any case, followed by a space or ">"; here any white space,
// and "<meta" and "<link" too, which saved pages also start with). A scraped
// page in a JSON line without its content_type was taken as text/plain, its
// markup kept as the article's text. 980 of cleaning-dev's 990 pages start so
// with the standard's list alone, all 990 with these additions.
bool StartsAsHtml(std::string_view body) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  auto skip_space = [&] {
    while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
  };
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  skip_space();
  if (body.substr(0, 5) == "<?xml") {
    size_t end = body.find("?>");
    if (end == std::string_view::npos) return false;
    body.remove_prefix(end + 2);
    skip_space();
  }
  static constexpr std::string_view kSignatures[] = {
      "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a",
      "<style", "<title", "<b", "<body", "<br", "<p", "<meta", "<link"};
  if (body.substr(0, 4) == "<!--") return true;
  for (std::string_view sig : kSignatures) {
    if (body.size() <= sig.size()) continue;
    bool same = true;
    for (size_t i = 0; i < sig.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(body[i])) == sig[i];
    if (same && (body[sig.size()] == '>' || is_space(body[sig.size()]))) return true;
  }
  return false;
}


Status ReadFile(const fs::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return Status::OK();
}

Status DeadLetterInput(ArticleSink& sink, FileProducerStats& stats, const std::string& where,
                       const Status& why, std::string_view payload, int64_t whole_bytes = -1) {
  spdlog::error("produce: {}: {} (sent to dead letters)", where, why.ToString());
  DeadLetter d;
  d.stage = "produce";
  d.reason_code = std::string(StatusCodeName(why.code()));
  d.reason = where + ": " + why.message();
  d.payload.assign(payload);
  d.payload_bytes = whole_bytes;
  d.at = NowRfc3339();
  ++stats.dead_lettered;
  return sink.PublishDeadLetter(d);
}

Status PublishArticle(ArticleSink& sink, FileProducerStats& stats, const Article& a,
                      const std::string& where) {
  Status s = sink.Publish(a);
  if (s.ok()) {
    ++stats.published;
    return s;
  }
  if (s.code() == StatusCode::kTooLarge) {  // the sink dead-lettered it
    spdlog::error("produce: {}: {}", where, s.ToString());
    ++stats.dead_lettered;
    return Status::OK();
  }
  return s.WithContext(where);
}

std::string DefaultSource(const fs::path& p, const FileProducerOptions& o) {
  if (!o.source.empty()) return o.source;
  // File names are bytes; a record is UTF-8 (a name with 0xFF made every
  // article of its folder a dead letter at the first stage).
  std::string parent = Utf8OrReplaced(p.parent_path().filename().string());
  return parent.empty() ? "file" : parent;
}

Status ProduceDocumentBody(const fs::path& p, Kind kind, const std::string& body,
                           const FileProducerOptions& o, ArticleSink& sink, FileProducerStats& stats);

Status OverRecordLimit(const char* what, uintmax_t size, const FileProducerOptions& o,
                       const char* more) {
  return Status::TooLarge(std::string(what) + " of " + std::to_string(size) +
                          " bytes exceeds the record limit of " + std::to_string(o.max_record_bytes) +
                          " bytes (--max-record-bytes)" + more);
}

Status ProduceDocument(const fs::path& p, Kind kind, const FileProducerOptions& o,
                       ArticleSink& sink, FileProducerStats& stats) {
  // Check the size first: reading a 2 GB file to find out costs gigabytes.
  std::error_code size_ec;
  const uintmax_t size = fs::file_size(p, size_ec);
  if (!size_ec && o.max_record_bytes > 0 && size > o.max_record_bytes)
    return DeadLetterInput(sink, stats, p.string(), OverRecordLimit("file", size, o, "; not read"), "");
  std::string body;
  Status r = ReadFile(p, body);
  if (!r.ok()) return DeadLetterInput(sink, stats, p.string(), r, "");
  return ProduceDocumentBody(p, kind, body, o, sink, stats);
}

// A document's bytes, read from a file or a pipe: checked, decoded, published.
Status ProduceDocumentBody(const fs::path& p, Kind kind, const std::string& body,
                           const FileProducerOptions& o, ArticleSink& sink, FileProducerStats& stats) {
  // Text has no NUL bytes, except UTF-16 (which must then start with its BOM).
  if (HasNulBytesOfBinary(body)) {
    return DeadLetterInput(sink, stats, p.string(),
                           Status::Corrupt("not a text file (NUL bytes; UTF-16 text needs a byte-order mark)"),
                           body);
  }
  // The same decoding as `watch` (BOM, <meta charset>, UTF-8, detector).
  auto decoded = DecodeToUtf8(body, "");
  if (!decoded.ok()) return DeadLetterInput(sink, stats, p.string(), decoded.status(), body);
  if (decoded->utf8.find('\0') != std::string::npos) {
    return DeadLetterInput(sink, stats, p.string(),
                           Status::Corrupt("not a text file (NUL bytes after decoding as " + decoded->charset + ")"),
                           body);
  }
  Article a;
  a.source = DefaultSource(p, o);
  a.fetched_at = NowRfc3339();
  a.content_type = kind == Kind::kHtml ? ContentType::kTextHtml : ContentType::kTextPlain;
  a.body = std::move(decoded->utf8);
  a.meta["file"] = Utf8OrReplaced(p.filename().string());
  if (decoded->charset != "UTF-8") a.meta["source_charset"] = decoded->charset;
  a.id = ArticleId("", a.source, a.body);
  return PublishArticle(sink, stats, a, p.string());
}

// A gzip file read as its decompressed bytes (zlib's inflate), so a folder of
// `2026-11-20.jsonl.gz` dumps or a saved `page.html.gz` is read as its inner
// name says (they were skipped as of unknown type, or, named, a dead letter
// "not a text file"). Every byte that decompresses is delivered; a corrupt or
// cut-short stream then makes the istream bad (the reader's "read error" dead
// letter, after the records before it), the reason logged. Not gzread: on a
// cut-short file it returned nothing of its last piece, and after a data
// error gzrewind refused, so the type sniffing's rewind lost the whole file
// without a word. Members one after another (`cat a.gz b.gz`) are read on.
class GzStreamBuf : public std::streambuf {
 public:
  explicit GzStreamBuf(const fs::path& path) : file_(path, std::ios::binary), name_(path.string()) {
    init_ = file_.is_open() && inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK;  // 16: gzip wrapper
  }
  ~GzStreamBuf() override {
    if (init_) inflateEnd(&z_);
  }
  GzStreamBuf(const GzStreamBuf&) = delete;
  GzStreamBuf& operator=(const GzStreamBuf&) = delete;
  bool is_open() const { return init_; }
  const std::string& error() const { return error_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (!error_.empty()) throw std::runtime_error(error_);
    while (!done_) {
      if (z_.avail_in == 0) {
        file_.read(in_, sizeof in_);
        z_.next_in = reinterpret_cast<Bytef*>(in_);
        z_.avail_in = static_cast<uInt>(file_.gcount());
        if (z_.avail_in == 0) {
          if (file_.bad()) return Fail("read error");
          if (!ended_) return Fail(started_ ? "the file ends inside the compressed data (cut short)"
                                            : "an empty file");
          done_ = true;
          break;
        }
      }
      if (ended_) {  // after a member: another one, or trailing bytes (ignored, as gzip does)
        if (z_.next_in[0] != 0x1f) {
          spdlog::warn("produce: {}: bytes after the gzip data ignored", name_);
          done_ = true;
          break;
        }
        inflateReset(&z_);
        ended_ = false;
      }
      started_ = true;
      z_.next_out = reinterpret_cast<Bytef*>(out_);
      z_.avail_out = sizeof out_;
      const int r = inflate(&z_, Z_NO_FLUSH);
      const size_t n = sizeof out_ - z_.avail_out;
      if (r == Z_STREAM_END) {
        ended_ = true;
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        error_ = std::string("gzip: ") + (z_.msg != nullptr ? z_.msg : "corrupt data");
        Log();
        if (n == 0) throw std::runtime_error(error_);
      }
      if (n > 0) {
        setg(out_, out_, out_ + n);
        return traits_type::to_int_type(*gptr());
      }
    }
    return traits_type::eof();
  }
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override {
    if (off == 0 && dir == std::ios_base::beg) return seekpos(0, which);
    return pos_type(off_type(-1));
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode) override {
    if (pos != pos_type(0) || !init_) return pos_type(off_type(-1));
    file_.clear();
    file_.seekg(0);
    inflateReset(&z_);
    z_.avail_in = 0;
    ended_ = done_ = started_ = false;
    error_.clear();
    setg(out_, out_, out_);
    return pos;
  }

 private:
  int_type Fail(const std::string& why) {
    error_ = "gzip: " + why;
    Log();
    throw std::runtime_error(error_);
  }
  void Log() {  // once: the type sniffing reads the start twice
    if (!logged_) spdlog::error("produce: {}: {}", name_, error_);
    logged_ = true;
  }

  std::ifstream file_;
  std::string name_, error_;
  z_stream z_{};
  bool init_ = false, ended_ = false, done_ = false, started_ = false, logged_ = false;
  char in_[1 << 16];
  char out_[1 << 16];
};

class GzIstream : public std::istream {
 public:
  explicit GzIstream(const fs::path& path) : std::istream(nullptr), buf_(path) {
    rdbuf(&buf_);
    if (!buf_.is_open()) setstate(std::ios::failbit);
  }

 private:
  GzStreamBuf buf_;
};

bool ReadFailed(std::istream& in) { return in.bad(); }
bool ReadFailed(StoppableLineReader& in) { return in.failed(); }
// What went wrong reading `in`: a gzip stream's reason, else "read error".
std::string ReadError(std::istream& in) {
  if (auto* gz = dynamic_cast<GzStreamBuf*>(in.rdbuf()); gz != nullptr && !gz->error().empty()) return gz->error();
  return "read error";
}
std::string ReadError(StoppableLineReader&) { return "read error"; }

// `in`: a file's stream, or stdin through StoppableLineReader. Not std::cin:
// synchronised with stdio, it reads a byte a call through locked getc (3 % of
// `run -`'s CPU).
template <typename In>
Status ProduceLines(In&& in, const std::string& name, const FileProducerOptions& o,
                    ArticleSink& sink, FileProducerStats& stats) {
  std::string line;
  int64_t n = 0;
  const size_t max_line = o.max_record_bytes > 0 ? 4 * o.max_record_bytes : SIZE_MAX - 1;
  size_t length = 0;
  while (ReadLineBounded(in, line, max_line + 1, length)) {
    if (++n == 1) StripUtf8Bom(line);  // a file saved with a byte-order mark
    if (length > max_line) {
      NEWSFLOW_RETURN_IF_ERROR(DeadLetterInput(
          sink, stats, name + ":" + std::to_string(n),
          Status::TooLarge("line of " + std::to_string(length) + " bytes is over 4x the record " +
                           "limit of " + std::to_string(o.max_record_bytes) +
                           " bytes (--max-record-bytes)"),
          std::string_view(line).substr(0, 1024), static_cast<int64_t>(length)));
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
    std::string where = name + ":" + std::to_string(n);
    Article a;
    Status s = ArticleFromJsonLine(line, o, a);
    if (!s.ok()) {
      NEWSFLOW_RETURN_IF_ERROR(DeadLetterInput(sink, stats, where, s, line));
      continue;
    }
    NEWSFLOW_RETURN_IF_ERROR(PublishArticle(sink, stats, a, where));
  }
  if (ReadFailed(in))
    return DeadLetterInput(sink, stats, name + ":" + std::to_string(n + 1),
                           Status::Unavailable(ReadError(in) + "; the rest of the file was not read"), "");
  return Status::OK();
}

// The records of a JSON file that is not JSON Lines: an array of records (a
// scraper's export: Scrapy's `-o items.json`, Python's json.dump of a list, on
// one line or pretty-printed) or records one after another, pretty-printed
// (`jq . items.jsonl`, json.dump(indent=2) of one record). Such a file was
// read line by line: every line but a whole one-line record a dead letter
// ("invalid JSON"), so a scraper's 3-item export gave 1 article and 4 dead
// letters. Fed in chunks (a compact array is one line of any length); hands
// each top-level value, and each element of a top-level array, to `emit`
// with the line it starts on. Strings are followed (brackets inside them do
// not count); each value is kept up to `max_value` bytes and measured whole.
class JsonValueSplitter {
 public:
  // emit(value, whole_length, start_line, item_number) -> Status
  using Emit = std::function<Status(std::string_view, size_t, int64_t, int64_t)>;
  JsonValueSplitter(size_t max_value, Emit emit) : max_(max_value), emit_(std::move(emit)) {}

  Status Feed(std::string_view chunk) {
    for (size_t i = 0; i < chunk.size(); ++i) {
      const char c = chunk[i];
      if (in_value_) {
        if (scalar_ && (IsSpace(c) || c == ',' || c == ']' || c == '}')) {
          NEWSFLOW_RETURN_IF_ERROR(EndValue());  // a bare number or word ends here
        } else {
          Keep(c);
          if (in_string_) {
            if (escaped_) escaped_ = false;
            else if (c == '\\') escaped_ = true;
            else if (c == '"') {
              in_string_ = false;
              if (depth_ == 0) NEWSFLOW_RETURN_IF_ERROR(EndValue());  // a top-level string
            }
          } else if (c == '"') {
            in_string_ = true;
          } else if (c == '{' || c == '[') {
            ++depth_;
          } else if ((c == '}' || c == ']') && --depth_ == 0) {
            NEWSFLOW_RETURN_IF_ERROR(EndValue());
          }
          if (c == '\n') ++line_;
          continue;
        }
      }
      // Between values.
      if (c == '\n') ++line_;
      if (IsSpace(c)) continue;
      if (in_array_ && c == ',') continue;
      if (in_array_ && c == ']') {
        in_array_ = false;
        continue;
      }
      if (!in_array_ && c == '[') {  // a top-level array: its elements are the records
        in_array_ = true;
        array_line_ = line_;
        continue;
      }
      in_value_ = true;
      value_.clear();
      length_ = 0;
      start_line_ = line_;
      depth_ = 0;
      scalar_ = !(c == '{' || c == '[' || c == '"');
      Keep(c);
      if (c == '"') in_string_ = true;
      else if (!scalar_) depth_ = 1;
    }
    return Status::OK();
  }

  // The end of the input: a value still open was cut short.
  Status Finish(const std::function<Status(std::string_view, size_t, int64_t, const Status&)>& dead) {
    if (in_value_ && scalar_) NEWSFLOW_RETURN_IF_ERROR(EndValue());
    if (in_value_) {
      in_value_ = false;
      return dead(value_, length_, start_line_,
                  Status::Corrupt("the file ends inside this JSON value: it was cut short"));
    }
    if (in_array_)
      spdlog::warn("produce: the JSON array opened on line {} is not closed (the file was cut short?); "
                   "its {} complete item(s) were read",
                   array_line_, items_);
    return Status::OK();
  }

  int64_t items() const { return items_; }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  void Keep(char c) {
    if (length_ < max_) value_.push_back(c);
    ++length_;
  }
  Status EndValue() {
    in_value_ = scalar_ = in_string_ = escaped_ = false;
    depth_ = 0;
    ++items_;
    return emit_(value_, length_, start_line_, items_);
  }

  size_t max_;
  Emit emit_;
  std::string value_;
  size_t length_ = 0;
  int64_t line_ = 1, start_line_ = 1, array_line_ = 1, items_ = 0;
  int depth_ = 0;
  bool in_value_ = false, scalar_ = false, in_string_ = false, escaped_ = false, in_array_ = false;
};

// Whether a .json file holds JSON that is not JSON Lines: it starts (after a
// byte-order mark and white space) with '[', or with a '{' alone on its line
// (a pretty-printed record). A '{' with more on its line is JSON Lines, read
// line by line as before (a broken line stays one dead letter).
bool IsJsonDocument(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  size_t i = head.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return false;
  if (head[i] == '[') return true;
  if (head[i] != '{') return false;
  size_t j = head.find_first_not_of(" \t\r", i + 1);
  return j == std::string_view::npos || head[j] == '\n';
}

Status ProduceJsonDocument(std::istream& in, const std::string& name, const FileProducerOptions& o,
                           ArticleSink& sink, FileProducerStats& stats) {
  const size_t max_value = o.max_record_bytes > 0 ? 4 * o.max_record_bytes : SIZE_MAX - 1;
  auto where = [&](int64_t line, int64_t item) {
    return name + ":" + std::to_string(line) + " (item " + std::to_string(item) + ")";
  };
  JsonValueSplitter split(max_value, [&](std::string_view value, size_t length, int64_t line, int64_t item) {
    if (length > max_value)
      return DeadLetterInput(sink, stats, where(line, item),
                             Status::TooLarge("record of " + std::to_string(length) + " bytes is over 4x the " +
                                              "record limit of " + std::to_string(o.max_record_bytes) +
                                              " bytes (--max-record-bytes)"),
                             value.substr(0, 1024), static_cast<int64_t>(length));
    Article a;
    Status s = ArticleFromJsonLine(value, o, a);
    if (!s.ok()) return DeadLetterInput(sink, stats, where(line, item), s, value);
    return PublishArticle(sink, stats, a, where(line, item));
  });
  // Straight from the stream's buffer, what it holds at a time: istream::read
  // loses the bytes of a call that a read error (a gzip file cut short) ends.
  std::vector<char> buf(size_t{1} << 20);
  std::streambuf* sb = in.rdbuf();
  bool first = true;
  try {
    for (;;) {
      if (sb->sgetc() == std::streambuf::traits_type::eof()) break;
      const std::streamsize avail = std::min<std::streamsize>(sb->in_avail(), static_cast<std::streamsize>(buf.size()));
      std::string_view chunk(buf.data(), static_cast<size_t>(sb->sgetn(buf.data(), std::max<std::streamsize>(avail, 1))));
      if (first && chunk.substr(0, 3) == "\xEF\xBB\xBF") chunk.remove_prefix(3);
      first = false;
      NEWSFLOW_RETURN_IF_ERROR(split.Feed(chunk));
    }
  } catch (const std::exception&) {
    in.setstate(std::ios::badbit);
  }
  if (ReadFailed(in))
    return DeadLetterInput(sink, stats, name, Status::Unavailable(ReadError(in) + "; the rest of the file was not read"),
                           "");
  return split.Finish([&](std::string_view value, size_t length, int64_t line, const Status& why) {
    return DeadLetterInput(sink, stats, where(line, split.items() + 1), why, value.substr(0, 1024),
                           static_cast<int64_t>(length));
  });
}

// ---- WARC (ISO 28500: web archives, as Common Crawl's CC-NEWS ships news) ----
//
// Each `response` record holding an HTTP response of a web page (2xx;
// text/html, XHTML or text/plain) becomes a text/html or text/plain article:
// url = WARC-Target-URI, fetched_at = WARC-Date, the body de-chunked,
// decompressed (gzip, deflate) and decoded to UTF-8 as `watch` decodes pages
// (the HTTP charset, then the page's own). Other records (warcinfo, request,
// metadata, revisit) and responses that are no page (images, 404s) are
// skipped and counted in one log line a file; a record that cannot be read
// (a header without Content-Length, a page that does not decompress, a file
// that ends inside a record) is a dead letter with the reason.

std::string_view TrimWs(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "Name: value" lines up to a blank one: lower-cased names -> values.
std::map<std::string, std::string> HeaderFields(std::string_view block) {
  std::map<std::string, std::string> h;
  while (!block.empty()) {
    size_t eol = block.find('\n');
    std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    h.emplace(Lower(TrimWs(line.substr(0, colon))), std::string(TrimWs(line.substr(colon + 1))));
  }
  return h;
}

// Decompresses a gzip or zlib/raw deflate body, at most `cap` bytes of output.
Status Inflate(std::string_view in, bool gzip, size_t cap, std::string& out) {
  z_stream z{};
  // gzip: the wrapper; deflate: zlib's wrapper or raw (servers send both), auto.
  if (inflateInit2(&z, gzip ? 16 + MAX_WBITS : 32 + MAX_WBITS) != Z_OK) return Status::Internal("zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  out.clear();
  char buf[1 << 16];
  int r = Z_OK;
  while (r == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > cap) break;
    if (r == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  std::string msg = z.msg != nullptr ? z.msg : "";
  inflateEnd(&z);
  if (out.size() > cap) return Status::TooLarge("decompressed page over " + std::to_string(cap) + " bytes");
  if (r != Z_STREAM_END) return Status::Corrupt("page does not decompress: " + (msg.empty() ? "cut short" : msg));
  return Status::OK();
}

// Transfer-Encoding: chunked, undone.
Status Dechunk(std::string_view in, std::string& out) {
  out.clear();
  for (;;) {
    size_t eol = in.find('\n');
    if (eol == std::string_view::npos) return Status::Corrupt("chunked body cut short");
    std::string_view size_line = TrimWs(in.substr(0, eol));
    size_line = size_line.substr(0, size_line.find(';'));  // chunk extensions
    size_t n = 0;
    auto [ptr, ec] = std::from_chars(size_line.data(), size_line.data() + size_line.size(), n, 16);
    if (ec != std::errc() || ptr != size_line.data() + size_line.size())
      return Status::Corrupt("bad chunk size '" + Utf8OrReplaced(std::string(CutUtf8(size_line, 40))) + "'");
    in.remove_prefix(eol + 1);
    if (n == 0) return Status::OK();
    if (n > in.size()) return Status::Corrupt("chunked body cut short");
    out.append(in.substr(0, n));
    in.remove_prefix(n);
    if (in.substr(0, 2) == "\r\n") in.remove_prefix(2);
    else if (in.substr(0, 1) == "\n") in.remove_prefix(1);
  }
}

std::string HostOf(std::string_view url) {
  size_t at = url.find("://");
  if (at == std::string_view::npos) return "";
  url.remove_prefix(at + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (size_t userinfo = url.rfind('@'); userinfo != std::string_view::npos) url.remove_prefix(userinfo + 1);
  if (!url.empty() && url.front() != '[') url = url.substr(0, url.find(':'));
  return Lower(url);
}

struct WarcCounts {
  int64_t articles = 0, not_response = 0, not_page = 0, not_2xx = 0;
};

// One response record's block (the HTTP response) -> an article, or a reason
// it is none (`skip`: counted, not a dead letter).
Status ArticleFromWarcResponse(const std::map<std::string, std::string>& warc, std::string_view block,
                               const fs::path& p, const FileProducerOptions& o, Article& a,
                               int64_t*& skip, WarcCounts& counts) {
  skip = nullptr;
  size_t head_end = block.find("\r\n\r\n");
  size_t body_at = head_end == std::string_view::npos ? std::string_view::npos : head_end + 4;
  if (head_end == std::string_view::npos) {
    head_end = block.find("\n\n");
    body_at = head_end == std::string_view::npos ? std::string_view::npos : head_end + 2;
  }
  if (head_end == std::string_view::npos) return Status::Corrupt("HTTP response without the end of its header");
  std::string_view head = block.substr(0, head_end);
  std::string_view status_line = head.substr(0, head.find('\n'));
  int status = 0;
  if (status_line.substr(0, 5) != "HTTP/" || status_line.find(' ') == std::string_view::npos)
    return Status::Corrupt("not an HTTP response: '" + Utf8OrReplaced(std::string(CutUtf8(TrimWs(status_line), 60))) + "'");
  std::string_view code = status_line.substr(status_line.find(' ') + 1, 3);
  std::from_chars(code.data(), code.data() + code.size(), status);
  if (status < 200 || status > 299) {
    skip = &counts.not_2xx;
    return Status::OK();
  }
  auto http = HeaderFields(head.substr(status_line.size()));
  const std::string content_type = http.count("content-type") ? http.at("content-type") : "";
  const std::string media = Lower(TrimWs(std::string_view(content_type).substr(0, content_type.find(';'))));
  const bool html = media == "text/html" || media == "application/xhtml+xml";
  std::string_view body = block.substr(body_at);
  if (!html && media != "text/plain" && !(media.empty() && StartsAsHtml(body))) {
    skip = &counts.not_page;
    return Status::OK();
  }
  const size_t cap = o.max_record_bytes > 0 ? o.max_record_bytes : SIZE_MAX - 1;
  std::string dechunked, decompressed;
  if (http.count("transfer-encoding") && Lower(http.at("transfer-encoding")).find("chunked") != std::string::npos) {
    NEWSFLOW_RETURN_IF_ERROR(Dechunk(body, dechunked));
    body = dechunked;
  }
  if (http.count("content-encoding")) {
    const std::string enc = Lower(http.at("content-encoding"));
    if (enc == "gzip" || enc == "x-gzip" || enc == "deflate") {
      NEWSFLOW_RETURN_IF_ERROR(Inflate(body, enc != "deflate", cap, decompressed));
      body = decompressed;
    } else if (!enc.empty() && enc != "identity") {
      return Status::Unavailable("page compressed as '" + Utf8OrReplaced(enc) + "', which newsflow does not decode");
    }
  }
  if (body.size() > cap) return OverRecordLimit("page", body.size(), o, "");
  if (HasNulBytesOfBinary(body)) return Status::Corrupt("not a text page (NUL bytes)");
  auto decoded = DecodeToUtf8(body, content_type);
  if (!decoded.ok()) return decoded.status();
  a = Article();
  a.url = warc.at("warc-target-uri");
  a.source = !o.source.empty() ? o.source : HostOf(*a.url);
  if (a.source.empty()) a.source = DefaultSource(p, o);
  a.fetched_at = NowRfc3339();
  if (warc.count("warc-date")) {
    if (auto t = ParseRfc3339(warc.at("warc-date"))) a.fetched_at = FormatRfc3339(*t);
  }
  a.content_type = html || (media.empty()) ? ContentType::kTextHtml : ContentType::kTextPlain;
  a.body = std::move(decoded->utf8);
  a.meta["file"] = Utf8OrReplaced(p.filename().string());
  if (warc.count("warc-record-id")) a.meta["warc_record_id"] = Utf8OrReplaced(warc.at("warc-record-id"));
  if (decoded->charset != "UTF-8") a.meta["source_charset"] = decoded->charset;
  a.id = ArticleId(*a.url, a.source, a.body);
  ++counts.articles;
  return Status::OK();
}

Status ProduceWarc(std::istream& in, const fs::path& p, const FileProducerOptions& o, ArticleSink& sink,
                   FileProducerStats& stats) {
  const std::string name = p.string();
  // A record's block is held whole: pages within 4x the record limit (the
  // page is checked against the limit after de-chunking and decompression).
  const size_t max_block = o.max_record_bytes > 0 ? 4 * o.max_record_bytes : SIZE_MAX - 1;
  WarcCounts counts;
  std::string line, block;
  size_t length = 0;
  int64_t n = 0;  // records
  auto where = [&](int64_t record) { return name + " (record " + std::to_string(record) + ")"; };
  bool in_record = false;
  while (ReadLineBounded(in, line, 64 * 1024, length)) {
    if (!in_record) {
      if (TrimWs(line).empty()) continue;  // the blank lines between records
      if (line.rfind("WARC/", 0) != 0) {
        NEWSFLOW_RETURN_IF_ERROR(DeadLetterInput(
            sink, stats, where(n + 1),
            Status::Corrupt("not a WARC record: it starts '" + Utf8OrReplaced(std::string(CutUtf8(TrimWs(line), 60))) +
                            "'; the rest of the file was not read"),
            std::string_view(line).substr(0, 1024)));
        return Status::OK();
      }
      in_record = true;
      ++n;
      block.clear();
      continue;
    }
    if (!TrimWs(line).empty()) {  // a header line
      if (block.size() < 1024 * 1024) block.append(line).push_back('\n');
      continue;
    }
    in_record = false;
    auto warc = HeaderFields(block);
    uint64_t content_length = 0;
    const std::string cl = warc.count("content-length") ? warc.at("content-length") : "";
    auto [ptr, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), content_length);
    if (cl.empty() || ec != std::errc() || ptr != cl.data() + cl.size()) {
      NEWSFLOW_RETURN_IF_ERROR(DeadLetterInput(
          sink, stats, where(n),
          Status::Corrupt("WARC record without a valid Content-Length ('" + Utf8OrReplaced(std::string(CutUtf8(cl, 40))) +
                          "'); the rest of the file was not read"),
          block));
      return Status::OK();
    }
    const std::string type = Lower(warc.count("warc-type") ? warc.at("warc-type") : "");
    const bool wanted = type == "response" && warc.count("warc-target-uri") &&
                        Lower(warc.count("content-type") ? warc.at("content-type") : "").find("application/http") == 0;
    std::string payload;
    if (wanted && content_length <= max_block) {
      payload.resize(content_length);
      in.read(payload.data(), static_cast<std::streamsize>(content_length));
      payload.resize(static_cast<size_t>(in.gcount()));
    } else {
      in.ignore(static_cast<std::streamsize>(content_length));  // not needed (or too large): skipped over
    }
    const uint64_t got = wanted && content_length <= max_block ? payload.size() : static_cast<uint64_t>(in.gcount());
    if (got < content_length) {
      NEWSFLOW_RETURN_IF_ERROR(DeadLetterInput(
          sink, stats, where(n),
          Status::Corrupt(in.bad() ? ReadError(in) + " inside the record"
                                   : "the file ends inside this record (" + std::to_string(got) + " of " +
                                         std::to_string(content_length) + " bytes): it was cut short"),
          std::string_view(payload).substr(0, 1024), static_cast<int64_t>(content_length)));
      return Status::OK();
    }
    if (!wanted) {
      ++counts.not_response;
      continue;
    }
    if (content_length > max_block) {
      NEWSFLOW_RETURN_IF_ERROR(DeadLetterInput(sink, stats, where(n),
                                               OverRecordLimit("WARC record", content_length, o, "; skipped"),
                                               "", static_cast<int64_t>(content_length)));
      continue;
    }
    Article a;
    int64_t* skip = nullptr;
    Status st = ArticleFromWarcResponse(warc, payload, p, o, a, skip, counts);
    if (!st.ok()) {
      NEWSFLOW_RETURN_IF_ERROR(DeadLetterInput(sink, stats, where(n) + " " + Utf8OrReplaced(warc.at("warc-target-uri")), st,
                                               std::string_view(payload).substr(0, 1024),
                                               static_cast<int64_t>(payload.size())));
      continue;
    }
    if (skip != nullptr) {
      ++*skip;
      continue;
    }
    NEWSFLOW_RETURN_IF_ERROR(PublishArticle(sink, stats, a, where(n)));
  }
  if (in.bad())
    return DeadLetterInput(sink, stats, where(n + 1),
                           Status::Unavailable(ReadError(in) + "; the rest of the file was not read"), "");
  if (in_record)
    return DeadLetterInput(sink, stats, where(n), Status::Corrupt("the file ends inside this record's header"),
                           block);
  spdlog::info("produce: {}: {} WARC record(s): {} page(s) published; skipped {} not responses (request, "
               "metadata, warcinfo, revisit), {} responses that are no page (media type), {} not 2xx",
               name, n, counts.articles, counts.not_response, counts.not_page, counts.not_2xx);
  stats.skipped_records += counts.not_response + counts.not_page + counts.not_2xx;
  return Status::OK();
}

bool HasGzipMagic(std::string_view head) { return head.size() >= 2 && head[0] == '\x1f' && head[1] == '\x8b'; }

// By name (`ext`: its lower-cased extension, .gz) or by gzip's magic bytes.
bool IsGzip(const fs::path& p, const std::string& ext) {
  if (ext == ".gz") return true;
  std::ifstream in(p, std::ios::binary);
  char magic[2] = {};
  in.read(magic, 2);
  return HasGzipMagic(std::string_view(magic, static_cast<size_t>(in.gcount())));
}

// The first `n` bytes of `in`, which is then back at its start.
std::string Head(std::istream& in, size_t n) {
  std::string h(n, '\0');
  in.read(h.data(), static_cast<std::streamsize>(n));
  h.resize(static_cast<size_t>(in.gcount()));
  in.clear();
  in.seekg(0);
  return h;
}

Status ProducePath(const fs::path& p, const FileProducerOptions& o, ArticleSink& sink,
                   FileProducerStats& stats, bool explicit_file) {
  // A gzip file is typed by its name without ".gz" (feed.jsonl.gz: JSON Lines).
  const std::string ext = LowerExtension(p);
  const bool gz = IsGzip(p, ext);
  const fs::path named = gz && ext == ".gz" ? p.parent_path() / p.stem() : p;
  std::unique_ptr<std::istream> in;
  if (gz) in = std::make_unique<GzIstream>(p);
  else in = std::make_unique<std::ifstream>(p, std::ios::binary);
  if (!*in) return DeadLetterInput(sink, stats, p.string(), Status::NotFound("cannot read"), "");
  Kind kind = KindOf(named, o.format);
  if (kind == Kind::kUnknown) {
    // A page saved under another name (page.php, index.html?p=2, a hash) is
    // HTML when it starts as a page does; else a named file is read as text,
    // and a file met in a directory is skipped.
    if (StartsAsHtml(Head(*in, 1024))) kind = Kind::kHtml;
    else if (explicit_file) kind = Kind::kText;
    else {
      spdlog::warn("produce: skipping {} (unknown file type; use --format)", p.string());
      ++stats.skipped_files;
      return Status::OK();
    }
  }
  if (kind == Kind::kJsonl) {
    if (IsJsonDocument(Head(*in, 4096))) return ProduceJsonDocument(*in, p.string(), o, sink, stats);
    return ProduceLines(*in, p.string(), o, sink, stats);
  }
  if (kind == Kind::kWarc) return ProduceWarc(*in, p, o, sink, stats);
  if (!gz) return ProduceDocument(p, kind, o, sink, stats);
  // Decompressed, up to the record limit (a gzip bomb stops there).
  const size_t cap = o.max_record_bytes > 0 ? o.max_record_bytes : SIZE_MAX - 1;
  std::string body;
  std::vector<char> chunk(size_t{1} << 16);
  while (body.size() <= cap && in->read(chunk.data(), static_cast<std::streamsize>(chunk.size())).gcount() > 0)
    body.append(chunk.data(), static_cast<size_t>(in->gcount()));
  if (in->bad()) return DeadLetterInput(sink, stats, p.string(), Status::Corrupt(ReadError(*in)), "");
  if (body.size() > cap)
    return DeadLetterInput(sink, stats, p.string(), OverRecordLimit("decompressed file", body.size(), o, "; not read on"),
                           "");
  return ProduceDocumentBody(p, kind, body, o, sink, stats);
}

// Says how reading a pipe or stdin ended when a stop request ended it.
void LogStopped(const std::string& name, const StoppableLineReader& in, const char* unit) {
  spdlog::info("{}: stopped waiting for input (stop requested){}", name,
               in.dropped_bytes() > 0 ? std::string(", an unfinished ") + unit + " of " +
                                            std::to_string(in.dropped_bytes()) + " bytes dropped"
                                      : std::string());
}

// JSON Lines from a descriptor that can stay quiet (stdin, a pipe), through
// StoppableLineReader; `stopped`: a stop request ended the wait (logged).
Status ProduceLinesFrom(int fd, const std::string& name, const FileProducerOptions& o,
                        ArticleSink& sink, FileProducerStats& stats, bool& stopped) {
  StoppableLineReader in(fd, o.stop);  // without a flag: waits as a blocking read
  NEWSFLOW_RETURN_IF_ERROR(ProduceLines(in, name, o, sink, stats));
  stopped = in.stopped();
  if (stopped) LogStopped(name, in, "line");
  return Status::OK();
}

// A named pipe, a process substitution (`newsflow produce <(zcat feed.jsonl.gz)`,
// /dev/fd/N) or a character device: read as it comes, as stdin is, and
// stoppable while it is quiet. JSON Lines unless its name or --format says
// text or HTML; then the whole stream, to its end, is one document.
Status ProduceStream(const fs::path& p, const FileProducerOptions& o, ArticleSink& sink,
                     FileProducerStats& stats) {
  const int fd = OpenForReading(p.string());
  if (fd < 0)
    return DeadLetterInput(sink, stats, p.string(),
                           Status::Unavailable(std::string("cannot open: ") + std::strerror(errno)), "");
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  const Kind kind = KindOf(p, o.format);
  if (kind == Kind::kText || kind == Kind::kHtml) {
    StoppableLineReader in(fd, o.stop);
    std::string body;
    size_t length = 0;
    const size_t cap = o.max_record_bytes > 0 ? o.max_record_bytes : SIZE_MAX - 1;
    const bool whole = in.ReadAll(body, cap + 1, length);
    if (in.stopped()) {
      LogStopped(p.string(), in, "document");
      return Status::OK();
    }
    if (!whole)
      return DeadLetterInput(sink, stats, p.string(),
                             Status::Unavailable(std::string("read error: ") + std::strerror(in.error())), "");
    if (length > cap)
      return DeadLetterInput(sink, stats, p.string(), OverRecordLimit("document", length, o, ""), "");
    return ProduceDocumentBody(p, kind, body, o, sink, stats);
  }
  bool stopped = false;
  return ProduceLinesFrom(fd, p.string(), o, sink, stats, stopped);
}

bool Inside(const fs::path& target, const fs::path& root) {
  auto t = target.begin(), r = root.begin();
  for (; r != root.end(); ++r, ++t) {
    if (t == target.end() || *t != *r) return false;
  }
  return true;
}

// Regular files under `dir`. A symbolic link is followed when its target
// stays inside `dir` (a file), or always with follow_symlinks (files and
// directories, each real directory walked once); others, and what is neither
// a file nor a directory (a named pipe, a socket), are skipped, logged and
// counted.
Status ListDirectory(const fs::path& dir, const FileProducerOptions& o, FileProducerStats& stats,
                     std::vector<fs::path>& files) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec) return Status::NotFound("cannot resolve " + dir.string() + ": " + ec.message());
  std::vector<fs::path> visited_dirs = {root};
  auto opts = o.follow_symlinks ? fs::directory_options::follow_directory_symlink : fs::directory_options::none;
  for (auto it = fs::recursive_directory_iterator(dir, opts, ec); !ec && it != fs::end(it); it.increment(ec)) {
    std::error_code e2;
    if (!it->is_symlink(e2)) {
      if (it->is_regular_file(e2)) {
        files.push_back(it->path());
      } else if (!it->is_directory(e2)) {
        // A named pipe or a socket here could wait for ever for a writer: a
        // pipe is read when named on its own.
        spdlog::warn("produce: skipping {} (not a regular file; name a pipe on its own to read it)",
                     it->path().string());
        ++stats.skipped_files;
      }
      continue;
    }
    fs::path target = fs::canonical(it->path(), e2);
    if (e2) {
      spdlog::warn("produce: skipping {} (broken symbolic link)", it->path().string());
      ++stats.skipped_files;
      continue;
    }
    bool is_dir = fs::is_directory(target, e2);
    if (is_dir && o.follow_symlinks) {
      // Links can form cycles: walk each real directory once.
      bool seen = std::find(visited_dirs.begin(), visited_dirs.end(), target) != visited_dirs.end() || Inside(target, root) ||
                  Inside(root, target);
      if (seen) {
        it.disable_recursion_pending();
        spdlog::warn("produce: skipping {} (link to {} already walked)", it->path().string(), target.string());
        ++stats.skipped_files;
      } else {
        visited_dirs.push_back(target);
      }
      continue;
    }
    if (o.follow_symlinks || (Inside(target, root) && !is_dir)) {
      if (fs::is_regular_file(target, e2)) files.push_back(it->path());
      continue;
    }
    spdlog::warn("produce: skipping {} (symbolic link to {} {}; use --follow-symlinks to follow it)",
                 it->path().string(), is_dir ? "directory" : "file", target.string());
    ++stats.skipped_files;
    if (!Inside(target, root)) ++stats.skipped_symlinks;
  }
  if (ec) return Status::Unavailable("cannot walk " + dir.string() + ": " + ec.message());
  return Status::OK();
}

}  // namespace

namespace {

// A JSON pointer for a dotted field name: "article.text" -> "/article/text".
std::string PointerOf(std::string_view dotted) {
  std::string p = "/";
  for (char c : dotted) {
    if (c == '.') p += '/';
    else if (c == '~') p += "~0";
    else if (c == '/') p += "~1";
    else p += c;
  }
  return p;
}

// A record's field `key`, found under the input's name when `--field` maps it.
// `named`: how an error names it ("url (from link)").
bool FieldOf(const simdjson::dom::element& doc, std::string_view key, const FileProducerOptions& o,
             simdjson::dom::element& e, std::string* named = nullptr) {
  auto it = o.fields.find(std::string(key));
  if (named != nullptr) *named = it == o.fields.end() ? std::string(key) : std::string(key) + " (from " + it->second + ")";
  if (it == o.fields.end()) return doc[key].get(e) == simdjson::SUCCESS;
  return doc.at_pointer(PointerOf(it->second)).get(e) == simdjson::SUCCESS;
}

// A field of a partial record: absent or null gives nullopt, a string its
// value; any other type is refused (a number was replaced silently: id 5
// became a hash, fetched_at 5 the time of reading).
Status OptionalString(const simdjson::dom::element& doc, std::string_view key, const FileProducerOptions& o,
                      std::optional<std::string_view>& out) {
  out.reset();
  simdjson::dom::element e;
  std::string named;
  if (!FieldOf(doc, key, o, e, &named) || e.is_null()) return Status::OK();
  std::string_view sv;
  if (e.get_string().get(sv)) return Status::Schema(named + ": expected a string");
  out = sv;
  return Status::OK();
}

// Says which text fields a record without a body has, and how to name one.
std::string BodyHint(simdjson::dom::object& obj) {
  std::string names;
  int n = 0;
  for (auto [k, v] : obj) {
    if (!v.is_string()) continue;
    if (n++ == 8) {
      names += ", ...";
      break;
    }
    names += (names.empty() ? "" : ", ") + std::string(CutUtf8(k, 40));
  }
  if (names.empty()) return "";
  return " (its text fields: " + names + "; name yours with --field body=NAME)";
}

std::string ScrapersDate(const simdjson::dom::element& doc, const FileProducerOptions& o) {
  simdjson::dom::element e;
  if (!FieldOf(doc, "published_at", o, e)) return "";
  std::string_view text;
  if (e.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  double x = 0;
  if (e.get_double().get(x) != simdjson::SUCCESS) {
    int64_t i = 0;
    if (e.get_int64().get(i) != simdjson::SUCCESS) return "";
    x = static_cast<double>(i);
  }
  if (x > 1e11) x /= 1000;  // milliseconds (1e11 s is the year 5138)
  if (!(x > 0 && x < 32503680000.0)) return "";  // 1970 to 3000
  return FormatRfc3339(std::chrono::system_clock::time_point(
      std::chrono::seconds(static_cast<int64_t>(x))));
}

}  // namespace

Status ParseFieldMapping(std::string_view spec, std::map<std::string, std::string>& fields) {
  const size_t eq = spec.find('=');
  const std::string name(spec.substr(0, eq));
  const std::string theirs(eq == std::string_view::npos ? "" : spec.substr(eq + 1));
  // The fields a record may carry under another name.
  static const std::vector<std::string> known = {"body", "url",        "title",        "source",
                                                 "id",   "fetched_at", "content_type", "published_at"};
  std::string list;
  for (const auto& f : known) list += (list.empty() ? "" : ", ") + f;
  if (eq == std::string_view::npos || theirs.empty() || name.empty())
    return Status::InvalidArgument("--field " + std::string(spec) + ": give NAME=INPUT_NAME (NAME one of " + list +
                                   "; INPUT_NAME the field in your records, a.b for a field inside an object)");
  if (std::find(known.begin(), known.end(), name) == known.end())
    return Status::InvalidArgument("--field " + std::string(spec) + ": " + name + " is not one of " + list);
  if (fields.count(name) != 0)
    return Status::InvalidArgument("--field " + std::string(spec) + ": " + name + " is already mapped to " +
                                   fields.at(name));
  fields.emplace(name, theirs);
  return Status::OK();
}

Status ArticleFromJsonLine(std::string_view line, const FileProducerOptions& o, Article& out) {
  // A complete record decodes as is; a partial one is completed here.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto err = ParseJsonText(parser, line).get(doc);
  if (err == simdjson::UTF8_ERROR) return Status::Corrupt("invalid UTF-8");
  if (err) return Status::Corrupt(std::string("invalid JSON: ") + simdjson::error_message(err));
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return Status::Schema("expected a JSON object per record");
  // obj["k"] takes the first of repeated keys, the codec would see the last.
  if (std::string dup = FindDuplicateJsonKey(doc); !dup.empty()) return Status::Schema(dup);
  std::string_view body;
  {
    simdjson::dom::element b;
    std::string named;
    if (!FieldOf(doc, "body", o, b, &named)) {
      auto mapped = o.fields.find("body");
      return Status::Schema(mapped == o.fields.end()
                                ? "missing string field 'body'" + BodyHint(obj)
                                : "missing string field '" + mapped->second + "' (--field body=" + mapped->second + ")");
    }
    if (b.get_string().get(body)) return Status::Schema(named + ": expected a string");
  }
  if (simdjson::dom::element v; obj["v"].get(v) == simdjson::SUCCESS) {
    int64_t version = 0;
    if (v.get_int64().get(version) || version != kEnvelopeVersion)
      return Status::Schema("v: unsupported envelope version " + simdjson::minify(v));
  }
  std::optional<std::string_view> source, url, fetched_at, content_type, title, id;
  NEWSFLOW_RETURN_IF_ERROR(OptionalString(doc, "source", o, source));
  NEWSFLOW_RETURN_IF_ERROR(OptionalString(doc, "url", o, url));
  NEWSFLOW_RETURN_IF_ERROR(OptionalString(doc, "fetched_at", o, fetched_at));
  NEWSFLOW_RETURN_IF_ERROR(OptionalString(doc, "content_type", o, content_type));
  NEWSFLOW_RETURN_IF_ERROR(OptionalString(doc, "title", o, title));
  NEWSFLOW_RETURN_IF_ERROR(OptionalString(doc, "id", o, id));
  out = Article();
  out.body.assign(body);
  out.source = source ? std::string(*source) : (o.source.empty() ? std::string("jsonl") : o.source);
  if (url && !url->empty()) out.url = std::string(*url);
  out.fetched_at = fetched_at ? std::string(*fetched_at) : NowRfc3339();
  if (!ParseRfc3339(out.fetched_at)) return Status::Schema("fetched_at is not RFC 3339");
  std::string ct = "text/plain";
  if (content_type) ct = std::string(*content_type);
  else if (o.format == "html" || StartsAsHtml(body)) ct = "text/html";
  if (ct == "text/html") out.content_type = ContentType::kTextHtml;
  else if (ct == "text/plain") out.content_type = ContentType::kTextPlain;
  else return Status::Schema("content_type must be text/plain or text/html, got '" + ct + "'");
  if (simdjson::dom::element m; obj["meta"].get(m) == simdjson::SUCCESS && !m.is_null()) {
    simdjson::dom::object meta;
    if (m.get_object().get(meta)) return Status::Schema("meta: expected an object");
    for (auto [k, v] : meta) {
      std::string_view sv;
      if (v.get_string().get(sv))
        return Status::Schema("meta." + std::string(k) + ": expected a string (meta values are text)");
      out.meta.emplace(std::string(k), std::string(sv));
    }
  }
  if (title) out.meta["title"] = std::string(*title);
  // The scraper's date, when it gave one: clean reads it when the page states
  // none. Text as written; a number is Unix time (seconds, or milliseconds
  // when it is that large). Anything else is left as it was before this was
  // read: an unknown member.
  if (std::string stated = ScrapersDate(doc, o); !stated.empty()) out.meta["published_at"] = std::move(stated);
  if (id && !id->empty()) out.id = std::string(*id);
  else out.id = ArticleId(out.url.value_or(""), out.source, out.body);
  if (CountCodePoints(out.id) > kMaxIdLength)
    return Status::Schema("id: longer than " + std::to_string(kMaxIdLength) + " characters");
  return Status::OK();
}

std::string RawLineKey(std::string_view line, int64_t n) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view id;
  if (!ParseJsonText(parser, line).get(doc) && doc.is_object() &&
      !doc["id"].get_string().get(id) && !id.empty())
    return std::string(id);
  return std::to_string(n);
}

Status RecordFromJsonLine(std::string_view line, const FileProducerOptions& o, Article& out) {
  thread_local Codec codec;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (ParseJsonText(parser, line).get(doc) || doc.get_object().get(obj))
    return codec.Decode(line, out);  // says what is wrong with it
  static constexpr std::string_view kRequired[] = {"id", "source", "fetched_at", "content_type",
                                                   "body"};
  bool complete = true;
  for (std::string_view k : kRequired) complete = complete && obj[k].error() == simdjson::SUCCESS;
  if (complete) return codec.Decode(line, out);
  Article raw;
  NEWSFLOW_RETURN_IF_ERROR(ArticleFromJsonLine(line, o, raw));
  // The rest (stage sections, a plug-in's own) goes through the codec, which
  // types and checks it: written as members of the completed record, decoded.
  static constexpr std::string_view kRawFields[] = {"v",    "id",           "source", "url",
                                                    "fetched_at", "content_type", "body",
                                                    "meta", "title"};
  for (auto [key, value] : obj) {
    if (std::find(std::begin(kRawFields), std::end(kRawFields), key) != std::end(kRawFields))
      continue;
    raw.extensions.emplace_back(std::string(key), simdjson::minify(value));
  }
  if (raw.extensions.empty()) {
    out = std::move(raw);
    return Status::OK();
  }
  std::string completed;
  Codec::Encode(raw, completed);
  return codec.Decode(completed, out);
}

bool ProduceReadsWhole(const std::string& path, std::string_view head) {
  const std::string ext = LowerExtension(fs::path(path));
  return ext == ".gz" || HasGzipMagic(head) || ext == ".warc" || IsJsonDocument(head);
}

Status ProduceFromPaths(const std::vector<std::string>& paths, const FileProducerOptions& o,
                        ArticleSink& sink, FileProducerStats& stats) {
  for (const std::string& path : paths) {
    if (path == "-") {
      bool stopped = false;
      NEWSFLOW_RETURN_IF_ERROR(ProduceLinesFrom(STDIN_FILENO, "stdin", o, sink, stats, stopped));
      if (stopped) return Status::OK();
      continue;
    }
    fs::path p(path);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      NEWSFLOW_RETURN_IF_ERROR(ListDirectory(p, o, stats, files));
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (std::any_of(o.not_inputs.begin(), o.not_inputs.end(),
                        [&](const std::string& own) { return IsSameFile(f.string(), own); })) {
          spdlog::warn("produce: skipping {} (written by this run: it would read its own output)", f.string());
          ++stats.skipped_files;
          continue;
        }
        NEWSFLOW_RETURN_IF_ERROR(ProducePath(f, o, sink, stats, false));
      }
    } else if (fs::is_regular_file(p, ec)) {
      NEWSFLOW_RETURN_IF_ERROR(ProducePath(p, o, sink, stats, true));
    } else if (fs::exists(p, ec)) {  // a named pipe, <(...), a device
      NEWSFLOW_RETURN_IF_ERROR(ProduceStream(p, o, sink, stats));
      if (o.stop != nullptr && o.stop->load()) return Status::OK();
    } else {
      return Status::NotFound("no such file or directory: " + path);
    }
  }
  return Status::OK();
}

}  // namespace newsflow
