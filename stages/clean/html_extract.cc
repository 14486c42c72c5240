#include "html_extract.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cstring>
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

// Declared charset (HTTP hint, BOM, <meta>), else UTF-8 when the bytes are
// valid UTF-8, else windows-1252 (the web's de-facto Latin default).
std::string SniffCharset(std::string_view html, std::string_view hint) {
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
  if (IsValidUtf8(html)) return "utf-8";
  return "windows-1252";
}

enum Tag : uint8_t { kOther, kSkip, kBlock, kHeading, kLi, kLink, kBr, kArticle, kNegTag, kHeader };

Tag Classify(const char* name) {
  static const char* const kSkipTags[] = {"script", "style", "noscript", "template", "svg",
                                          "iframe", "head", "select", "option", "button",
                                          "textarea", "input", "object", "embed",
                                          "canvas", "video", "audio", "map", "math"};
  static const char* const kBlockTags[] = {
      "p", "div", "td", "th", "tr", "table", "section", "blockquote", "pre", "ul", "ol", "dl",
      "dt", "dd", "figure", "figcaption", "center", "address", "caption", "tbody", "thead",
      "details", "summary", "body", "html", "hr", "tfoot"};
  for (const char* t : kSkipTags) {
    if (std::strcmp(name, t) == 0) return kSkip;
  }
  if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == 0) return kHeading;
  if (std::strcmp(name, "li") == 0) return kLi;
  if (std::strcmp(name, "a") == 0) return kLink;
  if (std::strcmp(name, "br") == 0) return kBr;
  if (std::strcmp(name, "article") == 0 || std::strcmp(name, "main") == 0) return kArticle;
  if (std::strcmp(name, "nav") == 0 || std::strcmp(name, "footer") == 0 || std::strcmp(name, "aside") == 0) {
    return kNegTag;
  }
  if (std::strcmp(name, "header") == 0) return kHeader;
  for (const char* t : kBlockTags) {
    if (std::strcmp(name, t) == 0) return kBlock;
  }
  return kOther;
}

// Class/id words that mark page furniture, and ones that mark the article.
int HintOf(std::string_view cls_id) {
  if (cls_id.empty()) return 0;
  std::string s = Lower(cls_id);
  static const char* const kPos[] = {"articlebody", "article-body", "article_body", "article__body",
                                     "entry-content", "post-content", "post-body", "story-body",
                                     "article-content", "article-text", "articletext", "story-content",
                                     "main-content", "maincontent", "post-entry", "text-content",
                                     "entry-body", "article__content", "content-article"};
  static const char* const kNeg[] = {"comment", "sidebar", "footer", "breadcrumb", "cookie",
                                     "newsletter", "share", "social", "related", "navbar",
                                     "navigation", "menu", "advert", "widget", "banner", "popup",
                                     "modal", "pagination", "teaser", "recommend", "subscribe",
                                     "promo", "sharing", "toolbar", "masthead", "skip-link",
                                     "byline-share", "tag-list", "taglist", "post-tags", "article-tags",
                                     "most-read", "mostread", "trending", "disqus", "copyright",
                                     "login", "signup", "consent", "gdpr", "outbrain", "taboola",
                                     "sponsor", "author-bio", "further-reading", "read-more"};
  for (const char* p : kPos) {
    if (s.find(p) != std::string::npos) return +1;
  }
  for (const char* p : kNeg) {
    if (s.find(p) != std::string::npos) return -1;
  }
  // Whole-token markers too short to match as substrings.
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !isalnum(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && isalnum(static_cast<unsigned char>(s[j]))) ++j;
    std::string_view tok(s.data() + i, j - i);
    if (tok == "nav" || tok == "ad" || tok == "ads" || tok == "tags" || tok == "meta" ||
        tok == "aside" || tok == "print" || tok == "caption" || tok == "credit") {
      return -1;
    }
    i = j;
  }
  return 0;
}

std::string Attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// Replaces invalid UTF-8 sequences with U+FFFD (a mislabelled charset).
std::string ValidUtf8(std::string s) {
  if (IsValidUtf8(s)) return s;
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len > 0 && i + len <= s.size() && IsValidUtf8(std::string_view(s).substr(i, len))) {
      out.append(s, i, len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

struct Frame {
  xmlNode* node;
  Tag tag;
  int own_hint;     // this element's class/id/tag hint
  int hint;         // nearest non-zero hint
  int hint_node;    // element id that gave `hint` (-1 none)
  int container;    // nearest container element id
  int cparent;      // the container above it
  int my_id;        // this element's id once expanded (-1: none)
  bool in_link;
  bool heading;
  bool li;
  bool in_article;
};

class Walker {
 public:
  Walker(const Normalizer& norm, std::chrono::steady_clock::time_point deadline)
      : norm_(norm), deadline_(deadline) {}

  Status Walk(xmlNode* root, HtmlPage* page) {
    page_ = page;
    std::vector<std::pair<Frame, bool>> stack;  // frame, children pushed
    stack.push_back({Frame{root, kBlock, 0, 0, -1, -1, -1, -1, false, false, false, false}, false});
    size_t visits = 0;
    while (!stack.empty()) {
      if ((++visits & 1023) == 0 && std::chrono::steady_clock::now() > deadline_) {
        return Status::Timeout("clean: time budget exceeded while walking HTML");
      }
      auto& [fr, expanded] = stack.back();
      if (expanded) {
        if (fr.tag != kOther && fr.tag != kLink) Flush();
        if (fr.my_id >= 0) page_->ranges[fr.my_id].second = static_cast<int>(page_->blocks.size());
        stack.pop_back();
        continue;
      }
      expanded = true;
      if (fr.node->type == XML_TEXT_NODE || fr.node->type == XML_CDATA_SECTION_NODE) {
        AddText(fr, reinterpret_cast<const char*>(fr.node->content));
        stack.pop_back();
        continue;
      }
      if (fr.node->type != XML_ELEMENT_NODE && fr.node->type != XML_DOCUMENT_NODE &&
          fr.node->type != XML_HTML_DOCUMENT_NODE) {
        stack.pop_back();
        continue;
      }
      if (fr.tag != kOther && fr.tag != kLink) Flush();
      const bool container = fr.tag != kOther && fr.tag != kLink;
      if (container || fr.own_hint != 0) {
        fr.my_id = static_cast<int>(page_->ranges.size());
        int first = static_cast<int>(page_->blocks.size());
        page_->ranges.push_back({first, first});
        if (fr.own_hint != 0) fr.hint_node = fr.my_id;
      }
      Frame f = fr;  // copy: the vector may reallocate below
      std::vector<xmlNode*> kids;
      for (xmlNode* c = f.node->children; c != nullptr; c = c->next) kids.push_back(c);
      // Children in reverse so the first child is processed first.
      for (auto it = kids.rbegin(); it != kids.rend(); ++it) {
        xmlNode* c = *it;
        Frame k{c, kOther, 0, f.hint, f.hint_node,
                container ? f.my_id : f.container, container ? f.container : f.cparent, -1,
                f.in_link, f.heading, f.li, f.in_article};
        if (c->type == XML_ELEMENT_NODE) {
          const char* name = reinterpret_cast<const char*>(c->name);
          k.tag = Classify(name);
          if (k.tag == kSkip) continue;
          if (k.tag == kBr) k.tag = kBlock;
          if (Hidden(c)) continue;
          int own = HintOf(Attr(c, "class") + " " + Attr(c, "id"));
          if (own == 0) {
            std::string ip = Attr(c, "itemprop");
            if (ip == "articleBody" || ip == "articlebody") own = +1;
          }
          if (k.tag == kArticle) {
            k.in_article = true;
            if (own == 0) own = +1;
          }
          if (k.tag == kNegTag && own == 0) own = -1;
          if (k.tag == kHeader && own == 0 && !f.in_article) own = -1;
          if (k.tag == kHeader || k.tag == kNegTag || k.tag == kArticle) k.tag = kBlock;
          if (own != 0) {
            k.own_hint = own;
            k.hint = own;
          }
          if (k.tag == kLink) k.in_link = true;
          if (k.tag == kHeading) {
            k.heading = true;
            if (name[1] == '1' && h1_.empty()) want_h1_ = true;
          }
          if (k.tag == kLi) k.li = true;
        }
        stack.push_back({k, false});
      }
    }
    Flush();
    return Status::OK();
  }

  std::string h1_;

 private:
  static bool Hidden(xmlNode* c) {
    if (xmlHasProp(c, reinterpret_cast<const xmlChar*>("hidden")) != nullptr) return true;
    std::string aria = Attr(c, "aria-hidden");
    if (aria == "true") return true;
    std::string style = Lower(Attr(c, "style"));
    if (!style.empty()) {
      style.erase(std::remove(style.begin(), style.end(), ' '), style.end());
      if (style.find("display:none") != std::string::npos ||
          style.find("visibility:hidden") != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  void AddText(const Frame& f, const char* t) {
    if (t == nullptr) return;
    size_t len = std::strlen(t);
    if (len == 0) return;
    if (cur_.empty()) {
      cur_hint_ = f.hint;
      cur_hint_node_ = f.hint_node;
      cur_heading_ = f.heading;
      cur_li_ = f.li;
      cur_parent_ = f.container;
      cur_grand_ = f.cparent;
    }
    size_t nonspace = 0;
    for (size_t i = 0; i < len; ++i) {
      char c = t[i];
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
      if (c != ' ') ++nonspace;
      cur_.push_back(c);
    }
    if (f.in_link) link_chars_ += nonspace;
    text_chars_ += nonspace;
    if (f.heading) cur_heading_ = true;
    if (f.hint != 0 && cur_hint_ == 0) {
      cur_hint_ = f.hint;
      cur_hint_node_ = f.hint_node;
    }
  }

  void Flush() {
    if (cur_.empty()) return;
    if (text_chars_ > 0) {
      auto t = norm_.Normalize(ValidUtf8(std::move(cur_)));
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

 public:
  std::vector<int> hint_nodes_;  // per block: element that gave its hint

 private:
  const Normalizer& norm_;
  std::chrono::steady_clock::time_point deadline_;
  HtmlPage* page_ = nullptr;
  std::string cur_;
  size_t link_chars_ = 0, text_chars_ = 0;
  int cur_hint_ = 0, cur_hint_node_ = -1, cur_parent_ = -1, cur_grand_ = -1;
  bool cur_heading_ = false, cur_li_ = false;
  bool want_h1_ = false;
};

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

std::optional<std::string> DateFrom(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.size() > 40) v = v.substr(0, 40);
  std::string s(v);
  if (s.size() >= 19 && s[10] == ' ') s[10] = 'T';
  if (ParseRfc3339(s)) return s;
  if (s.size() >= 19 && s[10] == 'T') {  // no offset: assume UTC
    std::string z = s.substr(0, 19) + "Z";
    if (ParseRfc3339(z)) return z;
  }
  if (auto d = ParseIsoLine(s.substr(0, std::min<size_t>(s.size(), 10)))) return d->rfc3339;
  return std::nullopt;
}

void ReadHead(xmlNode* n, HtmlPage* page, std::string* title, std::string* og_title,
              int* visits) {
  // Iterative over the whole tree, only meta/title/time/ld+json elements matter.
  std::vector<xmlNode*> st{n};
  while (!st.empty() && ++*visits < 200000) {
    xmlNode* c = st.back();
    st.pop_back();
    for (xmlNode* k = c->children; k != nullptr; k = k->next) {
      if (k->type == XML_ELEMENT_NODE) st.push_back(k);
    }
    if (c->type != XML_ELEMENT_NODE) continue;
    const char* name = reinterpret_cast<const char*>(c->name);
    if (std::strcmp(name, "title") == 0 && title->empty()) {
      xmlChar* t = xmlNodeGetContent(c);
      if (t) {
        *title = reinterpret_cast<const char*>(t);
        xmlFree(t);
      }
    } else if (std::strcmp(name, "meta") == 0) {
      std::string prop = Lower(Attr(c, "property") + Attr(c, "name") + Attr(c, "itemprop"));
      std::string content = Attr(c, "content");
      if (prop == "og:title" && og_title->empty()) *og_title = content;
      if (!page->published && (prop == "article:published_time" || prop == "datepublished" ||
                               prop == "pubdate" || prop == "publishdate" ||
                               prop == "dc.date.issued" || prop == "date" ||
                               prop == "sailthru.date" || prop == "parsely-pub-date")) {
        page->published = DateFrom(content);
      }
    } else if (std::strcmp(name, "time") == 0 && !page->published) {
      std::string ip = Lower(Attr(c, "itemprop"));
      if (ip == "datepublished" || xmlHasProp(c, reinterpret_cast<const xmlChar*>("pubdate"))) {
        page->published = DateFrom(Attr(c, "datetime"));
      }
    } else if (std::strcmp(name, "script") == 0 && !page->published &&
               Lower(Attr(c, "type")) == "application/ld+json") {
      xmlChar* t = xmlNodeGetContent(c);
      if (t) {
        std::string_view s(reinterpret_cast<const char*>(t));
        size_t p = s.find("\"datePublished\"");
        if (p != std::string_view::npos) {
          size_t q = s.find('"', s.find(':', p) + 1);
          if (q != std::string_view::npos) page->published = DateFrom(s.substr(q + 1));
        }
        xmlFree(t);
      }
    }
  }
}

std::string PickTitle(const std::string& h1, std::string title, const std::string& og) {
  auto clean1 = [](std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
  };
  if (!h1.empty() && (title.find(h1) != std::string::npos || og == h1)) return h1;
  if (!og.empty()) return clean1(og);
  // "Headline | Site" / "Headline - Site": keep the longest part.
  for (const char* sep : {" | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " :: ", " \xC2\xBB "}) {
    size_t p = title.find(sep);
    if (p != std::string::npos) {
      std::string a = title.substr(0, p), b = title.substr(p + std::strlen(sep));
      title = a.size() >= b.size() ? a : b;
    }
  }
  if (!h1.empty() && title.empty()) return h1;
  return clean1(title);
}

}  // namespace

Result<HtmlPage> ExtractHtml(std::string_view html, std::string_view charset_hint,
                             const Normalizer& norm,
                             std::chrono::steady_clock::time_point deadline) {
  HtmlPage page;
  if (html.empty()) return page;
  if (html.size() > static_cast<size_t>(INT32_MAX)) return Status::TooLarge("clean: HTML over 2 GiB");
  std::string charset = SniffCharset(html, charset_hint);
  const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                   HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_NOIMPLIED;
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr,
                                  charset.c_str(), opts);
  if (doc == nullptr && charset != "utf-8") {
    doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "windows-1252", opts);
  }
  if (doc == nullptr) return Status::Corrupt("clean: HTML did not parse");
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> guard(doc, xmlFreeDoc);
  xmlNode* root = xmlDocGetRootElement(doc);
  if (root == nullptr) return page;
  std::string title, og;
  int visits = 0;
  ReadHead(reinterpret_cast<xmlNode*>(doc), &page, &title, &og, &visits);
  Walker w(norm, deadline);
  NEWSFLOW_RETURN_IF_ERROR(w.Walk(reinterpret_cast<xmlNode*>(doc), &page));
  DropWrapperHints(&page, w.hint_nodes_);
  auto t = norm.Normalize(ValidUtf8(PickTitle(w.h1_, title, og)));
  if (t.ok()) {
    page.title = std::move(*t);
    std::replace(page.title.begin(), page.title.end(), '\n', ' ');
  }
  return page;
}

}  // namespace newsflow::clean
