#include <iostream>

#include "commands.hpp"

namespace tinhop::cli {

void add_version_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("version", "Print the version and exit");
  cmd->callback([&exit_code] {
    std::cout << "tinhop " << TINHOP_VERSION << "\n";
    exit_code = exit_ok;
  });
}

}  // namespace tinhop::cli
