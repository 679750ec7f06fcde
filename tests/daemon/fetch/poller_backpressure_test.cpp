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

namespace {

// Runs `io` until `done()` holds or 10 s pass.
template <class Done>
bool run_until(boost::asio::io_context& io, Done done) {
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < end) io.run_for(10ms);
  return done();
}

// Every source due once an hour, on time, with no spacing between a host's fetches.
PollerOptions hourly_options() {
  PollerOptions options;
  options.policy.jitter = 0;
  options.policy.default_interval = 1h;
  options.gate.min_spacing = 0ms;
  options.limits = test_options().limits;
  return options;
}

PollSource source(std::int64_t id, const std::string& url) {
  PollSource s;
  s.id = id;
  s.url = url;
  return s;
}

}  // namespace

TEST_CASE("downstream counts the fetches in flight: no more start than it takes - none is lost") {
  TestHttpServer server;
  ConcurrencyProbe probe;
  server.on("/feed", probe.answering(Script{.status = 304}));
  boost::asio::io_context io;
  Client client(io.get_executor(), test_options());
  PollerOptions options = hourly_options();
  options.gate.per_host = 64;
  options.gate.global = 64;
  options.min_concurrency = 1;  // every running fetch is passed
  std::vector<PollReport> reports;
  std::size_t most_fetching = 0;
  PollerHooks hooks;
  hooks.report = [&](PollReport r) { reports.push_back(std::move(r)); };
  // Takes a fetch while fewer than three are running (a backlog with room for three bodies).
  hooks.accepting = [&](const Fetching& fetching) {
    most_fetching = std::max(most_fetching, fetching.polls);
    return fetching.polls < 3;
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

TEST_CASE("a fetch in flight is charged the body bytes it received - a stalled one is cut and uncharged") {
  TestHttpServer server;
  const std::string body(64 * 1024, 'x');
  server.on("/stalled", Script{.body = body, .stall_after = 32 * 1024});  // half, then nothing
  server.on("/feed", Script{.status = 304});
  boost::asio::io_context io;
  Client client(io.get_executor(), test_options());
  PollerOptions options = hourly_options();
  options.limits.stall_timeout = 500ms;
  options.min_concurrency = 1;
  std::vector<PollReport> reports;
  Fetching last;
  PollerHooks hooks;
  hooks.report = [&](PollReport r) { reports.push_back(std::move(r)); };
  // Room for the one fetch the poller passes as none, and no other.
  hooks.accepting = [&](const Fetching& fetching) {
    last = fetching;
    return fetching.polls == 0;
  };
  Poller poller(io.get_executor(), client, options, hooks);
  poller.upsert(source(1, server.url("/stalled")));
  poller.upsert(source(2, server.url("/feed")));
  poller.start();
  // Source 2 asks again each time it is due: the stalled fetch holds the half it received.
  auto holds_half = [&] {
    poller.poll_now(2);
    return last.polls == 1 && last.bytes == 32 * 1024;
  };
  CHECK(run_until(io, holds_half));
  // Cut by the stall timeout, long before the total one.
  REQUIRE(run_until(io, [&] { return reports.size() == 2; }));  // then source 2 ran
  CHECK(reports[0].source_id == 1);
  CHECK(reports[0].error_class == "timeout");
  CHECK(reports[0].latency < 3s);
  // Stalled again: charged its new half only, what the first fetch held was taken back.
  poller.poll_now(1);
  CHECK(run_until(io, holds_half));
  CHECK(last.bytes == 32 * 1024);
  poller.stop_scheduling();
  client.shutdown();
  io.run_for(50ms);
}

TEST_CASE(
    "below min_concurrency the running fetches are passed as none - a stalled one holds no other back") {
  TestHttpServer server;
  server.on("/stalled", Script{.body = "<rss/>", .stall_after = 0});
  boost::asio::io_context io;
  Client client(io.get_executor(), test_options());
  PollerOptions options = hourly_options();
  options.gate.per_host = 8;
  options.min_concurrency = 2;
  std::vector<Fetching> asked;
  PollerHooks hooks;
  // A downstream with room for no fetch at all: only what the poller passes as none starts.
  hooks.accepting = [&](const Fetching& fetching) {
    asked.push_back(fetching);
    return fetching.polls == 0;
  };
  Poller poller(io.get_executor(), client, options, hooks);
  for (std::int64_t id = 1; id <= 3; ++id) poller.upsert(source(id, server.url("/stalled")));
  poller.start();
  CHECK(run_until(io, [&] { return server.hits("/stalled") == 2; }));
  io.run_for(200ms);
  CHECK(server.hits("/stalled") == 2);  // the third waits: two run, and they are counted
  CHECK(poller.in_flight() == 2);
  REQUIRE(asked.size() >= 3);
  CHECK(asked[0].polls == 0);
  CHECK(asked[1].polls == 0);
  CHECK(asked[2].polls == 2);
  poller.stop_scheduling();
  client.shutdown();
  io.run_for(50ms);
}

TEST_CASE("a poll asked for while the source's poll runs starts again when that one ends") {
  // `tinhop sources poll` after a fetch began (or while its body was still being stored)
  // wants what was published since: the request is kept, not dropped because one runs.
  TestHttpServer server;
  server.on("/slow", Script{.body = "<rss version=\"2.0\"><channel><title>T</title></channel></rss>",
                            .byte_delay = 5ms});
  boost::asio::io_context io;
  Client client(io.get_executor(), test_options());
  std::vector<PollReport> reports;
  PollerHooks hooks;
  hooks.report = [&](PollReport r) { reports.push_back(std::move(r)); };
  Poller poller(io.get_executor(), client, hourly_options(), hooks);
  poller.upsert(source(1, server.url("/slow")));
  poller.start();
  REQUIRE(run_until(io, [&] { return server.hits("/slow") == 1; }));
  REQUIRE(reports.empty());  // its body still arriving
  poller.poll_now(1);
  poller.poll_now(1);  // asked twice while it ran: one more poll, not two
  REQUIRE(run_until(io, [&] { return reports.size() == 2; }));
  CHECK(server.hits("/slow") == 2);
  CHECK(reports[1].attempted >= reports[0].attempted);
  io.run_for(500ms);
  CHECK(server.hits("/slow") == 2);  // then the hour's interval again
  poller.stop_scheduling();
  client.shutdown();
  io.run_for(50ms);
}
