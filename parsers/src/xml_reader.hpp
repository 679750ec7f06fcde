// XML loading with recovery, namespace resolution by URI, and text extraction: what the
// RSS and Atom mappers share.
#pragma once

#include <pugixml.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/feed.hpp"
#include "tinhop/parsers/memory_budget.hpp"
#include "tinhop/parsers/model.hpp"

namespace tinhop::xml {

// Namespaces the mappers care about, identified by URI (never by prefix).
enum class Ns : unsigned char {
  none,  // no namespace
  other,
  atom10,
  atom03,
  rss10,
  rss090,
  rdf,
  dc,
  dcterms,
  content,
  media,
  itunes,
  slash,
  wfw,
  sy,
  xhtml,
  feedburner,
  googleplay,  // Google Play podcasts
  podcast,     // Podcasting 2.0 (podcastindex.org)
  georss,
  geo,  // W3C Basic Geo (geo:lat, geo:long)
  gml,
  admin,  // admin:generatorAgent
};

// The namespace a URI names.
Ns classify_namespace(std::string_view uri);

// The namespace of an element, from xmlns declarations on it and its ancestors.
Ns namespace_of(pugi::xml_node element);

// namespace_of for the many lookups of one document's mapping: the siblings under one
// parent share the walk to the declarations above them, done for the first of them only.
// Holds views into the document's names: use it while the document lives.
class NamespaceCache {
 public:
  struct Resolved {
    Ns ns = Ns::none;
    bool declared = false;  // false: no xmlns in scope; `ns` is the prefix's conventional reading
  };
  // An element's name read once: its namespace and both halves of the name.
  struct Name {
    Resolved resolved;
    std::string_view prefix;  // "" when unprefixed
    std::string_view local;
  };

  Ns of(pugi::xml_node element);
  Name read(pugi::xml_node element);

 private:
  Resolved lookup(pugi::xml_node element, std::string_view prefix);
  Resolved walk(pugi::xml_node scope, std::string_view prefix);
  struct Entry {
    const void* scope = nullptr;  // the parent the walk started from
    std::string_view prefix;
    Resolved resolved;
  };
  struct RootDeclaration {
    std::string_view prefix;  // "" for xmlns=
    Resolved resolved;
  };
  std::array<Entry, 16> entries_{};
  pugi::xml_node root_;  // the document element, once a walk has needed it
  std::vector<RootDeclaration> root_declarations_;
};

// The namespace URI of an element as declared ("" when none is in scope).
std::string_view namespace_uri(pugi::xml_node element);

// The name without its prefix.
std::string_view local_name(pugi::xml_node element);

// True when the element is {ns}local.
bool is(pugi::xml_node element, Ns ns, std::string_view local);

// An attribute by local name, ignoring any prefix (xml:base, rdf:about ...).
pugi::xml_attribute attribute(pugi::xml_node element, std::string_view local);

// An attribute's value with entities decoded.
std::string attribute_value(pugi::xml_node element, std::string_view local);

// Text of an element: its character data with entities decoded and CDATA kept verbatim,
// child elements serialized back to markup (HTML inside RSS descriptions). Not trimmed.
std::string inner_text(pugi::xml_node element);

// Text of a value that is one plain string (an RSS <category>): its character data and
// the text of child elements that hold only text (markup around it, `<p>Term</p>`); a
// child holding elements is a record of its own (an <image> with its <url>) and is left
// out, unless nothing else is there. Entities decoded, CDATA verbatim, not trimmed.
std::string term_text(pugi::xml_node element);

// The markup of an element's children (Atom xhtml content); xhtml prefixes dropped.
std::string inner_xml(pugi::xml_node element);

struct LoadedXml {
  pugi::xml_document document;
  ParsePath path = ParsePath::strict;
  std::vector<std::string> warnings;
  bool ok = false;
  bool out_of_memory = false;           // the tree did not fit in the budget: nothing was read
  std::optional<ParseFailure> failure;  // a limit refused the document
};

// Strict pugixml over UTF-8 `text`, copied into the document. The caller holds a
// PugixmlBudgetScope: a tree that outgrows it sets `out_of_memory` and is dropped. What
// pugixml lets through but XML forbids (tolerated_errors) makes the path `repaired`, with
// its warnings.
pugi::xml_parse_result load_strict(std::string_view text, LoadedXml& loaded);

// The same in `buffer` itself (no copy): it must outlive the document, and what it holds
// afterwards is no longer the text, whether or not the parse succeeded.
pugi::xml_parse_result load_strict_in_place(std::string& buffer, LoadedXml& loaded);

// After the strict parse of `text` failed (not for want of memory): a repairing pre-pass,
// then a tolerant tag-soup reader. `ok` is false when not even an element could be read.
// The repaired copy is charged to `budget`, which the scope's tree charges too.
void recover(std::string_view text, const pugi::xml_parse_result& strict, LoadedXml& loaded,
             const ParseLimits& limits, MemoryBudget& budget);

}  // namespace tinhop::xml
