// Podcast namespaces: Apple's iTunes tags (fixtures after Apple's sample feed), Google
// Play, Podcasting 2.0, and the GeoRSS / W3C Basic Geo points feeds carry beside them.
#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::test::parse_ok;
using tinhop::test::utc;

TEST_CASE("iTunes: channel and episode tags map onto the model", "[itunes]") {
  const auto result = parse_ok(R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Hiking Treks</title>
    <link>https://www.apple.com/itunes/podcasts/</link>
    <language>en-us</language>
    <copyright>&#169; 2020 John Appleseed</copyright>
    <itunes:author>The Sunset Explorers</itunes:author>
    <description>Love to get outdoors and discover nature's treasures? Hiking Treks is the show for you.</description>
    <itunes:type>serial</itunes:type>
    <itunes:owner>
      <itunes:name>Sunset Explorers</itunes:name>
      <itunes:email>mountainscape@icloud.com</itunes:email>
    </itunes:owner>
    <itunes:image href="https://applehosted.podcasts/hiking/artwork.jpg"/>
    <itunes:category text="Sports">
      <itunes:category text="Wilderness"/>
    </itunes:category>
    <itunes:keywords>Sports, hiking</itunes:keywords>
    <itunes:explicit>false</itunes:explicit>
    <item>
      <itunes:episodeType>trailer</itunes:episodeType>
      <itunes:title>Hiking Treks Trailer</itunes:title>
      <description><![CDATA[The Sunset Explorers share tips, techniques and recommendations for great hikes and adventures around the United States. Listen on <a href="https://www.apple.com/itunes/podcasts/">Apple Podcasts</a>.]]></description>
      <itunes:summary>Tips for great hikes.</itunes:summary>
      <itunes:subtitle>A trailer</itunes:subtitle>
      <enclosure length="498537" type="audio/mpeg"
                 url="http://example.com/podcasts/everything/AllAboutEverythingEpisode4.mp3"/>
      <guid>D03EEC9B-B1B4-475B-92C8-54F853FA2A22</guid>
      <pubDate>Tue, 8 Jan 2019 01:15:00 GMT</pubDate>
      <itunes:duration>1079</itunes:duration>
      <itunes:explicit>false</itunes:explicit>
      <itunes:image href="https://applehosted.podcasts/hiking/trailer.jpg"/>
      <itunes:season>1</itunes:season>
      <itunes:episode>4</itunes:episode>
    </item>
  </channel>
</rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(result.warnings.empty());
  CHECK(feed.rights == "© 2020 John Appleseed");
  REQUIRE(feed.authors.size() == 1);
  CHECK(feed.authors[0].name == "The Sunset Explorers");
  CHECK(feed.image == "https://applehosted.podcasts/hiking/artwork.jpg");
  // Nested categories are terms of their own; a keyword repeating a category is not added twice.
  CHECK(feed.categories == std::vector<std::string>{"Sports", "Wilderness", "hiking"});
  CHECK(feed.explicit_content == false);
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  CHECK(item.title == "Hiking Treks Trailer");
  CHECK(item.summary == "Tips for great hikes.");
  CHECK(
      item.content ==
      R"(The Sunset Explorers share tips, techniques and recommendations for great hikes and adventures around the United States. Listen on <a href="https://www.apple.com/itunes/podcasts/">Apple Podcasts</a>.)");
  CHECK(item.thumbnail == "https://applehosted.podcasts/hiking/trailer.jpg");
  CHECK(utc(item.published) == "2019-01-08T01:15:00Z");
  // The channel's author is not the episode's: the item names none.
  CHECK(item.authors.empty());
  REQUIRE(item.extras);
  CHECK(item.extras->subtitle == "A trailer");
  CHECK(item.extras->duration_seconds == 1079);
  CHECK(item.extras->explicit_content == false);
  CHECK(item.extras->season == 1);
  CHECK(item.extras->episode == 4);
}

TEST_CASE("iTunes: the https namespace URI and names written in another case", "[itunes]") {
  const auto result =
      parse_ok(R"(<rss version="2.0" xmlns:itunes="https://www.itunes.com/dtds/podcast-1.0.dtd">
<channel>
  <title>Show</title>
  <link>https://show.example/</link>
  <itunes:Summary>What the show is about</itunes:Summary>
  <itunes:EXPLICIT>Yes</itunes:EXPLICIT>
  <item>
    <title>Episode</title>
    <itunes:Subtitle>Short</itunes:Subtitle>
    <itunes:Author>Host Name</itunes:Author>
    <itunes:Duration>1:02:03</itunes:Duration>
    <itunes:Explicit>clean</itunes:Explicit>
  </item>
</channel>
</rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.description == "What the show is about");
  CHECK(feed.explicit_content == true);
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  REQUIRE(item.authors.size() == 1);
  CHECK(item.authors[0].name == "Host Name");
  REQUIRE(item.extras);
  CHECK(item.extras->subtitle == "Short");
  CHECK(item.extras->duration_seconds == 3723);
  CHECK(item.extras->explicit_content == false);
}

TEST_CASE("iTunes: durations as Apple lists them, and what is not one", "[itunes]") {
  std::string document =
      R"(<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title>)";
  const std::vector<std::string> durations = {"1079", "17:59", "0:17:59", "90:00",       " 1079.5 ",
                                              "",     "1:60",  "1:2:3:4", "ten minutes", "-5"};
  for (const std::string& duration : durations) {
    document +=
        "<item><title>" + duration + "</title><itunes:duration>" + duration + "</itunes:duration></item>";
  }
  document += "</channel></rss>";
  const auto result = parse_ok(document);
  REQUIRE(result.feed.items.size() == durations.size());
  std::vector<std::optional<std::int64_t>> seconds;
  for (const tinhop::Item& item : result.feed.items) {
    seconds.push_back(item.extras ? item.extras->duration_seconds : std::nullopt);
  }
  const std::vector<std::optional<std::int64_t>> expected = {
      1079, 1079, 1079, 5400, 1079, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  CHECK(seconds == expected);
}

TEST_CASE("Google Play: author, description, explicit, image and category", "[googleplay]") {
  const auto result =
      parse_ok(R"(<rss version="2.0" xmlns:googleplay="http://www.google.com/schemas/play-podcasts/1.0">
<channel>
  <title>Dafna's Zebra Podcast</title>
  <link>https://www.example.com/podcasts/dafnas-zebras/</link>
  <googleplay:author>Dafna</googleplay:author>
  <googleplay:description>A pet-owner's guide to the popular striped equine.</googleplay:description>
  <googleplay:explicit>no</googleplay:explicit>
  <googleplay:image href="https://www.example.com/podcasts/dafnas-zebras/img/dafna-zebra-pod-logo.jpg"/>
  <googleplay:category text="Kids &amp; Family"/>
  <item>
    <title>Top 10 myths about caring for a zebra</title>
    <googleplay:description>Here are the top 10 misunderstandings about the care, feeding, and breeding of these lovable striped animals.</googleplay:description>
    <googleplay:explicit>yes</googleplay:explicit>
    <googleplay:author>Dafna</googleplay:author>
    <enclosure url="https://www.example.com/podcasts/dafnas-zebras/audio/toptenmyths.mp3" type="audio/mpeg" length="34216300"/>
  </item>
</channel>
</rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.description == "A pet-owner's guide to the popular striped equine.");
  CHECK(feed.explicit_content == false);
  CHECK(feed.image == "https://www.example.com/podcasts/dafnas-zebras/img/dafna-zebra-pod-logo.jpg");
  CHECK(feed.categories == std::vector<std::string>{"Kids & Family"});
  REQUIRE(feed.authors.size() == 1);
  CHECK(feed.authors[0].name == "Dafna");
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  CHECK(
      item.summary ==
      "Here are the top 10 misunderstandings about the care, feeding, and breeding of these lovable striped "
      "animals.");
  REQUIRE(item.authors.size() == 1);
  CHECK(item.authors[0].name == "Dafna");
  REQUIRE(item.extras);
  CHECK(item.extras->explicit_content == true);
}

TEST_CASE("Podcasting 2.0: guid, person, location, season and episode", "[podcast]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
  <title>Podcasting 2.0</title>
  <link>https://podcastindex.org</link>
  <podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
  <item>
    <title>Episode 104</title>
    <podcast:person role="guest" href="https://www.wikipedia/alicebrown" img="http://example.com/images/alicebrown.jpg">Alice Brown</podcast:person>
    <podcast:person>Adam Curry</podcast:person>
    <podcast:location geo="geo:30.2672,97.7431;u=350" osm="R113314">Austin, TX</podcast:location>
    <podcast:season>5</podcast:season>
    <podcast:episode>104</podcast:episode>
  </item>
</channel>
</rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(feed.id == "917393e3-1b1e-5cef-ace4-edaa54e1f810");
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  REQUIRE(item.extras);
  REQUIRE(item.extras->credits.size() == 2);
  CHECK(item.extras->credits[0].name == "Alice Brown");
  CHECK(item.extras->credits[0].role == "guest");
  CHECK(item.extras->credits[1].name == "Adam Curry");
  CHECK(item.extras->credits[1].role == "host");
  REQUIRE(item.extras->point);
  CHECK(item.extras->point->latitude == Approx(30.2672));
  CHECK(item.extras->point->longitude == Approx(97.7431));
  CHECK(item.extras->season == 5);
  CHECK(item.extras->episode == 104);
}

TEST_CASE("GeoRSS Simple, GML and W3C Basic Geo points", "[georss]") {
  const auto result = parse_ok(R"(<rss version="2.0" xmlns:georss="http://www.georss.org/georss"
     xmlns:gml="http://www.opengis.net/gml" xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#">
<channel><title>Places</title><link>https://places.example/</link>
  <item><title>Simple</title><georss:point>45.256 -71.92</georss:point></item>
  <item><title>GML</title>
    <georss:where><gml:Point><gml:pos>45.256 -110.45</gml:pos></gml:Point></georss:where></item>
  <item><title>Basic Geo</title><geo:lat>55.701</geo:lat><geo:long>12.552</geo:long></item>
  <item><title>Off the globe</title><georss:point>95 10</georss:point></item>
</channel>
</rss>)");
  const std::vector<tinhop::Item>& items = result.feed.items;
  REQUIRE(items.size() == 4);
  REQUIRE(items[0].extras);
  CHECK(items[0].extras->point->latitude == Approx(45.256));
  CHECK(items[0].extras->point->longitude == Approx(-71.92));
  REQUIRE(items[1].extras);
  CHECK(items[1].extras->point->longitude == Approx(-110.45));
  REQUIRE(items[2].extras);
  CHECK(items[2].extras->point->latitude == Approx(55.701));
  CHECK(items[2].extras->point->longitude == Approx(12.552));
  CHECK_FALSE(items[3].extras);
}

TEST_CASE("Podcast elements with no field in the model add nothing to it",
          "[itunes][googleplay][podcast][georss]") {
  // Each family's remaining elements, after the examples of Google's podcast feed guide,
  // the Podcasting 2.0 namespace document and GeoRSS Simple: none may leak into a field
  // that means something else (an owner is not an author, a transcript is not an
  // enclosure, a soundbite's title is not the item's).
  const auto result =
      parse_ok(R"(<rss version="2.0" xmlns:googleplay="http://www.google.com/schemas/play-podcasts/1.0"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0"
     xmlns:georss="http://www.georss.org/georss">
<channel>
  <title>Dafna's Zebra Podcast</title>
  <link>https://www.example.com/podcasts/dafnas-zebras/</link>
  <googleplay:owner>dafna@example.com</googleplay:owner>
  <googleplay:email>dafna@example.com</googleplay:email>
  <googleplay:block>yes</googleplay:block>
  <itunes:owner><itunes:name>Dafna</itunes:name><itunes:email>dafna@example.com</itunes:email></itunes:owner>
  <itunes:type>episodic</itunes:type>
  <itunes:block>Yes</itunes:block>
  <itunes:complete>Yes</itunes:complete>
  <itunes:new-feed-url>https://www.example.com/podcasts/new.xml</itunes:new-feed-url>
  <podcast:locked owner="dafna@example.com">yes</podcast:locked>
  <podcast:funding url="https://www.example.com/donations">Support the show!</podcast:funding>
  <podcast:value type="lightning" method="keysend" suggested="0.00000005000"/>
  <item>
    <title>Top 10 myths about caring for a zebra</title>
    <description>The myths.</description>
    <itunes:episodeType>full</itunes:episodeType>
    <enclosure url="https://www.example.com/audio/toptenmyths.mp3" type="audio/mpeg" length="34216300"/>
    <podcast:transcript url="https://www.example.com/transcripts/toptenmyths.vtt" type="text/vtt"/>
    <podcast:chapters url="https://www.example.com/chapters/toptenmyths.json" type="application/json+chapters"/>
    <podcast:soundbite startTime="73.0" duration="60.0">Why the Podcast Namespace Matters</podcast:soundbite>
    <georss:line>45.256 -110.45 46.46 -109.48 43.84 -109.86</georss:line>
    <georss:polygon>45.256 -110.45 46.46 -109.48 43.84 -109.86 45.256 -110.45</georss:polygon>
    <georss:box>42.943 -71.032 43.039 -69.856</georss:box>
    <georss:featurename>Yellowstone</georss:featurename>
  </item>
</channel>
</rss>)");
  const tinhop::Feed& feed = result.feed;
  CHECK(result.warnings.empty());
  CHECK(feed.authors.empty());
  CHECK(feed.explicit_content == std::nullopt);
  CHECK(feed.categories.empty());
  CHECK(feed.id == std::nullopt);
  REQUIRE(feed.items.size() == 1);
  const tinhop::Item& item = feed.items[0];
  CHECK(item.title == "Top 10 myths about caring for a zebra");
  CHECK(item.summary == "The myths.");
  CHECK(item.content == std::nullopt);
  REQUIRE(item.enclosures.size() == 1);
  CHECK(item.enclosures[0].url == "https://www.example.com/audio/toptenmyths.mp3");
  // The extras hold the language detected from the text, nothing from these elements; a
  // line, polygon or box is an area, not the point the model holds.
  REQUIRE(item.extras);
  CHECK(item.extras->language == "en");
  CHECK(item.extras->point == std::nullopt);
  CHECK(item.extras->credits.empty());
  CHECK(item.extras->explicit_content == std::nullopt);
  CHECK(item.extras->subtitle == std::nullopt);
  CHECK(item.extras->season == std::nullopt);
  CHECK(item.extras->episode == std::nullopt);
}
