// Pings of external hubs (websub.publish_to) against a hub written here (loopback): one
// debounced ping per burst of commits, retries, and giving up.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "support/recording_endpoint.hpp"
#include "support/run_until.hpp"
#include "tinhop/websub/publish_pings.hpp"

using namespace std::chrono_literals;

namespace {

// An external hub at /hub answering with the statuses queued, then 204.
struct FakeHub : tinhop::test::RecordingEndpoint {
  FakeHub() : RecordingEndpoint("/hub") {}
};

struct Fixture {
  FakeHub hub;
  boost::asio::io_context io;
  tinhop::fetch::Client client{io.get_executor(), [] {
                                 tinhop::fetch::ClientOptions o;
                                 o.proxy = "";
                                 return o;
                               }()};
  std::vector<std::string> events;
  tinhop::websub::PublishPings pings{
      io.get_executor(), client, tinhop::websub::PingOptions{{hub.server.url("/hub")}, 50ms, 200ms, 3},
      [this](std::string_view event, const std::string&, const std::string&) { events.emplace_back(event); }};

  template <class Done>
  void run_until(Done done) {
    tinhop::test::run_until(io, done);
  }
};

}  // namespace

TEST_CASE("topics changed together reach each external hub in one publish ping", "[websub][pings]") {
  Fixture f;
  f.pings.changed({"https://t.example/feed.atom", "https://t.example/sources/3/feed.atom"});
  f.pings.changed({"https://t.example/feed.atom"});
  f.run_until([&] { return f.pings.stats().sent == 1; });
  f.io.restart();
  f.io.run_for(100ms);
  REQUIRE(f.hub.count() == 1);
  const auto& ping = f.hub.requests.front();
  CHECK(ping.method == "POST");
  CHECK(ping.header("content-type") == "application/x-www-form-urlencoded");
  CHECK(ping.body ==
        "hub.mode=publish&hub.url=https%3A%2F%2Ft.example%2Ffeed.atom"
        "&hub.url=https%3A%2F%2Ft.example%2Fsources%2F3%2Ffeed.atom");
  CHECK(f.events == std::vector<std::string>{"published"});
}

TEST_CASE("a ping the hub refuses is sent again with the topics changed meanwhile", "[websub][pings]") {
  Fixture f;
  f.hub.statuses = {503};
  f.pings.changed({"https://t.example/feed.atom"});
  f.run_until([&] { return f.pings.stats().failed == 1; });
  f.pings.changed({"https://t.example/feed.json"});
  f.run_until([&] { return f.pings.stats().sent == 1; });
  REQUIRE(f.hub.count() == 2);
  CHECK(f.hub.requests.back().body ==
        "hub.mode=publish&hub.url=https%3A%2F%2Ft.example%2Ffeed.atom&hub.url=https%3A%2F%2Ft.example%2Ffeed."
        "json");
  CHECK(f.events == std::vector<std::string>{"ping_failed", "published"});
}

TEST_CASE("a ping that keeps failing is dropped after its last attempt", "[websub][pings]") {
  Fixture f;
  f.hub.statuses = {500, 500, 500};
  f.pings.changed({"https://t.example/feed.atom"});
  f.run_until([&] { return f.pings.stats().failed == 3; });
  f.io.restart();
  f.io.run_for(100ms);
  CHECK(f.hub.count() == 3);
  CHECK(f.events == std::vector<std::string>{"ping_failed", "ping_failed", "ping_dropped"});
  CHECK(f.pings.stats().sent == 0);
}
