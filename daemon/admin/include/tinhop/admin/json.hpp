// Sources and their health as JSON (the admin API and `tinhop sources ... --json`), and
// source settings read from JSON with a precise message for every mistake.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "tinhop/admin/sources.hpp"

namespace tinhop::admin {

boost::json::object health_to_json(const storage::Health& health);
// Every setting, the origin, the feed's own title and link, and health when given.
boost::json::object source_to_json(const storage::Source& source,
                                   const std::optional<storage::Health>& health);

// Applies the members of `json` to `settings`: absent members keep their value, null
// clears an optional setting. Refuses unknown and read-only members, wrong types and
// unreadable durations with "field: message" ("interval: expected a duration such as
// \"15m\" or a number of seconds"). URL and other rules are checked later by validate().
Outcome<config::SourceSettings> apply_json(config::SourceSettings settings, const boost::json::value& json);

// Parses a request body as one JSON value: "malformed JSON at byte N: reason" otherwise,
// and refuses a key given twice in one object (Boost.JSON would keep only one of them).
Outcome<boost::json::value> parse_json_body(std::string_view body);

}  // namespace tinhop::admin
