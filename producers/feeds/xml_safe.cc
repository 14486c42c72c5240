#include "xml_safe.h"

#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

#include "newsflow/text.h"

namespace newsflow::feeds {
namespace {

// Below this, references may add any amount (declared HTML entities, a
// copyright line); above it, no more than the document's own size.
constexpr size_t kMinEntityBudget = 1 << 20;

// Refuses every external resource: DTDs, external entities, XInclude.
xmlParserInputPtr RefuseExternal(const char* url, const char* /*id*/, xmlParserCtxtPtr ctxt) {
  return nullptr;
}

// Feeds are full of small well-formedness slips; libxml2 would print each one
// to stderr by default. We report the first error through the Status instead.
void SilentErrors(void* /*ctx*/, const char* /*msg*/, ...) {}

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSetExternalEntityLoader(RefuseExternal);
    xmlSetGenericErrorFunc(nullptr, SilentErrors);
  });
}

bool DeclaresEncoding(std::string_view bytes) {
  if (bytes.size() >= 2 && ((bytes[0] == '\xFE' && bytes[1] == '\xFF') ||
                            (bytes[0] == '\xFF' && bytes[1] == '\xFE'))) {
    return true;
  }
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") return true;
  std::string_view head = bytes.substr(0, 256);
  if (head.substr(0, 5) != "<?xml") return false;
  size_t end = head.find("?>");
  return head.substr(0, end).find("encoding") != std::string_view::npos;
}

// Appends at most what fits in `max_bytes`, never cutting a UTF-8 character.
void AppendBounded(std::string& out, const char* s, size_t max_bytes) {
  if (s == nullptr || out.size() >= max_bytes) return;
  size_t n = std::strlen(s);
  if (n > max_bytes - out.size()) {
    n = max_bytes - out.size();
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  }
  out.append(s, n);
}

void CollectInto(const xmlNode* node, std::string& out, size_t max_bytes, int depth) {
  for (const xmlNode* c = node; c != nullptr && out.size() < max_bytes; c = c->next) {
    switch (c->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        AppendBounded(out, reinterpret_cast<const char*>(c->content), max_bytes);
        break;
      case XML_ELEMENT_NODE:
        // Depth is bounded by libxml2 (256 without XML_PARSE_HUGE); keep our
        // own bound too so a pathological tree cannot overflow the stack.
        if (depth < 256) CollectInto(c->children, out, max_bytes, depth + 1);
        break;
      case XML_ENTITY_REF_NODE: {
        // Only the literal text of an internal entity; never its expansion,
        // so nested references do not multiply.
        xmlEntityPtr ent = xmlGetDocEntity(c->doc, c->name);
        if (ent != nullptr && ent->etype == XML_INTERNAL_GENERAL_ENTITY) {
          AppendBounded(out, reinterpret_cast<const char*>(ent->content), max_bytes);
        }
        break;
      }
      default:
        break;
    }
  }
}

size_t ElementEntityBytes(const xmlNode* element, size_t limit, int depth);

// Bytes the internal entity references in the list of nodes from `node` on
// (element text and attribute values alike) add when expanded as CollectInto
// and Attr expand them: each reference once, by its literal text. Stops
// counting past `limit`.
size_t ReferencedEntityBytes(const xmlNode* node, size_t limit, int depth) {
  size_t total = 0;
  for (const xmlNode* c = node; c != nullptr && total <= limit; c = c->next) {
    if (c->type == XML_ENTITY_REF_NODE) {
      xmlEntityPtr ent = xmlGetDocEntity(c->doc, c->name);
      if (ent != nullptr && ent->etype == XML_INTERNAL_GENERAL_ENTITY && ent->content != nullptr) {
        total += std::strlen(reinterpret_cast<const char*>(ent->content));
      }
    } else if (c->type == XML_ELEMENT_NODE && depth < 256) {
      total += ElementEntityBytes(c, limit - std::min(total, limit), depth);
    }
  }
  return total;
}

// The same for one element: its attributes' values and its content.
size_t ElementEntityBytes(const xmlNode* element, size_t limit, int depth) {
  size_t total = 0;
  for (const xmlAttr* a = element->properties; a != nullptr && total <= limit; a = a->next) {
    total += ReferencedEntityBytes(a->children, limit - std::min(total, limit), depth + 1);
  }
  return total + ReferencedEntityBytes(element->children, limit - std::min(total, limit), depth + 1);
}

const xmlAttr* FindAttr(const xmlNode* node, const char* name, const char* ns_href) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return nullptr;
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->name == nullptr || std::strcmp(reinterpret_cast<const char*>(a->name), name) != 0) continue;
    if (ns_href != nullptr &&
        (a->ns == nullptr || a->ns->href == nullptr ||
         std::strcmp(reinterpret_cast<const char*>(a->ns->href), ns_href) != 0)) {
      continue;
    }
    return a;
  }
  return nullptr;
}

bool IsPredefinedReference(std::string_view at) {
  for (std::string_view p : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
    if (at.substr(0, p.size()) == p) return true;
  }
  return false;
}

// The most attributes one tag of `text` carries: '=' outside quotes between
// a tag's '<' and its '>' (an attribute, or a namespace declaration, each
// checked by libxml2 2.9 against all the tag's others), and references to
// declared entities inside its quoted values (each a node of the value).
// Comments, CDATA sections and processing instructions are skipped as
// libxml2 skips them. An entity's value, parsed as markup where it is
// referenced, is scanned where it is declared (GuardEntityDecl). Linear.
size_t MostAttributesInATag(std::string_view text) {
  size_t most = 0;
  size_t i = 0;
  const size_t n = text.size();
  auto skip_past = [&](size_t from, std::string_view end) {
    size_t e = text.find(end, from);
    return e == std::string_view::npos ? n : e + end.size();
  };
  while ((i = text.find('<', i)) != std::string_view::npos) {
    std::string_view rest = text.substr(i);
    if (rest.substr(0, 4) == "<!--") {
      i = skip_past(i + 4, "-->");
      continue;
    }
    if (rest.substr(0, 9) == "<![CDATA[") {
      i = skip_past(i + 9, "]]>");
      continue;
    }
    if (rest.substr(0, 2) == "<?") {
      i = skip_past(i + 2, "?>");
      continue;
    }
    size_t count = 0;
    char quote = 0;
    size_t j = i + 1;
    for (; j < n; ++j) {
      const char c = text[j];
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '&' && j + 1 < n && text[j + 1] != '#' && !IsPredefinedReference(text.substr(j))) {
          ++count;  // a reference in a value: one node each, with the value's text between them
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '=') {
        ++count;
      } else if (c == '>' || c == '<') {
        break;  // the tag's end, or (no quote open) a new tag: XML has no '<' inside a tag
      }
    }
    most = std::max(most, count);
    i = (j < n && text[j] == '>') ? j + 1 : j;
  }
  return most;
}

// What the SAX hooks of a parse keep between calls (the parser context's _private).
struct ParseGuard {
  xmlSAXHandler original;        // libxml2's own tree-building handlers
  const XmlElementStream* stream = nullptr;
  size_t document_bytes = 0;
  size_t entity_budget = 0;      // bytes internal entity references may add
  size_t entity_bytes = 0;       // ... already added by the elements streamed out
  size_t held = 0;               // nodes in the tree now (streamed parses)
  size_t declared_attributes = 0;
  bool checked_subset = false;
  std::string rejected;          // why the parse was stopped, when it was
};

ParseGuard* GuardOf(void* ctx) {
  return static_cast<ParseGuard*>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
}

void Reject(void* ctx, std::string why) {
  ParseGuard* g = GuardOf(ctx);
  if (g->rejected.empty()) g->rejected = std::move(why);
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

// An entity's value is parsed as markup where it is referenced: its tags
// count as the document's own.
void GuardEntityDecl(void* ctx, const xmlChar* name, int type, const xmlChar* public_id, const xmlChar* system_id,
                     xmlChar* content) {
  if (content != nullptr &&
      MostAttributesInATag(reinterpret_cast<const char*>(content)) > kMaxXmlAttributes) {
    return Reject(ctx, "xml entity `" + std::string(name ? reinterpret_cast<const char*>(name) : "") +
                           "` holds a tag of over " + std::to_string(kMaxXmlAttributes) + " attributes");
  }
  ParseGuard* g = GuardOf(ctx);
  if (g->original.entityDecl != nullptr) g->original.entityDecl(ctx, name, type, public_id, system_id, content);
}

// Declared attribute defaults are added to every element of their name, each
// checked against the element's others as written ones are.
void GuardAttributeDecl(void* ctx, const xmlChar* elem, const xmlChar* name, int type, int def,
                        const xmlChar* default_value, xmlEnumerationPtr tree) {
  ParseGuard* g = GuardOf(ctx);
  if (++g->declared_attributes > kMaxXmlAttributes) {
    xmlFreeEnumeration(tree);  // the handler owns it
    return Reject(ctx, "xml DTD declares over " + std::to_string(kMaxXmlAttributes) + " attributes");
  }
  if (g->original.attributeDecl != nullptr) {
    g->original.attributeDecl(ctx, elem, name, type, def, default_value, tree);
  } else {
    xmlFreeEnumeration(tree);
  }
}

// Nodes of `node`'s subtree (itself, its attributes and their text included).
size_t SubtreeNodes(const xmlNode* node, int depth) {
  size_t n = 1;
  if (node->type == XML_ELEMENT_NODE && depth < 300) {
    for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) n += 2;
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) n += SubtreeNodes(c, depth + 1);
  }
  return n;
}

void CountHeld(void* ctx, size_t nodes) {
  ParseGuard* g = GuardOf(ctx);
  if (g->stream == nullptr) return;
  g->held += nodes;
  if (g->held > kMaxHeldXmlNodes && g->rejected.empty()) {
    Reject(ctx, "xml document holds over " + std::to_string(kMaxHeldXmlNodes) +
                    " nodes in one item (or outside the items)");
  }
}

void GuardStartElementNs(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri,
                         int nb_namespaces, const xmlChar** namespaces, int nb_attributes, int nb_defaulted,
                         const xmlChar** attributes) {
  ParseGuard* g = GuardOf(ctx);
  g->original.startElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
                             attributes);
  CountHeld(ctx, 1 + 2 * static_cast<size_t>(nb_attributes));
}

// Calls libxml2's own handler; counts the node it adds to the element being
// read, if any (text after text, and a CDATA section after another, are
// appended to the last one).
template <typename Call>
void CountingAdded(void* ctx, Call call) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  xmlNodePtr parent = ctxt->node;
  xmlNodePtr before = parent != nullptr ? parent->last : nullptr;
  call();
  if (parent != nullptr && parent->last != before) CountHeld(ctx, 1);
}

void GuardCharacters(void* ctx, const xmlChar* ch, int len) {
  CountingAdded(ctx, [&] { GuardOf(ctx)->original.characters(ctx, ch, len); });
}

void GuardCdataBlock(void* ctx, const xmlChar* value, int len) {
  CountingAdded(ctx, [&] { GuardOf(ctx)->original.cdataBlock(ctx, value, len); });
}

void GuardReference(void* ctx, const xmlChar* name) {
  CountingAdded(ctx, [&] { GuardOf(ctx)->original.reference(ctx, name); });
}

// An external entity declaration in a news feed has no legitimate use; it is
// an XXE probe. It is never loaded, but the document is refused.
std::string ExternalEntityDeclared(const xmlDoc* doc) {
  if (doc == nullptr || doc->intSubset == nullptr) return {};
  for (xmlNode* n = doc->intSubset->children; n != nullptr; n = n->next) {
    if (n->type != XML_ENTITY_DECL) continue;
    auto* ent = reinterpret_cast<xmlEntity*>(n);
    if (ent->etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY || ent->etype == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY ||
        ent->etype == XML_EXTERNAL_PARAMETER_ENTITY) {
      std::string name = ent->name ? reinterpret_cast<const char*>(ent->name) : "";
      return "xml declares external entity `" + name + "` (refused, not loaded)";
    }
  }
  return {};
}

std::string EntityBudgetExceeded(size_t limit, size_t document_bytes) {
  return "xml entity expansion refused: references add over " + std::to_string(limit) +
         " bytes to a document of " + std::to_string(document_bytes);
}

void GuardEndElementNs(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  ParseGuard* g = GuardOf(ctx);
  xmlNodePtr element = ctxt->node;
  g->original.endElementNs(ctx, localname, prefix, uri);
  if (g->stream == nullptr || element == nullptr || element->type != XML_ELEMENT_NODE ||
      ctxt->node == element || !g->rejected.empty() || ctxt->disableSAX != 0) {
    return;
  }
  if (!g->checked_subset) {
    g->checked_subset = true;
    if (std::string why = ExternalEntityDeclared(ctxt->myDoc); !why.empty()) return Reject(ctx, std::move(why));
  }
  if (element == xmlDocGetRootElement(ctxt->myDoc) || !g->stream->take(element)) return;
  // Its references, counted as the whole-document check counts them, before
  // anything reads them.
  const size_t limit = g->entity_budget;
  g->entity_bytes += ElementEntityBytes(element, limit, 0);
  if (g->entity_bytes > limit) return Reject(ctx, EntityBudgetExceeded(limit, g->document_bytes));
  g->stream->use(element);
  const size_t nodes = SubtreeNodes(element, 0);
  g->held -= std::min(g->held, nodes);
  xmlUnlinkNode(element);
  xmlFreeNode(element);
  // The text before the element is the parent's last child again. libxml2
  // appends the text that follows to a last text child in place, by the
  // length it kept of the text it made last (nodelen, nodemem), which is not
  // this one: a stale length wrote past the node's buffer. 0 makes it append
  // with xmlTextConcat, which measures the node's own text.
  ctxt->nodemem = 0;
  ctxt->nodelen = 0;
}

}  // namespace

bool XmlDeclaresEncoding(std::string_view bytes) { return DeclaresEncoding(bytes); }

namespace {

Result<XmlDocPtr> Read(std::string_view bytes, std::string_view encoding_hint, bool* cut_short,
                       const XmlElementStream* stream) {
  InitOnce();
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return Status::TooLarge("xml document over 2 GiB");
  if (MostAttributesInATag(bytes) > kMaxXmlAttributes) {
    return Status::Rejected("xml element with over " + std::to_string(kMaxXmlAttributes) +
                            " attributes (or entity references in their values) refused");
  }
  std::string enc;
  if (!encoding_hint.empty() && !DeclaresEncoding(bytes)) enc.assign(encoding_hint);
  // Deliberately absent: XML_PARSE_NOENT (substitutes entities, loads external
  // ones), XML_PARSE_DTDLOAD/DTDATTR/DTDVALID, XML_PARSE_HUGE (lifts the
  // amplification and depth limits), XML_PARSE_XINCLUDE.
  const int options = XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT;
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return Status::Internal("libxml2: out of memory");
  // A feed has no use for a DTD's attribute defaults or entity values of
  // thousands of attributes, nor for comments and processing instructions
  // (not kept: nodes of no use, 7 bytes of `<!---->` made one); a streamed
  // document is also taken apart as it is read (GuardEndElementNs).
  ParseGuard guard;
  guard.original = *ctxt->sax;
  guard.stream = stream;
  guard.document_bytes = bytes.size();
  guard.entity_budget = std::max<size_t>(bytes.size(), kMinEntityBudget);
  ctxt->_private = &guard;
  xmlSAXHandler* sax = ctxt->sax;
  sax->entityDecl = GuardEntityDecl;
  sax->attributeDecl = GuardAttributeDecl;
  sax->comment = nullptr;
  sax->processingInstruction = nullptr;
  if (stream != nullptr && sax->startElementNs != nullptr && sax->endElementNs != nullptr &&
      sax->characters != nullptr && sax->cdataBlock != nullptr && sax->reference != nullptr) {
    sax->startElementNs = GuardStartElementNs;
    sax->endElementNs = GuardEndElementNs;
    sax->characters = GuardCharacters;
    sax->cdataBlock = GuardCdataBlock;
    sax->reference = GuardReference;
  }
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt, bytes.data(), static_cast<int>(bytes.size()), nullptr,
                                    enc.empty() ? nullptr : enc.c_str(), options);
  std::string err;
  if (cut_short != nullptr) {
    // Recovery goes on past most slips; these two end the document early.
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    *cut_short = ctxt->disableSAX != 0 || (e != nullptr && e->code == XML_ERR_TAG_NOT_FINISHED);
  }
  const xmlError* last = xmlCtxtGetLastError(ctxt);
  if (guard.rejected.empty() && last != nullptr && last->message != nullptr) {
    err = last->message;
    while (!err.empty() && std::isspace(static_cast<unsigned char>(err.back()))) err.pop_back();
    // Errors that mean someone tried something, not a sloppy feed: refuse.
    // (libxml2 2.9 reports amplification as an entity loop as well.)
    if (last->code == XML_ERR_ENTITY_LOOP) {
      if (doc != nullptr) xmlFreeDoc(doc);
      xmlFreeParserCtxt(ctxt);
      return Status::Rejected("xml entity expansion refused: " + err);
    }
  }
  xmlFreeParserCtxt(ctxt);  // the handlers were its own copy
  if (!guard.rejected.empty()) {
    if (doc != nullptr) xmlFreeDoc(doc);
    return Status::Rejected(guard.rejected);
  }
  if (doc == nullptr || xmlDocGetRootElement(doc) == nullptr) {
    if (doc != nullptr) xmlFreeDoc(doc);
    return Status::Corrupt("not XML" + (err.empty() ? std::string() : ": " + err));
  }
  if (std::string why = ExternalEntityDeclared(doc); !why.empty()) {
    xmlFreeDoc(doc);
    return Status::Rejected(why);
  }
  // libxml2 counts nested references, not their size: many references to
  // one large entity pass its check. Each expands where CollectText and Attr
  // read it, so a 150 KB feed gave 500 MB of item text and an attribute of
  // 1 MB of `&big;` kept the one thread of `watch` busy for minutes. A feed
  // has no use for references that add more than the document itself holds.
  // (What was streamed out was counted before it was read.)
  const size_t limit = guard.entity_budget;
  if (guard.entity_bytes + ReferencedEntityBytes(xmlDocGetRootElement(doc), limit, 0) > limit) {
    xmlFreeDoc(doc);
    return Status::Rejected(EntityBudgetExceeded(limit, bytes.size()));
  }
  return XmlDocPtr(doc);
}

}  // namespace

Result<XmlDocPtr> ReadUntrustedXml(std::string_view bytes, std::string_view encoding_hint, bool* cut_short) {
  return Read(bytes, encoding_hint, cut_short, nullptr);
}

Result<XmlDocPtr> ReadUntrustedXml(std::string_view bytes, std::string_view encoding_hint, bool* cut_short,
                                   const XmlElementStream& stream) {
  return Read(bytes, encoding_hint, cut_short, &stream);
}

std::string CollectText(const xmlNode* node, size_t max_bytes) {
  std::string out;
  if (node == nullptr) return out;
  if (node->type == XML_ELEMENT_NODE) {
    CollectInto(node->children, out, max_bytes, 0);
  } else {
    CollectInto(node, out, max_bytes, 0);
  }
  return Utf8OrReplaced(std::move(out));
}

bool NameIs(const xmlNode* node, std::string_view local) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->name != nullptr &&
         local == reinterpret_cast<const char*>(node->name);
}

std::string_view NsOf(const xmlNode* node) {
  if (node == nullptr || node->ns == nullptr || node->ns->href == nullptr) return {};
  return reinterpret_cast<const char*>(node->ns->href);
}

std::string Attr(const xmlNode* node, const char* name, const char* ns_href, size_t max_bytes) {
  // Not xmlGetProp: it expands entity references in full (nested ones too,
  // by repeated concatenation) and adds DTD defaults. The value is read as
  // element text is, with the same one-level expansion and a byte budget.
  const xmlAttr* a = FindAttr(node, name, ns_href);
  if (a == nullptr) return {};
  std::string out;
  CollectInto(a->children, out, max_bytes, 0);
  return Utf8OrReplaced(std::move(out));
}

}  // namespace newsflow::feeds
