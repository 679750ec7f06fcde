// Ingest into PostgreSQL: identity, update in place or insert, near-duplicate clustering,
// with the same decisions as the SQLite backend (sqlite/ingest.cpp has the reasons). The
// search vector is a generated column, so a write needs nothing more for search.
#include <algorithm>

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
  for (const std::int64_t slot : slots) {
    auto taken =
        db.query("SELECT pg_try_advisory_xact_lock($1, $2)", pg::Params().add(kDedupLockClass).add(slot));
    if (taken.next() && taken.boolean(0)) continue;
    const auto start = std::chrono::steady_clock::now();
    db.query("SELECT pg_advisory_xact_lock($1, $2)", pg::Params().add(kDedupLockClass).add(slot));
    const auto waited =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    dedup_wait_count.fetch_add(1, std::memory_order_relaxed);
    dedup_wait_microseconds.fetch_add(waited.count(), std::memory_order_relaxed);
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
    {
      auto seen = db.query("SELECT content_hash, id, cluster_id FROM items WHERE source_id = $1 AND key = $2",
                           pg::Params().add(source_id).add(key));
      if (seen.next()) {
        if (seen.int64(0) == static_cast<std::int64_t>(content_hash(item, !follows)) && !tried) {
          ++counts.unchanged;
          continue;
        }
        stored_id = seen.int64(1);
        cluster_id = seen.int64(2);
      }
    }
    if (stored_id == 0 && db.scalar("SELECT 1 FROM tombstones WHERE source_id = $1 AND key = $2",
                                    pg::Params().add(source_id).add(key))) {
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
      item_id = db.scalar("SELECT nextval('item_ids')").value();
      if (keys.link_hash != 0) {
        if (const auto same =
                db.scalar("SELECT cluster_id FROM items WHERE link_hash = $1 AND source_id <> $2 "
                          "ORDER BY id LIMIT 1",
                          pg::Params().add(keys.link_hash).add(source_id))) {
          cluster_id = *same;
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
      if (!joined) {
        // The story's public id is its first stored occurrence's id: the item written below.
        cluster_id = db.scalar(
                           "INSERT INTO clusters(id, published, size, public_id) "
                           "VALUES(nextval('cluster_ids'), $1, 1, $2) RETURNING id",
                           pg::Params().add(published).add(item_id))
                         .value();
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
    } else {
      p.add(item_id).add(item_language(item, feed));
      db.query(
          "INSERT INTO items(source_id, key, cluster_id, guid, link, link_hash, title, summary, content, "
          "search_text, published, updated, first_seen, date_approximate, extra, content_hash, fingerprint, "
          "article, id, language) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
          "$16, $17, $18, $19, $20)",
          p);
    }

    // The cluster's date is its earliest publication; lists are ordered by it.
    const std::int64_t old_published =
        db.scalar("SELECT published FROM clusters WHERE id = $1", pg::Params().add(cluster_id))
            .value_or(published);
    std::int64_t cluster_published = old_published;
    if (exists) {
      cluster_published =
          db.scalar(
                "UPDATE clusters SET published = (SELECT min(published) FROM items WHERE cluster_id = $1) "
                "WHERE id = $1 RETURNING published",
                pg::Params().add(cluster_id))
              .value_or(old_published);
      ++counts.updated;
      if (!keep_content) candidates().update_fingerprint(item_id, fp);
    } else {
      if (joined) {
        cluster_published = db.scalar(
                                  "UPDATE clusters SET size = size + 1, published = least(published, $2) "
                                  "WHERE id = $1 RETURNING published",
                                  pg::Params().add(cluster_id).add(published))
                                .value_or(old_published);
      }
      ++counts.added;
      if (joined) ++counts.clustered;
      candidates().add(DedupWindow::Entry{item_id, cluster_id, source_id, published, fp});
      for (const auto& category : categories) {
        db.query(
            "INSERT INTO cluster_categories(category, cluster_id, published) VALUES($1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            pg::Params().add(category).add(cluster_id).add(cluster_published));
      }
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
