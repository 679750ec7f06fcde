#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::at;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::open_store;
using tinhop::test::PostgresServer;
using tinhop::test::StorageBackend;
using tinhop::test::TempDir;

TEST_CASE("alerts: a source's arrivals are the distinct times its new items were first seen") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_source(store, "https://a.vn/rss");
  const auto other = add_source(store, "https://b.vn/rss");
  store
      .ingest(source, make_feed({make_item("a", "Một", "Tin một"), make_item("b", "Hai", "Tin hai")}),
              at(1000))
      .value();
  store.ingest(source, make_feed({make_item("c", "Ba", "Tin ba")}), at(5000)).value();
  store.ingest(source, make_feed({make_item("d", "Bốn", "Tin bốn")}), at(9000)).value();
  store.ingest(other, make_feed({make_item("e", "Năm", "Tin năm")}), at(7000)).value();
  CHECK(store.arrivals(source, at(0)).value() == std::vector<Instant>{at(1000), at(5000), at(9000)});
  CHECK(store.arrivals(source, at(5000)).value() == std::vector<Instant>{at(5000), at(9000)});
  CHECK(store.arrivals(other, at(0)).value() == std::vector<Instant>{at(7000)});
}

TEST_CASE("alerts: each transition sets the source's condition and joins the history") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  CHECK(store.source_alerts().value().empty());

  const auto first =
      store.record_alert({0, a, "failing", at(100), "3 failed polls in a row: http_503"}).value();
  const auto second = store.record_alert({0, b, "stale", at(200), "no new item for 7h (limit 6h)"}).value();
  CHECK(second > first);
  CHECK(store.source_alerts().value() ==
        std::vector<SourceAlert>{{a, "failing", at(100)}, {b, "stale", at(200)}});
  // Stale to failing replaces the condition; recovered removes it.
  store.record_alert({0, b, "failing", at(300), "3 failed polls in a row: timeout"}).value();
  const auto last = store.record_alert({0, a, "recovered", at(400), "polls succeed"}).value();
  CHECK(store.source_alerts().value() == std::vector<SourceAlert>{{b, "failing", at(300)}});

  const auto history = store.recent_alerts(3).value();
  REQUIRE(history.size() == 3);
  CHECK(history[0] == AlertEvent{last, a, "recovered", at(400), "polls succeed"});
  CHECK(history[1].kind == "failing");
  CHECK(history[1].source_id == b);
  CHECK(history[2] == AlertEvent{second, b, "stale", at(200), "no new item for 7h (limit 6h)"});
  CHECK(store.recent_alerts(10).value().size() == 4);
}

TEST_CASE("alerts: a removed source loses its condition but not its history") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  store.record_alert({0, a, "failing", at(100), "3 failed polls in a row: http_404"}).value();
  REQUIRE(store.remove_source(a).has_value());
  CHECK(store.source_alerts().value().empty());
  CHECK(store.recent_alerts(10).value().size() == 1);
  // An event for a source that is gone sets no condition.
  store.record_alert({0, a, "stale", at(200), "late"}).value();
  CHECK(store.source_alerts().value().empty());
}

TEST_CASE("alerts: the history keeps the newest thousand events") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  std::int64_t last = 0;
  for (int i = 0; i < 1003; ++i)
    last = store.record_alert({0, a, i % 2 == 0 ? "failing" : "recovered", at(i), "e"}).value();
  const auto history = store.recent_alerts(5000).value();
  REQUIRE(history.size() == 1000);
  CHECK(history.front().id == last);
  CHECK(history.back().id == last - 999);
}

TEST_CASE("alerts: conditions and history survive closing and reopening the database") {
  TINHOP_EACH_BACKEND(backend);
  TempDir dir;
  const std::string location = backend == StorageBackend::sqlite
                                   ? (dir.path / "tinhop.db").string()
                                   : PostgresServer::instance()->fresh_database();
  std::int64_t source = 0;
  {
    auto store = Store::open(location);
    REQUIRE(store.has_value());
    source = add_source(*store, "https://a.vn/rss");
    store->record_alert({0, source, "stale", at(100), "no new item for 19h (limit 18h)"}).value();
  }
  auto store = Store::open(location);
  REQUIRE(store.has_value());
  CHECK(store->source_alerts().value() == std::vector<SourceAlert>{{source, "stale", at(100)}});
  CHECK(store->recent_alerts(10).value().size() == 1);
}
