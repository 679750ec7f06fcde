// Canonical form of an item link, so the same article reached through different
// spellings (tracking parameters, http vs https, default port, parameter order, percent
// escapes, trailing slash) compares equal. Pure; Boost.URL does the parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tinhop {

struct LinkOptions {
  // Query parameters dropped in addition to the built-in list (utm_*, fbclid, gclid, ...).
  // Exact names, case-insensitive; a trailing '*' makes a prefix ("pk_*").
  std::vector<std::string> extra_tracking_parameters;
};

// True when a query parameter named `name` only tracks the reader and never selects content.
bool is_tracking_parameter(std::string_view name, const LinkOptions& options = {});

// The canonical text of an absolute http(s) link: scheme folded to https, scheme and host
// lowercased, default port dropped, dot segments resolved, percent-encoding normalized
// (unreserved characters decoded, hex digits uppercase), fragment dropped, tracking
// parameters removed, the remaining ones sorted, empty query and trailing slash dropped.
// Other schemes and unparsable text give nullopt: such links never match each other.
std::optional<std::string> canonical_link(std::string_view link, const LinkOptions& options = {});

}  // namespace tinhop
