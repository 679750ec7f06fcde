// Where a URL leads and what it gives away: the address scopes that make a host internal
// (the fetcher refuses them to remote-chosen links, the publisher never shows them), the
// networks an operator allows, and the redaction of credentials in URLs for logs and
// public pages. Pure functions: no name lookups.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tinhop {

// An IPv4 or IPv6 address as 16 bytes; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d).
struct IpAddress {
  std::array<unsigned char, 16> bytes{};
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// An IP literal as a host is written in a URL or returned by a lookup: dotted IPv4 and the
// legacy forms the system resolver also accepts ("127.1", "2130706433", "0x7f.1"), or
// IPv6 with or without brackets. nullopt for anything else (a name).
std::optional<IpAddress> parse_ip_literal(std::string_view host);
IpAddress ipv4_address(std::uint32_t host_order);
std::string to_string(const IpAddress& address);

// Where an address leads. Every scope but `global` belongs to some private network.
enum class AddressScope {
  global,
  loopback,     // 127.0.0.0/8, ::1
  private_use,  // RFC 1918 10/8, 172.16/12, 192.168/16; IPv6 ULA fc00::/7, site-local fec0::/10
  link_local,   // 169.254.0.0/16 (cloud metadata lives here), fe80::/10
  shared,       // 100.64.0.0/10, carrier-grade NAT (RFC 6598)
  multicast,    // 224.0.0.0/4, ff00::/8
  unspecified,  // 0.0.0.0/8 ("this network": Linux connects it to the local host), ::
  reserved,     // 240.0.0.0/4 with the broadcast address, 192.0.0.0/24, 198.18.0.0/15
};
// IPv4 inside IPv6 (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) takes the
// scope of the IPv4 address it carries, since that is where packets go.
AddressScope address_scope(const IpAddress& address);
const char* scope_name(AddressScope scope);  // "loopback", "private", "link-local", ...

// A CIDR block ("10.0.0.0/8", "fd00::/8"); a bare address is a one-address block.
struct IpNetwork {
  IpAddress base;  // with the host bits cleared
  int prefix = 0;  // in IPv6 bits (an IPv4 /8 is stored as /104)
  bool contains(const IpAddress& address) const;
  std::string to_string() const;  // as it would be written: "10.0.0.0/8"
  friend bool operator==(const IpNetwork&, const IpNetwork&) = default;
};
// nullopt with `why` set when `text` is not a CIDR block.
std::optional<IpNetwork> parse_ip_network(std::string_view text, std::string& why);

// True when `address` is global, or inside one of `allowed`.
bool address_allowed(const IpAddress& address, const std::vector<IpNetwork>& allowed);

// True when `host` (as in a URL, brackets allowed) names no public site without a lookup:
// an IP literal of a non-global scope, "localhost" and *.localhost, a single-label name,
// or a special-use domain (.local, .internal, .lan, .home.arpa, .localdomain, .intranet).
bool is_internal_host(std::string_view host);

// The query parameters whose values are secrets unless configured otherwise: key, api_key,
// apikey, token, access_token, secret, password, sig, signature.
const std::vector<std::string>& default_secret_params();

// True when the query parameter `name` holds a secret: it equals one of `secret_params`,
// or ends with "_" or "-" and one of them ("client_secret", "auth-token"), ignoring case.
bool is_secret_param(std::string_view name, const std::vector<std::string>& secret_params);

// `url` for a log line: the userinfo and every secret parameter's value replaced by
// "REDACTED". Text that does not parse as a URL is returned as it is.
std::string redact_url(std::string_view url, const std::vector<std::string>& secret_params);

// `text` with every URL in it (scheme "://" up to white space, a quote or an angle
// bracket) redacted as by redact_url: error messages quote the URLs they concern.
std::string redact_urls_in(std::string_view text, const std::vector<std::string>& secret_params);

// `url` as a public page may show it: userinfo and secret parameters removed. nullopt for
// anything but an http(s) URL with a public host (file://, internal hosts).
std::optional<std::string> public_url(std::string_view url, const std::vector<std::string>& secret_params);

}  // namespace tinhop
