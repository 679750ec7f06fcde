// What the format mappers (RSS, Atom, JSON Feed) share: the feed under construction, the
// raw date strings (parsed once the whole document's day/month order is known), and the
// helpers that turn raw values into contract values.
#pragma once

#include <pugixml.hpp>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/feed.hpp"
#include "tinhop/parsers/memory_budget.hpp"
#include "tinhop/parsers/model.hpp"
#include "xml_reader.hpp"
#include "xml_stream.hpp"

namespace tinhop::detail {

enum class DateField {
  feed_updated,
  feed_updated_candidate,  // the feed's date is the newest of these (JSON Feed)
  feed_published,
  item_published,
  item_updated,
};

struct RawDate {
  std::size_t item = 0;  // index into feed.items; ignored for feed_updated
  DateField field = DateField::item_published;
  std::string text;
};

struct Mapping {
  const ParseContext& context;
  const ParseLimits& limits;
  MemoryBudget& budget;     // shared with the document tree while it lives
  std::size_t input_bytes;  // the document's size, which the budget is a multiple of
  Feed feed;
  std::vector<RawDate> dates;
  std::vector<std::string> warnings;
  std::optional<ParseFailure> failure;  // set when a limit refuses the document
  xml::NamespaceCache namespaces;
  std::size_t entries = 0;        // entries the document holds (a bound for XML)
  bool budget_reached = false;    // entries after the last item were dropped to stay in budget
  std::size_t dates_charged = 0;  // dates[0, dates_charged) belong to items already added
  // The entries of a document too large for one tree, which the tree the mapper reads
  // lacks; null for the usual document, whose entries are in its tree.
  xml::EntryStream* entry_stream = nullptr;

  // Records a date to parse once every date of the document has been seen.
  void add_date(DateField field, std::size_t item, std::string text);

  // True, with `failure` set, once the document holds more entries than allowed; true too
  // once the memory budget has stopped taking entries.
  bool items_exhausted();

  // Makes room for the entries among `parents`' children named `local_name` (any
  // namespace: a bound, not a count), so that the items are never moved by the vector's
  // doubling, which would hold both copies at the peak of a large document. The room is
  // charged to the budget, and is no more than it holds.
  void reserve_items(std::initializer_list<pugi::xml_node> parents, std::string_view local_name);

  // The same for a document known to hold `count` entries.
  void reserve_entries(std::size_t count);

  // Appends the entry at index feed.items.size(), whose dates were recorded since the
  // previous one, when the budget holds it and them; otherwise drops it and its dates
  // and takes no more entries. An item is kept whole or not at all.
  void add_item(Item&& item);

  // Hands `map_entry` each entry of `entry_stream`, after the feed's own elements, while
  // entries are taken; an entry the budget cannot hold stops them as add_item does.
  void map_streamed_entries(const std::function<void(pugi::xml_node)>& map_entry);

  // The refusal of a document whose tree does not fit in the budget.
  ParseFailure over_budget() const;

  // The warning for entries dropped to stay in budget; empty when none were.
  std::optional<std::string> budget_warning() const;
};

// Heap bytes behind a string, as the memory budget counts them: none while it fits in the
// string object itself.
std::size_t heap_bytes(const std::string& text);
std::size_t heap_bytes(const std::optional<std::string>& text);

// Trimmed copy; nullopt when nothing but white space is left.
std::optional<std::string> non_empty(std::string_view text);
// The same for a string the caller gives up: trimmed in place, no copy.
std::optional<std::string> non_empty(std::string&& text);

// Plain-text title from a value that may hold HTML or leftover entities.
std::string plain_title(std::string_view decoded);

// A text value as the contract wants it: trimmed, nullopt when empty.
std::optional<std::string> text_value(pugi::xml_node element);

// A plain-string value (a category's term): the element's own text, trimmed, child
// elements left out; nullopt when empty.
std::optional<std::string> term_value(pugi::xml_node element);

// The base for relative references inside `element`: its xml:base chain (resolved from
// the document URL, into `resolved`) when there is one, else `fallback`.
const std::string& base_for(pugi::xml_node element, const std::string& document_url,
                            const std::string& fallback, std::string& resolved);

// `raw` made absolute against `base`; the trimmed raw value when that is impossible.
std::optional<std::string> absolute_link(std::string_view raw, const std::string& base);

// WebSub discovery from a feed-level link (W3C WebSub section 4): rel="hub" adds a hub,
// the first rel="self" names the topic. `rel` may list several types (RFC 8288 3.3).
void note_websub_link(std::string_view rel, std::string_view href, const std::string& base, Feed& feed);

// A language tag in BCP 47's form ("en_US": "en-US", "VI": "vi", "vi-vn": "vi-VN"), or
// nullopt when `written` is not a well-formed tag ("English", "vi, en").
std::optional<std::string> bcp47_language(std::string_view written);

// Splits an RSS author "mail@x (Name)" / "Name <mail@x>" / "mail@x" / "Name".
Author split_author(std::string_view text);

// A non-negative integer, or nullopt ("1200px", "", "-1" are not lengths).
std::optional<std::int64_t> parse_length(std::string_view text);

// The first <img src> of an HTML fragment, as written.
std::optional<std::string> first_image(std::string_view html);

// True for media types and extensions that denote an image.
bool looks_like_image(std::string_view url, std::string_view type);

// An element name of RSS or of the namespaces RSS mixes in (Dublin Core, iTunes ...) in
// its specified spelling when `local` differs from it only in case ("PubDate": "pubDate"):
// RSS has no schema, templates vary the case, and no feed uses two spellings for two
// things. Any other name as it is.
std::string_view rss_name(std::string_view local);

// Maps a document whose root element is rss / rdf:RDF / channel.
void map_rss(pugi::xml_node root, FeedFormat format, Mapping& mapping);

// Maps a document whose root element is an Atom feed (0.3 or 1.0).
void map_atom(pugi::xml_node root, FeedFormat format, Mapping& mapping);

// Maps a JSON Feed; sets mapping.failure when the text is not one.
void map_json_feed(std::string_view text, Mapping& mapping);

}  // namespace tinhop::detail
