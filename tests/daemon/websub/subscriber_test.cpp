// The WebSub subscriber against a hub written here (loopback): subscription requests,
// verification of intent, signed content distribution, lease renewal, unsubscription.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/run_until.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/parsers/url_privacy.hpp"
#include "tinhop/websub/signature.hpp"
#include "tinhop/websub/subscriber.hpp"

using namespace std::chrono_literals;
using tinhop::Instant;
using tinhop::storage::SubscriptionState;
using tinhop::websub::CallbackAnswer;
using tinhop::websub::CallbackRequest;

namespace {

const std::string kTopic = "https://news.example/feed";

// A hub that accepts every request with 202 and keeps each form it received.
struct Hub {
  tinhop::test::TestHttpServer server;
  std::mutex mutex;
  std::vector<std::map<std::string, std::string>> forms;
  std::atomic<int> status{202};

  Hub() {
    server.on("/hub", [this](const tinhop::test::HttpRequest& request) {
      const std::string target = "/?" + request.body;  // the url_view refers to it
      auto url = boost::urls::parse_origin_form(target);
      std::map<std::string, std::string> form;
      for (const auto& param : url->params()) form[param.key] = param.value;
      std::lock_guard lock(mutex);
      forms.push_back(form);
      return tinhop::test::Script{.status = status.load()};
    });
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return forms.size();
  }
  std::map<std::string, std::string> last() {
    std::lock_guard lock(mutex);
    return forms.back();
  }
};

struct Pushed {
  std::int64_t source_id;
  std::string body;
  std::string content_type;
  std::string url;
};

// A subscriber on its own loop, with a clock the test moves.
struct Fixture {
  Hub hub;
  boost::asio::io_context io;
  tinhop::fetch::Client client{io.get_executor(), client_options()};
  tinhop::storage::Store store = std::move(*tinhop::storage::Store::open(":memory:"));
  Instant now = Instant{std::chrono::seconds{1710374400}};
  std::vector<Pushed> pushed;
  std::map<std::int64_t, std::optional<std::chrono::seconds>> intervals;
  std::unique_ptr<tinhop::websub::Subscriber> subscriber = make();

  static tinhop::fetch::ClientOptions client_options() {
    tinhop::fetch::ClientOptions o;
    o.proxy = "";
    std::string why;
    o.allow_networks = {*tinhop::parse_ip_network("127.0.0.0/8", why)};
    return o;
  }

  std::unique_ptr<tinhop::websub::Subscriber> make() {
    tinhop::websub::SubscriberOptions options;
    options.callback_base = "https://tinhop.example";
    options.lease = 3600s;
    options.fallback_interval = 6h;
    options.check_every = 10ms;
    options.now = [this] { return now; };
    auto made = std::make_unique<tinhop::websub::Subscriber>(
        io.get_executor(), client, store, options,
        tinhop::websub::SubscriberHooks{
            .pushed =
                [this](std::int64_t id, tinhop::fetch::Response body) {
                  pushed.push_back({id, body.body, body.content_type, body.url});
                },
            .push_interval = [this](
                                 std::int64_t id,
                                 std::optional<std::chrono::seconds> interval) { intervals[id] = interval; },
            .log = {},
        });
    REQUIRE(made->start().has_value());
    return made;
  }

  // Runs the loop until the hub has received `n` requests in all.
  void wait_for_requests(std::size_t n) {
    tinhop::test::run_until(io, [&] { return hub.count() >= n; });
    REQUIRE(hub.count() == n);
  }

  void subscribe_source(std::int64_t id) {
    const std::size_t before = hub.count();
    subscriber->discovered(id, tinhop::WebSubTopic{{hub.server.url("/hub")}, kTopic});
    wait_for_requests(before + 1);
  }

  std::string token_of(std::int64_t id) { return (*store.subscription_of_source(id))->callback; }
  std::string secret_of(std::int64_t id) { return (*store.subscription_of_source(id))->secret; }

  CallbackAnswer verify(const std::string& token, const std::string& mode, const std::string& topic = kTopic,
                        const std::string& lease = "86400") {
    CallbackRequest request;
    request.target = "/websub/callback/" + token + "?hub.mode=" + mode +
                     "&hub.topic=" + "https%3A%2F%2Fnews.example%2Ffeed" + (topic == kTopic ? "" : "-other") +
                     "&hub.challenge=c-123&hub.lease_seconds=" + lease;
    return subscriber->handle(request);
  }

  CallbackAnswer push(const std::string& token, const std::string& signature, const std::string& body) {
    CallbackRequest request;
    request.post = true;
    request.target = "/websub/callback/" + token;
    request.signature = signature;
    request.content_type = "application/atom+xml";
    request.body = body;
    return subscriber->handle(request);
  }

  // Subscribed, and verified by the hub with a day's lease.
  void active_source(std::int64_t id) {
    subscribe_source(id);
    REQUIRE(verify(token_of(id), "subscribe").status == 200);
  }
};

const std::string kBody = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id></entry></feed>";

}  // namespace

TEST_CASE("a discovered hub gets a subscription request with a callback, a secret and a lease", "[websub]") {
  Fixture f;
  f.subscribe_source(7);
  const auto form = f.hub.last();
  CHECK(form.at("hub.mode") == "subscribe");
  CHECK(form.at("hub.topic") == kTopic);
  CHECK(form.at("hub.callback") == "https://tinhop.example/websub/callback/" + f.token_of(7));
  CHECK(form.at("hub.lease_seconds") == "3600");
  CHECK(form.at("hub.secret") == f.secret_of(7));
  CHECK(f.token_of(7).size() == 32);
  CHECK(f.secret_of(7).size() == 48);
  CHECK((*f.store.subscription_of_source(7))->state == SubscriptionState::requested);
  // Another poll naming the same hub sends nothing new while the request is pending.
  f.subscriber->discovered(7, tinhop::WebSubTopic{{f.hub.server.url("/hub")}, kTopic});
  f.io.restart();
  f.io.run_for(50ms);
  CHECK(f.hub.count() == 1);
}

TEST_CASE("the hub's verification of our request is answered with its challenge", "[websub]") {
  Fixture f;
  f.subscribe_source(7);
  const CallbackAnswer answer = f.verify(f.token_of(7), "subscribe");
  CHECK(answer.status == 200);
  CHECK(answer.body == "c-123");
  const auto stored = *f.store.subscription_of_source(7);
  CHECK(stored->state == SubscriptionState::active);
  CHECK(stored->lease_until == f.now + 86400s);
  CHECK(f.intervals.at(7) == 6h);
}

TEST_CASE("a challenge for a subscription we did not ask for is refused", "[websub]") {
  Fixture f;
  f.subscribe_source(7);
  SECTION("an unknown callback") {
    CHECK(f.verify("0123456789abcdef0123456789abcdef", "subscribe").status == 404);
  }
  SECTION("another mode than the one requested") {
    CHECK(f.verify(f.token_of(7), "unsubscribe").status == 404);
    CHECK((*f.store.subscription_of_source(7))->state == SubscriptionState::requested);
  }
  SECTION("another topic") {
    CHECK(f.verify(f.token_of(7), "subscribe", kTopic + "-other").status == 404);
  }
  SECTION("a second verification of a request already confirmed") {
    REQUIRE(f.verify(f.token_of(7), "subscribe").status == 200);
    CHECK(f.verify(f.token_of(7), "subscribe").status == 404);
  }
  CHECK(f.subscriber->stats().verifications_refused == 1);
}

TEST_CASE("a hub's denial leaves the source to polling", "[websub]") {
  Fixture f;
  f.subscribe_source(7);
  CallbackRequest denial;
  denial.target = "/websub/callback/" + f.token_of(7) +
                  "?hub.mode=denied&hub.topic=https%3A%2F%2Fnews.example%2Ffeed&hub.reason=no";
  CHECK(f.subscriber->handle(denial).status == 200);
  CHECK((*f.store.subscription_of_source(7))->state == SubscriptionState::denied);
  CHECK_FALSE(f.intervals.contains(7));
}

TEST_CASE("a push signed with the subscription's secret is handed on", "[websub]") {
  Fixture f;
  f.active_source(7);
  const std::string method = GENERATE("sha1", "sha256", "sha384", "sha512");
  const CallbackAnswer answer =
      f.push(f.token_of(7), tinhop::websub::signature(method, f.secret_of(7), kBody), kBody);
  CHECK(answer.status == 202);
  REQUIRE(f.pushed.size() == 1);
  CHECK(f.pushed[0].source_id == 7);
  CHECK(f.pushed[0].body == kBody);
  CHECK(f.pushed[0].content_type == "application/atom+xml");
  CHECK(f.pushed[0].url == kTopic);
  CHECK(f.subscriber->stats().pushes_received == 1);
}

TEST_CASE("a push with a wrong or missing signature is acknowledged and dropped", "[websub]") {
  Fixture f;
  f.active_source(7);
  const std::string signature = GENERATE(std::string("sha256=00"), std::string(""), std::string("md5=abc"),
                                         tinhop::websub::signature("sha256", "not-the-secret", kBody));
  CHECK(f.push(f.token_of(7), signature, kBody).status == 202);
  CHECK(f.pushed.empty());
  CHECK(f.subscriber->stats().pushes_refused == 1);
}

TEST_CASE("a push for a subscription not verified or unknown is refused", "[websub]") {
  Fixture f;
  f.subscribe_source(7);
  CHECK(f.push(f.token_of(7), tinhop::websub::signature("sha256", f.secret_of(7), kBody), kBody).status ==
        410);
  CHECK(f.push("ffff", "sha256=00", kBody).status == 410);
  CHECK(f.pushed.empty());
}

TEST_CASE("a lease near its end is renewed, an ended one is asked for again", "[websub]") {
  Fixture f;
  f.active_source(7);
  REQUIRE(f.hub.count() == 1);
  f.now += 86400s - 9000s;  // more than a tenth of the lease left: nothing yet
  f.io.restart();
  f.io.run_for(50ms);
  CHECK(f.hub.count() == 1);
  f.now += 9000s - 600s;  // ten minutes left
  f.wait_for_requests(2);
  CHECK(f.hub.last().at("hub.mode") == "subscribe");
  CHECK(f.hub.last().at("hub.callback") == "https://tinhop.example/websub/callback/" + f.token_of(7));
  // The renewal is verified with a fresh lease; pushes went on meanwhile.
  CHECK((*f.store.subscription_of_source(7))->state == SubscriptionState::active);
  REQUIRE(f.verify(f.token_of(7), "subscribe", kTopic, "7200").status == 200);
  CHECK((*f.store.subscription_of_source(7))->lease_until == f.now + 7200s);

  f.now += 7300s;  // the hub never renewed: the lease ended
  f.wait_for_requests(3);
  CHECK((*f.store.subscription_of_source(7))->state == SubscriptionState::requested);
  CHECK(f.intervals.at(7) == std::nullopt);
}

TEST_CASE("a forgotten source is unsubscribed and its row goes once the hub confirms", "[websub]") {
  Fixture f;
  f.active_source(7);
  f.subscriber->forget(7);
  f.wait_for_requests(2);
  CHECK(f.hub.last().at("hub.mode") == "unsubscribe");
  CHECK(f.hub.last().count("hub.secret") == 0);
  CHECK((*f.store.subscription_of_source(7))->state == SubscriptionState::unsubscribing);
  CHECK(f.intervals.at(7) == std::nullopt);
  const std::string token = f.token_of(7);
  CHECK(f.push(token, tinhop::websub::signature("sha256", f.secret_of(7), kBody), kBody).status == 410);
  const CallbackAnswer answer = f.verify(token, "unsubscribe");
  CHECK(answer.status == 200);
  CHECK(answer.body == "c-123");
  CHECK_FALSE(*f.store.subscription_of_source(7));
}

TEST_CASE("subscriptions are kept across a restart", "[websub]") {
  Fixture f;
  f.active_source(7);
  const std::string token = f.token_of(7);
  f.subscriber.reset();
  f.intervals.clear();
  f.subscriber = f.make();
  CHECK(f.intervals.at(7) == 6h);
  CHECK(f.subscriber->subscribed_sources() == std::vector<std::int64_t>{7});
  CHECK(f.push(token, tinhop::websub::signature("sha256", f.secret_of(7), kBody), kBody).status == 202);
  CHECK(f.pushed.size() == 1);
  // A verification the earlier run asked for is not answered by this one.
  CHECK(f.verify(token, "subscribe").status == 404);
}

TEST_CASE("a hub that refuses the request leaves the subscription to be asked again", "[websub]") {
  Fixture f;
  f.hub.status = 500;
  f.subscribe_source(7);
  tinhop::test::run_until(
      f.io, [&] { return f.subscriber->stats().requests_failed > 0; }, 5s);
  CHECK(f.subscriber->stats().requests_failed == 1);
  // The next poll naming the hub asks again.
  f.hub.status = 202;
  f.subscribe_source(7);
  CHECK(f.hub.count() == 2);
}

TEST_CASE("X-Hub-Signature values are HMACs of the body", "[websub]") {
  // RFC 4231 test case 2.
  CHECK(tinhop::websub::signature("sha256", "Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(tinhop::websub::signature_matches(
      "SHA256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843", "Jefe",
      "what do ya want for nothing?"));
  CHECK_FALSE(tinhop::websub::signature_matches("sha256=5bdcc146", "Jefe", "what do ya want for nothing?"));
  CHECK(tinhop::websub::signature("md5", "Jefe", "x").empty());
}
