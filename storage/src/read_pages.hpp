// What the publisher's read side does the same way on both backends: which list a query
// reads and how its cursor starts, and how rows, members and items become a page, a top
// story or a story. Each backend keeps only its SQL and how it loads members and items.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"

namespace tinhop::storage::read_pages {

// The lists a cluster query reads, one statement each in every backend.
enum class Listing {
  all,
  all_newer,
  source,
  source_newer,
  search_source,
  ranked_search_source,
  category,
  category_newer,
  search_category,
  ranked_search_category,
  view,
  view_newer,
  view_search,
  search,
  ranked_search,
};
inline constexpr std::size_t kListings = 15;

// A backend's read statements: one per list (by Listing), and those that load what a page shows.
struct Statements {
  std::array<const char*, kListings> lists{};
  const char* top_candidates = nullptr;
  const char* members = nullptr;
  const char* story = nullptr;
  const char* item = nullptr;
};

// A backend's Statements from its constants of these names (one order for both backends).
#define TINHOP_READ_STATEMENTS                  \
  read_pages::Statements {                      \
    {                                           \
        kAll,                                   \
        kAllNewer,                              \
        kSource,                                \
        kSourceNewer,                           \
        kSearchSource,                          \
        kRankedSearchSource,                    \
        kCategory,                              \
        kCategoryNewer,                         \
        kSearchCategory,                        \
        kRankedSearchCategory,                  \
        kView,                                  \
        kViewNewer,                             \
        kViewSearch,                            \
        kSearch,                                \
        kRankedSearch},                         \
        kTopCandidates, kMembers, kStory, kItem \
  }

struct NamedStatement {
  std::string_view name;
  const char* sql = nullptr;
};
// Every statement with the name Store::explain_read_queries gives its plan.
std::vector<NamedStatement> named(const Statements& statements);

struct Plan {
  Listing listing = Listing::all;
  std::string match;      // the backend's search text, empty without a search
  bool ranked = false;    // a search by relevance
  bool backward = false;  // the page after a cursor (newer entries), read oldest first
  bool by_item = false;   // the cursor holds an item id, not a cluster id
  std::size_t limit = 0;  // entries shown
  std::size_t fetch = 0;  // rows read
  Cursor start;
};

// The reader's search syntax, the same on both backends: terms separated by white space;
// "quoted text" is one term, a phrase (an unclosed quote runs to the end); a word ending in
// '*' is a prefix. Calls visit(term, prefix) for each term in order, the term as typed
// (a word keeps its '*').
void each_search_term(std::string_view input, const std::function<void(std::string_view, bool)>& visit);

// Checks the query and chooses its list; `to_match` turns the reader's words into the
// backend's search text. Throws sql::SqlFailure (invalid_argument) on a query no list answers.
Plan plan(const ClusterQuery& query, const std::function<std::string(std::string_view)>& to_match);

// One row of a list: the cluster, its position and, for lists of items, the item.
struct Row {
  std::int64_t cluster_id = 0;
  std::int64_t published = 0;
  std::int64_t item_id = 0;
  double rank = 0;
};

struct Member {
  Publisher publisher;
  Republication republication = Republication::full;
};

struct Members {
  std::int64_t public_id = 0;
  std::vector<Member> list;  // earliest first
};

// How a backend loads what a page shows, inside whatever snapshot it reads in.
struct Loaders {
  std::function<Members(std::int64_t cluster_id)> members;
  std::function<StoredItem(std::int64_t item_id)> item;
};

// The page the rows read for the plan make.
ClusterPage assemble_page(const ClusterQuery& query, const Plan& plan, std::vector<Row> rows,
                          const Loaders& load);

// The ranked candidates as top stories (a cluster emptied by a concurrent purge is left out).
std::vector<TopStory> assemble_top(const std::vector<TopCandidate>& ranked, const Loaders& load);

// The story of a cluster: every member's version, earliest publisher first.
Story assemble_story(std::int64_t cluster_id, std::int64_t public_id, const Loaders& load);

}  // namespace tinhop::storage::read_pages
