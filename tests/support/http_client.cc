#include "support/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <utility>

namespace newsflow::testing {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

int HttpGet(const std::string& url, std::string* body, long timeout_ms) {
  body->clear();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return 0;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  long code = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(curl);
  return static_cast<int>(code);
}

std::string UrlEncode(const std::string& s) {
  CURL* curl = curl_easy_init();
  char* e = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out(e);
  curl_free(e);
  curl_easy_cleanup(curl);
  return out;
}

namespace {

// The first port the kernel hands out by itself (ip_local_port_range).
int EphemeralLow() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  return range >> low ? low : 32768;
}

bool Binds(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// Where FreePort picks ([low, high); high <= low: no room): NEWSFLOW_PORT_RANGE
// LOW-HIGH (both ends included) when set, else from 20000 up to the kernel's
// own range.
std::pair<int, int> PickRange() {
  if (const char* spec = std::getenv("NEWSFLOW_PORT_RANGE"); spec != nullptr && *spec != '\0') {
    int low = 0, high = -1;
    if (std::sscanf(spec, "%d-%d", &low, &high) == 2) return {low, high + 1};
  }
  constexpr int kFloor = 20000;
  const int high = EphemeralLow();
  return {kFloor, high - kFloor >= 1000 ? high : kFloor};
}

// Claims on ports, shared by every picker on the machine (this file and
// scripts/free_ports.py): a file named after the port, created with O_EXCL,
// in NEWSFLOW_PORT_CLAIMS or $TMPDIR/newsflow-port-claims-UID. A claim stands
// for kClaimTtl, longer than any test holds a port.
constexpr auto kClaimTtl = std::chrono::hours(1);

std::filesystem::path ClaimsDir() {
  namespace fs = std::filesystem;
  if (const char* d = std::getenv("NEWSFLOW_PORT_CLAIMS"); d != nullptr && *d != '\0') {
    std::error_code ec;
    fs::create_directories(d, ec);
    return fs::is_directory(d, ec) ? fs::path(d) : fs::path();
  }
  std::error_code ec;
  const std::string name = "newsflow-port-claims-" + std::to_string(getuid());
  fs::path tmp = fs::temp_directory_path(ec);
  const fs::path dir = (ec ? fs::path("/tmp") : tmp) / name;
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return {};
  return dir;
}

// True when this call claimed `port`: no picker did in the last kClaimTtl.
bool Claim(const std::filesystem::path& dir, int port) {
  const std::string path = (dir / std::to_string(port)).string();
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
      close(fd);
      return true;
    }
    if (errno != EEXIST) return false;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) continue;  // released meanwhile: try again
    const auto age = std::chrono::system_clock::now() -
                     std::chrono::system_clock::from_time_t(st.st_mtime);
    if (age < kClaimTtl) return false;
    unlink(path.c_str());  // stale: claimed again below
  }
  return false;
}

}  // namespace

// Not a port the kernel chose: those come from ip_local_port_range, which
// is also where every outgoing connection's local port comes from, so one
// of them (a Kafka client's, a broker's) could take it before the process
// it is meant for binds it, seconds later (seen in a clean-clone run: the
// dashboard test's producer found its metrics port taken 70 s after it was
// picked). Below that range nothing is handed out by itself, and a random
// port there that binds now could still be picked by another test at the
// same moment (seen: a Kafka node of one test found its port taken under
// ctest -j2), so every pick is also claimed (Claim): no two pickers on this
// machine, scripts/free_ports.py among them, hand out one port within an hour.
int FreePort() {
  const auto [low, high] = PickRange();
  if (high > low) {
    const std::filesystem::path dir = ClaimsDir();
    std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(getpid()));
    std::uniform_int_distribution<int> pick(low, high - 1);
    for (int attempt = 0; attempt < 200; ++attempt)  // unclaimed when no directory could be made
      if (int port = pick(rng); Binds(port) && (dir.empty() || Claim(dir, port))) return port;
  }
  // No room below the range: the kernel's choice, as before.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

}  // namespace newsflow::testing
