// Test support: plain HTTP GETs (libcurl) and free
// loopback ports.
#pragma once

#include <string>

namespace newsflow::testing {

// GET `url`; returns the HTTP status (0 when no response) and fills `body`.
int HttpGet(const std::string& url, std::string* body, long timeout_ms = 5000);

// `s` percent-encoded for a URL query value.
std::string UrlEncode(const std::string& s);

// A TCP port on 127.0.0.1 that was free a moment ago, below the range the
// kernel hands out to outgoing connections (see http_client.cc).
int FreePort();

}  // namespace newsflow::testing
