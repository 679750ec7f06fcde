// Ingest into PostgreSQL: identity, update in place or insert, near-duplicate clustering,
// with the same decisions as the SQLite backend (sqlite/ingest.cpp has the reasons). The
// search vector is a generated column, so a write needs nothing more for search.
// Every statement is a round trip to the server, the cost that dominates: a document's
// stored state is read in one statement before its entries are decided, and each new entry
// is written with its cluster and categories in one (issue #18, the ingest benchmark).
#include <algorithm>
#include <unordered_map>

#include "../entry_keys.hpp"
#include "postgres_store.hpp"
#include "tinhop/parsers/identity.hpp"

namespace tinhop::storage {

bool PostgresStore::figures_contradicted(std::int64_t cluster_id, Figures figures) {
  auto members =
      db.query("SELECT fingerprint FROM items WHERE cluster_id = $1", pg::Params().add(cluster_id));
  while (members.next()) {
    if (contradict(figures, from_bytes(members.bytes(0)).figures)) return true;
  }
  return false;
}

namespace {

// The clustering decision's advisory locks are (kDedupLockClass, slot): candidate keys are
// folded into kDedupLockSlots slots so that a transaction never holds more locks than the
// server's lock table spares (max_locks_per_transaction, 64 per connection by default,
// shared): a 1,000-entry batch would otherwise take 33,000. Two stories that share a slot
// only wait for each other.
constexpr int kDedupLockClass = 0x746e;  // "tn"; the migrations' lock is a single bigint key
constexpr std::uint64_t kDedupLockSlots = 1024;

// How long an item id below the newest seen is re-read before the window stops waiting for
// it: longer than any write transaction runs.
constexpr std::chrono::seconds kUnseenPatience{60};

// Array literals for `= ANY($1::bigint[])` and `unnest($1::text[])` parameters.
std::string bigint_array(std::span<const std::int64_t> values) {
  std::string out = "{";
  for (const std::int64_t value : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(value);
  }
  return out + "}";
}

std::string text_array(std::span<const std::string> values) {
  std::string out = "{";
  for (const std::string& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// What the database holds for a document's entries before they are decided: by key, the
// stored entry or a tombstone; by link hash, the first stored entry of another source.
struct StoredState {
  struct Entry {
    std::int64_t content_hash = 0, id = 0, cluster_id = 0;
  };
  std::unordered_map<std::int64_t, Entry> entries;
  std::unordered_map<std::int64_t, bool> tombstoned;
  std::unordered_map<std::int64_t, std::int64_t> cluster_of_link;
};

// A new entry whose story is new: its cluster, the entry and the cluster's categories in
// one statement ($1..$20 the entry's columns, as in kInsertJoined; $3, the cluster, is 0:
// this one's id comes from its sequence; $21 the categories). The foreign keys are checked
// at the statement's end, when the cluster row is there.
constexpr const char* kInsertStory = R"sql(
WITH story AS (
  INSERT INTO clusters(id, published, size, public_id) VALUES(nextval('cluster_ids'), $11, 1, $19)
  RETURNING id),
item AS (
  INSERT INTO items(source_id, key, cluster_id, guid, link, link_hash, title, summary, content,
    search_text, published, updated, first_seen, date_approximate, extra, content_hash, fingerprint,
    article, id, language)
  VALUES($1, $2, (SELECT id FROM story), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
    $18, $19, $20)),
categories AS (
  INSERT INTO cluster_categories(category, cluster_id, published)
  SELECT unnest($21::text[]), story.id, $11 FROM story ON CONFLICT DO NOTHING)
SELECT id FROM story WHERE $3::bigint = 0
)sql";

// A new entry joining the story $3 ($1..$20 the entry's columns, $21 the source's
// categories): the entry, the cluster's size and date, its categories at the cluster's new
// date. Returns the cluster's date before and after.
constexpr const char* kInsertJoined = R"sql(
WITH earlier AS (SELECT published FROM clusters WHERE id = $3),
story AS (
  UPDATE clusters SET size = size + 1, published = least(published, $11) WHERE id = $3
  RETURNING published),
item AS (
  INSERT INTO items(source_id, key, cluster_id, guid, link, link_hash, title, summary, content,
    search_text, published, updated, first_seen, date_approximate, extra, content_hash, fingerprint,
    article, id, language)
  VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)),
categories AS (
  INSERT INTO cluster_categories(category, cluster_id, published)
  SELECT unnest($21::text[]), $3, story.published FROM story ON CONFLICT DO NOTHING)
SELECT (SELECT published FROM earlier), (SELECT published FROM story)
)sql";

}  // namespace

std::vector<Prepared> PostgresStore::prepare_entries(const Feed& feed, bool follows,
                                                     std::vector<std::int64_t>& slots) {
  const auto identities = identify_items(feed, links);
  std::vector<Prepared> keys(feed.items.size());
  for (std::size_t index = 0; index < feed.items.size(); ++index) {
    if (identities[index].repeated) continue;
    keys[index] = prepare(feed.items[index], identities[index], links, follows);
    const Prepared& entry = keys[index];
    if (entry.link_hash != 0)
      slots.push_back(
          static_cast<std::int64_t>(static_cast<std::uint64_t>(entry.link_hash) % kDedupLockSlots));
    if (entry.fingerprint.shingles == 0) continue;
    for (const std::uint64_t value : DedupWindow::band_values(entry.fingerprint))
      slots.push_back(static_cast<std::int64_t>(value % kDedupLockSlots));
  }
  return keys;
}

void PostgresStore::claim_stories(std::vector<std::int64_t> slots) {
  // One order for every writer, so that two never wait for each other in a cycle.
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  if (!slots.empty()) {
    // One statement takes them in the array's order: a slot another writer holds is waited
    // for before the next is tried. The statement's time is counted as the wait when one
    // was busy.
    const auto start = std::chrono::steady_clock::now();
    const auto waits = db.scalar(
        "SELECT count(*) FILTER (WHERE waited) FROM (SELECT CASE WHEN pg_try_advisory_xact_lock($1, "
        "slot::integer) THEN false ELSE pg_advisory_xact_lock($1, slot::integer)::text = '' END AS waited "
        "FROM unnest($2::bigint[]) WITH ORDINALITY AS slots(slot, position) ORDER BY position) AS taken",
        pg::Params().add(kDedupLockClass).add(bigint_array(slots)));
    if (waits.value_or(0) > 0) {
      const auto waited =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
      dedup_wait_count.fetch_add(*waits, std::memory_order_relaxed);
      dedup_wait_microseconds.fetch_add(waited.count(), std::memory_order_relaxed);
    }
  }
  refresh_window();
}

void PostgresStore::refresh_window() {
  DedupWindow& window = candidates();
  if (window.capacity() == 0) return;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(unseen_ids, [&](const auto& unseen) { return now - unseen.second > kUnseenPatience; });
  // Re-read from the oldest id still awaited: adding it puts back in id order the entries
  // after it, which the window drops to take it.
  const std::int64_t after = unseen_ids.empty() ? window_seen : unseen_ids.begin()->first - 1;
  auto rows = db.query(
      "SELECT id, cluster_id, source_id, published, fingerprint FROM items WHERE id > $1 ORDER BY id",
      pg::Params().add(after));
  while (rows.next()) {
    const std::int64_t id = rows.int64(0);
    for (std::int64_t missing = window_seen + 1; missing < id; ++missing) unseen_ids.emplace(missing, now);
    unseen_ids.erase(id);
    window_seen = std::max(window_seen, id);
    if (rows.is_null(4)) continue;
    window.add(
        DedupWindow::Entry{id, rows.int64(1), rows.int64(2), rows.int64(3), from_bytes(rows.bytes(4))});
  }
}

DedupWaits PostgresStore::dedup_waits() const {
  return DedupWaits{dedup_wait_count.load(std::memory_order_relaxed),
                    std::chrono::microseconds{dedup_wait_microseconds.load(std::memory_order_relaxed)}};
}

IngestCounts PostgresStore::ingest_feed(std::int64_t source_id, const Feed& feed, Instant now,
                                        std::span<const Prepared> entry_keys,
                                        std::span<const ArticleFetch> articles) {
  require_source(source_id);
  const bool follows = !articles.empty();
  check_articles(feed, articles);
  IngestCounts counts;
  std::vector<std::string> categories;
  {
    auto rows = db.query("SELECT category FROM source_categories WHERE source_id = $1 ORDER BY position",
                         pg::Params().add(source_id));
    while (rows.next()) categories.push_back(rows.text(0));
  }
  const auto identities = identify_items(feed, links);
  const std::int64_t now_s = to_unix(now);
  // Undated entries go where they were first seen, below the document's dated ones.
  std::int64_t undated_at = now_s;
  for (const Item& item : feed.items) {
    if (item.published && !item.date_in_future)
      undated_at = std::min(undated_at, to_unix(*item.published) - 1);
  }

  // The document's stored state in one statement: kind 0 a stored entry, 1 a tombstone,
  // 2 the first entry of another source with that link (another writer's entry with one of
  // these links waits for this transaction's lock on the link's slot, claim_stories).
  StoredState stored;
  {
    std::vector<std::int64_t> keys;
    std::vector<std::int64_t> link_hashes;
    for (std::size_t index = 0; index < feed.items.size(); ++index) {
      if (identities[index].repeated) continue;
      keys.push_back(static_cast<std::int64_t>(identities[index].key));
      if (entry_keys[index].link_hash != 0) link_hashes.push_back(entry_keys[index].link_hash);
    }
    auto rows = db.query(
        "SELECT 0, key, content_hash, id, cluster_id FROM items WHERE source_id = $1 AND key = "
        "ANY($2::bigint[]) "
        "UNION ALL SELECT 1, key, 0, 0, 0 FROM tombstones WHERE source_id = $1 AND key = ANY($2::bigint[]) "
        "UNION ALL (SELECT DISTINCT ON (link_hash) 2, link_hash, 0, 0, cluster_id FROM items "
        "WHERE link_hash = ANY($3::bigint[]) AND source_id <> $1 ORDER BY link_hash, id)",
        pg::Params().add(source_id).add(bigint_array(keys)).add(bigint_array(link_hashes)));
    while (rows.next()) {
      const std::int64_t kind = rows.int64(0);
      if (kind == 0) {
        stored.entries[rows.int64(1)] = StoredState::Entry{rows.int64(2), rows.int64(3), rows.int64(4)};
      } else if (kind == 1) {
        stored.tombstoned[rows.int64(1)] = true;
      } else {
        stored.cluster_of_link[rows.int64(1)] = rows.int64(4);
      }
    }
  }
  // The new entries' ids, in document order, in one statement.
  std::vector<std::int64_t> new_ids;
  {
    std::int64_t wanted = 0;
    for (std::size_t index = 0; index < feed.items.size(); ++index) {
      const auto key = static_cast<std::int64_t>(identities[index].key);
      wanted +=
          !identities[index].repeated && !stored.entries.contains(key) && !stored.tombstoned.contains(key);
    }
    if (wanted > 0) {
      auto rows =
          db.query("SELECT nextval('item_ids') FROM generate_series(1, $1)", pg::Params().add(wanted));
      while (rows.next()) new_ids.push_back(rows.int64(0));
      std::sort(new_ids.begin(), new_ids.end());
    }
  }
  const std::string category_array = text_array(categories);
  std::size_t next_new_id = 0;

  for (std::size_t index = 0; index < feed.items.size(); ++index) {
    const ItemIdentity& identity = identities[index];
    if (identity.repeated) {
      ++counts.suppressed;
      continue;
    }
    const Item& item = feed.items[index];
    const auto key = static_cast<std::int64_t>(identity.key);
    const ArticleFetch article = follows ? articles[index] : ArticleFetch::not_tried;
    const bool tried = article != ArticleFetch::not_tried;
    std::int64_t stored_id = 0;
    std::int64_t cluster_id = 0;
    if (const auto seen = stored.entries.find(key); seen != stored.entries.end()) {
      if (seen->second.content_hash == static_cast<std::int64_t>(content_hash(item, !follows)) && !tried) {
        ++counts.unchanged;
        continue;
      }
      stored_id = seen->second.id;
      cluster_id = seen->second.cluster_id;
    } else if (stored.tombstoned.contains(key)) {
      ++counts.suppressed;
      continue;
    }
    const bool exists = stored_id != 0;
    const Prepared& keys = entry_keys[index];
    const bool keep_content = follows && !tried;  // a listing entry keeps its article's content
    const bool dated = item.published && !item.date_in_future;
    const std::int64_t published = dated ? to_unix(*item.published) : undated_at;
    const Fingerprint& fp = keys.fingerprint;

    bool joined = false;
    std::int64_t item_id = stored_id;
    if (!exists) {
      item_id = new_ids[next_new_id++];
      if (keys.link_hash != 0) {
        if (const auto same = stored.cluster_of_link.find(keys.link_hash);
            same != stored.cluster_of_link.end()) {
          cluster_id = same->second;
          joined = true;
        }
      }
      if (!joined) {
        // The window may be older than the database (another connection removed a source).
        const bool has_figures = holds_figures(fp.figures);
        const auto match = candidates().best_match(
            fp, source_id, published, [&](std::int64_t candidate_item, std::int64_t candidate_cluster) {
              const bool ok =
                  db.scalar(
                        "SELECT (EXISTS (SELECT 1 FROM items WHERE id = $3 AND cluster_id = $1) AND "
                        "NOT EXISTS (SELECT 1 FROM items WHERE cluster_id = $1 AND source_id = $2))::int",
                        pg::Params().add(candidate_cluster).add(source_id).add(candidate_item))
                      .value_or(0) == 1;
              return ok && !(has_figures && figures_contradicted(candidate_cluster, fp.figures));
            });
        if (match) {
          cluster_id = match->cluster_id;
          joined = true;
        }
      }
    }

    pg::Params p;
    p.add(source_id)
        .add(key)
        .add(cluster_id)
        .add(item.id)
        .add(item.link)
        .add(keys.link_hash != 0 ? std::optional<std::int64_t>(keys.link_hash) : std::nullopt)
        .add(item.title)
        .add(item.summary)
        .add(item.content)
        .add(keys.search_text)
        .add(published)
        .add(item.updated ? std::optional<std::int64_t>(to_unix(*item.updated)) : std::nullopt)
        .add(now_s)
        .add(item.date_approximate || !dated)
        .add(encode_extra(item, feed.language))
        .add(keys.content_hash)
        .add_bytes(to_bytes(fp))
        .add(follows ? std::optional<std::int64_t>(static_cast<std::int64_t>(article)) : std::nullopt);
    // The cluster's date is its earliest publication; lists are ordered by it.
    std::int64_t old_published = published;
    std::int64_t cluster_published = published;
    if (exists) {
      p.add(keep_content).add(dated).add(tried).add(item_language(item, feed));
      db.query(
          "UPDATE items SET guid = $4, link = $5, link_hash = $6, title = $7, summary = $8, "
          "content = CASE WHEN $19 THEN content ELSE $9 END, "
          "search_text = CASE WHEN $19 THEN search_text ELSE $10 END, "
          "published = CASE WHEN $20 THEN $11 ELSE published END, updated = $12, changed = $13, "
          "date_approximate = $14, extra = $15, content_hash = $16, "
          "fingerprint = CASE WHEN $19 THEN fingerprint ELSE $17 END, revision = revision + 1, "
          "article = CASE WHEN $21 THEN $18::smallint ELSE article END, language = $22 "
          "WHERE source_id = $1 AND key = $2 AND cluster_id = $3",
          p);
      old_published = db.scalar("SELECT published FROM clusters WHERE id = $1", pg::Params().add(cluster_id))
                          .value_or(published);
      cluster_published =
          db.scalar(
                "UPDATE clusters SET published = (SELECT min(published) FROM items WHERE cluster_id = $1) "
                "WHERE id = $1 RETURNING published",
                pg::Params().add(cluster_id))
              .value_or(old_published);
      ++counts.updated;
      if (!keep_content) candidates().update_fingerprint(item_id, fp);
    } else {
      p.add(item_id).add(item_language(item, feed)).add(category_array);
      if (joined) {
        auto dates = db.query(kInsertJoined, p);
        if (dates.next()) {
          old_published = dates.optional_int64(0).value_or(published);
          cluster_published = dates.optional_int64(1).value_or(old_published);
        }
      } else {
        // The story's public id is its first stored occurrence's id: this entry's.
        cluster_id = db.scalar(kInsertStory, p).value();
      }
      ++counts.added;
      if (joined) ++counts.clustered;
      candidates().add(DedupWindow::Entry{item_id, cluster_id, source_id, published, fp});
    }
    if (cluster_published != old_published) {
      db.query("UPDATE cluster_categories SET published = $2 WHERE cluster_id = $1",
               pg::Params().add(cluster_id).add(cluster_published));
    }
  }
  if (counts.added > 0) {
    db.query("UPDATE health SET last_new_item = $2 WHERE source_id = $1",
             pg::Params().add(source_id).add(now_s));
  }
  if (counts.added + counts.updated > 0) bump_change(now);
  return counts;
}

Result<IngestCounts> PostgresStore::ingest(std::int64_t source_id, const Feed& feed, Instant now) {
  std::vector<std::int64_t> slots;
  const auto keys = prepare_entries(feed, false, slots);
  return write([&] {
    claim_stories(slots);
    return ingest_feed(source_id, feed, now, keys);
  });
}

Result<std::vector<IngestCounts>> PostgresStore::ingest_batch(std::span<const IngestRequest> requests) {
  std::vector<std::int64_t> slots;
  std::vector<std::vector<Prepared>> keys;
  keys.reserve(requests.size());
  for (const auto& request : requests) {
    if (request.feed == nullptr) return Error{Errc::invalid_argument, "ingest request without a feed"};
    keys.push_back(prepare_entries(*request.feed, false, slots));
  }
  return write([&] {
    claim_stories(slots);
    std::vector<IngestCounts> counts;
    counts.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i)
      counts.push_back(ingest_feed(requests[i].source_id, *requests[i].feed, requests[i].now, keys[i]));
    return counts;
  });
}

Result<std::vector<IngestCounts>> PostgresStore::commit_polls(std::span<const PollResult> polls) {
  std::vector<std::int64_t> slots;
  std::vector<std::vector<Prepared>> keys;
  keys.reserve(polls.size());
  for (const auto& poll : polls) {
    keys.push_back(poll.feed != nullptr ? prepare_entries(*poll.feed, !poll.articles.empty(), slots)
                                        : std::vector<Prepared>());
  }
  return write([&] {
    if (!slots.empty()) claim_stories(slots);
    std::vector<IngestCounts> counts;
    counts.reserve(polls.size());
    for (std::size_t i = 0; i < polls.size(); ++i) {
      const PollResult& poll = polls[i];
      IngestCounts c;
      if (poll.feed != nullptr)
        c = ingest_feed(poll.record.source_id, *poll.feed, poll.record.attempted, keys[i], poll.articles);
      FetchRecord record = poll.record;
      record.items_added = c.added;
      record_poll(record);
      counts.push_back(c);
    }
    return counts;
  });
}

Result<std::vector<std::optional<std::int64_t>>> PostgresStore::locate_items(std::int64_t source_id,
                                                                             const Feed& feed) {
  return guarded([&] {
    std::vector<std::optional<std::int64_t>> ids;
    for (const auto& identity : identify_items(feed, links)) {
      std::optional<std::int64_t> id;
      if (!identity.repeated) {
        id = db.scalar("SELECT id FROM items WHERE source_id = $1 AND key = $2",
                       pg::Params().add(source_id).add(static_cast<std::int64_t>(identity.key)));
      }
      ids.push_back(id);
    }
    return ids;
  });
}

Result<std::vector<bool>> PostgresStore::articles_pending(std::int64_t source_id, const Feed& feed) {
  return guarded([&] {
    std::vector<bool> pending;
    pending.reserve(feed.items.size());
    for (const auto& identity : identify_items(feed, links)) {
      bool wanted = false;
      if (!identity.repeated) {
        const auto key = static_cast<std::int64_t>(identity.key);
        auto stored = db.query("SELECT article FROM items WHERE source_id = $1 AND key = $2",
                               pg::Params().add(source_id).add(key));
        if (stored.next()) {
          const auto state = stored.optional_int64(0);
          wanted = state && *state == static_cast<std::int64_t>(ArticleFetch::not_tried);
        } else {
          wanted = !db.scalar("SELECT 1 FROM tombstones WHERE source_id = $1 AND key = $2",
                              pg::Params().add(source_id).add(key));
        }
      }
      pending.push_back(wanted);
    }
    return pending;
  });
}

}  // namespace tinhop::storage
