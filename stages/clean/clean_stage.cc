#include "clean_stage.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "block_cleaner.h"
#include "dates.h"
#include "html_extract.h"
#include "newsflow/paths.h"
#include "newsflow/shared_loads.h"
#include "newsflow/text.h"
#include "normalize.h"
#include "phrases.h"
#include "stoplist.h"
#include "templates.h"

namespace newsflow {
namespace {

using clean::Block;
using clean::BlockCleaner;
using clean::PageInfo;

// Template stores by state file (and limits), held by the copies of `clean`
// in this process.
SharedLoads<clean::TemplateStore>& SharedTemplates() {
  static SharedLoads<clean::TemplateStore> stores;
  return stores;
}

// Normalised text's lines joined by single spaces, blank lines left out
// (the normaliser has already collapsed the spaces within each line).
std::string OneLine(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(i, end - i);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    if (!line.empty()) {
      if (!out.empty()) out += ' ';
      out += line;
    }
    i = end + 1;
  }
  return out;
}

// The date the producer gives the article: a feed item's (meta.item_published,
// RFC 3339 from pubDate, dc:date, ...) or a JSON line's published_at (as its
// scraper wrote it: an ISO timestamp or a date a reader would write, "March
// 5, 2024", "5 مارس 2024"), as RFC 3339; nothing when absent or unreadable.
// The page's own statement wins (BlockCleaner): this is the fallback.
// A producer's meta value (a title, a date), normalised and on one line; ""
// when absent, unreadable or longer than `max_bytes`.
std::string MetaLine(const Article& a, const char* key, const clean::Normalizer& norm,
                     size_t max_bytes = std::string::npos) {
  auto it = a.meta.find(key);
  if (it == a.meta.end() || it->second.empty() || it->second.size() > max_bytes) return "";
  auto text = norm.Normalize(it->second);
  return text.ok() ? OneLine(*text) : "";
}

std::optional<std::string> StatedDate(const Article& a, const clean::Normalizer& norm) {
  for (const char* key : {"item_published", "published_at"}) {
    std::string line = MetaLine(a, key, norm, 200);
    if (line.empty()) continue;
    if (auto iso = clean::ParseIsoLine(line); iso && ParseRfc3339(iso->rfc3339)) return iso->rfc3339;
    if (auto d = clean::FindDate(clean::Normalizer::Fold(line)); d && ParseRfc3339(d->rfc3339)) return d->rfc3339;
  }
  return std::nullopt;
}

class CleanStage final : public Stage {
 public:
  Status Open(StageContext& ctx) override {
    const Settings& s = ctx.settings;
    max_time_ = std::chrono::milliseconds(std::max<int64_t>(1, s.GetInt("max_ms_per_record")));
    max_body_bytes_ = static_cast<size_t>(std::max<int64_t>(0, s.GetInt("max_body_bytes")));
    keep_body_ = s.GetBool("keep_body");

    std::string stage_data = StageDataDir("clean");
    std::string phrases_dir = s.GetString("phrases_dir");
    if (phrases_dir.empty()) phrases_dir = stage_data + "/phrases";
    NEWSFLOW_RETURN_IF_ERROR(phrases_.LoadDir(phrases_dir).WithContext("clean"));

    std::string stop = s.GetString("stoplists");
    Status st;
    if (!stop.empty()) {
      st = std::filesystem::is_directory(stop) ? stoplists_.LoadDir(stop) : stoplists_.LoadCompiled(stop);
      NEWSFLOW_RETURN_IF_ERROR(st.WithContext("clean"));
    } else {
      // The committed compiled lists first, then the shared corpus copy.
      st = stoplists_.LoadCompiled(stage_data + "/stoplists.tsv");
      if (!st.ok()) {
        std::string corpus = ctx.corpus_dir.empty() ? CorpusDir() : ctx.corpus_dir;
        st = stoplists_.LoadDir(corpus + "/stoplists");
      }
      if (!st.ok()) {
        spdlog::warn("clean: no stop-word lists ({}); stop-word density signal off", st.ToString());
      }
    }

    clean::CleanOptions opt;
    opt.learn_templates = s.GetBool("learn_templates");
    opt.template_min_pages = static_cast<int>(std::max<int64_t>(2, s.GetInt("template_min_pages")));
    const size_t max_sources = static_cast<size_t>(std::max<int64_t>(1, s.GetInt("template_max_sources")));
    const size_t max_lines = static_cast<size_t>(std::max<int64_t>(16, s.GetInt("template_max_lines")));
    const size_t max_pages = static_cast<size_t>(std::max<int64_t>(1, s.GetInt("template_max_pages")));
    // The copies of this stage in one process share one store (and one state
    // file, the first copy's): a site's template is learnt from its first
    // pages whichever copies clean them, not from the first pages of each copy.
    const std::string& state_dir = ctx.shared_state_dir.empty() ? ctx.state_dir : ctx.shared_state_dir;
    state_file_ = s.GetString("state_file");
    if (state_file_.empty() && !state_dir.empty()) state_file_ = state_dir + "/clean_templates.txt";
    auto new_store = [&, min_pages = opt.template_min_pages] {
      return std::make_shared<clean::TemplateStore>(max_sources, max_lines, min_pages, max_pages);
    };
    if (opt.learn_templates && !state_file_.empty()) {
      const std::string key = state_file_ + '|' + std::to_string(max_sources) + '|' + std::to_string(max_lines) +
                              '|' + std::to_string(opt.template_min_pages) + '|' + std::to_string(max_pages);
      auto shared = SharedTemplates().Get(key, [&]() -> Result<std::shared_ptr<clean::TemplateStore>> {
        auto store = new_store();
        Status ls = store->Load(state_file_);
        if (!ls.ok() && ls.code() != StatusCode::kNotFound) {
          spdlog::warn("clean: template state ignored, relearning: {}", ls.ToString());
        }
        return store;
      });
      if (!shared.ok()) return shared.status();
      templates_ = std::move(*shared);
    } else {
      templates_ = new_store();
    }
    cleaner_ = std::make_unique<BlockCleaner>(&stoplists_, &phrases_, templates_.get(), opt);

    auto& removed = prometheus::BuildCounter()
                        .Name("newsflow_clean_removed_blocks_total")
                        .Help("Lines/blocks the clean stage removed, by reason")
                        .Register(ctx.metrics);
    for (const std::string& r : clean::RemovalReasons()) {
      removed_[r] = &removed.Add({{"reason", r}});
    }
    auto& pages = prometheus::BuildCounter()
                      .Name("newsflow_clean_pages_total")
                      .Help("Pages cleaned, by input type and outcome")
                      .Register(ctx.metrics);
    for (const char* type : {"text/plain", "text/html"}) {
      for (const char* outcome : {"forwarded", "dropped", "error"}) {
        pages_[std::string(type) + "|" + outcome] = &pages.Add({{"content_type", type}, {"outcome", outcome}});
      }
    }
    template_lines_ = &prometheus::BuildGauge()
                           .Name("newsflow_clean_template_lines")
                           .Help("Line hashes held by per-source template learning")
                           .Register(ctx.metrics)
                           .Add({});
    return Status::OK();
  }

  Result<Outcome> Process(Article& a) override {
    const char* type = a.content_type == ContentType::kTextHtml ? "text/html" : "text/plain";
    Result<Outcome> r = ProcessInner(a);
    const char* outcome = !r.ok() ? "error" : r->forwarded() ? "forwarded" : "dropped";
    if (auto it = pages_.find(std::string(type) + "|" + outcome); it != pages_.end()) {
      it->second->Increment();
    }
    return r;
  }

  Status Close() override {
    if (templates_ && !state_file_.empty() && persist_) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(state_file_).parent_path(), ec);
      return templates_->Save(state_file_);
    }
    return Status::OK();
  }

 private:
  Result<Outcome> ProcessInner(Article& a) {
    if (max_body_bytes_ > 0 && a.body.size() > max_body_bytes_) {
      return Status::TooLarge("clean: body of " + std::to_string(a.body.size()) +
                              " bytes over max_body_bytes");
    }
    const auto deadline = std::chrono::steady_clock::now() + max_time_;
    PageInfo page;
    page.source = a.source;
    page.fetched_at = a.fetched_at;
    page.id = a.id;
    page.page_key = a.id.empty() ? XXH3_64bits(a.body.data(), a.body.size())
                                 : XXH3_64bits(a.id.data(), a.id.size());
    std::vector<Block> blocks;
    std::vector<std::pair<int, int>> ranges;
    if (a.content_type == ContentType::kTextHtml) {
      page.html = true;
      std::string charset;
      if (auto it = a.meta.find("charset"); it != a.meta.end()) charset = it->second;
      auto html = clean::ExtractHtml(a.body, charset, norm_, deadline);
      if (!html.ok()) return html.status();
      blocks = std::move(html->blocks);
      ranges = std::move(html->ranges);
      page.ranges = &ranges;
      page.title_hint = std::move(html->title);
      page.published_hint = std::move(html->published);
      page.published_weak = std::move(html->time_element);
      page.site_name = std::move(html->site_name);
    } else {
      auto text = norm_.Normalize(a.body, &line_ends_);
      if (!text.ok()) return text.status();
      std::string_view t = *text;
      blocks.reserve(line_ends_.size());
      size_t i = 0;
      for (uint32_t end : line_ends_) {
        blocks.push_back(Block{std::string(t.substr(i, end - i))});
        i = end + 1;
      }
    }
    // A producer's title is one line: its line breaks (a scraper's, or a
    // feed's wrapped <title>) are spaces. A title with a line break was
    // ignored, and the page's own or none taken instead.
    if (std::string title = MetaLine(a, "title", norm_); !title.empty()) page.title_hint = std::move(title);
    // A feed item's title, when the page gives none: a feed-only item (the
    // page could not be fetched: its body is the item's summary) had no title.
    if (page.title_hint.empty()) page.title_hint = MetaLine(a, "item_title", norm_);
    page.published_stated = StatedDate(a, norm_);
    auto res = cleaner_->Clean(blocks, page, deadline);
    if (!res.ok()) return res.status();
    for (const auto& [reason, count] : res->section.removed) {
      if (auto it = removed_.find(reason); it != removed_.end()) it->second->Increment(static_cast<double>(count));
    }
    template_lines_->Set(static_cast<double>(templates_->line_count()));
    std::string note = res->note;
    a.clean = std::move(res->section);
    if (!res->drop_reason.empty()) {
      a.trace.push_back({"clean", NowRfc3339(), "dropped: " + res->drop_reason});
      return Outcome::Drop(res->drop_reason);
    }
    a.trace.push_back({"clean", NowRfc3339(), note});
    // The raw page stays in the input (news.raw); later topics carry the clean
    // text, which is all the later stages read (Article::Text).
    if (!keep_body_) std::string().swap(a.body);
    return Outcome::Forward();
  }

  clean::Normalizer norm_;
  std::vector<uint32_t> line_ends_;  // reused across records
  clean::Stoplists stoplists_;
  clean::PhraseLists phrases_;
  std::shared_ptr<clean::TemplateStore> templates_;  // shared with this stage's other copies
  std::unique_ptr<BlockCleaner> cleaner_;
  std::string state_file_;
  bool persist_ = true;
  std::chrono::milliseconds max_time_{2000};
  size_t max_body_bytes_ = 32u << 20;
  bool keep_body_ = false;
  std::map<std::string, prometheus::Counter*> removed_;
  std::map<std::string, prometheus::Counter*> pages_;
  prometheus::Gauge* template_lines_ = nullptr;
};

}  // namespace

StageDescriptor CleanStageDescriptor() {
  return {"clean",
          "Extracts the article (title, paragraphs, publication date) from scraped text or HTML",
          {
              {"max_ms_per_record", OptionType::kInt, "2000",
               "time budget per record; over it the record is dead-lettered (timeout)", 1, 86400000},
              {"max_body_bytes", OptionType::kInt, "33554432",
               "bodies larger than this are dead-lettered (too_large); 0 = no limit", 0, 1LL << 30},
              {"keep_body", OptionType::kBool, "false",
               "forward the raw body (the whole page for HTML) beside the clean text; by "
               "default it is dropped: the input topic keeps it, and later stages read clean.text"},
              {"learn_templates", OptionType::kBool, "true",
               "learn per-source template lines from the stream"},
              {"template_min_pages", OptionType::kInt, "3",
               "a line seen on this many pages of one source is template", 1, 1000000},
              {"template_max_sources", OptionType::kInt, "2000",
               "sources remembered (least recently used are forgotten)", 1, 10000000},
              {"template_max_lines", OptionType::kInt, "5000",
               "line hashes remembered per source (rarest are forgotten)", 1, 10000000},
              {"template_max_pages", OptionType::kInt, "20000",
               "counted pages remembered per source (hashes of id and text), so a page "
               "read again (rerun, replay, redelivery, republished copy) counts once", 1, 100000000},
              {"state_file", OptionType::kPath, "",
               "template state file; default <state_dir>/clean_templates.txt"},
              {"stoplists", OptionType::kPath, "",
               "stop-word lists: a directory of <Language>.txt or a compiled .tsv; "
               "default stages/clean/data/stoplists.tsv, else <corpus>/stoplists"},
              {"phrases_dir", OptionType::kPath, "",
               "boilerplate phrase lists (*.tsv); default stages/clean/data/phrases"},
          },
          [] { return std::make_unique<CleanStage>(); }};
}

}  // namespace newsflow
