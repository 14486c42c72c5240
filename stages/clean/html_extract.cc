#include "html_extract.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "dates.h"
#include "newsflow/text.h"

namespace newsflow::clean {
namespace {

std::string Lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return o;
}

// charset="..." or charset=... after position `p`.
std::string CharsetAfter(std::string_view s, size_t p) {
  p += 7;  // "charset"
  while (p < s.size() && (s[p] == ' ' || s[p] == '=' || s[p] == '"' || s[p] == '\'')) ++p;
  size_t e = p;
  while (e < s.size() && (isalnum(static_cast<unsigned char>(s[e])) || s[e] == '-' || s[e] == '_' ||
                          s[e] == ':' || s[e] == '.')) {
    ++e;
  }
  return std::string(s.substr(p, e - p));
}

// Valid UTF-8 is UTF-8: an envelope body always is (producers decode pages
// and files once, with ICU), so a <meta charset> or hint left over from the
// original bytes must not decode it a second time. Only bytes that are not
// UTF-8 (direct callers) fall back to the declared charset (HTTP hint, BOM,
// <meta>), else windows-1252 (the web's de-facto Latin default).
std::string SniffCharset(std::string_view html, std::string_view hint) {
  if (IsValidUtf8(html)) return "utf-8";
  if (!hint.empty()) return Lower(hint);
  if (html.size() >= 3 && html.substr(0, 3) == "\xEF\xBB\xBF") return "utf-8";
  if (html.size() >= 2 && html.substr(0, 2) == "\xFF\xFE") return "utf-16le";
  if (html.size() >= 2 && html.substr(0, 2) == "\xFE\xFF") return "utf-16be";
  std::string head = Lower(html.substr(0, std::min<size_t>(html.size(), 8192)));
  for (size_t p = head.find("<meta"); p != std::string::npos; p = head.find("<meta", p + 5)) {
    size_t end = head.find('>', p);
    if (end == std::string::npos) break;
    std::string_view tag(head.data() + p, end - p);
    size_t c = tag.find("charset");
    if (c != std::string_view::npos) {
      std::string cs = CharsetAfter(tag, c);
      if (!cs.empty()) {
        // A page labelled Latin-1 is, in practice, windows-1252.
        if (cs == "iso-8859-1" || cs == "latin1" || cs == "us-ascii" || cs == "ascii") return "windows-1252";
        if (cs == "utf8") return "utf-8";
        return cs;
      }
    }
  }
  return "windows-1252";
}

enum Tag : uint8_t { kOther, kSkip, kBlock, kHeading, kLi, kLink, kBr, kArticle, kNegTag, kHeader, kFigcaption };

Tag ClassifySlow(std::string_view name) {
  static const char* const kSkipTags[] = {"script", "style", "noscript", "template", "svg",
                                          "iframe", "head", "select", "option", "button",
                                          "textarea", "input", "object", "embed",
                                          "canvas", "video", "audio", "map", "math", "rt", "rp"};
  static const char* const kBlockTags[] = {
      "p", "div", "td", "th", "tr", "table", "section", "blockquote", "pre", "ul", "ol", "dl",
      "dt", "dd", "figure", "figcaption", "center", "address", "caption", "tbody", "thead",
      "details", "summary", "body", "html", "hr", "tfoot"};
  for (const char* t : kSkipTags) {
    if (name == t) return kSkip;
  }
  if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') return kHeading;
  if (name == "li") return kLi;
  if (name == "a") return kLink;
  if (name == "br") return kBr;
  if (name == "article" || name == "main") return kArticle;
  if (name == "nav" || name == "footer" || name == "aside") return kNegTag;
  if (name == "header") return kHeader;
  if (name == "figcaption") return kFigcaption;
  for (const char* t : kBlockTags) {
    if (name == t) return kBlock;
  }
  return kOther;
}

// Tag names are interned by libxml2's dictionary, but not across documents;
// a small hash map avoids ~50 string compares per element.
Tag Classify(const char* name) {
  static const auto* const kMap = [] {
    auto* m = new std::unordered_map<std::string_view, Tag>();
    for (const char* t : {"script", "style", "noscript", "template", "svg", "iframe", "head",
                          "select", "option", "button", "textarea", "input", "object", "embed",
                          "canvas", "video", "audio", "map", "math", "rt", "rp", "p", "div", "td", "th", "tr",
                          "table", "section", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd",
                          "figure", "figcaption", "center", "address", "caption", "tbody",
                          "thead", "details", "summary", "body", "html", "hr", "tfoot", "h1", "h2",
                          "h3", "h4", "h5", "h6", "li", "a", "br", "article", "main", "nav",
                          "footer", "aside", "header"}) {
      m->emplace(t, ClassifySlow(t));
    }
    return m;
  }();
  auto it = kMap->find(std::string_view(name));
  return it == kMap->end() ? kOther : it->second;
}

// Class/id words that mark the article (+1), page furniture (-1), and a
// box that is furniture only when it links away (-2, "teaser": on a section
// page a box of links, on the article's own page its lede; ResolveWeakHints).
// Matched as substrings of the lower-cased class and id ("c-article-body__x").
struct HintWords {
  struct Word {
    std::string text;
    int hint;
  };
  // Words by their first two bytes: one lookup per position of the string,
  // not one search per word (this runs for every distinct class string).
  std::vector<std::vector<Word>> buckets = std::vector<std::vector<Word>>(1024);
  static size_t Bucket(char a, char b) {
    return (static_cast<unsigned char>(a) * 31u + static_cast<unsigned char>(b)) & 1023u;
  }
  HintWords() {
    for (const char* w : {"articlebody", "article-body", "article_body", "article__body",
                          "entry-content", "post-content", "post-body", "story-body",
                          "article-content", "article-text", "articletext", "story-content",
                          "main-content", "maincontent", "post-entry", "text-content",
                          "entry-body", "article__content", "content-article"}) {
      Add(w, +1);
    }
    for (const char* w : {"comment", "sidebar", "footer", "breadcrumb", "cookie",
                          "newsletter", "share", "social", "related", "navbar",
                          "navigation", "menu", "advert", "widget", "banner", "popup",
                          "modal", "pagination", "recommend", "subscribe",
                          "promo", "sharing", "toolbar", "masthead", "skip-link",
                          "byline-share", "tag-list", "taglist", "post-tags", "article-tags",
                          "most-read", "mostread", "trending", "disqus", "copyright",
                          "login", "signup", "consent", "gdpr", "outbrain", "taboola",
                          "sponsor", "further-reading", "read-more",
                          // author boxes: a bio under the article
                          "author-bio", "author-box", "authorbox", "author_box", "author_bio",
                          "authorbio", "author-desc", "author_desc", "author__desc",
                          "author-info", "authorinfo", "author_info", "author-profile",
                          "author-card", "about-author", "about-the-author", "author_section",
                          "saboxplugin"}) {
      Add(w, -1);
    }
    Add("teaser", -2);
  }
  void Add(std::string_view w, int hint) { buckets[Bucket(w[0], w[1])].push_back({std::string(w), hint}); }
};

int HintOf(std::string_view cls_id) {
  if (cls_id.size() < 2) return 0;
  static const HintWords* const kWords = new HintWords();
  const std::string s = Lower(cls_id);
  // "has-sidebar", "with-ads", "no-print": a class that says what an element
  // contains or how it prints says nothing about its own text.
  auto describes_other = [&s](size_t at) {
    for (std::string_view pre : {"has-", "has_", "with-", "with_", "no-", "no_"}) {
      if (at >= pre.size() && s.compare(at - pre.size(), pre.size(), pre) == 0) return true;
    }
    return false;
  };
  bool pos = false, neg = false, weak = false;
  for (size_t i = 0; i + 1 < s.size() && !pos; ++i) {
    for (const HintWords::Word& w : kWords->buckets[HintWords::Bucket(s[i], s[i + 1])]) {
      if (s.compare(i, w.text.size(), w.text) != 0) continue;
      if (w.hint > 0) pos = true;
      else if (describes_other(i)) continue;
      else if (w.hint == -1) neg = true;
      else weak = true;
    }
  }
  if (pos) return +1;
  if (neg) return -1;
  if (weak) return -2;
  // Whole-token markers too short to match as substrings.
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !isalnum(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && isalnum(static_cast<unsigned char>(s[j]))) ++j;
    std::string_view tok(s.data() + i, j - i);
    if (!describes_other(i) &&
        (tok == "nav" || tok == "ad" || tok == "ads" || tok == "tags" || tok == "meta" ||
         tok == "aside" || tok == "print" || tok == "caption" || tok == "credit")) {
      return -1;
    }
    i = j;
  }
  return 0;
}

// Before parsing:
//  - <noscript> tags are removed and their content kept as ordinary markup.
//    libxml2 parses noscript as an element, and one left open by a stray tag
//    (`<noscript><div></noscript>`, an `<img>` in a <head> noscript) would
//    hide the rest of the page inside a skipped element; and pages that
//    render their article with a script (Blogger's text/template) carry the
//    readable copy in <noscript>. "Enable JavaScript" lines then go as
//    short boilerplate like any other.
//  - NUL bytes are removed: libxml2 stops parsing at one.
// Returns `html` itself when there is nothing to change.
std::string_view PrepareHtml(std::string_view html, std::string* buf) {
  // "noscript" in lower or upper case, found with memmem (one fast pass; the
  // next hit of each spelling is remembered, so the page is read once).
  constexpr size_t kNone = std::string_view::npos;
  size_t cached[2] = {0, 0};
  bool valid[2] = {false, false};
  auto next_word = [html, &cached, &valid](size_t from) {
    size_t best = kNone;
    static const char* const kWords[2] = {"noscript", "NOSCRIPT"};
    for (int k = 0; k < 2; ++k) {
      if (!valid[k] || (cached[k] != kNone && cached[k] < from)) {
        const void* hit = from < html.size() ? memmem(html.data() + from, html.size() - from, kWords[k], 8) : nullptr;
        cached[k] = hit ? static_cast<size_t>(static_cast<const char*>(hit) - html.data()) : kNone;
        valid[k] = true;
      }
      best = std::min(best, cached[k]);
    }
    return best;
  };
  auto is_open = [html](size_t w) {  // "<noscript" followed by '>', '/' or a space
    if (w == 0 || html[w - 1] != '<') return false;
    const char after = w + 8 < html.size() ? html[w + 8] : '>';
    return after == '>' || after == '/' || std::isspace(static_cast<unsigned char>(after));
  };
  auto is_close = [html](size_t w) { return w >= 2 && html[w - 1] == '/' && html[w - 2] == '<'; };

  const bool nul = std::memchr(html.data(), '\0', html.size()) != nullptr;
  size_t w = next_word(0);
  while (w != std::string_view::npos && !is_open(w)) w = next_word(w + 8);
  if (!nul && w == std::string_view::npos) return html;
  buf->clear();
  buf->reserve(html.size());
  size_t copied = 0;
  // Every opening and closing tag goes on its own, whatever pairs them: one
  // left open, or one inside another, was kept before (each opening tag was
  // matched with the next closing one, and without one the rest was left
  // as it was) and hid the rest of the page.
  for (; w != std::string_view::npos; w = next_word(std::max(w + 8, copied))) {
    if (w < copied) continue;
    size_t tag_start;
    if (is_open(w)) tag_start = w - 1;
    else if (is_close(w)) tag_start = w - 2;
    else continue;
    const size_t tag_end = html.find('>', w);
    if (tag_end == std::string_view::npos) break;  // cut off at the end: left as it is
    buf->append(html.substr(copied, tag_start - copied));
    copied = tag_end + 1;
  }
  buf->append(html.substr(copied));
  if (nul) buf->erase(std::remove(buf->begin(), buf->end(), '\0'), buf->end());
  return *buf;
}


std::optional<std::string> DateFrom(std::string_view v);

// Attribute value from a SAX attribute array (name, value, name, value, ..., NULL).
std::string_view SaxAttr(const xmlChar** atts, const char* name) {
  if (atts == nullptr) return {};
  for (size_t i = 0; atts[i] != nullptr; i += 2) {
    if (std::strcmp(reinterpret_cast<const char*>(atts[i]), name) == 0) {
      return atts[i + 1] ? std::string_view(reinterpret_cast<const char*>(atts[i + 1])) : std::string_view("");
    }
  }
  return {};
}

bool SaxHas(const xmlChar** atts, const char* name) {
  if (atts == nullptr) return false;
  for (size_t i = 0; atts[i] != nullptr; i += 2) {
    if (std::strcmp(reinterpret_cast<const char*>(atts[i]), name) == 0) return true;
  }
  return false;
}

// What newsflow reads from a page's JSON-LD: the first `headline`,
// `datePublished` and `articleBody` strings in document order, at any depth
// (`@graph` arrays, a `mainEntity` object), parsed by simdjson.
struct LdFields {
  std::optional<std::string> headline, date_published, article_body;
};

void CollectLd(simdjson::dom::element e, int depth, LdFields* f) {
  if (depth > 32) return;
  simdjson::dom::array arr;
  if (!e.get(arr)) {
    for (simdjson::dom::element x : arr) CollectLd(x, depth + 1, f);
    return;
  }
  simdjson::dom::object obj;
  if (e.get(obj)) return;
  for (simdjson::dom::key_value_pair kv : obj) {
    std::string_view v;
    if (kv.value.get(v)) {
      CollectLd(kv.value, depth + 1, f);
    } else if (kv.key == "headline" && !f->headline && v.size() < 2000) {
      f->headline = std::string(v);
    } else if (kv.key == "datePublished" && !f->date_published) {
      f->date_published = std::string(v);
    } else if (kv.key == "articleBody" && !f->article_body) {
      f->article_body = std::string(v);
    }
  }
}

LdFields ReadJsonLd(std::string_view s) {
  thread_local simdjson::dom::parser parser;
  LdFields f;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(s)).get(root)) {
    // Pages' JSON-LD is not always valid JSON: raw line breaks and tabs
    // inside strings are the usual fault (a line break becomes the escape
    // \n, other control characters a space), invalid UTF-8 the next
    // (replaced).
    const std::string valid = Utf8OrReplaced(std::string(s));
    std::string fixed;
    fixed.reserve(valid.size() + 64);
    bool in_string = false;
    for (size_t i = 0; i < valid.size(); ++i) {
      const char c = valid[i];
      if (in_string && c == '\\' && i + 1 < valid.size() && static_cast<unsigned char>(valid[i + 1]) >= 0x20) {
        fixed.append(valid, i, 2);
        ++i;
        continue;
      }
      if (c == '"') in_string = !in_string;
      if (static_cast<unsigned char>(c) >= 0x20) {
        fixed.push_back(c);
      } else if (in_string && c == '\n') {
        fixed.append("\\n");
      } else {
        fixed.push_back(' ');
      }
    }
    if (parser.parse(simdjson::padded_string(fixed)).get(root)) return f;
  }
  CollectLd(root, 0, &f);
  return f;
}

// Whether `s` starts with `word`, ignoring ASCII case.
bool StartsWithNoCase(std::string_view s, std::string_view word) {
  if (s.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != word[i]) return false;
  }
  return true;
}

bool HtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool HtmlNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '.'; }
bool HtmlNameChar(char c) { return HtmlNameStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'; }

// The most attributes one start tag of `html` (a '<' and a letter) carries,
// read as libxml2 2.9's HTML parser reads a tag (htmlParseStartTag): a name,
// then `= value` (quoted, or up to a space or '>') or none; anything that is
// no name is skipped up to a space or '>' (a stray quote opens no value).
// Comments, and the raw text of <script> and <style>, whose '<' opens no
// tag, are skipped. Linear. libxml2 compares each attribute of a tag with all
// the tag's others while it reads the tag, before any callback can look at
// the clock: 100,000 attributes on one <div> of a 1 MB page held the stage
// 13 s of CPU (its time budget is a few seconds), a 10 MB page of them about
// 20 minutes. The 990 pages of cleaning-dev have at most 39 in a tag.
size_t MostHtmlAttributes(std::string_view html) {
  constexpr size_t kNone = std::string_view::npos;
  const size_t n = html.size();
  size_t most = 0;
  size_t i = 0;
  while ((i = html.find('<', i)) != kNone) {
    if (html.substr(i, 4) == "<!--") {
      size_t e = html.find("-->", i + 4);
      i = e == kNone ? n : e + 3;
      continue;
    }
    if (i + 1 >= n || !std::isalpha(static_cast<unsigned char>(html[i + 1]))) {
      ++i;  // an end tag, a declaration, or a '<' in text: no attributes read
      continue;
    }
    size_t j = i + 1;
    const size_t name_start = j;
    while (j < n && !HtmlSpace(html[j]) && html[j] != '>' && html[j] != '/') ++j;
    const std::string_view name = html.substr(name_start, j - name_start);
    size_t count = 0;
    while (j < n) {
      while (j < n && HtmlSpace(html[j])) ++j;
      if (j >= n || html[j] == '>') break;
      if (!HtmlNameStart(html[j])) {
        for (++j; j < n && !HtmlSpace(html[j]) && html[j] != '>'; ++j) {
        }
        continue;
      }
      ++count;
      while (j < n && HtmlNameChar(html[j])) ++j;
      size_t k = j;
      while (k < n && HtmlSpace(html[k])) ++k;
      if (k >= n || html[k] != '=') continue;
      for (j = k + 1; j < n && HtmlSpace(html[j]); ++j) {
      }
      if (j < n && (html[j] == '"' || html[j] == '\'')) {
        size_t e = html.find(html[j], j + 1);
        j = e == kNone ? n : e + 1;
      } else {
        while (j < n && !HtmlSpace(html[j]) && html[j] != '>') ++j;
      }
    }
    most = std::max(most, count);
    i = j < n ? j + 1 : n;
    for (std::string_view raw : {"script", "style"}) {
      if (name.size() != raw.size() || !StartsWithNoCase(name, raw)) continue;
      // Its text runs to the first "</script" (any case).
      size_t e = i;
      while ((e = html.find("</", e)) != kNone && !StartsWithNoCase(html.substr(e + 2), raw)) e += 2;
      i = e == kNone ? n : e;
    }
  }
  return most;
}

// Streams `html` through libxml2's HTML parser with only these callbacks
// (no DOM is kept, nothing is printed); they get the parser context, whose
// _private is `user`. False when no parser context could be made.
bool SaxParse(std::string_view html, const char* encoding, int opts, startElementSAXFunc start,
              endElementSAXFunc end, charactersSAXFunc text, void* user,
              xmlStructuredErrorFunc on_error = nullptr) {
  htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
  if (ctxt == nullptr) return false;
  std::unique_ptr<htmlParserCtxt, void (*)(htmlParserCtxtPtr)> guard(ctxt, htmlFreeParserCtxt);
  std::memset(ctxt->sax, 0, sizeof(*ctxt->sax));
  ctxt->sax->startElement = start;
  ctxt->sax->endElement = end;
  ctxt->sax->characters = text;
  ctxt->sax->cdataBlock = text;
  ctxt->sax->initialized = 1;
  ctxt->_private = user;
  // The parser's errors, when asked for, go to `on_error` (with the parser
  // context in the error), through this thread's structured handler, put
  // back after.
  const xmlStructuredErrorFunc previous = xmlStructuredError;
  void* const previous_context = xmlStructuredErrorContext;
  if (on_error != nullptr) xmlSetStructuredErrorFunc(user, on_error);
  xmlDocPtr doc = htmlCtxtReadMemory(ctxt, html.data(), static_cast<int>(html.size()), nullptr, encoding, opts);
  if (on_error != nullptr) xmlSetStructuredErrorFunc(previous_context, previous);
  if (doc != nullptr) xmlFreeDoc(doc);
  return true;
}

// The text of an HTML fragment (an articleBody that carries markup or
// escaped markup), through libxml2's parser: entities decoded, tags removed,
// a line break where a paragraph, line break, division, list item or heading
// starts or ends, nothing of script and style.
// A parse's time budget: Tick reads the clock once every `every` (a power of
// two) calls made with that counter, and past the deadline stops the parser.
struct ParseBudget {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool timed_out = false;
  void Tick(void* ctx, uint64_t& calls, uint64_t every) {
    if ((++calls & (every - 1)) == 0 && std::chrono::steady_clock::now() > deadline) {
      timed_out = true;
      xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
    }
  }
};

struct FragmentText {
  std::string text;
  int skip = 0;
  ParseBudget budget;
  uint64_t events = 0;  // elements and parse errors: the clock every 64
};

bool FragmentBreaks(const char* n) {
  for (const char* t : {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6"}) {
    if (std::strcmp(n, t) == 0) return true;
  }
  return false;
}

bool FragmentSkips(const char* n) { return std::strcmp(n, "script") == 0 || std::strcmp(n, "style") == 0; }

FragmentText* FragmentOf(void* ctx) {
  return static_cast<FragmentText*>(static_cast<htmlParserCtxtPtr>(ctx)->_private);
}

void OnFragmentStart(void* ctx, const xmlChar* name, const xmlChar**) {
  FragmentText* f = FragmentOf(ctx);
  f->budget.Tick(ctx, f->events, 64);
  const char* n = reinterpret_cast<const char*>(name);
  if (FragmentSkips(n)) ++f->skip;
  if (FragmentBreaks(n)) f->text.push_back('\n');
}

void OnFragmentEnd(void* ctx, const xmlChar* name) {
  FragmentText* f = FragmentOf(ctx);
  const char* n = reinterpret_cast<const char*>(name);
  if (FragmentSkips(n) && f->skip > 0) --f->skip;
  if (FragmentBreaks(n)) f->text.push_back('\n');
}

void OnFragmentText(void* ctx, const xmlChar* ch, int len) {
  FragmentText* f = FragmentOf(ctx);
  if (f->skip == 0) f->text.append(reinterpret_cast<const char*>(ch), static_cast<size_t>(len));
}

template <typename Error>
void OnFragmentError(void* user, Error* error) {
  auto* f = static_cast<FragmentText*>(user);
  if (error->ctxt != nullptr) f->budget.Tick(error->ctxt, f->events, 64);
}

// Past `deadline` (the page's), sets *timed_out and gives no text.
std::string HtmlFragmentText(std::string_view html, std::chrono::steady_clock::time_point deadline,
                             bool* timed_out) {
  if (html.empty() || html.size() > static_cast<size_t>(INT32_MAX)) return std::string(html);
  if (MostHtmlAttributes(html) > kMaxHtmlAttributes) return {};  // no text of it (not read: see there)
  FragmentText f;
  f.budget.deadline = deadline;
  const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                   HTML_PARSE_NOIMPLIED | HTML_PARSE_IGNORE_ENC;
  if (!SaxParse(html, "utf-8", opts, OnFragmentStart, OnFragmentEnd, OnFragmentText, &f, OnFragmentError)) {
    return std::string(html);
  }
  if (f.budget.timed_out) {
    *timed_out = true;
    return {};
  }
  return std::move(f.text);
}

struct Frame {
  Tag tag = kBlock;
  bool skip = false;  // inside script/style/hidden: no text, no blocks
  int hint = 0;       // nearest non-zero class/id/tag hint
  int hint_node = -1; // element id that gave `hint`
  int container = -1; // nearest container element id
  int cparent = -1;   // the container above it
  int my_id = -1;     // this element's id (-1: none)
  bool container_self = false;
  bool in_link = false;
  bool heading = false;
  bool li = false;
  bool in_article = false;
  bool fig_hint = false;  // a <figcaption> whose hint came from its tag
};

// Streams the page through libxml2's SAX interface: no DOM is built, which
// halves the allocations of a tree walk. Element frames live on a stack;
// block boundaries, hints and container ranges follow the element structure.
class SaxWalker {
 public:
  SaxWalker(const Normalizer& norm, std::chrono::steady_clock::time_point deadline, HtmlPage* page)
      : norm_(norm), page_(page) {
    budget_.deadline = deadline;
    stack_.push_back(Frame{});
  }

  // A parse error: the clock is read every 64. Some cost the parser work
  // that no element callback sees: an end tag that closes nothing is looked
  // for through every open element (libxml2 2.9's htmlParseEndTag), so 100,000
  // unclosed <b> and as many stray </i> in a 700 KB page took 15 s of CPU
  // past a 2 s budget.
  void Error(xmlParserCtxtPtr ctxt) {
    if (ctxt != nullptr) budget_.Tick(ctxt, errors_, 64);
  }

  void Start(xmlParserCtxtPtr ctxt, const char* name, const xmlChar** atts) {
    budget_.Tick(ctxt, visits_, 1024);
    if (budget_.timed_out) return;
    Metadata(name, atts);
    const Frame& f = stack_.back();
    Frame k = f;
    // What belongs to the element itself, not to what it is nested in: a
    // <br> or a skipped element inside a <figcaption> is no caption of its
    // own (End would otherwise look up range -1).
    k.my_id = -1;
    k.container_self = false;
    k.fig_hint = false;
    if (f.skip) {
      stack_.push_back(k);
      return;
    }
    k.tag = Classify(name);
    if (k.tag == kSkip || Hidden(atts)) {
      k.skip = true;
      stack_.push_back(k);
      return;
    }
    // <br> breaks a line inside a paragraph; two in a row (or a <br> then
    // a block element) end it. Pages that set text with a <br> per line
    // (pre-formatted mail, poems, old blogs) keep their paragraphs whole
    // instead of falling apart into "short" blocks.
    if (k.tag == kBr) {
      if (br_pending_) {
        Flush();
      } else if (!cur_.empty()) {
        cur_.push_back(' ');
        br_pending_ = true;
      }
      k.tag = kOther;
      stack_.push_back(k);
      return;
    }
    int own = 0;
    std::string_view cls = SaxAttr(atts, "class"), id = SaxAttr(atts, "id");
    if (!cls.empty() || !id.empty()) {
      // Pages repeat the same class strings; classify each distinct one once
      // (the key buffer is reused: no allocation per element).
      key_buf_.assign(cls);
      key_buf_.push_back(' ');
      key_buf_.append(id);
      auto it = hint_cache_.find(key_buf_);
      if (it == hint_cache_.end()) {
        if (hint_cache_.size() > 20000) hint_cache_.clear();
        it = hint_cache_.emplace(key_buf_, 0).first;
        it->second = HintOf(it->first);
      }
      own = it->second;
    }
    if (own == 0 && atts != nullptr) {
      std::string_view ip = SaxAttr(atts, "itemprop");
      if (ip == "articleBody" || ip == "articlebody") own = +1;
    }
    if (k.tag == kArticle) {
      k.in_article = true;
      if (own == 0) own = +1;
    }
    if (k.tag == kNegTag && own == 0) own = -1;
    if (k.tag == kHeader && own == 0 && !f.in_article) own = -1;
    // A picture's caption is not the article's text (trafilatura's
    // full-article truth leaves captions out) unless it is long: some sites
    // set a lede or a teaser's text in a <figcaption> (End).
    if (k.tag == kFigcaption && own == 0 && f.hint >= 0) {
      own = -1;
      k.fig_hint = true;
    }
    if (k.tag == kHeader || k.tag == kNegTag || k.tag == kArticle || k.tag == kFigcaption) k.tag = kBlock;
    if (k.tag == kLink) k.in_link = true;
    if (k.tag == kHeading) {
      k.heading = true;
      if (name[1] == '1' && h1_.empty()) want_h1_ = true;
    }
    if (k.tag == kLi) k.li = true;
    const bool container = k.tag != kOther && k.tag != kLink;
    if (container) Flush();
    if (container || own != 0) {
      k.my_id = static_cast<int>(page_->ranges.size());
      int first = static_cast<int>(page_->blocks.size());
      page_->ranges.push_back({first, first});
    }
    if (own != 0) {
      k.hint = own;
      k.hint_node = k.my_id;
    }
    if (container) {
      k.container_self = true;
      k.cparent = f.container;
      k.container = k.my_id;
    }
    stack_.push_back(k);
  }

  void End(const char* name) {
    if (capture_ != Capture::kNone && std::strcmp(name, capture_tag_) == 0) EndCapture();
    if (stack_.size() <= 1) return;  // a stray end tag
    Frame fr = stack_.back();
    stack_.pop_back();
    if (fr.skip) return;
    if (fr.container_self) Flush();
    if (fr.my_id >= 0) page_->ranges[fr.my_id].second = static_cast<int>(page_->blocks.size());
    if (fr.fig_hint) LongCaptionKeepsItsText(fr, stack_.back());
  }

  // A <figcaption> of more than kMaxCaption code points holds text, not a
  // caption: its blocks take the hint of the element around it again.
  void LongCaptionKeepsItsText(const Frame& fr, const Frame& parent) {
    constexpr size_t kMaxCaption = 200;
    const auto [first, end] = page_->ranges[fr.my_id];
    size_t cps = 0;
    for (int i = first; i < end && cps <= kMaxCaption; ++i) {
      for (unsigned char c : page_->blocks[i].text) cps += (c & 0xC0) != 0x80;
    }
    if (cps <= kMaxCaption) return;
    for (int i = first; i < end; ++i) {
      Block& b = page_->blocks[i];
      if (b.hint_node != fr.my_id) continue;
      b.hint = parent.hint;
      b.hint_node = parent.hint_node;
      hint_nodes_[i] = parent.hint_node;
    }
  }

  void Text(const char* t, int len) {
    if (capture_ != Capture::kNone) {
      if (capture_buf_.size() < 1 << 20) capture_buf_.append(t, static_cast<size_t>(len));
    }
    const Frame& f = stack_.back();
    if (f.skip || len <= 0) return;
    if (cur_.empty()) {
      cur_hint_ = f.hint;
      cur_hint_node_ = f.hint_node;
      cur_heading_ = f.heading;
      cur_li_ = f.li;
      cur_parent_ = f.container;
      cur_grand_ = f.cparent;
    }
    size_t nonspace = 0;
    for (int i = 0; i < len; ++i) {
      char c = t[i];
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
      if (c != ' ') ++nonspace;
      cur_.push_back(c);
    }
    if (nonspace > 0) br_pending_ = false;
    if (f.in_link) link_chars_ += nonspace;
    text_chars_ += nonspace;
    if (f.heading) cur_heading_ = true;
    if (f.hint != 0 && cur_hint_ == 0) {
      cur_hint_ = f.hint;
      cur_hint_node_ = f.hint_node;
    }
  }

  void Finish() {
    Flush();
    // Elements never closed (truncated page) end with the page.
    for (size_t i = 1; i < stack_.size(); ++i) {
      if (stack_[i].my_id >= 0) page_->ranges[stack_[i].my_id].second = static_cast<int>(page_->blocks.size());
    }
  }

  bool timed_out() const { return budget_.timed_out; }
  std::string h1_, title_, og_title_, ld_headline_, site_name_;
  std::string ld_body_;  // JSON-LD articleBody (raw, not normalised)
  std::vector<int> hint_nodes_;  // per block: element that gave its hint

 private:
  enum class Capture { kNone, kTitle, kLdJson };

  static bool Hidden(const xmlChar** atts) {
    if (atts == nullptr) return false;
    if (SaxHas(atts, "hidden")) return true;
    if (SaxAttr(atts, "aria-hidden") == "true") return true;
    std::string_view style_view = SaxAttr(atts, "style");
    if (style_view.empty()) return false;
    std::string style = Lower(style_view);
    style.erase(std::remove(style.begin(), style.end(), ' '), style.end());
    return style.find("display:none") != std::string::npos ||
           style.find("visibility:hidden") != std::string::npos;
  }

  // <title>, <meta>, <time>, JSON-LD: read wherever they are (even in skipped parts).
  void Metadata(const char* name, const xmlChar** atts) {
    if (name[0] != 't' && name[0] != 'm' && name[0] != 's') return;
    if (std::strcmp(name, "title") == 0 && title_.empty() && capture_ == Capture::kNone) {
      BeginCapture(Capture::kTitle, "title");
    } else if (std::strcmp(name, "meta") == 0 && atts != nullptr) {
      std::string prop = Lower(std::string(SaxAttr(atts, "property")) + std::string(SaxAttr(atts, "name")) +
                               std::string(SaxAttr(atts, "itemprop")));
      std::string_view content = SaxAttr(atts, "content");
      if (prop == "og:title" && og_title_.empty()) og_title_ = std::string(content);
      if (prop == "og:site_name" && site_name_.empty()) site_name_ = std::string(content);
      if (!page_->published && (prop == "article:published_time" || prop == "datepublished" ||
                                prop == "pubdate" || prop == "publishdate" ||
                                prop == "dc.date.issued" || prop == "date" ||
                                prop == "sailthru.date" || prop == "parsely-pub-date")) {
        page_->published = DateFrom(content);
      }
    } else if (std::strcmp(name, "time") == 0 && !page_->published && atts != nullptr) {
      std::string ip = Lower(SaxAttr(atts, "itemprop"));
      if (ip == "datepublished" || SaxHas(atts, "pubdate")) {
        page_->published = DateFrom(SaxAttr(atts, "datetime"));
      } else if (!page_->time_element) {
        // The page's first <time datetime>: the article's date on most
        // pages, used only when nothing more specific states one.
        page_->time_element = DateFrom(SaxAttr(atts, "datetime"));
      }
    } else if (std::strcmp(name, "script") == 0 &&
               (!page_->published || ld_headline_.empty() || ld_body_.empty()) &&
               atts != nullptr &&
               Lower(SaxAttr(atts, "type")) == "application/ld+json" && capture_ == Capture::kNone) {
      BeginCapture(Capture::kLdJson, "script");
    }
  }

  void BeginCapture(Capture c, const char* tag) {
    capture_ = c;
    capture_tag_ = tag;
    capture_buf_.clear();
  }

  void EndCapture() {
    if (capture_ == Capture::kTitle) {
      title_ = capture_buf_;
    } else if (capture_ == Capture::kLdJson) {
      const LdFields ld = ReadJsonLd(capture_buf_);
      if (!page_->published && ld.date_published) page_->published = DateFrom(*ld.date_published);
      if (ld_headline_.empty() && ld.headline) ld_headline_ = *ld.headline;
      if (ld_body_.empty() && ld.article_body) ld_body_ = *ld.article_body;
    }
    capture_ = Capture::kNone;
    capture_buf_.clear();
  }

  void Flush() {
    br_pending_ = false;
    if (cur_.empty()) return;
    if (text_chars_ > 0) {
      auto t = norm_.Normalize(Utf8OrReplaced(std::move(cur_)));
      if (t.ok() && !t->empty()) {
        Block b;
        b.text = std::move(*t);
        std::replace(b.text.begin(), b.text.end(), '\n', ' ');
        b.link_density = text_chars_ ? static_cast<double>(link_chars_) / text_chars_ : 0;
        b.hint = cur_hint_;
        b.heading = cur_heading_;
        b.list_item = cur_li_;
        b.parent = cur_parent_;
        b.grand = cur_grand_;
        b.hint_node = cur_hint_node_;
        if (want_h1_ && b.heading) {
          h1_ = b.text;
          want_h1_ = false;
        }
        page_->blocks.push_back(std::move(b));
        hint_nodes_.push_back(cur_hint_node_);
      }
    }
    cur_.clear();
    link_chars_ = text_chars_ = 0;
    cur_hint_ = 0;
    cur_hint_node_ = -1;
    cur_heading_ = cur_li_ = false;
  }

  const Normalizer& norm_;
  HtmlPage* page_;
  std::vector<Frame> stack_;
  ParseBudget budget_;
  uint64_t visits_ = 0;  // start tags: the clock every 1,024
  uint64_t errors_ = 0;  // parse errors: the clock every 64
  std::string cur_;
  size_t link_chars_ = 0, text_chars_ = 0;
  int cur_hint_ = 0, cur_hint_node_ = -1, cur_parent_ = -1, cur_grand_ = -1;
  bool br_pending_ = false;  // a <br> ended the current line; a second one ends the block
  bool cur_heading_ = false, cur_li_ = false;
  bool want_h1_ = false;
  Capture capture_ = Capture::kNone;
  std::unordered_map<std::string, int> hint_cache_;
  std::string key_buf_;
  const char* capture_tag_ = "";
  std::string capture_buf_;
};

// libxml2 hands SAX callbacks the parser context as user data; the walker of
// the parse running on this thread is found here.
SaxWalker* WalkerOf(void* ctx) { return static_cast<SaxWalker*>(static_cast<xmlParserCtxtPtr>(ctx)->_private); }

void OnStart(void* ctx, const xmlChar* name, const xmlChar** atts) {
  WalkerOf(ctx)->Start(static_cast<xmlParserCtxtPtr>(ctx), reinterpret_cast<const char*>(name), atts);
}
void OnEnd(void* ctx, const xmlChar* name) { WalkerOf(ctx)->End(reinterpret_cast<const char*>(name)); }
// xmlStructuredErrorFunc (its error is const from libxml2 2.12 on): `user` is the walker.
template <typename Error>
void OnError(void* user, Error* error) {
  static_cast<SaxWalker*>(user)->Error(static_cast<xmlParserCtxtPtr>(error->ctxt));
}
void OnText(void* ctx, const xmlChar* ch, int len) {
  WalkerOf(ctx)->Text(reinterpret_cast<const char*>(ch), len);
}

// A "boilerplate" class on a wrapper holding much of the page (a body class
// like "has-cookie-banner", a "modal-open" root) says nothing about its text:
// such hints are dropped.
void DropWrapperHints(HtmlPage* page, const std::vector<int>& hint_nodes) {
  const size_t n = page->blocks.size();
  std::vector<size_t> prefix(n + 1, 0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + page->blocks[i].text.size();
  const size_t total = prefix[n];
  if (total == 0) return;
  std::vector<int8_t> verdict(page->ranges.size(), 0);  // 0 unknown, 1 keep, -1 drop
  for (size_t i = 0; i < n; ++i) {
    Block& b = page->blocks[i];
    int node = hint_nodes[i];
    if (b.hint >= 0 || node < 0) continue;
    if (verdict[node] == 0) {
      auto [first, last] = page->ranges[node];
      size_t inside = prefix[static_cast<size_t>(last)] - prefix[static_cast<size_t>(first)];
      verdict[node] = (inside * 10 > total * 3) ? -1 : 1;
    }
    if (verdict[node] < 0) b.hint = 0;
  }
}

// A block of prose: 120 bytes or more, mostly unlinked text.
bool ProseBlock(const Block& b) { return b.text.size() >= 120 && b.link_density < 0.3; }

// Boilerplate hints that hold the page's prose: when nearly all prose of a
// page (blocks of 120+ bytes, mostly unlinked) lies under boilerplate
// class hints and what is left outside them is thin, the hints are wrong
// for this page (a page builder's "widget" wrappers, "Section--Ads" layout
// modifiers, a recipe's "meta" box): elements holding such prose lose their
// hint, and the cleaner judges their blocks by text. Hinted elements
// without prose (menus, link lists, forms) keep theirs.
void DropHintsHoldingTheProse(HtmlPage* page, const std::vector<int>& hint_nodes) {
  // Text in list items is not counted: comment threads are lists.
  auto prose = [](const Block& b) { return ProseBlock(b) && !b.list_item; };
  size_t all = 0, hinted = 0;
  for (const Block& b : page->blocks) {
    if (!prose(b)) continue;
    all += b.text.size();
    if (b.hint < 0) hinted += b.text.size();
  }
  const size_t outside = all - hinted;
  if (hinted < 800 || hinted < 4 * outside || outside >= 600) return;
  // On a page with an article element (<article>, articleBody, an
  // article class), only hinted elements inside one qualify: prose beside
  // the article is a sidebar's or a widget's.
  std::vector<std::pair<int, int>> articles;
  int last_node = -1;
  for (size_t i = 0; i < page->blocks.size(); ++i) {
    if (page->blocks[i].hint > 0 && hint_nodes[i] >= 0 && hint_nodes[i] != last_node) {
      last_node = hint_nodes[i];
      articles.push_back(page->ranges[static_cast<size_t>(last_node)]);
    }
  }
  auto inside_article = [&](int node) {
    const auto r = page->ranges[static_cast<size_t>(node)];
    for (const auto& a : articles) {
      if (a.first <= r.first && r.second <= a.second) return true;
    }
    return false;
  };
  std::unordered_map<int, bool> holds;
  for (size_t i = 0; i < page->blocks.size(); ++i) {
    const Block& b = page->blocks[i];
    if (b.hint < 0 && hint_nodes[i] >= 0 && prose(b) && !holds.count(hint_nodes[i])) {
      holds[hint_nodes[i]] = articles.empty() || inside_article(hint_nodes[i]);
    }
  }
  // An article has paragraphs; one long block (an author's bio) is no article.
  size_t paragraphs = 0;
  for (size_t i = 0; i < page->blocks.size(); ++i) {
    const Block& b = page->blocks[i];
    if (b.hint < 0 && hint_nodes[i] >= 0 && prose(b) && holds[hint_nodes[i]]) ++paragraphs;
  }
  if (paragraphs < 3) return;
  for (size_t i = 0; i < page->blocks.size(); ++i) {
    Block& b = page->blocks[i];
    if (b.hint >= 0 || hint_nodes[i] < 0) continue;
    auto it = holds.find(hint_nodes[i]);
    if (it != holds.end() && it->second) b.hint = 0;
  }
}

// A weak boilerplate hint (-2) counts only for an element that links away:
// one of its blocks is mostly link text (a teaser's headline link).
void ResolveWeakHints(HtmlPage* page, const std::vector<int>& hint_nodes) {
  std::unordered_map<int, bool> links_away;
  for (size_t i = 0; i < page->blocks.size(); ++i) {
    Block& b = page->blocks[i];
    if (b.hint != -2) continue;
    int node = hint_nodes[i];
    auto it = links_away.find(node);
    if (it == links_away.end()) {
      bool any = false;
      if (node >= 0) {
        // The headline link often sits just outside the "teaser-text" element.
        auto [first, last] = page->ranges[static_cast<size_t>(node)];
        const int lo = std::max(0, first - 1);
        const int hi = std::min(static_cast<int>(page->blocks.size()), last + 1);
        for (int k = lo; k < hi && !any; ++k) any = page->blocks[static_cast<size_t>(k)].link_density > 0.5;
      }
      it = links_away.emplace(node, any).first;
    }
    b.hint = it->second ? -1 : 0;
  }
}

// JSON-LD articleBody as a fallback for pages whose DOM does not carry the
// article (a paywall or script renders it; the DOM holds a lede or teaser):
// when the DOM's prose (blocks of 120+ bytes, mostly unlinked) is less than
// half the articleBody and most of the articleBody's text (by bytes of its
// paragraphs, a 40-byte piece of each one's middle looked up) is nowhere in
// the page's blocks, its paragraphs are appended as blocks of an article
// container of their own, and the cleaner judges them like any other. When
// the DOM holds the article, nothing changes. Markup inside the string is
// removed (block tags end a paragraph; script and style go with their text).
// False when its markup could not be read within `deadline`.
bool AppendMetadataBody(std::string_view body, const Normalizer& norm, HtmlPage* page,
                        std::vector<int>* hint_nodes, std::chrono::steady_clock::time_point deadline) {
  constexpr size_t kMinBytes = 500;  // a description or teaser is no article
  if (body.size() < kMinBytes) return true;
  // Sites put markup in the string, or escaped markup ("&lt;p&gt;",
  // "&amp;lt;p&amp;gt;"): each pass decodes one level of entities and removes
  // the markup it then finds; at most three.
  std::string text(body);
  for (int pass = 0; pass < 3; ++pass) {
    bool timed_out = false;
    std::string next = HtmlFragmentText(text, deadline, &timed_out);
    if (timed_out) return false;
    const bool again = next != text && (next.find('<') != std::string::npos || next.find('&') != std::string::npos);
    text = std::move(next);
    if (!again) break;
  }
  for (char& c : text) {
    if (c == '\t' || c == '\r' || c == '\f' || c == '\b') c = ' ';
  }
  auto t = norm.Normalize(Utf8OrReplaced(std::move(text)));
  if (!t.ok() || t->size() < kMinBytes) return true;
  std::vector<std::string_view> lines;
  std::string_view rest(*t);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  // Only a DOM poor in prose: its paragraphs (120+ bytes, mostly unlinked)
  // hold less than half of the articleBody's bytes.
  size_t dom_prose = 0;
  for (const Block& b : page->blocks) {
    if (ProseBlock(b)) dom_prose += b.text.size();
  }
  if (dom_prose * 2 >= t->size()) return true;
  std::string dom;
  for (const Block& b : page->blocks) {
    dom.append(b.text);
    dom.push_back('\n');
  }
  // A paragraph is in the DOM when a 40-byte piece of its middle is (its
  // start is often the lede or a caption the DOM repeats).
  constexpr size_t kProbe = 40;
  size_t probed = 0, found = 0;
  for (std::string_view line : lines) {
    if (line.size() < 2 * kProbe) continue;
    size_t from = line.size() / 2 - kProbe / 2;
    while (from > 0 && (static_cast<unsigned char>(line[from]) & 0xC0) == 0x80) --from;
    probed += line.size();
    if (dom.find(line.substr(from, kProbe)) != std::string::npos) found += line.size();
  }
  if (probed < kMinBytes || found * 2 >= probed) return true;
  const int id = static_cast<int>(page->ranges.size());
  const int first = static_cast<int>(page->blocks.size());
  for (std::string_view line : lines) {
    Block b;
    b.text = std::string(line);
    b.hint = +1;
    b.hint_node = id;
    b.parent = id;
    page->blocks.push_back(std::move(b));
    hint_nodes->push_back(id);
  }
  page->ranges.push_back({first, static_cast<int>(page->blocks.size())});
  return true;
}

std::optional<std::string> DateFrom(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.size() > 40) v = v.substr(0, 40);
  std::string s(v);
  if (s.size() >= 19 && s[10] == ' ') s[10] = 'T';
  if (ParseRfc3339(s)) return s;
  if (s.size() >= 19 && s[10] == 'T') {
    size_t i = 19;
    if (i < s.size() && s[i] == '.')
      for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {}
    const std::string tail = s.substr(i);
    if (!tail.empty() && (tail[0] == '+' || tail[0] == '-')) {
      // An offset written other than as RFC 3339 wants (+0530, -0800, +03):
      // read as such. Taken as UTC, the instant moved by the offset.
      std::string digits;
      for (char c : tail.substr(1))
        if (c != ':') digits += c;
      const bool ok = (digits.size() == 2 || digits.size() == 4) &&
                      std::all_of(digits.begin(), digits.end(),
                                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
      if (ok) {
        std::string z = s.substr(0, i) + tail[0] + digits.substr(0, 2) + ":" +
                        (digits.size() == 4 ? digits.substr(2, 2) : std::string("00"));
        if (ParseRfc3339(z)) return z;
      }
      // An offset that is none (+24:00): the day is stated, not the instant.
      if (auto d = ParseIsoLine(s.substr(0, 10))) return d->rfc3339;
      return std::nullopt;
    }
    std::string z = s.substr(0, 19) + "Z";  // no offset: assume UTC
    if (ParseRfc3339(z)) return z;
  }
  if (auto d = ParseIsoLine(s.substr(0, std::min<size_t>(s.size(), 10)))) return d->rfc3339;
  return std::nullopt;
}

// The headline: an <h1> that <title>, og:title or JSON-LD's headline
// confirm, else og:title, JSON-LD headline, <h1>, <title> minus the site name.
std::string PickTitle(const std::string& h1, std::string title, const std::string& og,
                      const std::string& ld) {
  auto clean1 = [](std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    while (!s.empty() && s.back() == ' ') s.pop_back();
    size_t b = 0;
    while (b < s.size() && s[b] == ' ') ++b;
    return s.substr(b);
  };
  if (!h1.empty() && (title.find(h1) != std::string::npos || og == h1 || ld == h1)) return h1;
  if (!clean1(og).empty()) return clean1(og);
  if (!clean1(ld).empty()) return clean1(ld);
  if (!h1.empty()) return h1;
  // "Headline | Site" / "Headline - Site": keep the longest part.
  for (const char* sep : {" | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " :: ", " \xC2\xBB "}) {
    size_t p = title.find(sep);
    if (p != std::string::npos) {
      std::string a = title.substr(0, p), b = title.substr(p + std::strlen(sep));
      title = a.size() >= b.size() ? a : b;
    }
  }
  return clean1(title);
}

}  // namespace

Result<HtmlPage> ExtractHtml(std::string_view html, std::string_view charset_hint,
                             const Normalizer& norm,
                             std::chrono::steady_clock::time_point deadline) {
  HtmlPage page;
  if (html.empty()) return page;
  if (html.size() > static_cast<size_t>(INT32_MAX)) return Status::TooLarge("clean: HTML over 2 GiB");
  std::string stripped;
  html = PrepareHtml(html, &stripped);
  if (size_t most = MostHtmlAttributes(html); most > kMaxHtmlAttributes) {
    return Status::Rejected("clean: an HTML tag with " + std::to_string(most) + " attributes (over " +
                            std::to_string(kMaxHtmlAttributes) + "): not parsed");
  }
  std::string charset = SniffCharset(html, charset_hint);
  // UTF-8 input: libxml2 must not switch to a stale <meta charset> either.
  const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                   HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_NOIMPLIED |
                   (charset == "utf-8" ? HTML_PARSE_IGNORE_ENC : 0);
  SaxWalker w(norm, deadline, &page);
  if (!SaxParse(html, charset.c_str(), opts, OnStart, OnEnd, OnText, &w, OnError))
    return Status::Internal("clean: libxml2 parser context");
  if (w.timed_out()) return Status::Timeout("clean: time budget exceeded while parsing HTML");
  w.Finish();
  if (!AppendMetadataBody(w.ld_body_, norm, &page, &w.hint_nodes_, deadline))
    return Status::Timeout("clean: time budget exceeded while reading the JSON-LD article body");
  ResolveWeakHints(&page, w.hint_nodes_);
  DropWrapperHints(&page, w.hint_nodes_);
  DropHintsHoldingTheProse(&page, w.hint_nodes_);
  auto t = norm.Normalize(Utf8OrReplaced(PickTitle(w.h1_, w.title_, w.og_title_, w.ld_headline_)));
  if (t.ok()) {
    page.title = std::move(*t);
    std::replace(page.title.begin(), page.title.end(), '\n', ' ');
  }
  if (!w.site_name_.empty()) {
    auto s = norm.Normalize(Utf8OrReplaced(std::move(w.site_name_)));
    if (s.ok() && s->find('\n') == std::string::npos) page.site_name = std::move(*s);
  }
  return page;
}

}  // namespace newsflow::clean
