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

// Bytes the internal entity references under `node` (element text and
// attribute values alike) add when expanded as CollectInto and Attr expand
// them: each reference once, by its literal text. Stops counting past `limit`.
size_t ReferencedEntityBytes(const xmlNode* node, size_t limit, int depth) {
  size_t total = 0;
  for (const xmlNode* c = node; c != nullptr && total <= limit; c = c->next) {
    if (c->type == XML_ENTITY_REF_NODE) {
      xmlEntityPtr ent = xmlGetDocEntity(c->doc, c->name);
      if (ent != nullptr && ent->etype == XML_INTERNAL_GENERAL_ENTITY && ent->content != nullptr) {
        total += std::strlen(reinterpret_cast<const char*>(ent->content));
      }
    } else if (c->type == XML_ELEMENT_NODE && depth < 256) {
      for (const xmlAttr* a = c->properties; a != nullptr && total <= limit; a = a->next) {
        total += ReferencedEntityBytes(a->children, limit - std::min(total, limit), depth + 1);
      }
      total += ReferencedEntityBytes(c->children, limit - std::min(total, limit), depth + 1);
    }
  }
  return total;
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

}  // namespace

bool XmlDeclaresEncoding(std::string_view bytes) { return DeclaresEncoding(bytes); }

Result<XmlDocPtr> ReadUntrustedXml(std::string_view bytes, std::string_view encoding_hint, bool* cut_short) {
  InitOnce();
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return Status::TooLarge("xml document over 2 GiB");
  std::string enc;
  if (!encoding_hint.empty() && !DeclaresEncoding(bytes)) enc.assign(encoding_hint);
  // Deliberately absent: XML_PARSE_NOENT (substitutes entities, loads external
  // ones), XML_PARSE_DTDLOAD/DTDATTR/DTDVALID, XML_PARSE_HUGE (lifts the
  // amplification and depth limits), XML_PARSE_XINCLUDE.
  const int options = XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT;
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return Status::Internal("libxml2: out of memory");
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt, bytes.data(), static_cast<int>(bytes.size()), nullptr,
                                    enc.empty() ? nullptr : enc.c_str(), options);
  std::string err;
  if (cut_short != nullptr) {
    // Recovery goes on past most slips; these two end the document early.
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    *cut_short = ctxt->disableSAX != 0 || (e != nullptr && e->code == XML_ERR_TAG_NOT_FINISHED);
  }
  if (const xmlError* e = xmlCtxtGetLastError(ctxt); e != nullptr && e->message != nullptr) {
    err = e->message;
    while (!err.empty() && std::isspace(static_cast<unsigned char>(err.back()))) err.pop_back();
    // Errors that mean someone tried something, not a sloppy feed: refuse.
    // (libxml2 2.9 reports amplification as an entity loop as well.)
    if (e->code == XML_ERR_ENTITY_LOOP) {
      if (doc != nullptr) xmlFreeDoc(doc);
      xmlFreeParserCtxt(ctxt);
      return Status::Rejected("xml entity expansion refused: " + err);
    }
  }
  xmlFreeParserCtxt(ctxt);
  if (doc == nullptr || xmlDocGetRootElement(doc) == nullptr) {
    if (doc != nullptr) xmlFreeDoc(doc);
    return Status::Corrupt("not XML" + (err.empty() ? std::string() : ": " + err));
  }
  // An external entity declaration in a news feed has no legitimate use; it
  // is an XXE probe. It was not loaded, but say so rather than parse on.
  if (doc->intSubset != nullptr) {
    for (xmlNode* n = doc->intSubset->children; n != nullptr; n = n->next) {
      if (n->type != XML_ENTITY_DECL) continue;
      auto* ent = reinterpret_cast<xmlEntity*>(n);
      if (ent->etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY ||
          ent->etype == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY ||
          ent->etype == XML_EXTERNAL_PARAMETER_ENTITY) {
        std::string name = ent->name ? reinterpret_cast<const char*>(ent->name) : "";
        xmlFreeDoc(doc);
        return Status::Rejected("xml declares external entity `" + name + "` (refused, not loaded)");
      }
    }
  }
  // libxml2 counts nested references, not their size: many references to
  // one large entity pass its check. Each expands where CollectText and Attr
  // read it, so a 150 KB feed gave 500 MB of item text and an attribute of
  // 1 MB of `&big;` kept the one thread of `watch` busy for minutes. A feed
  // has no use for references that add more than the document itself holds.
  const size_t limit = std::max<size_t>(bytes.size(), kMinEntityBudget);
  if (size_t added = ReferencedEntityBytes(xmlDocGetRootElement(doc), limit, 0); added > limit) {
    xmlFreeDoc(doc);
    return Status::Rejected("xml entity expansion refused: references add over " + std::to_string(limit) +
                            " bytes to a document of " + std::to_string(bytes.size()));
  }
  return XmlDocPtr(doc);
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
