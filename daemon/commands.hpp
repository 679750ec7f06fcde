// Each subcommand of the `tinhop` executable registers itself on the CLI here.
#pragma once

#include <CLI/CLI.hpp>

namespace tinhop::cli {

// Exit codes shared by every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;
// The configuration cannot work (sysexits' EX_CONFIG): the unit does not restart on it.
inline constexpr int exit_config = 78;

// Each add_* registers a subcommand whose callback stores its exit code in `exit_code`.
void add_version_command(CLI::App& app, int& exit_code);
void add_parse_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_sources_command(CLI::App& app, int& exit_code);
void add_check_config_command(CLI::App& app, int& exit_code);
void add_rules_command(CLI::App& app, int& exit_code);
void add_cluster_command(CLI::App& app, int& exit_code);
void add_migrate_db_command(CLI::App& app, int& exit_code);

// `tinhop sources preview`: registered by add_sources_command on its `sources` subcommand.
void add_sources_preview_command(CLI::App& sources, int& exit_code);
// `tinhop sources poll`: likewise; `config_file` is the `sources` command's -c, read when it runs.
void add_sources_poll_command(CLI::App& sources, const std::string& config_file, int& exit_code);

}  // namespace tinhop::cli
