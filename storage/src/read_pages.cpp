#include "read_pages.hpp"

#include <algorithm>
#include <limits>

namespace tinhop::storage::read_pages {
namespace {

constexpr std::size_t kMaxLimit = 1000;

[[noreturn]] void refuse(std::string message) {
  throw sql::SqlFailure{Error{Errc::invalid_argument, std::move(message)}};
}

Listing choose(const ClusterQuery& query, bool ranked, bool backward) {
  if (query.source_id) {
    if (backward) return Listing::source_newer;
    if (!query.search) return Listing::source;
    return ranked ? Listing::ranked_search_source : Listing::search_source;
  }
  if (query.category) {
    if (backward) return Listing::category_newer;
    if (!query.search) return Listing::category;
    return ranked ? Listing::ranked_search_category : Listing::search_category;
  }
  if (query.filter) {
    if (backward) return Listing::view_newer;
    return query.search ? Listing::view_search : Listing::view;
  }
  if (query.search) return ranked ? Listing::ranked_search : Listing::search;
  return backward ? Listing::all_newer : Listing::all;
}

ClusterView view_of(std::int64_t cluster_id, Members members, std::size_t shown, const Loaders& load) {
  ClusterView view;
  view.cluster_id = cluster_id;
  view.public_id = members.public_id;
  auto& list = members.list;
  view.item = load.item(list[shown].publisher.item_id);
  view.origin = list[shown].publisher;
  view.republication = list[shown].republication;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != shown) view.others.push_back(std::move(list[i].publisher));
  }
  return view;
}

}  // namespace

std::vector<NamedStatement> named(const Statements& statements) {
  constexpr std::array<std::string_view, kListings> kNames = {"latest",
                                                              "latest_newer",
                                                              "source",
                                                              "source_newer",
                                                              "search_source",
                                                              "ranked_search_source",
                                                              "category",
                                                              "category_newer",
                                                              "search_category",
                                                              "ranked_search_category",
                                                              "view",
                                                              "view_newer",
                                                              "view_search",
                                                              "search",
                                                              "ranked_search"};
  std::vector<NamedStatement> all;
  for (std::size_t i = 0; i < kListings; ++i) all.push_back({kNames[i], statements.lists[i]});
  all.push_back({"top_candidates", statements.top_candidates});
  all.push_back({"members", statements.members});
  all.push_back({"story", statements.story});
  all.push_back({"item", statements.item});
  return all;
}

void each_search_term(std::string_view input, const std::function<void(std::string_view, bool)>& visit) {
  std::size_t i = 0;
  while (i < input.size()) {
    const char c = input[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '"') {
      const auto close = input.find('"', i + 1);
      const auto end = close == std::string_view::npos ? input.size() : close;
      visit(input.substr(i + 1, end - i - 1), false);
      i = end + 1;
    } else {
      auto end = input.find_first_of(" \t\r\n\"", i);
      if (end == std::string_view::npos) end = input.size();
      const std::string_view word = input.substr(i, end - i);
      visit(word, word.ends_with('*'));
      i = end;
    }
  }
}

Plan plan(const ClusterQuery& query, const std::function<std::string(std::string_view)>& to_match) {
  if (query.source_id && query.category) refuse("filter by source or by category, not both");
  check_filter(query);
  Plan plan;
  if (query.search) {
    plan.match = to_match(*query.search);
    if (plan.match.empty()) refuse("search has no words");
  }
  plan.ranked = query.search && query.order == ClusterQuery::Order::relevance;
  if (query.before && query.before->relevance.has_value() != plan.ranked) {
    refuse(plan.ranked ? "the cursor is not from a search by relevance"
                       : "the cursor is from a search by relevance");
  }
  plan.backward = query.after.has_value();
  if (plan.backward && (query.before || query.search)) {
    refuse(query.before ? "page after a cursor or before one, not both" : "a search pages forward only");
  }
  plan.listing = choose(query, plan.ranked, plan.backward);
  plan.limit = std::clamp<std::size_t>(query.limit, 1, kMaxLimit);
  plan.start = query.after ? *query.after
                           : query.before.value_or(Cursor{from_unix(std::numeric_limits<std::int64_t>::max()),
                                                          std::numeric_limits<std::int64_t>::max()});
  if (plan.ranked && !query.before) plan.start.relevance = -std::numeric_limits<double>::infinity();
  // Per-source lists and searches page over items (a cursor holds an item id); the others
  // over clusters. A search may match several copies of one story: it is listed once per
  // page, so a page reads a few more matches than it shows.
  plan.by_item = query.source_id.has_value() || query.search.has_value();
  plan.fetch = query.search ? 4 * plan.limit + 1 : plan.limit + 1;
  return plan;
}

ClusterPage assemble_page(const ClusterQuery& query, const Plan& plan, std::vector<Row> rows,
                          const Loaders& load) {
  // Read oldest first, the page before is the `limit` rows next to the cursor, shown
  // newest first like every page.
  bool newer_beyond = query.before.has_value();
  if (plan.backward) {
    newer_beyond = rows.size() > plan.limit;
    if (newer_beyond) rows.resize(plan.limit);
    std::reverse(rows.begin(), rows.end());
  }
  const auto position = [&](const Row& row) {
    if (plan.ranked) return Cursor::ranked(row.rank, row.item_id);
    return Cursor{from_unix(row.published), plan.by_item ? row.item_id : row.cluster_id};
  };
  ClusterPage page;
  std::vector<std::int64_t> listed;
  std::size_t consumed = 0;
  for (; consumed < rows.size() && page.clusters.size() < plan.limit; ++consumed) {
    const Row& row = rows[consumed];
    if (std::find(listed.begin(), listed.end(), row.cluster_id) != listed.end()) continue;
    listed.push_back(row.cluster_id);
    Members members = load.members(row.cluster_id);
    if (members.list.empty()) continue;  // a cluster emptied by a concurrent purge
    std::size_t shown = 0;
    if (query.source_id) {
      for (std::size_t i = 0; i < members.list.size(); ++i) {
        if (members.list[i].publisher.item_id == row.item_id) shown = i;
      }
    }
    ClusterView view = view_of(row.cluster_id, std::move(members), shown, load);
    view.position = position(row);
    page.clusters.push_back(std::move(view));
  }
  if (consumed < rows.size() && consumed > 0) page.next = position(rows[consumed - 1]);
  // The page after a cursor ends just before it: the cursor's own entry comes next.
  if (plan.backward && !page.clusters.empty()) page.next = page.clusters.back().position;
  if (newer_beyond && !page.clusters.empty()) page.previous = page.clusters.front().position;
  return page;
}

std::vector<TopStory> assemble_top(const std::vector<TopCandidate>& ranked, const Loaders& load) {
  std::vector<TopStory> top;
  for (const TopCandidate& candidate : ranked) {
    Members members = load.members(candidate.cluster_id);
    if (members.list.empty()) continue;  // a cluster emptied by a concurrent purge
    TopStory story;
    story.publishers = candidate.publishers;
    story.score = candidate.score;
    story.view = view_of(candidate.cluster_id, std::move(members), 0, load);
    story.view.position = Cursor{candidate.published, candidate.cluster_id};
    top.push_back(std::move(story));
  }
  return top;
}

Story assemble_story(std::int64_t cluster_id, std::int64_t public_id, const Loaders& load) {
  Story story;
  story.cluster_id = cluster_id;
  story.public_id = public_id;
  for (Member& member : load.members(cluster_id).list) {
    StoredItem item = load.item(member.publisher.item_id);
    story.versions.push_back(
        StoryVersion{std::move(member.publisher), member.republication, std::move(item)});
  }
  return story;
}

}  // namespace tinhop::storage::read_pages
