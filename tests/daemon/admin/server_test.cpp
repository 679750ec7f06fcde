// The admin listener over real loopback and Unix sockets: auth, body limit, keep-alive,
// deadlines and the connection cap.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "tinhop/admin/server.hpp"
#include "tinhop/admin/sync.hpp"

using namespace tinhop;
using namespace tinhop::admin;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

namespace {

const std::string token = "fedcba9876543210fedcba9876543210";

Handler handler(Api& api) {
  return [&api](const Request& request) { return api.handle(request); };
}

ServerOptions on_any_loopback_port() {
  ServerOptions options;
  options.listen = {"127.0.0.1", 0};
  return options;
}

struct Running {
  storage::Store store = storage::Store::open(":memory:").value();
  config::LiveConfig live{config::Config{}};
  Api api{Token{token}, store, live, ApiHooks{}, [] { return Instant(std::chrono::seconds(1'790'000'000)); }};
  std::vector<std::string> log;
  std::mutex log_mutex;
  std::unique_ptr<AdminServer> server;

  explicit Running(std::size_t max_body = 1024, ServerOptions options = on_any_loopback_port()) {
    options.max_body_bytes = max_body;
    options.log = [this](bool, std::string_view line) {
      std::lock_guard lock(log_mutex);
      log.emplace_back(line);
    };
    auto started = AdminServer::start(handler(api), options);
    REQUIRE(started.has_value());
    server = std::move(*started);
  }
};

struct Client {
  boost::asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;

  explicit Client(std::uint16_t port) {
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }

  http::response<http::string_body> send(http::verb method, const std::string& target,
                                         const std::string& body, bool authorized) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (authorized) request.set(http::field::authorization, "Bearer " + token);
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return response;
  }
};

}  // namespace

TEST_CASE("the admin listener answers on loopback, keeps connections alive and enforces auth") {
  Running running;
  Client client(running.server->port());
  CHECK(client.send(http::verb::get, "/api/health", {}, false).result() == http::status::unauthorized);
  // Same connection, now with the token.
  auto health = client.send(http::verb::get, "/api/health", {}, true);
  CHECK(health.result() == http::status::ok);
  CHECK(boost::json::parse(health.body()).at("status") == "ok");
  auto created = client.send(http::verb::post, "/api/sources", R"({"url":"https://a.vn/rss"})", true);
  CHECK(created.result() == http::status::created);
  running.server->stop();
  std::lock_guard lock(running.log_mutex);
  REQUIRE(running.log.size() == 3);
  CHECK(running.log[0].rfind("admin.request method=GET target=\"/api/health\" status=401 ms=", 0) == 0);
  CHECK(running.log[2].rfind("admin.request method=POST target=\"/api/sources\" status=201 ms=", 0) == 0);
}

TEST_CASE("a body over the limit gets 413 and nothing is stored") {
  Running running(1024);
  Client client(running.server->port());
  std::string body = R"({"url":"https://a.vn/rss","title":")" + std::string(2000, 'x') + "\"}";
  auto response = client.send(http::verb::post, "/api/sources", body, true);
  CHECK(response.result() == http::status::payload_too_large);
  CHECK(boost::json::parse(response.body()).at("message") == "body limit exceeded");
  CHECK(running.store.list_sources().value().empty());
}

TEST_CASE("the admin listener refuses an address in use with a clear message") {
  Running first;
  ServerOptions options;
  options.listen = {"127.0.0.1", first.server->port()};
  auto second = AdminServer::start(handler(first.api), options);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().message == "admin.listen: cannot listen on 127.0.0.1:" +
                                      std::to_string(first.server->port()) + ": Address already in use");
}

TEST_CASE("once refusing, every request gets 503 stopping with Retry-After and the API is not called") {
  Running running;
  Client keep_alive(running.server->port());
  CHECK(keep_alive.send(http::verb::get, "/api/health", {}, true).result() == http::status::ok);
  running.server->refuse_requests();
  // A connection opened before and one opened after both get the answer.
  auto on_old = keep_alive.send(http::verb::post, "/api/sources", R"({"url":"https://a.vn/rss"})", true);
  Client fresh(running.server->port());
  auto on_new = fresh.send(http::verb::get, "/api/sources", {}, false);
  for (const auto* response : {&on_old, &on_new}) {
    CHECK(response->result() == http::status::service_unavailable);
    CHECK(response->body() ==
          "{\"error\":\"stopping\",\"message\":\"tinhop is stopping; retry once it is back\"}\n");
    CHECK((*response)[http::field::retry_after] == "10");
    CHECK_FALSE(response->keep_alive());
  }
  CHECK(running.store.list_sources().value().empty());
  running.server->stop();
  std::lock_guard lock(running.log_mutex);
  REQUIRE(running.log.size() == 3);
  CHECK(running.log[1].rfind("admin.request method=POST target=\"/api/sources\" status=503 ms=", 0) == 0);
}

TEST_CASE("a token in the query string is never logged") {
  Running running;
  Client client(running.server->port());
  client.send(http::verb::get, "/api/health?access_token=" + token, {}, true);
  client.send(http::verb::get, "/api/sources?token=" + token + "&x=1", {}, false);
  running.server->stop();
  std::lock_guard lock(running.log_mutex);
  REQUIRE(running.log.size() == 2);
  CHECK(running.log[0].rfind("admin.request method=GET target=\"/api/health?(query not logged)\" status=200",
                             0) == 0);
  CHECK(running.log[1].rfind("admin.request method=GET target=\"/api/sources?(query not logged)\" status=401",
                             0) == 0);
  for (const std::string& line : running.log) CHECK(line.find(token) == std::string::npos);
}

TEST_CASE("the admin listener serves a Unix socket of mode 0660 and removes it at stop") {
  const auto path =
      std::filesystem::temp_directory_path() / ("tinhop-admin-" + std::to_string(::getpid()) + ".sock");
  std::filesystem::remove(path);
  {
    // A socket file left by a daemon that died is replaced.
    boost::asio::io_context io;
    boost::asio::local::stream_protocol::acceptor stale(
        io, boost::asio::local::stream_protocol::endpoint(path.string()));
  }
  REQUIRE(std::filesystem::is_socket(path));
  ServerOptions options;
  options.listen = config::ListenAddress::unix_socket(path.string());
  Running running(1024, options);
  CHECK(running.server->port() == 0);
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
         std::filesystem::perms::group_read | std::filesystem::perms::group_write));
  {
    boost::asio::io_context io;
    beast::basic_stream<boost::asio::local::stream_protocol> stream(io);
    stream.connect(boost::asio::local::stream_protocol::endpoint(path.string()));
    http::request<http::string_body> request{http::verb::get, "/api/health", 11};
    request.set(http::field::authorization, "Bearer " + token);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    CHECK(response.result() == http::status::ok);
  }
  // A second server on the same live socket is refused, not stolen.
  auto second = AdminServer::start(handler(running.api), options);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().message ==
        "admin.listen: cannot listen on unix:" + path.string() + ": another process listens on it");
  running.server->stop();
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("the admin listener closes a silent connection at header_timeout and lets idle ones give way") {
  ServerOptions options = on_any_loopback_port();
  options.header_timeout = std::chrono::seconds(1);
  options.max_connections = 2;
  Running running(1024, options);
  const auto port = running.server->port();
  Client idle(port);
  CHECK(idle.send(http::verb::get, "/api/health", {}, true).result() == http::status::ok);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Client silent(port);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // At the cap of 2: the kept-alive one has waited longest and gives way.
  Client newcomer(port);
  CHECK(newcomer.send(http::verb::get, "/api/health", {}, true).result() == http::status::ok);
  beast::error_code ec;
  char byte = 0;
  idle.stream.expires_after(std::chrono::seconds(5));
  idle.stream.read_some(boost::asio::buffer(&byte, 1), ec);
  CHECK(ec == boost::asio::error::eof);
  const auto start = std::chrono::steady_clock::now();
  silent.stream.expires_after(std::chrono::seconds(5));
  silent.stream.read_some(boost::asio::buffer(&byte, 1), ec);
  CHECK(ec == boost::asio::error::eof);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}
