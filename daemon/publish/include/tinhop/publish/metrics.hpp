// Counters for /metrics (Prometheus text format 0.0.4). Request counters are lock-free
// atomics, so counting costs the hot path nothing measurable.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tinhop/storage/store.hpp"

namespace tinhop::publish {

// Routes, as metrics labels.
// What the WebSub subscriber counted (docs/websub.md), as /metrics shows it.
struct WebSubCounts {
  std::uint64_t pushes_received = 0;
  std::uint64_t pushes_refused = 0;
  std::uint64_t verifications_refused = 0;
  std::uint64_t requests_failed = 0;
  std::map<std::string, std::uint64_t> subscriptions;  // by state name
};

// This node's share of the sources when several daemons poll them (docs/operations.md).
struct ClusterCounts {
  std::string node;
  std::uint64_t leases_held = 0;  // sources this node is fetching now
  std::uint64_t claims = 0;       // leases granted since start
  std::uint64_t lost_leases = 0;  // leases another node took before this one released them
};

// The pings of external hubs (websub.publish_to, docs/websub.md), as /metrics shows them.
struct PingCounts {
  std::uint64_t sent = 0;    // accepted (2xx)
  std::uint64_t failed = 0;  // attempts that failed
};

// What our own WebSub hub counted (docs/websub.md), as /metrics shows it.
struct HubCounts {
  std::map<std::string, std::uint64_t> subscriptions;  // "pending", "active"
  std::uint64_t pushes_sent = 0;
  std::uint64_t pushes_failed = 0;
  std::uint64_t verifications_failed = 0;
  // Commit-to-delivery latency: (upper bound in seconds, cumulative count), then all of them.
  std::vector<std::pair<double, std::uint64_t>> latency_buckets;
  std::uint64_t latency_count = 0;
  double latency_sum = 0;
};

// Source alerts (docs/operations.md, "Source alerts"), as /metrics shows them.
struct AlertCounts {
  std::map<std::string, std::uint64_t> sources;      // by condition: "failing", "stale"
  std::map<std::string, std::uint64_t> transitions;  // told since start, by kind
  std::uint64_t webhooks_delivered = 0;              // messages a webhook answered with a 2xx
  std::uint64_t webhooks_failed = 0;                 // tries without a 2xx
  std::uint64_t webhooks_dropped = 0;                // messages given up
};

enum class Route {
  page,
  feed,
  source_feed,
  category_feed,
  view,  // a view's page and feeds
  top_feed,
  story,
  sources,  // the sources' directory
  opml,
  healthz,
  metrics,
  other,
  count_
};
const char* route_name(Route route);

class Metrics {
 public:
  // One answered request: its route, status and time from request read to response written.
  void record_request(Route route, unsigned status, std::chrono::nanoseconds elapsed);
  // One finished poll (the pipeline reports these).
  void record_poll(std::int64_t source_id, storage::FetchStatus status);

  void connection_opened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void connection_rejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
  void connection_evicted() { evicted_.fetch_add(1, std::memory_order_relaxed); }
  void accept_error() { accept_errors_.fetch_add(1, std::memory_order_relaxed); }
  void cache_hit() { cache_hits_.fetch_add(1, std::memory_order_relaxed); }
  void cache_render() { cache_renders_.fetch_add(1, std::memory_order_relaxed); }
  std::int64_t connections() const { return connections_.load(std::memory_order_relaxed); }
  std::uint64_t cache_renders() const { return cache_renders_.load(std::memory_order_relaxed); }
  // Bytes the rendered-document cache holds now (ServerOptions::render_cache_bytes at most).
  void cache_size(std::uint64_t bytes) { cache_bytes_.store(bytes, std::memory_order_relaxed); }
  std::uint64_t cache_bytes() const { return cache_bytes_.load(std::memory_order_relaxed); }
  // The writer's waits for another node's decision on a story (Store::dedup_waits), so far.
  void dedup_waits(storage::DedupWaits waits) {
    dedup_waits_.store(waits.count, std::memory_order_relaxed);
    dedup_wait_us_.store(waits.time.count(), std::memory_order_relaxed);
  }

  // The exposition text; `stats`, `health` and `rule_counts` (each rule's totals over every
  // source) come from the store (nullptr when it failed).
  std::string render(const storage::StoreStats* stats, const std::vector<storage::Health>* health,
                     const std::vector<storage::RuleCount>* rule_counts = nullptr) const;
  // The node's latest lease counts; never set (one daemon, SQLite): no cluster lines.
  void cluster(ClusterCounts counts) {
    std::lock_guard lock(polls_mutex_);
    cluster_ = std::move(counts);
  }
  // The subscriber's latest counts; never set: no WebSub lines.
  void websub(WebSubCounts counts) {
    std::lock_guard lock(polls_mutex_);
    websub_ = std::move(counts);
  }

  // The alerts' latest counts; never set (alerts.enabled = false): no alert lines.
  void alerts(AlertCounts counts) {
    std::lock_guard lock(polls_mutex_);
    alerts_ = std::move(counts);
  }

  // The external hubs' pings; never set (no websub.publish_to): no ping lines.
  void pings(PingCounts counts) {
    std::lock_guard lock(polls_mutex_);
    pings_ = counts;
  }

  // The hub's latest counts; never set: no hub lines.
  void hub(HubCounts counts) {
    std::lock_guard lock(polls_mutex_);
    hub_ = std::move(counts);
  }

  static constexpr std::array<double, 10> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                      0.005,  0.01,    0.05,   0.25,  1.0};
  static constexpr std::array<unsigned, 11> kStatuses = {200, 304, 400, 404, 405, 413, 414, 431, 500, 503, 0};

 private:
  static constexpr std::size_t kRoutes = static_cast<std::size_t>(Route::count_);
  struct RouteCounters {
    std::array<std::atomic<std::uint64_t>, kStatuses.size()> by_status{};
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::array<RouteCounters, kRoutes> routes_{};
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> evicted_{0};
  std::atomic<std::uint64_t> accept_errors_{0};
  std::atomic<std::uint64_t> cache_hits_{0};
  std::atomic<std::uint64_t> cache_renders_{0};
  std::atomic<std::uint64_t> cache_bytes_{0};
  std::atomic<std::int64_t> dedup_waits_{0};
  std::atomic<std::int64_t> dedup_wait_us_{0};
  mutable std::mutex polls_mutex_;
  std::array<std::uint64_t, 3> polls_{};                 // by FetchStatus
  std::map<std::int64_t, std::uint64_t> poll_failures_;  // by source id
  std::optional<WebSubCounts> websub_;                   // guarded by polls_mutex_
  std::optional<ClusterCounts> cluster_;                 // guarded by polls_mutex_
  std::optional<HubCounts> hub_;                         // guarded by polls_mutex_
  std::optional<AlertCounts> alerts_;                    // guarded by polls_mutex_
  std::optional<PingCounts> pings_;                      // guarded by polls_mutex_
};

}  // namespace tinhop::publish
