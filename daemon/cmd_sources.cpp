// `tinhop sources ...`: the source list, edited in the database directly (safe while the
// daemon runs: SQLite WAL, a busy timeout, one transaction per change). The daemon watches
// the store's sources version and picks a change up within a second.
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <boost/system/result.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "commands.hpp"
#include "poll_service.hpp"
#include "sources_table.hpp"
#include "tinhop/admin/json.hpp"
#include "tinhop/admin/sources.hpp"
#include "tinhop/config/units.hpp"
#include "tinhop/fetch/discover.hpp"

namespace tinhop::cli {

namespace {

struct Common {
  std::string config_file = "/etc/tinhop/tinhop.toml";
  std::string database;  // overrides the file's database.path
  bool json = false;
};

// Options that set a source's settings (add, edit).
struct SettingFlags {
  std::optional<std::string> title;
  std::vector<std::string> categories;
  std::optional<std::string> type;
  std::optional<std::string> interval, min_interval, max_interval;
  std::optional<std::string> time_zone, date_order, republication;
  bool disabled = false;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<std::string> html_item, html_title, html_link, html_date, html_summary, html_image,
      html_date_format;
  bool follow_links = false, no_follow_links = false;
  std::optional<std::string> websub;
  std::vector<std::string> unset;  // edit: keys to clear
};

Instant now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

int fail(const std::string& message) {
  std::cerr << "tinhop sources: " << message << '\n';
  return exit_failure;
}

// Run as root on a database another user owns (the service's), act as that user, so
// that files SQLite creates beside it (-wal, -shm) stay usable by the daemon.
std::string drop_privileges_for(const std::filesystem::path& database) {
  if (geteuid() != 0) return {};
  struct stat st {};
  std::filesystem::path folder = database.parent_path().empty() ? "." : database.parent_path();
  if (::stat(folder.c_str(), &st) != 0 || st.st_uid == 0) return {};
  if (setgroups(0, nullptr) != 0 || setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0) {
    return "cannot switch to the database owner (uid " + std::to_string(st.st_uid) +
           "): " + std::strerror(errno);
  }
  return {};
}

struct Session {
  config::Config config;
  std::optional<storage::Store> store;
};

// Loads the configuration (for the database path and defaults) and opens the store.
std::optional<Session> open(const Common& common, std::string& error) {
  Session session;
  if (std::filesystem::exists(common.config_file) || common.database.empty()) {
    config::LoadResult loaded = config::load_config(common.config_file);
    if (!loaded.ok()) {
      for (const auto& d : loaded.diagnostics) error += d.to_string() + "\n";
      error += "(fix the file, or pass --database PATH)";
      return std::nullopt;
    }
    session.config = std::move(*loaded.config);
  }
  if (!common.database.empty()) {
    // --database names a SQLite file or, as database.url would, a PostgreSQL database.
    session.config.database.url = storage::is_postgres_location(common.database) ? common.database : "";
    if (session.config.database.url.empty()) session.config.database.path = common.database;
  }
  if (std::string dropped = session.config.database.url.empty()
                                ? drop_privileges_for(session.config.database.path)
                                : std::string();
      !dropped.empty()) {
    error = dropped;
    return std::nullopt;
  }
  storage::OpenOptions options;
  options.busy_timeout = session.config.database.busy_timeout;
  const std::string location = config::database_location(session.config.database);
  auto store = storage::Store::open(location, options);
  if (!store) {
    error = "cannot open " + location + ": " + store.error().message;
    return std::nullopt;
  }
  session.store.emplace(std::move(*store));
  return session;
}

// "https://site/" (no path): an address nobody means as a feed, so add looks for one.
bool is_site_address(const config::SourceSettings& settings) {
  if (settings.type == config::SourceType::html) return false;
  const auto parsed = boost::urls::parse_uri(settings.url);
  return parsed &&
         (parsed->scheme_id() == boost::urls::scheme::http ||
          parsed->scheme_id() == boost::urls::scheme::https) &&
         (parsed->encoded_path().empty() || parsed->encoded_path() == "/") && !parsed->has_query();
}

// The one feed behind `url` (fetch/discover.hpp), fetched as a CLI source is (internal
// addresses only inside fetch.allow_networks), said on stdout when `say` and found in a
// page; else why there is not exactly one.
boost::system::result<std::string, std::string> discovered_feed(const std::string& url,
                                                                const config::Config& config, bool say) {
  fetch::Request request;
  request.url = url;
  request.trusted_origin_url = "";
  const fetch::Discovery found =
      fetch::discover_now(std::move(request), daemon::poll_options_from(config).client);
  if (!found.error.empty())
    return boost::system::result<std::string, std::string>(
        boost::system::in_place_error, "cannot look for a feed on " + url + ": " + found.error);
  if (found.feeds.size() == 1) {
    const fetch::DiscoveredFeed& feed = found.feeds.front();
    if (say && !found.page_is_feed)
      std::cout << "found " << feed.url << " (" << found_by_name(feed.found_by) << ")\n";
    return boost::system::result<std::string, std::string>(boost::system::in_place_value, feed.url);
  }
  std::string message;
  if (found.feeds.empty()) {
    message = "no feed found on " + url + "; to read the page itself, try `tinhop sources preview " + url +
              " --suggest`, then add it with --type html";
  } else {
    message = std::to_string(found.feeds.size()) + " feeds found on " + url + "; add one of them by its URL:";
    for (const fetch::DiscoveredFeed& feed : found.feeds) {
      message += "\n  " + feed.url + "  " + (feed.title.empty() ? "(untitled)" : "\"" + feed.title + "\"") +
                 " (" + kind_name(feed.kind) + ", " + std::to_string(feed.items) + " items)";
    }
  }
  return boost::system::result<std::string, std::string>(boost::system::in_place_error, message);
}

std::optional<std::chrono::seconds> duration_flag(const std::optional<std::string>& text, const char* name,
                                                  std::string& error) {
  if (!text) return std::nullopt;
  auto parsed = config::parse_duration(*text);
  if (!parsed || parsed->count() == 0) error = std::string(name) + ": invalid duration \"" + *text + "\"";
  return parsed;
}

// Applies the flags to `s`; the first problem in `error`.
void apply(const SettingFlags& f, config::SourceSettings& s, std::string& error) {
  for (const std::string& key : f.unset) {
    if (key == "title")
      s.title.reset();
    else if (key == "categories")
      s.categories.clear();
    else if (key == "interval")
      s.interval.reset();
    else if (key == "min_interval")
      s.min_interval.reset();
    else if (key == "max_interval")
      s.max_interval.reset();
    else if (key == "time_zone")
      s.time_zone.reset();
    else if (key == "headers")
      s.headers.clear();
    else if (key == "html")
      s.selectors = {};
    else
      error = "--unset " + key +
              ": expected one of title, categories, interval, min_interval, max_interval, "
              "time_zone, headers, html";
  }
  if (f.title) s.title = *f.title;
  if (!f.categories.empty()) s.categories = f.categories;
  if (f.type) {
    auto type = config::source_type_from(*f.type);
    if (!type)
      error = "--type: expected feed or html, got \"" + *f.type + "\"";
    else
      s.type = *type;
  }
  if (auto d = duration_flag(f.interval, "--interval", error)) s.interval = d;
  if (auto d = duration_flag(f.min_interval, "--min-interval", error)) s.min_interval = d;
  if (auto d = duration_flag(f.max_interval, "--max-interval", error)) s.max_interval = d;
  if (f.time_zone) s.time_zone = *f.time_zone;
  if (f.date_order) {
    s.date_order = config::date_order_from(*f.date_order);
    if (!s.date_order) error = "--date-order: expected auto, dmy or mdy, got \"" + *f.date_order + "\"";
  }
  if (f.republication) {
    s.republication = config::republication_from(*f.republication);
    if (!s.republication)
      error = "--republication: expected full, summary or title, got \"" + *f.republication + "\"";
  }
  if (!f.headers.empty()) {
    s.headers.clear();
    for (const std::string& header : f.headers) {
      std::size_t colon = header.find(':');
      if (colon == std::string::npos) {
        error = "--header: expected \"Name: value\", got \"" + header + "\"";
        continue;
      }
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      s.headers.emplace_back(header.substr(0, colon), value);
    }
  }
  auto set = [](const std::optional<std::string>& flag, std::string& field) {
    if (flag) field = *flag;
  };
  set(f.html_item, s.selectors.item);
  set(f.html_title, s.selectors.title);
  set(f.html_link, s.selectors.link);
  set(f.html_date, s.selectors.date);
  set(f.html_summary, s.selectors.summary);
  set(f.html_image, s.selectors.image);
  set(f.html_date_format, s.selectors.date_format);
  if (f.follow_links && f.no_follow_links) error = "--follow-links and --no-follow-links exclude each other";
  if (f.follow_links) s.follow_links = true;
  if (f.no_follow_links) s.follow_links = false;
  if (f.websub) {
    if (*f.websub == "auto" || *f.websub == "off") {
      s.websub = *f.websub == "auto";
    } else {
      error = "--websub: expected auto or off, got \"" + *f.websub + "\"";
    }
  }
}

void add_setting_flags(CLI::App* cmd, SettingFlags& f, bool editing) {
  cmd->add_option("--title", f.title, "Title shown in the merged feed");
  cmd->add_option("--category", f.categories, "A category (repeat for several; replaces the list)");
  cmd->add_option("--type", f.type, "feed (RSS, Atom, JSON Feed) or html (a listing page)");
  cmd->add_option("--interval", f.interval, "Poll interval, e.g. 15m");
  cmd->add_option("--min-interval", f.min_interval, "Never poll more often than this");
  cmd->add_option("--max-interval", f.max_interval, "Never poll less often than this");
  cmd->add_option("--time-zone", f.time_zone, "IANA time zone for dates without one");
  cmd->add_option("--date-order", f.date_order, "auto, dmy or mdy");
  cmd->add_option("--republication", f.republication, "full, summary or title");
  cmd->add_option("--header", f.headers, "Extra request header \"Name: value\" (repeat; replaces the list)");
  cmd->add_option("--html-item", f.html_item, "html sources: selector of one story");
  cmd->add_option("--html-title", f.html_title, "html sources: title selector inside an item");
  cmd->add_option("--html-link", f.html_link, "html sources: link selector inside an item");
  cmd->add_option("--html-date", f.html_date, "html sources: date selector inside an item");
  cmd->add_option("--html-summary", f.html_summary, "html sources: summary selector inside an item");
  cmd->add_option("--html-image", f.html_image, "html sources: image selector inside an item");
  cmd->add_option("--html-date-format", f.html_date_format, "html sources: fixed date layout, e.g. %d/%m/%Y");
  cmd->add_flag("--follow-links", f.follow_links,
                "html sources: fetch each new item's page once and keep its main text as content");
  cmd->add_flag("--no-follow-links", f.no_follow_links, "html sources: stop fetching items' pages");
  cmd->add_option("--websub", f.websub, "auto (subscribe to the hub the feed names) or off (poll only)");
  if (editing) {
    cmd->add_option("--unset", f.unset, "Clear a setting: title, categories, interval, ..., html (repeat)");
  } else {
    cmd->add_flag("--disabled", f.disabled, "Add the source disabled");
  }
}

std::string problem_text(const admin::Problem& problem) {
  return problem.message;
}

int print_source(const storage::Source& source, const std::optional<storage::Health>& health, bool json,
                 const std::vector<storage::RuleCount>& rule_counts = {},
                 const std::optional<storage::SourceAlert>& alert = std::nullopt) {
  boost::json::object object = admin::source_to_json(source, health, alert);
  if (!rule_counts.empty()) {
    boost::json::object rules;
    for (const auto& count : rule_counts) {
      rules[count.rule] = {{"dropped", count.dropped}, {"regex_timeouts", count.timeouts}};
    }
    object["rules"] = std::move(rules);
  }
  if (json) {
    std::cout << boost::json::serialize(object) << '\n';
    return exit_ok;
  }
  for (const auto& member : object) {
    if (member.key() == "health" || member.key() == "rules") continue;
    std::cout << std::string(member.key()) << ": " << render_value(member.value()) << '\n';
  }
  if (health) {
    std::cout << "health:\n";
    for (const auto& member : object.at("health").as_object()) {
      std::cout << "  " << std::string(member.key()) << ": " << render_value(member.value()) << '\n';
    }
  }
  if (!rule_counts.empty()) {
    std::cout << "rules:\n";
    for (const auto& count : rule_counts) {
      std::cout << "  " << count.rule << ": " << count.dropped << " dropped";
      if (count.timeouts > 0) std::cout << ", " << count.timeouts << " regex timeouts";
      std::cout << '\n';
    }
  }
  return exit_ok;
}

// A source by id, or by URL as typed (canonicalized).
std::optional<std::int64_t> resolve(storage::Store& store, const std::string& ref, std::string& error) {
  if (!ref.empty() && std::all_of(ref.begin(), ref.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t id = 0;
    if (std::from_chars(ref.data(), ref.data() + ref.size(), id).ec == std::errc{}) return id;
    // Past the largest id: no source has it (std::stoll would throw and abort).
    error = "no source with id " + ref;
    return std::nullopt;
  }
  config::UrlCheck url = config::check_source_url(ref);
  if (!url.error.empty()) {
    error = "\"" + ref + "\" is neither a source id nor a valid URL (" + url.error + ")";
    return std::nullopt;
  }
  auto found = store.find_source_by_url(url.canonical);
  if (!found || !*found) {
    error = "no source with URL " + url.canonical;
    return std::nullopt;
  }
  return (*found)->id;
}

std::string read_input(const std::string& path, std::string& error) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return {};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

void add_sources_command(CLI::App& app, int& exit_code) {
  auto* sources = app.add_subcommand("sources", "List and edit the sources (works while the daemon runs)");
  sources->require_subcommand(1);
  // Inherited by each subcommand: `sources list -c FILE` means what `sources -c FILE list` does.
  sources->fallthrough();
  auto common = std::make_shared<Common>();
  sources->add_option("-c,--config", common->config_file, "Configuration file (database path, defaults)")
      ->capture_default_str();
  sources->add_option("--database", common->database, "Database file (overrides the configuration)");

  // Runs `body` with an open session, turning every failure into a message and exit 1.
  auto run = [&exit_code, common](const std::function<int(Session&)>& body) {
    std::string error;
    std::optional<Session> session = open(*common, error);
    exit_code = session ? body(*session) : fail(error);
  };

  auto* list =
      sources->add_subcommand("list", "One line per source: id, origin, state, interval, title, URL");
  list->add_flag("--json", common->json, "JSON array instead of a table");
  list->callback([run, common] {
    run([&](Session& s) {
      admin::Sources service(*s.store, s.config.defaults, admin::source_rules_from(s.config));
      auto listed = service.list();
      if (!listed) return fail(problem_text(listed.error()));
      print_source_list(*listed, common->json);
      return exit_ok;
    });
  });

  auto ref = std::make_shared<std::string>();
  auto* show = sources->add_subcommand("show", "Every setting and the health of one source");
  show->add_option("source", *ref, "Source id or URL")->required();
  show->add_flag("--json", common->json, "JSON instead of text");
  show->callback([run, common, ref] {
    run([&](Session& s) {
      std::string error;
      auto id = resolve(*s.store, *ref, error);
      if (!id) return fail(error);
      auto source = s.store->get_source(*id);
      if (!source) return fail(source.error().message);
      auto health = s.store->health(*id);
      auto rule_counts = s.store->rule_counts(*id);
      return print_source(*source, health ? std::optional(*health) : std::nullopt, common->json,
                          rule_counts ? *rule_counts : std::vector<storage::RuleCount>{},
                          admin::alert_of(*s.store, *id));
    });
  });

  auto add_flags = std::make_shared<SettingFlags>();
  auto url = std::make_shared<std::string>();
  auto* add = sources->add_subcommand("add", "Add a source (owned by the CLI: a reload never touches it)");
  add->add_option("url", *url, "Feed or page URL (http, https or file)")->required();
  add_setting_flags(add, *add_flags, false);
  add->add_flag("--json", common->json, "Print the new source as JSON");
  auto discover = std::make_shared<bool>(false);
  add->add_flag("--discover", *discover,
                "Find the feed a page offers (done anyway for a site's address, https://site/)");
  add->callback([run, common, url, add_flags, discover] {
    run([&](Session& s) {
      config::SourceSettings settings;
      settings.url = *url;
      settings.enabled = !add_flags->disabled;
      std::string error;
      apply(*add_flags, settings, error);
      if (!error.empty()) return fail(error);
      admin::Sources service(*s.store, s.config.defaults, admin::source_rules_from(s.config));
      if (*discover || is_site_address(settings)) {
        // Checked first: discovery reaches no further than the source could.
        auto checked = service.validated(settings);
        if (!checked) return fail(problem_text(checked.error()));
        auto found = discovered_feed(checked->url, s.config, !common->json);
        if (!found) return fail(found.error());
        settings.url = std::move(*found);
      }
      auto added = service.add(std::move(settings), config::Origin::cli, now());
      if (!added) return fail(problem_text(added.error()));
      if (common->json) return print_source(*added, std::nullopt, true);
      std::cout << "added source " << added->id << ": " << added->settings.url << '\n';
      return exit_ok;
    });
  });

  auto edit_flags = std::make_shared<SettingFlags>();
  auto* edit = sources->add_subcommand("edit", "Change settings of a source added by the CLI or the API");
  edit->add_option("source", *ref, "Source id or URL")->required();
  auto new_url = std::make_shared<std::optional<std::string>>();
  edit->add_option("--url", *new_url, "New URL");
  add_setting_flags(edit, *edit_flags, true);
  edit->callback([run, ref, edit_flags, new_url] {
    run([&](Session& s) {
      std::string error;
      auto id = resolve(*s.store, *ref, error);
      if (!id) return fail(error);
      admin::Sources service(*s.store, s.config.defaults, admin::source_rules_from(s.config));
      auto current = service.get(*id);
      if (!current) return fail(problem_text(current.error()));
      config::SourceSettings settings = admin::from_stored(current->settings);
      if (*new_url) settings.url = **new_url;
      apply(*edit_flags, settings, error);
      if (!error.empty()) return fail(error);
      auto replaced = service.replace(*id, std::move(settings), now());
      if (!replaced) return fail(problem_text(replaced.error()));
      std::cout << "updated source " << *id << '\n';
      return exit_ok;
    });
  });

  auto* remove = sources->add_subcommand("remove", "Delete a source with its items and health");
  remove->add_option("source", *ref, "Source id or URL")->required();
  remove->callback([run, ref] {
    run([&](Session& s) {
      std::string error;
      auto id = resolve(*s.store, *ref, error);
      if (!id) return fail(error);
      admin::Sources service(*s.store, s.config.defaults, admin::source_rules_from(s.config));
      if (auto removed = service.remove(*id); !removed) return fail(problem_text(removed.error()));
      std::cout << "removed source " << *id << '\n';
      return exit_ok;
    });
  });

  for (bool enable : {true, false}) {
    auto* toggle =
        sources->add_subcommand(enable ? "enable" : "disable",
                                enable ? "Poll a source again" : "Stop polling a source (keeps its items)");
    toggle->add_option("source", *ref, "Source id or URL")->required();
    toggle->callback([run, ref, enable] {
      run([&](Session& s) {
        std::string error;
        auto id = resolve(*s.store, *ref, error);
        if (!id) return fail(error);
        admin::Sources service(*s.store, s.config.defaults, admin::source_rules_from(s.config));
        if (auto done = service.set_enabled(*id, enable, now()); !done)
          return fail(problem_text(done.error()));
        std::cout << (enable ? "enabled" : "disabled") << " source " << *id << '\n';
        return exit_ok;
      });
    });
  }

  auto failing_only = std::make_shared<bool>(false);
  auto* status =
      sources->add_subcommand("status", "Health per source: last success, error, next poll, items, stale");
  status->add_flag("--json", common->json, "JSON instead of a table");
  status->add_flag("--failing", *failing_only, "Only sources whose last poll failed or that are stale");
  status->callback([run, common, failing_only] {
    run([&](Session& s) {
      auto listed = s.store->list_sources();
      if (!listed) return fail(listed.error().message);
      auto health = s.store->all_health();
      if (!health) return fail(health.error().message);
      print_status(*listed, *health, now(), common->json, *failing_only);
      return exit_ok;
    });
  });

  auto path = std::make_shared<std::string>("-");
  auto* import =
      sources->add_subcommand("import-opml", "Add every valid feed of an OPML file (owned by the CLI)");
  import->add_option("file", *path, "OPML file, - for standard input")->required();
  import->callback([run, path] {
    run([&](Session& s) {
      std::string error;
  std::string document = read_input(*path, error);
  if (!error.empty()) return fail(error);
  admin::Sources service(*s.store, s.config.defaults, admin::source_rules_from(s.config));
  auto report = service.import_opml(document, config::Origin::cli, now());
  if (!report) return fail(problem_text(report.error()));
  for (const config::OpmlProblem& problem : report->problems) {
    std::cerr << *path << ": outline " << problem.outline << " (" << problem.url << "): " << problem.message
              << '\n';
  }
  std::cout << "added " << report->added.size() << ", already present " << report->already_present.size()
            << ", refused " << report->problems.size() << '\n';
  return report->problems.empty() ? exit_ok : exit_failure;
});
}  // namespace tinhop::cli
);

auto* export_cmd =
    sources->add_subcommand("export-opml", "Write every source as OPML 2.0 (all settings kept)");
export_cmd->add_option("file", *path, "Output file, - for standard output");
export_cmd->callback([run, path] {
  run([&](Session& s) {
    admin::Sources service(*s.store, s.config.defaults, admin::source_rules_from(s.config));
    auto document = service.export_opml();
    if (!document) return fail(problem_text(document.error()));
    if (*path == "-") {
      std::cout << *document;
      return exit_ok;
    }
    std::ofstream out(*path, std::ios::binary | std::ios::trunc);
    out << *document;
    if (!out.flush()) return fail("cannot write " + *path + ": " + std::strerror(errno));
    return exit_ok;
  });
});

add_sources_preview_command(*sources, exit_code);
// The callbacks above own `common`, and live as long as the application.
add_sources_poll_command(*sources, common->config_file, exit_code);
}

}  // namespace tinhop::cli
