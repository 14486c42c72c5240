// Hardened libxml2 parsing for untrusted feed and OPML documents.
//
// Every document newsflow reads from the network goes through ReadUntrustedXml:
// no network access, no DTD loading, no external entities (a global entity
// loader that refuses everything backs this up), and entity references are
// never substituted by the parser. Text is collected with CollectText, which
// expands internal entities one level deep only and stops at a byte budget, so
// a "billion laughs" document cannot make us allocate without bound even if
// libxml2's own amplification check let it through.
//
// Thread-safety: functions are safe to call from several threads.
#pragma once

#include <libxml/tree.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "newsflow/status.h"

namespace newsflow::feeds {

struct XmlDocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// Parses `bytes` as XML. `encoding_hint` is the HTTP charset, used only when
// the document itself declares none (no BOM, no encoding= in the declaration).
// kRejected for external entities, entity loops, and internal entity
// references that would add more text than the document holds (over 1 MiB).
// `cut_short`, when given, is set when the document ended early: cut off in
// an open element (a truncated transfer) or a parse libxml2 stopped (depth).
//
// Whatever the document, no element may carry more than kMaxXmlAttributes
// attributes, nor as many references to declared entities in its attribute
// values, and a DTD may declare no more attributes (kRejected): libxml2 2.9
// checks each new attribute against all the element's others, so 200,000
// attributes on one element of a 2 MB feed kept the parser busy for over two
// minutes, and each reference in a value is a node of its own (2.6 million
// `&e;` in one attribute of a 10 MiB feed took 440 MB).
Result<XmlDocPtr> ReadUntrustedXml(std::string_view bytes, std::string_view encoding_hint = {},
                                   bool* cut_short = nullptr);

inline constexpr size_t kMaxXmlAttributes = 256;
// Nodes a streamed document may hold at once (elements, attributes, text,
// entity references), about 150 bytes each.
inline constexpr size_t kMaxHeldXmlNodes = 200000;

// A document read element by element while it is parsed. As each element's
// end tag is read (children end before their parents), `take(element)` says
// whether it is done with; if so, `use(element)` reads it and it is freed at
// once. A feed of many items is then held one item at a time, and its memory
// follows the largest item, not the whole document (a 10 MiB feed of 2.6
// million empty elements took 370 MB as one tree). `take` must not read the
// element's text: `use` is called only after the element's entity
// references are found within the document's budget.
struct XmlElementStream {
  std::function<bool(const xmlNode* element)> take;
  std::function<void(const xmlNode* element)> use;
};

// ReadUntrustedXml, streamed: what is left of the tree is returned (the root
// and the elements `take` kept). Comments and processing instructions are
// not kept. kRejected, besides the above, when the document holds over
// kMaxHeldXmlNodes nodes at once (one item of millions of elements).
Result<XmlDocPtr> ReadUntrustedXml(std::string_view bytes, std::string_view encoding_hint, bool* cut_short,
                                   const XmlElementStream& stream);

// Whether `bytes` says its own encoding: a byte-order mark, or encoding= in
// the XML declaration.
bool XmlDeclaresEncoding(std::string_view bytes);

// Concatenated text of `node` and its descendants (CDATA included), at most
// `max_bytes` bytes, cut on a character boundary. Internal entity references
// are expanded from their declared literal text without recursion; external
// ones are dropped. Always valid UTF-8 (Utf8OrReplaced, newsflow/text.h).
std::string CollectText(const xmlNode* node, size_t max_bytes = 1 << 20);

// Local name equality that ignores the namespace prefix ("dc:date" -> "date").
bool NameIs(const xmlNode* node, std::string_view local);
// The namespace URI of `node` or "" when none.
std::string_view NsOf(const xmlNode* node);
// Attribute value (valid UTF-8) or "" when absent: the first attribute named
// `name` in any namespace, or in `ns_href` only when given. Entity references
// are expanded as CollectText expands them; at most `max_bytes`.
std::string Attr(const xmlNode* node, const char* name, const char* ns_href = nullptr,
                 size_t max_bytes = 64 * 1024);

}  // namespace newsflow::feeds
