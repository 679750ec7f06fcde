// RSS 0.90-0.94, 2.0 and 1.0 (RDF) onto the model, with the dc:, content:, media:,
// itunes:, slash: and atom: elements feeds mix into them.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

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

// The names this mapper reads, as their specifications spell them (RSS, Dublin Core,
// DC Terms, content, iTunes, syndication, wfw, xhtml); those with capitals first.
constexpr std::size_t camel_case_names = 8;
constexpr std::array<std::string_view, 46> rss_names = {
    "pubDate",      "lastBuildDate",  "skipDays",  "skipHours", "updateFrequency",
    "updatePeriod", "managingEditor", "webMaster", "author",    "body",
    "category",     "channel",        "comment",   "comments",  "content",
    "created",      "creator",        "date",      "day",       "description",
    "div",          "encoded",        "enclosure", "fullitem",  "guid",
    "hour",         "identifier",     "image",     "issued",    "item",
    "keywords",     "language",       "link",      "modified",  "name",
    "rss",          "subject",        "subtitle",  "summary",   "thumb",
    "thumbnail",    "title",          "ttl",       "updated",   "url",
    "published"};

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
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
  std::optional<std::string> pub_date, dc_date, issued, modified, atom_updated;
  std::optional<std::string> description, content, itunes_summary, dc_description, rss_summary;
  std::optional<std::string> guid;
  bool guid_is_permalink = true;
  std::optional<std::string> alternate_link, href_link;
  std::optional<std::string> image, media_thumbnail;
};

struct RssMapper {
  Mapping& mapping;
  std::string document_url;
  std::string channel_base;  // the feed link when known, else the document URL
  bool warned_undeclared = false;

  std::string resolved_base{};  // an xml:base chain's result, for the call that asked

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
    Enclosure enclosure{*url, non_empty(xml::attribute_value(node, "type")), std::nullopt};
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

  static void add_itunes_categories(Item& item, pugi::xml_node category) {
    if (auto term = non_empty(xml::attribute_value(category, "text")))
      item.categories.push_back(std::move(*term));
    for (pugi::xml_node child : category.children()) {
      if (child.type() == pugi::node_element && xml::local_name(child) == "category") {
        add_itunes_categories(item, child);
      }
    }
  }

  // itunes:keywords: a comma-separated list.
  static void add_keywords(Item& item, std::string_view text) {
    while (!text.empty()) {
      const std::size_t comma = text.find(',');
      if (auto term = non_empty(text.substr(0, comma))) item.categories.push_back(std::move(*term));
      if (comma == std::string_view::npos) break;
      text.remove_prefix(comma + 1);
    }
  }

  void map_media(Item& item, ItemDraft& draft, pugi::xml_node node) {
    const std::string_view name = xml::local_name(node);
    if (name == "group") {
      for (pugi::xml_node child : node.children()) {
        if (child.type() == pugi::node_element && mapping.namespaces.of(child) == Ns::media)
          map_media(item, draft, child);
      }
    } else if (name == "content") {
      add_enclosure(item, node, "url", "fileSize");
      for (pugi::xml_node child : node.children()) {
        if (child.type() == pugi::node_element && mapping.namespaces.of(child) == Ns::media)
          map_media(item, draft, child);
      }
    } else if (name == "thumbnail" && !draft.media_thumbnail) {
      draft.media_thumbnail = absolute_link(xml::attribute_value(node, "url"), base(node));
    } else if (name == "category") {
      if (auto term = text_value(node)) item.categories.push_back(std::move(*term));
    } else if (name == "description" && !draft.description) {
      draft.description = text_value(node);
    } else if (name == "title" && !item.title) {
      if (auto title = text_value(node)) item.title = plain_title(*title);
    }
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
      if (!draft.issued) draft.issued = text_value(node);
    } else if (name == "author") {
      Author author;
      for (pugi::xml_node child : node.children()) {
        const std::string_view part = xml::local_name(child);
        if (part == "name") author.name = text_value(child);
        if (part == "email") author.email = text_value(child);
        if (part == "uri" || part == "url") {
          if (auto uri = text_value(child)) author.uri = absolute_link(*uri, base(child));
        }
      }
      if (author.name || author.email || author.uri) item.authors.push_back(std::move(author));
    } else if (name == "summary" && !draft.description) {
      draft.description = text_value(node);
    } else if (name == "content" && !draft.content) {
      draft.content = text_value(node);
    } else if (name == "category") {
      if (auto term = non_empty(xml::attribute_value(node, "term")))
        item.categories.push_back(std::move(*term));
    } else if (name == "id" && !draft.guid) {
      draft.guid = text_value(node);
      draft.guid_is_permalink = false;
    }
  }

  void map_item(pugi::xml_node node) {
    if (mapping.items_exhausted()) return;
    Item item;
    ItemDraft draft;
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
          if (auto term = text_value(child)) item.categories.push_back(std::move(*term));
        } else if (name == "enclosure") {
          add_enclosure(item, child, "url", "length");
        } else if (name == "comments") {
          if (auto raw = text_value(child)) item.comments = absolute_link(*raw, base(child));
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
      switch (ns) {
        case Ns::dc:
          if (name == "date") {
            draft.dc_date = text_value(child);
          } else if (name == "creator" || name == "author") {
            if (auto text = text_value(child)) item.authors.push_back(split_author(*text));
          } else if (name == "subject") {
            if (auto term = text_value(child)) item.categories.push_back(std::move(*term));
          } else if (name == "title" && !item.title) {
            if (auto title = text_value(child)) item.title = plain_title(*title);
          } else if (name == "description") {
            draft.dc_description = text_value(child);
          } else if (name == "identifier" && !draft.guid) {
            draft.guid = text_value(child);
            draft.guid_is_permalink = false;
          }
          break;
        case Ns::dcterms:
          if (name == "modified") draft.modified = text_value(child);
          if (name == "issued" || name == "created") draft.issued = text_value(child);
          break;
        case Ns::content:
          if (name == "encoded") draft.content = text_value(child);
          break;
        case Ns::xhtml:
          if (name == "body" || name == "div") draft.content = non_empty(xml::inner_xml(child));
          break;
        case Ns::media: map_media(item, draft, child); break;
        case Ns::itunes:
          if (name == "summary") {
            draft.itunes_summary = text_value(child);
          } else if (name == "author" && item.authors.empty()) {
            if (auto text = text_value(child)) item.authors.push_back(split_author(*text));
          } else if (name == "image" && !draft.image) {
            draft.image = absolute_link(xml::attribute_value(child, "href"), base(child));
          } else if (name == "category") {
            add_itunes_categories(item, child);
          } else if (name == "keywords") {
            add_keywords(item, xml::inner_text(child));
          }
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
    // The draft is given up field by field: descriptions and bodies are the large strings.
    item.content = std::move(draft.content);
    if (draft.rss_summary) {
      // A non-standard <summary> beside <description>: the description is then the body.
      if (!item.content) item.content = std::move(draft.description);
      item.summary = std::move(draft.rss_summary);
    } else {
      item.summary =
          std::move(draft.description ? draft.description
                                      : (draft.dc_description ? draft.dc_description : draft.itunes_summary));
    }
    item.thumbnail = std::move(draft.media_thumbnail ? draft.media_thumbnail : draft.image);
    if (const auto& published =
            draft.pub_date ? draft.pub_date : (draft.dc_date ? draft.dc_date : draft.issued)) {
      mapping.add_date(DateField::item_published, index, *published);
    }
    if (const auto& updated = draft.modified ? draft.modified : draft.atom_updated) {
      mapping.add_date(DateField::item_updated, index, *updated);
    } else if (draft.dc_date) {
      // dc:date is the item's date of record: as updated, and as published when nothing else is.
      mapping.add_date(DateField::item_updated, index, *draft.dc_date);
    }
    mapping.add_item(std::move(item));
  }

  void map_channel(pugi::xml_node channel) {
    Feed& feed = mapping.feed;
    std::optional<std::string> last_build, pub_date, dc_date, atom_updated;
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
      if (ns == Ns::dc && name == "date") dc_date = text_value(child);
      if (ns == Ns::dc && name == "language" && !feed.language) feed.language = text_value(child);
      if (ns == Ns::dc && name == "title" && !feed.title) {
        if (auto title = text_value(child)) feed.title = plain_title(*title);
      }
      if (ns == Ns::dc && name == "description" && !feed.description) feed.description = text_value(child);
      if (ns == Ns::itunes && name == "summary" && !feed.description) feed.description = text_value(child);
      if ((ns == Ns::atom10 || ns == Ns::atom03) && name == "updated") atom_updated = text_value(child);
      if ((ns == Ns::atom10 || ns == Ns::atom03) && name == "link" && !feed.link) {
        const std::string rel = xml::attribute_value(child, "rel");
        if (rel.empty() || rel == "alternate") {
          feed.link = absolute_link(xml::attribute_value(child, "href"), base(child));
        }
      }
      if ((ns == Ns::atom10 || ns == Ns::atom03) && name == "subtitle" && !feed.description) {
        feed.description = text_value(child);
      }
      if (ns == Ns::sy && name == "updatePeriod") {
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
    if (const auto& updated =
            last_build ? last_build : (dc_date ? dc_date : (pub_date ? pub_date : atom_updated))) {
      mapping.add_date(DateField::feed_updated, 0, *updated);
    }
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
