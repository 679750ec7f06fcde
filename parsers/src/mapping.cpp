#include "mapping.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

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
  if (feed.items.size() < limits.max_items) return false;
  failure = ParseFailure{ParseError::too_many_items,
                         "more than " + std::to_string(limits.max_items) + " entries in one document"};
  return true;
}

void Mapping::reserve_items(std::initializer_list<pugi::xml_node> parents, std::string_view local_name) {
  std::size_t entries = 0;
  for (const pugi::xml_node parent : parents) {
    for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
      entries += child.type() == pugi::node_element && xml::local_name(child) == local_name ? 1 : 0;
    }
  }
  feed.items.reserve(std::min(entries, limits.max_items));
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
