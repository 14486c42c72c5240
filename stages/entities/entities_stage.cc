#include "entities_stage.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "newsflow/paths.h"
#include "newsflow/shared_loads.h"
#include "newsflow/text.h"
#include "recognizer.h"

namespace newsflow {
namespace {

constexpr const char* kStageName = "entities";

// What a language needs from its data directory: immutable once loaded (ner.h).
struct LanguageData {
  entities::Model model;
  entities::Resources res;
};

// Names what LoadDataDir reads for `code` in `dir`, as it is now: the
// directory, the language, and the size and modification time of every file.
std::string DataKey(const std::string& dir, const std::string& code) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base = fs::weakly_canonical(dir, ec);
  if (ec) base = dir;
  std::string key = base.string() + '\n' + code;
  for (const std::string& f : {code + ".model", code + ".clusters.tsv", code + ".names.tsv"}) {
    key += '\n' + FileStamp((base / f).string());
  }
  std::vector<std::string> lists;
  for (fs::directory_iterator it(base / "gazetteer", ec), end; !ec && it != end; it.increment(ec)) {
    lists.push_back(it->path().filename().string() + ":" + FileStamp(it->path().string()));
  }
  std::sort(lists.begin(), lists.end());
  for (const auto& l : lists) key += '\n' + l;
  return key;
}

// The copies of the stage in one process (`run --instances N`, the copies of a
// fused chain, plug-in hosts) share one load of each language's data instead
// of one each: the weight table and lists are most of a copy's memory (about
// 60 MB for ar + en) and of its start-up. DataKey names every file the load
// reads, so a model or list changed on disk is read again by the next Open.
SharedLoads<const LanguageData>& LanguageLoads() {
  static SharedLoads<const LanguageData> loads;
  return loads;
}

Result<std::shared_ptr<const LanguageData>> LoadShared(const std::string& dir,
                                                       const std::string& code) {
  return LanguageLoads().Get(DataKey(dir, code), [&]() -> Result<std::shared_ptr<LanguageData>> {
    auto data = std::make_shared<LanguageData>();
    NEWSFLOW_RETURN_IF_ERROR(data->model.Load(dir + "/" + code + ".model").WithContext(kStageName));
    // clusters, gazetteer/, then <code>.names.tsv when present
    NEWSFLOW_RETURN_IF_ERROR(data->res.LoadDataDir(dir, code).WithContext(kStageName));
    return data;
  });
}

// Per-language tagger: the shared data, and this copy's recognizer (its word
// cache and scratch).
struct LanguageTagger {
  std::shared_ptr<const LanguageData> data;
  std::unique_ptr<entities::Recognizer> recognizer;
};

// Without a lang section, only Arabic script is decided locally: a Latin
// text may be any of many languages the English model would mis-tag.
std::string GuessLanguage(std::string_view text) {
  int64_t arabic = 0, latin = 0;
  const size_t limit = std::min<size_t>(text.size(), 4096);
  for (size_t i = 0; i < limit; ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == 0xD8 || b == 0xD9 || b == 0xDA || b == 0xDB) ++arabic;  // U+0600..U+06FF lead bytes
    else if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') ++latin;
  }
  return arabic > 0 && arabic >= latin ? "ar" : "";
}

class EntitiesStage final : public Stage {
 public:
  Status Open(StageContext& ctx) override {
    std::string dir = ctx.settings.GetString("data_dir");
    if (dir.empty()) dir = StageDataDir(kStageName);
    max_text_bytes_ = static_cast<size_t>(std::max<int64_t>(0, ctx.settings.GetInt("max_text_bytes")));
    guess_language_ = ctx.settings.GetBool("guess_language");

    std::stringstream langs(ctx.settings.GetString("languages"));
    std::string code;
    while (std::getline(langs, code, ',')) {
      if (code.empty()) continue;
      auto lt = std::make_unique<LanguageTagger>();
      auto data = LoadShared(dir, code);
      if (!data.ok()) return data.status();
      lt->data = std::move(data).value();
      lt->recognizer = std::make_unique<entities::Recognizer>(&lt->data->model, &lt->data->res);
      lt->recognizer->set_policy(entities::DefaultPolicy(code));
      taggers_.emplace(code, std::move(lt));
    }
    if (taggers_.empty()) return Status::InvalidArgument("entities: `languages` lists no language");

    auto& found = prometheus::BuildCounter()
                      .Name("newsflow_entities_found_total")
                      .Help("Entities written, by type")
                      .Register(ctx.metrics);
    for (const char* type : {"PER", "LOC", "ORG", "MISC"}) found_[type] = &found.Add({{"type", type}});
    auto& skipped = prometheus::BuildCounter()
                        .Name("newsflow_entities_skipped_total")
                        .Help("Records passed on untagged, by reason")
                        .Register(ctx.metrics);
    for (const char* reason : {"unsupported_language", "no_text", "invalid_utf8"}) {
      skipped_[reason] = &skipped.Add({{"reason", reason}});
    }
    return Status::OK();
  }

  Result<Outcome> Process(Article& a) override {
    if (!a.clean) return Skip(a, "no_text", "no clean section: not tagged");
    std::string code;
    if (a.lang) {
      code = a.lang->code;
    } else if (guess_language_) {
      code = GuessLanguage(a.clean->text);
    }
    auto it = taggers_.find(code);
    if (it == taggers_.end()) {
      return Skip(a, "unsupported_language",
                  code.empty() ? "unsupported language (no lang section)"
                               : "unsupported language " + code);
    }
    const std::string& text = a.clean->text;
    if (!IsValidUtf8(text)) return Skip(a, "invalid_utf8", "invalid UTF-8 in clean.text: not tagged");
    const std::string_view view = CutUtf8(text, max_text_bytes_);

    // The headline is tagged with the text, as its first paragraph: a name
    // only in the headline is found too, and names in both get one canonical
    // form and are propagated between them. Its spans go to title_entities
    // (offsets into clean.title), the rest to entities (into clean.text).
    // A headline is a line; only its first kMaxTitleBytes are tagged (a
    // record from elsewhere may hold anything there), offsets still into it.
    constexpr size_t kMaxTitleBytes = 4096;
    constexpr std::string_view kBreak = "\n\n";  // between headline and text
    constexpr int64_t kBreakCp = kBreak.size();
    const std::string& full_title = a.clean->title;
    const bool with_title =
        !full_title.empty() && IsValidUtf8(full_title) && full_title.find('\n') == std::string::npos;
    const std::string_view title = with_title ? CutUtf8(full_title, kMaxTitleBytes) : std::string_view();
    std::string_view input = view;
    int64_t title_cp = 0;
    if (with_title) {
      document_.assign(title).append(kBreak).append(view);
      input = document_;
      title_cp = CountCodePoints(title);
    }
    it->second->recognizer->Find(input, &found_scratch_);
    std::vector<Entity> out, in_title;
    out.reserve(found_scratch_.size());
    for (auto& f : found_scratch_) {
      const bool title_span = with_title && f.end <= title_cp;
      if (with_title && !title_span) {
        if (f.start < title_cp + kBreakCp) continue;  // across the break: never made (a line break ends a sentence)
        f.start -= title_cp + kBreakCp;
        f.end -= title_cp + kBreakCp;
      }
      if (auto c = found_.find(f.type); c != found_.end()) c->second->Increment();
      (title_span ? in_title : out)
          .push_back({std::move(f.text), std::move(f.type), f.start, f.end, std::move(f.canonical)});
    }
    std::string note = code + (a.lang ? "" : " (guessed from script)") + ": " +
                       std::to_string(out.size()) + " entities" +
                       (with_title ? " + " + std::to_string(in_title.size()) + " in the title" : "");
    if (view.size() < text.size()) {
      note += ", tagged the first " + std::to_string(view.size()) + " of " +
              std::to_string(text.size()) + " bytes";
    }
    a.entities = std::move(out);
    if (with_title) a.title_entities = std::move(in_title);
    a.trace.push_back({kStageName, NowRfc3339(), std::move(note)});
    return Outcome::Forward();
  }

 private:
  Result<Outcome> Skip(Article& a, const char* reason, std::string note) {
    if (auto c = skipped_.find(reason); c != skipped_.end()) c->second->Increment();
    a.trace.push_back({kStageName, NowRfc3339(), std::move(note)});
    return Outcome::Forward();
  }

  std::map<std::string, std::unique_ptr<LanguageTagger>, std::less<>> taggers_;
  size_t max_text_bytes_ = 0;
  bool guess_language_ = true;
  std::vector<entities::FoundEntity> found_scratch_;
  std::string document_;  // the headline and the text, reused across records
  std::map<std::string, prometheus::Counter*, std::less<>> found_;
  std::map<std::string, prometheus::Counter*, std::less<>> skipped_;
};

}  // namespace

int64_t EntitiesLanguageLoads() { return LanguageLoads().loads(); }

StageDescriptor EntitiesStageDescriptor() {
  return {
      kStageName,
      "Tags people, places and organisations (PER/LOC/ORG/MISC) in clean.text for "
      "supported languages (linear tagger: averaged perceptron + CRF, gazetteers), with canonical keys",
      {
          {"languages", OptionType::kString, "ar,en",
           "comma-separated language codes to tag; each needs data/<code>.model"},
          {"data_dir", OptionType::kPath, "",
           "directory with models, clusters and gazetteer/ (default: stages/entities/data)"},
          {"max_text_bytes", OptionType::kInt, "1000000",
           "tag at most this many bytes of clean.text (the rest is left untagged, noted in trace)", 1, 1LL << 30},
          {"guess_language", OptionType::kBool, "true",
           "without a lang section, tag as Arabic when the text is mostly Arabic script"},
      },
      [] { return std::make_unique<EntitiesStage>(); }};
}

}  // namespace newsflow
