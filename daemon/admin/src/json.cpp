#include "tinhop/admin/json.hpp"

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <set>

#include "tinhop/config/units.hpp"
#include "tinhop/parsers/contract_json.hpp"

namespace tinhop::admin {

namespace {

using boost::json::value;

boost::json::value optional_instant(const std::optional<Instant>& instant) {
  return instant ? boost::json::value(format_rfc3339(*instant)) : boost::json::value(nullptr);
}

boost::json::value optional_duration(const std::optional<std::chrono::seconds>& duration) {
  return duration ? boost::json::value(config::format_duration(*duration)) : boost::json::value(nullptr);
}

template <typename T>
boost::json::value optional_string(const std::optional<T>& text) {
  return text ? boost::json::value(std::string(*text)) : boost::json::value(nullptr);
}

constexpr std::array<std::string_view, 15> writable{
    "url",          "title",        "categories", "type",         "interval",
    "min_interval", "max_interval", "time_zone",  "date_order",   "republication",
    "enabled",      "headers",      "html",       "follow_links", "websub"};
constexpr std::array<std::string_view, 10> read_only{
    "id",       "origin", "feed_title", "site_link",       "created",
    "modified", "health", "alert",      "disabled_reason", "moved_from"};
constexpr std::array<std::string_view, 7> selector_keys{"item",    "title", "link",       "date",
                                                        "summary", "image", "date_format"};

// Edit distance for "did you mean"; the names are short.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

template <std::size_t N>
std::string unknown_field(std::string_view name, const std::array<std::string_view, N>& known) {
  std::string_view best;
  std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
  for (std::string_view candidate : known) {
    if (std::size_t d = distance(name, candidate); d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  std::string message = "unknown field \"" + std::string(name) + "\"";
  if (!best.empty()) message += " (did you mean \"" + std::string(best) + "\"?)";
  return message;
}

Problem invalid(std::string_view field, const std::string& message) {
  return {Failure::invalid, std::string(field) + ": " + message};
}

std::string kind(const value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "an integer";
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "?";
}

Outcome<std::optional<std::chrono::seconds>> read_duration(std::string_view field, const value& v) {
  if (v.is_null()) return std::optional<std::chrono::seconds>{};
  if (v.is_int64() && v.as_int64() > 0) return std::optional(std::chrono::seconds(v.as_int64()));
  if (v.is_string()) {
    if (auto d = config::parse_duration(std::string_view(v.as_string()))) return std::optional(*d);
    return invalid(field, "invalid duration \"" + std::string(v.as_string()) +
                              "\" (write a number of seconds, or \"90s\", \"15m\", \"1h30m\")");
  }
  return invalid(field,
                 "expected a duration such as \"15m\" or a positive number of seconds, got " + kind(v));
}

Outcome<std::string> read_string(std::string_view field, const value& v) {
  if (!v.is_string()) return invalid(field, "expected a string, got " + kind(v));
  return std::string(v.as_string());
}

template <typename Enum, typename Parse>
Outcome<Enum> read_enum(std::string_view field, const value& v, Parse parse, std::string_view names) {
  if (!v.is_string()) return invalid(field, "expected one of " + std::string(names) + ", got " + kind(v));
  auto parsed = parse(std::string_view(v.as_string()));
  if (!parsed) {
    return invalid(field, "unknown value \"" + std::string(v.as_string()) +
                              "\" (expected one of: " + std::string(names) + ")");
  }
  return *parsed;
}

Outcome<void> apply_member(config::SourceSettings& s, std::string_view key, const value& v) {
  if (key == "url") {
    auto text = read_string(key, v);
    if (!text) return text.error();
    s.url = *text;
  } else if (key == "title") {
    if (v.is_null()) {
      s.title.reset();
    } else {
      auto text = read_string(key, v);
      if (!text) return text.error();
      s.title = *text;
    }
  } else if (key == "categories") {
    if (!v.is_array()) return invalid(key, "expected an array of strings, got " + kind(v));
    s.categories.clear();
    for (const value& element : v.as_array()) {
      if (!element.is_string()) return invalid(key, "expected an array of strings, found " + kind(element));
      s.categories.emplace_back(element.as_string());
    }
  } else if (key == "type") {
    auto type = read_enum<config::SourceType>(key, v, config::source_type_from, "feed, html");
    if (!type) return type.error();
    s.type = *type;
  } else if (key == "interval" || key == "min_interval" || key == "max_interval") {
    auto d = read_duration(key, v);
    if (!d) return d.error();
    (key == "interval" ? s.interval : key == "min_interval" ? s.min_interval : s.max_interval) = *d;
  } else if (key == "time_zone") {
    if (v.is_null()) {
      s.time_zone.reset();
    } else {
      auto text = read_string(key, v);
      if (!text) return text.error();
      s.time_zone = *text;
    }
  } else if (key == "date_order") {
    if (v.is_null()) {
      s.date_order.reset();
    } else {
      auto order = read_enum<DateOrder>(key, v, config::date_order_from, "auto, dmy, mdy");
      if (!order) return order.error();
      s.date_order = *order;
    }
  } else if (key == "republication") {
    if (v.is_null()) {
      s.republication.reset();
    } else {
      auto policy =
          read_enum<config::Republication>(key, v, config::republication_from, "full, summary, title");
      if (!policy) return policy.error();
      s.republication = *policy;
    }
  } else if (key == "enabled" || key == "follow_links") {
    if (!v.is_bool()) return invalid(key, "expected true or false, got " + kind(v));
    (key == "enabled" ? s.enabled : s.follow_links) = v.as_bool();
  } else if (key == "websub") {
    if (!v.is_string() || (v.as_string() != "auto" && v.as_string() != "off"))
      return invalid(key, "expected \"auto\" or \"off\", got " + kind(v));
    s.websub = v.as_string() == "auto";
  } else if (key == "headers") {
    if (!v.is_object()) return invalid(key, "expected an object of header names to strings, got " + kind(v));
    s.headers.clear();
    for (const auto& member : v.as_object()) {
      if (!member.value().is_string()) {
        return invalid("headers." + std::string(member.key()),
                       "expected a string, got " + kind(member.value()));
      }
      s.headers.emplace_back(std::string(member.key()), std::string(member.value().as_string()));
    }
  } else if (key == "html") {
    if (v.is_null()) {
      s.selectors = {};
      return {};
    }
    if (!v.is_object()) return invalid(key, "expected an object of selectors, got " + kind(v));
    config::HtmlSelectors selectors;
    for (const auto& member : v.as_object()) {
      std::string field = "html." + std::string(member.key());
      if (std::find(selector_keys.begin(), selector_keys.end(), member.key()) == selector_keys.end()) {
        return Problem{Failure::invalid,
                       unknown_field(field, std::array<std::string_view, 7>{
                                                "html.item", "html.title", "html.link", "html.date",
                                                "html.summary", "html.image", "html.date_format"})};
      }
      auto text = read_string(field, member.value());
      if (!text) return text.error();
      std::string_view k = member.key();
      (k == "item"      ? selectors.item
       : k == "title"   ? selectors.title
       : k == "link"    ? selectors.link
       : k == "date"    ? selectors.date
       : k == "summary" ? selectors.summary
       : k == "image"   ? selectors.image
                        : selectors.date_format) = *text;
    }
    s.selectors = selectors;
  }
  return {};
}

// Finds the first key written twice in one object. Boost.JSON 1.81 keeps only one of them
// (its parse_options have no duplicate-key policy), so one field could hide another from
// whatever reads the same body differently: a proxy that checks it, a log, an audit.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    objects_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    objects_.pop_back();
    return true;
  }
  bool on_string_part(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(boost::json::string_view part, std::size_t, boost::system::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(boost::json::string_view part, std::size_t, boost::system::error_code& ec) {
    key_.append(part.data(), part.size());
    if (!objects_.back().insert(key_).second) {
      duplicate = std::move(key_);
      ec = boost::json::error::syntax;  // stops the parse; `duplicate` says why
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_double(double, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

  std::optional<std::string> duplicate;

 private:
  std::vector<std::set<std::string, std::less<>>> objects_;  // keys of each open object
  std::string key_;
};

// The first key written twice in one object of `body` (which parses).
std::optional<std::string> duplicate_key(std::string_view body) {
  boost::json::basic_parser<DuplicateKeyFinder> parser{boost::json::parse_options{}};
  boost::system::error_code ec;
  parser.write_some(false, body.data(), body.size(), ec);
  return parser.handler().duplicate;
}

}  // namespace

boost::json::object health_to_json(const storage::Health& h) {
  boost::json::object o;
  o["last_attempt"] = optional_instant(h.last_attempt);
  o["last_success"] = optional_instant(h.last_success);
  o["status"] = h.status ? value(storage::fetch_status_name(*h.status)) : value(nullptr);
  o["http_status"] = h.http_status;
  o["error_class"] = h.error_class;
  o["error_text"] = h.error_text;
  o["next_poll"] = optional_instant(h.next_poll);
  o["items_added"] = h.items_added;
  o["consecutive_failures"] = h.consecutive_failures;
  o["polls"] = h.polls;
  o["not_modified"] = h.not_modified;
  o["bytes"] = h.bytes;
  o["last_latency_ms"] = h.last_latency.count();
  o["stale"] = h.stale;
  o["last_new_item"] = optional_instant(h.last_new_item);
  o["dates_not_understood"] = h.dates_not_understood;
  o["date_order_seen"] = h.date_order_seen ? value(config::to_string(*h.date_order_seen)) : value(nullptr);
  return o;
}

boost::json::object source_to_json(const storage::Source& source,
                                   const std::optional<storage::Health>& health,
                                   const std::optional<storage::SourceAlert>& alert) {
  config::SourceSettings s = from_stored(source.settings);
  boost::json::object o;
  o["id"] = source.id;
  o["url"] = s.url;
  o["title"] = optional_string(s.title);
  boost::json::array categories;
  for (const std::string& category : s.categories) categories.emplace_back(category);
  o["categories"] = std::move(categories);
  o["type"] = std::string(config::to_string(s.type));
  o["interval"] = optional_duration(s.interval);
  o["min_interval"] = optional_duration(s.min_interval);
  o["max_interval"] = optional_duration(s.max_interval);
  o["time_zone"] = optional_string(s.time_zone);
  o["date_order"] = std::string(config::to_string(s.date_order.value_or(DateOrder::automatic)));
  o["republication"] = std::string(config::to_string(s.republication.value_or(config::Republication::full)));
  o["enabled"] = s.enabled;
  boost::json::object headers;
  for (const auto& [name, header_value] : s.headers) headers[name] = header_value;
  o["headers"] = std::move(headers);
  if (s.selectors == config::HtmlSelectors{}) {
    o["html"] = nullptr;
  } else {
    boost::system::error_code ec;
    o["html"] = boost::json::parse(config::selectors_to_json(s.selectors), ec);
  }
  o["follow_links"] = s.follow_links;
  o["websub"] = s.websub ? "auto" : "off";
  o["origin"] = std::string(config::to_string(origin_of(source)));
  o["feed_title"] = optional_string(source.feed_title);
  o["site_link"] = optional_string(source.site_link);
  o["created"] = format_rfc3339(source.created);
  o["modified"] = format_rfc3339(source.modified);
  o["disabled_reason"] = source.disabled_reason;
  o["moved_from"] = optional_string(source.fetch.moved_from);
  if (health) {
    o["health"] = health_to_json(*health);
    o["alert"] = boost::json::object{{"condition", alert ? alert->condition : "healthy"},
                                     {"since", alert ? value(format_rfc3339(alert->since)) : value(nullptr)}};
  }
  return o;
}

std::optional<storage::SourceAlert> alert_of(storage::Store& store, std::int64_t source_id) {
  auto alerts = store.source_alerts();
  if (!alerts) return std::nullopt;
  for (storage::SourceAlert& alert : *alerts) {
    if (alert.source_id == source_id) return std::move(alert);
  }
  return std::nullopt;
}

Outcome<config::SourceSettings> apply_json(config::SourceSettings settings, const boost::json::value& json) {
  if (!json.is_object()) return Problem{Failure::invalid, "body: expected a JSON object, got " + kind(json)};
  for (const auto& member : json.as_object()) {
    std::string_view key = member.key();
    if (std::find(read_only.begin(), read_only.end(), key) != read_only.end()) {
      return Problem{Failure::invalid, std::string(key) + ": read-only field"};
    }
    if (std::find(writable.begin(), writable.end(), key) == writable.end()) {
      return Problem{Failure::invalid, unknown_field(key, writable)};
    }
    if (auto applied = apply_member(settings, key, member.value()); !applied) return applied.error();
  }
  return settings;
}

Outcome<boost::json::value> parse_json_body(std::string_view body) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  std::size_t used = parser.write_some(body.data(), body.size(), ec);
  if (!ec && used != body.size()) ec = boost::json::error::extra_data;
  if (!ec) parser.finish(ec);
  if (ec) {
    return Problem{Failure::invalid,
                   "body: malformed JSON at byte " + std::to_string(used) + ": " + ec.message()};
  }
  if (auto key = duplicate_key(body)) {
    return Problem{Failure::invalid, "body: the key \"" + *key + "\" is given twice in one object"};
  }
  return parser.release();
}

}  // namespace tinhop::admin
