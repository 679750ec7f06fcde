#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::FeedFormat;
using tinhop::ParseError;
using tinhop::test::parse_ok;
using tinhop::test::utc;

TEST_CASE("JSON Feed 1.1: items, authors, tags, attachments, images", "[json]") {
  const auto result = parse_ok(R"({
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Tin &amp; JSON",
    "home_page_url": "https://example.vn/",
    "description": "Mô tả",
    "language": "vi",
    "authors": [{"name": "Tòa soạn", "url": "https://example.vn/toa-soan"}],
    "items": [
      {"id": 42, "url": "/bai/42", "title": "Bài 42", "summary": "Tóm tắt",
       "content_html": "<p>Nội dung</p>", "content_text": "Nội dung",
       "date_published": "2019-08-02T10:00:00+07:00", "date_modified": "2019-08-03T03:00:00Z",
       "tags": ["a", "b"], "image": "/anh.jpg",
       "attachments": [{"url": "https://cdn.example.vn/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 100}]},
      {"id": "x", "external_url": "https://other.example/x", "content_text": "Chỉ chữ",
       "authors": [{"name": "Riêng"}]},
      "not an object"
    ]
  })");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.format == FeedFormat::json11);
  CHECK(feed.title == "Tin &amp; JSON");  // plain text: what the publisher wrote
  CHECK(feed.link == "https://example.vn/");
  CHECK(feed.language == "vi");
  CHECK(utc(feed.updated) == "2019-08-03T03:00:00Z");
  REQUIRE(feed.items.size() == 2);
  const tinhop::Item& first = feed.items[0];
  CHECK(first.id == "42");
  CHECK(first.link == "https://example.vn/bai/42");
  CHECK(first.summary == "Tóm tắt");
  CHECK(first.content == "<p>Nội dung</p>");
  CHECK(utc(first.published) == "2019-08-02T03:00:00Z");
  CHECK(utc(first.updated) == "2019-08-03T03:00:00Z");
  CHECK(first.categories == std::vector<std::string>{"a", "b"});
  CHECK(first.thumbnail == "https://example.vn/anh.jpg");
  REQUIRE(first.enclosures.size() == 1);
  CHECK(first.enclosures[0].length == 100);
  REQUIRE(first.authors.size() == 1);
  CHECK(first.authors[0].uri == "https://example.vn/toa-soan");
  const tinhop::Item& second = feed.items[1];
  CHECK(second.link == "https://other.example/x");
  CHECK(second.content == "Chỉ chữ");
  CHECK(second.authors.at(0).name == "Riêng");
  CHECK(result.warnings == std::vector<std::string>{"JSON Feed item that is not an object: skipped"});
}

TEST_CASE("JSON Feed 1.0: the single author object", "[json]") {
  const auto result = parse_ok(R"({"version": "https://jsonfeed.org/version/1", "title": "t",
    "author": {"name": "Một"}, "items": [{"id": "1", "content_text": "x"}]})");
  CHECK(result.feed.format == FeedFormat::json10);
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].authors.at(0).name == "Một");
}

TEST_CASE("JSON that is not a JSON Feed is refused as not a feed", "[json]") {
  const auto invalid = tinhop::parse_feed(R"({"version": )", {});
  REQUIRE_FALSE(invalid);
  CHECK(invalid.failure().error == ParseError::not_a_feed);
  const auto other = tinhop::parse_feed(R"({"hello": "world"})", {});
  REQUIRE_FALSE(other);
  CHECK(other.failure().message == "not a JSON Feed: no jsonfeed.org version");
}

TEST_CASE("JSON Feed titles are plain text: markup and references in them are text", "[json]") {
  const auto result = parse_ok(R"({"version": "https://jsonfeed.org/version/1.1",
    "title": "  The <i>Daily</i>   Post ",
    "items": [{"id": "1", "title": "Why <b>bold</b> &amp; <i>italic</i>?", "content_html": "<p>x</p>"},
              {"id": "2", "title": "   ", "content_text": "untitled"}]})");
  CHECK(result.feed.title == "The <i>Daily</i> Post");
  REQUIRE(result.feed.items.size() == 2);
  CHECK(result.feed.items[0].title == "Why <b>bold</b> &amp; <i>italic</i>?");
  CHECK_FALSE(result.feed.items[1].title);
  CHECK(result.warnings.empty());
}
