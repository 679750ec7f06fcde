// server.trusted_proxies: the reverse proxies whose forwarding headers name the links' host.
#include <catch2/catch.hpp>

#include "diagnostics.hpp"

using tinhop::test::diagnostics_of;

TEST_CASE("server.trusted_proxies takes addresses and CIDR blocks, none by default") {
  CHECK(tinhop::config::Config{}.server.trusted_proxies.empty());
  auto result = tinhop::config::parse_config(
      "[server]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\", \"::1\"]\n", "t.toml");
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  std::vector<std::string> blocks;
  for (const auto& network : result.config->server.trusted_proxies) blocks.push_back(network.to_string());
  CHECK(blocks == std::vector<std::string>{"127.0.0.1/32", "10.0.0.0/8", "::1/128"});
}

TEST_CASE("server.trusted_proxies refuses what is not an address or a CIDR block, with the reason") {
  CHECK(diagnostics_of("[server]\ntrusted_proxies = [\"proxy.lan\", \"10.0.0.1/8\"]\n") ==
        std::vector<std::string>{
            "t.toml:2: server.trusted_proxies: 'proxy.lan' is not an IP network (write it as 10.0.0.0/8 or "
            "fd00::/8)",
            "t.toml:2: server.trusted_proxies: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)"});
  CHECK(diagnostics_of("[server]\ntrusted_proxies = \"127.0.0.1\"\n").size() == 1);
}
