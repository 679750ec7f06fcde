// `tinhop rules ...`: the editorial rules. list and show read the file's rules as the file
// says now (what the daemon applies after its next start or reload) followed by the rules the
// CLI and the API keep in the database; add, edit, enable, disable and remove change the
// latter in the database directly (the daemon picks the change up within a second); test
// shows what one rule would do to a source's stored items, changing nothing.
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <iostream>
#include <iterator>

#include "commands.hpp"
#include "tinhop/admin/json.hpp"
#include "tinhop/admin/rules.hpp"
#include "tinhop/config/config.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::cli {

namespace {

struct Options {
  std::string config_file = "/etc/tinhop/tinhop.toml";
  std::string database;  // overrides the file's database.path
  std::string rule;      // id or name
  std::string source;
  std::size_t limit = 200;
  bool json = false;
};

// What add and edit take: the rule's keys one flag each, or all of them as a snippet.
struct RuleFlags {
  std::optional<std::string> name, action, match, pattern, tag;
  std::vector<std::string> fields, sources, categories;
  bool case_sensitive = false, case_insensitive = false;
  std::vector<std::string> unset;  // edit: keys back to their default
  std::optional<std::string> toml, json;
  bool enable = false, disable = false;
  std::optional<std::int64_t> position;
};

Instant now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

int fail(const std::string& message) {
  std::cerr << "tinhop rules: " << message << '\n';
  return exit_failure;
}

std::optional<config::Config> load(const Options& options) {
  config::LoadResult loaded = config::load_config(options.config_file);
  if (!loaded.ok()) {
    for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << '\n';
    return std::nullopt;
  }
  if (!options.database.empty()) {
    const bool postgres = storage::is_postgres_location(options.database);
    loaded.config->database.url = postgres ? options.database : "";
    if (!postgres) loaded.config->database.path = options.database;
  }
  return std::move(loaded.config);
}

std::optional<storage::Store> open_store(const config::Config& config, std::string& error) {
  storage::OpenOptions open_options;
  open_options.busy_timeout = config.database.busy_timeout;
  const std::string location = config::database_location(config.database);
  auto store = storage::Store::open(location, open_options);
  if (!store) {
    error = "cannot open " + location + ": " + store.error().message;
    return std::nullopt;
  }
  return std::move(*store);
}

// The rules in the order they apply: the file's as the file says now (with their ids once the
// daemon synced them, else 0), then the stored rules of the CLI and the API.
admin::Outcome<std::vector<admin::Rule>> all_rules(const config::Config& config, storage::Store& store) {
  auto stored = admin::Rules(store).list();
  if (!stored) return stored.error();
  std::vector<admin::Rule> out;
  std::int64_t position = 0;
  for (const config::FileRule& file_rule : config.rules) {
    admin::Rule rule;
    rule.spec = file_rule.rule;
    rule.stored.name = file_rule.rule.name;
    rule.stored.origin = storage::SourceOrigin::config;
    rule.stored.position = ++position;
    const auto synced = std::find_if(stored->begin(), stored->end(), [&](const admin::Rule& r) {
      return r.stored.origin == storage::SourceOrigin::config && r.stored.name == rule.stored.name;
    });
    if (synced != stored->end()) {
      rule.stored.id = synced->stored.id;
      rule.stored.created = synced->stored.created;
      rule.stored.modified = synced->stored.modified;
    }
    out.push_back(std::move(rule));
  }
  std::copy_if(std::make_move_iterator(stored->begin()), std::make_move_iterator(stored->end()),
               std::back_inserter(out),
               [](const admin::Rule& r) { return r.stored.origin != storage::SourceOrigin::config; });
  return out;
}

// What every command but add starts from: the configuration, its database and every rule in
// the order they apply. nullopt once what failed is reported, `exit_code` set.
struct Opened {
  config::Config config;
  storage::Store store;
  std::vector<admin::Rule> rules;
};

std::optional<Opened> open_all(const Options& options, int& exit_code) {
  auto config = load(options);
  if (!config) {
    exit_code = exit_config;
    return std::nullopt;
  }
  std::string error;
  auto store = open_store(*config, error);
  if (!store) {
    exit_code = fail(error);
    return std::nullopt;
  }
  auto known = all_rules(*config, *store);
  if (!known) {
    exit_code = fail(known.error().message);
    return std::nullopt;
  }
  return Opened{std::move(*config), std::move(*store), std::move(*known)};
}

// By id when `key` is all digits, else by name.
const admin::Rule* find_rule(const std::vector<admin::Rule>& rules, const std::string& key) {
  const bool digits =
      !key.empty() && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
  for (const admin::Rule& rule : rules) {
    if (digits ? std::to_string(rule.stored.id) == key : rule.stored.name == key) return &rule;
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

std::string describe(const rules::RuleSpec& rule) {
  std::string out = std::string(rules::to_string(rule.action)) + " " +
                    std::string(rules::to_string(rule.match)) + " \"" + rule.pattern + "\"";
  if (!rule.fields.empty()) {
    std::vector<std::string> names;
    for (rules::Field field : rule.fields) names.emplace_back(rules::to_string(field));
    out += " in " + join(names);
  }
  if (!rule.tag.empty()) out += " -> " + rule.tag;
  if (!rule.sources.empty()) out += " sources: " + join(rule.sources);
  if (!rule.categories.empty()) out += " categories: " + join(rule.categories);
  return out;
}

// "#3 video: drop words \"video\" (config)": the id ("#-" while the daemon has not synced a
// file rule yet), the rule, who owns it and whether it is off.
std::string line_of(const admin::Rule& rule) {
  std::string out = "#" + (rule.stored.id > 0 ? std::to_string(rule.stored.id) : std::string("-")) + " " +
                    rule.stored.name + ": " + (rule.problem.empty() ? describe(rule.spec) : rule.problem) +
                    " (" + storage::origin_name(rule.stored.origin);
  if (!rule.stored.enabled) out += ", disabled";
  return out + ")";
}

int list(const Options& options) {
  int exit_code = exit_ok;
  auto opened = open_all(options, exit_code);
  if (!opened) return exit_code;
  if (options.json) {
    boost::json::array out;
    for (const admin::Rule& rule : opened->rules) out.push_back(admin::rule_to_json(rule, std::nullopt));
    std::cout << boost::json::serialize(out) << '\n';
    return exit_ok;
  }
  for (const admin::Rule& rule : opened->rules) std::cout << line_of(rule) << '\n';
  return exit_ok;
}

int show(const Options& options) {
  int exit_code = exit_ok;
  auto opened = open_all(options, exit_code);
  if (!opened) return exit_code;
  const admin::Rule* rule = find_rule(opened->rules, options.rule);
  if (rule == nullptr) return fail("no rule " + options.rule);
  storage::RuleCount totals{0, rule->stored.name, 0, 0};
  if (auto counts = opened->store.rule_counts(std::nullopt)) {
    for (const storage::RuleCount& count : *counts) {
      if (count.rule == rule->stored.name) totals = count;
    }
  }
  if (options.json) {
    std::cout << boost::json::serialize(admin::rule_to_json(*rule, totals)) << '\n';
    return exit_ok;
  }
  std::cout << line_of(*rule) << '\n'
            << "scope: " << admin::scope_of(rule->spec) << '\n'
            << "position: " << rule->stored.position << '\n'
            << "dropped: " << totals.dropped << ", regex timeouts: " << totals.timeouts << '\n';
  return exit_ok;
}

// A snippet option's text: "-" reads standard input.
std::string snippet(const std::string& text) {
  if (text != "-") return text;
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

// The rule's keys as JSON: a snippet's, or `base` with the flags set and the --unset keys
// removed. The snippet is read into a rule and back, so both go through the same reader.
admin::Outcome<boost::json::object> keys_from(const RuleFlags& flags, boost::json::object base) {
  if (flags.toml || flags.json) {
    if (flags.toml && flags.json)
      return admin::Problem{admin::Failure::invalid, "--toml and --json exclude each other"};
    config::RuleRead read = flags.toml ? config::read_rule_toml(snippet(*flags.toml))
                                       : config::read_rule_json(snippet(*flags.json));
    if (!read.rule) return admin::Problem{admin::Failure::invalid, read.message()};
    return admin::spec_to_json(*read.rule);
  }
  auto list = [](const std::vector<std::string>& items) {
    boost::json::array out;
    for (const std::string& item : items) out.emplace_back(item);
    return out;
  };
  for (const std::string& key : flags.unset) base.erase(key);
  if (flags.name) base["name"] = *flags.name;
  if (flags.action) base["action"] = *flags.action;
  if (flags.match) base["match"] = *flags.match;
  if (flags.pattern) base["pattern"] = *flags.pattern;
  if (flags.tag) base["tag"] = *flags.tag;
  if (!flags.fields.empty()) base["fields"] = list(flags.fields);
  if (!flags.sources.empty()) base["sources"] = list(flags.sources);
  if (!flags.categories.empty()) base["categories"] = list(flags.categories);
  if (flags.case_sensitive) base["case_sensitive"] = true;
  if (flags.case_insensitive) base.erase("case_sensitive");
  return base;
}

admin::RulePlacement placement_from(const RuleFlags& flags) {
  admin::RulePlacement placement;
  if (flags.enable) placement.enabled = true;
  if (flags.disable) placement.enabled = false;
  placement.position = flags.position;
  return placement;
}

int print(const admin::Rule& rule, bool json) {
  if (json) {
    std::cout << boost::json::serialize(admin::rule_to_json(rule, std::nullopt)) << '\n';
  } else {
    std::cout << line_of(rule) << '\n';
  }
  return exit_ok;
}

int add(const Options& options, const RuleFlags& flags) {
  auto config = load(options);
  if (!config) return exit_config;
  auto keys = keys_from(flags, {});
  if (!keys) return fail(keys.error().message);
  auto spec = admin::read_rule_keys(*keys);
  if (!spec) return fail(spec.error().message);
  // A name the file uses would be refused at the next sync: refused here instead.
  for (const config::FileRule& file_rule : config->rules) {
    if (file_rule.rule.name == spec->name)
      return fail("\"" + spec->name + "\" is the name of a rule of " + options.config_file + " (line " +
                  std::to_string(file_rule.line) + ")");
  }
  std::string error;
  auto store = open_store(*config, error);
  if (!store) return fail(error);
  auto added = admin::Rules(*store).add(*spec, storage::SourceOrigin::cli, placement_from(flags), now());
  if (!added) return fail(added.error().message);
  return print(*added, options.json);
}

// The stored rule `options.rule` names, for a change.
admin::Outcome<admin::Rule> target(const Options& options, const std::vector<admin::Rule>& rules) {
  const admin::Rule* rule = find_rule(rules, options.rule);
  if (rule == nullptr) return admin::Problem{admin::Failure::not_found, "no rule " + options.rule};
  if (rule->stored.origin == storage::SourceOrigin::config)
    return admin::Problem{admin::Failure::owned_by_file, "rule " + rule->stored.name + " is declared in " +
                                                             options.config_file +
                                                             "; change it there and reload"};
  return *rule;
}

int edit(const Options& options, const RuleFlags& flags) {
  int exit_code = exit_ok;
  auto opened = open_all(options, exit_code);
  if (!opened) return exit_code;
  auto rule = target(options, opened->rules);
  if (!rule) return fail(rule.error().message);
  auto keys = keys_from(flags, admin::keys_to_edit(*rule));
  if (!keys) return fail(keys.error().message);
  auto spec = admin::read_rule_keys(*keys);
  if (!spec) return fail(spec.error().message);
  auto replaced = admin::Rules(opened->store).replace(rule->stored.id, *spec, placement_from(flags), now());
  if (!replaced) return fail(replaced.error().message);
  return print(*replaced, options.json);
}

int remove(const Options& options) {
  int exit_code = exit_ok;
  auto opened = open_all(options, exit_code);
  if (!opened) return exit_code;
  auto rule = target(options, opened->rules);
  if (!rule) return fail(rule.error().message);
  if (auto removed = admin::Rules(opened->store).remove(rule->stored.id); !removed)
    return fail(removed.error().message);
  std::cout << "removed rule " << rule->stored.id << " (" << rule->stored.name << ")\n";
  return exit_ok;
}

Item to_item(const storage::StoredItem& stored) {
  Item item;
  item.id = stored.guid;
  item.link = stored.link;
  item.title = stored.title;
  item.summary = stored.summary;
  item.content = stored.content;
  item.authors = stored.authors;
  item.categories = stored.categories;
  // The language the item was stored with (detected, else the feed's): rules match on it.
  if (stored.language) item.extras.ensure().language = stored.language;
  return item;
}

// What one stored item would become: the changes as "field: before -> after" lines.
std::vector<std::string> changes(const Item& before, const Item& after) {
  std::vector<std::string> out;
  if (before.title != after.title) {
    out.push_back("title: \"" + before.title.value_or("") + "\" -> \"" + after.title.value_or("") + "\"");
  }
  auto sized = [](const std::optional<std::string>& text) { return std::to_string(text ? text->size() : 0); };
  if (before.summary != after.summary)
    out.push_back("summary: " + sized(before.summary) + " -> " + sized(after.summary) + " bytes");
  if (before.content != after.content)
    out.push_back("content: " + sized(before.content) + " -> " + sized(after.content) + " bytes");
  for (std::size_t i = before.categories.size(); i < after.categories.size(); ++i) {
    out.push_back("category: + " + after.categories[i]);
  }
  return out;
}

int test(const Options& options) {
  int exit_code = exit_ok;
  auto opened = open_all(options, exit_code);
  if (!opened) return exit_code;
  const admin::Rule* named = find_rule(opened->rules, options.rule);
  if (named == nullptr)
    return fail("no rule " + options.rule + " in " + options.config_file + " nor the database");
  if (!named->problem.empty()) return fail("rule " + options.rule + ": " + named->problem);
  std::optional<storage::Source> source;
  if (!options.source.empty() && std::all_of(options.source.begin(), options.source.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t id = 0;
    const char* end = options.source.data() + options.source.size();
    // An id past the largest is no source's (std::stoll would throw and abort).
    if (std::from_chars(options.source.data(), end, id).ec == std::errc{}) {
      auto found = opened->store.get_source(id);
      if (found) source = std::move(*found);
    }
  } else if (config::UrlCheck url = config::check_source_url(options.source); url.error.empty()) {
    auto found = opened->store.find_source_by_url(url.canonical);
    if (found && *found) source = std::move(**found);
  }
  if (!source) return fail("no source " + options.source);
  auto stored = opened->store.source_items(source->id, options.limit);
  if (!stored) return fail(stored.error().message);

  const rules::RuleSet set({named->spec});
  const rules::SourceScope scope{source->settings.url, source->settings.categories};
  boost::json::array changed;
  std::size_t dropped = 0, modified = 0;
  for (const storage::StoredItem& item : *stored) {
    const Item before = to_item(item);
    std::vector<Item> one{before};
    const rules::Outcome outcome = set.apply(one, scope);
    if (outcome.effects.empty()) continue;
    boost::json::object entry{{"item_id", item.id}, {"title", item.title.value_or("")}};
    if (one.empty()) {
      ++dropped;
      entry["dropped"] = true;
      if (!options.json) std::cout << "#" << item.id << " dropped: " << item.title.value_or("") << '\n';
    } else {
      ++modified;
      boost::json::array lines;
      for (const std::string& line : changes(before, one.front())) {
        lines.emplace_back(line);
        if (!options.json) std::cout << "#" << item.id << " " << line << '\n';
      }
      entry["changes"] = std::move(lines);
    }
    changed.push_back(std::move(entry));
  }
  const bool applies = rules::applies_to(named->spec, scope);
  if (options.json) {
    std::cout << boost::json::serialize(boost::json::object{{"rule", named->spec.name},
                                                            {"source_id", source->id},
                                                            {"applies", applies},
                                                            {"items_read", stored->size()},
                                                            {"dropped", dropped},
                                                            {"changed", modified},
                                                            {"items", std::move(changed)}})
              << '\n';
    return exit_ok;
  }
  std::cout << "rule " << named->spec.name << " on source " << source->id << ": " << stored->size()
            << " stored items read, " << dropped << " would be dropped, " << modified << " changed"
            << (applies ? ""
                        : " (the rule does not apply to this source: its sources and categories name others)")
            << '\n';
  return exit_ok;
}

// The flags that set a rule's keys (add, edit).
void add_rule_flags(CLI::App* command, RuleFlags& flags, bool editing) {
  command->add_option("--name", flags.name, "Unique name (its drops are counted under it)");
  command->add_option("--action", flags.action, "drop, keep, tag or rewrite");
  command->add_option("--match", flags.match, "words (default), phrase or regex");
  command->add_option("--pattern", flags.pattern, "What to match");
  command->add_option("--field", flags.fields,
                      "title, summary, content, link, author, category, language (repeat)");
  command->add_flag("--case-sensitive", flags.case_sensitive, "A regex matches case as written");
  command->add_option("--tag", flags.tag, "The category a tag rule adds");
  command->add_option("--source", flags.sources, "Apply to this source's URL only (repeat)");
  command->add_option("--category", flags.categories, "Apply to sources in this category (repeat)");
  command->add_option("--toml", flags.toml, "Every key as a TOML snippet (as in [[rule]]; - reads stdin)");
  command->add_option("--json", flags.json, "Every key as a JSON object (- reads stdin)");
  command->add_option("--position", flags.position, "Place among the CLI's and the API's rules (1 = first)");
  command->add_flag("--disabled", flags.disable, "Keep it stored but not applied");
  if (!editing) return;
  command->add_flag("--case-insensitive", flags.case_insensitive, "A regex ignores case (the default)");
  command->add_flag("--enable", flags.enable, "Apply it again");
  command->add_option("--unset", flags.unset, "Key back to its default: fields, tag, sources, ... (repeat)");
}

}  // namespace

void add_rules_command(CLI::App& app, int& exit_code) {
  auto* rules = app.add_subcommand("rules", "Editorial rules: the file's and the database's (docs/rules.md)");
  rules->require_subcommand(1);
  rules->fallthrough();
  auto options = std::make_shared<Options>();
  rules->add_option("-c,--config", options->config_file, "Configuration file")->capture_default_str();
  rules->add_option("--database", options->database, "Database (overrides the configuration)");

  auto* list_command = rules->add_subcommand("list", "One line per rule, in the order they apply");
  list_command->add_flag("--json", options->json, "JSON array instead of text");
  list_command->callback([options, &exit_code] { exit_code = list(*options); });

  auto* show_command = rules->add_subcommand("show", "One rule, with its drops over every source");
  show_command->add_option("rule", options->rule, "Rule id or name")->required();
  show_command->add_flag("--json", options->json, "JSON instead of text");
  show_command->callback([options, &exit_code] { exit_code = show(*options); });

  auto add_flags = std::make_shared<RuleFlags>();
  auto* add_command = rules->add_subcommand("add", "Add a rule to the database (applied within a second)");
  add_rule_flags(add_command, *add_flags, false);
  add_command->add_flag("--print-json", options->json, "Print the added rule as JSON");
  add_command->callback([options, add_flags, &exit_code] { exit_code = add(*options, *add_flags); });

  auto edit_flags = std::make_shared<RuleFlags>();
  auto* edit_command = rules->add_subcommand("edit", "Change a rule added by the CLI or the API");
  edit_command->add_option("rule", options->rule, "Rule id or name")->required();
  add_rule_flags(edit_command, *edit_flags, true);
  edit_command->add_flag("--print-json", options->json, "Print the changed rule as JSON");
  edit_command->callback([options, edit_flags, &exit_code] { exit_code = edit(*options, *edit_flags); });

  for (const bool enable : {true, false}) {
    auto* command = rules->add_subcommand(enable ? "enable" : "disable",
                                          enable ? "Apply a rule again" : "Keep a rule but stop applying it");
    command->add_option("rule", options->rule, "Rule id or name")->required();
    command->callback([options, enable, &exit_code] {
      RuleFlags flags;
      (enable ? flags.enable : flags.disable) = true;
      exit_code = edit(*options, flags);
    });
  }

  auto* remove_command = rules->add_subcommand("remove", "Remove a rule added by the CLI or the API");
  remove_command->add_option("rule", options->rule, "Rule id or name")->required();
  remove_command->callback([options, &exit_code] { exit_code = remove(*options); });

  auto* test_command = rules->add_subcommand(
      "test", "What one rule would do to a source's stored items, newest first (nothing is changed)");
  test_command->add_option("rule", options->rule, "Rule id or name")->required();
  test_command->add_option("--source", options->source, "Source id or URL")->required();
  test_command->add_option("--limit", options->limit, "Stored items read at most")->capture_default_str();
  test_command->add_flag("--json", options->json, "JSON instead of text");
  test_command->callback([options, &exit_code] { exit_code = test(*options); });
}

}  // namespace tinhop::cli
