// tinhop's configuration: every setting of the TOML file, with its default, and the loader
// that reports every problem as `file:line: key: message`. config/tinhop.example.toml
// documents each key; docs/configuration.md explains them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tinhop/config/source.hpp"
#include "tinhop/parsers/model.hpp"
#include "tinhop/parsers/url_privacy.hpp"
#include "tinhop/rules/rules.hpp"

namespace tinhop::config {

using namespace std::chrono_literals;

// An address to listen on: an IP literal and a port ("127.0.0.1:8081", "[::]:8080"), or
// for admin.listen only, a Unix socket ("unix:/run/tinhop/admin.sock").
struct ListenAddress {
  ListenAddress() = default;
  ListenAddress(std::string ip, std::uint16_t port_number) : host(std::move(ip)), port(port_number) {}
  static ListenAddress unix_socket(std::string path) {
    ListenAddress out;
    out.unix_path = std::move(path);
    return out;
  }

  std::string host;  // an IPv4 or IPv6 literal, without brackets; empty for a Unix socket
  std::uint16_t port = 0;
  std::string unix_path;  // absolute; set only for a Unix socket
  bool is_unix() const { return !unix_path.empty(); }
  // Loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104) or a Unix socket: this host only.
  bool is_local() const;
  std::string to_string() const;  // as written in the file, brackets around IPv6
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

enum class LogFormat { text, json };
enum class LogLevel { trace, debug, info, warn, error, critical, off };
std::string_view to_string(LogLevel level);
std::string_view to_string(LogFormat format);
std::optional<LogLevel> log_level_from(std::string_view text);
std::optional<LogFormat> log_format_from(std::string_view text);

// [server]: the public listener serving the merged feeds.
struct ServerConfig {
  ListenAddress listen{"0.0.0.0", 8080};
  std::string base_url;  // public URL of the feeds for self links; empty: taken from Host
  // Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-Host/-Proto and Forwarded
  // headers name the host and scheme of links when base_url is empty; nobody else's are.
  std::vector<IpNetwork> trusted_proxies;
  // Open connections at most; at the cap the longest-idle one that is not in the middle of
  // a request is closed to admit a new one.
  std::uint32_t max_connections = 1024;
  // Per client address (IPv6: per /64); 0: no limit, since behind a reverse proxy every
  // connection comes from the proxy.
  std::uint32_t max_connections_per_ip = 0;
  // A connection must send a complete request line and headers within this time of
  // connecting, or of the first byte of its next request on a kept-alive connection.
  std::chrono::seconds header_timeout = 10s;
  std::chrono::seconds idle_timeout = 30s;  // between requests on a kept-alive connection
  std::uint32_t feed_limit = 50;            // entries when ?limit= is absent
  std::uint32_t max_feed_limit = 500;       // ceiling for ?limit=
  // Rendered feeds and pages kept in memory, least recently used dropped first; one
  // document's entries take at most a quarter of it, the rest go to its next page.
  std::size_t render_cache_bytes = 32 * 1024 * 1024;
  std::size_t max_content_bytes = 256 * 1024;  // an entry's summary and body, each, after sanitizing
  // IANA zone of the reader pages' dates; empty: defaults.time_zone.
  std::string display_time_zone;
  friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

// [admin]: the admin HTTP API, separate from the public listener.
struct AdminConfig {
  bool enabled = true;
  ListenAddress listen{"127.0.0.1", 8081};
  // Whether listen may be beyond loopback; without it such an address is an error, because
  // the API's token would cross the network in clear text.
  bool allow_remote = false;
  // The Bearer token file, readable by its owner only. "$CREDENTIALS_DIRECTORY" at its
  // start is replaced by that environment variable: the packaged unit passes the root-only
  // /etc/tinhop/admin-token with LoadCredential=admin-token:..., so that is the default.
  std::string token_file = "$CREDENTIALS_DIRECTORY/admin-token";
  std::size_t max_body_bytes = 8 * 1024 * 1024;  // OPML imports are the biggest bodies
  // file:// sources added through the CLI or the API must lie under this directory (after
  // symbolic links are resolved); empty: refused. The file's own sources may name any file.
  std::string file_sources_under;
  // The secret in the alerts feed's address (/alerts/{secret}.atom on this listener), read
  // like token_file; empty: no alerts feed.
  std::string alerts_secret_file;
  // The console's sign-in ends after this long without a request, and this long after it
  // began however busy it is.
  std::chrono::seconds session_idle{std::chrono::minutes(30)};
  std::chrono::seconds session_lifetime{std::chrono::hours(12)};
  // Mark the console's cookie Secure although no proxy says X-Forwarded-Proto: https (a
  // TLS proxy that does not send the header).
  bool secure_cookies = false;
  friend bool operator==(const AdminConfig&, const AdminConfig&) = default;
};

// [database]: a SQLite file (path), or a PostgreSQL database shared by several nodes (url).
struct DatabaseConfig {
  std::filesystem::path path = "/var/lib/tinhop/tinhop.db";
  // A PostgreSQL connection string: "postgresql://user@host:port/db" or libpq key=value
  // words ("host=/run/postgresql dbname=tinhop"); empty: SQLite at `path`. Never holds a
  // password (refused), so it is safe in logs and status.
  std::string url;
  // libpq's password file (host:port:db:user:password lines) for `url`; empty: PGPASSFILE
  // or ~/.pgpass, as libpq reads them.
  std::filesystem::path password_file;
  std::chrono::seconds busy_timeout = 5s;  // a CLI write waiting on the daemon
  friend bool operator==(const DatabaseConfig&, const DatabaseConfig&) = default;
};

// [fetch]: the HTTP client's manners and limits.
struct FetchConfig {
  std::string user_agent;  // empty: "tinhop/VERSION (+https://github.com/tinhop/tinhop)"
  std::chrono::seconds connect_timeout = 10s;
  std::chrono::seconds timeout = 60s;        // whole request, DNS to last byte
  std::chrono::seconds stall_timeout = 20s;  // a body with no new bytes for this long fails
  std::size_t max_body_bytes = 20 * 1024 * 1024;
  std::size_t max_header_bytes = 64 * 1024;
  std::uint32_t max_redirects = 5;
  std::uint32_t per_host_concurrency = 2;
  std::uint32_t global_concurrency = 64;
  // Fetches started whatever those in flight hold, so slow sources cannot starve the rest
  // (the memory backlog can still hold them); at most global_concurrency.
  std::uint32_t min_concurrency = 8;
  std::chrono::seconds host_spacing = 1s;  // between two requests to one host
  std::string proxy;                       // "http://host:port"; empty: http_proxy/https_proxy environment
  std::string ca_bundle;                   // extra CA certificates (PEM), besides the system store
  // Article pages of sources with follow_links: at most this many fetched per source and
  // poll (the rest wait for the next polls), each under its own size and time limits.
  std::uint32_t articles_per_poll = 10;
  std::size_t article_max_bytes = 2 * 1024 * 1024;
  std::chrono::seconds article_timeout = 30s;
  // Internal networks (loopback, private, link-local, CGNAT...) that redirects, followed
  // links and sources added through the CLI or API may reach. Empty: only a configuration
  // file source's own origin may be internal.
  std::vector<IpNetwork> allow_networks;
  // Query parameters whose values are secrets: removed from public pages, redacted in logs.
  std::vector<std::string> secret_params = default_secret_params();
  friend bool operator==(const FetchConfig&, const FetchConfig&) = default;
};

// [poll]: schedule defaults and bounds; sources may narrow them.
struct PollConfig {
  std::chrono::seconds default_interval = 15min;
  std::chrono::seconds min_interval = 2min;
  std::chrono::seconds max_interval = 24h;
  std::chrono::seconds max_backoff = 6h;
  double jitter = 0.1;                         // fraction of the interval added at random
  std::chrono::seconds stale_after_min = 24h;  // never flag stale sooner than this
  friend bool operator==(const PollConfig&, const PollConfig&) = default;
};

// [retention]
struct RetentionConfig {
  std::chrono::seconds max_age = 24h * 90;  // items older than this are purged
  std::uint32_t max_items_per_source = 5000;
  friend bool operator==(const RetentionConfig&, const RetentionConfig&) = default;
};

// [dedup]: when two items are the same story.
struct DedupConfig {
  // Estimated Jaccard similarity (MinHash) of two items' syllable shingles at or above
  // which they are the same story; 0.25 is where the generated corpus's republications
  // (edited titles, paraphrased leads) are all found and its look-alike series are not.
  double similarity = 0.25;
  // Memory for the recent items' fingerprints the new ones are compared with (248 bytes
  // each); older items still cluster by canonical link.
  std::size_t max_candidate_bytes = 20 * 1024 * 1024;
  std::chrono::seconds window = 72h;  // only items this close in time are compared
  friend bool operator==(const DedupConfig&, const DedupConfig&) = default;
};

// [defaults]: for sources that do not say.
struct DefaultsConfig {
  std::string time_zone = "Asia/Ho_Chi_Minh";
  DateOrder date_order = DateOrder::automatic;
  Republication republication = Republication::full;
  friend bool operator==(const DefaultsConfig&, const DefaultsConfig&) = default;
};

// [log]
struct LogConfig {
  LogLevel level = LogLevel::info;
  LogFormat format = LogFormat::text;
  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

// A [[source]] of the file: its settings and where it was written.
struct FileSource {
  SourceSettings settings;
  std::uint32_t line = 0;
  friend bool operator==(const FileSource&, const FileSource&) = default;
};

// A [[rule]] of the file (docs/rules.md): what it matches and does, and where it was written.
struct FileRule {
  rules::RuleSpec rule;
  std::uint32_t line = 0;
  friend bool operator==(const FileRule&, const FileRule&) = default;
};

// A [[views]] entry (docs/views.md): a named feed of the stories a query selects, at
// /views/{slug} and /views/{slug}/feed.atom|rss|json. Empty lists select everything.
struct ViewConfig {
  std::string slug;                            // a-z, 0-9 and '-'
  std::string title;                           // empty: the slug
  std::string query;                           // full text (words, "phrases", prefix*); empty: any text
  std::vector<std::string> sources;            // source URLs, canonical like [[source]] url
  std::vector<std::string> categories;         // source categories
  std::vector<std::string> languages;          // language tags, lowercase ("vi" also takes "vi-vn")
  std::optional<std::chrono::seconds> window;  // only stories first published this recently
  std::uint32_t min_publishers = 1;            // distinct sources carrying the story
  std::uint32_t line = 0;
  friend bool operator==(const ViewConfig&, const ViewConfig&) = default;
};

// [top]: top stories (docs/views.md), ranked by publishers × 2^(−age / half_life).
struct TopConfig {
  std::chrono::seconds half_life = 6h;
  std::chrono::seconds window = 48h;  // stories first published this recently
  std::uint32_t min_publishers = 2;
  std::uint32_t page_entries = 5;  // the reader page's first section; 0 leaves it out
  std::uint32_t feed_entries = 30;
  friend bool operator==(const TopConfig&, const TopConfig&) = default;
};

// [websub]: pushes from publishers' hubs (docs/websub.md). Sources subscribe only when
// server.base_url is set: a hub calls our callback at that public URL.
struct WebSubConfig {
  bool enabled = true;
  std::chrono::seconds fallback_interval = 6h;  // how often a source a hub pushes is still polled
  std::chrono::seconds lease = 864000s;         // hub.lease_seconds asked for (10 days); the hub decides
  // Our own hub at /websub/hub, advertised by the merged feeds (also only with base_url).
  bool hub = true;
  std::chrono::seconds hub_default_lease = 864000s;  // granted when a subscriber asks for none
  std::chrono::seconds hub_max_lease = 864000s;      // the most granted
  std::uint32_t hub_max_subscriptions = 1000;        // verified and awaiting verification
  // External hubs pinged (hub.mode=publish) after new entries are committed to our feeds.
  std::vector<std::string> publish_to;
  friend bool operator==(const WebSubConfig&, const WebSubConfig&) = default;
};

// [cluster]: several daemons over one PostgreSQL database (docs/operations.md, "Several
// nodes"). Unused with SQLite, which one daemon serves.
struct ClusterConfig {
  std::string node;  // this daemon's name among the nodes; empty: the host name
  // How long a claimed source stays this node's without a renewal: a node killed without
  // releasing its sources gives them up after this.
  std::chrono::seconds lease = 2min;
  friend bool operator==(const ClusterConfig&, const ClusterConfig&) = default;
};

// An [[alerts.webhook]]: where each change of a source's condition is POSTed as JSON,
// signed with the key in `secret_file` (docs/operations.md, "Source alerts").
struct AlertWebhook {
  std::string url;                 // http:// or https://; internal addresses only inside fetch.allow_networks
  std::string secret_file;         // read like admin.token_file
  std::vector<std::string> kinds;  // of "failing", "stale", "recovered"; empty: every kind
  std::uint32_t line = 0;
  friend bool operator==(const AlertWebhook&, const AlertWebhook&) = default;
};

// [alerts]: when a source is failing or stale, and who is told (docs/operations.md).
struct AlertsConfig {
  bool enabled = true;
  std::uint32_t failing_after = 3;             // consecutive failed polls
  std::chrono::seconds min_quiet = 6h;         // never stale after less quiet than this
  std::chrono::seconds check_interval = 5min;  // how often every source is checked
  std::chrono::seconds history = 24h * 30;     // the arrivals a source's rhythm is learned from
  std::vector<AlertWebhook> webhooks;
  friend bool operator==(const AlertsConfig&, const AlertsConfig&) = default;
};

struct Config {
  std::filesystem::path file;  // where it was loaded from; empty for defaults
  ServerConfig server;
  AdminConfig admin;
  DatabaseConfig database;
  FetchConfig fetch;
  PollConfig poll;
  RetentionConfig retention;
  DedupConfig dedup;
  DefaultsConfig defaults;
  LogConfig log;
  WebSubConfig websub;
  ClusterConfig cluster;
  std::vector<FileSource> sources;
  std::vector<FileRule> rules;  // in file order, which is the order they apply in
  TopConfig top;
  std::vector<ViewConfig> views;  // in file order
  AlertsConfig alerts;
  friend bool operator==(const Config&, const Config&) = default;
};

// One problem found in a file. Errors make the file invalid; warnings do not.
struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  std::string file;
  std::uint32_t line = 0;  // 1-based; 0 when the problem has no place (unreadable file)
  std::string key;         // dotted path as in the file: "fetch.timeout", "source[3].url"
  std::string message;
  // "file:line: key: message", warnings as "file:line: key: warning: message".
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;         // set only when there is no error
  std::vector<Diagnostic> diagnostics;  // errors and warnings, in file order
  bool ok() const { return config.has_value(); }
};

// A rule given outside the file (`tinhop rules add`, the admin API): the keys of a [[rule]]
// as a TOML table (optionally under "[[rule]]") or a JSON object, read and checked by the
// function that reads the file's rules, so that every way in refuses the same rules with the
// same messages. The problems' keys are the rule's own ("pattern"); lines the snippet's (0
// for JSON). Whether the name is free is the store's to say.
struct RuleRead {
  std::optional<rules::RuleSpec> rule;  // set only when there is no error
  std::vector<Diagnostic> problems;
  // The errors as "key: message", joined by "; ".
  std::string message() const;
};
RuleRead read_rule_toml(std::string_view text);
RuleRead read_rule_json(std::string_view text);

// Parses and validates a configuration document; `file` names it in diagnostics. Every
// problem is reported, not just the first.
LoadResult parse_config(std::string_view text, const std::string& file);

// Reads and parses `path` (at most 16 MiB).
LoadResult load_config(const std::filesystem::path& path);

// What the store opens (storage::Store::open): `url` with its password file, else `path`.
std::string database_location(const DatabaseConfig& database);

// The settings a source gets after the [defaults] apply (time zone, date order, policy).
SourceSettings with_defaults(SourceSettings settings, const DefaultsConfig& defaults);

}  // namespace tinhop::config
