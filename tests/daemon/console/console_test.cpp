// The admin console as a function: sign-in sessions, CSRF, and every action as the plain
// form post a browser without JavaScript sends (issue #21).
#include <catch2/catch.hpp>
#include <regex>

#include "support/test_http_server.hpp"
#include "tinhop/admin/sync.hpp"
#include "tinhop/console/console.hpp"

using namespace tinhop;
using namespace tinhop::admin;
using namespace std::chrono_literals;
using tinhop::console::kCsrfRefusal;

namespace {

const std::string token = "0123456789abcdef0123456789abcdef";
const Instant start = Instant(std::chrono::seconds(1'790'000'000));  // 2026-09-21 14:13:20 UTC

config::Config file_config(const std::string& toml) {
  auto result = config::parse_config(toml, "/etc/tinhop/tinhop.toml");
  REQUIRE(result.ok());
  return *result.config;
}

std::string form_encoded(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += name + '=';
    for (unsigned char c : value) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
        out += static_cast<char>(c);
      } else {
        char escaped[4];
        std::snprintf(escaped, sizeof escaped, "%%%02X", c);
        out += escaped;
      }
    }
  }
  return out;
}

struct Fixture {
  storage::Store store = storage::Store::open(":memory:").value();
  config::LiveConfig live;
  Instant now = start;
  std::vector<std::int64_t> polled;
  int changes = 0;
  fetch::Discovery discovery;  // what the discover hook finds on any address
  std::vector<std::string> discovered;
  console::Console console{
      Token{token}, store, live,
      ApiHooks{[this](std::int64_t id) {
                 polled.push_back(id);
                 return true;
               },
               nullptr, nullptr, [this] { ++changes; },
               [this](const std::string& url) {
                 discovered.push_back(url);
                 return discovery;
               },
               [this](fetch::Request request, const ParseContext& context, const HtmlSelectors& selectors) {
                 // What the daemon's hook does, with the fixture's networks.
                 fetch::ClientOptions options;
                 options.allow_networks = live.current()->fetch.allow_networks;
                 return preview_page(fetch_page(std::move(request), options), context, selectors, true);
               }},
      [this] { return now; }};
  std::string session;  // the cookie's value once signed in
  std::string csrf;

  // `extra_toml` is appended to a file holding one source.
  explicit Fixture(const std::string& extra_toml = {})
      : live(file_config("[[source]]\nurl = \"https://file.vn/rss\"\ntitle = \"From the file\"\n" +
                         extra_toml)) {
    REQUIRE(sync_sources(store, *live.current(), now).added == 1);
  }

  Response get(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request{http::verb::get, target, 11};
    if (!session.empty()) request.set(http::field::cookie, "other=1; tinhop_admin=" + session);
    for (const auto& [name, value] : headers) request.set(name, value);
    return console.handle(request);
  }
  Response post(const std::string& target, std::vector<std::pair<std::string, std::string>> fields,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request{http::verb::post, target, 11};
    if (!session.empty()) request.set(http::field::cookie, "tinhop_admin=" + session);
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = form_encoded(fields);
    request.prepare_payload();
    return console.handle(request);
  }
  // Posts with the session's CSRF token.
  Response submit(const std::string& target, std::vector<std::pair<std::string, std::string>> fields = {}) {
    fields.emplace_back("csrf", csrf);
    return post(target, std::move(fields));
  }
  void sign_in() {
    Response response = post("/admin/sign-in", {{"token", token}});
    REQUIRE(response.result() == http::status::see_other);
    std::smatch m;
    const std::string cookie(response[http::field::set_cookie]);
    REQUIRE(std::regex_search(cookie, m, std::regex("^tinhop_admin=([0-9a-f]{64});")));
    session = m[1];
    csrf = csrf_of(get("/admin/sources").body());
  }
  static std::string csrf_of(const std::string& page) {
    std::smatch m;
    REQUIRE(std::regex_search(page, m, std::regex("name=\"csrf\" value=\"([0-9a-f]{64})\"")));
    return m[1];
  }
  std::int64_t add_api_source(const std::string& url, std::vector<std::string> categories = {}) {
    config::SourceSettings settings;
    settings.url = url;
    settings.categories = std::move(categories);
    Sources sources(store, live.current()->defaults, source_rules_from(*live.current()));
    auto added = sources.add(settings, config::Origin::api, now);
    REQUIRE(added.has_value());
    return added->id;
  }
};

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("console: pages need a sign-in; the token opens a session cookie") {
  Fixture f;
  Response page = f.get("/admin/sources");
  CHECK(page.result() == http::status::see_other);
  CHECK(page[http::field::location] == "/admin/sign-in");

  Response form = f.get("/admin/sign-in");
  CHECK(form.result() == http::status::ok);
  CHECK(contains(form.body(), "<html lang=\"vi\">"));
  CHECK(contains(form.body(),
                 "<label for=\"token\">Khóa quản trị</label><input type=\"password\" id=\"token\""));
  CHECK(form[http::field::cache_control] == "no-store");
  CHECK(form["Content-Security-Policy"] ==
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'");

  Response wrong = f.post("/admin/sign-in", {{"token", token + "x"}});
  CHECK(wrong.result() == http::status::unauthorized);
  CHECK(contains(wrong.body(), "<p class=\"error\" role=\"alert\">Khóa không đúng.</p>"));
  CHECK(wrong[http::field::set_cookie].empty());

  Response right = f.post("/admin/sign-in", {{"token", token}});
  CHECK(right.result() == http::status::see_other);
  CHECK(right[http::field::location] == "/admin/sources");
  CHECK(std::regex_match(std::string(right[http::field::set_cookie]),
                         std::regex("tinhop_admin=[0-9a-f]{64}; Path=/admin; HttpOnly; SameSite=Strict")));

  // Behind a TLS proxy the cookie is Secure; so with admin.secure_cookies.
  Response proxied = f.post("/admin/sign-in", {{"token", token}}, {{"X-Forwarded-Proto", "https"}});
  CHECK(std::regex_match(
      std::string(proxied[http::field::set_cookie]),
      std::regex("tinhop_admin=[0-9a-f]{64}; Path=/admin; HttpOnly; SameSite=Strict; Secure")));
  CHECK(proxied[http::field::set_cookie] != right[http::field::set_cookie]);

  f.sign_in();
  Response list = f.get("/admin/sources");
  CHECK(list.result() == http::status::ok);
  CHECK(contains(list.body(), "<h1>Nguồn tin</h1>"));
  CHECK(contains(list.body(), "From the file"));
}

TEST_CASE("console: a session ends after idling, after its lifetime, and at sign-out") {
  Fixture f;
  f.sign_in();
  f.now += 29min;
  CHECK(f.get("/admin/sources").result() == http::status::ok);
  f.now += 30min;  // 30 minutes since the last request
  CHECK(f.get("/admin/sources")[http::field::location] == "/admin/sign-in");

  f.sign_in();
  const Instant opened = f.now;
  while (f.now - opened < 12h - 20min) {
    f.now += 20min;
    REQUIRE(f.get("/admin/sources").result() == http::status::ok);
  }
  f.now += 20min;  // busy, but 12 hours after the sign-in
  CHECK(f.get("/admin/sources")[http::field::location] == "/admin/sign-in");

  f.sign_in();
  Response out = f.submit("/admin/sign-out");
  CHECK(out.result() == http::status::see_other);
  CHECK(out[http::field::location] == "/admin/sign-in?done=signed_out");
  CHECK(out[http::field::set_cookie] == "tinhop_admin=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict");
  // The old cookie opens nothing any more.
  CHECK(f.get("/admin/sources")[http::field::location] == "/admin/sign-in");
  CHECK(contains(f.get("/admin/sign-in?done=signed_out").body(), "Đã đăng xuất."));
}

TEST_CASE("console: a form post without the session's CSRF token gets 403 and changes nothing") {
  Fixture f;
  const std::int64_t id = f.add_api_source("https://a.vn/rss");
  f.sign_in();
  const std::string target = "/admin/sources/" + std::to_string(id) + "/disable";
  for (const auto& fields : {std::vector<std::pair<std::string, std::string>>{},
                             {{"csrf", std::string(64, '0')}},
                             {{"csrf", f.csrf.substr(0, 63)}}}) {
    Response refused = f.post(target, fields);
    CHECK(refused.result() == http::status::forbidden);
    CHECK(refused.body() == kCsrfRefusal);
    CHECK(refused[http::field::content_type] == "text/plain; charset=utf-8");
  }
  // Another session's token is no better.
  Fixture other;
  other.sign_in();
  CHECK(f.post(target, {{"csrf", other.csrf}}).body() == kCsrfRefusal);
  // Nor is a post with no session at all.
  const std::string session = f.session;
  f.session.clear();
  CHECK(f.post(target, {{"csrf", f.csrf}}).body() == kCsrfRefusal);
  f.session = session;
  CHECK(f.store.get_source(id)->settings.enabled);
  CHECK(f.changes == 0);

  CHECK(f.submit(target).result() == http::status::see_other);
  CHECK_FALSE(f.store.get_source(id)->settings.enabled);
}

TEST_CASE("console: failed sign-ins are limited to five a minute") {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    CHECK(f.post("/admin/sign-in", {{"token", "wrong"}}).result() == http::status::unauthorized);
    f.now += 1s;
  }
  // Even the right token waits until the first failure is a minute old.
  Response limited = f.post("/admin/sign-in", {{"token", token}});
  CHECK(limited.result() == http::status::too_many_requests);
  CHECK(limited[http::field::retry_after] == "55");
  CHECK(contains(limited.body(), "Sai quá nhiều lần. Hãy thử lại sau 55 giây."));
  CHECK(limited[http::field::set_cookie].empty());
  f.now += 55s;
  CHECK(f.post("/admin/sign-in", {{"token", token}}).result() == http::status::see_other);
}

TEST_CASE("console: a site address is discovered, added and polled at once") {
  Fixture f;
  f.sign_in();
  CHECK(contains(f.get("/admin/sources/new").body(), "<input type=\"url\" id=\"url\" name=\"url\""));
  f.discovery.feeds = {
      {"https://site.vn/feed.xml", "Site", FeedKind::rss, FoundBy::alternate_link, FeedFormat::rss20, 12}};
  Response added = f.submit("/admin/sources/new", {{"url", "https://Site.vn"}});
  CHECK(f.discovered == std::vector<std::string>{"https://site.vn/"});
  REQUIRE(added.result() == http::status::see_other);
  auto source = f.store.find_source_by_url("https://site.vn/feed.xml").value();
  REQUIRE(source.has_value());
  CHECK(added[http::field::location] == "/admin/sources/" + std::to_string(source->id) + "?done=added");
  CHECK(f.polled == std::vector<std::int64_t>{source->id});
  CHECK(f.changes == 1);
  CHECK(contains(f.get(std::string(added[http::field::location])).body(),
                 "<p class=\"notice\" role=\"status\">Đã thêm nguồn và yêu cầu tải ngay.</p>"));
}

TEST_CASE("console: among several feeds the person chooses one") {
  Fixture f;
  f.sign_in();
  f.discovery.feeds = {
      {"https://site.vn/rss", "Tin chính", FeedKind::rss, FoundBy::alternate_link, FeedFormat::rss20, 20},
      {"https://site.vn/comments", "Bình luận", FeedKind::atom, FoundBy::alternate_link, FeedFormat::atom10,
       5}};
  Response choice = f.submit("/admin/sources/new", {{"url", "https://site.vn/"}});
  CHECK(choice.result() == http::status::ok);
  CHECK(
      contains(choice.body(), "<legend>Tìm thấy nhiều nguồn tin trên https://site.vn/; chọn một:</legend>"));
  CHECK(contains(choice.body(),
                 "<input type=\"radio\" name=\"feed\" id=\"feed-0\" value=\"https://site.vn/rss\" "
                 "checked><label class=\"inline\" for=\"feed-0\">Tin chính</label>"));
  CHECK(contains(choice.body(),
                 "value=\"https://site.vn/comments\"><label class=\"inline\" for=\"feed-1\">"
                 "Bình luận</label><span class=\"meta\"> https://site.vn/comments · atom10 · 5 tin"));
  CHECK(f.store.list_sources()->size() == 1);

  Response added = f.submit("/admin/sources/new", {{"feed", "https://site.vn/comments"}});
  CHECK(added.result() == http::status::see_other);
  CHECK(f.store.find_source_by_url("https://site.vn/comments")->has_value());
  CHECK(f.discovered.size() == 1);  // the chosen feed is added as it is

  // No feed, and an unreachable page: said on the form, nothing added.
  f.discovery.feeds.clear();
  Response none = f.submit("/admin/sources/new", {{"url", "https://empty.vn/"}});
  CHECK(none.result() == http::status::unprocessable_entity);
  CHECK(contains(none.body(), "Không tìm thấy nguồn tin nào trên https://empty.vn/."));
  f.discovery.error = "HTTP 404";
  Response gone = f.submit("/admin/sources/new", {{"url", "https://gone.vn/"}});
  CHECK(gone.result() == http::status::unprocessable_entity);
  CHECK(contains(gone.body(), "https://gone.vn/: HTTP 404"));
  CHECK(f.store.list_sources()->size() == 2);
}

TEST_CASE("console: editing saves through the API's rules; a mistake is shown and saves nothing") {
  Fixture f;
  const std::int64_t id = f.add_api_source("https://a.vn/rss");
  f.sign_in();
  const std::string target = "/admin/sources/" + std::to_string(id);
  Response page = f.get(target);
  CHECK(
      contains(page.body(), "<input type=\"checkbox\" id=\"enabled\" name=\"enabled\" value=\"1\" checked>"));
  CHECK(contains(page.body(), "<input type=\"checkbox\" id=\"websub\" name=\"websub\" value=\"1\" checked>"));

  Response saved = f.submit(target, {{"url", "https://a.vn/rss"},
                                     {"title", "Báo A"},
                                     {"categories", "thời sự, kinh tế"},
                                     {"interval", "15m"},
                                     {"enabled", "1"}});
  CHECK(saved.result() == http::status::see_other);
  CHECK(saved[http::field::location] == target + "?done=saved");
  auto settings = from_stored(f.store.get_source(id)->settings);
  CHECK(settings.title == "Báo A");
  CHECK(settings.categories == std::vector<std::string>{"thời sự", "kinh tế"});
  CHECK(settings.interval == 15min);
  CHECK(settings.enabled);
  CHECK_FALSE(settings.websub);

  Response refused = f.submit(target, {{"url", "https://a.vn/rss"}, {"title", ""}, {"interval", "soon"}});
  CHECK(refused.result() == http::status::bad_request);
  CHECK(contains(refused.body(), "interval: invalid duration &quot;soon&quot;"));
  CHECK(contains(refused.body(), "id=\"interval\" name=\"interval\" value=\"soon\""));  // kept as typed
  CHECK(from_stored(f.store.get_source(id)->settings).title == "Báo A");

  // The file's own sources are edited in the file.
  const std::int64_t file_id = f.store.find_source_by_url("https://file.vn/rss").value()->id;
  Response file_page = f.get("/admin/sources/" + std::to_string(file_id));
  CHECK(contains(file_page.body(), "Nguồn này khai báo trong tệp cấu hình"));
  CHECK_FALSE(contains(file_page.body(), "id=\"interval\""));
  Response file_post =
      f.submit("/admin/sources/" + std::to_string(file_id), {{"url", "https://file.vn/rss"}});
  CHECK(file_post.result() == http::status::conflict);
}

TEST_CASE("console: enable, disable, poll now, and remove after a confirmation") {
  Fixture f;
  const std::int64_t id = f.add_api_source("https://a.vn/rss");
  f.sign_in();
  const std::string base = "/admin/sources/" + std::to_string(id);
  CHECK(f.submit(base + "/poll")[http::field::location] == base + "?done=polled");
  CHECK(f.polled == std::vector<std::int64_t>{id});

  CHECK(f.submit(base + "/disable")[http::field::location] == base + "?done=disabled");
  CHECK_FALSE(f.store.get_source(id)->settings.enabled);
  Response refused = f.submit(base + "/poll");
  CHECK(refused.result() == http::status::conflict);
  CHECK(contains(refused.body(), "Nguồn đang tắt: hãy bật trước khi tải."));
  CHECK(f.polled.size() == 1);
  CHECK(f.submit(base + "/enable")[http::field::location] == base + "?done=enabled");
  CHECK(f.store.get_source(id)->settings.enabled);

  Response confirm = f.get(base + "/remove");
  CHECK(confirm.result() == http::status::ok);
  CHECK(contains(confirm.body(), "Xóa nguồn “https://a.vn/rss” cùng mọi tin đã lưu của nó?"));
  CHECK(contains(confirm.body(), "<form method=\"post\" action=\"" + base + "/remove\">"));
  CHECK(f.store.get_source(id).has_value());  // showing the question removes nothing

  Response removed = f.submit(base + "/remove");
  CHECK(removed[http::field::location] == "/admin/sources?done=removed");
  CHECK_FALSE(f.store.get_source(id).has_value());
  CHECK(f.submit(base + "/remove").result() == http::status::not_found);
}

TEST_CASE("console: the list searches, filters and pages thousands of sources") {
  Fixture f;
  for (int i = 1; i <= 60; ++i)
    f.add_api_source("https://s" + std::to_string(i) + ".vn/rss", {i % 2 == 0 ? "even" : "odd"});
  f.sign_in();
  const auto rows = [](const std::string& page) {
    std::size_t n = 0;
    for (std::size_t at = page.find("<tr><td>"); at != std::string::npos; at = page.find("<tr><td>", at + 1))
      ++n;
    return n;
  };
  const std::string first = f.get("/admin/sources").body();
  CHECK(contains(first, "61 nguồn"));
  CHECK(rows(first) == 50);
  CHECK(contains(first, "<a href=\"/admin/sources?page=2\">Trang sau →</a>"));
  const std::string second = f.get("/admin/sources?page=2").body();
  CHECK(rows(second) == 11);
  CHECK(contains(second, "<a href=\"/admin/sources?page=1\">← Trang trước</a>"));

  const std::string searched = f.get("/admin/sources?q=S1.VN").body();
  CHECK(contains(searched, "1 nguồn"));
  CHECK(contains(searched, "https://s1.vn/rss"));
  const std::string filtered = f.get("/admin/sources?category=even&q=s1").body();
  CHECK(contains(filtered, "5 nguồn"));  // s10, s12, s14, s16, s18
  CHECK(contains(filtered, "<option selected>even</option>"));
  CHECK(contains(f.get("/admin/sources?state=disabled").body(), "0 nguồn"));
  CHECK(contains(f.get("/admin/sources?failing=1").body(), "0 nguồn"));
  CHECK(contains(f.get("/admin/sources?category=odd&page=2").body(),
                 "<a href=\"/admin/sources?category=odd&amp;page=1\">"));
}

TEST_CASE("console: health shows state, errors and a 30-day sparkline") {
  Fixture f;
  const std::int64_t id = f.add_api_source("https://a.vn/rss");
  Feed feed;
  for (int i = 0; i < 3; ++i) {
    Item item;
    item.id = "g" + std::to_string(i);
    item.title = "Tin số " + std::to_string(i);
    item.link = "https://a.vn/" + std::to_string(i);
    item.published = f.now - std::chrono::hours(i);
    feed.items.push_back(item);
  }
  REQUIRE(f.store.ingest(id, feed, f.now - 24h).has_value());
  storage::FetchRecord failure;
  failure.source_id = id;
  failure.attempted = f.now - 1h;
  failure.status = storage::FetchStatus::failed;
  failure.error_class = "timeout";
  failure.error_text = "timed out after 30s";
  REQUIRE(f.store.record_fetch(failure).has_value());
  f.sign_in();
  const std::string page = f.get("/admin/sources?failing=1").body();
  CHECK(contains(page, "1 nguồn"));
  CHECK(contains(page, "<td class=\"bad\">Đang lỗi</td>"));
  CHECK(contains(page, "<td>timed out after 30s</td>"));
  CHECK(contains(page, "<td class=\"num\">0.1</td>"));
  // Three items the day before today: the 29th point of 30 is at the top.
  CHECK(contains(page, "<svg class=\"spark\" role=\"img\" aria-label=\"3 tin trong 30 ngày qua\""));
  CHECK(contains(page, "90.0,19.0\"/></svg>"));
  CHECK(contains(page, "86.9,1.0 90.0,19.0"));
}

TEST_CASE("console: English by ?hl=en or Accept-Language, kept for the session") {
  Fixture f;
  CHECK(
      contains(f.get("/admin/sign-in", {{"Accept-Language", "en-US,en;q=0.8"}}).body(), "<h1>Sign in</h1>"));
  f.sign_in();
  CHECK(contains(f.get("/admin/sources?hl=en").body(), "<html lang=\"en\">"));
  const std::string later = f.get("/admin/sources").body();
  CHECK(contains(later, "<h1>Sources</h1>"));
  CHECK(contains(later, "<a href=\"/admin/sources?hl=vi\" lang=\"vi\" hreflang=\"vi\">Tiếng Việt</a>"));
  CHECK(f.get("/admin/console.css")[http::field::content_type] == "text/css; charset=utf-8");
}

TEST_CASE("console: OPML export downloads the list; an uploaded file is imported") {
  Fixture f;
  f.sign_in();
  Response exported = f.get("/admin/opml?download=1");
  CHECK(exported.result() == http::status::ok);
  CHECK(exported[http::field::content_disposition] == "attachment; filename=\"tinhop-sources.opml\"");
  CHECK(contains(exported.body(), "xmlUrl=\"https://file.vn/rss\""));
  CHECK(contains(f.get("/admin/opml").body(), "enctype=\"multipart/form-data\""));

  const std::string opml =
      "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>t</title></head><body>"
      "<outline type=\"rss\" text=\"B\" xmlUrl=\"https://b.vn/rss\"/>"
      "<outline type=\"rss\" text=\"File\" xmlUrl=\"https://file.vn/rss\"/>"
      "<outline type=\"rss\" text=\"Bad\" xmlUrl=\"ftp://c.vn/rss\"/></body></opml>";
  const auto upload = [&](const std::string& csrf) {
    Request request{http::verb::post, "/admin/opml", 11};
    request.set(http::field::cookie, "tinhop_admin=" + f.session);
    request.set(http::field::content_type, "multipart/form-data; boundary=----x1");
    request.body() = "------x1\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf +
                     "\r\n------x1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.opml\"\r\n"
                     "Content-Type: text/x-opml\r\n\r\n" +
                     opml + "\r\n------x1--\r\n";
    request.prepare_payload();
    return f.console.handle(request);
  };
  CHECK(upload("wrong").body() == kCsrfRefusal);
  CHECK(f.store.list_sources()->size() == 1);

  Response imported = upload(f.csrf);
  CHECK(imported.result() == http::status::ok);
  CHECK(contains(imported.body(), "Thêm mới / đã có / bị từ chối: 1 / 1 / 1"));
  CHECK(contains(imported.body(), "3 (ftp://c.vn/rss): url: "));
  CHECK(f.store.find_source_by_url("https://b.vn/rss")->has_value());
  CHECK(f.changes == 1);
}

namespace {

// A listing page of three dated cards, and a sidebar whose links repeat no structure.
const std::string listing_page = R"(<!DOCTYPE html><html><head><title>Tin mới</title></head><body>
<nav><a href="/">Trang chủ</a> <a href="/lien-he">Liên hệ</a></nav>
<main>
<article class="card"><h3 class="card-title"><a href="/tin/vang-tang.html">Giá vàng tăng mạnh</a></h3>
<time datetime="2026-09-21T08:00:00+07:00">21/09/2026 08:00</time></article>
<article class="card"><h3 class="card-title"><a href="/tin/mua-lon.html">Mưa lớn ở miền Trung</a></h3>
<time datetime="2026-09-21T07:30:00+07:00">21/09/2026 07:30</time></article>
<article class="card"><h3 class="card-title"><a href="/tin/gia-xang.html">Giá xăng giảm nhẹ</a></h3>
<time datetime="2026-09-21T07:00:00+07:00">21/09/2026 07:00</time></article>
</main></body></html>)";

struct PreviewFixture : Fixture {
  test::TestHttpServer server;
  std::int64_t id = 0;

  PreviewFixture() : Fixture("[fetch]\nallow_networks = [\"127.0.0.0/8\"]\n") {
    server.on("/tin-moi", test::Script{200, {{"Content-Type", "text/html; charset=utf-8"}}, listing_page});
    config::SourceSettings settings;
    settings.url = server.url("/tin-moi");
    settings.type = config::SourceType::html;
    settings.selectors.item = "main h3";  // only the titles: links, but no dates
    Sources sources(store, live.current()->defaults, source_rules_from(*live.current()));
    auto added = sources.add(settings, config::Origin::api, now);
    REQUIRE(added.has_value());
    id = added->id;
    sign_in();
  }
  config::HtmlSelectors stored_selectors() {
    Sources sources(store, live.current()->defaults, source_rules_from(*live.current()));
    return from_stored(sources.get(id)->settings).selectors;
  }
  std::string page() const { return "/admin/sources/" + std::to_string(id) + "/preview"; }
};

}  // namespace

TEST_CASE("console: an html source's preview shows what its selectors extract and ranked suggestions") {
  PreviewFixture f;
  CHECK(contains(f.get("/admin/sources/" + std::to_string(f.id)).body(),
                 "<a href=\"" + f.page() + "\">Xem trước trang</a>"));
  Response preview = f.get(f.page());
  CHECK(preview.result() == http::status::ok);
  const std::string& body = preview.body();
  CHECK(contains(body, "<h1>Xem trước: " + f.server.url("/tin-moi") + "</h1>"));
  CHECK(contains(body, "<code>item=main h3</code>"));
  CHECK(contains(body, ">Giá vàng tăng mạnh</a><div class=\"meta\">" + f.server.url("/tin/vang-tang.html") +
                           "</div></td><td>(không có ngày)</td>"));
  CHECK(contains(body, ">Mưa lớn ở miền Trung</a>"));
  CHECK(contains(body, ">Giá xăng giảm nhẹ</a>"));
  // Best first: the cards, with their dates.
  CHECK(contains(
      body,
      "<h2>Bộ chọn gợi ý</h2><ol><li><p>3 tin · 3 tin có ngày · 3 elements &quot;article.card&quot; "
      "each hold one article link</p><p class=\"meta\"><code>item=article.card; title=h3.card-title a; "
      "link=h3.card-title a; date=time</code></p><form method=\"post\" action=\"" +
          f.page() + "\"><input type=\"hidden\" name=\"csrf\" value=\"" + f.csrf +
          "\"><input type=\"hidden\" name=\"html_item\" value=\"article.card\">"));
  CHECK(contains(body, "<button>Dùng bộ chọn này</button>"));
}

TEST_CASE("console: an html source's date format is in the edit form and survives a picked suggestion") {
  PreviewFixture f;
  {
    Sources sources(f.store, f.live.current()->defaults, source_rules_from(*f.live.current()));
    config::SourceSettings settings = from_stored(sources.get(f.id)->settings);
    settings.selectors.date_format = "%d/%m/%Y %H:%M";
    REQUIRE(sources.replace(f.id, settings, f.now).has_value());
  }
  CHECK(contains(f.get("/admin/sources/" + std::to_string(f.id)).body(),
                 "name=\"html_date_format\" value=\"%d/%m/%Y %H:%M\""));
  Response saved = f.submit(f.page(), {{"html_item", "article.card"},
                                       {"html_title", "h3.card-title a"},
                                       {"html_link", "h3.card-title a"},
                                       {"html_date", "time"}});
  CHECK(saved.result() == http::status::see_other);
  CHECK(f.stored_selectors().item == "article.card");
  CHECK(f.stored_selectors().date_format == "%d/%m/%Y %H:%M");
}

TEST_CASE("console: picking a suggestion saves its selectors and previews them; without the token nothing") {
  PreviewFixture f;
  const std::vector<std::pair<std::string, std::string>> picked{{"html_item", "article.card"},
                                                                {"html_title", "h3.card-title a"},
                                                                {"html_link", "h3.card-title a"},
                                                                {"html_date", "time"},
                                                                {"html_summary", ""},
                                                                {"html_image", ""}};

  Response refused = f.post(f.page(), picked);
  CHECK(refused.result() == http::status::forbidden);
  CHECK(refused.body() == kCsrfRefusal);
  CHECK(f.stored_selectors().item == "main h3");

  Response saved = f.submit(f.page(), picked);
  CHECK(saved.result() == http::status::see_other);
  CHECK(saved[http::field::location] == f.page() + "?done=selectors");
  const config::HtmlSelectors selectors = f.stored_selectors();
  CHECK(selectors.item == "article.card");
  CHECK(selectors.title == "h3.card-title a");
  CHECK(selectors.link == "h3.card-title a");
  CHECK(selectors.date == "time");
  CHECK(selectors.summary.empty());
  CHECK(f.changes == 1);

  const std::string body = f.get(f.page() + "?done=selectors").body();
  CHECK(contains(body, "Đã lưu bộ chọn mới."));
  CHECK(contains(body,
                 "<code>item=article.card; title=h3.card-title a; link=h3.card-title a; date=time</code>"));
  // 08:00 in Hồ Chí Minh City, 13 hours before the fixture's clock.
  CHECK(contains(body, ">Giá vàng tăng mạnh</a><div class=\"meta\">" + f.server.url("/tin/vang-tang.html") +
                           "</div></td><td>13 giờ trước</td>"));

  Response bad = f.submit(f.page(), {{"html_item", ""}, {"html_title", "h3"}});
  CHECK(bad.result() == http::status::bad_request);
  CHECK(contains(bad.body(),
                 "<p class=\"error\" role=\"alert\">html.item: an html source needs an item selector</p>"));
  CHECK(f.stored_selectors().item == "article.card");
}

TEST_CASE("console: a page that cannot be read is a message, not a failure") {
  PreviewFixture f;
  f.server.on("/tin-moi", test::Script{404, {{"Content-Type", "text/html"}}, "gone"});
  Response missing = f.get(f.page());
  CHECK(missing.result() == http::status::bad_gateway);
  CHECK(contains(missing.body(),
                 "<p class=\"error\" role=\"alert\">Không đọc được trang: fetch failed: HTTP 404</p>"));

  f.server.on("/tin-moi", test::Script{200, {{"Content-Type", "application/rss+xml"}}, "<rss/>"});
  CHECK(contains(f.get(f.page() + "?hl=en").body(),
                 "<p class=\"error\" role=\"alert\">The page could not be read: not an HTML page: "
                 "application/rss+xml</p>"));

  Response feed = f.get("/admin/sources/1/preview");
  CHECK(feed.result() == http::status::conflict);
  CHECK(contains(feed.body(), "Only HTML sources have a preview."));
}

TEST_CASE("console: the alerts page shows failing and stale sources, then the changes newest first") {
  Fixture f;
  const std::int64_t failing = f.add_api_source("https://a.vn/rss");
  const std::int64_t stale = f.add_api_source("https://b.vn/rss");
  storage::FetchRecord failure;
  failure.source_id = failing;
  failure.attempted = f.now - 1h;
  failure.status = storage::FetchStatus::failed;
  failure.error_class = "timeout";
  failure.error_text = "timed out after 30s";
  REQUIRE(f.store.record_fetch(failure).has_value());
  REQUIRE(f.store.record_alert({0, stale, "stale", f.now - 72h, "no new item for 3 days"}).has_value());
  REQUIRE(f.store.record_alert({0, failing, "failing", f.now - 2h, "3 failures in a row"}).has_value());
  f.sign_in();

  const std::string page = f.get("/admin/alerts").body();
  CHECK(contains(page, "<a href=\"/admin/alerts\">Cảnh báo <span class=\"badge\">2</span></a>"));
  CHECK(contains(
      page,
      "<h2>Nguồn đang có cảnh báo</h2><div class=\"table\"><table><thead><tr><th scope=\"col\">Nguồn</th>"
      "<th scope=\"col\">Tình trạng</th><th scope=\"col\">Từ lúc</th><th scope=\"col\">Lỗi</th></tr>"
      "</thead><tbody><tr><td><a href=\"/admin/sources/2\">https://a.vn/rss</a></td><td class=\"bad\">"
      "Lỗi liên tục</td><td>2 giờ trước</td><td>timed out after 30s</td></tr><tr><td><a "
      "href=\"/admin/sources/3\">https://b.vn/rss</a></td><td class=\"bad\">Ngừng đăng tin</td><td>"
      "21:13, 18/09/2026</td><td></td></tr></tbody></table></div>"));
  CHECK(contains(
      page,
      "<h2>Thay đổi gần đây</h2><div class=\"table\"><table><thead><tr><th scope=\"col\">Lúc</th>"
      "<th scope=\"col\">Nguồn</th><th scope=\"col\">Tình trạng</th><th scope=\"col\">Chi tiết</th>"
      "</tr></thead><tbody><tr><td>2 giờ trước</td><td><a href=\"/admin/sources/2\">https://a.vn/rss</a>"
      "</td><td class=\"bad\">Lỗi liên tục</td><td>3 failures in a row</td></tr><tr><td>21:13, "
      "18/09/2026</td><td><a href=\"/admin/sources/3\">https://b.vn/rss</a></td><td class=\"bad\">"
      "Ngừng đăng tin</td><td>no new item for 3 days</td></tr></tbody></table></div>"));
  CHECK(!contains(page, "nav class=\"pages\""));

  // The source list and the source's page say it too.
  CHECK(contains(
      f.get("/admin/sources").body(),
      "<td class=\"bad\">Đang lỗi<div class=\"meta\"><a href=\"/admin/alerts\">Cảnh báo: Lỗi liên tục</a>"
      " · 2 giờ trước</div></td>"));
  CHECK(contains(f.get("/admin/sources/3").body(),
                 "<dt>Cảnh báo hiện tại</dt><dd><a class=\"bad\" href=\"/admin/alerts\">Ngừng đăng tin</a> · "
                 "Từ lúc: 21:13, 18/09/2026</dd>"));
  CHECK(!contains(f.get("/admin/sources/1").body(), "Cảnh báo hiện tại"));
  CHECK(contains(f.get("/admin/alerts?hl=en").body(), "<td class=\"bad\">Stale</td>"));
}

TEST_CASE("console: alert changes are paged fifty at a time; a removed source is named by its id") {
  Fixture f;
  const std::int64_t id = f.add_api_source("https://a.vn/rss");
  for (int i = 0; i < 52; ++i) {
    const std::string kind = i % 2 == 0 ? "failing" : "recovered";
    REQUIRE(
        f.store
            .record_alert({0, id, kind, f.now - std::chrono::minutes(60 - i), "change " + std::to_string(i)})
            .has_value());
  }
  Sources sources(f.store, f.live.current()->defaults, source_rules_from(*f.live.current()));
  REQUIRE(sources.remove(id).has_value());
  f.sign_in();
  const std::string first = f.get("/admin/alerts").body();
  CHECK(contains(first, "<p>Không nguồn nào đang có cảnh báo.</p>"));
  CHECK(contains(first, "<a href=\"/admin/alerts\">Cảnh báo</a>"));
  CHECK(contains(first, "<td>nguồn 2 (đã xóa)</td><td class=\"good\">Đã hồi phục</td><td>change 51</td>"));
  CHECK(contains(first, "<td>change 2</td>"));
  CHECK(!contains(first, "<td>change 1</td>"));
  CHECK(contains(first,
                 "<nav class=\"pages\" aria-label=\"Chuyển trang\"><a href=\"/admin/alerts?page=2\">"
                 "Trang sau →</a></nav>"));
  const std::string second = f.get("/admin/alerts?page=2").body();
  CHECK(contains(second, "<td>change 1</td>"));
  CHECK(contains(second, "<td>change 0</td>"));
  CHECK(!contains(second, "<td>change 2</td>"));
  CHECK(contains(second, "<a href=\"/admin/alerts?page=1\">← Trang trước</a></nav>"));
  // Past the end, a way back; a page no list can have (out of range or not a number) is not
  // found (one near the int64 maximum once wrapped the offset arithmetic).
  const std::string past = f.get("/admin/alerts?page=3").body();
  CHECK(contains(past, "<a href=\"/admin/alerts?page=2\">← Trang trước</a></nav>"));
  for (const char* page :
       {"0", "-1", "abc", "2x", "1000001", "9223372036854775807", "99999999999999999999"}) {
    INFO("page=" << page);
    const Response response = f.get(std::string("/admin/alerts?page=") + page);
    CHECK(response.result() == http::status::not_found);
    CHECK(contains(response.body(), "Không tìm thấy trang"));
    CHECK(f.get(std::string("/admin/sources?page=") + page).result() == http::status::not_found);
  }
  CHECK(f.get("/admin/alerts?page=1").result() == http::status::ok);
}

TEST_CASE("console: a page without a feed that looks like a listing is offered as an html source") {
  PreviewFixture f;
  f.server.on("/danh-sach", test::Script{200, {{"Content-Type", "text/html; charset=utf-8"}}, listing_page});
  const std::string url = f.server.url("/danh-sach");
  Response offered = f.submit("/admin/sources/new", {{"url", url}});
  CHECK(offered.result() == http::status::ok);
  const std::string& body = offered.body();
  CHECK(contains(body,
                 "<p class=\"notice\" role=\"status\">Trang " + url +
                     " không có nguồn tin nhưng giống một trang danh sách tin: có thể thêm nó làm nguồn HTML "
                     "với một bộ chọn gợi ý bên dưới.</p>"));
  // What the best suggestion extracts, then each suggestion with its button.
  CHECK(contains(body, ">Giá vàng tăng mạnh</a><div class=\"meta\">" + f.server.url("/tin/vang-tang.html") +
                           "</div></td><td>13 giờ trước</td>"));
  CHECK(contains(body,
                 "<form method=\"post\" action=\"/admin/sources/new\"><input type=\"hidden\" name=\"csrf\" "
                 "value=\"" +
                     f.csrf +
                     "\"><input type=\"hidden\" name=\"type\" value=\"html\"><input type=\"hidden\" "
                     "name=\"url\" value=\"" +
                     url + "\"><input type=\"hidden\" name=\"html_item\" value=\"article.card\">"));
  CHECK(contains(body, "<button>Thêm làm nguồn HTML với bộ chọn này</button>"));
  CHECK(f.changes == 0);

  Response added = f.submit("/admin/sources/new", {{"type", "html"},
                                                   {"url", url},
                                                   {"html_item", "article.card"},
                                                   {"html_title", "h3.card-title a"},
                                                   {"html_link", "h3.card-title a"},
                                                   {"html_date", "time"},
                                                   {"html_summary", ""},
                                                   {"html_image", ""}});
  REQUIRE(added.result() == http::status::see_other);
  auto source = f.store.find_source_by_url(url).value();
  REQUIRE(source.has_value());
  CHECK(added[http::field::location] == "/admin/sources/" + std::to_string(source->id) + "?done=added");
  CHECK(source->settings.type == storage::SourceType::html);
  const config::HtmlSelectors selectors = from_stored(source->settings).selectors;
  CHECK(selectors ==
        config::HtmlSelectors{"article.card", "h3.card-title a", "h3.card-title a", "time", "", "", ""});
  CHECK(f.polled == std::vector<std::int64_t>{source->id});
  CHECK(f.changes == 1);

  // A page with no repeated structure is just "no feed".
  f.server.on("/gioi-thieu", test::Script{200, {{"Content-Type", "text/html"}}, "<p>Giới thiệu</p>"});
  Response none = f.submit("/admin/sources/new", {{"url", f.server.url("/gioi-thieu")}});
  CHECK(none.result() == http::status::unprocessable_entity);
  CHECK(contains(none.body(), "<p class=\"error\" role=\"alert\">Không tìm thấy nguồn tin nào trên " +
                                  f.server.url("/gioi-thieu") + ".</p>"));
}

TEST_CASE("console: a hostile page's script links are never links in its preview") {
  PreviewFixture f;
  f.server.on("/tin-moi", test::Script{200,
                                       {{"Content-Type", "text/html; charset=utf-8"}},
                                       R"html(<html><body><main>
<h3><a href="java&#x09;script:alert(document.cookie)">Tin độc: tab trong scheme</a></h3>
<h3><a href="/tin/that.html">Tin thật &lt;img src=x onerror=alert(1)&gt;</a></h3>
</main></body></html>)html"});
  Response preview = f.get(f.page());
  CHECK(preview.result() == http::status::ok);
  const std::string& body = preview.body();
  CHECK_FALSE(contains(body, "javascript:"));
  CHECK_FALSE(contains(body, "Tin độc"));
  CHECK(contains(body, ">Tin thật &lt;img src=x onerror=alert(1)&gt;</a>"));
}
