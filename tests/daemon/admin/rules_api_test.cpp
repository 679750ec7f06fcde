// /api/rules: the editorial rules through the admin API (issue #20), checked as the file's
// are, the file's own rules read-only.
#include <catch2/catch.hpp>

#include "tinhop/admin/api.hpp"
#include "tinhop/admin/rules.hpp"

using namespace tinhop;
using namespace tinhop::admin;

namespace {

const std::string token = "0123456789abcdef0123456789abcdef";
const Instant now = Instant(std::chrono::seconds(1'790'000'000));

config::Config file_config() {
  auto result = config::parse_config(
      "[[rule]]\nname = \"horoscope\"\naction = \"drop\"\nmatch = \"phrase\"\npattern = \"tu vi\"\n",
      "/etc/tinhop/tinhop.toml");
  REQUIRE(result.ok());
  return *result.config;
}

struct Fixture {
  storage::Store store = storage::Store::open(":memory:").value();
  config::LiveConfig live{file_config()};
  Api api{Token{token}, store, live, ApiHooks{}, [] { return now; }};

  Fixture() { REQUIRE(sync_rules(store, *live.current(), now).added == 1); }

  Response call(http::verb method, const std::string& target, const std::string& body = {},
                std::optional<std::string> bearer = token) {
    Request request{method, target, 11};
    if (bearer) request.set(http::field::authorization, "Bearer " + *bearer);
    request.body() = body;
    request.prepare_payload();
    return api.handle(request);
  }
  std::int64_t file_rule_id() { return store.list_rules().value().front().id; }
};

}  // namespace

TEST_CASE("rules are added, read, listed, edited, switched off and removed through the API",
          "[admin][rules]") {
  Fixture f;
  Response added =
      f.call(http::verb::post, "/api/rules",
             R"({"name":"video","action":"drop","pattern":"video","sources":["https://VTV.vn/rss"]})");
  REQUIRE(added.result() == http::status::created);
  const std::int64_t id = f.file_rule_id() + 1;
  CHECK(added[http::field::location] == "/api/rules/" + std::to_string(id));
  CHECK(added.body() == R"({"id":)" + std::to_string(id) +
                            R"(,"name":"video","origin":"api","position":1,"enabled":true,"scope":"sources",)"
                            R"("rule":{"name":"video","action":"drop","match":"words","pattern":"video",)"
                            R"("sources":["https://vtv.vn/rss"]},"created":"2026-09-21T14:13:20Z",)"
                            R"("modified":"2026-09-21T14:13:20Z","dropped":0,"regex_timeouts":0})"
                            "\n");

  Response read = f.call(http::verb::get, "/api/rules/" + std::to_string(id));
  CHECK(read.result() == http::status::ok);
  CHECK(read.body() == added.body());

  Response listed = f.call(http::verb::get, "/api/rules");
  REQUIRE(listed.result() == http::status::ok);
  const auto listed_rules = boost::json::parse(listed.body()).at("rules").as_array();
  REQUIRE(listed_rules.size() == 2);
  CHECK(listed_rules[0].at("name").as_string() == "horoscope");
  CHECK(listed_rules[0].at("origin").as_string() == "config");
  CHECK(listed_rules[0].at("scope").as_string() == "global");
  CHECK(listed_rules[1].at("name").as_string() == "video");

  Response patched = f.call(http::verb::patch, "/api/rules/" + std::to_string(id),
                            R"({"match":"regex","pattern":"^Video:","sources":null,"enabled":false})");
  REQUIRE(patched.result() == http::status::ok);
  const auto patched_json = boost::json::parse(patched.body());
  CHECK(patched_json.at("enabled").as_bool() == false);
  CHECK(patched_json.at("scope").as_string() == "global");
  CHECK(boost::json::serialize(patched_json.at("rule")) ==
        R"({"name":"video","action":"drop","match":"regex","pattern":"^Video:"})");

  Response put = f.call(http::verb::put, "/api/rules/" + std::to_string(id),
                        R"({"name":"video-tag","action":"tag","pattern":"video","tag":"video"})");
  REQUIRE(put.result() == http::status::ok);
  CHECK(boost::json::serialize(boost::json::parse(put.body()).at("rule")) ==
        R"({"name":"video-tag","action":"tag","match":"words","pattern":"video","tag":"video"})");
  CHECK(boost::json::parse(put.body()).at("enabled").as_bool() == false);  // PUT leaves it as it was

  Response removed = f.call(http::verb::delete_, "/api/rules/" + std::to_string(id));
  CHECK(removed.result() == http::status::no_content);
  CHECK(f.store.list_rules().value().size() == 1);
  Response gone = f.call(http::verb::get, "/api/rules/" + std::to_string(id));
  CHECK(gone.result() == http::status::not_found);
  CHECK(gone.body() == R"({"error":"not_found","message":"no rule with id )" + std::to_string(id) + "\"}\n");
}

TEST_CASE("rules through the API need the token", "[admin][rules]") {
  Fixture f;
  Response none =
      f.call(http::verb::post, "/api/rules", R"({"name":"x","action":"drop","pattern":"x"})", std::nullopt);
  CHECK(none.result() == http::status::unauthorized);
  CHECK(none.body() == R"({"error":"unauthorized","message":"missing Authorization: Bearer <token>"})"
                       "\n");
  CHECK(f.call(http::verb::get, "/api/rules", {}, std::nullopt).result() == http::status::unauthorized);
  CHECK(f.store.list_rules().value().size() == 1);
}

TEST_CASE("a rule of the file cannot be changed through the API", "[admin][rules]") {
  Fixture f;
  const std::string target = "/api/rules/" + std::to_string(f.file_rule_id());
  const std::string expected =
      R"({"error":"owned_by_file","message":"rule )" + std::to_string(f.file_rule_id()) +
      R"-( (horoscope) is declared in the configuration file; change it there and reload (systemctl reload tinhop)"})-"
      "\n";
  for (const http::verb method : {http::verb::patch, http::verb::put, http::verb::delete_}) {
    INFO(http::to_string(method));
    // Even with a body that would be refused: whose the rule is comes first.
    Response refused = f.call(method, target, R"({"enabled":false,"pattern":"(x"})");
    CHECK(refused.result() == http::status::conflict);
    CHECK(refused.body() == expected);
  }
  const auto stored = f.store.list_rules().value();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].enabled);
}

TEST_CASE("a bad rule gets 400 naming the key at fault, and nothing is stored", "[admin][rules]") {
  Fixture f;
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"name":"video","action":"drop","match":"regex","pattern":"(Video"})",
       "pattern: invalid regular expression: U_REGEX_MISMATCHED_PAREN at offset 6"},
      {R"({"name":"video","action":"drop","pattern":"video","fields":["titel"]})",
       "fields: unknown field \"titel\" (expected: title, summary, content, link, author, category, "
       "language)"},
      {R"({"name":"video","action":"delete","pattern":"video"})",
       "action: unknown value \"delete\" (expected one of: drop, keep, tag, rewrite)"},
      {R"({"name":"vid eo","action":"drop","pattern":"video"})",
       "name: \"vid eo\" must be 1-64 ASCII letters, digits, '-', '_' or '.'"},
      {R"({"action":"drop","pattern":"video"})",
       "name: every rule needs a name (its drops are counted under it)"},
      {R"({"name":"video","action":"drop","pattern":"video","enabled":"yes"})",
       "enabled: expected true or false"},
      {R"({"name":"horoscope","action":"drop","pattern":"video"})", "rule 1 is named \"horoscope\" already"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    Response response = f.call(http::verb::post, "/api/rules", c.body);
    CHECK(response.result() ==
          (c.message.starts_with("rule 1") ? http::status::conflict : http::status::bad_request));
    CHECK(std::string(boost::json::parse(response.body()).at("message").as_string()) == c.message);
  }
  CHECK(f.store.list_rules().value().size() == 1);
}

TEST_CASE("the bad regex answer is exact JSON", "[admin][rules]") {
  Fixture f;
  Response response = f.call(http::verb::post, "/api/rules",
                             R"({"name":"video","action":"drop","match":"regex","pattern":"(Video"})");
  CHECK(response.result() == http::status::bad_request);
  CHECK(
      response.body() ==
      R"({"error":"invalid","message":"pattern: invalid regular expression: U_REGEX_MISMATCHED_PAREN at offset 6"})"
      "\n");
}

TEST_CASE("a rule past the limits, or one rule too many, is refused and nothing is stored",
          "[admin][rules]") {
  Fixture f;
  const std::string pattern(rules::kMaxPatternBytes + 1, 'a');
  Response long_pattern = f.call(http::verb::post, "/api/rules",
                                 R"({"name":"long","action":"drop","pattern":")" + pattern + "\"}");
  CHECK(long_pattern.result() == http::status::bad_request);
  CHECK(long_pattern.body() == R"({"error":"invalid","message":"pattern: 8193 bytes; at most 8192"})"
                               "\n");
  Response null_field = f.call(http::verb::post, "/api/rules",
                               R"({"name":"nul","action":"drop","pattern":"x","fields":["title",null]})");
  CHECK(null_field.result() == http::status::bad_request);
  CHECK(null_field.body() ==
        R"({"error":"invalid","message":"fields: expected an array of strings, got null"})"
        "\n");
  REQUIRE(f.store.list_rules().value().size() == 1);
  // The file's rule counts: the store holds at most kMaxRules in all.
  for (std::size_t i = 1; i < rules::kMaxRules; ++i) {
    storage::StoredRule rule{0,
                             "r" + std::to_string(i),
                             storage::SourceOrigin::api,
                             0,
                             true,
                             R"({"name":"r","action":"drop","match":"words","pattern":"x"})",
                             {},
                             {}};
    REQUIRE(f.store.add_rule(rule, now, rules::kMaxRules).has_value());
  }
  Response full =
      f.call(http::verb::post, "/api/rules", R"({"name":"one-more","action":"drop","pattern":"x"})");
  CHECK(full.result() == http::status::conflict);
  CHECK(
      full.body() ==
      R"({"error":"conflict","message":"there are 1000 rules already, the most tinhop keeps; remove one first"})"
      "\n");
  CHECK(f.store.list_rules().value().size() == rules::kMaxRules);
}

TEST_CASE("a stored rule that no longer reads is shown with its problem and mended by a PATCH",
          "[admin][rules]") {
  Fixture f;
  // Stored before the pattern limit existed.
  const std::string pattern(rules::kMaxPatternBytes + 8, 'a');
  storage::StoredRule old{
      0,
      "old",
      storage::SourceOrigin::api,
      0,
      true,
      R"({"name":"old","action":"drop","match":"words","pattern":")" + pattern + R"(","fields":["title"]})",
      {},
      {}};
  const std::int64_t id = f.store.add_rule(old, now, rules::kMaxRules).value();
  const std::string target = "/api/rules/" + std::to_string(id);
  // Not applied by the daemon: the health says so until it is mended.
  const boost::json::value health = boost::json::parse(f.call(http::verb::get, "/api/health").body());
  CHECK(health.at("status").as_string() == "degraded");
  CHECK(boost::json::serialize(health.at("reasons")) ==
        R"(["rule 2 (old) is not applied: pattern: 8200 bytes; at most 8192"])");
  Response shown = f.call(http::verb::get, target);
  REQUIRE(shown.result() == http::status::ok);
  const boost::json::value json = boost::json::parse(shown.body());
  CHECK(json.at("problem").as_string() == "pattern: 8200 bytes; at most 8192");
  CHECK(json.at("scope").as_string() == "unknown");

  Response mended = f.call(http::verb::patch, target, R"({"pattern":"tu vi"})");
  REQUIRE(mended.result() == http::status::ok);
  const boost::json::value rule = boost::json::parse(mended.body());
  CHECK_FALSE(rule.as_object().contains("problem"));
  // The keys the PATCH did not give are the stored ones, the name among them.
  CHECK(boost::json::serialize(rule.at("rule")) ==
        R"({"name":"old","action":"drop","match":"words","pattern":"tu vi","fields":["title"]})");
  CHECK(boost::json::parse(f.call(http::verb::get, "/api/health").body()).at("status").as_string() == "ok");
}
