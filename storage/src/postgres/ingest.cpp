// Ingest into PostgreSQL: identity, update in place or insert, near-duplicate clustering,
// with the same decisions as the SQLite backend (sqlite/ingest.cpp has the reasons). The
// search vector is built with the entry's other keys, before the write (search.hpp).
// Every statement is a round trip to the server (issue #18, the ingest benchmark): a
// document's stored state is read in one statement before its entries are decided, its
// window candidates are checked in one, and the new entries with their stories and the
// stories' categories are kept in the client and written by one statement per write
// transaction (write_pending), or earlier when a read needs them: the decisions stay the
// same as when each entry was written at once.
#include <algorithm>
#include <array>
#include <set>
#include <unordered_map>

#include "../entry_keys.hpp"
#include "postgres_store.hpp"
#include "search.hpp"
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

// Entries each thread prepares, at least, for the work to be shared with the worker.
constexpr std::size_t kWorkerMinimum = 8;

// How long an item id below the newest seen is re-read before the window stops waiting for
// it: longer than any write transaction runs.
constexpr std::chrono::seconds kUnseenPatience{60};

// An array literal for `= ANY($1::bigint[])`.
std::string bigint_array(std::span<const std::int64_t> values) {
  std::string out = "{";
  for (const std::int64_t value : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(value);
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

// What the checks of a document's window candidates read, in one statement before its
// entries are decided: for the candidates asked about, each item's story as stored, the
// stories that hold an entry of this source, and (when an entry has figures) the figures of
// those stories' members. Entries of this document that join or start a story later are
// counted in the loop (own_stories).
struct CandidateState {
  std::set<std::pair<std::int64_t, std::int64_t>> asked;  // (item, story)
  std::unordered_map<std::int64_t, std::int64_t> story_of_item;
  std::set<std::int64_t> stories_with_source;
  std::unordered_multimap<std::int64_t, Figures> figures_by_story;
};

// The pending entries (PostgresStore::pending_entries) in one statement: the new stories
// ($1..$4), the entries ($5..$25, items' columns), the stored stories they join ($26..$28:
// id, entries added, their earliest date), and the stories' categories ($29..$31: category,
// story, the new story's date; a stored story's is its date after the join). A stored story
// that moved earlier moves its categories along, as a join one entry at a time does. The
// foreign keys are checked at the statement's end, when the new stories' rows are there.
// The joined stories are also named by `id = ANY($26)`, an index condition whatever the
// statistics: the statement's cached plan is made on a new database's empty tables, and
// with the join alone it read every story to find them, a time that grew with the
// database (7 ms a write at 75,000 stories; 200,000 items took 62 s instead of 46).
constexpr const char* kWritePending = R"sql(
WITH new_stories AS (
  INSERT INTO clusters(id, published, size, public_id)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])),
entries AS (
  INSERT INTO items(id, source_id, key, cluster_id, guid, link, link_hash, title, summary, content,
    search_text, published, updated, first_seen, date_approximate, extra, content_hash, fingerprint,
    article, language, search)
  SELECT * FROM unnest($5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[],
    $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[], $17::bigint[],
    $18::bigint[], $19::boolean[], $20::text[], $21::bigint[], $22::bytea[], $23::smallint[], $24::text[],
    $25::tsvector[])),
earlier AS (SELECT id, published FROM clusters WHERE id = ANY($26::bigint[])),
grown AS (
  UPDATE clusters SET size = clusters.size + joined.size,
    published = least(clusters.published, joined.published)
  FROM unnest($26::bigint[], $27::bigint[], $28::bigint[]) AS joined(id, size, published)
  WHERE clusters.id = ANY($26::bigint[]) AND clusters.id = joined.id
  RETURNING clusters.id, clusters.published),
categories AS (
  INSERT INTO cluster_categories(category, cluster_id, published)
  SELECT category, cluster_id,
    coalesce((SELECT grown.published FROM grown WHERE grown.id = tagged.cluster_id), tagged.published)
  FROM unnest($29::text[], $30::bigint[], $31::bigint[]) AS tagged(category, cluster_id, published)
  ON CONFLICT DO NOTHING)
UPDATE cluster_categories SET published = grown.published
FROM grown JOIN earlier USING (id)
WHERE cluster_categories.cluster_id = grown.id AND grown.published <> earlier.published
)sql";

}  // namespace

void PostgresStore::share_with_worker(std::size_t count, const std::function<void(std::size_t)>& job) {
  // The worker takes the first half while this thread does the second.
  const std::size_t half = count / 2;
  PrepareWorker* helper = half >= kWorkerMinimum ? started_worker(worker) : nullptr;
  PrepareRun run(helper);
  if (helper != nullptr) helper->start(half, job);
  for (std::size_t j = helper != nullptr ? half : 0; j < count; ++j) job(j);
  if (helper != nullptr) helper->wait(half - 1);
}

std::vector<PostgresStore::PreparedDocument> PostgresStore::prepare_documents(
    std::span<const ToPrepare> documents, std::vector<std::int64_t>& slots) {
  std::vector<PreparedDocument> prepared(documents.size());
  struct Job {
    std::size_t document, index;
  };
  std::vector<Job> jobs;
  for (std::size_t d = 0; d < documents.size(); ++d) {
    if (documents[d].feed == nullptr) continue;
    prepared[d].identities = identify_items(*documents[d].feed, links);
    prepared[d].keys.resize(prepared[d].identities.size());
    for (std::size_t index = 0; index < prepared[d].identities.size(); ++index) {
      if (!prepared[d].identities[index].repeated) jobs.push_back({d, index});
    }
  }
  auto prepare_job = [&](std::size_t j) {
    const auto [d, index] = jobs[j];
    prepared[d].keys[index] =
        prepare(documents[d].feed->items[index], prepared[d].identities[index], links, documents[d].follows);
  };
  // The claim that follows needs every entry's keys.
  share_with_worker(jobs.size(), prepare_job);
  for (const auto& [d, index] : jobs) {
    const Prepared& entry = prepared[d].keys[index];
    if (entry.link_hash != 0)
      slots.push_back(
          static_cast<std::int64_t>(static_cast<std::uint64_t>(entry.link_hash) % kDedupLockSlots));
    if (entry.fingerprint.shingles == 0) continue;
    for (const std::uint64_t value : DedupWindow::band_values(entry.fingerprint))
      slots.push_back(static_cast<std::int64_t>(value % kDedupLockSlots));
  }
  return prepared;
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
  std::sort(own_window_ids.begin(), own_window_ids.end());
  auto rows = db.query(
      "SELECT id, cluster_id, source_id, published, fingerprint FROM items WHERE id > $1 ORDER BY id",
      pg::Params().add(after));
  while (rows.next()) {
    const std::int64_t id = rows.int64(0);
    for (std::int64_t missing = window_seen + 1; missing < id; ++missing) unseen_ids.emplace(missing, now);
    unseen_ids.erase(id);
    window_seen = std::max(window_seen, id);
    // This writer's own entry is in place unless another writer's item arrived below it.
    if (window.newest_id() >= id && std::binary_search(own_window_ids.begin(), own_window_ids.end(), id))
      continue;
    if (rows.is_null(4)) continue;
    window.add(
        DedupWindow::Entry{id, rows.int64(1), rows.int64(2), rows.int64(3), from_bytes(rows.bytes(4))});
  }
  own_window_ids.clear();
}

void PostgresStore::write_pending() {
  if (pending_entries.empty()) return;
  using Element = pg::BinaryArray::Element;
  pg::BinaryArray story_ids(Element::int8), story_dates(Element::int8), story_sizes(Element::int8),
      story_public_ids(Element::int8);
  pg::BinaryArray joined_ids(Element::int8), joined_sizes(Element::int8), joined_dates(Element::int8);
  pg::BinaryArray categories(Element::text), category_stories(Element::int8), category_dates(Element::int8);
  for (const auto& [id, story] : pending_stories) {
    if (story.stored) {
      joined_ids.add(id);
      joined_sizes.add(story.size);
      joined_dates.add(story.published);
    } else {
      story_ids.add(id);
      story_dates.add(story.published);
      story_sizes.add(story.size);
      story_public_ids.add(story.public_id);
    }
    for (const std::string& category : story.categories) {
      categories.add_text(category);
      category_stories.add(id);
      category_dates.add(story.published);
    }
  }
  // Only for the entries written (most of a polled document's are unchanged), on two threads.
  share_with_worker(pending_entries.size(), [&](std::size_t k) {
    PendingEntry& entry = pending_entries[k];
    entry.search_vector =
        pg::search_vector(entry.title.value_or(""), entry.search_text, entry.summary.value_or(""));
  });
  // The items' columns in kWritePending's order ($5..$25).
  std::array<pg::BinaryArray, 21> columns = {
      pg::BinaryArray(Element::int8), pg::BinaryArray(Element::int8), pg::BinaryArray(Element::int8),
      pg::BinaryArray(Element::int8), pg::BinaryArray(Element::text), pg::BinaryArray(Element::text),
      pg::BinaryArray(Element::int8), pg::BinaryArray(Element::text), pg::BinaryArray(Element::text),
      pg::BinaryArray(Element::text), pg::BinaryArray(Element::text), pg::BinaryArray(Element::int8),
      pg::BinaryArray(Element::int8), pg::BinaryArray(Element::int8), pg::BinaryArray(Element::boolean),
      pg::BinaryArray(Element::text), pg::BinaryArray(Element::int8), pg::BinaryArray(Element::bytea),
      pg::BinaryArray(Element::int2), pg::BinaryArray(Element::text), pg::BinaryArray(Element::tsvector)};
  for (const PendingEntry& entry : pending_entries) {
    columns[0].add(entry.id);
    columns[1].add(entry.source_id);
    columns[2].add(entry.key);
    columns[3].add(entry.cluster_id);
    columns[4].add(entry.guid);
    columns[5].add(entry.link);
    columns[6].add(entry.link_hash);
    columns[7].add(entry.title);
    columns[8].add(entry.summary);
    columns[9].add(entry.content);
    columns[10].add_text(entry.search_text);
    columns[11].add(entry.published);
    columns[12].add(entry.updated);
    columns[13].add(entry.first_seen);
    columns[14].add(entry.date_approximate);
    columns[15].add_text(entry.extra);
    columns[16].add(entry.content_hash);
    columns[17].add_bytes(entry.fingerprint);
    columns[18].add(entry.article);
    columns[19].add(entry.language);
    columns[20].add_bytes(entry.search_vector);
  }
  pg::Params p;
  p.add_binary(story_ids.take())
      .add_binary(story_dates.take())
      .add_binary(story_sizes.take())
      .add_binary(story_public_ids.take());
  for (pg::BinaryArray& column : columns) p.add_binary(column.take());
  p.add_binary(joined_ids.take()).add_binary(joined_sizes.take()).add_binary(joined_dates.take());
  p.add_binary(categories.take()).add_binary(category_stories.take()).add_binary(category_dates.take());
  forget_pending();
  db.query(kWritePending, p);
}

void PostgresStore::forget_pending() {
  pending_entries.clear();
  pending_stories.clear();
  pending_sources.clear();
  pending_links.clear();
}

DedupWaits PostgresStore::dedup_waits() const {
  return DedupWaits{dedup_wait_count.load(std::memory_order_relaxed),
                    std::chrono::microseconds{dedup_wait_microseconds.load(std::memory_order_relaxed)}};
}

IngestCounts PostgresStore::ingest_feed(std::int64_t source_id, const Feed& feed, Instant now,
                                        const PreparedDocument& prepared,
                                        std::span<const ArticleFetch> articles) {
  const bool follows = !articles.empty();
  check_articles(feed, articles);
  IngestCounts counts;
  const std::vector<ItemIdentity>& identities = prepared.identities;
  const std::vector<Prepared>& entry_keys = prepared.keys;
  const std::int64_t now_s = to_unix(now);
  // Undated entries go where they were first seen, below the document's dated ones.
  std::int64_t undated_at = now_s;
  for (const Item& item : feed.items) {
    if (item.published && !item.date_in_future)
      undated_at = std::min(undated_at, to_unix(*item.published) - 1);
  }

  // The document's stored state in one statement: kind 0 a stored entry, 1 a tombstone,
  // 2 the first entry of another source with that link (another writer's entry with one of
  // these links waits for this transaction's lock on the link's slot, claim_stories), 3 the
  // source's categories by position, 4 the source itself (no row: it was removed).
  StoredState stored;
  std::vector<std::pair<std::int64_t, std::string>> positioned_categories;
  bool source_exists = false;
  {
    std::vector<std::int64_t> keys;
    std::vector<std::int64_t> link_hashes;
    for (std::size_t index = 0; index < feed.items.size(); ++index) {
      if (identities[index].repeated) continue;
      keys.push_back(static_cast<std::int64_t>(identities[index].key));
      if (entry_keys[index].link_hash != 0) link_hashes.push_back(entry_keys[index].link_hash);
    }
    // What it reads must include the pending entries of this source or with these links.
    if (pending_sources.contains(source_id) ||
        std::any_of(link_hashes.begin(), link_hashes.end(),
                    [&](std::int64_t link) { return pending_links.contains(link); }))
      write_pending();
    auto rows = db.query(
        "SELECT 0, key, content_hash, id, cluster_id, NULL::text FROM items WHERE source_id = $1 AND key = "
        "ANY($2::bigint[]) "
        "UNION ALL SELECT 1, key, 0, 0, 0, NULL FROM tombstones WHERE source_id = $1 AND key = "
        "ANY($2::bigint[]) "
        "UNION ALL (SELECT DISTINCT ON (link_hash) 2, link_hash, 0, 0, cluster_id, NULL FROM items "
        "WHERE link_hash = ANY($3::bigint[]) AND source_id <> $1 ORDER BY link_hash, id) "
        "UNION ALL SELECT 3, position, 0, 0, 0, category FROM source_categories WHERE source_id = $1 "
        "UNION ALL SELECT 4, 0, 0, 0, 0, NULL FROM sources WHERE id = $1",
        pg::Params().add(source_id).add(bigint_array(keys)).add(bigint_array(link_hashes)));
    while (rows.next()) {
      const std::int64_t kind = rows.int64(0);
      if (kind == 0) {
        stored.entries[rows.int64(1)] = StoredState::Entry{rows.int64(2), rows.int64(3), rows.int64(4)};
      } else if (kind == 1) {
        stored.tombstoned[rows.int64(1)] = true;
      } else if (kind == 2) {
        stored.cluster_of_link[rows.int64(1)] = rows.int64(4);
      } else if (kind == 3) {
        positioned_categories.emplace_back(rows.int64(1), rows.text(5));
      } else {
        source_exists = true;
      }
    }
  }
  if (!source_exists) throw_no_source(source_id);
  std::sort(positioned_categories.begin(), positioned_categories.end());
  std::vector<std::string> categories;
  for (auto& [position, category] : positioned_categories) categories.push_back(std::move(category));
  // The new entries' ids, in document order, and ids for the stories they may start, in
  // one statement (those of entries that join a story are not used).
  std::vector<std::int64_t> new_ids;
  std::vector<std::int64_t> new_story_ids;
  {
    std::int64_t wanted = 0;
    for (std::size_t index = 0; index < feed.items.size(); ++index) {
      const auto key = static_cast<std::int64_t>(identities[index].key);
      wanted +=
          !identities[index].repeated && !stored.entries.contains(key) && !stored.tombstoned.contains(key);
    }
    if (wanted > 0) {
      auto rows = db.query("SELECT nextval('item_ids'), nextval('cluster_ids') FROM generate_series(1, $1)",
                           pg::Params().add(wanted));
      while (rows.next()) {
        new_ids.push_back(rows.int64(0));
        new_story_ids.push_back(rows.int64(1));
      }
      std::sort(new_ids.begin(), new_ids.end());
      std::sort(new_story_ids.begin(), new_story_ids.end());
    }
  }
  std::size_t next_new_id = 0;
  std::size_t next_story_id = 0;
  const auto published_at = [&](const Item& item) {
    return item.published && !item.date_in_future ? to_unix(*item.published) : undated_at;
  };

  // The window's candidates for the entries that may join a story by it, checked in one
  // statement instead of one each (those of stories pending here are written first).
  CandidateState checked;
  {
    bool with_figures = false;
    for (std::size_t index = 0; index < feed.items.size(); ++index) {
      const auto key = static_cast<std::int64_t>(identities[index].key);
      const Prepared& keys = entry_keys[index];
      if (identities[index].repeated || stored.entries.contains(key) || stored.tombstoned.contains(key) ||
          (keys.link_hash != 0 && stored.cluster_of_link.contains(keys.link_hash)))
        continue;
      const auto found = candidates().matches(keys.fingerprint, source_id, published_at(feed.items[index]));
      for (const DedupWindow::Match& match : found) checked.asked.emplace(match.item_id, match.cluster_id);
      with_figures = with_figures || (!found.empty() && holds_figures(keys.fingerprint.figures));
    }
    if (!checked.asked.empty()) {
      std::vector<std::int64_t> item_ids;
      std::vector<std::int64_t> story_ids;
      for (const auto& [item_id, story_id] : checked.asked) {
        item_ids.push_back(item_id);
        story_ids.push_back(story_id);
      }
      if (std::any_of(story_ids.begin(), story_ids.end(),
                      [&](std::int64_t story) { return pending_stories.contains(story); }))
        write_pending();
      auto rows = db.query(
          "SELECT 0, id, cluster_id, NULL::bytea FROM items WHERE id = ANY($1::bigint[]) "
          "UNION ALL SELECT DISTINCT 1, 0, cluster_id, NULL::bytea FROM items "
          "WHERE cluster_id = ANY($2::bigint[]) AND source_id = $3 "
          "UNION ALL SELECT 2, 0, cluster_id, fingerprint FROM items WHERE $4 AND cluster_id = "
          "ANY($2::bigint[])",
          pg::Params()
              .add(bigint_array(item_ids))
              .add(bigint_array(story_ids))
              .add(source_id)
              .add(with_figures));
      while (rows.next()) {
        const std::int64_t kind = rows.int64(0);
        if (kind == 0) {
          checked.story_of_item[rows.int64(1)] = rows.int64(2);
        } else if (kind == 1) {
          checked.stories_with_source.insert(rows.int64(2));
        } else {
          checked.figures_by_story.emplace(rows.int64(2), from_bytes(rows.bytes(3)).figures);
        }
      }
    }
  }
  std::set<std::int64_t> own_stories;  // those an entry of this document joined or started

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
    const std::int64_t published = published_at(item);
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
              if (own_stories.contains(candidate_cluster)) return false;
              if (checked.asked.contains({candidate_item, candidate_cluster})) {
                const auto stored_in = checked.story_of_item.find(candidate_item);
                if (stored_in == checked.story_of_item.end() || stored_in->second != candidate_cluster ||
                    checked.stories_with_source.contains(candidate_cluster))
                  return false;
                if (!has_figures) return true;
                const auto [first, last] = checked.figures_by_story.equal_range(candidate_cluster);
                return std::none_of(
                    first, last, [&](const auto& member) { return contradict(fp.figures, member.second); });
              }
              // A candidate the window found after the check's statement (none are expected).
              if (pending_stories.contains(candidate_cluster)) write_pending();
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

    const std::optional<std::int64_t> link_hash =
        keys.link_hash != 0 ? std::optional<std::int64_t>(keys.link_hash) : std::nullopt;
    const std::optional<std::int64_t> updated =
        item.updated ? std::optional<std::int64_t>(to_unix(*item.updated)) : std::nullopt;
    const std::optional<std::int64_t> article_state =
        follows ? std::optional<std::int64_t>(static_cast<std::int64_t>(article)) : std::nullopt;
    if (exists) {
      // What it reads and changes must include the pending entries of its story.
      if (pending_stories.contains(cluster_id)) write_pending();
      // A listing entry that keeps its article's text keeps that text's search words.
      std::string search_text = keys.search_text;
      if (keep_content) {
        auto kept = db.query("SELECT search_text FROM items WHERE source_id = $1 AND key = $2",
                             pg::Params().add(source_id).add(key));
        if (kept.next()) search_text = kept.text(0);
      }
      pg::Params p;
      p.add(source_id)
          .add(key)
          .add(cluster_id)
          .add(item.id)
          .add(item.link)
          .add(link_hash)
          .add(item.title)
          .add(item.summary)
          .add(item.content)
          .add(keys.search_text)
          .add(published)
          .add(updated)
          .add(now_s)
          .add(item.date_approximate || !dated)
          .add(encode_extra(item, feed.language))
          .add(keys.content_hash)
          .add_bytes(to_bytes(fp))
          .add(article_state)
          .add(keep_content)
          .add(dated)
          .add(tried)
          .add(item_language(item, feed))
          .add_binary(pg::search_vector(item.title.value_or(""), search_text, item.summary.value_or("")));
      db.query(
          "UPDATE items SET guid = $4, link = $5, link_hash = $6, title = $7, summary = $8, "
          "content = CASE WHEN $19 THEN content ELSE $9 END, "
          "search_text = CASE WHEN $19 THEN search_text ELSE $10 END, "
          "published = CASE WHEN $20 THEN $11 ELSE published END, updated = $12, changed = $13, "
          "date_approximate = $14, extra = $15, content_hash = $16, "
          "fingerprint = CASE WHEN $19 THEN fingerprint ELSE $17 END, revision = revision + 1, "
          "article = CASE WHEN $21 THEN $18::smallint ELSE article END, language = $22, search = $23 "
          "WHERE source_id = $1 AND key = $2 AND cluster_id = $3",
          p);
      // The cluster's date is its earliest publication; lists are ordered by it.
      const std::int64_t old_published =
          db.scalar("SELECT published FROM clusters WHERE id = $1", pg::Params().add(cluster_id))
              .value_or(published);
      const std::int64_t cluster_published =
          db.scalar(
                "UPDATE clusters SET published = (SELECT min(published) FROM items WHERE cluster_id = $1) "
                "WHERE id = $1 RETURNING published",
                pg::Params().add(cluster_id))
              .value_or(old_published);
      if (cluster_published != old_published) {
        db.query("UPDATE cluster_categories SET published = $2 WHERE cluster_id = $1",
                 pg::Params().add(cluster_id).add(cluster_published));
      }
      ++counts.updated;
      if (!keep_content) candidates().update_fingerprint(item_id, fp);
      continue;
    }
    if (!joined) {
      // The story's public id is its first stored occurrence's id: this entry's.
      cluster_id = new_story_ids[next_story_id++];
      pending_stories.emplace(cluster_id, PendingStory{false, published, 0, item_id, {}});
    }
    // A stored story joined: its size and date grow when the pending entries are written.
    PendingStory& story =
        pending_stories.try_emplace(cluster_id, PendingStory{true, published, 0, 0, {}}).first->second;
    ++story.size;
    story.published = std::min(story.published, published);
    own_stories.insert(cluster_id);
    story.categories.insert(categories.begin(), categories.end());
    pending_entries.push_back(PendingEntry{
        item_id,      source_id,  key,           cluster_id,        item.id,
        item.link,    item.title, item.summary,  item.content,      item_language(item, feed),
        link_hash,    updated,    article_state, keys.search_text,  encode_extra(item, feed.language),
        to_bytes(fp), published,  now_s,         keys.content_hash, item.date_approximate || !dated});
    pending_sources.insert(source_id);
    if (link_hash) pending_links.insert(*link_hash);
    ++counts.added;
    if (joined) ++counts.clustered;
    candidates().add(DedupWindow::Entry{item_id, cluster_id, source_id, published, fp});
    if (window.capacity() > 0) own_window_ids.push_back(item_id);
  }
  // Written with the pending entries, once for the transaction (finish_writes).
  if (counts.added > 0) new_items_at[source_id] = now_s;
  if (counts.added + counts.updated > 0) changed_at = std::max(changed_at.value_or(now), now);
  return counts;
}

void PostgresStore::finish_writes() {
  write_pending();
  if (!new_items_at.empty()) {
    pg::ArrayLiteral sources, times;
    for (const auto& [source, at] : new_items_at) {
      sources.add(source);
      times.add(at);
    }
    // The sources also named by ANY, an index condition whatever the cached plan's statistics
    // (kWritePending).
    db.query(
        "UPDATE health SET last_new_item = touched.at FROM unnest($1::bigint[], $2::bigint[]) "
        "AS touched(source_id, at) WHERE health.source_id = ANY($1::bigint[]) AND health.source_id = "
        "touched.source_id",
        pg::Params().add(sources.text()).add(times.text()));
    new_items_at.clear();
  }
  if (changed_at) {
    bump_change(*changed_at);
    changed_at.reset();
  }
}

Result<IngestCounts> PostgresStore::ingest(std::int64_t source_id, const Feed& feed, Instant now) {
  std::vector<std::int64_t> slots;
  const ToPrepare document{&feed, false};
  const auto keys = prepare_documents({&document, 1}, slots);
  return write([&] {
    claim_stories(slots);
    const IngestCounts counts = ingest_feed(source_id, feed, now, keys[0]);
    finish_writes();
    return counts;
  });
}

Result<std::vector<IngestCounts>> PostgresStore::ingest_batch(std::span<const IngestRequest> requests) {
  std::vector<ToPrepare> documents;
  for (const auto& request : requests) {
    if (request.feed == nullptr) return Error{Errc::invalid_argument, "ingest request without a feed"};
    documents.push_back({request.feed, false});
  }
  std::vector<std::int64_t> slots;
  const auto keys = prepare_documents(documents, slots);
  return write([&] {
    claim_stories(slots);
    std::vector<IngestCounts> counts;
    counts.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i)
      counts.push_back(ingest_feed(requests[i].source_id, *requests[i].feed, requests[i].now, keys[i]));
    finish_writes();
    return counts;
  });
}

Result<std::vector<IngestCounts>> PostgresStore::commit_polls(std::span<const PollResult> polls) {
  std::vector<ToPrepare> documents;
  for (const auto& poll : polls) documents.push_back({poll.feed, !poll.articles.empty()});
  std::vector<std::int64_t> slots;
  const auto keys = prepare_documents(documents, slots);
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
      new_items_at.erase(record.source_id);  // record_poll wrote it from items_added
      counts.push_back(c);
    }
    finish_writes();
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
