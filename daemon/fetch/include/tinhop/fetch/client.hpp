// The asynchronous HTTP/1.1 client that fetches sources: http, https and file:// URLs,
// every step under a deadline, every size capped, failures returned as values.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "tinhop/parsers/url_privacy.hpp"

namespace tinhop::fetch {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

// Sizes and times that bound one fetch.
struct Limits {
  std::size_t max_body = 20u << 20;     // bytes on the wire, after de-chunking
  std::size_t max_decoded = 20u << 20;  // bytes after gzip/deflate decoding
  std::size_t max_header = 64u << 10;   // the whole response header block
  Millis resolve_timeout{10'000};       // DNS
  Millis connect_timeout{10'000};       // TCP connect, all addresses together
  Millis handshake_timeout{10'000};     // TLS handshake, proxy CONNECT
  Millis write_timeout{10'000};         // sending the request
  Millis header_timeout{20'000};        // first byte to end of the header block
  Millis body_timeout{60'000};          // the whole body
  Millis stall_timeout{20'000};         // the body: longest wait for its next bytes
  Millis total_timeout{90'000};         // everything, redirects included
  int max_redirects = 5;
};

// A name lookup: `done` must be called once, from any thread, while the client's executor
// lives; an answer after the resolve deadline is ignored.
using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;
using ResolveDone = std::function<void(boost::system::error_code, Endpoints)>;
using Resolver = std::function<void(const std::string& host, const std::string& port, ResolveDone done)>;

// Settings shared by every fetch of one client.
struct ClientOptions {
  std::string user_agent;  // empty: default_user_agent()
  Limits limits;
  std::optional<std::string> extra_ca_file;  // PEM bundle trusted besides the system store
  bool use_system_ca = true;                 // tests turn this off to prove "untrusted"
  // An http:// proxy URL ("http://host:port"). Unset: taken from the environment
  // (https_proxy / http_proxy / all_proxy, honouring no_proxy); "" disables proxies.
  std::optional<std::string> proxy;
  // Unset: the system resolver (getaddrinfo on Asio's resolver thread). Tests inject one
  // that never answers, to prove the resolve deadline.
  Resolver resolver;
  std::size_t max_idle_per_host = 4;  // kept-alive connections waiting for reuse
  Millis idle_timeout{30'000};        // an idle connection older than this is closed
  // Internal addresses (loopback, private, link-local, CGNAT, multicast, unspecified: see
  // url_privacy.hpp) inside these blocks may be reached from any origin.
  std::vector<IpNetwork> allow_networks;
};

// "tinhop/VERSION (+https://github.com/tinhop/tinhop)".
std::string default_user_agent();

// One GET (or a form POST). Conditional headers come from what the previous poll returned.
struct Request {
  std::string url{};
  std::vector<std::pair<std::string, std::string>> headers{};  // per-source extra headers
  std::optional<std::string> etag{};                           // sent as If-None-Match
  std::optional<std::string> last_modified{};                  // sent as If-Modified-Since
  std::optional<Limits> limits{};                              // overrides the client's
  // The URL whose origin (scheme, host, port) may be at an internal address (loopback,
  // private, link-local...: url_privacy.hpp). Unset: `url` itself, as for a source the
  // operator wrote in the configuration file. Empty: none, as for a source added through
  // the CLI or the API. Every other hop connects to an internal address only inside
  // ClientOptions::allow_networks. The address checked is the one connected to, after the
  // name lookup (so a name cannot rebind past it); through a proxy, the URL's literal host.
  std::optional<std::string> trusted_origin_url{};
  // A link a remote page chose (an article page): never read from a file:// URL.
  bool link = false;
  // Set: POST this body instead of a GET (a WebSub subscription request, or our hub's
  // content distribution), to every hop of a redirect, with `form_type` as its Content-Type.
  std::optional<std::string> form{};
  std::string form_type{"application/x-www-form-urlencoded"};
  // Called on the executor as body bytes arrive, with how many were just read (every
  // hop): what the fetch holds in memory so far, for whoever bounds that.
  std::function<void(std::size_t bytes)> on_body{};
};

// Why a fetch produced no usable HTTP response. HTTP statuses (404, 500...) are not
// errors here: they are responses, judged by the caller.
enum class Error {
  none,
  invalid_url,         // unparsable, or no host
  unsupported_scheme,  // not http, https or file
  resolve,             // DNS failed or returned nothing
  connect,             // no address accepted the connection
  tls,                 // handshake or certificate verification failed
  proxy,               // the proxy refused the CONNECT tunnel
  timeout,             // a step's deadline or the overall deadline passed
  header_too_large,    // the header block exceeded max_header
  body_too_large,      // the body exceeded max_body (or announced it would)
  decoded_too_large,   // decompression exceeded max_decoded (a gzip bomb)
  decoding,            // corrupt gzip/deflate data, or an unknown Content-Encoding
  truncated,           // the connection ended before the announced body did
  protocol,            // not parseable as HTTP/1.x
  network,             // reset or other socket error mid-exchange
  too_many_redirects,  // more than max_redirects hops
  redirect_loop,       // a Location already visited
  bad_redirect,        // a 3xx without a usable Location
  file,                // file:// path missing or unreadable
  forbidden_address,   // an internal address (or a file:// link) this request may not reach
  insecure_redirect,   // a redirect from https to http
  cancelled,           // the client was shut down
};

// Short stable name ("timeout", "body_too_large"...), used in logs and health records.
const char* error_name(Error error);

// One hop of a redirect chain.
struct Redirect {
  int status = 0;  // 301, 302, 303, 307, 308
  std::string from;
  std::string to;  // absolute
};

struct Response {
  Error error = Error::none;
  std::string error_text;  // human detail, e.g. the TLS verification reason
  int status = 0;          // of the last hop; 0 when error != none before any status
  std::string url;         // the final URL, after redirects
  std::vector<Redirect> redirects;
  std::string body;  // decoded; empty for 304
  std::string content_type;
  std::string content_language;  // a hint for the order of day and month in numeric dates
  std::string etag;
  std::string last_modified;
  std::string cache_control;
  std::string expires;
  std::string retry_after;
  std::string date;                // the server's Date header
  std::vector<std::string> links;  // every Link header value of the last hop (WebSub discovery)
  std::size_t wire_bytes = 0;      // header + body bytes received, all hops
  Millis elapsed{0};
  bool reused_connection = false;  // the last hop went over a kept-alive connection

  bool ok() const { return error == Error::none; }
};

using Callback = std::function<void(Response)>;

// Runs fetches on one executor (one thread: the event loop). Keeps idle connections per
// host for reuse. Callbacks run on the executor. Not thread-safe: call from the executor.
class Client {
 public:
  Client(boost::asio::any_io_executor executor, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts one fetch; `done` is called exactly once, also after shutdown() (cancelled).
  void fetch(Request request, Callback done);

  // Settings for the fetches that start from now on (a configuration reload); fetches in
  // flight keep theirs. The CA settings stay as constructed: the TLS context is built once.
  void set_options(ClientOptions options);

  // Cancels every fetch in flight and closes idle connections.
  void shutdown();

  // Fetches in flight now.
  std::size_t in_flight() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tinhop::fetch
