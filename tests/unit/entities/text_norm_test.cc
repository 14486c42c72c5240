#include "text_norm.h"

#include <gtest/gtest.h>

#include "gazetteer.h"
#include "hash_index.h"

namespace newsflow::entities {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<Token> toks;
  Tokenize(text, &toks);
  std::vector<std::string> out;
  for (const Token& t : toks) out.emplace_back(text.substr(t.byte_begin, t.byte_end - t.byte_begin));
  return out;
}

TEST(EntitiesTextNormTest, TokenizerCutsPunctuationOffWords) {
  EXPECT_EQ(Words("(د ب أ) أعلن، اليوم."),
            (std::vector<std::string>{"(", "د", "ب", "أ", ")", "أعلن", "،", "اليوم", "."}));
  EXPECT_EQ(Words("techno-based U.S. 2,500 \"Obama\""),
            (std::vector<std::string>{"techno-based", "U.S", ".", "2,500", "\"", "Obama", "\""}));
}

// Emoji and other symbols are cut off words like punctuation (a name with an
// emoji glued to it was the entity, emoji and all).
TEST(EntitiesTextNormTest, EmojiAndSymbolsAreNotPartOfAWord) {
  EXPECT_EQ(Words("\u0628\u064A\u0631\u0648\u062A\U0001F600 Paris\u2764\uFE0F \u2192Cairo"),
            (std::vector<std::string>{"\u0628\u064A\u0631\u0648\u062A", "\U0001F600", "Paris",
                                      "\u2764", "\uFE0F", "\u2192", "Cairo"}));
  EXPECT_EQ(Words("Berlin\u2122 Rome\u24C2 Oslo\u3297 Kyiv\U0001FBC5 Lima\u2934"),
            (std::vector<std::string>{"Berlin", "\u2122", "Rome", "\u24C2", "Oslo", "\u3297", "Kyiv",
                                      "\U0001FBC5", "Lima", "\u2934"}));
}

TEST(EntitiesTextNormTest, TokenOffsetsAreCodePoints) {
  const std::string text = "قال بايدن\u00A0في واشنطن";
  std::vector<Token> toks;
  Tokenize(text, &toks);
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[1].cp_begin, 4);
  EXPECT_EQ(toks[1].cp_end, 9);
  EXPECT_EQ(toks[3].cp_begin, 13);
  EXPECT_EQ(toks[3].cp_end, 19);
}

TEST(EntitiesTextNormTest, FoldsLetterVariants) {
  EXPECT_EQ(Fold("الأمریکیة"), Fold("الأمريكية"));  // Persian yeh and keheh
  // The other common spelling, with yeh before reh, meets it in the name key.
  EXPECT_EQ(LooseKey(Fold("الأمیرکیة")), LooseKey(Fold("الأمريكية")));
  EXPECT_EQ(Fold("أوستن"), Fold("اوستن"));
  EXPECT_EQ(Fold("إيران"), "ايران");
  EXPECT_EQ(Fold("مصطفى"), "مصطفي");
  EXPECT_EQ(Fold("الوزارة"), "الوزاره");
  EXPECT_EQ(Fold("مُحَمَّد"), "محمد");       // harakat
  EXPECT_EQ(Fold("العـــراق"), "العراق");    // tatweel
  EXPECT_EQ(Fold("Obama"), "obama");
  EXPECT_NE(Fold("البنتاغون"), Fold("البنتاجون"));  // distinct letters for features...
  EXPECT_EQ(LooseKey(Fold("البنتاغون")), LooseKey(Fold("البنتاجون")));  // ...one name key
}

TEST(EntitiesTextNormTest, StripsProcliticsOnlyOntoKnownWords) {
  Lexicon lex;
  lex.Add("العراق", 5000);
  lex.Add("والعراق", 300);
  lex.Add("بالعراق", 200);
  lex.Add("للعراق", 100);
  lex.Add("واشنطن", 2000);
  lex.Add("بغداد", 3000);
  lex.Add("غداد", 4);
  lex.Add("وليد", 500);
  lex.Add("ليد", 10);
  EXPECT_EQ(StripClitics("والعراق", lex), "العراق");
  EXPECT_EQ(StripClitics("بالعراق", lex), "العراق");
  EXPECT_EQ(StripClitics("للعراق", lex), "العراق");
  EXPECT_EQ(StripClitics("وبغداد", lex), "بغداد");
  EXPECT_EQ(StripClitics("واشنطن", lex), "واشنطن");
  EXPECT_EQ(StripClitics("بغداد", lex), "بغداد");
  EXPECT_EQ(StripClitics("وليد", lex), "وليد");
  EXPECT_EQ(StripClitics("ومجهول", lex), "ومجهول");  // unknown remainder: keep
  EXPECT_EQ(DropArticle("العراق"), "عراق");
}

TEST(EntitiesTextNormTest, GazetteerMatchesVariantsAndClitics) {
  Gazetteer g;
  g.Add("ORG", "البنتاغون", "البنتاغون");
  g.Add("ORG", "البنتاغون", "وزارة الدفاع الأمريكية");
  g.Add("PER", "جو بايدن", "جو بايدن");
  auto keys = [](std::vector<std::string> words, std::vector<std::string> stripped) {
    for (auto& w : words) w = LooseKey(Fold(w));
    for (auto& w : stripped) w = LooseKey(Fold(w));
    return std::make_pair(words, stripped);
  };
  auto [k, s] = keys({"قال", "البنتاجون", "ووزارة", "الدفاع", "الأميركية", "جو", "بايدن"},
                     {"قال", "البنتاجون", "وزارة", "الدفاع", "الأميركية", "جو", "بايدن"});
  std::vector<GazetteerMatch> m;
  g.Match(k, s, &m);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].begin, 1u);
  EXPECT_EQ(m[0].entry->canonical, "البنتاغون");
  // ووزارة: the clitic-stripped first token matches; الأميركية meets الأمريكية.
  EXPECT_EQ(m[1].begin, 2u);
  EXPECT_EQ(m[1].end, 5u);
  EXPECT_EQ(m[1].entry->canonical, "البنتاغون");
  EXPECT_EQ(m[2].begin, 5u);
  EXPECT_EQ(m[2].end, 7u);
  EXPECT_EQ(m[2].entry->type, "PER");
}

TEST(EntitiesTextNormTest, HashIndexKeepsIndicesThroughGrowthAndClear) {
  HashIndex index;
  bool inserted = false;
  EXPECT_EQ(index.Find("absent"), HashIndex::kAbsent);
  // Past several doublings of the table (it starts at 1,024 slots).
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(index.Insert("w" + std::to_string(i), &inserted), static_cast<uint32_t>(i));
    EXPECT_TRUE(inserted);
  }
  EXPECT_EQ(index.Insert("w17", &inserted), 17u);
  EXPECT_FALSE(inserted);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(index.Find("w" + std::to_string(i)), static_cast<uint32_t>(i));
  EXPECT_EQ(index.Find("w5000"), HashIndex::kAbsent);
  EXPECT_EQ(index.size(), 5000u);
  index.Clear();
  EXPECT_EQ(index.Find("w17"), HashIndex::kAbsent);
  EXPECT_EQ(index.Insert("w17", &inserted), 0u);
}

// One key, three facts: a listed name, the first token of longer names, and a
// prefix of them; the first definition of a key wins.
TEST(EntitiesTextNormTest, GazetteerKeyFactsAreKeptApart) {
  Gazetteer g;
  g.Add("LOC", "new york city", "new york city");
  g.Add("ORG", "new", "new");
  g.Add("PER", "new", "new");  // ignored: "new" is listed already
  g.Add("LOC", "york", "york");
  EXPECT_EQ(g.size(), 3u);
  bool first = false;
  ASSERT_NE(g.Find("new", &first), nullptr);
  EXPECT_EQ(g.Find("new")->type, "ORG");
  EXPECT_TRUE(first);
  EXPECT_EQ(g.Find("new york"), nullptr);  // a prefix, not a name
  EXPECT_FALSE(g.IsFirstToken("new york"));
  EXPECT_NE(g.Find("york", &first), nullptr);
  EXPECT_TRUE(first);  // a one-token name is its own first token
  EXPECT_EQ(g.Find("city", &first), nullptr);
  EXPECT_FALSE(first);
  std::vector<GazetteerMatch> m;
  g.Match(std::vector<std::string>{"new", "york", "city", "new", "york"},
          std::vector<std::string>{"new", "york", "city", "new", "york"}, &m);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].end - m[0].begin, 3u);  // the longest listed key
  EXPECT_EQ(m[0].entry->type, "LOC");
  EXPECT_EQ(m[1].entry->type, "ORG");  // "new york" is no name: "new" alone
  EXPECT_EQ(m[2].entry->type, "LOC");
}

}  // namespace
}  // namespace newsflow::entities
