// Per-source template learning: a line (by hash of its folded text) that
// recurs on `min_pages` distinct pages of the same source is site template
// (menus, banners, sign-offs), whatever its language or wording.
//
// A page counts once, whatever process lifetime or id it comes back with:
// per source, the store remembers the pages it has counted (a 64-bit key of
// the page id and one of its text, for the last `max_pages` pages) and saves
// them with the counts, so a second run over the same input, a replay, an
// at-least-once redelivery or a republished copy under a new id does not
// count the page's lines again.
//
// Memory is bounded: at most `max_sources` sources (least recently used are
// forgotten), `max_lines` line hashes per source (rare lines are forgotten
// first) and `max_pages` counted pages per source (oldest forgotten first;
// two 64-bit keys each). State can be saved to and loaded from a file, so a
// restart keeps what was learnt; without the file it is simply relearnt from
// the stream.
//
// Thread-safety: every member function may be called from several threads at
// once (the copies of `clean` in one process share one store: a site's
// template is learnt from its pages whichever copy cleaned them). Lookups
// share a lock; Observe and Load take it alone.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "newsflow/status.h"

namespace newsflow::clean {

class TemplateStore {
 public:
  static constexpr size_t kDefaultMaxPages = 20000;

  TemplateStore(size_t max_sources, size_t max_lines, int min_pages,
                size_t max_pages = kDefaultMaxPages)
      : max_sources_(max_sources),
        max_lines_(max_lines),
        min_pages_(min_pages),
        max_keys_(2 * (max_pages < 1 ? 1 : max_pages)) {}

  // True when `hash` has been seen on at least min_pages pages of `source`.
  bool IsTemplate(std::string_view source, uint64_t hash) const;
  // The same for each of a page's line hashes at once (one lookup of the
  // source, one lock): `flags[i]` for `hashes[i]`; flags is resized to fit.
  void TemplateLines(std::string_view source, std::span<const uint64_t> hashes,
                     std::vector<char>& flags) const;

  // Records one page's distinct line hashes, unless the source has already
  // counted a page with the same `page_key` (hash of its id) or the same
  // `body_key` (hash of its text) among its last max_pages pages: re-reads
  // and republished copies of one article do not turn its text into
  // template. Both keys are remembered either way. Returns true when the
  // page was counted.
  bool Observe(std::string_view source, uint64_t page_key, uint64_t body_key,
               std::span<const uint64_t> hashes);

  Status Save(const std::string& path) const;
  Status Load(const std::string& path);

  size_t source_count() const;
  // Line hashes held over all sources (kept as they change: read for every
  // page, it summed up to template_max_sources maps).
  size_t line_count() const { return lines_.load(std::memory_order_relaxed); }
  // Page keys (id and text) remembered over all sources.
  size_t page_key_count() const;

 private:
  // Open-addressing set of 64-bit hashes (linear probing, backward-shift
  // erase, load <= 1/2); 0 is the empty slot, so key 0 is stored as 1.
  class KeySet {
   public:
    bool Contains(uint64_t k) const;
    bool Insert(uint64_t k);
    void Erase(uint64_t k);

   private:
    void Grow();
    std::vector<uint64_t> slots_;
    size_t size_ = 0;
  };
  struct Source {
    std::unordered_map<uint64_t, uint32_t> counts;
    std::vector<uint64_t> keys;  // ring of remembered page keys, oldest at ring_pos when full
    size_t ring_pos = 0;
    KeySet key_set;  // the same keys, for lookup
    uint64_t pages = 0;
    std::list<std::string>::iterator lru_pos;  // its place in lru_
  };
  // Under mu_ (held by the caller).
  bool IsTemplateLocked(const Source& s, uint64_t hash) const;
  void Shrink(Source& s);
  void EvictSource();  // the least recently used, in constant time
  // The source named `name`, made the most recently used; added (evicting
  // one when full) if new. Under mu_, alone.
  Source& Use(const std::string& name);
  void Remember(Source& s, uint64_t key) const;

  size_t max_sources_;
  size_t max_lines_;
  int min_pages_;
  size_t max_keys_;
  mutable std::shared_mutex mu_;
  std::atomic<size_t> lines_{0};                     // written under mu_, alone
  std::unordered_map<std::string, Source> sources_;  // under mu_
  std::list<std::string> lru_;  // under mu_: the sources' names, most recently used first
};

}  // namespace newsflow::clean
