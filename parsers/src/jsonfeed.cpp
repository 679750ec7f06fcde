// JSON Feed 1.0 and 1.1 (https://jsonfeed.org) onto the model.
#include <boost/algorithm/string/predicate.hpp>
#include <boost/json/memory_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <new>
#include <optional>
#include <string>

#include "mapping.hpp"
#include "tinhop/parsers/text.hpp"

namespace tinhop::detail {
namespace {

namespace json = boost::json;

std::optional<std::string> string_at(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (const json::string* text = value->if_string()) return non_empty(*text);
  if (value->is_int64()) return std::to_string(value->as_int64());
  if (value->is_uint64()) return std::to_string(value->as_uint64());
  return std::nullopt;
}

std::optional<std::int64_t> integer_at(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64() && value->as_int64() >= 0) return value->as_int64();
  if (value->is_uint64() && value->as_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(value->as_uint64());
  if (value->is_double() && value->as_double() >= 0 && value->as_double() < 9e18) {
    return static_cast<std::int64_t>(value->as_double());
  }
  if (const json::string* text = value->if_string()) return parse_length(*text);
  return std::nullopt;
}

// JSON Feed 1.1 "authors" (an array) or 1.0 "author" (one object).
std::vector<Author> authors_of(const json::object& object, const std::string& base) {
  std::vector<Author> authors;
  const auto add = [&](const json::value& value) {
    const json::object* person = value.if_object();
    if (person == nullptr) return;
    Author author{string_at(*person, "name"), std::nullopt, std::nullopt};
    if (auto url = string_at(*person, "url")) {
      if (url->starts_with("mailto:")) {
        author.email = url->substr(7);
      } else {
        author.uri = absolute_link(*url, base);
      }
    }
    if (author.name || author.uri || author.email) authors.push_back(std::move(author));
  };
  if (const json::value* many = object.if_contains("authors"); many != nullptr && many->is_array()) {
    for (const json::value& value : many->get_array()) add(value);
  }
  if (authors.empty()) {
    if (const json::value* one = object.if_contains("author")) add(*one);
  }
  return authors;
}

// Boost.JSON's allocations for one document, charged to the parse's budget. A memory
// resource can only fail by throwing; parse_within turns that back into a value.
class BudgetResource final : public json::memory_resource {
 public:
  explicit BudgetResource(MemoryBudget& budget) : budget_(budget) {}

 private:
  // Boost.JSON frees some blocks with another alignment than it asked for (a key: 1, then
  // 16): what it asks for is never over-aligned, and plain new and delete ignore it.
  void* do_allocate(std::size_t bytes, std::size_t /*alignment*/) override {
    if (!budget_.charge(bytes)) throw std::bad_alloc();
    try {
      return ::operator new(bytes);
    } catch (...) {
      budget_.release(bytes);
      throw;
    }
  }
  void do_deallocate(void* block, std::size_t bytes, std::size_t /*alignment*/) override {
    ::operator delete(block);
    budget_.release(bytes);
  }
  bool do_is_equal(const json::memory_resource& other) const noexcept override { return this == &other; }

  MemoryBudget& budget_;
};

// The parsed document, held in `resource`; null with `out_of_memory` set when it outgrew it.
json::value parse_within(std::string_view text, boost::system::error_code& error, BudgetResource& resource,
                         bool& out_of_memory) {
  json::parse_options options;
  options.max_depth = 64;
  options.allow_invalid_utf8 = true;
  try {
    return json::parse(text, error, json::storage_ptr(&resource), options);
  } catch (const std::bad_alloc&) {
    out_of_memory = true;
    return nullptr;
  }
}

}  // namespace

void map_json_feed(std::string_view text, Mapping& mapping) {
  boost::system::error_code error;
  BudgetResource resource(mapping.budget);
  bool out_of_memory = false;
  const json::value document = parse_within(text, error, resource, out_of_memory);
  if (out_of_memory) {
    mapping.failure = mapping.over_budget();
    return;
  }
  if (error) {
    mapping.failure =
        ParseFailure{ParseError::not_a_feed, "not a JSON Feed: invalid JSON (" + error.message() + ")"};
    return;
  }
  const json::object* root = document.if_object();
  const std::optional<std::string> version = root != nullptr ? string_at(*root, "version") : std::nullopt;
  const json::value* items_value = root != nullptr ? root->if_contains("items") : nullptr;
  const bool versioned = version && (version->find("jsonfeed.org/version/") != std::string::npos ||
                                     *version == "1" || *version == "1.0" || *version == "1.1");
  // A feed that forgot its version is still read when it has the JSON Feed shape.
  if (!versioned && (items_value == nullptr || !items_value->is_array() || !root->contains("title"))) {
    mapping.failure = ParseFailure{ParseError::not_a_feed, "not a JSON Feed: no jsonfeed.org version"};
    return;
  }
  if (!versioned) mapping.warnings.push_back("JSON Feed without a jsonfeed.org version: read as 1.1");
  Feed& feed = mapping.feed;
  feed.format = !version || version->ends_with("1.1") ? FeedFormat::json11 : FeedFormat::json10;
  const std::string& url = mapping.context.url;
  // JSON Feed titles are plain text: "<i>" or "&amp;" in one is what the reader sees.
  feed.title = string_at(*root, "title");
  if (feed.title) feed.title = collapse_whitespace(*feed.title);
  if (auto home = string_at(*root, "home_page_url")) feed.link = absolute_link(*home, url);
  const std::string base = feed.link && feed.link->find("://") != std::string::npos ? *feed.link : url;
  feed.description = string_at(*root, "description");
  feed.language = string_at(*root, "language");
  const std::vector<Author> feed_authors = authors_of(*root, base);
  feed.authors = feed_authors;
  if (auto icon = string_at(*root, "icon")) feed.image = absolute_link(*icon, base);
  if (auto favicon = string_at(*root, "favicon")) feed.icon = absolute_link(*favicon, base);
  // JSON Feed 1.1 "hubs": [{"type": "WebSub", "url": ...}], other hub types ignored.
  if (const json::value* hubs = root->if_contains("hubs"); hubs != nullptr && hubs->is_array()) {
    for (const json::value& hub : hubs->get_array()) {
      const json::object* object = hub.if_object();
      const std::optional<std::string> type = object != nullptr ? string_at(*object, "type") : std::nullopt;
      if (!type || !boost::algorithm::iequals(*type, "websub")) continue;
      if (auto hub_url = string_at(*object, "url")) note_websub_link("hub", *hub_url, url, feed);
    }
  }
  // feed_url is the feed's own address: the topic a hub knows it by.
  if (auto feed_url = string_at(*root, "feed_url")) note_websub_link("self", *feed_url, url, feed);

  const json::value* items = root->if_contains("items");
  if (items == nullptr || !items->is_array()) {
    if (items != nullptr) mapping.warnings.push_back("JSON Feed \"items\" is not an array: ignored");
    return;
  }
  mapping.reserve_entries(items->get_array().size());
  for (const json::value& value : items->get_array()) {
    const json::object* entry = value.if_object();
    if (entry == nullptr) {
      mapping.warnings.push_back("JSON Feed item that is not an object: skipped");
      continue;
    }
    if (mapping.items_exhausted()) return;
    const std::size_t index = feed.items.size();
    Item item;
    item.id = string_at(*entry, "id");
    if (auto link = string_at(*entry, "url")) {
      item.link = absolute_link(*link, base);
    } else if (auto external = string_at(*entry, "external_url")) {
      item.link = absolute_link(*external, base);
    }
    if (auto title = string_at(*entry, "title")) item.title = non_empty(collapse_whitespace(*title));
    item.summary = string_at(*entry, "summary");
    item.content = string_at(*entry, "content_html");
    if (!item.content) item.content = string_at(*entry, "content_text");
    if (auto published = string_at(*entry, "date_published")) {
      mapping.add_date(DateField::item_published, index, *published);
    }
    if (auto modified = string_at(*entry, "date_modified")) {
      mapping.add_date(DateField::item_updated, index, *modified);
    }
    // JSON Feed has no feed-level date: the newest item date stands in for it.
    for (const char* key : {"date_modified", "date_published"}) {
      if (auto date = string_at(*entry, key)) mapping.add_date(DateField::feed_updated_candidate, 0, *date);
    }
    item.authors = authors_of(*entry, base);
    if (item.authors.empty()) item.authors = feed_authors;
    if (const json::value* tags = entry->if_contains("tags"); tags != nullptr && tags->is_array()) {
      for (const json::value& tag : tags->get_array()) {
        if (const json::string* term = tag.if_string()) {
          if (auto kept = non_empty(*term)) item.categories.push_back(std::move(*kept));
        }
      }
    }
    if (const json::value* attachments = entry->if_contains("attachments");
        attachments != nullptr && attachments->is_array()) {
      for (const json::value& attachment : attachments->get_array()) {
        const json::object* object = attachment.if_object();
        if (object == nullptr) continue;
        const std::optional<std::string> raw_url = string_at(*object, "url");
        if (!raw_url) continue;
        if (auto absolute = absolute_link(*raw_url, base)) {
          item.enclosures.push_back(Enclosure{*absolute, string_at(*object, "mime_type"),
                                              integer_at(*object, "size_in_bytes"), std::nullopt});
        }
      }
    }
    if (auto image = string_at(*entry, "image")) item.thumbnail = absolute_link(*image, base);
    if (!item.thumbnail) {
      if (auto banner = string_at(*entry, "banner_image")) item.thumbnail = absolute_link(*banner, base);
    }
    mapping.add_item(std::move(item));
  }
}

}  // namespace tinhop::detail
