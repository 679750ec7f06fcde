// Views (a story filter over the cluster list) and top stories, on both backends.
#include "support.hpp"
#include "support/story_filter.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::at;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::open_store;

namespace {

using tinhop::test::Filter;

constexpr std::int64_t kHour = 3600;

std::int64_t hours_ago(std::int64_t hours) {
  return kNow.time_since_epoch().count() - hours * kHour;
}

// One story's copy: the same link and words in every source that carries it.
Item copy(const std::string& guid, const std::string& title, const std::string& slug,
          std::int64_t published) {
  return make_item(guid, title, title + " " + slug + " chi tiết riêng của tin " + slug, published,
                   "https://news.example/" + slug);
}

Feed feed_in(std::vector<Item> items, const std::string& language) {
  Feed feed = make_feed(std::move(items));
  feed.language = language;
  return feed;
}

// Sources a (kinh tế, vi), b (thời sự, vi-VN), c (kinh tế, en) and six stories:
//   S1 "Giá vàng tăng mạnh"      a 30 h ago, b 29 h, c 28 h
//   S2 "Lãi suất ngân hàng giảm"  a 5 h ago, b 4 h
//   S3 "Bão số 3 đổ bộ"          b 2 h ago
//   S4 "Stock market rallies"    c 1 h ago
//   S5 "Hội nghị thượng đỉnh"     a 100 h ago, c 99 h
//   S6 "Le président en visite"  a 3 h ago, its own language fr
void six_stories(Store& store) {
  const auto a = add_source(store, "https://a.vn/rss", {"kinh tế"});
  const auto b = add_source(store, "https://b.vn/rss", {"thời sự"});
  const auto c = add_source(store, "https://c.com/rss", {"kinh tế"});
  Item french = copy("a6", "Le président en visite", "s6", hours_ago(3));
  french.extras.ensure().language = "FR";
  REQUIRE(store.ingest(a, feed_in({copy("a5", "Hội nghị thượng đỉnh", "s5", hours_ago(100))}, "vi"), kNow)
              .has_value());
  REQUIRE(store.ingest(c, feed_in({copy("c5", "Hội nghị thượng đỉnh", "s5", hours_ago(99))}, "en"), kNow)
              .has_value());
  REQUIRE(store
              .ingest(a,
                      feed_in({copy("a1", "Giá vàng tăng mạnh", "s1", hours_ago(30)),
                               copy("a2", "Lãi suất ngân hàng giảm", "s2", hours_ago(5)), french},
                              "vi"),
                      kNow)
              .has_value());
  REQUIRE(store
              .ingest(b,
                      feed_in({copy("b1", "Giá vàng tăng mạnh", "s1", hours_ago(29)),
                               copy("b2", "Lãi suất ngân hàng giảm", "s2", hours_ago(4)),
                               copy("b3", "Bão số 3 đổ bộ", "s3", hours_ago(2))},
                              "vi-VN"),
                      kNow)
              .has_value());
  REQUIRE(store
              .ingest(c,
                      feed_in({copy("c1", "Giá vàng tăng mạnh", "s1", hours_ago(28)),
                               copy("c4", "Stock market rallies", "s4", hours_ago(1))},
                              "en"),
                      kNow)
              .has_value());
}

std::vector<std::string> titles(const ClusterPage& page) {
  std::vector<std::string> out;
  for (const auto& c : page.clusters) out.push_back(c.item.title.value_or(""));
  return out;
}

std::vector<std::string> view(Store& store, const StoryFilter& filter,
                              std::optional<std::string> search = {}) {
  ClusterQuery q;
  q.filter = filter;
  q.search = std::move(search);
  auto page = store.latest_clusters(q);
  INFO((page ? std::string() : page.error().message));
  REQUIRE(page.has_value());
  return titles(*page);
}

using Titles = std::vector<std::string>;

}  // namespace

TEST_CASE("a view selects stories by each kind of filter, newest first") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  six_stories(store);
  const std::string s1 = "Giá vàng tăng mạnh", s2 = "Lãi suất ngân hàng giảm", s3 = "Bão số 3 đổ bộ",
                    s4 = "Stock market rallies", s5 = "Hội nghị thượng đỉnh", s6 = "Le président en visite";

  CHECK(view(store, {}) == Titles{s4, s3, s6, s2, s1, s5});
  SECTION("sources: stories one of them carries") {
    CHECK(view(store, Filter().sources({"https://c.com/rss"})) == Titles{s4, s1, s5});
    CHECK(view(store, Filter().sources({"https://b.vn/rss", "https://c.com/rss"})) ==
          Titles{s4, s3, s2, s1, s5});
    CHECK(view(store, Filter().sources({"https://nobody.example/rss"})).empty());
  }
  SECTION("categories: of the sources that carry the story") {
    CHECK(view(store, Filter().categories({"thời sự"})) == Titles{s3, s2, s1});
    CHECK(view(store, Filter().categories({"kinh tế"})) == Titles{s4, s6, s2, s1, s5});
  }
  SECTION("languages: the item's own, else its feed's; a tag also takes its regions") {
    CHECK(view(store, Filter().languages({"vi"})) == Titles{s3, s2, s1, s5});
    CHECK(view(store, Filter().languages({"vi-vn"})) == Titles{s3, s2, s1});
    CHECK(view(store, Filter().languages({"fr"})) == Titles{s6});
    CHECK(view(store, Filter().languages({"en", "fr"})) == Titles{s4, s6, s1, s5});
  }
  SECTION("date window: stories first published since") {
    CHECK(view(store, Filter().since(at(hours_ago(24)))) == Titles{s4, s3, s6, s2});
    CHECK(view(store, Filter().since(at(hours_ago(30)))) == Titles{s4, s3, s6, s2, s1});
  }
  SECTION("minimum number of distinct publishers") {
    CHECK(view(store, Filter().min_publishers(2)) == Titles{s2, s1, s5});
    CHECK(view(store, Filter().min_publishers(3)) == Titles{s1});
  }
  SECTION("full text, diacritics ignored; the matching item must match the sources and languages") {
    CHECK(view(store, {}, "vang") == Titles{s1});
    CHECK(view(store, Filter().sources({"https://b.vn/rss"}), "vàng") == Titles{s1});
    CHECK(view(store, Filter().languages({"fr"}), "vàng").empty());
    CHECK(view(store, Filter().since(at(hours_ago(24))), "vàng").empty());
  }
  SECTION("filters together") {
    CHECK(view(store, Filter().languages({"en"}).min_publishers(2)) == Titles{s1, s5});
    CHECK(view(store, Filter().sources({"https://a.vn/rss"}).categories({"thời sự"})) == Titles{s2, s1});
    CHECK(view(store, Filter().categories({"kinh tế"}).since(at(hours_ago(24))).min_publishers(2)) ==
          Titles{s2});
  }
}

TEST_CASE("a view pages like the whole list, both ways") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  six_stories(store);
  ClusterQuery q;
  q.filter = Filter().categories({"kinh tế"});
  q.limit = 2;
  const auto first = store.latest_clusters(q).value();
  CHECK(titles(first) == Titles{"Stock market rallies", "Le président en visite"});
  q.before = first.next;
  const auto second = store.latest_clusters(q).value();
  CHECK(titles(second) == Titles{"Lãi suất ngân hàng giảm", "Giá vàng tăng mạnh"});
  q.before = second.next;
  const auto third = store.latest_clusters(q).value();
  CHECK(titles(third) == Titles{"Hội nghị thượng đỉnh"});
  CHECK_FALSE(third.next);
  q.before.reset();
  q.after = third.previous;
  const auto back = store.latest_clusters(q).value();
  CHECK(titles(back) == titles(second));
  q.after = back.previous;
  CHECK(titles(store.latest_clusters(q).value()) == titles(first));
}

TEST_CASE("a view's filter comes without a source, a category or an order by relevance") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  six_stories(store);
  ClusterQuery q;
  q.filter = StoryFilter{};
  q.source_id = 1;
  auto mixed = store.latest_clusters(q);
  REQUIRE_FALSE(mixed.has_value());
  CHECK(mixed.error().code == Errc::invalid_argument);
  CHECK(mixed.error().message == "a view's filter names its own sources and categories");
  q.source_id.reset();
  q.search = "vàng";
  q.order = ClusterQuery::Order::relevance;
  auto ranked = store.latest_clusters(q);
  REQUIRE_FALSE(ranked.has_value());
  CHECK(ranked.error().message == "a view lists newest first");
}

TEST_CASE("top stories: publishers weighted by recency, halved every half-life") {
  CHECK(top_score(3, std::chrono::hours(6), std::chrono::hours(6)) == 1.5);
  CHECK(top_score(2, std::chrono::hours(0), std::chrono::hours(6)) == 2.0);
  CHECK(top_score(2, -std::chrono::hours(2), std::chrono::hours(6)) == 2.0);  // dated in the future
  CHECK(top_score(4, std::chrono::hours(12), std::chrono::hours(3)) == 0.25);

  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  six_stories(store);
  TopQuery q;
  q.now = kNow;
  q.window = std::chrono::hours(48);
  q.half_life = std::chrono::hours(6);
  q.min_publishers = 2;
  auto top = store.top_stories(q).value();
  // S2: 2 × 2^(−5/6); S1: 3 × 2^(−30/6); S5 is beyond the window.
  REQUIRE(top.size() == 2);
  CHECK(top[0].view.item.title == "Lãi suất ngân hàng giảm");
  CHECK(top[0].publishers == 2);
  CHECK(top[0].score == Approx(1.1224620483));
  CHECK(top[1].view.item.title == "Giá vàng tăng mạnh");
  CHECK(top[1].publishers == 3);
  CHECK(top[1].score == Approx(0.09375));
  // Every publisher, the first one first, each with its own time.
  const ClusterView& gold = top[1].view;
  CHECK(gold.origin.source_title.empty());
  CHECK(gold.origin.source_url == "https://a.vn/rss");
  CHECK(gold.origin.published == at(hours_ago(30)));
  REQUIRE(gold.others.size() == 2);
  CHECK(gold.others[0].source_url == "https://b.vn/rss");
  CHECK(gold.others[0].published == at(hours_ago(29)));
  CHECK(gold.others[1].source_url == "https://c.com/rss");
  CHECK(gold.others[1].published == at(hours_ago(28)));

  q.min_publishers = 1;
  top = store.top_stories(q).value();
  std::vector<std::pair<std::string, double>> ranked;
  for (const TopStory& story : top) ranked.emplace_back(story.view.item.title.value_or(""), story.score);
  REQUIRE(ranked.size() == 5);
  CHECK(ranked[0].first == "Lãi suất ngân hàng giảm");
  CHECK(ranked[1].first == "Stock market rallies");  // 2^(−1/6)
  CHECK(ranked[1].second == Approx(0.8908987181));
  CHECK(ranked[2].first == "Bão số 3 đổ bộ");  // 2^(−2/6)
  CHECK(ranked[2].second == Approx(0.7937005260));
  CHECK(ranked[3].first == "Le président en visite");  // 2^(−3/6)
  CHECK(ranked[3].second == Approx(0.7071067812));
  CHECK(ranked[4].first == "Giá vàng tăng mạnh");

  q.limit = 2;
  CHECK(store.top_stories(q).value().size() == 2);
  q.window = std::chrono::hours(120);
  q.min_publishers = 2;
  q.limit = 20;
  top = store.top_stories(q).value();
  REQUIRE(top.size() == 3);
  CHECK(top[2].view.item.title == "Hội nghị thượng đỉnh");  // 2 × 2^(−100/6)
  CHECK(top[2].score == Approx(2.0 * std::exp2(-100.0 / 6.0)));
}
