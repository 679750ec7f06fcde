// The PostgreSQL backend: what it holds, shared by the files that implement its parts.
// The same rules as the SQLite backend (sqlite/): identity keys enforced by UNIQUE, a
// near-duplicate candidate window in memory loaded from the database, purged items leaving
// tombstones, ids never given twice (sequences).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../backend.hpp"
#include "../common.hpp"
#include "../dedup_window.hpp"
#include "../entry_keys.hpp"
#include "../prepare_worker.hpp"
#include "pq.hpp"
#include "tinhop/parsers/canonical_link.hpp"

namespace tinhop::storage {

struct PostgresStore final : Backend {
  PostgresStore(pg::Connection connection, OpenOptions open_options)
      : db(std::move(connection)), options(std::move(open_options)), window(options.dedup) {
    links.extra_tracking_parameters = options.extra_tracking_parameters;
  }

  pg::Connection db;
  OpenOptions options;
  LinkOptions links;
  DedupWindow window;
  bool window_loaded = false;  // loaded by the first ingest: readers never pay for it
  // Several writers (nodes) on one database, each with its own window: before deciding, a
  // write reads what the others committed into its window (refresh_window). Item ids come
  // from one sequence but commit in any order, so an id below the newest seen may still
  // arrive: such ids are re-read until they do, or until kUnseenPatience says they never
  // will (rolled back, or purged).
  std::int64_t window_seen = 0;  // the newest item id the window has looked at
  std::map<std::int64_t, std::chrono::steady_clock::time_point> unseen_ids;  // below it, not yet seen
  // The items this writer put in the window since its last refresh. The refresh leaves them
  // in place (adding each again took 8% of the ingest's CPU at 200,000 items, issue #18);
  // only when another writer's item arrives below them, which pushes them out, are they
  // added again.
  std::vector<std::int64_t> own_window_ids;
  // New entries decided in the write's transaction and not yet sent (ingest.cpp): written
  // by one statement (write_pending) before anything reads what they change, and at the
  // end of the write, instead of one statement each.
  struct PendingEntry {
    std::int64_t id = 0, source_id = 0, key = 0, cluster_id = 0;
    std::optional<std::string> guid, link, title, summary, content, language;
    std::optional<std::int64_t> link_hash, updated, article;
    std::string search_text, extra, fingerprint;
    std::int64_t published = 0, first_seen = 0, content_hash = 0;
    bool date_approximate = false;
    std::string search_vector = {};  // made by write_pending, on two threads
  };
  // A story the pending entries start or join: a stored one grows by `size` and moves to
  // `published` if earlier; a new one is inserted with them.
  struct PendingStory {
    bool stored = false;
    std::int64_t published = 0, size = 0, public_id = 0;
    std::set<std::string> categories;
  };
  std::vector<PendingEntry> pending_entries;
  std::map<std::int64_t, PendingStory> pending_stories;
  std::set<std::int64_t> pending_sources, pending_links;
  std::map<std::int64_t, std::int64_t> new_items_at;  // source -> when its last new item came
  std::optional<Instant> changed_at;                  // the latest document that changed something
  // Writes that waited for another writer's decision on one of their stories, and how long.
  std::atomic<std::int64_t> dedup_wait_count{0};
  std::atomic<std::int64_t> dedup_wait_microseconds{0};

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
  DedupWaits dedup_waits() const override;
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

  // Marks that readers may see something new (publisher cache invalidation).
  void bump_change(Instant now);
  // Marks that the source list changed (daemon reload of CLI edits).
  void bump_sources();
  void require_source(std::int64_t id);
  // Errc::already_exists when a rule other than `id` has `name`.
  void require_free_rule_name(std::string_view name, std::int64_t id);
  void load_window();
  DedupWindow& candidates();  // the window, loaded on first use
  // An entry's identity and keys, for each entry of a document (none for an entry repeated
  // within it).
  struct PreparedDocument {
    std::vector<ItemIdentity> identities;
    std::vector<Prepared> keys;
  };
  // ingest.cpp: one document in the caller's transaction, its entries' keys from
  // prepare_documents, after claim_stories.
  IngestCounts ingest_feed(std::int64_t source_id, const Feed& feed, Instant now,
                           const PreparedDocument& prepared, std::span<const ArticleFetch> articles = {});
  // ingest.cpp: each document prepared (left empty for a null feed), and the lock slots of
  // its entries' candidate keys added to `slots`. Shared with the worker thread when there
  // are enough entries.
  struct ToPrepare {
    const Feed* feed = nullptr;
    bool follows = false;
  };
  std::vector<PreparedDocument> prepare_documents(std::span<const ToPrepare> documents,
                                                  std::vector<std::int64_t>& slots);
  std::unique_ptr<PrepareWorker> worker;  // made on first use; null if no thread could start
  // job(0) .. job(count - 1), the first half on the worker when there are enough; returns
  // when all have run.
  void share_with_worker(std::size_t count, const std::function<void(std::size_t)>& job);
  // ingest.cpp: in the write's transaction, before any decision: takes the slots' locks (in
  // order, held to the commit), then refreshes the window, so a story another writer is
  // deciding is decided here only after its commit, and seen.
  void claim_stories(std::vector<std::int64_t> slots);
  void refresh_window();
  bool figures_contradicted(std::int64_t cluster_id, Figures figures);
  void write_pending();
  // The transaction's last writes: the pending entries, then each source's last new item
  // and the change mark, once for all its documents.
  void finish_writes();
  void forget_pending();
  // Runs `body` in one transaction; on failure the window is reloaded (it mirrors committed rows).
  template <class F>
  auto write(F&& body) -> Result<std::invoke_result_t<F>> {
    auto result = guarded([&] {
      pg::Transaction tx(db);
      if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
        body();
        tx.commit();
      } else {
        auto value = body();
        tx.commit();
        return value;
      }
    });
    // The window may hold what was rolled back: the next write loads it again (lazily, so
    // that a database gone away is not asked again at once).
    if (!result) {
      window_loaded = false;
      forget_pending();
      new_items_at.clear();
      changed_at.reset();
    }
    return result;
  }
  // upkeep.cpp
  FetchState record_poll(const FetchRecord& record);
  FetchState fetch_state(std::int64_t id);
  RetentionReport purge_items(const std::vector<std::int64_t>& item_ids, Instant now, bool tombstone);
  void refresh_cluster(std::int64_t cluster_id);
};

}  // namespace tinhop::storage
