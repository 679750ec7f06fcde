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

TEST_CASE("purged items leave tombstones so a feed still carrying them does not bring them back") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto feed =
      make_feed({make_item("old", "Cũ", kLead, 1700000000), make_item("new", "Mới", kOtherLead)});
  REQUIRE(store.ingest(a, feed, kNow)->added == 2);
  RetentionPolicy per_source;
  per_source.max_age = std::chrono::hours{24 * 30};
  auto report = store.apply_retention(per_source, {}, kNow).value();
  CHECK(report.purged_items == 1);
  CHECK(report.dissolved_clusters == 1);
  auto again = store.ingest(a, feed, kNow).value();
  CHECK(again.added == 0);
  CHECK(again.suppressed == 1);
  CHECK(again.unchanged == 1);
  CHECK(store.stats()->tombstones == 1);
  CHECK(store.forget_tombstones(kNow + std::chrono::seconds{1}).value() == 1);
  CHECK(store.ingest(a, feed, kNow)->added == 1);
}

TEST_CASE("purging a cluster's primary promotes the next earliest copy") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss", {"x"});
  const auto b = add_source(store, "https://b.vn/rss", {"y"});
  REQUIRE(store.ingest(a, make_feed({make_item("a1", "Hội nghị", kLead, 1710300000)}), kNow).has_value());
  REQUIRE(store.ingest(b, make_feed({make_item("b1", "Hội nghị", kLead, 1710303600)}), kNow)->clustered == 1);
  RetentionPolicy global;
  global.max_age = std::chrono::seconds{kNow.time_since_epoch().count() - 1710300001};  // only a1 is older
  auto report = store.apply_retention({}, global, kNow).value();
  CHECK(report.purged_items == 1);
  CHECK(report.reassigned_primaries == 1);
  CHECK(report.dissolved_clusters == 0);
  auto page = store.latest_clusters({}).value();
  REQUIRE(page.clusters.size() == 1);
  CHECK(page.clusters[0].item.source_id == b);
  CHECK(page.clusters[0].others.empty());
  CHECK(page.clusters[0].position.published == at(1710303600));
  // The cluster left category x with a's item.
  ClusterQuery qx;
  qx.category = "x";
  CHECK(store.latest_clusters(qx)->clusters.empty());
  ClusterQuery qy;
  qy.category = "y";
  CHECK(store.latest_clusters(qy)->clusters.size() == 1);
}

TEST_CASE("count limits keep the newest items per source and overall") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  std::vector<Item> items;
  for (int i = 0; i < 6; ++i) {
    items.push_back(make_item("g" + std::to_string(i), "Tin " + std::to_string(i),
                              std::to_string(i) + " " + kLead, 1710300000 + i));
  }
  REQUIRE(store.ingest(a, make_feed(items), kNow)->added == 6);
  for (auto& item : items) item.summary = "khác " + *item.summary + " " + kOtherLead;
  for (auto& item : items) item.title = "B " + *item.title;
  REQUIRE(store.ingest(b, make_feed(items), kNow).has_value());
  RetentionPolicy per_source;
  per_source.max_items = 4;
  RetentionPolicy global;
  global.max_items = 6;
  REQUIRE(store.apply_retention(per_source, global, kNow).has_value());
  CHECK(store.stats()->items == 6);
  ClusterQuery q;
  q.source_id = a;
  auto page = store.latest_clusters(q).value();
  // a kept g2..g5 (its 4 newest), then the global limit kept the 6 latest arrivals: b's
  // four and a's g4, g5.
  REQUIRE(page.clusters.size() == 2);
  CHECK(page.clusters.front().item.guid == "g5");
  CHECK(page.clusters.back().item.guid == "g4");
}

TEST_CASE("removing a source keeps other sources' clusters whole") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  REQUIRE(store.ingest(a, make_feed({make_item("a1", "Hội nghị", kLead, 1710300000)}), kNow).has_value());
  REQUIRE(store.ingest(b, make_feed({make_item("b1", "Hội nghị", kLead, 1710303600)}), kNow).has_value());
  REQUIRE(store.remove_source(a).has_value());
  auto page = store.latest_clusters({}).value();
  REQUIRE(page.clusters.size() == 1);
  CHECK(page.clusters[0].item.source_id == b);
  CHECK(store.stats()->items == 1);
  CHECK(store.stats()->clusters == 1);
}
