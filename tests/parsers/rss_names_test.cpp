// What real RSS documents write beside the spec: element names in another case, and RSS
// elements in a default namespace.
#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::FeedFormat;
using tinhop::test::parse_ok;
using tinhop::test::utc;

TEST_CASE("RSS names: <Item>, <PubDate>, <dc:Creator> are read as the spec spells them", "[rss][names]") {
  const auto result = parse_ok(R"(<RSS version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><Channel>
    <Title>Kênh</Title><Link>https://kenh.example.vn/</Link><Language>vi</Language>
    <lastbuilddate>Fri, 02 Aug 2019 10:00:00 +0700</lastbuilddate>
    <Item><Title>Một</Title><Link>/1</Link><PubDate>Fri, 02 Aug 2019 09:00:00 +0700</PubDate>
      <Description>Tóm tắt</Description><GUID isPermaLink="false">id-1</GUID>
      <dc:Creator>Phóng viên</dc:Creator><dc:SUBJECT>Thời sự</dc:SUBJECT></Item>
    <item><title>Hai</title><pubdate>Fri, 02 Aug 2019 08:00:00 +0700</pubdate></item>
  </Channel></RSS>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.format == FeedFormat::rss20);
  CHECK(feed.title == "Kênh");
  CHECK(feed.link == "https://kenh.example.vn/");
  CHECK(feed.language == "vi");
  CHECK(utc(feed.updated) == "2019-08-02T03:00:00Z");
  REQUIRE(feed.items.size() == 2);
  const tinhop::Item& first = feed.items[0];
  CHECK(first.title == "Một");
  CHECK(first.link == "https://kenh.example.vn/1");
  CHECK(utc(first.published) == "2019-08-02T02:00:00Z");
  CHECK(first.summary == "Tóm tắt");
  CHECK(first.id == "id-1");
  REQUIRE(first.authors.size() == 1);
  CHECK(first.authors[0].name == "Phóng viên");
  CHECK(first.categories == std::vector<std::string>{"Thời sự"});
  CHECK(utc(feed.items[1].published) == "2019-08-02T01:00:00Z");
  CHECK(result.warnings.empty());
}

TEST_CASE("RSS names: a prefix in another case than its declaration is read by its meaning", "[rss][names]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
    <item><title>a</title><DC:creator>An</DC:creator></item></channel></rss>)");
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].authors.at(0).name == "An");
  CHECK(result.warnings == std::vector<std::string>{"undeclared namespace prefix 'DC'"});
}

TEST_CASE("RSS names: Atom keeps its exact names", "[rss][names]") {
  const auto result =
      parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><Title>No</Title><title>Yes</title>
    <Entry><title>not an entry</title></Entry></feed>)");
  CHECK(result.feed.format == FeedFormat::atom10);
  CHECK(result.feed.title == "Yes");
  CHECK(result.feed.items.empty());
}

TEST_CASE("RSS in a default namespace: the spec's address, UserLand's and any other", "[rss][names]") {
  for (const std::string namespace_uri :
       {"https://cyber.harvard.edu/rss/rss.html", "http://backend.userland.com/rss2",
        "http://blogs.law.harvard.edu/tech/rss", "http://example.com/our-own-rss"}) {
    CAPTURE(namespace_uri);
    const auto result = parse_ok(R"(<?xml version="1.0"?><rss version="2.0" xmlns=")" + namespace_uri +
                                 R"(" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
      <link>https://x.example/</link>
      <item><title>One</title><link>https://x.example/1</link><dc:creator>A</dc:creator></item>
      <item><title>Two</title><link>https://x.example/2</link></item></channel></rss>)");
    CHECK(result.feed.format == FeedFormat::rss20);
    CHECK(result.feed.title == "T");
    CHECK(result.feed.link == "https://x.example/");
    REQUIRE(result.feed.items.size() == 2);
    CHECK(result.feed.items[0].title == "One");
    CHECK(result.feed.items[0].authors.at(0).name == "A");
    CHECK(result.feed.items[1].link == "https://x.example/2");
    CHECK(result.warnings.empty());
  }
}

TEST_CASE("RSS in a default namespace: prefixed foreign elements stay foreign", "[rss][names]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns="http://backend.userland.com/rss2"
    xmlns:x="http://example.com/ext"><channel><item><title>Real</title><x:title>Decoy</x:title>
    <x:link>https://decoy.example/</x:link></item></channel></rss>)");
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].title == "Real");
  CHECK_FALSE(result.feed.items[0].link);
}
