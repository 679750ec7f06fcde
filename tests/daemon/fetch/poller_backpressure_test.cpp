// The poller asks downstream before every fetch it starts, telling it how many fetches are
// still running: their bodies will arrive whatever downstream says then, so a bound on
// memory has to count them before the next one starts.
#include <catch2/catch.hpp>

#include <algorithm>

#include "fetch_helpers.hpp"
#include "tinhop/fetch/poller.hpp"

using namespace std::chrono_literals;
using namespace tinhop::fetch;
using namespace tinhop::test;

TEST_CASE("downstream counts the fetches in flight: no more start than it takes - none is lost") {
  TestHttpServer server;
  ConcurrencyProbe probe;
  server.on("/feed", probe.answering(Script{.status = 304}));
  boost::asio::io_context io;
  Client client(io.get_executor(), test_options());
  PollerOptions options;
  options.policy.jitter = 0;
  options.policy.default_interval = 1h;
  options.gate.per_host = 64;
  options.gate.global = 64;
  options.gate.min_spacing = 0ms;
  options.limits = test_options().limits;
  std::vector<PollReport> reports;
  std::size_t most_fetching = 0;
  PollerHooks hooks;
  hooks.report = [&](PollReport r) { reports.push_back(std::move(r)); };
  // Takes a fetch while fewer than three are running (a backlog with room for three bodies).
  hooks.accepting = [&](std::size_t fetching) {
    most_fetching = std::max(most_fetching, fetching);
    return fetching < 3;
  };
  Poller poller(io.get_executor(), client, options, hooks);
  for (std::int64_t id = 1; id <= 8; ++id) {
    PollSource s;
    s.id = id;
    s.url = server.url("/feed?n=" + std::to_string(id));
    s.etag = "\"v" + std::to_string(id) + "\"";
    poller.upsert(s);
  }
  poller.start();
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (reports.size() < 8 && std::chrono::steady_clock::now() < end) io.run_for(20ms);

  REQUIRE(reports.size() == 8);  // refused starts wait; finished fetches start the next
  for (const PollReport& r : reports) CHECK(r.outcome == PollOutcome::not_modified);
  CHECK(probe.peak.load() == 3);
  CHECK(most_fetching == 3);
  CHECK(poller.in_flight() == 0);
  poller.stop_scheduling();
  client.shutdown();
  io.run_for(50ms);
}
