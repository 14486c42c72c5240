#include "newsflow/codec.h"

#include <gtest/gtest.h>

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
  ASSERT_EQ(b.trace.size(), 1u);
  EXPECT_EQ(Codec::Encode(b), json);  // stable re-encoding
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

}  // namespace
}  // namespace newsflow
