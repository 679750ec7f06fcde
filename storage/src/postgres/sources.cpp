// Opening a PostgreSQL store; sources, change markers and counts.
#include <algorithm>
#include <limits>

#include <boost/json.hpp>

#include "postgres_store.hpp"
#include "rows.hpp"
#include "schema.hpp"

namespace tinhop::storage {
namespace {

using rows::seconds_of;

#define TINHOP_SOURCE_COLUMNS                                                                               \
  "SELECT s.id, s.url, s.title, s.type, s.interval_s, s.min_interval_s, s.max_interval_s, s.time_zone, "    \
  "s.date_order, s.republication, s.enabled, s.disabled_reason, s.headers, s.origin, s.html_selectors, "    \
  "s.feed_title, s.site_link, s.etag, s.last_modified, s.body_hash, s.redirect_target, s.redirect_streak, " \
  "s.moved_from, s.moved_at, s.adaptive_interval_s, s.created, s.modified, h.last_new_item, "               \
  "s.follow_links, s.websub, "                                                                              \
  "(SELECT coalesce(array_to_json(array_agg(c.category ORDER BY c.position))::text, '[]') "                 \
  "FROM source_categories c WHERE c.source_id = s.id) "                                                     \
  "FROM sources s LEFT JOIN health h ON h.source_id = s.id "

constexpr const char* kSourceById = TINHOP_SOURCE_COLUMNS "WHERE s.id = $1";
constexpr const char* kSourceByUrl = TINHOP_SOURCE_COLUMNS "WHERE s.url = $1";
constexpr const char* kSourcesAfter = TINHOP_SOURCE_COLUMNS "WHERE s.id > $1 ORDER BY s.id LIMIT $2";
#undef TINHOP_SOURCE_COLUMNS

// The categories column: a JSON array of strings (array_to_json), in position order.
std::vector<std::string> decode_categories(std::string_view json) {
  std::vector<std::string> out;
  boost::system::error_code error;
  const auto value = boost::json::parse(json, error);
  if (error || !value.is_array()) return out;
  for (const auto& category : value.get_array()) {
    if (category.is_string()) out.emplace_back(category.get_string());
  }
  return out;
}

Source read_source(const pg::Rows& row) {
  Source source = rows::read_source(row);
  source.settings.categories = decode_categories(row.text(30));
  return source;
}

void validate(const SourceSettings& settings) {
  if (settings.url.empty()) throw sql::SqlFailure{Error{Errc::invalid_argument, "source url is empty"}};
  for (const auto& category : settings.categories) {
    if (category.empty()) throw sql::SqlFailure{Error{Errc::invalid_argument, "empty category name"}};
  }
}

void write_categories(pg::Connection& db, std::int64_t id, const std::vector<std::string>& categories) {
  db.query("DELETE FROM source_categories WHERE source_id = $1", pg::Params().add(id));
  int position = 0;
  for (const auto& category : categories) {
    db.query(
        "INSERT INTO source_categories(source_id, category, position) VALUES($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        pg::Params().add(id).add(category).add(position++));
  }
}

// A source's settings as 15 parameters in the column order url, title, type, interval_s,
// min_interval_s, max_interval_s, time_zone, date_order, republication, enabled, headers,
// origin, html_selectors, follow_links, websub (as INSERT and UPDATE list them).
pg::Params& add_settings(pg::Params& p, const SourceSettings& settings) {
  return p.add(settings.url)
      .add(settings.title)
      .add(source_type_name(settings.type))
      .add(seconds_of(settings.interval))
      .add(seconds_of(settings.min_interval))
      .add(seconds_of(settings.max_interval))
      .add(settings.time_zone)
      .add(date_order_name(settings.date_order))
      .add(republication_name(settings.republication))
      .add(settings.enabled)
      .add(encode_headers(settings.headers))
      .add(origin_name(settings.origin))
      .add(settings.html_selectors)
      .add(settings.follow_links)
      .add(settings.websub);
}

}  // namespace

int postgres::schema_version() {
  return pg::schema::latest_version();
}

Result<std::unique_ptr<Backend>> postgres::open(const std::string& conninfo, const OpenOptions& options) {
  return guarded([&]() -> std::unique_ptr<Backend> {
    pg::Connection db(conninfo);
    db.exec_per_session("SET lock_timeout = " + std::to_string(options.busy_timeout.count()));
    db.exec_per_session("SET TIME ZONE 'UTC'");
    // Every statement here is a short one; compiling one with JIT took 100 ms of a view
    // page's 115 ms, whenever a cached plan's cost estimate (the view filters' nested
    // counts) passed jit_above_cost.
    db.exec_per_session("SET jit = off");
    if (!options.read_only) {
      pg::schema::migrate(db, options.migrate_to.value_or(pg::schema::latest_version()));
    } else if (pg::schema::current_version(db) > pg::schema::latest_version()) {
      throw sql::SqlFailure{Error{
          Errc::too_new, "database schema version " + std::to_string(pg::schema::current_version(db)) +
                             " is newer than this program's " + std::to_string(pg::schema::latest_version()) +
                             " (PostgreSQL); upgrade tinhop or use another database"}};
    }
    if (options.read_only) db.exec_per_session("SET default_transaction_read_only = on");
    return std::make_unique<PostgresStore>(std::move(db), options);
  });
}

// The NOTIFY goes out with the transaction's commit, to every node's change listener
// (change_listener.cpp), and not at all when it rolls back. Its payload names the sending
// node, whose own listener ignores it.
constexpr char kBumpChange[] =
    "WITH bumped AS (UPDATE meta SET value = CASE key WHEN 'change_version' THEN value + 1 "
    "ELSE greatest(value, $1) END WHERE key IN ('change_version', 'change_at')) "
    "SELECT pg_notify('tinhop_changes', $2)";
static_assert(std::string_view(kBumpChange).find(pg::kChangesChannel) != std::string_view::npos);

void PostgresStore::bump_change(Instant now) {
  db.query(kBumpChange, pg::Params().add(to_unix(now)).add(options.node));
}

void PostgresStore::bump_sources() {
  db.query("UPDATE meta SET value = value + 1 WHERE key = 'sources_version'");
}

void PostgresStore::require_source(std::int64_t id) {
  if (!db.scalar("SELECT 1 FROM sources WHERE id = $1", pg::Params().add(id))) throw_no_source(id);
}

DedupWindow& PostgresStore::candidates() {
  if (!window_loaded) load_window();
  return window;
}

void PostgresStore::load_window() {
  window.clear();
  window_loaded = true;
  unseen_ids.clear();
  own_window_ids.clear();
  window_seen = db.scalar("SELECT coalesce(max(id), 0) FROM items").value_or(0);
  if (window.capacity() == 0) return;
  // The newest stored items (by id: insertion order), as many as the window keeps, oldest first.
  auto rows = db.query(
      "SELECT id, cluster_id, source_id, published, fingerprint FROM (SELECT id, cluster_id, source_id, "
      "published, fingerprint FROM items WHERE fingerprint IS NOT NULL ORDER BY id DESC LIMIT $1) newest "
      "ORDER BY id",
      pg::Params().add(static_cast<std::int64_t>(window.capacity())));
  while (rows.next()) {
    window.add(DedupWindow::Entry{rows.int64(0), rows.int64(1), rows.int64(2), rows.int64(3),
                                  from_bytes(rows.bytes(4))});
  }
}

Result<std::int64_t> PostgresStore::add_source(const SourceSettings& settings, Instant now) {
  return guarded([&] {
    validate(settings);
    pg::Transaction tx(db);
    if (const auto existing =
            db.scalar("SELECT id FROM sources WHERE url = $1", pg::Params().add(settings.url))) {
      throw sql::SqlFailure{Error{Errc::already_exists, "a source with url " + settings.url + " exists (id " +
                                                            std::to_string(*existing) + ")"}};
    }
    pg::Params p;
    add_settings(p, settings).add(to_unix(now));
    const auto id =
        db.scalar(
              "INSERT INTO sources(url, title, type, interval_s, min_interval_s, max_interval_s, "
              "time_zone, date_order, republication, enabled, headers, origin, html_selectors, "
              "follow_links, websub, created, modified, id) "
              "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, "
              "nextval('source_ids')) RETURNING id",
              p)
            .value();
    write_categories(db, id, settings.categories);
    bump_sources();
    db.query("INSERT INTO health(source_id) VALUES($1)", pg::Params().add(id));
    bump_change(now);
    tx.commit();
    return id;
  });
}

Result<void> PostgresStore::update_source(std::int64_t id, const SourceSettings& settings, Instant now) {
  return guarded([&] {
    validate(settings);
    pg::Transaction tx(db);
    require_source(id);
    if (const auto clash = db.scalar("SELECT id FROM sources WHERE url = $1 AND id <> $2",
                                     pg::Params().add(settings.url).add(id))) {
      throw sql::SqlFailure{Error{Errc::already_exists, "another source (id " + std::to_string(*clash) +
                                                            ") has url " + settings.url}};
    }
    pg::Params p;
    p.add(id);
    add_settings(p, settings).add(to_unix(now));
    db.query(
        "UPDATE sources SET url = $2, title = $3, type = $4, interval_s = $5, min_interval_s = $6, "
        "max_interval_s = $7, time_zone = $8, date_order = $9, republication = $10, enabled = $11, "
        "disabled_reason = CASE WHEN $11 THEN '' ELSE disabled_reason END, headers = $12, origin = $13, "
        "html_selectors = $14, follow_links = $15, websub = $16, modified = $17, "
        "etag = CASE WHEN url = $2 THEN etag END, last_modified = CASE WHEN url = $2 THEN last_modified END, "
        "body_hash = CASE WHEN url = $2 THEN body_hash END WHERE id = $1",
        p);
    write_categories(db, id, settings.categories);
    // Its clusters' category lists follow its categories.
    std::vector<std::int64_t> clusters;
    {
      auto rows =
          db.query("SELECT DISTINCT cluster_id FROM items WHERE source_id = $1", pg::Params().add(id));
      while (rows.next()) clusters.push_back(rows.int64(0));
    }
    for (const auto cluster : clusters) refresh_cluster(cluster);
    bump_sources();
    bump_change(now);
    tx.commit();
  });
}

Result<Source> PostgresStore::get_source(std::int64_t id) {
  return guarded([&] {
    auto rows = db.query(kSourceById, pg::Params().add(id));
    if (!rows.next()) throw_no_source(id);
    return read_source(rows);
  });
}

Result<std::optional<Source>> PostgresStore::find_source_by_url(std::string_view url) {
  return guarded([&]() -> std::optional<Source> {
    auto rows = db.query(kSourceByUrl, pg::Params().add(url));
    if (!rows.next()) return std::nullopt;
    return read_source(rows);
  });
}

Result<std::vector<Source>> PostgresStore::list_sources_after(std::int64_t after_id, std::size_t limit) {
  return guarded([&] {
    std::vector<Source> sources;
    auto rows = db.query(
        kSourcesAfter,
        pg::Params().add(after_id).add(static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX))));
    while (rows.next()) sources.push_back(read_source(rows));
    return sources;
  });
}

Result<void> PostgresStore::remove_source(std::int64_t id) {
  return write([&] {
    require_source(id);
    std::vector<std::int64_t> items;
    {
      auto rows = db.query("SELECT id FROM items WHERE source_id = $1", pg::Params().add(id));
      while (rows.next()) items.push_back(rows.int64(0));
    }
    purge_items(items, Instant{}, false);
    db.query("DELETE FROM sources WHERE id = $1", pg::Params().add(id));
    db.query("DELETE FROM tombstones WHERE source_id = $1", pg::Params().add(id));
    bump_sources();
    bump_change(Instant{});
  });
}

Result<void> PostgresStore::set_enabled(std::int64_t id, bool enabled, Instant now, std::string_view reason) {
  return guarded([&] {
    pg::Transaction tx(db);
    require_source(id);
    db.query("UPDATE sources SET enabled = $2, disabled_reason = $3, modified = $4 WHERE id = $1",
             pg::Params().add(id).add(enabled).add(enabled ? std::string_view() : reason).add(to_unix(now)));
    bump_sources();
    bump_change(now);
    tx.commit();
  });
}

Result<void> PostgresStore::move_source(std::int64_t id, const std::string& new_url, Instant now) {
  return guarded([&] {
    if (new_url.empty()) throw sql::SqlFailure{Error{Errc::invalid_argument, "new url is empty"}};
    pg::Transaction tx(db);
    require_source(id);
    if (const auto clash = db.scalar("SELECT id FROM sources WHERE url = $1 AND id <> $2",
                                     pg::Params().add(new_url).add(id))) {
      throw sql::SqlFailure{
          Error{Errc::already_exists, "source " + std::to_string(*clash) + " already has url " + new_url}};
    }
    db.query(
        "UPDATE sources SET moved_from = url, moved_at = $3, url = $2, redirect_target = NULL, "
        "redirect_streak = 0, etag = NULL, last_modified = NULL, body_hash = NULL, modified = $3 WHERE id = "
        "$1",
        pg::Params().add(id).add(new_url).add(to_unix(now)));
    bump_sources();
    tx.commit();
  });
}

Result<void> PostgresStore::set_feed_info(std::int64_t id, const std::optional<std::string>& title,
                                          const std::optional<std::string>& site_link) {
  return guarded([&] {
    pg::Transaction tx(db);
    require_source(id);
    auto changed = db.query(
        "UPDATE sources SET feed_title = $2, site_link = $3 WHERE id = $1 AND "
        "(feed_title IS DISTINCT FROM $2 OR site_link IS DISTINCT FROM $3)",
        pg::Params().add(id).add(title).add(site_link));
    if (changed.affected() > 0) bump_change(Instant{});  // rendered feeds show the title
    tx.commit();
  });
}

Result<std::vector<std::string>> PostgresStore::list_categories() {
  return guarded([&] {
    std::vector<std::string> categories;
    auto rows = db.query("SELECT DISTINCT category FROM source_categories ORDER BY category");
    while (rows.next()) categories.push_back(rows.text(0));
    return categories;
  });
}

FetchState PostgresStore::fetch_state(std::int64_t id) {
  auto rows = db.query(kSourceById, pg::Params().add(id));
  if (!rows.next()) throw_no_source(id);
  return read_source(rows).fetch;
}

Result<std::int64_t> PostgresStore::sources_version() {
  return guarded(
      [&] { return db.scalar("SELECT value FROM meta WHERE key = 'sources_version'").value_or(0); });
}

Result<ChangeStamp> PostgresStore::last_change() {
  return guarded([&] {
    ChangeStamp stamp;
    auto rows = db.query("SELECT key, value FROM meta WHERE key IN ('change_version', 'change_at')");
    while (rows.next()) {
      if (rows.text(0) == "change_version") {
        stamp.version = rows.int64(1);
      } else {
        stamp.at = from_unix(rows.int64(1));
      }
    }
    return stamp;
  });
}

Result<void> PostgresStore::add_rule_counts(std::span<const RuleCount> counts) {
  return guarded([&] {
    pg::Transaction tx(db);
    for (const RuleCount& count : counts) {
      db.query(
          "INSERT INTO rule_counts(source_id, rule, dropped, timeouts) SELECT $1, $2, $3, $4 "
          "WHERE EXISTS (SELECT 1 FROM sources WHERE id = $1) ON CONFLICT(source_id, rule) DO UPDATE SET "
          "dropped = rule_counts.dropped + excluded.dropped, timeouts = rule_counts.timeouts + "
          "excluded.timeouts",
          pg::Params().add(count.source_id).add(count.rule).add(count.dropped).add(count.timeouts));
    }
    tx.commit();
  });
}

Result<std::vector<RuleCount>> PostgresStore::rule_counts(std::optional<std::int64_t> source_id) {
  return guarded([&] {
    std::vector<RuleCount> out;
    // COLLATE "C": the byte order SQLite's ORDER BY gives, whatever the database's collation.
    auto rows = source_id
                    ? db.query(
                          "SELECT source_id, rule, dropped, timeouts FROM rule_counts WHERE "
                          "source_id = $1 ORDER BY rule COLLATE \"C\"",
                          pg::Params().add(*source_id))
                    : db.query(
                          "SELECT 0, rule, sum(dropped)::bigint, sum(timeouts)::bigint FROM rule_counts "
                          "GROUP BY rule ORDER BY rule COLLATE \"C\"");
    while (rows.next()) out.push_back({rows.int64(0), rows.text(1), rows.int64(2), rows.int64(3)});
    return out;
  });
}

Result<std::vector<Instant>> PostgresStore::arrivals(std::int64_t source_id, Instant since) {
  return guarded([&] {
    std::vector<Instant> out;
    auto rows = db.query(
        "SELECT DISTINCT first_seen FROM items WHERE source_id = $1 AND first_seen >= $2 ORDER BY first_seen",
        pg::Params().add(source_id).add(to_unix(since)));
    while (rows.next()) out.push_back(from_unix(rows.int64(0)));
    return out;
  });
}

Result<std::vector<SourceAlert>> PostgresStore::source_alerts() {
  return guarded([&] {
    std::vector<SourceAlert> out;
    auto rows = db.query("SELECT source_id, condition, since FROM source_alerts ORDER BY source_id");
    while (rows.next()) out.push_back({rows.int64(0), rows.text(1), from_unix(rows.int64(2))});
    return out;
  });
}

Result<std::int64_t> PostgresStore::record_alert(const AlertEvent& event) {
  return guarded([&] {
    pg::Transaction tx(db);
    if (event.kind == "recovered") {
      db.query("DELETE FROM source_alerts WHERE source_id = $1", pg::Params().add(event.source_id));
    } else {
      db.query(
          "INSERT INTO source_alerts(source_id, condition, since) SELECT $1, $2, $3 "
          "WHERE EXISTS (SELECT 1 FROM sources WHERE id = $1) ON CONFLICT(source_id) DO UPDATE SET "
          "condition = excluded.condition, since = excluded.since",
          pg::Params().add(event.source_id).add(event.kind).add(to_unix(event.at)));
    }
    auto rows =
        db.query("INSERT INTO alert_events(source_id, kind, at, detail) VALUES($1, $2, $3, $4) RETURNING id",
                 pg::Params().add(event.source_id).add(event.kind).add(to_unix(event.at)).add(event.detail));
    rows.next();
    const std::int64_t id = rows.int64(0);
    db.query("DELETE FROM alert_events WHERE id <= $1", pg::Params().add(id - kAlertHistory));
    tx.commit();
    return id;
  });
}

Result<std::vector<AlertEvent>> PostgresStore::recent_alerts(std::size_t limit) {
  return guarded([&] {
    std::vector<AlertEvent> out;
    auto rows =
        db.query("SELECT id, source_id, kind, at, detail FROM alert_events ORDER BY id DESC LIMIT $1",
                 pg::Params().add(static_cast<std::int64_t>(std::min<std::size_t>(limit, kAlertHistory))));
    while (rows.next())
      out.push_back({rows.int64(0), rows.int64(1), rows.text(2), from_unix(rows.int64(3)), rows.text(4)});
    return out;
  });
}

Result<StoreStats> PostgresStore::stats() {
  return guarded([&] {
    StoreStats stats;
    stats.sources = db.scalar("SELECT count(*) FROM sources").value_or(0);
    stats.items = db.scalar("SELECT count(*) FROM items").value_or(0);
    stats.clusters = db.scalar("SELECT count(*) FROM clusters").value_or(0);
    stats.tombstones = db.scalar("SELECT count(*) FROM tombstones").value_or(0);
    stats.schema_version = pg::schema::current_version(db);
    return stats;
  });
}

Result<void> PostgresStore::checkpoint() {
  return {};  // the server checkpoints on its own; a commit is durable when it returns
}

Result<void> PostgresStore::vacuum(std::int64_t) {
  return {};  // autovacuum keeps freed space for the table's own reuse
}

}  // namespace tinhop::storage
