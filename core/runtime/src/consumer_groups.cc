#include "newsflow/consumer_groups.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <memory>

namespace newsflow {

namespace {

bool ReadInt(std::string_view s, size_t& i, size_t digits, int& out) {
  if (i + digits > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < digits; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  i += digits;
  out = v;
  return true;
}

bool Expect(std::string_view s, size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

std::string FormatMs(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int frac = static_cast<int>(ms - static_cast<int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

}  // namespace

Result<int64_t> ParseDatetime(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("--to-datetime '" + std::string(text) + "': " + why +
                                   " (expected YYYY-MM-DDTHH:MM:SS[.mmm][Z|+HH:MM], e.g. 2026-12-02T10:00:00Z)");
  };
  size_t i = 0;
  int year, mon, day, hour = 0, min = 0, sec = 0, ms = 0;
  if (!ReadInt(text, i, 4, year) || !Expect(text, i, '-') || !ReadInt(text, i, 2, mon) || !Expect(text, i, '-') ||
      !ReadInt(text, i, 2, day))
    return bad("not a date");
  if (i < text.size()) {
    if (text[i] != 'T' && text[i] != 't' && text[i] != ' ') return bad("expected 'T' after the date");
    ++i;
    if (!ReadInt(text, i, 2, hour) || !Expect(text, i, ':') || !ReadInt(text, i, 2, min))
      return bad("not a time of day");
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!ReadInt(text, i, 2, sec)) return bad("bad seconds");
      if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
        ++i;
        size_t start = i;
        int64_t scale = 100;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
          ms += static_cast<int>((text[i] - '0') * scale);
          scale /= 10;
          ++i;
        }
        if (i == start) return bad("bad fraction of a second");
      }
    }
  }
  int64_t offset_min = 0;  // zone east of UTC, in minutes
  if (i < text.size()) {
    char z = text[i];
    if (z == 'Z' || z == 'z') {
      ++i;
    } else if (z == '+' || z == '-') {
      ++i;
      int oh, om = 0;
      if (!ReadInt(text, i, 2, oh)) return bad("bad zone offset");
      if (i < text.size() && text[i] == ':') ++i;
      if (i < text.size() && !ReadInt(text, i, 2, om)) return bad("bad zone offset");
      // Zones in use span -12:00 to +14:00 (RFC 3339's own bound is 23:59).
      if (oh > 23 || om > 59) return bad("zone offset out of range");
      offset_min = (z == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
      return bad("unexpected '" + std::string(1, z) + "'");
    }
  }
  if (i != text.size()) return bad("trailing characters");
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
    return bad("a field is out of range");
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  std::time_t t = timegm(&tm);
  std::tm check{};
  gmtime_r(&t, &check);
  if (check.tm_mday != day && sec != 60) return bad("no such day");
  return static_cast<int64_t>(t) * 1000 + ms - offset_min * 60 * 1000;
}

Result<int64_t> ParseDuration(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("--by-duration '" + std::string(text) + "': " + why +
                                   " (expected e.g. 10m, 90s, 1h30m, 2d, 500ms or PT10M)");
  };
  std::string s(text);
  bool iso = false;
  if (!s.empty() && (s[0] == 'P' || s[0] == 'p')) {  // ISO 8601: PnDTnHnMnS
    iso = true;
    s = s.substr(1);
    std::string out;
    bool in_time = false;
    for (char c : s) {
      char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (u == 'T') {
        in_time = true;
        continue;
      }
      if (u == 'M' && !in_time) return bad("months are not a fixed duration");
      if (u == 'D' || u == 'H' || u == 'M' || u == 'S') {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(u)));
      } else {
        out += c;
      }
    }
    s = out;
  }
  if (s.empty()) return bad("empty");
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      n = n * 10 + (s[i] - '0');
      if (n > 1'000'000'000'000LL) return bad("too large");
      ++i;
    }
    if (i == start) return bad("expected a number");
    size_t ustart = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string unit = s.substr(ustart, i - ustart);
    int64_t scale;
    if (unit == "ms" && !iso) {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else if (unit == "d") {
      scale = 86'400'000;
    } else {
      return bad(unit.empty() ? "a number needs a unit" : "unknown unit '" + unit + "'");
    }
    total += n * scale;
  }
  if (total <= 0) return bad("must be longer than zero");
  return total;
}

int64_t ResetSpec::TimestampMs(int64_t now_ms) const {
  if (kind == Kind::kByDuration) return now_ms - value;
  return value;
}

std::string ResetSpec::Describe() const {
  switch (kind) {
    case Kind::kToDatetime:
      return "to " + FormatMs(value);
    case Kind::kByDuration:
      return "to " + std::to_string(value / 1000) + " s ago";
    case Kind::kToOffset:
      return "to offset " + std::to_string(value);
    case Kind::kShiftBy:
      return "by " + std::string(value >= 0 ? "+" : "") + std::to_string(value) + " records";
    case Kind::kToEarliest:
      return "to the earliest offset";
    case Kind::kToLatest:
      return "to the latest offset";
  }
  return "";
}

std::vector<PartitionMove> PlanReset(const std::vector<PartitionState>& partitions, const ResetSpec& spec) {
  std::vector<PartitionMove> plan;
  plan.reserve(partitions.size());
  for (const auto& p : partitions) {
    PartitionMove m;
    m.topic = p.topic;
    m.partition = p.partition;
    m.current = p.committed;
    m.position = p.committed >= 0 ? p.committed : p.low;
    int64_t t = 0;
    switch (spec.kind) {
      case ResetSpec::Kind::kToDatetime:
      case ResetSpec::Kind::kByDuration:
        t = p.time_offset >= 0 ? p.time_offset : p.high;
        break;
      case ResetSpec::Kind::kToOffset:
        t = spec.value;
        break;
      case ResetSpec::Kind::kShiftBy:
        t = m.position + spec.value;
        break;
      case ResetSpec::Kind::kToEarliest:
        t = p.low;
        break;
      case ResetSpec::Kind::kToLatest:
        t = p.high;
        break;
    }
    m.target = std::clamp(t, p.low, std::max(p.low, p.high));
    plan.push_back(std::move(m));
  }
  std::sort(plan.begin(), plan.end(), [](const PartitionMove& a, const PartitionMove& b) {
    return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
  });
  return plan;
}

std::string FormatPlan(const std::string& group, const std::vector<PartitionMove>& plan) {
  size_t w = 5;
  for (const auto& m : plan) w = std::max(w, m.topic.size());
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %9s %14s %14s %14s\n", static_cast<int>(w), "TOPIC", "PARTITION",
                "CURRENT", "NEW", "RE-READ");
  out += line;
  int64_t total = 0, moved = 0;
  for (const auto& m : plan) {
    std::string cur = m.current >= 0 ? std::to_string(m.current) : "-";
    std::snprintf(line, sizeof line, "%-*s %9d %14s %14lld %14lld\n", static_cast<int>(w), m.topic.c_str(),
                  m.partition, cur.c_str(), static_cast<long long>(m.target), static_cast<long long>(m.Reread()));
    out += line;
    total += m.Reread();
    if (m.current != m.target) ++moved;
  }
  out += "group " + group + ": " + std::to_string(plan.size()) + " partitions, " + std::to_string(moved) +
         " change, " + std::to_string(total) + " records to re-read" +
         (total < 0 ? " (negative: skipped)" : "") + "\n";
  return out;
}

bool GroupDescription::HasLiveMembers() const {
  if (!members.empty()) return true;
  return !(state == "Empty" || state == "Dead");
}

std::string GroupDescription::DescribeMembers() const {
  if (members.empty()) return "no members listed (state " + state + ")";
  std::string out;
  for (const auto& m : members) {
    if (!out.empty()) out += "; ";
    out += "client id " + m.client_id + ", host " + m.host + " (member " + m.member_id + ")";
  }
  return out;
}

// --- Against a cluster -------------------------------------------------------

namespace {

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using AdminOptions = std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter>;
using List = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

Result<AdminOptions> Options(rd_kafka_t* rk, rd_kafka_admin_op_t op, int timeout_ms) {
  AdminOptions o(rd_kafka_AdminOptions_new(rk, op));
  char err[256];
  if (rd_kafka_AdminOptions_set_request_timeout(o.get(), timeout_ms, err, sizeof err) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status::InvalidArgument(std::string("admin request timeout: ") + err);
  return o;
}

// Waits for the admin result on `q`; checks the request-level error.
Result<Event> Await(rd_kafka_queue_t* q, int timeout_ms, const std::string& what) {
  Event ev(rd_kafka_queue_poll(q, timeout_ms + 5000));
  if (!ev) return Status::Timeout(what + ": no answer from the cluster within " + std::to_string(timeout_ms) + " ms");
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_resp_err_t code = rd_kafka_event_error(ev.get());
    std::string m = what + ": " + rd_kafka_event_error_string(ev.get());
    if (code == RD_KAFKA_RESP_ERR__TIMED_OUT) return Status::Timeout(m);
    return Status::Unavailable(m);
  }
  return ev;
}

bool Unsupported(rd_kafka_resp_err_t e) {
  return e == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE || e == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION ||
         e == RD_KAFKA_RESP_ERR_INVALID_REQUEST;
}

}  // namespace

Result<GroupDescription> DescribeGroup(rd_kafka_t* rk, const std::string& group, int timeout_ms) {
  std::string what = "describing consumer group " + group;
  auto opts = Options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout_ms);
  if (!opts.ok()) return opts.status();
  Queue q(rd_kafka_queue_new(rk));
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(rk, groups, 1, opts->get(), q.get());
  auto ev = Await(q.get(), timeout_ms, what);
  if (!ev.ok()) return ev.status();
  const auto* res = rd_kafka_event_DescribeConsumerGroups_result(ev->get());
  if (res == nullptr) return Status::Internal(what + ": unexpected admin event");
  size_t n = 0;
  const rd_kafka_ConsumerGroupDescription_t** descs = rd_kafka_DescribeConsumerGroups_result_groups(res, &n);
  if (n != 1) return Status::Internal(what + ": " + std::to_string(n) + " results for one group");
  const rd_kafka_ConsumerGroupDescription_t* d = descs[0];
  if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(d)) {
    std::string m = what + ": " + rd_kafka_error_string(e);
    if (Unsupported(rd_kafka_error_code(e)))
      m += " (the broker lacks the DescribeGroups API: replay needs a real Kafka cluster, not the embedded broker)";
    return Status::Unavailable(m);
  }
  GroupDescription g;
  g.group = group;
  g.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d));
  size_t members = rd_kafka_ConsumerGroupDescription_member_count(d);
  for (size_t i = 0; i < members; ++i) {
    const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(d, i);
    auto str = [](const char* s) { return s != nullptr ? std::string(s) : std::string(); };
    g.members.push_back({str(rd_kafka_MemberDescription_consumer_id(m)), str(rd_kafka_MemberDescription_client_id(m)),
                         str(rd_kafka_MemberDescription_host(m))});
  }
  return g;
}

Result<std::vector<PartitionState>> ReadPartitions(rd_kafka_t* rk, const std::string& group, const std::string& topic,
                                                   int timeout_ms) {
  // Partitions of the topic, from metadata (no topic is created: the handle
  // asks about this topic only, and real brokers here do not auto-create).
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rkt == nullptr) return Status::InvalidArgument("topic '" + topic + "': bad name");
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status::Unavailable("metadata of topic " + topic + ": " + rd_kafka_err2str(err));
  std::vector<PartitionState> parts;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int t = 0; t < md->topic_cnt; ++t) {
    if (topic != md->topics[t].topic) continue;
    topic_err = md->topics[t].err;
    for (int p = 0; p < md->topics[t].partition_cnt; ++p) {
      PartitionState s;
      s.topic = topic;
      s.partition = md->topics[t].partitions[p].id;
      parts.push_back(s);
    }
  }
  rd_kafka_metadata_destroy(md);
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || parts.empty())
    return Status::NotFound("topic " + topic + " is not on the cluster (" +
                            (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_err2str(topic_err) : "no partitions") +
                            "): check the stage's input topic (--topic, --pipeline)");
  for (auto& s : parts) {
    err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), s.partition, &s.low, &s.high, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return Status::Unavailable("watermarks of " + topic + "[" + std::to_string(s.partition) +
                                 "]: " + rd_kafka_err2str(err));
  }

  // The group's committed offsets, partitions named (ListConsumerGroupOffsets).
  std::string what = "committed offsets of group " + group + " on " + topic;
  auto opts = Options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout_ms);
  if (!opts.ok()) return opts.status();
  List list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (const auto& s : parts) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), s.partition);
  rd_kafka_ListConsumerGroupOffsets_t* req = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), list.get());
  Queue q(rd_kafka_queue_new(rk));
  rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, opts->get(), q.get());
  rd_kafka_ListConsumerGroupOffsets_destroy(req);
  auto ev = Await(q.get(), timeout_ms, what);
  if (!ev.ok()) return ev.status();
  const auto* res = rd_kafka_event_ListConsumerGroupOffsets_result(ev->get());
  if (res == nullptr) return Status::Internal(what + ": unexpected admin event");
  size_t n = 0;
  const rd_kafka_group_result_t** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(res, &n);
  if (n != 1) return Status::Internal(what + ": " + std::to_string(n) + " results for one group");
  if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[0]))
    return Status::Unavailable(what + ": " + rd_kafka_error_string(e));
  const rd_kafka_topic_partition_list_t* got = rd_kafka_group_result_partitions(groups[0]);
  for (int i = 0; got != nullptr && i < got->cnt; ++i) {
    const auto& tp = got->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return Status::Unavailable(what + "[" + std::to_string(tp.partition) + "]: " + rd_kafka_err2str(tp.err));
    for (auto& s : parts) {
      if (s.partition == tp.partition && topic == tp.topic) s.committed = tp.offset >= 0 ? tp.offset : -1;
    }
  }
  return parts;
}

Status ResolveTimes(rd_kafka_t* rk, int64_t timestamp_ms, std::vector<PartitionState>& partitions, int timeout_ms) {
  if (partitions.empty()) return Status::OK();
  List list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& s : partitions)
    rd_kafka_topic_partition_list_add(list.get(), s.topic.c_str(), s.partition)->offset = timestamp_ms;
  rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, list.get(), timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status::Unavailable(std::string("offsets for time ") + FormatMs(timestamp_ms) + ": " + rd_kafka_err2str(err));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return Status::Unavailable("offset for time " + FormatMs(timestamp_ms) + " on " + tp.topic + "[" +
                                 std::to_string(tp.partition) + "]: " + rd_kafka_err2str(tp.err));
    for (auto& s : partitions) {
      // -1 (RD_KAFKA_OFFSET_END): no record at or after the time.
      if (s.partition == tp.partition && s.topic == tp.topic) s.time_offset = tp.offset >= 0 ? tp.offset : -1;
    }
  }
  return Status::OK();
}

Status AlterGroupOffsets(rd_kafka_t* rk, const std::string& group, const std::vector<PartitionMove>& plan,
                         int timeout_ms) {
  if (plan.empty()) return Status::OK();
  std::string what = "moving the offsets of group " + group;
  auto opts = Options(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeout_ms);
  if (!opts.ok()) return opts.status();
  List list(rd_kafka_topic_partition_list_new(static_cast<int>(plan.size())));
  for (const auto& m : plan)
    rd_kafka_topic_partition_list_add(list.get(), m.topic.c_str(), m.partition)->offset = m.target;
  rd_kafka_AlterConsumerGroupOffsets_t* req = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get());
  Queue q(rd_kafka_queue_new(rk));
  rd_kafka_AlterConsumerGroupOffsets(rk, &req, 1, opts->get(), q.get());
  rd_kafka_AlterConsumerGroupOffsets_destroy(req);
  auto ev = Await(q.get(), timeout_ms, what);
  if (!ev.ok()) return ev.status();
  const auto* res = rd_kafka_event_AlterConsumerGroupOffsets_result(ev->get());
  if (res == nullptr) return Status::Internal(what + ": unexpected admin event");
  size_t n = 0;
  const rd_kafka_group_result_t** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(res, &n);
  if (n != 1) return Status::Internal(what + ": " + std::to_string(n) + " results for one group");
  if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[0]))
    return Status::Unavailable(what + ": " + rd_kafka_error_string(e));
  const rd_kafka_topic_partition_list_t* got = rd_kafka_group_result_partitions(groups[0]);
  std::string failed;
  for (int i = 0; got != nullptr && i < got->cnt; ++i) {
    const auto& tp = got->elems[i];
    if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    if (!failed.empty()) failed += "; ";
    failed += std::string(tp.topic) + "[" + std::to_string(tp.partition) + "]: " + rd_kafka_err2str(tp.err);
  }
  if (!failed.empty())
    return Status::Unavailable(what + " failed for " + failed +
                               " (a member may have joined the group meanwhile: stop it and run replay again)");
  return Status::OK();
}

}  // namespace newsflow
