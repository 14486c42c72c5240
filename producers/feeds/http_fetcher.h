// HttpFetcher: many HTTP(S) GETs on one thread through libcurl's multi interface.
//
// The caller decides when and what to fetch (politeness, per-host limits,
// backoff live in the Watcher); this class only moves bytes, safely:
// http/https only (also across redirects), bounded redirects, connect and
// total timeouts, a stall timeout, gzip/deflate decoded with the size cap
// applied to the *decoded* bytes (so a gzip bomb stops at the cap), and
// conditional GET headers when an ETag / Last-Modified is given.
//
// Server-side request forgery guard: unless allowed, every connection (the
// first and each redirect hop) is checked after DNS resolution, on the
// address actually connected to (CURLOPT_OPENSOCKETFUNCTION), and loopback,
// private, link-local, carrier-grade NAT, multicast and reserved addresses
// are refused (kRejected naming the host's address). Checking the connected
// address also defeats DNS rebinding. A proxy from the environment is not
// used while the guard is on (the proxy, not us, would resolve the target).
//
// Thread-safety: one thread drives Start/Poll. Wakeup() may be called from
// any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <sys/socket.h>

#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "newsflow/status.h"

namespace newsflow::feeds {

struct FetcherOptions {
  std::string user_agent = "newsflow/0.1 (feed watcher; +https://github.com/newsflow/newsflow)";
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{30000};
  // A transfer slower than 1 KiB/s for this long is abandoned.
  std::chrono::milliseconds stall_timeout{15000};
  int max_redirects = 5;
  // Connect to loopback / private / link-local addresses (intranet feeds, tests).
  bool allow_private_addresses = false;
};

// Why connecting to `sa` is refused when private addresses are not allowed
// ("loopback", "private", "link-local", ...), or nullptr for a public address.
const char* NonPublicAddressKind(const struct sockaddr* sa);

struct FetchRequest {
  uint64_t tag = 0;  // returned unchanged in FetchResult
  std::string url;
  std::string etag;           // sent as If-None-Match when not empty
  std::string last_modified;  // sent as If-Modified-Since when not empty
  std::map<std::string, std::string> headers;
  size_t max_bytes = 10 << 20;  // decoded body cap
  std::string accept;           // Accept header, "" for curl's default
  bool allow_private_addresses = false;  // also allowed when FetcherOptions says so
};

struct FetchResult {
  uint64_t tag = 0;
  std::string url;
  std::string effective_url;  // after redirects
  long http_status = 0;       // 0 when no response was received
  // OK when an HTTP response was received in full (any status code); else
  // kTimeout, kTooLarge (over max_bytes), kRejected (a non-public address
  // refused), kUnavailable (connect, DNS, TLS, too many redirects, ...).
  Status transport;
  std::string body;
  std::string etag, last_modified, content_type;
  std::chrono::seconds retry_after{0};  // from Retry-After, 0 when absent
  std::chrono::duration<double> elapsed{0};
};

class HttpFetcher {
 public:
  explicit HttpFetcher(FetcherOptions options);
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // Queues a transfer; it makes progress inside Poll.
  void Start(FetchRequest request);

  // Drives transfers, waiting at most `timeout` for network activity, and
  // appends the transfers that finished to `done`.
  void Poll(std::chrono::milliseconds timeout, std::vector<FetchResult>& done);

  size_t InFlight() const { return in_flight_; }

  // Makes a blocked Poll return early.
  void Wakeup();

 private:
  struct Transfer;
  void* multi_ = nullptr;  // CURLM*
  FetcherOptions options_;
  size_t in_flight_ = 0;
  std::vector<void*> idle_handles_;  // CURL* kept for reuse
  std::unordered_set<Transfer*> active_;
};

}  // namespace newsflow::feeds
