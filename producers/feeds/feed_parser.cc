#include "feed_parser.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

#include "charset.h"
#include "newsflow/text.h"
#include "xml_safe.h"

namespace newsflow::feeds {
namespace {

constexpr size_t kMaxFieldBytes = 1 << 20;  // one item field; pages are fetched separately
constexpr size_t kMaxShortFieldBytes = 8 * 1024;  // titles, ids, links, dates

std::string Trim(std::string s) {
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  size_t e = s.size();
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string Short(const xmlNode* n) { return Trim(CollectText(n, kMaxShortFieldBytes)); }
std::string Long(const xmlNode* n) { return Trim(CollectText(n, kMaxFieldBytes)); }

std::string DateToRfc3339(const std::string& raw) {
  if (raw.empty()) return {};
  if (auto t = ParseRfc3339(raw)) return FormatRfc3339(*t);
  if (auto t = ParseRfc822(raw)) return FormatRfc3339(*t);
  // Date-only forms ("2026-11-23") are common in sitemaps and dc:date.
  if (raw.size() == 10 && raw[4] == '-' && raw[7] == '-') {
    if (auto t = ParseRfc3339(raw + "T00:00:00Z")) return FormatRfc3339(*t);
  }
  return {};
}

const xmlNode* FirstChild(const xmlNode* parent, std::string_view local) {
  for (const xmlNode* c = parent ? parent->children : nullptr; c != nullptr; c = c->next) {
    if (NameIs(c, local)) return c;
  }
  return nullptr;
}

void SetPublishedIfEmpty(FeedItem& item, const xmlNode* n) {
  if (item.published.empty() && n != nullptr) item.published = DateToRfc3339(Short(n));
}

// RSS 2.0 <item> and RSS 1.0 <item> share most element names.
FeedItem ParseRssItem(const xmlNode* it, std::string_view base) {
  FeedItem item;
  item.guid = Attr(it, "about");  // rdf:about (RSS 1.0); <guid> wins below
  std::string guid_link;
  for (const xmlNode* c = it->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    std::string_view ns = NsOf(c);
    if (NameIs(c, "title") && item.title.empty()) {
      item.title = Short(c);
    } else if (NameIs(c, "link") && item.link.empty()) {
      item.link = ResolveUrl(base, Short(c));
    } else if (NameIs(c, "guid")) {
      item.guid = Short(c);
      // isPermaLink defaults to true: the guid is then the article's URL,
      // used when the item has no <link>. A <guid> before the <link> took
      // its place: `<guid>12345</guid>` (an id, permalink by omission) sent
      // the item to https://site/feed/12345 instead of its page.
      guid_link = Attr(c, "isPermaLink") != "false" ? ResolveUrl(base, item.guid) : std::string();
    } else if (NameIs(c, "description")) {
      item.summary = Long(c);
    } else if (NameIs(c, "encoded") && ns.find("content") != std::string_view::npos) {
      item.content = Long(c);
    } else if (NameIs(c, "pubDate")) {
      item.published = DateToRfc3339(Short(c));
    } else if (NameIs(c, "date") || NameIs(c, "published") || NameIs(c, "updated")) {
      SetPublishedIfEmpty(item, c);
    }
  }
  if (item.link.empty()) item.link = std::move(guid_link);
  return item;
}

FeedItem ParseAtomEntry(const xmlNode* e, std::string_view base) {
  FeedItem item;
  std::string alternate, any_link;
  const xmlNode* updated = nullptr;
  for (const xmlNode* c = e->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (NameIs(c, "id")) {
      item.guid = Short(c);
    } else if (NameIs(c, "title")) {
      item.title = Short(c);
    } else if (NameIs(c, "link")) {
      std::string rel = Attr(c, "rel");
      std::string href = ResolveUrl(base, Attr(c, "href"));
      if ((rel.empty() || rel == "alternate") && alternate.empty()) alternate = href;
      if (any_link.empty()) any_link = href;
    } else if (NameIs(c, "summary")) {
      item.summary = Long(c);
    } else if (NameIs(c, "content")) {
      item.content = Long(c);
    } else if (NameIs(c, "published")) {
      item.published = DateToRfc3339(Short(c));
    } else if (NameIs(c, "updated")) {
      updated = c;
    }
  }
  item.link = !alternate.empty() ? alternate : any_link;
  SetPublishedIfEmpty(item, updated);
  return item;
}

FeedItem ParseSitemapUrl(const xmlNode* u, std::string_view base) {
  FeedItem item;
  for (const xmlNode* c = u->children; c != nullptr; c = c->next) {
    if (NameIs(c, "loc")) {
      item.link = ResolveUrl(base, Short(c));
    } else if (NameIs(c, "lastmod")) {
      SetPublishedIfEmpty(item, c);
    } else if (NameIs(c, "news")) {
      for (const xmlNode* n = c->children; n != nullptr; n = n->next) {
        if (NameIs(n, "title")) {
          item.title = Short(n);
        } else if (NameIs(n, "publication_date")) {
          item.published = DateToRfc3339(Short(n));
        } else if (NameIs(n, "publication")) {
          if (const xmlNode* lang = FirstChild(n, "language")) item.language = Short(lang);
        }
      }
    }
  }
  return item;
}

int MonthIndex(std::string_view m) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  if (m.size() < 3) return -1;
  for (int i = 0; i < 12; ++i) {
    if (strncasecmp(m.data(), kMonths[i], 3) == 0) return i;
  }
  return -1;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::string_view FeedFormatName(FeedFormat f) {
  switch (f) {
    case FeedFormat::kRss2: return "rss2";
    case FeedFormat::kRss1: return "rss1";
    case FeedFormat::kAtom: return "atom";
    case FeedFormat::kNewsSitemap: return "sitemap";
  }
  return "unknown";
}

std::string ResolveUrl(std::string_view base, std::string_view ref) {
  if (ref.empty()) return {};
  CURLU* u = curl_url();
  if (u == nullptr) return {};
  std::string b(base), r(ref);
  std::string out;
  // Without a usable base, accept only absolute references.
  if (!b.empty() && curl_url_set(u, CURLUPART_URL, b.c_str(), 0) != CURLUE_OK) {
    curl_url_cleanup(u);
    u = curl_url();
  }
  if (curl_url_set(u, CURLUPART_URL, r.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* s = nullptr;
    if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK && s != nullptr) {
      out = s;
      curl_free(s);
    }
  }
  curl_url_cleanup(u);
  // Only web pages are fetched; anything else (javascript:, mailto:, file:) is dropped.
  if (out.rfind("http://", 0) != 0 && out.rfind("https://", 0) != 0) return {};
  // libcurl decodes percent-escapes in the host ("news.example%da" -> a lone
  // 0xDA byte): a host that decodes to no UTF-8 names no server, and the URL
  // would be a record's invalid meta (found by fuzz_feed_parser).
  if (!IsValidUtf8(out)) return {};
  return out;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc822(std::string_view s) {
  // Tokenise on spaces and commas: [Day,] DD Mon YYYY HH:MM[:SS] ZONE
  std::vector<std::string> tok;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == ',' || c == '\t') {
      if (!cur.empty()) tok.push_back(std::move(cur)), cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) tok.push_back(cur);
  size_t i = 0;
  if (i < tok.size() && !tok[i].empty() && std::isalpha(static_cast<unsigned char>(tok[i][0]))) ++i;
  if (tok.size() < i + 4) return std::nullopt;
  int day = std::atoi(tok[i].c_str());
  int mon = MonthIndex(tok[i + 1]);
  int year = std::atoi(tok[i + 2].c_str());
  if (day < 1 || day > 31 || mon < 0 || year <= 0) return std::nullopt;
  if (tok[i + 2].size() == 2) year += year < 50 ? 2000 : 1900;
  // The result must fit system_clock (nanoseconds, about 1677..2262): the
  // same years as ParseRfc3339, and a real calendar day.
  if (year < kMinRfc3339Year || year > kMaxRfc3339Year) return std::nullopt;
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[mon] || (mon == 1 && day == 29 && !leap)) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (std::sscanf(tok[i + 3].c_str(), "%d:%d:%d", &hh, &mm, &ss) < 2) return std::nullopt;
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) return std::nullopt;
  int offset_min = 0;
  if (tok.size() > i + 4) {
    const std::string& z = tok[i + 4];
    if ((z[0] == '+' || z[0] == '-') && z.size() == 5) {
      int v = std::atoi(z.c_str() + 1);
      offset_min = (v / 100) * 60 + v % 100;
      if (z[0] == '-') offset_min = -offset_min;
    } else {
      static const struct { const char* name; int hours; } kZones[] = {
          {"GMT", 0}, {"UT", 0}, {"UTC", 0}, {"Z", 0}, {"EST", -5}, {"EDT", -4},
          {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
      for (const auto& zone : kZones) {
        if (strcasecmp(z.c_str(), zone.name) == 0) offset_min = zone.hours * 60;
      }
    }
  }
  // system_clock counts nanoseconds in 64 bits (years ~1678..2261); the
  // conversion of a later year overflowed (found by fuzzing).
  if (year > 9999) return std::nullopt;
  int64_t secs = DaysFromCivil(year, mon + 1, day) * 86400 + hh * 3600 + mm * 60 + ss -
                 static_cast<int64_t>(offset_min) * 60;
  constexpr int64_t kMaxSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max()).count();
  if (secs > kMaxSeconds || secs < -kMaxSeconds) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

Result<ParsedFeed> ParseFeed(std::string_view bytes, std::string_view feed_url,
                             std::string_view encoding_hint, size_t max_items) {
  // A document that declares no encoding, served without one (or as UTF-8),
  // and is not UTF-8 (a legacy Arabic feed in windows-1256): libxml2 read it
  // as UTF-8 and every letter of its titles and summaries became U+FFFD.
  // Its charset is detected as a page's is (charset.h).
  std::string decoded;
  std::string hint(encoding_hint);
  for (char& c : hint) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if ((hint.empty() || hint == "utf-8" || hint == "utf8") && !XmlDeclaresEncoding(bytes) && !IsValidUtf8(bytes)) {
    if (auto d = DecodeToUtf8(bytes, ""); d.ok()) {
      decoded = std::move(d->utf8);
      bytes = decoded;
      encoding_hint = "UTF-8";
    }
  }
  ParsedFeed feed;
  bool feed_title_seen = false, feed_language_seen = false;
  auto push = [&](FeedItem item) {
    if (feed.items.size() >= max_items) return;
    if (item.link.empty() && item.guid.empty() && item.title.empty()) return;
    feed.items.push_back(std::move(item));
  };
  // The document is read item by item (ReadUntrustedXml's stream): each
  // item, and anything else beside the items, is read when its end tag
  // comes and freed, so a feed is never held whole. The root and RSS's first
  // <channel> stay; an item's children stay until the item ends.
  auto channel_of = [](const xmlNode* root) {
    return NameIs(root, "rss") || NameIs(root, "RDF") ? FirstChild(root, "channel") : nullptr;
  };
  // Where the feed's own title and language are: RSS's channel, Atom's root.
  auto head_of = [&](const xmlNode* root) { return NameIs(root, "feed") ? root : channel_of(root); };
  XmlElementStream stream;
  stream.take = [&](const xmlNode* el) {
    const xmlNode* root = xmlDocGetRootElement(el->doc);
    const xmlNode* parent = el->parent;
    if (parent == root) return !(NameIs(el, "channel") && el == channel_of(root));
    return parent != nullptr && parent == channel_of(root);
  };
  stream.use = [&](const xmlNode* el) {
    const xmlNode* root = xmlDocGetRootElement(el->doc);
    const bool in_channel = el->parent != root;  // else a child of the root
    const bool head = el->parent == head_of(root);
    if (head && NameIs(el, "title") && !feed_title_seen) {
      feed_title_seen = true;
      feed.title = Short(el);
    } else if (head && NameIs(el, "language") && !NameIs(root, "feed") && !feed_language_seen) {
      feed_language_seen = true;
      feed.language = Short(el);
    } else if (NameIs(el, "item") && (NameIs(root, "rss") ? in_channel : NameIs(root, "RDF") && !in_channel)) {
      push(ParseRssItem(el, feed_url));
    } else if (NameIs(el, "entry") && NameIs(root, "feed")) {
      push(ParseAtomEntry(el, feed_url));
    } else if (NameIs(el, "url") && NameIs(root, "urlset")) {
      push(ParseSitemapUrl(el, feed_url));
    }
  };
  bool cut_short = false;
  auto doc = ReadUntrustedXml(bytes, encoding_hint, &cut_short, stream);
  if (!doc.ok()) return doc.status();
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  if (NameIs(root, "rss")) {
    feed.format = FeedFormat::kRss2;
    if (channel_of(root) == nullptr) return Status::Corrupt("rss without <channel>");
  } else if (NameIs(root, "RDF")) {
    feed.format = FeedFormat::kRss1;
  } else if (NameIs(root, "feed")) {
    feed.format = FeedFormat::kAtom;
    feed.language = Trim(Attr(root, "lang", reinterpret_cast<const char*>(XML_XML_NAMESPACE), kMaxShortFieldBytes));
  } else if (NameIs(root, "urlset")) {
    feed.format = FeedFormat::kNewsSitemap;
  } else {
    return Status::Corrupt("not a feed: root element <" +
                           std::string(reinterpret_cast<const char*>(root->name)) + ">");
  }
  // A title or language the document ended inside (its end tag never read)
  // is still in the tree: read as the whole tree was.
  if (const xmlNode* head = head_of(root)) {
    if (!feed_title_seen) {
      if (const xmlNode* t = FirstChild(head, "title")) feed.title = Short(t);
    }
    if (!feed_language_seen && head != root) {
      if (const xmlNode* l = FirstChild(head, "language")) feed.language = Short(l);
    }
  }
  // An item the document ended inside never came to its end tag: it was not
  // read (the items before it all ended whole).
  feed.cut_short = cut_short;
  return feed;
}

}  // namespace newsflow::feeds
