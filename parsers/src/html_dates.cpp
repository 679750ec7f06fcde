// Dates on HTML pages: candidate strings from elements, and a date found inside text.
#include "html_internal.hpp"
#include "tinhop/parsers/date.hpp"

namespace tinhop::html_detail {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

}  // namespace

// An element's candidate date strings, machine-readable first.
void date_strings(pugi::xml_node node, std::vector<DateText>& out) {
  for (const char* name : {"datetime", "data-time", "data-timestamp", "data-date", "content", "title"}) {
    const std::string_view value = trim(node.attribute(name).value());
    if (!value.empty()) out.push_back({std::string(value), true});
  }
  std::string text = node_text(node);
  if (!text.empty()) out.push_back({std::move(text), false});
}

// A date somewhere in an element's text: the whole text, else each part between
// separators ("02/08/2019 | 341"), else what follows a label ("Cập nhật: 14/09/2026").
std::optional<ParsedDate> date_in_text(const DateText& candidate, const DateContext& context,
                                       std::string_view format) {
  const std::string_view text = candidate.text;
  auto attempt = [&](std::string_view part) -> std::optional<ParsedDate> {
    part = trim(part);
    // In visible text a bare number is a count, a year or a phone number, not a date.
    if (part.empty() ||
        (!candidate.machine && part.find_first_not_of("0123456789-") == std::string_view::npos)) {
      return std::nullopt;
    }
    if (!format.empty()) {
      if (auto parsed = parse_date_format(part, format, context)) return parsed;
    }
    return parse_date(part, context);
  };
  if (auto parsed = attempt(text)) return parsed;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool end = i == text.size();
    const bool separator = !end && (text[i] == '|' || text[i] == '\n');
    const bool dot = !end && text.substr(i, 2) == "\xC2\xB7";         // ·
    const bool bullet = !end && text.substr(i, 3) == "\xE2\x80\xA2";  // •
    if (end || separator || dot || bullet) {
      parts.push_back(text.substr(start, i - start));
      start = i + (dot ? 2 : bullet ? 3 : 1);
      i = start - 1;
    }
  }
  for (auto part : parts) {
    if (parts.size() > 1) {
      if (auto parsed = attempt(part)) return parsed;
    }
    const std::size_t colon = part.find(':');
    const std::size_t digit = part.find_first_of("0123456789");
    if (colon != std::string_view::npos && colon < digit) {
      if (auto parsed = attempt(part.substr(colon + 1))) return parsed;
    }
  }
  return std::nullopt;
}

}  // namespace tinhop::html_detail
