// Listener and sessions: deadlines on every read and write, size limits on every request,
// a connection cap at which idle connections give way, and a listener that keeps accepting
// after errors.
#include "tinhop/publish/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unordered_map>
#include <vector>

#include "tinhop/connections/table.hpp"

namespace tinhop::publish {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d: links use a.b.c.d. A
// link-local address's zone would not fit in a URL.
net::ip::address plain(net::ip::address address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v6()) {
    net::ip::address_v6 v6 = address.to_v6();
    v6.scope_id(0);
    return v6;
  }
  return address;
}

// The peer and the local address of `socket`, as far as the system tells them.
Connection connection_of(const tcp::socket& socket) {
  Connection out;
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (!ec) out.peer = parse_ip_literal(plain(peer.address()).to_string());
  const tcp::endpoint local = socket.local_endpoint(ec);
  if (!ec) {
    const net::ip::address address = plain(local.address());
    const std::string host = address.to_string();
    out.local = (address.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(local.port());
  }
  return out;
}

}  // namespace

class Session;

// State shared by the listener and its sessions; outlives both.
struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(net::io_context& io, Context& c)
      : ioc(io),
        ctx(c),
        acceptor(net::make_strand(io)),
        timer(acceptor.get_executor()),
        table({c.options().max_connections, c.options().max_connections_per_ip}) {}

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void schedule_change_check();

  net::io_context& ioc;
  Context& ctx;
  tcp::acceptor acceptor;
  net::steady_timer timer;  // accept back-off and change checks share the acceptor's strand
  connections::Table table;
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;
  std::mutex sessions_mutex;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
  std::unique_ptr<net::steady_timer> change_timer;
  // Server::delegate(): set before start, read-only after.
  struct Delegation {
    std::string prefix;
    std::size_t body_bytes = 0;
    Server::Delegate handler;
  };
  std::vector<Delegation> delegations;

  // The delegation whose prefix `target` starts with; null: handle() answers it.
  const Delegation* delegated(std::string_view target) const {
    for (const Delegation& d : delegations) {
      if (!d.prefix.empty() && target.starts_with(d.prefix)) return &d;
    }
    return nullptr;
  }
};

// One connection. A request is read in three steps, each with its own deadline so that
// neither an idle nor a slow client holds a connection long: the wait for its first byte
// (idle_timeout, kept-alive connections only), the request line and headers
// (header_timeout), then the body (read_timeout). Until the headers are complete the
// connection is waiting in the table and may be closed for a newcomer.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Server::Impl> server)
      : connection_(connection_of(socket)),
        stream_(std::move(socket)),
        server_(std::move(server)),
        ctx_(server_->ctx) {}
  ~Session() {
    server_->table.release(id_);
    if (id_ != 0) ctx_.metrics().connection_closed();
    std::lock_guard lock(server_->sessions_mutex);
    server_->sessions.erase(this);
  }

  // Starts serving once admitted as `id`.
  void run(connections::Table::Id id) {
    id_ = id;
    ctx_.metrics().connection_opened();
    // Responses go out in one write; Nagle would only delay the last segment.
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    {
      std::lock_guard lock(server_->sessions_mutex);
      server_->sessions.emplace(this, weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  // From Server::stop(): an idle connection closes now, a busy one after its response.
  void shut_down() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->writing_) self->close();
    });
  }

  // Chosen to give way to a new connection (it was waiting for a request).
  void evict() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  void do_read() {
    if (server_->stopping) return close();
    const ServerOptions& o = ctx_.options();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(o.max_header_bytes));
    parser_->body_limit(o.max_body_bytes);
    server_->table.waiting(id_);
    if (first_ || buffer_.size() > 0) {
      first_ = false;
      return read_header();
    }
    // Kept alive: idle until the next request's first byte, whose headers then have
    // header_timeout like a new connection's.
    stream_.expires_after(o.idle_timeout);
    stream_.async_read_some(buffer_.prepare(1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->close();
                              self->read_header();
                            });
  }

  void read_header() {
    stream_.expires_after(ctx_.options().header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    if (ec) return on_error(ec);
    if (!server_->table.busy(id_)) return close();  // it gave way to a newcomer meanwhile
    if (parser_->is_done()) return on_read({});
    if (const auto* d = server_->delegated(parser_->get().target())) parser_->body_limit(d->body_bytes);
    stream_.expires_after(ctx_.options().read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_error(ec);
    const Request& req = parser_->get();
    route_ = route_of(req.target());
    if (req.target().size() > ctx_.options().max_target_bytes) {
      return send_error(http::status::uri_too_long, "request target too long");
    }
    if (const auto problem = host_field_problem(req)) return send_error(http::status::bad_request, *problem);
    if (const auto* d = server_->delegated(req.target())) {
      writing_ = true;  // answered later: Server::stop() must not close it meanwhile
      return d->handler(parser_->release(), [self = shared_from_this()](Response res) {
        net::post(self->stream_.get_executor(),
                  [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
      });
    }
    send(handle(req, ctx_, connection_));
  }

  void on_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return close();
    }
    if (ec == http::error::header_limit) return send_error(header_limit_status(), "request header too large");
    if (ec == http::error::body_limit)
      return send_error(http::status::payload_too_large, "request body too large");
    if (ec.category() == beast::error_code(http::error::end_of_stream).category()) {
      return send_error(http::status::bad_request, "malformed request");
    }
    close();  // reset by peer and friends: nobody to answer
  }

  // The parser keeps the request line once it is complete: with it, the headers were too
  // big (431); without it, the request line itself was (414). The bytes left in the buffer
  // cannot tell: after the request line they start with a header, maybe a long one.
  http::status header_limit_status() const {
    std::string_view target = parser_->get().target();
    return target.empty() || target.size() > ctx_.options().max_target_bytes
               ? http::status::uri_too_long
               : http::status::request_header_fields_too_large;
  }

  void send_error(http::status status, std::string_view message) {
    // A request that was never complete still takes its slot now: it is being answered.
    server_->table.busy(id_);
    Response res = error_response(status, 11, message);
    res.keep_alive(false);
    send(std::move(res));
  }

  void send(Response&& res) {
    response_ = std::move(res);
    writing_ = true;
    stream_.expires_after(ctx_.options().write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    ctx_.metrics().record_request(route_, response_.result_int(),
                                  std::chrono::steady_clock::now() - started_);
    if (ec || !response_.keep_alive()) return close();
    response_ = {};
    do_read();
  }

  void close() {
    server_->table.release(id_);  // the slot is free now, not when the last handler ends
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  const Connection connection_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  std::shared_ptr<Server::Impl> server_;
  Context& ctx_;
  connections::Table::Id id_ = 0;
  std::chrono::steady_clock::time_point started_;
  Route route_ = Route::other;
  bool first_ = true;
  bool writing_ = false;
};

void Server::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                          self->on_accept(ec, std::move(s));
                        });
}

void Server::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping || !acceptor.is_open()) return;
  if (ec) {
    ctx.metrics().accept_error();
    // Out of descriptors or memory: retrying at once would spin; wait a little, then go on.
    timer.expires_after(std::chrono::milliseconds(50));
    timer.async_wait([self = shared_from_this()](beast::error_code) {
      if (!self->stopping) self->accept();
    });
    return;
  }
  beast::error_code peer_ec;
  const tcp::endpoint peer = socket.remote_endpoint(peer_ec);
  auto session = std::make_shared<Session>(std::move(socket), shared_from_this());
  const auto admission = table.admit(peer_ec ? std::string() : connections::peer_key(peer.address()),
                                     [weak = std::weak_ptr<Session>(session)] {
                                       if (auto s = weak.lock()) s->evict();
                                     });
  using Outcome = connections::Table::Admission::Outcome;
  if (admission.outcome == Outcome::admitted_evicting) ctx.metrics().connection_evicted();
  if (admission.id == 0) {
    ctx.metrics().connection_rejected();  // its socket closes with the session
  } else {
    session->run(admission.id);
  }
  accept();
}

void Server::Impl::schedule_change_check() {
  change_timer->expires_after(ctx.options().change_check_interval);
  change_timer->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->stopping) return;
    self->ctx.check_for_changes();
    self->schedule_change_check();
  });
}

Server::Server(net::io_context& ioc, Catalog& catalog, ServerOptions options)
    : context_(catalog, std::move(options)), impl_(std::make_shared<Impl>(ioc, context_)) {}

Server::Server(net::io_context& ioc, std::unique_ptr<Catalog> catalog, ServerOptions options)
    : owned_catalog_(std::move(catalog)),
      context_(*owned_catalog_, std::move(options)),
      impl_(std::make_shared<Impl>(ioc, context_)) {}

Server::~Server() {
  stop();
}

boost::system::error_code Server::start() {
  const ServerOptions& o = context_.options();
  beast::error_code ec;
  auto address = net::ip::make_address(o.address, ec);
  if (ec) return ec;
  tcp::endpoint endpoint(address, o.port);
  auto& a = impl_->acceptor;
  if (a.open(endpoint.protocol(), ec); ec) return ec;
  if (a.set_option(net::socket_base::reuse_address(true), ec); ec) return ec;
  if (a.bind(endpoint, ec); ec) return ec;
  if (a.listen(net::socket_base::max_listen_connections, ec); ec) return ec;
  impl_->port = a.local_endpoint(ec).port();
  context_.check_for_changes();
  impl_->change_timer = std::make_unique<net::steady_timer>(impl_->acceptor.get_executor());
  impl_->accept();
  impl_->schedule_change_check();
  return {};
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  net::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->timer.cancel();
    if (impl->change_timer) impl->change_timer->cancel();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->sessions_mutex);
    for (auto& [ptr, weak] : impl_->sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->shut_down();
}

void Server::delegate(std::string prefix, std::size_t max_body_bytes, Delegate handler) {
  impl_->delegations.push_back({std::move(prefix), max_body_bytes, std::move(handler)});
}

std::uint16_t Server::port() const {
  return impl_->port;
}

}  // namespace tinhop::publish
