#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::FeedFormat;
using tinhop::ParsePath;
using tinhop::test::parse_ok;
using tinhop::test::utc;

TEST_CASE("RSS 2.0: every item field maps onto the model", "[rss]") {
  const auto result = parse_ok(R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:m="http://search.yahoo.com/mrss/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
  <title>Tin &amp; Bài</title>
  <link>https://example.gov.vn/</link>
  <description>Mô tả</description>
  <language>vi</language>
  <lastBuildDate>Fri, 02 Aug 2019 10:00:00 +0700</lastBuildDate>
  <ttl>30</ttl>
  <skipHours><hour>1</hour><hour>2</hour></skipHours>
  <item>
    <title><![CDATA[Hội nghị <b>đánh giá</b>]]></title>
    <link>  /tin/123  </link>
    <description><![CDATA[<p>Tóm tắt <img src="/anh/1.jpg"></p>]]></description>
    <content:encoded><![CDATA[<p>Nội dung</p>]]></content:encoded>
    <guid isPermaLink="false">tin-123</guid>
    <pubDate>Fri, 02 Aug 2019 10:00:00 +0700</pubDate>
    <author>ban.bientap@example.gov.vn (Ban Biên tập)</author>
    <dc:creator>Phòng Tổng hợp</dc:creator>
    <category>Tin hoạt động</category>
    <category>Tin hoạt động</category>
    <enclosure url="https://cdn.example.gov.vn/a.mp3" type="audio/mpeg" length="12345"/>
    <m:thumbnail url="https://cdn.example.gov.vn/t.jpg"/>
    <comments>/tin/123#comments</comments>
  </item>
</channel>
</rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.format == FeedFormat::rss20);
  CHECK(result.path == ParsePath::strict);
  CHECK(result.warnings.empty());
  CHECK(feed.title == "Tin & Bài");
  CHECK(feed.link == "https://example.gov.vn/");
  CHECK(feed.description == "Mô tả");
  CHECK(feed.language == "vi");
  CHECK(utc(feed.updated) == "2019-08-02T03:00:00Z");
  CHECK(feed.ttl_minutes == 30);
  CHECK(feed.skip_hours == std::vector<int>{1, 2});
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  CHECK(item.id == "tin-123");
  CHECK(item.link == "https://example.gov.vn/tin/123");
  CHECK(item.title == "Hội nghị đánh giá");
  CHECK(item.summary == R"(<p>Tóm tắt <img src="/anh/1.jpg"></p>)");
  CHECK(item.content == "<p>Nội dung</p>");
  CHECK(utc(item.published) == "2019-08-02T03:00:00Z");
  CHECK(utc(item.updated) == "null");
  REQUIRE(item.authors.size() == 2);
  CHECK(item.authors[0].name == "Ban Biên tập");
  CHECK(item.authors[0].email == "ban.bientap@example.gov.vn");
  CHECK(item.authors[1].name == "Phòng Tổng hợp");
  CHECK(item.categories == std::vector<std::string>{"Tin hoạt động", "Tin hoạt động"});
  REQUIRE(item.enclosures.size() == 1);
  CHECK(item.enclosures[0].url == "https://cdn.example.gov.vn/a.mp3");
  CHECK(item.enclosures[0].type == "audio/mpeg");
  CHECK(item.enclosures[0].length == 12345);
  CHECK(item.thumbnail == "https://cdn.example.gov.vn/t.jpg");
  CHECK(item.comments == "https://example.gov.vn/tin/123#comments");
}

TEST_CASE("RSS 0.9x versions are named from the version attribute", "[rss]") {
  for (const auto& [version, format] :
       {std::pair{"0.91", FeedFormat::rss091}, std::pair{"0.92", FeedFormat::rss092},
        std::pair{"0.93", FeedFormat::rss093}, std::pair{"0.94", FeedFormat::rss094},
        std::pair{"2.0", FeedFormat::rss20}}) {
    const auto result = parse_ok(std::string("<rss version=\"") + version +
                                 "\"><channel><title>t</title><item><title>a</title></item></channel></rss>");
    CHECK(result.feed.format == format);
    CHECK(result.feed.items.size() == 1);
  }
}

TEST_CASE("RSS 1.0 (RDF): items beside the channel, dc: dates, rdf:about as id", "[rss]") {
  const auto result = parse_ok(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
  <channel rdf:about="https://example.org/rss"><title>RDF</title><link>https://example.org/</link>
    <sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel>
  <item rdf:about="https://example.org/1"><title>One</title><link>https://example.org/1</link>
    <dc:date>2019-08-02T10:00:00+07:00</dc:date><dc:subject>Kinh tế</dc:subject></item>
  <item rdf:about="https://example.org/2"><title>Two</title><link>https://example.org/2</link></item>
</rdf:RDF>)");
  CHECK(result.feed.format == FeedFormat::rss10);
  CHECK(result.feed.update_period_seconds == 1800);
  REQUIRE(result.feed.items.size() == 2);
  CHECK(result.feed.items[0].id == "https://example.org/1");
  CHECK(utc(result.feed.items[0].published) == "2019-08-02T03:00:00Z");
  CHECK(result.feed.items[0].categories == std::vector<std::string>{"Kinh tế"});
  CHECK(result.feed.items[1].title == "Two");
}

TEST_CASE("RSS 0.90: the Netscape RDF namespace", "[rss]") {
  const auto result = parse_ok(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Old</title></channel>
    <item><title>First</title><link>http://example.org/1</link></item></rdf:RDF>)");
  CHECK(result.feed.format == FeedFormat::rss090);
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].link == "http://example.org/1");
}

TEST_CASE("RSS namespaces are matched by URI, not by prefix", "[rss]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:x="http://purl.org/rss/1.0/modules/content/"
    xmlns:content="http://example.org/not-content"><channel><item>
    <x:encoded>real body</x:encoded><content:encoded>decoy</content:encoded></item></channel></rss>)");
  REQUIRE(result.feed.items.size() == 1);
  CHECK(result.feed.items[0].content == "real body");
}

TEST_CASE("RSS titles: entities decoded twice when the publisher escaped twice, markup stripped", "[rss]") {
  const auto result = parse_ok(R"(<rss version="2.0"><channel>
    <item><title><![CDATA[Tỷ gi&#225; euro]]></title></item>
    <item><title>Gi&amp;#225; v&#224;ng</title></item>
    <item><title>&lt;b&gt;Đậm&lt;/b&gt;  và
      thường</title></item>
    <item><title>10&#160;km</title></item>
    <item><title>Gi&#225;  v&#224;ng&#160;&#160;h&#244;m&#8239;nay&#160;</title></item>
  </channel></rss>)");
  REQUIRE(result.feed.items.size() == 5);
  CHECK(result.feed.items[0].title == "Tỷ giá euro");
  CHECK(result.feed.items[1].title == "Giá vàng");
  CHECK(result.feed.items[2].title == "Đậm và thường");
  CHECK(result.feed.items[3].title == "10\u00A0km");
  CHECK(result.feed.items[4].title == "Giá vàng\u00A0hôm\u202Fnay");
}

TEST_CASE("RSS links: guid permalink stands in for a missing link, links across lines are joined", "[rss]") {
  const auto result = parse_ok(R"(<rss version="2.0"><channel><link>https://example.vn/</link>
    <item><guid>https://example.vn/a</guid></item>
    <item><guid isPermaLink="false">https://example.vn/b</guid></item>
    <item><link><![CDATA[
      https://example.vn/c?x=1&y=2
    ]]></link></item>
    <item><link>https://example.vn/tin tức/ảnh.html</link></item>
  </channel></rss>)");
  REQUIRE(result.feed.items.size() == 4);
  CHECK(result.feed.items[0].link == "https://example.vn/a");
  CHECK(result.feed.items[1].link == std::nullopt);
  CHECK(result.feed.items[1].id == "https://example.vn/b");
  CHECK(result.feed.items[2].link == "https://example.vn/c?x=1&y=2");
  CHECK(result.feed.items[3].link == "https://example.vn/tin%20t%E1%BB%A9c/%E1%BA%A3nh.html");
}

TEST_CASE("RSS thumbnails: <image>, <thumb>, image enclosures and the first <img>", "[rss]") {
  const auto result = parse_ok(R"(<rss version="2.0"><channel><link>https://example.vn/</link>
    <item><title>a</title><image>https://img.example.vn/a.jpg</image></item>
    <item><title>b</title><thumb>/b.png</thumb></item>
    <item><title>c</title><enclosure url="https://img.example.vn/c.jpg?w=1200&amp;h=0" type="image/jpeg" length="1200"/></item>
    <item><title>d</title><description>&lt;img width=130 src="/d.jpg"&gt;&lt;/br&gt;text</description></item>
  </channel></rss>)");
  REQUIRE(result.feed.items.size() == 4);
  CHECK(result.feed.items[0].thumbnail == "https://img.example.vn/a.jpg");
  CHECK(result.feed.items[1].thumbnail == "https://example.vn/b.png");
  CHECK(result.feed.items[2].thumbnail == "https://img.example.vn/c.jpg?w=1200&h=0");
  // The length is the image width (w=1200), not a byte count.
  CHECK(result.feed.items[2].enclosures.at(0).length == std::nullopt);
  CHECK(result.feed.items[3].thumbnail == "https://example.vn/d.jpg");
}

TEST_CASE("RSS placeholder items (no title, \"No Description\") are skipped with a warning", "[rss]") {
  const auto result = parse_ok(R"(<rss version="2.0"><channel>
    <item><title>Kept</title></item>
    <item><title/><description><![CDATA[ No Description ]]></description></item>
    <item><title/><description>Real text</description></item>
  </channel></rss>)");
  REQUIRE(result.feed.items.size() == 2);
  CHECK(result.feed.items[0].title == "Kept");
  CHECK(result.feed.items[1].summary == "Real text");
  CHECK(result.warnings ==
        std::vector<std::string>{"1 placeholder item(s) (no title, \"No Description\") skipped"});
}

TEST_CASE("RSS: an undeclared prefix is read by its conventional meaning, with one warning", "[rss]") {
  // dc: declared on the first item only; media: nowhere. Siblings share the namespace
  // lookup of their parent, so each item must be answered for its own scope.
  const std::string rss =
      "<rss version=\"2.0\"><channel><title>T</title>"
      "<item xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><title>a</title><dc:creator>An</dc:creator></item>"
      "<item><title>b</title><dc:creator>Binh</dc:creator>"
      "<media:thumbnail url=\"http://x.vn/b.jpg\"/></item>"
      "</channel></rss>";
  const tinhop::ParseResult result = tinhop::test::parse_ok(rss);
  REQUIRE(result.feed.items.size() == 2);
  CHECK(result.feed.items[0].authors.at(0).name == "An");
  CHECK(result.feed.items[1].authors.at(0).name == "Binh");
  CHECK(result.feed.items[1].thumbnail == "http://x.vn/b.jpg");
  CHECK(result.warnings == std::vector<std::string>{"undeclared namespace prefix 'dc'"});

  const std::string declared =
      "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>T</title>"
      "<item><title>a</title><dc:creator>An</dc:creator></item></channel></rss>";
  CHECK(tinhop::test::parse_ok(declared).warnings.empty());
}

TEST_CASE("RSS: C1 controls (windows-1252 read as Latin-1) become their windows-1252 characters", "[rss]") {
  // U+0092 and U+0080 at every offset of a text long enough for 16-byte blocks.
  const std::string vietnamese =
      "Gi\u00E1 v\u00E0ng h\u00F4m nay t\u0103ng m\u1EA1nh tr\u00EAn th\u1ECB tr\u01B0\u1EDDng";
  for (std::size_t at = 0; at <= vietnamese.size(); ++at) {
    if (at < vietnamese.size() && (static_cast<unsigned char>(vietnamese[at]) & 0xC0U) == 0x80U) continue;
    const std::string title = vietnamese.substr(0, at) + "\u0092" + vietnamese.substr(at);
    const std::string description = vietnamese.substr(0, at) + "\u0080 5" + vietnamese.substr(at);
    const auto result =
        parse_ok("<rss version=\"2.0\"><channel><item><title>" + title + "</title><description>" +
                 description + "</description></item></channel></rss>");
    REQUIRE(result.feed.items.size() == 1);
    INFO("offset " << at);
    CHECK(result.feed.items[0].title == vietnamese.substr(0, at) + "\u2019" + vietnamese.substr(at));
    CHECK(result.feed.items[0].summary == vietnamese.substr(0, at) + "\u20AC 5" + vietnamese.substr(at));
  }
}

TEST_CASE("RSS: markup written as elements keeps its text in order around every child", "[rss]") {
  // Leading text, text between and after children, an empty void element, CDATA beside
  // text, and flattened past the serializer's depth: no text lost or moved.
  std::string deep = "<i>";
  for (int i = 0; i < 205; ++i) deep += "<span>s" + std::to_string(i) + " ";
  for (int i = 0; i < 205; ++i) deep += "</span>";
  deep += "</i>";
  const auto result = parse_ok(
      "<rss version=\"2.0\"><channel><item>"
      "<title>Gi&amp;á <b>vàng</b> tăng</title>"
      "<description>Mở đầu <b>đậm <i>nghiêng</i> giữa</b> cuối<br/>dòng <img src=\"a.jpg\"/>hết</description>"
      "<comments>https://x.vn/c<!-- note -->?a=1</comments>"
      "<category>Kinh <![CDATA[tế & <xã> ]]>hội</category>"
      "<guid>" +
      deep +
      "</guid>"
      "</item></channel></rss>");
  REQUIRE(result.feed.items.size() == 1);
  const tinhop::Item& item = result.feed.items[0];
  CHECK(item.title == "Gi&á vàng tăng");
  CHECK(item.summary == "Mở đầu <b>đậm <i>nghiêng</i> giữa</b> cuối<br />dòng <img src=\"a.jpg\" />hết");
  CHECK(item.comments == "https://x.vn/c?a=1");
  CHECK(item.categories == std::vector<std::string>{"Kinh tế & <xã> hội"});
  REQUIRE(item.id);
  for (int i = 0; i < 205; ++i) CHECK(item.id->find("s" + std::to_string(i) + " ") != std::string::npos);
}

TEST_CASE("RSS 2.0: every channel element of the specification", "[rss]") {
  // After the RSS Advisory Board's sample (rssboard.org/files/sample-rss-2.xml), with the
  // optional elements it leaves out added.
  const auto result = parse_ok(R"(<?xml version="1.0"?>
<rss version="2.0">
  <channel>
    <title>Liftoff News</title>
    <link>http://liftoff.msfc.nasa.gov/</link>
    <description>Liftoff to Space Exploration.</description>
    <language>en-us</language>
    <copyright>Copyright 2002, Spartanburg Herald-Journal</copyright>
    <pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate>
    <lastBuildDate>Tue, 10 Jun 2003 09:41:01 GMT</lastBuildDate>
    <category>Newspapers</category>
    <category domain="Syndic8">1765</category>
    <docs>https://www.rssboard.org/rss-specification</docs>
    <generator>Weblog Editor 2.0</generator>
    <managingEditor>editor@example.com (Jane Editor)</managingEditor>
    <webMaster>webmaster@example.com</webMaster>
    <cloud domain="rpc.sys.com" port="80" path="/RPC2" registerProcedure="myCloud.rssPleaseNotify" protocol="xml-rpc"/>
    <ttl>60</ttl>
    <image>
      <url>/images/logo.gif</url>
      <title>Liftoff News</title>
      <link>http://liftoff.msfc.nasa.gov/</link>
      <width>88</width><height>31</height>
    </image>
    <rating>(PICS-1.1 "http://www.rsac.org/ratingsv01.html" l by "webmaster@example.com" on "2007.01.29T10:09-0800" r (n 0 s 0 v 0 l 0))</rating>
    <textInput><title>Search</title><description>Search Liftoff</description><name>q</name><link>http://liftoff.msfc.nasa.gov/search</link></textInput>
    <skipHours><hour>0</hour></skipHours>
    <skipDays><day>Saturday</day></skipDays>
    <item>
      <title>Star City</title>
      <link>http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp</link>
      <description>How do Americans get ready to work with Russians aboard the International Space Station?</description>
      <pubDate>Tue, 03 Jun 2003 09:39:21 GMT</pubDate>
      <guid>http://liftoff.msfc.nasa.gov/2003/06/03.html#item573</guid>
      <source url="http://www.tomalak.org/links2.xml">Tomalak's Realm</source>
    </item>
  </channel>
</rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(result.warnings.empty());
  CHECK(feed.title == "Liftoff News");
  CHECK(feed.rights == "Copyright 2002, Spartanburg Herald-Journal");
  CHECK(utc(feed.updated) == "2003-06-10T09:41:01Z");
  CHECK(feed.categories == std::vector<std::string>{"Newspapers", "1765"});
  CHECK(feed.generator == "Weblog Editor 2.0");
  // The managing editor is the feed's author; the webmaster is a technical contact.
  REQUIRE(feed.authors.size() == 1);
  CHECK(feed.authors[0].name == "Jane Editor");
  CHECK(feed.authors[0].email == "editor@example.com");
  CHECK(feed.ttl_minutes == 60);
  CHECK(feed.image == "http://liftoff.msfc.nasa.gov/images/logo.gif");
  CHECK(feed.skip_hours == std::vector<int>{0});
  CHECK(feed.skip_days == std::vector<std::string>{"Saturday"});
  // textInput's title and link are not the channel's.
  CHECK(feed.link == "http://liftoff.msfc.nasa.gov/");
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  CHECK(item.link == "http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp");
  REQUIRE(item.extras);
  REQUIRE(item.extras->source);
  CHECK(item.extras->source->title == "Tomalak's Realm");
  CHECK(item.extras->source->link == "http://www.tomalak.org/links2.xml");
}

TEST_CASE("RSS 2.0: of several descriptions the body is the richest, the summary the shortest", "[rss]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T</title><link>https://t.example/</link><description>D</description>
  <item><title>body, description, itunes:summary</title>
    <description>&lt;p&gt;A longer teaser of the article.&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>The whole article.</p><p>Second paragraph.</p>]]></content:encoded>
    <itunes:summary>Teaser.</itunes:summary></item>
  <item><title>description, summary</title>
    <summary>Short.</summary>
    <description>&lt;p&gt;The full text.&lt;/p&gt;</description></item>
  <item><title>same text twice</title>
    <description>Same.</description><itunes:summary>Same.</itunes:summary></item>
  <item><title>dc:description alone</title><dc:description>Only one.</dc:description></item>
</channel></rss>)");
  const std::vector<tinhop::Item>& items = result.feed.items;
  REQUIRE(items.size() == 4);
  CHECK(items[0].content == "<p>The whole article.</p><p>Second paragraph.</p>");
  CHECK(items[0].summary == "Teaser.");
  CHECK(items[1].content == "<p>The full text.</p>");
  CHECK(items[1].summary == "Short.");
  CHECK(items[2].summary == "Same.");
  CHECK(items[2].content == std::nullopt);
  CHECK(items[3].summary == "Only one.");
  CHECK(items[3].content == std::nullopt);
}

TEST_CASE("RSS Best Practices Profile: atom:link, dc:creator, slash:comments and wfw in an item", "[rss]") {
  // The profile's namespace elements (rssboard.org/rss-profile, section 5), after its samples.
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
     xmlns:wfw="http://wellformedweb.org/CommentAPI/">
<channel>
  <title>Scripting News</title>
  <link>http://www.scripting.com/</link>
  <description>A weblog about scripting and stuff like that.</description>
  <atom:link href="http://dallas.example.com/rss.xml" rel="self" type="application/rss+xml"/>
  <item>
    <title>Louisiana Governor Calls for Evacuation</title>
    <link>http://www.scripting.com/2005/08/28.html#evacuation</link>
    <dc:creator>Dave Winer</dc:creator>
    <slash:comments>42</slash:comments>
    <wfw:comment>http://www.scripting.com/comments/evacuation</wfw:comment>
    <wfw:commentRss>http://www.scripting.com/comments/evacuation/rss</wfw:commentRss>
  </item>
  <item>
    <title>Both comment pages</title>
    <comments>/2005/08/29.html#comments</comments>
    <wfw:comment>http://www.scripting.com/comments/other</wfw:comment>
  </item>
</channel>
</rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(result.warnings.empty());
  CHECK(feed.self_url == "http://dallas.example.com/rss.xml");
  // The self link is the feed's address, not its home page.
  CHECK(feed.link == "http://www.scripting.com/");
  REQUIRE(feed.items.size() == 2);
  const tinhop::Item& first = feed.items[0];
  REQUIRE(first.authors.size() == 1);
  CHECK(first.authors[0].name == "Dave Winer");
  // wfw:comment names the comments page when <comments> does not; the comment count
  // (slash:comments) and the comments' own feed (wfw:commentRss) have no field.
  CHECK(first.comments == "http://www.scripting.com/comments/evacuation");
  CHECK_FALSE(first.extras);
  CHECK(first.summary == std::nullopt);
  CHECK(feed.items[1].comments == "http://www.scripting.com/2005/08/29.html#comments");
}

TEST_CASE("RSS category: the term is plain text, a record nested in it left out", "[rss]") {
  // RSS 2.0 gives <category> one string. Markup around text is text (`<p>Thể thao</p>`);
  // a feed that nests its section's <image> in it must not turn the image into the term.
  const auto result =
      parse_ok(R"(<rss version="2.0"><channel><title>Báo</title><link>https://bao.example/</link>
  <category>Thời sự <image><url>https://bao.example/ts.png</url><title>Thời sự</title></image></category>
  <item><title>Tin</title>
    <category>Kinh tế
      <image><url>https://bao.example/kt.png</url><title><![CDATA[Kinh tế]]></title></image>
    </category>
    <category><![CDATA[Giá vàng]]> &amp; tỷ giá</category>
    <category domain="https://bao.example/muc"><p>Thể thao</p></category>
    <category>Xe <b>điện</b></category>
    <category><image><url>https://bao.example/only.png</url></image></category>
  </item>
</channel></rss>)");
  CHECK(result.warnings.empty());
  CHECK(result.feed.categories == std::vector<std::string>{"Thời sự"});
  REQUIRE(result.feed.items.size() == 1);
  // A category holding nothing but a record gives the record's text rather than nothing.
  CHECK(result.feed.items[0].categories == std::vector<std::string>{"Kinh tế", "Giá vàng & tỷ giá",
                                                                    "Thể thao", "Xe điện",
                                                                    "https://bao.example/only.png"});
  CHECK(result.feed.items[0].thumbnail == std::nullopt);
}

TEST_CASE("RSS: line ends read as LF in text, CDATA and attributes, as XML 1.0 (2.11) says; &#13; stays a CR",
          "[rss]") {
  const std::string feed =
      "<?xml version=\"1.0\"?>\r\n<rss version=\"2.0\"><channel><title>T</title>\r\n"
      "<item><title>A</title><description><![CDATA[<p>one\r\ntwo\rthree</p>]]></description>"
      "<category domain=\"x\r\ny\">c</category><comments>https://e.example/c</comments></item>\r\n"
      "<item><title>B</title><description>x&#13;&#10;y\r\nz\r</description></item></channel></rss>";
  const auto strict = parse_ok(feed);
  CHECK(strict.path == tinhop::ParsePath::strict);
  REQUIRE(strict.feed.items.size() == 2);
  CHECK(strict.feed.items[0].summary == "<p>one\ntwo\nthree</p>");
  CHECK(strict.feed.items[1].summary == "x\r\ny\nz");
  // The tolerant reader (an unclosed <b>) reads line ends the same way.
  const auto soup = parse_ok(
      "<rss version=\"2.0\"><channel><title>T</title><item><title>A</title>"
      "<description>one\r\ntwo\rthree <b>x</description></item></channel></rss>");
  CHECK(soup.path == tinhop::ParsePath::tag_soup);
  REQUIRE(soup.feed.items.size() == 1);
  CHECK(soup.feed.items[0].summary == "one\ntwo\nthree <b>x</b>");
}
