// `tinhop check-config FILE`: every problem of a configuration file as
// `file:line: key: message`, exit 1 when any is an error.
#include <iostream>

#include "commands.hpp"
#include "tinhop/config/config.hpp"

namespace tinhop::cli {

void add_check_config_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "check-config", "Check a configuration file; print every problem as file:line: key: message");
  auto file = std::make_shared<std::string>("/etc/tinhop/tinhop.toml");
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("file", *file, "The TOML file to check")->capture_default_str();
  cmd->add_flag("-q,--quiet", *quiet, "Print only problems, no summary");
  cmd->callback([&exit_code, file, quiet] {
    config::LoadResult result = config::load_config(*file);
    std::size_t errors = 0;
    std::size_t warnings = 0;
    for (const config::Diagnostic& diagnostic : result.diagnostics) {
      std::cerr << diagnostic.to_string() << '\n';
      (diagnostic.severity == config::Diagnostic::Severity::error ? errors : warnings)++;
    }
    if (!result.ok()) {
      std::cerr << *file << ": " << errors << (errors == 1 ? " error" : " errors");
      if (warnings) std::cerr << ", " << warnings << (warnings == 1 ? " warning" : " warnings");
      std::cerr << '\n';
      exit_code = exit_failure;
      return;
    }
    if (!*quiet) {
      std::size_t sources = result.config->sources.size();
      std::cout << *file << ": ok, " << sources << (sources == 1 ? " source" : " sources");
      if (warnings) std::cout << ", " << warnings << (warnings == 1 ? " warning" : " warnings");
      std::cout << '\n';
    }
    exit_code = exit_ok;
  });
}

}  // namespace tinhop::cli
