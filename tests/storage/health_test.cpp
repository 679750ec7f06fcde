#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::at;
using tinhop::test::kLead;
using tinhop::test::kNow;
using tinhop::test::kOtherLead;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::open_store;

namespace {
FetchRecord poll(std::int64_t source, std::int64_t when, FetchStatus status, int http) {
  FetchRecord r;
  r.source_id = source;
  r.attempted = at(when);
  r.status = status;
  r.http_status = http;
  r.bytes = 1000;
  r.latency = std::chrono::milliseconds{40};
  return r;
}
}  // namespace

TEST_CASE("health counts successes, failures and 304s") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto s = add_source(store, "https://a.vn/rss");
  auto ok = poll(s, 100, FetchStatus::ok, 200);
  ok.etag = "\"v1\"";
  ok.last_modified = "Thu, 14 Mar 2024 00:00:00 GMT";
  ok.next_poll = at(700);
  REQUIRE(store.record_fetch(ok).has_value());
  auto failed = poll(s, 200, FetchStatus::failed, 503);
  failed.error_class = "http_503";
  failed.error_text = "Service Unavailable";
  REQUIRE(store.record_fetch(failed).has_value());
  REQUIRE(store.record_fetch(failed).has_value());
  auto h = store.health(s).value();
  CHECK(h.consecutive_failures == 2);
  CHECK(h.last_success == at(100));
  CHECK(h.last_attempt == at(200));
  CHECK(h.error_class == "http_503");
  CHECK(h.status == FetchStatus::failed);

  auto not_modified = poll(s, 300, FetchStatus::not_modified, 304);
  auto state = store.record_fetch(not_modified).value();
  CHECK(state.etag == "\"v1\"");  // kept when the poll brings none
  h = store.health(s).value();
  CHECK(h.consecutive_failures == 0);
  CHECK(h.error_class.empty());
  CHECK(h.polls == 4);
  CHECK(h.not_modified == 1);
  CHECK(h.bytes == 4000);
  CHECK(h.last_latency == std::chrono::milliseconds{40});
  CHECK(store.fetch_history(s, 10)->size() == 4);
  CHECK(store.fetch_history(s, 10)->front().http_status == 304);
  CHECK(store.all_health()->size() == 1);
}

TEST_CASE("a permanent redirect counts consecutive polls to the same target") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto s = add_source(store, "http://a.vn/rss");
  auto r = poll(s, 100, FetchStatus::ok, 200);
  r.permanent_redirect = "https://a.vn/rss";
  CHECK(store.record_fetch(r)->redirect_streak == 1);
  CHECK(store.record_fetch(r)->redirect_streak == 2);
  r.permanent_redirect = "https://b.vn/rss";
  CHECK(store.record_fetch(r)->redirect_streak == 1);
  r.permanent_redirect.reset();
  auto state = store.record_fetch(r).value();
  CHECK(state.redirect_streak == 0);
  CHECK_FALSE(state.redirect_target);
}

TEST_CASE("commit_polls stores items and health in one transaction") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  const auto feed = make_feed({make_item("a1", "Tin", kLead), make_item("a2", "Khác", kOtherLead)});
  std::vector<PollResult> polls{{poll(a, 100, FetchStatus::ok, 200), &feed},
                                {poll(b, 100, FetchStatus::not_modified, 304), nullptr}};
  auto counts = store.commit_polls(polls).value();
  CHECK(counts[0].added == 2);
  CHECK(counts[1].added == 0);
  CHECK(store.health(a)->items_added == 2);
  CHECK(store.health(a)->last_new_item == at(100));
  CHECK(store.get_source(a)->fetch.last_item_at == at(100));

  // A poll for an unknown source fails the whole batch: nothing of it is stored.
  std::vector<PollResult> bad{{poll(a, 200, FetchStatus::ok, 200), &feed},
                              {poll(99, 200, FetchStatus::ok, 200), &feed}};
  auto failed = store.commit_polls(bad);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == Errc::not_found);
  CHECK(store.health(a)->polls == 1);
}

TEST_CASE("publication stats give the median gap between dated items") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  std::vector<Item> items;
  for (int i = 0; i < 5; ++i) {
    items.push_back(make_item("g" + std::to_string(i), "Tin " + std::to_string(i), std::to_string(i) + kLead,
                              1710000000 + i * 3600));
  }
  REQUIRE(store.ingest(a, make_feed(items), kNow).has_value());
  auto stats = store.publication_stats(a).value();
  CHECK(stats.items == 5);
  CHECK(stats.newest == at(1710000000 + 4 * 3600));
  CHECK(stats.median_gap == std::chrono::seconds{3600});
}

TEST_CASE("health keeps the date order a source's documents showed and the dates not understood") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto s = add_source(store, "https://vietnamnet.vn/rss/phap-luat.rss");
  CHECK_FALSE(store.health(s)->date_order_seen);
  CHECK(store.health(s)->dates_not_understood == 0);
  auto parsed = poll(s, 100, FetchStatus::ok, 200);
  parsed.date_order_seen = DateOrder::dmy;
  parsed.dates_not_understood = 3;
  REQUIRE(store.record_fetch(parsed).has_value());
  CHECK(store.health(s)->date_order_seen == DateOrder::dmy);
  CHECK(store.health(s)->dates_not_understood == 3);
  // A poll that parsed nothing keeps both; a document whose dates did not tell keeps the order.
  REQUIRE(store.record_fetch(poll(s, 200, FetchStatus::not_modified, 304)).has_value());
  CHECK(store.health(s)->date_order_seen == DateOrder::dmy);
  CHECK(store.health(s)->dates_not_understood == 3);
  auto undecided = poll(s, 300, FetchStatus::ok, 200);
  undecided.dates_not_understood = 0;
  REQUIRE(store.record_fetch(undecided).has_value());
  CHECK(store.health(s)->date_order_seen == DateOrder::dmy);
  CHECK(store.health(s)->dates_not_understood == 0);
  CHECK(store.all_health()->front().date_order_seen == DateOrder::dmy);
}

TEST_CASE("items per day count new items by the UTC day they were first seen") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  // 2024-03-10 00:00:00 UTC and the two days before it.
  const Instant day = at(1710028800);
  const auto ingest = [&](std::int64_t source, const std::string& guid, Instant seen) {
    REQUIRE(
        store.ingest(source, make_feed({make_item(guid, "Tin " + guid, guid + kLead)}), seen).has_value());
  };
  ingest(a, "old", day - std::chrono::days(3));  // before the window
  ingest(a, "d1", day - std::chrono::days(2));
  ingest(a, "d2", day - std::chrono::seconds(1));
  ingest(a, "d3", day - std::chrono::hours(23));
  ingest(a, "d4", day + std::chrono::hours(23));
  ingest(b, "other", day);

  CHECK(store.items_per_day(a, day + std::chrono::hours(12), 3).value() ==
        std::vector<std::int64_t>{1, 2, 1});
  CHECK(store.items_per_day(b, day, 2).value() == std::vector<std::int64_t>{0, 1});
  CHECK(store.items_per_day(99, day, 2).value() == std::vector<std::int64_t>{0, 0});
}
