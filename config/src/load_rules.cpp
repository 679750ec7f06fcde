// The [[rule]] entries: each field typed with its line, then the checks every rule obeys
// (rules::check_rule: a regex ICU refuses is reported with ICU's error), then the
// list-wide ones (unique names). A rule given to the CLI or the API goes through the same
// read_rule, as a TOML table or a JSON object made into one.
#include <boost/json.hpp>
#include <memory>

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

}  // namespace

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
    r.error(out.line, Reader::join(prefix, "name"),
            "every rule needs a name (its drops are counted under it)");
  } else if (!valid_rule_name(rule.name)) {
    r.error(Reader::line_of(t, "name"), Reader::join(prefix, "name"),
            "\"" + rule.name + "\" must be 1-64 ASCII letters, digits, '-', '_' or '.'");
  }
  if (!t.get("action"))
    r.error(out.line, Reader::join(prefix, "action"), "missing (drop, keep, tag or rewrite)");
  r.read_enum(t, "action", prefix, rule.action, rules::action_from, "drop, keep, tag, rewrite");
  r.read_enum(t, "match", prefix, rule.match, rules::match_from, "words, phrase, regex");
  r.read(t, "pattern", prefix, rule.pattern);
  std::vector<std::string> fields;
  read_string_list(r, t, "fields", prefix, fields);
  for (const std::string& name : fields) {
    if (auto field = rules::field_from(name)) {
      rule.fields.push_back(*field);
    } else {
      r.error(Reader::line_of(t, "fields"), Reader::join(prefix, "fields"),
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
      r.error(Reader::line_of(t, "sources"), Reader::join(prefix, "sources"), check.error);
    }
  }
  read_string_list(r, t, "categories", prefix, rule.categories);
  if (r.error_count() != errors_before) return std::nullopt;
  for (const std::string& problem : rules::check_rule(rule)) {
    const std::string key = problem.substr(0, problem.find(':'));
    r.error(Reader::line_of(t, key), Reader::join(prefix, key), problem.substr(problem.find(':') + 2));
  }
  if (r.error_count() != errors_before) return std::nullopt;
  return out;
}

void read_rules(Reader& r, const toml::node& node, Config& config) {
  FirstSeen names("rule");
  read_table_array(
      r, node, "rule", [&](const toml::table& table, const std::string& prefix, std::size_t index) {
        auto rule = read_rule(r, table, prefix);
        if (!rule) return;
        if (auto first = names.add(rule->rule.name, index, rule->line)) {
          r.error(Reader::line_of(table, "name"), prefix + ".name",
                  "\"" + rule->rule.name + "\" is already the name of " + *first);
        } else if (config.rules.size() == rules::kMaxRules) {
          r.error(rule->line, prefix,
                  "past the limit: tinhop keeps at most " + std::to_string(rules::kMaxRules) + " rules");
        } else {
          config.rules.push_back(std::move(*rule));
        }
      });
}

}  // namespace tinhop::config::detail

namespace tinhop::config {

namespace {

// JSON as the TOML it stands for: the values a rule takes have the same shape in both.
// null is read as an absent key.
std::optional<std::unique_ptr<toml::node>> to_toml(const boost::json::value& json) {
  switch (json.kind()) {
    case boost::json::kind::string:
      return std::make_unique<toml::value<std::string>>(std::string(json.as_string()));
    case boost::json::kind::bool_: return std::make_unique<toml::value<bool>>(json.as_bool());
    case boost::json::kind::int64: return std::make_unique<toml::value<std::int64_t>>(json.as_int64());
    case boost::json::kind::uint64:
      return std::make_unique<toml::value<double>>(static_cast<double>(json.as_uint64()));
    case boost::json::kind::double_: return std::make_unique<toml::value<double>>(json.as_double());
    case boost::json::kind::array: {
      auto array = std::make_unique<toml::array>();
      for (const boost::json::value& element : json.as_array()) {
        if (auto node = to_toml(element)) array->push_back(std::move(**node));
      }
      return array;
    }
    case boost::json::kind::object: {
      auto table = std::make_unique<toml::table>();
      for (const auto& member : json.as_object()) {
        if (auto node = to_toml(member.value())) table->insert(std::string(member.key()), std::move(**node));
      }
      return table;
    }
    case boost::json::kind::null: return std::nullopt;
  }
  return std::nullopt;
}

RuleRead read_one(const toml::table& table, const std::string& origin) {
  RuleRead out;
  detail::Reader reader(origin, out.problems);
  auto file_rule = detail::read_rule(reader, table, "");
  // An unknown key is an error that still leaves the rule read.
  if (file_rule && reader.error_count() == 0) out.rule = std::move(file_rule->rule);
  return out;
}

RuleRead refused(const std::string& origin, std::uint32_t line, std::string message,
                 std::string key = "rule") {
  RuleRead out;
  out.problems.push_back({Diagnostic::Severity::error, origin, line, std::move(key), std::move(message)});
  return out;
}

}  // namespace

std::string RuleRead::message() const {
  std::string out;
  for (const Diagnostic& problem : problems) {
    if (problem.severity != Diagnostic::Severity::error) continue;
    out += (out.empty() ? "" : "; ") + problem.key + ": " + problem.message;
  }
  return out;
}

RuleRead read_rule_toml(std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view("rule"));
  } catch (const toml::parse_error& error) {
    return refused("rule", error.source().begin.line, std::string(error.description()));
  }
  // "[[rule]]" written above the keys, as in the file, is allowed.
  if (const toml::array* array = root.get_as<toml::array>("rule"); array != nullptr && root.size() == 1) {
    if (array->size() != 1 || !array->front().is_table())
      return refused("rule", 1, "expected the keys of one rule");
    return read_one(*array->front().as_table(), "rule");
  }
  return read_one(root, "rule");
}

RuleRead read_rule_json(std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(text, ec);
  if (ec) return refused("rule", 0, "malformed JSON: " + ec.message());
  if (!json.is_object()) return refused("rule", 0, "expected a JSON object with the keys of one rule");
  // null stands for an absent key, but a list has no absent element: ["title", null] would
  // otherwise be read as ["title"].
  for (const auto& member : json.as_object()) {
    if (!member.value().is_array()) continue;
    for (const boost::json::value& element : member.value().as_array()) {
      if (element.is_null())
        return refused("rule", 0, "expected an array of strings, got null", std::string(member.key()));
    }
  }
  auto table = to_toml(json);
  return read_one(*(*table)->as_table(), "rule");
}

}  // namespace tinhop::config
