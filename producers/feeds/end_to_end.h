// EndToEndSink: end-to-end acknowledgement for `newsflow watch` on the
// embedded broker.
//
// The embedded broker keeps everything in memory: an item it acknowledged is
// gone if it restarts before the stages have carried it to the end of the
// chain, and the watcher, which saved the item's dedupe keys, would never
// fetch it again. So on the embedded broker an item is done only when the last
// topic of the chain (news.tagged) or the dead letters (news.dlq) hold it.
//
// The sink sits between the Watcher and the KafkaArticleSink:
//  * Publish writes the item's record (keyed by its stable article id) to a
//    pending log (`<state file>.pending`) before handing it to Kafka; Flush
//    fsyncs that log, and the watcher saves its dedupe keys only after a
//    successful Flush, so no saved key is ever without its record.
//  * A consumer of its own (no group, every partition from the beginning)
//    reads the final topics and notes where each pending id landed; the id is
//    confirmed (it leaves the log) once the group that reads that topic (the
//    sink, which writes before it commits) has committed past it: on the
//    embedded broker the final topic is in memory too, so its having the
//    record is not enough.
//  * When the embedded broker restarts (broker_restart.h), it drops its
//    clients, follows the new broker and re-publishes every pending item;
//    when `watch` itself starts, it re-publishes the pending items of a
//    broker incarnation that is gone, and waits for the confirmations of the
//    current one (the final topics are read from their beginning).
// Duplicates downstream are possible (at-least-once); ids are stable, so a
// sink can tell them apart. Items a stage drops on purpose never reach a
// final topic: they stay pending (re-published after a broker restart) up to
// `max_pending`, past which the oldest are forgotten with a warning.
//
// On a real cluster none of this is used: acks=all is the acknowledgement.
//
// Thread-safety: Publish, PublishDeadLetter and Flush from one thread (the
// watcher's loop); the confirming consumer runs on its own thread, and so does
// the follower (a restart is followed even while the watcher publishes nothing).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "newsflow/kafka.h"
#include "newsflow/kafka_sink.h"
#include "newsflow/sink.h"

namespace newsflow::feeds {

struct EndToEndOptions {
  std::string pending_file;               // e.g. <state file>.pending
  std::vector<std::string> final_topics;  // news.tagged, news.dlq
  // The group that finishes each final topic (its sink), same order.
  std::vector<std::string> final_groups;  // newsflow-sink, newsflow-dlq-sink
  KafkaArticleSink::Options sink;         // the Kafka sink (re)created on each broker
  size_t max_pending = 100000;
};

class EndToEndSink final : public ArticleSink {
 public:
  // `resolve` re-reads where the embedded broker is (after a restart).
  using Resolve = std::function<Result<KafkaOptions>()>;

  static Result<std::unique_ptr<EndToEndSink>> Create(const KafkaOptions& kafka, Resolve resolve,
                                                      EndToEndOptions options,
                                                      prometheus::Registry& registry,
                                                      const std::atomic<bool>* stop);
  ~EndToEndSink() override;

  Status Publish(const Article& a) override;
  Status PublishDeadLetter(const DeadLetter& d) override;
  Status Flush(std::chrono::milliseconds timeout) override;

  size_t pending() const;
  int64_t confirmed() const { return confirmed_.load(); }
  int64_t republished() const { return republished_.load(); }

 private:
  struct Pending {
    std::string incarnation;  // in the log: the broker it was last acknowledged by
    std::string sent_to;      // the broker it was last handed to
    std::string record;       // the encoded article
    uint64_t seq = 0;         // publish order (oldest forgotten first)
  };
  EndToEndSink() = default;
  Status LoadLog();
  Status RewriteLog();  // REQUIRES: mu_ held
  void AppendLog(const std::string& line);  // REQUIRES: mu_ held
  Status Connect();     // inner sink + confirming consumer on kafka_, or none
  Status ConnectClients();
  void Disconnect();
  Status RepublishStale();
  Status MaybeFollow();
  void ConfirmLoop();
  void FollowLoop();

  KafkaOptions kafka_;
  Resolve resolve_;
  EndToEndOptions opt_;
  prometheus::Registry* registry_ = nullptr;
  const std::atomic<bool>* stop_ = nullptr;
  std::unique_ptr<KafkaArticleSink> inner_;
  KafkaHandle confirm_rk_;
  struct Final {
    std::string topic, group;
    int partitions = 0;
    KafkaHandle committed_rk;  // group.id = group; only reads its committed offsets
  };
  std::vector<Final> finals_;
  std::unique_ptr<std::thread> confirm_thread_;
  std::atomic<bool> confirm_stop_{false};
  std::mutex io_mu_;  // inner_, kafka_ and the confirming consumer's lifecycle
  std::unique_ptr<std::thread> follow_thread_;
  std::atomic<bool> closing_{false};
  std::atomic<bool> inner_ready_{false};
  bool republish_needed_ = false;  // REQUIRES: io_mu_

  mutable std::mutex mu_;
  std::map<std::string, Pending> pending_;  // by article id
  uint64_t seq_ = 0;
  FILE* log_ = nullptr;
  size_t log_lines_ = 0;

  std::atomic<int64_t> confirmed_{0}, republished_{0};
  prometheus::Gauge* pending_gauge_ = nullptr;
  prometheus::Counter* confirmed_counter_ = nullptr;
  prometheus::Counter* republished_counter_ = nullptr;
};

}  // namespace newsflow::feeds
