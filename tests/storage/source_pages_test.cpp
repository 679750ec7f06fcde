// Keyset pages of sources and their health: how the daemon walks 10,000 sources without
// holding every record at once.
#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::at;
using tinhop::test::open_store;

namespace {

std::vector<std::int64_t> ids(const std::vector<Source>& sources) {
  std::vector<std::int64_t> out;
  for (const Source& s : sources) out.push_back(s.id);
  return out;
}

// One failed poll of `source`: a 404 at 1710374500, next poll an hour later.
void record_404(Store& store, std::int64_t source) {
  FetchRecord failed;
  failed.source_id = source;
  failed.attempted = at(1710374500);
  failed.status = FetchStatus::failed;
  failed.http_status = 404;
  failed.error_class = "http_404";
  failed.next_poll = at(1710378100);
  REQUIRE(store.record_fetch(failed).has_value());
}

}  // namespace

TEST_CASE("sources are read in keyset pages, each with its own categories") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss", {"thoi-su", "the-gioi"});
  const auto b = add_source(store, "https://b.vn/rss");
  const auto c = add_source(store, "https://c.vn/rss", {"kinh-te"});
  const auto d = add_source(store, "https://d.vn/rss", {"the-thao"});
  const auto e = add_source(store, "https://e.vn/rss");

  auto first = store.list_sources_after(0, 2).value();
  REQUIRE(ids(first) == std::vector<std::int64_t>{a, b});
  CHECK(first[0].settings.url == "https://a.vn/rss");
  CHECK(first[0].settings.categories == std::vector<std::string>{"thoi-su", "the-gioi"});
  CHECK(first[1].settings.categories.empty());
  // c's category lies past the page: it must not land on b.
  auto second = store.list_sources_after(b, 2).value();
  REQUIRE(ids(second) == std::vector<std::int64_t>{c, d});
  CHECK(second[0].settings.categories == std::vector<std::string>{"kinh-te"});
  CHECK(second[1].settings.categories == std::vector<std::string>{"the-thao"});
  CHECK(ids(store.list_sources_after(d, 2).value()) == std::vector<std::int64_t>{e});
  CHECK(store.list_sources_after(e, 2).value().empty());

  // The pages together are the whole list, field for field.
  std::vector<Source> walked;
  for (std::int64_t after = 0;;) {
    auto page = store.list_sources_after(after, 2).value();
    if (page.empty()) break;
    after = page.back().id;
    for (Source& s : page) walked.push_back(std::move(s));
  }
  const auto all = store.list_sources().value();
  REQUIRE(walked.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(walked[i].id == all[i].id);
    CHECK(walked[i].settings == all[i].settings);
  }
}

TEST_CASE("health is read for one page of sources") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.vn/rss");
  const auto b = add_source(store, "https://b.vn/rss");
  const auto c = add_source(store, "https://c.vn/rss");
  const auto d = add_source(store, "https://d.vn/rss");
  record_404(store, c);

  const auto page = store.health_between(a, c).value();  // after a, up to c
  REQUIRE(page.size() == 2);
  CHECK(page[0].source_id == b);
  CHECK(page[0].polls == 0);
  CHECK(page[1].source_id == c);
  CHECK(page[1].error_class == "http_404");
  CHECK(page[1].consecutive_failures == 1);
  CHECK(page[1].next_poll == at(1710378100));
  CHECK(store.health_between(d, d + 100).value().empty());
}

TEST_CASE("visit_sources walks every source with its own health, a page at a time") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  std::vector<std::int64_t> added;
  for (const char* url :
       {"https://a.vn/rss", "https://b.vn/rss", "https://c.vn/rss", "https://d.vn/rss", "https://e.vn/rss"}) {
    added.push_back(add_source(store, url));
  }
  record_404(store, added[2]);

  for (const std::size_t page : {std::size_t{2}, std::size_t{5}, std::size_t{512}}) {
    std::vector<std::int64_t> visited;
    std::vector<std::int64_t> failing;
    std::size_t mismatched = 0;
    REQUIRE(store
                .visit_sources(
                    [&](const Source& s, const Health* h) {
                      visited.push_back(s.id);
                      if (h == nullptr || h->source_id != s.id) ++mismatched;
                      if (h != nullptr && h->consecutive_failures > 0) failing.push_back(s.id);
                    },
                    page)
                .has_value());
    CHECK(visited == added);
    CHECK(mismatched == 0);
    CHECK(failing == std::vector<std::int64_t>{added[2]});
  }
}
