#include "newsflow/record_processor.h"
#include "newsflow/text.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <stdexcept>

namespace newsflow {
namespace {

const char* kRecord =
    R"({"v":1,"id":"x1","source":"s","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"hello"})";

class FnStage : public Stage {
 public:
  explicit FnStage(std::function<Result<Outcome>(Article&)> fn) : fn_(std::move(fn)) {}
  Result<Outcome> Process(Article& a) override { return fn_(a); }

 private:
  std::function<Result<Outcome>(Article&)> fn_;
};

struct Fixture {
  prometheus::Registry registry;
  StageMetrics metrics{registry, "t", "in", "out"};
};

TEST(RecordProcessorTest, ForwardsAndEncodesTheStagesChanges) {
  Fixture f;
  FnStage upper([](Article& a) -> Result<Outcome> {
    a.clean = CleanSection{"T", "HELLO", std::nullopt, {}};
    return Outcome::Forward();
  });
  RecordProcessor p({{"t", &upper, &f.metrics}}, {});
  RecordProcessor::Output out;
  p.Process(kRecord, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kForward);
  EXPECT_EQ(out.key, "x1");
  EXPECT_NE(out.value.find(R"("text":"HELLO")"), std::string::npos);
  EXPECT_EQ(f.metrics.process_seconds.Collect().histogram.sample_count, 1u);
}

// A stage may not change the id (the Kafka key, the sinks' dedupe key): the
// record becomes a dead letter naming the stage and both ids, its payload the
// record as it came in. Before, it went on with the new id under the old key.
TEST(RecordProcessorTest, AStageThatChangesTheIdDeadLettersTheRecord) {
  Fixture f;
  FnStage renamer([](Article& a) -> Result<Outcome> {
    a.id = "renamed";
    return Outcome::Forward();
  });
  FnStage fine([](Article&) -> Result<Outcome> { return Outcome::Forward(); });
  RecordProcessor p({{"fine", &fine, nullptr}, {"renamer", &renamer, &f.metrics}}, {});
  RecordProcessor::Output out;
  p.Process(kRecord, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kDeadLetter);
  EXPECT_EQ(out.stage, "renamer");
  EXPECT_EQ(out.key, "x1");
  EXPECT_EQ(out.reason_code, "internal");
  EXPECT_NE(out.reason.find("from 'x1' to 'renamed'"), std::string::npos) << out.reason;
  EXPECT_TRUE(out.value.empty());
}

// A stage's reason can be any length; the dead letter keeps a bounded one
// (a 3 MB reason made a dead letter over the producer's limit, which stopped
// the stage), saying how long it was.
TEST(RecordProcessorTest, AVeryLongReasonIsCut) {
  FnStage verbose([](Article&) -> Result<Outcome> {
    return Status::Rejected(std::string(3 << 20, 'r'));
  });
  RecordProcessor p({{"verbose", &verbose, nullptr}}, {});
  RecordProcessor::Output out;
  p.Process(kRecord, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kDeadLetter);
  EXPECT_LE(out.reason.size(), kMaxReasonBytes);
  EXPECT_NE(out.reason.find("reason cut: 3145728 bytes"), std::string::npos);
  DeadLetter d;
  d.stage = "verbose";
  d.reason_code = "rejected";
  d.reason = std::string(3 << 20, 'r');
  EXPECT_LT(EncodeDeadLetter(d).size(), 8u * 1024);
  // `process` names its input file as the source: a name that is not UTF-8
  // made the dead-letter file invalid UTF-8.
  d.source_topic = "in/bad\xff.jsonl";
  EXPECT_TRUE(IsValidUtf8(EncodeDeadLetter(d)));
}

// One trace entry per stage that forwarded the record: the stage's own when
// it writes one (built-ins, with a note), else the processor's (plug-ins).
TEST(RecordProcessorTest, EveryForwardingStageLeavesOneTraceEntry) {
  FnStage silent([](Article&) -> Result<Outcome> { return Outcome::Forward(); });
  FnStage noted([](Article& a) -> Result<Outcome> {
    a.trace.push_back({"noted", "2026-01-01T00:00:01Z", "did a thing"});
    return Outcome::Forward();
  });
  RecordProcessor p({{"plugin", &silent, nullptr}, {"noted", &noted, nullptr}, {"plugin2", &silent, nullptr}},
                    {});
  RecordProcessor::Output out;
  p.Process(kRecord, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kForward);
  Codec codec;
  Article a;
  ASSERT_TRUE(codec.Decode(out.value, a).ok());
  ASSERT_EQ(a.trace.size(), 3u) << out.value;
  EXPECT_EQ(a.trace[0].stage, "plugin");
  EXPECT_TRUE(a.trace[0].note.empty());
  EXPECT_FALSE(a.trace[0].at.empty());
  EXPECT_EQ(a.trace[1].stage, "noted");
  EXPECT_EQ(a.trace[1].note, "did a thing");
  EXPECT_EQ(a.trace[2].stage, "plugin2");
}

// Run again on its own output, a stage gets a second entry.
TEST(RecordProcessorTest, AStageRunAgainOnItsOutputIsTracedAgain) {
  FnStage silent([](Article&) -> Result<Outcome> { return Outcome::Forward(); });
  RecordProcessor p({{"plugin", &silent, nullptr}}, {});
  RecordProcessor::Output once, twice;
  p.Process(kRecord, once);
  ASSERT_EQ(once.kind, RecordProcessor::Output::Kind::kForward);
  p.Process(once.value, twice);
  Codec codec;
  Article a;
  ASSERT_TRUE(codec.Decode(twice.value, a).ok());
  ASSERT_EQ(a.trace.size(), 2u);
  EXPECT_EQ(a.trace[1].stage, "plugin");
}

TEST(RecordProcessorTest, StageErrorBecomesDeadLetterNamingTheStage) {
  Fixture f;
  FnStage ok([](Article&) -> Result<Outcome> { return Outcome::Forward(); });
  FnStage bad([](Article&) -> Result<Outcome> { return Status::Rejected("no text"); });
  RecordProcessor p({{"first", &ok, nullptr}, {"second", &bad, nullptr}}, {});
  RecordProcessor::Output out;
  p.Process(kRecord, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kDeadLetter);
  EXPECT_EQ(out.stage, "second");
  EXPECT_EQ(out.reason_code, "rejected");
  EXPECT_EQ(out.reason, "no text");
  EXPECT_EQ(out.key, "x1");
}

TEST(RecordProcessorTest, ThrowingStageIsCaught) {
  FnStage boom([](Article&) -> Result<Outcome> { throw std::runtime_error("kaput"); });
  RecordProcessor p({{"boom", &boom, nullptr}}, {});
  RecordProcessor::Output out;
  p.Process(kRecord, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kDeadLetter);
  EXPECT_EQ(out.reason_code, "internal");
  EXPECT_NE(out.reason.find("kaput"), std::string::npos);
}

TEST(RecordProcessorTest, DropStopsTheChain) {
  bool second_ran = false;
  FnStage drop([](Article&) -> Result<Outcome> { return Outcome::Drop("empty"); });
  FnStage second([&](Article&) -> Result<Outcome> {
    second_ran = true;
    return Outcome::Forward();
  });
  RecordProcessor p({{"a", &drop, nullptr}, {"b", &second, nullptr}}, {});
  RecordProcessor::Output out;
  p.Process(kRecord, out);
  EXPECT_EQ(out.kind, RecordProcessor::Output::Kind::kDrop);
  EXPECT_EQ(out.reason, "empty");
  EXPECT_FALSE(second_ran);
}

TEST(RecordProcessorTest, OversizeInputAndOutputAreDeadLettered) {
  FnStage grow([](Article& a) -> Result<Outcome> {
    a.clean = CleanSection{"", std::string(5000, 'x'), std::nullopt, {}};
    return Outcome::Forward();
  });
  RecordProcessor::Options small;
  small.max_record_bytes = 50;
  RecordProcessor p1({{"g", &grow, nullptr}}, small);
  RecordProcessor::Output out;
  p1.Process(kRecord, out);
  EXPECT_EQ(out.reason_code, "too_large");
  RecordProcessor::Options out_limit;
  out_limit.max_output_bytes = 1000;
  RecordProcessor p2({{"g", &grow, nullptr}}, out_limit);
  p2.Process(kRecord, out);
  EXPECT_EQ(out.kind, RecordProcessor::Output::Kind::kDeadLetter);
  EXPECT_EQ(out.reason_code, "too_large");
  EXPECT_NE(out.reason.find("output"), std::string::npos);
}

TEST(RecordProcessorTest, UndecodableInputNamesTheReason) {
  FnStage ok([](Article&) -> Result<Outcome> { return Outcome::Forward(); });
  RecordProcessor p({{"s", &ok, nullptr}}, {});
  RecordProcessor::Output out;
  p.Process("{oops", out);
  EXPECT_EQ(out.reason_code, "corrupt");
  EXPECT_EQ(out.stage, "s");
  p.Process(R"({"id":"x"})", out);
  EXPECT_EQ(out.reason_code, "schema");
}

// A sink writes a valid record as the topic holds it: another producer's
// field order, a number's digits and spacing survive; only a record spread
// over lines is re-encoded (JSON Lines needs one a line), and what does not
// decode is still a dead letter.
TEST(RecordProcessorTest, ASinkPassesValidRecordsOnAsTheyCame) {
  RecordProcessor::Options o;
  o.verbatim = true;
  RecordProcessor sink({}, o);
  RecordProcessor::Output out;
  const std::string foreign =
      R"({"body":"hello", "id":"x2","v":1,"source":"s","fetched_at":"2026-01-01T00:00:00Z",)"
      R"("content_type":"text/plain","lang":{"code":"en","confidence":0.123456789,"script":"Latn","spans":[]}})";
  sink.Process(foreign, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kForward) << out.reason;
  EXPECT_EQ(out.value, foreign);
  EXPECT_EQ(out.key, "x2");
  ASSERT_TRUE(out.fetched_at.has_value());

  const std::string spread = "{\"v\":1,\n\"id\":\"x3\",\"source\":\"s\",\"fetched_at\":\"2026-01-01T00:00:00Z\",\r\n"
                             "\"content_type\":\"text/plain\",\"body\":\"a\\nb\"}";
  sink.Process(spread, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kForward) << out.reason;
  EXPECT_EQ(out.value.find_first_of("\r\n"), std::string::npos) << out.value;
  EXPECT_NE(out.value.find(R"("id":"x3")"), std::string::npos) << out.value;
  EXPECT_NE(out.value.find(R"("body":"a\nb")"), std::string::npos) << out.value;

  sink.Process(R"({"v":1,"id":"x4"})", out);
  EXPECT_EQ(out.kind, RecordProcessor::Output::Kind::kDeadLetter);
  EXPECT_EQ(out.reason_code, "schema");

  // Without the option (stages' outputs, `process`): the codec's encoding.
  RecordProcessor plain({}, {});
  plain.Process(foreign, out);
  ASSERT_EQ(out.kind, RecordProcessor::Output::Kind::kForward);
  EXPECT_NE(out.value, foreign);
  EXPECT_EQ(out.value.rfind(R"({"v":1,"id":"x2")", 0), 0u) << out.value;
}

TEST(DeadLetterTest, CarriesNonUtf8PayloadAsBase64AndTruncates) {
  DeadLetter d;
  d.stage = "s";
  d.reason_code = "corrupt";
  d.reason = "bad";
  d.payload = "\xff\xfe";
  std::string j = EncodeDeadLetter(d);
  EXPECT_NE(j.find(R"("payload_encoding":"base64","payload":"//4=")"), std::string::npos) << j;
  d.payload = std::string(100, 'a');
  j = EncodeDeadLetter(d, 10);
  EXPECT_NE(j.find(R"("payload_truncated":true)"), std::string::npos);
  EXPECT_NE(j.find(R"("payload_bytes":100)"), std::string::npos);
}

}  // namespace
}  // namespace newsflow
