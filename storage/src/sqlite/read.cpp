// The publisher's read side: newest clusters first, keyset-paged by (published, id);
// searches by date or by relevance.
#include <algorithm>
#include <limits>

#include "rows.hpp"
#include "store_impl.hpp"

namespace tinhop::storage {
namespace {

constexpr const char* kAll =
    "SELECT id, published, 0, 0.0 FROM clusters WHERE (published, id) < (?1, ?2) "
    "ORDER BY published DESC, id DESC LIMIT ?3";
constexpr const char* kCategory =
    "SELECT cluster_id, published, 0, 0.0 FROM cluster_categories WHERE category = ?4 AND (published, "
    "cluster_id) "
    "< (?1, ?2) "
    "ORDER BY published DESC, cluster_id DESC LIMIT ?3";
constexpr const char* kSource =
    "SELECT cluster_id, published, id, 0.0 FROM items WHERE source_id = ?4 AND (published, id) < (?1, ?2) "
    "ORDER BY published DESC, id DESC LIMIT ?3";
// The pages before: the same lists read oldest first from just after the cursor.
constexpr const char* kAllNewer =
    "SELECT id, published, 0, 0.0 FROM clusters WHERE (published, id) > (?1, ?2) "
    "ORDER BY published, id LIMIT ?3";
constexpr const char* kCategoryNewer =
    "SELECT cluster_id, published, 0, 0.0 FROM cluster_categories WHERE category = ?4 AND (published, "
    "cluster_id) > (?1, ?2) ORDER BY published, cluster_id LIMIT ?3";
constexpr const char* kSourceNewer =
    "SELECT cluster_id, published, id, 0.0 FROM items WHERE source_id = ?4 AND (published, id) > (?1, ?2) "
    "ORDER BY published, id LIMIT ?3";
// Searches page over items (the cursor holds an item id). By date, every match is joined
// to its item for the date and the newest kept (SQLite's sorter holds only the page);
// by relevance, FTS5's bm25 rank orders them (?6 is the last rank seen).
constexpr const char* kSearch =
    "SELECT i.cluster_id, i.published, i.id, 0.0 FROM items_fts f JOIN items i ON i.id = f.rowid "
    "WHERE items_fts MATCH ?5 AND (i.published, i.id) < (?1, ?2) "
    "ORDER BY i.published DESC, i.id DESC LIMIT ?3";
constexpr const char* kSearchCategory =
    "SELECT i.cluster_id, i.published, i.id, 0.0 FROM items_fts f JOIN items i ON i.id = f.rowid "
    "WHERE items_fts MATCH ?5 AND (i.published, i.id) < (?1, ?2) AND EXISTS (SELECT 1 FROM "
    "cluster_categories "
    "cc WHERE cc.category = ?4 AND cc.cluster_id = i.cluster_id) "
    "ORDER BY i.published DESC, i.id DESC LIMIT ?3";
constexpr const char* kSearchSource =
    "SELECT i.cluster_id, i.published, i.id, 0.0 FROM items_fts f JOIN items i ON i.id = f.rowid "
    "WHERE items_fts MATCH ?5 AND (i.published, i.id) < (?1, ?2) AND i.source_id = ?4 "
    "ORDER BY i.published DESC, i.id DESC LIMIT ?3";
constexpr const char* kRankedSearch =
    "SELECT i.cluster_id, i.published, i.id, f.rank FROM items_fts f JOIN items i ON i.id = f.rowid "
    "WHERE items_fts MATCH ?5 AND (f.rank > ?6 OR (f.rank = ?6 AND f.rowid < ?2)) "
    "ORDER BY f.rank, f.rowid DESC LIMIT ?3";
constexpr const char* kRankedSearchCategory =
    "SELECT i.cluster_id, i.published, i.id, f.rank FROM items_fts f JOIN items i ON i.id = f.rowid "
    "WHERE items_fts MATCH ?5 AND (f.rank > ?6 OR (f.rank = ?6 AND f.rowid < ?2)) AND EXISTS (SELECT 1 FROM "
    "cluster_categories cc WHERE cc.category = ?4 AND cc.cluster_id = i.cluster_id) "
    "ORDER BY f.rank, f.rowid DESC LIMIT ?3";
constexpr const char* kRankedSearchSource =
    "SELECT i.cluster_id, i.published, i.id, f.rank FROM items_fts f JOIN items i ON i.id = f.rowid "
    "WHERE items_fts MATCH ?5 AND (f.rank > ?6 OR (f.rank = ?6 AND f.rowid < ?2)) AND i.source_id = ?4 "
    "ORDER BY f.rank, f.rowid DESC LIMIT ?3";
// A view's stories (ClusterQuery::filter), paged over clusters like the whole list; ?4
// source urls, ?6 categories and ?7 languages are JSON arrays (NULL: any), ?8 the window's
// start, ?9 the least number of publishers (clusters.size, the items, bounds it first).
#define TINHOP_VIEW_CLUSTER(order)                                                                          \
  "SELECT c.id, c.published, 0, 0.0 FROM clusters c WHERE (c.published, c.id) " order                       \
  " AND c.published >= ?8 AND c.size >= ?9 AND (?6 IS NULL OR EXISTS (SELECT 1 FROM cluster_categories cc " \
  "WHERE cc.cluster_id = c.id AND cc.category IN (SELECT value FROM json_each(?6)))) AND ((?4 IS NULL AND " \
  "?7 IS NULL) OR EXISTS (SELECT 1 FROM items i WHERE i.cluster_id = c.id AND " TINHOP_VIEW_ITEM            \
  "))"                                                                                                      \
  " AND (?9 <= 1 OR (SELECT count(DISTINCT p.source_id) FROM items p WHERE p.cluster_id = c.id) >= ?9) "
#define TINHOP_VIEW_ITEM                                                                                  \
  "(?4 IS NULL OR i.source_id IN (SELECT id FROM sources WHERE url IN (SELECT value FROM "                \
  "json_each(?4)))) AND (?7 IS NULL OR EXISTS (SELECT 1 FROM json_each(?7) l WHERE i.language = l.value " \
  "OR i.language LIKE l.value || '-%'))"
constexpr const char* kView =
    TINHOP_VIEW_CLUSTER("< (?1, ?2)") "ORDER BY c.published DESC, c.id DESC LIMIT ?3";
constexpr const char* kViewNewer = TINHOP_VIEW_CLUSTER("> (?1, ?2)") "ORDER BY c.published, c.id LIMIT ?3";
// With text, the matching item must also be from the sources and in the languages.
constexpr const char* kViewSearch =
    "SELECT i.cluster_id, i.published, i.id, 0.0 FROM items_fts f JOIN items i ON i.id = f.rowid "
    "JOIN clusters c ON c.id = i.cluster_id WHERE items_fts MATCH ?5 AND (i.published, i.id) < (?1, ?2) "
    "AND c.published >= ?8 AND c.size >= ?9 AND " TINHOP_VIEW_ITEM
    " AND (?6 IS NULL OR EXISTS (SELECT 1 FROM cluster_categories cc WHERE cc.cluster_id = i.cluster_id AND "
    "cc.category IN (SELECT value FROM json_each(?6)))) AND (?9 <= 1 OR (SELECT count(DISTINCT p.source_id) "
    "FROM items p WHERE p.cluster_id = i.cluster_id) >= ?9) ORDER BY i.published DESC, i.id DESC LIMIT ?3";
#undef TINHOP_VIEW_ITEM
#undef TINHOP_VIEW_CLUSTER
// Top stories' candidates: the window's clusters with at least ?2 items, and how many
// distinct sources carry each.
constexpr const char* kTopCandidates =
    "SELECT c.id, c.published, (SELECT count(DISTINCT i.source_id) FROM items i WHERE i.cluster_id = c.id) "
    "FROM clusters c WHERE c.published >= ?1 AND c.size >= ?2";
// Each row repeats the cluster's public id: one statement per listed story instead of two.
constexpr const char* kMembers =
    "SELECT i.id, i.source_id, i.link, i.published, s.title, s.feed_title, s.url, s.site_link, "
    "s.republication, c.public_id "
    "FROM clusters c JOIN items i ON i.cluster_id = c.id JOIN sources s ON s.id = i.source_id "
    "WHERE c.id = ?1 ORDER BY i.published, i.id";
constexpr const char* kStory = "SELECT id FROM clusters WHERE public_id = ?1 LIMIT 1";
constexpr const char* kItem = TINHOP_ITEM_COLUMNS "WHERE id = ?1";
constexpr const char* kSourceItems =
    TINHOP_ITEM_COLUMNS "WHERE source_id = ?1 ORDER BY published DESC, id DESC LIMIT ?2";

constexpr read_pages::Statements kStatements = TINHOP_READ_STATEMENTS;

// The reader's query as FTS5 syntax that cannot fail to parse: bare words become quoted
// tokens, a trailing '*' makes a prefix, "quoted text" stays a phrase; FTS operators
// typed by the reader are taken as words. 'đ' is folded like the indexed text.
std::string fts_query(std::string_view input) {
  std::string folded;
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input.substr(i).starts_with("\xC4\x91")) {  // đ
      folded += 'd';
      ++i;
    } else if (input.substr(i).starts_with("\xC4\x90")) {  // Đ
      folded += 'D';
      ++i;
    } else {
      folded += input[i];
    }
  }
  std::string out;
  read_pages::each_search_term(folded, [&](std::string_view term, bool prefix) {
    std::string cleaned;
    for (char c : term) {
      if (c != '"' && c != '*') cleaned += c;
    }
    if (cleaned.find_first_not_of(" \t\r\n") == std::string::npos) return;
    if (!out.empty()) out += ' ';
    out += '"';
    out += cleaned;
    out += '"';
    if (prefix) out += '*';
  });
  return out;
}

StoredItem read_item(const sql::Statement& q) {
  return rows::read_item(q);
}

StoredItem load_item(sql::Database& db, std::int64_t id) {
  auto q = db.statement(kItem);
  q->bind(1, id);
  if (!q->step()) throw sql::SqlFailure{Error{Errc::not_found, "no item with id " + std::to_string(id)}};
  return read_item(*q);
}

read_pages::Loaders loaders(sql::Database& db) {
  return read_pages::Loaders{[&db](std::int64_t cluster_id) {
                               read_pages::Members members;
                               auto q = db.statement(kMembers);
                               q->bind(1, cluster_id);
                               while (q->step()) rows::read_member(*q, members);
                               return members;
                             },
                             [&db](std::int64_t item_id) { return load_item(db, item_id); }};
}

}  // namespace

Result<ClusterPage> SqliteStore::latest_clusters(const ClusterQuery& query) {
  return guarded([&] {
    const read_pages::Plan plan = read_pages::plan(query, fts_query);
    std::vector<read_pages::Row> rows;
    {
      auto q = db.statement(kStatements.lists[static_cast<std::size_t>(plan.listing)]);
      q->bind(1, to_unix(plan.start.published))
          .bind(2, plan.start.id)
          .bind(3, static_cast<std::int64_t>(plan.fetch));
      if (query.source_id) q->bind(4, *query.source_id);
      if (query.category) q->bind(4, *query.category);
      if (query.search) q->bind(5, plan.match);
      if (plan.ranked) q->bind(6, *plan.start.relevance);
      if (const auto& filter = query.filter) {
        q->bind(4, json_list(filter->source_urls))
            .bind(6, json_list(filter->categories))
            .bind(7, json_list(filter->languages))
            .bind(8, filter->since ? to_unix(*filter->since) : std::numeric_limits<std::int64_t>::min())
            .bind(9, filter->min_publishers);
      }
      while (q->step()) rows.push_back(read_pages::Row{q->int64(0), q->int64(1), q->int64(2), q->real(3)});
    }
    return read_pages::assemble_page(query, plan, std::move(rows), loaders(db));
  });
}

Result<std::vector<TopStory>> SqliteStore::top_stories(const TopQuery& query) {
  return guarded([&] {
    std::vector<TopCandidate> candidates;
    {
      auto q = db.statement(kTopCandidates);
      q->bind(1, to_unix(query.now - query.window)).bind(2, query.min_publishers);
      while (q->step()) candidates.push_back(TopCandidate{q->int64(0), from_unix(q->int64(1)), q->int64(2)});
    }
    return read_pages::assemble_top(rank_top(std::move(candidates), query), loaders(db));
  });
}

Result<StoredItem> SqliteStore::get_item(std::int64_t item_id) {
  return guarded([&] { return load_item(db, item_id); });
}

Result<std::vector<StoredItem>> SqliteStore::source_items(std::int64_t source_id, std::size_t limit) {
  return guarded([&] {
    auto q = db.statement(kSourceItems);
    q->bind(1, source_id).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 10'000)));
    std::vector<StoredItem> items;
    while (q->step()) items.push_back(read_item(*q));
    return items;
  });
}

Result<std::optional<Story>> SqliteStore::story(std::int64_t public_id) {
  return guarded([&] {
    auto q = db.statement(kStory);
    q->bind(1, public_id);
    if (!q->step()) return std::optional<Story>();
    return std::optional<Story>(read_pages::assemble_story(q->int64(0), public_id, loaders(db)));
  });
}

Result<std::vector<std::string>> SqliteStore::explain_read_queries() {
  return guarded([&] {
    std::vector<std::string> plans;
    for (const auto& query : read_pages::named(kStatements)) {
      auto q = db.prepare(std::string("EXPLAIN QUERY PLAN ") + query.sql);
      std::string plan(query.name);
      plan += ':';
      while (q.step()) {
        plan += "\n  ";
        plan += q.text(3);
      }
      plans.push_back(std::move(plan));
    }
    return plans;
  });
}

}  // namespace tinhop::storage
