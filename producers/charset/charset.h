// Document bytes -> UTF-8: the one decoding path of every producer (`watch`
// for pages, `produce` for .txt/.html files), so a page decodes the same
// whichever way it arrives. The envelope body is always UTF-8; consumers
// (clean) trust it and do not decode again.
//
// Order of evidence: byte-order mark, the HTTP Content-Type charset, a
// <meta charset> / http-equiv declaration in the first 4 KiB, then valid
// UTF-8 as is, then ICU's detector (ucsdet). Conversion uses ICU ucnv with
// substitution, so the result is always valid UTF-8.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "newsflow/status.h"

namespace newsflow {

struct DecodedText {
  std::string utf8;
  std::string charset;  // what was used, e.g. "UTF-8", "windows-1252"
};

// charset= parameter of a Content-Type header value, lower-cased; "" if none.
std::string CharsetFromContentType(std::string_view content_type);

Result<DecodedText> DecodeToUtf8(std::string_view bytes, std::string_view content_type);

// Whether `bytes` are no text: a NUL byte in them, unless they start with a
// UTF-16 byte-order mark (UTF-16 text has zero bytes; without its BOM it is
// not read as text).
bool HasNulBytesOfBinary(std::string_view bytes);

namespace feeds {
using newsflow::CharsetFromContentType;
using newsflow::DecodedText;
using newsflow::DecodeToUtf8;
using newsflow::HasNulBytesOfBinary;
}  // namespace feeds

}  // namespace newsflow
