// Kafka plumbing shared by every process: where the brokers are, the client
// profile, pass-through properties, and RAII handles over librdkafka's C API.
//
// Two profiles: `embedded` (librdkafka's mock cluster, 2.0.2) sets the knobs
// its measured limits demand (../shared/notes/embedded-broker.md): one
// in-flight request, short session timeouts, range/roundrobin assignment,
// short fetch waits. `cluster` keeps librdkafka's defaults plus idempotence
// and 10 s consumer sessions (failover within seconds, not 45 s).
// User properties (-X key=value) are applied last and win.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "newsflow/status.h"

namespace newsflow {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    if (l != nullptr) rd_kafka_topic_partition_list_destroy(l);
  }
};
using TopicPartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;

struct KafkaOptions {
  std::string brokers;  // bootstrap.servers
  bool embedded = false;
  // The embedded broker lives in this process and no other was told its
  // address (`run` without --brokers): this process's readers are the only
  // members their groups can have.
  bool private_broker = false;
  std::vector<std::pair<std::string, std::string>> properties;  // -X key=value
  std::string client_id = "newsflow";
  // delivery: exactly_once: stages write inside transactions, every reader
  // uses read_committed. Needs a real cluster (not the embedded broker).
  bool exactly_once = false;
  // Embedded broker only: the bootstrap file read and the broker incarnation
  // it named (broker_restart.h), so a restarted broker is noticed.
  std::string bootstrap_file, incarnation;

  // Whether the user gave `key` (-X, a pipeline file's kafka properties):
  // then a default newsflow sets for it stands aside.
  bool UserSets(std::string_view key) const {
    for (const auto& [k, v] : properties)
      if (k == key) return true;
    return false;
  }
};

// Parses "key=value" (as kcat -X). Errors name the bad argument.
Result<std::pair<std::string, std::string>> ParseProperty(const std::string& kv);

// Resolves where the brokers are: `--brokers` wins; else the bootstrap file
// written by `newsflow broker` (bootstrap=..., profile=embedded).
Result<KafkaOptions> ResolveKafka(const std::string& brokers, const std::string& bootstrap_file);

// Writes the bootstrap file atomically (temp + rename); `incarnation` (if
// any) identifies this start of the broker.
Status WriteBootstrapFile(const std::string& path, const std::string& bootstraps,
                          const std::string& incarnation = "");

// kAdmin: a producer-type handle for metadata, the admin API, watermarks
// and offsets_for_times; it never produces, so it has no idempotent or
// transactional state (a user's -X transactional.id is for producers).
enum class ClientRole { kProducer, kConsumer, kAdmin };

// A configured client. For consumers, `group` is group.id.
Result<KafkaHandle> NewKafkaClient(const KafkaOptions& o, ClientRole role,
                                   const std::string& group = "",
                                   rd_kafka_conf_t* extra = nullptr);

// The options of a consumer handle that never commits (it reads committed
// offsets or records without a group's bookkeeping): `o`'s, named
// `client_id`, with auto-commit and offset storing off whatever `o` says
// (the runners' gap reader, the flow controllers, `watch`'s confirming
// readers). With auto-commit on, the
// auto-commit timer ticks anyway (ten times a second on the embedded broker)
// and librdkafka 2.0.2's main thread spins for up to a millisecond at each
// tick: three flow-control handles were 1.5 % of a core, idle or busy.
KafkaOptions NonCommittingClient(const KafkaOptions& o, std::string client_id);

// Builds a conf with profile + user properties; caller owns it. Its client's
// threads run under SCHED_BATCH (BatchThreadsOf).
Result<rd_kafka_conf_t*> NewKafkaConf(const KafkaOptions& o, ClientRole role,
                                      const std::string& group);

// Every thread librdkafka starts for a client made from `conf` (rdk:main, its
// broker threads, a mock cluster's rdk:mock) puts itself under SCHED_BATCH as
// it starts (MakeThisThreadBatch): they are the rails, not the stages.
void BatchThreadsOf(rd_kafka_conf_t* conf);

Status KafkaStatus(rd_kafka_resp_err_t err, std::string_view context);

// The partition count of `topic`, asked of the cluster until `timeout`. A
// topic just created reaches each broker's metadata a moment after the
// CreateTopics answer (KRaft brokers learn it from the metadata log), so a
// client bootstrapped from another broker may first hear "unknown topic" or
// "leader not available", or see no partitions: those are asked again, as
// are timeouts and lost connections. Any other error, a fatal client error
// (KafkaFatalError) or the deadline ends the wait; `brokers` is for messages.
// Serves `rk`'s events (rd_kafka_poll) between requests: call it before
// rd_kafka_poll_set_consumer on a consumer handle.
Result<int> TopicPartitionCount(rd_kafka_t* rk, const std::string& topic,
                                std::chrono::milliseconds timeout, const std::string& brokers);

// Errors no retry cures: failed authentication (RD_KAFKA_RESP_ERR__AUTHENTICATION:
// wrong credentials or mechanism) and librdkafka's fatal errors. librdkafka
// itself reconnects forever after them; newsflow ends the command instead.
// NoteKafkaError records the first such error of the process (and logs it
// once); it returns false for any other error. Every long wait (the runner's
// loop, flushes, flow control) checks KafkaFatalError() and returns it.
// A failed login stays for the life of the process. A client's fatal error
// is the state of that one handle: it is forgotten when the handle is
// destroyed (KafkaDeleter calls ForgetKafkaFatalError), so new clients can
// start (an idempotent producer whose sequence a failover lost).
bool NoteKafkaError(rd_kafka_t* rk, int err, const char* reason);
Status KafkaFatalError();  // OK while there is none
// The recorded error if it concerns these clients: a failed login (the
// process's), or a fatal error one of them raised. A process with several
// clients (`run`: a producer and a consumer per hop) must not stop them all
// for one producer's lost state, which new clients for that hop cure.
Status KafkaFatalErrorOf(const rd_kafka_t* a, const rd_kafka_t* b = nullptr);
void ForgetKafkaFatalError(rd_kafka_t* rk);  // if `rk` raised the recorded error
// The error librdkafka names as the cause of the recorded client fatal error
// (rd_kafka_fatal_error) when `rk` raised it; RD_KAFKA_RESP_ERR_NO_ERROR when
// there is none, or another client of the process raised it.
rd_kafka_resp_err_t KafkaFatalCauseOf(const rd_kafka_t* rk);
// The errors by which the brokers say they lost an idempotent producer's
// state (a leader's failover): no retry of that producer cures them, a new
// producer does (StageRunner::FailedOnProducerState, KafkaArticleSink).
inline constexpr rd_kafka_resp_err_t kLostProducerStateErrors[] = {
    RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID,
    RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH};
inline bool IsLostProducerStateError(rd_kafka_resp_err_t err) {
  for (rd_kafka_resp_err_t e : kLostProducerStateErrors)
    if (err == e) return true;
  return false;
}
// The error callback NewKafkaConf installs: NoteKafkaError, else a warning.
void KafkaErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque);

}  // namespace newsflow
