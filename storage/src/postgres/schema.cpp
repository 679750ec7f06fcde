#include "schema.hpp"

#include <array>
#include <string>

#include "search.hpp"

namespace tinhop::storage::pg::schema {
namespace {

// Version 1: what SQLite's eleven versions built, in PostgreSQL's terms. Ids come from
// sequences, which never hand out a number twice (SQLite needed id_high_water for that).
// Search: a tsvector of the title and the summary's opening (search_text, or the first 280
// characters of the summary), lower-cased with accents removed by the unaccent extension
// (postgresql-contrib), so "hoi nghi" finds "Hội nghị" and "dang" finds "Đảng" (unaccent's
// rules fold đ, which Unicode does not decompose). unaccent() is only STABLE (its
// dictionary could change), so a generated column needs the IMMUTABLE wrapper; the rules
// file is part of the installed server and does not change under a running database.
constexpr const char* kVersion1 = R"sql(
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE FUNCTION tinhop_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
CREATE SEQUENCE source_ids;
CREATE SEQUENCE item_ids;
CREATE SEQUENCE cluster_ids;
CREATE TABLE sources(
  id bigint PRIMARY KEY,
  url text NOT NULL UNIQUE,
  title text NOT NULL DEFAULT '',
  type text NOT NULL CHECK(type IN ('feed','html')),
  interval_s bigint, min_interval_s bigint, max_interval_s bigint,
  time_zone text,
  date_order text NOT NULL CHECK(date_order IN ('automatic','dmy','mdy')),
  republication text NOT NULL CHECK(republication IN ('full','summary','title')),
  enabled boolean NOT NULL,
  disabled_reason text NOT NULL DEFAULT '',
  headers text NOT NULL DEFAULT '[]',
  origin text NOT NULL CHECK(origin IN ('config','cli','api')),
  html_selectors text NOT NULL DEFAULT '',
  follow_links boolean NOT NULL DEFAULT false,
  feed_title text, site_link text,
  etag text, last_modified text, body_hash text,
  redirect_target text, redirect_streak integer NOT NULL DEFAULT 0,
  moved_from text, moved_at bigint,
  adaptive_interval_s bigint,
  created bigint NOT NULL, modified bigint NOT NULL);
CREATE TABLE source_categories(
  source_id bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  category text NOT NULL,
  position integer NOT NULL,
  PRIMARY KEY(source_id, category));
CREATE INDEX source_categories_by_category ON source_categories(category, source_id);
CREATE TABLE clusters(
  id bigint PRIMARY KEY,
  published bigint NOT NULL,
  size bigint NOT NULL,
  public_id bigint NOT NULL);
CREATE INDEX clusters_by_published ON clusters(published, id);
CREATE TABLE cluster_categories(
  cluster_id bigint NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
  category text NOT NULL,
  published bigint NOT NULL,
  PRIMARY KEY(cluster_id, category));
CREATE INDEX cluster_categories_by_published ON cluster_categories(category, published, cluster_id);
CREATE TABLE items(
  id bigint PRIMARY KEY,
  source_id bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  key bigint NOT NULL,
  cluster_id bigint NOT NULL REFERENCES clusters(id),
  guid text, link text, link_hash bigint,
  title text, summary text, content text,
  search_text text NOT NULL DEFAULT '',
  published bigint NOT NULL, updated bigint,
  first_seen bigint NOT NULL, changed bigint,
  date_approximate boolean NOT NULL DEFAULT false,
  extra text NOT NULL DEFAULT '',
  content_hash bigint NOT NULL,
  revision integer NOT NULL DEFAULT 0,
  fingerprint bytea,
  article smallint,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', tinhop_unaccent(coalesce(title, '') || ' ' ||
      CASE search_text WHEN '' THEN left(coalesce(summary, ''), 280) ELSE search_text END))) STORED,
  UNIQUE(source_id, key));
CREATE INDEX items_by_source ON items(source_id, published, id);
CREATE INDEX items_by_cluster ON items(cluster_id, published, id);
CREATE INDEX items_by_link ON items(link_hash) WHERE link_hash IS NOT NULL;
CREATE INDEX items_by_search ON items USING gin(search);
CREATE TABLE tombstones(
  source_id bigint NOT NULL,
  key bigint NOT NULL,
  purged bigint NOT NULL,
  PRIMARY KEY(source_id, key));
CREATE INDEX tombstones_by_purged ON tombstones(purged);
CREATE TABLE health(
  source_id bigint PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
  last_attempt bigint, last_success bigint, status text, http_status integer NOT NULL DEFAULT 0,
  error_class text NOT NULL DEFAULT '', error_text text NOT NULL DEFAULT '',
  next_poll bigint, items_added bigint NOT NULL DEFAULT 0,
  consecutive_failures bigint NOT NULL DEFAULT 0, polls bigint NOT NULL DEFAULT 0,
  not_modified bigint NOT NULL DEFAULT 0, bytes bigint NOT NULL DEFAULT 0,
  latency_ms bigint NOT NULL DEFAULT 0, stale boolean NOT NULL DEFAULT false,
  last_new_item bigint,
  date_order_seen text CHECK(date_order_seen IN ('dmy','mdy')),
  dates_not_understood bigint NOT NULL DEFAULT 0);
CREATE TABLE fetch_history(
  id bigserial PRIMARY KEY,
  source_id bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  attempted bigint NOT NULL, status text NOT NULL, http_status integer NOT NULL,
  error_class text NOT NULL, error_text text NOT NULL, bytes bigint NOT NULL,
  latency_ms bigint NOT NULL, items_added bigint NOT NULL);
CREATE INDEX fetch_history_by_source ON fetch_history(source_id, id);
CREATE TABLE meta(key text PRIMARY KEY, value bigint NOT NULL);
INSERT INTO meta VALUES('change_version', 0), ('change_at', 0), ('sources_version', 0);
)sql";

// Version 2: what each editorial rule did to each source (issue #20; SQLite version 12).
constexpr const char* kVersion2 = R"sql(
CREATE TABLE rule_counts(
  source_id bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  rule text NOT NULL,
  dropped bigint NOT NULL DEFAULT 0,
  timeouts bigint NOT NULL DEFAULT 0,
  PRIMARY KEY(source_id, rule));
)sql";

// Version 3: WebSub subscriptions to publishers' hubs and each source's websub setting
// (issue #19; SQLite version 13). No foreign key to sources: a removed source's row stays
// until its hub has confirmed the unsubscribe.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE websub_subscriptions(
  source_id bigint PRIMARY KEY,
  hub text NOT NULL,
  topic text NOT NULL,
  callback text NOT NULL UNIQUE,
  secret text NOT NULL,
  state text NOT NULL CHECK(state IN ('requested','active','unsubscribing','denied')),
  lease_until bigint,
  changed bigint NOT NULL);
ALTER TABLE sources ADD COLUMN websub boolean NOT NULL DEFAULT true;
)sql";

// Version 4: the reader page's story links (/stories/{public id}) find their cluster by
// its public id (issue #21; SQLite version 14).
constexpr const char* kVersion4 = R"sql(
CREATE INDEX clusters_by_public_id ON clusters(public_id);
)sql";

// Next version: leases for several daemons over one database (issue #18, scheduling): who
// polls each source now and when it is due next, each host's next allowed start and
// slow-down, and each node's heartbeat (SQLite: the same tables, used by one node).
constexpr const char* kVersionLeases = R"sql(
CREATE TABLE source_leases(
  source_id bigint PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
  host text NOT NULL,
  next_due_ms bigint NOT NULL DEFAULT 0,
  owner text,
  lease_until_ms bigint,
  polled_by text);
CREATE INDEX source_leases_held_by_host ON source_leases(host) WHERE owner IS NOT NULL;
CREATE INDEX source_leases_by_owner ON source_leases(owner);
CREATE INDEX source_leases_by_poller ON source_leases(polled_by);
CREATE TABLE cluster_hosts(
  host text PRIMARY KEY,
  next_allowed_ms bigint NOT NULL DEFAULT 0,
  slowed_until_ms bigint NOT NULL DEFAULT 0);
CREATE TABLE cluster_nodes(
  node text PRIMARY KEY,
  started_ms bigint NOT NULL,
  heartbeat_ms bigint NOT NULL,
  claims bigint NOT NULL DEFAULT 0,
  lost_leases bigint NOT NULL DEFAULT 0);
)sql";

// Next version: each item's language, the one views filter by (issue #20; SQLite's views
// migration). Items stored before it have none.
constexpr const char* kVersionViews = R"sql(
ALTER TABLE items ADD COLUMN language text;
)sql";

// Next version: readers' subscriptions to our feeds at our own WebSub hub (issue #19, the
// hub side; SQLite's kVersionHubSubscriptions).
constexpr const char* kVersionHubSubscriptions = R"sql(
CREATE TABLE hub_subscriptions(
  topic text NOT NULL,
  callback text NOT NULL,
  secret text NOT NULL,
  lease_until bigint NOT NULL,
  created bigint NOT NULL,
  PRIMARY KEY(topic, callback));
)sql";

// Next version: source alerts (issue #20, point 2; SQLite's next too): each source's
// condition other than healthy, and the history of its changes for the alerts feed (no
// foreign key: a removed source's alerts stay in the history).
constexpr const char* kVersionAlerts = R"sql(
CREATE TABLE source_alerts(
  source_id bigint PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
  condition text NOT NULL CHECK(condition IN ('failing','stale')),
  since bigint NOT NULL);
CREATE TABLE alert_events(
  id bigserial PRIMARY KEY,
  source_id bigint NOT NULL,
  kind text NOT NULL CHECK(kind IN ('failing','stale','recovered')),
  at bigint NOT NULL,
  detail text NOT NULL);
)sql";

// Next version: the editorial rules managed through the CLI and the API besides the file's,
// which are synced in (issue #20); rules_version bumps on every change.
constexpr const char* kVersionRules = R"sql(
CREATE TABLE rules(
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  origin text NOT NULL CHECK(origin IN ('config','cli','api')),
  position bigint NOT NULL,
  enabled boolean NOT NULL,
  spec text NOT NULL,
  created bigint NOT NULL,
  modified bigint NOT NULL);
INSERT INTO meta VALUES('rules_version', 0);
)sql";

// Next version: the search vector is the client's (search.hpp), no longer generated by the
// server from the row: every stored item's is rebuilt from its text (issue #18, ingest).
constexpr const char* kVersionClientSearch = R"sql(
ALTER TABLE items ALTER COLUMN search DROP EXPRESSION;
DROP FUNCTION tinhop_unaccent(text);
)sql";

void rebuild_search_vectors(Connection& db) {
  fill_search_vectors(db, SearchVectors::rebuild_all);
}

// A migration's SQL, then what the client must do in the same transaction, if anything.
struct Migration {
  const char* sql;
  void (*then)(Connection&) = nullptr;
};

const std::array<Migration, 10> kMigrations = {{{kVersion1},
                                                {kVersion2},
                                                {kVersion3},
                                                {kVersion4},
                                                {kVersionLeases},
                                                {kVersionViews},
                                                {kVersionHubSubscriptions},
                                                {kVersionAlerts},
                                                {kVersionRules},
                                                {kVersionClientSearch, rebuild_search_vectors}}};

// pg_advisory_xact_lock's key for migrations: any constant other tinhop locks do not use.
constexpr const char* kLock = "SELECT pg_advisory_xact_lock(7318201800)";

}  // namespace

int latest_version() {
  return static_cast<int>(kMigrations.size());
}

int current_version(Connection& db) {
  auto exists = db.scalar(
      "SELECT count(*) FROM pg_tables WHERE tablename = 'tinhop_schema' AND schemaname = current_schema()");
  if (exists.value_or(0) == 0) return 0;
  return static_cast<int>(db.scalar("SELECT version FROM tinhop_schema").value_or(0));
}

void migrate(Connection& db, int target) {
  for (;;) {
    Transaction transaction(db);
    db.query(kLock);
    db.exec("CREATE TABLE IF NOT EXISTS tinhop_schema(version integer NOT NULL)");
    const int current = current_version(db);
    if (current > latest_version()) {
      throw sql::SqlFailure{
          Error{Errc::too_new, "database schema version " + std::to_string(current) +
                                   " is newer than this program's " + std::to_string(latest_version()) +
                                   " (PostgreSQL); upgrade tinhop or use another database"}};
    }
    const int version = current + 1;
    if (version > target || version > latest_version()) return;
    const Migration& migration = kMigrations[static_cast<std::size_t>(version - 1)];
    db.exec(migration.sql);
    if (migration.then != nullptr) migration.then(db);
    db.exec("DELETE FROM tinhop_schema");
    db.exec("INSERT INTO tinhop_schema VALUES(" + std::to_string(version) + ")");
    transaction.commit();
  }
}

}  // namespace tinhop::storage::pg::schema
