// Where links in a response point: the configured public URL, or the host the request
// names, believed from a proxy only when it is one we trust.
#include <cctype>
#include <charconv>

#include "tinhop/publish/handler.hpp"

namespace tinhop::publish {
namespace {

constexpr std::size_t kMaxHostBytes = 255;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Lowercased DNS-style name: dot-separated labels of 1 to 63 name characters.
std::optional<std::string> host_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return std::nullopt;
  std::string out;
  std::size_t label = 0;
  for (char c : text) {
    c = lower(c);
    if (c == '.') {
      if (label == 0) return std::nullopt;
      label = 0;
    } else if (!name_char(c) || ++label > 63) {
      return std::nullopt;
    }
    out += c;
  }
  if (label == 0) return std::nullopt;
  return out;
}

// The port's digits without leading zeros; "" for an empty port. nullopt unless 1..65535.
std::optional<std::string> port_of(std::string_view text) {
  if (text.empty()) return std::string();
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc{} || end != text.data() + text.size() || port == 0 || port > 65535) return std::nullopt;
  return std::to_string(port);
}

// The last comma-separated value of every `field` line together: what the nearest proxy
// added, since a proxy appends to what the client sent.
std::optional<std::string_view> last_value(const Request& request, std::string_view field) {
  std::optional<std::string_view> last;
  for (auto [it, end] = request.equal_range(field); it != end; ++it) {
    std::string_view value = it->value();
    const std::size_t comma = value.rfind(',');
    last = trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
  }
  return last;
}

struct Forwarded {
  std::optional<std::string> host;
  std::optional<std::string> proto;
};

// host= and proto= of the last element of the Forwarded header lines (RFC 7239 §4), values
// as tokens or quoted strings. Quoted commas are not element separators.
Forwarded last_forwarded(const Request& request) {
  Forwarded out;
  for (auto [it, end] = request.equal_range(http::field::forwarded); it != end; ++it) {
    const std::string_view value = it->value();
    Forwarded element;
    std::size_t i = 0;
    while (i < value.size()) {
      const std::size_t eq = value.find('=', i);
      if (eq == std::string_view::npos) break;
      const std::string_view name = trim(value.substr(i, eq - i));
      std::string parameter;
      i = eq + 1;
      if (i < value.size() && value[i] == '"') {
        for (++i; i < value.size() && value[i] != '"'; ++i) {
          if (value[i] == '\\' && i + 1 < value.size()) ++i;
          parameter += value[i];
        }
        ++i;  // the closing quote
      } else {
        const std::size_t stop = value.find_first_of(";,", i);
        parameter = trim(value.substr(i, stop == std::string_view::npos ? std::string_view::npos : stop - i));
        i = stop == std::string_view::npos ? value.size() : stop;
      }
      if (iequals(name, "host")) element.host = parameter;
      if (iequals(name, "proto")) element.proto = parameter;
      while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
      if (i < value.size() && value[i] == ',') element = {};  // a later element replaces it
      if (i < value.size()) ++i;
    }
    out = element;
  }
  return out;
}

std::optional<std::string> scheme_of(std::optional<std::string_view> proto) {
  if (!proto) return std::nullopt;
  if (iequals(*proto, "http")) return "http";
  if (iequals(*proto, "https")) return "https";
  return std::nullopt;
}

bool trusted(const ServerOptions& options, const Connection& connection) {
  if (!connection.peer) return false;
  for (const IpNetwork& network : options.trusted_proxies) {
    if (network.contains(*connection.peer)) return true;
  }
  return false;
}

// The listen address as a client could reach it: a wildcard is reached on loopback.
std::string listen_authority(const ServerOptions& options) {
  std::string host = options.address;
  if (auto address = parse_ip_literal(host);
      address && address_scope(*address) == AddressScope::unspecified) {
    host = host.find(':') != std::string::npos ? "::1" : "127.0.0.1";
  }
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(options.port);
}

}  // namespace

std::optional<std::string> normalized_host(std::string_view host, std::string_view scheme) {
  if (host.empty() || host.size() > kMaxHostBytes) return std::nullopt;
  std::string name;
  std::string_view rest;
  if (host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view literal = host.substr(1, close - 1);
    if (literal.find(':') == std::string_view::npos || !parse_ip_literal(literal)) return std::nullopt;
    name = "[";
    for (char c : literal) name += lower(c);
    name += ']';
    rest = host.substr(close + 1);
  } else {
    const std::size_t colon = host.find(':');
    auto parsed = host_name(host.substr(0, colon));
    if (!parsed) return std::nullopt;
    name = std::move(*parsed);
    rest = colon == std::string_view::npos ? std::string_view() : host.substr(colon);
  }
  if (rest.empty()) return name;
  if (rest.front() != ':') return std::nullopt;
  auto port = port_of(rest.substr(1));
  if (!port) return std::nullopt;
  const bool default_port = (scheme == "http" && *port == "80") || (scheme == "https" && *port == "443");
  if (port->empty() || default_port) return name;
  return name + ":" + *port;
}

std::optional<std::string_view> host_field_problem(const Request& request) {
  const std::size_t fields = request.count(http::field::host);
  if (fields > 1) return "more than one Host header";
  if (fields == 0) {
    if (request.version() >= 11) return "missing Host header";
    return std::nullopt;
  }
  // uri-host is an IP-literal, an IPv4 address or a reg-name: unreserved, sub-delims and
  // pct-encoded characters, brackets and colons; a port is digits after a colon.
  for (const char c : request[http::field::host]) {
    const bool allowed = std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                         std::string_view("-._~!$&'()*+,;=%:[]").find(c) != std::string_view::npos;
    if (!allowed) return "malformed Host header";
  }
  return std::nullopt;
}

std::string base_url_of(const Request& request, const ServerOptions& options, const Connection& connection) {
  if (!options.public_url.empty()) {
    std::string base = options.public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
  }
  std::string scheme = "http";
  std::optional<std::string> host;
  if (trusted(options, connection)) {
    const Forwarded forwarded = last_forwarded(request);
    if (auto proto = scheme_of(forwarded.proto ? std::optional<std::string_view>(*forwarded.proto)
                                               : last_value(request, "X-Forwarded-Proto"))) {
      scheme = *proto;
    }
    if (forwarded.host) {
      host = normalized_host(*forwarded.host, scheme);
    } else if (auto forwarded_host = last_value(request, "X-Forwarded-Host")) {
      host = normalized_host(*forwarded_host, scheme);
    }
  }
  if (!host && request.count(http::field::host) == 1) {
    host = normalized_host(request[http::field::host], scheme);
  }
  if (!host)
    return scheme + "://" + (connection.local.empty() ? listen_authority(options) : connection.local);
  return scheme + "://" + *host;
}

}  // namespace tinhop::publish
