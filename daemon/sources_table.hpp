// Text and JSON renderings of the source list for `tinhop sources list|show|status`.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "tinhop/storage/store.hpp"

namespace tinhop::cli {

// A JSON value as one line of text: strings bare, null as "-", arrays comma-separated.
std::string render_value(const boost::json::value& value);

// id, origin, state, type, interval, title, URL; or a JSON array of sources.
void print_source_list(const std::vector<storage::Source>& sources, bool json);

// Per source: state (ok, failing, stale, disabled, new), last success, next poll, items,
// consecutive failures, error; or JSON. `failing_only` keeps the ones needing attention.
void print_status(const std::vector<storage::Source>& sources, const std::vector<storage::Health>& health,
                  Instant now, bool json, bool failing_only);

}  // namespace tinhop::cli
