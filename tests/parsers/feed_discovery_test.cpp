#include <catch2/catch.hpp>

#include "tinhop/parsers/feed_discovery.hpp"

using tinhop::discover_feeds;
using tinhop::FeedCandidate;
using tinhop::FeedKind;
using tinhop::FoundBy;

namespace Catch {
template <>
struct StringMaker<FeedCandidate> {
  static std::string convert(const FeedCandidate& c) {
    return "{" + c.url + ", \"" + c.title + "\", " + tinhop::kind_name(c.kind) + ", " +
           tinhop::found_by_name(c.found_by) + "}";
  }
};
}  // namespace Catch

namespace {

tinhop::ParseContext at(std::string url) {
  tinhop::ParseContext context;
  context.url = std::move(url);
  context.content_type = "text/html; charset=utf-8";
  return context;
}

// The common paths every discovery ends with, at the site of `origin`.
std::vector<FeedCandidate> common_paths(const std::string& origin) {
  return {{origin + "/feed", "", FeedKind::unknown, FoundBy::common_path},
          {origin + "/rss", "", FeedKind::rss, FoundBy::common_path},
          {origin + "/feed.xml", "", FeedKind::unknown, FoundBy::common_path},
          {origin + "/rss.xml", "", FeedKind::rss, FoundBy::common_path},
          {origin + "/atom.xml", "", FeedKind::atom, FoundBy::common_path},
          {origin + "/index.xml", "", FeedKind::unknown, FoundBy::common_path},
          {origin + "/index.rss", "", FeedKind::rss, FoundBy::common_path},
          {origin + "/feed.json", "", FeedKind::json, FoundBy::common_path}};
}

std::vector<FeedCandidate> joined(std::vector<FeedCandidate> first, const std::vector<FeedCandidate>& then) {
  first.insert(first.end(), then.begin(), then.end());
  return first;
}

}  // namespace

TEST_CASE("discovery lists a page's alternate links in order, with their types and titles", "[discovery]") {
  const std::string page = R"(<!doctype html><html lang="vi"><head><title>Báo Mẫu</title>
    <link rel="stylesheet" href="/site.css">
    <link rel="alternate" type="application/rss+xml" title="Tin mới nhất" href="/rss/tin-moi.rss">
    <link rel="Alternate" type="application/atom+xml; charset=utf-8" title=" Thời sự " href="https://bao.example/atom/thoi-su">
    <link rel="alternate" type="application/feed+json" href="feed.json">
    <link rel="alternate" hreflang="en" href="/en/">
    <link rel="alternate" type="application/rss+xml" href="/rss/tin-moi.rss">
    </head><body><p>Xin chào</p></body></html>)";
  CHECK(
      discover_feeds(page, at("https://bao.example/trang-chu/")) ==
      joined({{"https://bao.example/rss/tin-moi.rss", "Tin mới nhất", FeedKind::rss, FoundBy::alternate_link},
              {"https://bao.example/atom/thoi-su", "Thời sự", FeedKind::atom, FoundBy::alternate_link},
              {"https://bao.example/trang-chu/feed.json", "", FeedKind::json, FoundBy::alternate_link}},
             common_paths("https://bao.example")));
}

TEST_CASE("discovery takes the page's links that look like feeds, after its alternate links", "[discovery]") {
  const std::string page = R"(<html><head><base href="https://cdn.example/news/">
    <link rel="alternate" type="application/rss+xml" href="https://bao.example/feed/"></head><body>
    <a href="/gioi-thieu">Giới thiệu</a>
    <a href="rss/the-thao.rss">Thể thao</a>
    <a href="https://bao.example/feed/" title="Trùng">RSS</a>
    <a href="/sitemap.xml">Sơ đồ</a>
    <a href="/kinh-te/atom.xml?v=2">Kinh <b>tế</b></a>
    <a href="/xuat-ban" type="application/atom+xml">Xuất bản</a>
    <a href="mailto:toa-soan@bao.example">Liên hệ</a>
    <a href="ftp://bao.example/feed.rss">FTP</a>
    </body></html>)";
  CHECK(discover_feeds(page, at("https://bao.example/")) ==
        joined({{"https://bao.example/feed/", "", FeedKind::rss, FoundBy::alternate_link},
                {"https://cdn.example/news/rss/the-thao.rss", "Thể thao", FeedKind::rss, FoundBy::page_link},
                {"https://cdn.example/kinh-te/atom.xml?v=2", "Kinh tế", FeedKind::atom, FoundBy::page_link},
                {"https://cdn.example/xuat-ban", "Xuất bản", FeedKind::atom, FoundBy::page_link}},
               common_paths("https://cdn.example")));
}

TEST_CASE("discovery keeps the first twenty feed-looking links of a page of feeds", "[discovery]") {
  std::string page = "<html><body>";
  for (int i = 1; i <= 25; ++i) page += "<a href=\"/rss/muc-" + std::to_string(i) + ".rss\">Mục</a>";
  page += "</body></html>";
  const auto found = discover_feeds(page, at("https://bao.example/rss"));
  REQUIRE(found.size() == 20 + 8);
  CHECK(found[19] ==
        FeedCandidate{"https://bao.example/rss/muc-20.rss", "Mục", FeedKind::rss, FoundBy::page_link});
  CHECK(found[20].found_by == FoundBy::common_path);
}

TEST_CASE("discovery of a page it cannot read still offers the common paths", "[discovery]") {
  tinhop::HtmlLimits limits;
  limits.max_bytes = 10;
  CHECK(discover_feeds("<html><link rel=alternate type=application/rss+xml href=/a.rss></html>",
                       at("http://bao.example:8080/a/b"), limits) == common_paths("http://bao.example:8080"));
}
