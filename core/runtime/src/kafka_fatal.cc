// Kafka errors that no retry cures (see KafkaFatalError in kafka.h).
#include <spdlog/spdlog.h>

#include <mutex>
#include <string_view>

#include "newsflow/kafka.h"

namespace newsflow {
namespace {

std::mutex g_mu;
// The first error no retry cures. A failed login belongs to the process (new
// clients would fail the same way) and stays; a client's fatal error
// (librdkafka's __FATAL, the state of one handle) goes with the handle that
// raised it (ForgetKafkaFatalError): an idempotent producer whose sequence
// the brokers lost in a failover is cured by a new producer, which must not
// find its predecessor's error waiting for it.
Status* g_fatal = nullptr;     // lives until exit once made
rd_kafka_t* g_source = nullptr;  // the handle of a client's fatal error, else null
rd_kafka_resp_err_t g_cause = RD_KAFKA_RESP_ERR_NO_ERROR;  // what librdkafka says caused it

}  // namespace

bool NoteKafkaError(rd_kafka_t* rk, int err, const char* reason) {
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  std::string message;
  rd_kafka_resp_err_t underlying = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
    message = std::string("Kafka authentication failed: ") + (reason != nullptr ? reason : "") +
              " (check -X security.protocol, sasl.mechanisms, sasl.username, sasl.password and "
              "the TLS settings against the broker's listener; retrying cannot fix this)";
    // librdkafka before 2.6.1 builds a SCRAM proof that Apache Kafka 4.x
    // rejects even with the right password (librdkafka issue #4895).
    if (reason != nullptr && std::string_view(reason).find("SCRAM") != std::string_view::npos &&
        rd_kafka_version() < 0x020601ff)
      message += std::string(". Note: this librdkafka (") + rd_kafka_version_str() +
                 ") cannot authenticate with SCRAM against Apache Kafka 4.x brokers even with the "
                 "right password (fixed in librdkafka 2.6.1); use -X sasl.mechanisms=PLAIN over "
                 "SASL_SSL or a newer librdkafka";
  } else if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char detail[512] = "";
    underlying =
        rk != nullptr ? rd_kafka_fatal_error(rk, detail, sizeof detail) : RD_KAFKA_RESP_ERR_NO_ERROR;
    message = std::string("Kafka client fatal error: ") +
              (detail[0] != '\0' ? detail : (reason != nullptr ? reason : "")) +
              (underlying != RD_KAFKA_RESP_ERR_NO_ERROR
                   ? std::string(" (") + rd_kafka_err2name(underlying) + ")"
                   : std::string());
  } else {
    return false;
  }
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_fatal == nullptr) g_fatal = new Status();
  if (g_fatal->ok()) {
    *g_fatal = Status::Unavailable(message);
    g_source = code == RD_KAFKA_RESP_ERR__FATAL ? rk : nullptr;
    g_cause = underlying;
    spdlog::error("{}", message);
  }
  return true;
}

Status KafkaFatalError() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_fatal != nullptr ? *g_fatal : Status::OK();
}

Status KafkaFatalErrorOf(const rd_kafka_t* a, const rd_kafka_t* b) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_fatal == nullptr || g_fatal->ok()) return Status::OK();
  if (g_source == nullptr || g_source == a || g_source == b) return *g_fatal;
  return Status::OK();
}

void ForgetKafkaFatalError(rd_kafka_t* rk) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (rk == nullptr || rk != g_source) return;
  *g_fatal = Status::OK();
  g_source = nullptr;
  g_cause = RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t KafkaFatalCauseOf(const rd_kafka_t* rk) {
  std::lock_guard<std::mutex> lock(g_mu);
  return rk != nullptr && rk == g_source ? g_cause : RD_KAFKA_RESP_ERR_NO_ERROR;
}

void KafkaErrorCallback(rd_kafka_t* rk, int err, const char* reason, void*) {
  if (NoteKafkaError(rk, err, reason)) return;
  spdlog::warn("kafka: {}: {}", rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)),
               reason != nullptr ? reason : "");
}

}  // namespace newsflow
