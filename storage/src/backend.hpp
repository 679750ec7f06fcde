// The seam between the Store and a database: one implementation per backend (sqlite/,
// postgres/), chosen once when the store opens (store.cpp). Each operation means what the
// Store method of the same name documents (tinhop/storage/store.hpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/storage/store.hpp"
#include "transfer.hpp"

namespace tinhop::storage {

class Backend {
 public:
  Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;
  virtual ~Backend() = default;

  virtual Result<std::int64_t> add_source(const SourceSettings& settings, Instant now) = 0;
  virtual Result<void> update_source(std::int64_t id, const SourceSettings& settings, Instant now) = 0;
  virtual Result<Source> get_source(std::int64_t id) = 0;
  virtual Result<std::optional<Source>> find_source_by_url(std::string_view url) = 0;
  virtual Result<std::vector<Source>> list_sources_after(std::int64_t after_id, std::size_t limit) = 0;
  virtual Result<void> remove_source(std::int64_t id) = 0;
  virtual Result<void> set_enabled(std::int64_t id, bool enabled, Instant now, std::string_view reason) = 0;
  virtual Result<void> move_source(std::int64_t id, const std::string& new_url, Instant now) = 0;
  virtual Result<void> set_feed_info(std::int64_t id, const std::optional<std::string>& title,
                                     const std::optional<std::string>& site_link) = 0;
  virtual Result<std::vector<std::string>> list_categories() = 0;

  virtual Result<void> save_subscription(const Subscription& subscription) = 0;
  virtual Result<std::optional<Subscription>> subscription_of_source(std::int64_t source_id) = 0;
  virtual Result<std::optional<Subscription>> subscription_by_callback(std::string_view callback) = 0;
  virtual Result<std::vector<Subscription>> list_subscriptions() = 0;
  virtual Result<void> remove_subscription(std::int64_t source_id) = 0;

  virtual Result<void> save_hub_subscription(const HubSubscription& subscription) = 0;
  virtual Result<std::vector<HubSubscription>> list_hub_subscriptions() = 0;
  virtual Result<void> remove_hub_subscription(std::string_view topic, std::string_view callback) = 0;

  virtual Result<IngestCounts> ingest(std::int64_t source_id, const Feed& feed, Instant now) = 0;
  virtual Result<std::vector<IngestCounts>> ingest_batch(std::span<const IngestRequest> requests) = 0;
  virtual Result<std::vector<IngestCounts>> commit_polls(std::span<const PollResult> polls) = 0;

  virtual Result<FetchState> record_fetch(const FetchRecord& record) = 0;
  virtual Result<Health> health(std::int64_t source_id) = 0;
  virtual Result<std::vector<Health>> all_health() = 0;
  virtual Result<std::vector<Health>> health_between(std::int64_t after_id, std::int64_t last_id) = 0;
  virtual Result<std::vector<FetchHistoryEntry>> fetch_history(std::int64_t source_id, std::size_t limit) = 0;
  virtual Result<PublicationStats> publication_stats(std::int64_t source_id) = 0;
  virtual Result<std::vector<std::int64_t>> items_per_day(std::int64_t source_id, Instant now, int days) = 0;

  virtual Result<ClusterPage> latest_clusters(const ClusterQuery& query) = 0;
  virtual Result<std::vector<TopStory>> top_stories(const TopQuery& query) = 0;
  virtual Result<StoredItem> get_item(std::int64_t item_id) = 0;
  virtual Result<std::optional<Story>> story(std::int64_t public_id) = 0;
  virtual Result<std::vector<StoredItem>> source_items(std::int64_t source_id, std::size_t limit) = 0;
  virtual Result<ChangeStamp> last_change() = 0;
  virtual Result<std::int64_t> sources_version() = 0;
  virtual Result<std::vector<std::optional<std::int64_t>>> locate_items(std::int64_t source_id,
                                                                        const Feed& feed) = 0;
  virtual Result<std::vector<bool>> articles_pending(std::int64_t source_id, const Feed& feed) = 0;
  virtual Result<StoreStats> stats() = 0;

  virtual Result<void> add_rule_counts(std::span<const RuleCount> counts) = 0;
  virtual Result<std::vector<RuleCount>> rule_counts(std::optional<std::int64_t> source_id) = 0;
  virtual Result<std::vector<StoredRule>> list_rules() = 0;
  virtual Result<std::int64_t> add_rule(const StoredRule& rule, Instant now, std::size_t most) = 0;
  virtual Result<void> update_rule(const StoredRule& rule, Instant now) = 0;
  virtual Result<void> remove_rule(std::int64_t id) = 0;
  virtual Result<std::int64_t> rules_version() = 0;
  virtual Result<std::vector<Instant>> arrivals(std::int64_t source_id, Instant since) = 0;
  virtual Result<std::vector<SourceAlert>> source_alerts() = 0;
  virtual Result<std::int64_t> record_alert(const AlertEvent& event) = 0;
  virtual Result<std::vector<AlertEvent>> recent_alerts(std::size_t limit) = 0;

  virtual Result<Claim> claim_source(const ClaimRequest& request) = 0;
  virtual Result<std::vector<std::int64_t>> renew_leases(std::string_view node,
                                                         std::span<const std::int64_t> source_ids,
                                                         MilliInstant until) = 0;
  virtual Result<std::vector<std::int64_t>> release_leases(std::string_view node,
                                                           std::span<const LeaseRelease> releases) = 0;
  virtual Result<void> heartbeat(const NodeHeartbeat& beat) = 0;
  virtual Result<std::vector<NodeStatus>> cluster_status(MilliInstant now) = 0;

  virtual Result<RetentionReport> apply_retention(const RetentionPolicy& per_source,
                                                  const RetentionPolicy& global, Instant now) = 0;
  virtual Result<std::int64_t> forget_tombstones(Instant older_than) = 0;
  virtual Result<void> vacuum(std::int64_t pages) = 0;
  virtual Result<void> checkpoint() = 0;
  virtual Result<std::vector<std::string>> explain_read_queries() = 0;

  // copy_database, one table at a time: the rows of `table` in its order, handed to `sink`
  // `batch` at a time (stopping at the sink's first error) ...
  virtual Result<void> export_rows(
      const transfer::Table& table, std::size_t batch,
      const std::function<Result<void>(std::span<const transfer::Row>)>& sink) = 0;
  // ... added to the same table here in one transaction each ...
  virtual Result<void> import_rows(const transfer::Table& table, std::span<const transfer::Row> rows) = 0;
  // ... and, once every table is in, ids continue above the source's marks.
  virtual Result<transfer::IdMarks> id_marks() = 0;
  virtual Result<void> finish_import(const transfer::IdMarks& marks) = 0;

  // Safe from any thread. Only PostgreSQL's writers can wait on one another.
  virtual DedupWaits dedup_waits() const { return {}; }
};

// The backends, each opened and migrated as Store::open documents, and the schema version
// each writes.
namespace sqlite {
Result<std::unique_ptr<Backend>> open(const std::string& path, const OpenOptions& options);
int schema_version();
}  // namespace sqlite
namespace postgres {
Result<std::unique_ptr<Backend>> open(const std::string& conninfo, const OpenOptions& options);
int schema_version();
}  // namespace postgres

}  // namespace tinhop::storage
