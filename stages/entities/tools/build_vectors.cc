// newsflow-ner-vectors: dense word vectors from unlabelled news, for the
// entity tagger's real-valued features (round 5, an experiment: see
// stages/entities/README.md).
//
//   newsflow-ner-vectors --input ../shared/corpus/news/ar/saudinewsnet.jsonl
//       --out /tmp/ar.vec.txt --dim 50 --minn 3 --maxn 5 --bucket 200000
//       --oov-words ../shared/corpus/ner/ar/train.conll --oov-out /tmp/ar.oov.txt
//
// Tokenises and folds every title and text the way the tagger does (as
// newsflow-ner-clusters), trains fastText CBOW vectors with character
// n-grams (libfasttext), and writes one line per vocabulary word:
// "word v1 ... vd", each vector scaled to unit length. With --oov-words, the
// folded tokens of those CoNLL files that are not in the vocabulary get
// vectors from their character n-grams (what fastText gives an unseen word),
// written to --oov-out in the same format. --save-model keeps fastText's
// binary model.
#include <CLI/CLI.hpp>
#include <fasttext/fasttext.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "folded_tokens.h"
#include "text_norm.h"

using namespace newsflow::entities;

namespace {

void WriteRow(std::ofstream& out, const std::string& w, const fasttext::Vector& v, int dim) {
  float norm = 0;
  for (int t = 0; t < dim; ++t) norm += v[t] * v[t];
  norm = norm > 0 ? std::sqrt(norm) : 1;
  out << w;
  char buf[32];
  for (int t = 0; t < dim; ++t) {
    std::snprintf(buf, sizeof buf, " %.5f", v[t] / norm);
    out << buf;
  }
  out << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Dense word vectors for the newsflow entity tagger"};
  std::string input, out_path, oov_out, save_model,
      tmp_dir = std::filesystem::temp_directory_path().string();
  std::vector<std::string> oov_words;
  int dim = 50, epochs = 5, threads = 1, min_count = 5, ws = 2, minn = 3, maxn = 5, bucket = 200000;
  app.add_option("--input", input, "JSON Lines with title/text fields")->required();
  app.add_option("--out", out_path, "vectors of the vocabulary words to write")->required();
  app.add_option("--dim", dim);
  app.add_option("--epochs", epochs);
  app.add_option("--ws", ws, "context window");
  app.add_option("--threads", threads);
  app.add_option("--min-count", min_count);
  app.add_option("--minn", minn, "shortest character n-gram (0: whole words only)");
  app.add_option("--maxn", maxn, "longest character n-gram");
  app.add_option("--bucket", bucket, "hash buckets for the n-grams");
  app.add_option("--oov-words", oov_words, "CoNLL files whose unseen tokens get n-gram vectors");
  app.add_option("--oov-out", oov_out, "where those vectors go");
  app.add_option("--save-model", save_model, "also keep fastText's binary model");
  app.add_option("--tmp", tmp_dir, "where the temporary token file goes");
  CLI11_PARSE(app, argc, argv);

  const std::string tokens_path = tmp_dir + "/newsflow-ner-vectors.tokens.txt";
  const long docs = WriteFoldedTokens(input, tokens_path);
  if (docs < 0) return 2;
  std::fprintf(stderr, "%ld documents\n", docs);
  fasttext::Args args;
  args.input = tokens_path;
  args.output = tmp_dir + "/newsflow-ner-vectors.out";
  args.model = fasttext::model_name::cbow;
  args.ws = ws;
  args.dim = dim;
  args.epoch = epochs;
  args.minCount = min_count;
  args.thread = threads;
  args.minn = minn;
  args.maxn = maxn;
  args.bucket = minn > 0 ? bucket : 0;
  args.verbose = 0;
  args.saveOutput = false;
  fasttext::FastText ft;
  try {
    ft.train(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fastText: %s\n", e.what());
    return 2;
  }
  std::filesystem::remove(tokens_path);
  if (!save_model.empty()) ft.saveModel(save_model);

  auto dict = ft.getDictionary();
  const int32_t nw = dict->nwords();
  fasttext::Vector v(dim);
  std::ofstream out(out_path, std::ios::trunc);
  std::set<std::string> vocab;
  for (int32_t i = 0; i < nw; ++i) {
    const std::string w = dict->getWord(i);
    if (w == "</s>") continue;
    vocab.insert(w);
    ft.getWordVector(v, w);
    WriteRow(out, w, v, dim);
  }
  if (!out) { std::fprintf(stderr, "cannot write %s\n", out_path.c_str()); return 2; }
  std::fprintf(stderr, "%zu word vectors (dim %d) to %s\n", vocab.size(), dim, out_path.c_str());
  if (!oov_out.empty()) {
    std::set<std::string> unseen;
    for (const std::string& f : oov_words) {
      std::ifstream in(f);
      if (!in) { std::fprintf(stderr, "cannot open %s\n", f.c_str()); return 2; }
      std::string line;
      while (std::getline(in, line)) {
        const size_t tab = line.find('\t');
        if (line.empty() || tab == std::string::npos) continue;
        std::string w = Fold(line.substr(0, tab));
        if (!vocab.count(w)) unseen.insert(std::move(w));
      }
    }
    std::ofstream oo(oov_out, std::ios::trunc);
    for (const std::string& w : unseen) {
      ft.getWordVector(v, w);
      WriteRow(oo, w, v, dim);
    }
    if (!oo) { std::fprintf(stderr, "cannot write %s\n", oov_out.c_str()); return 2; }
    std::fprintf(stderr, "%zu n-gram vectors of unseen words to %s\n", unseen.size(), oov_out.c_str());
  }
  return 0;
}
