#include <iostream>

#include "commands.hpp"

namespace tinhop::cli {

void add_sources_preview_command(CLI::App& sources, int& exit_code) {
  auto* cmd = sources.add_subcommand("preview", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([&exit_code] {
    std::cerr << "tinhop sources preview: not built yet\n";
    exit_code = exit_failure;
  });
}

}  // namespace tinhop::cli
