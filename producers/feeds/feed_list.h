// The feed list: which feeds to watch, how often, with which hints.
//
// YAML is the native form (unknown keys are rejected so typos surface at
// load time); OPML 2.0 is supported for import from and export to feed readers.
//
//   defaults:            # optional; applies to every feed that does not say
//     interval_s: 900
//   feeds:
//     - url: https://example.org/rss.xml
//       source: example      # the Article.source and the metrics label
//       interval_s: 300      # optional
//       lang_hint: en        # optional
//       headers: {X-Api-Key: "..."}   # optional extra request headers
//       allow_private_addresses: true # optional: an intranet feed (loopback,
//                                     # private, link-local targets allowed for
//                                     # this feed and its pages on the same host)
//
// A key given twice in any map is an error naming its line.
//
// Thread-safety: pure functions over values.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/status.h"

namespace newsflow::feeds {

struct FeedConfig {
  std::string url;
  std::string source;  // defaults to the URL's host when not given
  std::chrono::seconds interval{900};
  std::string lang_hint;
  std::map<std::string, std::string> headers;
  bool allow_private_addresses = false;

  bool operator==(const FeedConfig&) const = default;
};

// Bounds applied to every interval read from a file.
inline constexpr std::chrono::seconds kMinInterval{1};
inline constexpr std::chrono::seconds kMaxInterval{7 * 24 * 3600};

// Parses the YAML form. Errors name the offending feed (by index) and key.
// Duplicate URLs are rejected: a feed's identity is its URL.
Result<std::vector<FeedConfig>> ParseFeedsYaml(std::string_view yaml);
// Reads `path` and picks the parser by content: OPML when the document is XML
// with an <opml> root, else YAML.
Result<std::vector<FeedConfig>> LoadFeedList(const std::string& path);

std::string FeedsToYaml(const std::vector<FeedConfig>& feeds);

// OPML 2.0: every <outline> carrying xmlUrl (nested folders are flattened).
// source <- title, else text; interval <- newsflowIntervalS; lang_hint <- language.
Result<std::vector<FeedConfig>> ParseOpml(std::string_view xml,
                                          std::chrono::seconds default_interval = std::chrono::seconds(900));
// Headers are not exported: they often carry credentials.
std::string FeedsToOpml(const std::vector<FeedConfig>& feeds, std::string_view title = "newsflow feeds");

}  // namespace newsflow::feeds
