// The steps before the first request byte: the name lookup (under its own deadline, with
// an injected resolver) and an https tunnel through an HTTP proxy (CONNECT).
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <mutex>
#include <thread>

#include "fetch_helpers.hpp"

namespace {

using namespace tinhop;
using namespace tinhop::test;
using fetch::Error;
using fetch::Response;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

const std::string feed_xml = "<rss version=\"2.0\"><channel><title>T</title></channel></rss>";

Script ok_feed() {
  return Script{.headers = {{"Content-Type", "application/rss+xml"}}, .body = feed_xml};
}

tcp::endpoint loopback(std::uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

// An HTTP proxy that only tunnels (CONNECT host:port), on its own thread; `refuse` > 0
// answers every CONNECT with that status instead.
class ConnectProxy {
 public:
  explicit ConnectProxy(int refuse = 0) : refuse_(refuse), acceptor_(io_, loopback(0)) {
    asio::co_spawn(io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ConnectProxy() {
    io_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  std::vector<std::string> request_lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io_, session(std::make_shared<tcp::socket>(std::move(socket))), asio::detached);
    }
  }

  static asio::awaitable<void> relay(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
    std::array<char, 16384> buf;
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n =
          co_await from->async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        to->shutdown(tcp::socket::shutdown_send, ec);
        co_return;
      }
      co_await asio::async_write(*to, asio::buffer(buf, n), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
  }

  asio::awaitable<void> session(std::shared_ptr<tcp::socket> client) {
    boost::system::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    asio::streambuf in;
    const std::size_t head = co_await asio::async_read_until(*client, in, "\r\n\r\n", token);
    if (ec) co_return;
    const std::string request(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + head);
    in.consume(head);
    const std::string line = request.substr(0, request.find("\r\n"));
    {
      std::lock_guard lock(mutex_);
      lines_.push_back(line);
    }
    if (refuse_ > 0) {
      const std::string answer =
          "HTTP/1.1 " + std::to_string(refuse_) + " Refused\r\nContent-Length: 0\r\n\r\n";
      co_await asio::async_write(*client, asio::buffer(answer), token);
      co_return;
    }
    // "CONNECT 127.0.0.1:PORT HTTP/1.1": this proxy only reaches loopback.
    const std::size_t colon = line.rfind(':');
    const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
    auto upstream = std::make_shared<tcp::socket>(io_);
    co_await upstream->async_connect(loopback(port), token);
    if (ec) co_return;
    co_await asio::async_write(
        *client, asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")), token);
    if (ec) co_return;
    if (in.size() > 0) co_await asio::async_write(*upstream, in.data(), token);
    asio::co_spawn(io_, relay(client, upstream), asio::detached);
    asio::co_spawn(io_, relay(upstream, client), asio::detached);
  }

  int refuse_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace

TEST_CASE("a name lookup that never answers hits the resolve deadline - other fetches go on") {
  TestHttpServer server;
  server.on("/rss", ok_feed());
  std::vector<fetch::ResolveDone> unanswered;
  auto options = test_options();
  options.limits.resolve_timeout = 300ms;
  options.resolver = [&](const std::string& host, const std::string& port, fetch::ResolveDone done) {
    if (host == "silent.test") return unanswered.push_back(std::move(done));
    done({}, {loopback(static_cast<std::uint16_t>(std::stoi(port)))});
  };
  asio::io_context io;
  fetch::Client client(io.get_executor(), options);
  std::vector<std::string> finished;
  int silent_callbacks = 0;
  Response silent, answered;
  client.fetch({.url = "http://silent.test/rss"}, [&](Response r) {
    ++silent_callbacks;
    silent = std::move(r);
    finished.push_back("silent");
  });
  client.fetch({.url = "http://answered.test:" + std::to_string(server.port()) + "/rss"}, [&](Response r) {
    answered = std::move(r);
    finished.push_back("answered");
  });
  while (finished.size() < 2 && io.run_one_for(10s) > 0) {
  }
  REQUIRE(finished == std::vector<std::string>{"answered", "silent"});
  CHECK(answered.ok());
  CHECK(answered.body == feed_xml);
  CHECK(silent.error == Error::timeout);
  CHECK(silent.error_text == "resolving silent.test: timed out");
  CHECK(silent.elapsed >= 300ms);
  CHECK(silent.elapsed < 3s);
  // The lookup answers at last: too late, and the fetch is not reported twice.
  REQUIRE(unanswered.size() == 1);
  unanswered[0]({}, {loopback(1)});
  io.restart();
  io.run_for(50ms);
  CHECK(silent_callbacks == 1);
}

TEST_CASE("a lookup without an address is a resolve error - shutdown cancels a pending lookup") {
  std::vector<fetch::ResolveDone> pending;
  auto options = test_options();
  options.resolver = [&](const std::string& host, const std::string&, fetch::ResolveDone done) {
    if (host == "empty.test") return done({}, {});
    if (host == "refused.test") return done(asio::error::host_not_found, {});
    pending.push_back(std::move(done));
  };
  const Response empty = fetch_url("http://empty.test/rss", options);
  CHECK(empty.error == Error::resolve);
  CHECK(empty.error_text == "resolving empty.test: no address");
  const Response refused = fetch_url("http://refused.test/rss", options);
  CHECK(refused.error == Error::resolve);
  CHECK(refused.error_text ==
        "resolving refused.test: " + boost::system::error_code(asio::error::host_not_found).message());

  asio::io_context io;
  fetch::Client client(io.get_executor(), options);
  std::optional<Response> cancelled;
  client.fetch({.url = "http://pending.test/rss"}, [&](Response r) { cancelled = std::move(r); });
  while (pending.empty() && io.run_one_for(1s) > 0) {
  }
  REQUIRE(pending.size() == 1);
  CHECK(client.in_flight() == 1);
  client.shutdown();
  while (!cancelled && io.run_one_for(5s) > 0) {
  }
  REQUIRE(cancelled);
  CHECK(cancelled->error == Error::cancelled);
  CHECK(cancelled->error_text == "resolving pending.test: cancelled");
}

TEST_CASE("https through an HTTP proxy: a CONNECT tunnel - the certificate checked end to end") {
  TestHttpServer server(test_certificate());
  server.on("/rss", ok_feed());
  ConnectProxy proxy;
  const std::string url = server.url("/rss");  // https://127.0.0.1:PORT/rss
  const std::string authority = url.substr(8, url.find('/', 8) - 8);
  auto options = test_options();
  options.proxy = proxy.url();
  options.use_system_ca = false;
  options.extra_ca_file = test_certificate().cert.string();
  const Response r = fetch_url(url, options);
  REQUIRE(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body == feed_xml);
  CHECK(proxy.request_lines() == std::vector<std::string>{"CONNECT " + authority + " HTTP/1.1"});
  // Inside the tunnel the server got an origin-form request, not the proxy's absolute form.
  REQUIRE(server.requests().size() == 1);
  CHECK(server.requests()[0].target == "/rss");

  // Through the same tunnel an untrusted certificate still fails verification.
  auto untrusting = options;
  untrusting.extra_ca_file.reset();
  const Response bad = fetch_url(url, untrusting);
  CHECK(bad.error == Error::tls);
  CHECK(bad.error_text.find("self-signed certificate") != std::string::npos);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("a proxy refusing CONNECT is a proxy error with its status") {
  TestHttpServer server(test_certificate());
  server.on("/rss", ok_feed());
  ConnectProxy proxy(403);
  auto options = test_options();
  options.proxy = proxy.url();
  options.use_system_ca = false;
  options.extra_ca_file = test_certificate().cert.string();
  const Response r = fetch_url(server.url("/rss"), options);
  CHECK(r.error == Error::proxy);
  CHECK(r.error_text == "proxy refused CONNECT with status 403");
  CHECK(proxy.request_lines().size() == 1);
  CHECK(server.requests().empty());
}
