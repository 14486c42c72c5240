// BlockCleaner: decides, for the blocks of one page (lines of a text/plain
// page, or text blocks of an HTML page), which are the article and which are
// boilerplate, and extracts title and publication date.
//
// Signals, combined jusText-style and then smoothed by context:
//  - per-source template learning (TemplateStore),
//  - phrase lists (data files per language) for markers such as "read also",
//  - length, sentence punctuation and stop-word density (Stoplists),
//  - link density and tag/class hints (HTML only), position (before the first
//    body block, inside the body, after a stand-alone "read also" marker).
//
// Thread-safety: not thread-safe (scratch state); one per stage copy. The
// copies may share one TemplateStore (which is thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "newsflow/article.h"
#include "newsflow/status.h"
#include "normalize.h"
#include "phrases.h"
#include "stoplist.h"
#include "templates.h"

namespace newsflow::clean {

struct Block {
  std::string text;           // normalised, one line
  double link_density = 0;    // share of the text inside <a> (HTML)
  int hint = 0;               // <0: boilerplate tag/class/id, >0: article container
  bool heading = false;       // <h1>..<h6> (HTML)
  bool list_item = false;     // <li> (HTML)
  int parent = -1;            // nearest container element (HTML), index into PageInfo::ranges
  int grand = -1;             // the container above it
  int hint_node = -1;         // element that gave `hint` (HTML), index into PageInfo::ranges
};

struct PageInfo {
  std::string source;
  std::string fetched_at;              // RFC 3339, may be empty
  std::string title_hint;              // producer meta or HTML <title>/og:title
  std::optional<std::string> published_hint;  // HTML meta; lower priority than a stated line
  std::optional<std::string> published_weak;  // HTML: first <time datetime>; used when nothing else
  // The producer's date for the article (a feed item's, a JSON line's
  // published_at), RFC 3339: used when the page itself states none, before
  // published_weak.
  std::optional<std::string> published_stated;
  std::string id;                             // the article id: never a title
  uint64_t page_key = 0;               // identity for template counting
  bool html = false;
  std::string site_name;               // HTML: og:site_name (the publication), may be empty
  // HTML: per container element, the block index range [first, last) it spans.
  const std::vector<std::pair<int, int>>* ranges = nullptr;
};

struct CleanOptions {
  bool learn_templates = true;
  int template_min_pages = 3;
  // Blocks longer than this many code points are never template or phrase
  // matched by prefix/contains: article paragraphs are long, boilerplate short.
  int max_boilerplate_chars = 300;
};

struct CleanResult {
  CleanSection section;
  std::string drop_reason;  // non-empty: nothing of the article is left
  std::string note;         // for the trace line
};

class BlockCleaner {
 public:
  BlockCleaner(const Stoplists* stop, const PhraseLists* phrases, TemplateStore* templates,
               CleanOptions opt)
      : stop_(stop), phrases_(phrases), templates_(templates), opt_(opt) {}

  // Fails only with kTimeout when `deadline` passes.
  Result<CleanResult> Clean(std::vector<Block>& blocks, const PageInfo& page,
                            std::chrono::steady_clock::time_point deadline);

 private:
  const Stoplists* stop_;
  const PhraseLists* phrases_;
  TemplateStore* templates_;
  CleanOptions opt_;
};

// Round 12: names of the per-line features NEWSFLOW_CLEAN_DEBUG=features
// prints (one tab-separated row per block: "@@F", the values, the text).
const std::vector<std::string>& LineFeatureNames();

// The reasons this stage reports (metrics labels are pre-created for these).
const std::vector<std::string>& RemovalReasons();

}  // namespace newsflow::clean
