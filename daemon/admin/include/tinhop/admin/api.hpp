// The admin HTTP API under /api/ as a pure request -> response function (the server in
// server.hpp only does I/O). Every request needs `Authorization: Bearer <token>`; bodies
// are JSON (OPML for /api/opml). docs/api.md documents each call with a curl example.
#pragma once

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/admin/preview.hpp"
#include "tinhop/admin/sources.hpp"
#include "tinhop/config/live.hpp"
#include "tinhop/fetch/discover.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::admin {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// The admin token: at least 32 characters, from a file nobody else can read.
struct Token {
  std::string value;
  // Constant-time comparison (SHA-256 of both sides, then CRYPTO_memcmp), so neither the
  // content nor the length of the token leaks through timing.
  bool matches(std::string_view presented) const;
};

// Reads a secret file: the admin token, the alerts feed's secret, a webhook's key
// (surrounding whitespace removed). "$CREDENTIALS_DIRECTORY" at the start of `path` is
// replaced from the environment. Refuses a missing, empty or short secret and a file its
// group or others may access (like sshd with keys); the message says what to fix without
// naming the setting (the caller puts its key before it); `key` ("admin.token_file") is
// the setting the message's hint tells to change.
Outcome<Token> load_token(const std::string& path, std::string_view key);

// What the daemon does for the API; each may be empty (the call then answers 503).
struct ApiHooks {
  // Schedules source `id` for an immediate poll; false when the poller does not know it.
  std::function<bool(std::int64_t id)> poll_now;
  struct Reload {
    bool applied = false;
    std::vector<std::string> errors;  // "file:line: key: message" when refused
    std::vector<std::string> notes;   // sync notes, settings needing a restart
  };
  // Re-reads the configuration file and syncs its sources (what SIGHUP does).
  std::function<Reload()> reload;
  // The poller's own state for /api/health (in flight, queue, last poll ...).
  std::function<boost::json::object()> daemon_health;
  // Tells the daemon the source list changed (it also notices within a second).
  std::function<void()> sources_changed;
  // The feeds behind an address (fetch/discover.hpp), fetched as a source added through
  // the API would be: internal addresses only inside fetch.allow_networks.
  // The two fetches below may let other requests be handled while they wait
  // (RequestLock::unlocked); nullopt: too many are waiting already, answered 503 with
  // Retry-After: kBusyRetryAfter.
  std::function<std::optional<fetch::Discovery>(const std::string& url)> discover;
  // An html source's page fetched as the source is (network rules included), its items
  // extracted with `selectors` and suggestions ranked (preview.hpp).
  std::function<std::optional<PagePreview>(fetch::Request request, const ParseContext& context,
                                           const HtmlSelectors& selectors)>
      preview_html;
};

// How long a client refused for too many discoveries and previews in flight should wait.
inline constexpr std::chrono::seconds kBusyRetryAfter{5};

// A discovery as the API answers it: {"url", "page_is_feed", "feeds": [{"url", "title",
// "kind", "found_by", "format", "items"}]}.
boost::json::object discovery_to_json(const std::string& url, const fetch::Discovery& discovery);

class Api {
 public:
  // Calls of handle() take turns (RequestLock), except while a discover hook waits. With
  // `alerts_secret`, the alerts feed answers at /alerts/{secret}.atom without the Bearer
  // token.
  Api(Token token, storage::Store& store, const config::LiveConfig& config, ApiHooks hooks,
      std::function<Instant()> clock, std::optional<Token> alerts_secret = std::nullopt);

  Response handle(const Request& request);

 private:
  Response route(const Request& request);
  // /api/rules and /api/rules/{id} (`parts` without "api").
  Response rules_endpoint(const Request& request, const std::vector<std::string_view>& parts);
  // GET /alerts/{secret}.atom: the newest alert events as Atom; 404 for any other secret.
  Response alerts_feed(const Request& request, std::string_view presented);
  // Runs the discover hook on `url` into `discovery`; the answer instead when there is
  // none (503) or the address itself could not be read (422).
  std::optional<Response> discover_or_refuse(const Request& request, const std::string& url,
                                             fetch::Discovery& discovery);

  Token token_;
  storage::Store& store_;
  const config::LiveConfig& config_;
  ApiHooks hooks_;
  std::function<Instant()> clock_;
  std::optional<Token> alerts_secret_;
};

}  // namespace tinhop::admin
