// copy_database (tinhop migrate-db): a SQLite database moved into PostgreSQL and back keeps
// every row of every table, and ids go on above the highest ever handed out.
#include <map>

#include "../../storage/src/backend.hpp"
#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::kLead;
using tinhop::test::kNow;
using tinhop::test::kOtherLead;
using tinhop::test::make_feed;
using tinhop::test::make_item;

namespace {

using Tables = std::map<std::string, std::vector<transfer::Row>>;

// Every row of every table copy_database moves, read through the backend itself.
Tables rows_of(const std::string& location) {
  auto backend = is_postgres_location(location) ? postgres::open(location, {}) : sqlite::open(location, {});
  REQUIRE(backend.has_value());
  Tables tables;
  for (const auto& table : transfer::tables()) {
    auto& rows = tables[table.name];
    REQUIRE((*backend)
                ->export_rows(table, 3,
                              [&](std::span<const transfer::Row> batch) {
                                rows.insert(rows.end(), batch.begin(), batch.end());
                                return Result<void>();
                              })
                .has_value());
  }
  return tables;
}

// A database that has lived a little: clusters across sources, an updated item, a purged
// one (its tombstone), a removed source (the highest id, so ids must not restart below
// it), fetch history, rule counts, a WebSub subscription, odd settings.
struct Filled {
  std::int64_t a = 0, b = 0, c = 0;
};
Filled fill(Store& store) {
  Filled f;
  f.a = add_source(store, "https://a.vn/rss", {"thời sự", "kinh tế"});
  SourceSettings other;
  other.url = "https://b.vn/trang";
  other.type = SourceType::html;
  other.html_selectors = R"({"item":"article"})";
  other.follow_links = true;
  other.websub = false;
  other.interval = std::chrono::seconds{600};
  other.headers = {{"X-Key", "1"}};
  other.time_zone = "Asia/Ho_Chi_Minh";
  f.b = store.add_source(other, kNow).value();
  f.c = add_source(store, "https://c.vn/rss", {"thời sự"});
  const auto gone = add_source(store, "https://gone.vn/rss");

  REQUIRE(store
              .ingest(f.a,
                      make_feed({make_item("a1", "Hội nghị trực tuyến toàn quốc", kLead, 1710300000),
                                 make_item("a2", "Giá vàng tăng", kOtherLead, 1710310000)}),
                      kNow)
              .has_value());
  REQUIRE(store.ingest(f.c, make_feed({make_item("c1", "Hội nghị trực tuyến", kLead, 1710300500)}), kNow)
              ->clustered == 1);
  // The newest item (id 4) is the one purged: later ids must start above it.
  REQUIRE(
      store.ingest(f.a, make_feed({make_item("old", "Tin cũ", "Một tin đã cũ", 1700000000)}), kNow)->added ==
      1);
  REQUIRE(store.ingest(f.a, make_feed({make_item("a2", "Giá vàng tăng mạnh", kOtherLead, 1710310000)}), kNow)
              ->updated == 1);
  RetentionPolicy per_source;
  per_source.max_age = std::chrono::hours{24 * 30};
  REQUIRE(store.apply_retention(per_source, {}, kNow)->purged_items == 1);

  FetchRecord record;
  record.source_id = f.a;
  record.attempted = kNow;
  record.http_status = 200;
  record.bytes = 1234;
  record.etag = "\"v1\"";
  record.items_added = 2;
  REQUIRE(store.record_fetch(record).has_value());
  record.status = FetchStatus::failed;
  record.http_status = 503;
  record.error_class = "http_503";
  record.error_text = "Service Unavailable";
  REQUIRE(store.record_fetch(record).has_value());

  const RuleCount counts[] = {{f.a, "quảng cáo", 4, 1}, {f.c, "quảng cáo", 2, 0}};
  REQUIRE(store.add_rule_counts(counts).has_value());
  Subscription subscription;
  subscription.source_id = f.c;
  subscription.hub = "https://hub.example/";
  subscription.topic = "https://c.vn/rss";
  subscription.callback = "token-c";
  subscription.secret = "s3cret";
  subscription.state = SubscriptionState::active;
  subscription.lease_until = kNow + std::chrono::hours{24};
  subscription.changed = kNow;
  REQUIRE(store.save_subscription(subscription).has_value());
  HubSubscription reader;
  reader.topic = "https://tin.example/feed.atom";
  reader.callback = "https://reader.example/cb?id=7";
  reader.secret = "hub-s3cret";
  reader.lease_until = kNow + std::chrono::hours{240};
  reader.created = kNow;
  REQUIRE(store.save_hub_subscription(reader).has_value());
  // A node's lease on a source, its host's politeness and the node's heartbeat.
  const MilliInstant now_ms = std::chrono::time_point_cast<std::chrono::milliseconds>(kNow);
  ClaimRequest claim;
  claim.node = "node-a";
  claim.source_id = f.c;
  claim.host = "c.vn";
  claim.now = now_ms;
  REQUIRE(store.claim_source(claim)->granted);
  REQUIRE(store.heartbeat(NodeHeartbeat{"node-a", now_ms, now_ms, 1, 0}).has_value());
  // A source failing now, another that went quiet and came back: one condition, three events.
  REQUIRE(store.record_alert(AlertEvent{0, f.a, "failing", kNow, "3 failed polls: HTTP 503"}).has_value());
  REQUIRE(store.record_alert(AlertEvent{0, f.c, "stale", kNow, "no new item for 7h"}).has_value());
  REQUIRE(store.record_alert(AlertEvent{0, f.c, "recovered", kNow, "a new item"}).has_value());
  // A rule of the file and one of the API, the latter switched off.
  REQUIRE(store
              .add_rule({0, "horoscope", SourceOrigin::config, 1, true, R"({"name":"horoscope"})", {}, {}},
                        kNow, 1000)
              .has_value());
  REQUIRE(store.add_rule({0, "video", SourceOrigin::api, 0, false, R"({"name":"video"})", {}, {}}, kNow, 1000)
              .has_value());
  REQUIRE(store.remove_source(gone).has_value());
  return f;
}

}  // namespace

TEST_CASE("a SQLite database moved to PostgreSQL and back keeps every row and id", "[migrate]") {
  if (test::PostgresServer::instance() == nullptr) {
    WARN("PostgreSQL is not installed: " << test::PostgresServer::absent_reason());
    return;
  }
  test::TempDir dir;
  const std::string original = (dir.path / "original.db").string();
  const std::string postgres = test::PostgresServer::instance()->fresh_database();
  const std::string back = (dir.path / "back.db").string();
  Filled f;
  {
    auto store = Store::open(original).value();
    f = fill(store);
  }
  const std::int64_t removed_source = f.c + 1;
  const std::int64_t purged_item = 4;
  const Tables before = rows_of(original);
  REQUIRE(before.at("items").size() == 3);
  REQUIRE(before.at("tombstones").size() == 1);

  std::vector<std::pair<std::string, std::int64_t>> progress;
  CopyOptions options;
  options.batch_rows = 2;  // several batches per table: the copy streams
  options.progress = [&](std::string_view table, std::int64_t rows) { progress.emplace_back(table, rows); };
  const auto report = copy_database(original, postgres, options);
  INFO((report ? std::string() : report.error().message));
  REQUIRE(report.has_value());
  std::string copied;
  for (const auto& [table, rows] : report->rows) copied += table + " " + std::to_string(rows) + "\n";
  CHECK(
      copied ==
      "sources 3\nsource_categories 3\nhealth 3\nfetch_history 2\nclusters 2\nitems 3\ncluster_categories 4\n"
      "tombstones 1\nrule_counts 2\nwebsub_subscriptions 1\nhub_subscriptions 1\nsource_leases 1\n"
      "cluster_hosts 1\ncluster_nodes 1\nsource_alerts 1\nalert_events 3\nrules 2\nmeta 4\n");
  CHECK(std::count(progress.begin(), progress.end(), std::pair<std::string, std::int64_t>{"items", 2}) == 1);
  CHECK(std::count(progress.begin(), progress.end(), std::pair<std::string, std::int64_t>{"items", 3}) == 1);
  CHECK(rows_of(postgres) == before);

  REQUIRE(copy_database(postgres, back).has_value());
  CHECK(rows_of(back) == before);

  for (const std::string& location : {postgres, back}) {
    INFO(location);
    auto store = Store::open(location).value();
    // Stories keep their public ids and occurrences; search finds the copied text.
    ClusterQuery query;
    query.search = "hoi nghi";
    auto search = store.latest_clusters(query).value();
    REQUIRE(search.clusters.size() == 1);
    CHECK(search.clusters.front().others.size() == 1);
    // Ids go on above the highest ever given, the removed source's included.
    CHECK(add_source(store, "https://d.vn/rss") == removed_source + 1);
    // The canonical link of a copied item still finds its story.
    auto joined = store.ingest(
        f.b,
        make_feed({make_item("b1", "Khác hẳn", "Nội dung khác", 1710320000, "https://example.vn/a2.html")}),
        kNow);
    REQUIRE(joined.has_value());
    CHECK(joined->clustered == 1);
    CHECK(store.get_item(purged_item + 1)->guid == "b1");
    // The alert history's ids go on above the copied ones.
    CHECK(store.record_alert(AlertEvent{0, f.a, "recovered", kNow, "answered again"}).value() == 4);
    // The tombstone still keeps the purged item out.
    CHECK(store.ingest(f.a, make_feed({make_item("old", "Tin cũ", "Một tin đã cũ", 1700000000)}), kNow)
              ->suppressed == 1);
  }
}

TEST_CASE("a target that holds data is refused and left as it was", "[migrate]") {
  test::TempDir dir;
  const std::string from = (dir.path / "from.db").string();
  const std::string to = (dir.path / "to.db").string();
  {
    auto store = Store::open(from).value();
    add_source(store, "https://a.vn/rss");
  }
  {
    auto store = Store::open(to).value();
    add_source(store, "https://x.vn/rss");
    REQUIRE(store.ingest(1, make_feed({make_item("x1", "Tin", kLead)}), kNow).has_value());
  }
  const auto refused = copy_database(from, to);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == Errc::already_exists);
  CHECK(refused.error().message ==
        "target " + to +
            " is not empty (1 sources, 1 items, 1 clusters): migrate-db copies into an empty "
            "database only");
  CHECK(rows_of(to).at("sources").size() == 1);
}
