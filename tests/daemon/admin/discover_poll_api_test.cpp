// POST /api/discover, POST /api/sources with "discover": true, and POST /api/poll, with a
// fake discovery in place of the daemon's fetching one.
#include <catch2/catch.hpp>
#include <map>

#include "tinhop/admin/api.hpp"

using namespace tinhop;
using namespace tinhop::admin;

namespace {

const std::string token = "0123456789abcdef0123456789abcdef";
const Instant now = Instant(std::chrono::seconds(1'790'000'000));

fetch::DiscoveredFeed feed(std::string url, std::string title, FeedKind kind, FoundBy found_by) {
  return fetch::DiscoveredFeed{std::move(url),
                               std::move(title),
                               kind,
                               found_by,
                               kind == FeedKind::atom ? FeedFormat::atom10 : FeedFormat::rss20,
                               3};
}

struct Fixture {
  storage::Store store = storage::Store::open(":memory:").value();
  config::LiveConfig live{config::Config{}};
  std::map<std::string, fetch::Discovery> sites;
  std::vector<std::string> discovered;
  std::vector<std::int64_t> polled;
  bool busy = false;  // the discover hook has too many fetches waiting
  Api api{Token{token}, store, live,
          ApiHooks{[this](std::int64_t id) {
                     polled.push_back(id);
                     return id != 3;  // the poller has not heard of source 3 yet
                   },
                   nullptr, nullptr, nullptr,
                   [this](const std::string& url) -> std::optional<fetch::Discovery> {
                     if (busy) return std::nullopt;
                     discovered.push_back(url);
                     auto it = sites.find(url);
                     return it == sites.end() ? fetch::Discovery{"HTTP 404", false, {}} : it->second;
                   },
                   nullptr},
          [] { return now; }};

  Fixture() {
    sites["https://bao.example/"] = {
        "",
        false,
        {feed("https://bao.example/tin-moi.rss", "Tin mới", FeedKind::rss, FoundBy::alternate_link),
         feed("https://bao.example/thoi-su.atom", "Thời sự", FeedKind::atom, FoundBy::page_link)}};
    sites["https://blog.example/"] = {
        "", false, {feed("https://blog.example/feed", "Blog", FeedKind::rss, FoundBy::common_path)}};
    sites["https://trang.example/"] = {"", false, {}};
  }

  Response call(http::verb method, const std::string& target, const std::string& body) {
    Request request{method, target, 11};
    request.set(http::field::authorization, "Bearer " + token);
    request.body() = body;
    request.prepare_payload();
    return api.handle(request);
  }
};

}  // namespace

TEST_CASE("POST /api/discover lists the feeds behind an address", "[discover]") {
  Fixture f;
  Response found = f.call(http::verb::post, "/api/discover", R"({"url": "https://bao.example/"})");
  CHECK(found.result() == http::status::ok);
  CHECK(
      found.body() ==
      R"({"url":"https://bao.example/","page_is_feed":false,"feeds":[)"
      R"({"url":"https://bao.example/tin-moi.rss","title":"Tin mới","kind":"rss","found_by":"alternate_link","format":"rss20","items":3},)"
      R"({"url":"https://bao.example/thoi-su.atom","title":"Thời sự","kind":"atom","found_by":"page_link","format":"atom10","items":3}]})"
      "\n");
  Response missing = f.call(http::verb::post, "/api/discover", R"({"url": "https://nowhere.example/"})");
  CHECK(missing.result() == http::status::unprocessable_entity);
  CHECK(missing.body() == R"({"error":"unreachable","message":"https://nowhere.example/: HTTP 404"})"
                          "\n");
  Response wrong = f.call(http::verb::post, "/api/discover", R"({"address": "https://bao.example/"})");
  CHECK(wrong.result() == http::status::bad_request);
  CHECK(wrong.body() == R"({"error":"invalid","message":"expected {\"url\": \"https://...\"}"})"
                        "\n");
  CHECK(f.call(http::verb::get, "/api/discover", "").result() == http::status::method_not_allowed);
}

TEST_CASE("a discovery beyond the fetches allowed at once is refused with 503 and Retry-After",
          "[discover]") {
  Fixture f;
  f.busy = true;
  for (const auto& [target, body] :
       {std::pair<std::string, std::string>{"/api/discover", R"({"url": "https://bao.example/"})"},
        {"/api/sources", R"({"url": "https://blog.example/", "discover": true})"}}) {
    Response refused = f.call(http::verb::post, target, body);
    CHECK(refused.result() == http::status::service_unavailable);
    CHECK(refused[http::field::retry_after] == "5");
    CHECK(
        refused.body() ==
        R"({"error":"busy","message":"too many discoveries and previews in flight; retry in a few seconds"})"
        "\n");
  }
  CHECK(f.store.list_sources().value().empty());
}

TEST_CASE("POST /api/sources with discover adds the one feed a site offers", "[discover]") {
  Fixture f;
  Response added = f.call(http::verb::post, "/api/sources",
                          R"({"url": "HTTPS://Blog.example", "discover": true, "title": "B"})");
  REQUIRE(added.result() == http::status::created);
  CHECK(f.discovered == std::vector<std::string>{"https://blog.example/"});  // the canonical URL
  const auto source = f.store.get_source(1).value();
  CHECK(source.settings.url == "https://blog.example/feed");
  CHECK(source.settings.title == "B");
  CHECK(added[http::field::location] == "/api/sources/1");
}

TEST_CASE("POST /api/sources with discover refuses to choose among several feeds, or none", "[discover]") {
  Fixture f;
  Response several =
      f.call(http::verb::post, "/api/sources", R"({"url": "https://bao.example/", "discover": true})");
  CHECK(several.result() == http::status::conflict);
  const auto body = boost::json::parse(several.body());
  CHECK(body.at("error") == "several_feeds");
  CHECK(body.at("message") == "2 feeds found on https://bao.example/; add one of them by its url");
  CHECK(body.at("feeds").as_array().size() == 2);
  Response none =
      f.call(http::verb::post, "/api/sources", R"({"url": "https://trang.example/", "discover": true})");
  CHECK(none.result() == http::status::unprocessable_entity);
  CHECK(boost::json::parse(none.body()).at("message") ==
        "no feed found on https://trang.example/; add the page itself with \"type\": \"html\" to read its "
        "links");
  Response internal =
      f.call(http::verb::post, "/api/sources", R"({"url": "http://127.0.0.1/", "discover": true})");
  CHECK(internal.result() == http::status::bad_request);
  CHECK(f.discovered.size() == 2);  // nothing fetched for an address the source could not reach
  Response flag =
      f.call(http::verb::post, "/api/sources", R"({"url": "https://bao.example/", "discover": "yes"})");
  CHECK(flag.body() == R"({"error":"invalid","message":"discover: expected true or false"})"
                       "\n");
  CHECK(f.store.list_sources().value().empty());
}

TEST_CASE("POST /api/poll schedules the named or all enabled sources and says which it could not", "[poll]") {
  Fixture f;
  for (const char* url : {"https://a.example/rss", "https://b.example/rss", "https://c.example/rss"}) {
    REQUIRE(f.call(http::verb::post, "/api/sources", std::string(R"({"url": ")") + url + "\"}").result() ==
            http::status::created);
  }
  REQUIRE(f.call(http::verb::patch, "/api/sources/2", R"({"enabled": false})").result() == http::status::ok);

  Response named = f.call(http::verb::post, "/api/poll", R"({"sources": [1, 2, 9]})");
  CHECK(named.result() == http::status::accepted);
  CHECK(named.body() == R"({"scheduled":[1],"refused":[{"id":2,"message":"source 2 is disabled"},)"
                        R"({"id":9,"message":"no source with id 9"}]})"
                        "\n");
  CHECK(f.polled == std::vector<std::int64_t>{1});

  Response all = f.call(http::verb::post, "/api/poll", R"({"all": true})");
  CHECK(all.result() == http::status::accepted);
  CHECK(
      all.body() ==
      R"({"scheduled":[1],"refused":[{"id":3,"message":"the poller does not know source 3 yet; retry in a second"}]})"
      "\n");
  Response nothing = f.call(http::verb::post, "/api/poll", R"({"sources": [2]})");
  CHECK(nothing.result() == http::status::conflict);

  for (const char* bad :
       {R"({})", R"({"all": false})", R"({"sources": []})", R"({"all": true, "sources": [1]})"}) {
    Response refused = f.call(http::verb::post, "/api/poll", bad);
    CHECK(refused.result() == http::status::bad_request);
    CHECK(refused.body() ==
          R"({"error":"invalid","message":"expected {\"sources\": [ID, ...]} or {\"all\": true}"})"
          "\n");
  }
  CHECK(f.call(http::verb::post, "/api/poll", R"({"sources": [0]})").body() ==
        R"({"error":"invalid","message":"sources: expected positive source ids, got 0"})"
        "\n");
}
