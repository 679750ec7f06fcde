// fetch.allow_networks, fetch.secret_params and admin.file_sources_under: read, checked
// with the line of the mistake, and defaulted to the safe choice.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "tinhop/config/config.hpp"

using tinhop::test::diagnostics_of;

TEST_CASE("reach settings: the defaults allow no internal network and no file from the API") {
  auto result = tinhop::config::parse_config("", "t.toml");
  REQUIRE(result.ok());
  CHECK(result.config->fetch.allow_networks.empty());
  CHECK(result.config->admin.file_sources_under.empty());
  CHECK(result.config->fetch.secret_params == tinhop::default_secret_params());
}

TEST_CASE("reach settings: networks, secret parameters and the file directory are read") {
  auto result = tinhop::config::parse_config(
      "[fetch]\nallow_networks = [\"10.1.0.0/16\", \"fd00::/8\", \"127.0.0.1\"]\n"
      "secret_params = [\"apikey\", \"sessionid\"]\n"
      "[admin]\nfile_sources_under = \"/srv/tinhop/feeds\"\n",
      "t.toml");
  REQUIRE(result.ok());
  const auto& networks = result.config->fetch.allow_networks;
  REQUIRE(networks.size() == 3);
  CHECK(networks[0].to_string() == "10.1.0.0/16");
  CHECK(networks[1].to_string() == "fd00::/8");
  CHECK(networks[2].to_string() == "127.0.0.1/32");
  CHECK(result.config->fetch.secret_params == std::vector<std::string>{"apikey", "sessionid"});
  CHECK(result.config->admin.file_sources_under == "/srv/tinhop/feeds");
}

TEST_CASE("reach settings: each mistake is reported with its line") {
  CHECK(diagnostics_of("[fetch]\nallow_networks = [\"10.0.0.1/8\", \"intranet\"]\n") ==
        std::vector<std::string>{
            "t.toml:2: fetch.allow_networks: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)",
            "t.toml:2: fetch.allow_networks: 'intranet' is not an IP network (write it as 10.0.0.0/8 or "
            "fd00::/8)"});
  CHECK(
      diagnostics_of("[fetch]\nallow_networks = \"10.0.0.0/8\"\n") ==
      std::vector<std::string>{"t.toml:2: fetch.allow_networks: expected an array of strings, got a string"});
  CHECK(diagnostics_of("[admin]\nfile_sources_under = \"feeds\"\n") ==
        std::vector<std::string>{"t.toml:2: admin.file_sources_under: must be an absolute path"});
  CHECK(
      diagnostics_of("[admin]\nfile_sources_under = \"/\"\n") ==
      std::vector<std::string>{"t.toml:2: admin.file_sources_under: \"/\" would let the API read every file "
                               "the daemon can (name the feeds' own directory)"});
}
