// `tinhop migrate-db --from LOCATION --to LOCATION`: copies a whole database into an empty
// one, SQLite to PostgreSQL or back (storage::copy_database; docs/operations.md).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::cli {

namespace {

struct Options {
  std::string from;
  std::string to;
  std::size_t batch = 1000;
};

constexpr std::string_view kSqlitePrefix = "sqlite:";

// A store location from the command line: "sqlite:PATH", or a PostgreSQL URI or libpq words.
std::optional<std::string> location_of(const std::string& argument) {
  if (argument.starts_with(kSqlitePrefix) && argument.size() > kSqlitePrefix.size())
    return argument.substr(kSqlitePrefix.size());
  if (storage::is_postgres_location(argument)) return argument;
  return std::nullopt;
}

int migrate(const Options& options) {
  const auto from = location_of(options.from);
  const auto to = location_of(options.to);
  for (const auto& [given, location] : {std::pair{&options.from, &from}, std::pair{&options.to, &to}}) {
    if (!*location) {
      std::cerr
          << "tinhop migrate-db: '" << *given
          << "' is neither sqlite:PATH nor a PostgreSQL location (postgresql://... or host=... dbname=...)\n";
      return exit_usage;
    }
  }
  storage::CopyOptions copy;
  copy.batch_rows = options.batch;
  const auto report = storage::copy_database(*from, *to, copy);
  if (!report) {
    std::cerr << "tinhop migrate-db: " << report.error().message << '\n';
    return exit_failure;
  }
  for (const auto& [table, rows] : report->rows) std::cout << table << ' ' << rows << '\n';
  return exit_ok;
}

}  // namespace

void add_migrate_db_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "migrate-db", "Copy a whole database into an empty one (SQLite to PostgreSQL or back), ids kept");
  cmd->add_option("--from", options->from, "sqlite:PATH, or a PostgreSQL URI or libpq words")->required();
  cmd->add_option("--to", options->to, "the empty target, in the same forms")->required();
  cmd->add_option("--batch", options->batch, "rows per transaction (memory bound)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->callback([options, &exit_code] { exit_code = migrate(*options); });
}

}  // namespace tinhop::cli
