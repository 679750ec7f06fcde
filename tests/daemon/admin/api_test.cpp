// The admin API as a function: auth, precise 400s, CRUD with ownership, OPML, reload.
#include <catch2/catch.hpp>
#include <map>

#include "tinhop/admin/api.hpp"
#include "tinhop/admin/json.hpp"
#include "tinhop/admin/sync.hpp"
#include "tinhop/config/opml.hpp"

using namespace tinhop;
using namespace tinhop::admin;
using namespace std::chrono_literals;

namespace {

const std::string token = "0123456789abcdef0123456789abcdef";
const Instant now = Instant(std::chrono::seconds(1'790'000'000));

config::Config file_config(const std::string& toml) {
  auto result = config::parse_config(toml, "/etc/tinhop/tinhop.toml");
  REQUIRE(result.ok());
  return *result.config;
}

struct Fixture {
  storage::Store store = storage::Store::open(":memory:").value();
  config::LiveConfig live{
      file_config("[[source]]\nurl = \"https://file.vn/rss\"\ntitle = \"From the file\"\n")};
  std::vector<std::int64_t> polled;
  int changes = 0;
  ApiHooks::Reload next_reload;
  Api api{Token{token}, store, live,
          ApiHooks{[this](std::int64_t id) {
                     polled.push_back(id);
                     return true;
                   },
                   [this] { return next_reload; }, nullptr, [this] { ++changes; }, nullptr, nullptr},
          [] { return now; }};

  Fixture() { REQUIRE(sync_sources(store, *live.current(), now).added == 1); }

  Response call(http::verb method, const std::string& target, const std::string& body = {},
                std::optional<std::string> bearer = token) {
    Request request{method, target, 11};
    if (bearer) request.set(http::field::authorization, "Bearer " + *bearer);
    request.body() = body;
    request.prepare_payload();
    return api.handle(request);
  }
  boost::json::value json(const Response& response) { return boost::json::parse(response.body()); }
  std::string message(const Response& response) {
    return std::string(json(response).at("message").as_string());
  }
};

}  // namespace

TEST_CASE("a request without a token or with a wrong one gets 401") {
  Fixture f;
  Response none = f.call(http::verb::get, "/api/sources", {}, std::nullopt);
  CHECK(none.result() == http::status::unauthorized);
  CHECK(f.message(none) == "missing Authorization: Bearer <token>");
  CHECK(none[http::field::www_authenticate] == "Bearer realm=\"tinhop\"");
  Response wrong = f.call(http::verb::get, "/api/sources", {}, token + "x");
  CHECK(wrong.result() == http::status::unauthorized);
  CHECK(f.message(wrong) == "invalid token");
  CHECK(f.call(http::verb::get, "/api/sources", {}, token.substr(0, 31)).result() ==
        http::status::unauthorized);
  CHECK(f.call(http::verb::post, "/api/sources", R"({"url":"https://a.vn/rss"})", "").result() ==
        http::status::unauthorized);
  // Nothing was added by the refused request.
  CHECK(f.store.list_sources().value().size() == 1);
  CHECK(f.call(http::verb::get, "/api/sources").result() == http::status::ok);
}

TEST_CASE("input errors get 400 with a precise message and change nothing") {
  Fixture f;
  struct Case {
    std::string body;
    std::string message;
  };
  std::vector<Case> cases = {
      {R"({"url": "https://a.vn/rss",)", "body: malformed JSON at byte 27: incomplete JSON"},
      {R"({"url": "https://a.vn/rss"} x)", "body: malformed JSON at byte 28: extra data"},
      {R"(["https://a.vn/rss"])", "body: expected a JSON object, got an array"},
      {R"({"title": "no url"})", "url: required"},
      {R"({"url": "htttp://dantri.com.vn/xa-hoi.rss"})",
       "url: unknown scheme 'htttp' (did you mean 'http'?)"},
      {R"({"url": "http://danviet.vn/rss/home.rss "})", "url: URL has trailing whitespace"},
      {R"({"url": "https://a.vn/rss", "intervall": "5m"})",
       "unknown field \"intervall\" (did you mean \"interval\"?)"},
      {R"({"url": "https://a.vn/rss", "colour": "red"})", "unknown field \"colour\""},
      {R"({"url": "https://a.vn/rss", "id": 4})", "id: read-only field"},
      {R"({"url": "https://a.vn/rss", "interval": "often"})",
       "interval: invalid duration \"often\" (write a number of seconds, or \"90s\", \"15m\", \"1h30m\")"},
      {R"({"url": "https://a.vn/rss", "interval": true})",
       "interval: expected a duration such as \"15m\" or a positive number of seconds, got a boolean"},
      {R"({"url": "https://a.vn/rss", "enabled": "yes"})", "enabled: expected true or false, got a string"},
      {R"({"url": "https://a.vn/rss", "type": "atom"})",
       "type: unknown value \"atom\" (expected one of: feed, html)"},
      {R"({"url": "https://a.vn/rss", "time_zone": "Asia/Ho_Chi_Mihn"})",
       "time_zone: unknown time zone 'Asia/Ho_Chi_Mihn' (did you mean 'Asia/Ho_Chi_Minh'?)"},
      {R"({"url": "https://a.vn/rss", "categories": "kinh-te"})",
       "categories: expected an array of strings, got a string"},
      {R"({"url": "https://a.vn/rss", "headers": {"Host": "b.vn"}})",
       "headers: header 'Host' is managed by tinhop and cannot be set"},
      {R"({"url": "https://a.vn/rss", "type": "html"})", "html.item: an html source needs an item selector"},
      {R"({"url": "https://a.vn/x", "type": "html", "html": {"item": "li", "tilte": "b"}})",
       "unknown field \"html.tilte\" (did you mean \"html.title\"?)"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    Response response = f.call(http::verb::post, "/api/sources", c.body);
    CHECK(response.result() == http::status::bad_request);
    CHECK(f.message(response) == c.message);
  }
  CHECK(f.store.list_sources().value().size() == 1);
  CHECK(f.changes == 0);
}

TEST_CASE("a key given twice in one object is refused, so one field cannot hide another") {
  Fixture f;
  struct Case {
    std::string body;
    std::string message;
  };
  std::vector<Case> cases = {
      {R"({"url": "https://a.vn/rss", "enabled": false, "enabled": true})",
       "body: the key \"enabled\" is given twice in one object"},
      {R"({"url": "https://a.vn/rss", "url": "https://b.vn/rss"})",
       "body: the key \"url\" is given twice in one object"},
      {R"({"url": "https://a.vn/x", "type": "html", "html": {"item": "li", "item": "div"}})",
       "body: the key \"item\" is given twice in one object"},
      // The same key escaped differently is the same key.
      {R"({"url": "https://a.vn/rss", "title": "a", "\u0074itle": "b"})",
       "body: the key \"title\" is given twice in one object"},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    Response response = f.call(http::verb::post, "/api/sources", c.body);
    CHECK(response.result() == http::status::bad_request);
    CHECK(f.message(response) == c.message);
  }
  auto id = f.store.list_sources().value().front().id;
  Response patch = f.call(http::verb::patch, "/api/sources/" + std::to_string(id),
                          R"({"enabled": true, "enabled": false})");
  CHECK(patch.result() == http::status::bad_request);
  // The same key in two different objects is fine.
  CHECK(
      f.call(
           http::verb::post, "/api/sources",
           R"({"url": "https://c.vn/x", "type": "html", "title": "c", "html": {"item": "li", "title": "h2"}})")
          .result() == http::status::created);
  CHECK(f.store.list_sources().value().size() == 2);
}

TEST_CASE("a control character in a title or category given through the API is refused") {
  Fixture f;
  for (const char* body : {R"({"url": "https://a.vn/rss", "title": "Tin\u0000 giả"})",
                           R"({"url": "https://a.vn/rss", "title": "a\r\nb"})",
                           R"({"url": "https://a.vn/rss", "categories": ["x\u001b[31m"]})"}) {
    INFO(body);
    Response response = f.call(http::verb::post, "/api/sources", body);
    CHECK(response.result() == http::status::bad_request);
    CHECK(f.message(response).find("contains a control character") != std::string::npos);
  }
  CHECK(f.store.list_sources().value().size() == 1);
}

TEST_CASE("sources are created, read, edited, disabled and removed through the API") {
  Fixture f;
  Response created =
      f.call(http::verb::post, "/api/sources",
             R"({"url": "HTTPS://VnExpress.net/rss/thoi-su.rss", "title": "VnE", "interval": "10m",
                                "categories": ["thoi-su"], "headers": {"Cookie": "a=1"}})");
  REQUIRE(created.result() == http::status::created);
  auto body = f.json(created).as_object();
  std::int64_t id = body.at("id").as_int64();
  CHECK(created[http::field::location] == "/api/sources/" + std::to_string(id));
  CHECK(body.at("url") == "https://vnexpress.net/rss/thoi-su.rss");
  CHECK(body.at("origin") == "api");
  CHECK(body.at("interval") == "10m");
  CHECK(body.at("date_order") == "auto");
  CHECK(f.changes == 1);

  Response duplicate =
      f.call(http::verb::post, "/api/sources", R"({"url": "https://vnexpress.net:443/rss/thoi-su.rss"})");
  CHECK(duplicate.result() == http::status::conflict);
  CHECK(f.message(duplicate) == "url: source " + std::to_string(id) + " (origin api) has this URL already");

  Response patched = f.call(http::verb::patch, "/api/sources/" + std::to_string(id),
                            R"({"title": null, "enabled": false, "republication": "summary"})");
  INFO(patched.body());
  REQUIRE(patched.result() == http::status::ok);
  CHECK(f.json(patched).at("title").is_null());
  CHECK(f.json(patched).at("enabled") == false);
  CHECK(f.json(patched).at("republication") == "summary");
  CHECK(f.json(patched).at("interval") == "10m");  // untouched members stay

  Response got = f.call(http::verb::get, "/api/sources/" + std::to_string(id));
  REQUIRE(got.result() == http::status::ok);
  CHECK(f.json(got).at("health").at("polls") == 0);

  CHECK(f.call(http::verb::post, "/api/sources/" + std::to_string(id) + "/poll").result() ==
        http::status::conflict);
  f.call(http::verb::patch, "/api/sources/" + std::to_string(id), R"({"enabled": true})");
  CHECK(f.call(http::verb::post, "/api/sources/" + std::to_string(id) + "/poll").result() ==
        http::status::accepted);
  CHECK(f.polled == std::vector<std::int64_t>{id});

  CHECK(f.call(http::verb::delete_, "/api/sources/" + std::to_string(id)).result() ==
        http::status::no_content);
  CHECK(f.call(http::verb::get, "/api/sources/" + std::to_string(id)).result() == http::status::not_found);
  CHECK(f.call(http::verb::put, "/api/sources/1").result() == http::status::method_not_allowed);
  CHECK(f.call(http::verb::get, "/api/nothing").result() == http::status::not_found);
}

TEST_CASE("a source declared in the file cannot be changed through the API") {
  Fixture f;
  auto sources = f.store.list_sources().value();
  REQUIRE(sources.size() == 1);
  std::string target = "/api/sources/" + std::to_string(sources[0].id);
  std::string expected =
      "source " + std::to_string(sources[0].id) +
      " is declared in the configuration file; change it there and reload (systemctl reload tinhop)";
  Response patched = f.call(http::verb::patch, target, R"({"enabled": false})");
  CHECK(patched.result() == http::status::conflict);
  CHECK(f.message(patched) == expected);
  CHECK(f.call(http::verb::delete_, target).result() == http::status::conflict);
  CHECK(f.store.get_source(sources[0].id).value().settings.enabled);
  // Reading and polling it are fine.
  CHECK(f.call(http::verb::get, target).result() == http::status::ok);
  CHECK(f.call(http::verb::post, target + "/poll").result() == http::status::accepted);
}

TEST_CASE("a reload syncs file sources and never touches API sources") {
  Fixture f;
  REQUIRE(f.call(http::verb::post, "/api/sources", R"({"url": "https://api.vn/rss", "title": "Mine"})")
              .result() == http::status::created);
  // The file drops its source, adds one, and names the API's URL too.
  config::Config next = file_config(
      "[[source]]\nurl = \"https://new-file.vn/rss\"\n[[source]]\nurl = \"https://api.vn/rss\"\ntitle = "
      "\"Theirs\"\n");
  SyncReport report = sync_sources(f.store, next, now);
  CHECK(report.ok);
  CHECK(report.added == 1);
  CHECK(report.disabled == 1);
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0].find("/etc/tinhop/tinhop.toml:3: https://api.vn/rss is source ") == 0);
  auto api_source = f.store.find_source_by_url("https://api.vn/rss").value();
  REQUIRE(api_source);
  CHECK(api_source->settings.title == "Mine");
  CHECK(api_source->settings.enabled);
  auto old_file = f.store.find_source_by_url("https://file.vn/rss").value();
  REQUIRE(old_file);
  CHECK_FALSE(old_file->settings.enabled);
  CHECK(old_file->disabled_reason == "removed from the configuration file");
  // Syncing the same file again changes nothing.
  SyncReport again = sync_sources(f.store, next, now);
  CHECK(again.added + again.updated + again.disabled == 0);
  CHECK(again.unchanged == 1);
}

TEST_CASE("the reload endpoint reports a refused file with its errors") {
  Fixture f;
  f.next_reload = {
      false, {"/etc/tinhop/tinhop.toml:4: source[0].url: unknown scheme 'htttp' (did you mean 'http'?)"}, {}};
  Response refused = f.call(http::verb::post, "/api/reload");
  CHECK(refused.result() == http::status::unprocessable_entity);
  CHECK(f.json(refused).at("applied") == false);
  CHECK(f.json(refused).at("errors").as_array().size() == 1);
  f.next_reload = {true, {}, {"server.listen changed: restart to apply"}};
  CHECK(f.call(http::verb::post, "/api/reload").result() == http::status::ok);
  CHECK(f.call(http::verb::get, "/api/reload").result() == http::status::method_not_allowed);
}

TEST_CASE("health names a refused reload") {
  Fixture f;
  Response ok = f.call(http::verb::get, "/api/health");
  REQUIRE(ok.result() == http::status::ok);
  CHECK(f.json(ok).at("status") == "ok");
  CHECK(f.json(ok).at("sources").at("total") == 1);
  f.live.apply(config::parse_config("[log]\nlevel = \"loud\"\n", "/etc/tinhop/tinhop.toml"));
  Response degraded = f.call(http::verb::get, "/api/health");
  CHECK(f.json(degraded).at("status") == "degraded");
  CHECK(f.json(degraded).at("config").at("last_reload_errors").as_array().at(0) ==
        "/etc/tinhop/tinhop.toml:2: log.level: unknown value \"loud\" (expected one of: trace, debug, info, "
        "warn, "
        "error, critical, off)");
}

TEST_CASE("500 sources round-trip through OPML export and import with every setting") {
  Fixture f;
  std::vector<config::SourceSettings> wanted;
  for (int i = 0; i < 500; ++i) {
    config::SourceSettings s;
    s.url = "https://agency" + std::to_string(i) + ".vn/rss?c=" + std::to_string(i % 7);
    if (i % 4) s.title = "Báo " + std::to_string(i) + " & <tin>";
    for (int c = 0; c < i % 3; ++c) s.categories.push_back("mục " + std::to_string(c));
    s.type = i % 10 == 0 ? config::SourceType::html : config::SourceType::feed;
    if (i % 2) s.interval = std::chrono::seconds(600 + i);
    if (i % 5 == 1) s.min_interval = 300s;
    if (i % 5 == 1) s.max_interval = 7200s;
    if (i % 3 == 1) s.time_zone = "Asia/Ho_Chi_Minh";
    s.date_order = static_cast<DateOrder>(i % 3);
    s.republication = static_cast<config::Republication>(i % 3);
    s.enabled = i % 13 != 0;
    if (i % 6 == 2) s.headers = {{"Cookie", "x=" + std::to_string(i)}};
    if (s.type == config::SourceType::html) s.selectors = {"li.item", "a", "a", "time", "", "", "%d/%m/%Y"};
    wanted.push_back(s);
  }
  Response imported = f.call(http::verb::post, "/api/opml", config::export_opml(wanted, "test"));
  REQUIRE(imported.result() == http::status::ok);
  CHECK(f.json(imported).at("added").as_array().size() == 500);
  CHECK(f.json(imported).at("problems").as_array().empty());

  Response exported = f.call(http::verb::get, "/api/opml");
  REQUIRE(exported.result() == http::status::ok);
  config::OpmlImport back = config::import_opml(exported.body());
  REQUIRE(back.problems.empty());
  REQUIRE(back.sources.size() == 501);  // with the file's source
  // They come back grouped in one folder per first category: matched by URL.
  std::map<std::string, const config::SourceSettings*> by_url;
  for (const config::SourceSettings& s : back.sources) by_url[s.url] = &s;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    INFO("source " << i);
    REQUIRE(by_url.count(wanted[i].url) == 1);
    CHECK(*by_url[wanted[i].url] == wanted[i]);
  }
  // Importing the same document again adds nothing and says why.
  Response again = f.call(http::verb::post, "/api/opml", exported.body());
  CHECK(f.json(again).at("added").as_array().empty());
  CHECK(f.json(again).at("already_present").as_array().size() == 501);
}

TEST_CASE("health counts every source across pages of the store") {
  Fixture f;  // one source from the file
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 600; ++i) {  // more than one page of 512
    storage::SourceSettings s;
    s.url = "https://s" + std::to_string(i) + ".vn/rss";
    ids.push_back(f.store.add_source(s, now).value());
  }
  for (std::int64_t id : {ids[510], ids[511], ids[599]}) {  // both sides of the page boundary
    storage::FetchRecord r;
    r.source_id = id;
    r.attempted = now;
    r.status = storage::FetchStatus::failed;
    r.error_class = "timeout";
    REQUIRE(f.store.record_fetch(r).has_value());
  }
  REQUIRE(f.store.set_enabled(ids[0], false, now).has_value());
  Response got = f.call(http::verb::get, "/api/health");
  REQUIRE(got.result() == http::status::ok);
  const auto sources = f.json(got).at("sources");
  CHECK(sources.at("total") == 601);
  CHECK(sources.at("enabled") == 600);
  CHECK(sources.at("failing") == 3);
  CHECK(sources.at("stale") == 0);
}
