// admin.session_idle, admin.session_lifetime and admin.secure_cookies: the console's
// sign-in settings (issue #21).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "tinhop/config/config.hpp"

using tinhop::test::diagnostics_of;
using namespace std::chrono_literals;

TEST_CASE("console sessions: half an hour idle, twelve hours in all, Secure only through TLS") {
  auto result = tinhop::config::parse_config("", "t.toml");
  REQUIRE(result.ok());
  CHECK(result.config->admin.session_idle == 30min);
  CHECK(result.config->admin.session_lifetime == 12h);
  CHECK_FALSE(result.config->admin.secure_cookies);
}

TEST_CASE("console sessions: the keys are read and their bounds checked") {
  auto result = tinhop::config::parse_config(
      "[admin]\nsession_idle = \"10m\"\nsession_lifetime = \"2d\"\nsecure_cookies = true\n", "t.toml");
  REQUIRE(result.ok());
  CHECK(result.config->admin.session_idle == 10min);
  CHECK(result.config->admin.session_lifetime == 48h);
  CHECK(result.config->admin.secure_cookies);
  CHECK(diagnostics_of("[admin]\nsession_idle = \"10s\"\n") ==
        std::vector<std::string>{"t.toml:2: admin.session_idle: must be between 1m and 1d, got 10s"});
}
