// [[rule]] entries: read with their line, every problem reported as file:line: key.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "tinhop/config/config.hpp"

using tinhop::test::diagnostics_of;
using namespace tinhop;

TEST_CASE("rules are read in file order with every key", "[config][rules]") {
  const char* toml =
      "[[rule]]\n"
      "name = \"tu-vi\"\n"
      "action = \"drop\"\n"
      "match = \"phrase\"\n"
      "pattern = \"tử vi\"\n"
      "\n"
      "[[rule]]\n"
      "name = \"chinhphu-prefix\"\n"
      "action = \"rewrite\"\n"
      "match = \"regex\"\n"
      "pattern = '^\\(Chinhphu\\.vn\\) - '\n"
      "fields = [\"title\", \"summary\"]\n"
      "case_sensitive = true\n"
      "sources = [\"HTTPS://baochinhphu.vn:443/rss\"]\n"
      "\n"
      "[[rule]]\n"
      "name = \"covid\"\n"
      "action = \"tag\"\n"
      "pattern = \"covid\"\n"
      "tag = \"Y tế\"\n"
      "categories = [\"suc-khoe\"]\n";
  config::LoadResult result = config::parse_config(toml, "t.toml");
  REQUIRE(result.ok());
  const auto& rules = result.config->rules;
  REQUIRE(rules.size() == 3);
  CHECK(rules[0].line == 1);
  CHECK(rules[0].rule.name == "tu-vi");
  CHECK(rules[0].rule.action == rules::Action::drop);
  CHECK(rules[0].rule.match == rules::Match::phrase);
  CHECK(rules[0].rule.pattern == "tử vi");
  CHECK(rules[0].rule.fields.empty());
  CHECK(rules[1].line == 7);
  CHECK(rules[1].rule.action == rules::Action::rewrite);
  CHECK(rules[1].rule.pattern == "^\\(Chinhphu\\.vn\\) - ");
  CHECK(rules[1].rule.fields == std::vector<rules::Field>{rules::Field::title, rules::Field::summary});
  CHECK(rules[1].rule.case_sensitive);
  CHECK(rules[1].rule.sources == std::vector<std::string>{"https://baochinhphu.vn/rss"});
  CHECK(rules[2].rule.match == rules::Match::words);
  CHECK(rules[2].rule.tag == "Y tế");
  CHECK(rules[2].rule.categories == std::vector<std::string>{"suc-khoe"});
}

TEST_CASE("a bad regex is reported at its line with ICU's error", "[config][rules]") {
  CHECK(diagnostics_of(
            "[[rule]]\nname = \"video\"\naction = \"drop\"\nmatch = \"regex\"\npattern = \"(Video\"\n") ==
        std::vector<std::string>{
            "t.toml:5: rule[0].pattern: invalid regular expression: U_REGEX_MISMATCHED_PAREN at offset 6"});
}

TEST_CASE("every problem of a rule is reported with its key", "[config][rules]") {
  CHECK(diagnostics_of("[[rule]]\naction = \"hide\"\npatern = \"x\"\n") ==
        std::vector<std::string>{
            "t.toml:3: rule[0].patern: unknown key (did you mean 'pattern'?)",
            "t.toml:1: rule[0].name: every rule needs a name (its drops are counted under it)",
            "t.toml:2: rule[0].action: unknown value \"hide\" (expected one of: drop, keep, tag, rewrite)"});
  CHECK(
      diagnostics_of("[[rule]]\nname = \"a b\"\naction = \"drop\"\npattern = \"x\"\nfields = [\"body\"]\n") ==
      std::vector<std::string>{
          "t.toml:2: rule[0].name: \"a b\" must be 1-64 ASCII letters, digits, '-', '_' or '.'",
          "t.toml:5: rule[0].fields: unknown field \"body\" (expected: title, summary, content, link, "
          "author, "
          "category, language)"});
  CHECK(diagnostics_of("[[rule]]\nname = \"t\"\naction = \"tag\"\npattern = \"covid\"\n") ==
        std::vector<std::string>{"t.toml:1: rule[0].tag: a tag rule needs the category it adds"});
  CHECK(diagnostics_of("[[rule]]\nname = \"r\"\naction = \"rewrite\"\npattern = \"Xem thêm\"\n") ==
        std::vector<std::string>{"t.toml:1: rule[0].match: a rewrite removes what a regex matches"});
}

TEST_CASE("two rules may not share a name", "[config][rules]") {
  CHECK(diagnostics_of("[[rule]]\nname = \"v\"\naction = \"drop\"\npattern = \"video\"\n"
                       "[[rule]]\nname = \"v\"\naction = \"drop\"\npattern = \"clip\"\n") ==
        std::vector<std::string>{"t.toml:6: rule[1].name: \"v\" is already the name of rule[0] at line 1"});
}

TEST_CASE("a file holds at most kMaxRules rules", "[config][rules]") {
  std::string toml;
  for (std::size_t i = 0; i <= rules::kMaxRules; ++i)
    toml += "[[rule]]\nname = \"r" + std::to_string(i) + "\"\naction = \"drop\"\npattern = \"x\"\n";
  CHECK(diagnostics_of(toml.c_str()) ==
        std::vector<std::string>{"t.toml:4001: rule[1000]: past the limit: tinhop keeps at most 1000 rules"});
}
