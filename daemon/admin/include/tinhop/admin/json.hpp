// Sources and their health as JSON (the admin API and `tinhop sources ... --json`), and
// source settings read from JSON with a precise message for every mistake.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "tinhop/admin/sources.hpp"

namespace tinhop::admin {

boost::json::object health_to_json(const storage::Health& health);
// Every setting, the origin, the feed's own title and link, and health when given, with
// the alert condition ("alert": {"condition", "since"}; healthy when `alert` is nullopt).
boost::json::object source_to_json(const storage::Source& source,
                                   const std::optional<storage::Health>& health,
                                   const std::optional<storage::SourceAlert>& alert = std::nullopt);

// The source's alert condition as the daemon's last check left it; nullopt: healthy (or
// the store failed, which the health beside it shows too).
std::optional<storage::SourceAlert> alert_of(storage::Store& store, std::int64_t source_id);

// Applies the members of `json` to `settings`: absent members keep their value, null
// clears an optional setting. Refuses unknown and read-only members, wrong types and
// unreadable durations with "field: message" ("interval: expected a duration such as
// \"15m\" or a number of seconds"). URL and other rules are checked later by validate().
Outcome<config::SourceSettings> apply_json(config::SourceSettings settings, const boost::json::value& json);

// Parses a request body as one JSON value: "malformed JSON at byte N: reason" otherwise,
// and refuses a key given twice in one object (Boost.JSON would keep only one of them).
Outcome<boost::json::value> parse_json_body(std::string_view body);

}  // namespace tinhop::admin
