// The token file fastText trains on, shared by newsflow-ner-clusters and
// newsflow-ner-vectors: every title and text of a JSON Lines file, tokenised
// and folded as the tagger sees words, one field a line.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text_norm.h"

namespace newsflow::entities {

// Writes the folded tokens of `input` to `tokens_path`; counts every token in
// `counts` when given. The number of documents read, or -1 (said on stderr)
// when a file cannot be opened.
inline long WriteFoldedTokens(const std::string& input, const std::string& tokens_path,
                              std::unordered_map<std::string, int64_t>* counts = nullptr) {
  simdjson::ondemand::parser parser;
  std::ifstream in(input);
  std::ofstream tok(tokens_path, std::ios::trunc);
  if (!in || !tok) {
    std::fprintf(stderr, "cannot open %s or the temp file %s\n", input.c_str(), tokens_path.c_str());
    return -1;
  }
  std::string line;
  std::vector<Token> toks;
  long docs = 0;
  while (std::getline(in, line)) {
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    for (const char* field : {"title", "text"}) {
      std::string_view v;
      if (doc[field].get_string().get(v) != simdjson::SUCCESS) continue;
      Tokenize(v, &toks);
      for (const Token& t : toks) {
        const std::string f = Fold(v.substr(t.byte_begin, t.byte_end - t.byte_begin));
        if (counts != nullptr) ++(*counts)[f];
        tok << f << ' ';
      }
      tok << '\n';
    }
    ++docs;
  }
  return docs;
}

}  // namespace newsflow::entities
