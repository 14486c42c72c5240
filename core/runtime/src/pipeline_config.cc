#include "newsflow/pipeline_config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "newsflow/yaml_keys.h"
#include "newsflow/topics.h"

namespace newsflow {

// Declared in topics.h; defined here so the pipeline loader (and its fuzzer)
// need no Kafka client.
Status CheckNamespace(std::string_view ns) {
  if (ns.size() > 100)
    return Status::InvalidArgument("namespace '" + std::string(ns) + "' is longer than 100 characters");
  for (char c : ns) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok)
      return Status::InvalidArgument("namespace '" + std::string(ns) +
                                     "': only letters, digits, '.', '_' and '-' may be part of topic names");
  }
  return Status::OK();
}

namespace {

// Turns yaml-cpp's nodes into typed values; every error carries FILE:LINE:COL.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  ConfigMark MarkOf(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    return {path_, m.line + 1, m.column + 1};
  }

  Status Error(const YAML::Node& n, const std::string& key, const std::string& what) const {
    return Status::InvalidArgument(MarkOf(n).Describe() + ": " + key + ": " + what);
  }

  // Rejects keys of map `n` that are not in `allowed`.
  Status OnlyKeys(const YAML::Node& n, const std::string& where,
                  const std::set<std::string>& allowed) const {
    if (!n.IsMap()) return Error(n, where, "expected a mapping");
    for (const auto& kv : n) {
      std::string k = kv.first.as<std::string>();
      if (allowed.count(k) == 0) {
        std::string known;
        for (const auto& a : allowed) known += (known.empty() ? "" : ", ") + a;
        return Error(kv.first, where.empty() ? k : where + "." + k,
                     "unknown key (known: " + known + ")");
      }
    }
    return Status::OK();
  }

  Status String(const YAML::Node& n, const std::string& key, std::string& out) const {
    if (!n.IsScalar()) return Error(n, key, "expected a string");
    out = n.Scalar();
    return Status::OK();
  }

  Status Int(const YAML::Node& n, const std::string& key, int lo, int hi, int& out) const {
    if (!n.IsScalar()) return Error(n, key, "expected an integer");
    const std::string& s = n.Scalar();
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
      return Error(n, key, "expected an integer, got '" + s + "'");
    if (v < lo || v > hi)
      return Error(n, key,
                   "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + s);
    out = v;
    return Status::OK();
  }

  // A mapping of scalars (kafka properties, env).
  Status ScalarMap(const YAML::Node& n, const std::string& key,
                   std::vector<std::pair<std::string, std::string>>& out) const {
    if (!n.IsMap()) return Error(n, key, "expected a mapping of key: value");
    for (const auto& kv : n) {
      std::string k = kv.first.as<std::string>();
      if (!kv.second.IsScalar()) return Error(kv.second, key + "." + k, "expected a scalar value");
      out.emplace_back(k, kv.second.Scalar());
    }
    return Status::OK();
  }

  Status Stage(const YAML::Node& n, size_t index, StageConfig& s) const {
    std::string where = "stages[" + std::to_string(index) + "]";
    if (n.IsScalar()) {  // "- clean": a built-in with no settings
      s.name = n.Scalar();
      s.mark = MarkOf(n);
      return Status::OK();
    }
    NEWSFLOW_RETURN_IF_ERROR(OnlyKeys(
        n, where, {"name", "plugin", "command", "env", "settings", "instances", "output"}));
    s.mark = MarkOf(n);
    if (!n["name"]) return Error(n, where + ".name", "missing (every stage needs a name)");
    NEWSFLOW_RETURN_IF_ERROR(String(n["name"], where + ".name", s.name));
    if (s.name.empty() || s.name.size() > 100 ||
        s.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789-_") != std::string::npos)
      return Error(n["name"], where + ".name",
                   "'" + s.name + "' is not a valid stage name (letters, digits, - and _)");
    where = "stages." + s.name;
    if (n["plugin"] && n["command"])
      return Error(n["command"], where, "give either plugin or command, not both");
    if (const auto p = n["plugin"]) {
      s.kind = StageConfig::Kind::kPlugin;
      NEWSFLOW_RETURN_IF_ERROR(String(p, where + ".plugin", s.plugin_path));
      std::filesystem::path pp(s.plugin_path);
      if (pp.is_relative()) {
        // Relative to the working directory when it exists there, else to the file.
        std::filesystem::path alt = std::filesystem::path(path_).parent_path() / pp;
        // The non-throwing overloads: a path the system refuses (a name over
        // 255 bytes: ENAMETOOLONG) is simply not there; opening it says why.
        std::error_code ec_here, ec_alt;
        if (!std::filesystem::exists(pp, ec_here) && std::filesystem::exists(alt, ec_alt))
          s.plugin_path = alt.string();
      }
    }
    if (const auto c = n["command"]) {
      s.kind = StageConfig::Kind::kCommand;
      if (c.IsScalar()) return Error(c, where + ".command", "expected a list: [program, arg, ...]");
      if (!c.IsSequence() || c.size() == 0)
        return Error(c, where + ".command", "expected a non-empty list: [program, arg, ...]");
      for (const auto& a : c) {
        std::string arg;
        NEWSFLOW_RETURN_IF_ERROR(String(a, where + ".command[]", arg));
        s.command.push_back(arg);
      }
    }
    if (const auto e = n["env"]) {
      if (s.kind != StageConfig::Kind::kCommand)
        return Error(e, where + ".env", "only command stages take env");
      std::vector<std::pair<std::string, std::string>> kv;
      NEWSFLOW_RETURN_IF_ERROR(ScalarMap(e, where + ".env", kv));
      for (auto& [k, v] : kv) s.env[k] = v;
    }
    if (const auto st = n["settings"]) {
      if (!st.IsMap()) return Error(st, where + ".settings", "expected a mapping of key: value");
      for (const auto& kv : st) {
        std::string k = kv.first.as<std::string>();
        if (!kv.second.IsScalar())
          return Error(kv.second, where + ".settings." + k, "expected a scalar value");
        s.settings[k] = ConfigValue{kv.second.Scalar(), MarkOf(kv.second)};
      }
    }
    if (const auto i = n["instances"])
      NEWSFLOW_RETURN_IF_ERROR(Int(i, where + ".instances", 1, 64, s.instances));
    if (const auto o = n["output"])
      NEWSFLOW_RETURN_IF_ERROR(String(o, where + ".output", s.output_topic));
    return Status::OK();
  }

  Status Root(const YAML::Node& root, PipelineConfig& c) const {
    if (!root || root.IsNull()) return Status::InvalidArgument(path_ + ": empty pipeline file");
    NEWSFLOW_RETURN_IF_ERROR(
        OnlyKeys(root, "", {"version", "namespace", "kafka", "metrics", "topics", "stages", "sinks", "delivery"}));
    if (const auto v = root["version"]) {
      int version = 0;
      NEWSFLOW_RETURN_IF_ERROR(Int(v, "version", 1, 1000, version));
      if (version != 1) return Error(v, "version", "this newsflow reads version 1 pipeline files");
    }
    if (const auto ns = root["namespace"]) {
      NEWSFLOW_RETURN_IF_ERROR(String(ns, "namespace", c.ns));
      Status s = CheckNamespace(c.ns);
      if (!s.ok()) return Error(ns, "namespace", s.message());
    }
    if (const auto k = root["kafka"]) {
      NEWSFLOW_RETURN_IF_ERROR(OnlyKeys(k, "kafka", {"brokers", "properties"}));
      if (k["brokers"]) NEWSFLOW_RETURN_IF_ERROR(String(k["brokers"], "kafka.brokers", c.brokers));
      if (k["properties"])
        NEWSFLOW_RETURN_IF_ERROR(
            ScalarMap(k["properties"], "kafka.properties", c.kafka_properties));
    }
    if (const auto d = root["delivery"]) {
      NEWSFLOW_RETURN_IF_ERROR(String(d, "delivery", c.delivery));
      if (c.delivery != "at_least_once" && c.delivery != "exactly_once")
        return Error(d, "delivery", "expected at_least_once or exactly_once, got '" + c.delivery + "'");
    }
    if (const auto m = root["metrics"]) {
      NEWSFLOW_RETURN_IF_ERROR(OnlyKeys(m, "metrics", {"addr"}));
      if (m["addr"]) NEWSFLOW_RETURN_IF_ERROR(String(m["addr"], "metrics.addr", c.metrics_addr));
    }
    if (const auto t = root["topics"]) {
      NEWSFLOW_RETURN_IF_ERROR(
          OnlyKeys(t, "topics", {"raw", "dead_letters", "partitions", "replication_factor"}));
      if (t["raw"]) NEWSFLOW_RETURN_IF_ERROR(String(t["raw"], "topics.raw", c.raw_topic));
      if (t["dead_letters"])
        NEWSFLOW_RETURN_IF_ERROR(
            String(t["dead_letters"], "topics.dead_letters", c.dead_letter_topic));
      if (t["partitions"])
        NEWSFLOW_RETURN_IF_ERROR(Int(t["partitions"], "topics.partitions", 1, 256, c.partitions));
      if (t["replication_factor"])
        NEWSFLOW_RETURN_IF_ERROR(
            Int(t["replication_factor"], "topics.replication_factor", 1, 32, c.replication_factor));
      // One topic for both would feed every dead letter back in as an article
      // (a loop with separate processes; `run` could not create its topics).
      if (c.raw_topic == c.dead_letter_topic)
        return Error(t["dead_letters"] ? t["dead_letters"] : t["raw"], "topics.dead_letters",
                     "'" + c.dead_letter_topic +
                         "' is also topics.raw: dead letters need a topic of their own");
    }
    const auto stages = root["stages"];
    if (!stages) return Error(root, "stages", "missing (the stage chain)");
    if (!stages.IsSequence() || stages.size() == 0)
      return Error(stages, "stages", "expected a non-empty list of stages");
    std::set<std::string> names;
    for (size_t i = 0; i < stages.size(); ++i) {
      StageConfig s;
      NEWSFLOW_RETURN_IF_ERROR(Stage(stages[i], i, s));
      if (!names.insert(s.name).second)
        return Error(stages[i], "stages." + s.name, "a stage of this name is already in the chain");
      c.stages.push_back(std::move(s));
    }
    if (const auto s = root["sinks"]) {
      NEWSFLOW_RETURN_IF_ERROR(OnlyKeys(s, "sinks", {"articles", "dead_letters"}));
      if (s["articles"])
        NEWSFLOW_RETURN_IF_ERROR(String(s["articles"], "sinks.articles", c.articles_output));
      if (s["dead_letters"])
        NEWSFLOW_RETURN_IF_ERROR(
            String(s["dead_letters"], "sinks.dead_letters", c.dead_letters_output));
    }
    return Status::OK();
  }

 private:
  std::string path_;
};

}  // namespace

std::string ConfigMark::Describe() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const StageConfig* PipelineConfig::FindStage(const std::string& name) const {
  for (const auto& s : stages) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// The line (from 1) where a second YAML document starts, 0 when there is
// none: YAML::Load keeps the first document and ignores the rest (a pipeline
// pasted twice, a stray `---`). Found from the text: a `---` or `...` marker
// line (column 0, then a blank or the end) ends a document that had content,
// and content after it is a second one. (yaml-cpp's LoadAll would say so too,
// but it loops for ever on some malformed input: fuzz_pipeline_config,
// fuzz/corpus/pipeline_config/regress-loadall-hang.)
static int SecondDocumentLine(std::string_view text) {
  bool content = false, ended = false;
  int n = 0;
  for (size_t at = 0; at <= text.size();) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++n;
    auto has_content = [](std::string_view v) {
      size_t i = v.find_first_not_of(" \t\r");
      return i != std::string_view::npos && v[i] != '#';
    };
    const bool marker = (line.substr(0, 3) == "---" || line.substr(0, 3) == "...") &&
                        (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    if (marker) {
      if (content) ended = true;
      if (line[0] == '-' && has_content(line.substr(3))) {  // "--- {stages: ...}"
        if (ended) return n;
        content = true;
      }
      continue;
    }
    if (!has_content(line) || line[0] == '%') continue;  // blank, comment, directive
    if (ended) return n;
    content = true;
  }
  return 0;
}

Result<PipelineConfig> ParsePipelineConfig(const std::string& text, const std::string& path) {
  if (int second = SecondDocumentLine(text); second > 0)
    return Status::InvalidArgument(path + ":" + std::to_string(second) +
                                   ": a second YAML document (after ---): a pipeline file holds one");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) +
                                   ": not valid YAML: " + e.msg);
  }
  // Two values for one key: yaml-cpp would keep both and readers disagree.
  if (std::string dup = FindDuplicateYamlKey(root); !dup.empty()) {
    return Status::InvalidArgument(path + ": " + dup + "; remove one of them");
  }
  PipelineConfig c;
  c.path = path;
  try {
    Status s = Reader(path).Root(root, c);
    if (!s.ok()) return s;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return c;
}

Result<PipelineConfig> LoadPipelineConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read pipeline file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParsePipelineConfig(ss.str(), path);
}

Result<Settings> CheckStageSettings(const StageConfig& stage,
                                    const std::vector<OptionSpec>& specs) {
  std::map<std::string, std::string> given;
  for (const auto& [key, v] : stage.settings) {
    // One key at a time, so the message can carry that key's line.
    auto one = Settings::Parse(specs, {{key, v.value}}, "stages." + stage.name + ".settings");
    if (!one.ok())
      return Status::InvalidArgument(v.mark.Describe() + ": " + one.status().message());
    given[key] = v.value;
  }
  return Settings::Parse(specs, given, "stages." + stage.name + ".settings");
}

}  // namespace newsflow
