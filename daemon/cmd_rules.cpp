// `tinhop rules ...`: the configuration's editorial rules, and what one of them would do to
// a source's stored items. Reads only: nothing stored changes.
#include <algorithm>
#include <boost/json.hpp>
#include <iostream>

#include "commands.hpp"
#include "tinhop/config/config.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::cli {

namespace {

struct Options {
  std::string config_file = "/etc/tinhop/tinhop.toml";
  std::string database;  // overrides the file's database.path
  std::string rule;
  std::string source;
  std::size_t limit = 200;
  bool json = false;
};

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
  if (!options.database.empty()) loaded.config->database.path = options.database;
  return std::move(loaded.config);
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

int list(const Options& options) {
  auto config = load(options);
  if (!config) return exit_config;
  if (options.json) {
    boost::json::array out;
    for (const auto& file_rule : config->rules) {
      out.push_back(
          {{"name", file_rule.rule.name}, {"line", file_rule.line}, {"rule", describe(file_rule.rule)}});
    }
    std::cout << boost::json::serialize(out) << '\n';
    return exit_ok;
  }
  for (const auto& file_rule : config->rules) {
    std::cout << file_rule.rule.name << ": " << describe(file_rule.rule) << '\n';
  }
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
  auto config = load(options);
  if (!config) return exit_config;
  const auto named = std::find_if(config->rules.begin(), config->rules.end(),
                                  [&](const config::FileRule& r) { return r.rule.name == options.rule; });
  if (named == config->rules.end())
    return fail("no rule named \"" + options.rule + "\" in " + options.config_file);
  storage::OpenOptions open_options;
  open_options.busy_timeout = config->database.busy_timeout;
  auto store = storage::Store::open(config->database.path.string(), open_options);
  if (!store) return fail("cannot open " + config->database.path.string() + ": " + store.error().message);
  std::optional<storage::Source> source;
  if (!options.source.empty() && std::all_of(options.source.begin(), options.source.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
    auto found = store->get_source(std::stoll(options.source));
    if (found) source = std::move(*found);
  } else if (config::UrlCheck url = config::check_source_url(options.source); url.error.empty()) {
    auto found = store->find_source_by_url(url.canonical);
    if (found && *found) source = std::move(**found);
  }
  if (!source) return fail("no source " + options.source);
  auto stored = store->source_items(source->id, options.limit);
  if (!stored) return fail(stored.error().message);

  const rules::RuleSet set({named->rule});
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
  const bool applies = rules::applies_to(named->rule, scope);
  if (options.json) {
    std::cout << boost::json::serialize(boost::json::object{{"rule", named->rule.name},
                                                            {"source_id", source->id},
                                                            {"applies", applies},
                                                            {"items_read", stored->size()},
                                                            {"dropped", dropped},
                                                            {"changed", modified},
                                                            {"items", std::move(changed)}})
              << '\n';
    return exit_ok;
  }
  std::cout << "rule " << named->rule.name << " on source " << source->id << ": " << stored->size()
            << " stored items read, " << dropped << " would be dropped, " << modified << " changed"
            << (applies ? ""
                        : " (the rule does not apply to this source: its sources and categories name others)")
            << '\n';
  return exit_ok;
}

}  // namespace

void add_rules_command(CLI::App& app, int& exit_code) {
  auto* rules = app.add_subcommand("rules", "The configuration's editorial rules (docs/rules.md)");
  rules->require_subcommand(1);
  rules->fallthrough();
  auto options = std::make_shared<Options>();
  rules->add_option("-c,--config", options->config_file, "Configuration file")->capture_default_str();
  rules->add_option("--database", options->database, "Database file (overrides the configuration)");

  auto* list_command = rules->add_subcommand("list", "One line per rule, in the order they apply");
  list_command->add_flag("--json", options->json, "JSON array instead of text");
  list_command->callback([options, &exit_code] { exit_code = list(*options); });

  auto* test_command = rules->add_subcommand(
      "test", "What one rule would do to a source's stored items, newest first (nothing is changed)");
  test_command->add_option("rule", options->rule, "Rule name")->required();
  test_command->add_option("--source", options->source, "Source id or URL")->required();
  test_command->add_option("--limit", options->limit, "Stored items read at most")->capture_default_str();
  test_command->add_flag("--json", options->json, "JSON instead of text");
  test_command->callback([options, &exit_code] { exit_code = test(*options); });
}

}  // namespace tinhop::cli
