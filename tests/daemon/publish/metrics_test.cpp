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

TEST_CASE("source alerts are on /metrics: sources by condition, changes by kind, webhook results",
          "[metrics][alerts]") {
  Metrics metrics;
  CHECK(metrics.render(nullptr, nullptr).find("tinhop_alert") == std::string::npos);

  metrics.alerts({.sources = {{"failing", 2}},
                  .transitions = {{"failing", 3}, {"recovered", 1}},
                  .webhooks_delivered = 4,
                  .webhooks_failed = 1,
                  .webhooks_dropped = 0});
  const std::string text = metrics.render(nullptr, nullptr);
  const std::string alerts = text.substr(text.find("# HELP tinhop_alert_sources"));
  CHECK(alerts ==
        "# HELP tinhop_alert_sources Sources by alert condition (healthy ones are not counted).\n"
        "# TYPE tinhop_alert_sources gauge\n"
        "tinhop_alert_sources{condition=\"failing\"} 2\n"
        "tinhop_alert_sources{condition=\"stale\"} 0\n"
        "# HELP tinhop_alert_transitions_total Changes of a source's condition told since start.\n"
        "# TYPE tinhop_alert_transitions_total counter\n"
        "tinhop_alert_transitions_total{kind=\"failing\"} 3\n"
        "tinhop_alert_transitions_total{kind=\"stale\"} 0\n"
        "tinhop_alert_transitions_total{kind=\"recovered\"} 1\n"
        "# HELP tinhop_alert_webhook_deliveries_total Alert webhook messages delivered (2xx), tries that "
        "failed, and messages given up.\n"
        "# TYPE tinhop_alert_webhook_deliveries_total counter\n"
        "tinhop_alert_webhook_deliveries_total{result=\"ok\"} 4\n"
        "tinhop_alert_webhook_deliveries_total{result=\"failed\"} 1\n"
        "tinhop_alert_webhook_deliveries_total{result=\"dropped\"} 0\n");
}
