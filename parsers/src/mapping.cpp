#include "mapping.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

#include <boost/algorithm/string/predicate.hpp>

#include "budget_terms.hpp"

#include "tinhop/parsers/text.hpp"
#include "tinhop/parsers/url.hpp"
#include "xml_reader.hpp"

namespace tinhop::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool looks_like_markup(std::string_view text) {
  for (std::size_t lt = text.find('<'); lt != std::string_view::npos && lt + 1 < text.size();
       lt = text.find('<', lt + 1)) {
    const char next = text[lt + 1];
    if (std::isalpha(static_cast<unsigned char>(next)) != 0 || next == '/' || next == '!') return true;
  }
  return false;
}

}  // namespace

void Mapping::add_date(DateField field, std::size_t item, std::string text) {
  dates.push_back(RawDate{item, field, std::move(text)});
}

bool Mapping::items_exhausted() {
  if (budget_reached) return true;
  if (feed.items.size() < limits.max_items) return false;
  failure = ParseFailure{ParseError::too_many_items,
                         "more than " + std::to_string(limits.max_items) + " entries in one document"};
  return true;
}

void Mapping::reserve_items(std::initializer_list<pugi::xml_node> parents, std::string_view local_name) {
  std::size_t count = 0;
  for (const pugi::xml_node parent : parents) {
    for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
      count += child.type() == pugi::node_element && xml::local_name(child) == local_name ? 1 : 0;
    }
  }
  reserve_entries(count);
}

void Mapping::reserve_entries(std::size_t count) {
  entries = count;
  if (entries == 0) return;
  // Room for as many items as the budget holds with their strings, which are copies of
  // their share of the input at most: the rest of the budget is theirs.
  const std::size_t per_item = sizeof(Item) + input_bytes / entries;
  const std::size_t room = std::min({entries, limits.max_items, budget.left() / per_item});
  if (room <= feed.items.capacity() || !budget.charge((room - feed.items.capacity()) * sizeof(Item))) return;
  feed.items.reserve(room);
}

std::size_t heap_bytes(const std::string& text) {
  const std::less<const void*> before;
  const void* data = text.data();
  const bool in_place = !before(data, &text) && before(data, &text + 1);
  return in_place ? 0 : text.capacity() + 1;
}

std::size_t heap_bytes(const std::optional<std::string>& text) {
  return text ? heap_bytes(*text) : 0;
}

namespace {

using detail::heap_bytes;  // beside the overloads below, not hidden by them

std::size_t heap_bytes(const std::vector<Author>& people) {
  std::size_t bytes = people.capacity() * sizeof(Author);
  for (const Author& person : people) {
    bytes += heap_bytes(person.name) + heap_bytes(person.email) + heap_bytes(person.uri);
  }
  return bytes;
}

std::size_t heap_bytes(const ItemExtras& extras) {
  std::size_t bytes = sizeof(ItemExtras) + heap_bytes(extras.subtitle) + heap_bytes(extras.rights) +
                      heap_bytes(extras.language) + heap_bytes(extras.contributors);
  bytes += extras.credits.capacity() * sizeof(Credit);
  for (const Credit& credit : extras.credits)
    bytes += heap_bytes(credit.name) + heap_bytes(credit.role) + heap_bytes(credit.scheme);
  if (extras.rating)
    bytes += sizeof(MediaRating) + heap_bytes(extras.rating->value) + heap_bytes(extras.rating->scheme);
  if (extras.restriction) {
    bytes += sizeof(MediaRestriction) + heap_bytes(extras.restriction->relationship) +
             heap_bytes(extras.restriction->type) +
             extras.restriction->values.capacity() * sizeof(std::string);
    for (const std::string& value : extras.restriction->values) bytes += heap_bytes(value);
  }
  if (extras.license)
    bytes += sizeof(MediaLicense) + heap_bytes(extras.license->name) + heap_bytes(extras.license->url) +
             heap_bytes(extras.license->type);
  if (extras.source)
    bytes += sizeof(ItemSource) + heap_bytes(extras.source->title) + heap_bytes(extras.source->link) +
             heap_bytes(extras.source->id);
  return bytes;
}

// What an item holds beyond sizeof(Item): its strings and its vectors' buffers.
std::size_t heap_bytes(const Item& item) {
  std::size_t bytes = 0;
  for (const auto* field :
       {&item.id, &item.link, &item.title, &item.summary, &item.content, &item.thumbnail, &item.comments}) {
    bytes += heap_bytes(*field);
  }
  bytes += heap_bytes(item.authors);
  bytes += item.categories.capacity() * sizeof(std::string);
  for (const std::string& category : item.categories) bytes += heap_bytes(category);
  bytes += item.enclosures.capacity() * sizeof(Enclosure);
  for (const Enclosure& enclosure : item.enclosures)
    bytes += heap_bytes(enclosure.url) + heap_bytes(enclosure.type) + heap_bytes(enclosure.medium);
  if (item.extras) bytes += heap_bytes(*item.extras);
  return bytes;
}

}  // namespace

void Mapping::add_item(Item&& item) {
  std::size_t cost = heap_bytes(item);
  // Twice the record: the dates vector grows by doubling, and its old buffer is the slack.
  for (std::size_t i = dates_charged; i < dates.size(); ++i)
    cost += 2 * sizeof(RawDate) + heap_bytes(dates[i].text);
  const std::size_t capacity = feed.items.capacity();
  const std::size_t grown = feed.items.size() < capacity ? capacity : std::max<std::size_t>(2 * capacity, 8);
  if (grown != capacity) cost += grown * sizeof(Item);
  if (!budget.charge(cost)) {
    dates.erase(dates.begin() + static_cast<std::ptrdiff_t>(dates_charged), dates.end());
    budget_reached = true;
    return;
  }
  if (grown != capacity) {
    feed.items.reserve(grown);
    budget.release(capacity * sizeof(Item));
  }
  feed.items.push_back(std::move(item));
  dates_charged = dates.size();
}

void Mapping::map_streamed_entries(const std::function<void(pugi::xml_node)>& map_entry) {
  reserve_entries(entry_stream->entries());
  const xml::EntryStream::End end = entry_stream->for_each_entry([&](pugi::xml_node entry) {
    // The cache holds views into the previous entry's tree, freed since.
    namespaces = xml::NamespaceCache();
    map_entry(entry);
    return !budget_reached && !failure;
  });
  namespaces = xml::NamespaceCache();
  if (end == xml::EntryStream::End::out_of_memory) budget_reached = true;
  // Recovery, which a malformed entry needs, would need the whole tree.
  if (end == xml::EntryStream::End::malformed) failure = over_budget();
}

namespace {

std::string budget_terms(const Mapping& mapping) {
  return detail::budget_terms(mapping.input_bytes, mapping.limits.memory_ratio, mapping.limits.memory_floor);
}

}  // namespace

ParseFailure Mapping::over_budget() const {
  return ParseFailure{ParseError::over_memory_budget, "document needs more than " +
                                                          binary_size(budget.limit()) +
                                                          " to parse (budget: " + budget_terms(*this) + ")"};
}

std::optional<std::string> Mapping::budget_warning() const {
  if (!budget_reached) return std::nullopt;
  return "memory budget of " + binary_size(budget.limit()) + " (" + budget_terms(*this) +
         ") reached: kept the first " + std::to_string(feed.items.size()) + " of " +
         std::to_string(std::max(entries, feed.items.size() + 1)) + " entries";
}

std::optional<std::string> non_empty(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  return std::string(text);
}

std::optional<std::string> non_empty(std::string&& text) {
  const std::string_view kept = trim(text);
  if (kept.empty()) return std::nullopt;
  if (kept.size() != text.size()) {
    const std::size_t start = static_cast<std::size_t>(kept.data() - text.data());
    const std::size_t length = kept.size();
    text.erase(0, start);
    text.resize(length);
  }
  return std::move(text);
}

std::string plain_title(std::string_view decoded) {
  if (looks_like_markup(decoded) || has_entities(decoded)) return strip_html_to_text(decoded);
  return collapse_whitespace(decoded);
}

std::optional<std::string> text_value(pugi::xml_node element) {
  if (!element) return std::nullopt;
  return non_empty(xml::inner_text(element));
}

std::optional<std::string> term_value(pugi::xml_node element) {
  if (!element) return std::nullopt;
  return non_empty(xml::term_text(element));
}

const std::string& base_for(pugi::xml_node element, const std::string& document_url,
                            const std::string& fallback, std::string& resolved) {
  std::vector<std::string_view> chain;
  for (pugi::xml_node node = element; node && node.type() == pugi::node_element; node = node.parent()) {
    if (!node.first_attribute()) continue;
    if (const pugi::xml_attribute base = node.attribute("xml:base")) chain.emplace_back(base.value());
  }
  if (chain.empty()) return fallback;
  std::string& base = resolved;
  base = document_url;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const std::string value = decode_entities(*it);
    base = resolve_url(base, value).value_or(std::string(trim(value)));
  }
  return base;
}

namespace {

// RFC 3986: scheme ":" first. Such a text is never a relative reference (a relative path's
// first segment holds no ':'), so resolving it could only give it back or fail.
bool starts_with_scheme(std::string_view uri) {
  const std::size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || !std::isalpha(static_cast<unsigned char>(uri[0])))
    return false;
  return std::all_of(uri.begin(), uri.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

}  // namespace

void note_websub_link(std::string_view rel, std::string_view href, const std::string& base, Feed& feed) {
  bool hub = false, self = false;
  while (!rel.empty()) {
    const std::size_t start = rel.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) break;
    rel.remove_prefix(start);
    const std::string_view type = rel.substr(0, rel.find_first_of(" \t\r\n"));
    rel.remove_prefix(type.size());
    // Relation types compare case-insensitively (RFC 8288 2.1.1).
    hub = hub || boost::algorithm::iequals(type, "hub");
    self = self || boost::algorithm::iequals(type, "self");
  }
  if (!hub && !self) return;
  const std::optional<std::string> url = absolute_link(href, base);
  if (!url || url->find("://") == std::string::npos) return;
  if (hub && std::find(feed.hubs.begin(), feed.hubs.end(), *url) == feed.hubs.end())
    feed.hubs.push_back(*url);
  if (self && !feed.self_url) feed.self_url = *url;
}

std::optional<std::string> absolute_link(std::string_view raw, const std::string& base) {
  const std::string_view trimmed = trim(raw);
  if (trimmed.empty()) return std::nullopt;
  std::string uri = iri_to_uri(trimmed);
  if (starts_with_scheme(uri)) return uri;
  if (std::optional<std::string> resolved = resolve_url(base, uri)) return resolved;
  return uri;
}

Author split_author(std::string_view text) {
  Author author;
  text = trim(text);
  if (text.empty()) return author;
  const std::size_t at = text.find('@');
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (at != std::string_view::npos && open != std::string_view::npos && close != std::string_view::npos &&
      close > open) {
    const std::string_view outside = trim(text.substr(0, open));
    const std::string_view inside = trim(text.substr(open + 1, close - open - 1));
    const bool email_first = at < open;
    author.email = non_empty(email_first ? outside : inside);
    author.name = non_empty(email_first ? inside : outside);
    if (author.email && author.email->starts_with("mailto:")) author.email = author.email->substr(7);
    return author;
  }
  const std::size_t lt = text.find('<');
  const std::size_t gt = text.rfind('>');
  if (at != std::string_view::npos && lt != std::string_view::npos && gt != std::string_view::npos &&
      gt > lt && at > lt) {
    author.name = non_empty(text.substr(0, lt));
    author.email = non_empty(text.substr(lt + 1, gt - lt - 1));
    return author;
  }
  if (at != std::string_view::npos && text.find(' ') == std::string_view::npos) {
    author.email = std::string(text);
    return author;
  }
  author.name = std::string(text);
  return author;
}

std::optional<std::int64_t> parse_length(std::string_view text) {
  text = trim(text);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::optional<std::string> first_image(std::string_view html) {
  for (std::size_t at = html.find("<img"); at != std::string_view::npos; at = html.find("<img", at + 4)) {
    const std::size_t end = html.find('>', at);
    const std::string_view tag =
        html.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    std::size_t src = tag.find("src");
    while (src != std::string_view::npos) {
      std::size_t k = src + 3;
      while (k < tag.size() && is_space(tag[k])) ++k;
      if (k < tag.size() && tag[k] == '=' && (src == 0 || is_space(tag[src - 1]))) {
        ++k;
        while (k < tag.size() && is_space(tag[k])) ++k;
        if (k >= tag.size()) break;
        const char quote = tag[k];
        std::size_t stop = 0;
        if (quote == '"' || quote == '\'') {
          ++k;
          stop = tag.find(quote, k);
        } else {
          stop = k;
          while (stop < tag.size() && !is_space(tag[stop]) && tag[stop] != '>') ++stop;
        }
        if (stop == std::string_view::npos) stop = tag.size();
        if (auto value = non_empty(tag.substr(k, stop - k))) return decode_entities(*value);
        break;
      }
      src = tag.find("src", src + 3);
    }
  }
  return std::nullopt;
}

bool looks_like_image(std::string_view url, std::string_view type) {
  if (type.starts_with("image/")) return true;
  if (!type.empty()) return false;
  std::string lower(url.substr(0, url.find('?')));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view ext : {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"}) {
    if (lower.ends_with(ext)) return true;
  }
  return false;
}

}  // namespace tinhop::detail
