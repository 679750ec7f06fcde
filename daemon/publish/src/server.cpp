// Listener and sessions: deadlines on every read and write, size limits on every request,
// a connection cap, and a listener that keeps accepting after errors.
#include "tinhop/publish/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unordered_map>

namespace tinhop::publish {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

}  // namespace

class Session;

// State shared by the listener and its sessions; outlives both.
struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(net::io_context& io, Context& c)
      : ioc(io), ctx(c), acceptor(net::make_strand(io)), timer(acceptor.get_executor()) {}

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void schedule_change_check();

  net::io_context& ioc;
  Context& ctx;
  tcp::acceptor acceptor;
  net::steady_timer timer;  // accept back-off and change checks share the acceptor's strand
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;
  std::mutex sessions_mutex;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
  std::unique_ptr<net::steady_timer> change_timer;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Server::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)), ctx_(server_->ctx) {
    ctx_.metrics().connection_opened();
    // Responses go out in one write; Nagle would only delay the last segment.
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
  }
  ~Session() {
    ctx_.metrics().connection_closed();
    std::lock_guard lock(server_->sessions_mutex);
    server_->sessions.erase(this);
  }

  void run() {
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

 private:
  void do_read() {
    if (server_->stopping) return close();
    const ServerOptions& o = ctx_.options();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(o.max_header_bytes));
    parser_->body_limit(o.max_body_bytes);
    stream_.expires_after(first_ ? o.read_timeout : o.idle_timeout);
    first_ = false;
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return close();
    }
    if (ec == http::error::header_limit) return send_error(header_limit_status(), "request header too large");
    if (ec == http::error::body_limit)
      return send_error(http::status::payload_too_large, "request body too large");
    if (ec && ec.category() == beast::error_code(http::error::end_of_stream).category()) {
      return send_error(http::status::bad_request, "malformed request");
    }
    if (ec) return close();  // reset by peer and friends: nobody to answer
    const Request& req = parser_->get();
    route_ = route_of(req.target());
    if (req.target().size() > ctx_.options().max_target_bytes) {
      return send_error(http::status::uri_too_long, "request target too long");
    }
    send(handle(req, ctx_));
  }

  // A request line longer than the target limit is 414; otherwise the headers were too big.
  http::status header_limit_status() const {
    std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    std::size_t eol = data.find("\r\n");
    return eol == std::string_view::npos || eol > ctx_.options().max_target_bytes + 32
               ? http::status::uri_too_long
               : http::status::request_header_fields_too_large;
  }

  void send_error(http::status status, std::string_view message) {
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
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  std::shared_ptr<Server::Impl> server_;
  Context& ctx_;
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
  if (static_cast<std::size_t>(ctx.metrics().connections()) >= ctx.options().max_connections) {
    ctx.metrics().connection_rejected();
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    std::make_shared<Session>(std::move(socket), shared_from_this())->run();
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

std::uint16_t Server::port() const {
  return impl_->port;
}

}  // namespace tinhop::publish
