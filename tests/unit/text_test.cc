#include "newsflow/text.h"

#include <gtest/gtest.h>

namespace newsflow {
namespace {

TEST(TextTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(CountCodePoints("abc"), 3);
  EXPECT_EQ(CountCodePoints("العراق"), 6);
  EXPECT_EQ(ByteOffsetOfCodePoint("aعb", 2), 3u);
  EXPECT_EQ(ByteOffsetOfCodePoint("ab", 9), 2u);
}

TEST(TextTest, CutsUtf8WithoutSplittingACharacter) {
  EXPECT_EQ(CutUtf8("abc", 5), "abc");
  EXPECT_EQ(CutUtf8("abcdef", 3), "abc");
  // "عرب": two bytes a letter; 3 bytes would split the second letter.
  EXPECT_EQ(CutUtf8("\xD8\xB9\xD8\xB1\xD8\xA8", 3), "\xD8\xB9");
  EXPECT_EQ(CutUtf8("\xD8\xB9\xD8\xB1\xD8\xA8", 4), "\xD8\xB9\xD8\xB1");
  EXPECT_EQ(CutUtf8("\xD8\xB9", 1), "");
}

TEST(TextTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("العراق"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(TextTest, ParsesAndFormatsRfc3339) {
  auto t = ParseRfc3339("2021-07-25T04:59:16+00:00");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatRfc3339(*t), "2021-07-25T04:59:16Z");
  auto shifted = ParseRfc3339("2021-07-25T06:59:16.123+02:00");
  ASSERT_TRUE(shifted.has_value());
  EXPECT_EQ(FormatRfc3339(*shifted), "2021-07-25T04:59:16Z");
  EXPECT_FALSE(ParseRfc3339("2021-07-25").has_value());
  EXPECT_FALSE(ParseRfc3339("2021-13-25T04:59:16Z").has_value());
  // Years the clock cannot hold (64-bit nanoseconds: ~1678..2261) are
  // unreadable, not an overflow (found by fuzz_feed_parser and fuzz_clean).
  EXPECT_FALSE(ParseRfc3339("4052-11-23T10:00:00.123+05:30").has_value());
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59Z").has_value());
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00Z").has_value());
  ASSERT_TRUE(ParseRfc3339("2200-01-01T00:00:00Z").has_value());
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2200-01-01T00:00:00Z")), "2200-01-01T00:00:00Z");
}

// Issue 13 #13: year 1 overflowed system_clock (undefined behaviour) and
// impossible calendar dates were accepted.
TEST(TextTest, Rfc3339RejectsOutOfRangeAndImpossibleDates) {
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-04-31T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2025-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("1900-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00+24:00").has_value());
  EXPECT_TRUE(ParseRfc3339("2000-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(ParseRfc3339("1700-01-01T00:00:00Z").has_value());
  EXPECT_TRUE(ParseRfc3339("2200-12-31T23:59:59Z").has_value());
}

TEST(TextTest, CanonicalUrlDropsTrackingAndFragment) {
  EXPECT_EQ(CanonicalUrl("HTTPS://Example.COM:443/a/b?utm_source=x&b=2&a=1#frag"),
            "https://example.com/a/b?a=1&b=2");
  EXPECT_EQ(CanonicalUrl("http://example.com"), "http://example.com/");
  EXPECT_EQ(CanonicalUrl("not a url"), "");
}

TEST(TextTest, ArticleIdIsStableAndUrlBased) {
  EXPECT_EQ(ArticleId("https://example.com/a?utm_medium=rss", "s", "x"),
            ArticleId("https://EXAMPLE.com/a#top", "other", "y"));
  EXPECT_NE(ArticleId("", "s", "body one"), ArticleId("", "s", "body two"));
  EXPECT_EQ(ArticleId("", "s", "body").substr(0, 1), "c");
  EXPECT_EQ(ArticleId("https://example.com/", "s", "body").size(), 33u);
}

}  // namespace
}  // namespace newsflow
