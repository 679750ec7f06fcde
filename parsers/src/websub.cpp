#include "tinhop/parsers/websub.hpp"

#include <algorithm>

#include <boost/algorithm/string/predicate.hpp>

#include "tinhop/parsers/url.hpp"

namespace tinhop {

namespace {

constexpr std::string_view kSpace = " \t\r\n";

void skip_space(std::string_view& text) {
  const std::size_t start = text.find_first_not_of(kSpace);
  text.remove_prefix(start == std::string_view::npos ? text.size() : start);
}

// A token or a quoted string (its escapes undone), up to the next ';' or ','.
std::string parameter_value(std::string_view& text) {
  skip_space(text);
  std::string value;
  if (!text.empty() && text.front() == '"') {
    text.remove_prefix(1);
    while (!text.empty() && text.front() != '"') {
      if (text.front() == '\\' && text.size() > 1) text.remove_prefix(1);
      value.push_back(text.front());
      text.remove_prefix(1);
    }
    if (!text.empty()) text.remove_prefix(1);
    return value;
  }
  const std::size_t end = std::min(text.find_first_of(";,"), text.size());
  value.assign(text.substr(0, end));
  text.remove_prefix(end);
  while (!value.empty() && kSpace.find(value.back()) != std::string_view::npos) value.pop_back();
  return value;
}

void add_link(std::string_view rel, std::string_view target, std::string_view base, WebSubLinks& links) {
  bool hub = false, self = false;
  while (true) {
    skip_space(rel);
    if (rel.empty()) break;
    const std::string_view type = rel.substr(0, std::min(rel.find_first_of(kSpace), rel.size()));
    rel.remove_prefix(type.size());
    hub = hub || boost::algorithm::iequals(type, "hub");
    self = self || boost::algorithm::iequals(type, "self");
  }
  if (!hub && !self) return;
  const std::optional<std::string> url = resolve_url(base, target);
  if (!url) return;
  if (hub && std::find(links.hubs.begin(), links.hubs.end(), *url) == links.hubs.end())
    links.hubs.push_back(*url);
  if (self && !links.self) links.self = *url;
}

// Reads the links of one header value; stops at the first malformed one.
void read_links(std::string_view text, std::string_view base, WebSubLinks& links) {
  while (true) {
    skip_space(text);
    while (!text.empty() && text.front() == ',') {
      text.remove_prefix(1);
      skip_space(text);
    }
    if (text.empty() || text.front() != '<') return;
    const std::size_t close = text.find('>');
    if (close == std::string_view::npos) return;
    const std::string_view target = text.substr(1, close - 1);
    text.remove_prefix(close + 1);
    std::string rel;
    while (true) {
      skip_space(text);
      if (text.empty() || text.front() != ';') break;
      text.remove_prefix(1);
      skip_space(text);
      const std::size_t name_end = std::min(text.find_first_of("=;,"), text.size());
      std::string_view name = text.substr(0, name_end);
      while (!name.empty() && kSpace.find(name.back()) != std::string_view::npos) name.remove_suffix(1);
      text.remove_prefix(name_end);
      std::string value;
      if (!text.empty() && text.front() == '=') {
        text.remove_prefix(1);
        value = parameter_value(text);
      }
      // Only the first rel parameter counts (RFC 8288 section 3.3).
      if (boost::algorithm::iequals(name, "rel") && rel.empty()) rel = std::move(value);
    }
    add_link(rel, target, base, links);
    skip_space(text);
    if (!text.empty() && text.front() != ',') return;
  }
}

}  // namespace

WebSubLinks links_from_headers(std::span<const std::string> link_values, std::string_view base) {
  WebSubLinks links;
  for (const std::string& value : link_values) read_links(value, base, links);
  return links;
}

std::optional<WebSubTopic> discover_websub(const WebSubLinks& headers, const Feed& feed,
                                           const std::string& fetched_url) {
  const bool from_headers = !headers.hubs.empty();
  const std::vector<std::string>& hubs = from_headers ? headers.hubs : feed.hubs;
  if (hubs.empty()) return std::nullopt;
  const std::optional<std::string>& self = from_headers ? headers.self : feed.self_url;
  return WebSubTopic{hubs, self ? *self : fetched_url};
}

}  // namespace tinhop
