#include "newsflow/codec.h"

#include <simdjson.h>

#include <string>

#include "newsflow/json_duplicates.h"
#include "newsflow/json_text.h"
#include "newsflow/json_writer.h"
#include "newsflow/text.h"

namespace newsflow {

namespace dom = simdjson::dom;

struct Codec::Impl {
  dom::parser parser;
};

Codec::Codec() : impl_(std::make_unique<Impl>()) {}
Codec::~Codec() = default;

namespace {

std::string BadDate(std::string_view field, std::string_view value) {
  std::string shown(value.substr(0, 64));
  return std::string(field) + ": '" + shown + (value.size() > 64 ? "...'" : "'") +
         " is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ or an offset; a real calendar date, "
         "years " + std::to_string(kMinRfc3339Year) + " to " + std::to_string(kMaxRfc3339Year) + ")";
}

Status TypeError(std::string_view where, std::string_view want) {
  return Status::Schema(std::string(where) + ": expected " + std::string(want));
}

Status GetString(dom::element e, std::string_view where, std::string& out) {
  std::string_view sv;
  if (e.get_string().get(sv)) return TypeError(where, "a string");
  out.assign(sv);
  return Status::OK();
}

Status GetInt(dom::element e, std::string_view where, int64_t& out) {
  if (e.get_int64().get(out)) {
    uint64_t u;
    if (!e.get_uint64().get(u)) return TypeError(where, "an integer in range");
    return TypeError(where, "an integer");
  }
  return Status::OK();
}

Status GetDouble(dom::element e, std::string_view where, double& out) {
  if (e.get_double().get(out)) {
    int64_t i;
    if (e.get_int64().get(i)) return TypeError(where, "a number");
    out = static_cast<double>(i);
  }
  return Status::OK();
}

Status DecodeClean(dom::element e, CleanSection& c) {
  dom::object o;
  if (e.get_object().get(o)) return TypeError("clean", "an object");
  bool has_text = false;  // title, published_at and removed are optional
  for (auto [key, value] : o) {
    if (key == "title") {
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "clean.title", c.title));
    } else if (key == "text") {
      has_text = true;
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "clean.text", c.text));
    } else if (key == "published_at") {
      if (value.is_null()) {
        c.published_at.reset();
      } else {
        std::string s;
        NEWSFLOW_RETURN_IF_ERROR(GetString(value, "clean.published_at", s));
        c.published_at = std::move(s);
      }
    } else if (key == "removed") {
      dom::object r;
      if (value.get_object().get(r)) return TypeError("clean.removed", "an object");
      for (auto [reason, count] : r) {
        int64_t n;
        NEWSFLOW_RETURN_IF_ERROR(GetInt(count, "clean.removed value", n));
        c.removed[std::string(reason)] = n;
      }
    }
  }
  if (!has_text) return Status::Schema("clean: missing text");
  return Status::OK();
}

Status DecodeLang(dom::element e, LangSection& l) {
  dom::object o;
  if (e.get_object().get(o)) return TypeError("lang", "an object");
  bool has_code = false;
  for (auto [key, value] : o) {
    if (key == "code") {
      has_code = true;
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "lang.code", l.code));
    } else if (key == "confidence") {
      NEWSFLOW_RETURN_IF_ERROR(GetDouble(value, "lang.confidence", l.confidence));
    } else if (key == "script") {
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "lang.script", l.script));
    } else if (key == "engine") {
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "lang.engine", l.engine));
    } else if (key == "spans") {
      dom::array arr;
      if (value.get_array().get(arr)) return TypeError("lang.spans", "an array");
      for (dom::element s : arr) {
        dom::object so;
        if (s.get_object().get(so)) return TypeError("lang.spans[]", "an object");
        LangSpan span;
        for (auto [k, v] : so) {
          if (k == "start") NEWSFLOW_RETURN_IF_ERROR(GetInt(v, "lang.spans[].start", span.start));
          else if (k == "end") NEWSFLOW_RETURN_IF_ERROR(GetInt(v, "lang.spans[].end", span.end));
          else if (k == "code") NEWSFLOW_RETURN_IF_ERROR(GetString(v, "lang.spans[].code", span.code));
          else if (k == "confidence")
            NEWSFLOW_RETURN_IF_ERROR(GetDouble(v, "lang.spans[].confidence", span.confidence));
        }
        l.spans.push_back(std::move(span));
      }
    }
  }
  if (!has_code) return Status::Schema("lang: missing code");
  return Status::OK();
}

// The names an entity list's messages use: "entities" or "title_entities".
struct EntityFieldNames {
  std::string_view list, item, text, type, start, end, canonical;
};
constexpr EntityFieldNames kEntityNames{"entities", "entities[]", "entities[].text", "entities[].type",
                                        "entities[].start", "entities[].end", "entities[].canonical"};
constexpr EntityFieldNames kTitleEntityNames{"title_entities", "title_entities[]", "title_entities[].text",
                                             "title_entities[].type", "title_entities[].start",
                                             "title_entities[].end", "title_entities[].canonical"};

Status DecodeEntities(dom::element e, std::vector<Entity>& out, const EntityFieldNames& n) {
  dom::array arr;
  if (e.get_array().get(arr)) return TypeError(n.list, "an array");
  for (dom::element item : arr) {
    dom::object o;
    if (item.get_object().get(o)) return TypeError(n.item, "an object");
    Entity ent;
    for (auto [k, v] : o) {
      if (k == "text") NEWSFLOW_RETURN_IF_ERROR(GetString(v, n.text, ent.text));
      else if (k == "type") NEWSFLOW_RETURN_IF_ERROR(GetString(v, n.type, ent.type));
      else if (k == "start") NEWSFLOW_RETURN_IF_ERROR(GetInt(v, n.start, ent.start));
      else if (k == "end") NEWSFLOW_RETURN_IF_ERROR(GetInt(v, n.end, ent.end));
      else if (k == "canonical") NEWSFLOW_RETURN_IF_ERROR(GetString(v, n.canonical, ent.canonical));
    }
    out.push_back(std::move(ent));
  }
  return Status::OK();
}

Status DecodeTrace(dom::element e, std::vector<TraceEntry>& out) {
  dom::array arr;
  if (e.get_array().get(arr)) return TypeError("trace", "an array");
  for (dom::element item : arr) {
    dom::object o;
    if (item.get_object().get(o)) return TypeError("trace[]", "an object");
    TraceEntry t;
    for (auto [k, v] : o) {
      if (k == "stage") NEWSFLOW_RETURN_IF_ERROR(GetString(v, "trace[].stage", t.stage));
      else if (k == "at") NEWSFLOW_RETURN_IF_ERROR(GetString(v, "trace[].at", t.at));
      else if (k == "note") NEWSFLOW_RETURN_IF_ERROR(GetString(v, "trace[].note", t.note));
    }
    out.push_back(std::move(t));
  }
  return Status::OK();
}

}  // namespace

Status Codec::Decode(std::string_view json, Article& out) {
  out = Article();
  dom::element doc;
  // The input is copied into the parser's padded buffer (realloc_if_needed).
  auto err = ParseJsonText(impl_->parser, json).get(doc);
  if (err == simdjson::UTF8_ERROR) return Status::Corrupt("invalid UTF-8");
  if (err) return Status::Corrupt(std::string("invalid JSON: ") + simdjson::error_message(err));
  dom::object root;
  if (doc.get_object().get(root)) return Status::Schema("record: expected a JSON object");
  // simdjson keeps repeated keys: refuse them, or readers would disagree on the value.
  if (std::string dup = FindDuplicateJsonKey(doc); !dup.empty()) return Status::Schema("record: " + dup);

  bool has_id = false, has_source = false, has_fetched = false, has_ct = false, has_body = false;
  for (auto [key, value] : root) {
    if (key == "v") {
      int64_t v;
      NEWSFLOW_RETURN_IF_ERROR(GetInt(value, "v", v));
      if (v != kEnvelopeVersion)
        return Status::Schema("v: unsupported envelope version " + std::to_string(v));
    } else if (key == "id") {
      has_id = true;
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "id", out.id));
      if (out.id.empty()) return Status::Schema("id: must not be empty");
      if (out.id.size() > kMaxIdLength && CountCodePoints(out.id) > kMaxIdLength)
        return Status::Schema("id: longer than " + std::to_string(kMaxIdLength) + " characters");
    } else if (key == "source") {
      has_source = true;
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "source", out.source));
    } else if (key == "url") {
      if (!value.is_null()) {
        std::string u;
        NEWSFLOW_RETURN_IF_ERROR(GetString(value, "url", u));
        out.url = std::move(u);
      }
    } else if (key == "fetched_at") {
      has_fetched = true;
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "fetched_at", out.fetched_at));
    } else if (key == "content_type") {
      has_ct = true;
      std::string_view ct;
      if (value.get_string().get(ct)) return TypeError("content_type", "a string");
      if (ct == "text/plain") out.content_type = ContentType::kTextPlain;
      else if (ct == "text/html") out.content_type = ContentType::kTextHtml;
      else return Status::Schema("content_type: must be text/plain or text/html");
    } else if (key == "body") {
      has_body = true;
      NEWSFLOW_RETURN_IF_ERROR(GetString(value, "body", out.body));
    } else if (key == "meta") {
      dom::object m;
      if (value.get_object().get(m)) return TypeError("meta", "an object");
      for (auto [mk, mv] : m) {
        std::string s;
        NEWSFLOW_RETURN_IF_ERROR(GetString(mv, "meta values", s));
        out.meta.emplace(std::string(mk), std::move(s));
      }
    } else if (key == "clean") {
      out.clean.emplace();
      NEWSFLOW_RETURN_IF_ERROR(DecodeClean(value, *out.clean));
    } else if (key == "lang") {
      out.lang.emplace();
      NEWSFLOW_RETURN_IF_ERROR(DecodeLang(value, *out.lang));
    } else if (key == "entities") {
      out.entities.emplace();
      NEWSFLOW_RETURN_IF_ERROR(DecodeEntities(value, *out.entities, kEntityNames));
    } else if (key == "title_entities") {
      out.title_entities.emplace();
      NEWSFLOW_RETURN_IF_ERROR(DecodeEntities(value, *out.title_entities, kTitleEntityNames));
    } else if (key == "trace") {
      NEWSFLOW_RETURN_IF_ERROR(DecodeTrace(value, out.trace));
    } else {
      out.extensions.emplace_back(std::string(key), simdjson::minify(value));
    }
  }
  if (!has_id) return Status::Schema("missing required field 'id'");
  if (!has_source) return Status::Schema("missing required field 'source'");
  if (!has_fetched) return Status::Schema("missing required field 'fetched_at'");
  if (!has_ct) return Status::Schema("missing required field 'content_type'");
  if (!has_body) return Status::Schema("missing required field 'body'");
  // Dates are used for arithmetic downstream: check them here, once.
  if (!ParseRfc3339(out.fetched_at)) return Status::Schema(BadDate("fetched_at", out.fetched_at));
  if (out.clean && out.clean->published_at && !ParseRfc3339(*out.clean->published_at)) {
    return Status::Schema(BadDate("clean.published_at", *out.clean->published_at));
  }
  return Status::OK();
}

void Codec::Encode(const Article& a, std::string& out) {
  out.reserve(out.size() + a.body.size() + (a.clean ? a.clean->text.size() : 0) + 512);
  JsonWriter w(out);
  w.BeginObject();
  w.Key("v").Int(kEnvelopeVersion);
  w.Key("id").String(a.id);
  w.Key("source").String(a.source);
  w.Key("url");
  if (a.url) w.String(*a.url); else w.Null();
  w.Key("fetched_at").String(a.fetched_at);
  w.Key("content_type").String(ContentTypeName(a.content_type));
  w.Key("body").String(a.body);
  if (!a.meta.empty()) {
    w.Key("meta").BeginObject();
    for (const auto& [k, v] : a.meta) w.Key(k).String(v);
    w.EndObject();
  }
  if (a.clean) {
    const CleanSection& c = *a.clean;
    w.Key("clean").BeginObject();
    w.Key("title").String(c.title);
    w.Key("text").String(c.text);
    w.Key("published_at");
    if (c.published_at) w.String(*c.published_at); else w.Null();
    w.Key("removed").BeginObject();
    for (const auto& [k, v] : c.removed) w.Key(k).Int(v);
    w.EndObject();
    w.EndObject();
  }
  if (a.lang) {
    const LangSection& l = *a.lang;
    w.Key("lang").BeginObject();
    w.Key("code").String(l.code);
    w.Key("confidence").Double(l.confidence);
    w.Key("script").String(l.script);
    if (!l.engine.empty()) w.Key("engine").String(l.engine);
    w.Key("spans").BeginArray();
    for (const auto& s : l.spans) {
      w.BeginObject();
      w.Key("start").Int(s.start).Key("end").Int(s.end);
      w.Key("code").String(s.code).Key("confidence").Double(s.confidence);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  auto write_entities = [&w](const char* key, const std::vector<Entity>& list) {
    w.Key(key).BeginArray();
    for (const auto& e : list) {
      w.BeginObject();
      w.Key("text").String(e.text).Key("type").String(e.type);
      w.Key("start").Int(e.start).Key("end").Int(e.end);
      w.Key("canonical").String(e.canonical);
      w.EndObject();
    }
    w.EndArray();
  };
  if (a.entities) write_entities("entities", *a.entities);
  if (a.title_entities) write_entities("title_entities", *a.title_entities);
  if (!a.trace.empty()) {
    w.Key("trace").BeginArray();
    for (const auto& t : a.trace) {
      w.BeginObject();
      w.Key("stage").String(t.stage).Key("at").String(t.at);
      if (!t.note.empty()) w.Key("note").String(t.note);
      w.EndObject();
    }
    w.EndArray();
  }
  for (const auto& [k, raw] : a.extensions) w.Key(k).Raw(raw);
  w.EndObject();
}

std::string_view ContentTypeName(ContentType t) {
  return t == ContentType::kTextHtml ? "text/html" : "text/plain";
}

}  // namespace newsflow
