// Webhooks against a receiver written here (loopback): the signed JSON body, a retry after
// a 500, the kinds each webhook takes, giving up, and the network rules for addresses.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "support/recording_endpoint.hpp"
#include "support/run_until.hpp"
#include "tinhop/parsers/url_privacy.hpp"
#include "tinhop/webhooks/webhooks.hpp"
#include "tinhop/websub/signature.hpp"

using namespace std::chrono_literals;
using tinhop::webhooks::Webhook;

namespace {

// A receiver at /hook: keeps each request and answers with the statuses queued, then 204.
struct Receiver : tinhop::test::RecordingEndpoint {
  Receiver() : RecordingEndpoint("/hook") {}
};

struct Fixture {
  explicit Fixture(std::vector<Webhook> hooks, bool allow_loopback = true)
      : client(io.get_executor(), client_options(allow_loopback)),
        webhooks(io.get_executor(), client, std::move(hooks), options(),
                 [this](std::string_view event, const std::string&, const std::string& detail) {
                   events.push_back(std::string(event) + ": " + detail);
                 }) {}

  static tinhop::fetch::ClientOptions client_options(bool allow_loopback) {
    tinhop::fetch::ClientOptions o;
    o.proxy = "";
    std::string why;
    if (allow_loopback) o.allow_networks = {*tinhop::parse_ip_network("127.0.0.0/8", why)};
    return o;
  }
  static tinhop::webhooks::Options options() {
    tinhop::webhooks::Options o;
    o.retry_after = 10ms;
    o.attempts = 3;
    o.timeout = 5s;
    return o;
  }

  template <class Done>
  void run_until(Done done) {
    tinhop::test::run_until(io, done);
  }

  boost::asio::io_context io;
  tinhop::fetch::Client client;
  std::vector<std::string> events;
  tinhop::webhooks::Webhooks webhooks;
};

const std::string kBody = R"({"kind":"failing","source":{"id":3,"url":"https://a.vn/rss"}})";

}  // namespace

TEST_CASE("the signature is the HMAC-SHA256 of the body in hex", "[webhooks]") {
  // RFC 4231 test case 2.
  CHECK(tinhop::webhooks::signature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("a message is POSTed signed, and tried again after a 500", "[webhooks]") {
  Receiver receiver;
  receiver.statuses = {500};
  Fixture f({Webhook{receiver.server.url("/hook"), "s3cret-key", {}}});
  f.webhooks.send("failing", kBody);
  f.run_until([&] { return f.webhooks.stats().delivered == 1; });
  REQUIRE(receiver.count() == 2);
  for (const auto& request : receiver.requests) {
    CHECK(request.method == "POST");
    CHECK(request.body == kBody);
    CHECK(request.header("content-type") == "application/json");
    CHECK(tinhop::websub::signature_matches(request.header("x-tinhop-signature"), "s3cret-key", kBody));
    CHECK(request.header("x-tinhop-signature") == tinhop::webhooks::signature("s3cret-key", kBody));
  }
  CHECK(f.webhooks.stats().failed == 1);
  CHECK(f.webhooks.stats().dropped == 0);
  CHECK(f.events == std::vector<std::string>{"delivery_failed: HTTP status 500; again in 10 ms",
                                             "delivered: HTTP status 204"});
}

TEST_CASE("each webhook gets only the kinds it takes", "[webhooks]") {
  Receiver all;
  Receiver pager;
  Fixture f(
      {Webhook{all.server.url("/hook"), "k1", {}}, Webhook{pager.server.url("/hook"), "k2", {"failing"}}});
  f.webhooks.send("stale", R"({"kind":"stale"})");
  f.webhooks.send("failing", R"({"kind":"failing"})");
  f.run_until([&] { return f.webhooks.stats().delivered == 3; });
  REQUIRE(all.count() == 2);
  REQUIRE(pager.count() == 1);
  CHECK(pager.requests.front().body == R"({"kind":"failing"})");
}

TEST_CASE("a message no try delivers is given up after the attempts", "[webhooks]") {
  Receiver receiver;
  receiver.statuses = {500, 502, 503, 500};
  Fixture f({Webhook{receiver.server.url("/hook"), "k", {}}});
  f.webhooks.send("recovered", kBody);
  f.run_until([&] { return f.webhooks.stats().dropped == 1; });
  CHECK(receiver.count() == 3);
  CHECK(f.webhooks.stats().failed == 3);
  CHECK(f.events.back() == "delivery_dropped: HTTP status 503 after 3 tries");
}

TEST_CASE("a webhook at a loopback address is refused like a fetch there", "[webhooks]") {
  Receiver receiver;
  Fixture f({Webhook{receiver.server.url("/hook"), "k", {}}}, false);
  f.webhooks.send("failing", kBody);
  f.run_until([&] { return f.webhooks.stats().dropped == 1; });
  CHECK(receiver.count() == 0);
  CHECK(f.events.front().starts_with("delivery_failed: "));
}
