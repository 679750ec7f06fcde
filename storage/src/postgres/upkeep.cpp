// Fetch state, health and retention on PostgreSQL (the same rules as sqlite/health.cpp
// and sqlite/retention.cpp).
#include <algorithm>
#include <map>
#include <set>

#include "postgres_store.hpp"
#include "rows.hpp"

namespace tinhop::storage {
namespace {

#define TINHOP_HEALTH_COLUMNS                                                                               \
  "SELECT source_id, last_attempt, last_success, status, http_status, error_class, error_text, next_poll, " \
  "items_added, consecutive_failures, polls, not_modified, bytes, latency_ms, stale, last_new_item, "       \
  "date_order_seen, dates_not_understood FROM health "
constexpr const char* kHealthOf = TINHOP_HEALTH_COLUMNS "WHERE source_id = $1";
constexpr const char* kAllHealth = TINHOP_HEALTH_COLUMNS "ORDER BY source_id";
constexpr const char* kHealthBetween =
    TINHOP_HEALTH_COLUMNS "WHERE source_id > $1 AND source_id <= $2 ORDER BY source_id";
#undef TINHOP_HEALTH_COLUMNS

constexpr const char* kPrimary = "SELECT id FROM items WHERE cluster_id = $1 ORDER BY published, id LIMIT 1";

}  // namespace

FetchState PostgresStore::record_poll(const FetchRecord& r) {
  require_source(r.source_id);
  const bool success = r.status != FetchStatus::failed;
  db.query(
      "UPDATE health SET last_attempt = $2, last_success = CASE WHEN $3 THEN $2 ELSE last_success END, "
      "status = $4, http_status = $5, error_class = $6, error_text = $7, next_poll = $8, "
      "items_added = items_added + $9, last_new_item = CASE WHEN $9 > 0 THEN $2 ELSE last_new_item END, "
      "consecutive_failures = CASE WHEN $3 THEN 0 ELSE consecutive_failures + 1 END, polls = polls + 1, "
      "not_modified = not_modified + $10, bytes = bytes + $11, latency_ms = $12, stale = $13, "
      "date_order_seen = coalesce($14, date_order_seen), "
      "dates_not_understood = coalesce($15, dates_not_understood) WHERE source_id = $1",
      pg::Params()
          .add(r.source_id)
          .add(to_unix(r.attempted))
          .add(success)
          .add(fetch_status_name(r.status))
          .add(r.http_status)
          .add(success ? std::string_view() : std::string_view(r.error_class))
          .add(success ? std::string_view() : std::string_view(r.error_text))
          .add(r.next_poll ? std::optional<std::int64_t>(to_unix(*r.next_poll)) : std::nullopt)
          .add(r.items_added)
          .add(r.status == FetchStatus::not_modified ? 1 : 0)
          .add(r.bytes)
          .add(static_cast<std::int64_t>(r.latency.count()))
          .add(r.stale)
          .add(r.date_order_seen ? std::optional<std::string_view>(date_order_name(*r.date_order_seen))
                                 : std::nullopt)
          .add(r.dates_not_understood));
  db.query(
      "INSERT INTO fetch_history(source_id, attempted, status, http_status, error_class, error_text, bytes, "
      "latency_ms, items_added) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      pg::Params()
          .add(r.source_id)
          .add(to_unix(r.attempted))
          .add(fetch_status_name(r.status))
          .add(r.http_status)
          .add(r.error_class)
          .add(r.error_text)
          .add(r.bytes)
          .add(static_cast<std::int64_t>(r.latency.count()))
          .add(r.items_added));
  db.query(
      "DELETE FROM fetch_history WHERE source_id = $1 AND id <= (SELECT id FROM fetch_history "
      "WHERE source_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
      pg::Params().add(r.source_id).add(kHistoryPerSource));
  // A permanent redirect counts only while every poll sees the same target.
  db.query(
      "UPDATE sources SET etag = coalesce($2, etag), last_modified = coalesce($3, last_modified), "
      "body_hash = coalesce($4, body_hash), "
      "redirect_streak = CASE WHEN $5::text IS NULL THEN 0 WHEN redirect_target IS NOT DISTINCT FROM $5 "
      "THEN redirect_streak + 1 ELSE 1 END, redirect_target = $5, "
      "adaptive_interval_s = coalesce($6, adaptive_interval_s) WHERE id = $1",
      pg::Params()
          .add(r.source_id)
          .add(r.etag)
          .add(r.last_modified)
          .add(r.body_hash)
          .add(r.permanent_redirect)
          .add(r.adaptive_interval ? std::optional<std::int64_t>(r.adaptive_interval->count())
                                   : std::nullopt));
  return fetch_state(r.source_id);
}

Result<FetchState> PostgresStore::record_fetch(const FetchRecord& record) {
  return guarded([&] {
    pg::Transaction tx(db);
    auto state = record_poll(record);
    tx.commit();
    return state;
  });
}

Result<Health> PostgresStore::health(std::int64_t source_id) {
  return guarded([&] {
    auto q = db.query(kHealthOf, pg::Params().add(source_id));
    if (!q.next()) throw_no_source(source_id);
    return rows::read_health(q);
  });
}

Result<std::vector<Health>> PostgresStore::all_health() {
  return guarded([&] {
    std::vector<Health> all;
    auto q = db.query(kAllHealth);
    while (q.next()) all.push_back(rows::read_health(q));
    return all;
  });
}

Result<std::vector<Health>> PostgresStore::health_between(std::int64_t after_id, std::int64_t last_id) {
  return guarded([&] {
    std::vector<Health> page;
    auto q = db.query(kHealthBetween, pg::Params().add(after_id).add(last_id));
    while (q.next()) page.push_back(rows::read_health(q));
    return page;
  });
}

Result<std::vector<FetchHistoryEntry>> PostgresStore::fetch_history(std::int64_t source_id,
                                                                    std::size_t limit) {
  return guarded([&] {
    std::vector<FetchHistoryEntry> out;
    auto q = db.query(
        "SELECT attempted, status, http_status, error_class, error_text, bytes, latency_ms, items_added "
        "FROM fetch_history WHERE source_id = $1 ORDER BY id DESC LIMIT $2",
        pg::Params().add(source_id).add(static_cast<std::int64_t>(std::min<std::size_t>(limit, 10'000))));
    while (q.next()) {
      FetchHistoryEntry e;
      e.attempted = from_unix(q.int64(0));
      e.status = parse_fetch_status(q.text(1));
      e.http_status = static_cast<int>(q.int64(2));
      e.error_class = q.text(3);
      e.error_text = q.text(4);
      e.bytes = q.int64(5);
      e.latency = std::chrono::milliseconds{q.int64(6)};
      e.items_added = q.int64(7);
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<PublicationStats> PostgresStore::publication_stats(std::int64_t source_id) {
  return guarded([&] {
    PublicationStats stats;
    stats.items =
        db.scalar("SELECT count(*) FROM items WHERE source_id = $1", pg::Params().add(source_id)).value_or(0);
    auto q = db.query(
        "SELECT published FROM items WHERE source_id = $1 AND NOT date_approximate "
        "ORDER BY published DESC, id DESC LIMIT 50",
        pg::Params().add(source_id));
    std::vector<std::int64_t> dates;
    while (q.next()) dates.push_back(q.int64(0));
    if (!dates.empty()) stats.newest = from_unix(dates.front());
    if (dates.size() >= 2) {
      std::vector<std::int64_t> gaps;
      for (std::size_t i = 1; i < dates.size(); ++i) gaps.push_back(dates[i - 1] - dates[i]);
      std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
      stats.median_gap = std::chrono::seconds{gaps[gaps.size() / 2]};
    }
    return stats;
  });
}

Result<std::vector<std::int64_t>> PostgresStore::items_per_day(std::int64_t source_id, Instant now,
                                                               int days) {
  return guarded([&] {
    const DayWindow window = day_window(now, days);
    std::vector<std::int64_t> counts(static_cast<std::size_t>(std::max(days, 0)), 0);
    auto q = db.query(
        "SELECT (first_seen - $2) / 86400, count(*) FROM items "
        "WHERE source_id = $1 AND first_seen >= $2 AND first_seen < $3 GROUP BY 1",
        pg::Params().add(source_id).add(window.first).add(window.end));
    while (q.next()) counts.at(static_cast<std::size_t>(q.int64(0))) = q.int64(1);
    return counts;
  });
}

void PostgresStore::refresh_cluster(std::int64_t cluster_id) {
  std::int64_t size = 0;
  std::int64_t published = 0;
  {
    auto q = db.query("SELECT count(*), min(published) FROM items WHERE cluster_id = $1",
                      pg::Params().add(cluster_id));
    if (q.next()) {
      size = q.int64(0);
      published = q.int64(1);
    }
  }
  if (size == 0) {
    db.query("DELETE FROM clusters WHERE id = $1", pg::Params().add(cluster_id));  // categories cascade
    return;
  }
  db.query("UPDATE clusters SET size = $2, published = $3 WHERE id = $1",
           pg::Params().add(cluster_id).add(size).add(published));
  db.query("DELETE FROM cluster_categories WHERE cluster_id = $1", pg::Params().add(cluster_id));
  db.query(
      "INSERT INTO cluster_categories(category, cluster_id, published) "
      "SELECT DISTINCT sc.category, $1::bigint, $2::bigint FROM items i "
      "JOIN source_categories sc ON sc.source_id = i.source_id WHERE i.cluster_id = $1 ON CONFLICT DO "
      "NOTHING",
      pg::Params().add(cluster_id).add(published));
}

RetentionReport PostgresStore::purge_items(const std::vector<std::int64_t>& item_ids, Instant now,
                                           bool tombstone) {
  RetentionReport report;
  std::map<std::int64_t, std::int64_t> primaries;  // affected cluster -> its primary before the purge
  for (const auto id : item_ids) {
    auto info = db.query("SELECT source_id, key, cluster_id FROM items WHERE id = $1", pg::Params().add(id));
    if (!info.next()) continue;
    const auto source_id = info.int64(0);
    const auto key = info.int64(1);
    const auto cluster_id = info.int64(2);
    if (!primaries.contains(cluster_id))
      primaries[cluster_id] = db.scalar(kPrimary, pg::Params().add(cluster_id)).value_or(0);
    if (tombstone) {
      db.query(
          "INSERT INTO tombstones(source_id, key, purged) VALUES($1, $2, $3) "
          "ON CONFLICT (source_id, key) DO UPDATE SET purged = excluded.purged",
          pg::Params().add(source_id).add(key).add(to_unix(now)));
    }
    db.query("DELETE FROM items WHERE id = $1", pg::Params().add(id));
    window.remove(id);
    ++report.purged_items;
  }
  for (const auto& [cluster_id, old_primary] : primaries) {
    refresh_cluster(cluster_id);
    const auto new_primary = db.scalar(kPrimary, pg::Params().add(cluster_id));
    if (!new_primary) {
      ++report.dissolved_clusters;
    } else if (*new_primary != old_primary) {
      ++report.reassigned_primaries;
    }
  }
  return report;
}

Result<RetentionReport> PostgresStore::apply_retention(const RetentionPolicy& per_source,
                                                       const RetentionPolicy& global, Instant now) {
  return write([&] {
    std::set<std::int64_t> doomed;
    auto collect = [&](pg::Rows rows) {
      while (rows.next()) doomed.insert(rows.int64(0));
    };
    std::optional<std::chrono::seconds> max_age = per_source.max_age;
    if (global.max_age && (!max_age || *global.max_age < *max_age)) max_age = global.max_age;
    if (max_age) {
      collect(
          db.query("SELECT id FROM items WHERE published < $1", pg::Params().add(to_unix(now - *max_age))));
    }
    if (per_source.max_items) {
      collect(
          db.query("SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY source_id ORDER BY published "
                   "DESC, id DESC) "
                   "AS n FROM items) ranked WHERE n > $1",
                   pg::Params().add(std::max<std::int64_t>(0, *per_source.max_items))));
    }
    auto report = purge_items(std::vector<std::int64_t>(doomed.begin(), doomed.end()), now, true);
    if (global.max_items) {
      // Newest by arrival (item id), counted after the per-source purge (sqlite/retention.cpp).
      doomed.clear();
      collect(db.query("SELECT id FROM items ORDER BY id DESC OFFSET $1",
                       pg::Params().add(std::max<std::int64_t>(0, *global.max_items))));
      const auto more = purge_items(std::vector<std::int64_t>(doomed.begin(), doomed.end()), now, true);
      report.purged_items += more.purged_items;
      report.dissolved_clusters += more.dissolved_clusters;
      report.reassigned_primaries += more.reassigned_primaries;
    }
    if (report.purged_items > 0) bump_change(now);
    return report;
  });
}

Result<std::int64_t> PostgresStore::forget_tombstones(Instant older_than) {
  return guarded([&] {
    return db.query("DELETE FROM tombstones WHERE purged < $1", pg::Params().add(to_unix(older_than)))
        .affected();
  });
}

}  // namespace tinhop::storage
