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

TEST_CASE("Atom 1.0: the feed's metadata elements of RFC 4287 section 4.2", "[atom]") {
  // After RFC 4287's extensive example (section 1.1), with the elements it leaves out added.
  const auto result = parse_ok(R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title type="text">dive into mark</title>
  <subtitle type="html">A &lt;em&gt;lot&lt;/em&gt; of effort went into making this effortless</subtitle>
  <updated>2005-07-31T12:29:29Z</updated>
  <id>tag:example.org,2003:3</id>
  <link rel="alternate" type="text/html" hreflang="en" href="http://example.org/"/>
  <link rel="self" type="application/atom+xml" href="http://example.org/feed.atom"/>
  <rights>Copyright (c) 2003, Mark Pilgrim</rights>
  <generator uri="http://www.example.com/" version="1.0">Example Toolkit</generator>
  <icon>/favicon.ico</icon>
  <logo>/logo.png</logo>
  <author><name>Mark Pilgrim</name><uri>http://example.org/</uri><email>f8dy@example.com</email></author>
  <contributor><name>Sam Ruby</name></contributor>
  <category term="technology" label="Technology"/>
  <entry>
    <title>Atom draft-07 snapshot</title>
    <link rel="alternate" type="text/html" href="http://example.org/2005/04/02/atom"/>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="http://example.org/audio/ph34r_my_podcast.mp3"/>
    <id>tag:example.org,2003:3.2397</id>
    <updated>2005-07-31T12:29:29Z</updated>
    <published>2003-12-13T08:29:29-04:00</published>
    <contributor><name>Sam Ruby</name></contributor>
    <contributor><name>Joe Gregorio</name></contributor>
    <rights type="html">&lt;b&gt;CC&lt;/b&gt; BY</rights>
    <content type="xhtml" xml:lang="en" xml:base="http://diveintomark.org/">
      <div xmlns="http://www.w3.org/1999/xhtml"><p><i>[Update: The Atom draft is finished.]</i></p></div>
    </content>
  </entry>
</feed>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.title == "dive into mark");
  CHECK(feed.description == "A <em>lot</em> of effort went into making this effortless");
  CHECK(feed.id == "tag:example.org,2003:3");
  CHECK(feed.rights == "Copyright (c) 2003, Mark Pilgrim");
  CHECK(feed.generator == "Example Toolkit");
  CHECK(feed.icon == "http://example.org/favicon.ico");
  CHECK(feed.image == "http://example.org/logo.png");
  REQUIRE(feed.authors.size() == 1);
  CHECK(feed.authors[0].email == "f8dy@example.com");
  REQUIRE(feed.contributors.size() == 1);
  CHECK(feed.contributors[0].name == "Sam Ruby");
  CHECK(feed.categories == std::vector<std::string>{"technology"});
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& entry = feed.items[0];
  CHECK(entry.content == "<p><i>[Update: The Atom draft is finished.]</i></p>");
  CHECK(utc(entry.published) == "2003-12-13T12:29:29Z");
  REQUIRE(entry.authors.size() == 1);
  CHECK(entry.authors[0].name == "Mark Pilgrim");
  REQUIRE(entry.extras);
  REQUIRE(entry.extras->contributors.size() == 2);
  CHECK(entry.extras->contributors[1].name == "Joe Gregorio");
  CHECK(entry.extras->rights == "CC BY");
  CHECK(entry.extras->language == std::nullopt);
}

TEST_CASE("Atom 1.0: source, xml:lang inherited or overridden per entry", "[atom]") {
  const auto result = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-US">
  <title>Aggregated</title><id>urn:agg</id><updated>2024-01-01T00:00:00Z</updated>
  <entry>
    <id>urn:agg:1</id><title>Inherited</title><updated>2024-01-01T00:00:00Z</updated>
    <source>
      <id>http://example.org/</id>
      <title>Fourty-Two</title>
      <link href="http://example.org/"/>
      <updated>2003-12-13T18:30:02Z</updated>
      <rights>© 2005 Example, Inc.</rights>
    </source>
  </entry>
  <entry xml:lang="fr">
    <id>urn:agg:2</id><title>Bonjour</title><updated>2024-01-01T00:00:00Z</updated>
  </entry>
</feed>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.language == "en-US");
  REQUIRE(feed.items.size() == 2);
  const tinhop::Item& first = feed.items[0];
  REQUIRE(first.extras);
  CHECK(first.extras->language == std::nullopt);
  REQUIRE(first.extras->source);
  CHECK(first.extras->source->title == "Fourty-Two");
  CHECK(first.extras->source->link == "http://example.org/");
  CHECK(first.extras->source->id == "http://example.org/");
  // The source's rights are the source's, not the entry's.
  CHECK(first.extras->rights == std::nullopt);
  REQUIRE(feed.items[1].extras);
  CHECK(feed.items[1].extras->language == "fr");
}

TEST_CASE("Atom 1.0: titles with markup are plain text, stray quotes in attributes included", "[atom]") {
  const auto result = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom">
  <title>T</title><id>urn:t</id>
  <entry><id>urn:1</id><title type="html">&lt;a href="/x"y"&gt;Less&lt;/a&gt; &amp;amp; more</title></entry>
  <entry><id>urn:2</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><a href='say "hi"'>Quoted</a> title</div></title></entry>
  <entry><id>urn:3</id><title type="text">&lt;b&gt; is a tag</title></entry>
</feed>)");
  REQUIRE(result.feed.items.size() == 3);
  CHECK(result.feed.items[0].title == "Less & more");
  CHECK(result.feed.items[1].title == "Quoted title");
  CHECK(result.feed.items[2].title == "<b> is a tag");
}

TEST_CASE("Atom 0.3: tagline, copyright, info, contributor and the issued/modified/created dates", "[atom]") {
  const auto result = parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">
  <title>dive into mark</title>
  <link rel="alternate" type="text/html" href="http://diveintomark.org/"/>
  <tagline>A lot of effort went into making this effortless</tagline>
  <copyright>Copyright (c) 2003, Mark Pilgrim</copyright>
  <info mode="xml" type="text/html"><div xmlns="http://www.w3.org/1999/xhtml">This is an Atom feed.</div></info>
  <modified>2003-12-13T18:30:02Z</modified>
  <author><name>Mark Pilgrim</name></author>
  <entry>
    <title>Atom 0.3 snapshot</title>
    <link rel="alternate" type="text/html" href="http://diveintomark.org/2003/12/13/atom03"/>
    <id>tag:diveintomark.org,2003:3.2397</id>
    <issued>2003-12-13T08:29:29-04:00</issued>
    <modified>2003-12-13T18:30:02Z</modified>
    <created>2003-12-13T08:29:29-04:00</created>
    <contributor><name>Joe Gregorio</name></contributor>
    <summary>Snapshot</summary>
  </entry>
  <entry>
    <title>Created only</title><id>tag:diveintomark.org,2003:3.2398</id>
    <created>2003-12-14T00:00:00Z</created>
  </entry>
</feed>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.format == FeedFormat::atom03);
  CHECK(feed.description == "A lot of effort went into making this effortless");
  CHECK(feed.rights == "Copyright (c) 2003, Mark Pilgrim");
  CHECK(utc(feed.updated) == "2003-12-13T18:30:02Z");
  REQUIRE(feed.items.size() == 2);
  CHECK(utc(feed.items[0].published) == "2003-12-13T12:29:29Z");
  CHECK(utc(feed.items[0].updated) == "2003-12-13T18:30:02Z");
  REQUIRE(feed.items[0].extras);
  REQUIRE(feed.items[0].extras->contributors.size() == 1);
  CHECK(feed.items[0].extras->contributors[0].name == "Joe Gregorio");
  CHECK(utc(feed.items[1].published) == "2003-12-14T00:00:00Z");
}

TEST_CASE("Atom: a contributor's address resolves against xml:base, else the document's URL", "[atom]") {
  const auto result = parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <entry><title>Relative to the document</title><contributor><url>/people/lan</url></contributor></entry>
  <entry xml:base="https://mirror.example.org/site/"><title>Relative to its base</title>
    <contributor><name>Minh</name><url>people/minh</url></contributor></entry>
</feed>)",
                               context_for("https://example.vn/feeds/atom.xml"));
  REQUIRE(result.feed.items.size() == 2);
  REQUIRE(result.feed.items[0].extras);
  CHECK(result.feed.items[0].extras->contributors[0].uri == "https://example.vn/people/lan");
  REQUIRE(result.feed.items[1].extras);
  CHECK(result.feed.items[1].extras->contributors[0].uri == "https://mirror.example.org/site/people/minh");
}
