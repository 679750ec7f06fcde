#include "tinhop/admin/rules.hpp"

#include <map>

#include "tinhop/admin/json.hpp"
#include "tinhop/parsers/contract_json.hpp"

namespace tinhop::admin {

namespace {

boost::json::array strings(const std::vector<std::string>& list) {
  boost::json::array out;
  for (const std::string& item : list) out.emplace_back(item);
  return out;
}

std::string spec_text(const rules::RuleSpec& spec) {
  return boost::json::serialize(spec_to_json(spec));
}

Rule rule_from(storage::StoredRule stored) {
  Rule rule;
  config::RuleRead read = config::read_rule_json(stored.spec);
  if (read.rule) {
    rule.spec = std::move(*read.rule);
    rule.spec.name = stored.name;
  } else {
    rule.problem = read.message();
  }
  rule.stored = std::move(stored);
  return rule;
}

}  // namespace

boost::json::object spec_to_json(const rules::RuleSpec& spec) {
  boost::json::object out{{"name", spec.name},
                          {"action", rules::to_string(spec.action)},
                          {"match", rules::to_string(spec.match)},
                          {"pattern", spec.pattern}};
  if (!spec.fields.empty()) {
    boost::json::array fields;
    for (rules::Field field : spec.fields) fields.emplace_back(rules::to_string(field));
    out["fields"] = std::move(fields);
  }
  if (spec.case_sensitive) out["case_sensitive"] = true;
  if (!spec.tag.empty()) out["tag"] = spec.tag;
  if (!spec.sources.empty()) out["sources"] = strings(spec.sources);
  if (!spec.categories.empty()) out["categories"] = strings(spec.categories);
  return out;
}

std::string_view scope_of(const rules::RuleSpec& spec) {
  if (spec.sources.empty()) return spec.categories.empty() ? "global" : "categories";
  return spec.categories.empty() ? "sources" : "sources+categories";
}

boost::json::object rule_to_json(const Rule& rule, const std::optional<storage::RuleCount>& totals) {
  boost::json::object out{{"id", rule.stored.id},
                          {"name", rule.stored.name},
                          {"origin", storage::origin_name(rule.stored.origin)},
                          {"position", rule.stored.position},
                          {"enabled", rule.stored.enabled},
                          {"scope", rule.problem.empty() ? scope_of(rule.spec) : "unknown"},
                          {"rule", rule.problem.empty() ? boost::json::value(spec_to_json(rule.spec))
                                                        : boost::json::value(rule.stored.spec)},
                          {"created", format_rfc3339(rule.stored.created)},
                          {"modified", format_rfc3339(rule.stored.modified)}};
  if (!rule.problem.empty()) out["problem"] = rule.problem;
  if (totals) {
    out["dropped"] = totals->dropped;
    out["regex_timeouts"] = totals->timeouts;
  }
  return out;
}

Outcome<RuleBody> rule_body(const boost::json::value& json) {
  if (!json.is_object()) return Problem{Failure::invalid, "expected a JSON object with the keys of one rule"};
  RuleBody body;
  body.keys = json.as_object();
  if (const auto* enabled = body.keys.if_contains("enabled")) {
    if (!enabled->is_bool()) return Problem{Failure::invalid, "enabled: expected true or false"};
    body.placement.enabled = enabled->as_bool();
    body.keys.erase("enabled");
  }
  if (const auto* position = body.keys.if_contains("position")) {
    if (!position->is_int64() || position->as_int64() <= 0)
      return Problem{Failure::invalid, "position: expected a positive integer"};
    body.placement.position = position->as_int64();
    body.keys.erase("position");
  }
  return body;
}

boost::json::object keys_to_edit(const Rule& rule) {
  if (rule.problem.empty()) return spec_to_json(rule.spec);
  boost::system::error_code ec;
  boost::json::value stored = boost::json::parse(rule.stored.spec, ec);
  boost::json::object keys =
      !ec && stored.is_object() ? std::move(stored.as_object()) : boost::json::object{};
  keys["name"] = rule.stored.name;
  return keys;
}

Outcome<rules::RuleSpec> read_rule_keys(const boost::json::object& keys) {
  config::RuleRead read = config::read_rule_json(boost::json::serialize(keys));
  if (!read.rule) return Problem{Failure::invalid, read.message()};
  return std::move(*read.rule);
}

Outcome<std::vector<Rule>> Rules::list() {
  auto stored = store_.list_rules();
  if (!stored) return from_storage(stored.error());
  std::vector<Rule> out;
  out.reserve(stored->size());
  for (storage::StoredRule& rule : *stored) out.push_back(rule_from(std::move(rule)));
  return out;
}

Outcome<Rule> Rules::get(std::int64_t id) {
  auto listed = list();
  if (!listed) return listed.error();
  for (Rule& rule : *listed) {
    if (rule.stored.id == id) return std::move(rule);
  }
  return Problem{Failure::not_found, "no rule with id " + std::to_string(id)};
}

Outcome<Rule> Rules::editable(std::int64_t id) {
  auto rule = get(id);
  if (!rule) return rule;
  if (rule->stored.origin == storage::SourceOrigin::config) {
    return Problem{
        Failure::owned_by_file,
        "rule " + std::to_string(id) + " (" + rule->stored.name +
            ") is declared in the configuration file; change it there and reload (systemctl reload "
            "tinhop)"};
  }
  return rule;
}

Outcome<Rule> Rules::add(const rules::RuleSpec& spec, storage::SourceOrigin origin, RulePlacement placement,
                         Instant now) {
  storage::StoredRule stored;
  stored.name = spec.name;
  stored.origin = origin;
  stored.position = placement.position.value_or(0);
  stored.enabled = placement.enabled.value_or(true);
  stored.spec = spec_text(spec);
  auto id = store_.add_rule(stored, now, rules::kMaxRules);
  if (!id) return from_storage(id.error());
  return get(*id);
}

Outcome<Rule> Rules::replace(std::int64_t id, const rules::RuleSpec& spec, RulePlacement placement,
                             Instant now) {
  auto rule = editable(id);
  if (!rule) return rule;
  storage::StoredRule stored = rule->stored;
  stored.name = spec.name;
  stored.position = placement.position.value_or(stored.position);
  stored.enabled = placement.enabled.value_or(stored.enabled);
  stored.spec = spec_text(spec);
  if (auto done = store_.update_rule(stored, now); !done) return from_storage(done.error());
  return get(id);
}

Outcome<void> Rules::remove(std::int64_t id) {
  auto rule = editable(id);
  if (!rule) return rule.error();
  if (auto done = store_.remove_rule(id); !done) return from_storage(done.error());
  return {};
}

RuleSyncReport sync_rules(storage::Store& store, const config::Config& config, Instant now) {
  RuleSyncReport report;
  auto stored = store.list_rules();
  if (!stored) {
    report.ok = false;
    report.notes.push_back("cannot list rules: " + stored.error().message);
    return report;
  }
  std::map<std::string, const storage::StoredRule*> by_name;
  for (const storage::StoredRule& rule : *stored) by_name.emplace(rule.name, &rule);
  auto failed = [&](const std::string& what, const storage::Error& error) {
    report.ok = false;
    report.notes.push_back(what + ": " + error.message);
  };
  const std::string file = config.file.string();
  std::int64_t position = 0;
  std::map<std::string, bool> in_file;
  for (const config::FileRule& file_rule : config.rules) {
    ++position;
    const rules::RuleSpec& spec = file_rule.rule;
    in_file[spec.name] = true;
    auto it = by_name.find(spec.name);
    if (it == by_name.end()) {
      storage::StoredRule rule{0,  spec.name, storage::SourceOrigin::config, position, true, spec_text(spec),
                               {}, {}};
      if (auto id = store.add_rule(rule, now, rules::kMaxRules); id) {
        ++report.added;
      } else {
        failed("cannot add rule " + spec.name, id.error());
      }
      continue;
    }
    const storage::StoredRule& current = *it->second;
    if (current.origin != storage::SourceOrigin::config) {
      report.notes.push_back(file + ":" + std::to_string(file_rule.line) + ": rule \"" + spec.name +
                             "\" is rule " + std::to_string(current.id) + ", added by the " +
                             storage::origin_name(current.origin) +
                             "; the file's rule is ignored (rename it there, or remove rule " +
                             std::to_string(current.id) + " and reload)");
      continue;
    }
    storage::StoredRule wanted = current;
    wanted.position = position;
    wanted.enabled = true;
    wanted.spec = spec_text(spec);
    if (wanted == current) {
      ++report.unchanged;
      continue;
    }
    if (auto done = store.update_rule(wanted, now); done) {
      ++report.updated;
    } else {
      failed("cannot update rule " + spec.name, done.error());
    }
  }
  for (const storage::StoredRule& rule : *stored) {
    if (rule.origin != storage::SourceOrigin::config || in_file.contains(rule.name)) continue;
    if (auto done = store.remove_rule(rule.id); done) {
      ++report.removed;
    } else {
      failed("cannot remove rule " + rule.name, done.error());
    }
  }
  return report;
}

}  // namespace tinhop::admin
