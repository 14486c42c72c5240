// libFuzzer target: the record codec (core/src/codec.cc).
//
// Any bytes go to Codec::Decode, as a consumer would hand them over from
// Kafka. A record it accepts must survive the round trip every stage does
// (encode, decode again) and encode to the same bytes the second time, so a
// record that one stage writes is always readable by the next.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "newsflow/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static newsflow::Codec codec;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  newsflow::Article a;
  if (!codec.Decode(in, a).ok()) return 0;
  std::string once = newsflow::Codec::Encode(a);
  newsflow::Article b;
  newsflow::Status st = codec.Decode(once, b);
  if (!st.ok()) {
    std::fprintf(stderr, "re-decoding an encoded record failed: %s\nrecord: %s\n",
                 st.ToString().c_str(), once.c_str());
    std::abort();
  }
  std::string twice = newsflow::Codec::Encode(b);
  if (once != twice) {
    std::fprintf(stderr, "encode is not stable across a round trip\nfirst:  %s\nsecond: %s\n",
                 once.c_str(), twice.c_str());
    std::abort();
  }
  return 0;
}
