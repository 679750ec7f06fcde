// The publisher's read side: newest clusters first, keyset-paged by (published, id);
// searches by date or by relevance.
#include <algorithm>
#include <limits>

#include "store_impl.hpp"

namespace tinhop::storage {
namespace {

constexpr std::size_t kMaxLimit = 1000;

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
  std::size_t i = 0;
  auto emit = [&](std::string_view term, bool prefix) {
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
  };
  while (i < folded.size()) {
    const char c = folded[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '"') {
      const auto close = folded.find('"', i + 1);
      const auto end = close == std::string::npos ? folded.size() : close;
      emit(std::string_view(folded).substr(i + 1, end - i - 1), false);
      i = end + 1;
    } else {
      auto end = folded.find_first_of(" \t\r\n\"", i);
      if (end == std::string::npos) end = folded.size();
      std::string_view word = std::string_view(folded).substr(i, end - i);
      const bool prefix = word.ends_with('*');
      emit(word, prefix);
      i = end;
    }
  }
  return out;
}

StoredItem read_item(const sql::Statement& q) {
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
  item.date_approximate = q.int64(11) != 0;
  decode_extra(q.text(12), item);
  item.cluster_id = q.int64(13);
  return item;
}

StoredItem load_item(sql::Database& db, std::int64_t id) {
  auto q = db.statement(kItem);
  q->bind(1, id);
  if (!q->step()) throw sql::SqlFailure{Error{Errc::not_found, "no item with id " + std::to_string(id)}};
  return read_item(*q);
}

struct Member {
  Publisher publisher;
  Republication republication = Republication::full;
};

struct Members {
  std::int64_t public_id = 0;
  std::vector<Member> list;  // earliest first
};

Members load_members(sql::Database& db, std::int64_t cluster_id) {
  Members members;
  auto q = db.statement(kMembers);
  q->bind(1, cluster_id);
  while (q->step()) {
    Member m;
    auto& p = m.publisher;
    p.item_id = q->int64(0);
    p.source_id = q->int64(1);
    p.item_link = q->optional_text(2);
    p.published = from_unix(q->int64(3));
    const auto title = q->text(4);
    const auto feed_title = q->optional_text(5);
    p.source_url = q->text(6);
    p.site_link = q->optional_text(7);
    p.source_title = !title.empty() ? title : feed_title.value_or("");
    m.republication = parse_republication(q->text(8)).value_or(Republication::full);
    members.public_id = q->int64(9);
    members.list.push_back(std::move(m));
  }
  return members;
}

}  // namespace

Result<ClusterPage> SqliteStore::latest_clusters(const ClusterQuery& query) {
  return guarded([&] {
    if (query.source_id && query.category) {
      throw sql::SqlFailure{Error{Errc::invalid_argument, "filter by source or by category, not both"}};
    }
    check_filter(query);
    std::string match;
    if (query.search) {
      match = fts_query(*query.search);
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
    // Per-source lists and searches page over items (a cursor holds an item id); the
    // others over clusters. A search may match several copies of one story: it is listed
    // once per page, so a page reads a few more matches than it shows.
    const bool by_item = query.source_id.has_value() || query.search.has_value();
    const std::size_t fetch = query.search ? 4 * limit + 1 : limit + 1;
    std::vector<Row> rows;
    {
      auto q = db.statement(sql);
      q->bind(1, to_unix(start.published)).bind(2, start.id).bind(3, static_cast<std::int64_t>(fetch));
      if (query.source_id) q->bind(4, *query.source_id);
      if (query.category) q->bind(4, *query.category);
      if (query.search) q->bind(5, match);
      if (ranked) q->bind(6, *start.relevance);
      if (const auto& filter = query.filter) {
        q->bind(4, json_list(filter->source_urls))
            .bind(6, json_list(filter->categories))
            .bind(7, json_list(filter->languages))
            .bind(8, filter->since ? to_unix(*filter->since) : std::numeric_limits<std::int64_t>::min())
            .bind(9, filter->min_publishers);
      }
      while (q->step()) rows.push_back(Row{q->int64(0), q->int64(1), q->int64(2), q->real(3)});
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
    if (consumed < rows.size() && consumed > 0) {
      const auto& last = rows[consumed - 1];
      page.next = position(last);
    }
    // The page after a cursor ends just before it: the cursor's own entry comes next.
    if (backward && !page.clusters.empty()) page.next = page.clusters.back().position;
    if (newer_beyond && !page.clusters.empty()) page.previous = page.clusters.front().position;
    return page;
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
    std::vector<TopStory> top;
    for (const TopCandidate& candidate : rank_top(std::move(candidates), query)) {
      auto loaded = load_members(db, candidate.cluster_id);
      if (loaded.list.empty()) continue;  // a cluster emptied by a concurrent purge
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
    return top;
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
    Story story;
    story.cluster_id = q->int64(0);
    story.public_id = public_id;
    for (Member& member : load_members(db, story.cluster_id).list) {
      StoredItem item = load_item(db, member.publisher.item_id);
      story.versions.push_back(
          StoryVersion{std::move(member.publisher), member.republication, std::move(item)});
    }
    return std::optional<Story>(std::move(story));
  });
}

Result<std::vector<std::string>> SqliteStore::explain_read_queries() {
  return guarded([&] {
    std::vector<std::string> plans;
    for (const auto& query : kReadQueries) {
      auto q = db.prepare(std::string("EXPLAIN QUERY PLAN ") + query.sql);
      std::string plan = query.name;
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
