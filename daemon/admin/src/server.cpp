#include "tinhop/admin/server.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace tinhop::admin {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// Quotes a request target for a log line.
std::string log_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, 300)) {
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  }
  return out + "\"";
}

}  // namespace

struct AdminServer::Impl {
  Api& api;
  ServerOptions options;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> refusing{false};

  Impl(Api& a, ServerOptions o) : api(a), options(std::move(o)) {}

  void log(bool warning, const std::string& line) const {
    if (options.log) options.log(warning, line);
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (stopping) return;
      if (ec) {
        // Out of descriptors and the like: log and keep accepting.
        log(true, "admin.accept_failed error=" + log_quoted(ec.message()));
      } else if (connections >= options.max_connections) {
        log(true, "admin.connection_refused reason=\"connection cap\"");
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(*this, std::move(socket))->start();
      }
      accept();
    });
  }

  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
      ++server_.connections;
    }
    ~Session() { --server_.connections; }

    void start() { read(); }

   private:
    void read() {
      parser_.emplace();
      parser_->body_limit(server_.options.max_body_bytes);
      parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
      stream_.expires_after(server_.options.timeout);
      http::async_read(stream_, buffer_, *parser_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
        return close();
      }
      if (ec) {
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
      Request request = parser_->release();
      auto started = std::chrono::steady_clock::now();
      const bool refused = server_.refusing;  // expected while stopping: not a warning
      Response response = refused ? stopping_response(request) : server_.api.handle(request);
      auto took =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      server_.log(response.result_int() >= 500 && !refused,
                  "admin.request method=" + std::string(request.method_string()) + " target=" +
                      log_quoted(request.target()) + " status=" + std::to_string(response.result_int()) +
                      " ms=" + std::to_string(took.count()));
      write(std::move(response));
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
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream_.socket().close(ignored);
    }

    Impl& server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
  };
};

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() {
  stop();
}

Outcome<std::unique_ptr<AdminServer>> AdminServer::start(Api& api, ServerOptions options) {
  auto impl = std::make_unique<Impl>(api, std::move(options));
  beast::error_code ec;
  auto address = asio::ip::make_address(impl->options.listen.host, ec);
  if (ec)
    return Problem{Failure::invalid, "admin.listen: " + impl->options.listen.host + ": " + ec.message()};
  tcp::endpoint endpoint(address, impl->options.listen.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Problem{Failure::invalid, "admin.listen: cannot listen on " + impl->options.listen.to_string() +
                                         ": " + ec.message()};
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
}

std::uint16_t AdminServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace tinhop::admin
