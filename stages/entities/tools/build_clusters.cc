// newsflow-ner-clusters: word frequencies and word clusters from unlabelled
// news, for the entity tagger's clitic lexicon and cluster features.
//
//   newsflow-ner-clusters --input ../shared/corpus/news/ar/saudinewsnet.jsonl
//       --out stages/entities/data/ar.clusters.tsv
//
// Tokenises and folds every title and text the way the tagger does, trains
// fastText CBOW vectors (libfasttext) on that, and clusters the normalised
// vectors with spherical k-means at two granularities (and, with --extra-k,
// at more: extra columns the tagger uses as further cluster features). Output
// lines: word<TAB>count<TAB>coarse<TAB>fine[<TAB>extra...] (words with
// vectors) or word<TAB>count. The corpus text itself is not written anywhere
// but a temporary file. --save-vectors keeps the vectors (word2vec text
// format) so --vectors can recluster them without training again.
#include <CLI/CLI.hpp>
#include <fasttext/fasttext.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unordered_map>

#include "folded_tokens.h"
#include "text_norm.h"

using namespace newsflow::entities;

namespace {

// Spherical k-means over unit vectors; returns the cluster of every row.
std::vector<int> KMeans(const std::vector<float>& x, size_t n, int dim, int k, int iters,
                        uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> c(static_cast<size_t>(k) * dim);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  for (int j = 0; j < k; ++j) {
    std::copy_n(&x[pick(rng) * dim], dim, &c[static_cast<size_t>(j) * dim]);
  }
  std::vector<int> assign(n, 0);
  for (int it = 0; it < iters; ++it) {
    for (size_t i = 0; i < n; ++i) {
      float best = -2;
      int arg = 0;
      const float* xi = &x[i * dim];
      for (int j = 0; j < k; ++j) {
        const float* cj = &c[static_cast<size_t>(j) * dim];
        float d = 0;
        for (int t = 0; t < dim; ++t) d += xi[t] * cj[t];
        if (d > best) { best = d; arg = j; }
      }
      assign[i] = arg;
    }
    std::fill(c.begin(), c.end(), 0.0f);
    for (size_t i = 0; i < n; ++i) {
      float* cj = &c[static_cast<size_t>(assign[i]) * dim];
      for (int t = 0; t < dim; ++t) cj[t] += x[i * dim + t];
    }
    for (int j = 0; j < k; ++j) {
      float* cj = &c[static_cast<size_t>(j) * dim];
      float norm = 0;
      for (int t = 0; t < dim; ++t) norm += cj[t] * cj[t];
      if (norm == 0) {  // empty cluster: reseed
        std::copy_n(&x[pick(rng) * dim], dim, cj);
        continue;
      }
      norm = std::sqrt(norm);
      for (int t = 0; t < dim; ++t) cj[t] /= norm;
    }
  }
  return assign;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Word counts and clusters for the newsflow entity tagger"};
  std::string input, out_path, tmp_dir = std::filesystem::temp_directory_path().string();
  int dim = 50, epochs = 3, threads = 2, min_count = 5, coarse_k = 64, fine_k = 512, ws = 5;
  std::string model = "cbow";
  app.add_option("--input", input, "JSON Lines with title/text fields")->required();
  app.add_option("--out", out_path, "clusters TSV to write")->required();
  app.add_option("--dim", dim);
  app.add_option("--epochs", epochs);
  app.add_option("--ws", ws, "context window");
  app.add_option("--model", model, "cbow or skipgram");
  app.add_option("--threads", threads);
  app.add_option("--min-count", min_count);
  app.add_option("--coarse", coarse_k);
  app.add_option("--fine", fine_k);
  app.add_option("--tmp", tmp_dir, "where the temporary token file goes");
  std::vector<int> extra_k;
  std::string save_vectors, load_vectors;
  app.add_option("--extra-k", extra_k, "more k-means granularities, one column each")->delimiter(',');
  app.add_option("--save-vectors", save_vectors, "also write the word vectors (word2vec text format)");
  app.add_option("--vectors", load_vectors,
                 "cluster these vectors (from --save-vectors) instead of training fastText");
  CLI11_PARSE(app, argc, argv);

  const std::string tokens_path = tmp_dir + "/newsflow-ner-clusters.tokens.txt";
  std::unordered_map<std::string, int64_t> counts;
  const long docs = WriteFoldedTokens(input, tokens_path, &counts);
  if (docs < 0) return 2;
  std::fprintf(stderr, "%ld documents, %zu distinct words\n", docs, counts.size());

  std::vector<std::string> words;
  std::vector<float> x;
  if (!load_vectors.empty()) {
    std::ifstream vin(load_vectors);
    size_t rows_in = 0;
    if (!vin || !(vin >> rows_in >> dim) || dim <= 0) {
      std::fprintf(stderr, "cannot read vectors from %s (want word2vec text format)\n",
                   load_vectors.c_str());
      return 2;
    }
    std::string w;
    for (size_t i = 0; i < rows_in && (vin >> w); ++i) {
      words.push_back(w);
      for (int t = 0; t < dim; ++t) {
        float f = 0;
        vin >> f;
        x.push_back(f);
      }
    }
    std::filesystem::remove(tokens_path);
  } else {
    fasttext::Args args;
    args.input = tokens_path;
    args.output = tmp_dir + "/newsflow-ner-clusters.vec";
    args.model = model == "skipgram" ? fasttext::model_name::sg : fasttext::model_name::cbow;
    args.ws = ws;
    args.dim = dim;
    args.epoch = epochs;
    args.minCount = min_count;
    args.thread = threads;
    args.minn = 0;  // whole words only: clusters are looked up by word
    args.maxn = 0;
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

    auto dict = ft.getDictionary();
    const size_t nw = static_cast<size_t>(dict->nwords());
    words.resize(nw);
    x.resize(nw * dim);
    fasttext::Vector v(dim);
    for (size_t i = 0; i < nw; ++i) {
      words[i] = dict->getWord(static_cast<int32_t>(i));
      ft.getWordVector(v, words[i]);
      float norm = 0;
      for (int t = 0; t < dim; ++t) norm += v[t] * v[t];
      norm = norm > 0 ? std::sqrt(norm) : 1;
      for (int t = 0; t < dim; ++t) x[i * dim + t] = v[t] / norm;
    }
  }
  const size_t n = words.size();
  if (!save_vectors.empty()) {
    std::ofstream vout(save_vectors, std::ios::trunc);
    vout.precision(9);  // float round trip: --vectors gives the same clusters
    vout << n << ' ' << dim << '\n';
    for (size_t i = 0; i < n; ++i) {
      vout << words[i];
      for (int t = 0; t < dim; ++t) vout << ' ' << x[i * dim + t];
      vout << '\n';
    }
    if (!vout) { std::fprintf(stderr, "cannot write %s\n", save_vectors.c_str()); return 2; }
  }
  std::fprintf(stderr, "%zu word vectors; k-means %d and %d\n", n, coarse_k, fine_k);
  const std::vector<int> coarse = KMeans(x, n, dim, coarse_k, 10, 1);
  const std::vector<int> fine = KMeans(x, n, dim, fine_k, 10, 2);
  std::vector<std::vector<int>> extra;
  for (size_t j = 0; j < extra_k.size(); ++j) {
    std::fprintf(stderr, "k-means %d\n", extra_k[j]);
    extra.push_back(KMeans(x, n, dim, extra_k[j], 10, static_cast<uint32_t>(3 + j)));
  }

  std::vector<std::pair<std::string, int64_t>> rows;
  for (const auto& [w, c] : counts) {
    if (c >= min_count && w != "</s>") rows.emplace_back(w, c);
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::unordered_map<std::string, size_t> id;
  for (size_t i = 0; i < n; ++i) id.emplace(words[i], i);
  std::ofstream out(out_path, std::ios::trunc);
  out << "# word<TAB>count<TAB>coarse<TAB>fine";
  for (int k : extra_k) out << "<TAB>k" << k;
  out << "; see stages/entities/data/SOURCES.md\n";
  for (const auto& [w, c] : rows) {
    out << w << '\t' << c;
    if (auto it = id.find(w); it != id.end()) {
      out << '\t' << coarse[it->second] << '\t' << fine[it->second];
      for (const auto& e : extra) out << '\t' << e[it->second];
    }
    out << '\n';
  }
  std::fprintf(stderr, "wrote %zu words to %s\n", rows.size(), out_path.c_str());
  return 0;
}
