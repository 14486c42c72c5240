#include "newsflow/transactional_output.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

namespace newsflow {
namespace {

std::string HostName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "localhost";
  return host;
}

// A group name as a file name.
std::string FileSafe(std::string s) {
  for (char& c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<TransactionalSlot>> TransactionalSlot::Acquire(const std::string& state_dir,
                                                                      const std::string& group,
                                                                      const std::string& prefix) {
  std::string dir = state_dir + "/transactions";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Status::Unavailable("exactly once: cannot create " + dir + " for the transactional.id " +
                               "slot locks: " + ec.message() + " (set NEWSFLOW_STATE_DIR)");
  for (int slot = 0; slot < 1024; ++slot) {
    std::string path = dir + "/" + FileSafe(group) + "." + std::to_string(slot) + ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return Status::Unavailable("exactly once: cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::unique_ptr<TransactionalSlot> s(new TransactionalSlot());
      s->fd_ = fd;
      s->id_ = (prefix.empty() ? "newsflow-" + group : prefix) + "-" + HostName() + "-" +
               std::to_string(slot);
      return s;
    }
    ::close(fd);
  }
  return Status::Unavailable("exactly once: no free transactional.id slot under " + dir);
}

TransactionalSlot::~TransactionalSlot() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

Result<std::unique_ptr<TransactionalOutput>> TransactionalOutput::Create(
    KafkaProducer& producer, std::string topic, std::string dlq_topic, FlowController* flow,
    std::string transactional_id) {
  std::unique_ptr<TransactionalOutput> t(new TransactionalOutput(
      producer, std::move(topic), std::move(dlq_topic), flow, std::move(transactional_id)));
  // Fences earlier producers with this id and aborts the transaction a
  // killed predecessor left open. Retriable errors (coordinator loading,
  // a previous transaction still completing) are retried for a while.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    rd_kafka_error_t* error = rd_kafka_init_transactions(producer.handle(), 30000);
    if (error == nullptr) break;
    std::string msg = rd_kafka_error_string(error);
    bool retriable = rd_kafka_error_is_retriable(error) && !rd_kafka_error_is_fatal(error);
    rd_kafka_error_destroy(error);
    if (!retriable || std::chrono::steady_clock::now() > deadline)
      return Status::Unavailable("exactly once: initialising transactions for transactional.id '" +
                                 t->id_ + "' failed: " + msg +
                                 " (the brokers must support transactions: a real Kafka cluster, "
                                 "with transaction.state.log.replication.factor <= its size)");
    spdlog::warn("exactly once: init_transactions for '{}': {} (retrying)", t->id_, msg);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  spdlog::info("exactly once: transactional.id '{}' ready", t->id_);
  return t;
}

RecordOutput::Done TransactionalOutput::Hold(Done done) {
  return [this, generation = generation_, done = std::move(done)](const Status& s) {
    // A failed delivery puts the transaction into an abortable state: the
    // commit reports it and the runner aborts and re-reads. Acked records
    // wait for the commit; reports of an aborted transaction that arrive
    // late are dropped.
    if (s.ok() && generation == generation_) held_.push_back(std::move(done));
  };
}

Status TransactionalOutput::Send(std::string_view key, std::string_view value, int64_t origin_ms,
                                 Done done) {
  return inner_.Send(key, value, origin_ms, Hold(std::move(done)));
}

Status TransactionalOutput::SendDeadLetter(std::string_view key, std::string_view value,
                                           Done done) {
  return inner_.SendDeadLetter(key, value, Hold(std::move(done)));
}

TransactionalOutput::TxnResult TransactionalOutput::Classify(rd_kafka_error_t* error,
                                                             const std::string& what) {
  TxnResult r;
  r.error = what + " (transactional.id '" + id_ + "'): " + rd_kafka_error_string(error);
  if (rd_kafka_error_is_fatal(error)) {
    r.outcome = Outcome::kFatal;
    open_ = false;  // no transactional call can succeed any more
  } else if (rd_kafka_error_txn_requires_abort(error)) {
    r.outcome = Outcome::kAbortable;
  } else {
    // Neither retriable, abortable nor fatal: librdkafka advises treating it as fatal.
    r.outcome = Outcome::kFatal;
    open_ = false;
  }
  rd_kafka_error_destroy(error);
  return r;
}

TransactionalOutput::TxnResult TransactionalOutput::Begin() {
  if (open_) return {};
  rd_kafka_error_t* error = rd_kafka_begin_transaction(producer_.handle());
  if (error != nullptr) return Classify(error, "begin_transaction");
  open_ = true;
  return {};
}

TransactionalOutput::TxnResult TransactionalOutput::Commit(
    rd_kafka_t* consumer, const rd_kafka_topic_partition_list_t* offsets) {
  if (!open_) return {};
  if (offsets != nullptr && offsets->cnt > 0) {
    rd_kafka_consumer_group_metadata_t* group = rd_kafka_consumer_group_metadata(consumer);
    rd_kafka_error_t* error = nullptr;
    // Retried with the same offsets and group metadata, as librdkafka asks.
    for (int attempt = 0; attempt < 10; ++attempt) {
      error = rd_kafka_send_offsets_to_transaction(producer_.handle(), offsets, group, -1);
      if (error == nullptr || !rd_kafka_error_is_retriable(error)) break;
      spdlog::warn("exactly once: send_offsets_to_transaction: {} (retrying)",
                   rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
      error = nullptr;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    rd_kafka_consumer_group_metadata_destroy(group);
    if (error != nullptr) return Classify(error, "send_offsets_to_transaction");
  }
  // Flushes every outstanding message (serving its delivery callback) first.
  for (int attempt = 0;; ++attempt) {
    rd_kafka_error_t* error = rd_kafka_commit_transaction(producer_.handle(), -1);
    if (error == nullptr) break;
    if (rd_kafka_error_is_retriable(error) && attempt < 10) {
      spdlog::warn("exactly once: commit_transaction: {} (retrying)", rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
      continue;
    }
    return Classify(error, "commit_transaction");
  }
  open_ = false;
  std::vector<Done> held;
  held.swap(held_);
  for (auto& d : held) d(Status::OK());
  return {};
}

TransactionalOutput::TxnResult TransactionalOutput::Abort() {
  if (!open_) return {};
  // Purges what is still queued; those delivery callbacks fail and are not held.
  for (int attempt = 0;; ++attempt) {
    rd_kafka_error_t* error = rd_kafka_abort_transaction(producer_.handle(), -1);
    if (error == nullptr) break;
    if (rd_kafka_error_is_retriable(error) && attempt < 10) {
      spdlog::warn("exactly once: abort_transaction: {} (retrying)", rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
      continue;
    }
    TxnResult r = Classify(error, "abort_transaction");
    r.outcome = Outcome::kFatal;  // a transaction we cannot abort cannot go on
    open_ = false;
    held_.clear();
    ++generation_;
    return r;
  }
  open_ = false;
  held_.clear();
  ++generation_;
  return {};
}

}  // namespace newsflow
