// A rule given outside the file (CLI, API) is read by the file's own [[rule]] reader: the
// same checks, the same messages, with the rule's own keys.
#include <catch2/catch.hpp>

#include "tinhop/config/config.hpp"

using namespace tinhop;

TEST_CASE("a TOML snippet is read as a [[rule]] of the file, with or without its header", "[config][rules]") {
  const config::RuleRead bare = config::read_rule_toml(
      "name = \"prefix\"\naction = \"rewrite\"\nmatch = \"regex\"\npattern = '^\\(Chinhphu\\.vn\\) - '\n"
      "fields = [\"title\"]\nsources = [\"https://BaoChinhPhu.vn/rss\"]\n");
  REQUIRE(bare.rule.has_value());
  rules::RuleSpec expected;
  expected.name = "prefix";
  expected.action = rules::Action::rewrite;
  expected.match = rules::Match::regex;
  expected.pattern = "^\\(Chinhphu\\.vn\\) - ";
  expected.fields = {rules::Field::title};
  expected.sources = {"https://baochinhphu.vn/rss"};
  CHECK(*bare.rule == expected);
  const config::RuleRead headed =
      config::read_rule_toml("[[rule]]\nname = \"tu-vi\"\naction = \"drop\"\npattern = \"tu vi\"\n");
  REQUIRE(headed.rule.has_value());
  CHECK(headed.rule->name == "tu-vi");
}

TEST_CASE("a JSON rule is refused with the file's messages, keyed by the rule's own keys",
          "[config][rules]") {
  CHECK(config::read_rule_json(R"({"name":"video","action":"drop","match":"regex","pattern":"(Video"})")
            .message() == "pattern: invalid regular expression: U_REGEX_MISMATCHED_PAREN at offset 6");
  CHECK(config::read_rule_json(R"({"name":"video","action":"tag","pattern":"video"})").message() ==
        "tag: a tag rule needs the category it adds");
  CHECK(config::read_rule_json(R"({"name":"video","action":"drop","pattern":5})").message() ==
        "pattern: expected a string, got an integer");
  const config::RuleRead unknown =
      config::read_rule_json(R"({"name":"video","action":"drop","pattern":"video","patern":"x"})");
  CHECK_FALSE(unknown.rule.has_value());
  CHECK(unknown.message() == "patern: unknown key (did you mean 'pattern'?)");
  CHECK(config::read_rule_json("[1]").message() == "rule: expected a JSON object with the keys of one rule");
  // null is an absent key.
  const config::RuleRead defaulted =
      config::read_rule_json(R"({"name":"video","action":"drop","pattern":"video","fields":null})");
  REQUIRE(defaulted.rule.has_value());
  CHECK(defaulted.rule->fields.empty());
}

TEST_CASE("a null inside a JSON rule's list is refused, not read as a shorter list", "[config][rules]") {
  const config::RuleRead read =
      config::read_rule_json(R"({"name":"video","action":"drop","pattern":"video","fields":["title",null]})");
  CHECK_FALSE(read.rule.has_value());
  CHECK(read.message() == "fields: expected an array of strings, got null");
  CHECK(config::read_rule_json(R"({"name":"video","action":"drop","pattern":"video","categories":[null]})")
            .message() == "categories: expected an array of strings, got null");
}

TEST_CASE("a JSON rule past the limits is refused with the limit", "[config][rules]") {
  const std::string pattern(rules::kMaxPatternBytes + 1, 'a');
  CHECK(config::read_rule_json(R"({"name":"long","action":"drop","pattern":")" + pattern + "\"}").message() ==
        "pattern: 8193 bytes; at most 8192");
  std::string categories;
  for (std::size_t i = 0; i <= rules::kMaxScopeEntries; ++i)
    categories += (i ? ",\"c" : "\"c") + std::to_string(i) + "\"";
  CHECK(config::read_rule_json(R"({"name":"wide","action":"drop","pattern":"x","categories":[)" + categories +
                               "]}")
            .message() == "categories: 1001 categories; at most 1000");
}
