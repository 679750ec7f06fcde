// Leases shared by several daemons (issue #18): one node fetches a source at a time, never
// before it is due, and a host's spacing and concurrency hold over every node.
#include <catch2/catch.hpp>

#include "support.hpp"

using tinhop::storage::Claim;
using tinhop::storage::ClaimRequest;
using tinhop::storage::LeaseRelease;
using tinhop::storage::MilliInstant;
using tinhop::storage::NodeHeartbeat;
using tinhop::storage::NodeStatus;
using namespace tinhop::test;
using namespace std::chrono_literals;

namespace {

const MilliInstant kT0{std::chrono::milliseconds{1710374400000}};

ClaimRequest claim_of(const std::string& node, std::int64_t source_id, MilliInstant now,
                      const std::string& host = "news.example") {
  ClaimRequest request;
  request.node = node;
  request.source_id = source_id;
  request.host = host;
  request.now = now;
  request.lease = 10s;
  request.per_host = 2;
  request.spacing = 250ms;
  request.slowed_spacing = 5s;
  return request;
}

Claim claim(tinhop::storage::Store& store, const ClaimRequest& request) {
  auto result = store.claim_source(request);
  INFO((result ? std::string() : result.error().message));
  REQUIRE(result.has_value());
  return *result;
}

}  // namespace

TEST_CASE("a source claimed by one node is refused to another until its lease ends", "[cluster]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto id = add_source(store, "https://news.example/feed");

  CHECK(claim(store, claim_of("a", id, kT0)).granted);
  const Claim refused = claim(store, claim_of("b", id, kT0 + 1s));
  CHECK_FALSE(refused.granted);
  CHECK(refused.holder == "a");
  CHECK(refused.retry_at == kT0 + 10s);
  // The lease of a node that died ends: another node takes the source.
  CHECK(claim(store, claim_of("b", id, kT0 + 10s)).granted);
  const Claim back = claim(store, claim_of("a", id, kT0 + 11s));
  CHECK_FALSE(back.granted);
  CHECK(back.holder == "b");
}

TEST_CASE("a released source is claimed again only when its next due time comes", "[cluster]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto id = add_source(store, "https://news.example/feed");
  REQUIRE(claim(store, claim_of("a", id, kT0)).granted);

  const std::vector<LeaseRelease> releases{
      {.source_id = id, .next_due = kT0 + 60s, .host_slowed_until = std::nullopt}};
  auto released = store.release_leases("a", releases);
  REQUIRE(released.has_value());
  CHECK(*released == std::vector<std::int64_t>{id});

  const Claim early = claim(store, claim_of("b", id, kT0 + 30s));
  CHECK_FALSE(early.granted);
  CHECK(early.holder.empty());
  CHECK(early.retry_at == kT0 + 60s);
  CHECK(claim(store, claim_of("b", id, kT0 + 60s)).granted);
}

TEST_CASE("claims on one host keep its spacing and its concurrency over every node", "[cluster]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto first = add_source(store, "https://news.example/a");
  const auto second = add_source(store, "https://news.example/b");
  const auto third = add_source(store, "https://news.example/c");
  const auto elsewhere = add_source(store, "https://other.example/feed");

  REQUIRE(claim(store, claim_of("a", first, kT0)).granted);
  const Claim too_soon = claim(store, claim_of("b", second, kT0 + 100ms));
  CHECK_FALSE(too_soon.granted);
  CHECK(too_soon.retry_at == kT0 + 250ms);
  CHECK(claim(store, claim_of("b", elsewhere, kT0 + 100ms, "other.example")).granted);
  CHECK(claim(store, claim_of("b", second, kT0 + 250ms)).granted);
  // Two leases on the host already: a third waits for one to end.
  const Claim full = claim(store, claim_of("c", third, kT0 + 1s));
  CHECK_FALSE(full.granted);
  CHECK(full.retry_at == kT0 + 1s + 250ms);
  const std::vector<LeaseRelease> releases{
      {.source_id = first, .next_due = kT0 + 60s, .host_slowed_until = std::nullopt}};
  REQUIRE(store.release_leases("a", releases).has_value());
  CHECK(claim(store, claim_of("c", third, kT0 + 1s)).granted);
}

TEST_CASE("a host that asked to slow down keeps the slowed spacing on every node", "[cluster]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto first = add_source(store, "https://news.example/a");
  const auto second = add_source(store, "https://news.example/b");
  REQUIRE(claim(store, claim_of("a", first, kT0)).granted);
  const std::vector<LeaseRelease> releases{
      {.source_id = first, .next_due = kT0 + 60s, .host_slowed_until = kT0 + 30s}};
  REQUIRE(store.release_leases("a", releases).has_value());

  REQUIRE(claim(store, claim_of("b", second, kT0 + 1s)).granted);
  const std::vector<LeaseRelease> second_done{
      {.source_id = second, .next_due = kT0 + 60s, .host_slowed_until = std::nullopt}};
  REQUIRE(store.release_leases("b", second_done).has_value());
  const auto third = add_source(store, "https://news.example/c");
  const Claim slowed = claim(store, claim_of("a", third, kT0 + 2s));
  CHECK_FALSE(slowed.granted);
  CHECK(slowed.retry_at == kT0 + 6s);
}

TEST_CASE("renewing keeps a node's leases and tells which another node took", "[cluster]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto kept = add_source(store, "https://news.example/a");
  const auto lost = add_source(store, "https://other.example/b");
  REQUIRE(claim(store, claim_of("a", kept, kT0)).granted);
  REQUIRE(claim(store, claim_of("a", lost, kT0, "other.example")).granted);
  REQUIRE(claim(store, claim_of("b", lost, kT0 + 10s, "other.example")).granted);

  const std::vector<std::int64_t> ids{kept, lost};
  auto renewed = store.renew_leases("a", ids, kT0 + 20s);
  REQUIRE(renewed.has_value());
  CHECK(*renewed == std::vector<std::int64_t>{kept});
  const Claim refused = claim(store, claim_of("b", kept, kT0 + 15s));
  CHECK_FALSE(refused.granted);
  CHECK(refused.retry_at == kT0 + 20s);
  // A lease another node took is not released by the node that lost it.
  const std::vector<LeaseRelease> releases{
      {.source_id = kept, .next_due = kT0 + 60s, .host_slowed_until = std::nullopt},
      {.source_id = lost, .next_due = kT0 + 60s, .host_slowed_until = std::nullopt}};
  auto released = store.release_leases("a", releases);
  REQUIRE(released.has_value());
  CHECK(*released == std::vector<std::int64_t>{kept});
}

TEST_CASE("cluster status lists each node's heartbeat, leases and sources", "[cluster]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto first = add_source(store, "https://news.example/a");
  const auto second = add_source(store, "https://other.example/b");
  const auto third = add_source(store, "https://third.example/c");
  REQUIRE(claim(store, claim_of("a", first, kT0)).granted);
  REQUIRE(claim(store, claim_of("a", second, kT0, "other.example")).granted);
  REQUIRE(claim(store, claim_of("b", third, kT0, "third.example")).granted);
  const std::vector<LeaseRelease> releases{
      {.source_id = second, .next_due = kT0 + 60s, .host_slowed_until = std::nullopt}};
  REQUIRE(store.release_leases("a", releases).has_value());
  REQUIRE(store.heartbeat({.node = "b", .started = kT0 - 5s, .now = kT0 + 1s, .claims = 1, .lost_leases = 0})
              .has_value());
  REQUIRE(store.heartbeat({.node = "a", .started = kT0 - 9s, .now = kT0, .claims = 1, .lost_leases = 0})
              .has_value());
  REQUIRE(store.heartbeat({.node = "a", .started = kT0 - 9s, .now = kT0 + 2s, .claims = 2, .lost_leases = 1})
              .has_value());

  auto status = store.cluster_status(kT0 + 3s);
  REQUIRE(status.has_value());
  const std::vector<NodeStatus> expected{
      {.node = "a",
       .started = kT0 - 9s,
       .heartbeat = kT0 + 2s,
       .claims = 2,
       .lost_leases = 1,
       .leases_held = 1,
       .sources = 2},
      {.node = "b",
       .started = kT0 - 5s,
       .heartbeat = kT0 + 1s,
       .claims = 1,
       .lost_leases = 0,
       .leases_held = 1,
       .sources = 1},
  };
  CHECK(*status == expected);
  // After the leases end nobody holds any; the sources stay counted to who polled them last.
  auto later = store.cluster_status(kT0 + 30s);
  REQUIRE(later.has_value());
  CHECK((*later)[0].leases_held == 0);
  CHECK((*later)[1].leases_held == 0);
  CHECK((*later)[0].sources == 2);
}

TEST_CASE("a poll asked for now passes the source's due time but not another node's lease", "[cluster]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto id = add_source(store, "https://news.example/feed");
  REQUIRE(claim(store, claim_of("a", id, kT0)).granted);
  ClaimRequest held = claim_of("b", id, kT0 + 1s);
  held.asked = true;
  const Claim refused = claim(store, held);
  CHECK_FALSE(refused.granted);
  CHECK(refused.retry_at == kT0 + 10s);

  const std::vector<LeaseRelease> releases{
      {.source_id = id, .next_due = kT0 + 60s, .host_slowed_until = std::nullopt}};
  REQUIRE(store.release_leases("a", releases).has_value());
  ClaimRequest asked = claim_of("b", id, kT0 + 2s);
  asked.asked = true;
  CHECK(claim(store, asked).granted);
}
