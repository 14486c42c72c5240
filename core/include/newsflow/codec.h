// JSON codec for the Article envelope (schemas/article.v1.schema.json).
//
// Decode parses with simdjson (one parser and padded buffer reused per Codec)
// and copies everything it keeps into the Article, so nothing borrowed
// outlives the call. It checks the structure the pipeline relies on (types
// of known members, required raw fields, valid UTF-8); the full JSON Schema
// check lives in tests with a real validator.
//
// Thread-safety: a Codec is not thread-safe; use one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "newsflow/article.h"
#include "newsflow/status.h"

namespace newsflow {

class Codec {
 public:
  Codec();
  ~Codec();
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  // Parses one record. On error `out` is unspecified and the Status says why:
  // kCorrupt (not JSON / invalid UTF-8) or kSchema (missing or mistyped field).
  Status Decode(std::string_view json, Article& out);

  // Appends the record's JSON (one line, no newline) to `out`.
  static void Encode(const Article& a, std::string& out);
  static std::string Encode(const Article& a) {
    std::string s;
    Encode(a, s);
    return s;
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsflow
