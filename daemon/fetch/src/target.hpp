// URL handling for the client: splitting a URL into what a connection needs, resolving
// redirects, and choosing a proxy from the options or the environment.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tinhop::fetch::detail {

struct Target {
  std::string url;          // normalized absolute URL
  std::string scheme;       // "http", "https" or "file"
  std::string host;         // without IPv6 brackets
  std::string port;         // always set for http(s)
  std::string host_header;  // host[:port] as sent in Host (brackets kept for IPv6)
  std::string path;         // origin-form target: path + query (never empty for http)
  bool secure() const { return scheme == "https"; }
  // Connections to the same key can be reused for each other's requests.
  std::string origin() const { return scheme + "://" + host_header; }
};

// Parses an absolute URL; nullopt with `why` set when it is not one we can fetch.
std::optional<Target> parse_target(std::string_view url, std::string& why, bool& bad_scheme);

// Resolves a Location header against the URL it came from.
std::optional<std::string> resolve_location(std::string_view base, std::string_view location);

// The proxy to use for `target`: `configured` when set ("" = none), else the environment.
std::optional<Target> proxy_for(const Target& target, const std::optional<std::string>& configured);

// True when the environment's no_proxy list covers host (suffix match, "*" for all).
bool no_proxy_matches(std::string_view no_proxy, std::string_view host);

}  // namespace tinhop::fetch::detail
