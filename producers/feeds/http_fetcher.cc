#include "http_fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

namespace newsflow::feeds {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string TrimHeaderValue(const char* p, size_t n) {
  size_t b = 0;
  while (b < n && (p[b] == ' ' || p[b] == '\t')) ++b;
  while (n > b && std::isspace(static_cast<unsigned char>(p[n - 1]))) --n;
  return std::string(p + b, n - b);
}

bool HeaderIs(const char* line, size_t n, const char* name, std::string* value) {
  size_t len = std::strlen(name);
  if (n <= len || line[len] != ':' || strncasecmp(line, name, len) != 0) return false;
  *value = TrimHeaderValue(line + len + 1, n - len - 1);
  return true;
}

const char* V4Kind(uint32_t a) {  // host byte order
  auto in = [a](uint32_t net, int bits) { return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x7F000000, 8)) return "loopback";
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return "private";
  if (in(0xA9FE0000, 16)) return "link-local";
  if (in(0x64400000, 10)) return "carrier-grade NAT";
  if (in(0x00000000, 8)) return "unspecified";
  if (in(0xE0000000, 4)) return "multicast";
  if (in(0xF0000000, 4)) return "reserved";
  if (in(0xC0000000, 24) || in(0xC6120000, 15)) return "reserved";  // IETF protocol, benchmarking
  return nullptr;
}

std::string AddressText(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace

const char* NonPublicAddressKind(const sockaddr* sa) {
  if (sa == nullptr) return "unknown";
  if (sa->sa_family == AF_INET) {
    return V4Kind(ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr));
  }
  if (sa->sa_family != AF_INET6) return "non-IP";
  const uint8_t* b = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr.s6_addr;
  auto v4at = [b](int off) {
    return (uint32_t{b[off]} << 24) | (uint32_t{b[off + 1]} << 16) | (uint32_t{b[off + 2]} << 8) | b[off + 3];
  };
  static const uint8_t kZero[16] = {};
  bool first10_zero = std::memcmp(b, kZero, 10) == 0;
  if (first10_zero && b[10] == 0xFF && b[11] == 0xFF) return V4Kind(v4at(12));  // ::ffff:a.b.c.d
  if (std::memcmp(b, kZero, 15) == 0) return b[15] == 1 ? "loopback" : b[15] == 0 ? "unspecified" : "reserved";
  if (first10_zero && b[10] == 0 && b[11] == 0) return V4Kind(v4at(12));  // ::a.b.c.d (deprecated)
  // 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) embed an IPv4 address.
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && std::memcmp(b + 4, kZero, 8) == 0) {
    return V4Kind(v4at(12));
  }
  if (b[0] == 0x20 && b[1] == 0x02) return V4Kind(v4at(2));
  if ((b[0] & 0xFE) == 0xFC) return "private";                   // fc00::/7 unique local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "link-local";  // fe80::/10
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return "private";     // fec0::/10 site-local
  if (b[0] == 0xFF) return "multicast";
  return nullptr;
}

struct HttpFetcher::Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  FetchResult result;
  size_t max_bytes = 0;
  bool too_large = false;
  bool allow_private = false;
  std::string refused;  // "127.0.0.1 (loopback)" when a connection was refused

  // Every connection curl opens (first request and each redirect hop) comes
  // here with the resolved address: the SSRF guard lives at this one point.
  static curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* addr) {
    auto* t = static_cast<Transfer*>(user);
    if (purpose == CURLSOCKTYPE_IPCXN && !t->allow_private) {
      if (const char* kind = NonPublicAddressKind(&addr->addr)) {
        t->refused = AddressText(&addr->addr) + " (" + kind + ")";
        return CURL_SOCKET_BAD;
      }
    }
    return ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  }

  static size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t n = size * nmemb;
    if (t->result.body.size() + n > t->max_bytes) {
      t->too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t->result.body.append(data, n);
    return n;
  }

  static size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t n = size * nmemb;
    // A new status line starts a new response (redirect hop): forget the
    // previous hop's headers so only the final response's are kept.
    if (n >= 5 && std::strncmp(data, "HTTP/", 5) == 0) {
      t->result.etag.clear();
      t->result.last_modified.clear();
      t->result.content_type.clear();
      return n;
    }
    std::string v;
    if (HeaderIs(data, n, "etag", &v)) {
      t->result.etag = v;
    } else if (HeaderIs(data, n, "last-modified", &v)) {
      t->result.last_modified = v;
    } else if (HeaderIs(data, n, "content-type", &v)) {
      t->result.content_type = v;
    }
    return n;
  }
};

HttpFetcher::HttpFetcher(FetcherOptions options) : options_(std::move(options)) {
  GlobalInit();
  multi_ = curl_multi_init();
}

HttpFetcher::~HttpFetcher() {
  CURLM* m = static_cast<CURLM*>(multi_);
  // Abandon whatever is still running (the Watcher drains before this).
  for (Transfer* t : active_) {
    curl_multi_remove_handle(m, t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    delete t;
  }
  for (void* h : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(h));
  curl_multi_cleanup(m);
}

void HttpFetcher::Start(FetchRequest req) {
  auto* t = new Transfer;
  t->result.tag = req.tag;
  t->result.url = req.url;
  t->max_bytes = req.max_bytes;
  t->allow_private = options_.allow_private_addresses || req.allow_private_addresses;
  CURL* e;
  if (!idle_handles_.empty()) {
    e = static_cast<CURL*>(idle_handles_.back());
    idle_handles_.pop_back();
    curl_easy_reset(e);
  } else {
    e = curl_easy_init();
  }
  t->easy = e;
  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  // Only codings whose decoded size we cap in OnBody.
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                   std::max(1L, static_cast<long>(options_.stall_timeout.count() / 1000)));
  // Rejects up front a declared Content-Length over the cap (compressed size;
  // the decoded size is checked in OnBody).
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_bytes));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Transfer::OnOpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
  // Through a proxy the guard would only see the proxy's address.
  if (!t->allow_private) curl_easy_setopt(e, CURLOPT_PROXY, "");
  // A connection allowed for this request only must not be reused by another.
  if (t->allow_private && !options_.allow_private_addresses) curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  if (!req.etag.empty()) t->headers = curl_slist_append(t->headers, ("If-None-Match: " + req.etag).c_str());
  if (!req.last_modified.empty()) {
    t->headers = curl_slist_append(t->headers, ("If-Modified-Since: " + req.last_modified).c_str());
  }
  if (!req.accept.empty()) t->headers = curl_slist_append(t->headers, ("Accept: " + req.accept).c_str());
  for (const auto& [k, v] : req.headers) t->headers = curl_slist_append(t->headers, (k + ": " + v).c_str());
  if (t->headers != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_multi_add_handle(static_cast<CURLM*>(multi_), e);
  active_.insert(t);
  ++in_flight_;
}

void HttpFetcher::Poll(std::chrono::milliseconds timeout, std::vector<FetchResult>& done) {
  CURLM* m = static_cast<CURLM*>(multi_);
  int running = 0;
  auto drain = [&] {
    int left = 0;
    bool any = false;
    while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      any = true;
      CURL* e = msg->easy_handle;
      CURLcode code = msg->data.result;
      Transfer* t = nullptr;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      FetchResult& r = t->result;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.http_status);
      char* eff = nullptr;
      if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff != nullptr) r.effective_url = eff;
      curl_off_t ra = 0;
      if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0) {
        r.retry_after = std::chrono::seconds(ra);
      }
      curl_off_t total_us = 0;
      curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
      r.elapsed = std::chrono::duration<double>(static_cast<double>(total_us) / 1e6);
      if (!t->refused.empty() && code != CURLE_OK) {
        std::string host = r.effective_url.empty() ? r.url : r.effective_url;
        r.transport = Status::Rejected("refused to connect to " + t->refused + " for " + host +
                                       ": not a public address (allow with --allow-private-addresses"
                                       " or allow_private_addresses: true for the feed)");
      } else if (code == CURLE_OK) {
        r.transport = Status::OK();
      } else if (t->too_large || code == CURLE_FILESIZE_EXCEEDED) {
        r.transport = Status::TooLarge("body over " + std::to_string(t->max_bytes) + " bytes");
      } else if (code == CURLE_OPERATION_TIMEDOUT) {
        r.transport = Status::Timeout(curl_easy_strerror(code));
      } else {
        r.transport = Status::Unavailable(curl_easy_strerror(code));
      }
      if (!r.transport.ok()) r.body.clear();
      curl_multi_remove_handle(m, e);
      curl_slist_free_all(t->headers);
      done.push_back(std::move(r));
      active_.erase(t);
      delete t;
      idle_handles_.push_back(e);
      --in_flight_;
    }
    return any;
  };
  curl_multi_perform(m, &running);
  if (drain()) return;
  curl_multi_poll(m, nullptr, 0, static_cast<int>(timeout.count()), nullptr);
  curl_multi_perform(m, &running);
  drain();
}

void HttpFetcher::Wakeup() { curl_multi_wakeup(static_cast<CURLM*>(multi_)); }

}  // namespace newsflow::feeds
