#include "tinhop/scheduler/schedule.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace std::chrono_literals;
using tinhop::Instant;
using namespace tinhop::scheduler;

namespace {

// 2026-11-27 10:00:00 UTC, a Friday.
const Instant t0 = Instant(std::chrono::sys_days(std::chrono::year(2026) / 11 / 27)) + 10h;

Policy exact() {
  Policy p;
  p.jitter = 0;
  p.backoff_jitter = 0;
  return p;
}

PollResult ok_at(Instant at) {
  PollResult r;
  r.at = at;
  r.status = 200;
  return r;
}

}  // namespace

TEST_CASE("a successful poll waits the default interval") {
  const Decision d = decide(exact(), {}, {}, ok_at(t0), 1);
  CHECK(d.next_poll == t0 + 30min);
  CHECK(d.reason == "interval");
  CHECK(d.state.consecutive_failures == 0);
  CHECK_FALSE(d.disable);
}

TEST_CASE("the longest freshness hint wins - clamped to the bounds") {
  PollResult r = ok_at(t0);
  r.max_age = 45min;
  r.ttl = 60min;
  r.update_period = 2h;
  r.expires = t0 + 90min;
  Decision d = decide(exact(), {}, {}, r, 1);
  CHECK(d.next_poll == t0 + 2h);
  CHECK(d.reason == "update-period");

  r.update_period = 48h;
  d = decide(exact(), {}, {}, r, 1);
  CHECK(d.next_poll == t0 + 24h);  // max_interval

  SourceSettings tight;
  tight.max_interval = 50min;
  d = decide(exact(), tight, {}, r, 1);
  CHECK(d.next_poll == t0 + 50min);
}

TEST_CASE("the source's own interval and the minimum bound") {
  SourceSettings s;
  s.interval = 1min;
  CHECK(decide(exact(), s, {}, ok_at(t0), 1).next_poll == t0 + 5min);  // min_interval
  s.min_interval = 30s;
  CHECK(decide(exact(), s, {}, ok_at(t0), 1).next_poll == t0 + 1min);
}

TEST_CASE("the adaptive interval follows the publication rate") {
  auto with_items_every = [](std::chrono::seconds gap) {
    PollResult r = ok_at(t0);
    for (int i = 0; i < 10; ++i) r.item_dates.push_back(t0 - gap * i);
    return r;
  };
  Policy p = exact();
  p.default_interval = 10min;
  const Decision hourly = decide(p, {}, {}, with_items_every(1h), 1);
  const Decision weekly = decide(p, {}, {}, with_items_every(std::chrono::days(7)), 1);
  CHECK(hourly.state.publication_gap == std::chrono::seconds(1h));
  CHECK(hourly.next_poll == t0 + 30min);  // half the gap
  CHECK(hourly.reason == "adaptive");
  CHECK(weekly.next_poll == t0 + 24h);  // half a week, clamped to max_interval
  CHECK(hourly.next_poll < weekly.next_poll);

  SourceSettings explicit_interval;
  explicit_interval.interval = 10min;
  CHECK(decide(p, explicit_interval, {}, with_items_every(1h), 1).next_poll == t0 + 10min);
}

TEST_CASE("publication_gap takes the median of recent gaps") {
  CHECK_FALSE(publication_gap({t0}, t0));
  CHECK(publication_gap({t0, t0 - 1h, t0 - 2h, t0 - 10h}, t0) == std::chrono::seconds(1h));
  // Dates in the far future or the old archive do not count.
  CHECK_FALSE(publication_gap({t0 + std::chrono::days(3), t0 - std::chrono::days(200), t0}, t0));
}

TEST_CASE("jitter spreads sources within plus or minus the jitter fraction") {
  Policy p;
  p.jitter = 0.1;
  std::set<Instant> seen;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const Instant next = decide(p, {}, {}, ok_at(t0), seed).next_poll;
    CHECK(next >= t0 + 27min);
    CHECK(next <= t0 + 33min);
    seen.insert(next);
  }
  CHECK(seen.size() > 100);
  CHECK(decide(p, {}, {}, ok_at(t0), 7).next_poll == decide(p, {}, {}, ok_at(t0), 7).next_poll);
}

TEST_CASE("errors back off exponentially up to the cap and reset on success") {
  Policy p = exact();
  PollResult fail;
  fail.at = t0;
  fail.transport_error = true;
  SourceState s;
  std::vector<std::chrono::seconds> waits;
  for (int i = 0; i < 12; ++i) {
    const Decision d = decide(p, {}, s, fail, 1);
    waits.push_back(d.next_poll - t0);
    s = d.state;
  }
  CHECK(waits[0] == std::chrono::seconds(5min));  // 1 min, raised to min_interval
  CHECK(waits[3] == std::chrono::seconds(8min));
  CHECK(waits[4] == std::chrono::seconds(16min));
  CHECK(waits[11] == std::chrono::seconds(12h));  // backoff_cap
  CHECK(s.consecutive_failures == 12);
  const Decision back = decide(p, {}, s, ok_at(t0), 1);
  CHECK(back.state.consecutive_failures == 0);
  CHECK(back.next_poll == t0 + 30min);
}

TEST_CASE("backoff jitter only lengthens the wait") {
  PollResult fail;
  fail.at = t0;
  fail.status = 500;
  Policy p;
  SourceState s;
  s.consecutive_failures = 5;  // the 6th failure: 32 min
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const auto wait = decide(p, {}, s, fail, seed).next_poll - t0;
    CHECK(wait >= std::chrono::seconds(32min));
    CHECK(wait <= std::chrono::seconds(48min));
  }
}

TEST_CASE("429 and 503 honour Retry-After and slow the host") {
  PollResult r;
  r.at = t0;
  r.status = 429;
  r.retry_after = 2h;
  Decision d = decide(exact(), {}, {}, r, 1);
  CHECK(d.next_poll == t0 + 2h);
  CHECK(d.reason == "retry-after");
  REQUIRE(d.host_pause_until);
  CHECK(*d.host_pause_until == t0 + 2h);

  r.status = 503;
  r.retry_after = std::chrono::days(30);  // distrusted beyond the cap
  d = decide(exact(), {}, {}, r, 1);
  CHECK(d.next_poll == t0 + std::chrono::days(7));

  r.retry_after.reset();
  d = decide(exact(), {}, {}, r, 1);
  CHECK(d.next_poll == t0 + 5min);
  REQUIRE(d.host_pause_until);
  CHECK(*d.host_pause_until == t0 + 5min);
}

TEST_CASE("404s back off hard but never disable - 410 disables") {
  PollResult r;
  r.at = t0;
  r.status = 404;
  SourceState s;
  std::vector<std::chrono::seconds> waits;
  for (int i = 0; i < 10; ++i) {
    const Decision d = decide(exact(), {}, s, r, 1);
    CHECK_FALSE(d.disable);
    waits.push_back(d.next_poll - t0);
    s = d.state;
  }
  CHECK(waits[0] == std::chrono::seconds(1h));
  CHECK(waits[2] == std::chrono::seconds(4h));
  CHECK(waits[9] == std::chrono::seconds(std::chrono::days(7)));
  CHECK(s.consecutive_not_found == 10);

  r.status = 410;
  const Decision gone = decide(exact(), {}, {}, r, 1);
  CHECK(gone.disable);
  CHECK(gone.disable_reason == "410 Gone");
}

TEST_CASE("a permanent redirect moves the source after three consecutive polls") {
  PollResult r = ok_at(t0);
  r.permanent_redirect = "https://new.example/rss";
  SourceState s;
  Decision d = decide(exact(), {}, s, r, 1);
  CHECK_FALSE(d.new_url);
  CHECK(d.state.pending_redirect_polls == 1);
  d = decide(exact(), {}, d.state, r, 1);
  CHECK_FALSE(d.new_url);
  d = decide(exact(), {}, d.state, r, 1);
  REQUIRE(d.new_url);
  CHECK(*d.new_url == "https://new.example/rss");
  CHECK(d.state.pending_redirect.empty());

  // A poll without the redirect (a temporary one, or none) resets the streak.
  d = decide(exact(), {}, {}, r, 1);
  d = decide(exact(), {}, d.state, ok_at(t0), 1);
  CHECK(d.state.pending_redirect_polls == 0);
  d = decide(exact(), {}, d.state, r, 1);
  CHECK(d.state.pending_redirect_polls == 1);
}

TEST_CASE("skipHours and skipDays push the next poll out of the skipped window") {
  PollResult r = ok_at(t0);  // Friday 10:00 UTC, next at 10:30
  r.skip_hours = {10, 11, 12};
  CHECK(decide(exact(), {}, {}, r, 1).next_poll == t0 + 3h);
  r.skip_hours.clear();
  r.skip_days = {"Friday", " saturday "};
  CHECK(decide(exact(), {}, {}, r, 1).next_poll == t0 + 38h);  // Sunday 00:00
  std::vector<int> all_hours(24);
  for (int h = 0; h < 24; ++h) all_hours[static_cast<std::size_t>(h)] = h;
  CHECK(skip_forward(t0, all_hours, {}) == t0);  // broken hint: ignored
}

TEST_CASE("a source unchanged for 30 usual gaps is flagged stale") {
  SourceState s;
  s.publication_gap = std::chrono::seconds(1h);
  s.last_change = t0 - 29h;
  CHECK_FALSE(decide(exact(), {}, s, ok_at(t0), 1).state.stale);
  s.last_change = t0 - 31h;
  CHECK(decide(exact(), {}, s, ok_at(t0), 1).state.stale);
  PollResult changed = ok_at(t0);
  changed.changed = true;
  const Decision d = decide(exact(), {}, s, changed, 1);
  CHECK_FALSE(d.state.stale);
  CHECK(d.state.last_change == t0);
}

TEST_CASE("a source that publishes often is never flagged stale before stale_after_min") {
  SourceState s;
  s.publication_gap = std::chrono::seconds(10min);  // 30 gaps: 5 hours
  s.last_change = t0 - 6h;
  CHECK_FALSE(decide(exact(), {}, s, ok_at(t0), 1).state.stale);  // the default floor: one day
  s.last_change = t0 - 25h;
  CHECK(decide(exact(), {}, s, ok_at(t0), 1).state.stale);
  Policy hourly = exact();
  hourly.stale_after_min = std::chrono::seconds(1h);
  s.last_change = t0 - 6h;
  CHECK(decide(hourly, {}, s, ok_at(t0), 1).state.stale);
  s.last_change = t0 - 4h;
  CHECK_FALSE(decide(hourly, {}, s, ok_at(t0), 1).state.stale);  // under 30 gaps
}

TEST_CASE("header values: Cache-Control - HTTP dates - Retry-After") {
  CHECK(parse_max_age("public, max-age=600") == std::chrono::seconds(600));
  CHECK(parse_max_age("max-age=\"60\", must-revalidate") == std::chrono::seconds(60));
  CHECK(parse_max_age("no-cache") == std::chrono::seconds(0));
  CHECK_FALSE(parse_max_age("private"));
  CHECK_FALSE(parse_max_age("max-age=-5"));
  const Instant when = Instant(std::chrono::sys_days(std::chrono::year(1994) / 11 / 6)) + 8h + 49min + 37s;
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == when);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == when);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == when);
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 +0700"));
  CHECK_FALSE(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("yesterday"));
  CHECK(parse_retry_after("120", t0) == std::chrono::seconds(120));
  CHECK(parse_retry_after("Fri, 27 Nov 2026 11:00:00 GMT", t0) == std::chrono::seconds(1h));
  CHECK(parse_retry_after("Fri, 27 Nov 2026 09:00:00 GMT", t0) == std::chrono::seconds(0));
  CHECK_FALSE(parse_retry_after("soon", t0));
}

TEST_CASE("first polls are spread over one interval") {
  std::set<Instant> seen;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    const Instant first = first_poll(Policy{}, {}, t0, seed);
    CHECK(first >= t0);
    CHECK(first < t0 + 30min);
    seen.insert(first);
  }
  CHECK(seen.size() > 50);
}

TEST_CASE("latest_next_poll: the longest interval from now, shortened by jitter, never lengthened") {
  Policy policy = exact();
  policy.max_interval = std::chrono::seconds(2h);
  CHECK(latest_next_poll(policy, {}, t0, 7) == t0 + 2h);  // no jitter
  SourceSettings own;
  own.max_interval = std::chrono::seconds(30min);
  CHECK(latest_next_poll(policy, own, t0, 7) == t0 + 30min);
  policy.jitter = 0.1;
  std::set<Instant> seen;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const Instant at = latest_next_poll(policy, {}, t0, seed);
    CHECK(at <= t0 + 2h);
    CHECK(at >= t0 + 108min);  // 2 h less 10%
    seen.insert(at);
  }
  CHECK(seen.size() > 10);  // spread, not one instant
}
