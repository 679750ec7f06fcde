// tinhop: polls many news feeds and republishes them as one merged feed.
#include <iostream>
#include <string>

#include "commands.hpp"

namespace {

bool is_subcommand(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(name)) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tinhop: merges the news feeds of many agencies into one feed", "tinhop"};
  app.require_subcommand(1);
  app.fallthrough(false);
  int exit_code = tinhop::cli::exit_ok;
  tinhop::cli::add_version_command(app, exit_code);
  tinhop::cli::add_parse_command(app, exit_code);
  tinhop::cli::add_serve_command(app, exit_code);
  tinhop::cli::add_sources_command(app, exit_code);
  tinhop::cli::add_check_config_command(app, exit_code);
  tinhop::cli::add_rules_command(app, exit_code);
  tinhop::cli::add_cluster_command(app, exit_code);
  tinhop::cli::add_migrate_db_command(app, exit_code);
  if (argc > 1 && argv[1][0] != '-' && !is_subcommand(app, argv[1])) {
    std::cerr << "tinhop: unknown subcommand '" << argv[1] << "'\n\n" << app.help();
    return tinhop::cli::exit_usage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return tinhop::cli::exit_ok;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return tinhop::cli::exit_ok;
  } catch (const CLI::ParseError& error) {
    std::cerr << "tinhop: " << error.what() << "\n\n" << app.help();
    return tinhop::cli::exit_usage;
  }
  return exit_code;
}
