// Several writers on one PostgreSQL database (nodes): copies of one story stored at the same
// moment by two of them make one cluster, not two; a writer's window takes in what the
// others committed, also below its own newest items.
#include <libpq-fe.h>

#include <barrier>
#include <random>
#include <thread>

#include "support.hpp"
#include "tinhop/parsers/fingerprint.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;

namespace {

// A lead of 40 random words from a large vocabulary: unlike every other round's.
std::string random_lead(std::mt19937& random) {
  std::uniform_int_distribution<int> word(0, 4999);
  std::string lead;
  for (int i = 0; i < 40; ++i) lead += (lead.empty() ? "" : " ") + ("từ" + std::to_string(word(random)));
  return lead;
}

Store open(const std::string& location) {
  auto store = Store::open(location);
  INFO((store ? std::string() : store.error().message));
  REQUIRE(store.has_value());
  return std::move(*store);
}

}  // namespace

TEST_CASE("two writers storing copies of one story at the same moment make one cluster", "[dedup][nodes]") {
  if (test::PostgresServer::instance() == nullptr) {
    WARN("PostgreSQL is not installed: " << test::PostgresServer::absent_reason());
    return;
  }
  const std::string database = test::PostgresServer::instance()->fresh_database();
  auto node_a = open(database);
  auto node_b = open(database);
  const auto a = add_source(node_a, "https://a.vn/rss");
  const auto b = add_source(node_a, "https://b.vn/rss");

  constexpr int kRounds = 40;
  std::mt19937 random(18);
  std::vector<Feed> copies_a, copies_b;
  for (int round = 0; round < kRounds; ++round) {
    const std::string lead = random_lead(random);
    const std::string title = "Tin số " + std::to_string(round);
    // The same story, each copy under its own link and with its own last word.
    copies_a.push_back(
        make_feed({make_item("a" + std::to_string(round), title, lead + " hôm nay", 1710300000 + round)}));
    copies_b.push_back(
        make_feed({make_item("b" + std::to_string(round), title, lead + " sáng nay", 1710300000 + round)}));
  }
  std::barrier start(2);
  std::vector<Result<IngestCounts>> stored_a(kRounds, IngestCounts{}), stored_b(kRounds, IngestCounts{});
  auto ingest_all = [&](Store& node, std::int64_t source, const std::vector<Feed>& copies,
                        std::vector<Result<IngestCounts>>& stored) {
    for (int round = 0; round < kRounds; ++round) {
      start.arrive_and_wait();
      stored[static_cast<std::size_t>(round)] =
          node.ingest(source, copies[static_cast<std::size_t>(round)], kNow);
    }
  };
  std::thread other([&] { ingest_all(node_b, b, copies_b, stored_b); });
  ingest_all(node_a, a, copies_a, stored_a);
  other.join();

  std::int64_t clustered = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto i = static_cast<std::size_t>(round);
    INFO("round " << round);
    REQUIRE(stored_a[i].has_value());
    REQUIRE(stored_b[i].has_value());
    CHECK(stored_a[i]->added + stored_b[i]->added == 2);
    clustered += stored_a[i]->clustered + stored_b[i]->clustered;
  }
  CHECK(clustered == kRounds);
  CHECK(node_a.stats()->clusters == kRounds);
  CHECK(node_a.stats()->items == 2 * kRounds);
  // Each node saw the other's copy committed: none decided alone.
  ClusterQuery all;
  all.limit = 100;
  const auto page = node_b.latest_clusters(all).value();
  REQUIRE(page.clusters.size() == static_cast<std::size_t>(kRounds));
  for (const auto& cluster : page.clusters) CHECK(cluster.others.size() == 1);
}

TEST_CASE("a writer sees the stories another writer stored after its window was loaded", "[dedup][nodes]") {
  if (test::PostgresServer::instance() == nullptr) {
    WARN("PostgreSQL is not installed: " << test::PostgresServer::absent_reason());
    return;
  }
  const std::string database = test::PostgresServer::instance()->fresh_database();
  auto node_a = open(database);
  auto node_b = open(database);
  const auto a = add_source(node_a, "https://a.vn/rss");
  const auto b = add_source(node_a, "https://b.vn/rss");
  std::mt19937 random(7);
  const std::string first = random_lead(random);
  const std::string second = random_lead(random);
  // Both windows are loaded now (each node has ingested once) ...
  REQUIRE(node_a.ingest(a, make_feed({make_item("a1", "Một", first)}), kNow)->added == 1);
  REQUIRE(node_b.ingest(b, make_feed({make_item("b1", "Một", first)}), kNow)->clustered == 1);
  // ... and a story node A stores later is found by node B all the same.
  REQUIRE(node_a.ingest(a, make_feed({make_item("a2", "Hai", second)}), kNow)->added == 1);
  CHECK(node_b.ingest(b, make_feed({make_item("b2", "Hai", second)}), kNow)->clustered == 1);
  CHECK(node_a.dedup_waits().count == 0);
}

TEST_CASE("a writer's own stories stay candidates when another writer commits an older id after them",
          "[dedup][nodes]") {
  auto* server = test::PostgresServer::instance();
  if (server == nullptr) {
    WARN("PostgreSQL is not installed: " << test::PostgresServer::absent_reason());
    return;
  }
  const std::string location = server->fresh_database();
  auto node = open(location);
  const auto a = add_source(node, "https://a.vn/rss");
  const auto b = add_source(node, "https://b.vn/rss");
  const auto c = add_source(node, "https://c.vn/rss");
  const auto d = add_source(node, "https://d.vn/rss");
  std::mt19937 random(2026);
  const std::string own_lead = random_lead(random);
  const std::string other_lead = random_lead(random);
  REQUIRE(node.ingest(a, make_feed({make_item("a0", "Khởi động", random_lead(random))}), kNow)->added == 1);

  // Another writer takes an item id, then commits its item after this node stored a later one.
  PGconn* other = PQconnectdb(server->socket_conninfo(test::PostgresServer::database_of(location)).c_str());
  REQUIRE(PQstatus(other) == CONNECTION_OK);
  const auto sql = [&](const std::string& statement, std::vector<std::string> values = {},
                       std::vector<int> formats = {}) {
    std::vector<const char*> pointers;
    std::vector<int> lengths;
    for (const auto& value : values) {
      pointers.push_back(value.c_str());
      lengths.push_back(static_cast<int>(value.size()));
    }
    formats.resize(values.size(), 0);
    PGresult* result = PQexecParams(other, statement.c_str(), static_cast<int>(values.size()), nullptr,
                                    pointers.data(), lengths.data(), formats.data(), 0);
    INFO(statement << ": " << PQerrorMessage(other));
    const auto status = PQresultStatus(result);
    REQUIRE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK));
    std::string value = status == PGRES_TUPLES_OK && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    return value;
  };
  const std::string older_id = sql("SELECT nextval('item_ids')");
  const auto own = node.ingest(a, make_feed({make_item("a1", "Tin riêng", own_lead + " hôm nay")}), kNow);
  REQUIRE(own->added == 1);
  REQUIRE(node.source_items(a, 10)->front().id > std::stoll(older_id));
  const std::string story = sql("SELECT nextval('cluster_ids')");
  sql("BEGIN");
  sql("INSERT INTO clusters(id, published, size, public_id) VALUES($1, 1710300000, 1, $2)",
      {story, older_id});
  sql("INSERT INTO items(id, source_id, key, cluster_id, title, summary, published, first_seen, "
      "content_hash, "
      "fingerprint) VALUES($1, $2, 1, $3, 'Tin khác', $4, 1710300000, 1710300000, 1, $5)",
      {older_id, std::to_string(b), story, other_lead + " hôm nay",
       to_bytes(fingerprint("Tin khác", other_lead + " hôm nay", ""))},
      {0, 0, 0, 0, 1});
  sql("COMMIT");
  PQfinish(other);

  // The next write reads the older item into the window, which pushes this node's later one
  // out of it for a moment: both are candidates after it.
  CHECK(node.ingest(c, make_feed({make_item("c1", "Tin riêng", own_lead + " sáng nay")}), kNow)->clustered ==
        1);
  CHECK(node.ingest(d, make_feed({make_item("d1", "Tin khác", other_lead + " sáng nay")}), kNow)->clustered ==
        1);
  CHECK(node.stats()->clusters == 3);
}
