#include "target.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace tinhop::fetch::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

}  // namespace

std::optional<Target> parse_target(std::string_view text, std::string& why, bool& bad_scheme) {
  bad_scheme = false;
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    why = "not an absolute URL: " + parsed.error().message();
    return std::nullopt;
  }
  boost::urls::url u = *parsed;
  u.normalize_scheme();
  u.normalize_authority();
  u.remove_fragment();
  Target t;
  t.scheme = u.scheme();
  if (t.scheme == "file") {
    t.url = u.buffer();
    t.path = u.path();
    return t;
  }
  if (t.scheme != "http" && t.scheme != "https") {
    bad_scheme = true;
    why = "unsupported scheme '" + t.scheme + "'";
    return std::nullopt;
  }
  if (u.host_type() == boost::urls::host_type::ipv6) {
    t.host = u.host_ipv6_address().to_string();
  } else {
    t.host = lower(u.host());
  }
  if (t.host.empty()) {
    why = "URL has no host";
    return std::nullopt;
  }
  const std::string default_port = t.secure() ? "443" : "80";
  t.port = u.has_port() && !u.port().empty() ? std::string(u.port()) : default_port;
  if (t.port == default_port) u.remove_port();
  t.host_header = std::string(u.encoded_host());
  if (t.port != default_port) t.host_header += ":" + t.port;
  std::string path(u.encoded_path());
  if (path.empty()) {
    path = "/";
    u.set_encoded_path("/");
  }
  if (u.has_query()) path += "?" + std::string(u.encoded_query());
  t.path = std::move(path);
  t.url = u.buffer();
  return t;
}

std::optional<std::string> resolve_location(std::string_view base, std::string_view location) {
  auto b = boost::urls::parse_uri(base);
  auto ref = boost::urls::parse_uri_reference(location);
  if (!b || !ref) return std::nullopt;
  boost::urls::url out;
  if (auto r = boost::urls::resolve(*b, *ref, out); !r) return std::nullopt;
  return std::string(out.buffer());
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host) {
  std::size_t start = 0;
  while (start <= no_proxy.size()) {
    const std::size_t comma = std::min(no_proxy.find(',', start), no_proxy.size());
    std::string entry = lower(no_proxy.substr(start, comma - start));
    start = comma + 1;
    entry.erase(std::remove_if(entry.begin(), entry.end(), [](unsigned char c) { return std::isspace(c); }),
                entry.end());
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (const auto colon = entry.rfind(':');
        colon != std::string::npos && entry.find(']') == std::string::npos && entry.find(':') == colon) {
      entry.resize(colon);  // "host:port" entries: the port is not compared
    }
    if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    if (host == entry) return true;
    if (host.size() > entry.size() && host.substr(host.size() - entry.size()) == entry &&
        host[host.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

std::optional<Target> proxy_for(const Target& target, const std::optional<std::string>& configured) {
  std::string proxy_url;
  if (configured) {
    proxy_url = *configured;
  } else {
    if (const char* np = env("no_proxy") ? env("no_proxy") : env("NO_PROXY");
        np && no_proxy_matches(np, target.host)) {
      return std::nullopt;
    }
    // HTTP_PROXY (upper case) is ignored on purpose: CGI sets it from a request header.
    const char* v =
        target.secure() ? (env("https_proxy") ? env("https_proxy") : env("HTTPS_PROXY")) : env("http_proxy");
    if (!v) v = env("all_proxy") ? env("all_proxy") : env("ALL_PROXY");
    if (v) proxy_url = v;
  }
  if (proxy_url.empty()) return std::nullopt;
  if (proxy_url.find("://") == std::string::npos) proxy_url = "http://" + proxy_url;
  std::string why;
  bool bad_scheme = false;
  auto p = parse_target(proxy_url, why, bad_scheme);
  if (!p || p->scheme != "http") return std::nullopt;
  return p;
}

}  // namespace tinhop::fetch::detail
