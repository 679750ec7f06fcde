// The `tinhop parse` JSON: the optional fields beyond ../shared/contract/parse-json.md.
#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "feed_support.hpp"
#include "tinhop/parsers/contract_json.hpp"

using tinhop::test::parse_ok;

namespace {

boost::json::object contract_object(std::string_view document) {
  return boost::json::parse(tinhop::to_contract_json(parse_ok(document))).as_object();
}

}  // namespace

TEST_CASE("Contract JSON: optional fields appear only when the feed has them", "[contract]") {
  const boost::json::object plain = contract_object(
      R"(<rss version="2.0"><channel><title>T</title><item><title>I</title></item></channel></rss>)");
  for (const char* key : {"id", "published", "rights", "image", "icon", "generator", "explicit", "authors",
                          "contributors", "categories"}) {
    CHECK_FALSE(plain.contains(key));
  }
  const boost::json::object& item = plain.at("items").at(0).as_object();
  for (const char* key :
       {"subtitle", "rights", "language", "contributors", "credits", "explicit", "duration_seconds", "season",
        "episode", "point", "media_rating", "media_restriction", "media_license", "source"}) {
    CHECK_FALSE(item.contains(key));
  }
}

TEST_CASE("Contract JSON: feed and item extras as the documentation names them", "[contract]") {
  const boost::json::object object = contract_object(R"(<rss version="2.0"
    xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/"
    xmlns:georss="http://www.georss.org/georss" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T</title><link>https://t.example/</link><pubDate>Sat, 02 Jan 2021 03:04:05 GMT</pubDate>
  <copyright>CC0</copyright><generator>gen</generator><category>News</category>
  <managingEditor>ed@t.example (Ed)</managingEditor><dc:contributor>Cy</dc:contributor>
  <itunes:explicit>no</itunes:explicit><itunes:image href="https://t.example/a.jpg"/>
  <item><title>I</title>
    <itunes:subtitle>Sub</itunes:subtitle><itunes:duration>2:00</itunes:duration><itunes:explicit>yes</itunes:explicit>
    <itunes:season>2</itunes:season><itunes:episode>7</itunes:episode>
    <dc:rights>CC BY</dc:rights><dc:language>vi</dc:language><dc:contributor>Lan</dc:contributor>
    <georss:point>21.03 105.85</georss:point>
    <media:content url="https://t.example/v.mp4" medium="video"/>
    <media:credit role="author">Nam</media:credit>
    <media:rating>adult</media:rating>
    <media:restriction relationship="deny" type="country">vn</media:restriction>
    <media:license href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</media:license>
    <source url="https://o.example/rss">Origin</source>
  </item>
</channel></rss>)");
  CHECK(object.at("published") == "2021-01-02T03:04:05Z");
  CHECK(object.at("rights") == "CC0");
  CHECK(object.at("generator") == "gen");
  CHECK(object.at("image") == "https://t.example/a.jpg");
  CHECK(object.at("explicit") == false);
  CHECK(boost::json::serialize(object.at("categories")) == R"(["News"])");
  CHECK(boost::json::serialize(object.at("authors")) ==
        R"([{"name":"Ed","email":"ed@t.example","uri":null}])");
  CHECK(boost::json::serialize(object.at("contributors")) == R"([{"name":"Cy","email":null,"uri":null}])");
  const boost::json::object& item = object.at("items").at(0).as_object();
  CHECK(item.at("subtitle") == "Sub");
  CHECK(item.at("duration_seconds") == 120);
  CHECK(item.at("explicit") == true);
  CHECK(item.at("season") == 2);
  CHECK(item.at("episode") == 7);
  CHECK(item.at("rights") == "CC BY");
  CHECK(item.at("language") == "vi");
  CHECK(boost::json::serialize(item.at("contributors")) == R"([{"name":"Lan","email":null,"uri":null}])");
  CHECK(boost::json::serialize(item.at("point")) == R"({"latitude":2.103E1,"longitude":1.0585E2})");
  CHECK(boost::json::serialize(item.at("enclosures")) ==
        R"([{"url":"https://t.example/v.mp4","type":null,"length":null,"medium":"video"}])");
  CHECK(boost::json::serialize(item.at("credits")) ==
        R"([{"name":"Nam","role":"author","scheme":"urn:ebu"}])");
  CHECK(boost::json::serialize(item.at("media_rating")) == R"({"value":"adult","scheme":"urn:simple"})");
  CHECK(boost::json::serialize(item.at("media_restriction")) ==
        R"({"relationship":"deny","type":"country","values":["vn"]})");
  CHECK(boost::json::serialize(item.at("media_license")) ==
        R"({"name":"CC BY 4.0","url":"https://creativecommons.org/licenses/by/4.0/","type":null})");
  CHECK(boost::json::serialize(item.at("source")) ==
        R"({"title":"Origin","link":"https://o.example/rss","id":null})");
}
