#include "templates.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace newsflow::clean {
namespace {
constexpr size_t kRecentPages = 64;
}

bool TemplateStore::IsTemplate(std::string_view source, uint64_t hash) const {
  auto it = sources_.find(std::string(source));
  if (it == sources_.end()) return false;
  auto c = it->second.counts.find(hash);
  return c != it->second.counts.end() && c->second >= static_cast<uint32_t>(min_pages_);
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
  auto oldest = sources_.end();
  for (auto it = sources_.begin(); it != sources_.end(); ++it) {
    if (oldest == sources_.end() || it->second.last_used < oldest->second.last_used) oldest = it;
  }
  if (oldest != sources_.end()) sources_.erase(oldest);
}

void TemplateStore::Observe(std::string_view source, uint64_t page_key,
                            std::span<const uint64_t> hashes) {
  std::string key(source);
  auto it = sources_.find(key);
  if (it == sources_.end()) {
    if (sources_.size() >= max_sources_) EvictSource();
    it = sources_.emplace(std::move(key), Source{}).first;
  }
  Source& s = it->second;
  s.last_used = ++clock_;
  for (uint64_t p : s.recent_pages) {
    if (p == page_key) return;
  }
  if (s.recent_pages.size() < kRecentPages) {
    s.recent_pages.push_back(page_key);
  } else {
    s.recent_pages[s.ring_pos] = page_key;
    s.ring_pos = (s.ring_pos + 1) % kRecentPages;
  }
  ++s.pages;
  for (uint64_t h : hashes) ++s.counts[h];
  if (s.counts.size() > max_lines_) Shrink(s);
}

size_t TemplateStore::line_count() const {
  size_t n = 0;
  for (const auto& [name, s] : sources_) n += s.counts.size();
  return n;
}

// Format: "S <pages> <lines> <source>" then "<hash hex> <count>" lines.
Status TemplateStore::Save(const std::string& path) const {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::Unavailable("templates: cannot write " + tmp);
    out << "newsflow-clean-templates 1\n";
    for (const auto& [name, s] : sources_) {
      out << "S " << s.pages << ' ' << s.counts.size() << ' ' << name << '\n';
      char buf[40];
      for (const auto& [h, c] : s.counts) {
        std::snprintf(buf, sizeof(buf), "%016" PRIx64 " %u\n", h, c);
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
  std::ifstream in(path);
  if (!in) return Status::NotFound("templates: no state at " + path);
  std::string line;
  if (!std::getline(in, line) || line != "newsflow-clean-templates 1") {
    return Status::Corrupt("templates: bad header in " + path);
  }
  sources_.clear();
  Source* cur = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("S ", 0) == 0) {
      std::istringstream ls(line.substr(2));
      uint64_t pages = 0;
      size_t n = 0;
      ls >> pages >> n;
      std::string name;
      ls.get();
      std::getline(ls, name);
      if (sources_.size() >= max_sources_) {
        cur = nullptr;
        continue;
      }
      cur = &sources_[name];
      cur->pages = pages;
      cur->last_used = ++clock_;
    } else if (cur != nullptr) {
      uint64_t h = 0;
      unsigned c = 0;
      if (std::sscanf(line.c_str(), "%" SCNx64 " %u", &h, &c) == 2) cur->counts[h] = c;
    }
  }
  for (auto& [name, s] : sources_) {
    if (s.counts.size() > max_lines_) Shrink(s);
  }
  return Status::OK();
}

}  // namespace newsflow::clean
