#include "schema.hpp"

#include <array>
#include <string>

namespace tinhop::storage::schema {
namespace {

// Version 1: sources, items (one row per source and identity key: the source's own
// occurrence of a story), clusters of occurrences, health, history, tombstones.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE sources(
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL CHECK(type IN ('feed','html')),
  interval_s INTEGER, min_interval_s INTEGER, max_interval_s INTEGER,
  time_zone TEXT,
  date_order TEXT NOT NULL CHECK(date_order IN ('automatic','dmy','mdy')),
  republication TEXT NOT NULL CHECK(republication IN ('full','summary','title')),
  enabled INTEGER NOT NULL,
  disabled_reason TEXT NOT NULL DEFAULT '',
  headers TEXT NOT NULL DEFAULT '[]',
  origin TEXT NOT NULL CHECK(origin IN ('config','cli','api')),
  html_selectors TEXT NOT NULL DEFAULT '',
  feed_title TEXT, site_link TEXT,
  etag TEXT, last_modified TEXT, body_hash TEXT,
  redirect_target TEXT, redirect_streak INTEGER NOT NULL DEFAULT 0,
  moved_from TEXT, moved_at INTEGER,
  adaptive_interval_s INTEGER,
  created INTEGER NOT NULL, modified INTEGER NOT NULL);
CREATE TABLE source_categories(
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY(source_id, category)) WITHOUT ROWID;
CREATE INDEX source_categories_by_category ON source_categories(category, source_id);
CREATE TABLE clusters(
  id INTEGER PRIMARY KEY,
  published INTEGER NOT NULL,  -- earliest publication of its items: the primary's
  size INTEGER NOT NULL);
CREATE INDEX clusters_by_published ON clusters(published, id);
CREATE TABLE items(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  key INTEGER NOT NULL,
  cluster_id INTEGER NOT NULL REFERENCES clusters(id),
  guid TEXT, link TEXT, link_hash INTEGER,
  title TEXT, summary TEXT, content TEXT,
  search_text TEXT NOT NULL DEFAULT '',
  published INTEGER NOT NULL, updated INTEGER,
  first_seen INTEGER NOT NULL, changed INTEGER,
  date_approximate INTEGER NOT NULL DEFAULT 0,
  extra TEXT NOT NULL DEFAULT '',
  content_hash INTEGER NOT NULL,
  revision INTEGER NOT NULL DEFAULT 0,
  fingerprint BLOB,
  UNIQUE(source_id, key));
CREATE INDEX items_by_source ON items(source_id, published, id);
CREATE INDEX items_by_cluster ON items(cluster_id, published, id);
CREATE INDEX items_by_link ON items(link_hash) WHERE link_hash IS NOT NULL;
CREATE TABLE tombstones(
  source_id INTEGER NOT NULL,
  key INTEGER NOT NULL,
  purged INTEGER NOT NULL,
  PRIMARY KEY(source_id, key)) WITHOUT ROWID;
CREATE INDEX tombstones_by_purged ON tombstones(purged);
CREATE TABLE health(
  source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
  last_attempt INTEGER, last_success INTEGER, status TEXT, http_status INTEGER NOT NULL DEFAULT 0,
  error_class TEXT NOT NULL DEFAULT '', error_text TEXT NOT NULL DEFAULT '',
  next_poll INTEGER, items_added INTEGER NOT NULL DEFAULT 0,
  consecutive_failures INTEGER NOT NULL DEFAULT 0, polls INTEGER NOT NULL DEFAULT 0,
  not_modified INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
  latency_ms INTEGER NOT NULL DEFAULT 0, stale INTEGER NOT NULL DEFAULT 0,
  last_new_item INTEGER);
CREATE TABLE fetch_history(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  attempted INTEGER NOT NULL, status TEXT NOT NULL, http_status INTEGER NOT NULL,
  error_class TEXT NOT NULL, error_text TEXT NOT NULL, bytes INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL, items_added INTEGER NOT NULL);
CREATE INDEX fetch_history_by_source ON fetch_history(source_id, id);
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES('change_version', 0), ('change_at', 0), ('sources_version', 0);
)sql";

// Version 2: full-text search and per-category cluster lists. A contentless FTS5 table
// (the text lives in items only) indexes the title and the summary's opening (search_text,
// or the first 280 characters of a plain summary when search_text is empty) with diacritics
// removed; 'đ' is folded to 'd' by hand because Unicode gives it no decomposition, so
// "dang" finds "Đảng" as readers expect. Triggers keep it in sync with items.
constexpr const char* kVersion2 = R"sql(
CREATE VIRTUAL TABLE items_fts USING fts5(title, body, content='',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
  INSERT INTO items_fts(rowid, title, body)
    VALUES(new.id, replace(replace(coalesce(new.title, ''), 'đ', 'd'), 'Đ', 'D'),
           replace(replace(CASE new.search_text WHEN '' THEN substr(coalesce(new.summary, ''), 1, 280) ELSE new.search_text END, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
  INSERT INTO items_fts(items_fts, rowid, title, body)
    VALUES('delete', old.id, replace(replace(coalesce(old.title, ''), 'đ', 'd'), 'Đ', 'D'),
           replace(replace(CASE old.search_text WHEN '' THEN substr(coalesce(old.summary, ''), 1, 280) ELSE old.search_text END, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, search_text ON items BEGIN
  INSERT INTO items_fts(items_fts, rowid, title, body)
    VALUES('delete', old.id, replace(replace(coalesce(old.title, ''), 'đ', 'd'), 'Đ', 'D'),
           replace(replace(CASE old.search_text WHEN '' THEN substr(coalesce(old.summary, ''), 1, 280) ELSE old.search_text END, 'đ', 'd'), 'Đ', 'D'));
  INSERT INTO items_fts(rowid, title, body)
    VALUES(new.id, replace(replace(coalesce(new.title, ''), 'đ', 'd'), 'Đ', 'D'),
           replace(replace(CASE new.search_text WHEN '' THEN substr(coalesce(new.summary, ''), 1, 280) ELSE new.search_text END, 'đ', 'd'), 'Đ', 'D'));
END;
INSERT INTO items_fts(rowid, title, body)
  SELECT id, replace(replace(coalesce(title, ''), 'đ', 'd'), 'Đ', 'D'),
         replace(replace(CASE search_text WHEN '' THEN substr(coalesce(summary, ''), 1, 280) ELSE search_text END, 'đ', 'd'), 'Đ', 'D') FROM items;
CREATE TABLE cluster_categories(
  category TEXT NOT NULL,
  cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
  published INTEGER NOT NULL,
  PRIMARY KEY(category, cluster_id)) WITHOUT ROWID;
CREATE INDEX cluster_categories_by_published ON cluster_categories(category, published, cluster_id);
CREATE INDEX cluster_categories_by_cluster ON cluster_categories(cluster_id);
INSERT OR IGNORE INTO cluster_categories(category, cluster_id, published)
  SELECT sc.category, c.id, c.published
  FROM clusters c JOIN items i ON i.cluster_id = c.id JOIN source_categories sc ON sc.source_id = i.source_id;
)sql";

// Version 3: sources that follow each new item's link to its article page. The article
// state of an item: NULL when its source did not follow links when it was stored (never
// fetched later: no backfill), 0 still to fetch (over a poll's limit), 1 fetched, 2 the
// fetch or the extraction failed. A tried article is never fetched again.
constexpr const char* kVersion3 = R"sql(
ALTER TABLE sources ADD COLUMN follow_links INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN article INTEGER;
)sql";

// Version 4: the full-text index is written once per write transaction, not once per row.
// SQLite 3.40's FTS5 flushes its pending terms into a new segment at every statement
// savepoint once it is part of a transaction, and every INSERT with a trigger opens one:
// indexing row by row from the triggers cost two thirds of an ingest. The triggers now only
// note what changed (fts_pending: rows to index from their current text; fts_stale: the
// indexed text of rows changed or deleted since, which a contentless index needs to remove
// them), and the store applies both in a few statements before each commit (see
// SqliteStore::flush_search_index). A row inserted and changed in one transaction is
// indexed once, with its final text. items_search is the one definition of the indexed
// text: a removal must give FTS5 exactly what was indexed, so the triggers read it before
// the row changes and the flush reads it at commit.
constexpr const char* kVersion4 = R"sql(
CREATE TABLE fts_pending(id INTEGER PRIMARY KEY);
CREATE TABLE fts_stale(id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL);
CREATE VIEW items_search(id, title, body) AS
  SELECT id, replace(replace(coalesce(title, ''), 'đ', 'd'), 'Đ', 'D'),
         replace(replace(CASE search_text WHEN '' THEN substr(coalesce(summary, ''), 1, 280) ELSE search_text END, 'đ', 'd'), 'Đ', 'D')
  FROM items;
DROP TRIGGER items_fts_insert;
DROP TRIGGER items_fts_delete;
DROP TRIGGER items_fts_update;
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
  INSERT INTO fts_pending(id) VALUES(new.id);
END;
CREATE TRIGGER items_fts_update BEFORE UPDATE OF title, summary, search_text ON items
  WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id) BEGIN
  INSERT INTO fts_stale(id, title, body) SELECT id, title, body FROM items_search WHERE id = old.id;
  INSERT INTO fts_pending(id) VALUES(old.id);
END;
CREATE TRIGGER items_fts_delete BEFORE DELETE ON items BEGIN
  INSERT INTO fts_stale(id, title, body) SELECT id, title, body FROM items_search
    WHERE id = old.id AND NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id);
  DELETE FROM fts_pending WHERE id = old.id;
END;
)sql";

// Version 5: fewer b-tree writes per new item (each was a measurable share of an ingest).
// The category lists are keyed by cluster first: the primary key serves the updates and the
// cascade by cluster that needed an index of their own, and a new cluster's rows go at the
// key's end instead of into 20 places. The full-text index keeps no per-row column sizes
// (columnsize=0): they serve only ranking functions (bm25), and search orders by recency.
// The index is rebuilt from items_search, which also covers anything a flush left noted.
constexpr const char* kVersion5 = R"sql(
CREATE TABLE cluster_categories_v5(
  cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  published INTEGER NOT NULL,
  PRIMARY KEY(cluster_id, category)) WITHOUT ROWID;
INSERT INTO cluster_categories_v5(cluster_id, category, published)
  SELECT cluster_id, category, published FROM cluster_categories ORDER BY cluster_id, category;
DROP TABLE cluster_categories;
ALTER TABLE cluster_categories_v5 RENAME TO cluster_categories;
CREATE INDEX cluster_categories_by_published ON cluster_categories(category, published, cluster_id);
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5(title, body, content='', columnsize=0,
  tokenize='unicode61 remove_diacritics 2');
INSERT INTO items_fts(rowid, title, body) SELECT id, title, body FROM items_search;
DELETE FROM fts_pending;
DELETE FROM fts_stale;
)sql";

// Version 6: FTS5 merges index segments 8 at a time instead of 4. Every write transaction
// adds a segment and the merges rewrite them; merging wider runs rewrites each term less
// often (about a sixth less index work per batch of 1,000 items), and a search reads at
// most twice as many segments per level, which stays well under a millisecond's work.
constexpr const char* kVersion6 = R"sql(
INSERT INTO items_fts(items_fts, rank) VALUES('automerge', 8);
)sql";

// Version 7: the store notes a new item for the full-text index itself, in its own
// statement after the INSERT. A statement that fires a trigger makes SQLite keep a
// statement journal, a copy of every page the statement changes, so that it can undo the
// statement alone: with items_fts_insert every new item copied about 25 KB. The update and
// delete triggers stay; they fire on the rarer edits and purges, and on the cascades that
// SQLite runs itself.
constexpr const char* kVersion7 = R"sql(
DROP TRIGGER items_fts_insert;
)sql";

// Version 8: the index from canonical link to item is two tables instead of an index on
// items. Link hashes are random, so each new item's entry went to a random page of an
// index of every stored item: at 800,000 items, 980 of the 2,300 pages a 1,000-item
// transaction wrote. New entries now go to links_recent, small enough that its pages stay
// few, and the store moves them into links in key order once they pass a share that
// grows with the store (see SqliteStore::merge_recent_links), so each page of links is
// written once per merge. A lookup reads both. Triggers keep both in step with deletions
// and link changes; the store adds a new item's entry itself (see version 7 for why).
constexpr const char* kVersion8 = R"sql(
CREATE TABLE links(
  link_hash INTEGER NOT NULL,
  item_id INTEGER NOT NULL,
  PRIMARY KEY(link_hash, item_id)) WITHOUT ROWID;
CREATE TABLE links_recent(
  link_hash INTEGER NOT NULL,
  item_id INTEGER NOT NULL,
  PRIMARY KEY(link_hash, item_id)) WITHOUT ROWID;
INSERT INTO links(link_hash, item_id) SELECT link_hash, id FROM items WHERE link_hash IS NOT NULL ORDER BY 1, 2;
DROP INDEX items_by_link;
CREATE TRIGGER items_links_delete AFTER DELETE ON items WHEN old.link_hash IS NOT NULL BEGIN
  DELETE FROM links WHERE link_hash = old.link_hash AND item_id = old.id;
  DELETE FROM links_recent WHERE link_hash = old.link_hash AND item_id = old.id;
END;
CREATE TRIGGER items_links_update AFTER UPDATE OF link_hash ON items
  WHEN old.link_hash IS NOT new.link_hash BEGIN
  DELETE FROM links WHERE link_hash = old.link_hash AND item_id = old.id;
  DELETE FROM links_recent WHERE link_hash = old.link_hash AND item_id = old.id;
  INSERT OR IGNORE INTO links_recent(link_hash, item_id) SELECT new.link_hash, new.id WHERE new.link_hash IS NOT NULL;
END;
)sql";

// Version 9: FTS5 merges index segments 16 at a time. Each merge level rewrites every term
// once more, so fewer, wider levels rewrite less: 5% less writer time for 1M new items in
// ingest_bench. A search reads up to 15 segments a level instead of 7: 1.06 ms -> 1.13 ms
// for the benchmark's search on 1M items.
constexpr const char* kVersion9 = R"sql(
INSERT INTO items_fts(items_fts, rank) VALUES('automerge', 16);
)sql";

// Version 10: ids are never given twice. An INTEGER PRIMARY KEY without AUTOINCREMENT takes
// one more than the largest id present, so deleting the newest source, item or cluster
// handed its id to the next one: a reader that had seen the old entry took the new one
// for read. id_high_water holds, per table, the highest id it ever held that may be gone
// now; the delete triggers raise it (cascades included), and the store gives a new row
// one more than the larger of it and the table's largest id (SqliteStore::next_id). Rows
// are only ever deleted on rare paths (retention, source removal), so an ingest pays two
// reads per document instead of a counter write per row. None of these tables used
// AUTOINCREMENT, so there is no sqlite_sequence to start from: the start is the largest
// id each table holds now (ids reused before this version stay as they were).
//
// An entry's public id ("...:cluster-N") is the cluster's public_id, fixed when the
// cluster is made: the id of the item that made it, its story's first stored occurrence.
// It never changes after that, whoever joins, leaves or becomes the primary. Clusters made
// before keep the number they published, their own id; the items' start is raised to the
// largest cluster id too, so no later item id, and so no later public id, can repeat one.
constexpr const char* kVersion10 = R"sql(
CREATE TABLE id_high_water(
  table_name TEXT PRIMARY KEY,
  id INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO id_high_water(table_name, id) VALUES
  ('sources', (SELECT coalesce(max(id), 0) FROM sources)),
  ('items', max((SELECT coalesce(max(id), 0) FROM items), (SELECT coalesce(max(id), 0) FROM clusters))),
  ('clusters', (SELECT coalesce(max(id), 0) FROM clusters));
CREATE TRIGGER sources_high_water AFTER DELETE ON sources BEGIN
  UPDATE id_high_water SET id = old.id WHERE table_name = 'sources' AND id < old.id;
END;
CREATE TRIGGER items_high_water AFTER DELETE ON items BEGIN
  UPDATE id_high_water SET id = old.id WHERE table_name = 'items' AND id < old.id;
END;
CREATE TRIGGER clusters_high_water AFTER DELETE ON clusters BEGIN
  UPDATE id_high_water SET id = old.id WHERE table_name = 'clusters' AND id < old.id;
END;
ALTER TABLE clusters ADD COLUMN public_id INTEGER NOT NULL DEFAULT 0;
UPDATE clusters SET public_id = id;
)sql";

// Version 11: what a source's dates told (issue #15, point 1). date_order_seen is the
// day/month order its own documents last showed by a field above 12 (or AM/PM, or
// Vietnamese date words), NULL until one did: later documents whose dates alone cannot
// tell are read in that order. dates_not_understood counts the date fields of the last
// parsed document that could not be read (their entries are stored as undated).
constexpr const char* kVersion11 = R"sql(
ALTER TABLE health ADD COLUMN date_order_seen TEXT CHECK(date_order_seen IN ('dmy','mdy'));
ALTER TABLE health ADD COLUMN dates_not_understood INTEGER NOT NULL DEFAULT 0;
)sql";

// Next version: what each editorial rule did to each source (issue #20). dropped counts
// the items a rule kept from being stored (each item once per daemon run, not at every
// poll that still carries it); timeouts the regex matches it abandoned at the time limit.
constexpr const char* kVersionRuleCounts = R"sql(
CREATE TABLE rule_counts(
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  dropped INTEGER NOT NULL DEFAULT 0,
  timeouts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(source_id, rule)) WITHOUT ROWID;
)sql";

// Next version: WebSub subscriptions to publishers' hubs (issue #19): one per source, kept by source id
// without a foreign key so a removed source's row outlives it until the hub has confirmed
// the unsubscribe. callback is the opaque token of our callback URL, unique so a push finds
// its subscription; lease_until is set once the hub has verified an active lease.
// sources.websub is the source's websub setting: 1 "auto" (subscribe when its feed names a
// hub), 0 "off".
constexpr const char* kVersionWebSub = R"sql(
CREATE TABLE websub_subscriptions(
  source_id INTEGER PRIMARY KEY,
  hub TEXT NOT NULL,
  topic TEXT NOT NULL,
  callback TEXT NOT NULL UNIQUE,
  secret TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('requested','active','unsubscribing','denied')),
  lease_until INTEGER,
  changed INTEGER NOT NULL);
ALTER TABLE sources ADD COLUMN websub INTEGER NOT NULL DEFAULT 1;
)sql";

// Version 14: the reader page's story links (/stories/{public id}) find their cluster by
// its public id (issue #21).
constexpr const char* kVersion14 = R"sql(
CREATE INDEX clusters_by_public_id ON clusters(public_id);
)sql";

// Next version: leases for several daemons over one database (issue #18, scheduling): who
// polls each source now and when it is due next, each host's next allowed start and
// slow-down, and each node's heartbeat. PostgreSQL has the same tables; one daemon serves a
// SQLite file from memory, so here only the Store's methods and `tinhop cluster status` use
// them.
constexpr const char* kVersionLeases = R"sql(
CREATE TABLE source_leases(
  source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
  host TEXT NOT NULL,
  next_due_ms INTEGER NOT NULL DEFAULT 0,
  owner TEXT,
  lease_until_ms INTEGER,
  polled_by TEXT);
CREATE INDEX source_leases_held_by_host ON source_leases(host) WHERE owner IS NOT NULL;
CREATE INDEX source_leases_by_owner ON source_leases(owner);
CREATE INDEX source_leases_by_poller ON source_leases(polled_by);
CREATE TABLE cluster_hosts(
  host TEXT PRIMARY KEY,
  next_allowed_ms INTEGER NOT NULL DEFAULT 0,
  slowed_until_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE cluster_nodes(
  node TEXT PRIMARY KEY,
  started_ms INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL,
  claims INTEGER NOT NULL DEFAULT 0,
  lost_leases INTEGER NOT NULL DEFAULT 0);
)sql";

// Next version: each item's language (its own, else its feed's, lowercase), the one views
// filter by (issue #20). Items stored before it have none.
constexpr const char* kVersionViews = R"sql(
ALTER TABLE items ADD COLUMN language TEXT;
)sql";

// Next version: readers' subscriptions to our feeds at our own WebSub hub (issue #19, the
// hub side), kept by topic and callback.
constexpr const char* kVersionHubSubscriptions = R"sql(
CREATE TABLE hub_subscriptions(
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  secret TEXT NOT NULL,
  lease_until INTEGER NOT NULL,
  created INTEGER NOT NULL,
  PRIMARY KEY(topic, callback)) WITHOUT ROWID;
)sql";

// Next version: source alerts (issue #20, point 2): each source's condition other than
// healthy, and the history of its changes for the alerts feed (no foreign key: a removed
// source's alerts stay in the history).
constexpr const char* kVersionAlerts = R"sql(
CREATE TABLE source_alerts(
  source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
  condition TEXT NOT NULL CHECK(condition IN ('failing','stale')),
  since INTEGER NOT NULL);
CREATE TABLE alert_events(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('failing','stale','recovered')),
  at INTEGER NOT NULL,
  detail TEXT NOT NULL);
)sql";

// Next version: the editorial rules managed through the CLI and the API besides the file's,
// which are synced in (issue #20). Ids never reused (AUTOINCREMENT); rules_version bumps on
// every change so that a running daemon picks the set up.
constexpr const char* kVersionRules = R"sql(
CREATE TABLE rules(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  origin TEXT NOT NULL CHECK(origin IN ('config','cli','api')),
  position INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  spec TEXT NOT NULL,
  created INTEGER NOT NULL,
  modified INTEGER NOT NULL);
INSERT INTO meta VALUES('rules_version', 0);
)sql";

const std::array<const char*, 19> kMigrations = {kVersion1,
                                                 kVersion2,
                                                 kVersion3,
                                                 kVersion4,
                                                 kVersion5,
                                                 kVersion6,
                                                 kVersion7,
                                                 kVersion8,
                                                 kVersion9,
                                                 kVersion10,
                                                 kVersion11,
                                                 kVersionRuleCounts,
                                                 kVersionWebSub,
                                                 kVersion14,
                                                 kVersionLeases,
                                                 kVersionViews,
                                                 kVersionHubSubscriptions,
                                                 kVersionAlerts,
                                                 kVersionRules};

}  // namespace

int latest_version() {
  return static_cast<int>(kMigrations.size());
}

int current_version(sql::Database& db) {
  auto statement = db.prepare("PRAGMA user_version");
  return statement.step() ? static_cast<int>(statement.int64(0)) : 0;
}

void migrate(sql::Database& db, int target) {
  const int current = current_version(db);
  if (current > latest_version()) {
    throw sql::SqlFailure{Error{Errc::too_new, "database schema version " + std::to_string(current) +
                                                   " is newer than this program's " +
                                                   std::to_string(latest_version()) +
                                                   "; upgrade tinhop or use another database file"}};
  }
  for (int version = current + 1; version <= target && version <= latest_version(); ++version) {
    sql::Transaction transaction(db);
    db.exec(kMigrations[static_cast<std::size_t>(version - 1)]);
    db.exec(("PRAGMA user_version = " + std::to_string(version)).c_str());
    transaction.commit();
  }
}

}  // namespace tinhop::storage::schema
