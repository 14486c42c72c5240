#include "langid_stage.h"

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "language_detector.h"
#include "newsflow/paths.h"
#include "newsflow/text.h"

namespace newsflow {
namespace {

constexpr char kModelFile[] = "lid.176.ftz";

std::vector<OptionSpec> LangidOptions() {
  const langid::DetectorOptions d;
  return {
      {"model_path", OptionType::kPath, "",
       "fastText lid.176 model; empty means <models dir>/lid.176.ftz. A missing file runs "
       "the stage on CLD2 alone"},
      {"require_fasttext", OptionType::kBool, "false",
       "fail at start-up instead of running on CLD2 alone when the model is missing"},
      {"min_letters", OptionType::kInt, std::to_string(d.min_letters),
       "texts with fewer letters (digits and punctuation do not count) get 'und'", 0, 1000000},
      {.key = "min_confidence", .type = OptionType::kDouble, .default_value = std::to_string(d.min_confidence),
       .help = "answers below this confidence become 'und'", .min_double = 0, .max_double = 1},
      {"cld2_min_percent", OptionType::kInt, std::to_string(d.cld2_min_percent),
       "CLD2 answers alone (fast path) only when reliable with at least this percent share", 0, 100},
      {"cld2_min_bytes", OptionType::kInt, std::to_string(d.cld2_min_bytes),
       "...and at least this many letter bytes; shorter texts go to the vote", 0, 1000000000},
      {.key = "cld2_min_score", .type = OptionType::kDouble, .default_value = std::to_string(d.cld2_min_score),
       .help = "...and a CLD2 score of at least this fraction of ordinary text in that language",
       .min_double = 0, .max_double = 100},
      {"fasttext_max_bytes", OptionType::kInt, std::to_string(d.fasttext_max_bytes),
       "bytes of majority-script text fastText reads", 1, 1LL << 30},
      {"span_min_letters", OptionType::kInt, std::to_string(d.span_min_letters),
       "smallest other-language passage reported in lang.spans, in letters", 1, 1000000},
      {"max_spans", OptionType::kInt, std::to_string(d.max_spans),
       "most spans reported per article", 0, 1000000},
  };
}

class LangidStage final : public Stage {
 public:
  Status Open(StageContext& ctx) override {
    const Settings& s = ctx.settings;
    langid::DetectorOptions opt;
    opt.model_path = s.GetString("model_path");
    if (opt.model_path.empty()) opt.model_path = ModelsDir() + "/" + kModelFile;
    if (s.Has("min_letters")) opt.min_letters = s.GetInt("min_letters");
    if (s.Has("min_confidence")) opt.min_confidence = s.GetDouble("min_confidence");
    if (s.Has("cld2_min_percent")) opt.cld2_min_percent = static_cast<int>(s.GetInt("cld2_min_percent"));
    if (s.Has("cld2_min_bytes")) opt.cld2_min_bytes = static_cast<int>(s.GetInt("cld2_min_bytes"));
    if (s.Has("cld2_min_score")) opt.cld2_min_score = s.GetDouble("cld2_min_score");
    if (s.Has("fasttext_max_bytes")) opt.fasttext_max_bytes = s.GetInt("fasttext_max_bytes");
    if (s.Has("span_min_letters")) opt.span_min_letters = s.GetInt("span_min_letters");
    if (s.Has("max_spans")) opt.max_spans = s.GetInt("max_spans");
    // Ranges (min_confidence 0..1, fasttext_max_bytes >= 1) are the settings'
    // own: Settings::Parse refused what is outside them before this.

    auto detector = langid::LanguageDetector::Create(opt);
    if (!detector.ok()) return detector.status().WithContext("langid");
    detector_ = std::move(detector).value();

    auto& loaded = prometheus::BuildGauge()
                       .Name("newsflow_langid_fasttext_loaded")
                       .Help("1 when the fastText model is loaded, 0 when langid runs on CLD2 "
                             "alone")
                       .Register(ctx.metrics);
    loaded.Add({}).Set(detector_->fasttext_loaded() ? 1 : 0);
    auto& decisions = prometheus::BuildCounter()
                          .Name("newsflow_langid_decisions_total")
                          .Help("Articles by the engine that decided their language")
                          .Register(ctx.metrics);
    by_cld2_ = &decisions.Add({{"engine", "cld2"}});
    by_fasttext_ = &decisions.Add({{"engine", "fasttext"}});
    by_vote_ = &decisions.Add({{"engine", "cld2+fasttext"}});
    und_ = &decisions.Add({{"engine", "none"}});
    fasttext_read_ = &prometheus::BuildCounter()
                          .Name("newsflow_langid_fasttext_read_bytes_total")
                          .Help("Bytes of text fastText read (the rest was decided by CLD2 "
                                "alone)")
                          .Register(ctx.metrics)
                          .Add({});
    spans_ = &prometheus::BuildCounter()
                  .Name("newsflow_langid_spans_total")
                  .Help("Other-language passages reported in lang.spans")
                  .Register(ctx.metrics)
                  .Add({});

    if (detector_->fasttext_loaded()) {
      spdlog::info("langid: fastText model {} loaded; CLD2 + fastText", opt.model_path);
    } else if (s.GetBool("require_fasttext")) {
      return Status::Unavailable("langid: fastText model not found at " + opt.model_path +
                                 " (fetch it: newsflow-fetch-models when installed, "
                                 "scripts/setup.sh in a checkout) and require_fasttext is set");
    } else {
      spdlog::warn(
          "langid: fastText model not found at {}; running on CLD2 only (no Kurmanji, weaker "
          "on Pashto, Sorani, Sindhi, Uyghur); fetch it with newsflow-fetch-models (installed) or "
          "scripts/setup.sh (checkout)",
          opt.model_path);
    }
    return Status::OK();
  }

  Result<Outcome> Process(Article& a) override {
    // The body's text; the title only when the body is empty (spans are
    // offsets into clean.text, so a title answer carries none).
    const std::string* text = &a.Text();
    const bool use_title = text->empty() && a.clean && !a.clean->title.empty();
    if (use_title) text = &a.clean->title;
    const int64_t fasttext_bytes = detector_->fasttext_bytes();
    detector_->Detect(*text, detection_);
    if (detector_->fasttext_bytes() > fasttext_bytes) {
      fasttext_read_->Increment(static_cast<double>(detector_->fasttext_bytes() - fasttext_bytes));
    }

    LangSection lang;
    lang.code = detection_.code;
    lang.confidence = detection_.confidence;
    lang.script = detection_.script;
    lang.engine = detection_.engine;
    if (!use_title) {
      for (const auto& s : detection_.spans) {
        lang.spans.push_back({s.start, s.end, std::string(s.code), s.confidence});
      }
    }
    a.lang = std::move(lang);

    if (detection_.engine == "cld2") {
      by_cld2_->Increment();
    } else if (detection_.engine == "fasttext") {
      by_fasttext_->Increment();
    } else if (detection_.engine == "cld2+fasttext") {
      by_vote_->Increment();
    } else {
      und_->Increment();
    }
    if (!a.lang->spans.empty()) spans_->Increment(static_cast<double>(a.lang->spans.size()));
    std::string note = std::string(detection_.code) + " by " + std::string(detection_.engine);
    if (use_title) note += " (title)";
    if (!detector_->fasttext_loaded()) note += " (CLD2 only: no fastText model)";
    a.trace.push_back({"langid", NowRfc3339(), std::move(note)});
    return Outcome::Forward();
  }

 private:
  std::unique_ptr<langid::LanguageDetector> detector_;
  langid::Detection detection_;
  prometheus::Counter* by_cld2_ = nullptr;
  prometheus::Counter* by_fasttext_ = nullptr;
  prometheus::Counter* by_vote_ = nullptr;
  prometheus::Counter* und_ = nullptr;
  prometheus::Counter* spans_ = nullptr;
  prometheus::Counter* fasttext_read_ = nullptr;
};

}  // namespace

StageDescriptor LangidStageDescriptor() {
  return {"langid",
          "Language (ISO 639-1, else 639-3), script (ISO 15924), confidence and "
          "other-language spans, by CLD2 and fastText lid.176",
          LangidOptions(), [] { return std::make_unique<LangidStage>(); }};
}

}  // namespace newsflow
