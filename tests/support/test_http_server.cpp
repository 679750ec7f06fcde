#include "support/test_http_server.hpp"

#include <sys/socket.h>
#include <zlib.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace tinhop::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

struct TestHttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::optional<asio::ssl::context> tls;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::thread accept_thread;

  mutable std::mutex mutex;
  std::map<std::string, Handler> routes;
  std::vector<HttpRequest> log;
  std::vector<std::thread> workers;
  std::vector<int> open_fds;
  std::size_t accepted = 0;

  Handler route(const std::string& path) {
    std::lock_guard lock(mutex);
    auto it = routes.find(path);
    if (it != routes.end()) return it->second;
    return [](const HttpRequest&) { return Script{.status = 404, .body = "not found"}; };
  }

  // Sleeps in small steps so a stopping server never waits out a slow scenario.
  bool sleep_for(std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      if (stopping) return false;
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(end - std::chrono::steady_clock::now(),
                                                                     std::chrono::milliseconds(10)));
    }
    return !stopping;
  }

  template <class Stream>
  void serve(Stream& stream, tcp::socket& socket) {
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      http::read(stream, buffer, parser, ec);
      if (ec) return;
      const auto& msg = parser.get();
      HttpRequest req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      for (const auto& field : msg) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        req.headers[name] = std::string(field.value());
      }
      req.body = msg.body();
      {
        std::lock_guard lock(mutex);
        log.push_back(req);
      }
      const std::string path = req.target.substr(0, req.target.find('?'));
      const Script script = route(path)(req);
      if (!respond(stream, socket, req, script) || script.close || !msg.keep_alive()) return;
    }
  }

  template <class Stream>
  bool respond(Stream& stream, tcp::socket& socket, const HttpRequest& req, const Script& s) {
    boost::system::error_code ec;
    const bool not_modified =
        s.status == 200 && ((!s.etag.empty() && req.header("if-none-match") == s.etag) ||
                            (!s.last_modified.empty() && req.header("if-modified-since") == s.last_modified));
    const int status = not_modified ? 304 : s.status;
    std::string body = not_modified             ? std::string()
                       : !s.pre_encoded.empty() ? s.pre_encoded
                       : s.gzip                 ? gzip_bytes(s.body)
                                                : s.body;
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                       std::string(http::obsolete_reason(static_cast<http::status>(status))) + "\r\n";
    for (const auto& [name, value] : s.headers) head += name + ": " + value + "\r\n";
    if (!s.etag.empty()) head += "ETag: " + s.etag + "\r\n";
    if (!s.last_modified.empty()) head += "Last-Modified: " + s.last_modified + "\r\n";
    if (!not_modified && (s.gzip || !s.pre_encoded.empty())) head += "Content-Encoding: gzip\r\n";
    if (s.endless) {
      head += "Transfer-Encoding: chunked\r\n";
    } else if (status != 304) {
      head += "Content-Length: " + std::to_string(s.content_length.value_or(body.size())) + "\r\n";
    }
    if (s.close) head += "Connection: close\r\n";
    head += "\r\n";
    asio::write(stream, asio::buffer(head), ec);
    if (ec) return false;
    if (s.endless) {
      const std::string chunk = "4000\r\n" + std::string(0x4000, 'x') + "\r\n";
      while (!stopping) {
        asio::write(stream, asio::buffer(chunk), ec);
        if (ec) return false;
      }
      return false;
    }
    if (s.reset_after) {
      asio::write(stream, asio::buffer(body.data(), std::min(*s.reset_after, body.size())), ec);
      sleep_for(std::chrono::milliseconds(50));
      socket.set_option(asio::socket_base::linger(true, 0), ec);
      socket.close(ec);  // SO_LINGER 0: the close sends a reset, not a FIN
      return false;
    }
    if (s.stall_after) {
      asio::write(stream, asio::buffer(body.data(), std::min(*s.stall_after, body.size())), ec);
      sleep_for(std::chrono::hours(24));  // returns when the server stops
      return false;
    }
    if (s.byte_delay.count() > 0) {
      for (char c : body) {
        asio::write(stream, asio::buffer(&c, 1), ec);
        if (ec || !sleep_for(s.byte_delay)) return false;
      }
      return true;
    }
    asio::write(stream, asio::buffer(body), ec);
    // A body shorter than announced: close so the client sees the truncation.
    if (!ec && s.content_length && *s.content_length > body.size()) return false;
    return !ec;
  }

  void handle(tcp::socket socket) {
    if (tls) {
      asio::ssl::stream<tcp::socket&> stream(socket, *tls);
      boost::system::error_code ec;
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (!ec) serve(stream, socket);
    } else {
      serve(socket, socket);
    }
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    {
      std::lock_guard lock(mutex);
      std::erase(open_fds, socket.native_handle());
    }
    socket.close(ec);
  }

  void accept_loop() {
    while (!stopping) {
      boost::system::error_code ec;
      tcp::socket socket(io);
      acceptor.accept(socket, ec);
      if (stopping) return;
      if (ec) continue;
      std::lock_guard lock(mutex);
      ++accepted;
      open_fds.push_back(socket.native_handle());
      workers.emplace_back([this, s = std::move(socket)]() mutable { handle(std::move(s)); });
    }
  }
};

TestHttpServer::TestHttpServer(std::optional<TlsFiles> tls) : impl_(std::make_unique<Impl>()) {
  if (tls) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(tls->cert.string());
    impl_->tls->use_private_key_file(tls->key.string(), asio::ssl::context::pem);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

TestHttpServer::~TestHttpServer() {
  impl_->stopping = true;
  {
    // Wakes the blocking accept with a connection of our own.
    boost::system::error_code ec;
    tcp::socket waker(impl_->io);
    waker.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
  }
  impl_->accept_thread.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(impl_->mutex);
    for (int fd : impl_->open_fds) ::shutdown(fd, SHUT_RDWR);  // unblocks reads and writes
    workers.swap(impl_->workers);
  }
  for (auto& t : workers) t.join();
}

void TestHttpServer::on(const std::string& path, Script script) {
  on(path, Handler([script = std::move(script)](const HttpRequest&) { return script; }));
}

void TestHttpServer::on(const std::string& path, Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->routes[path] = std::move(handler);
}

std::string TestHttpServer::url(std::string_view path) const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port) +
         std::string(path);
}

std::uint16_t TestHttpServer::port() const {
  return impl_->port;
}

std::size_t TestHttpServer::hits(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<std::size_t>(
      std::count_if(impl_->log.begin(), impl_->log.end(),
                    [&](const HttpRequest& r) { return r.target.substr(0, r.target.find('?')) == path; }));
}

std::vector<HttpRequest> TestHttpServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

std::size_t TestHttpServer::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

namespace {

std::string deflate_gzip(const std::function<bool(z_stream&, std::string&)>& feed) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib");
  std::string out;
  std::string input;
  bool last = false;
  char buf[16384];
  while (!last) {
    last = feed(zs, input);
    zs.next_in = reinterpret_cast<Bytef*>(input.data());
    zs.avail_in = static_cast<uInt>(input.size());
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buf, sizeof buf - zs.avail_out);
    } while (zs.avail_out == 0);
  }
  deflateEnd(&zs);
  return out;
}

}  // namespace

std::string gzip_bytes(std::string_view data) {
  return deflate_gzip([data](z_stream&, std::string& input) {
    input.assign(data);
    return true;
  });
}

std::string gzip_bomb(std::size_t decoded_size) {
  std::size_t left = decoded_size;
  return deflate_gzip([&left](z_stream&, std::string& input) {
    const std::size_t n = std::min<std::size_t>(left, 1 << 20);
    input.assign(n, '\0');
    left -= n;
    return left == 0;
  });
}

TlsFiles make_self_signed_certificate(const std::filesystem::path& dir, const std::string& names) {
  std::filesystem::create_directories(dir);
  TlsFiles files{dir / "cert.pem", dir / "key.pem"};
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost "
      "-addext subjectAltName=" +
      names + " -keyout '" + files.key.string() + "' -out '" + files.cert.string() + "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed: is openssl installed?");
  return files;
}

}  // namespace tinhop::test
