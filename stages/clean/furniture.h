// Page furniture recognised by its shape rather than its words (round 3 of
// issue 14): counters ("4 دقائق للقراءة", "1,234 views", "التعليقات (8)"),
// tickers of short segments between bars, Latin-only menu lines on pages in
// another script, clock times. Sites word their widgets differently; these
// shapes recur. Each test looks at one normalised line; the caller decides by
// position (before or after the article's body) what a match means.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace newsflow::clean {

// A number with one or two words and nothing else: a view, comment or
// reading-time counter. At most four tokens, exactly one of them a number
// (ASCII or Arabic-Indic digits, optionally in brackets, with thousands
// separators), at least one a word, no sentence end; a year (1900-2099) is
// not a count ("أوبك 2015" is a heading).
bool LooksLikeCounter(std::string_view line, int tokens);

// Round 15. A reading time, alone or with a section's name: at most six
// tokens, one number, a minutes word (دقائق, دقيقة, min, minutes, Minuten,
// minutos), no sentence end: "مطبخ · 8 دقائق", "صحة ورشاقة · 4 دقائق",
// "5 min read". Under a teaser card's headline inside the body.
bool LooksLikeReadingTime(std::string_view line, int tokens);

// Round 16. A row of share or follow buttons flattened into a line: two
// or more social networks' names ("فيسبوك تويتر واتساب", "Facebook
// Twitter WhatsApp", "فيس بوك", "واتس اب") and nothing else but a call
// ("شارك", "تابعنا على", "share", "follow us on") or "print"/"e-mail".
// `folded`: the line as phrases.h folds it (hamza/alef unified, Latin in
// lower case).
bool LooksLikeShareRow(std::string_view folded);

// Round 16. A reporter's line at the head of an article's own text:
// "name – city", "agency - city", "name – متابعات": a dash (-, –, —)
// between one to five words on each side, two to eight words in all, no
// digit (not a date or a time), no sentence end, no "|", "/", ":" or "@"
// (a menu, a breadcrumb, a label).
bool LooksLikeReporterLine(std::string_view line, int tokens);

// Round 16. A weather widget's line: a temperature (digits then "°" or
// "℃") within at most ten words and no sentence end ("جدة 40° غائم
// جزئيا", "Berlin 21°C").
bool LooksLikeWeather(std::string_view line, int tokens);

// Round 16. A language switch: two or more languages named in their own
// script ("English", "Français", "中文", "العربية", "Русский"...), making
// at least half of the line's words ("الخدمة العربية English Français
// 中文").
bool LooksLikeLanguageMenu(std::string_view line);

// Round 16. A signature under a column or a letter: a dash or an asterisk,
// then one to five words ("- صالح جبار خلفاوي", "* كاتب من مصر"); no
// digit, no ":", "|", "/", "@", "#", "©", no sentence end.
bool LooksLikeSignatureLine(std::string_view line);

// Two or more " | " separators between segments of at most six words each,
// and no sentence end: a currency or stock ticker, a menu, a row of links.
bool LooksLikeTicker(std::string_view line, bool ends_sentence);

// At most `max_tokens` tokens of Latin script only (ASCII and Latin-1 letters,
// digits, punctuation; no URL, address or decimal; not a "*", "-" or "•"
// list item), at least one letter:
// "Menu Search", "Powered by WordPress", "App Store Google Play". Furniture on
// a page written in another script.
bool LooksLikeLatinOnly(std::string_view line, int tokens, int max_tokens);

// Most letters of `sample` are outside ASCII (Arabic, Cyrillic, Greek, CJK...).
bool MostlyNonLatin(std::string_view sample);

// A clock time ("11:02", "9:15 م") somewhere in the line.
bool HasClockTime(std::string_view line);

// Sentence punctuation (. ! ? ؟) that ends a sentence: at the end of the line
// or before a space, and not a decimal point ("3.76") or an abbreviation's
// dot between letters ("a.m.").
bool HasSentenceEnd(std::string_view line);

// A pager (round 8): page numbers in a row, 1 2 ... k (k >= 2), with at
// most two words and arrows around them ("« السابق 1 2 3 التالي »",
// "< Prev 1 2 Next >"), or a page counter, two numbers N <= M with at most
// two words and no sentence end, four tokens at most ("الصفحة 2 من 3",
// "Page 2 of 3", "2 / 5"). An article split over pages, a gallery. Round
// 10: or a results counter, three numbers N <= M <= K with three words and
// six tokens at most ("النتائج 1 إلى 6 من 34", "Results 1 to 10 of 52").
bool LooksLikePager(std::string_view line);

// A kicker line: a one- or two-word label, a bar, and a headline of three
// or more words ("فيديو | ...", "شريط الأخبار | ..."): a video box's, a news
// ticker's or a related link's line. Exactly one " | "; the label holds no
// digit and no Latin letter (a film list's "Coming Home | Hal Ashby (USA)",
// a ranked "2. Title | Director" are article text). Not tuned on Latin pages.
bool LooksLikeKicker(std::string_view line);

// A news ticker flattened into one line (round 18): headlines of two or more
// words each, one after another, with an arrow or a bullet between them
// ("headline  ◄  headline", "شريط الأخبار: headline ► headline • headline");
// prose never puts one between two words.
bool LooksLikeHeadlineTicker(std::string_view line);

// Round 22: a teaser that ends with its age after a separator, as news lists
// and "other perspectives" boxes print them: "headline · source · منذ 5
// ساعات", "headline - قبل 20 دقيقة", "Headline | 3 hours ago". Two words or
// more before the first separator; the age is "منذ"/"قبل" with an optional
// number and a unit of time (minutes to weeks), or an English "N units ago".
// None of the 14,498 news/ar articles has a line that ends with such an age.
bool LooksLikeAgedTeaser(std::string_view line);

// Whether the line's first word is a clock time ("09:00 نشرة الأخبار",
// "١٤:٠٥ ..."), as rows of a schedule or a timeline open (round 22).
bool OpensWithClock(std::string_view line);

// The last three letters of the line's last word (Arabic harakat, tatweel
// and trailing punctuation skipped), as code points packed into one value;
// 0 when the word has fewer than three letters. Lines of a poem end on one
// rhyme ("قاسيته", "هليته", "غنيته"): round 23 tells verse from a list of
// headlines by it.
uint64_t RhymeKey(std::string_view line);

// A table of contents' entry (round 24): a number of one or two digits (any
// script), a space, then one to five words without a figure ("٣ ردود
// الفعل"; not a table's row, "1 الأهلي 23 34"); returns the number, else -1.
int TocEntryNumber(std::string_view line);

// A row of a page's tools (round 25): two to eight words, every one a tool's
// name or action, at least two of them different ("طباعة البريد الإلكتروني
// تكبير تصغير", "أعجبني تعليق مشاركة", "إغلاق النافذة طباعة"). Takes the
// folded line (hamza and alef forms unified, no punctuation).
bool LooksLikeToolRow(std::string_view folded);

// A link to the previous or next item of the site (round 25): a unit of the
// site's content and "previous"/"next" ("الحلقة السابقة: ...", "الألبوم
// التالي ◀", "الموضوع القادم"), then a colon, an arrow or nothing. `line` is
// the text, `folded` its folded form (furniture.h's other tests' input).
bool LooksLikePrevNextLink(std::string_view line, std::string_view folded);

// The inside of a line that is wholly one quotation (round 18): «...»,
// "...", “...”, with the marks and the spaces next to them stripped; empty
// if the line is not one.
std::string_view QuotedInside(std::string_view line);

// A line that is only a clock time or a duration: "4:32", "14:05",
// "(1:02:45)", in ASCII or Arabic-Indic digits: a video's length, a live
// blog's or a post's time stamp.
bool IsClockOnly(std::string_view line);

// A line that only numbers a list item: "1", "٢", "3." (a "most read" box
// prints the rank on its own line).
bool IsRankOnly(std::string_view line);

// Round 10 (issue 14), shapes of text-page furniture:

// The signature line of an embedded post as a scraper saves it: a dash, the
// author, "(@handle)" and a date ending with a year, nothing else after the
// handle but at most four tokens ("— Name (@handle) July 26, 2015"). The
// lines right above it (a bare link, the post's text) belong to the embed.
bool LooksLikeEmbedSignature(std::string_view line);

// A bare link (one token with a dot and a '/', no sentence around it):
// "pic.twitter.com/AbC", "https://t.co/x".
bool IsBareLink(std::string_view line);

// A printed page number between dashes: "- 10 -", "— ١٢ —" (an e-paper's
// PDF text), or a jump line: at most five tokens ending with a page
// reference, "ص"/"صفحة"/"الصفحة"/"page"/"p." and a number ("تابع ص ١٤",
// "Continued on page 4").
bool LooksLikePageMark(std::string_view line, int tokens);

// Tags or handles only: two or more tokens, each starting with '#'
// ("#عاجل #الرياض"), or one "@handle" alone. (One hashtag alone heads a
// column's section on news/ar: "#نافذة:".)
bool IsTagOrHandleLine(std::string_view line);

// Numbers with symbols and no word: "👁 63.8K 22:03", "👍 321 ❤️ 173": at
// least one digit and one pictograph or symbol (U+2190..U+2BFF,
// U+1F000..), no letter but a count's K or M.
bool IsSymbolCounter(std::string_view line);

// Round 11. A telephone number in the line: 9 to 15 digits in a run that
// starts with 0, or "+" and 10 to 15 digits in groups (any digit script).
bool HasPhoneNumber(std::string_view line);

// An e-mail address (name@domain.tld) somewhere in the line.
bool HasEmailAddress(std::string_view line);

// Round 11. A classified ad, an obituary's or a press office's contact line:
// a line of at most 16 words that ends no sentence and holds a telephone
// number ("للبيع شقة 3 غرف ت: 0551234567", "هاتف: +966 12 345 6789") or
// (round 15) an e-mail address after a label and its colon
// ("البريد الإلكتروني: media@example.com"; a bare address is not enough).
bool LooksLikeContactLine(std::string_view line, int tokens, bool ends_sentence);

// Round 15. A print edition's issue line: "العدد" ("issue") and a number in
// any digit script ("الجمعة ٢٤ يوليو ٢٠١٥م - العدد ١٦٢١٦"). `folded` is
// Normalizer::Fold output.
bool HasIssueNumber(std::string_view folded);

// Round 11. A video or live-stream link: the line opens with a play or camera
// glyph (U+25B6 ▶, U+25BA ►, U+25B7 ▷, U+23F5, U+23EF, U+1F3A5 🎥, U+1F4FA 📺,
// U+1F4F9 📹, U+1F3AC 🎬) followed by a label or a headline ("▶ شاهد: ...").
bool StartsWithPlayGlyph(std::string_view line);

}  // namespace newsflow::clean
