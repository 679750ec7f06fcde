// The reader page's reads: pages before a cursor (newer entries) and one story's versions.
#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::at;
using tinhop::test::kLead;
using tinhop::test::kNow;
using tinhop::test::kOtherLead;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::open_store;

namespace {

// Seven unrelated stories of one source, a minute apart: titles "Tin số 0" (oldest) to 6.
std::int64_t seven_stories(Store& store) {
  const auto a = add_source(store, "https://a.vn/rss", {"thời sự"});
  std::vector<Item> items;
  for (int i = 0; i < 7; ++i) {
    items.push_back(make_item("g" + std::to_string(i), "Tin số " + std::to_string(i),
                              std::to_string(i) + " " + (i % 2 ? kLead : kOtherLead), 1710300000 + i * 60));
  }
  REQUIRE(store.ingest(a, make_feed(items), kNow)->added == 7);
  return a;
}

std::vector<std::string> titles(const ClusterPage& page) {
  std::vector<std::string> out;
  for (const auto& c : page.clusters) out.push_back(c.item.title.value_or(""));
  return out;
}

}  // namespace

TEST_CASE("the page after a cursor holds the entries just newer, newest first, and links both ways") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = seven_stories(store);
  for (const bool by_source : {false, true}) {
    for (const bool by_category : {false, true}) {
      if (by_source && by_category) continue;
      INFO("by source " << by_source << ", by category " << by_category);
      ClusterQuery q;
      if (by_source) q.source_id = a;
      if (by_category) q.category = "thời sự";
      q.limit = 3;
      const auto first = store.latest_clusters(q).value();
      CHECK(titles(first) == std::vector<std::string>{"Tin số 6", "Tin số 5", "Tin số 4"});
      CHECK_FALSE(first.previous);
      q.before = first.next;
      const auto second = store.latest_clusters(q).value();
      CHECK(titles(second) == std::vector<std::string>{"Tin số 3", "Tin số 2", "Tin số 1"});
      REQUIRE(second.previous);
      q.before = second.next;
      const auto third = store.latest_clusters(q).value();
      CHECK(titles(third) == std::vector<std::string>{"Tin số 0"});
      CHECK_FALSE(third.next);

      // Back from the third page: the three just newer, then the first page's, then no more.
      q.before.reset();
      q.after = third.previous;
      const auto back = store.latest_clusters(q).value();
      CHECK(titles(back) == std::vector<std::string>{"Tin số 3", "Tin số 2", "Tin số 1"});
      CHECK(back.next == back.clusters.back().position);  // the third page follows it again
      q.after = back.previous;
      const auto top = store.latest_clusters(q).value();
      CHECK(titles(top) == std::vector<std::string>{"Tin số 6", "Tin số 5", "Tin số 4"});
      CHECK_FALSE(top.previous);
      CHECK(top.next == first.next);
    }
  }
}

TEST_CASE("a page after a cursor is not also before one, nor a search") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  seven_stories(store);
  ClusterQuery q;
  q.after = Cursor{at(1710300000), 1};
  q.before = Cursor{at(1710300600), 9};
  CHECK(store.latest_clusters(q).error().message == "page after a cursor or before one, not both");
  q.before.reset();
  q.search = "tin";
  CHECK(store.latest_clusters(q).error().message == "a search pages forward only");
}

TEST_CASE("a story holds every publisher's version, earliest first, found by its public id") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  REQUIRE(store.ingest(b, make_feed({make_item("b1", "Thủ tướng chủ trì hội nghị", kLead, 1710360000)}), kNow)
              .has_value());
  REQUIRE(
      store
          .ingest(a, make_feed({make_item("a1", "Thủ tướng chủ trì hội nghị trực tuyến", kLead, 1710363600)}),
                  kNow)
          ->clustered == 1);
  const auto listed = store.latest_clusters({}).value();
  REQUIRE(listed.clusters.size() == 1);

  const auto story = store.story(listed.clusters[0].public_id).value();
  REQUIRE(story);
  CHECK(story->cluster_id == listed.clusters[0].cluster_id);
  REQUIRE(story->versions.size() == 2);
  CHECK(story->versions[0].publisher.source_id == b);
  CHECK(story->versions[0].item.title == "Thủ tướng chủ trì hội nghị");
  CHECK(story->versions[0].item.published == at(1710360000));
  CHECK(story->versions[1].publisher.source_id == a);
  CHECK(story->versions[1].item.title == "Thủ tướng chủ trì hội nghị trực tuyến");
  CHECK(story->versions[1].republication == Republication::full);

  CHECK_FALSE(store.story(listed.clusters[0].public_id + 1000).value());
}
