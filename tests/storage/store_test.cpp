#include <map>

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

TEST_CASE("sources round-trip every setting") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  SourceSettings s;
  s.url = "https://baochinhphu.vn/rss/home.rss";
  s.title = "Báo Chính phủ";
  s.categories = {"thời sự", "chính trị"};
  s.type = SourceType::html;
  s.interval = std::chrono::seconds{600};
  s.min_interval = std::chrono::seconds{60};
  s.max_interval = std::chrono::seconds{7200};
  s.time_zone = "Asia/Ho_Chi_Minh";
  s.date_order = DateOrder::dmy;
  s.republication = Republication::summary;
  s.enabled = false;
  s.headers = {{"Cookie", "a=b"}, {"X-Token", "\"quoted\""}};
  s.origin = SourceOrigin::api;
  s.html_selectors = R"({"item":"article"})";
  auto id = store.add_source(s, kNow);
  REQUIRE(id.has_value());
  auto back = store.get_source(*id);
  REQUIRE(back.has_value());
  CHECK(back->settings == s);
  CHECK(back->created == kNow);

  auto again = store.add_source(s, kNow);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == Errc::already_exists);
  CHECK(store.upsert_source(s, kNow).value() == *id);

  s.title = "Cổng thông tin";
  s.categories = {"kinh tế"};
  REQUIRE(store.update_source(*id, s, at(1710380000)).has_value());
  CHECK(store.get_source(*id)->settings.categories == std::vector<std::string>{"kinh tế"});
  CHECK(store.list_categories().value() == std::vector<std::string>{"kinh tế"});
  CHECK(store.list_sources()->size() == 1);

  REQUIRE(store.set_enabled(*id, false, kNow, "410 Gone").has_value());
  CHECK(store.get_source(*id)->disabled_reason == "410 Gone");
  REQUIRE(store.set_enabled(*id, true, kNow).has_value());
  CHECK(store.get_source(*id)->disabled_reason.empty());

  REQUIRE(store.move_source(*id, "https://baochinhphu.vn/rss/new.rss", kNow).has_value());
  auto moved = store.get_source(*id).value();
  CHECK(moved.settings.url == "https://baochinhphu.vn/rss/new.rss");
  CHECK(moved.fetch.moved_from == "https://baochinhphu.vn/rss/home.rss");

  CHECK(store.get_source(999).error().code == Errc::not_found);
  REQUIRE(store.remove_source(*id).has_value());
  CHECK(store.get_source(*id).error().code == Errc::not_found);
  CHECK(store.add_source(SourceSettings{}, kNow).error().code == Errc::invalid_argument);
}

TEST_CASE("source edits bump the sources version") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto v0 = store.sources_version().value();
  const auto id = add_source(store, "https://a.vn/rss");
  const auto v1 = store.sources_version().value();
  CHECK(v1 == v0 + 1);
  REQUIRE(store.set_enabled(id, false, kNow).has_value());
  CHECK(store.sources_version().value() == v1 + 1);
}

TEST_CASE("ingest stores new items once and updates changed ones in place") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_source(store, "https://a.vn/rss");
  auto feed = make_feed({make_item("a1", "Tin một", kLead), make_item("a2", "Tin hai", kOtherLead)});
  auto first = store.ingest(source, feed, kNow).value();
  CHECK(first.added == 2);
  CHECK(first.unchanged == 0);

  auto second = store.ingest(source, feed, kNow).value();
  CHECK(second.added == 0);
  CHECK(second.unchanged == 2);

  feed.items[0].title = "Tin một (cập nhật)";
  auto third = store.ingest(source, feed, at(1710380000)).value();
  CHECK(third.updated == 1);
  CHECK(third.unchanged == 1);
  CHECK(store.stats()->items == 2);

  const auto ids = store.locate_items(source, feed).value();
  REQUIRE(ids[0]);
  const auto item = store.get_item(*ids[0]).value();
  CHECK(item.title == "Tin một (cập nhật)");
  CHECK(item.changed == at(1710380000));
  CHECK(item.first_seen == kNow);
}

TEST_CASE("an entry repeated within a document is stored once") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_source(store, "https://a.vn/rss");
  auto feed = make_feed({make_item("", "Một", kLead, 1710370000, "https://a.vn/x?utm_source=fb"),
                         make_item("", "Một", kLead, 1710370000, "https://a.vn/x")});
  auto counts = store.ingest(source, feed, kNow).value();
  CHECK(counts.added == 1);
  CHECK(counts.suppressed == 1);
}

TEST_CASE("a guid shared by several entries is not used as their identity") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_source(store, "https://a.vn/rss");
  auto feed = make_feed({make_item("0", "Một", kLead, 1710370000, "https://a.vn/1"),
                         make_item("0", "Hai", kOtherLead, 1710370000, "https://a.vn/2")});
  CHECK(store.ingest(source, feed, kNow)->added == 2);
}

TEST_CASE("items without date get the fetch time and keep it on re-poll") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_source(store, "https://a.vn/rss");
  auto item = make_item("x", "Không ngày", kLead);
  item.published.reset();
  auto feed = make_feed({item});
  REQUIRE(store.ingest(source, feed, kNow)->added == 1);
  REQUIRE(store.ingest(source, feed, at(1710390000))->unchanged == 1);
  const auto id = store.locate_items(source, feed).value()[0].value();
  CHECK(store.get_item(id)->published == kNow);
  CHECK(store.get_item(id)->date_approximate);
}

TEST_CASE("republications from other sources join one cluster whose primary is the earliest") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss", {"thời sự"});
  const auto b = add_source(store, "https://b.vn/rss", {"kinh tế"});
  const auto c = add_source(store, "https://c.vn/rss");
  // b publishes first; a rewrites it an hour later with its own link and a changed word.
  std::string rewritten = kLead;
  rewritten.replace(rewritten.find("hội nghị"), std::string("hội nghị").size(), "cuộc họp");
  REQUIRE(store.ingest(b, make_feed({make_item("b1", "Thủ tướng chủ trì hội nghị", kLead, 1710360000)}), kNow)
              .has_value());
  auto counts =
      store
          .ingest(
              a, make_feed({make_item("a1", "Thủ tướng chủ trì hội nghị trực tuyến", rewritten, 1710363600)}),
              kNow)
          .value();
  CHECK(counts.clustered == 1);
  // Same canonical link as b's item (tracking parameters differ): same story.
  auto tracked =
      make_item("c1", "Khác hẳn", kOtherLead, 1710370000, "https://example.vn/b1.html?utm_medium=rss#top");
  CHECK(store.ingest(c, make_feed({tracked}), kNow)->clustered == 1);

  auto page = store.latest_clusters({}).value();
  REQUIRE(page.clusters.size() == 1);
  const auto& view = page.clusters[0];
  CHECK(view.item.source_id == b);
  CHECK(view.origin.source_url == "https://b.vn/rss");
  REQUIRE(view.others.size() == 2);
  CHECK(view.others[0].source_id == a);
  CHECK(view.others[1].source_id == c);
  CHECK(view.others[1].item_link == "https://example.vn/b1.html?utm_medium=rss#top");

  // Listed under both sources' categories, once.
  ClusterQuery by_category;
  by_category.category = "thời sự";
  CHECK(store.latest_clusters(by_category)->clusters.size() == 1);
  by_category.category = "kinh tế";
  CHECK(store.latest_clusters(by_category)->clusters.size() == 1);

  // A per-source list shows that source's own copy, with the others attached.
  ClusterQuery by_source;
  by_source.source_id = a;
  auto own = store.latest_clusters(by_source).value();
  REQUIRE(own.clusters.size() == 1);
  CHECK(own.clusters[0].item.source_id == a);
  CHECK(own.clusters[0].others.size() == 2);
}

// PostgreSQL writes a batch's new entries together at its end (issue #18): a document that
// joins a story an earlier document of the batch started, or one stored before, must leave
// the stories, their dates and their categories' lists as one write per document does.
TEST_CASE("a batch's documents join the stories it starts and the stored ones as one write each does") {
  TINHOP_EACH_BACKEND(backend);
  std::string rewritten = kLead;
  rewritten.replace(rewritten.find("hội nghị"), std::string("hội nghị").size(), "cuộc họp");
  std::string other_rewritten = kOtherLead;
  other_rewritten.replace(other_rewritten.find("tăng mạnh"), std::string("tăng mạnh").size(), "tăng vọt");
  const Feed stored = make_feed({make_item("c1", "Giá vàng tăng mạnh", kOtherLead, 1710370000)});
  const Feed starts = make_feed({make_item("a1", "Thủ tướng chủ trì hội nghị", kLead, 1710363600)});
  // An hour earlier than a's: the story started in the batch moves to this date.
  const Feed joins_new = make_feed({make_item("b1", "Thủ tướng chủ trì cuộc họp", rewritten, 1710360000)});
  // Earlier than c's: the stored story moves, and its stored category with it (below d2's,
  // which it would stay above if its category did not move).
  const Feed joins_stored = make_feed({make_item("d1", "Giá vàng tăng vọt", other_rewritten, 1710366400),
                                       make_item("d2", "Tin khác", "", 1710368000)});

  const auto listing = [&](bool batched) {
    auto store = open_store(backend);
    const auto a = add_source(store, "https://a.vn/rss", {"thời sự"});
    const auto b = add_source(store, "https://b.vn/rss", {"kinh tế"});
    const auto c = add_source(store, "https://c.vn/rss", {"thị trường"});
    const auto d = add_source(store, "https://d.vn/rss", {"kinh tế", "thị trường"});
    REQUIRE(store.ingest(c, stored, kNow).has_value());
    const std::vector<IngestRequest> batch = {
        {a, &starts, kNow}, {b, &joins_new, kNow}, {d, &joins_stored, kNow}};
    if (batched) {
      const auto counts = store.ingest_batch(batch).value();
      REQUIRE(counts.size() == 3);
      CHECK(counts[1].clustered == 1);
      CHECK(counts[2].clustered == 1);
      CHECK(counts[2].added == 2);
    } else {
      for (const IngestRequest& request : batch)
        REQUIRE(store.ingest(request.source_id, *request.feed, request.now).has_value());
    }
    // Each list: its stories in order, with the date they are listed at, their public id,
    // their primary's title and how many copies they carry.
    std::vector<std::string> lists;
    for (const std::string category : {"", "thời sự", "kinh tế", "thị trường"}) {
      ClusterQuery query;
      if (!category.empty()) query.category = category;
      for (const ClusterView& view : store.latest_clusters(query).value().clusters) {
        lists.push_back(category + ": " + std::to_string(view.public_id) + " at " +
                        std::to_string(view.position.published.time_since_epoch().count()) + " " +
                        view.item.title.value_or("") + " +" + std::to_string(view.others.size()));
      }
    }
    CHECK(store.stats()->clusters == 3);
    return lists;
  };
  // Each story at its earliest copy's date in every list: b's before a's, d1's before c's.
  const std::vector<std::string> expected = {
      ": 5 at 1710368000 Tin khác +0",
      ": 1 at 1710366400 Giá vàng tăng vọt +1",
      ": 2 at 1710360000 Thủ tướng chủ trì cuộc họp +1",
      "thời sự: 2 at 1710360000 Thủ tướng chủ trì cuộc họp +1",
      "kinh tế: 5 at 1710368000 Tin khác +0",
      "kinh tế: 1 at 1710366400 Giá vàng tăng vọt +1",
      "kinh tế: 2 at 1710360000 Thủ tướng chủ trì cuộc họp +1",
      "thị trường: 5 at 1710368000 Tin khác +0",
      "thị trường: 1 at 1710366400 Giá vàng tăng vọt +1",
  };
  CHECK(listing(false) == expected);
  CHECK(listing(true) == expected);
}

TEST_CASE("different stories with similar headlines stay apart") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  REQUIRE(store.ingest(a, make_feed({make_item("a1", "Giá vàng hôm nay 14/3", kLead)}), kNow).has_value());
  CHECK(store.ingest(b, make_feed({make_item("b1", "Giá vàng hôm nay 14/3", kOtherLead)}), kNow)->clustered ==
        0);
  CHECK(store.stats()->clusters == 2);
}

namespace {
// An entry of a listing page or a trimmed feed: a title and nothing else.
Item headline(const std::string& guid, const std::string& title, std::int64_t published) {
  Item item = make_item(guid, title, "", published);
  item.summary.reset();
  return item;
}

std::vector<std::string> published_titles(Store& store) {
  std::vector<std::string> titles;
  for (const auto& cluster : store.latest_clusters({}).value().clusters)
    titles.push_back(cluster.item.title.value_or(""));
  return titles;
}
}  // namespace

TEST_CASE("next-day headlines are stories of their own, published apart (issue #15, point 2)") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  const auto c = add_source(store, "https://c.vn/rss");
  constexpr std::int64_t k14 = 1726272000;  // 2024-09-14 07:00 +07:00
  constexpr std::int64_t k15 = k14 + 86400;
  REQUIRE(
      store
          .ingest(
              a,
              make_feed(
                  {headline("a1", "Giá vàng sáng 14/9: SJC tăng 200.000 đồng/lượng, vàng nhẫn đi ngang", k14),
                   headline("a2", "Chứng khoán ngày 14/9: VN-Index tăng 12 điểm, thanh khoản 812 tỷ", k14)}),
              kNow)
          .has_value());
  const auto next_day =
      store
          .ingest(
              b,
              make_feed(
                  {headline("b1", "Giá vàng sáng 15/9: SJC tăng 200.000 đồng/lượng, vàng nhẫn đi ngang", k15),
                   headline("b2", "Chứng khoán ngày 15/9: VN-Index tăng 12 điểm, thanh khoản 500 tỷ", k15)}),
              kNow)
          .value();
  CHECK(next_day.added == 2);
  CHECK(next_day.clustered == 0);
  CHECK(store.stats()->clusters == 4);
  // A republication of the 15/9 story, its date and amount written another way, joins it.
  CHECK(store
            .ingest(c,
                    make_feed({headline(
                        "c1", "Giá vàng sáng 15-9: SJC tăng 200 nghìn đồng/lượng, vàng nhẫn đi ngang",
                        k15 + 3600)}),
                    kNow)
            ->clustered == 1);
  // Newest first (the later item first within one date).
  CHECK(published_titles(store) ==
        std::vector<std::string>{"Chứng khoán ngày 15/9: VN-Index tăng 12 điểm, thanh khoản 500 tỷ",
                                 "Giá vàng sáng 15/9: SJC tăng 200.000 đồng/lượng, vàng nhẫn đi ngang",
                                 "Chứng khoán ngày 14/9: VN-Index tăng 12 điểm, thanh khoản 812 tỷ",
                                 "Giá vàng sáng 14/9: SJC tăng 200.000 đồng/lượng, vàng nhẫn đi ngang"});
}

TEST_CASE("a copy that trimmed its figures does not carry the next day's story into its cluster") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  const auto c = add_source(store, "https://c.vn/rss");
  constexpr std::int64_t k14 = 1726272000;
  const std::string story = "Chứng khoán ngày 14/9: VN-Index tăng 12 điểm, thanh khoản tăng mạnh";
  REQUIRE(store.ingest(a, make_feed({headline("a1", story, k14)}), kNow).has_value());
  // The copy dropped the date: it agrees with the 14/9 story and with the 15/9 one.
  REQUIRE(store
              .ingest(b,
                      make_feed({headline("b1", "VN-Index tăng 12 điểm, thanh khoản tăng mạnh", k14 + 600)}),
                      kNow)
              ->clustered == 1);
  CHECK(store
            .ingest(c,
                    make_feed(
                        {headline("c1", "Chứng khoán ngày 15/9: VN-Index tăng 12 điểm, thanh khoản tăng mạnh",
                                  k14 + 86400)}),
                    kNow)
            ->clustered == 0);
  CHECK(store.stats()->clusters == 2);
}

TEST_CASE("a source's own near-identical items are never merged") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  auto counts =
      store.ingest(a, make_feed({make_item("a1", "Tin", kLead), make_item("a2", "Tin", kLead)}), kNow);
  CHECK(counts->added == 2);
  CHECK(counts->clustered == 0);
}

TEST_CASE("copies outside the time window are not merged") {
  OpenOptions options;
  options.dedup.window = std::chrono::hours{24};
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend, options);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  REQUIRE(store.ingest(a, make_feed({make_item("a1", "Tin", kLead, 1710000000)}), kNow).has_value());
  CHECK(
      store.ingest(b, make_feed({make_item("b1", "Tin", kLead, 1710000000 + 2 * 86400)}), kNow)->clustered ==
      0);
}

TEST_CASE("search ignores diacritics, folds đ and takes prefixes") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  REQUIRE(store
              .ingest(a,
                      make_feed({make_item("a1", "Hội nghị Trung ương Đảng", kLead),
                                 make_item("a2", "Giá vàng tăng", kOtherLead)}),
                      kNow)
              .has_value());
  auto search = [&](const std::string& q) {
    ClusterQuery query;
    query.search = q;
    auto page = store.latest_clusters(query);
    REQUIRE(page.has_value());
    std::vector<std::string> titles;
    for (const auto& c : page->clusters) titles.push_back(c.item.title.value_or(""));
    return titles;
  };
  CHECK(search("hoi nghi") == std::vector<std::string>{"Hội nghị Trung ương Đảng"});
  CHECK(search("Hội nghị") == std::vector<std::string>{"Hội nghị Trung ương Đảng"});
  CHECK(search("dang") == std::vector<std::string>{"Hội nghị Trung ương Đảng"});
  CHECK(search("vàn*") == std::vector<std::string>{"Giá vàng tăng"});
  CHECK(search("\"gia vang\"") == std::vector<std::string>{"Giá vàng tăng"});
  CHECK(search("doanh nghiep").size() == 1);  // summary text is indexed too
  CHECK(search("AND OR NOT (").empty());      // operators are words, never a syntax error
  ClusterQuery empty;
  empty.search = "  \"\" ";
  CHECK(store.latest_clusters(empty).error().code == Errc::invalid_argument);
}

TEST_CASE("search stays in sync when items change") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  auto feed = make_feed({make_item("a1", "Bão số 3 đổ bộ", kLead)});
  REQUIRE(store.ingest(a, feed, kNow).has_value());
  feed.items[0].title = "Áp thấp nhiệt đới";
  REQUIRE(store.ingest(a, feed, kNow)->updated == 1);
  ClusterQuery q;
  q.search = "bao";
  CHECK(store.latest_clusters(q)->clusters.empty());
  q.search = "ap thap";
  CHECK(store.latest_clusters(q)->clusters.size() == 1);
}

TEST_CASE("keyset paging walks every cluster once, newest first") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  std::vector<Item> items;
  for (int i = 0; i < 25; ++i) {
    // Distinct texts so nothing clusters; two share each date to exercise the id tiebreak.
    items.push_back(make_item("g" + std::to_string(i), "Tin số " + std::to_string(i),
                              std::to_string(i) + " " + (i % 2 ? kLead : kOtherLead),
                              1710300000 + (i / 2) * 60));
  }
  REQUIRE(store.ingest(a, make_feed(items), kNow)->added == 25);
  ClusterQuery q;
  q.limit = 10;
  std::vector<std::int64_t> seen;
  std::int64_t last_published = std::numeric_limits<std::int64_t>::max();
  int pages = 0;
  while (true) {
    auto page = store.latest_clusters(q).value();
    ++pages;
    for (const auto& c : page.clusters) {
      seen.push_back(c.cluster_id);
      CHECK(c.position.published.time_since_epoch().count() <= last_published);
      last_published = c.position.published.time_since_epoch().count();
    }
    if (!page.next) break;
    CHECK(parse_cursor(format_cursor(*page.next)) == page.next);
    q.before = page.next;
  }
  CHECK(pages == 3);
  CHECK(seen.size() == 25);
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  CHECK_FALSE(parse_cursor("abc"));
  CHECK_FALSE(parse_cursor("12-"));
  CHECK(parse_cursor("-5-3") == Cursor{at(-5), 3});
}

TEST_CASE("the change stamp moves only when readers could see something new") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto before = store.last_change().value();
  auto feed = make_feed({make_item("a1", "Tin", kLead)});
  REQUIRE(store.ingest(a, feed, kNow).has_value());
  const auto after = store.last_change().value();
  CHECK(after.version == before.version + 1);
  CHECK(after.at == kNow);
  REQUIRE(store.ingest(a, feed, kNow).has_value());
  CHECK(store.last_change().value() == after);
}

TEST_CASE("search pages run newest first and list a story once") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  std::vector<Item> items;
  for (int i = 0; i < 30; ++i) {
    items.push_back(make_item("g" + std::to_string(i), "Giá vàng phiên " + std::to_string(i),
                              std::to_string(i) + (i % 2 ? kLead : kOtherLead), 1710300000 + i * 60));
  }
  REQUIRE(store.ingest(a, make_feed(items), kNow)->added == 30);
  // b republishes the newest one: both copies match, the story is listed once.
  REQUIRE(
      store
          .ingest(b,
                  make_feed({make_item("b29", *items[29].title, *items[29].summary, 1710300000 + 29 * 60)}),
                  kNow)
          ->clustered == 1);
  ClusterQuery q;
  q.search = "gia vang";
  q.limit = 7;
  std::vector<std::int64_t> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store.latest_clusters(q).value();
    for (const auto& c : page.clusters) seen.push_back(c.cluster_id);
    if (!page.next) break;
    q.before = page.next;
  }
  CHECK(seen.size() == 30);
  auto sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  // Newest arrival first: b's copy arrived last, so its story leads.
  ClusterQuery first;
  first.search = "gia vang";
  first.limit = 1;
  auto top = store.latest_clusters(first).value();
  REQUIRE(top.clusters.size() == 1);
  CHECK(top.clusters[0].item.title == "Giá vàng phiên 29");
  CHECK(top.clusters[0].others.size() == 1);
}

TEST_CASE(
    "the link index finds a link in its recent part and in its bulk, and forgets changed and removed links") {
  OpenOptions options;
  options.recent_links_limit = 4;  // moved into the bulk at the end of the transaction that reaches 4
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend, options);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  const auto c = add_source(store, "https://c.vn/rss");
  const auto d = add_source(store, "https://d.vn/rss");
  auto item = [](const std::string& guid, const std::string& title, const std::string& link) {
    return make_item(guid, title, title + " " + guid, 1710370000, link);
  };
  // a's three stories, a2 at `a2_link`.
  auto a_feed = [&](const std::string& a2_link) {
    return make_feed({item("a1", "Mưa lớn ở miền Trung", "https://example.vn/a1.html"),
                      item("a2", "Giá xăng giảm nhẹ", a2_link),
                      item("a3", "Khai mạc hội chợ sách", "https://example.vn/a3.html")});
  };
  // One story from `source`: whether it joined a cluster.
  auto joins = [&](std::int64_t source, const std::string& guid, const std::string& title,
                   const std::string& link) {
    return store.ingest(source, make_feed({item(guid, title, link)}), kNow)->clustered == 1;
  };
  REQUIRE(store.ingest(a, a_feed("https://example.vn/a2.html"), kNow)->added == 3);
  // Still recent: three entries.
  CHECK(joins(b, "b1", "Đội tuyển thắng đậm", "https://example.vn/a1.html?utm_source=b"));
  // Four entries: moved into the bulk, where c finds the same link.
  CHECK(joins(c, "c1", "Một tiêu đề khác hẳn", "https://example.vn/a1.html#top"));
  CHECK(store.stats()->clusters == 3);

  // a2 moves to another address: its old one leads nowhere, its new one to it.
  REQUIRE(store.ingest(a, a_feed("https://example.vn/a2-moved.html"), kNow)->updated == 1);
  CHECK_FALSE(joins(d, "d1", "Tin không liên quan", "https://example.vn/a2.html"));
  CHECK(joins(d, "d2", "Tin thứ hai của d", "https://example.vn/a2-moved.html"));

  // With a removed, its links lead nowhere either: a3's address starts a cluster of its own.
  REQUIRE(store.remove_source(a).has_value());
  CHECK_FALSE(joins(b, "b2", "Sân khấu mùa thu", "https://example.vn/a3.html"));
  // b1 and c1 still share their link.
  CHECK(joins(d, "d3", "Bản tin cuối ngày", "https://example.vn/a1.html"));
}

TEST_CASE("an undated entry is placed where it was first seen, never above the known dates of its document") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto s = add_source(store, "https://vietnamnet.vn/rss/phap-luat.rss");
  // Stories of 2018, one whose date was not understood.
  Item undated = make_item("u", "Không rõ ngày", "Tin không rõ ngày đăng.", 0);
  undated.published.reset();
  const std::int64_t sept_7_2018 = 1536339600, sept_8_2018 = 1536426000;
  REQUIRE(store
              .ingest(s,
                      make_feed({make_item("a", "Tin ngày 8/9", "Tin thứ nhất.", sept_8_2018), undated,
                                 make_item("b", "Tin ngày 7/9", "Tin thứ hai.", sept_7_2018)}),
                      kNow)
              .has_value());
  auto page = store.latest_clusters({}).value();
  REQUIRE(page.clusters.size() == 3);
  CHECK(page.clusters[0].item.title == "Tin ngày 8/9");
  CHECK(page.clusters[1].item.title == "Tin ngày 7/9");
  CHECK(page.clusters[2].item.title == "Không rõ ngày");
  CHECK(page.clusters[2].item.published == at(sept_7_2018 - 1));
  CHECK(page.clusters[2].item.first_seen == kNow);
  CHECK(page.clusters[2].item.date_approximate);
  // A document of recent stories: the undated one is dated when it was first seen.
  Item fresh = make_item("f", "Tin mới không rõ ngày", "Một tin khác hẳn.", 0);
  fresh.published.reset();
  REQUIRE(store.ingest(s, make_feed({fresh, make_item("c", "Tin mới nhất", "Tin thứ ba.", 1810000000)}), kNow)
              .has_value());
  const auto stored = store.latest_clusters({}).value();
  REQUIRE(stored.clusters.size() == 5);
  CHECK(stored.clusters[0].item.title == "Tin mới nhất");
  CHECK(stored.clusters[1].item.title == "Tin mới không rõ ngày");
  CHECK(stored.clusters[1].item.published == kNow);
}

TEST_CASE("an item keeps the language the normalizer settled on") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_source(store, "https://a.vn/rss");
  auto said = make_item("a", "Thủ tướng chủ trì hội nghị", kLead);
  said.extras.ensure().language = "vi";
  const auto unsaid = make_item("b", "Giá vàng tăng", kOtherLead);
  auto feed = make_feed({said, unsaid});
  feed.language = "en";
  store.ingest(source, feed, kNow).value();
  const auto items = store.source_items(source, 10).value();
  REQUIRE(items.size() == 2);
  std::map<std::optional<std::string>, std::optional<std::string>> language_of;
  for (const auto& item : items) language_of[item.guid] = item.language;
  CHECK(language_of["a"] == "vi");
  CHECK(language_of["b"] == "en");
  // A feed that says nothing leaves its items' language unknown.
  store
      .ingest(source, make_feed({make_item("c", "Tin mới", "Một bản tin ngắn khác hẳn hai tin trước")}), kNow)
      .value();
  for (const auto& item : store.source_items(source, 10).value()) language_of[item.guid] = item.language;
  CHECK(language_of.size() == 3);
  CHECK(language_of["c"] == std::nullopt);
}
