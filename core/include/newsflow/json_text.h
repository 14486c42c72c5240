// Parsing a JSON text (a record, a JSON Lines line, a plug-in's reply) with
// simdjson's DOM parser, the same on every simdjson version (header-only:
// include it only from code that links simdjson).
//
// A JSON text does not start with a byte-order mark (RFC 8259, 8.1).
// simdjson 3.0 (Debian 12) refuses one as an improper structure (TAPE_ERROR);
// later versions (3.12 on Debian 13) skip it silently, so a record or a line
// in the middle of a file that starts with U+FEFF would be a dead letter on
// one and accepted on the other. ParseJsonText refuses it on both, as 3.0
// did. A file's first line, where an editor may have saved a mark, has it
// removed by its reader before (StripUtf8Bom in text.h).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "newsflow/text.h"

namespace newsflow {

// parser.parse(s.data(), s.size(), true): the text is copied into the
// parser's padded buffer.
inline simdjson::simdjson_result<simdjson::dom::element> ParseJsonText(
    simdjson::dom::parser& parser, std::string_view s) {
  if (StartsWithUtf8Bom(s)) return simdjson::TAPE_ERROR;
  return parser.parse(s.data(), s.size(), true);
}

// parser.parse(s): copied only when `s` lacks simdjson's padding.
inline simdjson::simdjson_result<simdjson::dom::element> ParseJsonText(
    simdjson::dom::parser& parser, const std::string& s) {
  if (StartsWithUtf8Bom(s)) return simdjson::TAPE_ERROR;
  return parser.parse(s);
}

}  // namespace newsflow
