#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "running_server.hpp"

namespace {

using namespace tinhop;
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct Client {
  explicit Client(std::uint16_t port) : socket(ioc) {
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    timeval tv{5, 0};  // a broken server fails the test instead of hanging it
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(const std::string& bytes) { net::write(socket, net::buffer(bytes)); }
  http::response<http::string_body> read_response() {
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return res;
  }
  // Everything until the server closes the connection.
  std::string read_to_end() {
    std::string out;
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
      std::size_t n = socket.read_some(net::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
    closed_cleanly = ec == net::error::eof || ec == net::error::connection_reset;
    return out;
  }
  net::io_context ioc;
  tcp::socket socket;
  boost::beast::flat_buffer buffer;
  bool closed_cleanly = false;
};

std::string get(const std::string& target, const std::string& extra = {}) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

}  // namespace

TEST_CASE("server: keep-alive serves several requests on one connection", "[publish][server]") {
  test::RunningServer server;
  Client c(server.server->port());
  c.send(get("/feed.atom"));
  auto first = c.read_response();
  CHECK(first.result() == http::status::ok);
  CHECK(first.body().find("<feed xmlns=\"http://www.w3.org/2005/Atom\"") != std::string::npos);
  const std::string etag{first[http::field::etag]};
  c.send(get("/feed.atom", "If-None-Match: " + etag + "\r\n") + get("/feed.json"));  // pipelined
  auto second = c.read_response();
  CHECK(second.result() == http::status::not_modified);
  auto third = c.read_response();
  CHECK(third.result() == http::status::ok);
  CHECK(third.body().starts_with("{\"version\":\"https://jsonfeed.org/version/1.1\""));
  c.send("HEAD /feed.rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string head = c.read_to_end();
  CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(head.ends_with("\r\n\r\n"));  // headers only
  CHECK(c.closed_cleanly);
}

TEST_CASE("server: oversized and malformed requests get clean errors", "[publish][server]") {
  test::RunningServer server;
  const auto port = server.server->port();
  {
    Client c(port);
    c.send(get("/feed.atom?q=" + std::string(5000, 'a')));
    CHECK(c.read_to_end().starts_with("HTTP/1.1 414 URI Too Long\r\n"));
  }
  {
    Client c(port);
    std::string headers;
    for (int i = 0; i < 100; ++i)
      headers += "X-Filler-" + std::to_string(i) + ": " + std::string(300, 'x') + "\r\n";
    c.send(get("/feed.atom", headers));
    CHECK(c.read_to_end().starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  }
  {
    // One header longer than the limit: still the headers' fault, not the target's.
    Client c(port);
    c.send(get("/feed.atom", "Cookie: " + std::string(20000, 'x') + "\r\n"));
    CHECK(c.read_to_end().starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  }
  {
    Client c(port);
    c.send(get("/feed.atom?q=" + std::string(20000, 'a')));
    CHECK(c.read_to_end().starts_with("HTTP/1.1 414 URI Too Long\r\n"));
  }
  {
    Client c(port);
    c.send("GET /feed.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    CHECK(c.read_to_end().starts_with("HTTP/1.1 413 Payload Too Large\r\n"));
  }
  {
    Client c(port);
    c.send("HELLO THERE\r\n\r\n");
    CHECK(c.read_to_end().starts_with("HTTP/1.1 400 Bad Request\r\n"));
  }
  {
    Client c(port);
    c.send("DELETE /feed.atom HTTP/1.1\r\nHost: x\r\n\r\n");
    auto res = c.read_response();
    CHECK(res.result() == http::status::method_not_allowed);
    c.send(get("/healthz"));  // the connection survives a 405
    CHECK(c.read_response().result() == http::status::ok);
  }
  // The listener is still accepting after all of that.
  Client c(port);
  c.send(get("/feed.rss"));
  CHECK(c.read_response().result() == http::status::ok);
}

TEST_CASE("server: a body that stops coming is closed at the read timeout", "[publish][server]") {
  publish::ServerOptions o;
  o.read_timeout = std::chrono::seconds(1);
  test::RunningServer server(o);
  Client c(server.server->port());
  c.send("GET /feed.atom HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12");  // and nothing more
  const auto start = std::chrono::steady_clock::now();
  CHECK(c.read_to_end().empty());
  CHECK(c.closed_cleanly);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
}

TEST_CASE("server: at the cap the longest-idle connection gives way to a new one", "[publish][server]") {
  publish::ServerOptions o;
  o.max_connections = 2;
  test::RunningServer server(o);
  const auto port = server.server->port();
  Client a(port);
  a.send(get("/healthz"));
  a.read_response();
  Client b(port);
  b.send(get("/healthz"));
  b.read_response();
  // Both wait on kept-alive connections; a has waited longer and is closed for c.
  Client c(port);
  c.send(get("/healthz"));
  CHECK(c.read_response().result() == http::status::ok);
  CHECK(a.read_to_end().empty());
  CHECK(a.closed_cleanly);
  b.send(get("/metrics"));
  auto metrics = b.read_response();
  CHECK(metrics.body().find("tinhop_http_connections_evicted_total 1\n") != std::string::npos);
  CHECK(metrics.body().find("tinhop_http_connections_rejected_total 0\n") != std::string::npos);
  CHECK(metrics.body().find("tinhop_http_connections 2\n") != std::string::npos);
}

TEST_CASE("server: a connection in the middle of a request never gives way", "[publish][server]") {
  publish::ServerOptions o;
  o.max_connections = 2;
  test::RunningServer server(o);
  const auto port = server.server->port();
  Client busy(port);  // complete headers, half of its body
  busy.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Client idle(port);  // connected, nothing sent: it gives way
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Client newcomer(port);
  newcomer.send(get("/healthz"));
  CHECK(newcomer.read_response().result() == http::status::ok);
  CHECK(idle.read_to_end().empty());
  busy.send("67890");
  CHECK(busy.read_response().result() == http::status::ok);
  // With every connection busy there is nobody to close: a newcomer is turned away.
  busy.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n1");
  newcomer.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n1");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Client refused(port);
  CHECK(refused.read_to_end().empty());
}

TEST_CASE("server: one client address holds at most max_connections_per_ip", "[publish][server]") {
  publish::ServerOptions o;
  o.max_connections_per_ip = 2;
  test::RunningServer server(o);
  const auto port = server.server->port();
  Client a(port);
  Client b(port);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Client third(port);
  CHECK(third.read_to_end().empty());
  CHECK(third.closed_cleanly);
  a.send(get("/metrics"));
  CHECK(a.read_response().body().find("tinhop_http_connections_rejected_total 1\n") != std::string::npos);
}

TEST_CASE("server: a connection that sends nothing, or its headers slowly, is closed at header_timeout",
          "[publish][server]") {
  publish::ServerOptions o;
  o.header_timeout = std::chrono::seconds(1);
  test::RunningServer server(o);
  const auto port = server.server->port();
  const auto start = std::chrono::steady_clock::now();
  Client silent(port);
  Client slow(port);
  // A byte every 200 ms keeps every single read alive but never completes the headers.
  const std::string request = get("/healthz", "X-Slow: " + std::string(30, 'x') + "\r\n");
  boost::system::error_code ec;
  for (std::size_t i = 0; i < request.size() - 2 && !ec; ++i) {
    net::write(slow.socket, net::buffer(&request[i], 1), ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (std::chrono::steady_clock::now() - start > std::chrono::seconds(4)) break;
  }
  CHECK(ec);  // the server closed it under the writes
  CHECK(silent.read_to_end().empty());
  CHECK(silent.closed_cleanly);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
}

TEST_CASE("server: a kept-alive connection idles for idle_timeout, then has header_timeout for a request",
          "[publish][server]") {
  publish::ServerOptions o;
  o.header_timeout = std::chrono::seconds(1);
  o.idle_timeout = std::chrono::seconds(30);
  test::RunningServer server(o);
  Client c(server.server->port());
  c.send(get("/healthz"));
  c.read_response();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // idle past header_timeout: kept
  c.send(get("/healthz"));
  CHECK(c.read_response().result() == http::status::ok);
  const auto start = std::chrono::steady_clock::now();
  c.send("GET /healthz HTTP/1.1\r\nHo");  // a next request that never completes
  CHECK(c.read_to_end().empty());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("server: stop closes idle connections and lets run() return", "[publish][server]") {
  auto server = std::make_unique<test::RunningServer>();
  Client c(server->server->port());
  c.send(get("/feed.atom"));
  c.read_response();
  server.reset();  // stop() + join: hangs here if an idle session kept the io_context busy
  CHECK(c.read_to_end().empty());
}
