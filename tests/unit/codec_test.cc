#include "newsflow/codec.h"
#include "newsflow/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace newsflow {
namespace {

Article Sample() {
  Article a;
  a.id = "u0123";
  a.source = "example";
  a.url = "https://example.com/a";
  a.fetched_at = "2026-11-23T10:00:00Z";
  a.content_type = ContentType::kTextHtml;
  a.body = "<p>\"quoted\"\n\ttab \\ back</p> العراق";
  a.meta["lang_hint"] = "ar";
  return a;
}

TEST(CodecTest, RoundTripsEveryField) {
  Article a = Sample();
  a.clean = CleanSection{"Title", "line one\nline two", "2021-07-25T04:59:16+00:00",
                         {{"adblock", 2}}};
  a.lang = LangSection{"ar", 0.93, "Arab", "cld2", {{5, 20, "en", 0.8}}};
  a.entities = std::vector<Entity>{{"العراق", "LOC", 0, 6, "العراق"}};
  a.title_entities = std::vector<Entity>{{"Title", "MISC", 0, 5, "Title"}};
  a.trace.push_back({"clean", "2026-11-23T10:00:01Z", "note"});
  std::string json = Codec::Encode(a);

  Codec codec;
  Article b;
  ASSERT_TRUE(codec.Decode(json, b).ok()) << json;
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(b.source, a.source);
  EXPECT_EQ(b.url, a.url);
  EXPECT_EQ(b.body, a.body);
  EXPECT_EQ(b.content_type, ContentType::kTextHtml);
  EXPECT_EQ(b.meta.at("lang_hint"), "ar");
  ASSERT_TRUE(b.clean.has_value());
  EXPECT_EQ(b.clean->text, "line one\nline two");
  EXPECT_EQ(b.clean->published_at, a.clean->published_at);
  EXPECT_EQ(b.clean->removed.at("adblock"), 2);
  ASSERT_TRUE(b.lang.has_value());
  EXPECT_EQ(b.lang->code, "ar");
  EXPECT_NEAR(b.lang->confidence, 0.93, 1e-6);
  ASSERT_EQ(b.lang->spans.size(), 1u);
  EXPECT_EQ(b.lang->spans[0].end, 20);
  ASSERT_TRUE(b.entities.has_value());
  EXPECT_EQ((*b.entities)[0].canonical, "العراق");
  ASSERT_TRUE(b.title_entities.has_value());
  ASSERT_EQ(b.title_entities->size(), 1u);
  EXPECT_EQ((*b.title_entities)[0].end, 5);
  EXPECT_EQ((*b.title_entities)[0].type, "MISC");
  ASSERT_EQ(b.trace.size(), 1u);
  EXPECT_EQ(Codec::Encode(b), json);  // stable re-encoding
}

// fuzz_codec's finding: a confidence of -0.0 was written as "-0", which reads
// back as the integer 0, so the record changed on its second trip.
TEST(CodecTest, NegativeZeroSurvivesTheRoundTrip) {
  Codec codec;
  Article a;
  ASSERT_TRUE(codec.Decode(R"({"id":"z","source":"s","fetched_at":"2026-01-01T00:00:00Z",
      "content_type":"text/plain","body":"b","lang":{"code":"und","confidence":-0.0,"script":"Zyyy",
      "spans":[{"start":0,"end":1,"code":"und","confidence":-0.0}]}})", a).ok());
  std::string once = Codec::Encode(a);
  Article b;
  ASSERT_TRUE(codec.Decode(once, b).ok());
  EXPECT_TRUE(std::signbit(b.lang->confidence));
  EXPECT_TRUE(std::signbit(b.lang->spans.at(0).confidence));
  EXPECT_EQ(Codec::Encode(b), once);
}

TEST(CodecTest, NullUrlAndNullDateSurvive) {
  Article a = Sample();
  a.url.reset();
  a.clean = CleanSection{"t", "x", std::nullopt, {}};
  Codec codec;
  Article b;
  ASSERT_TRUE(codec.Decode(Codec::Encode(a), b).ok());
  EXPECT_FALSE(b.url.has_value());
  EXPECT_FALSE(b.clean->published_at.has_value());
}

TEST(CodecTest, KeepsUnknownSectionsVerbatim) {
  Codec codec;
  Article a;
  ASSERT_TRUE(codec.Decode(R"({"id":"x","source":"s","url":null,"fetched_at":"2026-01-01T00:00:00Z",
      "content_type":"text/plain","body":"b","topic":{"label":"sport","scores":[0.5,1]}})", a).ok());
  ASSERT_EQ(a.extensions.size(), 1u);
  EXPECT_EQ(a.extensions[0].first, "topic");
  EXPECT_NE(Codec::Encode(a).find(R"("topic":{"label":"sport","scores":[0.5,1]})"),
            std::string::npos);
}

TEST(CodecTest, RejectsInvalidJson) {
  Codec codec;
  Article a;
  Status s = codec.Decode("{not json", a);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
}

// A record that starts with a UTF-8 byte-order mark is no JSON text: refused
// whatever simdjson's version (3.0 refused it, 3.12 skips it: json_text.h),
// while the same record without the mark decodes.
TEST(CodecTest, RejectsARecordStartingWithAByteOrderMark) {
  Codec codec;
  Article a;
  const std::string record = Codec::Encode(Sample());
  ASSERT_TRUE(codec.Decode(record, a).ok());
  Status s = codec.Decode("\xEF\xBB\xBF" + record, a);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt) << s.message();
  EXPECT_NE(s.message().find("invalid JSON"), std::string::npos) << s.message();
}

TEST(CodecTest, RejectsInvalidUtf8) {
  Codec codec;
  Article a;
  std::string bad = R"({"id":"x","source":"s","fetched_at":"t","content_type":"text/plain","body":")";
  bad += "\xC3\x28";
  bad += "\"}";
  Status s = codec.Decode(bad, a);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_NE(s.message().find("UTF-8"), std::string::npos);
}

TEST(CodecTest, NamesTheMissingField) {
  Codec codec;
  Article a;
  Status s = codec.Decode(R"({"id":"x","source":"s","fetched_at":"t","content_type":"text/plain"})", a);
  EXPECT_EQ(s.code(), StatusCode::kSchema);
  EXPECT_NE(s.message().find("body"), std::string::npos);
}

TEST(CodecTest, RejectsWrongTypesAndUnknownContentType) {
  Codec codec;
  Article a;
  EXPECT_EQ(codec.Decode(R"({"id":5,"source":"s","fetched_at":"t","content_type":"text/plain","body":""})", a).code(),
            StatusCode::kSchema);
  EXPECT_EQ(codec.Decode(R"({"id":"x","source":"s","fetched_at":"t","content_type":"image/png","body":""})", a).code(),
            StatusCode::kSchema);
  EXPECT_EQ(codec.Decode(R"([1,2])", a).code(), StatusCode::kSchema);
  // A malformed title_entities is named as such.
  Status st = codec.Decode(
      R"({"id":"x","source":"s","fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain","body":"","title_entities":[{"start":"0"}]})",
      a);
  EXPECT_EQ(st.code(), StatusCode::kSchema);
  EXPECT_NE(st.message().find("title_entities[].start"), std::string::npos) << st.ToString();
}

TEST(CodecTest, EscapesControlCharacters) {
  Article a = Sample();
  a.body = std::string("a\x01" "b\x1f", 4);
  std::string json = Codec::Encode(a);
  EXPECT_NE(json.find("a\\u0001b\\u001f"), std::string::npos);
  Codec codec;
  Article b;
  ASSERT_TRUE(codec.Decode(json, b).ok());
  EXPECT_EQ(b.body, a.body);
}

// The escaper scans eight bytes at a time: every byte that needs escaping
// must be found wherever it sits in the word, next to UTF-8 bytes (0x80 and
// up, never escaped) and at the string's tail; the result decodes back to
// the original.
TEST(CodecTest, EscapesEverySpecialByteAtEveryPosition) {
  const std::string specials = std::string("\"\\\n\r\t\b\f\x01\x1f\x00", 10);
  const std::string fillers[] = {"abcdefghijklmnopqrstuvwxyz", "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa7\xd9\x82"
                                 "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa7\xd9\x82",
                                 " !#$%&'()*+,-./[]^_`{|}~\x7f"};
  Codec codec;
  int checked = 0;
  for (const std::string& filler : fillers) {
    for (size_t len = 1; len <= 20; ++len) {
      for (size_t pos = 0; pos < len; ++pos) {
        for (char special : specials) {
          std::string text = filler.substr(0, len);
          // Keep UTF-8 valid: replace a whole sequence's worth only in ASCII fillers.
          if (static_cast<unsigned char>(filler[0]) >= 0x80) text = filler.substr(0, len - len % 2);
          if (pos >= text.size()) continue;
          if (static_cast<unsigned char>(text[pos]) >= 0x80) {
            if (pos % 2 != 0) continue;
            text.replace(pos, 2, 1, special);
          } else {
            text[pos] = special;
          }
          std::string json;
          AppendJsonString(json, text);
          // Only escapes, never a raw control byte, quote or backslash inside.
          for (size_t i = 1; i + 1 < json.size(); ++i) {
            unsigned char c = static_cast<unsigned char>(json[i]);
            ASSERT_GE(c, 0x20) << "raw control byte at " << i << " of " << json;
            if (c == '\\') {
              ++i;  // the escaped character
            } else {
              ASSERT_NE(c, '"') << "raw quote at " << i << " of " << json;
            }
          }
          Article a = Sample();
          a.body = text;
          Article b;
          ASSERT_TRUE(codec.Decode(Codec::Encode(a), b).ok()) << json;
          ASSERT_EQ(b.body, text) << json;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 3000);
}

// Issue 13 #12: simdjson accepts repeated keys and readers disagreed on
// which one wins; the codec refuses them and says where.
TEST(CodecTest, RejectsDuplicateKeysAnywhere) {
  Codec codec;
  Article a;
  const std::string head = R"({"v":1,"id":"x","source":"s","url":null,"fetched_at":"2026-01-01T00:00:00Z","content_type":"text/plain",)";
  struct Case {
    std::string tail, where;
  };
  const std::vector<Case> cases = {
      {R"("body":"first","body":"second"})", "record: duplicate key 'body'"},
      {R"("body":"b","id":"y"})", "record: duplicate key 'id'"},
      {R"("body":"b","meta":{"lang_hint":"ar","lang_hint":"en"}})", "record: meta: duplicate key 'lang_hint'"},
      {R"("body":"b","clean":{"title":"t","text":"x","text":"y","published_at":null,"removed":{}}})",
       "record: clean: duplicate key 'text'"},
      {R"("body":"b","clean":{"title":"t","text":"x","published_at":null,"removed":{"ad":1,"ad":2}}})",
       "record: clean.removed: duplicate key 'ad'"},
      {R"("body":"b","entities":[{"text":"a","type":"LOC","start":0,"end":1,"canonical":"a"},{"text":"b","type":"LOC","type":"PER","start":0,"end":1,"canonical":"b"}]})",
       "record: entities[1]: duplicate key 'type'"},
      {R"("body":"b","x-ext":{"k":[{"a":1,"a":2}]}})", "record: x-ext.k[0]: duplicate key 'a'"},
  };
  for (const auto& c : cases) {
    Status s = codec.Decode(head + c.tail, a);
    EXPECT_EQ(s.code(), StatusCode::kSchema) << c.tail;
    EXPECT_EQ(s.message(), c.where) << c.tail;
  }
  // Same key names in different objects are fine.
  ASSERT_TRUE(codec.Decode(head + R"("body":"b","meta":{"body":"x","id":"y"}})", a).ok());
}

// Issue 13 #13: dates are validated on decode (year 1 overflowed the clock
// downstream; month 13 passed unchecked).
TEST(CodecTest, RejectsInvalidDates) {
  Codec codec;
  Article a;
  auto record = [](const std::string& fetched, const std::string& published) {
    return R"({"v":1,"id":"x","source":"s","url":null,"fetched_at":")" + fetched +
           R"(","content_type":"text/plain","body":"b","clean":{"title":"t","text":"x","published_at":)" +
           published + R"(,"removed":{}}})";
  };
  EXPECT_TRUE(codec.Decode(record("2026-01-01T00:00:00Z", "null"), a).ok());
  EXPECT_TRUE(codec.Decode(record("2024-02-29T23:59:60+05:30", "\"2021-07-25T04:59:16+00:00\""), a).ok());
  for (const std::string bad : {"2026-13-45T99:99:99Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                                "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "yesterday", "",
                                "2026-01-01T00:00:00+99:00"}) {
    Status s = codec.Decode(record(bad, "null"), a);
    EXPECT_EQ(s.code(), StatusCode::kSchema) << bad;
    EXPECT_EQ(s.message().rfind("fetched_at: '" + bad + "' is not an RFC 3339 date-time", 0), 0u) << s.message();
  }
  Status s = codec.Decode(record("2026-01-01T00:00:00Z", "\"0001-01-01T00:00:00Z\""), a);
  EXPECT_EQ(s.code(), StatusCode::kSchema);
  EXPECT_EQ(s.message().rfind("clean.published_at: '0001-01-01T00:00:00Z'", 0), 0u) << s.message();
}

}  // namespace
}  // namespace newsflow
