// Sources that follow each new item's link: which articles are still to fetch, and how a
// poll's article results are stored (content from the article only, each tried once).
#include <array>

#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::at;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::open_store;

namespace {

std::int64_t add_following(Store& store, const std::string& url) {
  SourceSettings settings;
  settings.url = url;
  settings.type = SourceType::html;
  settings.html_selectors = R"({"item":"li"})";
  settings.follow_links = true;
  return store.add_source(settings, kNow).value();
}

PollResult poll(std::int64_t source, const Feed& feed, std::span<const ArticleFetch> articles, Instant when) {
  PollResult result;
  result.record.source_id = source;
  result.record.attempted = when;
  result.feed = &feed;
  result.articles = articles;
  return result;
}

std::optional<std::string> content_of(Store& store, std::int64_t source, const Feed& feed,
                                      std::size_t entry) {
  const auto ids = store.locate_items(source, feed).value();
  REQUIRE(ids.at(entry).has_value());
  return store.get_item(*ids[entry]).value().content;
}

}  // namespace

TEST_CASE("follow_links round-trips and survives an update") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto id = add_following(store, "https://tinhx.gov.vn/tin-tuc");
  CHECK(store.get_source(id)->settings.follow_links);
  auto settings = store.get_source(id)->settings;
  settings.follow_links = false;
  REQUIRE(store.update_source(id, settings, kNow).has_value());
  CHECK_FALSE(store.get_source(id)->settings.follow_links);
}

TEST_CASE("articles are pending for new entries and for entries stored over a poll's limit only") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_following(store, "https://tinhx.gov.vn/tin-tuc");
  Feed listing = make_feed({make_item("a", "Tin A", "Tóm tắt A"), make_item("b", "Tin B", "Tóm tắt B"),
                            make_item("c", "Tin C", "Tóm tắt C"), make_item("a", "Tin A", "Tóm tắt A")});
  CHECK(store.articles_pending(source, listing).value() == std::vector<bool>{true, true, true, false});

  // The first poll fetched a (with a body), tried b (404) and left c over the limit.
  Feed polled = listing;
  polled.items[0].content = "<p>Toàn văn bài A.</p>";
  const std::array states{ArticleFetch::fetched, ArticleFetch::failed, ArticleFetch::not_tried,
                          ArticleFetch::not_tried};
  const std::array<PollResult, 1> first{poll(source, polled, states, kNow)};
  const auto counts = store.commit_polls(first).value();
  CHECK(counts[0].added == 3);
  CHECK(counts[0].suppressed == 1);
  CHECK(content_of(store, source, listing, 0) == "<p>Toàn văn bài A.</p>");
  CHECK(content_of(store, source, listing, 1) == std::nullopt);
  CHECK(store.articles_pending(source, listing).value() == std::vector<bool>{false, false, true, false});

  // The next poll of the same listing (no content in it) keeps a's article and counts
  // nothing as changed; c's article arrives and is stored in place.
  Feed again = listing;
  again.items[2].content = "<p>Toàn văn bài C.</p>";
  const std::array later{ArticleFetch::not_tried, ArticleFetch::not_tried, ArticleFetch::fetched,
                         ArticleFetch::not_tried};
  const std::array<PollResult, 1> second{poll(source, again, later, at(1710378000))};
  const auto counts2 = store.commit_polls(second).value();
  CHECK(counts2[0].added == 0);
  CHECK(counts2[0].updated == 1);
  CHECK(counts2[0].unchanged == 2);
  CHECK(content_of(store, source, listing, 0) == "<p>Toàn văn bài A.</p>");
  CHECK(content_of(store, source, listing, 2) == "<p>Toàn văn bài C.</p>");
  CHECK(store.articles_pending(source, listing).value() == std::vector<bool>{false, false, false, false});

  // An edited listing entry updates its listing fields and still keeps its article.
  Feed edited = listing;
  edited.items[0].title = "Tin A (cập nhật)";
  const std::array none{ArticleFetch::not_tried, ArticleFetch::not_tried, ArticleFetch::not_tried,
                        ArticleFetch::not_tried};
  const std::array<PollResult, 1> third{poll(source, edited, none, at(1710379000))};
  CHECK(store.commit_polls(third).value()[0].updated == 1);
  const auto item = store.get_item(store.locate_items(source, edited).value()[0].value()).value();
  CHECK(item.title == "Tin A (cập nhật)");
  CHECK(item.content == "<p>Toàn văn bài A.</p>");
}

TEST_CASE("items stored before a source followed links are not fetched afterwards") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_following(store, "https://tinhx.gov.vn/tin-tuc");
  const Feed listing = make_feed({make_item("old", "Tin cũ", "Tóm tắt")});
  REQUIRE(store.ingest(source, listing, kNow).has_value());
  CHECK(store.articles_pending(source, listing).value() == std::vector<bool>{false});
}

TEST_CASE("article states that do not match the document are refused and store nothing") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto source = add_following(store, "https://tinhx.gov.vn/tin-tuc");
  const Feed listing =
      make_feed({make_item("a", "Tin A", "Tóm tắt A"), make_item("b", "Tin B", "Tóm tắt B")});
  const std::array states{ArticleFetch::fetched};
  const std::array<PollResult, 1> bad{poll(source, listing, states, kNow)};
  const auto result = store.commit_polls(bad);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == Errc::invalid_argument);
  CHECK(result.error().message == "article states for 1 of 2 entries");
  CHECK(store.stats()->items == 0);
}
