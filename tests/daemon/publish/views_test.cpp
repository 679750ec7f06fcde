// Views (/views/{slug}) and top stories (/top/feed.*, the home page's first section) over a
// real in-memory Store (docs/views.md).
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <fstream>

#include "running_server.hpp"
#include "support/story_filter.hpp"
#include "tinhop/publish/handler.hpp"

namespace {

using namespace tinhop;
namespace http = boost::beast::http;
namespace json = boost::json;
using Catch::Contains;

constexpr long long kNowSeconds = 1764208000;  // 2025-11-27 01:46:40 UTC
const Instant kNow = Instant{std::chrono::seconds{kNowSeconds}};

Instant hours_ago(long long hours) {
  return kNow - std::chrono::hours(hours);
}

Item copy(const std::string& guid, const std::string& title, const std::string& slug, Instant published) {
  Item i;
  i.id = guid;
  i.title = title;
  i.link = "https://news.example/" + slug;
  i.published = published;
  i.content = "<p>" + title + " — " + slug + "</p>";
  return i;
}

Feed feed_in(std::vector<Item> items, const std::string& language) {
  Feed feed;
  feed.language = language;
  feed.items = std::move(items);
  return feed;
}

// Agencies A (Kinh tế, vi), B (Thời sự, vi-VN), C (Kinh tế, en) and four stories:
// gold (A 30 h ago, B 29 h, C 28 h), rates (A 5 h, B 4 h), storm (B 2 h), stocks (C 1 h).
struct Fixture {
  storage::Store store = std::move(storage::Store::open(":memory:").value());
  Fixture() {
    const auto source = [&](const std::string& url, const std::string& title, const std::string& category) {
      storage::SourceSettings s;
      s.url = url;
      s.title = title;
      s.categories = {category};
      return store.add_source(s, hours_ago(100)).value();
    };
    const auto a = source("https://a.example/rss", "Agency A", "Kinh tế");
    const auto b = source("https://b.example/rss", "Agency B", "Thời sự");
    const auto c = source("https://c.example/rss", "Agency C", "Kinh tế");
    REQUIRE(store
                .ingest(a,
                        feed_in({copy("a1", "Giá vàng tăng mạnh", "gold", hours_ago(30)),
                                 copy("a2", "Lãi suất giảm", "rates", hours_ago(5))},
                                "vi"),
                        kNow)
                .has_value());
    REQUIRE(store
                .ingest(b,
                        feed_in({copy("b1", "Giá vàng tăng mạnh", "gold", hours_ago(29)),
                                 copy("b2", "Lãi suất giảm", "rates", hours_ago(4)),
                                 copy("b3", "Bão số 3 đổ bộ", "storm", hours_ago(2))},
                                "vi-VN"),
                        kNow)
                .has_value());
    REQUIRE(store
                .ingest(c,
                        feed_in({copy("c1", "Giá vàng tăng mạnh", "gold", hours_ago(28)),
                                 copy("c4", "Stock market rallies", "stocks", hours_ago(1))},
                                "en"),
                        kNow)
                .has_value());
  }
};

using tinhop::test::Filter;

publish::ViewDefinition view(std::string slug, std::string title, storage::StoryFilter filter) {
  publish::ViewDefinition v;
  v.slug = std::move(slug);
  v.title = std::move(title);
  v.filter = std::move(filter);
  return v;
}

publish::ServerOptions options() {
  publish::ServerOptions o;
  o.public_url = "http://127.0.0.1:8080";
  o.clock = [] { return kNow; };
  o.editorial.views = {
      view("kinh-te", "Kinh tế nhiều nguồn", Filter().categories({"Kinh tế"}).min_publishers(2)),
      view("tieng-viet", "", Filter().languages({"vi"})),
  };
  o.editorial.views.push_back(view("hom-nay", "Hôm nay", {}));
  o.editorial.views.back().window = std::chrono::hours(6);
  return o;
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

std::vector<std::string> json_titles(const std::string& body) {
  std::vector<std::string> out;
  const json::value feed = json::parse(body);  // outlives the loop over its items
  for (const auto& item : feed.at("items").as_array()) out.emplace_back(item.at("title").as_string());
  return out;
}

using Titles = std::vector<std::string>;

// feedparser's verdict on a document: "bozo entries".
std::string feedparser_verdict(const std::string& body, const std::string& name) {
  test::TempDir dir("views-feed");
  const auto file = dir.path / name;
  std::ofstream(file, std::ios::binary) << body;
  const auto r = test::run_command(
      "/usr/bin/python3 -c 'import sys, feedparser; d = feedparser.parse(sys.argv[1]); "
      "print(int(d.bozo), len(d.entries))' " +
      file.string() + " 2>&1");
  return r.output;
}

}  // namespace

TEST_CASE("views: each view's feeds list the stories its filter selects", "[publish][views]") {
  Fixture fixture;
  publish::StoreCatalog catalog(fixture.store);
  publish::Context ctx(catalog, options());
  CHECK(json_titles(get(ctx, "/views/kinh-te/feed.json")) == Titles{"Lãi suất giảm", "Giá vàng tăng mạnh"});
  CHECK(json_titles(get(ctx, "/views/tieng-viet/feed.json")) ==
        Titles{"Bão số 3 đổ bộ", "Lãi suất giảm", "Giá vàng tăng mạnh"});
  CHECK(json_titles(get(ctx, "/views/hom-nay/feed.json")) ==
        Titles{"Stock market rallies", "Bão số 3 đổ bộ", "Lãi suất giảm"});
  const std::string atom = get(ctx, "/views/kinh-te/feed.atom");
  CHECK_THAT(atom, Contains("<title>tinhop — Kinh tế nhiều nguồn</title>"));
  CHECK_THAT(atom, Contains("<link rel=\"self\" href=\"http://127.0.0.1:8080/views/kinh-te/feed.atom\""));
  CHECK(feedparser_verdict(atom, "view.atom") == "0 2\n");
  CHECK(feedparser_verdict(get(ctx, "/views/kinh-te/feed.rss"), "view.rss") == "0 2\n");
  // A view without a title is called by its slug.
  CHECK_THAT(get(ctx, "/views/tieng-viet/feed.atom"), Contains("<title>tinhop — tieng-viet</title>"));
}

TEST_CASE("views: pages like the river, and the page of a view", "[publish][views]") {
  Fixture fixture;
  publish::StoreCatalog catalog(fixture.store);
  publish::Context ctx(catalog, options());
  const std::string first = get(ctx, "/views/tieng-viet/feed.json?limit=2");
  CHECK(json_titles(first) == Titles{"Bão số 3 đổ bộ", "Lãi suất giảm"});
  const std::string next(json::parse(first).at("next_url").as_string());
  REQUIRE(next.starts_with("http://127.0.0.1:8080/views/tieng-viet/feed.json?limit=2&before="));
  CHECK(json_titles(get(ctx, next.substr(std::string("http://127.0.0.1:8080").size()))) ==
        Titles{"Giá vàng tăng mạnh"});

  const std::string html = get(ctx, "/views/kinh-te");
  CHECK_THAT(html, Contains("<title>tinhop — Kinh tế nhiều nguồn</title>"));
  CHECK_THAT(html, Contains("href=\"http://127.0.0.1:8080/views/kinh-te/feed.atom\""));
  CHECK_THAT(html, Contains("Lãi suất giảm"));
  CHECK(html.find("Bão số 3 đổ bộ") == std::string::npos);
  CHECK(html.find("<section class=\"top-stories\"") ==
        std::string::npos);  // the top section is the home page's
}

TEST_CASE("views: an unknown view is 404, a view's own query is not overridden", "[publish][views]") {
  Fixture fixture;
  publish::StoreCatalog catalog(fixture.store);
  publish::Context ctx(catalog, options());
  auto missing = call(ctx, "/views/nope/feed.atom");
  CHECK(missing.result() == http::status::not_found);
  CHECK(*missing.body() == "no such view\n");
  auto narrowed = call(ctx, "/views/kinh-te/feed.atom?q=v%C3%A0ng");
  CHECK(narrowed.result() == http::status::bad_request);
  CHECK(*narrowed.body() == "a view selects its own stories: no q, sort, source or category\n");
  CHECK(publish::route_of("/views/kinh-te/feed.rss") == publish::Route::view);
  CHECK(publish::route_of("/views/kinh-te") == publish::Route::view);
  CHECK(publish::route_of("/top/feed.json") == publish::Route::top_feed);
}

TEST_CASE("views: a reload's editorial replaces the views and what was cached", "[publish][views]") {
  Fixture fixture;
  publish::StoreCatalog catalog(fixture.store);
  publish::Context ctx(catalog, options());
  CHECK(json_titles(get(ctx, "/views/kinh-te/feed.json")).size() == 2);
  publish::Editorial editorial;
  editorial.views = {view("kinh-te", "", Filter().sources({"https://c.example/rss"}))};
  ctx.set_editorial(editorial);
  CHECK(json_titles(get(ctx, "/views/kinh-te/feed.json")) ==
        Titles{"Stock market rallies", "Giá vàng tăng mạnh"});
  CHECK(call(ctx, "/views/tieng-viet/feed.json").result() == http::status::not_found);
}

TEST_CASE("top stories: ranked feeds, each entry with every publisher and its time", "[publish][views]") {
  Fixture fixture;
  publish::StoreCatalog catalog(fixture.store);
  publish::Context ctx(catalog, options());
  // rates: 2 × 2^(−5/6); gold: 3 × 2^(−30/6); one-publisher stories are left out (min 2).
  const json::value feed = json::parse(get(ctx, "/top/feed.json"));
  const auto& items = feed.at("items").as_array();
  REQUIRE(items.size() == 2);
  CHECK(items[0].at("title").as_string() == "Lãi suất giảm");
  CHECK(items[0].at("_tinhop").at("top").at("publishers").as_int64() == 2);
  CHECK(items[0].at("_tinhop").at("top").at("score").as_double() == Approx(1.1224620483));
  CHECK(items[1].at("title").as_string() == "Giá vàng tăng mạnh");
  CHECK(items[1].at("_tinhop").at("top").at("publishers").as_int64() == 3);
  CHECK(items[1].at("_tinhop").at("top").at("score").as_double() == Approx(0.09375));
  CHECK(std::string(items[1].at("content_html").as_string())
            .starts_with(
                "<p>3 nguồn đưa tin:</p><ol><li><a href=\"https://news.example/gold\">Agency A</a> "
                "(đăng đầu tiên) <time datetime=\"2025-11-25T19:46:40Z\">2025-11-25T19:46:40Z</time></li>"
                "<li><a href=\"https://news.example/gold\">Agency B</a> <time "
                "datetime=\"2025-11-25T20:46:40Z\">2025-11-25T20:46:40Z</time></li><li><a "
                "href=\"https://news.example/gold\">Agency C</a> <time "
                "datetime=\"2025-11-25T21:46:40Z\">2025-11-25T21:46:40Z</time></li></ol>"));
  const std::string atom = get(ctx, "/top/feed.atom");
  CHECK_THAT(atom, Contains("<title>tinhop — Tin nổi bật</title>"));
  CHECK(feedparser_verdict(atom, "top.atom") == "0 2\n");
  CHECK(feedparser_verdict(get(ctx, "/top/feed.rss"), "top.rss") == "0 2\n");

  publish::Editorial wider = options().editorial;
  wider.top.min_publishers = 1;
  wider.top.feed_entries = 3;
  ctx.set_editorial(wider);
  CHECK(json_titles(get(ctx, "/top/feed.json")) ==
        Titles{"Lãi suất giảm", "Stock market rallies", "Bão số 3 đổ bộ"});
}

TEST_CASE("top stories: the home page's first section, under 60 KB", "[publish][views]") {
  Fixture fixture;
  publish::StoreCatalog catalog(fixture.store);
  publish::Context ctx(catalog, options());
  const std::string html = get(ctx, "/");
  const auto top = html.find("<section class=\"top-stories\"");
  const auto latest = html.find("<h2>Tin mới</h2>");
  REQUIRE(top != std::string::npos);
  REQUIRE(latest != std::string::npos);
  CHECK(top < latest);
  const std::string section = html.substr(top, latest - top);
  CHECK_THAT(section, Contains("<h2 id=\"top-stories\">Tin nổi bật <a class=\"feed\" "
                               "href=\"http://127.0.0.1:8080/top/feed.atom\">Atom</a></h2>"));
  const auto rates = section.find("Lãi suất giảm");
  const auto gold = section.find("Giá vàng tăng mạnh");
  REQUIRE(rates != std::string::npos);
  REQUIRE(gold != std::string::npos);
  CHECK(rates < gold);
  CHECK_THAT(section, Contains("<p class=\"meta\">3 nguồn đưa tin:</p>"));
  CHECK_THAT(section, Contains("Agency A</a> <span class=\"first\">(đăng đầu tiên)</span> · <time"));
  CHECK(section.find("Bão số 3 đổ bộ") == std::string::npos);
  CHECK(html.size() < 60 * 1024);
  // Not on a filtered page, nor a later one; not when the configuration says none.
  CHECK(get(ctx, "/?category=kinh-te").find("<section class=\"top-stories\"") == std::string::npos);
  publish::Editorial none = options().editorial;
  none.top.page_entries = 0;
  ctx.set_editorial(none);
  CHECK(get(ctx, "/").find("<section class=\"top-stories\"") == std::string::npos);
}

TEST_CASE("views and top stories name the hub and themselves like every merged feed",
          "[publish][views][websub]") {
  Fixture fixture;
  publish::StoreCatalog catalog(fixture.store);
  publish::ServerOptions o = options();
  o.hub_url = "http://127.0.0.1:8080/websub/hub";
  publish::Context ctx(catalog, o);
  const std::string hub = "<http://127.0.0.1:8080/websub/hub>; rel=\"hub\", ";
  auto view_feed = call(ctx, "/views/kinh-te/feed.atom");
  CHECK(view_feed[http::field::link] ==
        hub + "<http://127.0.0.1:8080/views/kinh-te/feed.atom>; rel=\"self\"");
  CHECK_THAT(*view_feed.body(), Contains("<link rel=\"hub\" href=\"http://127.0.0.1:8080/websub/hub\"/>"));
  auto top = call(ctx, "/top/feed.rss");
  CHECK(top[http::field::link] == hub + "<http://127.0.0.1:8080/top/feed.rss>; rel=\"self\"");
  CHECK_THAT(*top.body(), Contains("<atom:link rel=\"hub\" href=\"http://127.0.0.1:8080/websub/hub\"/>"));
  CHECK_THAT(get(ctx, "/top/feed.json"),
             Contains("\"hubs\":[{\"type\":\"WebSub\",\"url\":\"http://127.0.0.1:8080/websub/hub\"}]"));
  CHECK(call(ctx, "/views/kinh-te")[http::field::link].empty());
}
