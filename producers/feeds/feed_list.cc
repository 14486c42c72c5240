#include "feed_list.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "feed_parser.h"
#include "newsflow/yaml_keys.h"
#include "xml_safe.h"

namespace newsflow::feeds {
namespace {

std::string HostOf(const std::string& url) {
  // scheme://host[:port]/...
  size_t s = url.find("://");
  if (s == std::string::npos) return url;
  size_t b = s + 3;
  size_t e = url.find_first_of(":/?#", b);
  return url.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

Status ReadInterval(const YAML::Node& n, const std::string& where, std::chrono::seconds& out) {
  long long v = 0;
  try {
    v = n.as<long long>();
  } catch (const YAML::Exception&) {
    return Status::InvalidArgument(where + ".interval_s: not an integer");
  }
  if (v < kMinInterval.count() || v > kMaxInterval.count()) {
    return Status::InvalidArgument(where + ".interval_s: out of range [" +
                                   std::to_string(kMinInterval.count()) + ", " +
                                   std::to_string(kMaxInterval.count()) + "]");
  }
  out = std::chrono::seconds(v);
  return Status::OK();
}

Status Finish(std::vector<FeedConfig>& feeds) {
  std::set<std::string> seen;
  for (size_t i = 0; i < feeds.size(); ++i) {
    FeedConfig& f = feeds[i];
    std::string abs = ResolveUrl("", f.url);
    if (abs.empty()) {
      return Status::InvalidArgument("feeds[" + std::to_string(i) + "].url: not an http(s) URL: " + f.url);
    }
    if (!seen.insert(f.url).second) {
      return Status::InvalidArgument("feeds[" + std::to_string(i) + "].url: duplicate " + f.url);
    }
    if (f.source.empty()) f.source = HostOf(f.url);
  }
  return Status::OK();
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

void CollectOutlines(const xmlNode* node, std::chrono::seconds def,
                     std::vector<FeedConfig>& out, int depth) {
  for (const xmlNode* c = node; c != nullptr && depth < 64; c = c->next) {
    if (!NameIs(c, "outline")) continue;
    std::string url = Attr(c, "xmlUrl");
    if (!url.empty()) {
      FeedConfig f;
      f.url = url;
      f.source = Attr(c, "title");
      if (f.source.empty()) f.source = Attr(c, "text");
      f.lang_hint = Attr(c, "language");
      f.interval = def;
      std::string iv = Attr(c, "newsflowIntervalS");
      if (!iv.empty()) {
        long long v = std::atoll(iv.c_str());
        if (v >= kMinInterval.count() && v <= kMaxInterval.count()) f.interval = std::chrono::seconds(v);
      }
      out.push_back(std::move(f));
    }
    CollectOutlines(c->children, def, out, depth + 1);
  }
}

}  // namespace

Result<std::vector<FeedConfig>> ParseFeedsYaml(std::string_view yaml) {
  // yaml-cpp reports errors by exception; they stop at this adapter.
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("feeds yaml: ") + e.what());
  }
  if (std::string dup = FindDuplicateYamlKey(root); !dup.empty()) {
    return Status::InvalidArgument("feeds yaml: " + dup + "; remove one of them");
  }
  std::vector<FeedConfig> feeds;
  if (!root.IsMap()) return Status::InvalidArgument("feeds yaml: top level must be a map with `feeds:`");
  std::chrono::seconds def_interval{900};
  std::string def_lang;
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>("");
    if (key != "feeds" && key != "defaults") {
      return Status::InvalidArgument("feeds yaml: unknown top-level key `" + key + "`");
    }
  }
  if (const YAML::Node d = root["defaults"]) {
    if (!d.IsMap()) return Status::InvalidArgument("defaults: must be a map");
    for (const auto& kv : d) {
      std::string key = kv.first.as<std::string>("");
      if (key == "interval_s") {
        NEWSFLOW_RETURN_IF_ERROR(ReadInterval(kv.second, "defaults", def_interval));
      } else if (key == "lang_hint") {
        def_lang = kv.second.as<std::string>("");
      } else {
        return Status::InvalidArgument("defaults: unknown key `" + key + "`");
      }
    }
  }
  const YAML::Node list = root["feeds"];
  if (!list) return feeds;
  if (!list.IsSequence()) return Status::InvalidArgument("feeds: must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    std::string where = "feeds[" + std::to_string(i) + "]";
    if (!item.IsMap()) return Status::InvalidArgument(where + ": must be a map");
    FeedConfig f;
    f.interval = def_interval;
    f.lang_hint = def_lang;
    try {
      for (const auto& kv : item) {
        std::string key = kv.first.as<std::string>();
        if (key == "url") {
          f.url = kv.second.as<std::string>();
        } else if (key == "source") {
          f.source = kv.second.as<std::string>();
        } else if (key == "interval_s") {
          NEWSFLOW_RETURN_IF_ERROR(ReadInterval(kv.second, where, f.interval));
        } else if (key == "lang_hint") {
          f.lang_hint = kv.second.as<std::string>();
        } else if (key == "allow_private_addresses") {
          f.allow_private_addresses = kv.second.as<bool>();
        } else if (key == "headers") {
          if (!kv.second.IsMap()) return Status::InvalidArgument(where + ".headers: must be a map");
          for (const auto& h : kv.second) {
            std::string name = h.first.as<std::string>(), value = h.second.as<std::string>();
            if (name.find_first_of(":\r\n") != std::string::npos ||
                value.find_first_of("\r\n") != std::string::npos) {
              return Status::InvalidArgument(where + ".headers: bad header " + name);
            }
            f.headers[name] = value;
          }
        } else {
          return Status::InvalidArgument(where + ": unknown key `" + key + "`");
        }
      }
    } catch (const YAML::Exception& e) {
      return Status::InvalidArgument(where + ": " + e.what());
    }
    if (f.url.empty()) return Status::InvalidArgument(where + ": missing url");
    feeds.push_back(std::move(f));
  }
  NEWSFLOW_RETURN_IF_ERROR(Finish(feeds));
  return feeds;
}

Result<std::vector<FeedConfig>> LoadFeedList(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open feed list " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  Result<std::vector<FeedConfig>> r =
      (first != std::string::npos && text[first] == '<') ? ParseOpml(text) : ParseFeedsYaml(text);
  if (!r.ok()) return r.status().WithContext(path);
  return r;
}

std::string FeedsToYaml(const std::vector<FeedConfig>& feeds) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "feeds" << YAML::Value << YAML::BeginSeq;
  for (const FeedConfig& f : feeds) {
    out << YAML::BeginMap;
    out << YAML::Key << "url" << YAML::Value << f.url;
    out << YAML::Key << "source" << YAML::Value << f.source;
    out << YAML::Key << "interval_s" << YAML::Value << static_cast<long long>(f.interval.count());
    if (!f.lang_hint.empty()) out << YAML::Key << "lang_hint" << YAML::Value << f.lang_hint;
    if (f.allow_private_addresses) out << YAML::Key << "allow_private_addresses" << YAML::Value << true;
    if (!f.headers.empty()) {
      out << YAML::Key << "headers" << YAML::Value << YAML::BeginMap;
      for (const auto& [k, v] : f.headers) out << YAML::Key << k << YAML::Value << v;
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Result<std::vector<FeedConfig>> ParseOpml(std::string_view xml, std::chrono::seconds default_interval) {
  auto doc = ReadUntrustedXml(xml);
  if (!doc.ok()) return doc.status().WithContext("opml");
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  if (!NameIs(root, "opml")) return Status::InvalidArgument("opml: root element is not <opml>");
  const xmlNode* body = nullptr;
  for (const xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (NameIs(c, "body")) body = c;
  }
  std::vector<FeedConfig> feeds;
  if (body != nullptr) CollectOutlines(body->children, default_interval, feeds, 0);
  NEWSFLOW_RETURN_IF_ERROR(Finish(feeds));
  return feeds;
}

std::string FeedsToOpml(const std::vector<FeedConfig>& feeds, std::string_view title) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>" +
      XmlEscape(title) + "</title>\n  </head>\n  <body>\n";
  for (const FeedConfig& f : feeds) {
    out += "    <outline type=\"rss\" text=\"" + XmlEscape(f.source) + "\" title=\"" +
           XmlEscape(f.source) + "\" xmlUrl=\"" + XmlEscape(f.url) + "\"";
    if (!f.lang_hint.empty()) out += " language=\"" + XmlEscape(f.lang_hint) + "\"";
    out += " newsflowIntervalS=\"" + std::to_string(f.interval.count()) + "\"/>\n";
  }
  out += "  </body>\n</opml>\n";
  return out;
}

}  // namespace newsflow::feeds
