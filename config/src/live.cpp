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
  // What is fixed when the daemon starts: its listeners and their settings, the admin
  // token and the alerts' secrets (under systemd, credentials are copied at start), the database connections
  // and the dedup window they were opened with, the node's name and lease, and the TLS trust store.
  keep(next.server.listen, running.server.listen, "server.listen");
  keep(next.server.base_url, running.server.base_url, "server.base_url");
  keep(next.server.trusted_proxies, running.server.trusted_proxies, "server.trusted_proxies");
  keep(next.server.max_connections, running.server.max_connections, "server.max_connections");
  keep(next.server.max_connections_per_ip, running.server.max_connections_per_ip,
       "server.max_connections_per_ip");
  keep(next.server.header_timeout, running.server.header_timeout, "server.header_timeout");
  keep(next.server.idle_timeout, running.server.idle_timeout, "server.idle_timeout");
  keep(next.server.feed_limit, running.server.feed_limit, "server.feed_limit");
  keep(next.server.max_feed_limit, running.server.max_feed_limit, "server.max_feed_limit");
  keep(next.server.render_cache_bytes, running.server.render_cache_bytes, "server.render_cache_bytes");
  keep(next.server.max_content_bytes, running.server.max_content_bytes, "server.max_content_bytes");
  keep(next.admin.enabled, running.admin.enabled, "admin.enabled");
  keep(next.admin.listen, running.admin.listen, "admin.listen");
  keep(next.admin.allow_remote, running.admin.allow_remote, "admin.allow_remote");
  keep(next.admin.token_file, running.admin.token_file, "admin.token_file");
  keep(next.admin.max_body_bytes, running.admin.max_body_bytes, "admin.max_body_bytes");
  keep(next.admin.file_sources_under, running.admin.file_sources_under, "admin.file_sources_under");
  keep(next.admin.alerts_secret_file, running.admin.alerts_secret_file, "admin.alerts_secret_file");
  keep(next.alerts, running.alerts, "alerts");
  keep(next.fetch.secret_params, running.fetch.secret_params, "fetch.secret_params");
  keep(next.database.path, running.database.path, "database.path");
  keep(next.database.url, running.database.url, "database.url");
  keep(next.database.password_file, running.database.password_file, "database.password_file");
  keep(next.database.busy_timeout, running.database.busy_timeout, "database.busy_timeout");
  keep(next.dedup.window, running.dedup.window, "dedup.window");
  keep(next.dedup.similarity, running.dedup.similarity, "dedup.similarity");
  keep(next.dedup.max_candidate_bytes, running.dedup.max_candidate_bytes, "dedup.max_candidate_bytes");
  keep(next.fetch.ca_bundle, running.fetch.ca_bundle, "fetch.ca_bundle");
  keep(next.cluster.node, running.cluster.node, "cluster.node");
  keep(next.cluster.lease, running.cluster.lease, "cluster.lease");
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
