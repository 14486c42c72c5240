#include "newsflow/record_processor.h"

#include <cstring>
#include <exception>

#include "newsflow/text.h"

namespace newsflow {

namespace {

// No line break: the bytes can be a JSON Lines record as they are (memchr:
// a record is ~10 KB, and std::string_view::find_first_of tests each byte
// against the set in a loop).
bool OneLine(std::string_view bytes) {
  return std::memchr(bytes.data(), '\n', bytes.size()) == nullptr &&
         std::memchr(bytes.data(), '\r', bytes.size()) == nullptr;
}

}  // namespace

RecordProcessor::RecordProcessor(std::vector<ChainLink> chain, Options options)
    : chain_(std::move(chain)), options_(options) {}

void RecordProcessor::DeadLetterOut(Output& out, const std::string& stage, const Status& s) {
  out.kind = Output::Kind::kDeadLetter;
  out.stage = stage;
  out.reason_code = std::string(StatusCodeName(s.code()));
  out.reason = BoundedReason(s.message());  // logged and sent as it is
  out.value.clear();
}

void RecordProcessor::Process(std::string_view bytes, Output& out) {
  out = Output();
  const std::string first = chain_.empty() ? std::string("sink") : chain_.front().name;
  if (bytes.size() > options_.max_record_bytes) {
    DeadLetterOut(out, first,
                  Status::TooLarge("record of " + std::to_string(bytes.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(options_.max_record_bytes)));
    return;
  }
  if (!options_.decode) {
    out.value.assign(bytes);
    return;
  }
  Status st = options_.decoder ? options_.decoder(bytes, article_) : codec_.Decode(bytes, article_);
  if (!st.ok()) {
    DeadLetterOut(out, first, st);
    return;
  }
  out.key = article_.id;
  out.fetched_at = ParseRfc3339(article_.fetched_at);
  for (const ChainLink& link : chain_) {
    const size_t traced = article_.trace.size();
    auto t0 = std::chrono::steady_clock::now();
    Result<Outcome> r = Status::Internal("stage did not run");
    try {
      r = link.stage->Process(article_);
    } catch (const std::exception& e) {
      r = Status::Internal(std::string("stage threw: ") + e.what());
    } catch (...) {
      r = Status::Internal("stage threw a non-standard exception");
    }
    if (link.metrics != nullptr) {
      link.metrics->process_seconds.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    if (!r.ok()) {
      DeadLetterOut(out, link.name, r.status());
      return;
    }
    if (!r->forwarded()) {
      out.kind = Output::Kind::kDrop;
      out.stage = link.name;
      out.reason = BoundedReason(r->reason);
      return;
    }
    // The id is the record's Kafka key and the sinks' dedupe key: a stage
    // (a plug-in) that changes it would send a record whose key and id
    // disagree, and `sink --dedupe` would take different articles for one.
    if (article_.id != out.key) {
      DeadLetterOut(out, link.name,
                    Status::Internal("stage changed the article's id from '" +
                                     std::string(CutUtf8(out.key, 200)) + "' to '" +
                                     std::string(CutUtf8(article_.id, 200)) +
                                     "' (a stage may not change the id)"));
      return;
    }
    // Every stage that forwards a record leaves a trace entry: its own (a
    // built-in writes one with a note), else this one (plug-in stages).
    if (article_.trace.size() <= traced || article_.trace.back().stage != link.name)
      article_.trace.push_back({link.name, NowRfc3339(), ""});
  }
  if (options_.verbatim && chain_.empty() && OneLine(bytes))
    out.value.assign(bytes);
  else
    Codec::Encode(article_, out.value);
  if (out.value.size() > options_.max_output_bytes) {
    size_t n = out.value.size();
    DeadLetterOut(out, chain_.empty() ? first : chain_.back().name,
                  Status::TooLarge("output record of " + std::to_string(n) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(options_.max_output_bytes)));
  }
}

DeadLetter MakeDeadLetter(const RecordProcessor::Output& out, std::string_view payload) {
  DeadLetter d;
  d.stage = out.stage;
  d.reason_code = out.reason_code;
  d.reason = out.reason;
  d.key = out.key;
  d.payload.assign(payload);
  d.at = NowRfc3339();
  return d;
}

}  // namespace newsflow
