#include <iostream>

#include "commands.hpp"

namespace tinhop::cli {

void add_sources_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("sources", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([&exit_code] {
    std::cerr << "tinhop sources: not built yet\n";
    exit_code = exit_failure;
  });
}

}  // namespace tinhop::cli
