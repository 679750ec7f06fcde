#include "tinhop/admin/sources.hpp"

#include <boost/url/parse.hpp>

#include <filesystem>
#include <stdexcept>

#include "tinhop/config/opml.hpp"
#include "tinhop/config/units.hpp"

namespace tinhop::admin {

namespace {

config::SourceType to_config(storage::SourceType type) {
  return type == storage::SourceType::html ? config::SourceType::html : config::SourceType::feed;
}
storage::SourceType to_storage(config::SourceType type) {
  return type == config::SourceType::html ? storage::SourceType::html : storage::SourceType::feed;
}
config::Republication to_config(storage::Republication policy) {
  switch (policy) {
    case storage::Republication::summary: return config::Republication::summary;
    case storage::Republication::title: return config::Republication::title;
    default: return config::Republication::full;
  }
}
storage::Republication to_storage(config::Republication policy) {
  switch (policy) {
    case config::Republication::summary: return storage::Republication::summary;
    case config::Republication::title: return storage::Republication::title;
    default: return storage::Republication::full;
  }
}
storage::SourceOrigin to_storage(config::Origin origin) {
  switch (origin) {
    case config::Origin::cli: return storage::SourceOrigin::cli;
    case config::Origin::api: return storage::SourceOrigin::api;
    default: return storage::SourceOrigin::config;
  }
}

// The path a file:// URL names, with its symbolic links and dot segments resolved.
std::filesystem::path real_path(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return {};
  std::error_code ec;
  auto path = std::filesystem::weakly_canonical(std::filesystem::path(parsed->path()), ec);
  return ec ? std::filesystem::path() : path;
}

}  // namespace

SourceRules source_rules_from(const config::Config& config) {
  return SourceRules{config.fetch.allow_networks, config.admin.file_sources_under, config.poll.min_interval,
                     config.poll.max_interval};
}

std::string check_reach(const std::string& url, const SourceRules& rules) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "url: not an absolute URL";
  if (parsed->scheme() == "file") {
    if (rules.file_sources_under.empty()) {
      return "url: file:// sources are accepted only from the configuration file, or under a directory "
             "named by admin.file_sources_under";
    }
    const std::filesystem::path path = real_path(url);
    const std::filesystem::path root = real_path("file://" + rules.file_sources_under);
    const auto [root_end, path_at] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    if (path.empty() || root.empty() || root_end != root.end() || path_at == path.end()) {
      return "url: " + std::string(parsed->path()) + " is not under admin.file_sources_under (" +
             rules.file_sources_under + ")";
    }
    return {};
  }
  const std::string host(parsed->encoded_host());
  if (!is_internal_host(host)) return {};
  if (auto address = parse_ip_literal(host)) {
    if (address_allowed(*address, rules.allow_networks)) return {};
    return "url: " + host + " is a " + scope_name(address_scope(*address)) +
           " address; sources added through the CLI or the API reach internal addresses only inside "
           "fetch.allow_networks";
  }
  // A name is judged at each connection by the address it resolves to then: with no
  // internal network allowed, an internal name can never be fetched.
  if (!rules.allow_networks.empty()) return {};
  return "url: " + host +
         " is an internal host name; sources added through the CLI or the API reach internal addresses only "
         "inside fetch.allow_networks";
}

void throw_exception_from_error(const Problem& problem, const boost::source_location&) {
  throw std::runtime_error(problem.message);
}

Problem from_storage(const storage::Error& error) {
  switch (error.code) {
    case storage::Errc::not_found: return {Failure::not_found, error.message};
    case storage::Errc::already_exists:
    case storage::Errc::full: return {Failure::conflict, error.message};
    case storage::Errc::invalid_argument: return {Failure::invalid, error.message};
    default: return {Failure::storage, error.message};
  }
}

config::SourceSettings from_stored(const storage::SourceSettings& stored) {
  config::SourceSettings s;
  s.url = stored.url;
  if (!stored.title.empty()) s.title = stored.title;
  s.categories = stored.categories;
  s.type = to_config(stored.type);
  s.interval = stored.interval;
  s.min_interval = stored.min_interval;
  s.max_interval = stored.max_interval;
  s.time_zone = stored.time_zone;
  s.date_order = stored.date_order;
  s.republication = to_config(stored.republication);
  s.enabled = stored.enabled;
  for (const storage::Header& header : stored.headers) s.headers.emplace_back(header.name, header.value);
  // Selectors written by this program always decode; anything else reads as none.
  s.selectors = config::selectors_from_json(stored.html_selectors).value_or(config::HtmlSelectors{});
  s.follow_links = stored.follow_links;
  s.websub = stored.websub;
  return s;
}

storage::SourceSettings to_stored(const config::SourceSettings& settings, config::Origin origin,
                                  const config::DefaultsConfig& defaults) {
  storage::SourceSettings s;
  s.url = settings.url;
  s.title = settings.title.value_or("");
  s.categories = settings.categories;
  s.type = to_storage(settings.type);
  s.interval = settings.interval;
  s.min_interval = settings.min_interval;
  s.max_interval = settings.max_interval;
  s.time_zone = settings.time_zone;
  s.date_order = settings.date_order.value_or(defaults.date_order);
  s.republication = to_storage(settings.republication.value_or(defaults.republication));
  s.enabled = settings.enabled;
  for (const auto& [name, value] : settings.headers) s.headers.push_back({name, value});
  s.origin = to_storage(origin);
  if (settings.selectors != config::HtmlSelectors{})
    s.html_selectors = config::selectors_to_json(settings.selectors);
  s.follow_links = settings.follow_links;
  s.websub = settings.websub;
  return s;
}

config::Origin origin_of(const storage::Source& source) {
  switch (source.settings.origin) {
    case storage::SourceOrigin::cli: return config::Origin::cli;
    case storage::SourceOrigin::api: return config::Origin::api;
    default: return config::Origin::config;
  }
}

Outcome<config::SourceSettings> validate(config::SourceSettings settings) {
  config::UrlCheck url = config::check_source_url(settings.url);
  if (!url.error.empty()) return Problem{Failure::invalid, "url: " + url.error};
  settings.url = url.canonical;
  std::vector<std::string> problems = config::check_settings(settings);
  if (!problems.empty()) return Problem{Failure::invalid, problems.front()};
  return settings;
}

namespace {

// The bounds the configuration file puts on a source's durations (load_sources.cpp).
std::string check_intervals(const config::SourceSettings& settings, const SourceRules& rules) {
  using std::chrono::seconds;
  const auto outside = [](std::string_view key, seconds value, seconds min, seconds max) -> std::string {
    if (value >= min && value <= max) return {};
    return std::string(key) + ": must be between " + config::format_duration(min) + " and " +
           config::format_duration(max) + ", got " + config::format_duration(value);
  };
  const seconds shortest(10);
  const seconds longest = std::chrono::hours(24 * 366);
  if (settings.interval) {
    if (auto why = outside("interval", *settings.interval, rules.min_interval, rules.max_interval);
        !why.empty())
      return why;
  }
  if (settings.min_interval) {
    if (auto why = outside("min_interval", *settings.min_interval, shortest, longest); !why.empty())
      return why;
  }
  if (settings.max_interval) return outside("max_interval", *settings.max_interval, shortest, longest);
  return {};
}

}  // namespace

Outcome<config::SourceSettings> Sources::validated(config::SourceSettings settings) {
  auto checked = validate(std::move(settings));
  if (!checked) return checked;
  if (std::string why = check_intervals(*checked, rules_); !why.empty())
    return Problem{Failure::invalid, why};
  if (std::string why = check_reach(checked->url, rules_); !why.empty())
    return Problem{Failure::invalid, why};
  return checked;
}

Outcome<std::vector<storage::Source>> Sources::list() {
  auto sources = store_.list_sources();
  if (!sources) return from_storage(sources.error());
  return std::move(*sources);
}

Outcome<storage::Source> Sources::get(std::int64_t id) {
  auto source = store_.get_source(id);
  if (!source) return from_storage(source.error());
  return std::move(*source);
}

Outcome<storage::Source> Sources::owned(std::int64_t id) {
  auto source = get(id);
  if (!source) return source;
  if (origin_of(*source) == config::Origin::config) {
    return Problem{
        Failure::owned_by_file,
        "source " + std::to_string(id) +
            " is declared in the configuration file; change it there and reload (systemctl reload tinhop)"};
  }
  return source;
}

Outcome<storage::Source> Sources::add(config::SourceSettings settings, config::Origin origin, Instant now) {
  auto checked = validated(std::move(settings));
  if (!checked) return checked.error();
  auto existing = store_.find_source_by_url(checked->url);
  if (!existing) return from_storage(existing.error());
  if (*existing) {
    const storage::Source& other = **existing;
    return Problem{Failure::conflict, "url: source " + std::to_string(other.id) + " (origin " +
                                          std::string(config::to_string(origin_of(other))) +
                                          ") has this URL already"};
  }
  auto id = store_.add_source(to_stored(*checked, origin, defaults_), now);
  if (!id) return from_storage(id.error());
  return get(*id);
}

Outcome<storage::Source> Sources::replace(std::int64_t id, config::SourceSettings settings, Instant now) {
  auto current = owned(id);
  if (!current) return current;
  auto checked = validated(std::move(settings));
  if (!checked) return checked.error();
  if (checked->url != current->settings.url) {
    auto existing = store_.find_source_by_url(checked->url);
    if (!existing) return from_storage(existing.error());
    if (*existing) {
      return Problem{Failure::conflict,
                     "url: source " + std::to_string((*existing)->id) + " has this URL already"};
    }
  }
  bool was_enabled = current->settings.enabled;
  auto updated = store_.update_source(id, to_stored(*checked, origin_of(*current), defaults_), now);
  if (!updated) return from_storage(updated.error());
  if (checked->enabled != was_enabled) {
    // set_enabled also clears a reason the daemon recorded (410 Gone).
    if (auto enabled = store_.set_enabled(id, checked->enabled, now); !enabled)
      return from_storage(enabled.error());
  }
  return get(id);
}

Outcome<void> Sources::remove(std::int64_t id) {
  auto current = owned(id);
  if (!current) return current.error();
  if (auto removed = store_.remove_source(id); !removed) return from_storage(removed.error());
  return {};
}

Outcome<void> Sources::set_enabled(std::int64_t id, bool enabled, Instant now) {
  auto current = owned(id);
  if (!current) return current.error();
  if (auto done = store_.set_enabled(id, enabled, now); !done) return from_storage(done.error());
  return {};
}

Outcome<ImportReport> Sources::import_opml(std::string_view document, config::Origin origin, Instant now) {
  config::OpmlImport imported = config::import_opml(document);
  if (!imported.error.empty()) return Problem{Failure::invalid, "opml: " + imported.error};
  ImportReport report;
  report.problems = std::move(imported.problems);
  for (std::size_t i = 0; i < imported.sources.size(); ++i) {
    const config::SourceSettings& settings = imported.sources[i];
    std::string why = check_reach(settings.url, rules_);
    if (why.empty()) why = check_intervals(settings, rules_);
    if (!why.empty()) {
      report.problems.push_back({imported.outlines[i], settings.url, why});
      continue;
    }
    auto existing = store_.find_source_by_url(settings.url);
    if (!existing) return from_storage(existing.error());
    if (*existing) {
      report.already_present.push_back(settings.url);
      continue;
    }
    auto id = store_.add_source(to_stored(settings, origin, defaults_), now);
    if (!id) return from_storage(id.error());
    report.added.push_back(*id);
  }
  return report;
}

Outcome<std::string> Sources::export_opml() {
  auto sources = list();
  if (!sources) return sources.error();
  std::vector<config::SourceSettings> settings;
  std::vector<std::string> names;
  settings.reserve(sources->size());
  names.reserve(sources->size());
  for (const storage::Source& source : *sources) {
    settings.push_back(from_stored(source.settings));
    names.push_back(source.settings.title.empty() ? source.feed_title.value_or("") : source.settings.title);
  }
  return config::export_opml(settings, "tinhop sources", names);
}

}  // namespace tinhop::admin
