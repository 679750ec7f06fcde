// Search results in date order (the default) and by relevance, each paged by its own
// keyset cursor (issue #15, point 8).
#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::at;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::open_store;

namespace {

// Every page of `query`, `limit` at a time: the titles in the order they came.
std::vector<std::string> all_pages(Store& store, ClusterQuery query) {
  std::vector<std::string> titles;
  for (int pages = 0; pages < 50; ++pages) {
    auto page = store.latest_clusters(query).value();
    for (const auto& c : page.clusters) titles.push_back(*c.item.title);
    if (!page.next) break;
    query.before = page.next;
  }
  return titles;
}

}  // namespace

TEST_CASE("search results come newest first by date, not by arrival, on every page") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  // a's recent stories arrive first; b's first poll then brings its older backlog.
  REQUIRE(store
              .ingest(a,
                      make_feed({make_item("a1", "Giá vàng sáng thứ hai", "Tin một", 1710360000),
                                 make_item("a2", "Giá vàng chiều thứ ba", "Tin hai", 1710370000)}),
                      kNow)
              ->added == 2);
  REQUIRE(store
              .ingest(b,
                      make_feed({make_item("b1", "Giá vàng tuần trước", "Tin ba", 1710000000),
                                 make_item("b2", "Giá vàng tháng trước", "Tin bốn", 1708000000),
                                 make_item("b3", "Giá vàng hôm kia", "Tin năm", 1710200000)}),
                      kNow)
              ->added == 3);
  ClusterQuery query;
  query.search = "gia vang";
  query.limit = 2;
  CHECK(all_pages(store, query) == std::vector<std::string>{"Giá vàng chiều thứ ba", "Giá vàng sáng thứ hai",
                                                            "Giá vàng hôm kia", "Giá vàng tuần trước",
                                                            "Giá vàng tháng trước"});
  query.source_id = b;
  CHECK(all_pages(store, query) ==
        std::vector<std::string>{"Giá vàng hôm kia", "Giá vàng tuần trước", "Giá vàng tháng trước"});
  query.limit = 1;
  auto first = store.latest_clusters(query).value();
  REQUIRE(first.next);
  CHECK(format_cursor(*first.next) == "1710200000-" + std::to_string(first.clusters[0].item.id));
}

TEST_CASE("search by relevance puts the best match first and pages through every match once") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss", {"Kinh tế"});
  REQUIRE(store
              .ingest(a,
                      make_feed({
                          make_item("a1", "Thời tiết", "Nắng nóng kéo dài; giá điện tăng", 1710370000),
                          make_item("a2", "Bão số 3", "Bão gây mưa lớn", 1710360000),
                          make_item("a3", "Giá điện, giá điện, giá điện", "Giá điện tăng từ tháng sau",
                                    1710300000),
                          make_item("a4", "Giá điện tăng", "Bộ Công Thương công bố", 1710350000),
                      }),
                      kNow)
              ->added == 4);
  ClusterQuery query;
  query.search = "gia dien";
  query.order = ClusterQuery::Order::relevance;
  query.limit = 1;
  const std::vector<std::string> ranked = all_pages(store, query);
  CHECK(ranked == std::vector<std::string>{"Giá điện, giá điện, giá điện", "Giá điện tăng", "Thời tiết"});
  query.category = "Kinh tế";
  CHECK(all_pages(store, query) == ranked);
  query.category.reset();
  query.source_id = a;
  CHECK(all_pages(store, query) == ranked);

  // A ranked page's cursor says so; a cursor of the other order is refused.
  query.source_id.reset();
  const auto page = store.latest_clusters(query).value();
  REQUIRE(page.next);
  REQUIRE(page.next->relevance);
  CHECK(parse_cursor(format_cursor(*page.next)) == page.next);
  ClusterQuery by_date;
  by_date.search = "gia dien";
  by_date.before = page.next;
  CHECK(store.latest_clusters(by_date).error().message == "the cursor is from a search by relevance");
  query.before = Cursor{at(1710370000), 9};
  CHECK(store.latest_clusters(query).error().message == "the cursor is not from a search by relevance");
}

TEST_CASE("cursor text: dates and relevance ranks round-trip, anything else is refused") {
  CHECK(format_cursor(Cursor::ranked(-3.25, 42)) == "r-3.25-42");
  CHECK(parse_cursor("r-3.25-42") == Cursor::ranked(-3.25, 42));
  CHECK(parse_cursor("r-1e-06-7") == Cursor::ranked(-1e-06, 7));
  CHECK(parse_cursor("1710370000-42") == Cursor{at(1710370000), 42});
  CHECK_FALSE(parse_cursor("r-inf-42"));
  CHECK_FALSE(parse_cursor("r-nan-42"));
  CHECK_FALSE(parse_cursor("r-42"));
  CHECK_FALSE(parse_cursor("rx-42"));
  CHECK_FALSE(parse_cursor("r-3.25-"));
}
