// Dublin Core (RSS 1.0 module, fixtures after its example) and the DCMI Metadata Terms.
#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::test::parse_ok;
using tinhop::test::utc;

TEST_CASE("Dublin Core: channel creator, rights, subject, contributor and date", "[dc]") {
  const auto result = parse_ok(R"(<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"
         xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="http://meerkat.oreillynet.com/?_fl=rss1.0">
    <title>Meerkat</title>
    <link>http://meerkat.oreillynet.com</link>
    <description>Meerkat: An Open Wire Service</description>
    <dc:publisher>The O'Reilly Network</dc:publisher>
    <dc:creator>Rael Dornfest (mailto:rael@oreilly.com)</dc:creator>
    <dc:rights>Copyright &#169; 2000 O'Reilly &amp; Associates, Inc.</dc:rights>
    <dc:date>2000-01-01T12:00+00:00</dc:date>
    <dc:subject>Syndication</dc:subject>
    <dc:contributor>Ben Trott</dc:contributor>
    <dc:language>en</dc:language>
  </channel>
  <item rdf:about="http://c.moreover.com/click/here.pl?r123">
    <title>XML: A Disruptive Technology</title>
    <link>http://c.moreover.com/click/here.pl?r123</link>
    <dc:description>XML is placing increasingly heavy loads on the existing technical infrastructure of the Internet.</dc:description>
    <dc:publisher>The O'Reilly Network</dc:publisher>
    <dc:creator>Simon St.Laurent (mailto:simonstl@simonstl.com)</dc:creator>
    <dc:rights>Copyright &#169; 2000 O'Reilly &amp; Associates, Inc.</dc:rights>
    <dc:subject>XML</dc:subject>
    <dc:contributor>Edd Dumbill</dc:contributor>
    <dc:language>en-GB</dc:language>
    <dc:source>http://www.xml.com/pub/2000/01/01/disruptive.html</dc:source>
    <dc:date>2000-01-01T12:00+00:00</dc:date>
  </item>
</rdf:RDF>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.language == "en");
  CHECK(feed.rights == "Copyright © 2000 O'Reilly & Associates, Inc.");
  REQUIRE(feed.authors.size() == 1);
  CHECK(feed.authors[0].name == "Rael Dornfest");
  CHECK(feed.authors[0].email == "rael@oreilly.com");
  REQUIRE(feed.contributors.size() == 1);
  CHECK(feed.contributors[0].name == "Ben Trott");
  CHECK(feed.categories == std::vector<std::string>{"Syndication"});
  CHECK(utc(feed.updated) == "2000-01-01T12:00:00Z");
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  CHECK(item.summary ==
        "XML is placing increasingly heavy loads on the existing technical infrastructure of the Internet.");
  REQUIRE(item.authors.size() == 1);
  CHECK(item.authors[0].name == "Simon St.Laurent");
  CHECK(item.categories == std::vector<std::string>{"XML"});
  CHECK(utc(item.published) == "2000-01-01T12:00:00Z");
  CHECK(utc(item.updated) == "2000-01-01T12:00:00Z");
  REQUIRE(item.extras);
  CHECK(item.extras->rights == "Copyright © 2000 O'Reilly & Associates, Inc.");
  CHECK(item.extras->language == "en-GB");
  REQUIRE(item.extras->contributors.size() == 1);
  CHECK(item.extras->contributors[0].name == "Edd Dumbill");
  REQUIRE(item.extras->source);
  CHECK(item.extras->source->link == "http://www.xml.com/pub/2000/01/01/disruptive.html");
}

TEST_CASE("DC Terms: every date term, in the documented precedence", "[dc]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:dcterms="http://purl.org/dc/terms/">
<channel><title>Dates</title><link>https://d.example/</link>
  <dcterms:modified>2021-03-04T05:06:07Z</dcterms:modified>
  <item><title>issued, date</title>
    <dc:date>2020-01-02T00:00:00Z</dc:date><dcterms:issued>2020-01-01T00:00:00Z</dcterms:issued></item>
  <item><title>created, modified</title>
    <dcterms:modified>2020-02-02T00:00:00Z</dcterms:modified><dcterms:created>2020-02-01T00:00:00Z</dcterms:created></item>
  <item><title>available</title><dcterms:available>2020-03-01T00:00:00Z</dcterms:available></item>
  <item><title>accepted, submitted</title>
    <dcterms:dateSubmitted>2020-04-01T00:00:00Z</dcterms:dateSubmitted>
    <dcterms:dateAccepted>2020-04-02T00:00:00Z</dcterms:dateAccepted></item>
  <item><title>submitted</title><dcterms:dateSubmitted>2020-05-01T00:00:00Z</dcterms:dateSubmitted></item>
  <item><title>pubDate first</title><pubDate>Mon, 01 Jun 2020 00:00:00 GMT</pubDate>
    <dcterms:issued>2020-06-02T00:00:00Z</dcterms:issued></item>
  <item><title>dcterms:date</title><dcterms:date>2020-07-01T00:00:00Z</dcterms:date></item>
</channel></rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(utc(feed.updated) == "2021-03-04T05:06:07Z");
  REQUIRE(feed.items.size() == 7);
  const auto dates = [&](std::size_t i) {
    return utc(feed.items[i].published) + " " + utc(feed.items[i].updated);
  };
  CHECK(dates(0) == "2020-01-01T00:00:00Z 2020-01-02T00:00:00Z");
  CHECK(dates(1) == "2020-02-01T00:00:00Z 2020-02-02T00:00:00Z");
  CHECK(dates(2) == "2020-03-01T00:00:00Z null");
  CHECK(dates(3) == "2020-04-02T00:00:00Z null");
  CHECK(dates(4) == "2020-05-01T00:00:00Z null");
  CHECK(dates(5) == "2020-06-01T00:00:00Z null");
  CHECK(dates(6) == "2020-07-01T00:00:00Z 2020-07-01T00:00:00Z");
}

TEST_CASE("DC Terms in Atom: issued and modified stand in for Atom's own dates", "[dc][atom]") {
  const auto result =
      parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dcterms="http://purl.org/dc/terms/"
      xmlns:dc="http://purl.org/dc/elements/1.1/">
<title>T</title><id>urn:t</id>
<entry><id>urn:1</id><title>One</title>
  <dcterms:issued>2020-01-01T00:00:00Z</dcterms:issued><dcterms:modified>2020-01-03T00:00:00Z</dcterms:modified>
  <dc:creator>Ana</dc:creator><dc:rights>CC BY 4.0</dc:rights></entry>
<entry><id>urn:2</id><title>Two</title><published>2020-02-01T00:00:00Z</published>
  <dcterms:issued>2020-02-05T00:00:00Z</dcterms:issued></entry>
<entry><dc:identifier>urn:isbn:0-486-27557-4</dc:identifier><dc:title>Only &lt;i&gt;DC&lt;/i&gt;</dc:title>
  <dc:date>2020-03-01T00:00:00Z</dc:date></entry>
</feed>)");
  REQUIRE(result.feed.items.size() == 3);
  const tinhop::Item& one = result.feed.items[0];
  CHECK(utc(one.published) == "2020-01-01T00:00:00Z");
  CHECK(utc(one.updated) == "2020-01-03T00:00:00Z");
  REQUIRE(one.authors.size() == 1);
  CHECK(one.authors[0].name == "Ana");
  REQUIRE(one.extras);
  CHECK(one.extras->rights == "CC BY 4.0");
  CHECK(utc(result.feed.items[1].published) == "2020-02-01T00:00:00Z");
  const tinhop::Item& three = result.feed.items[2];
  CHECK(three.id == "urn:isbn:0-486-27557-4");
  CHECK(three.title == "Only DC");
  CHECK(utc(three.published) == "2020-03-01T00:00:00Z");
}

TEST_CASE("The channel's publication date: pubDate, else dcterms:issued", "[dc][rss]") {
  const auto both = parse_ok(R"(<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel>
<title>T</title><lastBuildDate>Tue, 02 Jun 2020 08:00:00 GMT</lastBuildDate>
<pubDate>Mon, 01 Jun 2020 07:00:00 +0700</pubDate><dcterms:issued>2019-01-01T00:00:00Z</dcterms:issued>
</channel></rss>)");
  CHECK(utc(both.feed.published) == "2020-06-01T00:00:00Z");
  CHECK(utc(both.feed.updated) == "2020-06-02T08:00:00Z");
  const auto issued = parse_ok(R"(<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel>
<title>T</title><dcterms:issued>2019-01-01T00:00:00Z</dcterms:issued></channel></rss>)");
  CHECK(utc(issued.feed.published) == "2019-01-01T00:00:00Z");
  const auto atom =
      parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dcterms="http://purl.org/dc/terms/">
<title>T</title><updated>2021-01-01T00:00:00Z</updated><dcterms:issued>2018-05-06T07:08:09Z</dcterms:issued></feed>)");
  CHECK(utc(atom.feed.published) == "2018-05-06T07:08:09Z");
  CHECK(utc(atom.feed.updated) == "2021-01-01T00:00:00Z");
  const auto none = parse_ok(R"(<rss version="2.0"><channel><title>T</title>
<lastBuildDate>Tue, 02 Jun 2020 08:00:00 GMT</lastBuildDate></channel></rss>)");
  CHECK(utc(none.feed.published) == "null");
}

TEST_CASE("An item's dc:language in BCP 47's form, like the channel's", "[dc]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>T</title><language>vi_VN</language>
<item><title>a</title><dc:language>en_US</dc:language></item>
<item><title>b</title><dc:language>VI</dc:language></item>
<item><title>c</title><dc:language>English</dc:language></item>
<item><title>d</title><dc:language>English</dc:language></item>
</channel></rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.language == "vi-VN");
  REQUIRE(feed.items.size() == 4);
  CHECK(feed.items[0].extras->language == "en-US");
  CHECK(feed.items[1].extras->language == "vi");
  CHECK(feed.items[2].extras->language == "English");
  CHECK(result.warnings ==
        std::vector<std::string>{"language 'English' is not a BCP 47 tag: kept as written"});
}
