// Several daemons sharing the sources (issue #18): a due source is fetched only once the
// claim hook grants it; a refused claim waits until the time the hook names, with the
// source's schedule untouched. The hook answers when the database has (from another
// thread): meanwhile the other sources' fetches go on and the source is not asked again.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

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
  hooks.claim = [&](const PollSource& source, const std::string& host, bool now_asked,
                    PollerHooks::ClaimAnswer answer) {
    asked.push_back({source.id, host, std::chrono::system_clock::now(), now_asked});
    if (asked.size() == 1) {
      refused_until = std::chrono::system_clock::now() + 300ms;
      return answer(refused_until);
    }
    answer(std::nullopt);
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
  hooks.claim = [&](const PollSource&, const std::string&, bool, PollerHooks::ClaimAnswer answer) {
    ++claims;
    answer(std::chrono::system_clock::now() + 100ms);
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
  hooks.claim = [&](const PollSource&, const std::string&, bool now_asked, PollerHooks::ClaimAnswer answer) {
    asked.push_back(now_asked);
    answer(std::nullopt);
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

namespace {

// A claim hook whose answers for one source wait until the test gives them, from a thread
// of its own, as the database worker would; every other source is granted at once.
struct SlowClaims {
  std::int64_t slow_source = 0;
  std::mutex mutex;
  std::vector<PollerHooks::ClaimAnswer> waiting;  // the slow source's unanswered claims
  std::vector<SysTime> slow_asked;                // when the slow source was asked about
  std::thread answering;

  ~SlowClaims() {
    if (answering.joinable()) answering.join();
  }

  void hook(const PollSource& source, const std::string&, bool, PollerHooks::ClaimAnswer answer) {
    if (source.id != slow_source) return answer(std::nullopt);
    std::lock_guard lock(mutex);
    slow_asked.push_back(std::chrono::system_clock::now());
    waiting.push_back(std::move(answer));
  }

  std::size_t asked() {
    std::lock_guard lock(mutex);
    return slow_asked.size();
  }

  // Answers the waiting claim from another thread.
  void answer(std::optional<SysTime> retry_at) {
    if (answering.joinable()) answering.join();
    PollerHooks::ClaimAnswer pending;
    {
      std::lock_guard lock(mutex);
      REQUIRE(waiting.size() == 1);
      pending = std::move(waiting.back());
      waiting.clear();
    }
    answering = std::thread([pending = std::move(pending), retry_at] { pending(retry_at); });
  }
};

struct ClaimScene {
  TestHttpServer server;
  boost::asio::io_context io;
  Client client{io.get_executor(), test_options()};
  SlowClaims claims;
  std::vector<std::pair<std::int64_t, std::chrono::steady_clock::time_point>> reports;
  std::unique_ptr<Poller> poller;

  ClaimScene() {
    server.on("/slow", one_item_feed());
    server.on("/quick", one_item_feed());
    claims.slow_source = 1;
    PollerOptions options;
    options.policy.jitter = 0;
    options.gate.min_spacing = 0ms;
    options.limits = test_options().limits;
    PollerHooks hooks;
    hooks.report = [this](PollReport r) {
      reports.emplace_back(r.source_id, std::chrono::steady_clock::now());
    };
    hooks.claim = [this](const PollSource& source, const std::string& host, bool asked,
                         PollerHooks::ClaimAnswer answer) {
      claims.hook(source, host, asked, std::move(answer));
    };
    poller = std::make_unique<Poller>(io.get_executor(), client, options, hooks);
    for (auto [id, path] : {std::pair<std::int64_t, const char*>{1, "/slow"}, {2, "/quick"}}) {
      PollSource source;
      source.id = id;
      source.url = server.url(path);
      poller->upsert(source);
    }
    poller->start();
  }

  // Runs the loop until `done` or 10 s. (A loop that ran out of work stops: restarted.)
  template <typename Done>
  bool run_until(Done done) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < end) run_for(10ms);
    return done();
  }
  void run_for(std::chrono::milliseconds duration) {
    io.restart();
    io.run_for(duration);
  }
};

}  // namespace

TEST_CASE("a claim answered later holds back its own source only, asked once, fetched after the grant",
          "[claim]") {
  ClaimScene scene;
  // The other source is fetched while the slow claim is out, and its finish (a tick) does
  // not ask about the waiting source again.
  REQUIRE(scene.run_until([&] { return scene.reports.size() == 1; }));
  CHECK(scene.reports[0].first == 2);
  scene.run_for(300ms);
  CHECK(scene.claims.asked() == 1);
  CHECK(scene.server.hits("/slow") == 0);
  CHECK(scene.poller->in_flight() == 0);

  const auto granted = std::chrono::steady_clock::now();
  scene.claims.answer(std::nullopt);
  REQUIRE(scene.run_until([&] { return scene.reports.size() == 2; }));
  CHECK(scene.reports[1].first == 1);
  CHECK(scene.reports[1].second >= granted);
  CHECK(scene.server.hits("/slow") == 1);
  CHECK(scene.server.hits("/quick") == 1);
  CHECK(scene.claims.asked() == 1);
}

TEST_CASE("a claim refused later is asked again at the time it names", "[claim]") {
  ClaimScene scene;
  REQUIRE(scene.run_until([&] { return scene.claims.asked() == 1; }));
  const SysTime retry_at = std::chrono::system_clock::now() + 400ms;
  scene.claims.answer(retry_at);
  REQUIRE(scene.run_until([&] { return scene.claims.asked() == 2; }));
  {
    std::lock_guard lock(scene.claims.mutex);
    CHECK(scene.claims.slow_asked[1] >= retry_at);
    CHECK(scene.claims.slow_asked[1] - retry_at < 1s);
  }
  CHECK(scene.server.hits("/slow") == 0);
  scene.claims.answer(std::nullopt);
  REQUIRE(scene.run_until([&] { return scene.server.hits("/slow") == 1; }));
}

TEST_CASE("a grant that comes after scheduling stopped, or after the poller went, starts nothing",
          "[claim]") {
  ClaimScene scene;
  REQUIRE(scene.run_until([&] { return scene.claims.asked() == 1 && scene.reports.size() == 1; }));
  scene.poller->stop_scheduling();
  scene.claims.answer(std::nullopt);
  scene.claims.answering.join();
  scene.run_for(300ms);
  CHECK(scene.server.hits("/slow") == 0);
  CHECK(scene.poller->in_flight() == 0);

  // A claim still out when the poller is destroyed: its answer finds nothing to start.
  scene.poller->start();
  REQUIRE(scene.run_until([&] { return scene.claims.asked() == 2; }));
  scene.poller.reset();
  scene.claims.answer(std::nullopt);
  scene.claims.answering.join();
  scene.run_for(200ms);
  CHECK(scene.server.hits("/slow") == 0);
}
