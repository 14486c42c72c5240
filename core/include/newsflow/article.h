// Article: the envelope every topic carries, one struct for the whole chain.
//
// A producer fills the raw fields; each stage adds its own section (clean,
// lang, entities) and leaves the others as they are. Top-level members that
// newsflow does not know (a plug-in stage's own section) are kept verbatim in
// `extensions` and written back out, so a chain never drops another stage's
// work. The JSON form is defined by schemas/*.schema.json; codec.h converts.
//
// Offsets (`start`, `end`) are Unicode code points into `clean->text`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace newsflow {

// Envelope version written in every record as "v". Bump on breaking changes.
inline constexpr int kEnvelopeVersion = 1;
// An article id is at most this many characters (schemas/article.v1.schema.json).
inline constexpr int64_t kMaxIdLength = 256;

enum class ContentType { kTextPlain, kTextHtml };
std::string_view ContentTypeName(ContentType t);  // "text/plain", "text/html"

struct CleanSection {
  std::string title;
  std::string text;  // one paragraph per line ('\n'), no trailing newline
  std::optional<std::string> published_at;  // RFC 3339
  std::map<std::string, int64_t> removed;   // reason -> lines/blocks removed
};

struct LangSpan {
  int64_t start = 0;  // code points into clean.text
  int64_t end = 0;
  std::string code;
  double confidence = 0;
};

struct LangSection {
  std::string code;          // ISO 639-1, else 639-3; "und" when unsure
  double confidence = 0;     // 0..1
  std::string script;        // ISO 15924, e.g. "Arab", "Latn"
  std::string engine;        // which detector decided, e.g. "cld2", "fasttext"
  std::vector<LangSpan> spans;  // other-language parts of a mixed article
};

struct Entity {
  std::string text;       // surface form, == clean.text[start, end)
  std::string type;       // PER, LOC, ORG, MISC
  int64_t start = 0;      // code points into clean.text
  int64_t end = 0;
  std::string canonical;  // normalised key: clitics stripped, letters folded
};

// One line per stage that touched the record: who, when, and a short note
// ("unsupported language de", "placeholder: passed through").
struct TraceEntry {
  std::string stage;
  std::string at;    // RFC 3339
  std::string note;  // may be empty
};

struct Article {
  // Raw fields, set by producers.
  std::string id;      // stable: hash of canonical URL, else of content
  std::string source;  // site or feed name
  std::optional<std::string> url;
  std::string fetched_at;  // RFC 3339
  ContentType content_type = ContentType::kTextPlain;
  std::string body;
  std::map<std::string, std::string> meta;  // producer metadata (feed title, summary, lang_hint, ...)

  // Stage sections.
  std::optional<CleanSection> clean;
  std::optional<LangSection> lang;
  std::optional<std::vector<Entity>> entities;
  // Names in clean.title (offsets into it), set by `entities` beside
  // `entities` when the article has a title.
  std::optional<std::vector<Entity>> title_entities;

  std::vector<TraceEntry> trace;
  // Unknown top-level members: name -> raw JSON value, written back verbatim.
  std::vector<std::pair<std::string, std::string>> extensions;

  // The text later stages read: clean.text when present, else the body.
  const std::string& Text() const { return clean ? clean->text : body; }
};

}  // namespace newsflow
