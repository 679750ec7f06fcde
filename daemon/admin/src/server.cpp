#include "tinhop/admin/server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>
#include <thread>

#include "tinhop/connections/table.hpp"

namespace tinhop::admin {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
// One acceptor and session type for TCP and Unix sockets alike.
using Protocol = asio::generic::stream_protocol;
using Endpoint = Protocol::endpoint;
using Acceptor = asio::basic_socket_acceptor<Protocol>;
using Socket = Protocol::socket;

// Quotes a request target for a log line.
std::string log_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, 300)) {
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  }
  return out + "\"";
}

// The target for a log line without its query: a client may put a token there
// (?access_token=...), and logs are read by more people than the token is meant for.
std::string log_target(std::string_view target) {
  // The alerts feed's address holds its secret.
  if (target.starts_with("/alerts/")) return log_quoted("/alerts/(secret not logged)");
  const std::size_t query = target.find('?');
  if (query == std::string_view::npos) return log_quoted(target);
  return log_quoted(std::string(target.substr(0, query)) + "?(query not logged)");
}

// Makes way for a Unix socket at `path`: nothing there, or a socket nobody answers (left
// by a daemon that died) which is removed. Otherwise why not ("in use", "not a socket").
std::string clear_stale_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT ? std::string() : std::strerror(errno);
  if (!S_ISSOCK(st.st_mode)) return "the path exists and is not a socket";
  asio::io_context io;
  asio::local::stream_protocol::socket probe(io);
  beast::error_code ec;
  probe.connect(asio::local::stream_protocol::endpoint(path), ec);
  if (!ec) return "another process listens on it";
  if (::unlink(path.c_str()) != 0)
    return std::string("cannot remove the stale socket: ") + std::strerror(errno);
  return {};
}

}  // namespace

struct AdminServer::Impl {
  Handler handler;
  ServerOptions options;
  // Before the io_context: sessions still queued in it release their slot when it is
  // destroyed.
  connections::Table table;
  asio::io_context io{1};
  // After the io_context: destroyed (joined) first, so a handler finishing never posts
  // its answer to a destroyed loop.
  asio::thread_pool handlers{options.handler_threads};
  Acceptor acceptor{io};
  std::thread thread;
  std::uint16_t port = 0;
  std::string socket_path;  // the Unix socket this server made, removed at stop
  std::atomic<bool> stopping{false};
  std::atomic<bool> refusing{false};

  Impl(Handler h, ServerOptions o)
      : handler(std::move(h)), options(std::move(o)), table({options.max_connections, 0}) {}

  void log(bool warning, const std::string& line) const {
    if (options.log) options.log(warning, line);
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, Socket socket) {
      if (stopping) return;
      if (ec) {
        // Out of descriptors and the like: log and keep accepting.
        log(true, "admin.accept_failed error=" + log_quoted(ec.message()));
        return accept();
      }
      auto session = std::make_shared<Session>(*this, std::move(socket));
      const auto admission = table.admit({}, [weak = std::weak_ptr<Session>(session)] {
        if (auto s = weak.lock()) s->evict();
      });
      if (admission.id == 0) {
        log(true, "admin.connection_refused reason=\"connection cap\"");
      } else {
        if (admission.outcome == connections::Table::Admission::Outcome::admitted_evicting) {
          log(true, "admin.connection_evicted reason=\"connection cap\"");
        }
        session->start(admission.id);
      }
      accept();
    });
  }

  // Reads like the public listener's sessions: the next request's first byte within
  // `timeout` of the last response, its headers within header_timeout of that (or of
  // connecting), its body within `timeout`. Until its headers are complete it may be
  // closed for a newcomer at the cap.
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(Impl& server, Socket socket) : server_(server), stream_(std::move(socket)) {}
    ~Session() { server_.table.release(id_); }

    void start(connections::Table::Id id) {
      id_ = id;
      read();
    }
    void evict() {
      asio::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
    }

   private:
    void read() {
      parser_.emplace();
      parser_->body_limit(server_.options.max_body_bytes);
      parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
      server_.table.waiting(id_);
      if (first_ || buffer_.size() > 0) {
        first_ = false;
        return read_header();
      }
      stream_.expires_after(server_.options.timeout);
      stream_.async_read_some(buffer_.prepare(1024),
                              [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->buffer_.commit(n);
                                if (ec) return self->close();
                                self->read_header();
                              });
    }

    void read_header() {
      stream_.expires_after(server_.options.header_timeout);
      http::async_read_header(
          stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->on_read(ec);
            if (!self->server_.table.busy(self->id_)) return self->close();
            if (self->parser_->is_done()) return self->on_read({});
            self->stream_.expires_after(self->server_.options.timeout);
            http::async_read(self->stream_, self->buffer_, *self->parser_,
                             [self](beast::error_code ec, std::size_t) { self->on_read(ec); });
          });
    }

    void on_read(beast::error_code ec) {
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
        return close();
      }
      if (ec) {
        server_.table.busy(id_);
        http::status status = ec == http::error::body_limit ? http::status::payload_too_large
                              : ec == http::error::header_limit
                                  ? http::status::request_header_fields_too_large
                                  : http::status::bad_request;
        Response response{status, 11};
        response.set(http::field::content_type, "application/json");
        response.body() = "{\"error\":\"bad_request\",\"message\":" +
                          boost::json::serialize(boost::json::string(ec.message())) + "}\n";
        response.keep_alive(false);
        response.prepare_payload();
        server_.log(true, "admin.bad_request error=" + log_quoted(ec.message()));
        return write(std::move(response));
      }
      // Answered on a handler thread: this one keeps reading and writing for every other
      // connection while a handler waits.
      asio::post(server_.handlers,
                 [self = shared_from_this(), request = std::make_shared<Request>(parser_->release())] {
                   self->respond(*request);
                 });
    }

    // On a handler thread.
    void respond(const Request& request) {
      const auto started = std::chrono::steady_clock::now();
      const bool refused = server_.refusing;  // expected while stopping: not a warning
      Response response = refused ? stopping_response(request) : server_.handler(request);
      const auto took =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      server_.log(response.result_int() >= 500 && !refused,
                  "admin.request method=" + std::string(request.method_string()) + " target=" +
                      log_target(request.target()) + " status=" + std::to_string(response.result_int()) +
                      " ms=" + std::to_string(took.count()));
      asio::post(stream_.get_executor(),
                 [self = shared_from_this(), response = std::move(response)]() mutable {
                   self->write(std::move(response));
                 });
    }
    Response stopping_response(const Request& request) const {
      Response response{http::status::service_unavailable, request.version()};
      response.set(http::field::content_type, "application/json");
      response.set(http::field::cache_control, "no-store");
      response.set(http::field::retry_after, std::to_string(server_.options.stopping_retry_after.count()));
      response.body() =
          "{\"error\":\"stopping\",\"message\":\"tinhop is stopping; retry once it is back\"}\n";
      response.keep_alive(false);
      response.prepare_payload();
      return response;
    }

    void write(Response response) {
      auto shared = std::make_shared<Response>(std::move(response));
      stream_.expires_after(server_.options.timeout);
      http::async_write(stream_, *shared,
                        [self = shared_from_this(), shared](beast::error_code ec, std::size_t) {
                          // While refusing, a kept-alive connection still reads its next request,
                          // so the client gets the 503 rather than a connection closed under it.
                          if (ec || !shared->keep_alive() || self->server_.stopping) return self->close();
                          self->read();
                        });
    }

    void close() {
      server_.table.release(id_);
      beast::error_code ignored;
      stream_.socket().shutdown(Socket::shutdown_send, ignored);
      stream_.socket().close(ignored);
    }

    Impl& server_;
    beast::basic_stream<Protocol> stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    connections::Table::Id id_ = 0;
    bool first_ = true;
  };
};

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() {
  stop();
}

Outcome<std::unique_ptr<AdminServer>> AdminServer::start(Handler handler, ServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(handler), std::move(options));
  const config::ListenAddress& listen = impl->options.listen;
  auto fail = [&](const std::string& why) {
    return Problem{Failure::invalid, "admin.listen: cannot listen on " + listen.to_string() + ": " + why};
  };
  beast::error_code ec;
  if (listen.is_unix()) {
    if (std::string problem = clear_stale_socket(listen.unix_path); !problem.empty()) return fail(problem);
    asio::local::stream_protocol::endpoint endpoint(listen.unix_path);
    impl->acceptor.open(Protocol(endpoint.protocol()), ec);
    if (!ec) impl->acceptor.bind(Endpoint(endpoint), ec);
    if (!ec) impl->socket_path = listen.unix_path;
    // bind() applies the umask (0077 under the packaged unit); the group must get in.
    if (!ec && ::chmod(listen.unix_path.c_str(), 0660) != 0)
      ec.assign(errno, boost::system::system_category());
  } else {
    auto address = asio::ip::make_address(listen.host, ec);
    if (ec) return Problem{Failure::invalid, "admin.listen: " + listen.host + ": " + ec.message()};
    tcp::endpoint endpoint(address, listen.port);
    impl->acceptor.open(Protocol(endpoint.protocol()), ec);
    if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(Endpoint(endpoint), ec);
    if (!ec) {
      const Endpoint bound = impl->acceptor.local_endpoint(ec);
      tcp::endpoint as_tcp;
      std::memcpy(as_tcp.data(), bound.data(), std::min<std::size_t>(bound.size(), as_tcp.capacity()));
      impl->port = as_tcp.port();
    }
  }
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    if (!impl->socket_path.empty()) ::unlink(impl->socket_path.c_str());
    return fail(ec.message());
  }
  impl->accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

void AdminServer::refuse_requests() {
  if (impl_) impl_->refusing = true;
}

void AdminServer::stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->io.stop();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
  // A handler still running finishes (its fetch is bounded by its deadlines); one not
  // started yet is dropped with its connection.
  impl_->handlers.stop();
  impl_->handlers.join();
  if (!impl_->socket_path.empty()) ::unlink(impl_->socket_path.c_str());
}

std::uint16_t AdminServer::port() const {
  return impl_->port;
}

}  // namespace tinhop::admin
