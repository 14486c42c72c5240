// HTML -> blocks: parses a page with libxml2's HTML parser (recovering, no
// network), decodes the declared or sniffed charset to UTF-8, and flattens the
// DOM into text blocks with the features BlockCleaner uses (link density,
// heading, tag/class/id hints). Also reads title and publication-date metadata.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "block_cleaner.h"
#include "newsflow/status.h"
#include "normalize.h"

namespace newsflow::clean {

struct HtmlPage {
  std::vector<Block> blocks;
  std::string title;                      // best headline: <h1> matching <title>, og:title, <title>
  std::optional<std::string> published;  // RFC 3339 from meta / <time> / JSON-LD
  std::optional<std::string> time_element;  // the first other <time datetime>: a weaker hint
  std::vector<std::pair<int, int>> ranges;  // container element -> block range [first, last)
  std::string site_name;                  // og:site_name, normalised ("" if none)
};

// A page with a tag of more attributes is refused unread (kRejected): libxml2
// compares each attribute of a tag with all its others before the time
// budget can be checked (MostHtmlAttributes in the .cc).
inline constexpr size_t kMaxHtmlAttributes = 1000;

// `charset_hint`: from the HTTP Content-Type when the producer kept it ("" if not).
// Fails with kTimeout past `deadline`, kCorrupt when nothing parses, kRejected
// for a tag of over kMaxHtmlAttributes attributes.
Result<HtmlPage> ExtractHtml(std::string_view html, std::string_view charset_hint,
                             const Normalizer& norm,
                             std::chrono::steady_clock::time_point deadline);

}  // namespace newsflow::clean
