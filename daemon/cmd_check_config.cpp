// `tinhop check-config FILE`: every problem of a configuration file as
// `file:line: key: message`, exit 1 when any is an error.
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "tinhop/admin/api.hpp"
#include "tinhop/config/config.hpp"
#include "tinhop/parsers/url_privacy.hpp"

namespace tinhop::cli {

namespace {

// The line where `key` is set in `file` (the first such line), 0 when not written there.
std::uint32_t line_of_key(const std::string& file, std::string_view key) {
  std::ifstream in(file);
  std::uint32_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::size_t start = line.find_first_not_of(" \t");
    if (start != std::string::npos && line.compare(start, key.size(), key) == 0 &&
        line.find('=', start + key.size()) != std::string::npos)
      return number;
  }
  return 0;
}

// What `serve` checks beyond the file itself, as diagnostics: the secret files it reads at
// start (admin::load_token), which make it exit 78 when unusable: the admin token, the
// alerts feed's secret and the webhooks' keys. Under systemd such a file is a credential
// only the service sees, so outside it that is a warning.
std::optional<config::Diagnostic> check_secret(const std::string& file, std::uint32_t line, std::string key,
                                               const std::string& path) {
  config::Diagnostic diagnostic;
  diagnostic.file = file;
  diagnostic.line = line;
  diagnostic.key = std::move(key);
  const char* credentials = std::getenv("CREDENTIALS_DIRECTORY");
  if (path.rfind("$CREDENTIALS_DIRECTORY", 0) == 0 && (!credentials || !*credentials)) {
    diagnostic.severity = config::Diagnostic::Severity::warning;
    diagnostic.message =
        "not checked: $CREDENTIALS_DIRECTORY is set only inside the service (LoadCredential=)";
    return diagnostic;
  }
  auto token = admin::load_token(path, diagnostic.key);
  if (token) return std::nullopt;
  diagnostic.message = token.error().message;
  return diagnostic;
}

std::vector<config::Diagnostic> check_secrets(const config::Config& cfg, const std::string& file) {
  std::vector<config::Diagnostic> out;
  auto add = [&](std::optional<config::Diagnostic> diagnostic) {
    if (diagnostic) out.push_back(std::move(*diagnostic));
  };
  if (cfg.admin.enabled) {
    add(check_secret(file, line_of_key(file, "token_file"), "admin.token_file", cfg.admin.token_file));
    if (!cfg.admin.alerts_secret_file.empty()) {
      add(check_secret(file, line_of_key(file, "alerts_secret_file"), "admin.alerts_secret_file",
                       cfg.admin.alerts_secret_file));
    }
  }
  if (cfg.alerts.enabled) {
    for (std::size_t i = 0; i < cfg.alerts.webhooks.size(); ++i) {
      const config::AlertWebhook& hook = cfg.alerts.webhooks[i];
      add(check_secret(file, hook.line, "alerts.webhook[" + std::to_string(i) + "].secret_file",
                       hook.secret_file));
    }
  }
  return out;
}

// Links in the feeds follow each request's Host when no base_url is set; on a wildcard
// address readers may arrive under any name, so say where links come from.
std::optional<config::Diagnostic> check_base_url(const config::Config& cfg, const std::string& file) {
  const auto address = parse_ip_literal(cfg.server.listen.host);
  if (!cfg.server.base_url.empty() || !address || address_scope(*address) != AddressScope::unspecified) {
    return std::nullopt;
  }
  config::Diagnostic diagnostic;
  diagnostic.severity = config::Diagnostic::Severity::warning;
  diagnostic.file = file;
  diagnostic.line = line_of_key(file, "base_url");
  diagnostic.key = "server.base_url";
  diagnostic.message = "empty while server.listen is " + cfg.server.listen.to_string() +
                       " (every address): links in the feeds follow each request's Host header; set "
                       "base_url to the URL readers use";
  return diagnostic;
}

}  // namespace

void add_check_config_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "check-config", "Check a configuration file; print every problem as file:line: key: message");
  auto file = std::make_shared<std::string>("/etc/tinhop/tinhop.toml");
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("file", *file, "The TOML file to check")->capture_default_str();
  cmd->add_flag("-q,--quiet", *quiet, "Print only problems, no summary");
  cmd->callback([&exit_code, file, quiet] {
    config::LoadResult result = config::load_config(*file);
    if (result.ok()) {
      const auto links = check_base_url(*result.config, *file);
      bool refused = false;
      for (config::Diagnostic& secret : check_secrets(*result.config, *file)) {
        refused = refused || secret.severity == config::Diagnostic::Severity::error;
        result.diagnostics.push_back(std::move(secret));
      }
      if (refused) result.config.reset();
      if (links) result.diagnostics.push_back(*links);
    }
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
      if (const std::size_t rules = result.config->rules.size(); rules > 0) {
        std::cout << ", " << rules << (rules == 1 ? " rule" : " rules");
      }
      if (const std::size_t views = result.config->views.size(); views > 0) {
        std::cout << ", " << views << (views == 1 ? " view" : " views");
      }
      if (warnings) std::cout << ", " << warnings << (warnings == 1 ? " warning" : " warnings");
      std::cout << '\n';
    }
    exit_code = exit_ok;
  });
}

}  // namespace tinhop::cli
