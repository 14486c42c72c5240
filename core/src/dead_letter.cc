#include <algorithm>
#include <string>

#include "newsflow/json_writer.h"
#include "newsflow/sink.h"
#include "newsflow/text.h"

namespace newsflow {
namespace {

std::string Base64(std::string_view in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kTable[n >> 18];
    out += kTable[(n >> 12) & 63];
    out += kTable[(n >> 6) & 63];
    out += kTable[n & 63];
  }
  if (i < in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
    out += kTable[n >> 18];
    out += kTable[(n >> 12) & 63];
    out += (i + 1 < in.size()) ? kTable[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

std::string BoundedReason(std::string_view reason) {
  if (reason.size() <= kMaxReasonBytes) return std::string(reason);
  std::string out(CutUtf8(reason, kMaxReasonBytes - 64));
  out += " ... (reason cut: ";
  out += std::to_string(reason.size());
  out += " bytes in all)";
  return out;
}

std::string EncodeDeadLetter(const DeadLetter& d, size_t max_payload_bytes) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("v").Int(1);
  w.Key("stage").String(d.stage);
  w.Key("reason_code").String(d.reason_code);
  // A reason naming a file carries its name's bytes: shown, not dropped.
  w.Key("reason").String(BoundedReason(Utf8OrReplaced(d.reason)));
  w.Key("source");
  if (d.source_topic.empty()) {
    w.Null();
  } else {
    w.BeginObject();
    w.Key("topic").String(Utf8OrReplaced(d.source_topic));  // `process`: the input's file name
    w.Key("partition").Int(d.partition);
    w.Key("offset").Int(d.offset);
    w.EndObject();
  }
  w.Key("key");
  if (d.key.empty() || !IsValidUtf8(d.key)) w.Null(); else w.String(d.key);
  bool utf8 = d.payload_encoding == "utf-8" && IsValidUtf8(d.payload);
  std::string_view payload = d.payload;
  bool truncated = d.payload_truncated ||
                   (d.payload_bytes >= 0 && static_cast<size_t>(d.payload_bytes) > d.payload.size());
  if (payload.size() > max_payload_bytes) {
    payload = utf8 ? CutUtf8(payload, max_payload_bytes) : payload.substr(0, max_payload_bytes);
    truncated = true;
  }
  w.Key("payload_encoding").String(utf8 ? "utf-8" : "base64");
  w.Key("payload").String(utf8 ? std::string(payload) : Base64(payload));
  w.Key("payload_bytes").Int(d.payload_bytes >= 0 ? d.payload_bytes
                                                  : static_cast<int64_t>(d.payload.size()));
  w.Key("payload_truncated").Bool(truncated);
  w.Key("at").String(d.at.empty() ? NowRfc3339() : d.at);
  w.EndObject();
  return out;
}

}  // namespace newsflow
