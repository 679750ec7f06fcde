// Links without a configured base URL: from the request's Host, checked; from a proxy's
// forwarding headers only when the proxy is trusted; cached per base (issue #15, point 4).
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "fake_catalog.hpp"
#include "running_server.hpp"
#include "tinhop/publish/handler.hpp"

namespace {

using namespace tinhop;
namespace http = boost::beast::http;

// As `tinhop serve` runs with the example configuration: every address, no base_url.
publish::ServerOptions wildcard() {
  publish::ServerOptions o;
  o.address = "0.0.0.0";
  o.port = 8080;
  return o;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

publish::Response call(publish::Context& ctx, const std::string& target, const Headers& headers,
                       const publish::Connection& connection = {}, unsigned version = 11) {
  publish::Request req{http::verb::get, target, version};
  for (const auto& [field, value] : headers) req.insert(field, value);
  return publish::handle(req, ctx, connection);
}

std::string body(const publish::Response& res) {
  return res.body() ? *res.body() : std::string{};
}

std::string base(const publish::ServerOptions& options, const Headers& headers,
                 const publish::Connection& connection = {}) {
  publish::Request req{http::verb::get, "/feed.atom", 11};
  for (const auto& [field, value] : headers) req.insert(field, value);
  return publish::base_url_of(req, options, connection);
}

publish::Connection from(const char* peer) {
  return publish::Connection{parse_ip_literal(peer), "10.0.0.5:8080"};
}

std::vector<IpNetwork> networks(std::initializer_list<const char*> blocks) {
  std::vector<IpNetwork> out;
  for (const char* block : blocks) {
    std::string why;
    out.push_back(*parse_ip_network(block, why));
  }
  return out;
}

// The raw response to `request`, sent on a new connection to `port`.
std::string exchange(std::uint16_t port, const std::string& request) {
  namespace net = boost::asio;
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  timeval tv{5, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  net::write(socket, net::buffer(request));
  std::string out;
  boost::system::error_code ec;
  net::read(socket, net::dynamic_buffer(out), ec);
  return out;
}

}  // namespace

TEST_CASE("base url: the server tells the handler who is asking and which address they reached",
          "[publish][base_url]") {
  publish::ServerOptions o;
  o.trusted_proxies = networks({"127.0.0.1"});
  test::RunningServer server(o);
  const std::uint16_t port = server.server->port();
  const std::string here = "http://127.0.0.1:" + std::to_string(port);
  CHECK_THAT(exchange(port, "GET /feed.json HTTP/1.0\r\n\r\n"),
             Catch::Contains("\"feed_url\":\"" + here + "/feed.json\""));
  CHECK_THAT(exchange(port, "GET /feed.json HTTP/1.1\r\nHost: tin.example.vn\r\nConnection: close\r\n\r\n"),
             Catch::Contains("\"feed_url\":\"http://tin.example.vn/feed.json\""));
  // The loopback peer is a trusted proxy here.
  CHECK_THAT(exchange(port,
                      "GET /feed.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Host: tin.example.vn\r\n"
                      "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"),
             Catch::Contains("\"feed_url\":\"https://tin.example.vn/feed.json\""));
}

TEST_CASE("base url: the server answers 400 to Host fields HTTP/1.1 forbids, and nothing else",
          "[publish][base_url]") {
  test::RunningServer server;
  const std::uint16_t port = server.server->port();
  const auto answer = [port](const std::string& head) {
    return (exchange)(port, "GET /feed.json " + head + "Connection: close\r\n\r\n");
  };
  const std::string missing = answer("HTTP/1.1\r\n");
  CHECK_THAT(missing, Catch::StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  CHECK_THAT(missing, Catch::EndsWith("\r\n\r\nmissing Host header\n"));
  const std::string two = answer("HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n");
  CHECK_THAT(two, Catch::StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  CHECK_THAT(two, Catch::EndsWith("\r\n\r\nmore than one Host header\n"));
  CHECK_THAT(answer("HTTP/1.0\r\nHost: a.example\r\nHost: b.example\r\n"),
             Catch::EndsWith("\r\n\r\nmore than one Host header\n"));
  for (const std::string bad : {"evil@tin.example.vn", "tin.example.vn/x", "tin.example.vn\"><script>"}) {
    INFO(bad);
    const std::string reply = answer("HTTP/1.1\r\nHost: " + bad + "\r\n");
    CHECK_THAT(reply, Catch::StartsWith("HTTP/1.1 400 Bad Request\r\n"));
    CHECK_THAT(reply, Catch::EndsWith("\r\n\r\nmalformed Host header\n"));
  }
  // HTTP/1.0 needs no Host; a well-formed Host we will not put in links is served, with
  // the address the client reached instead.
  CHECK_THAT(answer("HTTP/1.0\r\n"), Catch::StartsWith("HTTP/1.0 200 OK\r\n"));
  const std::string unusable = answer("HTTP/1.1\r\nHost: tin..example:0\r\n");
  CHECK_THAT(unusable, Catch::StartsWith("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(unusable,
             Catch::Contains("\"feed_url\":\"http://127.0.0.1:" + std::to_string(port) + "/feed.json\""));
}

TEST_CASE("base url: with no base_url, every link follows the request's Host, never the listen address",
          "[publish][base_url]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, wildcard());
  const Headers host{{"Host", "Tin.Example.VN:8080"}};
  const std::string atom = body(call(ctx, "/feed.atom?limit=1", host));
  CHECK_THAT(atom, Catch::Contains("<id>http://tin.example.vn:8080/feed.atom?limit=1</id>"));
  CHECK_THAT(atom,
             Catch::Contains("<link rel=\"self\" href=\"http://tin.example.vn:8080/feed.atom?limit=1\""));
  CHECK_THAT(atom,
             Catch::Contains("<link rel=\"next\" href=\"http://tin.example.vn:8080/feed.atom?limit=1&amp;"
                             "before=1764207200-3\""));
  CHECK_THAT(atom, Catch::Contains("<link rel=\"alternate\" href=\"http://tin.example.vn:8080/?limit=1\""));
  const std::string json = body(call(ctx, "/feed.json", host));
  CHECK_THAT(json, Catch::Contains("\"home_page_url\":\"http://tin.example.vn:8080/\""));
  CHECK_THAT(json, Catch::Contains("\"feed_url\":\"http://tin.example.vn:8080/feed.json\""));
  const std::string rss = body(call(ctx, "/feed.rss", host));
  CHECK_THAT(rss, Catch::Contains("<link>http://tin.example.vn:8080/</link>"));
  const std::string page = body(call(ctx, "/", host));
  CHECK_THAT(page, Catch::Contains("type=\"application/atom+xml\" title=\"tinhop (Atom)\" "
                                   "href=\"http://tin.example.vn:8080/feed.atom\""));
  CHECK_THAT(page, Catch::Contains("href=\"http://tin.example.vn:8080/sources.opml\""));
  for (const std::string& document : {atom, json, rss, page}) {
    CHECK(document.find("0.0.0.0") == std::string::npos);
  }
}

TEST_CASE("base url: without a usable Host, links use the address the client reached",
          "[publish][base_url]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, wildcard());
  const publish::Connection connection{parse_ip_literal("192.0.2.7"), "192.0.2.1:8080"};
  // HTTP/1.0 sends no Host.
  CHECK_THAT(body(call(ctx, "/feed.json", {}, connection, 10)),
             Catch::Contains("\"feed_url\":\"http://192.0.2.1:8080/feed.json\""));
  // Not known either (a test, no socket): the listen address, a wildcard as loopback.
  CHECK(base(wildcard(), {}) == "http://127.0.0.1:8080");
  publish::ServerOptions v6 = wildcard();
  v6.address = "::";
  CHECK(base(v6, {}) == "http://[::1]:8080");
  publish::ServerOptions one = wildcard();
  one.address = "192.0.2.1";
  CHECK(base(one, {}) == "http://192.0.2.1:8080");
}

TEST_CASE("base url: an invalid Host is never reflected into a link", "[publish][base_url]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, wildcard());
  const publish::Connection connection{parse_ip_literal("192.0.2.7"), "192.0.2.1:8080"};
  const std::string label(63, 'a');
  const std::string overlong = label + "." + label + "." + label + "." + label + ".vn";  // 258 bytes
  for (const std::string& bad : std::vector<std::string>{
           "evil@tin.example.vn", "tin.example.vn/x", "tin example", "tin.example.vn:80:80",
           "tin.example.vn:0", "tin.example.vn:65536", "tin.example.vn:http", "[::1", "[fe80::1%25eth0]",
           "[v1.x]", "[192.0.2.1]", "tin..example", ".tin.example", "tin.example.",
           "tin.example.vn\"><script>", "t%69n.example", std::string(64, 'a') + ".example", overlong, ""}) {
    INFO(bad);
    CHECK(publish::normalized_host(bad, "http") == std::nullopt);
    const std::string json = body(call(ctx, "/feed.json", {{"Host", bad}}, connection));
    CHECK_THAT(json, Catch::Contains("\"feed_url\":\"http://192.0.2.1:8080/feed.json\""));
  }
  // Two Host headers: neither is believed.
  const std::string two =
      body(call(ctx, "/feed.json", {{"Host", "a.example"}, {"Host", "b.example"}}, connection));
  CHECK_THAT(two, Catch::Contains("\"feed_url\":\"http://192.0.2.1:8080/feed.json\""));
}

TEST_CASE("base url: valid hosts are normalized", "[publish][base_url]") {
  CHECK(publish::normalized_host("Tin.Example.VN", "http") == "tin.example.vn");
  CHECK(publish::normalized_host("tin.example.vn:80", "http") == "tin.example.vn");
  CHECK(publish::normalized_host("tin.example.vn:80", "https") == "tin.example.vn:80");
  CHECK(publish::normalized_host("tin.example.vn:443", "https") == "tin.example.vn");
  CHECK(publish::normalized_host("tin.example.vn:", "http") == "tin.example.vn");
  CHECK(publish::normalized_host("tin.example.vn:08080", "http") == "tin.example.vn:8080");
  CHECK(publish::normalized_host("localhost:8080", "http") == "localhost:8080");
  CHECK(publish::normalized_host("my_host.lan", "http") == "my_host.lan");
  CHECK(publish::normalized_host("192.0.2.1:8080", "http") == "192.0.2.1:8080");
  CHECK(publish::normalized_host("[2001:DB8::1]:8080", "http") == "[2001:db8::1]:8080");
  CHECK(publish::normalized_host("[::ffff:192.0.2.1]", "http") == "[::ffff:192.0.2.1]");
  CHECK(publish::normalized_host(std::string(63, 'a') + ".vn", "http") == std::string(63, 'a') + ".vn");
}

TEST_CASE("base url: forwarding headers count only from a trusted proxy", "[publish][base_url]") {
  publish::ServerOptions o = wildcard();
  o.trusted_proxies = networks({"10.0.0.0/8", "::1"});
  const Headers forwarded{
      {"Host", "127.0.0.1:8080"}, {"X-Forwarded-Host", "tin.example.vn"}, {"X-Forwarded-Proto", "https"}};
  CHECK(base(o, forwarded, from("10.1.2.3")) == "https://tin.example.vn");
  CHECK(base(o, forwarded, from("::1")) == "https://tin.example.vn");
  // Anyone else names the host it likes in them: only its Host is used.
  CHECK(base(o, forwarded, from("192.0.2.7")) == "http://127.0.0.1:8080");
  CHECK(base(o, forwarded, {}) == "http://127.0.0.1:8080");
  CHECK(base(wildcard(), forwarded, from("10.1.2.3")) == "http://127.0.0.1:8080");

  // A proxy appends to what the client sent: its own value is the last.
  CHECK(base(o, {{"X-Forwarded-Host", "evil.example, tin.example.vn"}, {"X-Forwarded-Proto", "https,http"}},
             from("10.1.2.3")) == "http://tin.example.vn");
  // The standard header first; its quoted values; the last element.
  CHECK(base(o,
             {{"Forwarded",
               "for=192.0.2.7;host=evil.example, "
               "for=\"[2001:db8::7]\";host=\"tin.example.vn:8443\";proto=https"},
              {"X-Forwarded-Host", "other.example"}},
             from("10.1.2.3")) == "https://tin.example.vn:8443");
  CHECK(base(o, {{"Forwarded", "for=192.0.2.7;proto=https"}, {"X-Forwarded-Host", "tin.example.vn"}},
             from("10.1.2.3")) == "https://tin.example.vn");
  // Only http and https; an invalid forwarded host falls back to Host.
  CHECK(base(o, {{"Host", "tin.example.vn"}, {"X-Forwarded-Proto", "javascript"}}, from("10.1.2.3")) ==
        "http://tin.example.vn");
  CHECK(base(o, {{"Host", "tin.example.vn"}, {"X-Forwarded-Host", "a b@c"}}, from("10.1.2.3")) ==
        "http://tin.example.vn");
  // With a base_url, no header matters.
  o.public_url = "https://feeds.example.vn/tin/";
  CHECK(base(o, forwarded, from("10.1.2.3")) == "https://feeds.example.vn/tin");
}

TEST_CASE("base url: each base has its own cached rendering, so one Host cannot poison another's links",
          "[publish][base_url]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, wildcard());
  const auto evil = call(ctx, "/feed.atom", {{"Host", "evil.example"}});
  const auto good = call(ctx, "/feed.atom", {{"Host", "tin.example.vn"}});
  CHECK_THAT(body(good), Catch::Contains("href=\"http://tin.example.vn/feed.atom\""));
  CHECK(body(good).find("evil.example") == std::string::npos);
  CHECK(good[http::field::etag] != evil[http::field::etag]);
  CHECK(ctx.metrics().cache_renders() == 2);
  // Still cached, each under its base.
  CHECK(call(ctx, "/feed.atom", {{"Host", "tin.example.vn"}})[http::field::etag] == good[http::field::etag]);
  CHECK(call(ctx, "/feed.atom", {{"Host", "TIN.example.vn:80"}})[http::field::etag] ==
        good[http::field::etag]);
  CHECK(ctx.metrics().cache_renders() == 2);
  // A validator of one base is not a match for the other's document.
  CHECK(call(ctx, "/feed.atom",
             {{"Host", "tin.example.vn"}, {"If-None-Match", std::string(evil[http::field::etag])}})
            .result() == http::status::ok);
}
