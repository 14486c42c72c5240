// Test texts for the langid tests, written for newsflow (not taken from any
// corpus). One paragraph per line, as clean.text has it.
#pragma once

#include <string>

namespace newsflow::langid::testing {

inline const std::string kArabic =
    "ذهبت أمس إلى السوق واشتريت بعض الكتب القديمة. قال أخي إن الطقس جميل جداً اليوم، "
    "وإننا سنخرج في المساء لشرب الشاي مع الأصدقاء في الحديقة القريبة من البيت.";

inline const std::string kPersian =
    "دیروز به بازار رفتم و چند کتاب قدیمی خریدم. برادرم گفت که هوا امروز خیلی خوب است "
    "و ما عصر با دوستانمان برای نوشیدن چای به پارک نزدیک خانه می‌رویم.";

inline const std::string kUrdu =
    "میں کل بازار گیا تھا اور وہاں سے کچھ پرانی کتابیں خریدیں۔ میرے بھائی نے کہا کہ آج موسم "
    "بہت اچھا ہے اور ہم شام کو دوستوں کے ساتھ چائے پینے کے لیے باغ میں جائیں گے۔";

inline const std::string kPashto =
    "زه پرون بازار ته لاړم او څو زاړه کتابونه مې واخیستل. زما ورور وویل چې نن هوا ډېره ښه "
    "ده او موږ به ماښام له ملګرو سره د چای څښلو لپاره باغ ته ځو.";

inline const std::string kSorani =
    "دوێنێ چووم بۆ بازاڕ و چەند کتێبێکی کۆنم کڕی. براکەم گوتی کە ئەمڕۆ کەشوهەوا زۆر خۆشە "
    "و ئێوارە لەگەڵ هاوڕێکانمان دەچین بۆ باخچەکە بۆ خواردنەوەی چا.";

inline const std::string kKurmanji =
    "Duh ez çûm bazarê û min çend pirtûkên kevn kirîn. Birayê min got ku îro hewa pir xweş e "
    "û em ê êvarê bi hevalên xwe re biçin baxçeyê ji bo vexwarina çayê.";

inline const std::string kEnglish =
    "The city council approved a new budget on Tuesday that doubles spending on public "
    "transport and adds three bus lines to the northern districts by next spring.";

// Arabic news prose, then the same text typed with the Persian letter forms
// of yeh and kaf (ی ک), as keyboards in Iran and Afghanistan produce it.
inline const std::string kArabicNews =
    "أعلنت وزارة الصحة في بيان رسمي يوم الاثنين عن افتتاح مستشفى جديد في وسط المدينة، "
    "ويضم المستشفى أكثر من مئتي سرير وقسما خاصا لرعاية الأطفال وكبار السن. وقال الوزير "
    "في مؤتمر صحفي إن الحكومة خصصت ميزانية كبيرة لتجهيز المستشفى بأحدث الأجهزة الطبية، "
    "وإن العمل في المشروع استمر ثلاث سنوات بمشاركة شركات محلية وأجنبية.";

inline const std::string kArabicNewsPersianLetters =
    "أعلنت وزارة الصحة فی بیان رسمی یوم الاثنین عن افتتاح مستشفى جدید فی وسط المدینة، "
    "ویضم المستشفى أکثر من مئتی سریر وقسما خاصا لرعایة الأطفال وکبار السن. وقال الوزیر "
    "فی مؤتمر صحفی إن الحکومة خصصت میزانیة کبیرة لتجهیز المستشفى بأحدث الأجهزة الطبیة، "
    "وإن العمل فی المشروع استمر ثلاث سنوات بمشارکة شرکات محلیة وأجنبیة.";

// An Arabic article with a quoted English paragraph and an English byline.
inline const std::string kMixedArabicParagraph1 =
    "أعلنت وزارة الصحة يوم الاثنين عن افتتاح مستشفى جديد في وسط المدينة، ويضم المستشفى "
    "أكثر من مئتي سرير وقسما خاصا لرعاية الأطفال.";
inline const std::string kMixedEnglishQuote =
    "\"We expect the new hospital to serve more than half a million people in the region "
    "every year, and we will open a second wing before the end of next summer,\" the "
    "director told reporters after the ceremony.";
inline const std::string kMixedArabicParagraph2 =
    "وأضاف المدير أن العمل في المشروع استمر ثلاث سنوات، وأن الحكومة خصصت ميزانية كبيرة "
    "لتجهيز المستشفى بأحدث الأجهزة الطبية وتدريب الأطباء والممرضين الجدد.";
inline const std::string kMixedByline = "Reporting by John Miller; editing by Sarah Brown";

inline std::string MixedArticle() {
  return kMixedArabicParagraph1 + "\n" + kMixedEnglishQuote + "\n" + kMixedArabicParagraph2 +
         "\n" + kMixedByline;
}

}  // namespace newsflow::langid::testing
