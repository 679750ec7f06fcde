// tinhop's own WebSub hub against a subscriber written here (loopback): requests, the
// verification of intent, signed content distribution, retries, expiry, unsubscription,
// a restart, and the network rules for callbacks.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/run_until.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/parsers/url_privacy.hpp"
#include "tinhop/websub/hub.hpp"
#include "tinhop/websub/signature.hpp"

using namespace std::chrono_literals;
using tinhop::Instant;
using tinhop::websub::HubAnswer;
using tinhop::websub::HubRequest;

namespace {

const std::string kBase = "https://tinhop.example";
const std::string kTopic = kBase + "/feed.atom";
const std::string kEncodedTopic = "https%3A%2F%2Ftinhop.example%2Ffeed.atom";

std::map<std::string, std::string> params_of(const std::string& target) {
  std::map<std::string, std::string> params;
  auto url = boost::urls::parse_origin_form(target);
  for (const auto& param : url->params()) params[param.key] = param.value;
  return params;
}

// A subscriber's callback at /cb: echoes the challenge (or not), keeps each delivery and
// answers them with the statuses queued, then 202.
struct Callback {
  tinhop::test::TestHttpServer server;
  std::mutex mutex;
  std::vector<std::map<std::string, std::string>> verifications;
  std::vector<tinhop::test::HttpRequest> deliveries;
  std::vector<int> statuses;  // answers to the next deliveries, in order
  std::atomic<bool> echo{true};
  std::atomic<bool> stall{false};                    // deliveries get a header and never their body
  std::chrono::milliseconds answer_delay{0};         // how long a delivery takes to answer
  std::atomic<int> answering{0}, most_answering{0};  // deliveries being answered at once

  Callback() {
    server.on("/cb", [this](const tinhop::test::HttpRequest& request) {
      if (request.method == "POST" && answer_delay > 0ms) {
        const int now = ++answering;
        for (int most = most_answering; now > most && !most_answering.compare_exchange_weak(most, now);) {
        }
        std::this_thread::sleep_for(answer_delay);
        --answering;
      }
      std::lock_guard lock(mutex);
      if (request.method == "GET") {
        auto params = params_of(request.target);
        verifications.push_back(params);
        return tinhop::test::Script{.status = 200,
                                    .body = echo ? params["hub.challenge"] : "not the challenge"};
      }
      deliveries.push_back(request);
      if (stall) return tinhop::test::Script{.status = 202, .body = "accepted", .stall_after = 0};
      int status = 202;
      if (!statuses.empty()) {
        status = statuses.front();
        statuses.erase(statuses.begin());
      }
      return tinhop::test::Script{.status = status};
    });
  }
  std::size_t verified_count() {
    std::lock_guard lock(mutex);
    return verifications.size();
  }
  std::size_t delivery_count() {
    std::lock_guard lock(mutex);
    return deliveries.size();
  }
};

tinhop::fetch::ClientOptions client_options(bool allow_loopback) {
  tinhop::fetch::ClientOptions o;
  o.proxy = "";
  std::string why;
  if (allow_loopback) o.allow_networks = {*tinhop::parse_ip_network("127.0.0.0/8", why)};
  return o;
}

// The Atom feed carrying `stories`, newest first, as one line (how a cut one is written).
std::string feed_of(std::vector<int> stories) {
  std::string feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>urn:feed</id><title>River</title>";
  for (int story : stories) {
    feed += "<entry><id>urn:story:" + std::to_string(story) + "</id><title>Story " + std::to_string(story) +
            "</title></entry>";
  }
  return feed + "</feed>";
}

// A hub on its own loop over one feed whose version the test bumps (version N carries
// stories N..1), with a clock the test moves.
struct Fixture {
  explicit Fixture(bool allow_loopback = true) : client(io.get_executor(), client_options(allow_loopback)) {}

  Callback callback;
  boost::asio::io_context io;
  tinhop::fetch::Client client;
  tinhop::storage::Store store = std::move(*tinhop::storage::Store::open(":memory:"));
  Instant now = Instant{std::chrono::seconds{1710374400}};
  int version = 1;
  std::chrono::milliseconds retry_after = 10ms;
  std::size_t max_subscriptions = 2;
  std::size_t max_in_flight_per_host = 8;
  std::vector<std::string> events;
  std::unique_ptr<tinhop::websub::Hub> hub = make();

  std::unique_ptr<tinhop::websub::Hub> make() {
    tinhop::websub::HubOptions options;
    options.base_url = kBase;
    options.default_lease = 3600s;
    options.max_lease = 86400s;
    options.max_subscriptions = max_subscriptions;
    options.max_in_flight_per_host = max_in_flight_per_host;
    options.retry_after = retry_after;
    options.attempts = 3;
    options.check_every = 10ms;
    options.now = [this] { return now; };
    auto made = std::make_unique<tinhop::websub::Hub>(
        io.get_executor(), client, store, options,
        tinhop::websub::HubHooks{
            .render = [this](const std::string& target) -> std::optional<tinhop::websub::TopicContent> {
              if (target != "/feed.atom" && target != "/feed.json") return std::nullopt;
              std::vector<int> stories;
              for (int story = version; story >= 1; --story) stories.push_back(story);
              return tinhop::websub::TopicContent{"application/atom+xml; charset=utf-8", feed_of(stories),
                                                  "\"v" + std::to_string(version) + "\""};
            },
            .log = [this](std::string_view event, const std::string&,
                          const std::string&) { events.emplace_back(event); },
        });
    REQUIRE(made->start().has_value());
    return made;
  }

  HubAnswer request(const std::string& form) { return hub->handle(HubRequest{true, "", form}); }

  std::string callback_url() { return callback.server.url("/cb"); }

  std::string subscription_form(const std::string& mode, const std::string& extra = "") {
    return "hub.mode=" + mode + "&hub.topic=" + kEncodedTopic + "&hub.callback=" + callback_url() + extra;
  }

  template <class Done>
  void run_until(Done done) {
    tinhop::test::run_until(io, done);
  }

  void subscribe(const std::string& extra = "&hub.secret=s3cret") {
    const std::size_t before = callback.verified_count();
    REQUIRE(request(subscription_form("subscribe", extra)).status == 202);
    run_until(
        [&] { return callback.verified_count() == before + 1 && hub->stats().by_state["pending"] == 0; });
  }

  std::size_t active() { return hub->stats().by_state["active"]; }
};

}  // namespace

TEST_CASE("a subscription whose callback echoes the challenge is active and stored", "[websub][hub]") {
  Fixture f;
  f.subscribe("&hub.secret=s3cret&hub.lease_seconds=7200");
  const auto verification = f.callback.verifications.front();
  CHECK(verification.at("hub.mode") == "subscribe");
  CHECK(verification.at("hub.topic") == kTopic);
  CHECK(verification.at("hub.lease_seconds") == "7200");
  CHECK(verification.at("hub.challenge").size() == 32);
  CHECK(f.active() == 1);
  auto stored = f.store.list_hub_subscriptions();
  REQUIRE(stored->size() == 1);
  CHECK(stored->front().topic == kTopic);
  CHECK(stored->front().callback == f.callback_url());
  CHECK(stored->front().secret == "s3cret");
  CHECK(stored->front().lease_until == f.now + 7200s);
}

TEST_CASE("a callback that does not echo the challenge is not subscribed", "[websub][hub]") {
  Fixture f;
  f.callback.echo = false;
  f.subscribe();
  CHECK(f.active() == 0);
  CHECK(f.hub->stats().verifications_failed == 1);
  CHECK(f.store.list_hub_subscriptions()->empty());
  CHECK(f.events == std::vector<std::string>{"verification_failed"});
}

TEST_CASE("a callback at a private address is refused like a fetch there", "[websub][hub]") {
  Fixture f(false);
  REQUIRE(f.request(f.subscription_form("subscribe")).status == 202);
  f.run_until([&] { return f.hub->stats().verifications_failed == 1; });
  CHECK(f.callback.verified_count() == 0);
  CHECK(f.active() == 0);
}

TEST_CASE("a lease longer than the hub's maximum is cut to it; none asked gets the default",
          "[websub][hub]") {
  Fixture f;
  f.subscribe("&hub.lease_seconds=99999999");
  CHECK(f.callback.verifications.back().at("hub.lease_seconds") == "86400");
  f.subscribe();
  CHECK(f.callback.verifications.back().at("hub.lease_seconds") == "3600");
  CHECK(f.store.list_hub_subscriptions()->front().lease_until == f.now + 3600s);
}

TEST_CASE("a new version of the feed is delivered signed, with its hub and self links", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 1; });
  const auto delivery = f.callback.deliveries.front();
  CHECK(delivery.method == "POST");
  CHECK(delivery.body == feed_of({2}));
  CHECK(delivery.header("content-type") == "application/atom+xml; charset=utf-8");
  CHECK(delivery.header("link") == "<" + kBase + "/websub/hub>; rel=\"hub\", <" + kTopic + ">; rel=\"self\"");
  CHECK(delivery.header("x-hub-signature").starts_with("sha256="));
  CHECK(tinhop::websub::signature_matches(delivery.header("x-hub-signature"), "s3cret", delivery.body));
  CHECK(f.hub->stats().latency_count == 1);
}

TEST_CASE("each delivery carries only the entries committed since the previous one", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.version = 3;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 1; });
  f.version = 4;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 2; });
  REQUIRE(f.callback.delivery_count() == 2);
  CHECK(f.callback.deliveries[0].body == feed_of({3, 2}));
  CHECK(f.callback.deliveries[1].body == feed_of({4}));
  CHECK(tinhop::websub::signature_matches(f.callback.deliveries[1].header("x-hub-signature"), "s3cret",
                                          feed_of({4})));
}

TEST_CASE("a retry carries the entries of the failed delivery and of the versions since", "[websub][hub]") {
  Fixture f;
  f.retry_after = 1s;  // the second commit lands while the retry waits
  f.hub = f.make();
  f.subscribe();
  f.callback.statuses = {500};
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_failed == 1; });
  f.version = 3;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 1; });
  REQUIRE(f.callback.delivery_count() == 2);
  CHECK(f.callback.deliveries[0].body == feed_of({2}));
  CHECK(f.callback.deliveries[1].body == feed_of({3, 2}));
}

TEST_CASE("subscribers behind one host get their deliveries a few at a time", "[websub][hub]") {
  Fixture f;
  f.max_subscriptions = 6;
  f.max_in_flight_per_host = 2;
  f.hub = f.make();
  f.callback.answer_delay = 200ms;
  for (int n = 0; n < 6; ++n) {
    REQUIRE(f.request("hub.mode=subscribe&hub.topic=" + kEncodedTopic + "&hub.callback=" + f.callback_url() +
                      "%3Freader%3D" + std::to_string(n))
                .status == 202);
  }
  f.run_until([&] { return f.active() == 6; });
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 6; });
  CHECK(f.callback.most_answering == 2);
  CHECK(f.hub->stats().pushes_failed == 0);
}

TEST_CASE("a delivery cut short by the hub's stop is no failure and is not retried", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.callback.stall = true;
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.callback.delivery_count() == 1; });
  f.hub->stop();
  f.client.shutdown();
  f.io.restart();
  f.io.run_for(100ms);
  CHECK(f.hub->stats().pushes_failed == 0);
  CHECK(std::find(f.events.begin(), f.events.end(), "delivery_failed") == f.events.end());
  CHECK(f.callback.delivery_count() == 1);
}

TEST_CASE("a subscription without a secret gets unsigned deliveries", "[websub][hub]") {
  Fixture f;
  f.subscribe("");
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 1; });
  CHECK(f.callback.deliveries.front().header("x-hub-signature").empty());
}

TEST_CASE("a feed that did not change is not delivered", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.hub->changed(std::chrono::steady_clock::now());
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 1; });
  f.hub->changed(std::chrono::steady_clock::now());
  f.io.restart();
  f.io.run_for(100ms);
  CHECK(f.callback.delivery_count() == 1);
}

TEST_CASE("a delivery answered 500 is tried again until the subscriber takes it", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.callback.statuses = {500, 500};
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 1; });
  CHECK(f.callback.delivery_count() == 3);
  CHECK(f.hub->stats().pushes_failed == 2);
  CHECK(f.callback.deliveries.back().body == feed_of({2}));
}

TEST_CASE("a delivery that keeps failing is dropped after the last attempt", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.callback.statuses = {500, 503, 500, 500};
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_failed == 3; });
  f.io.restart();
  f.io.run_for(100ms);
  CHECK(f.callback.delivery_count() == 3);
  CHECK(f.events.back() == "delivery_dropped");
  CHECK(f.active() == 1);
}

TEST_CASE("a subscriber answering 410 Gone is forgotten", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.callback.statuses = {410};
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.active() == 0; });
  CHECK(f.store.list_hub_subscriptions()->empty());
}

TEST_CASE("an expired subscription gets nothing and is forgotten", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.now += 3601s;
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.io.restart();
  f.io.run_for(100ms);
  CHECK(f.callback.delivery_count() == 0);
  CHECK(f.active() == 0);
  CHECK(f.store.list_hub_subscriptions()->empty());
}

TEST_CASE("a verified unsubscription ends the deliveries", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  REQUIRE(f.request(f.subscription_form("unsubscribe")).status == 202);
  f.run_until([&] { return f.active() == 0; });
  CHECK(f.callback.verifications.back().at("hub.mode") == "unsubscribe");
  CHECK_FALSE(f.callback.verifications.back().contains("hub.lease_seconds"));
  CHECK(f.store.list_hub_subscriptions()->empty());
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.io.restart();
  f.io.run_for(100ms);
  CHECK(f.callback.delivery_count() == 0);
}

TEST_CASE("subscriptions are kept across a restart of the hub", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  f.hub.reset();
  f.hub = f.make();
  CHECK(f.active() == 1);
  f.hub->changed(std::chrono::steady_clock::now());  // the version at start is not news
  f.version = 2;
  f.hub->changed(std::chrono::steady_clock::now());
  f.run_until([&] { return f.hub->stats().pushes_sent == 1; });
  CHECK(f.callback.delivery_count() == 1);
  CHECK(tinhop::websub::signature_matches(f.callback.deliveries.front().header("x-hub-signature"), "s3cret",
                                          feed_of({2})));
}

TEST_CASE("a callback's own query parameters are kept in the verification", "[websub][hub]") {
  Fixture f;
  REQUIRE(f.request("hub.mode=subscribe&hub.topic=" + kEncodedTopic + "&hub.callback=" + f.callback_url() +
                    "%3Freader%3D7")
              .status == 202);
  f.run_until([&] { return f.active() == 1; });
  CHECK(f.callback.verifications.front().at("reader") == "7");
}

TEST_CASE("malformed hub requests are refused with the reason", "[websub][hub]") {
  Fixture f;
  CHECK(f.hub->handle(HubRequest{false, "", ""}).status == 405);
  const HubAnswer no_mode = f.request("hub.topic=" + kEncodedTopic + "&hub.callback=" + f.callback_url());
  CHECK(no_mode.status == 400);
  CHECK(no_mode.body == "hub.mode must be subscribe or unsubscribe");
  const HubAnswer other_topic = f.request(
      "hub.mode=subscribe&hub.topic=https%3A%2F%2Fnews.example%2Ffeed&hub.callback=" + f.callback_url());
  CHECK(other_topic.status == 400);
  CHECK(other_topic.body == "hub.topic is not a feed this hub publishes");
  const HubAnswer unknown_feed = f.request(
      "hub.mode=subscribe&hub.topic=https%3A%2F%2Ftinhop.example%2Fnope&hub.callback=" + f.callback_url());
  CHECK(unknown_feed.body == "hub.topic is not a feed this hub publishes");
  const HubAnswer bad_callback =
      f.request("hub.mode=subscribe&hub.topic=" + kEncodedTopic + "&hub.callback=ftp%3A%2F%2Fx");
  CHECK(bad_callback.status == 400);
  CHECK(bad_callback.body == "hub.callback must be an absolute http or https URL");
  const HubAnswer long_secret =
      f.request(f.subscription_form("subscribe", "&hub.secret=" + std::string(200, 'x')));
  CHECK(long_secret.status == 400);
  CHECK(long_secret.body == "hub.secret must be shorter than 200 bytes");
  const HubAnswer bad_lease = f.request(f.subscription_form("subscribe", "&hub.lease_seconds=soon"));
  CHECK(bad_lease.body == "hub.lease_seconds must be a number of seconds");
  CHECK(f.callback.verified_count() == 0);
}

TEST_CASE("past the subscription cap a new subscriber gets 429", "[websub][hub]") {
  Fixture f;
  f.subscribe();
  REQUIRE(f.request("hub.mode=subscribe&hub.topic=https%3A%2F%2Ftinhop.example%2Ffeed.json&hub.callback=" +
                    f.callback_url())
              .status == 202);
  f.run_until([&] { return f.active() == 2; });
  const HubAnswer third = f.request(f.subscription_form("subscribe") + "%3Fthird");  // another callback
  CHECK(third.status == 429);
  CHECK(third.body == "this hub holds its most subscriptions");
  // A subscriber renewing is not new.
  CHECK(f.request(f.subscription_form("subscribe")).status == 202);
}
