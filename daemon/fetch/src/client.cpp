#include "tinhop/fetch/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>
#include <set>
#include <unordered_map>

#include "connection.hpp"
#include "decode.hpp"
#include "file_fetch.hpp"
#include "target.hpp"

namespace tinhop::fetch {

using namespace detail;
using tcp = asio::ip::tcp;

std::string default_user_agent() {
  return "tinhop/" TINHOP_VERSION " (+https://github.com/tinhop/tinhop; feed aggregator)";
}

const char* error_name(Error error) {
  switch (error) {
    case Error::none: return "none";
    case Error::invalid_url: return "invalid_url";
    case Error::unsupported_scheme: return "unsupported_scheme";
    case Error::resolve: return "resolve";
    case Error::connect: return "connect";
    case Error::tls: return "tls";
    case Error::proxy: return "proxy";
    case Error::timeout: return "timeout";
    case Error::header_too_large: return "header_too_large";
    case Error::body_too_large: return "body_too_large";
    case Error::decoded_too_large: return "decoded_too_large";
    case Error::decoding: return "decoding";
    case Error::truncated: return "truncated";
    case Error::protocol: return "protocol";
    case Error::network: return "network";
    case Error::too_many_redirects: return "too_many_redirects";
    case Error::redirect_loop: return "redirect_loop";
    case Error::bad_redirect: return "bad_redirect";
    case Error::file: return "file";
    case Error::forbidden_address: return "forbidden_address";
    case Error::insecure_redirect: return "insecure_redirect";
    case Error::cancelled: return "cancelled";
  }
  return "unknown";
}

namespace {

IpAddress to_ip(const asio::ip::address& address) {
  if (address.is_v4()) return ipv4_address(address.to_v4().to_uint());
  IpAddress out;
  const auto bytes = address.to_v6().to_bytes();
  std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  return out;
}

// The refused address with its scope ("127.0.0.1 (loopback)"); empty when allowed.
std::string refused_address(const asio::ip::address& address, const std::vector<IpNetwork>& allowed) {
  const IpAddress ip = to_ip(address);
  if (address_allowed(ip, allowed)) return {};
  return to_string(ip) + " (" + scope_name(address_scope(ip)) + ")";
}

// Through a proxy only the URL's own host can be judged: an internal literal or name.
std::string refused_host(const std::string& host, const std::vector<IpNetwork>& allowed) {
  if (!is_internal_host(host)) return {};
  if (auto ip = parse_ip_literal(host); ip && address_allowed(*ip, allowed)) return {};
  return host + " is an internal host";
}

// The origin a request may reach at an internal address; empty for none.
std::string trusted_origin_of(const Request& request, const Target& first) {
  if (!request.trusted_origin_url) return first.origin();
  if (request.trusted_origin_url->empty()) return {};
  std::string why;
  bool bad_scheme = false;
  auto trusted = parse_target(*request.trusted_origin_url, why, bad_scheme);
  return trusted && trusted->scheme != "file" ? trusted->origin() : std::string();
}

}  // namespace

struct Client::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, ClientOptions opts)
      : executor(std::move(ex)), options(std::move(opts)), tls_context(asio::ssl::context::tls_client) {
    if (options.user_agent.empty()) options.user_agent = default_user_agent();
    tls_context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
    tls_context.set_verify_mode(asio::ssl::verify_peer);
    if (options.use_system_ca) tls_context.set_default_verify_paths();
    if (options.extra_ca_file) {
      boost::system::error_code ec;
      tls_context.load_verify_file(*options.extra_ca_file, ec);
      if (ec) ca_error = "extra CA bundle " + *options.extra_ca_file + ": " + ec.message();
    }
  }

  // One name lookup in progress: woken by the answer, the deadline or shutdown().
  struct Lookup {
    explicit Lookup(asio::any_io_executor ex) : wake(ex) {}
    asio::steady_timer wake;
    std::shared_ptr<tcp::resolver> system;  // when no resolver is injected
    bool answered = false;
    boost::system::error_code error;
    Endpoints endpoints;
  };

  asio::awaitable<Response> run(Request request);
  asio::awaitable<Endpoints> resolve(const Target& peer, Clock::time_point deadline, Exchange& failure);
  asio::awaitable<std::unique_ptr<Connection>> open(const Target& target, const std::optional<Target>& proxy,
                                                    const std::string& key, bool check_address,
                                                    Clock::time_point deadline, Exchange& failure);
  asio::awaitable<std::unique_ptr<Connection>> tunnel(std::unique_ptr<Connection> conn, const Target& target,
                                                      const Limits& limits, Clock::time_point deadline,
                                                      Exchange& failure);
  std::unique_ptr<Connection> take_idle(const std::string& key);
  void put_idle(std::unique_ptr<Connection> conn);

  asio::any_io_executor executor;
  ClientOptions options;
  asio::ssl::context tls_context;
  std::string ca_error;  // a broken extra CA bundle fails every https fetch, loudly
  std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>> idle;
  std::set<Connection*> active;  // closed by shutdown()
  std::set<Lookup*> lookups;     // woken by shutdown()
  std::size_t running = 0;
  bool stopped = false;
};

std::unique_ptr<Connection> Client::Impl::take_idle(const std::string& key) {
  auto it = idle.find(key);
  if (it == idle.end()) return nullptr;
  auto& q = it->second;
  while (!q.empty()) {
    auto conn = std::move(q.back());
    q.pop_back();
    if (Clock::now() - conn->idle_since < options.idle_timeout && conn->lowest().socket().is_open()) {
      if (q.empty()) idle.erase(it);
      conn->reused = true;
      return conn;
    }
    conn->close();
  }
  idle.erase(it);
  return nullptr;
}

void Client::Impl::put_idle(std::unique_ptr<Connection> conn) {
  if (stopped || options.max_idle_per_host == 0) return conn->close();
  conn->idle_since = Clock::now();
  auto& q = idle[conn->key];
  q.push_back(std::move(conn));
  while (q.size() > options.max_idle_per_host) {
    q.front()->close();
    q.pop_front();
  }
}

asio::awaitable<std::unique_ptr<Connection>> Client::Impl::open(const Target& target,
                                                                const std::optional<Target>& proxy,
                                                                const std::string& key, bool check_address,
                                                                Clock::time_point deadline,
                                                                Exchange& failure) {
  const Limits& limits = options.limits;
  const Target& peer = proxy ? *proxy : target;
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);

  Endpoints endpoints = co_await resolve(peer, deadline, failure);
  if (endpoints.empty()) co_return nullptr;
  // Through a proxy the proxy's address is not the target's: run() checked the literal host.
  if (check_address && !proxy) {
    std::string refused;
    std::erase_if(endpoints, [&](const tcp::endpoint& endpoint) {
      const std::string why = refused_address(endpoint.address(), options.allow_networks);
      if (!why.empty() && refused.empty()) refused = why;
      return !why.empty();
    });
    if (endpoints.empty()) {
      failure.error = Error::forbidden_address;
      failure.error_text = parse_ip_literal(target.host)
                               ? refused + " is an internal address outside fetch.allow_networks"
                               : target.host + " resolves to " + refused +
                                     ", an internal address outside fetch.allow_networks";
      co_return nullptr;
    }
  }

  auto conn = std::make_unique<Connection>(executor);
  conn->key = key;
  active.insert(conn.get());
  conn->tcp.expires_at(step_deadline(limits.connect_timeout, deadline));
  co_await conn->tcp.async_connect(endpoints, token);
  active.erase(conn.get());
  if (ec) {
    failure.error = stopped                       ? Error::cancelled
                    : ec == beast::error::timeout ? Error::timeout
                                                  : Error::connect;
    failure.error_text = "connecting to " + peer.host + ":" + peer.port + ": " + ec.message();
    co_return nullptr;
  }
  conn->tcp.socket().set_option(tcp::no_delay(true), ec);
  if (!target.secure()) co_return conn;

  if (!ca_error.empty()) {
    failure.error = Error::tls;
    failure.error_text = ca_error;
    co_return nullptr;
  }
  if (proxy) {
    conn = co_await tunnel(std::move(conn), target, limits, deadline, failure);
    if (!conn) co_return nullptr;
  }
  conn->tls.emplace(std::move(conn->tcp), tls_context);
  SSL* ssl = conn->tls->native_handle();
  boost::system::error_code addr_ec;
  asio::ip::make_address(target.host, addr_ec);
  if (addr_ec) {
    SSL_set_tlsext_host_name(ssl, target.host.c_str());  // SNI is for names only (RFC 6066)
    SSL_set1_host(ssl, target.host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), target.host.c_str());
  }
  active.insert(conn.get());
  conn->lowest().expires_at(step_deadline(limits.handshake_timeout, deadline));
  co_await conn->tls->async_handshake(asio::ssl::stream_base::client, token);
  active.erase(conn.get());
  if (ec) {
    failure.error = stopped ? Error::cancelled : ec == beast::error::timeout ? Error::timeout : Error::tls;
    failure.error_text = "TLS handshake with " + target.host + ": " + ec.message();
    if (const long verify = SSL_get_verify_result(ssl); verify != X509_V_OK) {
      failure.error_text += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
    }
    co_return nullptr;
  }
  co_return conn;
}

asio::awaitable<Endpoints> Client::Impl::resolve(const Target& peer, Clock::time_point deadline,
                                                 Exchange& failure) {
  auto lookup = std::make_shared<Lookup>(executor);
  lookup->wake.expires_at(step_deadline(options.limits.resolve_timeout, deadline));
  // Weak: a resolver may keep `done` after the fetch ended, but never the lookup's timer.
  ResolveDone answer = [weak = std::weak_ptr<Lookup>(lookup), ex = executor](boost::system::error_code ec,
                                                                             Endpoints endpoints) {
    asio::post(ex, [weak, ec, endpoints = std::move(endpoints)]() mutable {
      auto live = weak.lock();
      if (!live || live->answered) return;
      live->answered = true;
      live->error = ec;
      live->endpoints = std::move(endpoints);
      live->wake.cancel();
    });
  };
  if (options.resolver) {
    options.resolver(peer.host, peer.port, std::move(answer));
  } else {
    lookup->system = std::make_shared<tcp::resolver>(executor);
    lookup->system->async_resolve(
        peer.host, peer.port,
        [answer = std::move(answer)](boost::system::error_code ec, tcp::resolver::results_type results) {
          answer(ec, Endpoints(results.begin(), results.end()));
        });
  }
  lookups.insert(lookup.get());
  boost::system::error_code ignored;
  co_await lookup->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  lookups.erase(lookup.get());
  if (!lookup->answered) {  // the deadline, or shutdown(): a late answer is dropped
    lookup->answered = true;
    if (lookup->system) lookup->system->cancel();
    failure.error = stopped ? Error::cancelled : Error::timeout;
    failure.error_text = "resolving " + peer.host + ": " + (stopped ? "cancelled" : "timed out");
    co_return Endpoints{};
  }
  if (lookup->error || lookup->endpoints.empty()) {
    failure.error = stopped ? Error::cancelled : Error::resolve;
    failure.error_text =
        "resolving " + peer.host + ": " + (lookup->error ? lookup->error.message() : "no address");
    co_return Endpoints{};
  }
  co_return std::move(lookup->endpoints);
}

asio::awaitable<std::unique_ptr<Connection>> Client::Impl::tunnel(std::unique_ptr<Connection> conn,
                                                                  const Target& target, const Limits& limits,
                                                                  Clock::time_point deadline,
                                                                  Exchange& failure) {
  http::request<http::empty_body> req{http::verb::connect, target.host_header, 11};
  if (target.host_header.find(':') == std::string::npos || target.host_header.back() == ']') {
    req.target(target.host_header + ":" + target.port);
  }
  req.set(http::field::host, req.target());
  req.set(http::field::user_agent, options.user_agent);
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  active.insert(conn.get());
  conn->tcp.expires_at(step_deadline(limits.handshake_timeout, deadline));
  co_await http::async_write(conn->tcp, req, token);
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a CONNECT answer has no body we wait for
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
  if (!ec) co_await http::async_read_header(conn->tcp, conn->buffer, parser, token);
  active.erase(conn.get());
  if (ec) {
    failure.error = ec == beast::error::timeout ? Error::timeout : Error::proxy;
    failure.error_text = "proxy CONNECT: " + ec.message();
    co_return nullptr;
  }
  if (parser.get().result_int() != 200) {
    failure.error = Error::proxy;
    failure.error_text = "proxy refused CONNECT with status " + std::to_string(parser.get().result_int());
    co_return nullptr;
  }
  co_return conn;
}

namespace {

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string header(const http::response<http::string_body>& r, http::field f) {
  auto it = r.find(f);
  return it == r.end() ? std::string() : std::string(it->value());
}

}  // namespace

asio::awaitable<Response> Client::Impl::run(Request request) {
  auto self = shared_from_this();
  const Limits limits = request.limits.value_or(options.limits);
  const auto start = Clock::now();
  const auto deadline = start + limits.total_timeout;
  Response out;
  std::set<std::string> visited;
  std::string url = request.url;
  std::string first_origin;
  std::string trusted_origin;  // empty: none
  bool same_origin_so_far = true;
  auto finish = [&](Error e, std::string text) {
    out.error = e;
    out.error_text = std::move(text);
    out.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
    return out;
  };

  for (int hop = 0;; ++hop) {
    if (stopped) co_return finish(Error::cancelled, "client shut down");
    std::string why;
    bool bad_scheme = false;
    auto target = parse_target(url, why, bad_scheme);
    if (!target)
      co_return finish(bad_scheme ? Error::unsupported_scheme : Error::invalid_url, url + ": " + why);
    out.url = target->url;
    visited.insert(target->url);
    if (target->scheme == "file") {
      // A web server must never point the daemon at local files.
      if (hop > 0) co_return finish(Error::unsupported_scheme, "redirect to a file:// URL refused");
      if (request.link) {
        co_return finish(Error::forbidden_address, target->url + ": a file:// link is not followed");
      }
      Response r = fetch_file(*target, request, limits);
      co_return r;
    }
    if (hop == 0) {
      first_origin = target->origin();
      trusted_origin = trusted_origin_of(request, *target);
    }
    // Once a hop leaves the first origin, its credentials stay behind for good: a server
    // that redirects back could only have learned them from the first one.
    same_origin_so_far = same_origin_so_far && target->origin() == first_origin;
    const bool check_address = trusted_origin.empty() || target->origin() != trusted_origin;

    auto proxy = proxy_for(*target, options.proxy);
    if (check_address && proxy) {
      if (std::string why = refused_host(target->host, options.allow_networks); !why.empty()) {
        co_return finish(Error::forbidden_address, target->url + ": " + why);
      }
    }
    const bool forward = proxy && !target->secure();  // plain http through a proxy: absolute-form
    const std::string key = !proxy    ? target->origin()
                            : forward ? "proxy " + proxy->origin()
                                      : "tunnel " + proxy->origin() + " " + target->origin();

    // A form is POSTed to every hop: a WebSub hub that redirects wants the request itself.
    http::request<http::string_body> req{request.form ? http::verb::post : http::verb::get,
                                         forward ? target->url : target->path, 11};
    req.set(http::field::host, target->host_header);
    req.set(http::field::user_agent, options.user_agent);
    req.set(http::field::accept,
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
            "text/xml;q=0.9, */*;q=0.8");
    req.set(http::field::accept_encoding, "gzip, deflate");
    if (request.etag && !request.etag->empty()) req.set(http::field::if_none_match, *request.etag);
    if (request.last_modified && !request.last_modified->empty()) {
      req.set(http::field::if_modified_since, *request.last_modified);
    }
    if (request.form) {
      req.set(http::field::content_type, request.form_type);
      req.body() = *request.form;
      req.prepare_payload();
    }
    // Credentials in per-source headers must not follow a redirect to another origin.
    if (same_origin_so_far) {
      for (const auto& [name, value] : request.headers) req.set(name, value);
    }

    Exchange ex;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto conn = take_idle(key);
      if (conn && check_address && !proxy) {
        // Opened for a request that trusted this origin: the name may lead elsewhere now.
        boost::system::error_code peer_ec;
        const auto peer = conn->lowest().socket().remote_endpoint(peer_ec);
        if (peer_ec || !refused_address(peer.address(), options.allow_networks).empty()) {
          conn->close();
          conn.reset();
        }
      }
      if (!conn) {
        conn = co_await open(*target, proxy, key, check_address, deadline, ex);
        if (!conn) break;
      }
      active.insert(conn.get());
      ex = co_await exchange(*conn, req, limits, deadline, request.on_body);
      active.erase(conn.get());
      out.reused_connection = conn->reused;
      if (ex.error == Error::none) {
        if (ex.keep_alive) {
          put_idle(std::move(conn));
        } else {
          conn->close();
        }
        break;
      }
      conn->close();
      if (stopped) ex.error = Error::cancelled;
      // A kept-alive connection the server closed meanwhile: retry once on a fresh one.
      if (!(conn->reused && ex.nothing_received)) break;
    }
    out.wire_bytes += ex.wire_bytes;
    if (ex.error != Error::none) co_return finish(ex.error, ex.error_text);

    auto& res = ex.response;
    out.status = res.result_int();
    if (is_redirect(out.status)) {
      const std::string location = header(res, http::field::location);
      auto next = location.empty() ? std::nullopt : resolve_location(target->url, location);
      if (!next)
        co_return finish(Error::bad_redirect,
                         "status " + std::to_string(out.status) + " without a usable Location");
      std::string ignored;
      auto next_target = parse_target(*next, ignored, bad_scheme);
      const std::string normalized = next_target ? next_target->url : *next;
      out.redirects.push_back({out.status, target->url, normalized});
      if (target->secure() && next_target && next_target->scheme == "http") {
        co_return finish(Error::insecure_redirect, "redirect from " + target->url + " to " + normalized +
                                                       " refused: https is never followed to http");
      }
      if (visited.count(normalized))
        co_return finish(Error::redirect_loop, "redirect loop back to " + normalized);
      if (hop >= limits.max_redirects) {
        co_return finish(Error::too_many_redirects,
                         "more than " + std::to_string(limits.max_redirects) + " redirects");
      }
      url = normalized;
      continue;
    }
    out.content_type = header(res, http::field::content_type);
    out.content_language = header(res, http::field::content_language);
    out.etag = header(res, http::field::etag);
    out.last_modified = header(res, http::field::last_modified);
    out.cache_control = header(res, http::field::cache_control);
    out.expires = header(res, http::field::expires);
    out.retry_after = header(res, http::field::retry_after);
    out.date = header(res, http::field::date);
    for (const auto& field : res.base()) {
      if (field.name() == http::field::link) out.links.emplace_back(field.value());
    }
    out.body = std::move(res.body());
    const auto decoded =
        decode_body(header(res, http::field::content_encoding), out.body, limits.max_decoded);
    if (decoded.status != DecodeStatus::ok) {
      out.body.clear();
      out.body.shrink_to_fit();
      co_return finish(decoded.status == DecodeStatus::too_large ? Error::decoded_too_large : Error::decoding,
                       decoded.detail);
    }
    co_return finish(Error::none, {});
  }
}

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Client::~Client() {
  shutdown();
}

void Client::fetch(Request request, Callback done) {
  ++impl_->running;
  asio::co_spawn(impl_->executor, impl_->run(std::move(request)),
                 [impl = impl_, done = std::move(done)](std::exception_ptr e, Response r) {
                   --impl->running;
                   if (e) {
                     r = Response{};
                     r.error = Error::network;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       r.error_text = std::string("internal error: ") + ex.what();
                     } catch (...) {
                       r.error_text = "internal error";
                     }
                   }
                   done(std::move(r));
                 });
}

void Client::set_options(ClientOptions options) {
  options.extra_ca_file = impl_->options.extra_ca_file;
  options.use_system_ca = impl_->options.use_system_ca;
  if (options.user_agent.empty()) options.user_agent = default_user_agent();
  impl_->options = std::move(options);
}

void Client::shutdown() {
  impl_->stopped = true;
  for (auto* l : impl_->lookups) l->wake.cancel();
  for (auto* c : impl_->active) c->close();
  for (auto& [key, q] : impl_->idle) {
    for (auto& c : q) c->close();
  }
  impl_->idle.clear();
}

std::size_t Client::in_flight() const {
  return impl_->running;
}

}  // namespace tinhop::fetch
