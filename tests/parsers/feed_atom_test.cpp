#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::FeedFormat;
using tinhop::test::context_for;
using tinhop::test::parse_ok;
using tinhop::test::utc;

TEST_CASE("Atom 1.0: links by rel and type, text constructs, xml:base, inherited authors", "[atom]") {
  const auto result = parse_ok(R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi" xml:base="https://example.org/news/">
  <title type="html">Tin &lt;em&gt;mới&lt;/em&gt;</title>
  <subtitle>Phụ đề</subtitle>
  <link rel="self" href="https://example.org/feed.atom"/>
  <link rel="alternate" type="text/html" href="/"/>
  <updated>2019-08-02T03:00:00Z</updated>
  <author><name>Ban Biên tập</name><email>bbt@example.org</email></author>
  <entry xml:base="2019/">
    <id>tag:example.org,2019:1</id>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Bài <b>một</b></div></title>
    <link rel="alternate" type="application/pdf" href="one.pdf"/>
    <link rel="alternate" type="text/html" href="one.html"/>
    <link rel="enclosure" type="audio/mpeg" length="99" href="one.mp3"/>
    <summary type="text">a &lt; b</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Nội <a href="x">dung</a></p></div></content>
    <published>2019-08-01T10:00:00+07:00</published>
    <updated>2019-08-02T10:00:00+07:00</updated>
    <category term="kinh-te" label="Kinh tế"/>
  </entry>
  <entry>
    <id>tag:example.org,2019:2</id>
    <title>Hai</title>
    <link href="two"/>
    <source><author><name>Nguồn gốc</name></author></source>
    <content type="html">&lt;p&gt;Hai&lt;/p&gt;</content>
  </entry>
</feed>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.format == FeedFormat::atom10);
  CHECK(feed.title == "Tin mới");
  CHECK(feed.description == "Phụ đề");
  CHECK(feed.link == "https://example.org/");
  CHECK(feed.language == "vi");
  CHECK(utc(feed.updated) == "2019-08-02T03:00:00Z");
  REQUIRE(feed.items.size() == 2);
  const tinhop::Item& one = feed.items[0];
  CHECK(one.id == "tag:example.org,2019:1");
  CHECK(one.title == "Bài một");
  CHECK(one.link == "https://example.org/news/2019/one.html");
  CHECK(one.summary == "a < b");
  CHECK(one.content == R"(<p>Nội <a href="x">dung</a></p>)");
  CHECK(utc(one.published) == "2019-08-01T03:00:00Z");
  CHECK(utc(one.updated) == "2019-08-02T03:00:00Z");
  CHECK(one.categories == std::vector<std::string>{"kinh-te"});
  REQUIRE(one.enclosures.size() == 1);
  CHECK(one.enclosures[0].url == "https://example.org/news/2019/one.mp3");
  CHECK(one.enclosures[0].length == 99);
  REQUIRE(one.authors.size() == 1);
  CHECK(one.authors[0].name == "Ban Biên tập");
  CHECK(one.authors[0].email == "bbt@example.org");
  const tinhop::Item& two = feed.items[1];
  CHECK(two.link == "https://example.org/news/two");
  CHECK(two.content == "<p>Hai</p>");
  REQUIRE(two.authors.size() == 1);
  CHECK(two.authors[0].name == "Nguồn gốc");
}

TEST_CASE("Atom 0.3: modes, issued/modified, links with their address as text", "[atom]") {
  const auto result = parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Cũ</title><tagline>Dòng</tagline><modified>2004-01-01T00:00:00Z</modified>
  <entry>
    <title mode="escaped" type="text/html">A &amp;amp; B</title>
    <link rel="alternate" type="text/html">http://example.org/a</link>
    <issued>2004-01-01T07:00:00+07:00</issued>
    <content mode="base64" type="text/html">PHA+SGk8L3A+</content>
    <author><name>X</name><homepage>http://example.org/x</homepage></author>
  </entry>
</feed>)");
  CHECK(result.feed.format == FeedFormat::atom03);
  CHECK(result.feed.description == "Dòng");
  CHECK(utc(result.feed.updated) == "2004-01-01T00:00:00Z");
  REQUIRE(result.feed.items.size() == 1);
  const tinhop::Item& item = result.feed.items[0];
  CHECK(item.title == "A & B");
  CHECK(item.link == "http://example.org/a");
  CHECK(utc(item.published) == "2004-01-01T00:00:00Z");
  CHECK(item.content == "<p>Hi</p>");
  REQUIRE(item.authors.size() == 1);
  CHECK(item.authors[0].uri == "http://example.org/x");
}

TEST_CASE("Atom: relative links fall back to the fetch URL when nothing else is a base", "[atom]") {
  const auto result = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>t</title>
    <link href="../bai/1"/></entry></feed>)",
                               context_for("https://example.vn/rss/atom.xml"));
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].link == "https://example.vn/bai/1");
}

TEST_CASE("Atom: SVG inside xhtml content keeps its namespace, unprefixed", "[atom]") {
  const auto result =
      parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry xmlns:svg="http://www.w3.org/2000/svg">
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><svg:svg width="1"><svg:circle r="2"/></svg:svg><br/></div></content>
    </entry></feed>)");
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].content ==
        R"(<svg xmlns="http://www.w3.org/2000/svg" width="1"><circle r="2"></circle></svg><br />)");
}
