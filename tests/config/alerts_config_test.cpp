// [alerts], its [[alerts.webhook]]s and admin.alerts_secret_file: read with their lines,
// every mistake reported as file:line: key: message.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "tinhop/config/config.hpp"

using tinhop::test::diagnostics_of;
using namespace tinhop;
using namespace std::chrono_literals;

TEST_CASE("alerts have defaults, and every setting and webhook is read", "[config][alerts]") {
  const config::Config defaults = config::parse_config("", "t.toml").config.value();
  CHECK(defaults.alerts.enabled);
  CHECK(defaults.alerts.failing_after == 3);
  CHECK(defaults.alerts.min_quiet == 6h);
  CHECK(defaults.alerts.check_interval == 5min);
  CHECK(defaults.alerts.history == 24h * 30);
  CHECK(defaults.alerts.webhooks.empty());
  CHECK(defaults.admin.alerts_secret_file.empty());

  const char* toml =
      "[admin]\n"
      "token_file = \"/etc/tinhop/admin-token\"\n"
      "alerts_secret_file = \"$CREDENTIALS_DIRECTORY/alerts-secret\"\n"
      "[alerts]\n"
      "failing_after = 5\n"
      "min_quiet = \"2h\"\n"
      "check_interval = \"1m\"\n"
      "history = \"14d\"\n"
      "[[alerts.webhook]]\n"
      "url = \"https://chat.example/hooks/tinhop\"\n"
      "secret_file = \"/etc/tinhop/webhook-secret\"\n"
      "[[alerts.webhook]]\n"
      "url = \"http://10.0.0.5:9000/alerts\"\n"
      "secret_file = \"/etc/tinhop/pager-secret\"\n"
      "kinds = [\"failing\", \"recovered\"]\n";
  const config::LoadResult result = config::parse_config(toml, "t.toml");
  REQUIRE(result.ok());
  const config::Config& c = *result.config;
  CHECK(c.admin.alerts_secret_file == "$CREDENTIALS_DIRECTORY/alerts-secret");
  CHECK(c.alerts.failing_after == 5);
  CHECK(c.alerts.min_quiet == 2h);
  CHECK(c.alerts.check_interval == 1min);
  CHECK(c.alerts.history == 24h * 14);
  REQUIRE(c.alerts.webhooks.size() == 2);
  CHECK(c.alerts.webhooks[0] ==
        config::AlertWebhook{"https://chat.example/hooks/tinhop", "/etc/tinhop/webhook-secret", {}, 9});
  CHECK(c.alerts.webhooks[1] ==
        config::AlertWebhook{
            "http://10.0.0.5:9000/alerts", "/etc/tinhop/pager-secret", {"failing", "recovered"}, 12});
}

TEST_CASE("every bad alert setting is reported at its line", "[config][alerts]") {
  CHECK(
      diagnostics_of("[admin]\n"
                     "token_file = \"/etc/tinhop/admin-token\"\n"
                     "alerts_secret_file = \"alerts-secret\"\n"
                     "[alerts]\n"
                     "failing_after = 0\n"
                     "min_quiet = \"soon\"\n"
                     "history = \"1h\"\n"
                     "quiet = \"1h\"\n"
                     "[[alerts.webhook]]\n"
                     "url = \"ftp://chat.example/hook\"\n"
                     "secret_file = \"\"\n"
                     "kinds = [\"failing\", \"down\"]\n"
                     "[[alerts.webhook]]\n"
                     "url = \"https://chat.example/hook\"\n") ==
      std::vector<std::string>{
          "t.toml:3: admin.alerts_secret_file: must be an absolute path or start with $CREDENTIALS_DIRECTORY",
          "t.toml:8: alerts.quiet: unknown key",
          "t.toml:5: alerts.failing_after: must be between 1 and 1000, got 0",
          "t.toml:6: alerts.min_quiet: invalid duration \"soon\" (write seconds, or a number with a unit s, "
          "m, h, d "
          "or w: \"90s\", \"15m\", \"1h30m\")",
          "t.toml:7: alerts.history: must be between 1d and 366d, got 1h",
          "t.toml:10: alerts.webhook[0].url: must be an http:// or https:// URL",
          "t.toml:11: alerts.webhook[0].secret_file: must not be empty",
          "t.toml:12: alerts.webhook[0].kinds: unknown kind \"down\" (expected one of: failing, stale, "
          "recovered)",
          "t.toml:13: alerts.webhook[1].secret_file: every webhook needs a secret_file (the key of its "
          "X-Tinhop-Signature)",
      });
}

TEST_CASE("alerts.webhook must be an array of tables", "[config][alerts]") {
  CHECK(diagnostics_of("[alerts]\nwebhook = \"https://chat.example/hook\"\n") ==
        std::vector<std::string>{
            "t.toml:2: alerts.webhook: expected an array of tables ([[alerts.webhook]]), got a string"});
  CHECK(diagnostics_of("[alerts]\nwebhook = [1, {url = \"https://chat.example/hook\"}]\n") ==
        std::vector<std::string>{
            "t.toml:2: alerts.webhook[0]: expected a table ([[alerts.webhook]]), got an integer",
            "t.toml:2: alerts.webhook[1].secret_file: every webhook needs a secret_file (the key of its "
            "X-Tinhop-Signature)"});
}
