#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "reader.hpp"
#include "tinhop/config/config.hpp"
#include "tinhop/config/units.hpp"

namespace tinhop::config {

namespace {

using detail::Reader;
using std::chrono::seconds;

constexpr std::size_t max_file_bytes = 16 * 1024 * 1024;
constexpr seconds one_year = 24h * 366;

// " (quote it: key = \"value\")" when line `number` of `text` sets a key to a bare word
// such as 127.0.0.1:8080, which TOML cannot read; "" otherwise.
std::string unquoted_value_hint(std::string_view text, std::uint32_t number) {
  std::size_t start = 0;
  for (std::uint32_t n = 1; n < number && start != std::string_view::npos; ++n) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos) return {};
  std::string_view line = text.substr(start, text.find('\n', start) - start);
  const std::size_t equals = line.find('=');
  if (equals == std::string_view::npos) return {};
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  };
  const std::string_view key = trim(line.substr(0, equals));
  const std::string_view value = trim(line.substr(equals + 1));
  if (key.empty() || value.empty() ||
      std::string_view("\"'[{").find(value.front()) != std::string_view::npos || value == "true" ||
      value == "false")
    return {};
  return " (quote it: " + std::string(key) + " = \"" + std::string(value) + "\")";
}

// Reads a duration field that has a default (not optional in Config).
void read_duration(Reader& reader, const toml::table& t, std::string_view key, const std::string& prefix,
                   seconds& out, seconds min, seconds max) {
  std::optional<seconds> value;
  reader.read_duration(t, key, prefix, value, min, max);
  if (value) out = *value;
}

// The sub-table `key` of `root`, reporting a wrong type; nullptr when absent or wrong.
const toml::table* section(Reader& reader, const toml::table& root, std::string_view key) {
  const toml::node* node = root.get(key);
  if (!node) return nullptr;
  if (const toml::table* table = node->as_table()) return table;
  reader.wrong_type(*node, std::string(key), "a table ([" + std::string(key) + "])");
  return nullptr;
}

void read_server(Reader& r, const toml::table& t, ServerConfig& out) {
  const std::string p = "server";
  r.reject_unknown(t, p,
                   {"listen", "base_url", "trusted_proxies", "max_connections", "max_connections_per_ip",
                    "header_timeout", "idle_timeout", "feed_limit", "max_feed_limit", "render_cache_bytes",
                    "max_content_bytes", "display_time_zone"});
  r.read(t, "listen", p, out.listen);
  if (out.listen.is_unix()) {
    r.error(Reader::line_of(t, "listen"), "server.listen",
            "a Unix socket is for admin.listen only; the feeds need IP:PORT");
  }
  r.read(t, "base_url", p, out.base_url);
  if (!out.base_url.empty()) {
    UrlCheck url = check_source_url(out.base_url);
    if (!url.error.empty() || out.base_url.rfind("file:", 0) == 0) {
      r.error(Reader::line_of(t, "base_url"), "server.base_url",
              url.error.empty() ? "must be an http:// or https:// URL" : url.error);
    }
  }
  std::vector<std::string> proxies;
  detail::read_string_list(r, t, "trusted_proxies", p, proxies);
  for (const std::string& text : proxies) {
    std::string why;
    if (auto network = parse_ip_network(text, why)) {
      out.trusted_proxies.push_back(*network);
    } else {
      r.error(Reader::line_of(t, "trusted_proxies"), "server.trusted_proxies", why);
    }
  }
  r.read(t, "max_connections", p, out.max_connections, 1, 1'000'000);
  r.read(t, "max_connections_per_ip", p, out.max_connections_per_ip, 0, 1'000'000);
  read_duration(r, t, "header_timeout", p, out.header_timeout, 1s, 5min);
  read_duration(r, t, "idle_timeout", p, out.idle_timeout, 1s, 1h);
  r.read(t, "feed_limit", p, out.feed_limit, 1, 10'000);
  r.read(t, "max_feed_limit", p, out.max_feed_limit, 1, 10'000);
  r.read_size(t, "render_cache_bytes", p, out.render_cache_bytes, 1ULL << 20, 1ULL << 34);
  r.read_size(t, "max_content_bytes", p, out.max_content_bytes, 1024, 16ULL << 20);
  r.read(t, "display_time_zone", p, out.display_time_zone);
  if (t.get("display_time_zone")) {
    if (std::string problem = check_time_zone(out.display_time_zone); !problem.empty()) {
      r.error(Reader::line_of(t, "display_time_zone"), "server.display_time_zone", problem);
    }
  }
  if (out.feed_limit > out.max_feed_limit) {
    r.error(Reader::line_of(t, "feed_limit"), "server.feed_limit",
            std::to_string(out.feed_limit) + " is above server.max_feed_limit " +
                std::to_string(out.max_feed_limit));
  }
}

void read_admin(Reader& r, const toml::table& t, AdminConfig& out) {
  const std::string p = "admin";
  r.reject_unknown(t, p,
                   {"enabled", "listen", "allow_remote", "token_file", "max_body_bytes", "file_sources_under",
                    "alerts_secret_file", "session_idle", "session_lifetime", "secure_cookies"});
  r.read(t, "enabled", p, out.enabled);
  r.read(t, "listen", p, out.listen);
  r.read(t, "allow_remote", p, out.allow_remote);
  r.read(t, "token_file", p, out.token_file);
  r.read_size(t, "max_body_bytes", p, out.max_body_bytes, 1024, 1ULL << 30);
  r.read(t, "file_sources_under", p, out.file_sources_under);
  read_duration(r, t, "session_idle", p, out.session_idle, 1min, 24h);
  read_duration(r, t, "session_lifetime", p, out.session_lifetime, 1min, 24h * 30);
  r.read(t, "secure_cookies", p, out.secure_cookies);
  if (!out.file_sources_under.empty() && out.file_sources_under.front() != '/') {
    r.error(Reader::line_of(t, "file_sources_under"), "admin.file_sources_under", "must be an absolute path");
  } else if (out.file_sources_under == "/") {
    r.error(Reader::line_of(t, "file_sources_under"), "admin.file_sources_under",
            "\"/\" would let the API read every file the daemon can (name the feeds' own directory)");
  }
  r.read(t, "alerts_secret_file", p, out.alerts_secret_file);
  if (t.get("alerts_secret_file")) {
    if (const std::string problem = detail::secret_file_problem(out.alerts_secret_file); !problem.empty())
      r.error(Reader::line_of(t, "alerts_secret_file"), "admin.alerts_secret_file", problem);
  }
  if (out.enabled && out.token_file.empty()) {
    r.error(Reader::line_of(t, "token_file"), "admin.token_file",
            "the admin API needs a token file (or set admin.enabled = false)");
  } else if (out.enabled && out.token_file.front() != '/' &&
             out.token_file.rfind("$CREDENTIALS_DIRECTORY", 0) != 0) {
    r.error(Reader::line_of(t, "token_file"), "admin.token_file",
            "must be an absolute path or start with $CREDENTIALS_DIRECTORY");
  }
}

void read_fetch(Reader& r, const toml::table& t, FetchConfig& out) {
  const std::string p = "fetch";
  r.reject_unknown(t, p,
                   {"user_agent", "connect_timeout", "timeout", "stall_timeout", "max_body_bytes",
                    "max_header_bytes", "max_redirects", "per_host_concurrency", "global_concurrency",
                    "min_concurrency", "host_spacing", "proxy", "ca_bundle", "articles_per_poll",
                    "article_max_bytes", "article_timeout", "allow_networks", "secret_params"});
  r.read(t, "user_agent", p, out.user_agent);
  if (out.user_agent.find_first_of("\r\n") != std::string::npos) {
    r.error(Reader::line_of(t, "user_agent"), "fetch.user_agent", "must not contain a line break");
  }
  read_duration(r, t, "connect_timeout", p, out.connect_timeout, 1s, 5min);
  read_duration(r, t, "timeout", p, out.timeout, 1s, 1h);
  if (out.connect_timeout > out.timeout) {
    r.error(Reader::line_of(t, "connect_timeout"), "fetch.connect_timeout",
            format_duration(out.connect_timeout) + " is above fetch.timeout " + format_duration(out.timeout));
  }
  // Above fetch.timeout it is simply never reached: the default must not refuse a short timeout.
  read_duration(r, t, "stall_timeout", p, out.stall_timeout, 1s, 1h);
  r.read_size(t, "max_body_bytes", p, out.max_body_bytes, 1024, 1ULL << 30);
  r.read_size(t, "max_header_bytes", p, out.max_header_bytes, 1024, 1ULL << 20);
  r.read(t, "max_redirects", p, out.max_redirects, 0, 20);
  r.read(t, "per_host_concurrency", p, out.per_host_concurrency, 1, 64);
  r.read(t, "global_concurrency", p, out.global_concurrency, 1, 4096);
  r.read(t, "min_concurrency", p, out.min_concurrency, 1, 4096);
  if (!t.get("min_concurrency")) {
    out.min_concurrency = std::min(out.min_concurrency, out.global_concurrency);  // the default, not an error
  } else if (out.min_concurrency > out.global_concurrency) {
    r.error(Reader::line_of(t, "min_concurrency"), "fetch.min_concurrency",
            std::to_string(out.min_concurrency) + " is above fetch.global_concurrency " +
                std::to_string(out.global_concurrency));
  }
  read_duration(r, t, "host_spacing", p, out.host_spacing, 0s, 1h);
  r.read(t, "proxy", p, out.proxy);
  if (!out.proxy.empty()) {
    UrlCheck url = check_source_url(out.proxy);
    if (!url.error.empty() || out.proxy.rfind("file:", 0) == 0) {
      r.error(Reader::line_of(t, "proxy"), "fetch.proxy",
              url.error.empty() ? "must be an http:// or https:// URL" : url.error);
    }
  }
  r.read(t, "ca_bundle", p, out.ca_bundle);
  r.read(t, "articles_per_poll", p, out.articles_per_poll, 0, 1000);
  r.read_size(t, "article_max_bytes", p, out.article_max_bytes, 1024, 1ULL << 30);
  read_duration(r, t, "article_timeout", p, out.article_timeout, 1s, 1h);
  std::vector<std::string> networks;
  detail::read_string_list(r, t, "allow_networks", p, networks);
  for (const std::string& text : networks) {
    std::string why;
    if (auto network = parse_ip_network(text, why)) {
      out.allow_networks.push_back(*network);
    } else {
      r.error(Reader::line_of(t, "allow_networks"), "fetch.allow_networks", why);
    }
  }
  if (t.get("secret_params")) {
    out.secret_params.clear();
    detail::read_string_list(r, t, "secret_params", p, out.secret_params);
  }
}

void read_poll(Reader& r, const toml::table& t, PollConfig& out) {
  const std::string p = "poll";
  r.reject_unknown(
      t, p, {"default_interval", "min_interval", "max_interval", "max_backoff", "jitter", "stale_after_min"});
  read_duration(r, t, "default_interval", p, out.default_interval, 10s, one_year);
  read_duration(r, t, "min_interval", p, out.min_interval, 10s, one_year);
  read_duration(r, t, "max_interval", p, out.max_interval, 10s, one_year);
  read_duration(r, t, "max_backoff", p, out.max_backoff, 1min, one_year);
  r.read(t, "jitter", p, out.jitter, 0.0, 0.5);
  read_duration(r, t, "stale_after_min", p, out.stale_after_min, 1h, one_year);
  if (out.min_interval > out.max_interval) {
    r.error(Reader::line_of(t, "min_interval"), "poll.min_interval",
            format_duration(out.min_interval) + " is above poll.max_interval " +
                format_duration(out.max_interval));
  } else if (out.default_interval < out.min_interval || out.default_interval > out.max_interval) {
    r.error(Reader::line_of(t, "default_interval"), "poll.default_interval",
            format_duration(out.default_interval) + " is outside poll.min_interval..poll.max_interval (" +
                format_duration(out.min_interval) + ".." + format_duration(out.max_interval) + ")");
  }
}

// Why `url` cannot be database.url, or "": a PostgreSQL URI or libpq key=value words,
// without a password (it would show in logs and status; libpq reads it from a file).
std::string database_url_problem(std::string_view url) {
  const bool uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
  if (!uri && url.find('=') == std::string_view::npos) {
    return "must be a postgresql:// URI or libpq key=value words (host=/run/postgresql dbname=tinhop)";
  }
  bool password = url.find("password=") != std::string_view::npos;
  if (uri) {
    const std::string_view rest = url.substr(url.find("//") + 2);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    const auto at = authority.rfind('@');
    password = password ||
               (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos);
  }
  if (password) return "must not hold a password: put it in database.password_file or PGPASSFILE";
  return {};
}

void read_websub(Reader& r, const toml::table& t, WebSubConfig& out) {
  const std::string p = "websub";
  r.reject_unknown(t, p,
                   {"enabled", "fallback_interval", "lease", "hub", "hub_default_lease", "hub_max_lease",
                    "hub_max_subscriptions", "publish_to"});
  r.read(t, "enabled", p, out.enabled);
  read_duration(r, t, "fallback_interval", p, out.fallback_interval, 1min, one_year);
  // WebSub leases are whole seconds; hubs commonly grant between an hour and a month.
  read_duration(r, t, "lease", p, out.lease, 1h, one_year);
  r.read(t, "hub", p, out.hub);
  read_duration(r, t, "hub_default_lease", p, out.hub_default_lease, 1min, one_year);
  read_duration(r, t, "hub_max_lease", p, out.hub_max_lease, 1min, one_year);
  r.read(t, "hub_max_subscriptions", p, out.hub_max_subscriptions, 1, 1'000'000);
  if (out.hub_default_lease > out.hub_max_lease) {
    r.error(Reader::line_of(t, "hub_default_lease"), "websub.hub_default_lease",
            "must not be longer than websub.hub_max_lease");
  }
  detail::read_string_list(r, t, "publish_to", p, out.publish_to);
  for (const std::string& hub : out.publish_to) {
    const UrlCheck url = check_source_url(hub);
    if (!url.error.empty() || hub.starts_with("file:")) {
      r.error(Reader::line_of(t, "publish_to"), "websub.publish_to",
              "\"" + hub + "\" " + (url.error.empty() ? "is not an http:// or https:// URL" : url.error));
    }
  }
}

void read_cluster(Reader& r, const toml::table& t, ClusterConfig& out) {
  const std::string p = "cluster";
  r.reject_unknown(t, p, {"node", "lease"});
  r.read(t, "node", p, out.node);
  if (t.get("node") && out.node.empty())
    r.error(Reader::line_of(t, "node"), "cluster.node", "must not be empty");
  // Renewed every third of the lease: a few seconds leave room for one slow renewal.
  read_duration(r, t, "lease", p, out.lease, 3s, 1h);
}

void read_small_sections(Reader& r, const toml::table& root, Config& config) {
  if (const toml::table* t = section(r, root, "database")) {
    r.reject_unknown(*t, "database", {"path", "url", "password_file", "busy_timeout"});
    std::string path;
    r.read(*t, "path", "database", path);
    if (t->get("path") && path.empty())
      r.error(Reader::line_of(*t, "path"), "database.path", "must not be empty");
    if (!path.empty()) config.database.path = path;
    r.read(*t, "url", "database", config.database.url);
    if (t->get("url")) {
      if (const std::string problem = database_url_problem(config.database.url); !problem.empty()) {
        r.error(Reader::line_of(*t, "url"), "database.url", problem);
      } else if (t->get("path")) {
        r.error(Reader::line_of(*t, "url"), "database.url",
                "set path (SQLite) or url (PostgreSQL), not both");
      }
    }
    std::string password_file;
    r.read(*t, "password_file", "database", password_file);
    if (!password_file.empty()) config.database.password_file = password_file;
    if (t->get("password_file") && config.database.url.empty())
      r.error(Reader::line_of(*t, "password_file"), "database.password_file", "needs database.url");
    read_duration(r, *t, "busy_timeout", "database", config.database.busy_timeout, 0s, 10min);
  }
  if (const toml::table* t = section(r, root, "retention")) {
    r.reject_unknown(*t, "retention", {"max_age", "max_items_per_source"});
    read_duration(r, *t, "max_age", "retention", config.retention.max_age, 24h, 100 * one_year);
    r.read(*t, "max_items_per_source", "retention", config.retention.max_items_per_source, 10, 10'000'000);
  }
  if (const toml::table* t = section(r, root, "dedup")) {
    r.reject_unknown(*t, "dedup", {"similarity", "max_candidate_bytes", "window"});
    r.read(*t, "similarity", "dedup", config.dedup.similarity, 0.05, 1.0);
    r.read_size(*t, "max_candidate_bytes", "dedup", config.dedup.max_candidate_bytes, 0, 1ULL << 32);
    read_duration(r, *t, "window", "dedup", config.dedup.window, 1h, 30 * 24h);
  }
  if (const toml::table* t = section(r, root, "defaults")) {
    r.reject_unknown(*t, "defaults", {"time_zone", "date_order", "republication"});
    r.read(*t, "time_zone", "defaults", config.defaults.time_zone);
    if (std::string problem = check_time_zone(config.defaults.time_zone); !problem.empty()) {
      r.error(Reader::line_of(*t, "time_zone"), "defaults.time_zone", problem);
    }
    r.read_enum(*t, "date_order", "defaults", config.defaults.date_order, date_order_from, "auto, dmy, mdy");
    r.read_enum(*t, "republication", "defaults", config.defaults.republication, republication_from,
                "full, summary, title");
  }
  if (const toml::table* t = section(r, root, "log")) {
    r.reject_unknown(*t, "log", {"level", "format"});
    r.read_enum(*t, "level", "log", config.log.level, log_level_from,
                "trace, debug, info, warn, error, critical, off");
    r.read_enum(*t, "format", "log", config.log.format, log_format_from, "text, json");
  }
}

}  // namespace

std::string_view to_string(LogLevel level) {
  static constexpr std::array<std::string_view, 7> names{"trace", "debug",    "info", "warn",
                                                         "error", "critical", "off"};
  return names[static_cast<std::size_t>(level)];
}

std::string_view to_string(LogFormat format) {
  return format == LogFormat::json ? "json" : "text";
}

std::optional<LogLevel> log_level_from(std::string_view text) {
  for (auto level : {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error,
                     LogLevel::critical, LogLevel::off}) {
    if (to_string(level) == text) return level;
  }
  return std::nullopt;
}

std::optional<LogFormat> log_format_from(std::string_view text) {
  if (text == "text") return LogFormat::text;
  if (text == "json") return LogFormat::json;
  return std::nullopt;
}

bool ListenAddress::is_local() const {
  if (is_unix()) return true;
  unsigned char bytes[16];
  if (inet_pton(AF_INET, host.c_str(), bytes) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), bytes) != 1) return false;
  static constexpr unsigned char loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  return std::memcmp(bytes, loopback6, 16) == 0 ||
         (std::memcmp(bytes, mapped_prefix, 12) == 0 && bytes[12] == 127);
}

std::string ListenAddress::to_string() const {
  if (is_unix()) return "unix:" + unix_path;
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Diagnostic::to_string() const {
  std::string out = file + ":" + std::to_string(line) + ": " + key + ": ";
  if (severity == Severity::warning) out += "warning: ";
  return out + message;
}

LoadResult parse_config(std::string_view text, const std::string& file) {
  LoadResult result;
  Reader reader(file, result.diagnostics);
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& error) {
    const std::uint32_t line = error.source().begin.line;
    reader.error(line, "syntax", std::string(error.description()) + unquoted_value_hint(text, line));
    return result;
  }
  Config config;
  config.file = file;
  reader.reject_unknown(root, "",
                        {"server", "admin", "database", "fetch", "poll", "retention", "dedup", "defaults",
                         "log", "websub", "cluster", "source", "rule", "views", "top", "alerts"});
  if (const toml::table* t = section(reader, root, "server")) read_server(reader, *t, config.server);
  if (const toml::table* t = section(reader, root, "admin")) read_admin(reader, *t, config.admin);
  if (const toml::table* t = section(reader, root, "fetch")) read_fetch(reader, *t, config.fetch);
  if (const toml::table* t = section(reader, root, "poll")) read_poll(reader, *t, config.poll);
  if (const toml::table* t = section(reader, root, "websub")) read_websub(reader, *t, config.websub);
  if (const toml::table* t = section(reader, root, "cluster")) read_cluster(reader, *t, config.cluster);
  if (const toml::table* t = section(reader, root, "top")) detail::read_top(reader, *t, config.top);
  if (const toml::table* t = section(reader, root, "alerts")) detail::read_alerts(reader, *t, config.alerts);
  read_small_sections(reader, root, config);
  if (config.admin.enabled && config.admin.listen == config.server.listen) {
    const toml::table* admin = root.get_as<toml::table>("admin");
    reader.error(admin ? Reader::line_of(*admin, "listen") : 0, "admin.listen",
                 "same address as server.listen; the admin API needs its own listener");
  }
  if (config.admin.enabled && !config.admin.listen.is_local()) {
    const toml::table* admin = root.get_as<toml::table>("admin");
    const std::uint32_t line = admin ? Reader::line_of(*admin, "listen") : 0;
    if (config.admin.allow_remote) {
      reader.warning(line, "admin.listen",
                     "the admin API listens beyond loopback; put it behind TLS and a firewall");
    } else {
      reader.error(
          line, "admin.listen",
          config.admin.listen.to_string() +
              " is beyond loopback; set admin.allow_remote = true to allow it (and put it behind TLS "
              "and a firewall), or listen on 127.0.0.1 or a unix: socket");
    }
  }
  if (config.database.path.is_relative() && !file.empty()) {
    config.database.path = std::filesystem::path(file).parent_path() / config.database.path;
  }
  if (!config.database.password_file.empty() && config.database.password_file.is_relative() &&
      !file.empty()) {
    config.database.password_file = std::filesystem::path(file).parent_path() / config.database.password_file;
  }
  if (const toml::node* sources = root.get("source")) detail::read_sources(reader, *sources, config);
  if (const toml::node* rules = root.get("rule")) detail::read_rules(reader, *rules, config);
  if (const toml::node* views = root.get("views")) detail::read_views(reader, *views, config);
  if (reader.error_count() == 0) result.config = std::move(config);
  return result;
}

LoadResult load_config(const std::filesystem::path& path) {
  LoadResult result;
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!in || ec) {
    std::string why = ec ? ec.message() : std::string(std::strerror(errno));
    result.diagnostics.push_back(
        {Diagnostic::Severity::error, path.string(), 0, "file", "cannot read: " + why});
    return result;
  }
  if (size > max_file_bytes) {
    result.diagnostics.push_back({Diagnostic::Severity::error, path.string(), 0, "file",
                                  "larger than " + std::to_string(max_file_bytes) + " bytes"});
    return result;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_config(buffer.str(), path.string());
}

SourceSettings with_defaults(SourceSettings settings, const DefaultsConfig& defaults) {
  if (!settings.time_zone) settings.time_zone = defaults.time_zone;
  if (!settings.date_order) settings.date_order = defaults.date_order;
  if (!settings.republication) settings.republication = defaults.republication;
  return settings;
}

std::string database_location(const DatabaseConfig& database) {
  if (database.url.empty()) return database.path.string();
  if (database.password_file.empty()) return database.url;
  const std::string file = database.password_file.string();
  if (database.url.starts_with("postgresql://") || database.url.starts_with("postgres://")) {
    std::string encoded;
    for (const char c : file) {
      const auto byte = static_cast<unsigned char>(c);
      if (std::isalnum(byte) != 0 || std::string_view("/-._~").find(c) != std::string_view::npos) {
        encoded += c;
      } else {
        static constexpr char kDigits[] = "0123456789ABCDEF";
        encoded += '%';
        encoded += kDigits[byte >> 4U];
        encoded += kDigits[byte & 15U];
      }
    }
    return database.url + (database.url.find('?') == std::string::npos ? "?" : "&") + "passfile=" + encoded;
  }
  std::string quoted;
  for (const char c : file) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return database.url + " passfile='" + quoted + "'";
}

}  // namespace tinhop::config
