// While the database is down, the cluster's claims, renewals and heartbeats fail every few
// seconds: the log gets the first failure, then one summary a minute with the count it
// left out, and one line when the database answers again (issue #18).
#include <catch2/catch.hpp>

#include "outage_log.hpp"

using tinhop::daemon::OutageLog;
using namespace std::chrono_literals;

TEST_CASE("an outage is told once, then summed up at most once a minute") {
  OutageLog log;
  const OutageLog::Clock::time_point t0{};
  const auto first = log.failed(t0);
  REQUIRE(first);
  CHECK(first->first);
  CHECK(first->suppressed == 0);
  // Claims every 5 s and a renewal every second for a minute: none logged.
  int logged = 0;
  for (auto at = t0 + 1s; at < t0 + 60s; at += 1s) logged += log.failed(at).has_value();
  CHECK(logged == 0);
  const auto summary = log.failed(t0 + 60s);
  REQUIRE(summary);
  CHECK_FALSE(summary->first);
  CHECK(summary->suppressed == 59);
  CHECK(summary->failing_for == 60s);
  CHECK_FALSE(log.failed(t0 + 61s));
  const auto next = log.failed(t0 + 125s);
  REQUIRE(next);
  CHECK(next->suppressed == 1);
  CHECK(next->failing_for == 125s);
}

TEST_CASE("the database answering again ends the outage with one line") {
  OutageLog log;
  const OutageLog::Clock::time_point t0{};
  CHECK_FALSE(log.succeeded(t0));  // nothing to recover from
  REQUIRE(log.failed(t0));
  CHECK_FALSE(log.failed(t0 + 5s));
  CHECK_FALSE(log.failed(t0 + 10s));
  const auto recovered = log.succeeded(t0 + 12s);
  REQUIRE(recovered);
  CHECK(recovered->down_for == 12s);
  CHECK(recovered->failures == 3);
  CHECK_FALSE(log.succeeded(t0 + 13s));
  // The next outage is told from its first failure again.
  const auto again = log.failed(t0 + 20s);
  REQUIRE(again);
  CHECK(again->first);
  CHECK(again->suppressed == 0);
}
