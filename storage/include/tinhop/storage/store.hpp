// The store: everything tinhop keeps between runs (sources, items, clusters of
// republished stories, fetch health, full-text index), behind one narrow interface.
// No SQL leaves storage/. Two backends implement it: SQLite (a file path, the embedded
// default) and PostgreSQL (a connection string), chosen by the location Store::open gets.
//
// Threading: one Store per thread. The daemon has a single writer Store; readers (the
// publisher, the CLI) open their own Store on the same location (SQLite's WAL, or
// PostgreSQL's MVCC, lets them read while the writer commits). Every call either commits
// fully or changes nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "tinhop/parsers/model.hpp"

namespace tinhop::storage {

// ---------------------------------------------------------------- errors

enum class Errc {
  not_found = 1,     // no row with that id / url
  already_exists,    // a source with that url exists already
  invalid_argument,  // a value the store cannot accept (empty url, bad cursor, bad query)
  busy,              // another writer held the database beyond the busy timeout
  too_new,           // the database schema is newer than this program
  corrupt,           // SQLite reports a malformed database
  full,              // the store keeps no more of these (rules past their limit)
  io,        // the file system failed (disk full, permissions, ...), or the database server is unreachable
  internal,  // any other database failure; message has the database's text
};

// Contract name of an error code ("not_found", ...).
const char* errc_name(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;  // human readable, includes context (source id, path, SQLite text)
};

// boost::system::result needs this to report .value() on an error.
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& location);

template <class T>
using Result = boost::system::result<T, Error>;

// ---------------------------------------------------------------- opening

struct DedupOptions {
  // Two items from different sources whose fingerprints are at least this similar
  // (estimated Jaccard of their syllable shingles, 0..1) are the same story.
  double threshold = 0.25;
  // The threshold when either item is a headline alone (no summary, no content): its dozen
  // shingles give a noisier estimate, and headlines of one template share most of theirs.
  // Never below `threshold`. Figures (dates, amounts) tell such headlines apart, not this:
  // see docs/dedup.md.
  double title_only_threshold = 0.4;
  // Only items published (or first seen) within this distance of each other are compared.
  std::chrono::hours window{72};
  // Memory for the fingerprints of the most recently stored items, the candidates (259
  // bytes each: 20 MiB hold about 81,000). Loaded by a connection's first ingest, so
  // connections that never ingest hold none. Older items are still found by canonical
  // link, not by text.
  std::size_t max_candidate_bytes = 20u << 20;
  // Entries of the window that one band value indexes, about at most. A value that many
  // items share comes from phrases common to the whole feed ("Thành phố Hồ Chí Minh"), not
  // from a story: later items with it are found through their other bands, and a lookup
  // reads about this many entries per band (without the limit, one lookup in 30 read over
  // a thousand). A story republished more often is still found through its first copies,
  // which stay indexed. (Counted up to the band's first free slot: as older entries leave,
  // a value can gain up to as many again behind the slots they free.)
  std::size_t max_band_entries = 32;
};

struct RetentionPolicy {
  std::optional<std::chrono::seconds> max_age;  // items older than this are purged
  std::optional<std::int64_t> max_items;        // keep at most this many newest items
};

struct OpenOptions {
  std::chrono::milliseconds busy_timeout{5000};
  bool read_only = false;  // readers (publisher, CLI status): no writes, no candidate window in memory
  // SQLite page cache per connection. The writer's 1,000-item batches are written once at
  // commit when their pages fit (64 MiB); readers need far less.
  std::int64_t page_cache_kib = 64 * 1024;
  DedupOptions dedup;
  // Link query parameters removed before comparing links, in addition to the built-in
  // list (utm_*, fbclid, gclid, mc_cid, mc_eid, ...). Names; a trailing '*' is a prefix.
  std::vector<std::string> extra_tracking_parameters;
  // PostgreSQL: the process this store belongs to among those sharing the database; each
  // commit's notification names it, so that the process's own ChangeListener (started
  // with the same name) can ignore it. Empty: every listener hears the commits (the CLI).
  std::string node;
  // Tests only: stop migrating at this schema version (to build an old database).
  std::optional<int> migrate_to;
  // Tests only: move recent link entries into the bulk of the link index once there are
  // this many (the store's own limit grows with the store, from 4,096).
  std::optional<std::int64_t> recent_links_limit;
};

// ---------------------------------------------------------------- sources

enum class SourceType { feed, html };
enum class Republication { full, summary, title };
enum class SourceOrigin { config, cli, api };

const char* source_type_name(SourceType type);         // "feed" | "html"
const char* republication_name(Republication policy);  // "full" | "summary" | "title"
const char* origin_name(SourceOrigin origin);          // "config" | "cli" | "api"
std::optional<SourceType> parse_source_type(std::string_view name);
std::optional<Republication> parse_republication(std::string_view name);
std::optional<SourceOrigin> parse_origin(std::string_view name);

struct Header {
  std::string name;
  std::string value;
  bool operator==(const Header&) const = default;
};

// What an operator configures about a source.
struct SourceSettings {
  std::string url;
  std::string title;  // empty: the feed's own title is shown
  std::vector<std::string> categories;
  SourceType type = SourceType::feed;
  std::optional<std::chrono::seconds> interval;      // nullopt: the global default
  std::optional<std::chrono::seconds> min_interval;  // per-source bounds on the poll interval
  std::optional<std::chrono::seconds> max_interval;
  std::optional<std::string> time_zone;  // IANA name; nullopt: the global default
  DateOrder date_order = DateOrder::automatic;
  Republication republication = Republication::full;
  bool enabled = true;
  std::vector<Header> headers;  // extra request headers
  SourceOrigin origin = SourceOrigin::config;
  std::string html_selectors;  // JSON text for type html; empty otherwise
  bool follow_links = false;   // fetch each new item's article page for its content
  bool websub = true;          // subscribe to the hub its feed names ("auto"); false: "off"
  bool operator==(const SourceSettings&) const = default;
};

// What the fetcher keeps between polls (conditional GET and redirect tracking).
struct FetchState {
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> body_hash;        // hash of the last body parsed (any stable hex text)
  std::optional<std::string> redirect_target;  // permanent redirect seen on recent polls
  int redirect_streak = 0;                     // consecutive polls that saw redirect_target
  std::optional<std::string> moved_from;       // url before the last permanent move
  std::optional<Instant> moved_at;
  std::optional<std::chrono::seconds> adaptive_interval;  // scheduler's estimate, kept across restarts
  std::optional<Instant> last_item_at;  // first_seen of the newest item stored for the source
};

struct Source {
  std::int64_t id = 0;  // never given to another source, even after this one is removed
  SourceSettings settings;
  std::optional<std::string> feed_title;  // title the feed itself gives (from the last parse)
  std::optional<std::string> site_link;   // the feed's own <link>
  FetchState fetch;
  Instant created{};
  Instant modified{};           // last change of settings
  std::string disabled_reason;  // why the daemon disabled it (410 Gone ...); empty otherwise
};

// ---------------------------------------------------------------- fetch health

enum class FetchStatus {
  ok,            // a body was received and parsed (or skipped by body hash)
  not_modified,  // 304, or unchanged body hash
  failed,        // any error; error_class/error_text say which
};
const char* fetch_status_name(FetchStatus status);  // "ok" | "not_modified" | "failed"

// One poll's outcome, as the fetcher reports it.
struct FetchRecord {
  std::int64_t source_id = 0;
  Instant attempted{};
  FetchStatus status = FetchStatus::ok;
  int http_status = 0;      // 0 when no response (DNS, TLS, timeout, file://)
  std::string error_class;  // fetcher's class ("dns", "timeout", "http_404"...); empty on success
  std::string error_text;   // one line, no body
  std::int64_t bytes = 0;   // body bytes received
  std::chrono::milliseconds latency{0};  // first byte of request to last byte of body
  std::optional<Instant> next_poll;      // scheduler's decision
  std::int64_t items_added = 0;          // new items stored from this poll (IngestCounts::added)
  bool stale = false;                    // 200s but nothing new for 30x the usual gap
  // Conditional-GET state to keep for the next poll; nullopt keeps the old value.
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> body_hash;
  // A 301/308 seen on this poll: the final permanent target. nullopt resets the streak.
  std::optional<std::string> permanent_redirect;
  std::optional<std::chrono::seconds> adaptive_interval;  // nullopt keeps the old value
  // The day/month order this poll's document showed by its own dates (ParseResult's
  // decision with basis document); nullopt keeps the old value.
  std::optional<DateOrder> date_order_seen;
  // Date fields of this poll's document that could not be read; nullopt (nothing parsed on
  // this poll) keeps the old value.
  std::optional<std::int64_t> dates_not_understood;
};

// What a poll did with the article page an entry links to (sources that follow links).
enum class ArticleFetch : std::uint8_t {
  not_tried,  // not fetched on this poll (already tried before, or over the poll's limit)
  fetched,    // fetched and its body extracted: the entry's content is the article
  failed,     // fetched without a usable body (HTTP error, timeout, nothing to extract)
};

// One finished poll for the writer's batch: the record, and the parsed document when the
// poll produced one (nullptr for 304s and failures). items_added is filled in by the store.
struct PollResult {
  FetchRecord record;
  const Feed* feed = nullptr;
  // For a source that follows links: one per entry of `feed`. Then an entry's stored
  // content comes only from its article (a listing page carries none): entries not tried
  // on this poll keep what is stored, and a tried article is recorded so it is never
  // fetched again. Empty for other sources.
  std::span<const ArticleFetch> articles{};
};

// Per-source health, kept current by record_fetch and ingest.
struct Health {
  std::int64_t source_id = 0;
  std::optional<Instant> last_attempt;
  std::optional<Instant> last_success;
  std::optional<FetchStatus> status;  // of the last attempt
  int http_status = 0;
  std::string error_class;  // of the last failure still current (empty after a success)
  std::string error_text;
  std::optional<Instant> next_poll;
  std::int64_t items_added = 0;  // total new items since the source was added
  std::int64_t consecutive_failures = 0;
  std::int64_t polls = 0;
  std::int64_t not_modified = 0;  // polls answered 304 / unchanged body
  std::int64_t bytes = 0;         // total body bytes
  std::chrono::milliseconds last_latency{0};
  bool stale = false;
  std::optional<Instant> last_new_item;  // first_seen of the newest stored item
  // The day/month order the source's own documents last showed (a field above 12); nullopt
  // until one did. The parser falls back on it when a document's dates do not tell.
  std::optional<DateOrder> date_order_seen;
  std::int64_t dates_not_understood = 0;  // date fields of the last parsed document not read
};

// What the scheduler needs to adapt the poll interval to the publication rate.
struct PublicationStats {
  std::int64_t items = 0;                          // stored items of the source
  std::optional<Instant> newest;                   // newest publication date
  std::optional<std::chrono::seconds> median_gap;  // between the last <=50 publication dates
};

// One row of a source's fetch history (newest first).
struct FetchHistoryEntry {
  Instant attempted{};
  FetchStatus status = FetchStatus::ok;
  int http_status = 0;
  std::string error_class;
  std::string error_text;
  std::int64_t bytes = 0;
  std::chrono::milliseconds latency{0};
  std::int64_t items_added = 0;
};

// ---------------------------------------------------------------- ingest

struct IngestCounts {
  std::int64_t added = 0;       // items stored for the first time
  std::int64_t updated = 0;     // items seen before whose content changed (updated in place)
  std::int64_t unchanged = 0;   // items seen before, identical
  std::int64_t suppressed = 0;  // purged earlier (tombstoned) or repeated within the document
  std::int64_t clustered = 0;   // of `added`, those that joined another source's story
  IngestCounts& operator+=(const IngestCounts& other);
};

// One parsed document to ingest for one source, fetched at `now`.
struct IngestRequest {
  std::int64_t source_id = 0;
  const Feed* feed = nullptr;
  Instant now{};
};

// ---------------------------------------------------------------- read side

// Keyset position in a newest-first list: entries strictly older than (published, id).
// A search by relevance pages by (relevance, id) instead: entries ranked lower, or ranked
// the same and older.
struct Cursor {
  Cursor() = default;
  Cursor(Instant at, std::int64_t entry) : published(at), id(entry) {}
  static Cursor ranked(double rank, std::int64_t entry) {
    Cursor cursor({}, entry);
    cursor.relevance = rank;
    return cursor;
  }
  Instant published{};
  std::int64_t id = 0;
  std::optional<double> relevance;  // the FTS5 bm25 rank of that entry: lower ranks higher
  bool operator==(const Cursor&) const = default;
};
// Opaque URL-safe text for a cursor: "1732665600-42", or "r-3.25-42" by relevance;
// parse_cursor rejects anything else.
std::string format_cursor(const Cursor& cursor);
std::optional<Cursor> parse_cursor(std::string_view text);

struct StoredItem {
  std::int64_t id = 0;  // stable across restarts; never given to another item, even once purged
  std::int64_t source_id = 0;
  std::int64_t cluster_id = 0;
  std::optional<std::string> guid;  // the source's own id, as given
  std::optional<std::string> link;
  std::optional<std::string> title;
  std::optional<std::string> summary;
  std::optional<std::string> content;
  // The feed's date; when it gave none, one not understood or a future one: first_seen,
  // but below the known dates of the document it came in (date_approximate is set).
  Instant published{};
  std::optional<Instant> updated;  // the feed's own updated date
  Instant first_seen{};
  std::optional<Instant> changed;  // when tinhop last saw its content change
  bool date_approximate = false;
  std::vector<Author> authors;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;
  std::optional<std::string> thumbnail;
  std::optional<std::string> comments;
  std::optional<std::string> language;  // as the normalizer settled it (ItemExtras), else the feed's
};

// Who else carries a story.
struct Publisher {
  std::int64_t source_id = 0;
  std::string source_title;              // settings title, else the feed's title (may be empty)
  std::string source_url;                // the feed url
  std::optional<std::string> site_link;  // the feed's own <link>
  std::int64_t item_id = 0;
  std::optional<std::string> item_link;
  Instant published{};
};

struct ClusterView {
  std::int64_t cluster_id = 0;
  // The story's permanent number, for published entry ids: the id of the item that
  // created the cluster, kept whoever joins, leaves or becomes the primary; never given
  // to another story. Clusters stored before schema version 10 keep their own id.
  std::int64_t public_id = 0;
  Cursor position;   // this entry's place in the list (pass to the next page)
  StoredItem item;   // the cluster's primary (earliest publisher); in a per-source query,
                     // that source's own item
  Publisher origin;  // the source of `item`
  Republication republication = Republication::full;  // policy of item's source
  std::vector<Publisher> others;                      // every other occurrence, earliest first
};

// What a view (docs/views.md) selects. A story is listed when one of its items is from
// one of `source_urls` and in one of `languages` (the filters given), the story is in one
// of `categories` (of its sources), it was first published at or after `since`, and at
// least `min_publishers` distinct sources carry it. Empty lists select everything.
struct StoryFilter {
  std::vector<std::string> source_urls;  // sources as stored (Source::settings.url)
  std::vector<std::string> categories;   // source categories, as cluster categories
  // Items' language tags (lowercase, as stored): "vi" also takes "vi-vn"; items whose feed
  // gave no language match no language filter.
  std::vector<std::string> languages;
  std::optional<Instant> since;
  std::int64_t min_publishers = 1;
  bool operator==(const StoryFilter&) const = default;
};

struct ClusterQuery {
  std::optional<std::int64_t> source_id;  // only stories this source carries
  std::optional<std::string> category;    // only stories carried by a source in this category
  // FTS query: words, "phrases", prefix*; diacritics ignored. Search results come in
  // `order`, each story once per page.
  std::optional<std::string> search;
  // A view's selection; not with source_id or category, and newest first only. With a
  // search, the item that matches the text is the one that matches the sources and
  // languages.
  std::optional<StoryFilter> filter;
  enum class Order {
    newest,     // by the matching item's date, newest first
    relevance,  // by bm25 rank, best first; equal ranks newest arrival first
  } order = Order::newest;
  std::size_t limit = 50;        // capped at 1000
  std::optional<Cursor> before;  // next page: entries strictly older than this
  // Previous page: the `limit` entries just newer than this, still listed newest first.
  // Not with `before`, nor with a search (a search pages forward only).
  std::optional<Cursor> after;
};

struct ClusterPage {
  std::vector<ClusterView> clusters;
  std::optional<Cursor> next;      // present when more entries follow
  std::optional<Cursor> previous;  // present when newer entries come before: pass as `after`
};

// Every occurrence of one story, as the story page shows them side by side.
struct StoryVersion {
  Publisher publisher;
  Republication republication = Republication::full;  // policy of the publisher's source
  StoredItem item;
};
struct Story {
  std::int64_t cluster_id = 0;
  std::int64_t public_id = 0;
  std::vector<StoryVersion> versions;  // earliest publisher first
};

// Top stories (docs/views.md): the stories first published within `window` before `now`
// that at least `min_publishers` distinct sources carry, ranked by
// top_score(publishers, now - first publication, half_life).
struct TopQuery {
  Instant now{};
  std::chrono::seconds window{std::chrono::hours(48)};
  std::chrono::seconds half_life{std::chrono::hours(6)};
  std::int64_t min_publishers = 2;
  std::size_t limit = 20;  // capped at 1000
};

struct TopStory {
  ClusterView view;             // `position` is unused: the list is not paged
  std::int64_t publishers = 0;  // distinct sources carrying it
  double score = 0;
};

// publishers × 2^(−age / half_life); a story dated in the future counts as age 0.
double top_score(std::int64_t publishers, std::chrono::seconds age, std::chrono::seconds half_life);

// Monotonic change marker: bumps on every commit that changes what readers may see.
struct ChangeStamp {
  std::int64_t version = 0;
  Instant at{};
  bool operator==(const ChangeStamp&) const = default;
};

struct RetentionReport {
  std::int64_t purged_items = 0;
  std::int64_t dissolved_clusters = 0;    // clusters left empty
  std::int64_t reassigned_primaries = 0;  // clusters whose primary was purged
};

// What one editorial rule did to one source's items (docs/rules.md).
struct RuleCount {
  std::int64_t source_id = 0;  // 0 in totals over every source
  std::string rule;
  std::int64_t dropped = 0;   // items the rule kept from being stored
  std::int64_t timeouts = 0;  // regex matches abandoned at the time limit
  friend bool operator==(const RuleCount&, const RuleCount&) = default;
};

// An editorial rule kept in the store (docs/rules.md, "Managing rules"): the file's, synced
// in at start and at every reload, and those added through the CLI or the API.
struct StoredRule {
  std::int64_t id = 0;  // never given twice
  std::string name;     // unique among all rules; the rule's counters (RuleCount::rule) use it
  SourceOrigin origin = SourceOrigin::cli;
  // Order within its origin's rules: the file's in file order apply first, then the others
  // by position. 0 when adding: after the last one.
  std::int64_t position = 0;
  bool enabled = true;
  std::string spec;  // the rule as JSON (admin::rule_to_json); the store keeps it as given
  Instant created{};
  Instant modified{};
  friend bool operator==(const StoredRule&, const StoredRule&) = default;
};

// Writes that waited for another writer (another node on the same PostgreSQL database)
// deciding one of their stories, so both copies join one cluster; zero on SQLite.
struct DedupWaits {
  std::int64_t count = 0;
  std::chrono::microseconds time{0};
};

// A source's alert condition as the last check left it (docs/operations.md, "Source
// alerts"). Sources without one are healthy.
struct SourceAlert {
  std::int64_t source_id = 0;
  std::string condition;  // "failing" or "stale"
  Instant since{};
  friend bool operator==(const SourceAlert&, const SourceAlert&) = default;
};

// One change of a source's condition, kept for the alerts feed.
struct AlertEvent {
  std::int64_t id = 0;  // given by record_alert, increasing
  std::int64_t source_id = 0;
  std::string kind;  // "failing", "stale" or "recovered"
  Instant at{};
  std::string detail;  // one line: what was seen
  friend bool operator==(const AlertEvent&, const AlertEvent&) = default;
};

struct StoreStats {
  std::int64_t sources = 0;
  std::int64_t items = 0;
  std::int64_t clusters = 0;
  std::int64_t tombstones = 0;
  int schema_version = 0;
};

// ---------------------------------------------------------------- WebSub subscriptions

// Where our subscription to a publisher's hub stands (W3C WebSub section 5).
enum class SubscriptionState {
  requested,      // subscribe sent; the hub has not yet verified our intent
  active,         // intent verified: pushes accepted until lease_until
  unsubscribing,  // unsubscribe sent (source removed, disabled or websub = "off")
  denied,         // the hub refused (hub.mode=denied); polling alone serves the source
};

// Contract name of a state ("requested", ...).
const char* subscription_state_name(SubscriptionState state);

// Our subscription for one source. Kept by source id without a foreign key: a removed
// source's row stays until its hub has confirmed the unsubscribe.
struct Subscription {
  std::int64_t source_id = 0;
  std::string hub;       // the hub's URL
  std::string topic;     // the topic URL (rel="self", else the source URL)
  std::string callback;  // opaque token of our callback URL, /websub/callback/{callback}
  std::string secret;    // hub.secret we sent: pushes are signed with it
  SubscriptionState state = SubscriptionState::requested;
  std::optional<Instant> lease_until;  // when the hub's lease ends (active only)
  Instant changed{};                   // last change of state
};

// ---------------------------------------------------------------- cluster (several daemons)

// Lease and politeness times in milliseconds: host spacing is a quarter of a second.
using MilliInstant = std::chrono::sys_time<std::chrono::milliseconds>;

// A node asking for a source that came due on its own schedule (docs/operations.md,
// "Several nodes"). The lease, the source's due time and its host's politeness are decided
// together, so no two nodes fetch one source and no host is asked more often than allowed.
struct ClaimRequest {
  std::string node;
  std::int64_t source_id = 0;
  std::string host;  // the source URL's host; empty for file:// (no politeness)
  MilliInstant now{};
  std::chrono::milliseconds lease{std::chrono::minutes(2)};
  std::int64_t per_host = 2;                        // leases on one host at once, every node counted
  std::chrono::milliseconds spacing{250};           // between claims on one host
  std::chrono::milliseconds slowed_spacing{5'000};  // the same while the host asked us to slow down
  // An operator (poll now) or a hub asked for this poll: the source's due time does not
  // hold it back; the lease and the host's politeness still do.
  bool asked = false;
};

// Why a claim was not granted, and when it could be: the source's next due time, the end
// of another node's lease, or the host's next allowed start.
struct Claim {
  bool granted = false;
  MilliInstant retry_at{};  // not granted: when to ask again
  std::string holder;       // not granted because this node holds the source's lease
};

// A poll a node finished and committed: the source's next due time for every node.
struct LeaseRelease {
  std::int64_t source_id = 0;
  MilliInstant next_due{};
  // A 429/503 asked to slow the host down: claims on it keep the slowed spacing until then.
  std::optional<MilliInstant> host_slowed_until;
};

// One node's heartbeat with its counters since it started.
struct NodeHeartbeat {
  std::string node;
  MilliInstant started{};
  MilliInstant now{};
  std::int64_t claims = 0;       // claims granted
  std::int64_t lost_leases = 0;  // leases another node took before this one released them
};

// A node as `tinhop cluster status` shows it.
struct NodeStatus {
  std::string node;
  MilliInstant started{};
  MilliInstant heartbeat{};
  std::int64_t claims = 0;
  std::int64_t lost_leases = 0;
  std::int64_t leases_held = 0;  // unexpired leases now
  std::int64_t sources = 0;      // sources whose last claim was this node's
  friend bool operator==(const NodeStatus&, const NodeStatus&) = default;
};

// A reader's subscription to one of our feeds at our own hub (W3C WebSub sections 5-7),
// stored once the reader's intent is verified. Kept by (topic, callback).
struct HubSubscription {
  std::string topic;      // the feed's absolute URL, as the subscriber named it
  std::string callback;   // the subscriber's callback URL
  std::string secret;     // hub.secret: deliveries are signed with it; empty: unsigned
  Instant lease_until{};  // deliveries stop and the row goes after this
  Instant created{};      // when the (last) subscription was verified
};

// ---------------------------------------------------------------- the store

class Backend;

// Whether `location` names a PostgreSQL database rather than a SQLite file: a
// "postgresql://" or "postgres://" URI, or libpq "key=value" words ("host=/run/postgresql
// dbname=tinhop").
bool is_postgres_location(std::string_view location);

// ---------------------------------------------------------------- moving a database

struct CopyOptions {
  std::size_t batch_rows = 1000;  // rows read and written per transaction: the memory bound
  // Called after each batch written: the table and its rows copied so far.
  std::function<void(std::string_view table, std::int64_t rows)> progress;
};

struct CopyReport {
  // Every table copied, in the order copied, with its rows.
  std::vector<std::pair<std::string, std::int64_t>> rows;
};

// Copies everything the database at `from` holds into the one at `to` (either backend
// each, as Store::open takes them; both are migrated to this program's schema first):
// every source, item, cluster, tombstone, health and history row, rule count and WebSub
// subscription, under the same ids and public ids, and ids handed out afterwards continue
// above the highest `from` ever gave. The target must hold nothing (no source, item,
// cluster, tombstone, rule count or subscription): otherwise Errc::already_exists, and
// nothing is written. Nothing else may write `from` meanwhile. A failure part-way leaves
// the target partly filled: empty it (or make a new one) before trying again.
Result<CopyReport> copy_database(const std::string& from, const std::string& to,
                                 const CopyOptions& options = {});

class Store {
 public:
  // Opens and migrates the database at `location`: a SQLite file path (created if needed;
  // ":memory:" for tests) or a PostgreSQL connection string (is_postgres_location; the
  // database must exist). A database newer than this program fails with Errc::too_new.
  static Result<Store> open(const std::string& location, const OpenOptions& options = {});

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  // Schema version this program writes to a SQLite database.
  static int schema_version();
  // Schema version this program writes to a PostgreSQL database (its own list of migrations).
  static int postgres_schema_version();

  // --- sources
  Result<std::int64_t> add_source(const SourceSettings& settings, Instant now);
  Result<void> update_source(std::int64_t id, const SourceSettings& settings, Instant now);
  Result<Source> get_source(std::int64_t id);
  Result<std::optional<Source>> find_source_by_url(std::string_view url);
  // Adds the source, or when one with this url exists returns its id unchanged (demo feeds).
  Result<std::int64_t> upsert_source(const SourceSettings& settings, Instant now);
  Result<std::vector<Source>> list_sources();
  // At most `limit` sources with ids above `after_id`, in id order: keyset pages, so a caller
  // walks 10,000 sources without holding them all at once.
  Result<std::vector<Source>> list_sources_after(std::int64_t after_id, std::size_t limit);
  // Removes the source with its items, health and history; clusters stay consistent.
  Result<void> remove_source(std::int64_t id);
  // `reason` is shown in status when the daemon disables a source (410 Gone); enabling clears it.
  Result<void> set_enabled(std::int64_t id, bool enabled, Instant now, std::string_view reason = {});
  // Moves a source to the url of a confirmed permanent redirect, recording the old one.
  Result<void> move_source(std::int64_t id, const std::string& new_url, Instant now);
  // Feed-level facts from the last parse (title, link), shown by the publisher.
  Result<void> set_feed_info(std::int64_t id, const std::optional<std::string>& title,
                             const std::optional<std::string>& site_link);
  // Sorted distinct categories of all sources.
  Result<std::vector<std::string>> list_categories();

  // --- WebSub subscriptions (ours, to publishers' hubs)
  // Inserts or replaces the subscription of subscription.source_id; the callback token is
  // unique (Errc::already_exists when another source holds it).
  Result<void> save_subscription(const Subscription& subscription);
  Result<std::optional<Subscription>> subscription_of_source(std::int64_t source_id);
  Result<std::optional<Subscription>> subscription_by_callback(std::string_view callback);
  // Every subscription in source id order.
  Result<std::vector<Subscription>> list_subscriptions();
  // Forgets it (the unsubscribe was verified, or the hub is gone); no error when absent.
  Result<void> remove_subscription(std::int64_t source_id);

  // --- WebSub hub subscriptions (readers', to our feeds)
  // Inserts or replaces the subscription of (topic, callback).
  Result<void> save_hub_subscription(const HubSubscription& subscription);
  // Every hub subscription in (topic, callback) order.
  Result<std::vector<HubSubscription>> list_hub_subscriptions();
  // Forgets it (unsubscribed or expired); no error when absent.
  Result<void> remove_hub_subscription(std::string_view topic, std::string_view callback);

  // --- ingest (the single writer)
  // Stores one parsed document: identity, update in place or insert, near-duplicate
  // clustering, all in one transaction. Items count as stored when this returns a value.
  Result<IngestCounts> ingest(std::int64_t source_id, const Feed& feed, Instant now);
  // Several documents in one transaction (the writer's batch); counts per request.
  Result<std::vector<IngestCounts>> ingest_batch(std::span<const IngestRequest> requests);
  // The writer's whole batch in one transaction: each poll's items (when it has a feed) and
  // then its fetch record, health and conditional-GET state. Counts per poll.
  Result<std::vector<IngestCounts>> commit_polls(std::span<const PollResult> polls);

  // --- fetch state and health
  // Records one poll (health, history, conditional-GET state, redirect streak) and
  // returns the source's fetch state after it.
  Result<FetchState> record_fetch(const FetchRecord& record);
  Result<Health> health(std::int64_t source_id);
  Result<std::vector<Health>> all_health();
  // Health of the sources with after_id < id <= last_id, in id order (a page of
  // list_sources_after).
  Result<std::vector<Health>> health_between(std::int64_t after_id, std::int64_t last_id);
  // Calls `visit` with every source and its health (null when it has none), in id order,
  // reading `page` sources and their health at a time: a caller walks 10,000 sources
  // without holding both whole lists.
  Result<void> visit_sources(const std::function<void(const Source&, const Health*)>& visit,
                             std::size_t page = 512);
  Result<std::vector<FetchHistoryEntry>> fetch_history(std::int64_t source_id, std::size_t limit);
  Result<PublicationStats> publication_stats(std::int64_t source_id);
  // New items of a source per UTC day (by first seen) for the `days` days ending with the
  // day of `now`, oldest first: the admin console's sparkline.
  Result<std::vector<std::int64_t>> items_per_day(std::int64_t source_id, Instant now, int days);

  // --- read side (publisher)
  Result<ClusterPage> latest_clusters(const ClusterQuery& query);
  // Best score first; equal scores the newer story first.
  Result<std::vector<TopStory>> top_stories(const TopQuery& query);
  Result<StoredItem> get_item(std::int64_t item_id);
  // A source's stored items, newest first, at most `limit` (capped at 10,000).
  Result<std::vector<StoredItem>> source_items(std::int64_t source_id, std::size_t limit);
  // The story whose entries carry `public_id` (ClusterView::public_id); nullopt when none.
  Result<std::optional<Story>> story(std::int64_t public_id);
  Result<ChangeStamp> last_change();
  // Bumps on every source add/update/remove/enable/disable/move, from any connection:
  // a running daemon polls it (cheap) to notice CLI edits.
  Result<std::int64_t> sources_version();
  // The stored item id of each entry of `feed` for this source (nullopt: not stored, e.g.
  // tombstoned or repeated in the document), in document order. Identity only: no write.
  Result<std::vector<std::optional<std::int64_t>>> locate_items(std::int64_t source_id, const Feed& feed);
  // For a source that follows links: per entry of `feed`, whether its article page is still
  // to be fetched (a new entry, or one stored over an earlier poll's limit). False for
  // entries tried before, tombstoned or repeated in the document, and for items stored
  // before the source followed links. Read only.
  Result<std::vector<bool>> articles_pending(std::int64_t source_id, const Feed& feed);
  Result<StoreStats> stats();
  // This store's writes that waited for another writer's decision on a story (cross-node
  // dedup, docs/dedup.md); callable from any thread while the owner writes.
  DedupWaits dedup_waits() const;

  // --- editorial rules
  // Adds each count to its source's counters of that rule (sources since removed are skipped).
  Result<void> add_rule_counts(std::span<const RuleCount> counts);
  // One source's counters by rule name, or with nullopt every rule's totals over all
  // sources (source_id 0).
  Result<std::vector<RuleCount>> rule_counts(std::optional<std::int64_t> source_id);
  // Every stored rule in the order they apply: the file's (origin config) by position, then
  // the others by position; equal positions by id.
  Result<std::vector<StoredRule>> list_rules();
  // Adds `rule` (its id, created and modified are set here) and returns its id;
  // Errc::already_exists when another rule has its name, Errc::full when `most` rules are
  // stored already (counted in the same transaction, so concurrent adds cannot pass it).
  Result<std::int64_t> add_rule(const StoredRule& rule, Instant now, std::size_t most);
  // Replaces rule `rule.id`'s name, position, enabled and spec (origin and created stay);
  // Errc::not_found, or Errc::already_exists when another rule has the name.
  Result<void> update_rule(const StoredRule& rule, Instant now);
  // Errc::not_found when no rule has that id.
  Result<void> remove_rule(std::int64_t id);
  // Bumps on every rule added, changed or removed, from any connection: a running daemon
  // polls it to apply a changed rule set to the next ingest.
  Result<std::int64_t> rules_version();

  // --- cluster: leases on sources and hosts shared by several daemons (docs/operations.md)
  // Grants `request.node` the source's lease when the source is due, no other node holds an
  // unexpired lease on it and its host allows a start (spacing, per-host leases); the lease
  // and the host's next start are written in one statement. A granted claim on a source
  // the node already holds renews it.
  Result<Claim> claim_source(const ClaimRequest& request);
  // Extends the node's leases on these sources to `until`; returns the ids it still held
  // (the others were taken by another node after they expired).
  Result<std::vector<std::int64_t>> renew_leases(std::string_view node,
                                                 std::span<const std::int64_t> source_ids,
                                                 MilliInstant until);
  // Ends the node's leases with each source's next due time; returns the ids it still held
  // (a lease another node took is left to that node).
  Result<std::vector<std::int64_t>> release_leases(std::string_view node,
                                                   std::span<const LeaseRelease> releases);
  // Records that the node is alive, with its counters.
  Result<void> heartbeat(const NodeHeartbeat& beat);
  // Every node that sent a heartbeat, by name, with the leases it holds at `now`.
  Result<std::vector<NodeStatus>> cluster_status(MilliInstant now);

  // --- source alerts
  // When the source's new items arrived since `since`: their distinct first-seen times,
  // oldest first.
  Result<std::vector<Instant>> arrivals(std::int64_t source_id, Instant since);
  // Every source's condition other than healthy, by source id.
  Result<std::vector<SourceAlert>> source_alerts();
  // In one transaction: the event's source takes its condition ("recovered": healthy, its
  // row removed; else the kind, since event.at) and the event joins the history, of which
  // the newest 1,000 are kept. Returns the event's id.
  Result<std::int64_t> record_alert(const AlertEvent& event);
  // The newest events first, at most `limit`.
  Result<std::vector<AlertEvent>> recent_alerts(std::size_t limit);

  // --- retention
  // Applies the per-source limits to every source and the global ones to all items; purged items leave
  // tombstones; clusters keep a live primary.
  Result<RetentionReport> apply_retention(const RetentionPolicy& per_source, const RetentionPolicy& global,
                                          Instant now);
  // Tombstones older than this are forgotten (the feed stopped carrying the item long ago).
  Result<std::int64_t> forget_tombstones(Instant older_than);
  // Returns freed pages to the file system (incremental vacuum), at most `pages`.
  // PostgreSQL: nothing to do (autovacuum returns space to the table itself).
  Result<void> vacuum(std::int64_t pages);
  // WAL checkpoint (TRUNCATE), for a clean shutdown. PostgreSQL: nothing to do (the server
  // checkpoints on its own).
  Result<void> checkpoint();

  // For tests and the benchmark: the query plan of every publisher query, one text per query.
  Result<std::vector<std::string>> explain_read_queries();

 private:
  explicit Store(std::unique_ptr<Backend> backend);
  std::unique_ptr<Backend> backend_;
};

}  // namespace tinhop::storage
