#include "recognizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "newsflow/paths.h"
#include "newsflow/text.h"

namespace newsflow::entities {
namespace {

// The shipped Arabic model and resources, loaded once for the whole suite.
struct Loaded {
  Model model;
  Resources res;
  Status status;
};

const Loaded& ArabicModel() {
  static const Loaded* loaded = [] {
    auto* l = new Loaded;
    const std::string dir = StageDataDir("entities");
    l->status = l->model.Load(dir + "/ar.model");
    if (l->status.ok()) l->status = l->res.LoadClusters(dir + "/ar.clusters.tsv");
    if (l->status.ok()) l->status = l->res.gazetteer.LoadDir(dir + "/gazetteer");
    return l;
  }();
  return *loaded;
}

std::vector<FoundEntity> FindAr(std::string_view text) {
  const Loaded& l = ArabicModel();
  EXPECT_TRUE(l.status.ok()) << l.status.ToString();
  Recognizer r(&l.model, &l.res);
  std::vector<FoundEntity> out;
  r.Find(text, &out);
  return out;
}

// The canonical form of a name as written: every token folded, the first
// one without proclitics (the test writes names without them).
std::string Key(std::string_view name) {
  std::vector<Token> toks;
  Tokenize(name, &toks);
  std::string out;
  for (const Token& t : toks) {
    if (!out.empty()) out.push_back(' ');
    out += Fold(name.substr(t.byte_begin, t.byte_end - t.byte_begin));
  }
  return out;
}

const FoundEntity* FindByText(const std::vector<FoundEntity>& es, std::string_view text) {
  for (const auto& e : es) {
    if (e.text == text) return &e;
  }
  return nullptr;
}

void ExpectOffsetsPointAtSurface(std::string_view text, const std::vector<FoundEntity>& es) {
  for (const auto& e : es) {
    const size_t b = ByteOffsetOfCodePoint(text, e.start);
    const size_t end = ByteOffsetOfCodePoint(text, e.end);
    EXPECT_EQ(text.substr(b, end - b), e.text) << e.start << ".." << e.end;
  }
}

TEST(EntitiesRecognizerTest, CliticsComeOffTheCanonicalForm) {
  const std::string text =
      "زار الوزير والعراق أمس، ثم عاد إلى بغداد. وقال إن العلاقات بالعراق قوية ودعا للعراق "
      "بالخير وتحدث عن واشنطن.";
  const auto es = FindAr(text);
  ExpectOffsetsPointAtSurface(text, es);
  for (const char* surface : {"والعراق", "بالعراق", "للعراق"}) {
    const FoundEntity* e = FindByText(es, surface);
    ASSERT_NE(e, nullptr) << surface;
    EXPECT_EQ(e->type, "LOC");
    EXPECT_EQ(e->canonical, "العراق") << surface;
  }
  const FoundEntity* b = FindByText(es, "بغداد");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->canonical, "بغداد");  // not غداد
  const FoundEntity* w = FindByText(es, "واشنطن");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->canonical, "واشنطن");  // not اشنطن
}

TEST(EntitiesRecognizerTest, LetterVariantsMeetInOneKey) {
  const std::string text =
      "وقال المتحدث باسم البنتاغون إن وزير الدفاع لويد أوستن سيزور المنطقة. "
      "وأكد البنتاجون أن اوستن التقى مسؤولين في الإدارة الأمیرکیة والإدارة الأمريكية.";
  const auto es = FindAr(text);
  ExpectOffsetsPointAtSurface(text, es);
  const FoundEntity* a = FindByText(es, "البنتاغون");
  const FoundEntity* b = FindByText(es, "البنتاجون");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->type, "ORG");
  EXPECT_EQ(a->canonical, b->canonical);
  const FoundEntity* full = FindByText(es, "لويد أوستن");
  const FoundEntity* bare = FindByText(es, "اوستن");
  ASSERT_NE(full, nullptr);
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(full->type, "PER");
  EXPECT_EQ(full->canonical, bare->canonical);
}

TEST(EntitiesRecognizerTest, OffsetsPointAtSurfaceWithDiacriticsAndLatin) {
  const std::string text =
      "\u200Fقالَ الرئيسُ الأمريكي جو بايدن (Joe Biden) في واشنطن ✓ إن العراق شريك.";
  const auto es = FindAr(text);
  ASSERT_FALSE(es.empty());
  ExpectOffsetsPointAtSurface(text, es);
  EXPECT_NE(FindByText(es, "جو بايدن"), nullptr);
}

TEST(EntitiesRecognizerTest, EmptyAndHugeTextsDoNotCrash) {
  EXPECT_TRUE(FindAr("").empty());
  EXPECT_TRUE(FindAr("   \n\n ").empty());
  EXPECT_TRUE(FindAr("...،،،!!!").empty());
  // 1 MB with no spaces or sentence ends: one token; then a long unpunctuated
  // run of words, cut into bounded sentences.
  EXPECT_NO_FATAL_FAILURE(FindAr(std::string(1 << 20, 'x')));
  std::string words;
  while (words.size() < (2u << 20)) words += "قال بايدن في واشنطن إن العراق ";
  const auto es = FindAr(words);
  EXPECT_GT(es.size(), 1000u);
  ExpectOffsetsPointAtSurface(words, std::vector<FoundEntity>(es.end() - 3, es.end()));
}

// Canonical forms of one name written with proclitics (one or two layers),
// letter variants (ى/ي, أ/ا, ة/ه, Persian ی/ک, ج/غ for "g", أميركا/أمريكا)
// and harakat meet in one key, whether or not the name is listed.
TEST(EntitiesRecognizerTest, CanonicalFormsMeetAcrossSpellingsAndClitics) {
  const Loaded& l = ArabicModel();
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  auto canonical = [&](std::string_view name) {
    std::vector<Token> toks;
    Tokenize(name, &toks);
    std::vector<std::string_view> words;
    for (const Token& t : toks) words.push_back(name.substr(t.byte_begin, t.byte_end - t.byte_begin));
    return CanonicalKey(words, l.res, 0, words.size(), false, name);
  };
  const std::vector<std::vector<const char*>> groups = {
      {"العراق", "والعراق", "بالعراق", "للعراق", "وبالعراق", "فالعراق", "العِراق"},
      {"مصطفى الكاظمي", "الكاظمي", "الكاظمى", "والكاظمي", "مصطفي الكاظمي"},
      {"البنتاغون", "البنتاجون", "والبنتاغون", "وزارة الدفاع الأميركية", "وزارة الدفاع الأمريكية"},
      {"الولايات المتحدة", "والولايات المتحدة", "الولايات المتحده", "بالولايات المتحدة"},
      {"إيران", "ايران", "وإيران", "لإيران"},
      {"ترکیا", "تركيا", "وتركيا"},
  };
  for (const auto& g : groups) {
    const std::string want = canonical(g[0]);
    EXPECT_FALSE(want.empty());
    for (const char* v : g) EXPECT_EQ(canonical(v), want) << v << " vs " << g[0];
  }
  // Words that start with a proclitic letter keep it.
  EXPECT_EQ(canonical("واشنطن"), Key("واشنطن"));
  EXPECT_EQ(canonical("بغداد"), Key("بغداد"));
  EXPECT_EQ(canonical("وليد"), Key("وليد"));
}

// The recognizer keeps a word cache across articles; what it finds in an
// article does not depend on what it read before or on the cache being
// cleared in between.
TEST(EntitiesRecognizerTest, SameEntitiesWhateverWasReadBefore) {
  const Loaded& l = ArabicModel();
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  const std::string article =
      "وقال رئيس الوزراء مصطفى الكاظمي في بغداد إن البنتاجون وافق، وأكد الكاظمى أن "
      "العلاقات بالعراق والولايات المتحدة قوية.";
  auto key = [](const std::vector<FoundEntity>& es) {
    std::string out;
    for (const auto& e : es) {
      out += e.text + "|" + e.type + "|" + std::to_string(e.start) + "|" + std::to_string(e.end) + "|" +
             e.canonical + "\n";
    }
    return out;
  };
  std::vector<FoundEntity> fresh;
  Recognizer(&l.model, &l.res).Find(article, &fresh);
  ASSERT_FALSE(fresh.empty());
  Recognizer warm(&l.model, &l.res);
  std::vector<FoundEntity> out;
  for (int i = 0; i < 200; ++i) {
    // Many distinct words, enough to overflow the cache at least once.
    std::string other = "قال بايدن في واشنطن";
    for (int w = 0; w < 400; ++w) other += " كلمة" + std::to_string(i * 400 + w);
    warm.Find(other, &out);
    if (i % 50 == 0) {
      warm.Find(article, &out);
      EXPECT_EQ(key(out), key(fresh)) << "after " << i << " articles";
    }
  }
  warm.Find(article, &out);
  EXPECT_EQ(key(out), key(fresh));
}

// The names a reader sees on the seed pages (written by hand from the pages):
// canonical form as written here, folded, and the type.
struct Expected {
  const char* name;
  const char* type;
};

const std::map<std::string, std::vector<Expected>>& SeedExpectations() {
  static const auto* kSeeds = new std::map<std::string, std::vector<Expected>>{
      {"000_ac93e6a0dd6731a9.txt",
       {{"مصطفى الكاظمي", "PER"}, {"جو بايدن", "PER"}, {"محمد الربيعي", "PER"},
        {"واشنطن", "LOC"}, {"العراق", "LOC"}, {"إيران", "LOC"}, {"بغداد", "LOC"},
        {"الولايات المتحدة", "LOC"}, {"البنتاغون", "ORG"}, {"نيويورك تايمز", "ORG"},
        {"عصائب أهل الحق", "ORG"}}},
      {"001_4194ee718695dc2e.txt",
       {{"مصطفى الكاظمي", "PER"}, {"جو بايدن", "PER"}, {"واشنطن", "LOC"}, {"العراق", "LOC"},
        {"إيران", "LOC"}, {"بغداد", "LOC"}, {"الولايات المتحدة", "LOC"},
        {"داعش", "ORG"}}},
      {"002_09b62d64db6f9006.txt",
       {{"مصطفى الكاظمي", "PER"}, {"جو بايدن", "PER"}, {"واشنطن", "LOC"}, {"العراق", "LOC"},
        {"بغداد", "LOC"}, {"البيت الأبيض", "ORG"}, {"واشنطن بوست", "ORG"},
        {"بوليتيكو", "ORG"}, {"داعش", "ORG"}}},
      {"003_06b0f5cfdc501643.txt",
       {{"مصطفى الكاظمي", "PER"}, {"جو بايدن", "PER"}, {"فؤاد حسين", "PER"},
        {"أنتوني بلينكن", "PER"}, {"العراق", "LOC"}, {"الولايات المتحدة", "LOC"},
        {"واشنطن", "LOC"}, {"كردستان", "LOC"}, {"البيت الأبيض", "ORG"}, {"داعش", "ORG"}}},
      {"004_f4b2df3151264d84.txt",
       {{"محمد شياع السوداني", "PER"}, {"جو بايدن", "PER"}, {"بات رايدر", "PER"},
        {"العراق", "LOC"}, {"سوريا", "LOC"}, {"إيران", "LOC"}, {"غزة", "LOC"},
        {"بوليتيكو", "ORG"}, {"البنتاغون", "ORG"}}},
  };
  return *kSeeds;
}

TEST(EntitiesRecognizerTest, FindsTheNamesOnTheSeedPages) {
  const std::string dir = CorpusDir() + "/seeds";
  std::ifstream in(dir + "/expected.jsonl");
  if (!in) GTEST_SKIP() << "no seed pages at " << dir;
  std::string line;
  int pages = 0;
  while (std::getline(in, line)) {
    const auto page = nlohmann::json::parse(line);
    const std::string file = page["file"];
    auto it = SeedExpectations().find(file);
    if (it == SeedExpectations().end()) continue;
    // The clean text the stage would see: headline and kept body lines.
    std::string text = page["title"].get<std::string>();
    for (const auto& l : page["body"]) text += "\n" + l.get<std::string>();
    const auto es = FindAr(text);
    ExpectOffsetsPointAtSurface(text, es);
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& e : es) seen.emplace(e.canonical, e.type);
    for (const Expected& x : it->second) {
      EXPECT_TRUE(seen.count({Key(x.name), x.type}))
          << file << ": " << x.name << " (" << x.type << ") not found";
    }
    ++pages;
  }
  EXPECT_EQ(pages, 5);
}

}  // namespace
}  // namespace newsflow::entities
