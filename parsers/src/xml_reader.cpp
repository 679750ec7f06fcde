#include "xml_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "tinhop/parsers/text.hpp"
#include "xml_repair.hpp"

namespace tinhop::xml {
namespace {

struct KnownNamespace {
  std::string_view uri;
  Ns ns;
};

constexpr std::array<KnownNamespace, 35> known_namespaces = {{
    {"http://www.w3.org/2005/Atom", Ns::atom10},
    {"http://purl.org/atom/ns#", Ns::atom03},
    {"http://purl.org/rss/1.0/", Ns::rss10},
    {"http://my.netscape.com/rdf/simple/0.9/", Ns::rss090},
    {"http://channel.netscape.com/rdf/simple/0.9/", Ns::rss090},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::rdf},
    {"http://purl.org/dc/elements/1.1/", Ns::dc},
    {"http://purl.org/dc/elements/1.0/", Ns::dc},
    {"http://purl.org/dc/terms/", Ns::dcterms},
    {"http://purl.org/rss/1.0/modules/content/", Ns::content},
    {"http://search.yahoo.com/mrss/", Ns::media},
    {"http://search.yahoo.com/mrss", Ns::media},
    {"http://video.search.yahoo.com/mrss", Ns::media},
    {"http://video.search.yahoo.com/mrss/", Ns::media},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", Ns::itunes},
    {"http://www.itunes.com/DTDs/Podcast-1.0.dtd", Ns::itunes},
    {"https://www.itunes.com/dtds/podcast-1.0.dtd", Ns::itunes},
    {"http://example.com/DTDs/PodCast-1.0.dtd", Ns::itunes},  // in feedparser's list: feeds copied it
    {"http://purl.org/rss/1.0/modules/slash/", Ns::slash},
    {"http://wellformedweb.org/CommentAPI/", Ns::wfw},
    {"http://purl.org/rss/1.0/modules/syndication/", Ns::sy},
    {"http://www.w3.org/1999/xhtml", Ns::xhtml},
    {"http://rssnamespace.org/feedburner/ext/1.0", Ns::feedburner},
    {"http://backend.userland.com/rss2", Ns::none},
    {"http://blogs.law.harvard.edu/tech/rss", Ns::none},
    {"http://purl.org/net/rss1.1#", Ns::rss10},
    {"http://www.w3.org/2005/Atom/", Ns::atom10},
    {"http://www.google.com/schemas/play-podcasts/1.0", Ns::googleplay},
    {"https://podcastindex.org/namespace/1.0", Ns::podcast},
    // The namespace's first address, still declared by many podcast hosts.
    {"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md", Ns::podcast},
    {"http://www.georss.org/georss", Ns::georss},
    {"http://www.w3.org/2003/01/geo/wgs84_pos#", Ns::geo},
    {"http://www.opengis.net/gml", Ns::gml},
    {"http://webns.net/mvcb/", Ns::admin},
}};

}  // namespace

Ns classify_namespace(std::string_view uri) {
  // UserLand and Harvard namespaced RSS 2.0 under several version suffixes, and some
  // feeds declare the spec's own address.
  for (const std::string_view rss2 :
       {"http://backend.userland.com/rss", "http://blogs.law.harvard.edu/tech/rss",
        "https://cyber.harvard.edu/rss", "http://cyber.harvard.edu/rss", "https://cyber.law.harvard.edu/rss",
        "http://cyber.law.harvard.edu/rss", "https://www.rssboard.org/rss-specification",
        "http://www.rssboard.org/rss-specification"}) {
    if (uri.starts_with(rss2)) return Ns::none;
  }
  // Case-insensitive: publishers retype these by hand (iTunes' "PodCast-1.0.dtd").
  const auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (const KnownNamespace& known : known_namespaces) {
    if (known.uri == uri) return known.ns;
  }
  for (const KnownNamespace& known : known_namespaces) {
    if (same(known.uri, uri)) return known.ns;
  }
  return uri.empty() ? Ns::none : Ns::other;
}

namespace {

// Serializes with character data kept as written (the reader does not decode entities,
// so raw text is already markup) and CDATA escaped.
void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out.push_back(c);
    }
  }
}

// HTML elements without end tags; every other element is written <x></x> even when empty,
// since HTML reads <x /> as a start tag only.
bool is_void_element(std::string_view name) {
  static constexpr std::array<std::string_view, 14> names = {"area",  "base",   "br",    "col",  "embed",
                                                             "hr",    "img",    "input", "link", "meta",
                                                             "param", "source", "track", "wbr"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Deeply nested markup is flattened past this depth rather than recursed into.
constexpr int max_serialize_depth = 200;

void append_text_iteratively(std::string& out, pugi::xml_node root) {
  out.append(root.value());  // an element's leading text (see load)
  pugi::xml_node node = root.first_child();
  while (node) {
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_element) out.append(node.value());
    if (node.type() == pugi::node_cdata) append_escaped(out, node.value());
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node != root && !node.next_sibling()) node = node.parent();
    node = node == root ? pugi::xml_node() : node.next_sibling();
  }
}

void serialize(std::string& out, pugi::xml_node node, int depth) {
  if (node.type() == pugi::node_element) out.append(node.value());  // its leading text (see load)
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    switch (child.type()) {
      case pugi::node_pcdata: out.append(child.value()); break;
      case pugi::node_cdata: append_escaped(out, child.value()); break;
      case pugi::node_element: {
        if (depth >= max_serialize_depth) {
          append_text_iteratively(out, child);
          break;
        }
        // Markup in a foreign namespace (SVG, MathML) is written the way HTML expects it:
        // unprefixed, with its namespace declared where it starts.
        const std::string_view name = local_name(child);
        out.push_back('<');
        out.append(name);
        const Ns ns = namespace_of(child);
        if (ns == Ns::other) {
          const std::string_view uri = namespace_uri(child);
          if (uri != namespace_uri(node)) {
            out += " xmlns=\"";
            out.append(uri);
            out.push_back('"');
          }
        }
        for (pugi::xml_attribute attr : child.attributes()) {
          const std::string_view attr_name = attr.name();
          if (attr_name == "xmlns" || attr_name.starts_with("xmlns:")) continue;
          if (const std::size_t colon = attr_name.find(':');
              colon != std::string_view::npos && !attr_name.starts_with("xml:")) {
            const std::string declaration = "xmlns:" + std::string(attr_name.substr(0, colon));
            for (pugi::xml_node scope = child; scope; scope = scope.parent()) {
              if (const pugi::xml_attribute declared = scope.attribute(declaration.c_str())) {
                out += " " + declaration + "=\"";
                out.append(declared.value());
                out.push_back('"');
                break;
              }
            }
          }
          out.push_back(' ');
          out.append(attr_name);
          out += "=\"";
          for (const char c : std::string_view(attr.value())) {
            if (c == '"') {
              out += "&quot;";
            } else {
              out.push_back(c);
            }
          }
          out.push_back('"');
        }
        if (!child.first_child() && *child.value() == '\0' && is_void_element(name)) {
          out += " />";
          break;
        }
        out.push_back('>');
        serialize(out, child, depth + 1);
        out += "</";
        out.append(name);
        out.push_back('>');
        break;
      }
      default: break;
    }
  }
}

}  // namespace

std::string_view local_name(pugi::xml_node element) {
  const std::string_view name = element.name();
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view namespace_uri(pugi::xml_node element) {
  const std::string_view name = element.name();
  const std::size_t colon = name.find(':');
  std::string key = "xmlns";
  if (colon != std::string_view::npos) key.append(":").append(name.substr(0, colon));
  for (pugi::xml_node node = element; node && node.type() == pugi::node_element; node = node.parent()) {
    if (pugi::xml_attribute declaration = node.attribute(key.c_str())) return declaration.value();
  }
  return {};
}

namespace {

// The prefix of a qualified name; empty for none (the default namespace).
std::string_view prefix_of(std::string_view qualified_name) {
  const std::size_t colon = qualified_name.find(':');
  return colon == std::string_view::npos ? std::string_view() : qualified_name.substr(0, colon);
}

// What the xmlns attribute on `node` itself declaring `prefix` names, if there is one.
std::optional<NamespaceCache::Resolved> declared_on(pugi::xml_node node, std::string_view prefix) {
  for (pugi::xml_attribute attribute = node.first_attribute(); attribute;
       attribute = attribute.next_attribute()) {
    const char* name = attribute.name();
    if (std::strncmp(name, "xmlns", 5) != 0) continue;
    if (prefix.empty() ? name[5] == '\0' : name[5] == ':' && prefix == std::string_view(name + 6)) {
      return NamespaceCache::Resolved{classify_namespace(attribute.value()), true};
    }
  }
  return std::nullopt;
}

// An undeclared prefix is read by its conventional meaning rather than lose the element,
// in any case (<DC:creator> beside xmlns:dc).
NamespaceCache::Resolved undeclared(std::string_view written) {
  if (written.empty()) return {Ns::none, false};
  std::array<char, 8> folded{};
  if (written.size() > folded.size()) return {Ns::other, false};
  std::transform(written.begin(), written.end(), folded.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  const std::string_view prefix(folded.data(), written.size());
  if (prefix == "dc") return {Ns::dc, false};
  if (prefix == "content") return {Ns::content, false};
  if (prefix == "media") return {Ns::media, false};
  if (prefix == "atom") return {Ns::atom10, false};
  if (prefix == "itunes") return {Ns::itunes, false};
  if (prefix == "rdf") return {Ns::rdf, false};
  if (prefix == "slash") return {Ns::slash, false};
  if (prefix == "dcterms") return {Ns::dcterms, false};
  if (prefix == "googleplay") return {Ns::googleplay, false};
  if (prefix == "podcast") return {Ns::podcast, false};
  if (prefix == "georss") return {Ns::georss, false};
  return {Ns::other, false};
}

// The nearest declaration of `prefix` on `scope` or an element above it, walking up to
// but not into `stop` (none: to the top).
std::optional<NamespaceCache::Resolved> declared_from(pugi::xml_node scope, std::string_view prefix,
                                                      pugi::xml_node stop = {}) {
  for (pugi::xml_node node = scope; node && node.type() == pugi::node_element && node != stop;
       node = node.parent()) {
    if (auto declared = declared_on(node, prefix)) return declared;
  }
  return std::nullopt;
}

}  // namespace

Ns namespace_of(pugi::xml_node element) {
  const std::string_view prefix = prefix_of(element.name());
  return declared_from(element, prefix).value_or(undeclared(prefix)).ns;
}

Ns NamespaceCache::of(pugi::xml_node element) {
  return lookup(element, prefix_of(element.name())).ns;
}

NamespaceCache::Name NamespaceCache::read(pugi::xml_node element) {
  const std::string_view name = element.name();
  const std::size_t colon = name.find(':');
  const std::string_view prefix =
      colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
  return {lookup(element, prefix), prefix, colon == std::string_view::npos ? name : name.substr(colon + 1)};
}

NamespaceCache::Resolved NamespaceCache::lookup(pugi::xml_node element, std::string_view prefix) {
  if (auto declared = declared_on(element, prefix)) return *declared;
  const pugi::xml_node parent = element.parent();
  const void* scope = parent.internal_object();
  // Fibonacci hashing of the node's address and the prefix: the top 4 bits pick one of 16.
  const std::uint64_t mixed = (reinterpret_cast<std::uintptr_t>(scope) + prefix.size() * 131U +
                               (prefix.empty() ? 0U : static_cast<unsigned char>(prefix[0]))) *
                              0x9E3779B97F4A7C15ULL;
  Entry& entry = entries_[static_cast<std::size_t>(mixed >> 60U)];
  if (entry.scope == scope && entry.prefix == prefix) return entry.resolved;
  entry = Entry{scope, prefix, walk(parent, prefix)};
  return entry.resolved;
}

// The declaration in scope at `scope`, with the document element's declarations (where
// feeds put them all) read once: every first child of a new item walks up to them.
NamespaceCache::Resolved NamespaceCache::walk(pugi::xml_node scope, std::string_view prefix) {
  if (!root_) {
    root_ = scope.root().first_child();
    while (root_ && root_.type() != pugi::node_element) root_ = root_.next_sibling();
    for (pugi::xml_attribute attribute = root_.first_attribute(); attribute;
         attribute = attribute.next_attribute()) {
      const std::string_view name = attribute.name();
      if (!name.starts_with("xmlns") || (name.size() > 5 && name[5] != ':')) continue;
      const std::string_view declared = name.size() > 5 ? name.substr(6) : std::string_view();
      if (std::none_of(root_declarations_.begin(), root_declarations_.end(),
                       [&](const RootDeclaration& known) { return known.prefix == declared; })) {
        root_declarations_.push_back({declared, {classify_namespace(attribute.value()), true}});
      }
    }
  }
  if (auto declared = declared_from(scope, prefix, root_)) return *declared;
  for (const RootDeclaration& known : root_declarations_) {
    if (known.prefix == prefix) return known.resolved;
  }
  return undeclared(prefix);
}

bool is(pugi::xml_node element, Ns ns, std::string_view local) {
  return local_name(element) == local && namespace_of(element) == ns;
}

pugi::xml_attribute attribute(pugi::xml_node element, std::string_view local) {
  for (pugi::xml_attribute attr : element.attributes()) {
    std::string_view name = attr.name();
    if (name.starts_with("xmlns")) continue;
    if (const std::size_t colon = name.find(':'); colon != std::string_view::npos)
      name.remove_prefix(colon + 1);
    if (name == local) return attr;
  }
  return {};
}

std::string attribute_value(pugi::xml_node element, std::string_view local) {
  const pugi::xml_attribute attr = attribute(element, local);
  const std::string_view raw = attr.value();
  return raw.find('&') == std::string_view::npos ? std::string(raw) : decode_entities(raw);
}

std::string inner_text(pugi::xml_node element) {
  // Leading text is the element's own value (see load); the usual element holds nothing else.
  const std::string_view own = element.value();
  pugi::xml_node child = element.first_child();
  if (!child) return own.find('&') == std::string_view::npos ? std::string(own) : decode_entities(own);
  // One text or CDATA node (a tag-soup document, or CDATA), without intermediate copies.
  if (own.empty() && !child.next_sibling()) {
    const std::string_view value = child.value();
    if (child.type() == pugi::node_cdata) return std::string(value);
    if (child.type() == pugi::node_pcdata) {
      return value.find('&') == std::string_view::npos ? std::string(value) : decode_entities(value);
    }
  }
  bool has_elements = false;
  for (pugi::xml_node node = child; node; node = node.next_sibling()) {
    has_elements = has_elements || node.type() == pugi::node_element;
  }
  if (has_elements) return inner_xml(element);
  std::string out = decode_entities(own);
  for (pugi::xml_node node = child; node; node = node.next_sibling()) {
    if (node.type() == pugi::node_cdata) {
      out.append(node.value());
    } else if (node.type() == pugi::node_pcdata) {
      out.append(decode_entities(node.value()));
    }
  }
  return out;
}

namespace {

// A node's own character data: an element's is its leading text (see load).
void append_own_text(pugi::xml_node node, std::string& out) {
  if (node.type() == pugi::node_cdata) {
    out.append(node.value());
  } else if (node.type() == pugi::node_pcdata || node.type() == pugi::node_element) {
    out.append(decode_entities(node.value()));
  }
}

bool has_child_element(pugi::xml_node node) {
  return node.find_child([](pugi::xml_node child) { return child.type() == pugi::node_element; });
}

// Every text below `element`, in document order; a loop, not recursion, since a
// document may nest elements thousands deep.
std::string descendant_text(pugi::xml_node element) {
  std::string out;
  append_own_text(element, out);
  pugi::xml_node node = element.first_child();
  while (node && node != element) {
    append_own_text(node, out);
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node != element && !node.next_sibling()) node = node.parent();
    if (node != element) node = node.next_sibling();
  }
  return out;
}

bool only_white_space(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::string term_text(pugi::xml_node element) {
  std::string out;
  append_own_text(element, out);
  for (pugi::xml_node node = element.first_child(); node; node = node.next_sibling()) {
    if (node.type() != pugi::node_element) {
      append_own_text(node, out);
    } else if (!has_child_element(node)) {
      out.append(descendant_text(node));
    }
  }
  return only_white_space(out) ? descendant_text(element) : out;
}

std::string inner_xml(pugi::xml_node element) {
  std::string out;
  serialize(out, element, 0);
  return out;
}

namespace {

// Entities are decoded by inner_text with the full HTML5 table, so pugixml leaves them
// alone (faster, and &nbsp; survives); comments, PIs and the DOCTYPE are not needed. An
// element's leading text is kept as its value rather than as a node of its own: feeds
// are mostly elements holding one text, so that halves the nodes (memory and time).
// Every reader here takes an element's value as its first text. Line ends are normalized
// to LF as XML 1.0 (2.11) says a processor must; pugixml's scan is also faster with it
// (about 28% on the bench corpus).
constexpr unsigned flags = pugi::parse_cdata | pugi::parse_embed_pcdata | pugi::parse_eol;

// Recovery would need more memory than the parse that failed for want of it.
void drop_for_memory(LoadedXml& loaded) {
  loaded.document.reset();
  loaded.out_of_memory = true;
}

// `tolerated`: what pugixml let through (tolerated_errors), found before the parse since
// an in-place parse leaves no text behind. A document with any was recovered, not read
// strictly, and says so.
pugi::xml_parse_result settle_strict(const pugi::xml_parse_result& strict, std::vector<std::string> tolerated,
                                     LoadedXml& loaded) {
  if (strict && loaded.document.document_element()) {
    loaded.path = tolerated.empty() ? ParsePath::strict : ParsePath::repaired;
    loaded.warnings = std::move(tolerated);
    loaded.ok = true;
  } else if (strict.status == pugi::status_out_of_memory) {
    drop_for_memory(loaded);
  } else {
    loaded.document.reset();  // a partial tree: recovery builds its own
  }
  return strict;
}

}  // namespace

pugi::xml_parse_result load_strict(std::string_view text, LoadedXml& loaded) {
  std::vector<std::string> tolerated = tolerated_errors(text);
  return settle_strict(loaded.document.load_buffer(text.data(), text.size(), flags, pugi::encoding_utf8),
                       std::move(tolerated), loaded);
}

pugi::xml_parse_result load_strict_in_place(std::string& buffer, LoadedXml& loaded) {
  std::vector<std::string> tolerated = tolerated_errors(buffer);
  return settle_strict(
      loaded.document.load_buffer_inplace(buffer.data(), buffer.size(), flags, pugi::encoding_utf8),
      std::move(tolerated), loaded);
}

void recover(std::string_view text, const pugi::xml_parse_result& strict, LoadedXml& loaded,
             const ParseLimits& limits, MemoryBudget& budget) {
  const std::string reason = std::string(strict.description()) + " at byte " + std::to_string(strict.offset);
  if (strict.status == pugi::status_bad_attribute || strict.status == pugi::status_unrecognized_tag ||
      strict.status == pugi::status_bad_start_element) {
    const std::string repaired = repair_markup(text);
    if (!budget.charge(repaired.capacity())) return drop_for_memory(loaded);
    const pugi::xml_parse_result second =
        loaded.document.load_buffer(repaired.data(), repaired.size(), flags, pugi::encoding_utf8);
    budget.release(repaired.capacity());
    if (second.status == pugi::status_out_of_memory) return drop_for_memory(loaded);
    if (second && loaded.document.document_element()) {
      loaded.path = ParsePath::repaired;
      loaded.warnings.push_back("malformed XML (" + reason + "): repaired unquoted attributes and stray '<'");
      loaded.ok = true;
      return;
    }
  }
  loaded.document.reset();
  const bool within_depth = read_tag_soup(text, loaded.document, limits.max_depth);
  // A refused allocation leaves null handles behind it: the tree would be missing parts.
  if (budget.exhausted()) return drop_for_memory(loaded);
  if (!within_depth) {
    loaded.failure = ParseFailure{ParseError::too_deep, "malformed XML nested deeper than " +
                                                            std::to_string(limits.max_depth) + " elements"};
    return;
  }
  loaded.path = ParsePath::tag_soup;
  loaded.warnings.push_back("malformed XML (" + reason + "): read with the tolerant reader");
  loaded.ok = static_cast<bool>(loaded.document.document_element());
}

}  // namespace tinhop::xml
