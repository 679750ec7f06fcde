// The namespaces RSS and Atom documents both carry: Dublin Core and DC Terms, Media RSS,
// iTunes, Google Play, Podcasting 2.0, GeoRSS and W3C Basic Geo. Each format's mapper
// hands them the elements it does not own; what they read waits in a draft until the
// item (or channel) is complete, so the format's own elements win whatever the order.
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping.hpp"
#include "xml_reader.hpp"

namespace tinhop::detail {

struct ItemExtensions {
  // Dublin Core dates, one per term.
  std::optional<std::string> dc_date, issued, created, available, date_accepted, date_submitted, modified;
  std::optional<std::string> dc_title, media_title, itunes_title;
  std::optional<std::string> dc_description, media_description, itunes_summary, googleplay_description;
  std::optional<std::string> dc_identifier;
  std::vector<Author> creators;          // dc:creator
  std::vector<Author> podcast_authors;   // itunes:author, googleplay:author: when nothing else names one
  std::optional<std::string> image;      // itunes:image, googleplay:image
  std::optional<std::string> thumbnail;  // the largest media:thumbnail
  std::int64_t thumbnail_area = -1;
  std::optional<std::string> latitude, longitude;  // geo:lat, geo:long
};

struct FeedExtensions {
  std::optional<std::string> dc_date, modified, issued;
  std::optional<std::string> dc_title, itunes_title;
  std::optional<std::string> dc_description, itunes_summary, itunes_subtitle, googleplay_description;
  std::optional<std::string> dc_language, rights, image;
  std::vector<Author> creators;
  std::vector<Author> podcast_authors;
};

class ExtensionReader {
 public:
  // `fallback_base` is what relative references resolve against outside any xml:base.
  ExtensionReader(Mapping& mapping, const std::string& document_url, const std::string& fallback_base)
      : mapping_(mapping), document_url_(document_url), fallback_base_(fallback_base) {}

  // Reads `node`, an element of namespace `ns` in an item or entry; false when `ns` is
  // none of the namespaces above.
  bool item_element(pugi::xml_node node, xml::Ns ns, std::string_view name, Item& item,
                    ItemExtensions& draft);

  // The same for an element of the channel or feed.
  bool feed_element(pugi::xml_node node, xml::Ns ns, std::string_view name, Feed& feed,
                    FeedExtensions& draft);

  // What the drafts give the item once its own elements are read: authors, title, image
  // and position when the format's elements gave none.
  static void finish_item(Item& item, ItemExtensions& draft);

 private:
  const std::string& base(pugi::xml_node node);
  void media_item(pugi::xml_node node, std::string_view name, Item& item, ItemExtensions& draft);
  void dublin_core_item(pugi::xml_node node, xml::Ns ns, std::string_view name, Item& item,
                        ItemExtensions& draft);
  void podcast_item(pugi::xml_node node, xml::Ns ns, std::string_view name, Item& item,
                    ItemExtensions& draft);
  void geo_item(pugi::xml_node node, xml::Ns ns, std::string_view name, Item& item, ItemExtensions& draft);

  Mapping& mapping_;
  const std::string& document_url_;
  const std::string& fallback_base_;
  std::string resolved_;  // an xml:base chain's result, for the call that asked
};

// The summary and content of an item from what it carries. `content` is the body element's
// (content:encoded, atom:content ...), `summaries` the other descriptions in order of
// preference (nulls skipped). The content is the richest text, the summary the shortest:
// with a body, the shortest description is the summary; without one, two different
// descriptions make the longer the content and the shorter the summary.
void choose_summary(Item& item, std::optional<std::string>&& content,
                    std::initializer_list<std::optional<std::string>*> summaries);

// itunes:explicit / googleplay:explicit: "yes", "true", "explicit" or "no", "false", "clean".
std::optional<bool> parse_explicit(std::string_view text);

// itunes:duration: "HH:MM:SS", "MM:SS" or seconds ("1800", "1800.5").
std::optional<std::int64_t> parse_duration(std::string_view text);

// Two decimal numbers, latitude then longitude, apart by white space or a comma; nullopt
// when either is missing or out of range.
std::optional<GeoPoint> parse_point(std::string_view text);

// A term appended unless the list already holds it (iTunes categories repeat as keywords).
void add_unique(std::vector<std::string>& terms, std::string term);

}  // namespace tinhop::detail
