#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::ParseError;
using tinhop::ParsePath;
using tinhop::test::parse_ok;

TEST_CASE("Recovery: HTML named entities in XML are decoded from the HTML5 table", "[recovery]") {
  const auto result =
      parse_ok("<rss><channel><title>A&nbsp;&hellip;&eacute;&notanentity;</title></channel></rss>");
  CHECK(result.path == ParsePath::strict);
  CHECK(result.feed.title == "A\u00A0\u2026\u00E9&notanentity;");
}

TEST_CASE("Recovery: raw '&' in attributes and text survives, and the document says it was repaired",
          "[recovery]") {
  const auto result = parse_ok(R"(<rss><channel><item><title>Q&A</title>
    <enclosure url="https://i.vn/a.jpg?w=1&h=0&q=100" type="image/jpeg"/></item></channel></rss>)");
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].title == "Q&A");
  CHECK(result.feed.items[0].enclosures.at(0).url == "https://i.vn/a.jpg?w=1&h=0&q=100");
  CHECK(result.path == ParsePath::repaired);
  CHECK(result.warnings ==
        std::vector<std::string>{
            "malformed XML: 2 bare '&' in attribute values kept as written (first on line 2)",
            "malformed XML: 1 bare '&' in text kept as written (first on line 1)"});
}

TEST_CASE("Recovery: a bare '&' in one attribute is not a clean bill", "[recovery]") {
  const auto result = parse_ok(
      "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>T &amp; &#38; &eacute;</title>\n"
      "<link href=\"https://x.vn/?a=1&b=2\"/></channel></rss>");
  CHECK(result.path == ParsePath::repaired);
  CHECK(result.feed.link == "https://x.vn/?a=1&b=2");
  CHECK(result.warnings ==
        std::vector<std::string>{
            "malformed XML: 1 bare '&' in attribute values kept as written (first on line 3)"});
}

TEST_CASE("Recovery: '&' in CDATA, comments and references is well-formed", "[recovery]") {
  const auto result = parse_ok(
      "<rss><channel><!-- a & b --><title><![CDATA[Q&A]]> &amp; &#x26;&nbsp;x</title>"
      "<link>https://x.vn/?a=1&amp;b=2</link></channel></rss>");
  CHECK(result.path == ParsePath::strict);
  CHECK(result.warnings.empty());
  CHECK(result.feed.title == "Q&A & &\u00A0x");
}

TEST_CASE("Recovery: white space before the XML declaration is reported", "[recovery]") {
  const auto result = parse_ok(
      "\n  <?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>T</title></channel></rss>");
  CHECK(result.path == ParsePath::repaired);
  CHECK(result.feed.title == "T");
  CHECK(result.warnings == std::vector<std::string>{"malformed XML: white space before the XML declaration"});
  // White space before the root element, with no declaration, is allowed.
  const auto bare = parse_ok("\n  <rss><channel><title>T</title></channel></rss>");
  CHECK(bare.path == ParsePath::strict);
  CHECK(bare.warnings.empty());
}

TEST_CASE("Recovery: control characters are dropped from text", "[recovery]") {
  const auto result = parse_ok("<rss><channel><item><title>ab\x08\x01 cd</title></item></channel></rss>");
  CHECK(result.feed.items.at(0).title == "ab cd");
}

TEST_CASE("Recovery: junk before the root (a browser's banner) is ignored", "[recovery]") {
  const auto result = parse_ok(
      "This XML file does not appear to have any style information associated with it.\n"
      "<rss version=\"2.0\"><channel><title>T</title></channel></rss>");
  CHECK(result.feed.title == "T");
}

TEST_CASE("Recovery: unquoted attributes and a stray '<' go through the repairing pre-pass", "[recovery]") {
  const auto result = parse_ok(R"(<rss version=2.0><channel><item><title>a < b</title>
    <enclosure url=https://i.vn/x.jpg type=image/jpeg /></item></channel></rss>)");
  CHECK(result.path == ParsePath::repaired);
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].title == "a < b");
  CHECK(result.feed.items[0].enclosures.at(0).url == "https://i.vn/x.jpg");
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].find("repaired unquoted attributes") != std::string::npos);
}

TEST_CASE("Recovery: mismatched end tags are read as a browser would", "[recovery]") {
  const auto result = parse_ok(R"(<rss version="2.0"><channel><language>vi</langauge>
    <item><title>One</b></title><link>https://x.vn/1</link></item></channel></rss>)");
  CHECK(result.path == ParsePath::tag_soup);
  CHECK(result.feed.language == "vi");
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].title == "One");
  CHECK(result.feed.items[0].link == "https://x.vn/1");
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].rfind("malformed XML (Start-end tags mismatch", 0) == 0);
}

TEST_CASE("Recovery: unclosed trailing elements and a truncated document keep what was read", "[recovery]") {
  const auto result = parse_ok(R"(<rss version="2.0"><channel><title>T</title>
    <item><title>Complete</title></item>
    <item><title>Cut off</title><link>https://x.vn/2</link><descr)");
  CHECK(result.path == ParsePath::tag_soup);
  REQUIRE(result.feed.items.size() == 2);
  CHECK(result.feed.items[0].title == "Complete");
  CHECK(result.feed.items[1].title == "Cut off");
  CHECK(result.feed.items[1].link == "https://x.vn/2");
}

TEST_CASE("Recovery: a document that is not a feed is refused with the reason", "[recovery]") {
  const auto html = tinhop::parse_feed("<!DOCTYPE html><html><body><p>Hi</p></body></html>", {});
  REQUIRE_FALSE(html);
  CHECK(html.failure().error == ParseError::not_a_feed);
  CHECK(html.failure().message == "not a feed: root element <html> is not RSS, RDF or Atom");
  const auto empty = tinhop::parse_feed("  \n", {});
  REQUIRE_FALSE(empty);
  CHECK(empty.failure().message == "empty document");
  const auto text = tinhop::parse_feed("just words", {});
  REQUIRE_FALSE(text);
  CHECK(text.failure().error == ParseError::not_a_feed);
}
