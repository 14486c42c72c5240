// Following a restarted embedded broker, and counting what its restart lost.
//
// The embedded broker (`newsflow broker`) keeps everything in memory; a
// restart comes back empty, on new ports. It writes a fresh random
// `incarnation=` id into its bootstrap file each time it starts, so every
// process that resolved its address from that file can tell "the broker I
// talk to is gone and a new, empty one replaced it" (the old address would
// otherwise be retried forever).
//
// BrokerMonitor (one per process) re-reads the bootstrap file every 250 ms.
// When the incarnation changes:
//  * writers record what the dead incarnation acknowledged: every producer's
//    delivery callback notes (topic, partition, offset) of acked records, and
//    the monitor writes the end offset per topic-partition to
//    `<bootstrap file>.ledger/<old incarnation>/<pid>.acked`;
//  * readers then count as lost, per partition they owned, the records they
//    had consumed but not finished plus those between their position and the
//    partition's end (the larger of what they saw and what every writer on this
//    box reported acknowledged), log them as LOST and add them to
//    newsflow_records_lost_total;
//  * the process follows the new broker: it drops its Kafka clients without
//    talking to the dead broker, re-reads the bootstrap file and starts again
//    (stages and sinks: app/commands.cc; `watch`: producers/feeds/end_to_end).
//
// Readers wait `kLedgerGrace` after detection for the writers' ledgers;
// writers that report later are not counted (the loss is then a lower bound,
// and the log says so).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace newsflow {

// A fresh random id for one start of the embedded broker (32 hex digits).
std::string NewBrokerIncarnation();

// The directory holding the ledgers of every incarnation of `bootstrap_file`.
std::string LedgerDir(const std::string& bootstrap_file);

// Called by `newsflow broker` before it writes its bootstrap file: removes the
// ledgers of incarnations older than the one it replaces (still named in the
// file, if any), and returns that previous incarnation ("" if none).
std::string PrepareLedgers(const std::string& bootstrap_file);

class BrokerMonitor {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{250};
  static constexpr std::chrono::milliseconds kLedgerGrace{3000};

  // The process's monitor.
  static BrokerMonitor& Get();
  ~BrokerMonitor();

  // Watches `bootstrap_file` for an incarnation other than `incarnation`
  // (re-arms after a restart was handled). An empty incarnation (a file from
  // an older broker, or --brokers) watches nothing.
  void Watch(const std::string& bootstrap_file, const std::string& incarnation);

  // Set once the watched incarnation was replaced; stays set until Watch().
  bool Restarted() const { return restarted_.load(std::memory_order_acquire); }
  const std::atomic<bool>& restarted_flag() const { return restarted_; }
  std::string incarnation() const;      // the one watched (the old one after a restart)
  std::string new_incarnation() const;  // "" until a restart
  std::string bootstrap_file() const;

  // A producer's delivery callback: `topic`[`partition`]@`offset` was acked.
  // Cheap when nothing is watched.
  void NoteAcked(const char* topic, int32_t partition, int64_t offset);
  // Records this process had acknowledged by the old incarnation, all topics.
  int64_t AckedCount() const;
  // A writer that ends before the broker restarts leaves its ledger behind
  // (call at exit), so readers can still count what it had published.
  void SaveLedger();

  // For a reader after a restart: the end offset (last acked + 1) per
  // partition of `topic` in the old incarnation, as every writer on this box
  // reported it; waits until kLedgerGrace after the detection first.
  std::map<int32_t, int64_t> AckedEnds(const std::string& topic);

 private:
  BrokerMonitor() = default;
  void Loop();
  void WriteLedger(const std::string& incarnation, bool after_restart);

  mutable std::mutex mu_;
  std::string file_, incarnation_, new_incarnation_;
  std::chrono::steady_clock::time_point detected_at_{};
  std::map<std::pair<std::string, int32_t>, int64_t> acked_ends_;  // current incarnation
  int64_t acked_count_ = 0;
  std::atomic<bool> watching_{false};
  std::atomic<bool> restarted_{false};
  std::atomic<bool> stop_{false};
  std::unique_ptr<std::thread> thread_;
};

}  // namespace newsflow
