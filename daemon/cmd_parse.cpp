#include <iostream>

#include "commands.hpp"

namespace tinhop::cli {

void add_parse_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("parse", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([&exit_code] {
    std::cerr << "tinhop parse: not built yet\n";
    exit_code = exit_failure;
  });
}

}  // namespace tinhop::cli
