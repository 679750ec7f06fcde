// Fetch state and health: what each poll leaves behind.
#include <algorithm>
#include <limits>

#include "rows.hpp"
#include "store_impl.hpp"

namespace tinhop::storage {

FetchState SqliteStore::record_poll(const FetchRecord& r) {
  require_source(r.source_id);
  const bool success = r.status != FetchStatus::failed;
  {
    auto q = db.statement(
        "UPDATE health SET last_attempt = ?2, last_success = CASE WHEN ?3 THEN ?2 ELSE last_success END, "
        "status = ?4, http_status = ?5, error_class = ?6, error_text = ?7, next_poll = ?8, "
        "items_added = items_added + ?9, consecutive_failures = CASE WHEN ?3 THEN 0 ELSE "
        "consecutive_failures + 1 END, "
        "polls = polls + 1, not_modified = not_modified + ?10, bytes = bytes + ?11, latency_ms = ?12, stale "
        "= ?13, date_order_seen = coalesce(?14, date_order_seen), "
        "dates_not_understood = coalesce(?15, dates_not_understood) "
        "WHERE source_id = ?1");
    q->bind(1, r.source_id)
        .bind(2, to_unix(r.attempted))
        .bind(3, success ? 1 : 0)
        .bind(4, fetch_status_name(r.status))
        .bind(5, r.http_status)
        .bind(6, success ? std::string_view() : std::string_view(r.error_class))
        .bind(7, success ? std::string_view() : std::string_view(r.error_text))
        .bind(8, r.next_poll ? std::optional<std::int64_t>(to_unix(*r.next_poll)) : std::nullopt)
        .bind(9, r.items_added)
        .bind(10, r.status == FetchStatus::not_modified ? 1 : 0)
        .bind(11, r.bytes)
        .bind(12, static_cast<std::int64_t>(r.latency.count()))
        .bind(13, r.stale ? 1 : 0)
        .bind(14, r.date_order_seen ? std::optional<std::string_view>(date_order_name(*r.date_order_seen))
                                    : std::nullopt)
        .bind(15, r.dates_not_understood)
        .run();
  }
  {
    auto q = db.statement(
        "INSERT INTO fetch_history(source_id, attempted, status, http_status, error_class, error_text, "
        "bytes, "
        "latency_ms, items_added) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    q->bind(1, r.source_id)
        .bind(2, to_unix(r.attempted))
        .bind(3, fetch_status_name(r.status))
        .bind(4, r.http_status)
        .bind(5, r.error_class)
        .bind(6, r.error_text)
        .bind(7, r.bytes)
        .bind(8, static_cast<std::int64_t>(r.latency.count()))
        .bind(9, r.items_added)
        .run();
    auto trim = db.statement(
        "DELETE FROM fetch_history WHERE source_id = ?1 AND id <= (SELECT id FROM fetch_history "
        "WHERE source_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)");
    trim->bind(1, r.source_id).bind(2, kHistoryPerSource).run();
  }
  {
    // A permanent redirect counts only while every poll sees the same target.
    auto q = db.statement(
        "UPDATE sources SET etag = coalesce(?2, etag), last_modified = coalesce(?3, last_modified), "
        "body_hash = coalesce(?4, body_hash), "
        "redirect_streak = CASE WHEN ?5 IS NULL THEN 0 WHEN redirect_target IS ?5 THEN redirect_streak + 1 "
        "ELSE 1 END, redirect_target = ?5, adaptive_interval_s = coalesce(?6, adaptive_interval_s) WHERE id "
        "= ?1");
    q->bind(1, r.source_id)
        .bind(2, r.etag)
        .bind(3, r.last_modified)
        .bind(4, r.body_hash)
        .bind(5, r.permanent_redirect)
        .bind(6,
              r.adaptive_interval ? std::optional<std::int64_t>(r.adaptive_interval->count()) : std::nullopt)
        .run();
  }
  return fetch_state(r.source_id);
}

Result<FetchState> SqliteStore::record_fetch(const FetchRecord& record) {
  return guarded([&] {
    sql::Transaction tx(db);
    auto state = record_poll(record);
    tx.commit();
    return state;
  });
}

namespace {
constexpr const char* kHealthColumns =
    "SELECT source_id, last_attempt, last_success, status, http_status, error_class, error_text, next_poll, "
    "items_added, consecutive_failures, polls, not_modified, bytes, latency_ms, stale, last_new_item, "
    "date_order_seen, dates_not_understood FROM health ";

}  // namespace

Result<Health> SqliteStore::health(std::int64_t source_id) {
  return guarded([&] {
    static const std::string sql = std::string(kHealthColumns) + "WHERE source_id = ?1";
    auto q = db.statement(sql.c_str());
    q->bind(1, source_id);
    if (!q->step()) throw_no_source(source_id);
    return rows::read_health(*q);
  });
}

Result<std::vector<Health>> SqliteStore::all_health() {
  return guarded([&] {
    static const std::string sql = std::string(kHealthColumns) + "ORDER BY source_id";
    std::vector<Health> all;
    auto q = db.statement(sql.c_str());
    while (q->step()) all.push_back(rows::read_health(*q));
    return all;
  });
}

Result<std::vector<Health>> SqliteStore::health_between(std::int64_t after_id, std::int64_t last_id) {
  return guarded([&] {
    static const std::string sql =
        std::string(kHealthColumns) + "WHERE source_id > ?1 AND source_id <= ?2 ORDER BY source_id";
    std::vector<Health> page;
    auto q = db.statement(sql.c_str());
    q->bind(1, after_id).bind(2, last_id);
    while (q->step()) page.push_back(rows::read_health(*q));
    return page;
  });
}

Result<std::vector<FetchHistoryEntry>> SqliteStore::fetch_history(std::int64_t source_id, std::size_t limit) {
  return guarded([&] {
    std::vector<FetchHistoryEntry> out;
    auto q = db.statement(
        "SELECT attempted, status, http_status, error_class, error_text, bytes, latency_ms, items_added "
        "FROM fetch_history WHERE source_id = ?1 ORDER BY id DESC LIMIT ?2");
    q->bind(1, source_id).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 10'000)));
    while (q->step()) {
      FetchHistoryEntry e;
      e.attempted = from_unix(q->int64(0));
      const auto status = q->text(1);
      e.status = status == "ok"
                     ? FetchStatus::ok
                     : (status == "not_modified" ? FetchStatus::not_modified : FetchStatus::failed);
      e.http_status = static_cast<int>(q->int64(2));
      e.error_class = q->text(3);
      e.error_text = q->text(4);
      e.bytes = q->int64(5);
      e.latency = std::chrono::milliseconds{q->int64(6)};
      e.items_added = q->int64(7);
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<PublicationStats> SqliteStore::publication_stats(std::int64_t source_id) {
  return guarded([&] {
    PublicationStats stats;
    {
      auto q = db.statement("SELECT count(*) FROM items WHERE source_id = ?1");
      q->bind(1, source_id);
      if (q->step()) stats.items = q->int64(0);
    }
    auto q = db.statement(
        "SELECT published FROM items WHERE source_id = ?1 AND date_approximate = 0 "
        "ORDER BY published DESC, id DESC LIMIT 50");
    q->bind(1, source_id);
    std::vector<std::int64_t> dates;
    while (q->step()) dates.push_back(q->int64(0));
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

Result<std::vector<std::int64_t>> SqliteStore::items_per_day(std::int64_t source_id, Instant now, int days) {
  return guarded([&] {
    const DayWindow window = day_window(now, days);
    std::vector<std::int64_t> counts(static_cast<std::size_t>(std::max(days, 0)), 0);
    auto q = db.statement(
        "SELECT (first_seen - ?2) / 86400, count(*) FROM items "
        "WHERE source_id = ?1 AND first_seen >= ?2 AND first_seen < ?3 GROUP BY 1");
    q->bind(1, source_id).bind(2, window.first).bind(3, window.end);
    while (q->step()) counts.at(static_cast<std::size_t>(q->int64(0))) = q->int64(1);
    return counts;
  });
}

}  // namespace tinhop::storage
