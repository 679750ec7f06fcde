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

using Field = std::string HtmlSelectors::*;

constexpr std::array<std::pair<std::string_view, Field>, 7> fields{{
    {"item", &HtmlSelectors::item},
    {"title", &HtmlSelectors::title},
    {"link", &HtmlSelectors::link},
    {"date", &HtmlSelectors::date},
    {"summary", &HtmlSelectors::summary},
    {"image", &HtmlSelectors::image},
    {"date_format", &HtmlSelectors::date_format},
}};

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
    const auto field =
        std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == key; });
    if (field == fields.end()) {
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
  for (const auto& [key, field] : fields) {
    const std::string& value = selectors.*field;
    if (value.empty()) continue;
    if (!spec.empty()) spec += "; ";
    spec += std::string(key) + "=" + value;
  }
  return spec;
}

}  // namespace tinhop
