// [alerts] and its [[alerts.webhook]]s: the thresholds of a source's condition, and each
// webhook's address, key file and kinds, every mistake reported at its own line.
#include <algorithm>
#include <cctype>

#include "reader.hpp"
#include "tinhop/config/source.hpp"

namespace tinhop::config::detail {

namespace {

constexpr std::string_view kKinds[] = {"failing", "stale", "recovered"};

bool web_scheme(std::string_view url) {
  std::string scheme(url.substr(0, url.find(':')));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return url.find(':') != std::string_view::npos && (scheme == "http" || scheme == "https");
}

std::optional<AlertWebhook> read_webhook(Reader& r, const toml::table& t, const std::string& prefix) {
  r.reject_unknown(t, prefix, {"url", "secret_file", "kinds"});
  const std::size_t errors_before = r.error_count();
  AlertWebhook hook;
  hook.line = Reader::line_of(t);
  r.read(t, "url", prefix, hook.url);
  if (!t.get("url")) {
    r.error(hook.line, prefix + ".url", "every webhook needs a url");
  } else if (!web_scheme(hook.url)) {
    r.error(Reader::line_of(t, "url"), prefix + ".url", "must be an http:// or https:// URL");
  } else if (const UrlCheck url = check_source_url(hook.url); !url.error.empty()) {
    r.error(Reader::line_of(t, "url"), prefix + ".url", url.error);
  }
  r.read(t, "secret_file", prefix, hook.secret_file);
  if (!t.get("secret_file")) {
    r.error(hook.line, prefix + ".secret_file",
            "every webhook needs a secret_file (the key of its X-Tinhop-Signature)");
  } else if (const std::string problem = secret_file_problem(hook.secret_file); !problem.empty()) {
    r.error(Reader::line_of(t, "secret_file"), prefix + ".secret_file", problem);
  }
  read_string_list(r, t, "kinds", prefix, hook.kinds);
  for (const std::string& kind : hook.kinds) {
    if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds)) {
      r.error(Reader::line_of(t, "kinds"), prefix + ".kinds",
              "unknown kind \"" + kind + "\" (expected one of: failing, stale, recovered)");
    }
  }
  if (r.error_count() != errors_before) return std::nullopt;
  return hook;
}

}  // namespace

std::string secret_file_problem(std::string_view path) {
  if (path.empty()) return "must not be empty";
  if (path.front() != '/' && !path.starts_with("$CREDENTIALS_DIRECTORY"))
    return "must be an absolute path or start with $CREDENTIALS_DIRECTORY";
  return {};
}

void read_alerts(Reader& r, const toml::table& t, AlertsConfig& out) {
  const std::string p = "alerts";
  r.reject_unknown(t, p, {"enabled", "failing_after", "min_quiet", "check_interval", "history", "webhook"});
  r.read(t, "enabled", p, out.enabled);
  r.read(t, "failing_after", p, out.failing_after, 1, 1000);
  // Seconds are allowed for tests and demos; a real source's rhythm is hours.
  std::optional<std::chrono::seconds> value;
  r.read_duration(t, "min_quiet", p, value, std::chrono::seconds(1), std::chrono::hours(24 * 366));
  if (value) out.min_quiet = *value;
  value.reset();
  r.read_duration(t, "check_interval", p, value, std::chrono::seconds(1), std::chrono::hours(24));
  if (value) out.check_interval = *value;
  value.reset();
  r.read_duration(t, "history", p, value, std::chrono::hours(24), std::chrono::hours(24 * 366));
  if (value) out.history = *value;
  const toml::node* webhooks = t.get("webhook");
  if (!webhooks) return;
  read_table_array(r, *webhooks, "alerts.webhook",
                   [&](const toml::table& table, const std::string& prefix, std::size_t) {
                     if (auto hook = read_webhook(r, table, prefix)) out.webhooks.push_back(std::move(*hook));
                   });
}

}  // namespace tinhop::config::detail
