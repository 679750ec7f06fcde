// The reader pages (issue #21): Vietnamese first, English on request, local dates,
// thumbnails, publishers, story pages, paging both ways, distinct source names, 60 KB.
#include <catch2/catch.hpp>

#include "fake_catalog.hpp"
#include "tinhop/publish/handler.hpp"
#include "tinhop/publish/reader_text.hpp"

namespace {

using namespace tinhop;
namespace http = boost::beast::http;
using Catch::Contains;

// 2025-11-27 01:46:40 UTC, 08:46:40 in Hồ Chí Minh City: the fake river's stories are
// 13 minutes, 1 hour and 2 hours old.
const Instant kNow = test::at(1764208000);

publish::ServerOptions options() {
  publish::ServerOptions o;
  o.public_url = "http://127.0.0.1:8080";
  o.clock = [] { return kNow; };
  return o;
}

publish::Response call(publish::Context& ctx, const std::string& target,
                       std::vector<std::pair<http::field, std::string>> headers = {}) {
  publish::Request req{http::verb::get, target, 11};
  for (auto& [f, v] : headers) req.set(f, v);
  return publish::handle(req, ctx);
}

std::string page(publish::Context& ctx, const std::string& target,
                 std::vector<std::pair<http::field, std::string>> headers = {}) {
  auto res = call(ctx, target, std::move(headers));
  REQUIRE(res.result() == http::status::ok);
  return *res.body();
}

publish::DisplayZone saigon() {
  auto zone = publish::DisplayZone::named("Asia/Ho_Chi_Minh");
  REQUIRE(zone);
  return *zone;
}

}  // namespace

TEST_CASE("reader: ?hl= chooses the language, then Accept-Language, else Vietnamese", "[publish][reader]") {
  using publish::Language;
  CHECK(publish::choose_language("", "") == Language::vi);
  CHECK(publish::choose_language("en", "vi") == Language::en);
  CHECK(publish::choose_language("vi", "en") == Language::vi);
  CHECK(publish::choose_language("fr", "en-US,en;q=0.9") == Language::en);
  CHECK(publish::choose_language("", "fr-FR, en;q=0.5, vi;q=0.8") == Language::vi);
  CHECK(publish::choose_language("", "fr-FR, EN-gb;q=0.5") == Language::en);
  CHECK(publish::choose_language("", "en;q=0") == Language::vi);
  CHECK(publish::choose_language("", "de, fr") == Language::vi);
}

TEST_CASE("reader: both message catalogues hold the same keys", "[publish][reader]") {
  const auto vi = publish::message_keys(publish::Language::vi);
  CHECK(vi.size() == 42 + 120);  // the reader pages', then the admin console's (issue #21)
  CHECK(vi == publish::message_keys(publish::Language::en));
  CHECK(publish::message(publish::Language::vi, "minutes_ago", "5") == "5 phút trước");
  CHECK(publish::message(publish::Language::en, "results_for", "vàng") == "Results for “vàng”");
  CHECK(publish::message(publish::Language::en, "no_such_key") == "no_such_key");
}

TEST_CASE("reader: times in the display zone, relative for earlier today", "[publish][reader]") {
  using publish::Language;
  const auto zone = saigon();
  const Instant t = test::at(1796540700);  // 2026-12-06 07:05 UTC: 14:05 in Hồ Chí Minh City
  CHECK(publish::reader_time(t, t + std::chrono::hours(24), zone, Language::vi) == "14:05, 06/12/2026");
  CHECK(publish::reader_time(t, t + std::chrono::seconds(30), zone, Language::vi) == "vừa xong");
  CHECK(publish::reader_time(t, t + std::chrono::minutes(5), zone, Language::vi) == "5 phút trước");
  CHECK(publish::reader_time(t, t + std::chrono::minutes(5), zone, Language::en) == "5 min ago");
  CHECK(publish::reader_time(t, t + std::chrono::minutes(190), zone, Language::vi) == "3 giờ trước");
  // 23:30 local, read at 00:10 the next local day: yesterday, so the date.
  const Instant late = test::at(1796574600);  // 2026-12-06 16:30 UTC
  CHECK(publish::reader_time(late, late + std::chrono::minutes(40), zone, Language::vi) ==
        "23:30, 06/12/2026");
  // A date ahead of the clock is never "ago".
  CHECK(publish::reader_time(t + std::chrono::minutes(5), t, zone, Language::vi) == "14:10, 06/12/2026");
  CHECK(publish::reader_time(t, t + std::chrono::hours(24), publish::DisplayZone(), Language::vi) ==
        "07:05, 06/12/2026");
  CHECK_FALSE(publish::DisplayZone::named("Asia/Saigon_Nowhere"));
}

TEST_CASE("reader: the page speaks Vietnamese unless asked otherwise", "[publish][reader]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  const auto res = call(ctx, "/");
  CHECK(res[http::field::vary] == "Accept-Encoding, Accept-Language");
  CHECK(res[http::field::cache_control] == "public, max-age=60");
  const std::string vi = *res.body();
  CHECK_THAT(vi, Contains("<html lang=\"vi\">"));
  CHECK_THAT(vi, Contains("<option value=\"\" selected>Mọi nguồn</option>"));
  CHECK_THAT(vi, Contains("<time datetime=\"2025-11-27T01:33:20Z\">13 phút trước</time>"));
  CHECK_THAT(vi, Contains("<a href=\"http://127.0.0.1:8080/?hl=en\" hreflang=\"en\" lang=\"en\""));

  const std::string en = page(ctx, "/", {{http::field::accept_language, "en-US,en;q=0.9"}});
  CHECK_THAT(en, Contains("<html lang=\"en\">"));
  CHECK_THAT(en, Contains("<option value=\"\" selected>All sources</option>"));
  CHECK_THAT(en, Contains(">13 min ago</time>"));

  // Chosen by URL, the language stays in every link of the page.
  const std::string chosen = page(ctx, "/?hl=en&category=kinh-te");
  CHECK_THAT(chosen, Contains("<html lang=\"en\">"));
  CHECK_THAT(chosen, Contains("<input type=\"hidden\" name=\"hl\" value=\"en\">"));
  CHECK_THAT(chosen, Contains("<a href=\"http://127.0.0.1:8080/?hl=en\">tinhop — Kinh tế</a>"));
  CHECK_THAT(chosen,
             Contains("<a href=\"http://127.0.0.1:8080/?category=kinh-te&amp;hl=vi\" hreflang=\"vi\""));
  CHECK_THAT(chosen, Contains("<a href=\"http://127.0.0.1:8080/?category=thoi-su&amp;hl=en\">Thời sự</a>"));

  const auto bad = call(ctx, "/?hl=fr");
  CHECK(bad.result() == http::status::bad_request);
  CHECK(*bad.body() == "hl must be vi or en\n");
}

TEST_CASE("reader: category links keep the search; the chosen one is marked", "[publish][reader]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  const std::string html = page(ctx, "/?q=v%C3%A0ng&category=kinh-te");
  CHECK_THAT(html, Contains("<a href=\"http://127.0.0.1:8080/?category=kinh-te&amp;q=v%C3%A0ng\" "
                            "aria-current=\"page\">Kinh tế</a>"));
  CHECK_THAT(html, Contains("<a href=\"http://127.0.0.1:8080/?q=v%C3%A0ng\">Mọi chuyên mục</a>"));
  CHECK_THAT(html, Contains("<h2>Kết quả cho “vàng”</h2>"));
  CHECK_THAT(html, Contains("value=\"vàng\""));
}

TEST_CASE("reader: each story lists its publishers earliest first, the first marked, and links its page",
          "[publish][reader]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  const std::string html = page(ctx, "/");
  CHECK_THAT(html,
             Contains("<p class=\"pubs\">Đưa tin: <a href=\"https://nhandan.example/kinh-te/gia-vang.html\">"
                      "Nhân Dân &amp; Co</a> <span class=\"first\">(đăng đầu tiên)</span>, "
                      "<a href=\"https://baochinhphu.example/tin/gia-vang.html\">Báo Chính phủ</a></p>"));
  CHECK_THAT(html, Contains("<a href=\"http://127.0.0.1:8080/stories/2\">2 nguồn · so sánh</a>"));
  // A story only one source carried names it without a mark and has no comparison.
  CHECK_THAT(
      html,
      Contains("<p class=\"pubs\">Đưa tin: <a href=\"https://vtv.example/bt-19h\">VTV &lt;Tin&gt;</a></p>"));
  CHECK_THAT(html, !Contains("stories/3"));
}

TEST_CASE("reader: a thumbnail the source gives is linked from its server, never a script URL",
          "[publish][reader]") {
  test::FakeCatalog catalog;
  catalog.clusters[0].item.thumbnail = "https://baochinhphu.example/anh/nho.jpg";
  catalog.clusters[2].item.thumbnail = "javascript:alert(1)";
  publish::Context ctx(catalog, options());
  const std::string html = page(ctx, "/");
  CHECK_THAT(
      html,
      Contains("<img src=\"https://baochinhphu.example/anh/nho.jpg\" alt=\"\" width=\"96\" height=\"72\" "
               "loading=\"lazy\" decoding=\"async\" referrerpolicy=\"no-referrer\">"));
  CHECK_THAT(html, !Contains("javascript:"));
}

TEST_CASE("reader: a thumbnail is shown whatever the source's republication policy", "[publish][reader]") {
  test::FakeCatalog catalog;  // sources 1, 2, 3 republish full, summary, title
  catalog.clusters[0].item.thumbnail = "https://baochinhphu.example/anh/day-du.jpg";
  catalog.clusters[1].item.thumbnail = "https://nhandan.example/anh/tom-tat.jpg";
  catalog.clusters[2].item.thumbnail = "https://vtv.example/anh/tieu-de.jpg";
  publish::Context ctx(catalog, options());
  const std::string html = page(ctx, "/");
  for (std::string_view url :
       {"https://baochinhphu.example/anh/day-du.jpg", "https://nhandan.example/anh/tom-tat.jpg",
        "https://vtv.example/anh/tieu-de.jpg"}) {
    CHECK_THAT(html, Contains("<img src=\"" + std::string(url) + "\" alt=\"\" width=\"96\" height=\"72\" "));
  }
  // The JSON Feed republishes the picture only with the full article, as before.
  const std::string json = *call(ctx, "/feed.json").body();
  CHECK_THAT(json, Contains("\"image\":\"https://baochinhphu.example/anh/day-du.jpg\""));
  CHECK_THAT(json, !Contains("tom-tat.jpg"));
  CHECK_THAT(json, !Contains("tieu-de.jpg"));
}

TEST_CASE("reader: newer, older and first pages", "[publish][reader]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  const std::string first = page(ctx, "/?limit=1");
  CHECK_THAT(
      first,
      Contains("<nav class=\"pages\" aria-label=\"Chuyển trang\">"
               "<a href=\"http://127.0.0.1:8080/?limit=1&amp;before=1764207200-3\">Cũ hơn →</a></nav>"));
  const std::string second = page(ctx, "/?limit=1&before=1764207200-3");
  CHECK_THAT(second, Contains("Giá vàng hôm nay"));
  CHECK_THAT(
      second,
      Contains("<nav class=\"pages\" aria-label=\"Chuyển trang\">"
               "<a href=\"http://127.0.0.1:8080/?limit=1&amp;after=1764203600-2\">← Mới hơn</a>"
               "<a href=\"http://127.0.0.1:8080/?limit=1\">Trang đầu</a>"
               "<a href=\"http://127.0.0.1:8080/?limit=1&amp;before=1764203600-2\">Cũ hơn →</a></nav>"));
  const std::string back = page(ctx, "/?limit=1&after=1764203600-2");
  CHECK_THAT(back, Contains("Bản tin thời sự 19h"));
  CHECK_THAT(back, !Contains("← Mới hơn"));
  CHECK_THAT(back,
             Contains("<a href=\"http://127.0.0.1:8080/?limit=1&amp;before=1764207200-3\">Cũ hơn →</a>"));

  const auto both = call(ctx, "/?after=1764203600-2&before=1764207200-3");
  CHECK(both.result() == http::status::bad_request);
  CHECK(*both.body() == "after and before together name no page\n");
  const auto search = call(ctx, "/?q=x&after=1764203600-2");
  CHECK(*search.body() == "a search has no newer pages\n");
  CHECK(*call(ctx, "/?after=r-1.5-2").body() == "after is not a cursor from a newer link\n");
}

TEST_CASE("reader: a story page shows every version side by side and a timeline", "[publish][reader]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  const std::string html = page(ctx, "/stories/2");
  CHECK_THAT(
      html,
      Contains(
          "<title>Giá vàng hôm nay 27/11: tăng &quot;mạnh&quot; &amp; &lt;đột biến&gt; — tinhop</title>"));
  CHECK_THAT(
      html,
      Contains("<ol class=\"timeline\">\n"
               "<li><time datetime=\"2025-11-27T00:33:20Z\">1 giờ trước</time> — "
               "<a href=\"https://nhandan.example/kinh-te/gia-vang.html\">Nhân Dân &amp; Co</a> "
               "<span class=\"first\">(đăng đầu tiên)</span></li>\n"
               "<li><time datetime=\"2025-11-27T00:40:00Z\">1 giờ trước</time> — "
               "<a href=\"https://baochinhphu.example/tin/gia-vang.html\">Báo Chính phủ</a></li>\n</ol>"));
  CHECK_THAT(html, Contains("<section>\n<h3>Báo Chính phủ</h3>\n<p><strong><a "
                            "href=\"https://baochinhphu.example/tin/gia-vang.html\">Giá vàng hôm nay 27/11"));
  CHECK_THAT(html, Contains("<div class=\"versions\">"));
  CHECK_THAT(page(ctx, "/stories/2?hl=en"), Contains("<a href=\"http://127.0.0.1:8080/?hl=en\">← Home</a>"));

  const auto missing = call(ctx, "/stories/99");
  CHECK(missing.result() == http::status::not_found);
  CHECK(*missing.body() == "no such story\n");
  CHECK(call(ctx, "/stories/x").result() == http::status::not_found);
  CHECK(publish::route_of("/stories/2") == publish::Route::story);
}

TEST_CASE("reader: sources that share a title are told apart by their sites", "[publish][reader]") {
  test::FakeCatalog catalog;
  catalog.sources[0].settings.title = "Tin tức";
  catalog.sources[1].settings.title = "Tin tức";
  publish::Context ctx(catalog, options());
  const std::string html = page(ctx, "/");
  CHECK_THAT(html, Contains("<option value=\"1\">Tin tức (baochinhphu.example)</option>"));
  CHECK_THAT(html, Contains("<option value=\"2\">Tin tức (nhandan.example)</option>"));
  CHECK_THAT(html, Contains("<option value=\"3\">VTV &lt;Tin&gt;</option>"));
}

TEST_CASE("reader: a full page, 30 long stories and 100 sources, stays under 60 KB of HTML and CSS",
          "[publish][reader]") {
  test::FakeCatalog catalog;
  const std::string words = "Giá vàng miếng SJC tăng mạnh trong phiên sáng nay theo đà thế giới ";
  for (int i = 0; i < 60; ++i) {
    auto& c =
        catalog.add(10 + i, 1 + i % 3, test::at(1764100000 + i * 60), words + words,
                    words + words + words + words + words, std::nullopt,
                    "https://baochinhphu.example/tin/mot-bai-bao-rat-dai-" + std::to_string(i) + ".html");
    c.item.thumbnail = "https://baochinhphu.example/anh/2026/12/06/anh-" + std::to_string(i) + ".jpg";
    c.others = catalog.clusters[1].others;
  }
  for (int i = 0; i < 97; ++i) catalog.sources.push_back(catalog.sources[0]);
  for (std::size_t i = 3; i < catalog.sources.size(); ++i) {
    catalog.sources[i].id = static_cast<std::int64_t>(i + 1);
    catalog.sources[i].settings.title = "Báo điện tử số " + std::to_string(i);
  }
  publish::Context ctx(catalog, options());
  const std::string html = page(ctx, "/");
  CHECK(std::count(html.begin(), html.end(), '\n') > 0);
  std::size_t articles = 0;
  for (std::size_t at = html.find("<article>"); at != std::string::npos; at = html.find("<article>", at + 1))
    ++articles;
  CHECK(articles == 30);
  CHECK(html.size() <= 60U * 1024U);
}

namespace {

// The fake's three sources, then "Báo điện tử số 4" .. "Báo điện tử số N", each at its own
// site (https://tinN.example/).
void add_sources(test::FakeCatalog& catalog, std::size_t count) {
  for (std::size_t id = 4; id <= count; ++id) {
    storage::Source s = catalog.sources[0];
    s.id = static_cast<std::int64_t>(id);
    s.settings.title = "Báo điện tử số " + std::to_string(id);
    s.settings.url = "https://tin" + std::to_string(id) + ".example/rss";
    s.site_link = "https://tin" + std::to_string(id) + ".example/";
    catalog.sources.push_back(std::move(s));
  }
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("reader: with more sources than a menu holds, the page links their directory and stays small",
          "[publish][reader][sources]") {
  test::FakeCatalog catalog;
  add_sources(catalog, 10000);
  publish::Context ctx(catalog, options());
  const std::string html = page(ctx, "/");
  CHECK(html.size() <= 60U * 1024U);
  CHECK(html.find("<select name=\"source\"") == std::string::npos);
  CHECK(html.find("Báo điện tử số 4<") == std::string::npos);
  CHECK(count_of(html, "<a href=\"http://127.0.0.1:8080/sources\">Tất cả 10000 nguồn tin →</a>") == 2);

  // A chosen source stays in the menu, alone beside "every source", to keep or leave.
  const std::string one = page(ctx, "/?source=4321&hl=en");
  CHECK(one.size() <= 60U * 1024U);
  CHECK_THAT(one,
             Contains("<select name=\"source\" aria-label=\"Source\"><option value=\"\">All sources</option>"
                      "<option value=\"4321\" selected>Báo điện tử số 4321</option></select>"));
  CHECK(count_of(one, "<option value=\"") == 2 + 3 + 2);  // sources, categories, sort orders
  CHECK_THAT(one, Contains("<a href=\"http://127.0.0.1:8080/sources?hl=en\">All 10000 sources →</a>"));

  // Up to the menu's size, every source is in it and in the footer, and no directory link.
  test::FakeCatalog few;
  add_sources(few, 50);
  publish::Context few_ctx(few, options());
  const std::string menu = page(few_ctx, "/");
  CHECK(count_of(menu, "<option value=\"") == 1 + 50 + 3 + 2);
  CHECK_THAT(menu, Contains("<option value=\"50\">Báo điện tử số 50</option>"));
  CHECK(menu.find("/sources\"") == std::string::npos);
}

TEST_CASE("reader: the sources' directory is paged and found by name or site, diacritics aside",
          "[publish][reader][sources]") {
  test::FakeCatalog catalog;
  add_sources(catalog, 250);
  publish::Context ctx(catalog, options());

  const std::string first = page(ctx, "/sources");
  CHECK_THAT(first, Contains("<html lang=\"vi\""));
  CHECK_THAT(first, Contains("<p class=\"meta\">250 nguồn tin</p>"));
  CHECK(count_of(first, "<li><a href=\"http://127.0.0.1:8080/?source=") == 100);
  CHECK_THAT(first, Contains("<li><a href=\"http://127.0.0.1:8080/?source=1\">Báo Chính phủ</a> · <a "
                             "href=\"http://127.0.0.1:8080/sources/1/feed.atom\">Atom</a>"));
  CHECK_THAT(first, Contains("<a href=\"http://127.0.0.1:8080/sources?page=2\">Trang sau →</a>"));
  CHECK(first.find("Trang trước") == std::string::npos);

  const std::string last = page(ctx, "/sources?page=3");
  CHECK(count_of(last, "<li><a href=\"http://127.0.0.1:8080/?source=") == 50);
  CHECK_THAT(last, Contains(">Báo điện tử số 250</a>"));
  CHECK_THAT(last, Contains("<a href=\"http://127.0.0.1:8080/sources?page=2\">← Trang trước</a>"));
  CHECK(last.find("Trang sau") == std::string::npos);
  CHECK(call(ctx, "/sources?page=4").result() == http::status::not_found);
  CHECK(*call(ctx, "/sources?page=0").body() == "page must be 1..100000\n");
  CHECK(call(ctx, "/sources?page=0").result() == http::status::bad_request);

  // "bao dien tu so 12" finds 12 and 120-129, as they are written with their marks.
  const std::string found = page(ctx, "/sources?q=bao+dien+tu+so+12&hl=en");
  CHECK_THAT(found, Contains("<p class=\"meta\">11 sources</p>"));
  CHECK_THAT(found, Contains("?source=12&amp;hl=en\">Báo điện tử số 12</a>"));
  CHECK_THAT(found, Contains("?source=129&amp;hl=en\">Báo điện tử số 129</a>"));
  CHECK_THAT(found,
             Contains("<input type=\"search\" name=\"q\" placeholder=\"Find a source\" value=\"bao dien tu "
                      "so 12\" aria-label=\"Find a source\">"));
  // By its site, and by a word in its own case and marks.
  CHECK_THAT(page(ctx, "/sources?q=tin77.example"), Contains("<p class=\"meta\">1 nguồn tin</p>"));
  CHECK_THAT(page(ctx, "/sources?q=CH%C3%8DNH+PH%E1%BB%A6"), Contains(">Báo Chính phủ</a>"));
  const std::string none = page(ctx, "/sources?q=xyz");
  CHECK_THAT(none, Contains("<p class=\"meta\">0 nguồn tin</p>\n<p>Không có nguồn tin nào khớp.</p>"));
  CHECK(publish::route_of("/sources?q=a") == publish::Route::sources);
}
