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

TEST_CASE("RSS names: the element sets of issue 17 part B are read in another case and a default namespace",
          "[rss][names]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns="http://backend.userland.com/rss2"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><Channel>
    <Title>T</Title><Copyright>© Báo</Copyright><Generator>CMS 2</Generator>
    <dc:Contributor>Biên tập</dc:Contributor>
    <Item><Title>Một</Title><Source url="https://nguon.example/rss">Nguồn</Source>
      <dc:Rights>CC BY</dc:Rights><dc:CONTRIBUTOR>Ảnh</dc:CONTRIBUTOR>
      <dcterms:dateaccepted>2019-08-02T09:00:00+07:00</dcterms:dateaccepted></Item>
  </Channel></rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.rights == "© Báo");
  CHECK(feed.generator == "CMS 2");
  REQUIRE(feed.contributors.size() == 1);
  CHECK(feed.contributors[0].name == "Biên tập");
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  CHECK(utc(item.published) == "2019-08-02T02:00:00Z");
  REQUIRE(item.extras);
  REQUIRE(item.extras->source);
  CHECK(item.extras->source->title == "Nguồn");
  CHECK(item.extras->source->link == "https://nguon.example/rss");
  CHECK(item.extras->rights == "CC BY");
  REQUIRE(item.extras->contributors.size() == 1);
  CHECK(item.extras->contributors[0].name == "Ảnh");
  CHECK(result.warnings.empty());
}

TEST_CASE("RSS names: Media RSS in an RSS item keeps its exact names", "[rss][names]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
    <item><title>a</title><media:Thumbnail url="https://x.example/wrong.jpg"/>
      <media:Title>Not a title</media:Title></item>
    <item><media:title>b</media:title><media:thumbnail url="https://x.example/right.jpg"/></item>
  </channel></rss>)");
  REQUIRE(result.feed.items.size() == 2);
  CHECK(result.feed.items[0].title == "a");
  CHECK_FALSE(result.feed.items[0].thumbnail);
  CHECK(result.feed.items[1].title == "b");
  CHECK(result.feed.items[1].thumbnail == "https://x.example/right.jpg");
}
