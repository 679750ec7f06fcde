#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "fake_catalog.hpp"
#include "support/paths.hpp"
#include "tinhop/parsers/feed.hpp"
#include "tinhop/publish/handler.hpp"
#include "tinhop/publish/render.hpp"

namespace {

using namespace tinhop;

publish::ServerOptions options() {
  publish::ServerOptions o;
  o.public_url = "http://127.0.0.1:8080";
  o.version = "0.1.0";
  o.clock = [] { return test::at(1764208000); };  // the page's relative times stay the same
  return o;
}

std::string get(publish::Context& ctx, const std::string& target) {
  publish::Request req{boost::beast::http::verb::get, target, 11};
  auto res = publish::handle(req, ctx);
  REQUIRE(res.result() == boost::beast::http::status::ok);
  return *res.body();
}

// Exact expected documents live in tests/data/daemon/publish/; TINHOP_UPDATE_GOLDEN=1
// rewrites them (then review the diff).
void check_golden(const std::string& actual, const std::string& name) {
  const auto path = test::data_dir() / "daemon/publish" / name;
  if (std::getenv("TINHOP_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  CHECK(actual == test::read_file(path));
}

}  // namespace

TEST_CASE("render: dates in RFC 3339 and RFC 822", "[publish][render]") {
  CHECK(publish::rfc3339(test::at(1764208000)) == "2025-11-27T01:46:40Z");
  CHECK(publish::rfc822(test::at(1764208000)) == "Thu, 27 Nov 2025 01:46:40 GMT");
  CHECK(publish::rfc3339(test::at(0)) == "1970-01-01T00:00:00Z");
}

TEST_CASE("render: text cleaning drops what XML forbids", "[publish][render]") {
  CHECK(publish::clean_text("a\x01\x08\x0b\x0c\x7f"
                            "b\tc\nd\re") == "ab\tc\nd\re");
  CHECK(publish::clean_text("\xC2\x85x\xC2\x9F") == "x");            // C1 controls
  CHECK(publish::clean_text("\xEF\xBF\xBE\xEF\xBF\xBFok") == "ok");  // U+FFFE U+FFFF
  CHECK(publish::clean_text("bad\xC3(x\xED\xA0\x80") ==
        "bad\xEF\xBF\xBD(x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(publish::clean_text("Việt 🇻🇳") == "Việt 🇻🇳");
  std::string out;
  publish::append_escaped(out, "<a href=\"x\">&amp;</a>");
  CHECK(out == "&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;");
}

TEST_CASE("render: titles are safe for readers that take them as text and for those that take them as HTML",
          "[publish][render]") {
  // Issue #16, point 9: entity-escaped markup in a source's title, as the parser stores it.
  const auto parsed = parse_feed(
      "<rss version=\"2.0\"><channel><title>x</title><item><title>&amp;lt;img src=x "
      "onerror=alert(1)&amp;gt; Q&amp;amp;A &quot;quoted&quot;</title></item></channel></rss>",
      {});
  REQUIRE(parsed);
  const std::string title = *parsed.result().feed.items.at(0).title;
  REQUIRE(title == "<img src=x onerror=alert(1)> Q&A \"quoted\"");
  test::FakeCatalog catalog;
  catalog.clusters.clear();
  catalog.add(1, 1, test::at(1764200000), title, std::nullopt, std::nullopt, "https://a.example/1");
  publish::Context ctx(catalog, options());

  // RSS: read as text (one XML decoding), the title shows "‹img …›"; read as HTML (a second
  // decoding), the same, since the text holds no "<" to open a tag with.
  const std::string rss = get(ctx, "/feed.rss");
  CHECK_THAT(rss, Catch::Contains("<title>\xE2\x80\xB9img src=x onerror=alert(1)\xE2\x80\xBA Q&amp;A "
                                  "&quot;quoted&quot;</title>"));
  CHECK_THAT(rss, !Catch::Contains("&lt;img"));
  CHECK_THAT(rss, !Catch::Contains("&amp;lt;"));
  // Atom says type="text": its readers never parse the title as HTML.
  CHECK_THAT(get(ctx, "/feed.atom"),
             Catch::Contains("<title type=\"text\">&lt;img src=x onerror=alert(1)&gt; Q&amp;A "
                             "&quot;quoted&quot;</title>"));
  // JSON Feed titles are plain text by the specification.
  CHECK_THAT(get(ctx, "/feed.json"),
             Catch::Contains(R"("title":"<img src=x onerror=alert(1)> Q&A \"quoted\"")"));
}

TEST_CASE("render: merged Atom feed, exact output", "[publish][render]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  check_golden(get(ctx, "/feed.atom"), "merged.atom");
}

TEST_CASE("render: merged RSS feed, exact output", "[publish][render]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  check_golden(get(ctx, "/feed.rss"), "merged.rss");
}

TEST_CASE("render: merged JSON Feed, exact output", "[publish][render]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  check_golden(get(ctx, "/feed.json"), "merged.json");
}

TEST_CASE("render: river page and OPML, exact output", "[publish][render]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  check_golden(get(ctx, "/"), "river.html");
  check_golden(get(ctx, "/sources.opml"), "sources.opml");
}

TEST_CASE("render: second page links back and forward (RFC 5005)", "[publish][render]") {
  test::FakeCatalog catalog;
  publish::Context ctx(catalog, options());
  const std::string first = get(ctx, "/feed.atom?limit=1");
  CHECK(first.find(
            "<link rel=\"next\" href=\"http://127.0.0.1:8080/feed.atom?limit=1&amp;before=1764207200-3\" "
            "type=\"application/atom+xml\"/>") != std::string::npos);
  CHECK(first.find("<link rel=\"prev-archive\" "
                   "href=\"http://127.0.0.1:8080/feed.atom?limit=1&amp;before=1764207200-3\"") !=
        std::string::npos);
  CHECK(first.find("rel=\"current\"") == std::string::npos);
  const std::string second = get(ctx, "/feed.atom?limit=1&before=1764207200-3");
  CHECK(second.find("<id>tag:tinhop.invalid,2026:cluster-2</id>") != std::string::npos);
  CHECK(second.find("<link rel=\"current\" href=\"http://127.0.0.1:8080/feed.atom?limit=1\"") !=
        std::string::npos);
  CHECK(second.find("before=1764203600-2") != std::string::npos);
  const std::string last = get(ctx, "/feed.atom?limit=1&before=1764203600-2");
  CHECK(last.find("cluster-1</id>") != std::string::npos);
  CHECK(last.find("rel=\"next\"") == std::string::npos);
}
