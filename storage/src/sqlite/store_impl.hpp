// The SQLite backend: what it holds, shared by the files that implement its parts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../backend.hpp"
#include "../common.hpp"
#include "../dedup_window.hpp"
#include "../prepare_worker.hpp"
#include "checkpointer.hpp"
#include "sqlite.hpp"
#include "tinhop/parsers/canonical_link.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::storage {

// The tables whose ids are public and so never given twice (schema version 10).
enum class IdTable { sources, items, clusters };

struct SqliteStore final : Backend {
  SqliteStore(sql::Database database, OpenOptions open_options)
      : db(std::move(database)), options(std::move(open_options)), window(options.dedup) {
    links.extra_tracking_parameters = options.extra_tracking_parameters;
  }

  sql::Database db;
  OpenOptions options;
  LinkOptions links;
  DedupWindow window;
  bool window_loaded = false;  // loaded by the first ingest: readers never pay for it
  // Started by the first ingest (a file database in WAL mode only): the CLI's short
  // writes keep SQLite's own checkpoints. Declared after db, so it stops before db closes.
  std::unique_ptr<Checkpointer> checkpointer;
  bool checkpointer_tried = false;
  std::unique_ptr<PrepareWorker> worker;  // started by the first document worth it

  // Marks that readers may see something new (publisher cache invalidation).
  void bump_change(Instant now);
  // Marks that the source list changed (daemon reload of CLI edits).
  void bump_sources();
  void require_source(std::int64_t id);
  // Errc::already_exists when a rule other than `id` has `name`.
  void require_free_rule_name(std::string_view name, std::int64_t id);
  // The id for a new row of `table`: one more than the highest it ever held. Read inside
  // the write transaction that uses it.
  std::int64_t next_id(IdTable table);
  void load_window();
  // The window, loaded on first use.
  DedupWindow& candidates();
  // Moves WAL checkpoints to their own thread, once; every ingest entry point calls it.
  void start_checkpointer();
  // The thread that prepares new entries for ingest_feed, started on first use; nullptr
  // when the system refuses a thread (the writer then prepares them itself).

  Result<std::int64_t> add_source(const SourceSettings& settings, Instant now) override;
  Result<void> update_source(std::int64_t id, const SourceSettings& settings, Instant now) override;
  Result<Source> get_source(std::int64_t id) override;
  Result<std::optional<Source>> find_source_by_url(std::string_view url) override;
  Result<std::vector<Source>> list_sources_after(std::int64_t after_id, std::size_t limit) override;
  Result<void> remove_source(std::int64_t id) override;
  Result<void> set_enabled(std::int64_t id, bool enabled, Instant now, std::string_view reason) override;
  Result<void> move_source(std::int64_t id, const std::string& new_url, Instant now) override;
  Result<void> set_feed_info(std::int64_t id, const std::optional<std::string>& title,
                             const std::optional<std::string>& site_link) override;
  Result<std::vector<std::string>> list_categories() override;
  Result<IngestCounts> ingest(std::int64_t source_id, const Feed& feed, Instant now) override;
  Result<std::vector<IngestCounts>> ingest_batch(std::span<const IngestRequest> requests) override;
  Result<std::vector<IngestCounts>> commit_polls(std::span<const PollResult> polls) override;
  Result<FetchState> record_fetch(const FetchRecord& record) override;
  Result<Health> health(std::int64_t source_id) override;
  Result<std::vector<Health>> all_health() override;
  Result<std::vector<Health>> health_between(std::int64_t after_id, std::int64_t last_id) override;
  Result<std::vector<FetchHistoryEntry>> fetch_history(std::int64_t source_id, std::size_t limit) override;
  Result<PublicationStats> publication_stats(std::int64_t source_id) override;
  Result<std::vector<std::int64_t>> items_per_day(std::int64_t source_id, Instant now, int days) override;
  Result<ClusterPage> latest_clusters(const ClusterQuery& query) override;
  Result<std::vector<TopStory>> top_stories(const TopQuery& query) override;
  Result<StoredItem> get_item(std::int64_t item_id) override;
  Result<std::optional<Story>> story(std::int64_t public_id) override;
  Result<ChangeStamp> last_change() override;
  Result<std::int64_t> sources_version() override;
  Result<std::vector<std::optional<std::int64_t>>> locate_items(std::int64_t source_id,
                                                                const Feed& feed) override;
  Result<std::vector<bool>> articles_pending(std::int64_t source_id, const Feed& feed) override;
  Result<StoreStats> stats() override;
  Result<RetentionReport> apply_retention(const RetentionPolicy& per_source, const RetentionPolicy& global,
                                          Instant now) override;
  Result<std::int64_t> forget_tombstones(Instant older_than) override;
  Result<void> vacuum(std::int64_t pages) override;
  Result<void> checkpoint() override;
  Result<std::vector<std::string>> explain_read_queries() override;
  Result<void> save_subscription(const Subscription& subscription) override;
  Result<std::optional<Subscription>> subscription_of_source(std::int64_t source_id) override;
  Result<std::optional<Subscription>> subscription_by_callback(std::string_view callback) override;
  Result<std::vector<Subscription>> list_subscriptions() override;
  Result<void> remove_subscription(std::int64_t source_id) override;
  Result<void> save_hub_subscription(const HubSubscription& subscription) override;
  Result<std::vector<HubSubscription>> list_hub_subscriptions() override;
  Result<void> remove_hub_subscription(std::string_view topic, std::string_view callback) override;
  Result<std::vector<StoredItem>> source_items(std::int64_t source_id, std::size_t limit) override;
  Result<void> add_rule_counts(std::span<const RuleCount> counts) override;
  Result<std::vector<RuleCount>> rule_counts(std::optional<std::int64_t> source_id) override;
  Result<std::vector<StoredRule>> list_rules() override;
  Result<std::int64_t> add_rule(const StoredRule& rule, Instant now, std::size_t most) override;
  Result<void> update_rule(const StoredRule& rule, Instant now) override;
  Result<void> remove_rule(std::int64_t id) override;
  Result<std::int64_t> rules_version() override;
  Result<Claim> claim_source(const ClaimRequest& request) override;
  Result<std::vector<std::int64_t>> renew_leases(std::string_view node,
                                                 std::span<const std::int64_t> source_ids,
                                                 MilliInstant until) override;
  Result<std::vector<std::int64_t>> release_leases(std::string_view node,
                                                   std::span<const LeaseRelease> releases) override;
  Result<void> heartbeat(const NodeHeartbeat& beat) override;
  Result<std::vector<NodeStatus>> cluster_status(MilliInstant now) override;
  // transfer.cpp
  Result<void> export_rows(const transfer::Table& table, std::size_t batch,
                           const std::function<Result<void>(std::span<const transfer::Row>)>& sink) override;
  Result<void> import_rows(const transfer::Table& table, std::span<const transfer::Row> rows) override;
  Result<transfer::IdMarks> id_marks() override;
  Result<void> finish_import(const transfer::IdMarks& marks) override;
  Result<std::vector<Instant>> arrivals(std::int64_t source_id, Instant since) override;
  Result<std::vector<SourceAlert>> source_alerts() override;
  Result<std::int64_t> record_alert(const AlertEvent& event) override;
  Result<std::vector<AlertEvent>> recent_alerts(std::size_t limit) override;

  // ingest.cpp
  // `articles`: see PollResult::articles (empty for sources that do not follow links).
  IngestCounts ingest_feed(std::int64_t source_id, const Feed& feed, Instant now,
                           std::span<const ArticleFetch> articles = {});
  // Whether an item of the cluster has figures that contradict `figures`.
  bool figures_contradicted(std::int64_t cluster_id, Figures figures);
  // store.cpp
  FetchState record_poll(const FetchRecord& record);
  FetchState fetch_state(std::int64_t id);
  // ingest.cpp: applies the index changes the item triggers noted (schema version 4); every
  // transaction that writes items calls it before commit, so readers never see them apart.
  void flush_search_index();
  // ingest.cpp: moves the link index's recent entries into its bulk once they pass their
  // share (schema version 8).
  void merge_recent_links();
  // ingest.cpp: what every ingest transaction does before its commit: both of the above.
  void finish_ingest();
  // retention.cpp: removes items (with tombstones) and keeps their clusters consistent.
  RetentionReport purge_items(const std::vector<std::int64_t>& item_ids, Instant now, bool tombstone);
};

// Recomputes a cluster's size, date and category lists from its items; deletes it when
// no item is left.
void refresh_cluster(sql::Database& db, std::int64_t cluster_id);

}  // namespace tinhop::storage
