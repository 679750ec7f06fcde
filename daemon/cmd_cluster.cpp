// `tinhop cluster status`: the daemons sharing one database, their heartbeats, the leases
// they hold and how many sources each polled last (docs/operations.md, "Several nodes").
#include <boost/json.hpp>
#include <iostream>

#include "commands.hpp"
#include "tinhop/config/config.hpp"
#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::cli {

namespace {

struct Options {
  std::string config_file = "/etc/tinhop/tinhop.toml";
  std::string database;  // overrides the file's database (a SQLite file or a PostgreSQL URL)
  bool json = false;
};

int fail(const std::string& message) {
  std::cerr << "tinhop cluster: " << message << '\n';
  return exit_failure;
}

std::string rfc3339(storage::MilliInstant t) {
  return format_rfc3339(std::chrono::floor<std::chrono::seconds>(t));
}

int status(const Options& options) {
  config::Config config;
  if (options.database.empty()) {
    config::LoadResult loaded = config::load_config(options.config_file);
    if (!loaded.ok()) {
      for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << '\n';
      return exit_config;
    }
    config = std::move(*loaded.config);
  } else if (storage::is_postgres_location(options.database)) {
    config.database.url = options.database;
  } else {
    config.database.path = options.database;
  }
  const std::string location = config::database_location(config.database);
  storage::OpenOptions open_options;
  open_options.busy_timeout = config.database.busy_timeout;
  auto store = storage::Store::open(location, open_options);
  if (!store) return fail("cannot open the database: " + store.error().message);
  const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  auto nodes = store->cluster_status(now);
  if (!nodes) return fail(nodes.error().message);
  if (options.json) {
    boost::json::array out;
    for (const storage::NodeStatus& n : *nodes) {
      out.push_back({{"node", n.node},
                     {"started", rfc3339(n.started)},
                     {"heartbeat", rfc3339(n.heartbeat)},
                     {"heartbeat_age_ms", (now - n.heartbeat).count()},
                     {"leases_held", n.leases_held},
                     {"sources", n.sources},
                     {"claims", n.claims},
                     {"lost_leases", n.lost_leases}});
    }
    std::cout << boost::json::serialize(out) << '\n';
    return exit_ok;
  }
  if (nodes->empty()) {
    std::cout << "no node has polled this database with leases (one daemon on SQLite schedules alone)\n";
    return exit_ok;
  }
  for (const storage::NodeStatus& n : *nodes) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - n.heartbeat).count();
    std::cout << n.node << ": heartbeat " << rfc3339(n.heartbeat) << " (" << age << "s ago), started "
              << rfc3339(n.started) << ", " << n.leases_held << " leases held, " << n.sources << " sources, "
              << n.claims << " claims, " << n.lost_leases << " lost leases\n";
  }
  return exit_ok;
}

}  // namespace

void add_cluster_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<Options>();
  auto* cluster =
      app.add_subcommand("cluster", "The daemons sharing one PostgreSQL database (docs/operations.md)");
  cluster->require_subcommand(1);
  cluster->add_option("-c,--config", options->config_file, "Configuration file")->capture_default_str();
  cluster->add_option("--database", options->database,
                      "SQLite file or PostgreSQL URL (overrides the configuration)");
  auto* status_command =
      cluster->add_subcommand("status", "Each node: heartbeat, leases held, sources it polled last");
  status_command->add_flag("--json", options->json, "JSON array instead of text");
  status_command->callback([options, &exit_code] { exit_code = status(*options); });
}

}  // namespace tinhop::cli
