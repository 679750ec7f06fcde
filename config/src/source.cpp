#include "tinhop/config/source.hpp"

#include <unicode/strenum.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>
#include <set>

#include "suggest.hpp"
#include "tinhop/config/units.hpp"

namespace tinhop::config {

namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<std::string_view, Enum>, N>& table,
                           std::string_view text) {
  for (const auto& [name, value] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, Enum>, N>& table, Enum value) {
  for (const auto& [name, entry] : table) {
    if (entry == value) return name;
  }
  return "?";
}

constexpr std::array<std::pair<std::string_view, SourceType>, 2> source_types{
    {{"feed", SourceType::feed}, {"html", SourceType::html}}};
constexpr std::array<std::pair<std::string_view, Republication>, 3> policies{
    {{"full", Republication::full}, {"summary", Republication::summary}, {"title", Republication::title}}};
constexpr std::array<std::pair<std::string_view, Origin>, 3> origins{
    {{"config", Origin::config}, {"cli", Origin::cli}, {"api", Origin::api}}};
constexpr std::array<std::pair<std::string_view, DateOrder>, 3> date_orders{
    {{"auto", DateOrder::automatic}, {"dmy", DateOrder::dmy}, {"mdy", DateOrder::mdy}}};

// C0 controls and DEL. In a title or a name they are never meant: NUL cuts the text short
// in every C API it passes through, and CR/LF or ESC forge log lines and terminal output.
bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7F;
  });
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// Non-ASCII bytes are legal in what people paste (Vietnamese paths) but not in a URI:
// percent-encode them as browsers do.
std::string encode_non_ascii(std::string_view url) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(url.size());
  for (char c : url) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

const std::set<std::string, std::less<>>& known_zones() {
  static const std::set<std::string, std::less<>> zones = [] {
    std::set<std::string, std::less<>> out;
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::StringEnumeration> ids(
        icu::TimeZone::createTimeZoneIDEnumeration(UCAL_ZONE_TYPE_ANY, nullptr, nullptr, status));
    if (U_FAILURE(status) || !ids) return out;
    while (const char* id = ids->next(nullptr, status)) {
      if (U_FAILURE(status)) break;
      out.emplace(id);
    }
    return out;
  }();
  return zones;
}

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string_view to_string(SourceType type) {
  return name_of(source_types, type);
}
std::string_view to_string(Republication policy) {
  return name_of(policies, policy);
}
std::string_view to_string(Origin origin) {
  return name_of(origins, origin);
}
std::string_view to_string(DateOrder order) {
  return name_of(date_orders, order);
}
std::optional<SourceType> source_type_from(std::string_view text) {
  return lookup(source_types, text);
}
std::optional<Republication> republication_from(std::string_view text) {
  return lookup(policies, text);
}
std::optional<Origin> origin_from(std::string_view text) {
  return lookup(origins, text);
}
std::optional<DateOrder> date_order_from(std::string_view text) {
  return lookup(date_orders, text);
}

UrlCheck check_source_url(std::string_view url) {
  if (url.empty()) return {{}, "URL is empty"};
  if (is_space(url.back())) return {{}, "URL has trailing whitespace"};
  if (is_space(url.front())) return {{}, "URL has leading whitespace"};
  if (std::any_of(url.begin(), url.end(), is_space)) {
    return {{}, "URL contains whitespace (two URLs on one line?)"};
  }
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return {{}, "URL contains a control character"};
  }
  std::size_t colon = url.find(':');
  std::string_view scheme = colon == std::string_view::npos ? std::string_view{} : url.substr(0, colon);
  bool scheme_chars = !scheme.empty() && std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
  if (!scheme_chars) {
    // "vnexpress.net/rss/home.rss": a host with no scheme.
    std::string_view host = url.substr(0, url.find('/'));
    if (host.find('.') != std::string_view::npos && valid_host_name(host)) {
      return {{}, "URL has no scheme (did you mean 'https://" + std::string(url) + "'?)"};
    }
    return {{}, "not an absolute URL (expected http://, https:// or file://)"};
  }
  std::string scheme_lower = lower(scheme);
  if (scheme_lower != "http" && scheme_lower != "https" && scheme_lower != "file") {
    std::string suggestion = detail::closest(scheme_lower, {"http", "https"});
    if (!suggestion.empty()) {
      return {{}, "unknown scheme '" + std::string(scheme) + "' (did you mean '" + suggestion + "'?)"};
    }
    return {{}, "unsupported scheme '" + std::string(scheme) + "' (expected http, https or file)"};
  }
  std::string_view after = url.substr(colon + 1);
  if (after.substr(0, 2) != "//") {
    return {{}, "expected '" + scheme_lower + "://' after the scheme"};
  }
  if (std::size_t again = after.find("://"); again != std::string_view::npos) {
    return {{}, "URL contains a second '://' (two URLs pasted together?)"};
  }
  std::string encoded = encode_non_ascii(url);
  auto parsed = boost::urls::parse_uri(encoded);
  if (!parsed) return {{}, "malformed URL (" + parsed.error().message() + ")"};
  boost::urls::url canonical(*parsed);
  canonical.normalize();
  canonical.remove_fragment();
  bool is_file = canonical.scheme_id() == boost::urls::scheme::file;
  if (is_file) {
    std::string_view host = canonical.encoded_host();
    if (!host.empty() && host != "localhost") return {{}, "a file:// URL names no host"};
    if (canonical.encoded_path().empty() || canonical.encoded_path() == "/") {
      return {{}, "a file:// URL needs a path"};
    }
    canonical.set_encoded_host("");
    return {std::string(canonical.buffer()), {}};
  }
  if (!canonical.has_authority() || canonical.encoded_host().empty()) return {{}, "URL has no host"};
  if (canonical.host_type() == boost::urls::host_type::name && !valid_host_name(canonical.encoded_host())) {
    return {{}, "invalid host '" + std::string(canonical.encoded_host()) + "'"};
  }
  if (canonical.has_port()) {
    std::string_view port = canonical.port();
    unsigned number = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty()) {
      canonical.remove_port();
    } else if (ec != std::errc{} || end != port.data() + port.size() || number == 0 || number > 65535) {
      return {{}, "invalid port '" + std::string(port) + "'"};
    } else {
      bool is_default =
          (canonical.scheme_id() == boost::urls::scheme::http && canonical.port_number() == 80) ||
          (canonical.scheme_id() == boost::urls::scheme::https && canonical.port_number() == 443);
      if (is_default) canonical.remove_port();
    }
  }
  if (canonical.encoded_path().empty()) canonical.set_path_absolute(true);
  return {std::string(canonical.buffer()), {}};
}

namespace {

// What people write for Vietnam's time zone that no time zone database holds: a closer
// spelling by edit distance would be a wrong city (Asia/Hanoi is two edits from Asia/Harbin).
std::string_view vietnam_alias(std::string_view zone) {
  static constexpr std::string_view aliases[] = {
      "asia/hanoi",  "asia/ha_noi",    "hanoi",     "ha noi",   "asia/ho_chi_minh_city",
      "ho chi minh", "saigon",         "vietnam",   "viet nam", "vn",
      "ict",         "indochina time", "gmt+7",     "utc+7",    "gmt+07",
      "utc+07",      "gmt+07:00",      "utc+07:00", "+07:00",   "+0700",
      "+07"};
  std::string lower(zone);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool known = std::find(std::begin(aliases), std::end(aliases), lower) != std::end(aliases);
  return known ? std::string_view("Asia/Ho_Chi_Minh") : std::string_view();
}

}  // namespace

std::string check_time_zone(std::string_view zone) {
  if (zone.empty()) return "time zone is empty";
  const auto& zones = known_zones();
  if (zones.find(zone) != zones.end()) return {};
  if (std::string_view alias = vietnam_alias(zone); !alias.empty()) {
    return "unknown time zone '" + std::string(zone) + "' (did you mean '" + std::string(alias) + "'?)";
  }
  std::vector<std::string_view> names(zones.begin(), zones.end());
  return "unknown time zone '" + std::string(zone) + "'" + detail::did_you_mean(zone, names);
}

std::string check_header(std::string_view name, std::string_view value) {
  if (name.empty()) return "header name is empty";
  if (!std::all_of(name.begin(), name.end(), is_tchar)) {
    return "invalid header name '" + std::string(name) + "'";
  }
  if (std::any_of(value.begin(), value.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\t') || byte == 0x7F;
      })) {
    return "header '" + std::string(name) + "' has a control character in its value";
  }
  static constexpr std::array<std::string_view, 12> managed{"host",
                                                            "content-length",
                                                            "transfer-encoding",
                                                            "connection",
                                                            "keep-alive",
                                                            "upgrade",
                                                            "te",
                                                            "trailer",
                                                            "if-none-match",
                                                            "if-modified-since",
                                                            "accept-encoding",
                                                            "proxy-authorization"};
  std::string name_lower = lower(name);
  if (std::find(managed.begin(), managed.end(), name_lower) != managed.end()) {
    return "header '" + std::string(name) + "' is managed by tinhop and cannot be set";
  }
  return {};
}

std::string selectors_to_json(const HtmlSelectors& selectors) {
  boost::json::object object;
  for (const auto& [name, field] : html_selector_fields) {
    if (!(selectors.*field).empty()) object[name] = selectors.*field;
  }
  return boost::json::serialize(object);
}

std::optional<HtmlSelectors> selectors_from_json(std::string_view json) {
  if (json.empty()) return HtmlSelectors{};
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) return std::nullopt;
  HtmlSelectors out;
  for (const auto& member : value.as_object()) {
    auto it = std::find_if(html_selector_fields.begin(), html_selector_fields.end(),
                           [&](const auto& entry) { return entry.first == member.key(); });
    if (it == html_selector_fields.end() || !member.value().is_string()) return std::nullopt;
    out.*(it->second) = std::string(member.value().as_string());
  }
  return out;
}

std::vector<std::string> check_settings(const SourceSettings& settings) {
  std::vector<std::string> problems;
  UrlCheck url = check_source_url(settings.url);
  if (!url.error.empty()) {
    problems.push_back("url: " + url.error);
  } else if (url.canonical != settings.url) {
    problems.push_back("url: not canonical (expected '" + url.canonical + "')");
  }
  if (settings.title) {
    if (settings.title->empty()) problems.push_back("title: title is empty");
    if (settings.title->size() > 1024) problems.push_back("title: longer than 1024 bytes");
    if (has_control(*settings.title)) problems.push_back("title: contains a control character");
  }
  for (const std::string& category : settings.categories) {
    if (category.empty() || std::all_of(category.begin(), category.end(), is_space)) {
      problems.push_back("categories: a category is empty");
    } else if (category.size() > 256) {
      problems.push_back("categories: a category is longer than 256 bytes");
    } else if (has_control(category)) {
      problems.push_back("categories: a category contains a control character");
    }
  }
  for (const auto& [name, field] : html_selector_fields) {
    if (has_control(settings.selectors.*field)) {
      problems.push_back("html." + std::string(name) + ": contains a control character");
    }
  }
  if (settings.time_zone) {
    if (std::string problem = check_time_zone(*settings.time_zone); !problem.empty()) {
      problems.push_back("time_zone: " + problem);
    }
  }
  auto positive = [&](const std::optional<std::chrono::seconds>& value, std::string_view key) {
    if (value && value->count() <= 0) problems.push_back(std::string(key) + ": must be positive");
  };
  positive(settings.interval, "interval");
  positive(settings.min_interval, "min_interval");
  positive(settings.max_interval, "max_interval");
  if (settings.min_interval && settings.max_interval && *settings.min_interval > *settings.max_interval) {
    problems.push_back("min_interval: " + format_duration(*settings.min_interval) +
                       " is above max_interval " + format_duration(*settings.max_interval));
  }
  if (settings.interval && settings.min_interval && *settings.interval < *settings.min_interval) {
    problems.push_back("interval: " + format_duration(*settings.interval) + " is below min_interval " +
                       format_duration(*settings.min_interval));
  }
  if (settings.interval && settings.max_interval && *settings.interval > *settings.max_interval) {
    problems.push_back("interval: " + format_duration(*settings.interval) + " is above max_interval " +
                       format_duration(*settings.max_interval));
  }
  std::set<std::string> header_names;
  for (const auto& [name, value] : settings.headers) {
    if (std::string problem = check_header(name, value); !problem.empty()) {
      problems.push_back("headers: " + problem);
    } else if (!header_names.insert(lower(name)).second) {
      problems.push_back("headers: header '" + name + "' is set twice");
    }
  }
  bool has_selectors = settings.selectors != HtmlSelectors{};
  if (settings.type == SourceType::html && settings.selectors.item.empty()) {
    problems.push_back("html.item: an html source needs an item selector");
  }
  if (settings.type == SourceType::feed && has_selectors) {
    problems.push_back("html: selectors apply only to type = \"html\"");
  }
  if (settings.type == SourceType::feed && settings.follow_links) {
    problems.push_back("follow_links: applies only to type = \"html\" (a feed carries its own content)");
  }
  return problems;
}

}  // namespace tinhop::config
