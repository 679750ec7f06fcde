// The publisher over a real (in-memory) Store: what the daemon runs.
#include <catch2/catch.hpp>

#include "tinhop/publish/handler.hpp"

namespace {

using namespace tinhop;
namespace http = boost::beast::http;

Instant at(long long s) {
  return Instant{std::chrono::seconds{s}};
}

Item item(std::string id, std::string title, std::string link, long long published, std::string content) {
  Item i;
  i.id = std::move(id);
  i.title = std::move(title);
  i.link = std::move(link);
  i.published = at(published);
  i.content = std::move(content);
  return i;
}

std::string get(publish::Context& ctx, const std::string& target) {
  auto res = publish::handle(publish::Request{http::verb::get, target, 11}, ctx);
  INFO(target << " -> " << res.result_int() << " " << (res.body() ? *res.body() : ""));
  REQUIRE(res.result() == http::status::ok);
  return *res.body();
}

}  // namespace

TEST_CASE("store catalog: the merged feed shows stored stories with their publishers", "[publish][store]") {
  auto opened = storage::Store::open(":memory:");
  if (!opened) FAIL(opened.error().message);
  storage::Store store = std::move(*opened);
  storage::SourceSettings a;
  a.url = "https://a.example/rss";
  a.title = "Agency A";
  a.categories = {"Thời sự"};
  storage::SourceSettings b;
  b.url = "https://b.example/rss";
  b.title = "Agency B";
  b.republication = storage::Republication::title;
  const auto id_a = store.add_source(a, at(1764200000)).value();
  const auto id_b = store.add_source(b, at(1764200000)).value();
  Feed fa;
  fa.items.push_back(item("a1", "Khai mạc kỳ họp thứ mười Quốc hội khóa XV",
                          "https://a.example/tin/ky-hop.html", 1764200000,
                          "<p>Sáng nay <script>x()</script>khai mạc.</p>"));
  fa.items.push_back(item("a2", "Giá xăng giảm lần thứ ba liên tiếp", "https://a.example/tin/xang.html",
                          1764203600, "<p>Giá xăng giảm.</p>"));
  Feed fb;
  // Same canonical link as a1 once the tracking parameter is gone: the same story.
  fb.items.push_back(item("b1", "Khai mạc kỳ họp thứ mười Quốc hội khóa XV",
                          "https://a.example/tin/ky-hop.html?utm_source=b", 1764201000, "<p>Bản của B.</p>"));
  REQUIRE(store.ingest(id_a, fa, at(1764204000)).has_value());
  REQUIRE(store.ingest(id_b, fb, at(1764204000)).has_value());

  publish::StoreCatalog catalog(store);
  publish::ServerOptions o;
  o.public_url = "http://127.0.0.1:8080";
  publish::Context ctx(catalog, o);
  const std::string atom = get(ctx, "/feed.atom");
  const auto xang = atom.find("Giá xăng giảm lần thứ ba liên tiếp");
  const auto ky_hop = atom.find("Khai mạc kỳ họp thứ mười");
  REQUIRE(xang != std::string::npos);
  REQUIRE(ky_hop != std::string::npos);
  CHECK(xang < ky_hop);                                                           // newest first
  CHECK(atom.find("Khai mạc kỳ họp thứ mười", ky_hop + 1) == std::string::npos);  // one entry per story
  CHECK(
      atom.find(
          "<link rel=\"related\" href=\"https://a.example/tin/ky-hop.html?utm_source=b\" type=\"text/html\" "
          "title=\"Agency B\"/>") != std::string::npos);
  CHECK(atom.find("<title>Agency A</title>") != std::string::npos);
  CHECK(atom.find("script") == std::string::npos);
  const std::string only_b = get(ctx, "/sources/" + std::to_string(id_b) + "/feed.rss");
  CHECK(only_b.find("Khai mạc kỳ họp") != std::string::npos);
  CHECK(only_b.find("Bản của B") == std::string::npos);  // policy title: no body
  CHECK(only_b.find("Giá xăng") == std::string::npos);
  CHECK(only_b.find("<title>tinhop — Agency B</title>") != std::string::npos);
  // A source's feed reads that one source; an unknown one is a 404, not an error.
  CHECK(catalog.find_source(id_b).value()->settings.title == "Agency B");
  CHECK_FALSE(catalog.find_source(id_b + 100).value().has_value());
  CHECK(
      publish::handle(
          publish::Request{http::verb::get, "/sources/" + std::to_string(id_b + 100) + "/feed.rss", 11}, ctx)
          .result() == http::status::not_found);
  CHECK(get(ctx, "/categories/thoi-su/feed.json").find("Giá xăng") != std::string::npos);
  CHECK(get(ctx, "/feed.atom?q=xang").find("Giá xăng giảm") != std::string::npos);
  const std::string page1 = get(ctx, "/feed.atom?limit=1");
  const auto next = page1.find("rel=\"next\" href=\"http://127.0.0.1:8080/feed.atom?limit=1&amp;before=");
  REQUIRE(next != std::string::npos);
  const auto cursor_start = page1.find("before=", next) + 7;
  const std::string cursor = page1.substr(cursor_start, page1.find('"', cursor_start) - cursor_start);
  const std::string page2 = get(ctx, "/feed.atom?limit=1&before=" + cursor);
  CHECK(page2.find("Khai mạc kỳ họp") != std::string::npos);
  CHECK(page2.find("Giá xăng") == std::string::npos);
  // New items reach readers after notify_changed().
  Feed more;
  more.items.push_back(
      item("a3", "Bão số 15 suy yếu", "https://a.example/tin/bao.html", 1764207200, "<p>Bão.</p>"));
  REQUIRE(store.ingest(id_a, more, at(1764208000)).has_value());
  ctx.notify_changed();
  CHECK(get(ctx, "/feed.atom").find("Bão số 15 suy yếu") != std::string::npos);
}

TEST_CASE(
    "store catalog: an entry keeps its id when its first publisher goes, and a new story never takes a "
    "removed one's",
    "[publish][store]") {
  auto opened = storage::Store::open(":memory:");
  if (!opened) FAIL(opened.error().message);
  storage::Store store = std::move(*opened);
  storage::SourceSettings a;
  a.url = "https://a.example/rss";
  storage::SourceSettings b;
  b.url = "https://b.example/rss";
  storage::SourceSettings c;
  c.url = "https://c.example/rss";
  const auto id_a = store.add_source(a, at(1764200000)).value();
  const auto id_b = store.add_source(b, at(1764200000)).value();
  Feed fa;
  fa.items.push_back(item("a1", "Khai mạc kỳ họp thứ mười Quốc hội khóa XV",
                          "https://a.example/tin/ky-hop.html", 1764200000, "<p>Khai mạc.</p>"));
  fa.items.push_back(item("a2", "Giá xăng giảm lần thứ ba liên tiếp", "https://a.example/tin/xang.html",
                          1764203600, "<p>Giá xăng giảm.</p>"));
  Feed fb;  // b's copy of a1, by its canonical link, dated earlier: b's becomes the primary
  fb.items.push_back(item("b1", "Khai mạc kỳ họp thứ mười Quốc hội khóa XV",
                          "https://a.example/tin/ky-hop.html?utm_source=b", 1764199000, "<p>Bản của B.</p>"));
  REQUIRE(store.ingest(id_a, fa, at(1764204000)).has_value());
  REQUIRE(store.ingest(id_b, fb, at(1764204000))->clustered == 1);

  publish::StoreCatalog catalog(store);
  publish::ServerOptions o;
  o.public_url = "http://127.0.0.1:8080";
  publish::Context ctx(catalog, o);
  const std::string before = get(ctx, "/feed.atom");
  CHECK(before.find("<id>tag:tinhop.invalid,2026:cluster-1</id>") != std::string::npos);
  CHECK(before.find("<id>tag:tinhop.invalid,2026:cluster-2</id>") != std::string::npos);
  // a goes with both its items: the story b still carries keeps its id, the other is gone.
  REQUIRE(store.remove_source(id_a).has_value());
  const auto id_c = store.add_source(c, at(1764205000)).value();
  CHECK(id_c == 3);
  Feed fc;
  fc.items.push_back(
      item("c1", "Bão số 15 suy yếu", "https://c.example/tin/bao.html", 1764207200, "<p>Bão.</p>"));
  REQUIRE(store.ingest(id_c, fc, at(1764208000)).has_value());
  ctx.notify_changed();
  const std::string atom = get(ctx, "/feed.atom");
  CHECK(atom.find("<id>tag:tinhop.invalid,2026:cluster-1</id>") != std::string::npos);
  CHECK(atom.find("<id>tag:tinhop.invalid,2026:cluster-4</id>") != std::string::npos);
  CHECK(atom.find("cluster-2<") == std::string::npos);
  CHECK(atom.find("cluster-3<") == std::string::npos);
  const std::string rss = get(ctx, "/feed.rss");
  CHECK(rss.find("<guid isPermaLink=\"false\">tag:tinhop.invalid,2026:cluster-1</guid>") !=
        std::string::npos);
  CHECK(rss.find("<guid isPermaLink=\"false\">tag:tinhop.invalid,2026:cluster-4</guid>") !=
        std::string::npos);
  const std::string json = get(ctx, "/feed.json");
  CHECK(json.find("\"id\":\"tag:tinhop.invalid,2026:cluster-1\"") != std::string::npos);
  CHECK(json.find("\"id\":\"tag:tinhop.invalid,2026:cluster-4\"") != std::string::npos);
}

TEST_CASE("store catalog: health counts walk the sources in pages - the same counts as the whole lists",
          "[publish][store]") {
  auto opened = storage::Store::open(":memory:");
  if (!opened) FAIL(opened.error().message);
  storage::Store store = std::move(*opened);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 600; ++i) {  // more than one page of 512
    storage::SourceSettings s;
    s.url = "https://s" + std::to_string(i) + ".example/rss";
    ids.push_back(store.add_source(s, at(1764200000)).value());
  }
  auto record = [&](std::int64_t id, storage::FetchStatus status) {
    storage::FetchRecord r;
    r.source_id = id;
    r.attempted = at(1764200100);
    r.status = status;
    r.http_status = status == storage::FetchStatus::failed ? 500 : 200;
    if (status == storage::FetchStatus::failed) r.error_class = "http_500";
    REQUIRE(store.record_fetch(r).has_value());
  };
  record(ids[0], storage::FetchStatus::ok);
  record(ids[511], storage::FetchStatus::failed);  // the last of the first page
  record(ids[512], storage::FetchStatus::failed);  // the first of the second
  record(ids[599], storage::FetchStatus::ok);
  REQUIRE(store.set_enabled(ids[1], false, at(1764200200)).has_value());

  publish::StoreCatalog catalog(store);
  const publish::SourceCounts paged = catalog.source_counts().value();
  CHECK(paged.enabled == 599);
  CHECK(paged.polled == 4);
  CHECK(paged.failing == 2);
  CHECK(paged.stale == 0);
  const publish::SourceCounts whole = catalog.Catalog::source_counts().value();
  CHECK(whole.enabled == paged.enabled);
  CHECK(whole.polled == paged.polled);
  CHECK(whole.failing == paged.failing);
}

TEST_CASE("store catalog: /metrics counts each rule's drops and regex timeouts over every source",
          "[publish][store][rules]") {
  auto opened = storage::Store::open(":memory:");
  if (!opened) FAIL(opened.error().message);
  storage::Store store = std::move(*opened);
  storage::SourceSettings a;
  a.url = "https://a.example/rss";
  storage::SourceSettings b;
  b.url = "https://b.example/rss";
  const auto id_a = store.add_source(a, at(1764200000)).value();
  const auto id_b = store.add_source(b, at(1764200000)).value();
  const std::vector<storage::RuleCount> counts{
      {id_a, "video", 3, 0}, {id_b, "video", 2, 0}, {id_b, "slow", 0, 4}};
  REQUIRE(store.add_rule_counts(counts).has_value());

  publish::StoreCatalog catalog(store);
  publish::ServerOptions o;
  o.public_url = "http://127.0.0.1:8080";
  publish::Context ctx(catalog, o);
  const std::string metrics = get(ctx, "/metrics");
  CHECK(metrics.find(
            "tinhop_rule_dropped_total{rule=\"slow\"} 0\ntinhop_rule_dropped_total{rule=\"video\"} 5\n") !=
        std::string::npos);
  CHECK(metrics.find("tinhop_rule_regex_timeouts_total{rule=\"slow\"} 4\n# HELP") != std::string::npos);
}
