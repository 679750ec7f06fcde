// Ids readers keep: a source's, an item's and a story's public id are never given to
// anything else, and a story keeps its public id for as long as any copy of it is stored.
#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::kLead;
using tinhop::test::kNow;
using tinhop::test::kOtherLead;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::open_memory;
using tinhop::test::TempDir;

namespace {

Store open_file(const std::string& path) {
  auto store = Store::open(path);
  REQUIRE(store.has_value());
  return std::move(*store);
}

// The stories in the merged list, newest first, as "public id:cluster id:primary item id".
std::string stories(Store& store) {
  std::string out;
  for (const auto& view : store.latest_clusters({}).value().clusters) {
    if (!out.empty()) out += ' ';
    out += std::to_string(view.public_id) + ':' + std::to_string(view.cluster_id) + ':' +
           std::to_string(view.item.id);
  }
  return out;
}

// The story that carries the item with this id (the primary or another copy).
ClusterView story_of(Store& store, std::int64_t item_id) {
  for (auto& view : store.latest_clusters({}).value().clusters) {
    if (view.item.id == item_id) return view;
    for (const auto& other : view.others) {
      if (other.item_id == item_id) return view;
    }
  }
  FAIL("no stored story carries item " << item_id);
  return {};
}

const std::string kStormLead =
    "Bão số 3 đổ bộ vào các tỉnh ven biển miền Bắc gây mưa lớn diện rộng khiến nhiều tuyến đường bị ngập sâu "
    "và hàng nghìn hộ dân phải sơ tán đến nơi an toàn trong đêm qua theo báo cáo của ban chỉ đạo phòng chống "
    "thiên tai";

}  // namespace

TEST_CASE("a removed source's id is never given to a later source, also after the database is reopened") {
  TempDir dir;
  const std::string path = (dir.path / "ids.db").string();
  {
    auto store = open_file(path);
    CHECK(add_source(store, "https://a.vn/rss") == 1);
    CHECK(add_source(store, "https://b.vn/rss") == 2);
    REQUIRE(store.remove_source(2).has_value());
    CHECK(add_source(store, "https://c.vn/rss") == 3);
    REQUIRE(store.remove_source(3).has_value());
  }
  auto store = open_file(path);
  CHECK(add_source(store, "https://d.vn/rss") == 4);
  REQUIRE(store.remove_source(4).has_value());
  CHECK(add_source(store, "https://d.vn/rss") == 5);  // the same url again is a new source
  REQUIRE(store.remove_source(1).has_value());
  REQUIRE(store.remove_source(5).has_value());
  CHECK(add_source(store, "https://e.vn/rss") == 6);  // none left: still above every old one
}

TEST_CASE("the ids of purged items and of their stories are never given again, also after a reopen") {
  TempDir dir;
  const std::string path = (dir.path / "ids.db").string();
  {
    auto store = open_file(path);
    const auto a = add_source(store, "https://a.vn/rss");
    // The newest item and story ids belong to the old item that retention purges.
    REQUIRE(store
                .ingest(a,
                        make_feed({make_item("new", "Giá vàng", kOtherLead, 1710370000),
                                   make_item("old", "Hội nghị", kLead, 1700000000)}),
                        kNow)
                ->added == 2);
    CHECK(stories(store) == "1:1:1 2:2:2");
    RetentionPolicy per_source;
    per_source.max_age = std::chrono::hours{24 * 30};
    REQUIRE(store.apply_retention(per_source, {}, kNow)->purged_items == 1);
    CHECK(stories(store) == "1:1:1");
  }
  {
    auto store = open_file(path);
    REQUIRE(
        store.ingest(1, make_feed({make_item("storm", "Bão số 3", kStormLead, 1710371000)}), kNow)->added ==
        1);
    CHECK(stories(store) == "3:3:3 1:1:1");
    // Removing the source deletes every item and story it had, the newest ids among them.
    REQUIRE(store.remove_source(1).has_value());
    CHECK(stories(store).empty());
  }
  auto store = open_file(path);
  const auto b = add_source(store, "https://b.vn/rss");
  CHECK(b == 2);
  REQUIRE(store.ingest(b, make_feed({make_item("b1", "Giá vàng", kOtherLead, 1710372000)}), kNow)->added ==
          1);
  CHECK(stories(store) == "4:4:4");
  CHECK(store.get_item(4)->guid == "b1");
}

TEST_CASE(
    "a story keeps its public id as copies join, its primary changes or goes, and its clusters are "
    "rebuilt") {
  TempDir dir;
  const std::string path = (dir.path / "ids.db").string();
  std::int64_t b = 0;
  {
    auto store = open_file(path);
    const auto a = add_source(store, "https://a.vn/rss", {"x"});
    b = add_source(store, "https://b.vn/rss", {"y"});
    const auto c = add_source(store, "https://c.vn/rss");
    REQUIRE(store
                .ingest(a,
                        make_feed({make_item("a1", "Hội nghị", kLead, 1710300000),
                                   make_item("a2", "Giá vàng", kOtherLead, 1710370000)}),
                        kNow)
                ->added == 2);
    CHECK(story_of(store, 1).public_id == 1);
    // A copy joins: item 3 in cluster 1. The next new story is cluster 3, made by item 4,
    // and publishes as 4: the id of its first stored occurrence.
    REQUIRE(store
                .ingest(b,
                        make_feed({make_item("b1", "Hội nghị", kLead, 1710303600),
                                   make_item("b2", "Bão số 3", kStormLead, 1710371000)}),
                        kNow)
                ->clustered == 1);
    CHECK(stories(store) == "4:3:4 2:2:2 1:1:1");
    CHECK(story_of(store, 3).others.size() == 1);
    // An earlier copy becomes the primary.
    REQUIRE(store.ingest(c, make_feed({make_item("c1", "Hội nghị", kLead, 1710299000)}), kNow)->clustered ==
            1);
    CHECK(stories(store) == "4:3:4 2:2:2 1:1:5");
    // The primary's source is removed: a1 is the primary again.
    REQUIRE(store.remove_source(c).has_value());
    CHECK(stories(store) == "4:3:4 2:2:2 1:1:1");
    // Retention purges a1, the story's first occurrence: b1 is the primary and only copy.
    RetentionPolicy global;
    global.max_age = std::chrono::seconds{kNow.time_since_epoch().count() - 1710300001};
    REQUIRE(store.apply_retention({}, global, kNow)->reassigned_primaries == 1);
    CHECK(stories(store) == "4:3:4 2:2:2 1:1:3");
    // b's categories change: the stories b carries are rebuilt from their items.
    auto settings = store.get_source(b)->settings;
    settings.categories = {"z"};
    REQUIRE(store.update_source(b, settings, kNow).has_value());
    CHECK(stories(store) == "4:3:4 2:2:2 1:1:3");
  }
  // Reopened, the store reloads its candidates from the database; a new copy joins the
  // story through them.
  auto store = open_file(path);
  const auto d = add_source(store, "https://d.vn/rss");
  REQUIRE(store.ingest(d, make_feed({make_item("d1", "Hội nghị", kLead, 1710304000)}), kNow)->clustered == 1);
  CHECK(stories(store) == "4:3:4 2:2:2 1:1:3");
  CHECK(story_of(store, 6).public_id == 1);
  ClusterQuery in_z;
  in_z.category = "z";
  const auto page = store.latest_clusters(in_z).value();
  REQUIRE(page.clusters.size() == 2);
  CHECK(page.clusters[1].public_id == 1);
}
