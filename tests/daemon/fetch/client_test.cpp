#include <catch2/catch.hpp>

#include <fstream>

#include "fetch_helpers.hpp"

using namespace std::chrono_literals;
using tinhop::fetch::Error;
using tinhop::fetch::Request;
using tinhop::fetch::Response;
using namespace tinhop::test;

TEST_CASE("a 200 feed arrives whole - with a tinhop User-Agent and gzip offered") {
  TestHttpServer server;
  server.on("/rss", one_item_feed());
  const Response r = fetch_url(server.url("/rss"));
  REQUIRE(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body == one_item_feed_xml);
  CHECK(r.content_type == "application/rss+xml");
  CHECK(r.url == server.url("/rss"));
  const auto req = server.requests().at(0);
  CHECK(req.header("user-agent").rfind("tinhop/", 0) == 0);
  CHECK(req.header("user-agent").find("https://") != std::string::npos);
  CHECK(req.header("accept-encoding") == "gzip, deflate");
  CHECK(req.header("host") == "127.0.0.1:" + std::to_string(server.port()));
}

TEST_CASE("conditional GET sends the validators and a 304 carries no body") {
  TestHttpServer server;
  Script s = one_item_feed();
  s.etag = "\"v1\"";
  s.last_modified = "Fri, 27 Nov 2026 01:00:00 GMT";
  server.on("/rss", s);
  boost::asio::io_context io;
  tinhop::fetch::Client client(io.get_executor(), test_options());
  Request first{.url = server.url("/rss")};
  const Response a = fetch_once(client, io, first);
  REQUIRE(a.status == 200);
  CHECK(a.etag == "\"v1\"");
  CHECK(a.last_modified == "Fri, 27 Nov 2026 01:00:00 GMT");
  Request again{.url = server.url("/rss"), .etag = a.etag, .last_modified = a.last_modified};
  const Response b = fetch_once(client, io, again);
  REQUIRE(b.ok());
  CHECK(b.status == 304);
  CHECK(b.body.empty());
  const auto second = server.requests().at(1);
  CHECK(second.header("if-none-match") == "\"v1\"");
  CHECK(second.header("if-modified-since") == "Fri, 27 Nov 2026 01:00:00 GMT");
  // Kept alive: both requests on one connection.
  CHECK(server.connections() == 1);
  CHECK(b.reused_connection);
}

TEST_CASE("each redirect status is followed and recorded") {
  for (int status : {301, 302, 303, 307, 308}) {
    TestHttpServer server;
    server.on("/old", Script{.status = status, .headers = {{"Location", "/new?x=1"}}});
    server.on("/new", one_item_feed());
    const Response r = fetch_url(server.url("/old"));
    INFO("status " << status);
    REQUIRE(r.ok());
    CHECK(r.status == 200);
    CHECK(r.url == server.url("/new?x=1"));
    REQUIRE(r.redirects.size() == 1);
    CHECK(r.redirects[0].status == status);
    CHECK(r.redirects[0].to == server.url("/new?x=1"));
  }
}

TEST_CASE("a redirect loop and a sixth redirect are refused") {
  TestHttpServer server;
  server.on("/a", Script{.status = 302, .headers = {{"Location", "/b"}}});
  server.on("/b", Script{.status = 301, .headers = {{"Location", "/a"}}});
  for (int i = 0; i < 6; ++i) {
    server.on("/hop" + std::to_string(i),
              Script{.status = 302, .headers = {{"Location", "/hop" + std::to_string(i + 1)}}});
  }
  server.on("/hop6", one_item_feed());
  const Response loop = fetch_url(server.url("/a"));
  CHECK(loop.error == Error::redirect_loop);
  CHECK(loop.redirects.size() == 2);
  const Response many = fetch_url(server.url("/hop0"));
  CHECK(many.error == Error::too_many_redirects);
  CHECK(many.redirects.size() == 6);
  CHECK(server.hits("/hop6") == 0);
  server.on("/nowhere", Script{.status = 301});
  CHECK(fetch_url(server.url("/nowhere")).error == Error::bad_redirect);
}

TEST_CASE("error statuses are responses - not transport errors") {
  TestHttpServer server;
  for (int status : {404, 410, 429, 500, 503}) {
    server.on("/s" + std::to_string(status), Script{.status = status, .headers = {{"Retry-After", "120"}}});
    const Response r = fetch_url(server.url("/s" + std::to_string(status)));
    CHECK(r.ok());
    CHECK(r.status == status);
    CHECK(r.retry_after == "120");
  }
}

TEST_CASE("a slowloris body hits the deadline") {
  TestHttpServer server;
  server.on("/slow", Script{.body = one_item_feed_xml, .byte_delay = 1s});
  auto options = test_options();
  options.limits.total_timeout = 2s;
  const auto start = std::chrono::steady_clock::now();
  const Response r = fetch_url(server.url("/slow"), options);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.error == Error::timeout);
  CHECK(took >= 1900ms);
  CHECK(took < 3500ms);
}

TEST_CASE("a server that stops sending its body is cut by the stall timeout - not the total one") {
  TestHttpServer server;
  server.on("/stalled", Script{.body = one_item_feed_xml, .stall_after = 10});
  auto options = test_options();
  options.limits.stall_timeout = 300ms;
  options.limits.total_timeout = 10s;
  const auto start = std::chrono::steady_clock::now();
  const Response r = fetch_url(server.url("/stalled"), options);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.error == Error::timeout);
  CHECK(r.error_text == "reading body: nothing received for 300 ms");
  CHECK(took >= 250ms);
  CHECK(took < 3s);
}

TEST_CASE("a slow body that keeps coming is not cut by the stall timeout") {
  TestHttpServer server;
  const std::string body = one_item_feed_xml.substr(0, 12);
  server.on("/slow", Script{.body = body, .byte_delay = 100ms});
  auto options = test_options();
  options.limits.stall_timeout = 500ms;
  const Response r = fetch_url(server.url("/slow"), options);
  REQUIRE(r.ok());
  CHECK(r.body == body);
}

TEST_CASE("the caller is told of the body bytes as they arrive") {
  TestHttpServer server;
  const std::string body(256 * 1024, 'x');
  server.on("/big", Script{.body = body});
  boost::asio::io_context io;
  tinhop::fetch::Client client(io.get_executor(), test_options());
  std::size_t told = 0;
  std::size_t calls = 0;
  Request request;
  request.url = server.url("/big");
  request.on_body = [&](std::size_t bytes) {
    told += bytes;
    ++calls;
  };
  const Response r = fetch_once(client, io, std::move(request));
  REQUIRE(r.ok());
  CHECK(r.body == body);
  CHECK(told == body.size());
  CHECK(calls > 1);  // as they arrive, not once at the end
}

TEST_CASE("an endless body stops at the body cap") {
  TestHttpServer server;
  server.on("/endless", Script{.endless = true});
  auto options = test_options();
  options.limits.max_body = 1 << 20;
  const Response r = fetch_url(server.url("/endless"), options);
  CHECK(r.error == Error::body_too_large);
  CHECK(r.body.empty());
}

TEST_CASE("a 2 GB Content-Length is refused before reading the body") {
  TestHttpServer server;
  server.on("/huge", Script{.body = "x", .content_length = 2'147'483'648ULL});
  const auto start = std::chrono::steady_clock::now();
  const Response r = fetch_url(server.url("/huge"));
  CHECK(r.error == Error::body_too_large);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("gzip and deflate bodies are decoded - a gzip bomb is refused") {
  TestHttpServer server;
  server.on("/gz", Script{.body = one_item_feed_xml, .gzip = true});
  server.on("/bomb", Script{.pre_encoded = gzip_bomb(64u << 20)});
  const Response gz = fetch_url(server.url("/gz"));
  REQUIRE(gz.ok());
  CHECK(gz.body == one_item_feed_xml);
  const std::string bomb = gzip_bomb(64u << 20);
  CHECK(bomb.size() < 200'000);
  const Response r = fetch_url(server.url("/bomb"));
  CHECK(r.error == Error::decoded_too_large);
  CHECK(r.body.empty());
  server.on("/br", Script{.headers = {{"Content-Encoding", "br"}}, .body = "zz"});
  CHECK(fetch_url(server.url("/br")).error == Error::decoding);
  server.on("/corrupt", Script{.pre_encoded = "\x1f\x8b not really gzip"});
  CHECK(fetch_url(server.url("/corrupt")).error == Error::decoding);
}

TEST_CASE("a body shorter than its Content-Length is truncated - not accepted") {
  TestHttpServer server;
  server.on("/short", Script{.body = one_item_feed_xml, .content_length = one_item_feed_xml.size() + 500});
  const Response r = fetch_url(server.url("/short"));
  CHECK(r.error == Error::truncated);
  CHECK(r.body.empty());
}

TEST_CASE("a reset in mid-body is a network error") {
  TestHttpServer server;
  server.on("/reset", Script{.body = std::string(100'000, 'a'), .reset_after = 1000});
  const Response r = fetch_url(server.url("/reset"));
  CHECK(r.error == Error::network);
  CHECK(r.body.empty());
}

TEST_CASE("an oversized header block is refused") {
  TestHttpServer server;
  server.on("/fat", Script{.headers = {{"X-Padding", std::string(100'000, 'p')}}, .body = "x"});
  CHECK(fetch_url(server.url("/fat")).error == Error::header_too_large);
}

TEST_CASE("TLS with a trusted self-signed certificate works - untrusted fails verification") {
  TestHttpServer server(test_certificate());
  server.on("/rss", one_item_feed());
  auto trusted = test_options();
  trusted.use_system_ca = false;
  trusted.extra_ca_file = test_certificate().cert.string();
  const Response ok = fetch_url(server.url("/rss"), trusted);
  REQUIRE(ok.ok());
  CHECK(ok.body == one_item_feed_xml);
  const Response bad = fetch_url(server.url("/rss"));
  CHECK(bad.error == Error::tls);
  CHECK(bad.error_text.find("self-signed certificate") != std::string::npos);
}

TEST_CASE("TLS checks the host name - not only the chain") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tinhop-tls-other-" + std::to_string(::getpid()));
  const TlsFiles other = make_self_signed_certificate(dir, "DNS:other.example");
  TestHttpServer server(other);
  server.on("/rss", one_item_feed());
  auto options = test_options();
  options.use_system_ca = false;
  options.extra_ca_file = other.cert.string();
  const Response r = fetch_url(server.url("/rss"), options);
  CHECK(r.error == Error::tls);
  INFO(r.error_text);
  CHECK(r.error_text.find("address mismatch") != std::string::npos);
  CHECK(server.hits("/rss") == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a missing extra CA bundle fails https fetches loudly") {
  TestHttpServer server(test_certificate());
  server.on("/rss", one_item_feed());
  auto options = test_options();
  options.extra_ca_file = "/nonexistent/ca.pem";
  const Response r = fetch_url(server.url("/rss"), options);
  CHECK(r.error == Error::tls);
  CHECK(r.error_text.find("/nonexistent/ca.pem") != std::string::npos);
}

TEST_CASE("a closed port is a connect error - bad URLs and schemes are refused") {
  std::uint16_t port = 0;
  {
    TestHttpServer gone;
    port = gone.port();
  }
  CHECK(fetch_url("http://127.0.0.1:" + std::to_string(port) + "/rss").error == Error::connect);
  CHECK(fetch_url("ftp://127.0.0.1/rss").error == Error::unsupported_scheme);
  CHECK(fetch_url("not a url").error == Error::invalid_url);
  CHECK(fetch_url("http:///rss").error == Error::invalid_url);
}

TEST_CASE("IPv6 loopback and localhost names connect") {
  TestHttpServer server;
  server.on("/rss", one_item_feed());
  const Response r = fetch_url("http://localhost:" + std::to_string(server.port()) + "/rss");
  REQUIRE(r.ok());
  CHECK(r.body == one_item_feed_xml);
}

TEST_CASE("per-source headers are sent - but not to another host after a redirect") {
  TestHttpServer server;
  const std::string other = "http://localhost:" + std::to_string(server.port()) + "/moved";
  server.on("/private", Script{.status = 302, .headers = {{"Location", other}}});
  server.on("/moved", one_item_feed());
  boost::asio::io_context io;
  auto options = test_options();
  std::string why;
  options.allow_networks = {*tinhop::parse_ip_network("127.0.0.0/8", why),
                            *tinhop::parse_ip_network("::1", why)};
  tinhop::fetch::Client client(io.get_executor(), options);
  Request req{.url = server.url("/private"), .headers = {{"Authorization", "Bearer s3cret"}}};
  REQUIRE(fetch_once(client, io, req).ok());
  const auto reqs = server.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[0].header("authorization") == "Bearer s3cret");
  CHECK(reqs[1].header("authorization").empty());
}

TEST_CASE("an http proxy receives absolute-form requests") {
  TestHttpServer proxy;
  proxy.on("http://feeds.example.vn/rss", one_item_feed());
  auto options = test_options();
  options.proxy = proxy.url("");
  const Response r = fetch_url("http://feeds.example.vn/rss", options);
  REQUIRE(r.ok());
  CHECK(r.body == one_item_feed_xml);
  REQUIRE(proxy.requests().size() == 1);
  CHECK(proxy.requests()[0].target == "http://feeds.example.vn/rss");
  CHECK(proxy.requests()[0].header("host") == "feeds.example.vn");
}

TEST_CASE("file:// sources are read with size and mtime validators") {
  const auto dir = std::filesystem::temp_directory_path() / ("tinhop-file-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "tin tức.xml";
  std::ofstream(path) << one_item_feed_xml;
  boost::asio::io_context io;
  tinhop::fetch::Client client(io.get_executor(), test_options());
  const std::string url = "file://" + (dir / "tin%20t%E1%BB%A9c.xml").string();
  const Response a = fetch_once(client, io, Request{.url = url});
  REQUIRE(a.ok());
  CHECK(a.status == 200);
  CHECK(a.body == one_item_feed_xml);
  CHECK_FALSE(a.etag.empty());
  const Response b = fetch_once(client, io, Request{.url = url, .etag = a.etag});
  CHECK(b.status == 304);
  CHECK(b.body.empty());
  const Response missing = fetch_once(client, io, Request{.url = "file:///nonexistent/feed.xml"});
  CHECK(missing.error == Error::file);
  auto small = test_options().limits;
  small.max_body = 10;
  CHECK(fetch_once(client, io, Request{.url = url, .limits = small}).error == Error::body_too_large);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a redirect to file:// is refused") {
  TestHttpServer server;
  server.on("/evil", Script{.status = 302, .headers = {{"Location", "file:///etc/passwd"}}});
  const Response r = fetch_url(server.url("/evil"));
  CHECK(r.error == Error::unsupported_scheme);
  CHECK(r.body.empty());
}

TEST_CASE("shutdown cancels fetches in flight") {
  TestHttpServer server;
  server.on("/slow", Script{.body = one_item_feed_xml, .byte_delay = 1s});
  boost::asio::io_context io;
  tinhop::fetch::Client client(io.get_executor(), test_options());
  Response out;
  bool done = false;
  client.fetch(Request{.url = server.url("/slow")}, [&](Response r) {
    out = std::move(r);
    done = true;
  });
  io.run_for(300ms);
  CHECK(client.in_flight() == 1);
  client.shutdown();
  io.run_for(1s);
  REQUIRE(done);
  CHECK(out.error == Error::cancelled);
  CHECK(client.in_flight() == 0);
}
