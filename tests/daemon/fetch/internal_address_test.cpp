// The fetcher never lets a remote party steer it to an internal address: redirects and
// links a page chose reach loopback, private, link-local... addresses only at the source's
// own origin or inside allow_networks, judged on the address actually connected to; and
// credentials never leave the origin they were written for.
#include <catch2/catch.hpp>

#include "fetch_helpers.hpp"

using namespace std::chrono_literals;
using tinhop::fetch::Error;
using tinhop::fetch::Request;
using tinhop::fetch::Response;
using namespace tinhop::test;

namespace {

tinhop::IpNetwork network(const char* text) {
  std::string why;
  auto parsed = tinhop::parse_ip_network(text, why);
  REQUIRE(parsed);
  return *parsed;
}

tinhop::fetch::ClientOptions loopback_allowed() {
  auto options = test_options();
  options.allow_networks = {network("127.0.0.0/8"), network("::1")};
  return options;
}

// Resolves every name to 127.0.0.1: a DNS answer an attacker controls.
tinhop::fetch::Resolver rebinding_resolver() {
  return [](const std::string&, const std::string& port, tinhop::fetch::ResolveDone done) {
    done({}, {{boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(std::stoi(port))}});
  };
}

Response fetch_with(Request request, tinhop::fetch::ClientOptions options = test_options()) {
  boost::asio::io_context io;
  tinhop::fetch::Client client(io.get_executor(), std::move(options));
  return fetch_once(client, io, std::move(request));
}

}  // namespace

TEST_CASE("a redirect to another internal origin is refused before any byte is sent") {
  TestHttpServer source;
  TestHttpServer internal;
  internal.on("/secret", Script{.body = "internal"});
  source.on("/rss", Script{.status = 302, .headers = {{"Location", internal.url("/secret")}}});
  const Response r = fetch_url(source.url("/rss"));
  CHECK(r.error == Error::forbidden_address);
  CHECK(r.error_text == "127.0.0.1 (loopback) is an internal address outside fetch.allow_networks");
  CHECK(internal.requests().empty());
  CHECK(internal.connections() == 0);
  REQUIRE(r.redirects.size() == 1);
  CHECK(r.redirects[0].to == internal.url("/secret"));
}

TEST_CASE("a redirect within the source's own origin may stay internal") {
  TestHttpServer source;
  source.on("/old", Script{.status = 301, .headers = {{"Location", "/rss"}}});
  source.on("/rss", one_item_feed());
  const Response r = fetch_url(source.url("/old"));
  REQUIRE(r.ok());
  CHECK(r.body == one_item_feed_xml);
}

TEST_CASE("allow_networks opens exactly the blocks it names") {
  TestHttpServer source;
  TestHttpServer internal;
  internal.on("/rss", one_item_feed());
  source.on("/moved", Script{.status = 302, .headers = {{"Location", internal.url("/rss")}}});
  auto options = test_options();
  options.allow_networks = {network("127.0.0.0/8")};
  REQUIRE(fetch_url(source.url("/moved"), options).ok());
  CHECK(internal.hits("/rss") == 1);
  options.allow_networks = {network("10.0.0.0/8"), network("127.0.0.2/32")};
  CHECK(fetch_url(source.url("/moved"), options).error == Error::forbidden_address);
  CHECK(internal.hits("/rss") == 1);
}

TEST_CASE("a request that trusts no origin reaches no internal address, not even its first") {
  TestHttpServer internal;
  internal.on("/page", Script{.body = "<html>private</html>"});
  const Response r = fetch_with(Request{.url = internal.url("/page"), .trusted_origin_url = ""});
  CHECK(r.error == Error::forbidden_address);
  CHECK(internal.connections() == 0);
  // The names that lead to the same place are judged by their address, not their spelling.
  for (const std::string host : {"localhost", "127.1", "2130706433", "[::ffff:127.0.0.1]"}) {
    INFO(host);
    const Response spelled = fetch_with(Request{
        .url = "http://" + host + ":" + std::to_string(internal.port()) + "/page", .trusted_origin_url = ""});
    CHECK(spelled.error == Error::forbidden_address);
  }
  CHECK(internal.connections() == 0);
  const Response allowed =
      fetch_with(Request{.url = internal.url("/page"), .trusted_origin_url = ""}, loopback_allowed());
  REQUIRE(allowed.ok());
  CHECK(allowed.body == "<html>private</html>");
}

TEST_CASE("a file:// link is never read, whatever the page's origin") {
  const Response r = fetch_with(Request{.url = "file:///etc/hostname", .link = true});
  CHECK(r.error == Error::forbidden_address);
  CHECK(r.error_text == "file:///etc/hostname: a file:// link is not followed");
  CHECK(r.body.empty());
}

TEST_CASE("DNS rebinding: the address connected to is checked, not the name") {
  TestHttpServer internal;
  internal.on("/rss", one_item_feed());
  auto options = test_options();
  options.resolver = rebinding_resolver();
  const std::string url = "http://feeds.example.vn:" + std::to_string(internal.port()) + "/rss";
  const Response refused = fetch_with(Request{.url = url, .trusted_origin_url = ""}, options);
  CHECK(refused.error == Error::forbidden_address);
  CHECK(
      refused.error_text ==
      "feeds.example.vn resolves to 127.0.0.1 (loopback), an internal address outside fetch.allow_networks");
  CHECK(internal.connections() == 0);

  // The same name in a redirect from a public-looking origin the operator trusted.
  TestHttpServer source;
  source.on("/rss", Script{.status = 302, .headers = {{"Location", url}}});
  const Response redirected = fetch_with(Request{.url = source.url("/rss")}, options);
  CHECK(redirected.error == Error::forbidden_address);
  CHECK(internal.connections() == 0);

  // An operator's own source under that name is trusted as written.
  const Response trusted = fetch_with(Request{.url = url}, options);
  REQUIRE(trusted.ok());
  CHECK(internal.hits("/rss") == 1);
}

TEST_CASE("a kept-alive connection to an internal origin is not reused by a request that may not reach it") {
  TestHttpServer internal;
  internal.on("/rss", one_item_feed());
  boost::asio::io_context io;
  tinhop::fetch::Client client(io.get_executor(), test_options());
  REQUIRE(fetch_once(client, io, Request{.url = internal.url("/rss")}).ok());
  const Response r = fetch_once(client, io, Request{.url = internal.url("/rss"), .trusted_origin_url = ""});
  CHECK(r.error == Error::forbidden_address);
  CHECK(internal.hits("/rss") == 1);
}

TEST_CASE("through a proxy the URL's literal host is judged") {
  TestHttpServer proxy;
  proxy.on("http://169.254.169.254/latest/meta-data/", Script{.body = "role-credentials"});
  proxy.on("http://feeds.example.vn/rss", one_item_feed());
  auto options = test_options();
  options.proxy = proxy.url("");
  const Response metadata = fetch_with(
      Request{.url = "http://169.254.169.254/latest/meta-data/", .trusted_origin_url = ""}, options);
  CHECK(metadata.error == Error::forbidden_address);
  CHECK(metadata.error_text ==
        "http://169.254.169.254/latest/meta-data/: 169.254.169.254 is an internal host");
  const Response intranet =
      fetch_with(Request{.url = "http://intranet/rss", .trusted_origin_url = ""}, options);
  CHECK(intranet.error == Error::forbidden_address);
  CHECK(proxy.requests().empty());
  // A public name goes to the proxy (which resolves it) as before.
  const Response public_feed =
      fetch_with(Request{.url = "http://feeds.example.vn/rss", .trusted_origin_url = ""}, options);
  REQUIRE(public_feed.ok());
  CHECK(proxy.requests().size() == 1);
}

TEST_CASE("credentials stay with their origin: another port or scheme gets none, also on the way back") {
  TestHttpServer source;
  TestHttpServer other;
  // The first origin sends the fetch to another port, which sends it back.
  source.on("/private", Script{.status = 302, .headers = {{"Location", other.url("/bounce")}}});
  other.on("/bounce", Script{.status = 302, .headers = {{"Location", source.url("/feed")}}});
  source.on("/feed", one_item_feed());
  const Response r = fetch_with(Request{.url = source.url("/private"),
                                        .headers = {{"Authorization", "Bearer s3cret"}, {"Cookie", "sid=1"}}},
                                loopback_allowed());
  REQUIRE(r.ok());
  REQUIRE(source.requests().size() == 2);
  CHECK(source.requests()[0].header("authorization") == "Bearer s3cret");
  CHECK(source.requests()[0].header("cookie") == "sid=1");
  REQUIRE(other.requests().size() == 1);
  CHECK(other.requests()[0].header("authorization").empty());
  CHECK(other.requests()[0].header("cookie").empty());
  CHECK(source.requests()[1].header("authorization").empty());
  CHECK(source.requests()[1].header("cookie").empty());
}

TEST_CASE("https is never followed to http") {
  TestHttpServer secure(test_certificate());
  TestHttpServer plain;
  plain.on("/rss", one_item_feed());
  secure.on("/rss", Script{.status = 301, .headers = {{"Location", plain.url("/rss")}}});
  auto options = loopback_allowed();
  options.use_system_ca = false;
  options.extra_ca_file = test_certificate().cert.string();
  const Response r = fetch_with(
      Request{.url = secure.url("/rss"), .headers = {{"Authorization", "Bearer s3cret"}}}, options);
  CHECK(r.error == Error::insecure_redirect);
  CHECK(r.error_text == "redirect from " + secure.url("/rss") + " to " + plain.url("/rss") +
                            " refused: https is never followed to http");
  CHECK(plain.connections() == 0);
}

TEST_CASE("a link may reach back to its page's own internal origin, and nowhere else internal") {
  TestHttpServer source;
  TestHttpServer other;
  source.on("/bai/1.html", Script{.body = "<p>bài</p>"});
  other.on("/admin", Script{.body = "internal"});
  const std::string listing = source.url("/tin-tuc");
  const Response same =
      fetch_with(Request{.url = source.url("/bai/1.html"), .trusted_origin_url = listing, .link = true});
  REQUIRE(same.ok());
  CHECK(same.body == "<p>bài</p>");
  const Response elsewhere =
      fetch_with(Request{.url = other.url("/admin"), .trusted_origin_url = listing, .link = true});
  CHECK(elsewhere.error == Error::forbidden_address);
  CHECK(other.connections() == 0);
}
