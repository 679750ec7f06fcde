#include "reload.hpp"

#include <algorithm>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "logging.hpp"
#include "service_notify.hpp"
#include "tinhop/admin/rules.hpp"
#include "tinhop/admin/sync.hpp"
#include "tinhop/config/units.hpp"

namespace tinhop::daemon {
namespace {

using config::Config;
using logging::kv;

std::string text(std::chrono::seconds d) {
  return config::format_duration(d);
}
std::string text(const std::string& s) {
  return s;
}
std::string text(const config::ListenAddress& a) {
  return a.to_string();
}
std::string text(bool b) {
  return b ? "true" : "false";
}
std::string text(double d) {
  std::string s = std::to_string(d);
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}
std::string text(DateOrder o) {
  return std::string(config::to_string(o));
}
std::string text(config::Republication r) {
  return std::string(config::to_string(r));
}
std::string text(config::LogLevel l) {
  return std::string(config::to_string(l));
}
std::string text(config::LogFormat f) {
  return std::string(config::to_string(f));
}
std::string text(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& item : list) out += (out.empty() ? "" : ",") + item;
  return out;
}
std::string text(const std::vector<IpNetwork>& networks) {
  std::string out;
  for (const IpNetwork& network : networks) out += (out.empty() ? "" : ",") + network.to_string();
  return out;
}
// Each view as one line of its settings, so that any change to one shows.
std::string text(const std::vector<config::ViewConfig>& views) {
  std::string out;
  for (const config::ViewConfig& v : views) {
    out += (out.empty() ? "" : "; ") + v.slug + "(" + v.title + "|" + v.query + "|" + text(v.sources) + "|" +
           text(v.categories) + "|" + text(v.languages) + "|" + (v.window ? text(*v.window) : "") + "|" +
           std::to_string(v.min_publishers) + ")";
  }
  return out;
}

std::string text(const config::AlertsConfig& a) {
  std::string out = text(a.enabled) + " failing_after=" + std::to_string(a.failing_after) +
                    " min_quiet=" + text(a.min_quiet) + " check_interval=" + text(a.check_interval) +
                    " history=" + text(a.history);
  for (const config::AlertWebhook& w : a.webhooks)
    out += "; " + w.url + "(" + w.secret_file + "|" + text(w.kinds) + ")";
  return out;
}

template <class Integer>
requires std::is_integral_v<Integer> std::string text(Integer n) {
  return std::to_string(n);
}

struct Setting {
  const char* key;
  std::function<std::string(const Config&)> value;
  Takes takes;  // when LiveConfig does not keep it at the running value
};

#define TINHOP_SETTING(KEY, FIELD, TAKES)                            \
  Setting {                                                          \
    KEY, [](const Config& c) { return text(c.FIELD); }, Takes::TAKES \
  }

// Every setting of the file outside [[source]].
const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      TINHOP_SETTING("server.listen", server.listen, restart),
      TINHOP_SETTING("server.base_url", server.base_url, restart),
      TINHOP_SETTING("server.trusted_proxies", server.trusted_proxies, restart),
      TINHOP_SETTING("server.max_connections", server.max_connections, restart),
      TINHOP_SETTING("server.max_connections_per_ip", server.max_connections_per_ip, restart),
      TINHOP_SETTING("server.header_timeout", server.header_timeout, restart),
      TINHOP_SETTING("server.idle_timeout", server.idle_timeout, restart),
      TINHOP_SETTING("server.feed_limit", server.feed_limit, restart),
      TINHOP_SETTING("server.max_feed_limit", server.max_feed_limit, restart),
      TINHOP_SETTING("server.render_cache_bytes", server.render_cache_bytes, restart),
      TINHOP_SETTING("server.max_content_bytes", server.max_content_bytes, restart),
      TINHOP_SETTING("server.display_time_zone", server.display_time_zone, restart),
      TINHOP_SETTING("admin.enabled", admin.enabled, restart),
      TINHOP_SETTING("admin.listen", admin.listen, restart),
      TINHOP_SETTING("admin.allow_remote", admin.allow_remote, restart),
      TINHOP_SETTING("admin.token_file", admin.token_file, restart),
      TINHOP_SETTING("admin.max_body_bytes", admin.max_body_bytes, restart),
      TINHOP_SETTING("admin.file_sources_under", admin.file_sources_under, restart),
      TINHOP_SETTING("admin.alerts_secret_file", admin.alerts_secret_file, restart),
      TINHOP_SETTING("alerts", alerts, restart),
      TINHOP_SETTING("database.path", database.path.string(), restart),
      TINHOP_SETTING("database.url", database.url, restart),
      TINHOP_SETTING("database.password_file", database.password_file.string(), restart),
      TINHOP_SETTING("database.busy_timeout", database.busy_timeout, restart),
      TINHOP_SETTING("fetch.user_agent", fetch.user_agent, live),
      TINHOP_SETTING("fetch.connect_timeout", fetch.connect_timeout, live),
      TINHOP_SETTING("fetch.timeout", fetch.timeout, live),
      TINHOP_SETTING("fetch.stall_timeout", fetch.stall_timeout, live),
      TINHOP_SETTING("fetch.max_body_bytes", fetch.max_body_bytes, live),
      TINHOP_SETTING("fetch.max_header_bytes", fetch.max_header_bytes, live),
      TINHOP_SETTING("fetch.max_redirects", fetch.max_redirects, live),
      TINHOP_SETTING("fetch.per_host_concurrency", fetch.per_host_concurrency, live),
      TINHOP_SETTING("fetch.global_concurrency", fetch.global_concurrency, live),
      TINHOP_SETTING("fetch.min_concurrency", fetch.min_concurrency, live),
      TINHOP_SETTING("fetch.host_spacing", fetch.host_spacing, live),
      TINHOP_SETTING("fetch.proxy", fetch.proxy, live),
      TINHOP_SETTING("fetch.ca_bundle", fetch.ca_bundle, restart),
      TINHOP_SETTING("fetch.articles_per_poll", fetch.articles_per_poll, live),
      TINHOP_SETTING("fetch.article_max_bytes", fetch.article_max_bytes, live),
      TINHOP_SETTING("fetch.article_timeout", fetch.article_timeout, live),
      TINHOP_SETTING("fetch.allow_networks", fetch.allow_networks, live),
      TINHOP_SETTING("fetch.secret_params", fetch.secret_params, restart),
      TINHOP_SETTING("poll.default_interval", poll.default_interval, live),
      TINHOP_SETTING("poll.min_interval", poll.min_interval, live),
      TINHOP_SETTING("poll.max_interval", poll.max_interval, live),
      TINHOP_SETTING("poll.max_backoff", poll.max_backoff, live),
      TINHOP_SETTING("poll.jitter", poll.jitter, live),
      TINHOP_SETTING("poll.stale_after_min", poll.stale_after_min, live),
      TINHOP_SETTING("retention.max_age", retention.max_age, live),
      TINHOP_SETTING("retention.max_items_per_source", retention.max_items_per_source, live),
      TINHOP_SETTING("dedup.similarity", dedup.similarity, restart),
      TINHOP_SETTING("dedup.max_candidate_bytes", dedup.max_candidate_bytes, restart),
      TINHOP_SETTING("dedup.window", dedup.window, restart),
      TINHOP_SETTING("defaults.time_zone", defaults.time_zone, live),
      TINHOP_SETTING("defaults.date_order", defaults.date_order, live),
      TINHOP_SETTING("defaults.republication", defaults.republication, live),
      TINHOP_SETTING("top.half_life", top.half_life, live),
      TINHOP_SETTING("top.window", top.window, live),
      TINHOP_SETTING("top.min_publishers", top.min_publishers, live),
      TINHOP_SETTING("top.page_entries", top.page_entries, live),
      TINHOP_SETTING("top.feed_entries", top.feed_entries, live),
      TINHOP_SETTING("views", views, live),
      TINHOP_SETTING("log.level", log.level, live),
      TINHOP_SETTING("log.format", log.format, live),
      TINHOP_SETTING("cluster.node", cluster.node, restart),
      TINHOP_SETTING("cluster.lease", cluster.lease, restart),
  };
  return table;
}

#undef TINHOP_SETTING

}  // namespace

std::vector<SettingChange> changed_settings(const Config& running, const Config& file,
                                            const std::vector<std::string>& restart_needed) {
  std::vector<SettingChange> out;
  for (const Setting& s : settings()) {
    std::string before = s.value(running);
    std::string after = s.value(file);
    if (before == after) continue;
    const bool kept = std::find(restart_needed.begin(), restart_needed.end(), s.key) != restart_needed.end();
    out.push_back({s.key, std::move(before), std::move(after), kept ? Takes::restart : s.takes});
  }
  return out;
}

admin::ApiHooks::Reload reload_config(config::LiveConfig& live, storage::Store& store, PollService& service,
                                      Instant now) {
  auto log = logging::get("config");
  service::notify_reloading();
  admin::ApiHooks::Reload result;
  const std::shared_ptr<const Config> running = live.current();
  config::LoadResult loaded = config::load_config(running->file);
  // The [[source]] list goes to the database (synced below), not into the live
  // configuration: nothing reads it after that, and at 10,000 sources it is 5 MB.
  std::vector<config::FileSource> file_sources;
  if (loaded.config) file_sources = std::exchange(loaded.config->sources, {});
  const std::optional<Config> file = loaded.config;
  const config::LiveConfig::Outcome outcome = live.apply(std::move(loaded));
  for (const config::Diagnostic& d : outcome.diagnostics) {
    log->warn("config.reload_diagnostic {}", kv("message", d.to_string()));
    if (d.severity == config::Diagnostic::Severity::error) result.errors.push_back(d.to_string());
  }
  if (!outcome.applied) {
    log->error("config.reload_refused {} {}", kv("file", running->file.string()),
               kv("errors", static_cast<std::int64_t>(result.errors.size())));
    service::notify_ready(service.summary());
    return result;
  }
  result.applied = true;
  const std::shared_ptr<const Config> current = live.current();
  logging::setup(current->log.level, current->log.format, current->fetch.secret_params);
  log = logging::get("config");
  for (const SettingChange& c : changed_settings(*running, *file, outcome.restart_needed)) {
    switch (c.takes) {
      case Takes::live:
        log->info("config.applied {} {} {}", kv("key", c.key), kv("from", c.running), kv("to", c.file));
        break;
      case Takes::restart:
        log->warn("config.restart_needed {} {} {}", kv("key", c.key), kv("running", c.running),
                  kv("file", c.file));
        result.notes.push_back(c.key + ": needs a restart (running " + c.running + ", file " + c.file + ")");
        break;
    }
  }
  service.apply_options(poll_options_from(*current));
  Config synced = *current;
  synced.sources = std::move(file_sources);
  const admin::SyncReport report = admin::sync_sources(store, synced, now);
  for (const std::string& note : report.notes) {
    log->warn("sources.sync_note {}", kv("note", note));
    result.notes.push_back(note);
  }
  service.refresh_sources();
  const admin::RuleSyncReport rules = admin::sync_rules(store, synced, now);
  for (const std::string& note : rules.notes) {
    log->warn("rules.sync_note {}", kv("note", note));
    result.notes.push_back(note);
  }
  service.refresh_rules();
  log->info("config.reloaded {} {} {} {}", kv("file", current->file.string()),
            kv("added", static_cast<std::int64_t>(report.added)),
            kv("updated", static_cast<std::int64_t>(report.updated)),
            kv("disabled", static_cast<std::int64_t>(report.disabled)));
  service::notify_ready(service.summary());
  return result;
}

}  // namespace tinhop::daemon
