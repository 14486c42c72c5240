// newsflow-train-ner: trains the entity tagger from CoNLL files.
//
//   newsflow-train-ner --lang ar --train train.conll [--train dev.conll]
//       --dev dev.conll --epochs 12 --out stages/entities/data/ar.model
//
// Training is deterministic (fixed shuffle seed), so the same inputs give the
// same model file.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "name_list.h"
#include "ner.h"
#include "newsflow/paths.h"

using namespace newsflow::entities;

int main(int argc, char** argv) {
  CLI::App app{"Train the newsflow entity tagger (averaged perceptron, CRF, or both mixed)"};
  std::string lang = "ar";
  std::vector<std::string> train_files;
  std::string dev_file, out_file, clusters, gazetteer;
  int epochs = 12;
  uint32_t seed = 1;
  app.add_option("--lang", lang, "ar or en")->required();
  std::vector<std::string> train_no_misc, train_drop_misc;
  int extra_every = 1;
  app.add_option("--train", train_files, "CoNLL training file(s)")->required();
  app.add_option("--train-no-misc", train_no_misc,
                 "CoNLL training file(s) whose source does not annotate MISC (O may be MISC: partial labels)");
  app.add_option("--train-drop-misc", train_drop_misc,
                 "CoNLL training file(s) whose MISC tags are not trusted: MISC -> O, then as --train-no-misc");
  std::vector<std::string> train_other;
  app.add_option("--train-other", train_other,
                 "CoNLL training file(s) from another source than the target (fully labelled: as --train, "
                 "but with --domains a domain of its own)");
  bool domains = false;
  app.add_flag("--domains", domains,
               "feature augmentation: each --train-other/--train-no-misc/--train-drop-misc file is a domain "
               "of its own, --train files the target (TrainOptions::domain_copies)");
  app.add_option("--extra-every", extra_every,
                 "keep every K-th sentence of the --train-no-misc/--train-drop-misc files");
  app.add_option("--dev", dev_file, "CoNLL file scored after every epoch (not trained on)");
  app.add_option("--epochs", epochs, "passes over the training data");
  app.add_option("--seed", seed, "shuffle seed");
  double dropout = 0.0;
  bool show_errors = false;
  float margin = 0.0f;
  int runs = 1;
  int prune = 1;
  app.add_option("--prune-below", prune, "drop features whose quantised weights are all below this");
  app.add_option("--runs", runs, "independent shuffles whose weights are averaged");
  app.add_option("--margin", margin, "loss-augmented training: bonus for every wrong tag");
  app.add_flag("--show-errors", show_errors, "print missed/spurious dev spans to stdout");
  app.add_option("--word-dropout", dropout, "probability of hiding word features per token");
  bool crf = false;
  float crf_rate = 0.1f, crf_l2 = 0.0f;
  app.add_flag("--crf", crf, "train a CRF (log-likelihood, AdaGrad) instead of the perceptron");
  app.add_option("--crf-rate", crf_rate, "CRF: AdaGrad step size");
  app.add_option("--crf-l2", crf_l2, "CRF: L2 penalty on the weights a sentence touches");
  bool mix_crf = false;
  int crf_epochs = 0;
  app.add_flag("--mix-crf", mix_crf, "train both learners (--runs each) and sum their scaled weights");
  app.add_option("--crf-epochs", crf_epochs, "CRF passes (default: --epochs)");

  app.add_option("--out", out_file, "model file to write")->required();
  std::string model_in;
  app.add_option("--evaluate", model_in, "score this model on --dev instead of training (--out unused)");
  std::string repack_in;
  app.add_option("--repack", repack_in,
                 "load this model, drop features below --prune-below (as training with it would), write --out");
  app.add_option("--clusters", clusters, "word clusters file (default: data/<lang>.clusters.tsv if present)");
  app.add_option("--gazetteer", gazetteer, "gazetteer directory (default: data/gazetteer)");
  std::string names_out, names_in;
  app.add_option("--names-out", names_out,
                 "compile typed name lists from the training spans (name_list.h), train with them "
                 "(jackknifed over 5 folds) and write the full list here (ship as data/<lang>.names.tsv)");
  app.add_option("--names", names_in, "name list to load after the gazetteer (as the stage loads "
                                      "data/<lang>.names.tsv), for --evaluate");
  NameListOptions names_opt;
  std::string names_kinds = "N";
  app.add_option("--names-min", names_opt.min_count, "name list: a name seen in at least this many sentences");
  app.add_option("--names-share", names_opt.min_share, "name list: its most frequent type at least this share");
  app.add_option("--names-kinds", names_kinds, "name list: N names, H heads, F first tokens (default N)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const std::string data = newsflow::StageDataDir("entities");
  if (clusters.empty()) clusters = data + "/" + lang + ".clusters.tsv";
  if (gazetteer.empty()) gazetteer = data + "/gazetteer";

  Resources res;
  if (auto st = res.LoadClusters(clusters); !st.ok()) {
    std::fprintf(stderr, "note: no clusters (%s)\n", st.ToString().c_str());
  }
  if (auto st = res.gazetteer.LoadDir(gazetteer); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 2;
  }
  if (!names_in.empty()) {
    if (auto st = res.gazetteer.LoadFile(names_in); !st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 2;
    }
  }
  std::vector<Sentence> train, dev;
  for (const auto& f : train_files) {
    auto r = ReadConll(f);
    if (!r.ok()) { std::fprintf(stderr, "error: %s\n", r.status().ToString().c_str()); return 2; }
    train.insert(train.end(), r->begin(), r->end());
  }
  int domain = 0;  // of the next file from another source (the target's is 0)
  for (const auto& f : train_other) {
    auto r = ReadConll(f);
    if (!r.ok()) { std::fprintf(stderr, "error: %s\n", r.status().ToString().c_str()); return 2; }
    ++domain;
    for (Sentence& s : *r) s.domain = domain;
    train.insert(train.end(), r->begin(), r->end());
  }
  for (int drop = 0; drop < 2; ++drop) {
    for (const auto& f : drop == 0 ? train_no_misc : train_drop_misc) {
      auto r = ReadConll(f);
      if (!r.ok()) { std::fprintf(stderr, "error: %s\n", r.status().ToString().c_str()); return 2; }
      ++domain;
      for (size_t k = 0; k < r->size(); k += std::max(1, extra_every)) {
        Sentence s = (*r)[k];
        s.no_misc = true;
        s.domain = domain;
        if (drop == 1) DropMisc(&s);
        train.push_back(std::move(s));
      }
    }
  }
  if (!dev_file.empty()) {
    auto r = ReadConll(dev_file);
    if (!r.ok()) { std::fprintf(stderr, "error: %s\n", r.status().ToString().c_str()); return 2; }
    dev = std::move(*r);
  }
  std::fprintf(stderr, "%zu training sentences, %zu dev, lexicon %zu words (%zu clustered), gazetteer %zu keys\n",
               train.size(), dev.size(), res.lexicon.size(), res.lexicon.cluster_count(),
               res.gazetteer.size());
  Model model;
  TrainOptions opt;
  opt.epochs = epochs;
  opt.seed = seed;
  opt.word_dropout = dropout;
  opt.crf = crf;
  opt.crf_rate = crf_rate;
  opt.crf_l2 = crf_l2;
  opt.mix_crf = mix_crf;
  opt.crf_epochs = crf_epochs;
  opt.margin = margin;
  opt.runs = runs;
  opt.prune_below = prune;
  opt.domain_copies = domains;
  const auto t0 = std::chrono::steady_clock::now();
  if (!repack_in.empty()) {
    if (auto st = model.Load(repack_in); !st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 2;
    }
    const size_t before = model.num_features();
    model.Prune(prune);
    if (auto st = model.Save(out_file); !st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 2;
    }
    std::fprintf(stderr, "%zu -> %zu features, wrote %s\n", before, model.num_features(), out_file.c_str());
    return 0;
  }
  if (!model_in.empty()) {
    if (auto st = model.Load(model_in); !st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 2;
    }
    std::printf("dev, as the stage runs (DefaultPolicy, propagation over 20-sentence documents):\n%s",
                Evaluate(dev, model, res, DefaultPolicy(lang), 20).Table().c_str());
    std::printf("dev, bare model:\n%s", Evaluate(dev, model, res, {false, false, false}).Table().c_str());
    GazetteerPolicy own = DefaultPolicy(lang);
    own.override_any_type = !own.override_any_type;
    std::printf("dev, as the stage runs but override_any_type=%d:\n%s", own.override_any_type,
                Evaluate(dev, model, res, own, 20).Table().c_str());
    return 0;
  }
  JackknifedNames jk;
  if (!names_out.empty()) {
    SetNameListKinds(names_kinds, &names_opt);
    jk = BuildJackknifedNames(train, res, names_opt);
    opt.sentence_resources = &jk.per_sentence;
    std::string header = "Typed name lists compiled by newsflow-train-ner --names-out from the labelled spans of\n"
                         "its training files (feature-only gazetteer types: N* names, H* name heads, F* first\n"
                         "tokens). Training files:";
    for (const auto& f : train_files) header += "\n  " + f;
    for (const auto& f : train_other) header += "\n  " + f;
    for (const auto& f : train_no_misc) header += "\n  " + f + " (no MISC)";
    for (const auto& f : train_drop_misc) header += "\n  " + f + " (MISC dropped)";
    if (auto st = WriteNameList(jk.full_list, names_out, header); !st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 2;
    }
    std::fprintf(stderr, "name list: %zu entries, wrote %s\n", jk.full_list.size(), names_out.c_str());
  }
  // Dev is tagged with the full list, as the stage would.
  const Resources& eval_res = names_out.empty() ? res : *jk.full;
  if (auto st = Train(train, dev, eval_res, opt, &model); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 2;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (auto st = model.Save(out_file); !st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 2;
  }
  std::fprintf(stderr, "trained in %.1f s, %zu features, wrote %s\n", secs, model.num_features(),
               out_file.c_str());
  if (!dev.empty()) {
    std::printf("dev, as the stage runs (DefaultPolicy, propagation over 20-sentence documents):\n%s",
                Evaluate(dev, model, eval_res, DefaultPolicy(lang), 20).Table().c_str());
    std::printf("dev, bare model:\n%s", Evaluate(dev, model, eval_res, {false, false, false}).Table().c_str());
    std::fflush(stdout);
    for (size_t doc : {5, 10, 20, 40}) {
      std::fprintf(stderr, "dev, bare model, name propagation over %zu-sentence documents:\n%s", doc,
                   Evaluate(dev, model, eval_res, {false, false, false}, doc).Table().c_str());
    }
    for (int p = 0; p < 8; ++p) {
      GazetteerPolicy policy{(p & 1) != 0, (p & 2) != 0, (p & 4) != 0};
      std::fprintf(stderr, "dev, override_type=%d add_missing=%d trim_particles=%d:\n%s",
                   policy.override_type, policy.add_missing, policy.trim_particles,
                   Evaluate(dev, model, eval_res, policy).Table().c_str());
    }
  }
  if (show_errors && !dev.empty()) {
    // Missed and spurious dev spans, for error analysis.
    Tagger tagger(&model, &eval_res);
    std::vector<std::string_view> words;
    std::vector<int> pred;
    std::vector<Span> g, p;
    for (const Sentence& s : dev) {
      words.assign(s.words.begin(), s.words.end());
      tagger.Tag(words, &pred);
      ExtractSpans(s.tags, &g);
      ExtractSpans(pred, &p);
      auto text = [&](const Span& x) {
        std::string out;
        for (size_t i = x.begin; i < x.end; ++i) out += (i > x.begin ? " " : "") + s.words[i];
        return out;
      };
      auto has = [](const std::vector<Span>& v, const Span& x) {
        for (const Span& y : v) {
          if (y.begin == x.begin && y.end == x.end && y.type == x.type) return true;
        }
        return false;
      };
      for (const Span& x : g) {
        if (!has(p, x)) std::printf("MISS\t%s\t%s\n", std::string(TagType(x.type * 2 + 1)).c_str(), text(x).c_str());
      }
      for (const Span& x : p) {
        if (!has(g, x)) std::printf("SPUR\t%s\t%s\n", std::string(TagType(x.type * 2 + 1)).c_str(), text(x).c_str());
      }
    }
  }
  return 0;
}
