// Media RSS 2.0 (https://www.rssboard.org/media-rss), with fixtures after its examples.
#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::test::parse_ok;

TEST_CASE("Media RSS: media:content is an enclosure with its medium, credits keep their roles", "[media]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
<title>Song Site</title>
<link>http://www.foo.com</link>
<description>Discussion on different songs</description>
<item>
  <title>Cool song by an artist</title>
  <link>http://www.foo.com/item1.htm</link>
  <media:content url="http://www.foo.com/song.mp3" fileSize="1000" type="audio/mpeg" isDefault="true"
                 expression="full" medium="audio">
    <media:credit role="musician">member of band1</media:credit>
    <media:credit role="Musician" scheme="urn:yvs">member of band2</media:credit>
    <media:category>music/artist name/album/song</media:category>
    <media:rating>nonadult</media:rating>
  </media:content>
  <media:thumbnail url="http://www.foo.com/keyframe.jpg" width="75" height="50" time="12:05:01.123"/>
  <media:thumbnail url="http://www.foo.com/keyframe-large.jpg" width="300" height="200"/>
  <media:thumbnail url="http://www.foo.com/keyframe-mid.jpg" width="150" height="100"/>
</item>
</channel>
</rss>)");
  REQUIRE(result.feed.items.size() == 1);
  const tinhop::Item& item = result.feed.items[0];
  REQUIRE(item.enclosures.size() == 1);
  CHECK(item.enclosures[0].url == "http://www.foo.com/song.mp3");
  CHECK(item.enclosures[0].type == "audio/mpeg");
  CHECK(item.enclosures[0].length == 1000);
  CHECK(item.enclosures[0].medium == "audio");
  CHECK(item.categories == std::vector<std::string>{"music/artist name/album/song"});
  CHECK(item.thumbnail == "http://www.foo.com/keyframe-large.jpg");
  REQUIRE(item.extras);
  REQUIRE(item.extras->credits.size() == 2);
  CHECK(item.extras->credits[0].name == "member of band1");
  CHECK(item.extras->credits[0].role == "musician");
  CHECK(item.extras->credits[0].scheme == "urn:ebu");
  CHECK(item.extras->credits[1].role == "musician");
  CHECK(item.extras->credits[1].scheme == "urn:yvs");
  REQUIRE(item.extras->rating);
  CHECK(item.extras->rating->value == "nonadult");
  CHECK(item.extras->rating->scheme == "urn:simple");
}

TEST_CASE("Media RSS: a media:group's children belong to the item", "[media]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Song Site</title><link>http://www.foo.com</link><description>Songs</description>
<item>
  <media:group>
    <media:content url="http://www.foo.com/song64kbps.mp3" fileSize="1000" bitrate="64" type="audio/mpeg"
                   isDefault="true" expression="full"/>
    <media:content url="http://www.foo.com/song128kbps.mp3" fileSize="2000" bitrate="128" type="audio/mpeg"
                   expression="full"/>
    <media:title type="plain">The Judy's -- The Moo Song</media:title>
    <media:description type="plain">This was some really bizarre band I listened to as a young lad.</media:description>
    <media:credit role="trackartist" scheme="urn:ebu">artist name</media:credit>
    <media:keywords>kitty, cat, big dog, yarn, fluffy</media:keywords>
    <media:copyright url="http://blah.com/additional-info.html">2005 FooBar Media</media:copyright>
    <media:rating scheme="urn:mpaa">pg</media:rating>
    <media:restriction relationship="allow" type="country">au US</media:restriction>
    <media:license type="text/html" href="http://creativecommons.org/licenses/by/3.0/us/">Creative Commons Attribution 3.0 United States License</media:license>
  </media:group>
</item>
</channel>
</rss>)");
  REQUIRE(result.feed.items.size() == 1);
  const tinhop::Item& item = result.feed.items[0];
  CHECK(item.title == "The Judy's -- The Moo Song");
  CHECK(item.summary == "This was some really bizarre band I listened to as a young lad.");
  CHECK(item.content == std::nullopt);
  REQUIRE(item.enclosures.size() == 2);
  CHECK(item.enclosures[1].url == "http://www.foo.com/song128kbps.mp3");
  CHECK(item.enclosures[1].length == 2000);
  CHECK(item.enclosures[1].medium == std::nullopt);
  CHECK(item.categories == std::vector<std::string>{"kitty", "cat", "big dog", "yarn", "fluffy"});
  REQUIRE(item.extras);
  const tinhop::ItemExtras& extras = *item.extras;
  CHECK(extras.rights == "2005 FooBar Media");
  REQUIRE(extras.credits.size() == 1);
  CHECK(extras.credits[0].name == "artist name");
  CHECK(extras.credits[0].role == "trackartist");
  REQUIRE(extras.rating);
  CHECK(extras.rating->value == "pg");
  CHECK(extras.rating->scheme == "urn:mpaa");
  REQUIRE(extras.restriction);
  CHECK(extras.restriction->relationship == "allow");
  CHECK(extras.restriction->type == "country");
  CHECK(extras.restriction->values == std::vector<std::string>{"au", "us"});
  REQUIRE(extras.license);
  CHECK(extras.license->name == "Creative Commons Attribution 3.0 United States License");
  CHECK(extras.license->url == "http://creativecommons.org/licenses/by/3.0/us/");
  CHECK(extras.license->type == "text/html");
}

TEST_CASE("Media RSS: the item's own title and description come before the media ones", "[media]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Videos</title><link>http://www.foo.com</link><description>Videos</description>
<item>
  <media:title>Media title</media:title>
  <media:description>A short one.</media:description>
  <title>Item title</title>
  <description>The item's own description, which is the longer text of the two.</description>
  <media:thumbnail url="http://www.foo.com/a.jpg"/>
  <media:thumbnail url="http://www.foo.com/b.jpg"/>
</item>
</channel>
</rss>)");
  REQUIRE(result.feed.items.size() == 1);
  const tinhop::Item& item = result.feed.items[0];
  CHECK(item.title == "Item title");
  // Two different descriptions and no body: the richer is the content, the shorter the summary.
  CHECK(item.summary == "A short one.");
  CHECK(item.content == "The item's own description, which is the longer text of the two.");
  // Without sizes the first thumbnail stands.
  CHECK(item.thumbnail == "http://www.foo.com/a.jpg");
  CHECK_FALSE(item.extras);
}

TEST_CASE("Media RSS in Atom: thumbnails, credits and content as enclosures", "[media][atom]") {
  const auto result =
      parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>Clips</title><id>urn:clips</id><updated>2024-01-01T00:00:00Z</updated>
<entry>
  <id>urn:clip:1</id><title>Clip</title><updated>2024-01-01T00:00:00Z</updated>
  <media:group>
    <media:content url="https://v.example/clip.mp4" type="video/mp4" medium="Video" fileSize="52428800"/>
    <media:thumbnail url="https://v.example/small.jpg" width="120" height="90"/>
    <media:thumbnail url="https://v.example/large.jpg" width="480" height="360"/>
    <media:description>Clip description</media:description>
    <media:credit role="director">Jane Doe</media:credit>
  </media:group>
</entry>
</feed>)");
  REQUIRE(result.feed.items.size() == 1);
  const tinhop::Item& item = result.feed.items[0];
  CHECK(item.summary == "Clip description");
  CHECK(item.thumbnail == "https://v.example/large.jpg");
  REQUIRE(item.enclosures.size() == 1);
  CHECK(item.enclosures[0].medium == "video");
  CHECK(item.enclosures[0].length == 52428800);
  REQUIRE(item.extras);
  REQUIRE(item.extras->credits.size() == 1);
  CHECK(item.extras->credits[0].role == "director");
}

TEST_CASE("Media RSS: elements with no field in the model add nothing to it", "[media]") {
  // The optional elements of Media RSS 2.0 (section 5) after its examples: a player is not
  // an enclosure, a transcript (media:text) or subtitle is not a summary, a comment is not
  // a comments page, a price or status is not a category, media:rights is not a licence.
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Video Site</title><link>http://www.foo.com</link><description>Videos</description>
<item>
  <title>The latest video</title>
  <link>http://www.foo.com/item1.htm</link>
  <description>A short video.</description>
  <media:content url="http://www.foo.com/movie.mov" fileSize="12216320" type="video/quicktime" medium="video">
    <media:player url="http://www.foo.com/player?id=1111" height="200" width="400"/>
    <media:hash algo="md5">dfdec888b72151965a34b4b59031290a</media:hash>
  </media:content>
  <media:text type="plain" lang="en" start="00:00:03.000" end="00:00:10.000">Oh, say, can you see</media:text>
  <media:community>
    <media:starRating average="3.5" count="20" min="1" max="10"/>
    <media:statistics views="5" favorites="5"/>
    <media:tags>news: 5, abc:3, reuters</media:tags>
  </media:community>
  <media:comments><media:comment>comment1</media:comment><media:comment>comment2</media:comment></media:comments>
  <media:embed url="http://www.foo.com/player.swf" width="512" height="323">
    <media:param name="type">application/x-shockwave-flash</media:param>
  </media:embed>
  <media:responses><media:response>http://www.response1.com</media:response></media:responses>
  <media:backLinks><media:backLink>http://www.backlink1.com</media:backLink></media:backLinks>
  <media:status state="active"/>
  <media:price type="rent" price="19.99" currency="EUR"/>
  <media:subTitle type="application/smil" lang="en-us" href="http://www.foo.org/subtitle.smil"/>
  <media:peerLink type="application/x-bittorrent" href="http://www.foo.org/sampleFile.torrent"/>
  <media:location description="My house" start="00:01" end="01:00">
    <georss:where xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml">
      <gml:Point><gml:pos>35.669998 139.770004</gml:pos></gml:Point></georss:where>
  </media:location>
  <media:rights status="userCreated"/>
  <media:scenes><media:scene><sceneTitle>sceneTitle1</sceneTitle><sceneDescription>sceneDesc1</sceneDescription>
    <sceneStartTime>00:15</sceneStartTime><sceneEndTime>00:45</sceneEndTime></media:scene></media:scenes>
</item>
</channel>
</rss>)");
  CHECK(result.warnings.empty());
  REQUIRE(result.feed.items.size() == 1);
  const tinhop::Item& item = result.feed.items[0];
  CHECK(item.title == "The latest video");
  CHECK(item.summary == "A short video.");
  CHECK(item.content == std::nullopt);
  CHECK(item.comments == std::nullopt);
  CHECK(item.thumbnail == std::nullopt);
  CHECK(item.categories.empty());
  REQUIRE(item.enclosures.size() == 1);
  CHECK(item.enclosures[0].url == "http://www.foo.com/movie.mov");
  CHECK(item.enclosures[0].medium == "video");
  // The extras hold the language detected from the text, nothing from these elements.
  REQUIRE(item.extras);
  CHECK(item.extras->language == "en");
  CHECK(item.extras->rights == std::nullopt);
  CHECK_FALSE(item.extras->license);
  CHECK_FALSE(item.extras->rating);
  CHECK_FALSE(item.extras->restriction);
  CHECK(item.extras->credits.empty());
  CHECK(item.extras->point == std::nullopt);
}
