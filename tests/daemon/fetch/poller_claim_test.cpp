// Several daemons sharing the sources (issue #18): a due source is fetched only once the
// claim hook grants it; a refused claim waits until the time the hook names, with the
// source's schedule untouched.
#include <catch2/catch.hpp>

#include "fetch_helpers.hpp"
#include "tinhop/fetch/poller.hpp"

using namespace std::chrono_literals;
using namespace tinhop::fetch;
using namespace tinhop::test;

namespace {

using SysTime = std::chrono::system_clock::time_point;

struct Asked {
  std::int64_t source = 0;
  std::string host;
  SysTime at;
  bool asked = false;
};

}  // namespace

TEST_CASE("a due source waits for its claim and is fetched once it is granted", "[claim]") {
  TestHttpServer server;
  server.on("/feed", one_item_feed());
  boost::asio::io_context io;
  Client client{io.get_executor(), test_options()};
  std::vector<Asked> asked;
  std::vector<PollReport> reports;
  SysTime refused_until{};
  PollerOptions options;
  options.policy.jitter = 0;
  options.gate.min_spacing = 0ms;
  options.limits = test_options().limits;
  PollerHooks hooks;
  hooks.report = [&](PollReport r) { reports.push_back(std::move(r)); };
  hooks.claim = [&](const PollSource& source, const std::string& host,
                    bool now_asked) -> std::optional<SysTime> {
    asked.push_back({source.id, host, std::chrono::system_clock::now(), now_asked});
    if (asked.size() == 1) {
      refused_until = std::chrono::system_clock::now() + 300ms;
      return refused_until;
    }
    return std::nullopt;
  };
  Poller poller{io.get_executor(), client, options, hooks};
  PollSource source;
  source.id = 7;
  source.url = server.url("/feed");
  poller.upsert(source);
  poller.start();

  const auto end = std::chrono::steady_clock::now() + 10s;
  while (reports.empty() && std::chrono::steady_clock::now() < end) io.run_for(10ms);
  REQUIRE(reports.size() == 1);
  REQUIRE(asked.size() == 2);
  CHECK(asked[0].source == 7);
  CHECK(asked[0].host == "127.0.0.1");
  CHECK(asked[1].at >= refused_until);
  CHECK_FALSE(asked[0].asked);  // scheduled, not asked for
  CHECK(server.hits("/feed") == 1);
  CHECK(reports[0].outcome == PollOutcome::ok);
}

TEST_CASE("a refused claim leaves the source unfetched until it is granted", "[claim]") {
  TestHttpServer server;
  server.on("/feed", one_item_feed());
  boost::asio::io_context io;
  Client client{io.get_executor(), test_options()};
  int claims = 0;
  PollerOptions options;
  options.gate.min_spacing = 0ms;
  options.limits = test_options().limits;
  PollerHooks hooks;
  hooks.claim = [&](const PollSource&, const std::string&, bool) -> std::optional<SysTime> {
    ++claims;
    return std::chrono::system_clock::now() + 100ms;
  };
  Poller poller{io.get_executor(), client, options, hooks};
  PollSource source;
  source.id = 1;
  source.url = server.url("/feed");
  poller.upsert(source);
  poller.start();
  io.run_for(1s);
  CHECK(server.hits("/feed") == 0);
  CHECK(poller.in_flight() == 0);
  // Asked again at each time it named (100 ms apart), not in a busy loop.
  CHECK(claims >= 5);
  CHECK(claims <= 11);
}

TEST_CASE("a poll asked for now tells the claim so, and a scheduled one does not", "[claim]") {
  TestHttpServer server;
  server.on("/feed", one_item_feed());
  boost::asio::io_context io;
  Client client{io.get_executor(), test_options()};
  std::vector<bool> asked;
  std::size_t reports = 0;
  PollerOptions options;
  options.gate.min_spacing = 0ms;
  options.limits = test_options().limits;
  PollerHooks hooks;
  hooks.report = [&](PollReport) { ++reports; };
  hooks.claim = [&](const PollSource&, const std::string&, bool now_asked) -> std::optional<SysTime> {
    asked.push_back(now_asked);
    return std::nullopt;
  };
  Poller poller{io.get_executor(), client, options, hooks};
  PollSource source;
  source.id = 1;
  source.url = server.url("/feed");
  poller.upsert(source);
  poller.start();
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (reports < 1 && std::chrono::steady_clock::now() < end) io.run_for(10ms);
  poller.poll_now(1);
  while (reports < 2 && std::chrono::steady_clock::now() < end) io.run_for(10ms);
  REQUIRE(reports == 2);
  CHECK(asked == std::vector<bool>{false, true});
}
