// Per-source template learning: a line (by hash of its folded text) that
// recurs on `min_pages` distinct pages of the same source is site template
// (menus, banners, sign-offs), whatever its language or wording.
//
// Memory is bounded: at most `max_sources` sources (least recently used are
// forgotten) and `max_lines` line hashes per source (rare lines are forgotten
// first). State can be saved to and loaded from a file, so a restart keeps
// what was learnt; without the file it is simply relearnt from the stream.
//
// Thread-safety: none; one instance per stage instance (one thread).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "newsflow/status.h"

namespace newsflow::clean {

class TemplateStore {
 public:
  TemplateStore(size_t max_sources, size_t max_lines, int min_pages)
      : max_sources_(max_sources), max_lines_(max_lines), min_pages_(min_pages) {}

  // True when `hash` has been seen on at least min_pages pages of `source`.
  bool IsTemplate(std::string_view source, uint64_t hash) const;

  // Records one page's distinct line hashes. A page already seen (same
  // page_key among the source's recent pages) is not counted twice, so
  // re-fetches of one article do not turn its text into template.
  void Observe(std::string_view source, uint64_t page_key, std::span<const uint64_t> hashes);

  Status Save(const std::string& path) const;
  Status Load(const std::string& path);

  size_t source_count() const { return sources_.size(); }
  size_t line_count() const;

 private:
  struct Source {
    std::unordered_map<uint64_t, uint32_t> counts;
    std::vector<uint64_t> recent_pages;  // ring buffer of page keys
    size_t ring_pos = 0;
    uint64_t pages = 0;
    uint64_t last_used = 0;
  };
  void Shrink(Source& s);
  void EvictSource();

  size_t max_sources_;
  size_t max_lines_;
  int min_pages_;
  uint64_t clock_ = 0;
  std::unordered_map<std::string, Source> sources_;
};

}  // namespace newsflow::clean
