#include "tinhop/parsers/url_privacy.hpp"

#include <catch2/catch.hpp>

using namespace tinhop;

namespace {

AddressScope scope_of(const char* literal) {
  auto address = parse_ip_literal(literal);
  REQUIRE(address);
  return address_scope(*address);
}

IpNetwork network(const char* text) {
  std::string why;
  auto parsed = parse_ip_network(text, why);
  INFO(why);
  REQUIRE(parsed);
  return *parsed;
}

}  // namespace

TEST_CASE("address scopes: every internal range the fetcher refuses", "[url_privacy]") {
  CHECK(scope_of("127.0.0.1") == AddressScope::loopback);
  CHECK(scope_of("127.255.1.2") == AddressScope::loopback);
  CHECK(scope_of("::1") == AddressScope::loopback);
  CHECK(scope_of("10.1.2.3") == AddressScope::private_use);
  CHECK(scope_of("172.16.0.1") == AddressScope::private_use);
  CHECK(scope_of("172.31.255.255") == AddressScope::private_use);
  CHECK(scope_of("192.168.1.1") == AddressScope::private_use);
  CHECK(scope_of("fd12:3456::1") == AddressScope::private_use);
  CHECK(scope_of("169.254.169.254") == AddressScope::link_local);
  CHECK(scope_of("fe80::1") == AddressScope::link_local);
  CHECK(scope_of("100.64.0.1") == AddressScope::shared);
  CHECK(scope_of("100.127.255.254") == AddressScope::shared);
  CHECK(scope_of("224.0.0.1") == AddressScope::multicast);
  CHECK(scope_of("ff02::1") == AddressScope::multicast);
  CHECK(scope_of("0.0.0.0") == AddressScope::unspecified);
  CHECK(scope_of("::") == AddressScope::unspecified);
  CHECK(scope_of("255.255.255.255") == AddressScope::reserved);
  // Neighbours of each range stay public.
  CHECK(scope_of("172.32.0.1") == AddressScope::global);
  CHECK(scope_of("100.128.0.1") == AddressScope::global);
  CHECK(scope_of("11.0.0.1") == AddressScope::global);
  CHECK(scope_of("203.162.4.190") == AddressScope::global);
  CHECK(scope_of("2001:4860:4860::8888") == AddressScope::global);
}

TEST_CASE("address scopes: IPv4 carried in IPv6 and legacy IPv4 spellings", "[url_privacy]") {
  CHECK(scope_of("::ffff:127.0.0.1") == AddressScope::loopback);
  CHECK(scope_of("[::ffff:169.254.169.254]") == AddressScope::link_local);
  CHECK(scope_of("64:ff9b::a9fe:a9fe") == AddressScope::link_local);  // NAT64 of 169.254.169.254
  CHECK(scope_of("2002:7f00:1::") == AddressScope::loopback);         // 6to4 of 127.0.0.1
  // getaddrinfo connects these to 127.0.0.1: they must not pass as names.
  CHECK(scope_of("127.1") == AddressScope::loopback);
  CHECK(scope_of("2130706433") == AddressScope::loopback);
  CHECK(scope_of("0x7f.0.0.1") == AddressScope::loopback);
  CHECK_FALSE(parse_ip_literal("example.com"));
  CHECK_FALSE(parse_ip_literal("deadbeef.example"));
}

TEST_CASE("networks: CIDR blocks, containment and mistakes", "[url_privacy]") {
  const IpNetwork ten = network("10.0.0.0/8");
  CHECK(ten.contains(*parse_ip_literal("10.200.1.1")));
  CHECK_FALSE(ten.contains(*parse_ip_literal("11.0.0.1")));
  CHECK(ten.to_string() == "10.0.0.0/8");
  const IpNetwork ula = network("fd00::/8");
  CHECK(ula.contains(*parse_ip_literal("fd00:1::5")));
  CHECK_FALSE(ula.contains(*parse_ip_literal("fe80::1")));
  CHECK(network("127.0.0.1").contains(*parse_ip_literal("127.0.0.1")));
  CHECK_FALSE(network("127.0.0.1").contains(*parse_ip_literal("127.0.0.2")));
  CHECK(network("0.0.0.0/0").contains(*parse_ip_literal("127.0.0.2")));

  std::string why;
  CHECK_FALSE(parse_ip_network("10.0.0.1/8", why));
  CHECK(why == "'10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)");
  CHECK_FALSE(parse_ip_network("10.0.0.0/33", why));
  CHECK(why == "'10.0.0.0/33' has no valid prefix length (0 to 32)");
  CHECK_FALSE(parse_ip_network("intranet", why));
  CHECK(why == "'intranet' is not an IP network (write it as 10.0.0.0/8 or fd00::/8)");
  CHECK_FALSE(parse_ip_network("127.1/8", why));

  const std::vector<IpNetwork> allowed{network("192.168.5.0/24")};
  CHECK(address_allowed(*parse_ip_literal("192.168.5.7"), allowed));
  CHECK_FALSE(address_allowed(*parse_ip_literal("192.168.6.7"), allowed));
  CHECK(address_allowed(*parse_ip_literal("8.8.8.8"), {}));
}

TEST_CASE("internal hosts: names that lead nowhere public", "[url_privacy]") {
  for (const char* host :
       {"localhost", "LOCALHOST.", "api.localhost", "intranet", "printer.local", "db.internal",
        "nas.home.arpa", "127.0.0.1", "[::1]", "169.254.169.254", "10.0.0.8", "0.0.0.0"}) {
    INFO(host);
    CHECK(is_internal_host(host));
  }
  for (const char* host : {"vnexpress.net", "baochinhphu.vn", "203.162.4.190", "[2001:db9::1]"}) {
    INFO(host);
    CHECK_FALSE(is_internal_host(host));
  }
}

TEST_CASE("secret parameters: listed names and their suffixed forms, any case", "[url_privacy]") {
  const auto& names = default_secret_params();
  CHECK(is_secret_param("api_key", names));
  CHECK(is_secret_param("API_KEY", names));
  CHECK(is_secret_param("client_secret", names));
  CHECK(is_secret_param("auth-token", names));
  CHECK_FALSE(is_secret_param("monkey", names));  // ends with "key" but not as a word
  CHECK_FALSE(is_secret_param("page", names));
  CHECK_FALSE(is_secret_param("keyword", names));
}

TEST_CASE("redaction for logs keeps the shape and hides the secrets", "[url_privacy]") {
  const auto& names = default_secret_params();
  CHECK(redact_url("https://alice:hunter2@example.com/feed?api_key=abc&page=2", names) ==
        "https://REDACTED@example.com/feed?api_key=REDACTED&page=2");
  CHECK(redact_url("https://example.com/rss?Token=x&sig=y", names) ==
        "https://example.com/rss?Token=REDACTED&sig=REDACTED");
  CHECK(redact_url("https://example.com/rss?category=1", names) == "https://example.com/rss?category=1");
  CHECK(redact_urls_in(
            "fetching \"https://u:p@a.example/x?key=1\" failed; moved to http://b.example/?token=t", names) ==
        "fetching \"https://REDACTED@a.example/x?key=REDACTED\" failed; moved to "
        "http://b.example/?token=REDACTED");
  CHECK(redact_urls_in("no url here: a :// b", names) == "no url here: a :// b");
  CHECK(redact_urls_in("url=https://x.example/?password=p", {"password"}) ==
        "url=https://x.example/?password=REDACTED");
}

TEST_CASE("public URLs drop credentials and never show internal or local targets", "[url_privacy]") {
  const auto& names = default_secret_params();
  CHECK(public_url("https://alice:pw@example.com/feed?api_key=abc&page=2", names) ==
        "https://example.com/feed?page=2");
  CHECK(public_url("https://example.com/feed?token=abc", names) == "https://example.com/feed");
  CHECK(public_url("https://example.com/feed.rss", names) == "https://example.com/feed.rss");
  CHECK_FALSE(public_url("file:///etc/tinhop/feeds/a.xml", names));
  CHECK_FALSE(public_url("http://127.0.0.1:8081/api/sources", names));
  CHECK_FALSE(public_url("http://169.254.169.254/latest/meta-data/", names));
  CHECK_FALSE(public_url("http://intranet/rss", names));
  CHECK_FALSE(public_url("not a url", names));
}
