#include "tinhop/publish/metrics.hpp"

#include <malloc.h>

#include <cstdio>

namespace tinhop::publish {

const char* route_name(Route route) {
  switch (route) {
    case Route::page: return "page";
    case Route::feed: return "feed";
    case Route::source_feed: return "source_feed";
    case Route::category_feed: return "category_feed";
    case Route::view: return "view";
    case Route::top_feed: return "top_feed";
    case Route::story: return "story";
    case Route::sources: return "sources";
    case Route::opml: return "opml";
    case Route::healthz: return "healthz";
    case Route::metrics: return "metrics";
    case Route::other:
    case Route::count_: break;
  }
  return "other";
}

void Metrics::record_request(Route route, unsigned status, std::chrono::nanoseconds elapsed) {
  RouteCounters& r = routes_[static_cast<std::size_t>(route)];
  std::size_t s = 0;
  while (s + 1 < kStatuses.size() && kStatuses[s] != status) ++s;
  r.by_status[s].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.sum_ns.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
}

void Metrics::record_poll(std::int64_t source_id, storage::FetchStatus status) {
  std::lock_guard lock(polls_mutex_);
  ++polls_[static_cast<std::size_t>(status)];
  if (status == storage::FetchStatus::failed) ++poll_failures_[source_id];
}

namespace {

void line(std::string& out, const char* fmt, auto... args) {
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, fmt, args...);
  if (n > 0) out.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

void render_websub(std::string& out, const WebSubCounts& websub) {
  out += "# HELP tinhop_websub_subscriptions Our subscriptions to publishers' hubs by state.\n";
  out += "# TYPE tinhop_websub_subscriptions gauge\n";
  for (const char* state : {"requested", "active", "unsubscribing", "denied"}) {
    const auto found = websub.subscriptions.find(state);
    line(out, "tinhop_websub_subscriptions{state=\"%s\"} %llu\n", state,
         static_cast<unsigned long long>(found == websub.subscriptions.end() ? 0 : found->second));
  }
  const std::pair<const char*, std::uint64_t> counters[] = {
      {"pushes_received", websub.pushes_received},
      {"pushes_refused", websub.pushes_refused},
      {"verifications_refused", websub.verifications_refused},
      {"requests_failed", websub.requests_failed}};
  const char* help[] = {"Signed pushes accepted from hubs.",
                        "Pushes dropped (signature, inactive subscription).",
                        "Hub verifications refused (a request we did not send).",
                        "Subscription requests a hub did not accept."};
  for (std::size_t i = 0; i < std::size(counters); ++i) {
    line(out, "# HELP tinhop_websub_%s_total %s\n", counters[i].first, help[i]);
    line(out, "# TYPE tinhop_websub_%s_total counter\n", counters[i].first);
    line(out, "tinhop_websub_%s_total %llu\n", counters[i].first,
         static_cast<unsigned long long>(counters[i].second));
  }
}

void render_hub(std::string& out, const HubCounts& hub) {
  out += "# HELP tinhop_hub_subscriptions Readers' subscriptions at our own hub by state.\n";
  out += "# TYPE tinhop_hub_subscriptions gauge\n";
  for (const char* state : {"pending", "active"}) {
    const auto found = hub.subscriptions.find(state);
    line(out, "tinhop_hub_subscriptions{state=\"%s\"} %llu\n", state,
         static_cast<unsigned long long>(found == hub.subscriptions.end() ? 0 : found->second));
  }
  const std::pair<const char*, std::uint64_t> counters[] = {
      {"pushes_sent", hub.pushes_sent},
      {"pushes_failed", hub.pushes_failed},
      {"verifications_failed", hub.verifications_failed}};
  const char* help[] = {"Deliveries a subscriber accepted (2xx).",
                        "Delivery attempts that failed (retried, or dropped after the last).",
                        "Subscriber intents not confirmed (no echo, error, refused address)."};
  for (std::size_t i = 0; i < std::size(counters); ++i) {
    line(out, "# HELP tinhop_hub_%s_total %s\n", counters[i].first, help[i]);
    line(out, "# TYPE tinhop_hub_%s_total counter\n", counters[i].first);
    line(out, "tinhop_hub_%s_total %llu\n", counters[i].first,
         static_cast<unsigned long long>(counters[i].second));
  }
  out += "# HELP tinhop_hub_delivery_seconds From the commit of new entries to a subscriber's 2xx.\n";
  out += "# TYPE tinhop_hub_delivery_seconds histogram\n";
  for (const auto& [bound, count] : hub.latency_buckets) {
    line(out, "tinhop_hub_delivery_seconds_bucket{le=\"%g\"} %llu\n", bound,
         static_cast<unsigned long long>(count));
  }
  line(out, "tinhop_hub_delivery_seconds_bucket{le=\"+Inf\"} %llu\n",
       static_cast<unsigned long long>(hub.latency_count));
  line(out, "tinhop_hub_delivery_seconds_sum %.6f\n", hub.latency_sum);
  line(out, "tinhop_hub_delivery_seconds_count %llu\n", static_cast<unsigned long long>(hub.latency_count));
}

void render_alerts(std::string& out, const AlertCounts& alerts) {
  auto count = [](const std::map<std::string, std::uint64_t>& by, const char* key) {
    const auto found = by.find(key);
    return static_cast<unsigned long long>(found == by.end() ? 0 : found->second);
  };
  out += "# HELP tinhop_alert_sources Sources by alert condition (healthy ones are not counted).\n";
  out += "# TYPE tinhop_alert_sources gauge\n";
  for (const char* condition : {"failing", "stale"}) {
    line(out, "tinhop_alert_sources{condition=\"%s\"} %llu\n", condition, count(alerts.sources, condition));
  }
  out += "# HELP tinhop_alert_transitions_total Changes of a source's condition told since start.\n";
  out += "# TYPE tinhop_alert_transitions_total counter\n";
  for (const char* kind : {"failing", "stale", "recovered"}) {
    line(out, "tinhop_alert_transitions_total{kind=\"%s\"} %llu\n", kind, count(alerts.transitions, kind));
  }
  out +=
      "# HELP tinhop_alert_webhook_deliveries_total Alert webhook messages delivered (2xx), tries that "
      "failed, and messages given up.\n";
  out += "# TYPE tinhop_alert_webhook_deliveries_total counter\n";
  const std::pair<const char*, std::uint64_t> results[] = {{"ok", alerts.webhooks_delivered},
                                                           {"failed", alerts.webhooks_failed},
                                                           {"dropped", alerts.webhooks_dropped}};
  for (const auto& [result, n] : results) {
    line(out, "tinhop_alert_webhook_deliveries_total{result=\"%s\"} %llu\n", result,
         static_cast<unsigned long long>(n));
  }
}

}  // namespace

std::string Metrics::render(const storage::StoreStats* stats, const std::vector<storage::Health>* health,
                            const std::vector<storage::RuleCount>* rule_counts) const {
  std::string out;
  out.reserve(8192);
  {
    std::lock_guard lock(polls_mutex_);
    out += "# HELP tinhop_polls_total Finished polls by outcome.\n# TYPE tinhop_polls_total counter\n";
    const char* outcomes[] = {"ok", "not_modified", "failed"};
    for (std::size_t i = 0; i < polls_.size(); ++i) {
      line(out, "tinhop_polls_total{outcome=\"%s\"} %llu\n", outcomes[i],
           static_cast<unsigned long long>(polls_[i]));
    }
    out +=
        "# HELP tinhop_source_poll_failures_total Failed polls per source since start.\n"
        "# TYPE tinhop_source_poll_failures_total counter\n";
    for (const auto& [id, n] : poll_failures_) {
      line(out, "tinhop_source_poll_failures_total{source_id=\"%lld\"} %llu\n", static_cast<long long>(id),
           static_cast<unsigned long long>(n));
    }
  }
  if (health != nullptr) {
    out +=
        "# HELP tinhop_source_consecutive_failures Consecutive failed polls per source (only failing ones).\n"
        "# TYPE tinhop_source_consecutive_failures gauge\n";
    for (const auto& h : *health) {
      if (h.consecutive_failures == 0) continue;
      line(out, "tinhop_source_consecutive_failures{source_id=\"%lld\"} %lld\n",
           static_cast<long long>(h.source_id), static_cast<long long>(h.consecutive_failures));
    }
    out +=
        "# HELP tinhop_source_dates_not_understood Dates of the last parsed document not understood, per "
        "source (only those with some).\n"
        "# TYPE tinhop_source_dates_not_understood gauge\n";
    for (const auto& h : *health) {
      if (h.dates_not_understood == 0) continue;
      line(out, "tinhop_source_dates_not_understood{source_id=\"%lld\"} %lld\n",
           static_cast<long long>(h.source_id), static_cast<long long>(h.dates_not_understood));
    }
  }
  if (rule_counts != nullptr) {
    // Rule names are ASCII letters, digits, '-', '_' and '.' (the configuration checks):
    // nothing to escape in a label value.
    out +=
        "# HELP tinhop_rule_dropped_total Items an editorial rule kept from being stored, each item once.\n"
        "# TYPE tinhop_rule_dropped_total counter\n";
    for (const auto& count : *rule_counts) {
      line(out, "tinhop_rule_dropped_total{rule=\"%s\"} %lld\n", count.rule.c_str(),
           static_cast<long long>(count.dropped));
    }
    out +=
        "# HELP tinhop_rule_regex_timeouts_total Regex matches of a rule abandoned at the time limit.\n"
        "# TYPE tinhop_rule_regex_timeouts_total counter\n";
    for (const auto& count : *rule_counts) {
      if (count.timeouts == 0) continue;
      line(out, "tinhop_rule_regex_timeouts_total{rule=\"%s\"} %lld\n", count.rule.c_str(),
           static_cast<long long>(count.timeouts));
    }
  }
  if (stats != nullptr) {
    out += "# HELP tinhop_sources Sources in the store.\n# TYPE tinhop_sources gauge\n";
    line(out, "tinhop_sources %lld\n", static_cast<long long>(stats->sources));
    out += "# HELP tinhop_items Items in the store.\n# TYPE tinhop_items gauge\n";
    line(out, "tinhop_items %lld\n", static_cast<long long>(stats->items));
    out += "# HELP tinhop_clusters Story clusters in the store.\n# TYPE tinhop_clusters gauge\n";
    line(out, "tinhop_clusters %lld\n", static_cast<long long>(stats->clusters));
  }
  out += "# HELP tinhop_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE tinhop_http_requests_total counter\n";
  for (std::size_t r = 0; r < kRoutes; ++r) {
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      auto n = routes_[r].by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const char* name = route_name(static_cast<Route>(r));
      if (kStatuses[s] == 0) {
        line(out, "tinhop_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", name,
             static_cast<unsigned long long>(n));
      } else {
        line(out, "tinhop_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n", name, kStatuses[s],
             static_cast<unsigned long long>(n));
      }
    }
  }
  out += "# HELP tinhop_http_request_duration_seconds Time from request read to response written.\n";
  out += "# TYPE tinhop_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < kRoutes; ++r) {
    const char* name = route_name(static_cast<Route>(r));
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += routes_[r].buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size()) {
        line(out, "tinhop_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", name,
             kBuckets[b], static_cast<unsigned long long>(cumulative));
      } else {
        line(out, "tinhop_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", name,
             static_cast<unsigned long long>(cumulative));
      }
    }
    line(out, "tinhop_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n", name,
         static_cast<double>(routes_[r].sum_ns.load(std::memory_order_relaxed)) / 1e9);
    line(out, "tinhop_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name,
         static_cast<unsigned long long>(cumulative));
  }
  out += "# HELP tinhop_http_connections Open HTTP connections.\n# TYPE tinhop_http_connections gauge\n";
  line(out, "tinhop_http_connections %lld\n", static_cast<long long>(connections_.load()));
  out +=
      "# HELP tinhop_http_connections_rejected_total New connections closed at once: the cap reached with "
      "every connection busy, or the client's address at max_connections_per_ip.\n";
  out += "# TYPE tinhop_http_connections_rejected_total counter\n";
  line(out, "tinhop_http_connections_rejected_total %llu\n",
       static_cast<unsigned long long>(rejected_.load()));
  out +=
      "# HELP tinhop_http_connections_evicted_total Waiting connections closed to admit a new one at the "
      "cap.\n";
  out += "# TYPE tinhop_http_connections_evicted_total counter\n";
  line(out, "tinhop_http_connections_evicted_total %llu\n", static_cast<unsigned long long>(evicted_.load()));
  out += "# HELP tinhop_http_accept_errors_total Failed accepts (the listener keeps going).\n";
  out += "# TYPE tinhop_http_accept_errors_total counter\n";
  line(out, "tinhop_http_accept_errors_total %llu\n", static_cast<unsigned long long>(accept_errors_.load()));
  out += "# HELP tinhop_feed_renders_total Documents rendered (cache misses).\n";
  out += "# TYPE tinhop_feed_renders_total counter\n";
  line(out, "tinhop_feed_renders_total %llu\n", static_cast<unsigned long long>(cache_renders_.load()));
  out += "# HELP tinhop_feed_cache_hits_total Requests answered from the rendered-document cache.\n";
  out += "# TYPE tinhop_feed_cache_hits_total counter\n";
  line(out, "tinhop_feed_cache_hits_total %llu\n", static_cast<unsigned long long>(cache_hits_.load()));
  out += "# HELP tinhop_feed_cache_bytes Bytes the rendered-document cache holds.\n";
  out += "# TYPE tinhop_feed_cache_bytes gauge\n";
  line(out, "tinhop_feed_cache_bytes %llu\n", static_cast<unsigned long long>(cache_bytes_.load()));
  // The allocator's view, which RSS blurs with the SQLite page cache and mapped files: a
  // leak shows here first (the soak, bench/soak, watches it).
  out +=
      "# HELP tinhop_dedup_waits_total Writes that waited for another node deciding one of their stories "
      "(PostgreSQL).\n# TYPE tinhop_dedup_waits_total counter\n";
  line(out, "tinhop_dedup_waits_total %lld\n",
       static_cast<long long>(dedup_waits_.load(std::memory_order_relaxed)));
  out +=
      "# HELP tinhop_dedup_wait_seconds_total Time those writes waited.\n"
      "# TYPE tinhop_dedup_wait_seconds_total counter\n";
  line(out, "tinhop_dedup_wait_seconds_total %.6f\n",
       static_cast<double>(dedup_wait_us_.load(std::memory_order_relaxed)) / 1e6);
  const struct mallinfo2 heap = mallinfo2();
  out += "# HELP tinhop_heap_in_use_bytes Heap bytes allocated and not freed (glibc mallinfo2).\n";
  out += "# TYPE tinhop_heap_in_use_bytes gauge\n";
  line(out, "tinhop_heap_in_use_bytes %llu\n", static_cast<unsigned long long>(heap.uordblks + heap.hblkhd));
  out += "# HELP tinhop_heap_free_bytes Freed heap bytes the allocator keeps for reuse (glibc mallinfo2).\n";
  out += "# TYPE tinhop_heap_free_bytes gauge\n";
  line(out, "tinhop_heap_free_bytes %llu\n", static_cast<unsigned long long>(heap.fordblks));
  std::lock_guard lock(polls_mutex_);
  if (cluster_) {
    std::string node;  // a label value: backslash, quote and newline escaped
    for (char c : cluster_->node) {
      if (c == '\\' || c == '"') node += '\\';
      node += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    out += "# HELP tinhop_cluster_leases_held Sources this node holds a lease on (fetching or committing).\n";
    out += "# TYPE tinhop_cluster_leases_held gauge\n";
    line(out, "tinhop_cluster_leases_held{node=\"%s\"} %llu\n", node.c_str(),
         static_cast<unsigned long long>(cluster_->leases_held));
    out += "# HELP tinhop_cluster_claims_total Source leases this node was granted.\n";
    out += "# TYPE tinhop_cluster_claims_total counter\n";
    line(out, "tinhop_cluster_claims_total{node=\"%s\"} %llu\n", node.c_str(),
         static_cast<unsigned long long>(cluster_->claims));
    out +=
        "# HELP tinhop_cluster_lost_leases_total Leases another node took before this one released them.\n";
    out += "# TYPE tinhop_cluster_lost_leases_total counter\n";
    line(out, "tinhop_cluster_lost_leases_total{node=\"%s\"} %llu\n", node.c_str(),
         static_cast<unsigned long long>(cluster_->lost_leases));
  }
  if (websub_) render_websub(out, *websub_);
  if (hub_) render_hub(out, *hub_);
  if (alerts_) render_alerts(out, *alerts_);
  if (pings_) {
    out +=
        "# HELP tinhop_websub_pings_sent_total Publish pings external hubs accepted (websub.publish_to).\n";
    out += "# TYPE tinhop_websub_pings_sent_total counter\n";
    line(out, "tinhop_websub_pings_sent_total %llu\n", static_cast<unsigned long long>(pings_->sent));
    out +=
        "# HELP tinhop_websub_pings_failed_total Publish ping attempts that failed (retried, or dropped).\n";
    out += "# TYPE tinhop_websub_pings_failed_total counter\n";
    line(out, "tinhop_websub_pings_failed_total %llu\n", static_cast<unsigned long long>(pings_->failed));
  }
  return out;
}

}  // namespace tinhop::publish
