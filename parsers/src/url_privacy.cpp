#include "tinhop/parsers/url_privacy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace tinhop {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool iends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

bool is_v4_mapped(const IpAddress& a) {
  static constexpr unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(a.bytes.data(), prefix, 12) == 0;
}

std::uint32_t v4_at(const IpAddress& a, std::size_t offset) {
  return (std::uint32_t{a.bytes[offset]} << 24) | (std::uint32_t{a.bytes[offset + 1]} << 16) |
         (std::uint32_t{a.bytes[offset + 2]} << 8) | std::uint32_t{a.bytes[offset + 3]};
}

bool in_v4(std::uint32_t address, std::uint32_t network, int prefix) {
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (address & mask) == network;
}

AddressScope v4_scope(std::uint32_t a) {
  if (in_v4(a, 0x7f000000, 8)) return AddressScope::loopback;
  if (in_v4(a, 0x0a000000, 8) || in_v4(a, 0xac100000, 12) || in_v4(a, 0xc0a80000, 16))
    return AddressScope::private_use;
  if (in_v4(a, 0xa9fe0000, 16)) return AddressScope::link_local;
  if (in_v4(a, 0x64400000, 10)) return AddressScope::shared;
  if (in_v4(a, 0xe0000000, 4)) return AddressScope::multicast;
  if (in_v4(a, 0x00000000, 8)) return AddressScope::unspecified;
  if (in_v4(a, 0xf0000000, 4) || in_v4(a, 0xc0000000, 24) || in_v4(a, 0xc6120000, 15))
    return AddressScope::reserved;
  return AddressScope::global;
}

// The special-use and customary private domains (RFC 6761, RFC 6762, RFC 8375, ICANN's
// .internal) and the suffixes distributions give the local host.
constexpr std::string_view internal_suffixes[] = {".localhost", ".local",       ".internal", ".lan",
                                                  ".home.arpa", ".localdomain", ".intranet"};

// The end of a URL that starts at `from` inside free text.
std::size_t url_end(std::string_view text, std::size_t from) {
  std::size_t end = from;
  while (end < text.size()) {
    const char c = text[end];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' || c == '>' ||
        c == '\\')
      break;
    ++end;
  }
  return end;
}

}  // namespace

std::optional<IpAddress> parse_ip_literal(std::string_view host) {
  host = strip_brackets(host);
  if (host.empty() || host.size() > 64) return std::nullopt;
  const std::string text(host);
  IpAddress out;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(out.bytes.data(), &v6, 16);
    return out;
  }
  // inet_aton takes what getaddrinfo takes for numeric IPv4 hosts: "127.1", "0x7f.0.0.1",
  // "2130706433". Only digits, dots and hex letters may reach it: a name never does.
  if (text.find_first_not_of("0123456789.xXabcdefABCDEF") != std::string::npos) return std::nullopt;
  in_addr v4{};
  if (inet_aton(text.c_str(), &v4) == 0) return std::nullopt;
  return ipv4_address(ntohl(v4.s_addr));
}

IpAddress ipv4_address(std::uint32_t host_order) {
  IpAddress out;
  out.bytes[10] = out.bytes[11] = 0xff;
  out.bytes[12] = static_cast<unsigned char>(host_order >> 24);
  out.bytes[13] = static_cast<unsigned char>(host_order >> 16);
  out.bytes[14] = static_cast<unsigned char>(host_order >> 8);
  out.bytes[15] = static_cast<unsigned char>(host_order);
  return out;
}

std::string to_string(const IpAddress& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (is_v4_mapped(address)) {
    inet_ntop(AF_INET, address.bytes.data() + 12, buffer, sizeof buffer);
  } else {
    inet_ntop(AF_INET6, address.bytes.data(), buffer, sizeof buffer);
  }
  return buffer;
}

AddressScope address_scope(const IpAddress& a) {
  const auto& b = a.bytes;
  if (is_v4_mapped(a)) return v4_scope(v4_at(a, 12));
  const bool first_96_zero = std::all_of(b.begin(), b.begin() + 12, [](unsigned char c) { return c == 0; });
  if (first_96_zero) {
    const std::uint32_t low = v4_at(a, 12);
    if (low == 0) return AddressScope::unspecified;
    if (low == 1) return AddressScope::loopback;
    return v4_scope(low);  // IPv4-compatible (deprecated, still routed by some stacks)
  }
  static constexpr unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b.data(), nat64, 12) == 0) return v4_scope(v4_at(a, 12));
  if (b[0] == 0x20 && b[1] == 0x02) return v4_scope(v4_at(a, 2));  // 6to4
  if ((b[0] & 0xfe) == 0xfc) return AddressScope::private_use;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressScope::link_local;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressScope::private_use;
  if (b[0] == 0xff) return AddressScope::multicast;
  if (b[0] == 0x01 && b[1] == 0x00 &&
      std::all_of(b.begin() + 2, b.begin() + 8, [](unsigned char c) { return c == 0; }))
    return AddressScope::reserved;  // 100::/64, the discard prefix
  return AddressScope::global;
}

const char* scope_name(AddressScope scope) {
  switch (scope) {
    case AddressScope::global: return "global";
    case AddressScope::loopback: return "loopback";
    case AddressScope::private_use: return "private";
    case AddressScope::link_local: return "link-local";
    case AddressScope::shared: return "carrier-grade NAT";
    case AddressScope::multicast: return "multicast";
    case AddressScope::unspecified: return "unspecified";
    case AddressScope::reserved: return "reserved";
  }
  return "unknown";
}

bool IpNetwork::contains(const IpAddress& address) const {
  int bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((address.bytes[i] & mask) != base.bytes[i]) return false;
  }
  return true;
}

std::string IpNetwork::to_string() const {
  const bool v4 = is_v4_mapped(base) && prefix >= 96;
  return tinhop::to_string(base) + "/" + std::to_string(v4 ? prefix - 96 : prefix);
}

std::optional<IpNetwork> parse_ip_network(std::string_view text, std::string& why) {
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  // Only the plain notations: a CIDR list is no place for "127.1".
  in_addr v4{};
  in6_addr v6{};
  const std::string address_string(address_text);
  const bool is_v4 = inet_pton(AF_INET, address_string.c_str(), &v4) == 1;
  if (!is_v4 && inet_pton(AF_INET6, address_string.c_str(), &v6) != 1) {
    why = "'" + std::string(text) + "' is not an IP network (write it as 10.0.0.0/8 or fd00::/8)";
    return std::nullopt;
  }
  IpNetwork network;
  network.base = is_v4 ? ipv4_address(ntohl(v4.s_addr)) : IpAddress{};
  if (!is_v4) std::memcpy(network.base.bytes.data(), &v6, 16);
  const int max = is_v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(digits)) > max) {
      why = "'" + std::string(text) + "' has no valid prefix length (0 to " + std::to_string(max) + ")";
      return std::nullopt;
    }
    prefix = std::stoi(std::string(digits));
  }
  network.prefix = is_v4 ? prefix + 96 : prefix;
  IpNetwork masked = network;
  int bits = network.prefix;
  for (std::size_t i = 0; i < 16; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : bits <= 0 ? 0u : (0xffu << (8 - bits)) & 0xffu;
    masked.base.bytes[i] = static_cast<unsigned char>(network.base.bytes[i] & mask);
  }
  if (masked.base != network.base) {
    why = "'" + std::string(text) + "' has host bits set (did you mean " + masked.to_string() + "?)";
    return std::nullopt;
  }
  return network;
}

bool address_allowed(const IpAddress& address, const std::vector<IpNetwork>& allowed) {
  if (address_scope(address) == AddressScope::global) return true;
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const IpNetwork& network) { return network.contains(address); });
}

bool is_internal_host(std::string_view host) {
  host = strip_brackets(host);
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);  // "localhost." is localhost
  if (host.empty()) return true;
  if (auto address = parse_ip_literal(host)) return address_scope(*address) != AddressScope::global;
  if (iequals(host, "localhost") || host.find('.') == std::string_view::npos) return true;
  return std::any_of(std::begin(internal_suffixes), std::end(internal_suffixes),
                     [&](std::string_view suffix) { return iends_with(host, suffix); });
}

const std::vector<std::string>& default_secret_params() {
  static const std::vector<std::string> names{"key",    "api_key",  "apikey", "token",    "access_token",
                                              "secret", "password", "sig",    "signature"};
  return names;
}

bool is_secret_param(std::string_view name, const std::vector<std::string>& secret_params) {
  return std::any_of(secret_params.begin(), secret_params.end(), [&](const std::string& secret) {
    if (iequals(name, secret)) return true;
    if (name.size() <= secret.size() || !iends_with(name, secret)) return false;
    const char joint = name[name.size() - secret.size() - 1];
    return joint == '_' || joint == '-';
  });
}

std::string redact_url(std::string_view url, const std::vector<std::string>& secret_params) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::string(url);
  boost::urls::url u(*parsed);
  if (u.has_userinfo()) u.set_userinfo("REDACTED");
  auto params = u.params();
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (is_secret_param((*it).key, secret_params)) it = params.set(it, "REDACTED");
  }
  return std::string(u.buffer());
}

std::string redact_urls_in(std::string_view text, const std::vector<std::string>& secret_params) {
  const auto scheme_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  };
  std::string out;
  std::size_t copied = 0;
  std::size_t from = 0;
  for (std::size_t mark; (mark = text.find("://", from)) != std::string_view::npos;) {
    std::size_t start = mark;
    while (start > copied && scheme_char(text[start - 1])) --start;
    const std::size_t end = url_end(text, mark + 3);
    from = end;
    if (start == mark) continue;
    out.append(text.substr(copied, start - copied));
    out += redact_url(text.substr(start, end - start), secret_params);
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

std::optional<std::string> public_url(std::string_view url, const std::vector<std::string>& secret_params) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::nullopt;
  boost::urls::url u(*parsed);
  if (!iequals(u.scheme(), "http") && !iequals(u.scheme(), "https")) return std::nullopt;
  if (!u.has_authority() || is_internal_host(u.encoded_host())) return std::nullopt;
  u.remove_userinfo();
  auto params = u.params();
  for (auto it = params.begin(); it != params.end();) {
    it = is_secret_param((*it).key, secret_params) ? params.erase(it) : std::next(it);
  }
  if (u.has_query() && u.encoded_query().empty()) u.remove_query();
  return std::string(u.buffer());
}

}  // namespace tinhop
