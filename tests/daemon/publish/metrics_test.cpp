// /metrics: a node sharing the sources with others shows its leases (issue #18); one daemon
// on SQLite shows no cluster lines.
#include <catch2/catch.hpp>

#include "tinhop/publish/metrics.hpp"

using tinhop::publish::Metrics;

TEST_CASE("a node's lease counters are on /metrics with its name as a label", "[metrics]") {
  Metrics metrics;
  CHECK(metrics.render(nullptr, nullptr).find("tinhop_cluster") == std::string::npos);

  metrics.cluster({.node = "poller\"2", .leases_held = 3, .claims = 120, .lost_leases = 1});
  const std::string text = metrics.render(nullptr, nullptr);
  CHECK(text.find("tinhop_cluster_leases_held{node=\"poller\\\"2\"} 3\n") != std::string::npos);
  CHECK(text.find("tinhop_cluster_claims_total{node=\"poller\\\"2\"} 120\n") != std::string::npos);
  CHECK(text.find("tinhop_cluster_lost_leases_total{node=\"poller\\\"2\"} 1\n") != std::string::npos);
  CHECK(text.find("# TYPE tinhop_cluster_claims_total counter\n") != std::string::npos);
}
