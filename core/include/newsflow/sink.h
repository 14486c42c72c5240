// ArticleSink: where producers (files, JSON Lines, feeds) hand raw articles.
//
// The Kafka implementation (core runtime) publishes to news.raw with the
// article id as key, applies flow control against the downstream consumer
// group's lag, and sends dead letters to news.dlq. Tests use an in-memory sink.
//
// Thread-safety: implementations say; the Kafka sink is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "newsflow/article.h"
#include "newsflow/status.h"

namespace newsflow {

// A record that could not be processed, with why and where it came from.
struct DeadLetter {
  std::string stage;         // "clean", "produce", "watch", ...
  std::string reason_code;   // StatusCodeName: corrupt, schema, too_large, rejected, ...
  std::string reason;        // human-readable message
  std::string source_topic;  // "" when not from Kafka (files, feeds)
  int32_t partition = -1;
  int64_t offset = -1;
  std::string key;           // article id when known
  std::string payload;       // the offending input, possibly truncated
  bool payload_truncated = false;
  // The whole input's size when `payload` holds only its start (a line read
  // up to a limit); -1: payload.size().
  int64_t payload_bytes = -1;
  std::string payload_encoding = "utf-8";  // or "base64" for bytes that are not UTF-8
  std::string at;            // RFC 3339
};

// A dead letter's reason is for people: at most this many bytes of it are
// kept (a stage's reason can be any length; a plug-in once gave 3 MB, and the
// dead letter, over the producer's message.max.bytes, stopped the stage).
inline constexpr size_t kMaxReasonBytes = 4096;

// `reason` cut to kMaxReasonBytes at a character boundary, saying how long it
// was; unchanged when it fits.
std::string BoundedReason(std::string_view reason);

// Encodes a dead letter as its JSON record (schemas/dlq.v1.schema.json);
// payloads longer than `max_payload_bytes` are truncated and flagged, the
// reason is bounded (BoundedReason), and bytes that are not valid UTF-8 are
// carried as base64.
std::string EncodeDeadLetter(const DeadLetter& d, size_t max_payload_bytes = 64 * 1024);

class ArticleSink {
 public:
  virtual ~ArticleSink() = default;
  // Hands one article over. May block for flow control. An error means the
  // article was not accepted (the caller reports it; nothing is dropped silently).
  virtual Status Publish(const Article& a) = 0;
  virtual Status PublishDeadLetter(const DeadLetter& d) = 0;
  // Blocks until everything handed over so far is acknowledged, or timeout.
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;
};

}  // namespace newsflow
