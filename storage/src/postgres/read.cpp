// The publisher's read side on PostgreSQL: the same lists and pages as SQLite's
// (sqlite/read.cpp), searches through the items' tsvector.
#include <algorithm>
#include <limits>

#include "postgres_store.hpp"

namespace tinhop::storage {
namespace {

constexpr std::size_t kMaxLimit = 1000;

// $1 published, $2 id of the cursor, $3 rows, $4 source or category, $5 the tsquery text,
// $6 the last rank seen. A rank is minus ts_rank, so that lower ranks higher as with FTS5.
#define TINHOP_QUERY "to_tsquery('simple', tinhop_unaccent($5))"
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
    "WHERE i.search @@ to_tsquery('simple', tinhop_unaccent($5)) AND (i.published, i.id) < ($1, $2) "
    "AND c.published >= $8::bigint AND c.size >= $9::bigint AND " TINHOP_VIEW_ITEM
    " AND " TINHOP_VIEW_STORY("i.cluster_id") " ORDER BY i.published DESC, i.id DESC LIMIT $3";
#undef TINHOP_VIEW_CLUSTER
#undef TINHOP_VIEW_STORY
#undef TINHOP_VIEW_ITEM
constexpr const char* kTopCandidates =
    "SELECT c.id, c.published, (SELECT count(DISTINCT i.source_id) FROM items i WHERE i.cluster_id = c.id) "
    "FROM clusters c WHERE c.published >= $1 AND c.size >= $2";
constexpr const char* kMembers =
    "SELECT i.id, i.source_id, i.link, i.published, s.title, s.feed_title, s.url, s.site_link, "
    "s.republication, c.public_id "
    "FROM clusters c JOIN items i ON i.cluster_id = c.id JOIN sources s ON s.id = i.source_id "
    "WHERE c.id = $1 ORDER BY i.published, i.id";
constexpr const char* kStory = "SELECT id FROM clusters WHERE public_id = $1 LIMIT 1";
constexpr const char* kItem = TINHOP_ITEM_COLUMNS "WHERE id = $1";
constexpr const char* kSourceItems =
    TINHOP_ITEM_COLUMNS "WHERE source_id = $1 ORDER BY published DESC, id DESC LIMIT $2";

struct NamedQuery {
  const char* name;
  const char* sql;
};
constexpr NamedQuery kReadQueries[] = {
    {"latest", kAll},
    {"category", kCategory},
    {"source", kSource},
    {"latest_newer", kAllNewer},
    {"category_newer", kCategoryNewer},
    {"source_newer", kSourceNewer},
    {"search", kSearch},
    {"search_category", kSearchCategory},
    {"search_source", kSearchSource},
    {"ranked_search", kRankedSearch},
    {"ranked_search_category", kRankedSearchCategory},
    {"ranked_search_source", kRankedSearchSource},
    {"view", kView},
    {"view_newer", kViewNewer},
    {"view_search", kViewSearch},
    {"top_candidates", kTopCandidates},
    {"members", kMembers},
    {"story", kStory},
    {"item", kItem},
};

// The reader's query as tsquery text that cannot fail to parse: each word a quoted
// lexeme (a trailing '*' makes a prefix), "quoted text" a phrase, all of them required.
// Characters tsquery gives a meaning are taken as spaces; accents go in the query
// (tinhop_unaccent), as in the indexed text.
std::string tsquery_text(std::string_view input) {
  std::string out;
  auto emit = [&](std::string_view term, bool prefix) {
    std::string cleaned;
    for (const char c : term)
      cleaned += std::string_view("'\\:&|!()<>*\"").find(c) == std::string_view::npos ? c : ' ';
    if (cleaned.find_first_not_of(" \t\r\n") == std::string::npos) return;
    if (!out.empty()) out += " & ";
    out += '\'' + cleaned + '\'';
    if (prefix) out += ":*";
  };
  std::size_t i = 0;
  while (i < input.size()) {
    const char c = input[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '"') {
      const auto close = input.find('"', i + 1);
      const auto end = close == std::string_view::npos ? input.size() : close;
      emit(input.substr(i + 1, end - i - 1), false);
      i = end + 1;
    } else {
      auto end = input.find_first_of(" \t\r\n\"", i);
      if (end == std::string_view::npos) end = input.size();
      const std::string_view word = input.substr(i, end - i);
      emit(word, word.ends_with('*'));
      i = end;
    }
  }
  return out;
}

StoredItem read_item(const pg::Rows& q) {
  StoredItem item;
  item.id = q.int64(0);
  item.source_id = q.int64(1);
  item.guid = q.optional_text(2);
  item.link = q.optional_text(3);
  item.title = q.optional_text(4);
  item.summary = q.optional_text(5);
  item.content = q.optional_text(6);
  item.published = from_unix(q.int64(7));
  item.updated = from_unix(q.optional_int64(8));
  item.first_seen = from_unix(q.int64(9));
  item.changed = from_unix(q.optional_int64(10));
  item.date_approximate = q.boolean(11);
  decode_extra(q.text(12), item);
  item.cluster_id = q.int64(13);
  return item;
}

StoredItem load_item(pg::Connection& db, std::int64_t id) {
  auto q = db.query(kItem, pg::Params().add(id));
  if (!q.next()) throw sql::SqlFailure{Error{Errc::not_found, "no item with id " + std::to_string(id)}};
  return read_item(q);
}

struct Member {
  Publisher publisher;
  Republication republication = Republication::full;
};

struct Members {
  std::int64_t public_id = 0;
  std::vector<Member> list;  // earliest first
};

Members load_members(pg::Connection& db, std::int64_t cluster_id) {
  Members members;
  auto q = db.query(kMembers, pg::Params().add(cluster_id));
  while (q.next()) {
    Member m;
    auto& p = m.publisher;
    p.item_id = q.int64(0);
    p.source_id = q.int64(1);
    p.item_link = q.optional_text(2);
    p.published = from_unix(q.int64(3));
    const auto title = q.text(4);
    const auto feed_title = q.optional_text(5);
    p.source_url = q.text(6);
    p.site_link = q.optional_text(7);
    p.source_title = !title.empty() ? title : feed_title.value_or("");
    m.republication = parse_republication(q.text(8)).value_or(Republication::full);
    members.public_id = q.int64(9);
    members.list.push_back(std::move(m));
  }
  return members;
}

}  // namespace

Result<ClusterPage> PostgresStore::latest_clusters(const ClusterQuery& query) {
  return guarded([&] {
    if (query.source_id && query.category) {
      throw sql::SqlFailure{Error{Errc::invalid_argument, "filter by source or by category, not both"}};
    }
    check_filter(query);
    std::string match;
    if (query.search) {
      match = tsquery_text(*query.search);
      if (match.empty()) throw sql::SqlFailure{Error{Errc::invalid_argument, "search has no words"}};
    }
    const bool ranked = query.search && query.order == ClusterQuery::Order::relevance;
    if (query.before && query.before->relevance.has_value() != ranked) {
      throw sql::SqlFailure{Error{Errc::invalid_argument, ranked
                                                              ? "the cursor is not from a search by relevance"
                                                              : "the cursor is from a search by relevance"}};
    }
    const bool backward = query.after.has_value();
    if (backward && (query.before || query.search)) {
      throw sql::SqlFailure{Error{Errc::invalid_argument, query.before
                                                              ? "page after a cursor or before one, not both"
                                                              : "a search pages forward only"}};
    }
    const char* sql = backward ? kAllNewer : kAll;
    if (query.source_id) {
      sql = backward ? kSourceNewer : !query.search ? kSource : ranked ? kRankedSearchSource : kSearchSource;
    } else if (query.category) {
      sql = backward        ? kCategoryNewer
            : !query.search ? kCategory
            : ranked        ? kRankedSearchCategory
                            : kSearchCategory;
    } else if (query.filter) {
      sql = backward ? kViewNewer : query.search ? kViewSearch : kView;
    } else if (query.search) {
      sql = ranked ? kRankedSearch : kSearch;
    }
    const std::size_t limit = std::clamp<std::size_t>(query.limit, 1, kMaxLimit);
    Cursor start = query.after
                       ? *query.after
                       : query.before.value_or(Cursor{from_unix(std::numeric_limits<std::int64_t>::max()),
                                                      std::numeric_limits<std::int64_t>::max()});
    if (ranked && !query.before) start.relevance = -std::numeric_limits<double>::infinity();

    struct Row {
      std::int64_t cluster_id, published, item_id;
      double rank;
    };
    const bool by_item = query.source_id.has_value() || query.search.has_value();
    const std::size_t fetch = query.search ? 4 * limit + 1 : limit + 1;
    // One snapshot for the page: its rows, members and items agree even while a writer
    // on another node commits or purges.
    pg::Transaction snapshot(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    std::vector<Row> rows;
    {
      pg::Params p;
      p.add(to_unix(start.published)).add(start.id).add(static_cast<std::int64_t>(fetch));
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
        p.add(match);
      } else if (query.filter) {
        p.add_null();
      }
      if (ranked)
        p.add(*start.relevance == -std::numeric_limits<double>::infinity() ? -1e300 : *start.relevance);
      if (const auto& filter = query.filter) {
        p.add(json_list(filter->categories))
            .add(json_list(filter->languages))
            .add(filter->since ? to_unix(*filter->since) : std::numeric_limits<std::int64_t>::min())
            .add(filter->min_publishers);
      }
      auto q = db.query(sql, p);
      while (q.next()) rows.push_back(Row{q.int64(0), q.int64(1), q.int64(2), q.real(3)});
    }
    // Read oldest first, the page before is the `limit` rows next to the cursor, shown
    // newest first like every page.
    bool newer_beyond = query.before.has_value();
    if (backward) {
      newer_beyond = rows.size() > limit;
      if (newer_beyond) rows.resize(limit);
      std::reverse(rows.begin(), rows.end());
    }
    const auto position = [&](const Row& row) {
      if (ranked) return Cursor::ranked(row.rank, row.item_id);
      return Cursor{from_unix(row.published), by_item ? row.item_id : row.cluster_id};
    };
    ClusterPage page;
    std::vector<std::int64_t> listed;
    std::size_t consumed = 0;
    for (; consumed < rows.size() && page.clusters.size() < limit; ++consumed) {
      const Row& row = rows[consumed];
      if (std::find(listed.begin(), listed.end(), row.cluster_id) != listed.end()) continue;
      listed.push_back(row.cluster_id);
      ClusterView view;
      view.cluster_id = row.cluster_id;
      view.position = position(row);
      auto loaded = load_members(db, row.cluster_id);
      auto& members = loaded.list;
      if (members.empty()) continue;  // a cluster emptied by a concurrent purge
      view.public_id = loaded.public_id;
      std::size_t shown = 0;
      if (query.source_id) {
        for (std::size_t i = 0; i < members.size(); ++i) {
          if (members[i].publisher.item_id == row.item_id) shown = i;
        }
      }
      view.item = load_item(db, members[shown].publisher.item_id);
      view.origin = members[shown].publisher;
      view.republication = members[shown].republication;
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i != shown) view.others.push_back(std::move(members[i].publisher));
      }
      page.clusters.push_back(std::move(view));
    }
    if (consumed < rows.size() && consumed > 0) page.next = position(rows[consumed - 1]);
    // The page after a cursor ends just before it: the cursor's own entry comes next.
    if (backward && !page.clusters.empty()) page.next = page.clusters.back().position;
    if (newer_beyond && !page.clusters.empty()) page.previous = page.clusters.front().position;
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
    std::vector<TopStory> top;
    for (const TopCandidate& candidate : rank_top(std::move(candidates), query)) {
      auto loaded = load_members(db, candidate.cluster_id);
      if (loaded.list.empty()) continue;
      TopStory story;
      story.publishers = candidate.publishers;
      story.score = candidate.score;
      ClusterView& view = story.view;
      view.cluster_id = candidate.cluster_id;
      view.public_id = loaded.public_id;
      view.position = Cursor{candidate.published, candidate.cluster_id};
      view.item = load_item(db, loaded.list.front().publisher.item_id);
      view.origin = loaded.list.front().publisher;
      view.republication = loaded.list.front().republication;
      for (std::size_t i = 1; i < loaded.list.size(); ++i)
        view.others.push_back(std::move(loaded.list[i].publisher));
      top.push_back(std::move(story));
    }
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
    Story story;
    story.cluster_id = q.int64(0);
    story.public_id = public_id;
    for (Member& member : load_members(db, story.cluster_id).list) {
      StoredItem item = load_item(db, member.publisher.item_id);
      story.versions.push_back(
          StoryVersion{std::move(member.publisher), member.republication, std::move(item)});
    }
    snapshot.commit();
    return std::optional<Story>(std::move(story));
  });
}

Result<std::vector<std::string>> PostgresStore::explain_read_queries() {
  return guarded([&] {
    std::vector<std::string> plans;
    for (const auto& query : kReadQueries) {
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
      std::string plan = query.name;
      plan += ':';
      while (rows.next()) plan += "\n  " + rows.text(0);
      plans.push_back(std::move(plan));
    }
    return plans;
  });
}

}  // namespace tinhop::storage
