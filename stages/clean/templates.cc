#include "templates.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace newsflow::clean {
namespace {
constexpr const char* kHeaderV1 = "newsflow-clean-templates 1";
constexpr const char* kHeaderV2 = "newsflow-clean-templates 2";
}  // namespace

bool TemplateStore::KeySet::Contains(uint64_t k) const {
  if (slots_.empty()) return false;
  if (k == 0) k = 1;
  const size_t mask = slots_.size() - 1;
  for (size_t i = k & mask;; i = (i + 1) & mask) {
    if (slots_[i] == k) return true;
    if (slots_[i] == 0) return false;
  }
}

bool TemplateStore::KeySet::Insert(uint64_t k) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  if (k == 0) k = 1;
  const size_t mask = slots_.size() - 1;
  size_t i = k & mask;
  for (; slots_[i] != 0; i = (i + 1) & mask) {
    if (slots_[i] == k) return false;
  }
  slots_[i] = k;
  ++size_;
  return true;
}

void TemplateStore::KeySet::Erase(uint64_t k) {
  if (slots_.empty()) return;
  if (k == 0) k = 1;
  const size_t mask = slots_.size() - 1;
  size_t i = k & mask;
  for (; slots_[i] != k; i = (i + 1) & mask) {
    if (slots_[i] == 0) return;
  }
  // Backward shift: pull later entries of the probe run into the hole when
  // their home slot is not between the hole and them.
  for (size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
    const size_t home = slots_[j] & mask;
    if (((j - home) & mask) >= ((j - i) & mask)) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = 0;
  --size_;
}

void TemplateStore::KeySet::Grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, 0);
  size_ = 0;
  for (uint64_t k : old) {
    if (k != 0) Insert(k);
  }
}

void TemplateStore::Remember(Source& s, uint64_t key) const {
  if (!s.key_set.Insert(key)) return;
  if (s.keys.size() < max_keys_) {
    s.keys.push_back(key);
    return;
  }
  s.key_set.Erase(s.keys[s.ring_pos]);
  s.keys[s.ring_pos] = key;
  s.ring_pos = (s.ring_pos + 1) % s.keys.size();
}

bool TemplateStore::IsTemplateLocked(const Source& s, uint64_t hash) const {
  auto c = s.counts.find(hash);
  return c != s.counts.end() && c->second >= static_cast<uint32_t>(min_pages_);
}

bool TemplateStore::IsTemplate(std::string_view source, uint64_t hash) const {
  std::shared_lock lock(mu_);
  auto it = sources_.find(std::string(source));
  return it != sources_.end() && IsTemplateLocked(it->second, hash);
}

void TemplateStore::TemplateLines(std::string_view source, std::span<const uint64_t> hashes,
                                  std::vector<char>& flags) const {
  flags.assign(hashes.size(), 0);
  std::shared_lock lock(mu_);
  auto it = sources_.find(std::string(source));
  if (it == sources_.end()) return;
  for (size_t i = 0; i < hashes.size(); ++i) flags[i] = IsTemplateLocked(it->second, hashes[i]) ? 1 : 0;
}

size_t TemplateStore::source_count() const {
  std::shared_lock lock(mu_);
  return sources_.size();
}

void TemplateStore::Shrink(Source& s) {
  // Forget the rarest lines first: they are what a one-off article leaves.
  uint32_t floor = 1;
  while (s.counts.size() > max_lines_ * 3 / 4) {
    for (auto it = s.counts.begin(); it != s.counts.end();) {
      it = (it->second <= floor) ? s.counts.erase(it) : std::next(it);
    }
    ++floor;
  }
}

void TemplateStore::EvictSource() {
  if (lru_.empty()) return;
  auto oldest = sources_.find(lru_.back());
  if (oldest != sources_.end()) {
    lines_.fetch_sub(oldest->second.counts.size(), std::memory_order_relaxed);
    sources_.erase(oldest);
  }
  lru_.pop_back();
}

TemplateStore::Source& TemplateStore::Use(const std::string& name) {
  auto it = sources_.find(name);
  if (it != sources_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru_pos);
    return it->second;
  }
  if (sources_.size() >= max_sources_) EvictSource();
  Source& s = sources_[name];
  lru_.push_front(name);
  s.lru_pos = lru_.begin();
  return s;
}

bool TemplateStore::Observe(std::string_view source, uint64_t page_key, uint64_t body_key,
                            std::span<const uint64_t> hashes) {
  std::unique_lock lock(mu_);
  Source& s = Use(std::string(source));
  const bool seen = s.key_set.Contains(page_key) || s.key_set.Contains(body_key);
  // Remember both keys even for a page seen before: a republished copy's new
  // id, or an updated text under a known id, is then known too.
  Remember(s, page_key);
  Remember(s, body_key);
  if (seen) return false;
  ++s.pages;
  const size_t before = s.counts.size();
  for (uint64_t h : hashes) ++s.counts[h];
  if (s.counts.size() > max_lines_) Shrink(s);
  lines_.fetch_add(s.counts.size(), std::memory_order_relaxed);
  lines_.fetch_sub(before, std::memory_order_relaxed);
  return true;
}

size_t TemplateStore::page_key_count() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [name, s] : sources_) n += s.keys.size();
  return n;
}

// Format 2: header, then per source "S <pages> <lines> <keys> <source>",
// <lines> lines "<hash hex> <count>" and <keys> lines "P <key hex>" (the
// counted pages' keys, oldest first). Format 1 had no keys and no <keys>
// field; it is still read (its sources start with no remembered pages).
// Size: at most max_sources x (max_lines + 2 x max_pages) short lines.
Status TemplateStore::Save(const std::string& path) const {
  // Alone, not shared: two copies saving at once would write one .tmp file.
  std::unique_lock lock(mu_);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::Unavailable("templates: cannot write " + tmp);
    out << kHeaderV2 << '\n';
    for (const auto& [name, s] : sources_) {
      out << "S " << s.pages << ' ' << s.counts.size() << ' ' << s.keys.size() << ' ' << name << '\n';
      char buf[40];
      for (const auto& [h, c] : s.counts) {
        std::snprintf(buf, sizeof(buf), "%016" PRIx64 " %u\n", h, c);
        out << buf;
      }
      // Oldest first, so a load refills the ring in the same order.
      const size_t n = s.keys.size();
      const size_t start = n < max_keys_ ? 0 : s.ring_pos;
      for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof(buf), "P %016" PRIx64 "\n", s.keys[(start + i) % n]);
        out << buf;
      }
    }
    if (!out) return Status::Unavailable("templates: write failed " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Unavailable("templates: rename " + tmp + ": " + ec.message());
  return Status::OK();
}

Status TemplateStore::Load(const std::string& path) {
  std::unique_lock lock(mu_);
  std::ifstream in(path);
  if (!in) return Status::NotFound("templates: no state at " + path);
  std::string line;
  if (!std::getline(in, line) || (line != kHeaderV1 && line != kHeaderV2)) {
    return Status::Corrupt("templates: bad header in " + path + " (expected '" + kHeaderV2 +
                           "'); delete the file to relearn templates from the stream");
  }
  const bool v2 = line == kHeaderV2;
  sources_.clear();
  lru_.clear();
  Source* cur = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("S ", 0) == 0) {
      std::istringstream ls(line.substr(2));
      uint64_t pages = 0;
      size_t n = 0, keys = 0;
      ls >> pages >> n;
      if (v2) ls >> keys;
      std::string name;
      ls.get();
      std::getline(ls, name);
      if (sources_.size() >= max_sources_) {
        cur = nullptr;
        continue;
      }
      cur = &Use(name);  // the file's last source ends up the most recently used
      cur->pages = pages;
      cur->keys.reserve(std::min(keys, max_keys_));
    } else if (line.rfind("P ", 0) == 0) {
      uint64_t k = 0;
      if (cur != nullptr && std::sscanf(line.c_str() + 2, "%" SCNx64, &k) == 1) Remember(*cur, k);
    } else if (cur != nullptr) {
      uint64_t h = 0;
      unsigned c = 0;
      if (std::sscanf(line.c_str(), "%" SCNx64 " %u", &h, &c) == 2) cur->counts[h] = c;
    }
  }
  size_t lines = 0;
  for (auto& [name, s] : sources_) {
    if (s.counts.size() > max_lines_) Shrink(s);
    lines += s.counts.size();
  }
  lines_.store(lines, std::memory_order_relaxed);
  return Status::OK();
}

}  // namespace newsflow::clean
