// RSS 0.90-0.94, 2.0 and 1.0 (RDF) onto the model, with the atom:, content:, xhtml:,
// wfw: and sy: elements feeds mix into them; the namespaces Atom shares go through
// extensions.hpp.
#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "extensions.hpp"
#include "mapping.hpp"
#include "tinhop/parsers/text.hpp"
#include "xml_reader.hpp"

namespace tinhop::detail {
namespace {

using xml::Ns;

// RSS's own elements: in no namespace, in RSS 1.0's or 0.90's, or unprefixed in whatever
// default namespace the document declares (UserLand's and Harvard's RSS 2.0 namespaces,
// the spec's own address, a publisher's invention): RSS 2.0 has no namespace, so a
// default one is a label, never a different vocabulary.
bool is_rss(const xml::NamespaceCache::Name& name) {
  const Ns ns = name.resolved.ns;
  return ns == Ns::none || ns == Ns::rss10 || ns == Ns::rss090 || (ns == Ns::other && name.prefix.empty());
}

bool is_atom_ns(Ns ns) {
  return ns == Ns::atom10 || ns == Ns::atom03;
}

// The names this mapper and the extension reader read, as their specifications spell them
// (RSS, Dublin Core, DC Terms, content, iTunes, syndication, wfw, xhtml); those with
// capitals first.
constexpr std::size_t camel_case_names = 10;
constexpr std::array<std::string_view, 55> rss_names = {"pubDate",
                                                        "lastBuildDate",
                                                        "skipDays",
                                                        "skipHours",
                                                        "updateFrequency",
                                                        "updatePeriod",
                                                        "managingEditor",
                                                        "webMaster",
                                                        "dateAccepted",
                                                        "dateSubmitted",
                                                        "abstract",
                                                        "author",
                                                        "available",
                                                        "body",
                                                        "category",
                                                        "channel",
                                                        "comment",
                                                        "comments",
                                                        "content",
                                                        "contributor",
                                                        "copyright",
                                                        "created",
                                                        "creator",
                                                        "date",
                                                        "day",
                                                        "description",
                                                        "div",
                                                        "enclosure",
                                                        "encoded",
                                                        "fullitem",
                                                        "generator",
                                                        "guid",
                                                        "hour",
                                                        "identifier",
                                                        "image",
                                                        "issued",
                                                        "item",
                                                        "keywords",
                                                        "language",
                                                        "link",
                                                        "modified",
                                                        "name",
                                                        "published",
                                                        "rights",
                                                        "rss",
                                                        "source",
                                                        "subject",
                                                        "subtitle",
                                                        "summary",
                                                        "thumb",
                                                        "thumbnail",
                                                        "title",
                                                        "ttl",
                                                        "updated",
                                                        "url"};

// ASCII only, as element names are compared: no locale call per character (every
// element of a feed is looked up here).
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

}  // namespace

std::string_view rss_name(std::string_view local) {
  const bool has_capitals =
      std::any_of(local.begin(), local.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  // Without capitals, only a camel-case name can be spelt otherwise ("pubdate").
  const std::size_t candidates = has_capitals ? rss_names.size() : camel_case_names;
  for (std::size_t i = 0; i < candidates; ++i) {
    if (same_ignoring_case(rss_names[i], local)) return rss_names[i];
  }
  return local;
}

namespace {

// Item-level values kept until the item is complete, so preferred forms win regardless
// of the order the feed writes them in.
struct ItemDraft {
  std::optional<std::string> pub_date, atom_published, atom_updated;
  std::optional<std::string> description, content, rss_summary, atom_summary;
  std::optional<std::string> guid;
  bool guid_is_permalink = true;
  std::optional<std::string> alternate_link, href_link;
  std::optional<std::string> image;
  ItemExtensions extensions;
};

struct RssMapper {
  Mapping& mapping;
  std::string document_url;
  std::string channel_base;  // the feed link when known, else the document URL
  bool warned_undeclared = false;

  std::string resolved_base{};  // an xml:base chain's result, for the call that asked
  ExtensionReader extensions{mapping, document_url, channel_base};

  const std::string& base(pugi::xml_node node) {
    return base_for(node, document_url, channel_base, resolved_base);
  }

  // A prefix no xmlns declares makes the document not namespace-well-formed; it is still
  // read by its conventional meaning (see namespace_of), with one warning.
  void note_undeclared_prefix(const xml::NamespaceCache::Name& name) {
    if (warned_undeclared || name.prefix.empty() || name.resolved.declared) return;
    warned_undeclared = true;
    mapping.warnings.push_back("undeclared namespace prefix '" + std::string(name.prefix) + "'");
  }

  void add_enclosure(Item& item, pugi::xml_node node, std::string_view url_attribute,
                     std::string_view length_attribute) {
    const std::optional<std::string> url =
        absolute_link(xml::attribute_value(node, url_attribute), base(node));
    if (!url) return;
    Enclosure enclosure{*url, non_empty(xml::attribute_value(node, "type")), std::nullopt, std::nullopt};
    const std::string length_text = xml::attribute_value(node, length_attribute);
    enclosure.length = parse_length(length_text);
    // Some CMSs write the image width where the byte count belongs (w=1200 ... length=1200).
    if (enclosure.length && (url->find("w=" + length_text) != std::string::npos ||
                             url->find("width=" + length_text) != std::string::npos)) {
      enclosure.length.reset();
    }
    for (const Enclosure& known : item.enclosures) {
      if (known.url == enclosure.url) return;
    }
    item.enclosures.push_back(std::move(enclosure));
  }

  Author atom_person(pugi::xml_node node) {
    Author author;
    for (pugi::xml_node child : node.children()) {
      const std::string_view part = xml::local_name(child);
      if (part == "name") author.name = text_value(child);
      if (part == "email") author.email = text_value(child);
      if (part == "uri" || part == "url") {
        if (auto uri = text_value(child)) author.uri = absolute_link(*uri, base(child));
      }
    }
    return author;
  }

  void map_atom_in_item(Item& item, ItemDraft& draft, pugi::xml_node node) {
    const std::string_view name = xml::local_name(node);
    if (name == "link") {
      const std::string rel = xml::attribute_value(node, "rel");
      if (rel.empty() || rel == "alternate") {
        if (!draft.alternate_link)
          draft.alternate_link = absolute_link(xml::attribute_value(node, "href"), base(node));
      } else if (rel == "enclosure") {
        add_enclosure(item, node, "href", "length");
      }
    } else if (name == "updated" || name == "modified") {
      draft.atom_updated = text_value(node);
    } else if (name == "published" || name == "issued") {
      if (!draft.atom_published) draft.atom_published = text_value(node);
    } else if (name == "author") {
      Author author = atom_person(node);
      if (author.name || author.email || author.uri) item.authors.push_back(std::move(author));
    } else if (name == "contributor") {
      Author contributor = atom_person(node);
      if (contributor.name || contributor.email || contributor.uri)
        item.extras.ensure().contributors.push_back(std::move(contributor));
    } else if (name == "summary") {
      draft.atom_summary = text_value(node);
    } else if (name == "content" && !draft.content) {
      draft.content = text_value(node);
    } else if (name == "category") {
      if (auto term = non_empty(xml::attribute_value(node, "term")))
        item.categories.push_back(std::move(*term));
    } else if (name == "id" && !draft.guid) {
      draft.guid = text_value(node);
      draft.guid_is_permalink = false;
    } else if (name == "rights") {
      if (auto rights = text_value(node)) item.extras.ensure().rights = std::move(rights);
    }
  }

  void map_item(pugi::xml_node node) {
    if (mapping.items_exhausted()) return;
    Item item;
    ItemDraft draft;
    ItemExtensions& more = draft.extensions;
    const std::size_t index = mapping.feed.items.size();
    for (pugi::xml_node child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      const xml::NamespaceCache::Name qualified = mapping.namespaces.read(child);
      const Ns ns = qualified.resolved.ns;
      const std::string_view name = rss_name(qualified.local);
      note_undeclared_prefix(qualified);
      if (is_rss(qualified)) {
        if (name == "title") {
          if (auto title = text_value(child)) item.title = plain_title(*title);
        } else if (name == "link") {
          // A <link href> is an Atom link without its prefix: it names the page exactly.
          if (xml::attribute(child, "href")) {
            if (auto href = absolute_link(xml::attribute_value(child, "href"), base(child)))
              draft.href_link = href;
          } else if (!item.link) {
            if (auto raw = text_value(child)) item.link = absolute_link(*raw, base(child));
          }
        } else if (name == "description") {
          draft.description = text_value(child);
        } else if (name == "summary") {
          draft.rss_summary = text_value(child);
        } else if (name == "fullitem") {
          draft.content = text_value(child);
        } else if (name == "guid") {
          draft.guid = text_value(child);
          const std::string permalink = xml::attribute_value(child, "isPermaLink");
          draft.guid_is_permalink = permalink != "false" && permalink != "False";
        } else if (name == "pubDate") {
          draft.pub_date = text_value(child);
        } else if (name == "author") {
          if (auto text = text_value(child)) item.authors.push_back(split_author(*text));
        } else if (name == "category") {
          if (auto term = term_value(child)) item.categories.push_back(std::move(*term));
        } else if (name == "enclosure") {
          add_enclosure(item, child, "url", "length");
        } else if (name == "comments") {
          if (auto raw = text_value(child)) item.comments = absolute_link(*raw, base(child));
        } else if (name == "source") {
          // RSS 2.0: the channel the item came from, its title as text and its feed as url.
          ItemSource source{text_value(child), absolute_link(xml::attribute_value(child, "url"), base(child)),
                            std::nullopt};
          if (source.title || source.link) item.extras.ensure().source.ensure() = std::move(source);
        } else if ((name == "image" || name == "thumb" || name == "thumbnail") && !draft.image) {
          if (auto raw = text_value(child); raw && raw->find('<') == std::string::npos) {
            draft.image = absolute_link(*raw, base(child));
          } else if (pugi::xml_node url = child.child("url")) {
            if (auto inner = text_value(url)) draft.image = absolute_link(*inner, base(url));
          } else if (xml::attribute(child, "url") || xml::attribute(child, "src")) {
            draft.image = absolute_link(
                xml::attribute_value(child, xml::attribute(child, "url") ? "url" : "src"), base(child));
          }
        } else if (name == "updated") {
          draft.atom_updated = text_value(child);
        }
        continue;
      }
      if (extensions.item_element(child, ns, name, item, more)) continue;
      switch (ns) {
        case Ns::content:
          if (name == "encoded") draft.content = text_value(child);
          break;
        case Ns::xhtml:
          if (name == "body" || name == "div") draft.content = non_empty(xml::inner_xml(child));
          break;
        case Ns::atom10:
        case Ns::atom03: map_atom_in_item(item, draft, child); break;
        case Ns::wfw:
          if (name == "comment" && !item.comments) {
            if (auto raw = text_value(child)) item.comments = absolute_link(*raw, base(child));
          }
          break;
        default: break;
      }
    }
    if (!draft.guid && more.dc_identifier) {
      draft.guid = std::move(more.dc_identifier);
      draft.guid_is_permalink = false;
    }
    if (!draft.guid) {
      if (const std::string about = xml::attribute_value(node, "about"); !about.empty()) {
        draft.guid = non_empty(about);
        draft.guid_is_permalink = true;
      }
    }
    if (draft.href_link) item.link = std::move(draft.href_link);
    if (!item.link && draft.alternate_link) item.link = std::move(draft.alternate_link);
    if (!item.link && draft.guid && draft.guid_is_permalink &&
        (draft.guid->starts_with("http://") || draft.guid->starts_with("https://"))) {
      item.link = absolute_link(*draft.guid, base(node));
    }
    item.id = std::move(draft.guid);
    item.authors.insert(item.authors.end(), std::make_move_iterator(more.creators.begin()),
                        std::make_move_iterator(more.creators.end()));
    // A non-standard <summary> beside <description> is the summary, the description then
    // the richer text; the namespaces' descriptions stand in when the item has neither.
    choose_summary(item, std::move(draft.content),
                   {&draft.rss_summary, &draft.description, &draft.atom_summary, &more.dc_description,
                    &more.itunes_summary, &more.media_description, &more.googleplay_description});
    if (!more.image) more.image = std::move(draft.image);
    ExtensionReader::finish_item(item, more);
    // Publication first as RSS names it, then as DC Terms and Atom do; dc:date, the
    // generic term, is also the update time when nothing says one.
    for (const auto* published :
         {&draft.pub_date, &more.issued, &draft.atom_published, &more.dc_date, &more.created, &more.available,
          &more.date_accepted, &more.date_submitted}) {
      if (*published) {
        mapping.add_date(DateField::item_published, index, **published);
        break;
      }
    }
    for (const auto* updated : {&more.modified, &draft.atom_updated, &more.dc_date}) {
      if (*updated) {
        mapping.add_date(DateField::item_updated, index, **updated);
        break;
      }
    }
    mapping.add_item(std::move(item));
  }

  void map_channel(pugi::xml_node channel) {
    Feed& feed = mapping.feed;
    std::optional<std::string> last_build, pub_date, atom_updated, copyright, image;
    FeedExtensions more;
    // The link first: it is the base every other relative reference resolves against.
    for (pugi::xml_node child : channel.children()) {
      if (child.type() == pugi::node_element && rss_name(xml::local_name(child)) == "link" &&
          is_rss(mapping.namespaces.read(child))) {
        const bool href = static_cast<bool>(xml::attribute(child, "href"));
        if (auto raw = href ? non_empty(xml::attribute_value(child, "href")) : text_value(child)) {
          feed.link = absolute_link(*raw, base_for(child, document_url, document_url, resolved_base));
          if (feed.link && !feed.link->empty() && feed.link->find("://") != std::string::npos) {
            channel_base = *feed.link;
          }
          if (href) break;
        }
      }
    }
    std::vector<Author> editors;
    for (pugi::xml_node child : channel.children()) {
      if (child.type() != pugi::node_element) continue;
      const xml::NamespaceCache::Name qualified = mapping.namespaces.read(child);
      const Ns ns = qualified.resolved.ns;
      const std::string_view name = rss_name(qualified.local);
      note_undeclared_prefix(qualified);
      if (is_rss(qualified)) {
        if (name == "title") {
          if (auto title = text_value(child)) feed.title = plain_title(*title);
        } else if (name == "description") {
          feed.description = text_value(child);
        } else if (name == "language") {
          feed.language = text_value(child);
        } else if (name == "lastBuildDate") {
          last_build = text_value(child);
        } else if (name == "pubDate") {
          pub_date = text_value(child);
        } else if (name == "copyright") {
          copyright = text_value(child);
        } else if (name == "managingEditor" || name == "author") {
          if (auto text = text_value(child)) editors.push_back(split_author(*text));
        } else if (name == "category") {
          if (auto term = term_value(child)) feed.categories.push_back(std::move(*term));
        } else if (name == "generator") {
          feed.generator = text_value(child);
        } else if (name == "image") {
          if (auto url = text_value(child.child("url")); url && !image)
            image = absolute_link(*url, base(child));
        } else if (name == "ttl") {
          if (auto minutes = parse_length(xml::inner_text(child)); minutes && *minutes < 1'000'000) {
            feed.ttl_minutes = static_cast<int>(*minutes);
          }
        } else if (name == "skipHours") {
          for (pugi::xml_node hour : child.children()) {
            if (auto value = parse_length(xml::inner_text(hour)); value && *value < 24) {
              feed.skip_hours.push_back(static_cast<int>(*value));
            }
          }
        } else if (name == "skipDays") {
          for (pugi::xml_node day : child.children()) {
            if (auto value = text_value(day)) feed.skip_days.push_back(std::move(*value));
          }
        } else if (name == "item") {
          map_item(child);
        }
        continue;
      }
      if (extensions.feed_element(child, ns, name, feed, more)) continue;
      if (is_atom_ns(ns)) {
        if (name == "updated") atom_updated = text_value(child);
        if (name == "link") {
          note_websub_link(xml::attribute_value(child, "rel"), xml::attribute_value(child, "href"),
                           base(child), feed);
        }
        if (name == "link" && !feed.link) {
          const std::string rel = xml::attribute_value(child, "rel");
          if (rel.empty() || rel == "alternate") {
            feed.link = absolute_link(xml::attribute_value(child, "href"), base(child));
          }
        }
        if (name == "subtitle" && !feed.description) feed.description = text_value(child);
        if (name == "author") {
          if (Author author = atom_person(child); author.name || author.email || author.uri)
            editors.push_back(std::move(author));
        }
        if (name == "rights" && !more.rights) more.rights = text_value(child);
        if (name == "id" && !feed.id) feed.id = text_value(child);
        if (name == "logo" && !image) image = absolute_link(xml::inner_text(child), base(child));
        if (name == "icon" && !feed.icon) feed.icon = absolute_link(xml::inner_text(child), base(child));
      } else if (ns == Ns::sy && name == "updatePeriod") {
        const std::optional<std::string> period = text_value(child);
        const int seconds = !period                ? 0
                            : *period == "hourly"  ? 3600
                            : *period == "daily"   ? 86400
                            : *period == "weekly"  ? 604800
                            : *period == "monthly" ? 2592000
                            : *period == "yearly"  ? 31536000
                                                   : 0;
        if (seconds != 0) feed.update_period_seconds = seconds;
      }
    }
    if (!feed.title) {
      if (const auto& title = more.dc_title ? more.dc_title : more.itunes_title)
        feed.title = plain_title(*title);
    }
    for (auto* description :
         {&more.dc_description, &more.itunes_summary, &more.itunes_subtitle, &more.googleplay_description}) {
      if (!feed.description) feed.description = std::move(*description);
    }
    if (!feed.language) feed.language = std::move(more.dc_language);
    feed.rights = std::move(copyright ? copyright : more.rights);
    feed.image = std::move(image ? image : more.image);
    // The editor the channel names, else its creators, else the podcast's author.
    feed.authors = std::move(
        !editors.empty() ? editors : (!more.creators.empty() ? more.creators : more.podcast_authors));
    for (const auto* updated :
         {&last_build, &more.modified, &more.dc_date, &pub_date, &atom_updated, &more.issued}) {
      if (*updated) {
        mapping.add_date(DateField::feed_updated, 0, **updated);
        break;
      }
    }
    if (const auto& published = pub_date ? pub_date : more.issued)
      mapping.add_date(DateField::feed_published, 0, *published);
  }
};

}  // namespace

void map_rss(pugi::xml_node root, FeedFormat format, Mapping& mapping) {
  mapping.feed.format = format;
  RssMapper mapper{mapping, mapping.context.url, mapping.context.url};
  pugi::xml_node channel;
  if (rss_name(xml::local_name(root)) == "channel") {
    channel = root;
  } else {
    for (pugi::xml_node child : root.children()) {
      if (child.type() == pugi::node_element && rss_name(xml::local_name(child)) == "channel") {
        channel = child;
        break;
      }
    }
  }
  mapping.reserve_items({channel, channel != root ? root : pugi::xml_node()}, "item");
  if (channel) mapper.map_channel(channel);
  // RSS 0.90 and 1.0 put items (and sometimes 0.9x feeds, by mistake) beside the channel.
  if (channel != root) {
    for (pugi::xml_node child : root.children()) {
      if (child.type() == pugi::node_element && rss_name(xml::local_name(child)) == "item" &&
          is_rss(mapping.namespaces.read(child))) {
        mapper.map_item(child);
      }
    }
  }
  if (mapping.entry_stream) {
    mapping.map_streamed_entries([&](pugi::xml_node entry) {
      if (rss_name(xml::local_name(entry)) == "item" && is_rss(mapping.namespaces.read(entry)))
        mapper.map_item(entry);
    });
  }
  for (pugi::xml_node sy : channel.children()) {
    if (sy.type() == pugi::node_element && mapping.namespaces.of(sy) == Ns::sy &&
        rss_name(xml::local_name(sy)) == "updateFrequency" && mapping.feed.update_period_seconds) {
      if (auto frequency = parse_length(xml::inner_text(sy)); frequency && *frequency > 0) {
        *mapping.feed.update_period_seconds /= static_cast<int>(*frequency);
      }
    }
  }
}

}  // namespace tinhop::detail
