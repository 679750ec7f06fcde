// Several writers on one PostgreSQL database (nodes): copies of one story stored at the same
// moment by two of them make one cluster, not two.
#include <barrier>
#include <random>
#include <thread>

#include "support.hpp"

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
