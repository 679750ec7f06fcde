#include "extensions.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "tinhop/parsers/text.hpp"

namespace tinhop::detail {
namespace {

using xml::Ns;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string ascii_lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool is_dublin_core(Ns ns) {
  return ns == Ns::dc || ns == Ns::dcterms;
}

// Podcast feeds write iTunes names in other cases (<itunes:Subtitle>, <itunes:EXPLICIT>):
// Apple's directory reads them, so the names are compared in lower case.
bool is_podcast(Ns ns) {
  return ns == Ns::itunes || ns == Ns::googleplay || ns == Ns::podcast;
}

std::optional<double> parse_decimal(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<GeoPoint> point_of(std::optional<double> latitude, std::optional<double> longitude) {
  if (!latitude || !longitude || *latitude < -90 || *latitude > 90 || *longitude < -180 || *longitude > 180)
    return std::nullopt;
  return GeoPoint{*latitude, *longitude};
}

std::optional<int> small_number(std::string_view text) {
  const std::optional<std::int64_t> value = parse_length(text);
  if (!value || *value > 1'000'000) return std::nullopt;
  return static_cast<int>(*value);
}

// itunes:category nests subcategories: each level's text attribute is a term.
void add_itunes_categories(std::vector<std::string>& terms, pugi::xml_node category, int depth = 0) {
  if (auto term = non_empty(xml::attribute_value(category, "text"))) add_unique(terms, std::move(*term));
  if (depth >= 4) return;
  for (pugi::xml_node child : category.children()) {
    if (child.type() == pugi::node_element && ascii_lower(xml::local_name(child)) == "category")
      add_itunes_categories(terms, child, depth + 1);
  }
}

// A comma-separated list (itunes:keywords, media:keywords).
void add_keywords(std::vector<std::string>& terms, std::string_view text) {
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    if (auto term = non_empty(text.substr(0, comma))) add_unique(terms, std::move(*term));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
}

// itunes:image href (some feeds write url, or the address as text).
std::optional<std::string> image_reference(pugi::xml_node node) {
  for (const char* attribute : {"href", "url"}) {
    if (auto value = non_empty(xml::attribute_value(node, attribute))) return value;
  }
  return text_value(node);
}

// The first rights statement an item makes stands.
void set_rights(Item& item, pugi::xml_node node) {
  if (item.extras && item.extras->rights) return;
  if (auto rights = text_value(node)) item.extras.ensure().rights = std::move(rights);
}

void add_person(std::vector<Author>& people, pugi::xml_node node) {
  if (auto text = text_value(node)) people.push_back(split_author(*text));
}

}  // namespace

const std::string& ExtensionReader::base(pugi::xml_node node) {
  return base_for(node, document_url_, fallback_base_, resolved_);
}

bool ExtensionReader::item_element(pugi::xml_node node, Ns ns, std::string_view name, Item& item,
                                   ItemExtensions& draft) {
  if (is_dublin_core(ns)) {
    dublin_core_item(node, ns, name, item, draft);
  } else if (ns == Ns::media) {
    // Media RSS is generated from its schema: its names are exact even where RSS's caller
    // has matched them in any case (rss_name).
    media_item(node, xml::local_name(node), item, draft);
  } else if (is_podcast(ns)) {
    podcast_item(node, ns, ascii_lower(name), item, draft);
  } else if (ns == Ns::georss || ns == Ns::geo || ns == Ns::gml) {
    geo_item(node, ns, name, item, draft);
  } else {
    return false;
  }
  return true;
}

void ExtensionReader::dublin_core_item(pugi::xml_node node, Ns ns, std::string_view name, Item& item,
                                       ItemExtensions& draft) {
  if (name == "date") {
    draft.dc_date = text_value(node);
  } else if (name == "creator" || name == "author") {
    add_person(draft.creators, node);
  } else if (name == "subject") {
    if (auto term = text_value(node)) item.categories.push_back(std::move(*term));
  } else if (name == "title") {
    draft.dc_title = text_value(node);
  } else if (name == "description" || name == "abstract") {
    draft.dc_description = text_value(node);
  } else if (name == "identifier") {
    draft.dc_identifier = text_value(node);
  } else if (name == "contributor") {
    add_person(item.extras.ensure().contributors, node);
  } else if (name == "rights") {
    set_rights(item, node);
  } else if (name == "language") {
    if (auto language = text_value(node)) item.extras.ensure().language = std::move(language);
  } else if (name == "source") {
    if (auto source = text_value(node)) {
      ItemSource& kept = item.extras.ensure().source.ensure() = ItemSource{};
      if (source->starts_with("http://") || source->starts_with("https://")) {
        kept.link = absolute_link(*source, base(node));
      } else {
        kept.title = std::move(source);
      }
    }
  } else if (ns == Ns::dcterms) {
    // The refinements of dc:date (DCMI Metadata Terms, section 2).
    if (name == "issued") draft.issued = text_value(node);
    if (name == "created") draft.created = text_value(node);
    if (name == "modified") draft.modified = text_value(node);
    if (name == "available") draft.available = text_value(node);
    if (name == "dateAccepted") draft.date_accepted = text_value(node);
    if (name == "dateSubmitted") draft.date_submitted = text_value(node);
  }
}

void ExtensionReader::media_item(pugi::xml_node node, std::string_view name, Item& item,
                                 ItemExtensions& draft) {
  const auto children = [&] {
    for (pugi::xml_node child : node.children()) {
      if (child.type() == pugi::node_element && mapping_.namespaces.of(child) == Ns::media)
        media_item(child, xml::local_name(child), item, draft);
    }
  };
  if (name == "group") {
    children();
  } else if (name == "content") {
    if (auto url = absolute_link(xml::attribute_value(node, "url"), base(node))) {
      Enclosure enclosure{std::move(*url), non_empty(xml::attribute_value(node, "type")),
                          parse_length(xml::attribute_value(node, "fileSize")),
                          non_empty(ascii_lower(xml::attribute_value(node, "medium")))};
      const bool known = std::any_of(item.enclosures.begin(), item.enclosures.end(),
                                     [&](const Enclosure& other) { return other.url == enclosure.url; });
      if (!known) item.enclosures.push_back(std::move(enclosure));
    }
    children();
  } else if (name == "thumbnail") {
    // Feeds list sizes of one picture: the largest stands for the item.
    const auto side = [&](std::string_view attribute) {
      return std::min<std::int64_t>(parse_length(xml::attribute_value(node, attribute)).value_or(0), 1 << 20);
    };
    const std::int64_t area = side("width") * side("height");
    if (area > draft.thumbnail_area) {
      if (auto url = absolute_link(xml::attribute_value(node, "url"), base(node))) {
        draft.thumbnail = std::move(url);
        draft.thumbnail_area = area;
      }
    }
  } else if (name == "category") {
    if (auto term = text_value(node)) item.categories.push_back(std::move(*term));
  } else if (name == "keywords") {
    add_keywords(item.categories, xml::inner_text(node));
  } else if (name == "title") {
    if (!draft.media_title) draft.media_title = text_value(node);
  } else if (name == "description") {
    if (!draft.media_description) draft.media_description = text_value(node);
  } else if (name == "credit") {
    if (auto credited = text_value(node)) {
      Credit credit{std::move(*credited), non_empty(ascii_lower(xml::attribute_value(node, "role"))),
                    non_empty(xml::attribute_value(node, "scheme"))};
      // The default scheme of roles, Media RSS 2.0 section 3 (media:credit).
      if (credit.role && !credit.scheme) credit.scheme = "urn:ebu";
      item.extras.ensure().credits.push_back(std::move(credit));
    }
  } else if (name == "copyright") {
    set_rights(item, node);
  } else if (name == "rating") {
    if (auto value = text_value(node)) {
      std::string scheme = xml::attribute_value(node, "scheme");
      item.extras.ensure().rating.ensure() =
          MediaRating{ascii_lower(*value), scheme.empty() ? std::string("urn:simple") : std::move(scheme)};
    }
  } else if (name == "restriction") {
    MediaRestriction restriction{ascii_lower(xml::attribute_value(node, "relationship")),
                                 non_empty(ascii_lower(xml::attribute_value(node, "type"))),
                                 {}};
    const std::string values = xml::inner_text(node);
    std::string_view rest = values;
    while (!rest.empty()) {
      const std::size_t stop = rest.find_first_of(" \t\r\n");
      const std::string_view value = rest.substr(0, stop);
      if (!value.empty()) {
        restriction.values.push_back(restriction.type == "country" ? ascii_lower(value) : std::string(value));
      }
      if (stop == std::string_view::npos) break;
      rest.remove_prefix(stop + 1);
    }
    if (!restriction.relationship.empty()) item.extras.ensure().restriction.ensure() = std::move(restriction);
  } else if (name == "license") {
    MediaLicense license{text_value(node), absolute_link(xml::attribute_value(node, "href"), base(node)),
                         non_empty(xml::attribute_value(node, "type"))};
    if (license.name || license.url) item.extras.ensure().license.ensure() = std::move(license);
  }
}

void ExtensionReader::podcast_item(pugi::xml_node node, Ns ns, std::string_view name, Item& item,
                                   ItemExtensions& draft) {
  if (name == "author") {
    add_person(draft.podcast_authors, node);
  } else if (name == "summary" && ns == Ns::itunes) {
    draft.itunes_summary = text_value(node);
  } else if (name == "description" && ns == Ns::googleplay) {
    draft.googleplay_description = text_value(node);
  } else if (name == "subtitle" && ns == Ns::itunes) {
    if (auto subtitle = text_value(node)) item.extras.ensure().subtitle = plain_title(*subtitle);
  } else if (name == "title" && ns == Ns::itunes) {
    draft.itunes_title = text_value(node);
  } else if (name == "image" && ns != Ns::podcast) {
    if (!draft.image) {
      if (auto reference = image_reference(node)) draft.image = absolute_link(*reference, base(node));
    }
  } else if (name == "category" && ns == Ns::itunes) {
    add_itunes_categories(item.categories, node);
  } else if (name == "category" && ns == Ns::googleplay) {
    if (auto term = non_empty(xml::attribute_value(node, "text")))
      add_unique(item.categories, std::move(*term));
  } else if (name == "keywords" && ns == Ns::itunes) {
    add_keywords(item.categories, xml::inner_text(node));
  } else if (name == "explicit" && ns != Ns::podcast) {
    if (auto value = parse_explicit(xml::inner_text(node))) item.extras.ensure().explicit_content = value;
  } else if (name == "duration" && ns == Ns::itunes) {
    if (auto seconds = parse_duration(xml::inner_text(node))) item.extras.ensure().duration_seconds = seconds;
  } else if (name == "season" && ns != Ns::googleplay) {
    if (auto season = small_number(xml::inner_text(node))) item.extras.ensure().season = season;
  } else if (name == "episode" && ns != Ns::googleplay) {
    if (auto episode = small_number(xml::inner_text(node))) item.extras.ensure().episode = episode;
  } else if (name == "person" && ns == Ns::podcast) {
    if (auto person = text_value(node)) {
      std::string role = ascii_lower(xml::attribute_value(node, "role"));
      // The namespace's default role, and its role list as the scheme.
      item.extras.ensure().credits.push_back(Credit{std::move(*person),
                                                    role.empty() ? "host" : std::move(role),
                                                    "https://podcastindex.org/namespace/1.0#person"});
    }
  } else if (name == "location" && ns == Ns::podcast) {
    // geo="geo:30.2672,97.7431;u=350" (RFC 5870).
    std::string_view geo = xml::attribute(node, "geo").value();
    if (geo.starts_with("geo:")) {
      geo.remove_prefix(4);
      if (auto point = parse_point(geo.substr(0, geo.find(';')))) item.extras.ensure().point = point;
    }
  }
}

void ExtensionReader::geo_item(pugi::xml_node node, Ns ns, std::string_view name, Item& item,
                               ItemExtensions& draft) {
  if (ns == Ns::geo && name == "lat") {
    draft.latitude = text_value(node);
  } else if (ns == Ns::geo && name == "long") {
    draft.longitude = text_value(node);
  } else if ((ns == Ns::georss && name == "point") || (ns == Ns::gml && name == "pos")) {
    if (auto point = parse_point(xml::inner_text(node))) item.extras.ensure().point = point;
  } else if ((ns == Ns::georss && name == "where") || (ns == Ns::gml && name == "Point") ||
             (ns == Ns::geo && name == "Point")) {
    for (pugi::xml_node child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      const Ns child_ns = mapping_.namespaces.of(child);
      if (child_ns == Ns::georss || child_ns == Ns::geo || child_ns == Ns::gml)
        geo_item(child, child_ns, xml::local_name(child), item, draft);
    }
  }
}

bool ExtensionReader::feed_element(pugi::xml_node node, Ns ns, std::string_view name, Feed& feed,
                                   FeedExtensions& draft) {
  if (is_dublin_core(ns)) {
    if (name == "date") draft.dc_date = text_value(node);
    if (name == "modified") draft.modified = text_value(node);
    if (name == "issued") draft.issued = text_value(node);
    if (name == "title") draft.dc_title = text_value(node);
    if (name == "description") draft.dc_description = text_value(node);
    if (name == "language") draft.dc_language = text_value(node);
    if (name == "rights" && !draft.rights) draft.rights = text_value(node);
    if (name == "creator") add_person(draft.creators, node);
    if (name == "contributor") add_person(feed.contributors, node);
    if (name == "subject") {
      if (auto term = text_value(node)) feed.categories.push_back(std::move(*term));
    }
  } else if (ns == Ns::media) {
    name = xml::local_name(node);  // exact, as for an item's
    if (name == "category") {
      if (auto term = text_value(node)) feed.categories.push_back(std::move(*term));
    } else if (name == "keywords") {
      add_keywords(feed.categories, xml::inner_text(node));
    } else if (name == "copyright" && !draft.rights) {
      draft.rights = text_value(node);
    } else if (name == "thumbnail" && !draft.image) {
      draft.image = absolute_link(xml::attribute_value(node, "url"), base(node));
    }
  } else if (is_podcast(ns)) {
    const std::string lower = ascii_lower(name);
    if (lower == "author") {
      add_person(draft.podcast_authors, node);
    } else if (lower == "summary" && ns == Ns::itunes) {
      draft.itunes_summary = text_value(node);
    } else if (lower == "subtitle" && ns == Ns::itunes) {
      draft.itunes_subtitle = text_value(node);
    } else if (lower == "description" && ns == Ns::googleplay) {
      draft.googleplay_description = text_value(node);
    } else if (lower == "title" && ns == Ns::itunes) {
      draft.itunes_title = text_value(node);
    } else if (lower == "image" && ns != Ns::podcast) {
      if (!draft.image) {
        if (auto reference = image_reference(node)) draft.image = absolute_link(*reference, base(node));
      }
    } else if (lower == "category" && ns == Ns::itunes) {
      add_itunes_categories(feed.categories, node);
    } else if (lower == "category" && ns == Ns::googleplay) {
      if (auto term = non_empty(xml::attribute_value(node, "text")))
        add_unique(feed.categories, std::move(*term));
    } else if (lower == "keywords" && ns == Ns::itunes) {
      add_keywords(feed.categories, xml::inner_text(node));
    } else if (lower == "explicit" && ns != Ns::podcast) {
      if (auto value = parse_explicit(xml::inner_text(node))) feed.explicit_content = value;
    } else if (lower == "guid" && ns == Ns::podcast && !feed.id) {
      feed.id = text_value(node);
    }
  } else if (ns == Ns::admin && name == "generatorAgent" && !feed.generator) {
    feed.generator = non_empty(xml::attribute_value(node, "resource"));
  } else {
    return ns == Ns::georss || ns == Ns::geo || ns == Ns::gml;
  }
  return true;
}

void ExtensionReader::finish_item(Item& item, ItemExtensions& draft) {
  if (item.authors.empty()) item.authors = std::move(draft.podcast_authors);
  if (!item.title) {
    for (auto* title : {&draft.dc_title, &draft.itunes_title, &draft.media_title}) {
      if (*title) {
        item.title = plain_title(**title);
        break;
      }
    }
  }
  item.thumbnail = std::move(draft.thumbnail ? draft.thumbnail : draft.image);
  if (draft.latitude && draft.longitude) {
    if (auto point = point_of(parse_decimal(*draft.latitude), parse_decimal(*draft.longitude))) {
      ItemExtras& extras = item.extras.ensure();
      if (!extras.point) extras.point = point;
    }
  }
}

void choose_summary(Item& item, std::optional<std::string>&& content,
                    std::initializer_list<std::optional<std::string>*> summaries) {
  std::optional<std::string>* shortest = nullptr;
  std::optional<std::string>* longest = nullptr;
  for (std::optional<std::string>* summary : summaries) {
    if (!*summary) continue;
    if (shortest == nullptr || (*summary)->size() < (*shortest)->size()) shortest = summary;
    if (longest == nullptr || (*summary)->size() > (*longest)->size()) longest = summary;
  }
  item.content = std::move(content);
  if (shortest == nullptr) return;
  if (!item.content && longest != shortest && **longest != **shortest) item.content = std::move(*longest);
  item.summary = std::move(*shortest);
}

std::optional<bool> parse_explicit(std::string_view text) {
  const std::string value = ascii_lower(trim(text));
  if (value == "yes" || value == "true" || value == "explicit") return true;
  if (value == "no" || value == "false" || value == "clean") return false;
  return std::nullopt;
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  text = trim(text);
  // Fractions of a second are dropped: the seconds are what players show.
  const std::size_t dot = text.find('.');
  if (dot != std::string_view::npos) {
    const std::string_view fraction = text.substr(dot + 1);
    if (fraction.empty() || !std::all_of(fraction.begin(), fraction.end(),
                                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return std::nullopt;
    text = text.substr(0, dot);
  }
  std::int64_t seconds = 0;
  int parts = 0;
  while (true) {
    const std::size_t colon = text.find(':');
    const std::string_view part = text.substr(0, colon);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || error != std::errc() || end != part.data() + part.size() || value < 0)
      return std::nullopt;
    // Only the first of HH:MM:SS may exceed 59 (a 90-minute show is "90:00").
    if (parts > 0 && value > 59) return std::nullopt;
    if (++parts > 3 || seconds > (std::int64_t{1} << 40)) return std::nullopt;
    seconds = seconds * 60 + value;
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  return seconds;
}

std::optional<GeoPoint> parse_point(std::string_view text) {
  text = trim(text);
  const std::size_t split = text.find_first_of(" \t\r\n,");
  if (split == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(split);
  while (!rest.empty() && (is_space(rest.front()) || rest.front() == ',')) rest.remove_prefix(1);
  return point_of(parse_decimal(text.substr(0, split)), parse_decimal(rest));
}

void add_unique(std::vector<std::string>& terms, std::string term) {
  if (std::find(terms.begin(), terms.end(), term) == terms.end()) terms.push_back(std::move(term));
}

}  // namespace tinhop::detail
