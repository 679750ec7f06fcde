// The HTTP request handler: a function (request, context) -> response. It does no I/O of
// its own; sessions (server.hpp) only move bytes. Rendered feeds are cached in the
// context, gzip-compressed once per rendering, and replaced when the store changes.
#pragma once

#include <atomic>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tinhop/parsers/url_privacy.hpp"
#include "tinhop/publish/catalog.hpp"
#include "tinhop/publish/metrics.hpp"
#include "tinhop/publish/reader_text.hpp"
#include "tinhop/publish/shared_body.hpp"

namespace tinhop::publish {

namespace http = boost::beast::http;

// A view (docs/views.md): the stories a query selects, at /views/{slug} and
// /views/{slug}/feed.atom|rss|json.
struct ViewDefinition {
  std::string slug;
  std::string title;
  std::optional<std::string> query;  // full text; nullopt: any
  storage::StoryFilter filter;       // its `since` is set from `window` at each rendering
  std::optional<std::chrono::seconds> window;
};

// Top stories (docs/views.md): /top/feed.atom|rss|json and the reader page's first section.
struct TopSettings {
  std::chrono::seconds half_life{std::chrono::hours(6)};
  std::chrono::seconds window{std::chrono::hours(48)};
  std::int64_t min_publishers = 2;
  std::size_t page_entries = 5;  // 0: the page has no top section
  std::size_t feed_entries = 30;
};

// What a configuration reload may change in what is published.
struct Editorial {
  std::vector<ViewDefinition> views;
  TopSettings top;
};

struct ServerOptions {
  std::string address = "127.0.0.1";  // listen address (IPv4 or IPv6 literal)
  std::uint16_t port = 8080;          // 0: any free port (see Server::port())
  // Absolute URL readers reach the server at; self, paging and autodiscovery links use
  // it. Empty: each request's own, from its Host header (see base_url_of).
  std::string public_url;
  // The WebSub hub the merged feeds advertise (rel="hub" in the document and in a Link
  // header, with rel="self"): ours, {public_url}/websub/hub. Empty: none.
  std::string hub_url;
  // Peers whose X-Forwarded-Host, X-Forwarded-Proto and Forwarded (RFC 7239) headers are
  // believed: the reverse proxies in front. Anyone else could name any host in them.
  std::vector<IpNetwork> trusted_proxies;
  std::string title = "tinhop";
  std::string subtitle = "Tin tổng hợp";
  std::string language = "vi";
  std::string version = "0";
  // IANA zone of the reader pages' dates (server.display_time_zone); unknown names: UTC.
  std::string display_time_zone = "Asia/Ho_Chi_Minh";
  // "Now" for the pages' relative times ("5 phút trước"); tests set a fixed one.
  std::function<Instant()> clock = [] {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  };
  // Prefix of entry ids; the cluster id follows. Must stay the same for the life of the
  // database, or readers see every entry again.
  std::string entry_id_prefix = "tag:tinhop.invalid,2026:cluster-";
  // Cache-Control max-age of feeds and pages: set it to the shortest poll interval, since
  // nothing can change faster than sources are polled.
  std::chrono::seconds max_age{300};
  std::size_t default_limit = 50;
  std::size_t max_limit = 200;
  // Entries of a reader page without ?limit=: fewer than a feed's, so the page's HTML and
  // CSS stay under 60 KB.
  std::size_t page_limit = 30;
  std::size_t max_query_bytes = 256;  // ?q=
  std::size_t excerpt_chars = 300;    // summary policy and the page's excerpts
  // Query parameters of source URLs never shown (url_privacy.hpp): public documents show a
  // source's URL without them and without userinfo, and never a file:// or internal URL.
  std::vector<std::string> secret_params = default_secret_params();
  // An entry's summary and body, each, after sanitizing (SanitizeOptions::max_output_bytes).
  std::size_t max_content_bytes = 256U << 10U;
  // Rendered documents kept, least recently used dropped first, counted by their bytes
  // (plain and gzip): the cache's memory does not depend on what sources publish.
  std::size_t render_cache_bytes = 32U << 20U;
  // One document's entries, in bytes of text: past it the rest go to the next page (the
  // feed's next link), so no request, cached or not, renders more than about this.
  std::size_t max_document_bytes = 8U << 20U;
  // How often the store's change stamp is checked, for writers that do not call
  // notify_changed() (another process, the CLI).
  std::chrono::milliseconds change_check_interval{2000};
  // Connection limits. At max_connections, the connection waiting longest for a request
  // (just connected, or kept alive) is closed to admit a new one; see connections/table.hpp.
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_ip = 0;   // per IPv4 address or IPv6 /64; 0: no limit
  std::size_t max_target_bytes = 4096;      // request line target: longer is 414
  std::size_t max_header_bytes = 16384;     // request line + headers: more is 431
  std::size_t max_body_bytes = 65536;       // a GET has no use for a body: more is 413
  std::chrono::seconds header_timeout{10};  // request line and headers, from connecting or first byte
  std::chrono::seconds read_timeout{15};    // for the body, once the headers are complete
  std::chrono::seconds idle_timeout{60};    // between requests on a kept-alive connection
  std::chrono::seconds write_timeout{30};   // for one response
  Editorial editorial;                      // at start; Context::set_editorial replaces it
};

// State of the service for /healthz.
struct HealthReport {
  enum class State { ready, degraded, unavailable } state = State::ready;
  std::vector<std::string> reasons;
};

// One cached rendering of a document: plain and gzip bodies with their validators.
struct Rendering {
  std::string content_type;
  std::shared_ptr<const std::string> body;
  std::shared_ptr<const std::string> gzip;  // null when not worth compressing
  std::string etag;                         // quoted, strong
  std::string etag_gzip;
  std::string last_modified;  // IMF-fixdate
  std::string link;           // the Link header (WebSub hub and self); empty: none
  Instant modified{};
  std::uint64_t generation = 0;
};

using Request = http::request<http::string_body>;
using Response = http::response<SharedBody>;

// Everything the handler reads and the cache it fills. Thread-safe.
class Context {
 public:
  Context(Catalog& catalog, ServerOptions options);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const ServerOptions& options() const { return options_; }
  const DisplayZone& display_zone() const { return display_zone_; }
  Metrics& metrics() { return metrics_; }

  // New items landed: every cached rendering is stale from now on.
  void notify_changed() { generation_.fetch_add(1, std::memory_order_release); }
  // Views and top stories from now on (a reload); every cached rendering is stale.
  void set_editorial(Editorial editorial);
  std::shared_ptr<const Editorial> editorial() const;
  // Asks the store whether it changed since the last check; calls notify_changed if so.
  void check_for_changes();
  // The writer could not store polls (disk full, I/O error): /healthz says degraded with
  // `error` until writes_resumed(). Feeds are still served from what was stored.
  void writes_refused(std::string error, Instant since);
  void writes_resumed();
  // "writes refused since <time>: <error>" while they are; nullopt otherwise.
  std::optional<std::string> write_refusal() const;
  // The database stopped answering (the change listener lost it, `since`): /healthz says
  // degraded with `error` until database_restored(), and feeds are served from the
  // renderings kept until then.
  void database_lost(std::string error, Instant since);
  void database_restored();
  // "database unreachable since <time>: <error>" while it is; nullopt otherwise.
  std::optional<std::string> database_loss() const;

  // Cached rendering under `key`, rendering it with `render` when missing or stale. The
  // render callback runs with the catalog locked. Nullopt when the render failed (the
  // message is in `error`); `not_found` when it reports a missing resource.
  struct RenderOutcome {
    std::shared_ptr<const Rendering> rendering;
    http::status status = http::status::ok;
    std::string error;
  };
  struct Document {
    std::string content_type;
    std::string body;
    Instant modified{};
    std::string link;  // the Link header's value; empty: none
  };
  using RenderFn =
      std::function<storage::Result<std::optional<Document>>(Catalog&, const storage::ChangeStamp&)>;
  RenderOutcome cached(const std::string& key, const RenderFn& render);

  // Runs `fn` with the catalog locked (uncached documents: metrics, health).
  template <class Fn>
  auto with_catalog(Fn&& fn) {
    std::lock_guard lock(catalog_mutex_);
    return fn(catalog_);
  }

 private:
  Catalog& catalog_;
  ServerOptions options_;
  DisplayZone display_zone_;
  Metrics metrics_;
  std::mutex catalog_mutex_;
  std::optional<storage::ChangeStamp> seen_stamp_;  // guarded by catalog_mutex_
  mutable std::mutex refusal_mutex_;
  std::optional<std::string> write_refusal_;  // guarded by refusal_mutex_
  std::optional<std::string> database_loss_;  // guarded by refusal_mutex_
  mutable std::mutex editorial_mutex_;
  std::shared_ptr<const Editorial> editorial_;  // guarded by editorial_mutex_
  std::atomic<std::uint64_t> generation_{1};
  class Cache;  // the renderings, bounded by render_cache_bytes (cache.cpp)
  std::unique_ptr<Cache> cache_;
};

// What the session knows of the connection a request came on.
struct Connection {
  std::optional<IpAddress> peer;  // the client, or the reverse proxy in front of us
  std::string local;              // "address:port" the client reached ("[::1]:8080"); empty: unknown
};

// `host` (a Host header's value) as a URL may carry it: a DNS name (letters, digits, '-',
// '_', dot-separated labels of at most 63), an IPv4 address or a bracketed IPv6 address,
// each with an optional port; lowercased, with an empty port or the scheme's default
// port dropped. nullopt for anything else (userinfo, a path, spaces, a zone id, more than
// 255 bytes): such a Host is never reflected into a link.
std::optional<std::string> normalized_host(std::string_view host, std::string_view scheme);

// Why the request's Host header fields break HTTP/1.1's framing rules (RFC 9112 §3.2: an
// HTTP/1.1 request without one, any request with several, or a value that is not
// uri-host [":" port] in its characters), answered 400 by the server; nullopt when they
// do not. A value that passes here may still be refused as a link's host (normalized_host).
std::optional<std::string_view> host_field_problem(const Request& request);

// The absolute URL of `/` (no trailing slash) for links in the answer to `request`:
// options.public_url when set; else "http://" and the request's Host. From a peer in
// options.trusted_proxies, the last Forwarded element's host= and proto= (RFC 7239), else
// the last X-Forwarded-Host and X-Forwarded-Proto values, take precedence (proto: http or
// https only). Without a valid host (none, several Host headers, an invalid one): the
// address the connection reached, else the listen address (a wildcard as loopback).
std::string base_url_of(const Request& request, const ServerOptions& options, const Connection& connection);

// Answers one request. Never throws for bad input: every failure is a response.
Response handle(const Request& request, Context& context, const Connection& connection = {});

// A small text/plain error response (used by sessions for 400/413/414/431 too).
Response error_response(http::status status, unsigned version, std::string_view message);

// The route a target belongs to, for metrics labels.
Route route_of(std::string_view target);

// gzip (RFC 1952) of `data` at the best compression; empty on failure.
std::string gzip_compress(std::string_view data);

}  // namespace tinhop::publish
