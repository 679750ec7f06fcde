#include "tinhop/config/live.hpp"

namespace tinhop::config {

LiveConfig::LiveConfig(Config initial) : current_(std::make_shared<const Config>(std::move(initial))) {}

LiveConfig::Outcome LiveConfig::reload() {
  return apply(load_config(current()->file));
}

LiveConfig::Outcome LiveConfig::apply(LoadResult loaded) {
  Outcome outcome;
  outcome.diagnostics = std::move(loaded.diagnostics);
  std::lock_guard lock(mutex_);
  if (!loaded.config) {
    last_errors_.clear();
    for (const Diagnostic& diagnostic : outcome.diagnostics) {
      if (diagnostic.severity == Diagnostic::Severity::error) last_errors_.push_back(diagnostic);
    }
    return outcome;
  }
  Config next = std::move(*loaded.config);
  const Config& running = *current_;
  auto keep = [&](auto& field, const auto& old_value, const char* key) {
    if (field != old_value) {
      outcome.restart_needed.emplace_back(key);
      field = old_value;
    }
  };
  keep(next.server.listen, running.server.listen, "server.listen");
  keep(next.admin.enabled, running.admin.enabled, "admin.enabled");
  keep(next.admin.listen, running.admin.listen, "admin.listen");
  keep(next.database.path, running.database.path, "database.path");
  current_ = std::make_shared<const Config>(std::move(next));
  last_errors_.clear();
  outcome.applied = true;
  return outcome;
}

std::shared_ptr<const Config> LiveConfig::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::vector<Diagnostic> LiveConfig::last_errors() const {
  std::lock_guard lock(mutex_);
  return last_errors_;
}

}  // namespace tinhop::config
