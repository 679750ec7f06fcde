// `tinhop serve`: the daemon. Polls every enabled source on its schedule, stores what it
// finds, serves the merged feeds, and stops in two phases on SIGINT/SIGTERM.
#include <malloc.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "alert_watch.hpp"
#include "commands.hpp"
#include "editorial.hpp"
#include "fd_limit.hpp"
#include "logging.hpp"
#include "maintenance.hpp"
#include "poll_service.hpp"
#include "reload.hpp"
#include "service_notify.hpp"
#include "tinhop/admin/api.hpp"
#include "tinhop/admin/request_lock.hpp"
#include "tinhop/admin/rules.hpp"
#include "tinhop/admin/server.hpp"
#include "tinhop/admin/sync.hpp"
#include "tinhop/config/live.hpp"
#include "tinhop/console/console.hpp"
#include "tinhop/fetch/discover.hpp"
#include "tinhop/publish/server.hpp"
#include "tinhop/storage/change_listener.hpp"
#include "tinhop/webhooks/webhooks.hpp"
#include "tinhop/websub/hub.hpp"
#include "tinhop/websub/publish_pings.hpp"

namespace tinhop::cli {
namespace {

namespace fs = std::filesystem;
using logging::kv;
using namespace std::chrono_literals;

struct ServeArgs {
  std::string config_file;
  bool demo = false;
  std::string db;
  std::string listen;
  std::string demo_dir;  // empty: default_demo_dir()
  std::string log_level;
  std::string log_format;
};

Instant now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// A short text/plain answer of the WebSub endpoints (callbacks, hub), never cached.
publish::Response plain_response(int status, const std::string& body, unsigned version) {
  publish::Response res{static_cast<boost::beast::http::status>(status), version};
  res.set(boost::beast::http::field::content_type, "text/plain; charset=utf-8");
  res.set(boost::beast::http::field::cache_control, "no-store");
  res.content_length(body.size());
  res.body() = std::make_shared<const std::string>(body);
  return res;
}

publish::HubCounts hub_counts(const websub::HubStats& s) {
  publish::HubCounts counts{s.by_state, s.pushes_sent,   s.pushes_failed, s.verifications_failed,
                            {},         s.latency_count, s.latency_sum};
  for (std::size_t i = 0; i < websub::kDeliveryBuckets.size(); ++i) {
    counts.latency_buckets.emplace_back(websub::kDeliveryBuckets[i], s.latency_buckets[i]);
  }
  return counts;
}

// Our hub (docs/websub.md): a topic is what a GET of it from the public listener returns,
// when that is one of the merged feeds.
std::unique_ptr<websub::Hub> make_hub(boost::asio::io_context& ioc, fetch::Client& client,
                                      storage::Store& store, publish::Server& server, const std::string& base,
                                      const config::WebSubConfig& config) {
  websub::HubOptions options;
  options.base_url = base;
  options.default_lease = config.hub_default_lease;
  options.max_lease = config.hub_max_lease;
  options.max_subscriptions = config.hub_max_subscriptions;
  auto log = logging::get("websub");
  return std::make_unique<websub::Hub>(
      ioc.get_executor(), client, store, options,
      websub::HubHooks{
          .render = [&server](const std::string& target) -> std::optional<websub::TopicContent> {
            publish::Request request{boost::beast::http::verb::get, target, 11};
            const publish::Response res = publish::handle(request, server.context());
            const std::string type(res[boost::beast::http::field::content_type]);
            const bool feed = type.starts_with("application/atom+xml") ||
                              type.starts_with("application/rss+xml") ||
                              type.starts_with("application/feed+json");
            if (res.result() != boost::beast::http::status::ok || !feed || !res.body()) return std::nullopt;
            return websub::TopicContent{type, *res.body(), std::string(res[boost::beast::http::field::etag])};
          },
          .log =
              [log](std::string_view event, const std::string& callback, const std::string& detail) {
                const bool warning = event == "verification_failed" || event == "delivery_failed" ||
                                     event == "delivery_dropped" || event == "store_error";
                log->log(warning ? spdlog::level::warn : spdlog::level::info, "hub.{} {} {}", event,
                         kv("callback", callback), kv("detail", detail));
              },
      });
}

// The demo's database lives with the user's state, never in the source tree.
fs::path default_demo_db() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return fs::path(x) / "tinhop" / "demo.db";
  if (const char* h = std::getenv("HOME"); h && *h)
    return fs::path(h) / ".local" / "state" / "tinhop" / "demo.db";
  return "tinhop-demo.db";
}

std::optional<config::ListenAddress> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (host.empty() || port <= 0 || port > 65535) return std::nullopt;
  return config::ListenAddress{host, static_cast<std::uint16_t>(port)};
}

// `page_cache_kib`: SQLite's page cache per connection. The writer gets 2 MiB: bench/poll's
// 2,000-feed first poll wrote no slower with it than with 4 MiB (and 4 MiB no slower than 8
// or the store's 64 MiB default, which alone would be the daemon's whole memory target); the
// pipeline's small backlog keeps its batches small. The others only read a little.
// With PostgreSQL, this process among the nodes: its writer's commits' notifications name
// it so that its own change listener skips them (the writer's hook tells the publisher
// itself); the other connections' commits (admin edits) stay heard here too. The process
// id keeps apart two daemons that a misconfiguration gave one node name.
std::string notifying_node(const config::Config& cfg) {
  if (cfg.database.url.empty()) return {};
  return daemon::node_name(cfg.cluster) + "/" + std::to_string(::getpid());
}

storage::OpenOptions store_options(const config::Config& cfg, bool read_only,
                                   std::optional<std::int64_t> page_cache_kib = std::nullopt) {
  storage::OpenOptions o;
  if (page_cache_kib) o.page_cache_kib = *page_cache_kib;
  o.busy_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.database.busy_timeout);
  o.read_only = read_only;
  o.dedup.window = std::chrono::duration_cast<std::chrono::hours>(cfg.dedup.window);
  o.dedup.threshold = cfg.dedup.similarity;
  o.dedup.max_candidate_bytes = cfg.dedup.max_candidate_bytes;
  return o;
}

// The installed demo feeds (PREFIX/share/tinhop/demo beside PREFIX/bin/tinhop), else the
// source tree's, for a build run where it was built.
fs::path default_demo_dir() {
  std::error_code ec;
  const fs::path binary = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path bin_dir(TINHOP_BIN_DIR);  // "bin": one level under the prefix
    fs::path prefix = binary.parent_path();
    for (auto levels = std::distance(bin_dir.begin(), bin_dir.end()); levels > 0; --levels) {
      prefix = prefix.parent_path();
    }
    const fs::path installed = prefix / TINHOP_DEMO_DIR;
    if (fs::is_directory(installed, ec)) return installed;
  }
  return fs::path(TINHOP_SOURCE_DIR) / "demo" / "feeds";
}

// Registers every demo/feeds/*.xml as a file:// source (idempotent: by URL).
bool register_demo_sources(storage::Store& store, const fs::path& dir) {
  auto log = logging::get("serve");
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".xml") files.push_back(fs::absolute(entry.path()));
  }
  if (ec || files.empty()) {
    log->error("demo.missing {} {}", kv("dir", dir.string()),
               kv("error", ec ? ec.message() : "no .xml files"));
    return false;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    storage::SourceSettings s;
    s.url = "file://" + file.string();
    s.interval = 60s;
    s.min_interval = 10s;
    s.time_zone = "Asia/Ho_Chi_Minh";
    s.categories = {"demo"};
    s.origin = storage::SourceOrigin::cli;
    auto id = store.upsert_source(s, now());
    if (!id) {
      log->error("demo.register_failed {} {}", kv("url", s.url), kv("error", id.error().message));
      return false;
    }
  }
  log->info("demo.registered {} {}", kv("dir", dir.string()),
            kv("sources", static_cast<std::int64_t>(files.size())));
  return true;
}

// How the admin thread runs work on the event loop and waits for it. Once the loop has
// finished (stopping), close() refuses new work and runs what was posted just before, so
// the admin thread never waits on a loop nobody runs and joining it cannot deadlock.
class LoopGate {
 public:
  explicit LoopGate(boost::asio::io_context& ioc) : ioc_(ioc) {}

  // `fn`'s result, or nullopt once closed.
  template <class F>
  auto run(F fn) -> std::optional<decltype(fn())> {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    {
      std::lock_guard lock(mutex_);
      if (closed_) return std::nullopt;
      boost::asio::post(ioc_, [&task] { task(); });
    }
    return result.get();
  }

  // Call after ioc.run() returned, from its thread.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ioc_.restart();
    ioc_.poll();
  }

 private:
  boost::asio::io_context& ioc_;
  std::mutex mutex_;
  bool closed_ = false;
};

// Every connection is a descriptor: the public cap, the admin cap, the poller's fetches, and
// a margin for the database, the logs and the event loops. Below that, accept() fails with
// EMFILE at some point before the cap, and the cap then means nothing.
void check_fd_limit(const config::Config& cfg, spdlog::logger& log) {
  const std::uint64_t needed = std::uint64_t{cfg.server.max_connections} +
                               admin::ServerOptions{}.max_connections + cfg.fetch.global_concurrency + 128;
  const daemon::FdLimit limit = daemon::ensure_fd_limit(needed);
  if (limit.soft < needed) {
    log.warn("serve.fd_limit_low {} {} {} {} {}", kv("soft", static_cast<std::int64_t>(limit.soft)),
             kv("hard", static_cast<std::int64_t>(limit.hard)),
             kv("needed", static_cast<std::int64_t>(needed)),
             kv("error", limit.error ? std::strerror(limit.error) : "hard limit too low"),
             kv("hint", "raise LimitNOFILE= (systemd) or ulimit -n, or lower server.max_connections"));
  } else if (limit.soft != limit.before) {
    log.info("serve.fd_limit_raised {} {}", kv("from", static_cast<std::int64_t>(limit.before)),
             kv("to", static_cast<std::int64_t>(limit.soft)));
  }
}

int run_serve(const ServeArgs& args) {
  // One malloc arena for the whole process, set before any thread starts. Documents are
  // built on the parse thread and freed on the writer; with an arena per thread each keeps
  // its own free pages and its own peak (bench/poll at 10,000 sources: 3.4 MB less at the
  // peak, and no slower: small blocks come from per-thread caches without the arena lock).
  mallopt(M_ARENA_MAX, 1);
  config::Config cfg;
  if (!args.config_file.empty()) {
    config::LoadResult loaded = config::load_config(args.config_file);
    for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
    if (!loaded.ok()) {
      std::cerr << "tinhop serve: " << args.config_file << " is invalid; not starting\n";
      return exit_config;
    }
    cfg = *loaded.config;
  }
  if (args.demo) {
    cfg.server.listen = {"127.0.0.1", 8080};
    cfg.admin.enabled = false;
    cfg.database.path = default_demo_db();
    // The demo feeds are fixed files: their stories must not age out of the demo.
    cfg.retention.max_age = std::chrono::hours(24 * 365 * 100);
  }
  if (!args.db.empty()) {
    cfg.database.url = storage::is_postgres_location(args.db) ? args.db : "";
    if (cfg.database.url.empty()) cfg.database.path = args.db;
  }
  if (!args.listen.empty()) {
    auto listen = parse_listen(args.listen);
    if (!listen) {
      std::cerr << "tinhop serve: --listen: expected ADDRESS:PORT, got '" << args.listen << "'\n";
      return exit_usage;
    }
    cfg.server.listen = *listen;
  }
  if (!args.log_level.empty()) {
    auto level = config::log_level_from(args.log_level);
    if (!level) {
      std::cerr << "tinhop serve: --log-level: unknown level '" << args.log_level << "'\n";
      return exit_usage;
    }
    cfg.log.level = *level;
  }
  if (!args.log_format.empty()) {
    auto format = config::log_format_from(args.log_format);
    if (!format) {
      std::cerr << "tinhop serve: --log-format: expected text or json\n";
      return exit_usage;
    }
    cfg.log.format = *format;
  }
  logging::setup(cfg.log.level, cfg.log.format, cfg.fetch.secret_params);
  auto log = logging::get("serve");

  // The admin API is on unless the file turns it off; then it must have its token, or the
  // daemon does not start: an operator who enabled it relies on it.
  if (args.config_file.empty()) cfg.admin.enabled = false;
  std::optional<admin::Token> admin_token;
  if (cfg.admin.enabled) {
    auto token = admin::load_token(cfg.admin.token_file, "admin.token_file");
    if (!token) {
      std::cerr << "tinhop serve: admin.token_file: " << token.error().message << "\n"
                << "tinhop serve: " << args.config_file
                << " enables the admin API but its token is unusable; not starting (or set [admin] "
                   "enabled = false)\n";
      return exit_config;
    }
    admin_token = std::move(*token);
  } else {
    log->info("admin.disabled {}",
              kv("reason", args.config_file.empty() ? "no configuration file" : "admin.enabled = false"));
  }

  // The alerts feed's secret and the webhooks' keys are read once, like the token: a file
  // named but unusable stops the start, since the operator relies on being told.
  std::optional<admin::Token> alerts_secret;
  std::vector<webhooks::Webhook> alert_webhooks;
  if (cfg.admin.enabled && !cfg.admin.alerts_secret_file.empty()) {
    auto secret = admin::load_token(cfg.admin.alerts_secret_file, "admin.alerts_secret_file");
    if (!secret) {
      std::cerr << "tinhop serve: admin.alerts_secret_file: " << secret.error().message << "\n";
      return exit_config;
    }
    alerts_secret = std::move(*secret);
  }
  if (cfg.alerts.enabled) {
    for (std::size_t i = 0; i < cfg.alerts.webhooks.size(); ++i) {
      const config::AlertWebhook& hook = cfg.alerts.webhooks[i];
      auto key = admin::load_token(hook.secret_file, "alerts.webhook[" + std::to_string(i) + "].secret_file");
      if (!key) {
        std::cerr << "tinhop serve: alerts.webhook " << hook.url << ": secret_file: " << key.error().message
                  << "\n";
        return exit_config;
      }
      alert_webhooks.push_back({hook.url, std::move(key->value), hook.kinds});
    }
  }

  std::error_code dir_ec;
  if (cfg.database.url.empty() && cfg.database.path.has_parent_path())
    fs::create_directories(cfg.database.path.parent_path(), dir_ec);
  const std::string db = config::database_location(cfg.database);
  storage::OpenOptions writer_options = store_options(cfg, false, 2048);
  writer_options.node = notifying_node(cfg);
  auto writer = storage::Store::open(db, writer_options);
  if (!writer) {
    log->critical("db.open_failed {} {}", kv("path", db), kv("error", writer.error().message));
    return exit_failure;
  }
  auto loop_store = storage::Store::open(db, store_options(cfg, false, 2048));
  auto publish_store = storage::Store::open(db, store_options(cfg, true, 2048));
  auto admin_store = storage::Store::open(db, store_options(cfg, false, 2048));
  if (!loop_store || !publish_store || !admin_store) {
    log->critical("db.open_failed {} {}", kv("path", db), kv("error", "second connection refused"));
    return exit_failure;
  }
  if (args.demo && !register_demo_sources(
                       *loop_store, args.demo_dir.empty() ? default_demo_dir() : fs::path(args.demo_dir)))
    return exit_failure;
  if (!args.config_file.empty()) {
    const auto report = admin::sync_sources(*loop_store, cfg, now());
    for (const auto& note : report.notes) log->warn("sources.sync_note {}", kv("note", note));
    log->info("sources.synced {} {} {}", kv("added", static_cast<std::int64_t>(report.added)),
              kv("updated", static_cast<std::int64_t>(report.updated)),
              kv("disabled", static_cast<std::int64_t>(report.disabled)));
    const auto rules = admin::sync_rules(*loop_store, cfg, now());
    for (const auto& note : rules.notes) log->warn("rules.sync_note {}", kv("note", note));
    log->info("rules.synced {} {} {}", kv("added", static_cast<std::int64_t>(rules.added)),
              kv("updated", static_cast<std::int64_t>(rules.updated)),
              kv("removed", static_cast<std::int64_t>(rules.removed)));
  }
  // The sources live in the database from here on: nothing reads the file's list again (a
  // reload syncs the list it loads), and at 10,000 sources it is 5 MB for the daemon's life.
  // (Moved from, not assigned `{}`: that keeps the 480-byte-a-source array allocated.)
  cfg.sources = std::vector<config::FileSource>();
  config::LiveConfig live(cfg);

  boost::asio::io_context ioc;
  boost::asio::io_context publish_ioc;
  publish::ServerOptions popts;
  popts.address = cfg.server.listen.host;
  popts.port = cfg.server.listen.port;
  popts.public_url = cfg.server.base_url;
  std::string public_base = cfg.server.base_url;
  while (public_base.ends_with('/')) public_base.pop_back();
  // Our hub needs the public URL subscribers reach: topics are feeds under it.
  const bool run_hub = cfg.websub.hub && !public_base.empty();
  if (run_hub) popts.hub_url = public_base + std::string(websub::kHubPath);
  popts.trusted_proxies = cfg.server.trusted_proxies;
  popts.secret_params = cfg.fetch.secret_params;
  popts.version = TINHOP_VERSION;
  popts.max_age = std::min<std::chrono::seconds>(cfg.poll.min_interval, std::chrono::seconds(300));
  popts.default_limit = cfg.server.feed_limit;
  popts.max_limit = cfg.server.max_feed_limit;
  popts.render_cache_bytes = cfg.server.render_cache_bytes;
  popts.max_document_bytes = cfg.server.render_cache_bytes / 4;
  popts.max_content_bytes = cfg.server.max_content_bytes;
  popts.display_time_zone =
      cfg.server.display_time_zone.empty() ? cfg.defaults.time_zone : cfg.server.display_time_zone;
  popts.max_connections = cfg.server.max_connections;
  popts.max_connections_per_ip = cfg.server.max_connections_per_ip;
  popts.header_timeout = cfg.server.header_timeout;
  popts.idle_timeout = cfg.server.idle_timeout;
  // The demo's feeds carry fixed dates, long past: its top stories rank them all.
  const auto editorial = [&] {
    publish::Editorial chosen = daemon::editorial_from(*live.current());
    if (args.demo) chosen.top.window = std::chrono::hours(24 * 365 * 10);
    return chosen;
  };
  popts.editorial = editorial();
  check_fd_limit(cfg, *log);
  publish::Server server(publish_ioc, *publish_store, popts);
  if (auto ec = server.start()) {
    log->critical("http.listen_failed {} {}", kv("listen", cfg.server.listen.to_string()),
                  kv("error", ec.message()));
    return exit_failure;
  }

  // Several nodes on one PostgreSQL database: another node's commit replaces this one's
  // renderings within milliseconds (the publisher's own check of the store's change
  // marker stays as the fallback); the listener's connection is also how the node learns
  // that the database went away and came back. Nothing to hear with SQLite.
  const auto db_log = logging::get("db");
  const auto listener = storage::ChangeListener::start(
      db,
      storage::ChangeHooks{
          .changed = [&server] { server.notify_changed(); },
          .connection =
              [&server, db_log](std::optional<std::string> lost) {
                if (lost) {
                  db_log->error("db.unreachable {} {}", kv("error", *lost),
                                kv("action", "feeds served as last rendered, polling paused"));
                  server.context().database_lost(std::move(*lost), now());
                } else {
                  db_log->info("db.reachable");
                  server.context().database_restored();
                }
              },
      },
      notifying_node(cfg));

  daemon::PollServiceOptions options = daemon::poll_options_from(cfg);
  // The pushes' own client (our hub's deliveries, the external hubs' pings): they do not
  // wait behind the polls.
  std::optional<fetch::Client> hub_client;
  std::unique_ptr<websub::Hub> hub;
  std::unique_ptr<websub::PublishPings> pings;
  const bool run_pings = !cfg.websub.publish_to.empty() && !public_base.empty();
  if (run_hub || run_pings) {
    // As many kept-alive connections per subscriber host as deliveries run there at once.
    fetch::ClientOptions hub_options = options.client;
    hub_options.max_idle_per_host =
        std::max(hub_options.max_idle_per_host, websub::HubOptions{}.max_in_flight_per_host);
    hub_client.emplace(ioc.get_executor(), hub_options);
  }
  if (run_hub) hub = make_hub(ioc, *hub_client, *loop_store, server, public_base, cfg.websub);
  if (run_pings) {
    auto ping_log = logging::get("websub");
    pings = std::make_unique<websub::PublishPings>(
        ioc.get_executor(), *hub_client, websub::PingOptions{.hubs = cfg.websub.publish_to},
        [ping_log](std::string_view event, const std::string& hub_url, const std::string& detail) {
          ping_log->log(event == "published" ? spdlog::level::info : spdlog::level::warn, "hub.{} {} {}",
                        event, kv("hub", hub_url), kv("detail", detail));
        });
  }
  // Source alerts (docs/operations.md): checked on the writer thread, told on the event loop.
  std::optional<daemon::AlertWatch> alert_watch;
  std::optional<fetch::Client> alert_client;
  std::unique_ptr<webhooks::Webhooks> alert_hooks;
  if (cfg.alerts.enabled) {
    alert_watch.emplace(daemon::alert_watch_options_from(cfg.alerts));
    if (!alert_webhooks.empty()) {
      alert_client.emplace(ioc.get_executor(), options.client);
      auto hook_log = logging::get("alerts");
      alert_hooks = std::make_unique<webhooks::Webhooks>(
          ioc.get_executor(), *alert_client, std::move(alert_webhooks), webhooks::Options{},
          [hook_log](std::string_view event, const std::string& url, const std::string& detail) {
            hook_log->log(event == "delivered" ? spdlog::level::info : spdlog::level::warn,
                          "webhook.{} {} {}", event, kv("url", url), kv("detail", detail));
          });
    }
  }
  // Writer thread: checks the sources (all, or those of a committed batch) and tells each change.
  const auto check_alerts = [&alert_watch, &alert_hooks, &ioc](
                                storage::Store& store,
                                const std::optional<std::vector<daemon::PolledSource>>& polls) {
    auto alert_log = logging::get("alerts");
    auto told = polls ? alert_watch->check_polled(store, *polls, now())
                      : alert_watch->check(store, std::nullopt, now());
    if (!told) {
      alert_log->error("alert.check_failed {}", kv("error", told.error().message));
      return;
    }
    for (const daemon::ToldAlert& alert : *told) {
      alert_log->log(alert.event.kind == "recovered" ? spdlog::level::info : spdlog::level::warn,
                     "alert.{} {} {} {} {}", alert.event.kind, kv("source", alert.event.source_id),
                     kv("url", alert.source_url), kv("title", alert.source_title),
                     kv("detail", alert.event.detail));
      if (alert_hooks) {
        boost::asio::post(
            ioc, [&alert_hooks, kind = alert.event.kind, body = daemon::alert_json(alert)]() mutable {
              alert_hooks->send(kind, std::move(body));
            });
      }
    }
  };
  if (args.demo) {
    options.poller.policy.min_interval = 10s;
    options.poller.gate.min_spacing = 0ms;
  }
  // Several nodes: the claims, lease renewals and heartbeats on a connection and a thread
  // of their own, off the event loop.
  std::optional<storage::Store> cluster_store;
  if (options.cluster) {
    auto opened = storage::Store::open(db, store_options(cfg, false, 2048));
    if (!opened) {
      log->critical("db.open_failed {} {}", kv("path", db), kv("error", opened.error().message));
      return exit_failure;
    }
    cluster_store = std::move(*opened);
  }
  daemon::PollService service(
      ioc, *loop_store, *writer, options,
      daemon::PollServiceHooks{
          .committed =
              [&server, &writer, &hub, &pings, &ioc, &public_base, &alert_watch,
               &check_alerts](const auto& polls) {
                server.dedup_waits(writer->dedup_waits());
                if (alert_watch) {
                  std::vector<daemon::PolledSource> polled;
                  for (const auto& c : polls) {
                    polled.push_back({c.report.source_id, c.report.outcome == fetch::PollOutcome::failed,
                                      c.items_added > 0});
                  }
                  check_alerts(*writer, polled);
                }
                bool added = false;
                // The feeds that gained entries, for the external hubs: the river and each
                // source's, in every format.
                std::vector<std::string> topics;
                for (const auto& c : polls) {
                  server.record_poll(c.report.source_id, daemon::to_record(c.report).status);
                  if (c.items_added == 0 && c.items_updated == 0) continue;
                  added = true;
                  if (!pings) continue;
                  for (const char* format : {"atom", "rss", "json"}) {
                    topics.push_back(public_base + "/sources/" + std::to_string(c.report.source_id) +
                                     "/feed." + format);
                  }
                }
                if (!added) return;
                server.notify_changed();
                if (hub) {
                  boost::asio::post(ioc, [&hub, at = std::chrono::steady_clock::now()] { hub->changed(at); });
                }
                if (pings) {
                  for (const char* format : {"atom", "rss", "json"})
                    topics.push_back(public_base + "/feed." + format);
                  boost::asio::post(ioc, [&pings, topics = std::move(topics)] { pings->changed(topics); });
                }
              },
          .writes_refused = [&server](const std::string& error,
                                      Instant since) { server.writes_refused(error, since); },
          .writes_resumed = [&server] { server.writes_resumed(); },
      },
      std::move(cluster_store));
  if (websub::Subscriber* subscriber = service.subscriber()) {
    // The hubs' calls to our callback URLs, answered on the event loop the subscriber lives on.
    server.delegate(
        std::string(websub::kCallbackPath), cfg.fetch.max_body_bytes,
        [&ioc, subscriber](publish::Request request, std::function<void(publish::Response)> respond) {
          websub::CallbackRequest call;
          call.post = request.method() == boost::beast::http::verb::post;
          call.target = std::string(request.target());
          call.signature = std::string(request["X-Hub-Signature"]);
          call.content_type = std::string(request[boost::beast::http::field::content_type]);
          call.body = std::move(request.body());
          boost::asio::post(ioc, [subscriber, call = std::move(call), respond = std::move(respond),
                                  version = request.version()] {
            const websub::CallbackAnswer answer = subscriber->handle(call);
            respond(plain_response(answer.status, answer.body, version));
          });
        });
  }

  if (hub) {
    // Subscription requests, answered on the event loop the hub lives on.
    server.delegate(std::string(websub::kHubPath), 16U << 10U,
                    [&ioc, &hub](publish::Request request, std::function<void(publish::Response)> respond) {
                      websub::HubRequest call;
                      call.post = request.method() == boost::beast::http::verb::post;
                      call.content_type = std::string(request[boost::beast::http::field::content_type]);
                      call.body = std::move(request.body());
                      boost::asio::post(ioc, [&hub, call = std::move(call), respond = std::move(respond),
                                              version = request.version()] {
                        const websub::HubAnswer answer = hub->handle(call);
                        respond(plain_response(answer.status, answer.body, version));
                      });
                    });
  }
  // A reload also replaces the views and top stories the publisher shows (its cache with them).
  const auto reload = [&] {
    auto result = daemon::reload_config(live, *loop_store, service, now());
    server.context().set_editorial(editorial());
    return result;
  };

  LoopGate loop(ioc);
  // Discoveries and previews wait on other people's servers, up to the fetch deadlines:
  // a few at once, each on its own handler thread, and two threads more for the rest.
  constexpr std::size_t kAdminFetches = 4;
  admin::RequestLock admin_lock(kAdminFetches);
  std::unique_ptr<admin::Api> api;
  std::unique_ptr<console::Console> admin_console;
  std::unique_ptr<admin::AdminServer> admin_server;
  if (admin_token) {
    admin::ApiHooks hooks;
    hooks.poll_now = [&](std::int64_t id) {
      return loop
          .run([&service, id] {
            if (!service.knows(id)) return false;
            service.poll_now(id);
            return true;
          })
          .value_or(false);
    };
    hooks.sources_changed = [&] { boost::asio::post(ioc, [&service] { service.refresh_sources(); }); };
    hooks.daemon_health = [&] {
      return loop
          .run([&service, &server] {
            boost::json::object o;
            const auto loss = server.context().database_loss();
            o["database"] = loss ? boost::json::string(*loss) : boost::json::string("reachable");
            o["summary"] = service.summary();
            o["in_flight"] = service.in_flight();
            o["write_backlog"] = service.pipeline().pending();
            return o;
          })
          .value_or(boost::json::object{{"stopping", true}});
    };
    hooks.reload = [&] {
      return loop.run([&] { return reload(); })
          .value_or(admin::ApiHooks::Reload{false, {"tinhop is stopping"}, {}});
    };
    hooks.discover = [&live, &admin_lock](const std::string& url) {
      fetch::Request request;
      request.url = url;
      request.trusted_origin_url = "";  // as for a source added through the API
      const fetch::ClientOptions client = daemon::poll_options_from(*live.current()).client;
      return admin_lock.unlocked([&] { return fetch::discover_now(std::move(request), client); });
    };
    hooks.preview_html = [&live, &admin_lock](fetch::Request request, const ParseContext& context,
                                              const HtmlSelectors& selectors) {
      const fetch::ClientOptions client = daemon::poll_options_from(*live.current()).client;
      return admin_lock.unlocked([&] {
        return admin::preview_page(admin::fetch_page(std::move(request), client), context, selectors, true);
      });
    };
    admin_console = std::make_unique<console::Console>(*admin_token, *admin_store, live, hooks, now);
    api = std::make_unique<admin::Api>(std::move(*admin_token), *admin_store, live, hooks, now,
                                       std::move(alerts_secret));
    admin::ServerOptions aopts;
    aopts.listen = cfg.admin.listen;
    aopts.max_body_bytes = cfg.admin.max_body_bytes;
    aopts.header_timeout = cfg.server.header_timeout;
    aopts.handler_threads = kAdminFetches + 2;
    aopts.log = [](bool warning, std::string_view line) {
      logging::get("admin")->log(warning ? spdlog::level::warn : spdlog::level::info, "{}", line);
    };
    // The console's pages under /admin, the JSON API (and its 404s) everywhere else.
    auto route = [&api, &admin_console](const admin::Request& request) {
      const std::string_view target = request.target();
      const bool console_page =
          target == "/admin" || target.starts_with("/admin/") || target.starts_with("/admin?");
      return console_page ? admin_console->handle(request) : api->handle(request);
    };
    auto started = admin::AdminServer::start(admin_lock.serialized(route), aopts);
    if (!started) {
      log->critical("admin.listen_failed {} {}", kv("listen", cfg.admin.listen.to_string()),
                    kv("error", started.error().message));
      return exit_failure;
    }
    admin_server = std::move(*started);
  }

  // Set by the first SIGTERM/SIGINT (begin_stop below).
  bool stopping = false;

  // Housekeeping on the event loop: the source list, systemd status and watchdog. A wait
  // that had completed when begin_stop cancelled its timer still runs its handler (cancel
  // only reaches waits still pending), so the handlers check `stopping` too: one that
  // re-armed itself kept the loop running for ever after a SIGTERM that came while a
  // SIGHUP's reload held the loop (bench/soak, issue #22).
  boost::asio::steady_timer tick(ioc);
  int ticks = 0;
  std::function<void()> schedule_tick = [&] {
    tick.expires_after(1s);
    tick.async_wait([&](boost::system::error_code ec) {
      if (ec || stopping) return;
      service.refresh_sources();
      service.refresh_rules();
      if (websub::Subscriber* subscriber = service.subscriber()) {
        const websub::SubscriberStats s = subscriber->stats();
        server.context().metrics().websub(
            {s.pushes_received, s.pushes_refused, s.verifications_refused, s.requests_failed, s.by_state});
      }
      if (const auto cluster = service.cluster_counts()) {
        server.context().metrics().cluster(
            {cluster->node, cluster->leases_held, cluster->claims, cluster->lost_leases});
      }
      if (hub) server.context().metrics().hub(hub_counts(hub->stats()));
      if (alert_watch) {
        daemon::AlertTally tally = alert_watch->tally();
        const webhooks::Stats sent = alert_hooks ? alert_hooks->stats() : webhooks::Stats{};
        server.context().metrics().alerts({std::move(tally.sources), std::move(tally.transitions),
                                           sent.delivered, sent.failed, sent.dropped});
      }
      if (pings) {
        const websub::PingStats p = pings->stats();
        server.context().metrics().pings({p.sent, p.failed});
      }
      if (++ticks % 10 == 0) service::notify_status(service.summary());
      // Retention a minute after start, then hourly, with the [retention] of that moment.
      if (ticks % 3600 == 60) {
        service.maintain([retention = live.current()->retention, log](storage::Store& store) {
          const daemon::MaintenanceReport r = daemon::run_maintenance(store, retention, now());
          if (!r.error.empty()) {
            log->error("maintenance.failed {}", kv("error", r.error));
            return;
          }
          log->info("maintenance.done {} {} {} {}", kv("purged_items", r.retention.purged_items),
                    kv("dissolved_clusters", r.retention.dissolved_clusters),
                    kv("reassigned_primaries", r.retention.reassigned_primaries),
                    kv("tombstones_forgotten", r.tombstones_forgotten));
        });
      }
      schedule_tick();
    });
  };
  // Every source's alert condition, every alerts.check_interval, on the writer thread.
  boost::asio::steady_timer alert_timer(ioc);
  std::function<void()> schedule_alert_check = [&] {
    if (!alert_watch) return;
    alert_timer.expires_after(cfg.alerts.check_interval);
    alert_timer.async_wait([&](boost::system::error_code ec) {
      if (ec || stopping) return;
      service.maintain([&check_alerts](storage::Store& store) { check_alerts(store, std::nullopt); });
      schedule_alert_check();
    });
  };
  // WATCHDOG=1 from the event loop, after a database round trip, at half of WatchdogSec.
  boost::asio::steady_timer watchdog(ioc);
  const auto watchdog_every = service::watchdog_interval();
  std::function<void()> schedule_watchdog = [&] {
    if (!watchdog_every) return;
    watchdog.expires_after(*watchdog_every);
    watchdog.async_wait([&](boost::system::error_code ec) {
      if (ec || stopping) return;
      if (loop_store->sources_version()) service::notify_watchdog();
      schedule_watchdog();
    });
  };

  // Two-phase stop: no new polls, polls in flight finish (bounded), then the writes.
  boost::asio::steady_timer drain(ioc);
  std::chrono::steady_clock::time_point drain_until{};
  std::function<void()> wait_for_polls = [&] {
    if (service.in_flight() == 0) {
      service.cancel_fetches();  // closes kept-alive connections too
      return;
    }
    if (std::chrono::steady_clock::now() >= drain_until) service.cancel_fetches();
    drain.expires_after(50ms);
    drain.async_wait([&](boost::system::error_code ec) {
      if (!ec) wait_for_polls();
    });
  };
  auto begin_stop = [&](int signal) {
    if (stopping) {
      log->warn("serve.stop_forced {}", kv("signal", signal));
      service.cancel_fetches();
      return;
    }
    stopping = true;
    log->info("serve.stopping {} {}", kv("signal", signal),
              kv("in_flight", static_cast<std::int64_t>(service.in_flight())));
    service::notify_stopping();
    // Both listeners stop taking work now: the public one closes, the admin one answers 503
    // until the drain ends (writes acknowledged before this are already committed).
    if (admin_server) admin_server->refuse_requests();
    service.stop_scheduling();
    if (hub) hub->stop();
    if (pings) pings->stop();
    if (hub_client) hub_client->shutdown();  // deliveries in flight end; kept-alive connections close
    tick.cancel();
    watchdog.cancel();
    alert_timer.cancel();
    if (alert_hooks) {
      alert_hooks->stop();
      alert_client->shutdown();
    }
    boost::asio::post(publish_ioc, [&server] { server.stop(); });
    drain_until = std::chrono::steady_clock::now() + 10s;
    wait_for_polls();
  };

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM, SIGHUP);
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        reload();
      } else {
        begin_stop(signal);
        if (stopping) signals.cancel();
      }
      if (!stopping) wait_signal();
    });
  };
  wait_signal();

  service.start();
  if (hub) {
    // Without its stored subscriptions the hub still takes new ones.
    if (auto started = hub->start(); !started) {
      logging::get("websub")->error("hub.start_failed {}", kv("error", started.error().message));
    }
  }
  schedule_tick();
  schedule_watchdog();
  schedule_alert_check();
  std::thread publish_thread([&publish_ioc] { publish_ioc.run(); });
  log->info("serve.started {} {} {} {}", kv("db", db), kv("listen", cfg.server.listen.to_string()),
            kv("demo", args.demo ? "true" : "false"), kv("status", service.summary()));
  service::notify_ready(service.summary());

  ioc.run();
  loop.close();
  // Phase two: every finished poll is committed, then the database is closed last.
  service.finish_writes();
  if (admin_server) admin_server->stop();
  publish_thread.join();
  if (auto ck = writer->checkpoint(); !ck)
    log->warn("db.checkpoint_failed {}", kv("error", ck.error().message));
  log->info("serve.stopped {}",
            kv("polls_committed", static_cast<std::int64_t>(service.pipeline().committed_polls())));
  return exit_ok;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Poll every source, store the items and serve the merged feeds");
  cmd->add_option("--config", args->config_file, "Configuration file (TOML)")->check(CLI::ExistingFile);
  cmd->add_flag("--demo", args->demo, "Poll the demo feeds shipped in demo/feeds/ (no network needed)");
  cmd->add_option("--db", args->db,
                  "Database file (default: the config's, or the demo's under $XDG_STATE_HOME)");
  cmd->add_option("--listen", args->listen,
                  "Public address for the feeds, ADDRESS:PORT (demo: 127.0.0.1:8080)");
  cmd->add_option("--demo-dir", args->demo_dir,
                  "Folder of the demo feeds (default: PREFIX/share/tinhop/demo, else the source tree's)");
  cmd->add_option("--log-level", args->log_level, "trace, debug, info, warn, error");
  cmd->add_option("--log-format", args->log_format, "text (logfmt) or json");
  cmd->callback([args, &exit_code] {
    if (!args->demo && args->config_file.empty() && args->db.empty()) {
      std::cerr << "tinhop serve: give --config FILE, --db PATH or --demo\n";
      exit_code = exit_usage;
      return;
    }
    exit_code = run_serve(*args);
  });
}

}  // namespace tinhop::cli
