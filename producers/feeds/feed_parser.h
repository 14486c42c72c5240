// Feed documents -> items: RSS 2.0, RSS 1.0 (RDF), Atom 1.0, news sitemaps.
//
// Parsing goes through ReadUntrustedXml (xml_safe.h), item by item: each item
// is read as its end tag comes and freed, so memory follows the largest item,
// not the document. Links are resolved
// against the feed's own URL; dates are normalised to RFC 3339 when they can
// be read, else left empty.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "newsflow/status.h"

namespace newsflow::feeds {

enum class FeedFormat { kRss2, kRss1, kAtom, kNewsSitemap };
std::string_view FeedFormatName(FeedFormat f);  // "rss2", "rss1", "atom", "sitemap"

struct FeedItem {
  std::string guid;       // <guid>, <id>, rdf:about; may be empty
  std::string link;       // absolute URL of the article page; may be empty
  std::string title;
  std::string summary;    // <description> / <summary>: HTML or text as given
  std::string content;    // <content:encoded> / <content>: HTML as given
  std::string published;  // RFC 3339 or ""
  std::string language;   // per-item language (news sitemaps), else ""
};

struct ParsedFeed {
  FeedFormat format = FeedFormat::kRss2;
  std::string title;
  std::string language;  // channel <language> / xml:lang, else ""
  std::vector<FeedItem> items;  // document order, at most max_items
  // The document ended early (truncated, or libxml2 stopped): items after the
  // cut are missing, and the item it ended inside is left out (every item
  // here came to its end tag).
  bool cut_short = false;
};

// Parses one feed document. `feed_url` resolves relative links;
// `encoding_hint` is the HTTP charset (used when the document declares none);
// an undeclared document that is not UTF-8 while the hint is absent or UTF-8
// is decoded by charset detection (charset.h) first.
// Errors: kCorrupt (not XML / not a feed), kRejected (entity expansion refused,
// a tag of over kMaxXmlAttributes attributes, an item of over kMaxHeldXmlNodes
// nodes).
Result<ParsedFeed> ParseFeed(std::string_view bytes, std::string_view feed_url,
                             std::string_view encoding_hint = {}, size_t max_items = 1000);

// RFC 822 / RFC 1123 dates as found in RSS ("Mon, 23 Nov 2026 19:26:11 GMT",
// "+0100", "EST", two-digit years, no seconds). nullopt when unreadable.
std::optional<std::chrono::system_clock::time_point> ParseRfc822(std::string_view s);

// `ref` resolved against `base` (both URLs): an http(s) URL in valid UTF-8,
// "" when that fails or the result is anything else.
std::string ResolveUrl(std::string_view base, std::string_view ref);

}  // namespace newsflow::feeds
