// libFuzzer target: the feed parser (producers/feeds/feed_parser.cc).
//
// Any bytes as a fetched feed document (RSS 2.0, RSS 1.0, Atom, news
// sitemap), with no HTTP charset and with one, as `watch` calls it. Items
// must respect the documented limit, and what the parser keeps must be
// valid UTF-8 (it becomes a record's meta and the next fetch's URL).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "feed_parser.h"
#include "newsflow/text.h"

namespace {

void CheckUtf8(const std::string& s, const char* what) {
  if (!newsflow::IsValidUtf8(s)) {
    std::fprintf(stderr, "feed parser kept invalid UTF-8 in %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr size_t kMaxItems = 50;
  // The last byte's low bit: parse as if the server said charset=windows-1256.
  std::string_view hint = (size > 0 && (data[size - 1] & 1)) ? "windows-1256" : "";
  auto feed = newsflow::feeds::ParseFeed(in, "https://news.example/feeds/main.xml", hint, kMaxItems);
  if (!feed.ok()) return 0;
  if (feed->items.size() > kMaxItems) {
    std::fprintf(stderr, "feed parser returned %zu items over max_items %zu\n", feed->items.size(),
                 kMaxItems);
    std::abort();
  }
  CheckUtf8(feed->title, "feed title");
  CheckUtf8(feed->language, "feed language");
  for (const auto& it : feed->items) {
    CheckUtf8(it.guid, "item guid");
    CheckUtf8(it.link, "item link");
    CheckUtf8(it.title, "item title");
    CheckUtf8(it.summary, "item summary");
    CheckUtf8(it.content, "item content");
    CheckUtf8(it.published, "item published");
    CheckUtf8(it.language, "item language");
  }
  return 0;
}
