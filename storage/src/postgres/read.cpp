// The publisher's read side on PostgreSQL: the same lists and pages as SQLite's
// (sqlite/read.cpp), searches through the items' tsvector.
#include <algorithm>
#include <limits>

#include "postgres_store.hpp"
#include "rows.hpp"
#include "search.hpp"

namespace tinhop::storage {
namespace {

// $1 published, $2 id of the cursor, $3 rows, $4 source or category, $5 the tsquery text,
// $6 the last rank seen. A rank is minus ts_rank, so that lower ranks higher as with FTS5.
#define TINHOP_QUERY "$5::tsquery"
#define TINHOP_RANK "(-ts_rank(i.search, " TINHOP_QUERY "))::float8"
constexpr const char* kAll =
    "SELECT id, published, 0, 0.0 FROM clusters WHERE (published, id) < ($1, $2) "
    "ORDER BY published DESC, id DESC LIMIT $3";
constexpr const char* kCategory =
    "SELECT cluster_id, published, 0, 0.0 FROM cluster_categories WHERE category = $4 AND "
    "(published, cluster_id) < ($1, $2) ORDER BY published DESC, cluster_id DESC LIMIT $3";
constexpr const char* kSource =
    "SELECT cluster_id, published, id, 0.0 FROM items WHERE source_id = $4 AND (published, id) < ($1, $2) "
    "ORDER BY published DESC, id DESC LIMIT $3";
// The pages before: the same lists read oldest first from just after the cursor.
constexpr const char* kAllNewer =
    "SELECT id, published, 0, 0.0 FROM clusters WHERE (published, id) > ($1, $2) "
    "ORDER BY published, id LIMIT $3";
constexpr const char* kCategoryNewer =
    "SELECT cluster_id, published, 0, 0.0 FROM cluster_categories WHERE category = $4 AND "
    "(published, cluster_id) > ($1, $2) ORDER BY published, cluster_id LIMIT $3";
constexpr const char* kSourceNewer =
    "SELECT cluster_id, published, id, 0.0 FROM items WHERE source_id = $4 AND (published, id) > ($1, $2) "
    "ORDER BY published, id LIMIT $3";
constexpr const char* kSearch =
    "SELECT i.cluster_id, i.published, i.id, 0.0 FROM items i WHERE i.search @@ " TINHOP_QUERY
    " AND (i.published, i.id) < ($1, $2) AND $4::text IS NULL ORDER BY i.published DESC, i.id DESC LIMIT $3";
constexpr const char* kSearchCategory =
    "SELECT i.cluster_id, i.published, i.id, 0.0 FROM items i WHERE i.search @@ " TINHOP_QUERY
    " AND (i.published, i.id) < ($1, $2) AND EXISTS (SELECT 1 FROM cluster_categories cc WHERE "
    "cc.category = $4 AND cc.cluster_id = i.cluster_id) ORDER BY i.published DESC, i.id DESC LIMIT $3";
constexpr const char* kSearchSource =
    "SELECT i.cluster_id, i.published, i.id, 0.0 FROM items i WHERE i.search @@ " TINHOP_QUERY
    " AND (i.published, i.id) < ($1, $2) AND i.source_id = $4::bigint "
    "ORDER BY i.published DESC, i.id DESC LIMIT $3";
#define TINHOP_RANKED(filter)                                                                         \
  "SELECT cluster_id, published, id, rank FROM (SELECT i.cluster_id, i.published, i.id, " TINHOP_RANK \
  " AS rank FROM items i WHERE i.search @@ " TINHOP_QUERY filter                                      \
  ") matches WHERE (rank > $6 OR (rank = $6 AND id < $2)) AND $1::bigint IS NOT NULL "                \
  "ORDER BY rank, id DESC LIMIT $3"
constexpr const char* kRankedSearch = TINHOP_RANKED(" AND $4::text IS NULL");
constexpr const char* kRankedSearchCategory = TINHOP_RANKED(
    " AND EXISTS (SELECT 1 FROM cluster_categories cc WHERE cc.category = $4 AND cc.cluster_id = "
    "i.cluster_id)");
constexpr const char* kRankedSearchSource = TINHOP_RANKED(" AND i.source_id = $4::bigint");
#undef TINHOP_RANKED
#undef TINHOP_RANK
#undef TINHOP_QUERY
// A view's stories (ClusterQuery::filter), as sqlite/read.cpp's; $4 source urls, $6
// categories and $7 languages are JSON arrays (NULL: any), $8 the window's start, $9 the
// least number of publishers.
#define TINHOP_VIEW_ITEM                                                                     \
  "($4::jsonb IS NULL OR i.source_id IN (SELECT id FROM sources WHERE url IN (SELECT "       \
  "jsonb_array_elements_text($4::jsonb)))) AND ($7::jsonb IS NULL OR EXISTS (SELECT 1 FROM " \
  "jsonb_array_elements_text($7::jsonb) l(v) WHERE i.language = l.v OR i.language LIKE l.v || '-%'))"
#define TINHOP_VIEW_STORY(cluster)                                                                       \
  "($6::jsonb IS NULL OR EXISTS (SELECT 1 FROM cluster_categories cc WHERE cc.cluster_id = " cluster     \
  " AND cc.category IN (SELECT jsonb_array_elements_text($6::jsonb)))) AND ($9::bigint <= 1 OR (SELECT " \
  "count(DISTINCT p.source_id) FROM items p WHERE p.cluster_id = " cluster ") >= $9::bigint)"
#define TINHOP_VIEW_CLUSTER(order) \
  "SELECT c.id, c.published, 0, 0.0 FROM clusters c WHERE (c.published, c.id) " order                    \
  " AND c.published >= $8::bigint AND c.size >= $9::bigint AND $5::text IS NULL AND " TINHOP_VIEW_STORY( \
      "c.id") " AND (($4::jsonb IS NULL AND $7::jsonb IS NULL) OR EXISTS (SELECT 1 FROM items i WHERE "  \
              "i.cluster_id = c.id AND " TINHOP_VIEW_ITEM ")) "
constexpr const char* kView =
    TINHOP_VIEW_CLUSTER("< ($1, $2)") "ORDER BY c.published DESC, c.id DESC LIMIT $3";
constexpr const char* kViewNewer = TINHOP_VIEW_CLUSTER("> ($1, $2)") "ORDER BY c.published, c.id LIMIT $3";
constexpr const char* kViewSearch =
    "SELECT i.cluster_id, i.published, i.id, 0.0 FROM items i JOIN clusters c ON c.id = i.cluster_id "
    "WHERE i.search @@ $5::tsquery AND (i.published, i.id) < ($1, $2) "
    "AND c.published >= $8::bigint AND c.size >= $9::bigint AND " TINHOP_VIEW_ITEM
    " AND " TINHOP_VIEW_STORY("i.cluster_id") " ORDER BY i.published DESC, i.id DESC LIMIT $3";
#undef TINHOP_VIEW_CLUSTER
#undef TINHOP_VIEW_STORY
#undef TINHOP_VIEW_ITEM
constexpr const char* kTopCandidates =
    "SELECT c.id, c.published, (SELECT count(DISTINCT i.source_id) FROM items i WHERE i.cluster_id = c.id) "
    "FROM clusters c WHERE c.published >= $1 AND c.size >= $2";
// Each member's source by its key (the LIMIT keeps the subquery from being flattened): a
// prepared statement's generic plan, made before the tables' statistics, otherwise hashed
// the whole sources table for every story of a page (0.5 ms each at 2,000 sources).
constexpr const char* kMembers =
    "SELECT i.id, i.source_id, i.link, i.published, s.title, s.feed_title, s.url, s.site_link, "
    "s.republication, c.public_id "
    "FROM clusters c JOIN items i ON i.cluster_id = c.id CROSS JOIN LATERAL (SELECT title, feed_title, url, "
    "site_link, republication FROM sources WHERE id = i.source_id LIMIT 1) s "
    "WHERE c.id = $1 ORDER BY i.published, i.id";
constexpr const char* kStory = "SELECT id FROM clusters WHERE public_id = $1 LIMIT 1";
constexpr const char* kItem = TINHOP_ITEM_COLUMNS "WHERE id = $1";
constexpr const char* kSourceItems =
    TINHOP_ITEM_COLUMNS "WHERE source_id = $1 ORDER BY published DESC, id DESC LIMIT $2";

constexpr read_pages::Statements kStatements = TINHOP_READ_STATEMENTS;

StoredItem read_item(const pg::Rows& q) {
  return rows::read_item(q);
}

StoredItem load_item(pg::Connection& db, std::int64_t id) {
  auto q = db.query(kItem, pg::Params().add(id));
  if (!q.next()) throw sql::SqlFailure{Error{Errc::not_found, "no item with id " + std::to_string(id)}};
  return read_item(q);
}

read_pages::Loaders loaders(pg::Connection& db) {
  return read_pages::Loaders{[&db](std::int64_t cluster_id) {
                               read_pages::Members members;
                               auto q = db.query(kMembers, pg::Params().add(cluster_id));
                               while (q.next()) rows::read_member(q, members);
                               return members;
                             },
                             [&db](std::int64_t item_id) { return load_item(db, item_id); }};
}

}  // namespace

Result<ClusterPage> PostgresStore::latest_clusters(const ClusterQuery& query) {
  return guarded([&] {
    const read_pages::Plan plan = read_pages::plan(query, pg::search_query);
    // One snapshot for the page: its rows, members and items agree even while a writer
    // on another node commits or purges.
    pg::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    std::vector<read_pages::Row> rows;
    {
      pg::Params p;
      p.add(to_unix(plan.start.published)).add(plan.start.id).add(static_cast<std::int64_t>(plan.fetch));
      // Every statement gets the parameters up to the last it uses.
      if (query.source_id) {
        p.add(*query.source_id);
      } else if (query.category) {
        p.add(*query.category);
      } else if (query.filter) {
        p.add(json_list(query.filter->source_urls));
      } else if (query.search) {
        p.add_null();
      }
      if (query.search) {
        p.add(plan.match);
      } else if (query.filter) {
        p.add_null();
      }
      if (plan.ranked) {
        const double last = *plan.start.relevance;
        p.add(last == -std::numeric_limits<double>::infinity() ? -1e300 : last);
      }
      if (const auto& filter = query.filter) {
        p.add(json_list(filter->categories))
            .add(json_list(filter->languages))
            .add(filter->since ? to_unix(*filter->since) : std::numeric_limits<std::int64_t>::min())
            .add(filter->min_publishers);
      }
      auto q = db.query(kStatements.lists[static_cast<std::size_t>(plan.listing)], p);
      while (q.next()) rows.push_back(read_pages::Row{q.int64(0), q.int64(1), q.int64(2), q.real(3)});
    }
    ClusterPage page = read_pages::assemble_page(query, plan, std::move(rows), loaders(db));
    snapshot.commit();
    return page;
  });
}

Result<std::vector<TopStory>> PostgresStore::top_stories(const TopQuery& query) {
  return guarded([&] {
    // One snapshot: the candidates, members and items agree while another node writes.
    pg::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    std::vector<TopCandidate> candidates;
    {
      auto q = db.query(kTopCandidates,
                        pg::Params().add(to_unix(query.now - query.window)).add(query.min_publishers));
      while (q.next()) candidates.push_back(TopCandidate{q.int64(0), from_unix(q.int64(1)), q.int64(2)});
    }
    auto top = read_pages::assemble_top(rank_top(std::move(candidates), query), loaders(db));
    snapshot.commit();
    return top;
  });
}

Result<StoredItem> PostgresStore::get_item(std::int64_t item_id) {
  return guarded([&] { return load_item(db, item_id); });
}

Result<std::vector<StoredItem>> PostgresStore::source_items(std::int64_t source_id, std::size_t limit) {
  return guarded([&] {
    auto q = db.query(kSourceItems, pg::Params().add(source_id).add(
                                        static_cast<std::int64_t>(std::min<std::size_t>(limit, 10'000))));
    std::vector<StoredItem> items;
    while (q.next()) items.push_back(read_item(q));
    return items;
  });
}

Result<std::optional<Story>> PostgresStore::story(std::int64_t public_id) {
  return guarded([&] {
    // One snapshot: the members and their items agree while another node writes.
    pg::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    auto q = db.query(kStory, pg::Params().add(public_id));
    if (!q.next()) return std::optional<Story>();
    Story story = read_pages::assemble_story(q.int64(0), public_id, loaders(db));
    snapshot.commit();
    return std::optional<Story>(std::move(story));
  });
}

Result<std::vector<std::string>> PostgresStore::explain_read_queries() {
  return guarded([&] {
    std::vector<std::string> plans;
    for (const auto& query : read_pages::named(kStatements)) {
      // Values of the right types for the statement's parameters ($1 ... up to its last).
      pg::Params p;
      const std::string_view text = query.sql;
      // A view's statements take the filter's JSON lists at $4, $6 and $7.
      const bool view = text.find("$9") != std::string_view::npos;
      for (int n = 1; n <= 9 && text.find("$" + std::to_string(n)) != std::string_view::npos; ++n) {
        if (view && (n == 4 || n == 6 || n == 7)) {
          p.add(R"(["x"])");
        } else if (n == 4) {
          p.add_null();
        } else if (n == 5) {
          p.add("x");
        } else if (n == 6) {
          p.add(0.0);
        } else {
          p.add(std::int64_t{0});
        }
      }
      auto rows = db.query_once(std::string("EXPLAIN ") + query.sql, p);
      std::string plan(query.name);
      plan += ':';
      while (rows.next()) plan += "\n  " + rows.text(0);
      plans.push_back(std::move(plan));
    }
    return plans;
  });
}

}  // namespace tinhop::storage
