// Source alerts in the daemon with a clock the test sets: failing after N failed polls,
// stale after 3x the 90th-percentile gap of the source's own arrivals, recovered; each
// change stored once, the conditions kept across a restart, and the webhooks' JSON.
#include <catch2/catch.hpp>

#include <chrono>

#include "alert_watch.hpp"

namespace {

using namespace tinhop;
using namespace std::chrono_literals;

const Instant kStart{std::chrono::seconds{1710374400}};

struct Fixture {
  storage::Store store = std::move(*storage::Store::open(":memory:"));
  std::int64_t source = add("https://a.vn/rss");
  daemon::AlertWatch watch{options()};

  static daemon::AlertWatchOptions options() {
    daemon::AlertWatchOptions o;
    o.policy.failing_after = 3;
    o.policy.min_quiet = 30min;
    o.history = 24h * 30;
    return o;
  }

  std::int64_t add(const std::string& url) {
    storage::SourceSettings settings;
    settings.url = url;
    settings.title = "Báo A";
    return store.add_source(settings, kStart).value();
  }

  void poll(bool ok, Instant at) {
    storage::FetchRecord record;
    record.source_id = source;
    record.attempted = at;
    record.status = ok ? storage::FetchStatus::not_modified : storage::FetchStatus::failed;
    record.http_status = ok ? 304 : 500;
    if (!ok) {
      record.error_class = "http_500";
      record.error_text = "HTTP status 500";
    }
    REQUIRE(store.record_fetch(record).has_value());
  }

  void arrive(int n, Instant at) {
    Feed feed;
    Item item;
    item.id = "g" + std::to_string(n);
    item.title = "Tin số " + std::to_string(n) + " về chủ đề " + std::to_string(n * 7919);
    item.summary = "Nội dung riêng của tin " + std::to_string(n * 104729);
    item.link = "https://a.vn/" + std::to_string(n) + ".html";
    item.published = at;
    feed.items.push_back(item);
    REQUIRE(store.ingest(source, feed, at)->added == 1);
  }

  // The kinds and details told by a check of the polled source at `at`.
  std::vector<std::string> check(Instant at) {
    auto told = watch.check(store, std::vector<std::int64_t>{source}, at);
    REQUIRE(told.has_value());
    std::vector<std::string> out;
    for (const auto& alert : *told) out.push_back(alert.event.kind + ": " + alert.event.detail);
    return out;
  }
};

}  // namespace

TEST_CASE("a source is failing after N failed polls in a row, and recovered after a good one", "[alerts]") {
  Fixture f;
  f.poll(false, kStart + 1min);
  f.poll(false, kStart + 2min);
  CHECK(f.check(kStart + 2min).empty());
  f.poll(false, kStart + 3min);
  CHECK(f.check(kStart + 3min) ==
        std::vector<std::string>{"failing: 3 failed polls in a row, the last: HTTP status 500"});
  f.poll(false, kStart + 4min);
  CHECK(f.check(kStart + 4min).empty());  // told once
  CHECK(f.store.source_alerts().value() ==
        std::vector<storage::SourceAlert>{{f.source, "failing", kStart + 3min}});
  CHECK(f.watch.tally().sources == std::map<std::string, std::uint64_t>{{"failing", 1}});

  // A restart: the condition comes back from the store, and is not told again.
  daemon::AlertWatch restarted(Fixture::options());
  CHECK(restarted.check(f.store, std::nullopt, kStart + 5min)->empty());

  f.poll(true, kStart + 6min);
  CHECK(f.check(kStart + 6min) == std::vector<std::string>{"recovered: polls succeed again"});
  CHECK(f.store.source_alerts()->empty());
  CHECK(f.watch.tally().sources.empty());
  CHECK(f.watch.tally().transitions ==
        std::map<std::string, std::uint64_t>{{"failing", 1}, {"recovered", 1}});
  const auto history = f.store.recent_alerts(10).value();
  REQUIRE(history.size() == 2);
  CHECK(history[0].kind == "recovered");
  CHECK(history[0].at == kStart + 6min);
  CHECK(history[1].kind == "failing");
}

TEST_CASE("a source is stale after 3x the 90th-percentile gap of its own arrivals", "[alerts]") {
  Fixture f;
  // An item every hour: seven arrivals, six gaps of 1h, so 3h of quiet is still its rhythm.
  for (int n = 0; n < 7; ++n) f.arrive(n, kStart + n * 1h);
  const Instant last = kStart + 6h;
  CHECK(f.check(last + 3h).empty());
  CHECK(f.check(last + 3h + 1s) == std::vector<std::string>{"stale: no new item for 3h1s (allowed: 3h)"});
  CHECK(f.check(last + 4h).empty());
  CHECK(f.store.source_alerts().value() ==
        std::vector<storage::SourceAlert>{{f.source, "stale", last + 3h + 1s}});

  f.arrive(7, last + 5h);
  CHECK(f.check(last + 5h) == std::vector<std::string>{"recovered: a new item arrived"});
  CHECK(f.store.source_alerts()->empty());
}

TEST_CASE("without a rhythm a source is stale after min_quiet; a disabled one is not checked", "[alerts]") {
  Fixture f;
  // Added at kStart, nothing ever arrived: quiet since it was added.
  CHECK(f.check(kStart + 30min).empty());
  CHECK(f.check(kStart + 31min) == std::vector<std::string>{"stale: no new item for 31m (allowed: 30m)"});

  const std::int64_t off = f.add("https://b.vn/rss");
  storage::Source disabled = f.store.get_source(off).value();
  disabled.settings.enabled = false;
  REQUIRE(f.store.update_source(off, disabled.settings, kStart).has_value());
  CHECK(f.watch.check(f.store, std::nullopt, kStart + 24h)->empty());
}

TEST_CASE("after a batch, a source whose condition cannot have changed is not looked up", "[alerts]") {
  Fixture f;
  f.arrive(1, kStart);
  auto polled = [&](bool failed, bool added, Instant at) {
    auto told = f.watch.check_polled(f.store, {{f.source, failed, added}}, at);
    REQUIRE(told.has_value());
    std::vector<std::string> out;
    for (const auto& alert : *told) out.push_back(alert.event.kind + ": " + alert.event.detail);
    return out;
  };
  CHECK(polled(false, true, kStart).empty());
  // Three failures the batch does not report: the store is not read, so they go unseen.
  for (int n = 1; n <= 3; ++n) f.poll(false, kStart + n * 1min);
  CHECK(polled(false, false, kStart + 3min).empty());
  // Reported, they are read.
  CHECK(polled(true, false, kStart + 4min) ==
        std::vector<std::string>{"failing: 3 failed polls in a row, the last: HTTP status 500"});
  f.poll(true, kStart + 5min);
  CHECK(polled(false, false, kStart + 5min) == std::vector<std::string>{"recovered: polls succeed again"});
  // Quiet alone: not read until min_quiet has passed, then read and found stale.
  CHECK(polled(false, false, kStart + 30min).empty());
  CHECK(polled(false, false, kStart + 31min) ==
        std::vector<std::string>{"stale: no new item for 31m (allowed: 30m)"});
}

TEST_CASE("a webhook's JSON names the event and its source", "[alerts]") {
  daemon::ToldAlert told;
  told.event = {42, 7, "failing", kStart, "3 failed polls in a row, the last: HTTP status 500"};
  told.source_url = "https://a.vn/rss";
  told.source_title = "Báo \"A\"";
  CHECK(
      daemon::alert_json(told) ==
      R"({"id":42,"kind":"failing","at":"2024-03-14T00:00:00Z","detail":"3 failed polls in a row, the last: HTTP status 500","source":{"id":7,"url":"https://a.vn/rss","title":"Báo \"A\""}})");
  told.source_title.clear();
  CHECK(daemon::alert_json(told).ends_with(R"("source":{"id":7,"url":"https://a.vn/rss","title":null}})"));
}
