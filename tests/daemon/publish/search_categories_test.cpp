// Search order (date by default, ?sort=relevance) and ASCII category slugs with redirects
// from the old URLs, through a real Store (issue #15, point 8).
#include <catch2/catch.hpp>

#include "tinhop/publish/handler.hpp"

namespace {

using namespace tinhop;
namespace http = boost::beast::http;

Instant at(long long s) {
  return Instant{std::chrono::seconds{s}};
}

Item item(const std::string& id, const std::string& title, long long published, const std::string& summary) {
  Item i;
  i.id = id;
  i.title = title;
  i.link = "https://a.example/tin/" + id + ".html";
  i.published = at(published);
  i.summary = summary;
  return i;
}

publish::Response call(publish::Context& ctx, const std::string& target) {
  return publish::handle(publish::Request{http::verb::get, target, 11}, ctx);
}

std::string get(publish::Context& ctx, const std::string& target) {
  auto res = call(ctx, target);
  INFO(target << " -> " << res.result_int() << " " << (res.body() ? *res.body() : ""));
  REQUIRE(res.result() == http::status::ok);
  return *res.body();
}

// The href of the document's rel="next" link, as a target ("/feed.atom?..."), unescaped.
std::optional<std::string> next_target(const std::string& atom) {
  const std::string marker = "<link rel=\"next\" href=\"http://127.0.0.1:8080";
  const auto start = atom.find(marker);
  if (start == std::string::npos) return std::nullopt;
  const auto from = start + marker.size();
  std::string target = atom.substr(from, atom.find('"', from) - from);
  for (std::size_t amp; (amp = target.find("&amp;")) != std::string::npos;) target.replace(amp, 5, "&");
  return target;
}

// Entry titles in document order.
std::vector<std::string> titles(const std::string& atom) {
  std::vector<std::string> out;
  const std::string open = "<title type=\"text\">";
  for (auto at = atom.find(open); at != std::string::npos; at = atom.find(open, at + 1)) {
    const auto from = at + open.size();
    out.push_back(atom.substr(from, atom.find('<', from) - from));
  }
  return out;
}

// Every page from `target` on, following next links.
std::vector<std::string> walk(publish::Context& ctx, std::string target) {
  std::vector<std::string> out;
  for (int pages = 0; pages < 20; ++pages) {
    const std::string atom = get(ctx, target);
    for (auto& title : titles(atom)) out.push_back(std::move(title));
    auto next = next_target(atom);
    if (!next) break;
    target = *next;
  }
  return out;
}

struct River {
  River() : store(open()), catalog(store), ctx(catalog, options()) {
    storage::SourceSettings a;
    a.url = "https://a.example/rss";
    a.title = "Agency A";
    a.categories = {"Kinh tế", "Thời sự"};
    storage::SourceSettings b;
    b.url = "https://b.example/rss";
    b.title = "Agency B";
    b.categories = {"Kinh te"};  // another category with the same ASCII form
    const auto id_a = store.add_source(a, at(1764200000)).value();
    const auto id_b = store.add_source(b, at(1764200000)).value();
    // The newest stories arrive first; an older backlog after them.
    Feed recent;
    recent.items.push_back(item("a1", "Giá điện tăng từ hôm nay", 1764203600, "Bộ Công Thương công bố."));
    recent.items.push_back(
        item("a2", "Thời tiết nắng nóng", 1764207200, "Nắng nóng kéo dài, giá điện tăng."));
    REQUIRE(store.ingest(id_a, recent, at(1764208000)).has_value());
    Feed backlog;
    backlog.items.push_back(item("b1", "Giá điện, giá điện và giá điện", 1764100000,
                                 "Giá điện tăng liên tục, giá điện sinh hoạt."));
    backlog.items.push_back(item("b2", "Giá điện tháng trước", 1764000000, "Giá điện giữ nguyên."));
    REQUIRE(store.ingest(id_b, backlog, at(1764208000)).has_value());
  }
  static storage::Store open() {
    auto opened = storage::Store::open(":memory:");
    REQUIRE(opened.has_value());
    return std::move(*opened);
  }
  static publish::ServerOptions options() {
    publish::ServerOptions o;
    o.public_url = "http://127.0.0.1:8080";
    return o;
  }
  storage::Store store;
  publish::StoreCatalog catalog;
  publish::Context ctx;
};

}  // namespace

TEST_CASE("search: results come newest first by date, page after page", "[publish][search]") {
  River river;
  CHECK(walk(river.ctx, "/feed.atom?q=gia+dien&limit=1") ==
        std::vector<std::string>{"Thời tiết nắng nóng", "Giá điện tăng từ hôm nay",
                                 "Giá điện, giá điện và giá điện", "Giá điện tháng trước"});
  CHECK(walk(river.ctx, "/feed.atom?q=gia+dien&sort=date&limit=3") ==
        walk(river.ctx, "/feed.atom?q=gia+dien"));
}

TEST_CASE("search: ?sort=relevance ranks the best match first and its next links keep the order",
          "[publish][search]") {
  River river;
  const std::string first = get(river.ctx, "/feed.atom?q=gia+dien&sort=relevance&limit=1");
  CHECK(titles(first) == std::vector<std::string>{"Giá điện, giá điện và giá điện"});
  const auto next = next_target(first);
  REQUIRE(next);
  CHECK(next->starts_with("/feed.atom?q=gia%20dien&sort=relevance&limit=1&before=r-"));
  const auto ranked = walk(river.ctx, "/feed.atom?q=gia+dien&sort=relevance&limit=1");
  CHECK(ranked.size() == 4);
  CHECK(ranked.front() == "Giá điện, giá điện và giá điện");
  CHECK(walk(river.ctx, "/feed.atom?q=gia+dien&sort=relevance&limit=3") == ranked);
  // The page's own links keep the order too.
  CHECK_THAT(get(river.ctx, "/?q=gia+dien&sort=relevance"),
             Catch::Contains("href=\"http://127.0.0.1:8080/feed.atom?q=gia%20dien&amp;sort=relevance\""));
  // Without a query there is nothing to rank: the river, newest first.
  CHECK(get(river.ctx, "/feed.atom?sort=relevance") == get(river.ctx, "/feed.atom"));
}

TEST_CASE("search: an unknown sort or a cursor of the other order is a 400 that says why",
          "[publish][search]") {
  River river;
  auto unknown = call(river.ctx, "/feed.atom?q=gia&sort=popular");
  CHECK(unknown.result() == http::status::bad_request);
  CHECK(*unknown.body() == "sort must be date (newest first, the default) or relevance\n");
  auto crossed = call(river.ctx, "/feed.atom?q=gia&sort=relevance&before=1764203600-1");
  CHECK(crossed.result() == http::status::bad_request);
  CHECK(*crossed.body() == "before is not a cursor from a next link of this sort order\n");
  CHECK(call(river.ctx, "/feed.atom?q=gia&before=r-1.5-1").result() == http::status::bad_request);
}

TEST_CASE("categories: ASCII slugs, the Vietnamese name as the title, old URLs moved for good",
          "[publish][categories]") {
  River river;
  const std::string feed = get(river.ctx, "/categories/kinh-te-863d3351/feed.atom");
  CHECK_THAT(feed, Catch::Contains("<title>tinhop — Kinh tế</title>"));
  CHECK_THAT(feed,
             Catch::Contains(
                 "<link rel=\"self\" href=\"http://127.0.0.1:8080/categories/kinh-te-863d3351/feed.atom\""));
  CHECK_THAT(get(river.ctx, "/categories/kinh-te/feed.atom"),
             Catch::Contains("<title>tinhop — Kinh te</title>"));
  CHECK_THAT(get(river.ctx, "/categories/thoi-su/feed.json"), Catch::Contains("Giá điện tăng từ hôm nay"));
  const std::string page = get(river.ctx, "/");
  CHECK_THAT(page, Catch::Contains("<option value=\"thoi-su\">Thời sự</option>"));
  CHECK_THAT(page, Catch::Contains("<option value=\"kinh-te-863d3351\">Kinh tế</option>"));
  CHECK_THAT(page, Catch::Contains("<option value=\"kinh-te\">Kinh te</option>"));

  auto moved = call(river.ctx, "/categories/th%E1%BB%9Di-s%E1%BB%B1/feed.rss?limit=5");
  CHECK(moved.result() == http::status::moved_permanently);
  CHECK(moved[http::field::location] == "http://127.0.0.1:8080/categories/thoi-su/feed.rss?limit=5");
  auto moved_page = call(river.ctx, "/?category=kinh-t%E1%BA%BF&q=gia");
  CHECK(moved_page.result() == http::status::moved_permanently);
  CHECK(moved_page[http::field::location] == "http://127.0.0.1:8080/?category=kinh-te-863d3351&q=gia");
  CHECK(call(river.ctx, "/categories/kh%C3%B4ng-c%C3%B3/feed.atom").result() == http::status::not_found);
  CHECK(call(river.ctx, "/categories/khong-co/feed.atom").result() == http::status::not_found);
}
