// The [[rule]] entries: each field typed with its line, then the checks every rule obeys
// (rules::check_rule: a regex ICU refuses is reported with ICU's error), then the
// list-wide ones (unique names).

#include "reader.hpp"
#include "tinhop/config/source.hpp"

namespace tinhop::config::detail {

namespace {

// A name that is safe as a /metrics label value and on a command line.
bool valid_rule_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::optional<FileRule> read_rule(Reader& r, const toml::table& t, const std::string& prefix) {
  r.reject_unknown(
      t, prefix,
      {"name", "action", "match", "pattern", "fields", "case_sensitive", "tag", "sources", "categories"});
  const std::size_t errors_before = r.error_count();
  FileRule out;
  out.line = Reader::line_of(t);
  rules::RuleSpec& rule = out.rule;
  r.read(t, "name", prefix, rule.name);
  if (!t.get("name")) {
    r.error(out.line, prefix + ".name", "every rule needs a name (its drops are counted under it)");
  } else if (!valid_rule_name(rule.name)) {
    r.error(Reader::line_of(t, "name"), prefix + ".name",
            "\"" + rule.name + "\" must be 1-64 ASCII letters, digits, '-', '_' or '.'");
  }
  if (!t.get("action")) r.error(out.line, prefix + ".action", "missing (drop, keep, tag or rewrite)");
  r.read_enum(t, "action", prefix, rule.action, rules::action_from, "drop, keep, tag, rewrite");
  r.read_enum(t, "match", prefix, rule.match, rules::match_from, "words, phrase, regex");
  r.read(t, "pattern", prefix, rule.pattern);
  std::vector<std::string> fields;
  read_string_list(r, t, "fields", prefix, fields);
  for (const std::string& name : fields) {
    if (auto field = rules::field_from(name)) {
      rule.fields.push_back(*field);
    } else {
      r.error(Reader::line_of(t, "fields"), prefix + ".fields",
              "unknown field \"" + name +
                  "\" (expected: title, summary, content, link, author, category, language)");
    }
  }
  r.read(t, "case_sensitive", prefix, rule.case_sensitive);
  r.read(t, "tag", prefix, rule.tag);
  std::vector<std::string> sources;
  read_string_list(r, t, "sources", prefix, sources);
  for (const std::string& url : sources) {
    UrlCheck check = check_source_url(url);
    if (check.error.empty()) {
      rule.sources.push_back(std::move(check.canonical));
    } else {
      r.error(Reader::line_of(t, "sources"), prefix + ".sources", check.error);
    }
  }
  read_string_list(r, t, "categories", prefix, rule.categories);
  if (r.error_count() != errors_before) return std::nullopt;
  for (const std::string& problem : rules::check_rule(rule)) {
    const std::string key = problem.substr(0, problem.find(':'));
    r.error(Reader::line_of(t, key), prefix + "." + key, problem.substr(problem.find(':') + 2));
  }
  if (r.error_count() != errors_before) return std::nullopt;
  return out;
}

}  // namespace

void read_rules(Reader& r, const toml::node& node, Config& config) {
  FirstSeen names("rule");
  read_table_array(r, node, "rule",
                   [&](const toml::table& table, const std::string& prefix, std::size_t index) {
                     auto rule = read_rule(r, table, prefix);
                     if (!rule) return;
                     if (auto first = names.add(rule->rule.name, index, rule->line)) {
                       r.error(Reader::line_of(table, "name"), prefix + ".name",
                               "\"" + rule->rule.name + "\" is already the name of " + *first);
                     } else {
                       config.rules.push_back(std::move(*rule));
                     }
                   });
}

}  // namespace tinhop::config::detail
