// Atom 1.0 (RFC 4287) and Atom 0.3 onto the model: text constructs, several links with
// rel/type, xml:base, xml:lang, atom:source, inherited authors; the namespaces RSS shares
// go through extensions.hpp.
#include <cctype>
#include <optional>
#include <string>

#include "extensions.hpp"
#include "mapping.hpp"
#include "tinhop/parsers/text.hpp"
#include "xml_reader.hpp"

namespace tinhop::detail {
namespace {

using xml::Ns;

std::string base64_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    if (c >= '0' && c <= '9') value = c - '0' + 52;
    if (c == '+' || c == '-') value = 62;
    if (c == '/' || c == '_') value = 63;
    if (value < 0) continue;
    buffer = (buffer << 6U) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  return out;
}

// Atom 0.3 says so with mode="base64"; RFC 4287 section 4.1.3.3 with any media type that
// is neither text/* nor XML.
bool is_base64(pugi::xml_node element) {
  if (xml::attribute_value(element, "mode") == "base64") return true;
  if (xml::attribute(element, "mode")) return false;
  const std::string type = xml::attribute_value(element, "type");
  if (type.find('/') == std::string::npos || type.starts_with("text/")) return false;
  if (type.ends_with("+xml") || type.ends_with("/xml")) return false;
  // Publishers label JSON or plain text with such types too: only real base64 is decoded.
  std::size_t digits = 0;
  for (const char c : xml::inner_text(element)) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' || c == '=') {
      ++digits;
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      return false;
    }
  }
  return digits % 4 == 0 && digits != 0;
}

enum class TextKind { text, html, xhtml };

TextKind kind_of(pugi::xml_node element) {
  const std::string type = xml::attribute_value(element, "type");
  if (type == "html" || type == "text/html") return TextKind::html;
  if (type == "xhtml" || type == "application/xhtml+xml") return TextKind::xhtml;
  if (xml::attribute_value(element, "mode") == "xml") return TextKind::xhtml;
  if (xml::attribute_value(element, "mode") == "escaped" && type != "text/plain" && type != "text") {
    return TextKind::html;
  }
  return TextKind::text;
}

bool has_child_element(pugi::xml_node element) {
  for (pugi::xml_node child : element.children()) {
    if (child.type() == pugi::node_element) return true;
  }
  return false;
}

std::string descendant_text(pugi::xml_node element) {
  std::string out = decode_entities(element.value());  // leading text, held by the element
  for (pugi::xml_node child : element.children()) {
    if (child.type() == pugi::node_pcdata) out += decode_entities(child.value());
    if (child.type() == pugi::node_cdata) out += child.value();
    if (child.type() == pugi::node_element) out += descendant_text(child);
  }
  return out;
}

// The value of a text construct as markup or text, the way the feed means it.
std::optional<std::string> construct_value(pugi::xml_node element) {
  if (!element) return std::nullopt;
  const TextKind kind = kind_of(element);
  // Decoded bytes may be anything: to_nfc makes them well-formed UTF-8 like every other field.
  if (is_base64(element)) return non_empty(to_nfc(base64_decode(xml::inner_text(element))));
  if (kind == TextKind::xhtml) {
    // The wrapping xhtml:div belongs to the construct, not to the content.
    pugi::xml_node only;
    int elements =
        std::string_view(element.value()).find_first_not_of(" \t\r\n") != std::string_view::npos ? 2 : 0;
    for (pugi::xml_node child : element.children()) {
      if (child.type() == pugi::node_element) {
        only = child;
        ++elements;
      } else if (child.type() == pugi::node_pcdata &&
                 std::string_view(child.value()).find_first_not_of(" \t\r\n") != std::string_view::npos) {
        elements = 2;
      }
    }
    if (elements == 1 && xml::local_name(only) == "div") return non_empty(xml::inner_xml(only));
    return non_empty(xml::inner_xml(element));
  }
  if (kind == TextKind::html && has_child_element(element)) {
    // Escaped HTML wrapped in a stray element (<div>&lt;p&gt;...): the escaped text is meant.
    return non_empty(descendant_text(element));
  }
  return text_value(element);
}

std::optional<std::string> construct_title(pugi::xml_node element) {
  std::optional<std::string> value = construct_value(element);
  if (!value) return std::nullopt;
  if (kind_of(element) == TextKind::text) {
    // Plain text whose publisher escaped it twice (&amp;#225;) still means the character.
    if (value->find("&#") != std::string::npos)
      return non_empty(collapse_whitespace(decode_entities(*value)));
    return non_empty(collapse_whitespace(*value));
  }
  return non_empty(strip_html_to_text(*value));
}

// The xml:lang in scope at `element` (RFC 4287 section 2: inherited from the ancestors);
// empty when none is.
std::string_view language_in_scope(pugi::xml_node element) {
  for (pugi::xml_node node = element; node && node.type() == pugi::node_element; node = node.parent()) {
    if (const pugi::xml_attribute lang = node.attribute("xml:lang")) return lang.value();
  }
  return {};
}

struct AtomMapper {
  Mapping& mapping;
  Ns root_ns;  // echo-era feeds use their own namespace, bare <feed> none at all
  std::string document_url;
  std::string feed_base;
  std::vector<Author> feed_authors;

  std::string resolved_base{};  // an xml:base chain's result, for the call that asked
  ExtensionReader extensions{mapping, document_url, feed_base};

  const std::string& base(pugi::xml_node node) {
    return base_for(node, document_url, feed_base, resolved_base);
  }

  bool is_atom(Ns ns) const { return ns == Ns::atom10 || ns == Ns::atom03 || ns == root_ns; }

  Author person(pugi::xml_node node) {
    Author author;
    for (pugi::xml_node child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string_view part = xml::local_name(child);
      if (part == "name") author.name = text_value(child);
      if (part == "email") author.email = text_value(child);
      if (part == "uri" || part == "url" || part == "homepage") {
        if (auto uri = text_value(child)) author.uri = absolute_link(*uri, base(child));
      }
    }
    if (!author.name && !author.email && !author.uri) author.name = text_value(node);
    return author;
  }

  // The alternate link of feed or entry: rel="alternate" (or none), text/html first.
  std::optional<std::string> alternate_link(pugi::xml_node parent, Item* enclosures_into) {
    std::optional<std::string> first, html;
    for (pugi::xml_node child : parent.children()) {
      if (child.type() != pugi::node_element || xml::local_name(child) != "link" ||
          !is_atom(mapping.namespaces.of(child))) {
        continue;
      }
      const std::string rel = xml::attribute_value(child, "rel");
      const std::string type = xml::attribute_value(child, "type");
      // Atom 0.3 feeds in the wild put the address in the element's text.
      std::optional<std::string> href = xml::attribute(child, "href")
                                            ? absolute_link(xml::attribute_value(child, "href"), base(child))
                                            : absolute_link(xml::inner_text(child), base(child));
      if (!href) continue;
      if (rel.empty() || rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate") {
        if (!first) first = href;
        if (!html && (type.empty() || type == "text/html" || type == "application/xhtml+xml")) html = href;
      } else if (rel == "enclosure" && enclosures_into != nullptr) {
        enclosures_into->enclosures.push_back(Enclosure{
            *href, non_empty(type), parse_length(xml::attribute_value(child, "length")), std::nullopt});
      }
    }
    return html ? html : first;
  }

  // atom:source: the feed an entry was copied from, as metadata.
  ItemSource source_of(pugi::xml_node source) {
    ItemSource kept;
    for (pugi::xml_node child : source.children()) {
      if (child.type() != pugi::node_element || !is_atom(mapping.namespaces.of(child))) continue;
      const std::string_view name = xml::local_name(child);
      if (name == "title") kept.title = construct_title(child);
      if (name == "id") kept.id = text_value(child);
    }
    kept.link = alternate_link(source, nullptr);
    return kept;
  }

  void map_entry(pugi::xml_node entry) {
    if (mapping.items_exhausted()) return;
    Item item;
    const std::size_t index = mapping.feed.items.size();
    std::optional<std::string> published, updated, created, summary, content;
    std::vector<Author> source_authors;
    ItemExtensions more;
    for (pugi::xml_node child : entry.children()) {
      if (child.type() != pugi::node_element) continue;
      const xml::NamespaceCache::Name qualified = mapping.namespaces.read(child);
      const Ns ns = qualified.resolved.ns;
      const std::string_view name = qualified.local;
      if (is_atom(ns)) {
        if (name == "id") {
          item.id = text_value(child);
        } else if (name == "title") {
          item.title = construct_title(child);
        } else if (name == "summary") {
          summary = construct_value(child);
        } else if (name == "content") {
          content = construct_value(child);
        } else if (name == "published" || name == "issued") {
          published = text_value(child);
        } else if (name == "created") {
          created = text_value(child);
        } else if (name == "updated" || name == "modified") {
          updated = text_value(child);
        } else if (name == "author") {
          item.authors.push_back(person(child));
        } else if (name == "category") {
          std::optional<std::string> term = non_empty(xml::attribute_value(child, "term"));
          if (!term) term = text_value(child);
          if (term) item.categories.push_back(std::move(*term));
        } else if (name == "contributor") {
          item.extras.ensure().contributors.push_back(person(child));
        } else if (name == "rights" || name == "copyright") {
          if (auto rights = construct_title(child)) item.extras.ensure().rights = std::move(rights);
        } else if (name == "source") {
          for (pugi::xml_node author : child.children()) {
            if (author.type() == pugi::node_element && xml::local_name(author) == "author") {
              source_authors.push_back(person(author));
            }
          }
          if (ItemSource source = source_of(child); source.title || source.link || source.id)
            item.extras.ensure().source.ensure() = std::move(source);
        }
      } else {
        extensions.item_element(child, ns, name, item, more);
      }
    }
    item.link = alternate_link(entry, &item);
    if (item.authors.empty()) item.authors = std::move(more.creators);
    if (item.authors.empty()) item.authors = !source_authors.empty() ? source_authors : feed_authors;
    choose_summary(item, std::move(content),
                   {&summary, &more.dc_description, &more.itunes_summary, &more.media_description,
                    &more.googleplay_description});
    ExtensionReader::finish_item(item, more);
    if (!item.id) item.id = std::move(more.dc_identifier);
    if (const std::string_view language = language_in_scope(entry);
        !language.empty() && language != mapping.feed.language.value_or("")) {
      item.extras.ensure().language = std::string(language);
    }
    // Atom's own dates first; of the DC Terms refinements, issued before the generic date.
    for (const auto* date : {&published, &more.issued, &more.dc_date, &created, &more.created,
                             &more.available, &more.date_accepted, &more.date_submitted}) {
      if (*date) {
        mapping.add_date(DateField::item_published, index, **date);
        break;
      }
    }
    if (const auto& date = updated ? updated : more.modified)
      mapping.add_date(DateField::item_updated, index, *date);
    mapping.add_item(std::move(item));
  }

  void map_feed(pugi::xml_node root) {
    Feed& feed = mapping.feed;
    feed.link = alternate_link(root, nullptr);
    if (feed.link && feed.link->find("://") != std::string::npos) feed_base = *feed.link;
    if (auto language = non_empty(xml::attribute_value(root, "lang"))) feed.language = language;
    std::optional<std::string> updated;
    FeedExtensions more;
    // Authors before entries: an entry without its own inherits them (RFC 4287 4.2.1).
    for (pugi::xml_node child : root.children()) {
      if (child.type() != pugi::node_element || !is_atom(mapping.namespaces.of(child))) continue;
      const std::string_view name = xml::local_name(child);
      if (name == "author") feed_authors.push_back(person(child));
    }
    for (pugi::xml_node child : root.children()) {
      if (child.type() != pugi::node_element) continue;
      const xml::NamespaceCache::Name qualified = mapping.namespaces.read(child);
      const Ns ns = qualified.resolved.ns;
      const std::string_view name = qualified.local;
      if (!is_atom(ns)) {
        extensions.feed_element(child, ns, name, feed, more);
        continue;
      }
      if (name == "title") {
        feed.title = construct_title(child);
      } else if (name == "subtitle" || name == "tagline") {
        feed.description = construct_value(child);
      } else if (name == "updated" || name == "modified") {
        updated = text_value(child);
      } else if (name == "id" && !feed.id) {
        feed.id = text_value(child);
      } else if ((name == "rights" || name == "copyright") && !feed.rights) {
        feed.rights = construct_title(child);
      } else if (name == "contributor") {
        feed.contributors.push_back(person(child));
      } else if (name == "category") {
        std::optional<std::string> term = non_empty(xml::attribute_value(child, "term"));
        if (term || (term = text_value(child))) feed.categories.push_back(std::move(*term));
      } else if (name == "generator" && !feed.generator) {
        feed.generator = text_value(child);
      } else if (name == "logo" && !feed.image) {
        feed.image = absolute_link(xml::inner_text(child), base(child));
      } else if (name == "icon" && !feed.icon) {
        feed.icon = absolute_link(xml::inner_text(child), base(child));
      } else if (name == "link") {
        note_websub_link(xml::attribute_value(child, "rel"), xml::attribute_value(child, "href"), base(child),
                         feed);
      } else if (name == "entry") {
        map_entry(child);
      }
    }
    if (!feed.description)
      feed.description = std::move(more.itunes_summary ? more.itunes_summary : more.itunes_subtitle);
    if (!feed.language) feed.language = std::move(more.dc_language);
    if (!feed.rights) feed.rights = std::move(more.rights);
    if (!feed.image) feed.image = std::move(more.image);
    feed.authors = !feed_authors.empty() ? feed_authors
                                         : (!more.creators.empty() ? more.creators : more.podcast_authors);
    if (const auto& date = updated ? updated : (more.modified ? more.modified : more.dc_date))
      mapping.add_date(DateField::feed_updated, 0, *date);
    if (more.issued) mapping.add_date(DateField::feed_published, 0, *more.issued);
  }
};

}  // namespace

void map_atom(pugi::xml_node root, FeedFormat format, Mapping& mapping) {
  mapping.feed.format = format;
  AtomMapper mapper{mapping, xml::namespace_of(root), mapping.context.url, mapping.context.url, {}};
  mapping.reserve_items({root}, "entry");
  mapper.map_feed(root);
  if (mapping.entry_stream) {
    mapping.map_streamed_entries([&](pugi::xml_node entry) {
      if (xml::local_name(entry) == "entry" && mapper.is_atom(mapping.namespaces.of(entry)))
        mapper.map_entry(entry);
    });
  }
}

}  // namespace tinhop::detail
