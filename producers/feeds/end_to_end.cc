#include "end_to_end.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "newsflow/broker_restart.h"
#include "newsflow/codec.h"

namespace newsflow::feeds {

Result<std::unique_ptr<EndToEndSink>> EndToEndSink::Create(const KafkaOptions& kafka,
                                                           Resolve resolve, EndToEndOptions options,
                                                           prometheus::Registry& registry,
                                                           const std::atomic<bool>* stop) {
  if (options.pending_file.empty()) return Status::InvalidArgument("end-to-end: no pending file");
  if (options.final_topics.empty()) return Status::InvalidArgument("end-to-end: no final topic");
  std::unique_ptr<EndToEndSink> s(new EndToEndSink());
  s->kafka_ = kafka;
  s->resolve_ = std::move(resolve);
  s->opt_ = std::move(options);
  s->registry_ = &registry;
  s->stop_ = stop;
  s->pending_gauge_ = &prometheus::BuildGauge()
                           .Name("newsflow_feed_unconfirmed_items")
                           .Help("Items published but not yet seen in a final topic (embedded broker)")
                           .Register(registry)
                           .Add({});
  s->confirmed_counter_ = &prometheus::BuildCounter()
                               .Name("newsflow_feed_items_confirmed_total")
                               .Help("Items seen in a final topic (end-to-end acknowledgement)")
                               .Register(registry)
                               .Add({});
  s->republished_counter_ = &prometheus::BuildCounter()
                                 .Name("newsflow_feed_items_republished_total")
                                 .Help("Unconfirmed items published again after a broker restart")
                                 .Register(registry)
                                 .Add({});
  NEWSFLOW_RETURN_IF_ERROR(s->LoadLog());
  NEWSFLOW_RETURN_IF_ERROR(s->Connect());
  NEWSFLOW_RETURN_IF_ERROR(s->RepublishStale());
  s->follow_thread_ = std::make_unique<std::thread>([p = s.get()] { p->FollowLoop(); });
  return s;
}

void EndToEndSink::FollowLoop() {
  while (!closing_.load()) {
    std::this_thread::sleep_for(BrokerMonitor::kPollInterval);
    if (!BrokerMonitor::Get().Restarted() && inner_ready_.load()) continue;
    std::lock_guard<std::mutex> io(io_mu_);
    Status s = MaybeFollow();
    if (!s.ok()) spdlog::error("watch: {} (retrying)", s.ToString());
  }
}

EndToEndSink::~EndToEndSink() {
  closing_ = true;
  if (follow_thread_) follow_thread_->join();
  confirm_stop_ = true;
  if (confirm_thread_) confirm_thread_->join();
  confirm_rk_.reset();  // KafkaDeleter: without a consumer close
  inner_.reset();
  std::lock_guard<std::mutex> lock(mu_);
  if (log_ != nullptr) {
    std::fflush(log_);
    fsync(fileno(log_));
    std::fclose(log_);
  }
}

size_t EndToEndSink::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

// The log: "P <incarnation> <id> <record>" when an item is handed over (or
// re-published), "C <id>" when it is confirmed; rewritten compact at start,
// after a restart and when mostly confirmations.
Status EndToEndSink::LoadLog() {
  std::lock_guard<std::mutex> lock(mu_);
  std::ifstream in(opt_.pending_file, std::ios::binary);
  std::string line;
  size_t n = 0;
  while (in && std::getline(in, line)) {
    ++n;
    if (line.size() > 2 && line[0] == 'P' && line[1] == ' ') {
      size_t a = line.find(' ', 2);
      size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
      if (b == std::string::npos) continue;  // a torn last line
      Pending p;
      p.incarnation = line.substr(2, a - 2);
      p.sent_to = p.incarnation;
      p.record = line.substr(b + 1);
      p.seq = ++seq_;
      pending_[line.substr(a + 1, b - a - 1)] = std::move(p);
    } else if (line.size() > 2 && line[0] == 'C' && line[1] == ' ') {
      pending_.erase(line.substr(2));
    }
  }
  if (n > 0)
    spdlog::info("watch: {} item(s) published earlier are not confirmed by {} yet ({})",
                 pending_.size(), opt_.final_topics.front(), opt_.pending_file);
  return RewriteLog();
}

Status EndToEndSink::RewriteLog() {
  if (log_ != nullptr) {
    std::fclose(log_);
    log_ = nullptr;
  }
  std::string tmp = opt_.pending_file + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return Status::Unavailable("cannot write " + tmp + ": check the state directory");
  std::vector<std::pair<uint64_t, const std::string*>> order;
  for (const auto& [id, p] : pending_) order.emplace_back(p.seq, &id);
  std::sort(order.begin(), order.end());
  bool ok = true;
  for (const auto& [seq, id] : order) {
    const Pending& p = pending_.at(*id);
    ok = ok && std::fprintf(f, "P %s %s %s\n", p.incarnation.c_str(), id->c_str(), p.record.c_str()) > 0;
  }
  ok = ok && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  std::fclose(f);
  if (!ok) return Status::Unavailable("cannot write " + tmp + " (disk full?)");
  std::error_code ec;
  std::filesystem::rename(tmp, opt_.pending_file, ec);
  if (ec) return Status::Unavailable("cannot rename " + tmp + ": " + ec.message());
  log_ = std::fopen(opt_.pending_file.c_str(), "a");
  if (log_ == nullptr) return Status::Unavailable("cannot append to " + opt_.pending_file);
  log_lines_ = pending_.size();
  pending_gauge_->Set(static_cast<double>(pending_.size()));
  return Status::OK();
}

void EndToEndSink::AppendLog(const std::string& line) {
  if (log_ == nullptr) return;
  std::fwrite(line.data(), 1, line.size(), log_);
  std::fputc('\n', log_);
  ++log_lines_;
}

Status EndToEndSink::Connect() {
  Status s = ConnectClients();
  if (!s.ok()) {
    Disconnect();
    return s;
  }
  inner_ready_ = true;
  return s;
}

Status EndToEndSink::ConnectClients() {
  auto inner = KafkaArticleSink::Create(kafka_, opt_.sink, *registry_, stop_);
  if (!inner.ok()) return inner.status();
  inner_ = std::move(*inner);
  // Its own consumer, no group: every partition of the final topics from the
  // beginning, so every landing of this broker's life is seen.
  auto rk = NewKafkaClient(NonCommittingClient(kafka_, "newsflow-watch-confirm"), ClientRole::kConsumer,
                           "newsflow-watch-confirm");
  if (!rk.ok()) return rk.status();
  confirm_rk_ = std::move(*rk);
  TopicPartitionList assign(rd_kafka_topic_partition_list_new(16));
  finals_.clear();
  for (size_t i = 0; i < opt_.final_topics.size(); ++i) {
    Final f;
    f.topic = opt_.final_topics[i];
    f.group = i < opt_.final_groups.size() ? opt_.final_groups[i] : "newsflow-sink";
    auto partitions = TopicPartitionCount(confirm_rk_.get(), f.topic, std::chrono::seconds(10), kafka_.brokers);
    if (!partitions.ok()) return partitions.status().WithContext("end-to-end");
    f.partitions = *partitions;
    for (int p = 0; p < f.partitions; ++p)
      rd_kafka_topic_partition_list_add(assign.get(), f.topic.c_str(), p)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    // Never subscribes: reads the sink group's committed offsets only.
    auto c = NewKafkaClient(NonCommittingClient(kafka_, "newsflow-watch-confirm"), ClientRole::kConsumer, f.group);
    if (!c.ok()) return c.status();
    f.committed_rk = std::move(*c);
    finals_.push_back(std::move(f));
  }
  // After the metadata lookups, which serve the handle's events with
  // rd_kafka_poll: that call is not for a handle already redirected to its
  // consumer queue.
  rd_kafka_poll_set_consumer(confirm_rk_.get());
  NEWSFLOW_RETURN_IF_ERROR(
      KafkaStatus(rd_kafka_assign(confirm_rk_.get(), assign.get()), "end-to-end: assign"));
  confirm_stop_ = false;
  confirm_thread_ = std::make_unique<std::thread>([this] { ConfirmLoop(); });
  return Status::OK();
}

void EndToEndSink::Disconnect() {
  inner_ready_ = false;
  confirm_stop_ = true;
  if (confirm_thread_) confirm_thread_->join();
  confirm_thread_.reset();
  // The broker is gone: nothing to say goodbye to.
  confirm_rk_.reset();  // KafkaDeleter: without a consumer close
  finals_.clear();  // their handles too (KafkaDeleter: without a consumer close)
  if (inner_) inner_->Abandon();
  inner_.reset();
}

void EndToEndSink::ConfirmLoop() {
  // Where pending ids landed, per final topic and partition, by offset.
  std::vector<std::map<int32_t, std::map<int64_t, std::string>>> landed(finals_.size());
  auto next_check = std::chrono::steady_clock::now();
  while (!confirm_stop_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(confirm_rk_.get(), 100);
    if (m != nullptr) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->key != nullptr && m->key_len > 0) {
        std::string id(static_cast<const char*>(m->key), m->key_len);
        const char* topic = rd_kafka_topic_name(m->rkt);
        bool pending = false;
        {
          std::lock_guard<std::mutex> lock(mu_);
          pending = pending_.count(id) != 0;
        }
        for (size_t i = 0; i < finals_.size() && pending; ++i) {
          if (finals_[i].topic == topic) landed[i][m->partition][m->offset] = std::move(id);
        }
      }
      rd_kafka_message_destroy(m);
    }
    if (std::chrono::steady_clock::now() < next_check) continue;
    next_check = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    for (size_t i = 0; i < finals_.size(); ++i) {
      if (landed[i].empty()) continue;
      TopicPartitionList list(rd_kafka_topic_partition_list_new(finals_[i].partitions));
      for (const auto& [p, ids] : landed[i])
        rd_kafka_topic_partition_list_add(list.get(), finals_[i].topic.c_str(), p);
      if (rd_kafka_committed(finals_[i].committed_rk.get(), list.get(), 2000) !=
          RD_KAFKA_RESP_ERR_NO_ERROR)
        continue;
      std::lock_guard<std::mutex> lock(mu_);
      for (int j = 0; j < list->cnt; ++j) {
        auto& ids = landed[i][list->elems[j].partition];
        int64_t committed = list->elems[j].offset;  // the next offset the group reads
        while (!ids.empty() && committed >= 0 && ids.begin()->first < committed) {
          if (pending_.erase(ids.begin()->second) != 0) {
            AppendLog("C " + ids.begin()->second);
            confirmed_.fetch_add(1);
            confirmed_counter_->Increment();
          }
          ids.erase(ids.begin());
        }
      }
      pending_gauge_->Set(static_cast<double>(pending_.size()));
    }
  }
}

Status EndToEndSink::RepublishStale() {
  std::vector<std::pair<uint64_t, std::string>> stale;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, p] : pending_)
      if (p.sent_to != kafka_.incarnation) stale.emplace_back(p.seq, id);
  }
  if (stale.empty()) return Status::OK();
  std::sort(stale.begin(), stale.end());
  spdlog::warn("watch: re-publishing {} item(s) the embedded broker never carried to {} (it "
               "restarted since they were published)",
               stale.size(), opt_.final_topics.front());
  int64_t n = 0;
  for (const auto& [seq, id] : stale) {
    std::string record;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(id);
      if (it == pending_.end()) continue;  // confirmed meanwhile
      record = it->second.record;
    }
    // The log keeps the old incarnation until a Flush saw these acknowledged:
    // a crash before that re-publishes them again at the next start.
    Status s = inner_->PublishBytes(id, record);
    if (!s.ok()) return s.WithContext("re-publishing " + id);
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = pending_.find(id); it != pending_.end()) it->second.sent_to = kafka_.incarnation;
    ++n;
  }
  republished_.fetch_add(n);
  republished_counter_->Increment(static_cast<double>(n));
  return Status::OK();
}

Status EndToEndSink::MaybeFollow() {
  BrokerMonitor& monitor = BrokerMonitor::Get();
  if (kafka_.embedded && monitor.Restarted() && monitor.incarnation() == kafka_.incarnation) {
    if (inner_ready_)
      spdlog::warn("watch: the embedded broker restarted; following it and re-publishing the "
                   "items it had not carried to {}", opt_.final_topics.front());
    Disconnect();
    auto k = resolve_();  // re-reads the bootstrap file and re-arms the monitor
    if (!k.ok()) return k.status().WithContext("following the restarted embedded broker");
    kafka_ = *k;
  }
  if (!inner_ready_) {
    NEWSFLOW_RETURN_IF_ERROR(Connect());
    republish_needed_ = true;
  }
  if (republish_needed_) {
    NEWSFLOW_RETURN_IF_ERROR(RepublishStale());
    republish_needed_ = false;
  }
  return Status::OK();
}

Status EndToEndSink::Publish(const Article& a) {
  std::lock_guard<std::mutex> io(io_mu_);
  NEWSFLOW_RETURN_IF_ERROR(MaybeFollow());
  std::string record = Codec::Encode(a);
  // Over the limit: the Kafka sink makes it a dead letter; nothing to confirm.
  if (record.size() > opt_.sink.max_record_bytes) return inner_->Publish(a);
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (pending_.size() >= opt_.max_pending) {
      auto oldest = std::min_element(pending_.begin(), pending_.end(), [](const auto& x, const auto& y) {
        return x.second.seq < y.second.seq;
      });
      spdlog::warn("watch: more than {} unconfirmed items: forgetting {} (no final topic has it; "
                   "is the chain running?)",
                   opt_.max_pending, oldest->first);
      AppendLog("C " + oldest->first);
      pending_.erase(oldest);
    }
    Pending& p = pending_[a.id];
    p.incarnation = p.sent_to = kafka_.incarnation;
    p.record = record;
    p.seq = ++seq_;
    AppendLog("P " + p.incarnation + " " + a.id + " " + record);
    pending_gauge_->Set(static_cast<double>(pending_.size()));
  }
  Status s = inner_->PublishBytes(a.id, record);
  if (s.ok()) return s;
  if (BrokerMonitor::Get().Restarted()) return MaybeFollow();  // re-publishes it there
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_.erase(a.id) != 0) AppendLog("C " + a.id);  // the watcher retries it
  pending_gauge_->Set(static_cast<double>(pending_.size()));
  return s;
}

Status EndToEndSink::PublishDeadLetter(const DeadLetter& d) {
  std::lock_guard<std::mutex> io(io_mu_);
  NEWSFLOW_RETURN_IF_ERROR(MaybeFollow());
  return inner_->PublishDeadLetter(d);
}

Status EndToEndSink::Flush(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> io(io_mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    NEWSFLOW_RETURN_IF_ERROR(MaybeFollow());
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    // Short slices, so a broker restart is followed instead of waited out.
    Status s = inner_->Flush(std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(500)));
    if (s.ok()) break;
    if (BrokerMonitor::Get().Restarted()) continue;
    if (s.code() != StatusCode::kTimeout || std::chrono::steady_clock::now() >= deadline) return s;
  }
  std::lock_guard<std::mutex> lock(mu_);
  // Everything handed over is acknowledged by the current broker: what the
  // log still files under a dead incarnation now lives in this one.
  bool moved = false;
  for (auto& [id, p] : pending_) {
    if (p.incarnation != p.sent_to && p.sent_to == kafka_.incarnation) {
      p.incarnation = p.sent_to;
      moved = true;
    }
  }
  if (moved || log_lines_ > 2 * pending_.size() + 1000) return RewriteLog();
  if (log_ == nullptr || std::fflush(log_) != 0 || fsync(fileno(log_)) != 0)
    return Status::Unavailable("cannot write " + opt_.pending_file + " (disk full?)");
  return Status::OK();
}

}  // namespace newsflow::feeds
