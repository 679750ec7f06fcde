// OPML: what other readers export comes in; what tinhop exports comes back unchanged.
#include <catch2/catch.hpp>
#include <map>
#include <pugixml.hpp>

#include "tinhop/config/opml.hpp"

using namespace tinhop::config;
using namespace std::chrono_literals;

namespace {

// Source i gets a different combination of every per-source setting.
SourceSettings generated(int i) {
  SourceSettings s;
  s.url = "https://agency" + std::to_string(i % 97) + ".vn/rss/" + std::to_string(i) +
          ".rss?cat=" + std::to_string(i % 7) + "&amp=1";
  if (i % 5 != 0) s.title = "Báo số " + std::to_string(i) + " & \"tin\" <mới>";
  for (int c = 0; c < i % 4; ++c) s.categories.push_back("mục, " + std::to_string(c) + "/con");
  s.type = i % 9 == 0 ? SourceType::html : SourceType::feed;
  if (i % 2 == 0) s.interval = std::chrono::seconds(300 + i);
  if (i % 3 == 0) s.min_interval = 120s;
  if (i % 3 == 0) s.max_interval = std::chrono::seconds(86400 + i);
  if (i % 4 == 1) s.time_zone = i % 8 == 1 ? "Asia/Ho_Chi_Minh" : "Europe/Paris";
  if (i % 6 != 5) s.date_order = static_cast<tinhop::DateOrder>(i % 3);
  if (i % 7 != 6) s.republication = static_cast<Republication>(i % 3);
  s.enabled = i % 11 != 0;
  if (i % 10 == 3) s.headers = {{"Cookie", "a=1; b=\"2\""}, {"X-Token", "t" + std::to_string(i)}};
  if (s.type == SourceType::html) {
    s.selectors = {"div.item[data-x=\"1\"]", i % 2 ? "h3 > a" : "",        "a", i % 4 ? "span.date" : "", "p",
                   i % 3 ? "img" : "",       i % 5 ? "%d/%m/%Y %H:%M" : ""};
  }
  return s;
}

}  // namespace

TEST_CASE("500 sources survive an OPML round trip with every setting") {
  std::vector<SourceSettings> sources;
  for (int i = 0; i < 500; ++i) sources.push_back(generated(i));
  for (const SourceSettings& s : sources) REQUIRE(check_settings(s).empty());
  std::string document = export_opml(sources, "tinhop sources");
  OpmlImport imported = import_opml(document);
  CHECK(imported.error.empty());
  CHECK(imported.problems.empty());
  REQUIRE(imported.sources.size() == 500);
  // Sources come back grouped by folder: match them by URL.
  std::map<std::string, const SourceSettings*> by_url;
  for (const SourceSettings& s : imported.sources) by_url[s.url] = &s;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    INFO("source " << i);
    REQUIRE(by_url.count(sources[i].url) == 1);
    CHECK(*by_url[sources[i].url] == sources[i]);
  }
}

TEST_CASE("export nests sources in one folder per first category, named by their feed's title if untitled") {
  SourceSettings economy;
  economy.url = "https://vnexpress.net/rss/kinh-doanh.rss";
  economy.title = "VnExpress Kinh doanh";
  economy.categories = {"Kinh tế", "Thời sự"};
  SourceSettings untitled;
  untitled.url = "https://cafef.vn/tai-chinh.rss";
  untitled.categories = {"Kinh tế"};
  SourceSettings loose;
  loose.url = "https://dantri.com.vn/rss/home.rss";
  const std::string document = export_opml({economy, untitled, loose}, "t", {"", "CafeF Tài chính", ""});
  pugi::xml_document parsed;
  REQUIRE(parsed.load_string(document.c_str()));
  const pugi::xml_node body = parsed.child("opml").child("body");
  std::vector<std::string> top;
  for (const pugi::xml_node& outline : body.children("outline"))
    top.push_back(outline.attribute("text").value());
  CHECK(top == std::vector<std::string>{"Kinh tế", "https://dantri.com.vn/rss/home.rss"});
  const pugi::xml_node folder = body.child("outline");
  CHECK_FALSE(folder.attribute("xmlUrl"));
  std::vector<std::string> inside;
  for (const pugi::xml_node& outline : folder.children("outline"))
    inside.push_back(outline.attribute("text").value());
  CHECK(inside == std::vector<std::string>{"VnExpress Kinh doanh", "CafeF Tài chính"});
  // The feed's title names the outline but does not become the source's own title.
  OpmlImport imported = import_opml(document);
  REQUIRE(imported.sources.size() == 3);
  CHECK(imported.sources[0] == economy);
  CHECK(imported.sources[1] == untitled);
  CHECK(imported.sources[2] == loose);
}

TEST_CASE("another reader's OPML imports with folders as categories") {
  const char* document = R"(<?xml version="1.0"?>
<opml version="1.0"><head><title>Feeds</title></head><body>
  <outline text="Kinh tế">
    <outline text="VnExpress" type="rss" xmlUrl="https://vnexpress.net/rss/kinh-doanh.rss"/>
    <outline text="CafeF" title="CafeF Tài chính" type="rss" xmlUrl="https://cafef.vn/tai-chinh-ngan-hang.rss" category="/Ngân hàng"/>
  </outline>
  <outline text="Dân trí" type="rss" xmlUrl="https://dantri.com.vn/rss/home.rss"/>
</body></opml>)";
  OpmlImport imported = import_opml(document);
  CHECK(imported.problems.empty());
  REQUIRE(imported.sources.size() == 3);
  CHECK(imported.sources[0].title == "VnExpress");
  CHECK(imported.sources[0].categories == std::vector<std::string>{"Kinh tế"});
  CHECK(imported.sources[1].title == "CafeF Tài chính");
  CHECK(imported.sources[1].categories == std::vector<std::string>{"Ngân hàng", "Kinh tế"});
  CHECK(imported.sources[2].categories.empty());
  CHECK_FALSE(imported.sources[2].interval.has_value());
  CHECK(imported.sources[2].enabled);
}

TEST_CASE("bad outlines are reported one by one and the good ones kept") {
  const char* document = R"(<opml version="2.0"><body>
  <outline text="a" xmlUrl="http://danviet.vn/rss/home.rss "/>
  <outline text="b" xmlUrl="htttp://dantri.com.vn/xa-hoi.rss"/>
  <outline text="c" xmlUrl="http://baophapluat.vn/rss/thoi-su-276.rss"/>
  <outline text="d" xmlUrl="http://BAOPHAPLUAT.vn/rss/thoi-su-276.rss"/>
  <outline text="e" xmlUrl="https://e.vn/rss" xmlns:tinhop="https://tinhop.dev/ns/opml/1" tinhop:interval="often"/>
  <outline text="f" xmlUrl="https://f.vn/rss" xmlns:t="https://tinhop.dev/ns/opml/1" t:time-zone="Asia/Hanoi"/>
</body></opml>)";
  OpmlImport imported = import_opml(document);
  REQUIRE(imported.sources.size() == 2);
  CHECK(imported.sources[0].url == "http://baophapluat.vn/rss/thoi-su-276.rss");
  CHECK(imported.sources[1].url == "https://f.vn/rss");
  REQUIRE(imported.problems.size() == 4);
  CHECK(imported.problems[0].outline == 1);
  CHECK(imported.problems[0].message == "url: URL has trailing whitespace");
  CHECK(imported.problems[1].message == "url: unknown scheme 'htttp' (did you mean 'http'?)");
  CHECK(imported.problems[2].outline == 4);
  CHECK(imported.problems[2].message == "url: duplicate of outline 3 (same URL after canonicalization)");
  CHECK(imported.problems[3].message == "tinhop:interval: invalid duration \"often\"");
}

TEST_CASE("a document that is not OPML is refused with the reason") {
  CHECK(import_opml("<rss><channel/></rss>").error ==
        "not an OPML document (the root element is not <opml>)");
  CHECK(import_opml("<opml><body>").error == "not well-formed XML: Start-end tags mismatch at byte 11");
}
