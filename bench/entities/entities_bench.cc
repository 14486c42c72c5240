// entities_bench: the figures issue 5 asks for, printed as text.
//
//   build-entities/bench/entities/entities_bench [--articles N] [--runs R] [--no-quality]
//       [--ablate] [--cv K] [--train-runs N] [--ar-epochs E] [--ar-dropout P]
//       [--ar-perceptron | --ar-crf] [--ar-crf-rate R] [--ar-crf-l2 L] [--ar-crf-epochs E]
//       [--ar-mix-weight W] [--ar-vectors FILE]... [--ar-vectors-scale S] [--ar-dense-window W]
//       [--ar-seed S]
//
// 1. Load: median wall time to load the shipped Arabic model, clusters and
//    gazetteers (stages/entities/data), and the peak RSS after loading and
//    tagging.
// 2. Throughput: one thread tags the first N articles of the Arabic news
//    corpus (title + text) through the Recognizer (tokeniser, normaliser,
//    features, Viterbi, spans); thread CPU time, median of R runs.
// 3. Quality: trains Arabic and English models on train.conll only (same
//    options as the shipped models) and scores the dev splits, CoNLL exact
//    span match, per type and micro: the bare model sentence by sentence (the
//    headline figure), with name propagation, and as the stage runs.
//    --ablate: the stage figure with each post-rule alone. --cv K: also
//    K-fold cross-validation on train.conll (8,000 entities against dev's
//    975, for telling a real change from shuffle noise; --en-cv K for
//    English); --cv-dump FILE writes the folds' predictions as the stage
//    runs (word, gold tag, predicted tag; a blank line after each sentence),
//    for listing errors without looking at dev. --train-runs N:
//    averaged runs of the Arabic model (default 10, as shipped); --ar-epochs,
//    --ar-dropout: other Arabic training options than the shipped ones;
//    the Arabic model mixes perceptron and CRF runs (as shipped); --ar-perceptron
//    or --ar-crf train one learner alone (the measured alternatives).
// Corpus parts that are absent are skipped with a note.
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "name_list.h"
#include "ner.h"
#include "newsflow/paths.h"
#include "recognizer.h"

using namespace newsflow;
using namespace newsflow::entities;

namespace {

// Arabic training options; the defaults are the shipped model's (data/SOURCES.md):
// perceptron and CRF runs mixed. --ar-perceptron, --ar-crf: one learner alone.
struct ArOptions {
  int runs = 0;         // --train-runs (0: shipped)
  double dropout = -1;  // --ar-dropout (<0: shipped)
  int epochs = 0;       // --ar-epochs (0: shipped)
  bool crf = false;
  float crf_rate = 0.1f, crf_l2 = 0.003f;
  bool mix = true;
  float mix_weight = 1.0f;
  int crf_epochs = 8;
  // Round 5: dense word vectors (newsflow-ner-vectors output; a second file
  // adds n-gram vectors of unseen words), scaled, as features of the token
  // and its neighbours up to dense_window away.
  std::vector<std::string> vectors;
  float vectors_scale = 1.0f;
  int dense_window = 1;
  uint32_t seed = 1;  // --ar-seed: first shuffle seed (runs use seed, seed+1, ...)
} g_ar;

// Extra training files per language (--ar-extra, --en-extra; "FILE:nomisc"
// marks a source that does not annotate MISC, "FILE@K" keeps every K-th
// sentence). Always in training; cross-validation folds come from
// train.conll alone. English options: --en-clusters FILE, --en-mix.
struct ExtraFile {
  std::string path;
  bool no_misc = false;
  bool drop_misc = false;  // "FILE:dropmisc": MISC tags not trusted (-> O, then as :nomisc)
  bool target = false;     // "FILE:target": the target's domain (0), not one of its own
  int every = 1;
};
// --ar-domains / --en-domains: each extra file is its own domain
// (TrainOptions::domain_copies), the target's train.conll domain 0.
bool g_ar_domains = false, g_en_domains = false;
int g_ar_weight = 1;  // --ar-weight K: train.conll K times over
int g_ar_prune = 0;   // --ar-prune Q: drop features whose int16 weights are all below Q (0: 200)
std::vector<ExtraFile> g_ar_extra, g_en_extra;
std::string g_en_clusters, g_ar_clusters;
// English as shipped (data/SOURCES.md): WikiGold train three times over,
// the extra sets (UNER and BTC as partial labels: they do not annotate
// MISC), perceptron + CRF mixed. --en-round1: WikiGold alone, perceptron,
// 30 epochs, one run (the model before this round).
bool g_en_mix = true;
int g_en_weight = 3;
bool g_en_round1 = false;
const char* const kEnExtra[] = {
    "extra/wikineural/train.conll", "extra/uner_pud/train.conll:nomisc",
    "extra/uner_ewt/train.conll:nomisc", "extra/uner_ewt/dev.conll:nomisc",
    "extra/wnut17/train.conll", "extra/btc/train.conll:nomisc"};
bool g_no_en = false, g_no_ar = false;
int g_en_cv = 0;
std::string g_cv_dump;  // --cv-dump FILE: the cross-validation's predictions (word, gold, predicted)
int g_en_runs = 0, g_en_epochs = 0;
uint32_t g_en_seed = 1;  // --en-seed: first shuffle seed of the English runs (seed, seed+1, ...)
// --en-names: typed name lists compiled from the training spans as
// gazetteer features, jackknifed over 5 folds for the training sentences
// (name_list.h); --en-names-kinds NHF (names, heads, first tokens),
// --en-names-min N, --en-names-share S.
bool g_en_names = false;
bool g_ar_names = false;  // --ar-names: the same list for Arabic (built with the --en-names-* options)
NameListOptions g_names_opt;

ExtraFile ParseExtra(std::string spec) {
  ExtraFile f;
  if (const size_t at = spec.rfind('@'); at != std::string::npos) {
    f.every = std::max(1, std::stoi(spec.substr(at + 1)));
    spec.resize(at);
  }
  if (spec.size() > 7 && spec.ends_with(":target")) {
    f.target = true;
    spec.resize(spec.size() - 7);
  }
  if (spec.size() > 7 && spec.ends_with(":nomisc")) {
    f.no_misc = true;
    spec.resize(spec.size() - 7);
  } else if (spec.size() > 9 && spec.ends_with(":dropmisc")) {
    f.no_misc = f.drop_misc = true;
    spec.resize(spec.size() - 9);
  }
  f.path = spec;
  return f;
}

std::vector<Sentence> ReadExtra(const std::vector<ExtraFile>& files) {
  std::vector<Sentence> out;
  for (const ExtraFile& f : files) {
    auto r = ReadConll(f.path);
    if (!r.ok()) {
      std::printf("cannot read %s: %s\n", f.path.c_str(), r.status().ToString().c_str());
      std::exit(2);
    }
    for (size_t i = 0; i < r->size(); i += f.every) {
      out.push_back((*r)[i]);
      out.back().no_misc = f.no_misc;
      out.back().domain = f.target ? 0 : static_cast<int>(&f - files.data()) + 1;
      if (f.drop_misc) DropMisc(&out.back());
    }
  }
  return out;
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

long PeakRssMb() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

// Title + text of the first `max_articles` news articles (empty if absent).
std::vector<std::string> ReadNews(const std::string& path, size_t max_articles) {
  std::vector<std::string> texts;
  std::ifstream in(path);
  simdjson::ondemand::parser parser;
  std::string line;
  while (texts.size() < max_articles && std::getline(in, line)) {
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    std::string_view title, text;
    if (doc["title"].get_string().get(title) != simdjson::SUCCESS) title = "";
    if (doc["text"].get_string().get(text) != simdjson::SUCCESS) continue;
    texts.push_back(std::string(title) + "\n" + std::string(text));
  }
  return texts;
}

struct Loaded {
  Model model;
  Resources res;
};

Status LoadShipped(const std::string& lang, Loaded* l) {
  const std::string dir = StageDataDir("entities");
  NEWSFLOW_RETURN_IF_ERROR(l->model.Load(dir + "/" + lang + ".model"));
  return l->res.LoadDataDir(dir, lang);  // as the stage: clusters, gazetteer/, <lang>.names.tsv
}

// Trains on train.conll with the shipped options and scores dev.conll.
void Quality(const std::string& lang, int epochs, double dropout, int runs, int prune,
             bool ablate, int cv_folds) {
  const std::string dir = CorpusDir() + "/ner/" + lang;
  auto train = ReadConll(dir + "/train.conll");
  auto dev = ReadConll(dir + "/dev.conll");
  if (!train.ok() || !dev.ok()) {
    std::printf("\n[%s] skipped: no %s/{train,dev}.conll\n", lang.c_str(), dir.c_str());
    return;
  }
  Loaded l;  // resources only; the model is trained here on train.conll (+ extra files) alone
  const std::string data = StageDataDir("entities");
  const std::string clusters = lang == "en" && !g_en_clusters.empty()   ? g_en_clusters
                               : lang == "ar" && !g_ar_clusters.empty() ? g_ar_clusters
                                                                        : data + "/" + lang + ".clusters.tsv";
  // Round 1's English model had no clusters.
  if (!(lang == "en" && g_en_round1) && std::ifstream(clusters)) (void)l.res.LoadClusters(clusters);
  std::printf("\n[%s] resources: %zu lexicon words, %zu clustered\n", lang.c_str(),
              l.res.lexicon.size(), l.res.lexicon.cluster_count());
  if (lang == "ar" && !g_ar.vectors.empty()) {
    for (const std::string& f : g_ar.vectors) {
      if (auto st = l.res.LoadVectors(f, g_ar.vectors_scale); !st.ok()) {
        std::printf("%s\n", st.ToString().c_str());
        std::exit(2);
      }
    }
    std::printf("[ar] dense vectors: %zu words, dim %d, scale %.2f, window +-%d\n",
                l.res.vectors.size(), l.res.vectors.dim, g_ar.vectors_scale, g_ar.dense_window);
  }
  std::vector<ExtraFile> extra_files = lang == "ar" ? g_ar_extra : g_en_extra;
  const int weight = lang == "en" && !g_en_round1 ? g_en_weight : g_ar_weight;
  if (lang == "en" && !g_en_round1 && extra_files.empty()) {
    for (const char* f : kEnExtra) extra_files.push_back(ParseExtra(dir + "/" + f));
  }
  const std::vector<Sentence> extra = ReadExtra(extra_files);
  std::vector<Sentence> train_all;
  for (int k = 0; k < weight; ++k) train_all.insert(train_all.end(), train->begin(), train->end());
  train_all.insert(train_all.end(), extra.begin(), extra.end());
  (void)l.res.gazetteer.LoadDir(data + "/gazetteer");
  TrainOptions opt;
  if (lang == "ar" && g_ar.runs > 0) runs = g_ar.runs;
  if (lang == "ar" && g_ar_prune > 0) prune = g_ar_prune;
  if (lang == "ar" && g_ar.dropout >= 0) dropout = g_ar.dropout;
  if (lang == "ar" && g_ar.epochs > 0) epochs = g_ar.epochs;
  if (lang == "en" && g_en_runs > 0) runs = g_en_runs;
  if (lang == "en" && g_en_epochs > 0) epochs = g_en_epochs;
  opt.epochs = epochs;
  opt.word_dropout = dropout;
  opt.runs = runs;
  opt.prune_below = prune;
  opt.verbose = false;
  if (lang == "en" && g_en_mix && !g_en_round1) {
    opt.mix_crf = true;
    opt.crf_l2 = 0.003f;
    opt.crf_epochs = 8;
  }
  if (lang == "en") opt.seed = g_en_seed;
  opt.domain_copies = lang == "ar" ? g_ar_domains : g_en_domains;
  if (lang == "ar") {
    opt.crf = g_ar.crf;
    opt.crf_rate = g_ar.crf_rate;
    opt.crf_l2 = g_ar.crf_l2;
    opt.mix_crf = g_ar.mix;
    opt.crf_epochs = g_ar.crf_epochs;
    opt.mix_crf_weight = g_ar.mix_weight;
    if (!g_ar.vectors.empty()) opt.dense_window = g_ar.dense_window;
    opt.seed = g_ar.seed;
  }
  const bool names = (lang == "en" && g_en_names) || (lang == "ar" && g_ar_names);
  // With --en-names: the name lists of the training data, jackknifed for the
  // training sentences; `eval_res` (all training spans) tags dev.
  JackknifedNames jk;
  if (names) {
    jk = BuildJackknifedNames(train_all, l.res, g_names_opt);
    opt.sentence_resources = &jk.per_sentence;
    std::printf("[%s] name list from the training spans: %zu entries\n", lang.c_str(), jk.full_list.size());
  }
  const Resources& eval_res = names ? *jk.full : l.res;
  const auto t0 = std::chrono::steady_clock::now();
  if (auto st = Train(train_all, {}, l.res, opt, &l.model); !st.ok()) {
    std::printf("[%s] training failed: %s\n", lang.c_str(), st.ToString().c_str());
    return;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\n[%s] model trained on train.conll + %zu extra sentences (%zu sentences, %s, %d epochs, word dropout "
              "%.2f, %d averaged runs) in %.1f s; dev.conll (%zu sentences), exact spans:\n",
              lang.c_str(), extra.size(), train_all.size(),
              opt.mix_crf ? "averaged perceptron + CRF (8 epochs, L2 0.003), weights mixed"
                          : opt.crf ? "CRF" : "averaged perceptron",
              epochs, dropout, runs, secs, dev->size());
  std::printf("[%s] %zu features kept (pruned below %d)\n", lang.c_str(), l.model.num_features(), prune);
  if (cv_folds > 1) {
    // Cross-validation on train.conll (contiguous folds): ten times the
    // entities of dev.conll, so feature and list changes can be told from
    // shuffle noise. Pooled counts over the folds.
    Evaluation bare, prop;
    for (int k = 0; k < cv_folds; ++k) {
      std::vector<Sentence> fit, held;
      for (size_t s = 0; s < train->size(); ++s) {
        (static_cast<int>(s * cv_folds / train->size()) == k ? held : fit).push_back((*train)[s]);
      }
      const std::vector<Sentence> fit1 = fit;
      for (int w = 1; w < weight; ++w) fit.insert(fit.end(), fit1.begin(), fit1.end());
      fit.insert(fit.end(), extra.begin(), extra.end());
      Model m;
      JackknifedNames fjk;
      TrainOptions fopt = opt;
      if (names) {
        fjk = BuildJackknifedNames(fit, l.res, g_names_opt);
        fopt.sentence_resources = &fjk.per_sentence;
      }
      const Resources& fres = names ? *fjk.full : l.res;
      (void)Train(fit, {}, l.res, fopt, &m);
      const Evaluation a = Evaluate(held, m, fres, {false, false, false});
      std::vector<std::vector<int>> pred;
      const Evaluation b = Evaluate(held, m, fres, DefaultPolicy(lang), 20, &pred);
      if (!g_cv_dump.empty()) {
        // word, gold tag, predicted tag (as the stage runs); a blank line after each sentence
        std::ofstream out(g_cv_dump, k == 0 ? std::ios::trunc : std::ios::app);
        for (size_t s = 0; s < held.size(); ++s) {
          for (size_t i = 0; i < held[s].words.size(); ++i) {
            out << held[s].words[i] << '\t' << kTagNames[held[s].tags[i]] << '\t' << kTagNames[pred[s][i]] << '\n';
          }
          out << '\n';
        }
      }
      for (int t = 0; t < 4; ++t) {
        bare.by_type[t].gold += a.by_type[t].gold;
        bare.by_type[t].predicted += a.by_type[t].predicted;
        bare.by_type[t].correct += a.by_type[t].correct;
        prop.by_type[t].gold += b.by_type[t].gold;
        prop.by_type[t].predicted += b.by_type[t].predicted;
        prop.by_type[t].correct += b.by_type[t].correct;
      }
      for (auto* e : {&bare, &prop}) {
        const Evaluation& src = e == &bare ? a : b;
        e->micro.gold += src.micro.gold;
        e->micro.predicted += src.micro.predicted;
        e->micro.correct += src.micro.correct;
      }
    }
    std::printf("-- %d-fold cross-validation on train.conll, bare\n%s", cv_folds,
                bare.Table().c_str());
    std::printf("-- %d-fold cross-validation on train.conll, as the stage runs\n%s", cv_folds,
                prop.Table().c_str());
  }
  std::printf("-- bare model\n%s", Evaluate(*dev, l.model, eval_res, {false, false, false}).Table().c_str());
  std::printf("-- bare model + name propagation over 20-sentence pseudo-documents (ANERcorp has "
              "no document marks; the stage propagates over one article)\n%s",
              Evaluate(*dev, l.model, eval_res, {false, false, false}, 20).Table().c_str());
  std::printf("-- as the stage runs: post-rules (gazetteer type/add, particle/title trim) + "
              "propagation over 20-sentence pseudo-documents\n%s",
              Evaluate(*dev, l.model, eval_res, DefaultPolicy(lang), 20).Table().c_str());
  if (!ablate) return;
  // Which post-rule moves the stage figure: each alone on top of propagation.
  struct Variant {
    const char* name;
    GazetteerPolicy policy;
  };
  const Variant variants[] = {
      {"MISC type from the lists only", {true, false, false}},
      {"add missing only", {false, true, false}},
      {"trim particles only", {false, false, true}},
  };
  for (const Variant& v : variants) {
    const Evaluation ev = Evaluate(*dev, l.model, l.res, v.policy, 20);
    std::printf("-- propagation + %s: micro P %.2f R %.2f F1 %.2f\n", v.name,
                ev.micro.Precision(), ev.micro.Recall(), ev.micro.F1());
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t max_articles = 3000;
  int runs = 5;
  bool quality = true;
  bool ablate = false;
  int cv_folds = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--no-quality") quality = false;
    else if (arg == "--ablate") ablate = true;
    else if (arg == "--articles" && has_value) max_articles = std::stoul(argv[++i]);
    else if (arg == "--runs" && has_value) runs = std::stoi(argv[++i]);
    else if (arg == "--cv" && has_value) cv_folds = std::stoi(argv[++i]);
    else if (arg == "--train-runs" && has_value) g_ar.runs = std::stoi(argv[++i]);
    else if (arg == "--ar-dropout" && has_value) g_ar.dropout = std::stod(argv[++i]);
    else if (arg == "--ar-epochs" && has_value) g_ar.epochs = std::stoi(argv[++i]);
    else if (arg == "--ar-crf") g_ar.crf = true, g_ar.mix = false;
    else if (arg == "--ar-perceptron") g_ar.crf = false, g_ar.mix = false;
    else if (arg == "--ar-crf-rate" && has_value) g_ar.crf_rate = std::stof(argv[++i]);
    else if (arg == "--ar-crf-l2" && has_value) g_ar.crf_l2 = std::stof(argv[++i]);
    else if (arg == "--ar-mix") g_ar.mix = true;
    else if (arg == "--ar-crf-epochs" && has_value) g_ar.crf_epochs = std::stoi(argv[++i]);
    else if (arg == "--ar-mix-weight" && has_value) g_ar.mix_weight = std::stof(argv[++i]);
    else if (arg == "--ar-vectors" && has_value) g_ar.vectors.push_back(argv[++i]);
    else if (arg == "--ar-vectors-scale" && has_value) g_ar.vectors_scale = std::stof(argv[++i]);
    else if (arg == "--ar-dense-window" && has_value) g_ar.dense_window = std::stoi(argv[++i]);
    else if (arg == "--ar-seed" && has_value) g_ar.seed = static_cast<uint32_t>(std::stoul(argv[++i]));
    else if (arg == "--ar-extra" && has_value) g_ar_extra.push_back(ParseExtra(argv[++i]));
    else if (arg == "--en-extra" && has_value) g_en_extra.push_back(ParseExtra(argv[++i]));
    else if (arg == "--ar-domains") g_ar_domains = true;
    else if (arg == "--ar-weight" && has_value) g_ar_weight = std::stoi(argv[++i]);
    else if (arg == "--ar-prune" && has_value) g_ar_prune = std::stoi(argv[++i]);
    else if (arg == "--en-domains") g_en_domains = true;
    else if (arg == "--en-clusters" && has_value) g_en_clusters = argv[++i];
    else if (arg == "--ar-clusters" && has_value) g_ar_clusters = argv[++i];
    else if (arg == "--en-mix") g_en_mix = true;
    else if (arg == "--en-perceptron") g_en_mix = false;
    else if (arg == "--en-round1") g_en_round1 = true;
    else if (arg == "--en-weight" && has_value) g_en_weight = std::stoi(argv[++i]);
    else if (arg == "--en-runs" && has_value) g_en_runs = std::stoi(argv[++i]);
    else if (arg == "--en-epochs" && has_value) g_en_epochs = std::stoi(argv[++i]);
    else if (arg == "--en-seed" && has_value) g_en_seed = static_cast<uint32_t>(std::stoul(argv[++i]));
    else if (arg == "--no-en") g_no_en = true;
    else if (arg == "--no-ar") g_no_ar = true;
    else if (arg == "--en-names") g_en_names = true;
    else if (arg == "--ar-names") g_ar_names = true;
    else if (arg == "--en-names-min" && has_value) g_names_opt.min_count = std::stoi(argv[++i]);
    else if (arg == "--en-names-share" && has_value) {
      g_names_opt.min_share = g_names_opt.head_min_share = std::stod(argv[++i]);
    } else if (arg == "--en-names-kinds" && has_value) {
      SetNameListKinds(argv[++i], &g_names_opt);
    } else if (arg == "--en-cv" && has_value) g_en_cv = std::stoi(argv[++i]);
    else if (arg == "--cv-dump" && has_value) g_cv_dump = argv[++i];
    else {
      std::printf("unknown argument %s\n", argv[i]);
      return 2;
    }
  }

  // 1. Load time (fresh objects each run).
  std::vector<double> load_times;
  for (int r = 0; r < runs; ++r) {
    Loaded l;
    const auto t0 = std::chrono::steady_clock::now();
    if (auto st = LoadShipped("ar", &l); !st.ok()) {
      std::printf("cannot load the shipped model: %s\n", st.ToString().c_str());
      return 2;
    }
    load_times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  // What the stage's Open loads with the default languages (ar,en).
  std::vector<double> both_times;
  for (int r = 0; r < runs; ++r) {
    Loaded a, e;
    const auto t0 = std::chrono::steady_clock::now();
    const Status sa = LoadShipped("ar", &a), se = LoadShipped("en", &e);
    if (!sa.ok() || !se.ok()) {
      std::printf("cannot load the shipped models: %s %s\n", sa.ToString().c_str(), se.ToString().c_str());
      return 2;
    }
    both_times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("load ar + en (models, clusters, gazetteers: what the stage opens): median %.0f ms over %d runs\n",
              Median(both_times) * 1000, runs);
  Loaded ar;
  (void)LoadShipped("ar", &ar);
  std::printf("entities_bench (one thread)\n");
  std::printf("load ar.model + ar.clusters.tsv + gazetteer/: median %.0f ms over %d runs; "
              "%zu features (weight table %.1f MB), %zu lexicon words, %zu gazetteer keys\n",
              Median(load_times) * 1000, runs, ar.model.num_features(),
              ar.model.memory_bytes() / 1048576.0, ar.res.lexicon.size(), ar.res.gazetteer.size());

  // 2. Throughput on Arabic news.
  const std::string news = CorpusDir() + "/news/ar/saudinewsnet.jsonl";
  const std::vector<std::string> texts = ReadNews(news, max_articles);
  if (texts.empty()) {
    std::printf("throughput skipped: no %s\n", news.c_str());
  } else {
    size_t bytes = 0;
    for (const std::string& t : texts) bytes += t.size();
    Recognizer rec(&ar.model, &ar.res);
    std::vector<FoundEntity> found;
    std::vector<double> rates;
    size_t tokens = 0, entities = 0;
    for (int r = 0; r < runs; ++r) {
      tokens = entities = 0;
      const double t0 = ThreadCpuSeconds();
      for (const std::string& t : texts) {
        rec.Find(t, &found);
        tokens += rec.last_token_count();
        entities += found.size();
      }
      rates.push_back(tokens / (ThreadCpuSeconds() - t0));
    }
    std::printf("tag %zu ar news articles (%.1f MB, %zu tokens, %zu entities): median %.0f "
                "tokens/s (min %.0f, max %.0f) over %d runs, %.2f MB/s\n",
                texts.size(), bytes / 1048576.0, tokens, entities, Median(rates),
                *std::min_element(rates.begin(), rates.end()),
                *std::max_element(rates.begin(), rates.end()), runs,
                Median(rates) * bytes / tokens / 1048576.0);
  }
  std::printf("peak RSS after load + tagging: %ld MB\n", PeakRssMb());

  // 3. Quality on the dev splits, models trained on train only.
  // The options the shipped models were trained with (data/SOURCES.md).
  if (quality) {
    if (!g_no_ar) Quality("ar", 30, 0.1, 10, 200, ablate, cv_folds);
    if (!g_no_en) {
      if (g_en_round1) Quality("en", 30, 0.0, 1, 1, ablate, g_en_cv);
      else Quality("en", 15, 0.0, 5, 2000, ablate, g_en_cv);
    }
  }
  return 0;
}
