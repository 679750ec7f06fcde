#include <zlib.h>

#include <catch2/catch.hpp>
#include <memory>

#include "fake_catalog.hpp"
#include "tinhop/publish/handler.hpp"

namespace {

using namespace tinhop;
namespace http = boost::beast::http;

publish::ServerOptions options() {
  publish::ServerOptions o;
  o.public_url = "http://127.0.0.1:8080/";
  o.max_age = std::chrono::seconds(120);
  return o;
}

publish::Response call(publish::Context& ctx, const std::string& target, http::verb verb = http::verb::get,
                       std::vector<std::pair<http::field, std::string>> headers = {}) {
  publish::Request req{verb, target, 11};
  for (auto& [f, v] : headers) req.set(f, v);
  return publish::handle(req, ctx);
}

std::string body(const publish::Response& res) {
  return res.body() ? *res.body() : std::string{};
}

std::string gunzip(const std::string& data) {
  z_stream zs{};
  REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
  std::string out(data.size() * 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(inflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

}  // namespace

TEST_CASE("handler: feeds carry validators and cache headers", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  auto res = call(ctx, "/feed.atom");
  CHECK(res.result() == http::status::ok);
  CHECK(res[http::field::content_type] == "application/atom+xml; charset=utf-8");
  CHECK(res[http::field::cache_control] == "public, max-age=120");
  CHECK(res[http::field::last_modified] == "Thu, 27 Nov 2025 01:46:40 GMT");
  CHECK(res[http::field::vary] == "Accept-Encoding");
  CHECK(res[http::field::content_length] == std::to_string(body(res).size()));
  CHECK(res[http::field::etag].starts_with("\""));
  CHECK(call(ctx, "/feed.rss")[http::field::content_type] == "application/rss+xml; charset=utf-8");
  CHECK(call(ctx, "/feed.json")[http::field::content_type] == "application/feed+json; charset=utf-8");
  CHECK(call(ctx, "/")[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(call(ctx, "/sources.opml")[http::field::content_type] == "text/x-opml; charset=utf-8");
}

TEST_CASE("handler: 304 on a matching ETag or an unchanged date", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  const std::string etag{call(ctx, "/feed.atom")[http::field::etag]};
  auto res = call(ctx, "/feed.atom", http::verb::get, {{http::field::if_none_match, etag}});
  CHECK(res.result() == http::status::not_modified);
  CHECK(body(res).empty());
  CHECK(res[http::field::etag] == etag);
  CHECK(call(ctx, "/feed.atom", http::verb::get, {{http::field::if_none_match, "\"other\", W/" + etag}})
            .result() == http::status::not_modified);
  CHECK(call(ctx, "/feed.atom", http::verb::get, {{http::field::if_none_match, "\"other\""}}).result() ==
        http::status::ok);
  CHECK(call(ctx, "/feed.atom", http::verb::get,
             {{http::field::if_modified_since, "Thu, 27 Nov 2025 01:46:40 GMT"}})
            .result() == http::status::not_modified);
  CHECK(call(ctx, "/feed.atom", http::verb::get,
             {{http::field::if_modified_since, "Thu, 27 Nov 2025 01:46:39 GMT"}})
            .result() == http::status::ok);
  CHECK(call(ctx, "/feed.atom", http::verb::get, {{http::field::if_modified_since, "yesterday"}}).result() ==
        http::status::ok);
  // If-None-Match wins over If-Modified-Since (RFC 7232 §6).
  CHECK(call(ctx, "/feed.atom", http::verb::get,
             {{http::field::if_none_match, "\"x\""},
              {http::field::if_modified_since, "Thu, 27 Nov 2025 01:46:40 GMT"}})
            .result() == http::status::ok);
}

TEST_CASE("handler: gzip when accepted, compressed once per rendering", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  auto plain = call(ctx, "/feed.atom");
  auto gz = call(ctx, "/feed.atom", http::verb::get, {{http::field::accept_encoding, "br, gzip;q=0.8"}});
  CHECK(gz[http::field::content_encoding] == "gzip");
  CHECK(gz[http::field::etag] != plain[http::field::etag]);
  CHECK(gunzip(body(gz)) == body(plain));
  auto again = call(ctx, "/feed.atom", http::verb::get, {{http::field::accept_encoding, "gzip"}});
  CHECK(again.body().get() == gz.body().get());  // the same bytes, not a new compression
  CHECK(call(ctx, "/feed.atom", http::verb::get, {{http::field::accept_encoding, "gzip;q=0"}})
            .count(http::field::content_encoding) == 0);
  CHECK(call(ctx, "/feed.atom", http::verb::get, {{http::field::accept_encoding, "deflate"}})
            .count(http::field::content_encoding) == 0);
  // The gzip ETag validates too.
  CHECK(call(ctx, "/feed.atom", http::verb::get,
             {{http::field::accept_encoding, "gzip"},
              {http::field::if_none_match, std::string(gz[http::field::etag])}})
            .result() == http::status::not_modified);
}

TEST_CASE("handler: HEAD has the headers and no body", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  auto get = call(ctx, "/feed.rss");
  auto head = call(ctx, "/feed.rss", http::verb::head);
  CHECK(head.result() == http::status::ok);
  CHECK(head.body() == nullptr);
  CHECK(head[http::field::content_length] == std::to_string(body(get).size()));
  CHECK(head[http::field::etag] == get[http::field::etag]);
}

TEST_CASE("handler: a popular feed costs no database work until the store changes", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  const auto first = call(ctx, "/feed.atom");
  for (int i = 0; i < 50; ++i) call(ctx, "/feed.atom");
  CHECK(catalog.queries == 1);
  CHECK(ctx.metrics().cache_renders() == 1);
  // A commit that changed nothing this feed shows: re-rendered, same bytes, same ETag.
  ctx.notify_changed();
  CHECK(call(ctx, "/feed.atom")[http::field::etag] == first[http::field::etag]);
  CHECK(catalog.queries == 2);
  catalog.clusters.pop_back();
  ctx.notify_changed();
  const auto second = call(ctx, "/feed.atom");
  CHECK(catalog.queries == 3);
  CHECK(second[http::field::etag] != first[http::field::etag]);
  CHECK(body(second).find("cluster-3") == std::string::npos);
  // A writer that does not notify is noticed by the periodic change check.
  catalog.reset();
  catalog.stamp.version = 8;
  ctx.check_for_changes();
  CHECK(body(call(ctx, "/feed.atom")).find("cluster-3") != std::string::npos);
  CHECK(catalog.queries == 4);
}

TEST_CASE("handler: the render cache holds at most render_cache_bytes, least recently used out first",
          "[publish][handler]") {
  test::FakeCatalog catalog;
  // What the renderings of limit=1 and limit=3 (the largest) cost together, measured by a
  // cache large enough for all.
  std::uint64_t two = 0;
  {
    publish::Context roomy(catalog, options());
    call(roomy, "/feed.json?limit=1");
    call(roomy, "/feed.json?limit=3");
    two = roomy.metrics().cache_bytes();
  }
  publish::ServerOptions o = options();
  o.render_cache_bytes = two + 100;  // any two fit, never three: each costs more than 100 bytes
  publish::Context ctx(catalog, o);
  const auto renders = [&ctx] { return ctx.metrics().cache_renders(); };
  call(ctx, "/feed.json?limit=1");
  call(ctx, "/feed.json?limit=2");
  call(ctx, "/feed.json?limit=1");  // a hit: limit=1 is now the most recently used
  CHECK(renders() == 2);
  call(ctx, "/feed.json?limit=3");  // evicts limit=2, not limit=1
  CHECK(renders() == 3);
  CHECK(ctx.metrics().cache_bytes() <= o.render_cache_bytes);
  call(ctx, "/feed.json?limit=1");
  CHECK(renders() == 3);
  call(ctx, "/feed.json?limit=2");  // evicts limit=3
  CHECK(renders() == 4);
  call(ctx, "/feed.json?limit=1");
  CHECK(renders() == 4);
  CHECK(ctx.metrics().cache_bytes() <= o.render_cache_bytes);

  // A rendering larger than the whole cache is served, and not kept.
  o.render_cache_bytes = 64;
  publish::Context tiny(catalog, o);
  CHECK(body(call(tiny, "/feed.atom")).find("cluster-3") != std::string::npos);
  CHECK(body(call(tiny, "/feed.atom")).find("cluster-3") != std::string::npos);
  CHECK(tiny.metrics().cache_renders() == 2);
  CHECK(tiny.metrics().cache_bytes() == 0);
}

TEST_CASE("handler: a document past max_document_bytes ends early; its next link has the rest",
          "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::ServerOptions o = options();
  o.max_document_bytes = 1;  // one entry is always shown; none after it
  publish::Context ctx(catalog, o);
  const std::string first = body(call(ctx, "/feed.atom?limit=3"));
  CHECK(first.find("cluster-3</id>") != std::string::npos);
  CHECK(first.find("cluster-2</id>") == std::string::npos);
  CHECK_THAT(first, Catch::Contains("<link rel=\"next\" href=\"http://127.0.0.1:8080/feed.atom?limit=3&amp;"
                                    "before=1764207200-3\""));
  const std::string second = body(call(ctx, "/feed.atom?limit=3&before=1764207200-3"));
  CHECK(second.find("cluster-2</id>") != std::string::npos);
  CHECK(second.find("cluster-1</id>") == std::string::npos);
}

TEST_CASE("handler: per-source, per-category and search selections", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  auto src = call(ctx, "/sources/1/feed.atom");
  REQUIRE(src.result() == http::status::ok);
  CHECK(catalog.last_query.source_id == 1);
  CHECK(body(src).find("<title>tinhop — Báo Chính phủ</title>") != std::string::npos);
  CHECK(body(src).find("cluster-2") != std::string::npos);  // carried as another publisher
  CHECK(body(src).find("cluster-3") == std::string::npos);
  auto cat = call(ctx, "/categories/kinh-te/feed.json");
  REQUIRE(cat.result() == http::status::ok);
  CHECK(catalog.last_query.category == "Kinh tế");
  CHECK(body(cat).find("\"feed_url\":\"http://127.0.0.1:8080/categories/kinh-te/feed.json\"") !=
        std::string::npos);
  auto search = call(ctx, "/feed.rss?q=Gi%C3%A1+v%C3%A0ng&limit=5");
  REQUIRE(search.result() == http::status::ok);
  CHECK(catalog.last_query.search == "Giá vàng");
  CHECK(catalog.last_query.limit == 5);
  CHECK(body(search).find("href=\"http://127.0.0.1:8080/feed.rss?q=Gi%C3%A1%20v%C3%A0ng&amp;limit=5\"") !=
        std::string::npos);
  CHECK(catalog.last_query.order == storage::ClusterQuery::Order::newest);
  auto ranked = call(ctx, "/feed.rss?q=v%C3%A0ng&sort=relevance");
  REQUIRE(ranked.result() == http::status::ok);
  CHECK(catalog.last_query.order == storage::ClusterQuery::Order::relevance);
  CHECK(body(ranked).find("href=\"http://127.0.0.1:8080/feed.rss?q=v%C3%A0ng&amp;sort=relevance\"") !=
        std::string::npos);
  auto page = call(ctx, "/?source=2&category=kinh-te&q=v%C3%A0ng");
  REQUIRE(page.result() == http::status::ok);
  CHECK(catalog.last_query.source_id == 2);
  CHECK(catalog.last_query.category == "Kinh tế");
  CHECK(body(page).find("<option value=\"2\" selected>") != std::string::npos);
  CHECK(body(page).find("value=\"vàng\"") != std::string::npos);
}

TEST_CASE("handler: clean errors for bad requests", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  CHECK(call(ctx, "/nope").result() == http::status::not_found);
  CHECK(call(ctx, "/feed.xml").result() == http::status::not_found);
  CHECK(call(ctx, "/sources/99/feed.atom").result() == http::status::not_found);
  CHECK(call(ctx, "/sources/abc/feed.atom").result() == http::status::bad_request);
  CHECK(call(ctx, "/categories/none/feed.rss").result() == http::status::not_found);
  CHECK(call(ctx, "/feed.atom?limit=0").result() == http::status::bad_request);
  CHECK(call(ctx, "/feed.atom?limit=201").result() == http::status::bad_request);
  CHECK(call(ctx, "/feed.atom?limit=-1").result() == http::status::bad_request);
  CHECK(call(ctx, "/feed.atom?before=yesterday").result() == http::status::bad_request);
  CHECK(call(ctx, "/feed.atom?q=" + std::string(300, 'a')).result() == http::status::bad_request);
  CHECK(call(ctx, "http://evil/feed.atom").result() == http::status::bad_request);
  auto post = call(ctx, "/feed.atom", http::verb::post);
  CHECK(post.result() == http::status::method_not_allowed);
  CHECK(post[http::field::allow] == "GET, HEAD");
  CHECK(body(call(ctx, "/feed.atom?limit=0")) == "limit must be 1..200\n");
  catalog.fail = true;
  auto down = call(ctx, "/feed.atom");
  CHECK(down.result() == http::status::service_unavailable);
  CHECK(body(down) == "the store is unavailable; try again later\n");
  catalog.fail = false;
  catalog.reject_queries = true;
  auto rejected = call(ctx, "/feed.atom?q=%22unbalanced");
  CHECK(rejected.result() == http::status::bad_request);
  CHECK(body(rejected) == "bad search query\n");
}

TEST_CASE("handler: healthz reports ready, degraded and unavailable with reasons", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  CHECK(body(call(ctx, "/healthz")) == "degraded\n- no source polled yet\n");
  for (std::int64_t id = 1; id <= 3; ++id) {
    storage::Health h;
    h.source_id = id;
    h.last_attempt = test::at(1764208000);
    catalog.health.push_back(h);
  }
  auto ok = call(ctx, "/healthz");
  CHECK(ok.result() == http::status::ok);
  CHECK(body(ok) == "ready\n");
  catalog.health[0].consecutive_failures = 2;
  catalog.health[2].stale = true;
  CHECK(body(call(ctx, "/healthz")) == "ready\n- 1 sources failing\n- 1 sources stale\n");
  catalog.health[1].consecutive_failures = 1;
  CHECK(body(call(ctx, "/healthz")) == "degraded\n- 2 of 3 sources failing\n- 1 sources stale\n");
  catalog.fail = true;
  auto down = call(ctx, "/healthz");
  CHECK(down.result() == http::status::service_unavailable);
  CHECK(body(down) == "unavailable\n- database: disk on fire\n");
}

TEST_CASE("handler: healthz is degraded while the store refuses writes, and feeds are still served",
          "[publish][handler]") {
  test::FakeCatalog catalog;
  storage::Health polled;
  polled.source_id = 1;
  polled.last_attempt = test::at(1764208000);
  catalog.health.push_back(polled);
  publish::Context ctx(catalog, options());
  REQUIRE(body(call(ctx, "/healthz")) == "ready\n");
  ctx.writes_refused("exec COMMIT: database or disk is full", test::at(1764208800));
  auto refused = call(ctx, "/healthz");
  CHECK(refused.result() == http::status::ok);
  CHECK(body(refused) ==
        "degraded\n- database: writes refused since 2025-11-27T02:00:00Z: exec COMMIT: database or disk is "
        "full\n");
  CHECK(call(ctx, "/feed.atom").result() == http::status::ok);
  ctx.writes_resumed();
  CHECK(body(call(ctx, "/healthz")) == "ready\n");
}

TEST_CASE("handler: while the database is unreachable healthz says so and feeds are served as last rendered",
          "[publish][handler]") {
  test::FakeCatalog catalog;
  storage::Health polled;
  polled.source_id = 1;
  polled.last_attempt = test::at(1764208000);
  catalog.health.push_back(polled);
  publish::Context ctx(catalog, options());
  const auto rendered = call(ctx, "/feed.atom");
  REQUIRE(rendered.result() == http::status::ok);
  ctx.database_lost("lost the connection to postgresql://tinhop@db:5432/news: server closed the connection",
                    test::at(1764208800));
  catalog.fail = true;
  ctx.notify_changed();  // a commit heard just before the database went
  const auto kept = call(ctx, "/feed.atom");
  CHECK(kept.result() == http::status::ok);
  CHECK(body(kept) == body(rendered));
  CHECK(kept[http::field::etag] == rendered[http::field::etag]);
  CHECK(call(ctx, "/feed.rss").result() == http::status::service_unavailable);  // never rendered
  const auto health = call(ctx, "/healthz");
  CHECK(health.result() == http::status::ok);
  CHECK(
      body(health) ==
      "degraded\n- database unreachable since 2025-11-27T02:00:00Z: lost the connection to "
      "postgresql://tinhop@db:5432/news: server closed the connection; polling paused, feeds served as last "
      "rendered\n");
  ctx.database_restored();
  catalog.fail = false;
  CHECK(body(call(ctx, "/healthz")) == "ready\n");
}

TEST_CASE("handler: metrics show the heap the allocator holds", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  auto in_use = [&ctx] {
    const std::string text = body(call(ctx, "/metrics"));
    const auto at = text.find("\ntinhop_heap_in_use_bytes ");
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find("\ntinhop_heap_free_bytes ") != std::string::npos);
    return std::stoull(text.substr(at + 26));
  };
  const auto before = in_use();
#if defined(__SANITIZE_ADDRESS__)
  // ASan's allocator is not glibc's: mallinfo2 does not see its blocks.
  (void)before;
#else
  constexpr std::size_t kBlock = 8u << 20;
  auto block = std::make_unique<char[]>(kBlock);
  block[kBlock - 1] = 1;
  CHECK(in_use() >= before + kBlock);
  block.reset();
  CHECK(in_use() < before + kBlock);
#endif
}

TEST_CASE("handler: metrics count the writer's waits for another node's dedup decision",
          "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  CHECK(body(call(ctx, "/metrics")).find("\ntinhop_dedup_waits_total 0\n") != std::string::npos);
  ctx.metrics().dedup_waits({3, std::chrono::microseconds{2500}});
  const std::string text = body(call(ctx, "/metrics"));
  CHECK(text.find("\ntinhop_dedup_waits_total 3\n") != std::string::npos);
  CHECK(text.find("\ntinhop_dedup_wait_seconds_total 0.002500\n") != std::string::npos);
}

TEST_CASE("handler: metrics in Prometheus text format", "[publish][handler]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  ctx.metrics().record_poll(1, storage::FetchStatus::ok);
  ctx.metrics().record_poll(2, storage::FetchStatus::failed);
  ctx.metrics().record_poll(2, storage::FetchStatus::failed);
  ctx.metrics().record_poll(3, storage::FetchStatus::not_modified);
  ctx.metrics().record_request(publish::Route::feed, 200, std::chrono::microseconds(300));
  ctx.metrics().record_request(publish::Route::feed, 304, std::chrono::milliseconds(2));
  storage::Health h;
  h.source_id = 2;
  h.consecutive_failures = 2;
  catalog.health.push_back(h);
  storage::Health undated;
  undated.source_id = 5;
  undated.dates_not_understood = 15;
  catalog.health.push_back(undated);
  auto res = call(ctx, "/metrics");
  CHECK(res[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  const std::string text = body(res);
  for (const char* expected : {
           "tinhop_polls_total{outcome=\"ok\"} 1\n",
           "tinhop_polls_total{outcome=\"not_modified\"} 1\n",
           "tinhop_polls_total{outcome=\"failed\"} 2\n",
           "tinhop_source_poll_failures_total{source_id=\"2\"} 2\n",
           "tinhop_source_consecutive_failures{source_id=\"2\"} 2\n",
           "tinhop_source_dates_not_understood{source_id=\"5\"} 15\n",
           "tinhop_items 4\n",
           "tinhop_clusters 3\n",
           "tinhop_http_requests_total{route=\"feed\",status=\"200\"} 1\n",
           "tinhop_http_requests_total{route=\"feed\",status=\"304\"} 1\n",
           "tinhop_http_request_duration_seconds_bucket{route=\"feed\",le=\"0.00025\"} 0\n",
           "tinhop_http_request_duration_seconds_bucket{route=\"feed\",le=\"0.0005\"} 1\n",
           "tinhop_http_request_duration_seconds_bucket{route=\"feed\",le=\"0.0025\"} 2\n",
           "tinhop_http_request_duration_seconds_bucket{route=\"feed\",le=\"+Inf\"} 2\n",
           "tinhop_http_request_duration_seconds_sum{route=\"feed\"} 0.002300000\n",
           "tinhop_http_request_duration_seconds_count{route=\"feed\"} 2\n",
           "tinhop_feed_cache_bytes 0\n",
       }) {
    CHECK_THAT(text, Catch::Contains(expected));
  }
  CHECK(publish::route_of("/sources/1/feed.rss?q=x") == publish::Route::source_feed);
  CHECK(publish::route_of("/") == publish::Route::page);
  CHECK(publish::route_of("/x") == publish::Route::other);
}

TEST_CASE("handler: with a hub, every feed names it and itself, in the document and a Link header",
          "[publish][handler][websub]") {
  test::FakeCatalog catalog;
  publish::ServerOptions o = options();
  o.hub_url = "http://127.0.0.1:8080/websub/hub";
  publish::Context ctx(catalog, o);
  const std::string hub = "<http://127.0.0.1:8080/websub/hub>; rel=\"hub\", ";
  auto atom = call(ctx, "/feed.atom");
  CHECK(atom[http::field::link] == hub + "<http://127.0.0.1:8080/feed.atom>; rel=\"self\"");
  CHECK(body(atom).find("<link rel=\"hub\" href=\"http://127.0.0.1:8080/websub/hub\"/>") !=
        std::string::npos);
  auto rss = call(ctx, "/feed.rss?q=b%C3%A3o");
  CHECK(rss[http::field::link] == hub + "<http://127.0.0.1:8080/feed.rss?q=b%C3%A3o>; rel=\"self\"");
  CHECK(body(rss).find("<atom:link rel=\"hub\" href=\"http://127.0.0.1:8080/websub/hub\"/>") !=
        std::string::npos);
  auto json = call(ctx, "/feed.json");
  CHECK(body(json).find("\"hubs\":[{\"type\":\"WebSub\",\"url\":\"http://127.0.0.1:8080/websub/hub\"}]") !=
        std::string::npos);
  CHECK(call(ctx, "/")[http::field::link].empty());
}

TEST_CASE("handler: without a hub, feeds name none", "[publish][handler][websub]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  auto atom = call(ctx, "/feed.atom");
  CHECK(atom[http::field::link].empty());
  CHECK(body(atom).find("rel=\"hub\"") == std::string::npos);
  CHECK(body(call(ctx, "/feed.json")).find("\"hubs\"") == std::string::npos);
}

TEST_CASE("handler: metrics show the pings of external hubs once there are any",
          "[publish][handler][websub]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  CHECK(body(call(ctx, "/metrics")).find("tinhop_websub_pings") == std::string::npos);
  ctx.metrics().pings({5, 2});
  const std::string text = body(call(ctx, "/metrics"));
  CHECK(text.find("tinhop_websub_pings_sent_total 5\n") != std::string::npos);
  CHECK(text.find("tinhop_websub_pings_failed_total 2\n") != std::string::npos);
}

TEST_CASE("handler: metrics show the hub's subscriptions, deliveries and latency",
          "[publish][handler][websub]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  CHECK(body(call(ctx, "/metrics")).find("tinhop_hub_") == std::string::npos);
  ctx.metrics().hub({{{"pending", 1}, {"active", 3}}, 7, 2, 1, {{0.05, 4}, {0.1, 6}}, 7, 0.5});
  const std::string text = body(call(ctx, "/metrics"));
  for (const char* expected :
       {"tinhop_hub_subscriptions{state=\"pending\"} 1\n", "tinhop_hub_subscriptions{state=\"active\"} 3\n",
        "tinhop_hub_pushes_sent_total 7\n", "tinhop_hub_pushes_failed_total 2\n",
        "tinhop_hub_verifications_failed_total 1\n", "tinhop_hub_delivery_seconds_bucket{le=\"0.05\"} 4\n",
        "tinhop_hub_delivery_seconds_bucket{le=\"0.1\"} 6\n",
        "tinhop_hub_delivery_seconds_bucket{le=\"+Inf\"} 7\n", "tinhop_hub_delivery_seconds_sum 0.500000\n",
        "tinhop_hub_delivery_seconds_count 7\n"}) {
    INFO(expected);
    CHECK(text.find(expected) != std::string::npos);
  }
}
