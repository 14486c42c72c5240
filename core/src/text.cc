#include "newsflow/text.h"

#include <curl/curl.h>
#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <vector>

namespace newsflow {

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

std::string Utf8OrReplaced(std::string s) {
  if (IsValidUtf8(s)) return s;
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len > 0 && i + len <= s.size() && IsValidUtf8(std::string_view(s).substr(i, len))) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string_view CutUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

int64_t CountCodePoints(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

size_t ByteOffsetOfCodePoint(std::string_view s, int64_t cp) {
  if (cp <= 0) return 0;
  int64_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == cp) return i;
      ++seen;
    }
  }
  return s.size();
}

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NowRfc3339() { return FormatRfc3339(std::chrono::system_clock::now()); }

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DD[T ]HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (s.size() < 20) return std::nullopt;
  auto digits = [&](size_t pos, size_t n, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (!digits(0, 4, &y) || s[4] != '-' || !digits(5, 2, &mo) || s[7] != '-' ||
      !digits(8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(11, 2, &h) || s[13] != ':' || !digits(14, 2, &mi) || s[16] != ':' ||
      !digits(17, 2, &sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // A time_point counts nanoseconds in 64 bits (about 1677 to 2262): years
  // outside the accepted range would overflow it.
  if (y < kMinRfc3339Year || y > kMaxRfc3339Year) return std::nullopt;
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) return std::nullopt;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  int offset_min = 0;
  if (i >= s.size()) return std::nullopt;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh, om;
    if (!digits(i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(i + 4, 2, &om) ||
        oh > 23 || om > 59)
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  std::time_t t = timegm(&tm);
  // system_clock counts nanoseconds in 64 bits: years outside ~1678..2261
  // cannot be represented (converting them overflowed; found by fuzzing).
  constexpr int64_t kMaxSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max()).count() -
      86400;
  if (t > kMaxSeconds || t < -kMaxSeconds) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t) - std::chrono::minutes(offset_min);
}

std::string StableHash128(std::string_view data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return buf;
}

namespace {

bool IsTrackingParam(std::string_view name) {
  static constexpr std::string_view kExact[] = {
      "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid",
      "_ga", "ref_src", "cmpid", "ocid", "smid", "at_medium", "at_campaign"};
  if (name.rfind("utm_", 0) == 0) return true;
  for (auto e : kExact) {
    if (name == e) return true;
  }
  return false;
}

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};

std::string Get(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, flags) != CURLUE_OK || raw == nullptr) return "";
  std::unique_ptr<char, CurlFree> p(raw);
  return std::string(raw);
}

}  // namespace

std::string CanonicalUrl(std::string_view url) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  std::string in(url);
  // Trim surrounding whitespace, common in feeds.
  in.erase(0, in.find_first_not_of(" \t\r\n"));
  in.erase(in.find_last_not_of(" \t\r\n") + 1);
  if (curl_url_set(u.get(), CURLUPART_URL, in.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return "";
  std::string scheme = Get(u.get(), CURLUPART_SCHEME);
  std::string host = Get(u.get(), CURLUPART_HOST);
  if (scheme.empty() || host.empty()) return "";
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  std::transform(host.begin(), host.end(), host.begin(), ::tolower);
  std::string port = Get(u.get(), CURLUPART_PORT);
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) port.clear();
  std::string path = Get(u.get(), CURLUPART_PATH);
  if (path.empty()) path = "/";
  std::string query = Get(u.get(), CURLUPART_QUERY);
  std::vector<std::string> params;
  size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    size_t amp = query.find('&', start);
    std::string p = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    std::string name = p.substr(0, p.find('='));
    if (!p.empty() && !IsTrackingParam(name)) params.push_back(p);
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out = scheme + "://" + host;
  if (!port.empty()) out += ":" + port;
  out += path;
  for (size_t i = 0; i < params.size(); ++i) out += (i == 0 ? "?" : "&") + params[i];
  return out;
}

std::string ArticleId(std::string_view url, std::string_view source, std::string_view body) {
  std::string canonical = url.empty() ? std::string() : CanonicalUrl(url);
  if (!canonical.empty()) return "u" + StableHash128(canonical);
  std::string key(source);
  key += '\0';
  key.append(body);
  return "c" + StableHash128(key);
}

}  // namespace newsflow
