// Operations on the editorial rules, the same for `tinhop rules ...` and the admin API: a
// rule read and checked as the file's are (config::read_rule_json), ownership (a rule of
// the configuration file is changed only by the file), and the order they apply in. Also
// the sync of the file's [[rule]] list into the store, at start and after each reload.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/admin/sources.hpp"
#include "tinhop/rules/rules.hpp"

namespace tinhop::admin {

// A stored rule and what its spec says.
struct Rule {
  storage::StoredRule stored;
  rules::RuleSpec spec;
  // Why the stored spec no longer reads (a regex this ICU refuses): the rule is not applied.
  std::string problem;
};

// The keys of a [[rule]], as the file writes them; defaults are left out.
boost::json::object spec_to_json(const rules::RuleSpec& spec);
// Where a rule applies: "global", "sources", "categories" or "sources+categories".
std::string_view scope_of(const rules::RuleSpec& spec);
// {"id", "name", "origin", "position", "enabled", "scope", "rule": spec_to_json, "created",
// "modified"}, "problem" when there is one, and with `totals` its "dropped" and
// "regex_timeouts" over every source.
boost::json::object rule_to_json(const Rule& rule, const std::optional<storage::RuleCount>& totals);

// How a rule added or changed through the CLI or the API is placed and switched.
struct RulePlacement {
  std::optional<bool> enabled;           // unset: enabled when added, unchanged when edited
  std::optional<std::int64_t> position;  // unset: after the last one when added, unchanged when edited
};

// The body of POST/PUT/PATCH /api/rules: the rule's keys as a JSON object, plus "enabled"
// and "position", which are taken out into `placement` (wrong types refused here).
struct RuleBody {
  boost::json::object keys;
  RulePlacement placement;
};
Outcome<RuleBody> rule_body(const boost::json::value& json);

// The keys an edit (PATCH, `tinhop rules edit`) starts from: the rule's own; for a stored
// rule that no longer reads (a limit or a check added since it was stored), its keys as
// stored, so that the edit can mend the one at fault instead of starting from nothing.
boost::json::object keys_to_edit(const Rule& rule);

// A rule as JSON keys read into a spec, or the problems as "key: message; ...".
Outcome<rules::RuleSpec> read_rule_keys(const boost::json::object& keys);

class Rules {
 public:
  explicit Rules(storage::Store& store) : store_(store) {}

  // Every rule, in the order they apply.
  Outcome<std::vector<Rule>> list();
  Outcome<Rule> get(std::int64_t id);
  Outcome<Rule> add(const rules::RuleSpec& spec, storage::SourceOrigin origin, RulePlacement placement,
                    Instant now);
  // Replaces the spec of a rule the CLI or the API owns.
  Outcome<Rule> replace(std::int64_t id, const rules::RuleSpec& spec, RulePlacement placement, Instant now);
  Outcome<void> remove(std::int64_t id);
  // The rule, unless the file owns it (Failure::owned_by_file).
  Outcome<Rule> editable(std::int64_t id);

 private:
  storage::Store& store_;
};

struct RuleSyncReport {
  std::size_t added = 0;
  std::size_t updated = 0;  // spec or place in the file changed
  std::size_t removed = 0;  // gone from the file
  std::size_t unchanged = 0;
  // A file rule whose name a CLI or API rule holds (the file's is skipped), a failed write.
  std::vector<std::string> notes;
  bool ok = true;  // false when a write failed (the notes say which); the rest was applied
};

// Brings the stored rules of origin config in line with the file's [[rule]] list, whose
// order is their positions.
RuleSyncReport sync_rules(storage::Store& store, const config::Config& config, Instant now);

}  // namespace tinhop::admin
