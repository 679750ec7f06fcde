// Retention: purging old items, leaving tombstones, keeping clusters consistent.
#include <map>
#include <optional>
#include <set>

#include "store_impl.hpp"

namespace tinhop::storage {

void refresh_cluster(sql::Database& db, std::int64_t cluster_id) {
  std::int64_t size = 0;
  std::int64_t published = 0;
  {
    auto q = db.statement("SELECT count(*), min(published) FROM items WHERE cluster_id = ?1");
    q->bind(1, cluster_id);
    if (q->step()) {
      size = q->int64(0);
      published = q->is_null(1) ? 0 : q->int64(1);
    }
  }
  if (size == 0) {
    auto del = db.statement("DELETE FROM clusters WHERE id = ?1");  // cluster_categories cascade
    del->bind(1, cluster_id).run();
    return;
  }
  auto upd = db.statement("UPDATE clusters SET size = ?2, published = ?3 WHERE id = ?1");
  upd->bind(1, cluster_id).bind(2, size).bind(3, published).run();
  auto del = db.statement("DELETE FROM cluster_categories WHERE cluster_id = ?1");
  del->bind(1, cluster_id).run();
  auto ins = db.statement(
      "INSERT OR IGNORE INTO cluster_categories(category, cluster_id, published) "
      "SELECT sc.category, ?1, ?2 FROM items i JOIN source_categories sc ON sc.source_id = i.source_id "
      "WHERE i.cluster_id = ?1");
  ins->bind(1, cluster_id).bind(2, published).run();
}

RetentionReport SqliteStore::purge_items(const std::vector<std::int64_t>& item_ids, Instant now,
                                         bool tombstone) {
  RetentionReport report;
  std::map<std::int64_t, std::int64_t> primaries;  // affected cluster -> its primary before the purge
  {
    auto info = db.statement("SELECT source_id, key, cluster_id FROM items WHERE id = ?1");
    auto primary = db.statement("SELECT id FROM items WHERE cluster_id = ?1 ORDER BY published, id LIMIT 1");
    auto tomb = db.statement("INSERT OR REPLACE INTO tombstones(source_id, key, purged) VALUES(?1, ?2, ?3)");
    auto del = db.statement("DELETE FROM items WHERE id = ?1");
    for (const auto id : item_ids) {
      info->bind(1, id);
      if (!info->step()) {
        info->reset();
        continue;
      }
      const auto source_id = info->int64(0);
      const auto key = info->int64(1);
      const auto cluster_id = info->int64(2);
      info->reset();
      if (!primaries.contains(cluster_id)) {
        primary->bind(1, cluster_id);
        primaries[cluster_id] = primary->step() ? primary->int64(0) : 0;
        primary->reset();
      }
      if (tombstone) {
        tomb->bind(1, source_id).bind(2, key).bind(3, to_unix(now)).run();
        tomb->reset();
      }
      del->bind(1, id).run();
      del->reset();
      window.remove(id);
      ++report.purged_items;
    }
  }
  auto primary = db.statement("SELECT id FROM items WHERE cluster_id = ?1 ORDER BY published, id LIMIT 1");
  for (const auto& [cluster_id, old_primary] : primaries) {
    refresh_cluster(db, cluster_id);
    primary->bind(1, cluster_id);
    const bool alive = primary->step();
    const auto new_primary = alive ? primary->int64(0) : 0;
    primary->reset();
    if (!alive) {
      ++report.dissolved_clusters;
    } else if (new_primary != old_primary) {
      ++report.reassigned_primaries;
    }
  }
  return report;
}

Result<RetentionReport> SqliteStore::apply_retention(const RetentionPolicy& per_source,
                                                     const RetentionPolicy& global, Instant now) {
  auto result = guarded([&] {
    sql::Transaction tx(db);
    std::set<std::int64_t> doomed;
    auto collect = [&](sql::Statement& q) {
      while (q.step()) doomed.insert(q.int64(0));
    };
    // Age limits walk each source's (source_id, published) index: a global index on the
    // date alone would cost every insert one more b-tree write for a once-a-day job.
    std::optional<std::chrono::seconds> max_age = per_source.max_age;
    if (global.max_age && (!max_age || *global.max_age < *max_age)) max_age = global.max_age;
    if (max_age || per_source.max_items) {
      std::vector<std::int64_t> sources;
      {
        auto q = db.statement("SELECT id FROM sources");
        while (q->step()) sources.push_back(q->int64(0));
      }
      for (const auto source : sources) {
        if (max_age) {
          auto q = db.statement("SELECT id FROM items WHERE source_id = ?1 AND published < ?2");
          q->bind(1, source).bind(2, to_unix(now - *max_age));
          collect(*q);
        }
        if (per_source.max_items) {
          auto q = db.statement(
              "SELECT id FROM items WHERE source_id = ?1 ORDER BY published DESC, id DESC LIMIT -1 OFFSET "
              "?2");
          q->bind(1, source).bind(2, std::max<std::int64_t>(0, *per_source.max_items));
          collect(*q);
        }
      }
    }
    auto report = purge_items(std::vector<std::int64_t>(doomed.begin(), doomed.end()), now, true);
    if (global.max_items) {
      // Counted after the per-source purge, newest by arrival (item id): the store receives
      // items roughly in publication order, and a feed's late backfill of old items should
      // not evict what readers just saw.
      doomed.clear();
      auto q = db.statement("SELECT id FROM items ORDER BY id DESC LIMIT -1 OFFSET ?1");
      q->bind(1, std::max<std::int64_t>(0, *global.max_items));
      collect(*q);
      const auto more = purge_items(std::vector<std::int64_t>(doomed.begin(), doomed.end()), now, true);
      report.purged_items += more.purged_items;
      report.dissolved_clusters += more.dissolved_clusters;
      report.reassigned_primaries += more.reassigned_primaries;
    }
    if (report.purged_items > 0) bump_change(now);
    flush_search_index();
    tx.commit();
    return report;
  });
  if (!result) (void)guarded([&] { load_window(); });
  return result;
}

Result<std::int64_t> SqliteStore::forget_tombstones(Instant older_than) {
  return guarded([&] {
    sql::Transaction tx(db);
    auto q = db.statement("DELETE FROM tombstones WHERE purged < ?1");
    q->bind(1, to_unix(older_than)).run();
    const std::int64_t removed = db.changes();
    tx.commit();
    return removed;
  });
}

}  // namespace tinhop::storage
