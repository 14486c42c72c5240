// File producer: raw articles from files, directories and JSON Lines.
//
// - a .txt file is one text/plain article, .html/.htm one text/html article;
//   a file of another name is text/html when it starts as an HTML page does
//   (page.php, a hash), else skipped in a directory and text when named;
// - a .jsonl file (or "-" for stdin) holds one article a line: either a full
//   raw record (schemas/article.v1) or a partial one with at least "body"
//   (source, url, content_type, fetched_at, id, meta are filled in; a body
//   that starts as an HTML page does is text/html, other bodies text/plain);
//   a .json file that is one JSON document (an array of records, or
//   pretty-printed records one after another) is read record by record;
//   `fields` maps a record's fields from the input's own names;
// - a .warc web archive: each response record holding a 2xx page (HTML or
//   text) is an article (URL and time from the archive); other records are
//   skipped and counted (stats.skipped_records);
// - a gzip file (.gz, or gzip's magic bytes) is read decompressed, typed by
//   its name without .gz; what precedes a cut or corruption is published;
// - a directory is walked recursively in name order. A symbolic link inside
//   it is followed only when its target stays inside the directory, unless
//   `follow_symlinks`; links not followed are logged and counted as skipped.
// .txt and .html files are decoded to UTF-8 like `watch` decodes pages
// (newsflow_charset: BOM, <meta charset>, UTF-8, ICU's detector), and the
// charset used is kept in meta.source_charset when it was not UTF-8.
// Input that cannot become an article (invalid JSON or UTF-8 in JSON Lines,
// a repeated key, a bad date, a line without a body, an unreadable file) is
// dead-lettered with the reason and counted; nothing is skipped silently.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/sink.h"
#include "newsflow/status.h"

namespace newsflow {

struct FileProducerOptions {
  std::string source;  // default source name; "" -> the parent directory's name
  std::string format = "auto";  // auto | text | html | jsonl
  bool follow_symlinks = false;  // also links whose target leaves a walked directory
  // A .txt/.html file larger than this is dead-lettered without being read
  // (its record could never be under the limit); a JSON line longer than 4x
  // this is too (a line's escapes can be longer than the record's). 0: none.
  size_t max_record_bytes = 900 * 1024;
  // stdin ("-") and pipes (a named pipe, `<(zcat feed.jsonl.gz)`) are read
  // through StoppableLineReader: when set, a stop request (or a failed
  // pipeline) ends the wait for their next bytes.
  const std::atomic<bool>* stop = nullptr;
  // Files never read as input: the run's own outputs, met in a directory it
  // walks (skipped, logged and counted; IsSameFile decides).
  std::vector<std::string> not_inputs;
  // A JSON record's fields under the input's own names (`--field
  // body=content`): newsflow's name -> the input's; a dotted name reaches into
  // objects ("article.text"). Built by ParseFieldMapping.
  std::map<std::string, std::string> fields;
};

// Adds one `--field NAME=INPUT_NAME` to `fields` (NAME one of body, url,
// title, source, id, fetched_at, content_type, published_at); an error names
// what is wrong (an unknown NAME, an empty side, NAME mapped twice).
Status ParseFieldMapping(std::string_view spec, std::map<std::string, std::string>& fields);

struct FileProducerStats {
  int64_t published = 0;
  int64_t dead_lettered = 0;
  int64_t skipped_files = 0;  // files of unknown type and links not followed (logged)
  int64_t skipped_symlinks = 0;  // of which: links leaving the directory
  int64_t skipped_records = 0;  // WARC records that are no page (requests, metadata, images, 404s)
};

// Whether the file `path`, whose first bytes (up to 4 KiB) are `head`, is one
// ProduceFromPaths reads as a whole file, not as JSON Lines: gzip (by name or
// magic bytes), a web archive (.warc), or one JSON document (a '[' first, or
// a '{' alone on its first line). For `process`, which reads JSON Lines
// itself and hands such files to ProduceFromPaths.
bool ProduceReadsWhole(const std::string& path, std::string_view head);

// Publishes everything under `paths`. Returns an error only when the sink
// fails (bad input is dead-lettered and counted instead).
Status ProduceFromPaths(const std::vector<std::string>& paths, const FileProducerOptions& options,
                        ArticleSink& sink, FileProducerStats& stats);

// Turns one JSON Lines line into an article (exposed for tests).
Status ArticleFromJsonLine(std::string_view line, const FileProducerOptions& options, Article& out);

// The Kafka key of a line `produce --raw` publishes verbatim: the record's
// "id" when it is a JSON object with a non-empty string id (so an article
// lands in the partition it always does), else the line's number `n`.
std::string RawLineKey(std::string_view line, int64_t n);

// A record for `newsflow process` (a sub-chain applied offline), from one
// JSON Lines line: a complete record (id, source, fetched_at, content_type,
// body) decodes as is; a partial one gets the raw fields `produce` would give
// it (ArticleFromJsonLine: id from url/source/body, fetched_at now, source,
// content_type) and keeps its stage sections (clean, lang, entities, trace, a
// plug-in's own section), checked as the codec checks them.
Status RecordFromJsonLine(std::string_view line, const FileProducerOptions& options, Article& out);

}  // namespace newsflow
