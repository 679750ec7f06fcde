// What a Store holds, shared by the files that implement its parts.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "checkpointer.hpp"
#include "dedup_window.hpp"
#include "prepare_worker.hpp"
#include "sqlite.hpp"
#include "tinhop/parsers/canonical_link.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::storage {

inline std::int64_t to_unix(Instant instant) {
  return instant.time_since_epoch().count();
}
inline Instant from_unix(std::int64_t seconds) {
  return Instant{std::chrono::seconds{seconds}};
}
inline std::optional<Instant> from_unix(const std::optional<std::int64_t>& seconds) {
  if (!seconds) return std::nullopt;
  return from_unix(*seconds);
}

// A date order as stored: sources.date_order and health.date_order_seen.
inline const char* date_order_name(DateOrder order) {
  switch (order) {
    case DateOrder::automatic: return "automatic";
    case DateOrder::dmy: return "dmy";
    case DateOrder::mdy: return "mdy";
  }
  return "automatic";
}
inline DateOrder parse_date_order(std::string_view name) {
  if (name == "dmy") return DateOrder::dmy;
  if (name == "mdy") return DateOrder::mdy;
  return DateOrder::automatic;
}

// Fetch history rows kept per source.
inline constexpr std::int64_t kHistoryPerSource = 100;

// The tables whose ids are public and so never given twice (schema version 10).
enum class IdTable { sources, items, clusters };

struct Store::Impl {
  Impl(sql::Database database, OpenOptions open_options)
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
  PrepareWorker* preparer();

  // ingest.cpp
  // `articles`: see PollResult::articles (empty for sources that do not follow links).
  IngestCounts ingest_feed(std::int64_t source_id, const Feed& feed, Instant now,
                           std::span<const ArticleFetch> articles = {});
  // Whether an item of the cluster has figures that contradict `figures`.
  bool figures_contradicted(std::int64_t cluster_id, Figures figures);
  // store.cpp
  FetchState record_fetch(const FetchRecord& record);
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

// Runs `body`, turning storage failures into an Error value: the public boundary.
template <class F>
auto guarded(F&& body) -> Result<std::invoke_result_t<F>> {
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
      body();
      return {};
    } else {
      return body();
    }
  } catch (const sql::SqlFailure& failure) {
    return failure.error;
  } catch (const std::bad_alloc&) {
    return Error{Errc::internal, "out of memory"};
  }
}

// Recomputes a cluster's size, date and category lists from its items; deletes it when
// no item is left.
void refresh_cluster(sql::Database& db, std::int64_t cluster_id);

// Authors, categories, enclosures, thumbnail and comments of an item as one JSON text.
std::string encode_extra(const Item& item);
void decode_extra(std::string_view json, StoredItem& item);
std::string encode_headers(const std::vector<Header>& headers);
std::vector<Header> decode_headers(std::string_view json);

}  // namespace tinhop::storage
