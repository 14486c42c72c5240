// newsflow-ner-selftrain: tags unlabelled news with a model and writes the
// sentences it is sure of as CoNLL, for training a next model on them
// (self-training).
//
//   newsflow-ner-selftrain --lang ar --model /tmp/ar.train-only.model
//       --input ../shared/corpus/news/ar/saudinewsnet.jsonl --out /tmp/self.conll
//       --min-margin 4 --max-sentences 5000
//
// Confidence: for every token, the max-marginal margin of the bare model,
// i.e. the score of the best path minus the score of the best path that
// gives this token another tag (Viterbi forward and backward over the
// emissions and transitions). A sentence is kept when every token's margin
// is at least --min-margin and it has at least --min-names names; its tags
// are the bare model's (no post-rules). Sentences are cut as the stage cuts
// them. Only sentences of at least --min-tokens tokens are considered.
#include <CLI/CLI.hpp>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "ner.h"
#include "newsflow/paths.h"
#include "recognizer.h"

using namespace newsflow::entities;

int main(int argc, char** argv) {
  CLI::App app{"Self-training data for the newsflow entity tagger"};
  std::string lang = "ar", model_path, input, out_path, clusters, gazetteer;
  float min_margin = 4.0f;
  size_t max_sentences = 5000, min_names = 1, min_tokens = 6, skip_docs = 0;
  app.add_option("--lang", lang);
  app.add_option("--model", model_path, "model to tag with")->required();
  app.add_option("--input", input, "JSON Lines with title/text fields")->required();
  app.add_option("--out", out_path, "CoNLL file to write")->required();
  app.add_option("--min-margin", min_margin, "keep sentences whose every token has this margin");
  app.add_option("--max-sentences", max_sentences, "stop after this many kept sentences");
  app.add_option("--min-names", min_names, "keep only sentences with at least this many names");
  app.add_option("--min-tokens", min_tokens, "skip shorter sentences");
  app.add_option("--skip-docs", skip_docs, "start after this many documents");
  app.add_option("--clusters", clusters, "word clusters file (default: data/<lang>.clusters.tsv)");
  app.add_option("--gazetteer", gazetteer, "gazetteer directory (default: data/gazetteer)");
  CLI11_PARSE(app, argc, argv);
  const std::string data = newsflow::StageDataDir("entities");
  if (clusters.empty()) clusters = data + "/" + lang + ".clusters.tsv";
  if (gazetteer.empty()) gazetteer = data + "/gazetteer";

  Resources res;
  Model model;
  for (const auto& st : {res.LoadClusters(clusters), res.gazetteer.LoadDir(gazetteer), model.Load(model_path)}) {
    if (!st.ok()) { std::fprintf(stderr, "error: %s\n", st.ToString().c_str()); return 2; }
  }
  Tagger tagger(&model, &res);
  std::ifstream in(input);
  std::ofstream out(out_path, std::ios::trunc);
  if (!in || !out) { std::fprintf(stderr, "cannot open %s or %s\n", input.c_str(), out_path.c_str()); return 2; }
  simdjson::ondemand::parser parser;
  std::string line;
  std::vector<Token> toks;
  std::vector<std::pair<size_t, size_t>> sents;
  std::vector<std::string_view> words;
  std::vector<int> tags, best;
  std::vector<float> margin;
  size_t docs = 0, seen = 0, kept = 0, names = 0;
  while (kept < max_sentences && std::getline(in, line)) {
    if (docs++ < skip_docs) continue;
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    std::string text;
    for (const char* field : {"title", "text"}) {
      std::string_view v;
      if (doc[field].get_string().get(v) == simdjson::SUCCESS) text.append(v).append("\n");
    }
    tagger.BeginDocument();
    Tokenize(text, &toks);
    SplitSentences(text, toks, Recognizer::kMaxSentenceTokens, &sents);
    for (const auto& [b, e] : sents) {
      if (e - b < min_tokens) continue;
      ++seen;
      words.clear();
      for (size_t i = b; i < e; ++i) {
        words.push_back(std::string_view(text).substr(toks[i].byte_begin, toks[i].byte_end - toks[i].byte_begin));
      }
      tagger.Tag(words, &tags);
      MaxMarginals(tagger.emissions(), words.size(), model, &best, &margin);
      if (*std::min_element(margin.begin(), margin.end()) < min_margin) continue;
      size_t n_names = 0;
      for (int t : best) n_names += IsBegin(t) ? 1 : 0;
      if (n_names < min_names) continue;
      for (size_t i = 0; i < words.size(); ++i) out << words[i] << '\t' << kTagNames[best[i]] << '\n';
      out << '\n';
      ++kept;
      names += n_names;
      if (kept >= max_sentences) break;
    }
  }
  std::fprintf(stderr, "%zu documents, %zu sentences seen, %zu kept (%zu names) -> %s\n", docs, seen, kept,
               names, out_path.c_str());
  return 0;
}
