// Opening the store, sources, fetch state and health.
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <system_error>

#include "rows.hpp"
#include "schema.hpp"
#include "store_impl.hpp"

namespace tinhop::storage {
namespace {

using rows::read_source;
using rows::seconds_of;

constexpr const char* kSourceColumns =
    "SELECT s.id, s.url, s.title, s.type, s.interval_s, s.min_interval_s, s.max_interval_s, s.time_zone, "
    "s.date_order, s.republication, s.enabled, s.disabled_reason, s.headers, s.origin, s.html_selectors, "
    "s.feed_title, s.site_link, s.etag, s.last_modified, s.body_hash, s.redirect_target, s.redirect_streak, "
    "s.moved_from, s.moved_at, s.adaptive_interval_s, s.created, s.modified, h.last_new_item, "
    "s.follow_links, "
    "s.websub FROM sources s LEFT JOIN health h ON h.source_id = s.id ";

void load_categories(sql::Database& db, Source& source) {
  auto q = db.statement("SELECT category FROM source_categories WHERE source_id = ?1 ORDER BY position");
  q->bind(1, source.id);
  while (q->step()) source.settings.categories.push_back(q->text(0));
}

void validate(const SourceSettings& settings) {
  if (settings.url.empty()) throw sql::SqlFailure{Error{Errc::invalid_argument, "source url is empty"}};
  for (const auto& category : settings.categories) {
    if (category.empty()) throw sql::SqlFailure{Error{Errc::invalid_argument, "empty category name"}};
  }
}

void write_categories(sql::Database& db, std::int64_t id, const std::vector<std::string>& categories) {
  auto del = db.statement("DELETE FROM source_categories WHERE source_id = ?1");
  del->bind(1, id).run();
  auto ins = db.statement(
      "INSERT OR IGNORE INTO source_categories(source_id, category, position) VALUES(?1, ?2, ?3)");
  int position = 0;
  for (const auto& category : categories) {
    ins->bind(1, id).bind(2, category).bind(3, position++).run();
    ins->reset();
  }
}

// Rebuilds the clusters the source takes part in (its categories changed).
void refresh_clusters_of_source(sql::Database& db, std::int64_t source_id) {
  auto clusters = db.prepare("SELECT DISTINCT cluster_id FROM items WHERE source_id = ?1");
  clusters.bind(1, source_id);
  std::vector<std::int64_t> ids;
  while (clusters.step()) ids.push_back(clusters.int64(0));
  for (const auto id : ids) refresh_cluster(db, id);
}

// Binds a source's settings to 14 consecutive parameters from `first`, in the column order
// url, title, type, interval_s, min_interval_s, max_interval_s, time_zone, date_order,
// republication, enabled, headers, origin, html_selectors, follow_links (as INSERT and
// UPDATE list them).
sql::Statement& bind_settings(sql::Statement& q, int first, const SourceSettings& settings) {
  return q.bind(first, settings.url)
      .bind(first + 1, settings.title)
      .bind(first + 2, source_type_name(settings.type))
      .bind(first + 3, seconds_of(settings.interval))
      .bind(first + 4, seconds_of(settings.min_interval))
      .bind(first + 5, seconds_of(settings.max_interval))
      .bind(first + 6, settings.time_zone)
      .bind(first + 7, date_order_name(settings.date_order))
      .bind(first + 8, republication_name(settings.republication))
      .bind(first + 9, settings.enabled ? 1 : 0)
      .bind(first + 10, encode_headers(settings.headers))
      .bind(first + 11, origin_name(settings.origin))
      .bind(first + 12, settings.html_selectors)
      .bind(first + 13, settings.follow_links ? 1 : 0);
}

// One statement per table: a table name cannot be a bound parameter.
const char* next_id_sql(IdTable table) {
  switch (table) {
    case IdTable::sources:
      return "SELECT max(coalesce((SELECT max(id) FROM sources), 0), "
             "coalesce((SELECT id FROM id_high_water WHERE table_name = 'sources'), 0)) + 1";
    case IdTable::items:
      return "SELECT max(coalesce((SELECT max(id) FROM items), 0), "
             "coalesce((SELECT id FROM id_high_water WHERE table_name = 'items'), 0)) + 1";
    case IdTable::clusters:
      return "SELECT max(coalesce((SELECT max(id) FROM clusters), 0), "
             "coalesce((SELECT id FROM id_high_water WHERE table_name = 'clusters'), 0)) + 1";
  }
  return "";
}

}  // namespace

void SqliteStore::bump_change(Instant now) {
  auto q = db.statement(
      "UPDATE meta SET value = CASE key WHEN 'change_version' THEN value + 1 ELSE max(value, ?1) END "
      "WHERE key IN ('change_version', 'change_at')");
  q->bind(1, to_unix(now)).run();
}

void SqliteStore::bump_sources() {
  db.statement("UPDATE meta SET value = value + 1 WHERE key = 'sources_version'")->run();
}

std::int64_t SqliteStore::next_id(IdTable table) {
  auto q = db.statement(next_id_sql(table));
  q->step();
  return q->int64(0);
}

void SqliteStore::require_source(std::int64_t id) {
  auto q = db.statement("SELECT 1 FROM sources WHERE id = ?1");
  q->bind(1, id);
  if (!q->step()) throw_no_source(id);
}

DedupWindow& SqliteStore::candidates() {
  if (!window_loaded) load_window();
  return window;
}

void SqliteStore::start_checkpointer() {
  if (checkpointer || checkpointer_tried || options.read_only) return;
  checkpointer_tried = true;
  const char* path = sqlite3_db_filename(db.handle(), "main");
  if (path == nullptr || *path == '\0') return;  // in memory: no WAL
  auto mode = db.prepare("PRAGMA journal_mode");
  if (!mode.step() || mode.text(0) != "wal") return;
  try {
    checkpointer = std::make_unique<Checkpointer>(db.handle(), path);
  } catch (const sql::SqlFailure&) {
    // No second connection or thread: SQLite's own checkpoints in the commit still run, which
    // is slower but no reason to refuse the items.
  }
}

void SqliteStore::load_window() {
  window.clear();
  window_loaded = true;
  if (window.capacity() == 0) return;
  // The newest stored items (by id: insertion order), as many as the window keeps, read
  // oldest first so they go straight in without a copy of them all.
  std::int64_t first_id = 0;
  {
    auto q =
        db.prepare("SELECT id FROM items WHERE fingerprint IS NOT NULL ORDER BY id DESC LIMIT 1 OFFSET ?1");
    q.bind(1, static_cast<std::int64_t>(window.capacity() - 1));
    if (q.step()) first_id = q.int64(0);
  }
  auto q = db.prepare(
      "SELECT id, cluster_id, source_id, published, fingerprint FROM items "
      "WHERE id >= ?1 AND fingerprint IS NOT NULL ORDER BY id");
  q.bind(1, first_id);
  while (q.step()) {
    window.add(DedupWindow::Entry{q.int64(0), q.int64(1), q.int64(2), q.int64(3), from_bytes(q.blob(4))});
  }
}

int sqlite::schema_version() {
  return schema::latest_version();
}

Result<std::unique_ptr<Backend>> sqlite::open(const std::string& path, const OpenOptions& options) {
  return guarded([&]() -> std::unique_ptr<Backend> {
    sql::Database db(path, options.read_only);
    db.exec(("PRAGMA busy_timeout = " + std::to_string(options.busy_timeout.count())).c_str());
    db.exec("PRAGMA foreign_keys = ON");
    db.exec(("PRAGMA cache_size = -" + std::to_string(std::max<std::int64_t>(options.page_cache_kib, 64)))
                .c_str());
    if (!options.read_only) {
      const bool fresh = schema::current_version(db) == 0;
      if (fresh) db.exec("PRAGMA auto_vacuum = INCREMENTAL");  // only takes effect before the first table
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      // Debian builds SQLite with secure_delete on: every page a full-text merge frees was
      // written again as zeros, a twentieth of the WAL at 1M items. FAST still clears
      // deleted cells inside the pages a write touches anyway; the items are public news.
      db.exec("PRAGMA secure_delete = FAST");
      schema::migrate(db, options.migrate_to.value_or(schema::latest_version()));
    } else if (schema::current_version(db) > schema::latest_version()) {
      schema::migrate(db, schema::latest_version());  // reports too_new
    }
    return std::make_unique<SqliteStore>(std::move(db), options);
  });
}

Result<std::int64_t> SqliteStore::add_source(const SourceSettings& settings, Instant now) {
  return guarded([&] {
    validate(settings);
    sql::Transaction tx(db);
    {
      auto exists = db.statement("SELECT id FROM sources WHERE url = ?1");
      exists->bind(1, settings.url);
      if (exists->step()) {
        throw sql::SqlFailure{Error{
            Errc::already_exists,
            "a source with url " + settings.url + " exists (id " + std::to_string(exists->int64(0)) + ")"}};
      }
    }
    const auto id = next_id(IdTable::sources);
    auto q = db.statement(
        "INSERT INTO sources(url, title, type, interval_s, min_interval_s, max_interval_s, time_zone, "
        "date_order, "
        "republication, enabled, headers, origin, html_selectors, follow_links, created, modified, id, "
        "websub) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17)");
    bind_settings(*q, 1, settings)
        .bind(15, to_unix(now))
        .bind(16, id)
        .bind(17, settings.websub ? 1 : 0)
        .run();
    write_categories(db, id, settings.categories);
    bump_sources();
    auto health = db.statement("INSERT INTO health(source_id) VALUES(?1)");
    health->bind(1, id).run();
    bump_change(now);
    tx.commit();
    return id;
  });
}

Result<void> SqliteStore::update_source(std::int64_t id, const SourceSettings& settings, Instant now) {
  return guarded([&] {
    validate(settings);
    sql::Transaction tx(db);
    require_source(id);
    {
      auto clash = db.statement("SELECT id FROM sources WHERE url = ?1 AND id <> ?2");
      clash->bind(1, settings.url).bind(2, id);
      if (clash->step()) {
        throw sql::SqlFailure{
            Error{Errc::already_exists,
                  "another source (id " + std::to_string(clash->int64(0)) + ") has url " + settings.url}};
      }
    }
    auto q = db.statement(
        "UPDATE sources SET url = ?2, title = ?3, type = ?4, interval_s = ?5, min_interval_s = ?6, "
        "max_interval_s = ?7, time_zone = ?8, date_order = ?9, republication = ?10, enabled = ?11, "
        "disabled_reason = CASE WHEN ?11 THEN '' ELSE disabled_reason END, headers = ?12, origin = ?13, "
        "html_selectors = ?14, follow_links = ?15, modified = ?16, websub = ?17, "
        "etag = CASE WHEN url = ?2 THEN etag END, last_modified = CASE WHEN url = ?2 THEN last_modified END, "
        "body_hash = CASE WHEN url = ?2 THEN body_hash END WHERE id = ?1");
    q->bind(1, id);
    bind_settings(*q, 2, settings).bind(16, to_unix(now)).bind(17, settings.websub ? 1 : 0).run();
    write_categories(db, id, settings.categories);
    refresh_clusters_of_source(db, id);
    bump_sources();
    bump_change(now);
    tx.commit();
  });
}

Result<Source> SqliteStore::get_source(std::int64_t id) {
  return guarded([&] {
    static const std::string sql = std::string(kSourceColumns) + "WHERE s.id = ?1";
    auto s = db.statement(sql.c_str());
    s->bind(1, id);
    if (!s->step()) throw_no_source(id);
    Source source = read_source(*s);
    load_categories(db, source);
    return source;
  });
}

Result<std::optional<Source>> SqliteStore::find_source_by_url(std::string_view url) {
  return guarded([&]() -> std::optional<Source> {
    static const std::string sql = std::string(kSourceColumns) + "WHERE s.url = ?1";
    auto s = db.statement(sql.c_str());
    s->bind(1, url);
    if (!s->step()) return std::nullopt;
    Source source = read_source(*s);
    load_categories(db, source);
    return source;
  });
}

Result<std::vector<Source>> SqliteStore::list_sources_after(std::int64_t after_id, std::size_t limit) {
  return guarded([&] {
    static const std::string sql = std::string(kSourceColumns) + "WHERE s.id > ?1 ORDER BY s.id LIMIT ?2";
    std::vector<Source> sources;
    {
      auto s = db.statement(sql.c_str());
      s->bind(1, after_id).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
      while (s->step()) sources.push_back(read_source(*s));
    }
    if (sources.empty()) return sources;
    auto c = db.statement(
        "SELECT source_id, category FROM source_categories WHERE source_id > ?1 AND source_id <= ?2 "
        "ORDER BY source_id, position");
    c->bind(1, after_id).bind(2, sources.back().id);
    std::size_t at = 0;
    while (c->step()) {
      const auto id = c->int64(0);
      while (at < sources.size() && sources[at].id < id) ++at;
      if (at < sources.size() && sources[at].id == id) sources[at].settings.categories.push_back(c->text(1));
    }
    return sources;
  });
}

Result<void> SqliteStore::remove_source(std::int64_t id) {
  return guarded([&] {
    sql::Transaction tx(db);
    require_source(id);
    std::vector<std::int64_t> items;
    {
      auto q = db.statement("SELECT id FROM items WHERE source_id = ?1");
      q->bind(1, id);
      while (q->step()) items.push_back(q->int64(0));
    }
    purge_items(items, Instant{}, false);
    auto del = db.statement("DELETE FROM sources WHERE id = ?1");
    del->bind(1, id).run();
    auto tomb = db.statement("DELETE FROM tombstones WHERE source_id = ?1");
    bump_sources();
    tomb->bind(1, id).run();
    bump_change(Instant{});
    flush_search_index();
    tx.commit();
  });
}

Result<void> SqliteStore::set_enabled(std::int64_t id, bool enabled, Instant now, std::string_view reason) {
  return guarded([&] {
    sql::Transaction tx(db);
    require_source(id);
    auto q =
        db.statement("UPDATE sources SET enabled = ?2, disabled_reason = ?3, modified = ?4 WHERE id = ?1");
    bump_sources();
    q->bind(1, id)
        .bind(2, enabled ? 1 : 0)
        .bind(3, enabled ? std::string_view() : reason)
        .bind(4, to_unix(now))
        .run();
    bump_change(now);
    tx.commit();
  });
}

Result<void> SqliteStore::move_source(std::int64_t id, const std::string& new_url, Instant now) {
  return guarded([&] {
    if (new_url.empty()) throw sql::SqlFailure{Error{Errc::invalid_argument, "new url is empty"}};
    sql::Transaction tx(db);
    require_source(id);
    auto clash = db.statement("SELECT id FROM sources WHERE url = ?1 AND id <> ?2");
    clash->bind(1, new_url).bind(2, id);
    if (clash->step()) {
      throw sql::SqlFailure{Error{
          Errc::already_exists, "source " + std::to_string(clash->int64(0)) + " already has url " + new_url}};
    }
    auto q = db.statement(
        "UPDATE sources SET moved_from = url, moved_at = ?3, url = ?2, redirect_target = NULL, "
        "redirect_streak = 0, etag = NULL, last_modified = NULL, body_hash = NULL, modified = ?3 WHERE id = "
        "?1");
    q->bind(1, id).bind(2, new_url).bind(3, to_unix(now)).run();
    bump_sources();
    tx.commit();
  });
}

Result<void> SqliteStore::set_feed_info(std::int64_t id, const std::optional<std::string>& title,
                                        const std::optional<std::string>& site_link) {
  return guarded([&] {
    sql::Transaction tx(db);
    require_source(id);
    auto q = db.statement(
        "UPDATE sources SET feed_title = ?2, site_link = ?3 WHERE id = ?1 AND "
        "(feed_title IS NOT ?2 OR site_link IS NOT ?3)");
    q->bind(1, id).bind(2, title).bind(3, site_link).run();
    if (db.changes() > 0) bump_change(Instant{});  // rendered feeds show the title
    tx.commit();
  });
}

Result<std::vector<std::string>> SqliteStore::list_categories() {
  return guarded([&] {
    std::vector<std::string> categories;
    auto q = db.statement("SELECT DISTINCT category FROM source_categories ORDER BY category");
    while (q->step()) categories.push_back(q->text(0));
    return categories;
  });
}

FetchState SqliteStore::fetch_state(std::int64_t id) {
  static const std::string sql = std::string(kSourceColumns) + "WHERE s.id = ?1";
  auto s = db.statement(sql.c_str());
  s->bind(1, id);
  if (!s->step()) throw_no_source(id);
  return read_source(*s).fetch;
}

Result<std::int64_t> SqliteStore::sources_version() {
  return guarded([&] {
    auto q = db.statement("SELECT value FROM meta WHERE key = 'sources_version'");
    return q->step() ? q->int64(0) : std::int64_t{0};
  });
}

Result<ChangeStamp> SqliteStore::last_change() {
  return guarded([&] {
    ChangeStamp stamp;
    auto q = db.statement("SELECT key, value FROM meta WHERE key IN ('change_version', 'change_at')");
    while (q->step()) {
      if (q->text(0) == "change_version") {
        stamp.version = q->int64(1);
      } else {
        stamp.at = from_unix(q->int64(1));
      }
    }
    return stamp;
  });
}

Result<void> SqliteStore::add_rule_counts(std::span<const RuleCount> counts) {
  return guarded([&] {
    sql::Transaction transaction(db);
    for (const RuleCount& count : counts) {
      auto q = db.statement(
          "INSERT INTO rule_counts(source_id, rule, dropped, timeouts) SELECT ?1, ?2, ?3, ?4 "
          "WHERE EXISTS (SELECT 1 FROM sources WHERE id = ?1) ON CONFLICT(source_id, rule) DO UPDATE SET "
          "dropped = dropped + excluded.dropped, timeouts = timeouts + excluded.timeouts");
      q->bind(1, count.source_id).bind(2, count.rule).bind(3, count.dropped).bind(4, count.timeouts).run();
    }
    transaction.commit();
  });
}

Result<std::vector<RuleCount>> SqliteStore::rule_counts(std::optional<std::int64_t> source_id) {
  return guarded([&] {
    std::vector<RuleCount> out;
    auto q = db.statement(
        source_id
            ? "SELECT source_id, rule, dropped, timeouts FROM rule_counts WHERE source_id = ?1 ORDER BY rule"
            : "SELECT 0, rule, sum(dropped), sum(timeouts) FROM rule_counts GROUP BY rule ORDER BY rule");
    if (source_id) q->bind(1, *source_id);
    while (q->step()) out.push_back({q->int64(0), q->text(1), q->int64(2), q->int64(3)});
    return out;
  });
}

Result<std::vector<Instant>> SqliteStore::arrivals(std::int64_t source_id, Instant since) {
  return guarded([&] {
    std::vector<Instant> out;
    auto q = db.statement(
        "SELECT DISTINCT first_seen FROM items WHERE source_id = ?1 AND first_seen >= ?2 ORDER BY "
        "first_seen");
    q->bind(1, source_id).bind(2, to_unix(since));
    while (q->step()) out.push_back(from_unix(q->int64(0)));
    return out;
  });
}

Result<std::vector<SourceAlert>> SqliteStore::source_alerts() {
  return guarded([&] {
    std::vector<SourceAlert> out;
    auto q = db.statement("SELECT source_id, condition, since FROM source_alerts ORDER BY source_id");
    while (q->step()) out.push_back({q->int64(0), q->text(1), from_unix(q->int64(2))});
    return out;
  });
}

Result<std::int64_t> SqliteStore::record_alert(const AlertEvent& event) {
  return guarded([&] {
    sql::Transaction transaction(db);
    if (event.kind == "recovered") {
      db.statement("DELETE FROM source_alerts WHERE source_id = ?1")->bind(1, event.source_id).run();
    } else {
      auto q = db.statement(
          "INSERT INTO source_alerts(source_id, condition, since) SELECT ?1, ?2, ?3 "
          "WHERE EXISTS (SELECT 1 FROM sources WHERE id = ?1) ON CONFLICT(source_id) DO UPDATE SET "
          "condition = excluded.condition, since = excluded.since");
      q->bind(1, event.source_id).bind(2, event.kind).bind(3, to_unix(event.at)).run();
    }
    auto add = db.statement("INSERT INTO alert_events(source_id, kind, at, detail) VALUES(?1, ?2, ?3, ?4)");
    add->bind(1, event.source_id).bind(2, event.kind).bind(3, to_unix(event.at)).bind(4, event.detail).run();
    // The newest row is never trimmed, so ids only grow.
    auto newest = db.statement("SELECT max(id) FROM alert_events");
    newest->step();
    const std::int64_t id = newest->int64(0);
    db.statement("DELETE FROM alert_events WHERE id <= ?1")->bind(1, id - kAlertHistory).run();
    transaction.commit();
    return id;
  });
}

Result<std::vector<AlertEvent>> SqliteStore::recent_alerts(std::size_t limit) {
  return guarded([&] {
    std::vector<AlertEvent> out;
    auto q =
        db.statement("SELECT id, source_id, kind, at, detail FROM alert_events ORDER BY id DESC LIMIT ?1");
    q->bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, kAlertHistory)));
    while (q->step())
      out.push_back({q->int64(0), q->int64(1), q->text(2), from_unix(q->int64(3)), q->text(4)});
    return out;
  });
}

Result<StoreStats> SqliteStore::stats() {
  return guarded([&] {
    StoreStats stats;
    auto count = [&](const char* sql) {
      auto q = db.statement(sql);
      return q->step() ? q->int64(0) : 0;
    };
    stats.sources = count("SELECT count(*) FROM sources");
    stats.items = count("SELECT count(*) FROM items");
    stats.clusters = count("SELECT count(*) FROM clusters");
    stats.tombstones = count("SELECT count(*) FROM tombstones");
    stats.schema_version = schema::current_version(db);
    return stats;
  });
}

Result<void> SqliteStore::checkpoint() {
  return guarded([&] { db.exec("PRAGMA wal_checkpoint(TRUNCATE)"); });
}

Result<void> SqliteStore::vacuum(std::int64_t pages) {
  return guarded([&] {
    auto q =
        db.prepare("PRAGMA incremental_vacuum(" + std::to_string(std::max<std::int64_t>(pages, 0)) + ")");
    q.run();
  });
}

}  // namespace tinhop::storage
