// The one-line selector form used by configuration files and the command line.
#include <algorithm>
#include <array>

#include "tinhop/parsers/html_listing.hpp"

namespace tinhop {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<HtmlSelectors> parse_selector_spec(std::string_view spec, std::string& message) {
  HtmlSelectors selectors;
  while (!spec.empty()) {
    const std::size_t end = spec.find(';');
    const std::string_view part = trim(spec.substr(0, end));
    spec = end == std::string_view::npos ? std::string_view{} : spec.substr(end + 1);
    if (part.empty()) continue;
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      message = "selector part \"" + std::string(part) + "\" has no '=' (write key=selector)";
      return std::nullopt;
    }
    const std::string_view key = trim(part.substr(0, equals));
    const auto field = std::find_if(html_selector_fields.begin(), html_selector_fields.end(),
                                    [&](const auto& f) { return f.first == key; });
    if (field == html_selector_fields.end()) {
      message = "unknown selector key \"" + std::string(key) +
                "\" (expected item, title, link, date, summary, image or date_format)";
      return std::nullopt;
    }
    selectors.*(field->second) = std::string(trim(part.substr(equals + 1)));
  }
  return selectors;
}

std::string format_selector_spec(const HtmlSelectors& selectors) {
  std::string spec;
  for (const auto& [key, field] : html_selector_fields) {
    const std::string& value = selectors.*field;
    if (value.empty()) continue;
    if (!spec.empty()) spec += "; ";
    spec += std::string(key) + "=" + value;
  }
  return spec;
}

}  // namespace tinhop
