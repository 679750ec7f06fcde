// Ingest: identity, update in place or insert, near-duplicate clustering.
//
// Per entry, one indexed read decides whether anything needs doing: an unchanged entry
// (the common case on every re-poll) costs that read and nothing else. A new entry is one
// plain INSERT, and the UNIQUE(source_id, key) constraint, not the read, is what guarantees
// an item is stored once per source; a changed one is an UPDATE of the row the read found.
//
// The statements a new entry runs are single-row writes without triggers or RETURNING
// (which SQLite implements as a trigger): any of those makes SQLite open a statement
// journal, a copy of every page the statement touches (about 25 KB per new item, most of
// the bytes the writer handed to the kernel, in ingest_bench).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "tinhop/parsers/fingerprint.hpp"
#include "tinhop/parsers/identity.hpp"
#include "tinhop/parsers/text.hpp"

#include "../entry_keys.hpp"
#include "store_impl.hpp"

namespace tinhop::storage {
namespace {

// Entries to write in one document from which the worker prepares them.
constexpr std::size_t kWorkerMinimum = 4;

}  // namespace

bool SqliteStore::figures_contradicted(std::int64_t cluster_id, Figures figures) {
  // The candidate agreed, but a copy that trimmed its figures agrees with every day's story:
  // through it the 15/9 story would join the 14/9 one's cluster.
  auto members = db.statement("SELECT fingerprint FROM items WHERE cluster_id = ?1");
  members->bind(1, cluster_id);
  bool contradicted = false;
  while (!contradicted && members->step())
    contradicted = contradict(figures, from_bytes(members->blob(0)).figures);
  return contradicted;
}

IngestCounts SqliteStore::ingest_feed(std::int64_t source_id, const Feed& feed, Instant now,
                                      std::span<const ArticleFetch> articles) {
  require_source(source_id);
  const bool follows = !articles.empty();
  check_articles(feed, articles);
  IngestCounts counts;
  std::vector<std::string> categories;
  {
    auto q = db.statement("SELECT category FROM source_categories WHERE source_id = ?1 ORDER BY position");
    q->bind(1, source_id);
    while (q->step()) categories.push_back(q->text(0));
  }
  const auto identities = identify_items(feed, links);
  const std::int64_t now_s = to_unix(now);
  // An entry without a date (none given, one not understood, or one far in the future) is
  // placed where it was first seen, but never above the entries of the same document whose
  // dates are known: one of old stories must not lead the lists with those it failed to date.
  std::int64_t undated_at = now_s;
  for (const Item& item : feed.items) {
    if (item.published && !item.date_in_future)
      undated_at = std::min(undated_at, to_unix(*item.published) - 1);
  }
  // Most sources never had an item purged: one read here instead of one per new entry.
  bool has_tombstones = false;
  {
    auto q = db.statement("SELECT EXISTS (SELECT 1 FROM tombstones WHERE source_id = ?1)");
    q->bind(1, source_id);
    has_tombstones = q->step() && q->int64(0) == 1;
  }

  // First what the stored rows say (keys are unique within a document, so no write below
  // changes the answer for a later entry), then the pure work for the entries to write on
  // the worker, consumed in order by the writes.
  struct Pending {
    std::size_t index = 0;
    std::int64_t stored_id = 0;  // 0: a new entry
    std::int64_t stored_cluster = 0;
  };
  std::vector<Pending> pending;
  for (std::size_t index = 0; index < feed.items.size(); ++index) {
    const ItemIdentity& identity = identities[index];
    if (identity.repeated) {
      ++counts.suppressed;
      continue;
    }
    const auto key = static_cast<std::int64_t>(identity.key);
    const bool tried = follows && articles[index] != ArticleFetch::not_tried;
    std::int64_t stored_id = 0;
    std::int64_t stored_cluster = 0;
    {
      auto seen =
          db.statement("SELECT content_hash, id, cluster_id FROM items WHERE source_id = ?1 AND key = ?2");
      seen->bind(1, source_id).bind(2, key);
      // Only a stored entry needs its content hash now; a new one's is the worker's.
      if (seen->step()) {
        if (seen->int64(0) == static_cast<std::int64_t>(content_hash(feed.items[index], !follows)) &&
            !tried) {
          ++counts.unchanged;
          continue;
        }
        stored_id = seen->int64(1);
        stored_cluster = seen->int64(2);
      }
    }
    if (stored_id == 0 && has_tombstones) {
      auto tomb = db.statement("SELECT 1 FROM tombstones WHERE source_id = ?1 AND key = ?2");
      tomb->bind(1, source_id).bind(2, key);
      if (tomb->step()) {
        ++counts.suppressed;
        continue;
      }
    }
    pending.push_back({index, stored_id, stored_cluster});
  }
  // Ids continue above the highest each table ever held (schema version 10); nothing in a
  // document's writes deletes a row, so counting on from one read each stays right.
  std::int64_t next_item = 0;
  std::int64_t next_cluster = 0;
  if (std::any_of(pending.begin(), pending.end(), [](const Pending& p) { return p.stored_id == 0; }))
    next_item = next_id(IdTable::items);
  std::vector<Prepared> prepared(pending.size());
  std::string inserted_ids = "[";  // a JSON array, for fts_pending below
  auto prepare_one = [&](std::size_t k) {
    prepared[k] = prepare(feed.items[pending[k].index], identities[pending[k].index], links, follows);
  };
  // Below a few entries, handing them over costs more than it saves.
  PrepareWorker* helper = pending.size() >= kWorkerMinimum ? started_worker(worker) : nullptr;
  PrepareRun run(helper);
  if (helper != nullptr) helper->start(pending.size(), prepare_one);

  for (std::size_t k = 0; k < pending.size(); ++k) {
    if (helper != nullptr) {
      helper->wait(k);
    } else {
      prepare_one(k);
    }
    const std::size_t index = pending[k].index;
    const Item& item = feed.items[index];
    const ItemIdentity& identity = identities[index];
    const auto key = static_cast<std::int64_t>(identity.key);
    const std::int64_t hash = prepared[k].content_hash;
    const bool exists = pending[k].stored_id != 0;
    const ArticleFetch article = follows ? articles[index] : ArticleFetch::not_tried;
    const bool tried = article != ArticleFetch::not_tried;
    // A listing entry stored earlier keeps the content its article gave it.
    const bool keep_content = follows && !tried;
    const bool dated = item.published && !item.date_in_future;
    const std::int64_t published = dated ? to_unix(*item.published) : undated_at;
    const std::int64_t link_hash = prepared[k].link_hash;
    const Fingerprint& fp = prepared[k].fingerprint;
    const std::string& search_text = prepared[k].search_text;

    std::int64_t cluster_id = 0;
    bool joined = false;
    if (!exists) {
      candidates().prefetch(fp);  // the buckets arrive while the database looks up the link
      if (link_hash != 0) {
        auto same = db.statement(
            "SELECT cluster_id FROM items WHERE id IN (SELECT item_id FROM links WHERE link_hash = ?1 "
            "UNION ALL SELECT item_id FROM links_recent WHERE link_hash = ?1) AND source_id <> ?2 "
            "ORDER BY id LIMIT 1");
        same->bind(1, link_hash).bind(2, source_id);
        if (same->step()) {
          cluster_id = same->int64(0);
          joined = true;
        }
      }
      if (!joined) {
        // The window may be older than the database: another connection (the CLI removing
        // a source) can have deleted the candidate and its cluster since. Joining it
        // would break the cluster's foreign key and fail the whole batch.
        auto joinable = db.statement(
            "SELECT EXISTS (SELECT 1 FROM items WHERE id = ?3 AND cluster_id = ?1) AND "
            "NOT EXISTS (SELECT 1 FROM items WHERE cluster_id = ?1 AND source_id = ?2)");
        const bool has_figures = holds_figures(fp.figures);
        const auto match = candidates().best_match(
            fp, source_id, published, [&](std::int64_t candidate_item, std::int64_t candidate_cluster) {
              joinable->bind(1, candidate_cluster).bind(2, source_id).bind(3, candidate_item);
              const bool ok = joinable->step() && joinable->int64(0) == 1;
              joinable->reset();
              return ok && !(has_figures && figures_contradicted(candidate_cluster, fp.figures));
            });
        if (match) {
          cluster_id = match->cluster_id;
          joined = true;
        }
      }
      if (!joined) {
        // The story's public id is its first stored occurrence's id: the item written below.
        if (next_cluster == 0) next_cluster = next_id(IdTable::clusters);
        cluster_id = next_cluster++;
        auto create =
            db.statement("INSERT INTO clusters(id, published, size, public_id) VALUES(?1, ?2, 1, ?3)");
        create->bind(1, cluster_id).bind(2, published).bind(3, next_item).run();
      }
    }

    // A new entry is inserted; a changed one keeps its cluster and first_seen, and a listing
    // entry stored earlier keeps the content its article gave it (?19), its date unless it
    // now has one (?20) and its article state unless one was fetched now (?21). The entry's
    // text outlives the step: SQLite reads it in place instead of copying it.
    auto write =
        exists
            ? db.statement(
                  "UPDATE items SET guid = ?4, link = ?5, link_hash = ?6, title = ?7, summary = ?8, "
                  "content = CASE WHEN ?19 THEN content ELSE ?9 END, "
                  "search_text = CASE WHEN ?19 THEN search_text ELSE ?10 END, "
                  "published = CASE WHEN ?20 THEN ?11 ELSE published END, updated = ?12, changed = ?13, "
                  "date_approximate = ?14, extra = ?15, content_hash = ?16, "
                  "fingerprint = CASE WHEN ?19 THEN fingerprint ELSE ?17 END, revision = revision + 1, "
                  "article = CASE WHEN ?21 THEN ?18 ELSE article END, language = ?22 "
                  "WHERE source_id = ?1 AND key = ?2 AND cluster_id = ?3")
            : db.statement(
                  "INSERT INTO items(source_id, key, cluster_id, guid, link, link_hash, title, summary, "
                  "content, search_text, published, updated, first_seen, date_approximate, extra, "
                  "content_hash, fingerprint, article, id, language) "
                  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                  "?19, ?22)");
    if (exists) cluster_id = pending[k].stored_cluster;
    write->bind(1, source_id)
        .bind(2, key)
        .bind(3, cluster_id)
        .bind_static(4, item.id)
        .bind_static(5, item.link)
        .bind(6, link_hash != 0 ? std::optional<std::int64_t>(link_hash) : std::nullopt)
        .bind_static(7, item.title)
        .bind_static(8, item.summary)
        .bind_static(9, item.content)
        .bind_static(10, search_text)
        .bind(11, published)
        .bind(12, item.updated ? std::optional<std::int64_t>(to_unix(*item.updated)) : std::nullopt)
        .bind(13, now_s)
        .bind(14, (item.date_approximate || !dated) ? 1 : 0)
        .bind(15, encode_extra(item, feed.language))
        .bind(16, hash)
        .bind_blob(17, to_bytes(fp))
        .bind(18, follows ? std::optional<std::int64_t>(static_cast<std::int64_t>(article)) : std::nullopt);
    if (exists) {
      write->bind(19, keep_content ? 1 : 0).bind(20, dated ? 1 : 0).bind(21, tried ? 1 : 0);
    } else {
      write->bind(19, next_item);
    }
    write->bind(22, item_language(item, feed));
    write->run();
    std::int64_t item_id = pending[k].stored_id;
    if (!exists) {
      item_id = next_item++;
      inserted_ids += (inserted_ids.size() > 1 ? "," : "") + std::to_string(item_id);
      if (link_hash != 0) {
        auto link = db.statement("INSERT INTO links_recent(link_hash, item_id) VALUES(?1, ?2)");
        link->bind(1, link_hash).bind(2, item_id).run();
      }
    }

    // The cluster's date is its earliest publication; lists are ordered by it. A cluster
    // made for this item already has both.
    std::int64_t old_published = published;
    if (exists || joined) {
      auto q = db.statement("SELECT published FROM clusters WHERE id = ?1");
      q->bind(1, cluster_id);
      if (q->step()) old_published = q->int64(0);
    }
    std::int64_t cluster_published = old_published;
    if (exists) {
      auto q = db.statement(
          "UPDATE clusters SET published = (SELECT min(published) FROM items WHERE cluster_id = ?1) "
          "WHERE id = ?1");
      q->bind(1, cluster_id).run();
      auto now_published = db.statement("SELECT published FROM clusters WHERE id = ?1");
      now_published->bind(1, cluster_id);
      if (now_published->step()) cluster_published = now_published->int64(0);
      ++counts.updated;
      if (!keep_content) candidates().update_fingerprint(item_id, fp);
    } else {
      if (joined) {
        auto q =
            db.statement("UPDATE clusters SET size = size + 1, published = min(published, ?2) WHERE id = ?1");
        q->bind(1, cluster_id).bind(2, published).run();
        cluster_published = std::min(old_published, published);
      }
      ++counts.added;
      if (joined) ++counts.clustered;
      candidates().add(DedupWindow::Entry{item_id, cluster_id, source_id, published, fp});
      auto cat = db.statement(
          "INSERT OR IGNORE INTO cluster_categories(category, cluster_id, published) VALUES(?1, ?2, ?3)");
      for (const auto& category : categories) {
        cat->bind(1, category).bind(2, cluster_id).bind(3, cluster_published).run();
        cat->reset();
      }
    }
    if (cluster_published != old_published) {
      auto q = db.statement("UPDATE cluster_categories SET published = ?2 WHERE cluster_id = ?1");
      q->bind(1, cluster_id).bind(2, cluster_published).run();
    }
  }
  // What items_fts_insert did before schema 7 (see there), in one statement for the
  // document: no entry of it is changed again before it ends (keys are unique in it), and
  // the update trigger must find later changes' rows noted. OR IGNORE: no statement journal.
  if (inserted_ids.size() > 1) {
    auto note = db.statement("INSERT OR IGNORE INTO fts_pending(id) SELECT value FROM json_each(?1)");
    note->bind(1, inserted_ids + "]").run();
  }

  if (counts.added > 0) {
    auto q = db.statement("UPDATE health SET last_new_item = ?2 WHERE source_id = ?1");
    q->bind(1, source_id).bind(2, now_s).run();
  }
  if (counts.added + counts.updated > 0) bump_change(now);
  return counts;
}

Result<std::vector<std::optional<std::int64_t>>> SqliteStore::locate_items(std::int64_t source_id,
                                                                           const Feed& feed) {
  return guarded([&] {
    std::vector<std::optional<std::int64_t>> ids;
    const auto identities = identify_items(feed, links);
    auto q = db.statement("SELECT id FROM items WHERE source_id = ?1 AND key = ?2");
    for (const auto& identity : identities) {
      std::optional<std::int64_t> id;
      if (!identity.repeated) {
        q->bind(1, source_id).bind(2, static_cast<std::int64_t>(identity.key));
        if (q->step()) id = q->int64(0);
        q->reset();
      }
      ids.push_back(id);
    }
    return ids;
  });
}

Result<std::vector<bool>> SqliteStore::articles_pending(std::int64_t source_id, const Feed& feed) {
  return guarded([&] {
    std::vector<bool> pending;
    pending.reserve(feed.items.size());
    const auto identities = identify_items(feed, links);
    auto stored = db.statement("SELECT article FROM items WHERE source_id = ?1 AND key = ?2");
    auto tomb = db.statement("SELECT 1 FROM tombstones WHERE source_id = ?1 AND key = ?2");
    for (const auto& identity : identities) {
      bool wanted = false;
      if (!identity.repeated) {
        const auto key = static_cast<std::int64_t>(identity.key);
        stored->bind(1, source_id).bind(2, key);
        if (stored->step()) {
          const auto state = stored->optional_int64(0);
          wanted = state && *state == static_cast<std::int64_t>(ArticleFetch::not_tried);
        } else {
          tomb->bind(1, source_id).bind(2, key);
          wanted = !tomb->step();
          tomb->reset();
        }
        stored->reset();
      }
      pending.push_back(wanted);
    }
    return pending;
  });
}

void SqliteStore::flush_search_index() {
  // Removals first: an edited row is removed and added again under its own id.
  auto removed = db.statement(
      "INSERT INTO items_fts(items_fts, rowid, title, body) SELECT 'delete', id, title, body FROM fts_stale "
      "ORDER BY rowid");
  removed->run();
  db.statement("DELETE FROM fts_stale")->run();
  auto added = db.statement(
      "INSERT INTO items_fts(rowid, title, body) SELECT s.id, s.title, s.body FROM fts_pending p "
      "JOIN items_search s ON s.id = p.id");
  added->run();
  db.statement("DELETE FROM fts_pending")->run();
}

void SqliteStore::merge_recent_links() {
  // Entries in links_recent cost a page of it each, more as it grows; a merge writes every
  // page of links once. Both are balanced when the recent part holds about sqrt(800 n)
  // entries for n items (a page holds about 240 entries of either table, 1,000 items a
  // transaction): 28,000 at 1,000,000 items.
  std::int64_t recent = 0;
  {
    auto count = db.statement("SELECT count(*) FROM links_recent");
    if (count->step()) recent = count->int64(0);
  }
  std::int64_t limit = 4096;
  if (options.recent_links_limit) {
    limit = *options.recent_links_limit;
  } else {
    auto newest = db.statement("SELECT max(id) FROM items");
    if (newest->step() && !newest->is_null(0))
      limit = std::max(limit,
                       static_cast<std::int64_t>(std::sqrt(800.0 * static_cast<double>(newest->int64(0)))));
  }
  if (recent < limit) return;
  // In key order, and OR IGNORE: no statement journal (see schema version 7), and an entry
  // cannot be in both tables anyway.
  db.statement("INSERT OR IGNORE INTO links(link_hash, item_id) SELECT link_hash, item_id FROM links_recent")
      ->run();
  db.statement("DELETE FROM links_recent")->run();
}

void SqliteStore::finish_ingest() {
  merge_recent_links();
  flush_search_index();
}

Result<IngestCounts> SqliteStore::ingest(std::int64_t source_id, const Feed& feed, Instant now) {
  // The window mirrors committed rows only: on a rollback it is reloaded from the database.
  auto result = guarded([&] {
    start_checkpointer();
    sql::Transaction tx(db);
    auto counts = ingest_feed(source_id, feed, now);
    finish_ingest();
    tx.commit();
    return counts;
  });
  if (!result) (void)guarded([&] { load_window(); });
  return result;
}

Result<std::vector<IngestCounts>> SqliteStore::ingest_batch(std::span<const IngestRequest> requests) {
  auto result = guarded([&] {
    start_checkpointer();
    sql::Transaction tx(db);
    std::vector<IngestCounts> counts;
    counts.reserve(requests.size());
    for (const auto& request : requests) {
      if (request.feed == nullptr)
        throw sql::SqlFailure{Error{Errc::invalid_argument, "ingest request without a feed"}};
      counts.push_back(ingest_feed(request.source_id, *request.feed, request.now));
    }
    finish_ingest();
    tx.commit();
    return counts;
  });
  if (!result) (void)guarded([&] { load_window(); });
  return result;
}

Result<std::vector<IngestCounts>> SqliteStore::commit_polls(std::span<const PollResult> polls) {
  auto result = guarded([&] {
    start_checkpointer();
    sql::Transaction tx(db);
    std::vector<IngestCounts> counts;
    counts.reserve(polls.size());
    for (const auto& poll : polls) {
      IngestCounts c;
      if (poll.feed != nullptr)
        c = ingest_feed(poll.record.source_id, *poll.feed, poll.record.attempted, poll.articles);
      FetchRecord record = poll.record;
      record.items_added = c.added;
      record_poll(record);
      counts.push_back(c);
    }
    finish_ingest();
    tx.commit();
    return counts;
  });
  if (!result) (void)guarded([&] { load_window(); });
  return result;
}

}  // namespace tinhop::storage
