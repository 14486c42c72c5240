#include "charset.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "newsflow/text.h"

namespace newsflow {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string CleanCharsetName(std::string_view v) {
  size_t b = 0;
  while (b < v.size() && (v[b] == ' ' || v[b] == '"' || v[b] == '\'')) ++b;
  size_t e = b;
  while (e < v.size() && (std::isalnum(static_cast<unsigned char>(v[e])) || v[e] == '-' ||
                          v[e] == '_' || v[e] == ':' || v[e] == '.')) {
    ++e;
  }
  return Lower(v.substr(b, e - b));
}

// <meta charset="x"> or <meta http-equiv=... content="text/html; charset=x">.
std::string CharsetFromMeta(std::string_view bytes) {
  std::string head = Lower(bytes.substr(0, 4096));
  size_t pos = 0;
  while ((pos = head.find("<meta", pos)) != std::string::npos) {
    size_t end = head.find('>', pos);
    std::string_view tag = std::string_view(head).substr(pos, end == std::string::npos ? 512 : end - pos);
    size_t cs = tag.find("charset");
    if (cs != std::string_view::npos) {
      size_t eq = tag.find('=', cs);
      if (eq != std::string_view::npos) {
        std::string name = CleanCharsetName(tag.substr(eq + 1));
        if (!name.empty()) return name;
      }
    }
    pos += 5;
  }
  return {};
}

bool IsUtf8Name(std::string_view n) { return n == "utf-8" || n == "utf8"; }

Result<std::string> Convert(std::string_view bytes, const std::string& from) {
  UErrorCode err = U_ZERO_ERROR;
  UConverter* conv = ucnv_open(from.c_str(), &err);
  if (U_FAILURE(err)) return Status::InvalidArgument("unknown charset " + from);
  ucnv_close(conv);
  // Worst case: every input byte becomes a 3-byte UTF-8 sequence (BMP),
  // or 4 bytes for each 2-byte unit; 4x + slack covers both.
  std::string out(bytes.size() * 4 + 16, '\0');
  err = U_ZERO_ERROR;
  int32_t n = ucnv_convert("UTF-8", from.c_str(), out.data(), static_cast<int32_t>(out.size()),
                           bytes.data(), static_cast<int32_t>(bytes.size()), &err);
  if (U_FAILURE(err)) return Status::Corrupt(std::string("charset conversion: ") + u_errorName(err));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

std::string CharsetFromContentType(std::string_view content_type) {
  std::string ct = Lower(content_type);
  size_t p = ct.find("charset=");
  if (p == std::string::npos) return {};
  return CleanCharsetName(std::string_view(ct).substr(p + 8));
}

bool HasNulBytesOfBinary(std::string_view bytes) {
  const bool utf16_bom = bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF";
  return !utf16_bom && bytes.find('\0') != std::string_view::npos;
}

Result<DecodedText> DecodeToUtf8(std::string_view bytes, std::string_view content_type) {
  if (bytes.size() > 256u * 1024 * 1024) return Status::TooLarge("page over 256 MiB");
  std::string charset;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    return DecodedText{std::string(bytes.substr(3)), "UTF-8"};
  }
  if (bytes.substr(0, 2) == "\xFF\xFE") charset = "utf-16le";
  if (bytes.substr(0, 2) == "\xFE\xFF") charset = "utf-16be";
  if (charset.empty()) charset = CharsetFromContentType(content_type);
  if (charset.empty()) {
    charset = CharsetFromMeta(bytes);
    // A <meta> that could be read as ASCII bytes is not UTF-16: the HTML
    // standard's prescan takes such a declaration as UTF-8 (decoding an
    // ASCII page as UTF-16 turned it into CJK noise).
    if (charset.rfind("utf-16", 0) == 0 || charset.rfind("utf-32", 0) == 0 ||
        charset == "unicode" || charset == "ucs-2" || charset == "csunicode" ||
        charset == "iso-10646-ucs-2" || charset == "unicodefffe" || charset == "unicodefeff")
      charset = "utf-8";
  }
  // A page that declares Latin-1 is decoded as windows-1252 (WHATWG rule).
  if (charset == "iso-8859-1" || charset == "latin1" || charset == "us-ascii") charset = "windows-1252";
  if (charset.empty() || IsUtf8Name(charset)) {
    if (IsValidUtf8(bytes)) return DecodedText{std::string(bytes), "UTF-8"};
    // Declared (or assumed) UTF-8 but is not: let the detector decide.
    charset.clear();
    UErrorCode err = U_ZERO_ERROR;
    UCharsetDetector* det = ucsdet_open(&err);
    if (U_SUCCESS(err)) {
      ucsdet_setText(det, bytes.data(), static_cast<int32_t>(std::min<size_t>(bytes.size(), 64 * 1024)), &err);
      const UCharsetMatch* m = ucsdet_detect(det, &err);
      if (U_SUCCESS(err) && m != nullptr) {
        const char* name = ucsdet_getName(m, &err);
        if (U_SUCCESS(err) && name != nullptr) charset = name;
      }
      ucsdet_close(det);
    }
    if (charset.empty() || IsUtf8Name(Lower(charset))) charset = "windows-1252";
  }
  auto converted = Convert(bytes, charset);
  if (!converted.ok()) {
    // Unknown label: fall back to windows-1252, which maps every byte.
    charset = "windows-1252";
    converted = Convert(bytes, charset);
    if (!converted.ok()) return converted.status();
  }
  std::string utf8 = std::move(converted).value();
  // A byte-order mark decoded with an explicit UTF-16 converter stays U+FEFF.
  if (utf8.compare(0, 3, "\xEF\xBB\xBF") == 0) utf8.erase(0, 3);
  return DecodedText{std::move(utf8), charset};
}

}  // namespace newsflow
