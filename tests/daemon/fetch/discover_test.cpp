#include <catch2/catch.hpp>

#include "fetch_helpers.hpp"
#include "tinhop/fetch/discover.hpp"

using tinhop::FeedFormat;
using tinhop::FeedKind;
using tinhop::FoundBy;
using tinhop::fetch::discover_now;
using tinhop::fetch::Discovery;
using tinhop::test::Script;
using tinhop::test::TestHttpServer;

namespace {

Script html(std::string body) {
  return Script{.headers = {{"Content-Type", "text/html; charset=utf-8"}}, .body = std::move(body)};
}

Script atom(std::string title) {
  return Script{.headers = {{"Content-Type", "application/atom+xml"}},
                .body = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>" + title +
                        "</title><entry><title>Một</title><id>urn:1</id></entry>"
                        "<entry><title>Hai</title><id>urn:2</id></entry></feed>"};
}

Discovery discover_at(const std::string& url) {
  tinhop::fetch::Request request;
  request.url = url;
  return discover_now(std::move(request), tinhop::test::test_options());
}

}  // namespace

TEST_CASE("discovery keeps the candidates a site's page names that are feeds, in page order", "[discover]") {
  TestHttpServer server;
  server.on("/", html(R"(<html><head>
      <link rel="alternate" type="application/atom+xml" title="Thời sự" href="/thoi-su.atom">
      <link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">
      <link rel="alternate" type="application/rss+xml" title="Tin mới" href="/tin-moi.rss">
      <link rel="alternate" type="application/rss+xml" href="/missing.rss"></head>
      <body><a href="/the-thao/feed">Thể thao</a></body></html>)"));
  server.on("/thoi-su.atom", atom("Thời sự - Báo Mẫu"));
  server.on("/wp-json/wp/v2/pages/2",
            Script{.headers = {{"Content-Type", "application/json"}}, .body = "{}"});
  server.on("/tin-moi.rss", tinhop::test::one_item_feed());
  server.on("/the-thao/feed", atom(""));
  server.on("/feed", atom("never asked"));

  const Discovery found = discover_at(server.url("/"));
  CHECK(found.error.empty());
  CHECK_FALSE(found.page_is_feed);
  REQUIRE(found.feeds.size() == 3);
  CHECK(found.feeds[0].url == server.url("/thoi-su.atom"));
  CHECK(found.feeds[0].title == "Thời sự - Báo Mẫu");
  CHECK(found.feeds[0].kind == FeedKind::atom);
  CHECK(found.feeds[0].format == FeedFormat::atom10);
  CHECK(found.feeds[0].found_by == FoundBy::alternate_link);
  CHECK(found.feeds[0].items == 2);
  CHECK(found.feeds[1].url == server.url("/tin-moi.rss"));
  CHECK(found.feeds[1].title == "Tin");
  CHECK(found.feeds[1].kind == FeedKind::rss);
  CHECK(found.feeds[1].items == 1);
  CHECK(found.feeds[2].url == server.url("/the-thao/feed"));
  CHECK(found.feeds[2].title == "Thể thao");  // the feed has none: the link's text
  CHECK(found.feeds[2].found_by == FoundBy::page_link);
  // A link candidate was a feed: the common paths are not tried.
  CHECK(server.hits("/feed") == 0);
}

TEST_CASE("discovery tries the common paths when the page names no feed", "[discover]") {
  TestHttpServer server;
  server.on("/", html("<html><body><p>Trang chủ</p></body></html>"));
  server.on("/rss.xml", tinhop::test::one_item_feed());
  const Discovery found = discover_at(server.url("/"));
  CHECK(found.error.empty());
  REQUIRE(found.feeds.size() == 1);
  CHECK(found.feeds[0].url == server.url("/rss.xml"));
  CHECK(found.feeds[0].found_by == FoundBy::common_path);
  CHECK(server.hits("/feed") == 1);
  CHECK(server.hits("/feed.json") == 1);
}

TEST_CASE("discovery of a feed's own address answers with that feed alone", "[discover]") {
  TestHttpServer server;
  server.on("/tin.rss", tinhop::test::one_item_feed());
  const Discovery found = discover_at(server.url("/tin.rss"));
  CHECK(found.page_is_feed);
  REQUIRE(found.feeds.size() == 1);
  CHECK(found.feeds[0].url == server.url("/tin.rss"));
  CHECK(found.feeds[0].found_by == FoundBy::address);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("discovery says why the address gave nothing to read", "[discover]") {
  TestHttpServer server;
  CHECK(discover_at(server.url("/nowhere")).error == "HTTP 404");
  CHECK(discover_at("gopher://bao.example/").error ==
        "fetch failed: unsupported_scheme (gopher://bao.example/: unsupported scheme 'gopher')");
}

TEST_CASE("discovery of a page without feeds finds none", "[discover]") {
  TestHttpServer server;
  server.on("/", html("<html><body><a href=\"/rss\">RSS</a></body></html>"));
  server.on("/rss", html("<html><body>Danh sách RSS</body></html>"));
  const Discovery found = discover_at(server.url("/"));
  CHECK(found.error.empty());
  CHECK(found.feeds.empty());
  CHECK(server.hits("/rss") == 1);  // a page link, not fetched again as a common path
}
