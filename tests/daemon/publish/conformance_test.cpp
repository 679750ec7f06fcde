// Real readers and a real browser against our output: python3-feedparser, newsboat and
// headless Chromium (Debian packages, installed by scripts/install-deps).
#include <catch2/catch.hpp>
#include <fstream>

#include "running_server.hpp"
#include "support/paths.hpp"
#include "tinhop/publish/handler.hpp"

namespace {

using namespace tinhop;
namespace http = boost::beast::http;

const std::string kCheckScript = std::string(TINHOP_PUBLISH_TEST_DIR) + "/feedparser_check.py";

std::string expected_json(const std::string& version) {
  // RSS titles and names show angle brackets as look-alikes, so that a reader taking them
  // as HTML sees no tag (rss.cpp); Atom and JSON Feed say their titles are text.
  const bool rss = version == "rss20";
  const std::string lt = rss ? "\xE2\x80\xB9" : "<";
  const std::string gt = rss ? "\xE2\x80\xBA" : ">";
  return R"({"version": ")" + version + R"(", "title": "tinhop", "language": "vi", "entries": [
  {"id": "tag:tinhop.invalid,2026:cluster-3", "title": "Bản tin thời sự 19h", "link": "https://vtv.example/bt-19h",
   "published": 1764207200, "source_title": "VTV )" +
         lt + "Tin" + gt + R"(", "source_href": "https://vtv.example/rss",
   "absent": ["Nội dung", "Tóm tắt"]},
  {"id": "tag:tinhop.invalid,2026:cluster-2", "title": "Giá vàng hôm nay 27/11: tăng \"mạnh\" & )" +
         lt + "đột biến" + gt + R"(",
   "link": "https://nhandan.example/kinh-te/gia-vang.html", "published": 1764203600,
   "source_title": "Nhân Dân & Co", "source_href": "https://nhandan.example/feed.xml",
   "contains": ["Giá vàng miếng SJC tăng 500.000 đồng"],
   "related": ["https://baochinhphu.example/tin/gia-vang.html"]},
  {"id": "tag:tinhop.invalid,2026:cluster-1", "title": "Hội nghị tổng kết công tác năm 2026",
   "link": "https://baochinhphu.example/tin/1.html", "published": 1764200000,
   "source_title": "Báo Chính phủ", "source_href": "https://baochinhphu.example/rss",
   "contains": ["Toàn văn", "https://baochinhphu.example/bai/1.html", "https://baochinhphu.example/anh/1.jpg"],
   "absent": ["alert", "javascript", "onclick", "<script"],
   "author": "Minh Anh", "tags": ["Thời sự"]}]})";
}

void feedparser_round_trip(const std::string& target, const std::string& file_name,
                           const std::string& version) {
  test::FakeCatalog catalog;
  publish::ServerOptions o;
  o.public_url = "http://127.0.0.1:8080";
  publish::Context ctx(catalog, o);
  auto res = publish::handle(publish::Request{http::verb::get, target, 11}, ctx);
  REQUIRE(res.result() == http::status::ok);
  test::TempDir dir("feedparser");
  const auto feed = dir.path / file_name;
  const auto expected = dir.path / "expected.json";
  std::ofstream(feed, std::ios::binary) << *res.body();
  std::ofstream(expected, std::ios::binary) << expected_json(version);
  auto r = test::run_command("/usr/bin/python3 " + kCheckScript + " " + feed.string() + " " +
                             expected.string() + " 2>&1");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output == "ok 3\n");
}

}  // namespace

TEST_CASE("conformance: feedparser reads the Atom feed with bozo 0 and every field",
          "[publish][conformance]") {
  feedparser_round_trip("/feed.atom", "feed.atom", "atom10");
}

TEST_CASE("conformance: feedparser reads the RSS feed with bozo 0 and every field",
          "[publish][conformance]") {
  feedparser_round_trip("/feed.rss", "feed.rss", "rss20");
}

TEST_CASE("conformance: the JSON Feed holds every field", "[publish][conformance]") {
  feedparser_round_trip("/feed.json", "feed.json", "json11");
}

TEST_CASE("conformance: newsboat subscribes and stores every entry", "[publish][conformance]") {
  test::RunningServer server;
  test::TempDir dir("newsboat");
  std::ofstream(dir.path / "urls") << server.url("/feed.atom") << "\n"
                                   << server.url("/sources/2/feed.rss") << "\n";
  std::ofstream(dir.path / "config") << "";
  const auto cache = dir.path / "cache.db";
  auto r =
      test::run_command("cd " + dir.path.string() + " && HOME=" + dir.path.string() +
                        " timeout 60 newsboat -x reload -u urls -C config -c " + cache.string() + " 2>&1");
  INFO(r.output);
  REQUIRE(r.status == 0);
  auto rows = test::run_command(
      "sqlite3 " + cache.string() +
      " \"select feedurl || ' | ' || guid || ' | ' || title from rss_item order by feedurl, "
      "guid\" 2>&1");
  const std::string merged = server.url("/feed.atom");
  const std::string source = server.url("/sources/2/feed.rss");
  // newsboat keys items by guid across feeds, and the story is one entry with one id in
  // both feeds, so cluster 2 is stored once, under the feed read last.
  CHECK(rows.output == merged +
                           " | tag:tinhop.invalid,2026:cluster-1 | Hội nghị tổng kết công tác năm 2026\n" +
                           merged + " | tag:tinhop.invalid,2026:cluster-3 | Bản tin thời sự 19h\n" + source +
                           " | tag:tinhop.invalid,2026:cluster-2 | Giá vàng hôm nay 27/11: tăng \"mạnh\" & "
                           "\xE2\x80\xB9đột biến\xE2\x80\xBA\n");  // read from the RSS feed (rss.cpp)
  auto feeds =
      test::run_command("sqlite3 " + cache.string() + " \"select title from rss_feed order by rssurl\"");
  CHECK(feeds.output == "tinhop\ntinhop — Nhân Dân & Co\n");
}

TEST_CASE("conformance: headless Chromium renders the river with its filters", "[publish][conformance]") {
  test::RunningServer server;
  test::TempDir profile("chromium");
  const std::string flags =
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
      " --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=" +
      profile.path.string();
  auto dom = test::run_command("timeout 90 chromium" + flags + " --dump-dom '" +
                               server.url("/?category=kinh-te") + "' 2>/dev/null");
  INFO(dom.output);
  REQUIRE(dom.status == 0);
  // Two entries of the "Kinh tế" sources, newest first; the filters with the selection kept.
  CHECK(dom.output.find("<article>") != std::string::npos);
  CHECK(dom.output.find("<html lang=\"en\">") != std::string::npos);  // headless Chromium asks for en-US
  std::size_t articles = 0;
  for (std::size_t p = dom.output.find("<article"); p != std::string::npos;
       p = dom.output.find("<article", p + 1)) {
    ++articles;
  }
  CHECK(articles == 2);
  CHECK(dom.output.find("Bản tin thời sự 19h") < dom.output.find("Giá vàng hôm nay 27/11"));
  CHECK(dom.output.find("Hội nghị tổng kết") == std::string::npos);
  CHECK(dom.output.find("<option value=\"kinh-te\" selected=\"\">Kinh tế</option>") != std::string::npos);
  CHECK(dom.output.find("<select name=\"source\"") != std::string::npos);
  CHECK(dom.output.find("<input type=\"search\" name=\"q\"") != std::string::npos);
  CHECK(dom.output.find("Published by: <a href=\"https://nhandan.example/kinh-te/gia-vang.html\">") !=
        std::string::npos);
  CHECK(dom.output.find("<span class=\"first\">(first)</span>, <a "
                        "href=\"https://baochinhphu.example/tin/gia-vang.html\">") != std::string::npos);
  CHECK(dom.output.find("type=\"application/atom+xml\"") != std::string::npos);
  const auto shot = test::binary_dir() / "publish-river.png";
  std::filesystem::remove(shot);
  auto png = test::run_command("timeout 90 chromium" + flags + " --window-size=412,915 --screenshot=" +
                               shot.string() + " '" + server.url("/") + "' 2>&1");
  INFO(png.output);
  CHECK(png.status == 0);
  REQUIRE(std::filesystem::exists(shot));
  CHECK(std::filesystem::file_size(shot) > 10000);
}
