// An out-of-tree newsflow stage in C++, loaded from a shared object through
// the C ABI in <newsflow/plugin_abi.h>. Records arrive and leave as JSON
// bytes, so this file needs no newsflow library, only the header.
//
// What it does: dead-letters records containing the `block` setting (if set)
// and adds its own top-level section, {"tagger":{"bytes":N,"tag":"<tag>"}},
// to every other record. A real stage would parse the JSON with the library
// of its choice (nlohmann/json, simdjson, RapidJSON); this one only appends a
// member before the record's closing brace, which keeps it dependency-free.
#include <newsflow/plugin_abi.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

struct Tagger {
  std::string tag;
  std::string block;
  std::string out;  // the record we hand back; valid until the next call
  std::string reason;
};

// Reads "key":"value" from the flat settings object newsflow passes to create().
std::string Setting(const char* json, size_t len, const std::string& key) {
  std::string s(json, len);
  std::string pat = "\"" + key + "\":\"";
  size_t at = s.find(pat);
  if (at == std::string::npos) return "";
  at += pat.size();
  std::string v;
  for (size_t i = at; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    v += s[i];
  }
  return v;
}

std::string Escaped(const std::string& v) {
  std::string o;
  for (char c : v) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) o += c;
  }
  return o;
}

void* Create(const char* settings, size_t len, char* error, size_t error_len) {
  auto* t = new Tagger;
  t->tag = Setting(settings, len, "tag");
  t->block = Setting(settings, len, "block");
  if (t->tag.empty()) {
    std::snprintf(error, error_len, "setting 'tag' must not be empty");
    delete t;
    return nullptr;
  }
  return t;
}

int Process(void* instance, const char* record, size_t len, newsflow_result_v1* result) {
  auto* t = static_cast<Tagger*>(instance);
  std::string_view in(record, len);
  if (!t->block.empty() && in.find(t->block) != std::string_view::npos) {
    t->reason = "contains blocked text '" + t->block + "'";
    result->verdict = NEWSFLOW_DEAD_LETTER;
    result->reason = t->reason.c_str();
    return 0;
  }
  size_t close = in.rfind('}');
  if (close == std::string_view::npos) {
    result->reason = "record is not a JSON object";
    return 1;
  }
  t->out.assign(in.substr(0, close));
  t->out +=
      ",\"tagger\":{\"bytes\":" + std::to_string(len) + ",\"tag\":\"" + Escaped(t->tag) + "\"}}";
  result->verdict = NEWSFLOW_FORWARD;
  result->record = t->out.data();
  result->record_len = t->out.size();
  return 0;
}

void Destroy(void* instance) { delete static_cast<Tagger*>(instance); }

const newsflow_option_v1 kOptions[] = {
    {"tag", "string", "example", "Written into every record's tagger section"},
    {"block", "string", "", "Dead-letter records whose JSON contains this text; empty: never"},
};

const newsflow_plugin_v1 kPlugin = {
    NEWSFLOW_PLUGIN_ABI_VERSION,
    sizeof(newsflow_plugin_v1),
    "tagger",
    "Adds a tagger section with the record's size and a fixed tag",
    kOptions,
    sizeof kOptions / sizeof kOptions[0],
    Create,
    Process,
    Destroy,
};

}  // namespace

// Built with hidden visibility (CMakeLists.txt), so the entry point is marked
// for export; everything else stays private to the shared object.
extern "C" NEWSFLOW_PLUGIN_EXPORT const newsflow_plugin_v1* newsflow_plugin(void) {
  return &kPlugin;
}
