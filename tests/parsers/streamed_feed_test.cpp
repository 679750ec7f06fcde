// Documents whose tree does not fit in the memory budget are read entry by entry
// (parsers/src/xml_stream.hpp): what they give must be what the whole tree gives.
#include <pugixml.hpp>

#include <catch2/catch.hpp>

#include "feed_support.hpp"
#include "tinhop/parsers/memory_budget.hpp"

using tinhop::ParseError;
using tinhop::ParseLimits;
using tinhop::ParseResult;
using tinhop::to_contract_json;

namespace {

// Many small elements no mapper reads (an unknown extension's flags): a tree several times
// the text, a model no larger than for a plain feed.
std::string flags(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += "<x:flag n=\"" + std::to_string(i) + "\"/>";
  return out;
}

std::string rich_rss(int items, std::string_view last_item_end = "</item>") {
  std::string text =
      "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
      " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
      "xmlns:media=\"http://search.yahoo.com/mrss/\"\n"
      " xmlns:x=\"urn:example:flags\">\n<channel xml:base=\"https://example.vn/\">\n"
      "<title>B&#225;o <b>mới</b></title><link>https://example.vn/tin/</link>\n"
      "<description>Tin tức</description><language>vi_VN</language>\n";
  for (int i = 0; i < items; ++i) {
    const std::string n = std::to_string(i);
    text += "<item>\n<title>Tin " + n + " &amp; <i>bài</i></title><link>bai-" + n +
            ".html</link>\n<guid isPermaLink=\"false\">g" + n +
            "</guid><pubDate>Mon, 14 Sep 2026 09:13:00 +0700</pubDate>\n<dc:creator>Phóng viên " + n +
            "</dc:creator><category>Thời sự</category>\n<description><p>Tóm <b>" + n +
            "</b></p></description>\n<content:encoded><![CDATA[<p>Nội dung <img src=\"/a/" + n +
            ".jpg\"></p>]]></content:encoded>\n<media:thumbnail url=\"/t/" + n + ".jpg\"/>" + flags(24) +
            "\n" + (i + 1 == items ? std::string(last_item_end) : "</item>") + "\n";
  }
  // The channel's elements after its items are the feed's too.
  return text + "<x:flag/><dc:rights>CC BY</dc:rights>\n</channel>\n</rss>\n";
}

ParseLimits tight(std::size_t ratio) {
  ParseLimits limits;
  limits.memory_ratio = ratio;
  limits.memory_floor = 0;
  return limits;
}

ParseResult whole_tree(std::string_view feed) {
  const auto parsed = tinhop::parse_feed(feed, tinhop::test::context_for("https://example.vn/rss"), tight(0));
  REQUIRE(parsed);
  return parsed.result();
}

// True when pugixml's tree of `feed` alone outgrows `bytes`.
bool tree_exceeds(std::string_view feed, std::size_t bytes) {
  tinhop::MemoryBudget budget(bytes);
  const tinhop::PugixmlBudgetScope scope(budget);
  pugi::xml_document document;
  return document.load_buffer(feed.data(), feed.size()).status == pugi::status_out_of_memory;
}

}  // namespace

TEST_CASE("Streamed feed: RSS read entry by entry equals the whole tree's reading", "[limits][stream]") {
  const std::string feed = rich_rss(300);
  REQUIRE(tree_exceeds(feed, 3 * feed.size()));
  const auto streamed =
      tinhop::parse_feed(feed, tinhop::test::context_for("https://example.vn/rss"), tight(3));
  REQUIRE(streamed);
  const ParseResult& result = streamed.result();
  CHECK(result.feed.items.size() == 300);
  CHECK(result.memory_peak <= 3 * feed.size());
  CHECK(result.feed.items[7].link == "https://example.vn/bai-7.html");  // the channel's xml:base
  CHECK(result.feed.items[7].title == "Tin 7 & bài");
  CHECK(result.feed.rights == "CC BY");
  CHECK(to_contract_json(result) == to_contract_json(whole_tree(feed)));
}

TEST_CASE("Streamed feed: a bare '&' in an entry is reported as the whole tree reports it",
          "[limits][stream]") {
  std::string feed = rich_rss(300);
  const std::size_t at = feed.find("url=\"/t/200.jpg\"");
  feed.replace(at, 16, "url=\"/t/200.jpg?a=1&b=2\"");
  const auto streamed =
      tinhop::parse_feed(feed, tinhop::test::context_for("https://example.vn/rss"), tight(3));
  REQUIRE(streamed);
  const ParseResult reference = whole_tree(feed);
  CHECK(reference.warnings ==
        std::vector<std::string>{
            "malformed XML: 1 bare '&' in attribute values kept as written (first on line 1614)"});
  CHECK(streamed.result().path == tinhop::ParsePath::repaired);
  CHECK(to_contract_json(streamed.result()) == to_contract_json(reference));
}

TEST_CASE("Streamed feed: RSS 1.0 items beside the channel, with namespaces declared on them",
          "[limits][stream]") {
  std::string feed =
      "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\""
      " xmlns:x=\"urn:example:flags\"><channel rdf:about=\"https://example.vn/\"><title>RDF</title>"
      "<link>https://example.vn/</link></channel>";
  for (int i = 0; i < 200; ++i) {
    const std::string n = std::to_string(i);
    feed += "<item rdf:about=\"https://example.vn/" + n +
            "\" xmlns:d=\"http://purl.org/dc/elements/1.1/\"><title>R" + n +
            "</title><d:date>2026-09-14T09:13:00+07:00</d:date>" + flags(30) + "</item>";
  }
  feed += "</rdf:RDF>";
  REQUIRE(tree_exceeds(feed, 3 * feed.size()));
  const auto streamed = tinhop::parse_feed(feed, {}, tight(3));
  REQUIRE(streamed);
  REQUIRE(streamed.result().feed.items.size() == 200);
  CHECK(streamed.result().feed.items[199].id == "https://example.vn/199");
  CHECK(tinhop::test::utc(streamed.result().feed.items[199].published) == "2026-09-14T02:13:00Z");
  CHECK(to_contract_json(streamed.result()) == to_contract_json(whole_tree(feed)));
}

TEST_CASE("Streamed feed: Atom entries read one by one keep the feed's language and base",
          "[limits][stream]") {
  std::string feed =
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\" xml:base=\"https://example.vn/a/\""
      " xmlns:x=\"urn:example:flags\"><title>A</title><id>urn:a</id><updated>2026-09-14T00:00:00Z</updated>"
      "<author><name>Tòa soạn</name></author>";
  for (int i = 0; i < 200; ++i) {
    const std::string n = std::to_string(i);
    feed += "<entry><title type=\"html\">E &lt;b&gt;" + n + "&lt;/b&gt;</title><id>urn:e" + n +
            "</id><link href=\"e" + n +
            "\"/><updated>2026-09-14T01:00:00Z</updated>"
            "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x" +
            n + "</p></div></content>" + flags(30) + "</entry>";
  }
  feed += "</feed>";
  REQUIRE(tree_exceeds(feed, 3 * feed.size()));
  const auto streamed = tinhop::parse_feed(feed, {}, tight(3));
  REQUIRE(streamed);
  const auto& items = streamed.result().feed.items;
  REQUIRE(items.size() == 200);
  CHECK(items[5].link == "https://example.vn/a/e5");
  CHECK(items[5].title == "E 5");
  CHECK(items[5].content == "<p>x5</p>");
  CHECK(items[5].authors.at(0).name == "Tòa soạn");
  CHECK(to_contract_json(streamed.result()) == to_contract_json(whole_tree(feed)));
}

TEST_CASE("Streamed feed: an entry that is not well-formed refuses the document", "[limits][stream]") {
  const std::string feed = rich_rss(300, "</itme>");
  const auto refused = tinhop::parse_feed(feed, {}, tight(3));
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().error == ParseError::over_memory_budget);
  CHECK(refused.failure().message == "document needs more than 694 KiB to parse (budget: 3x its 0.2 MB)");
}

TEST_CASE("Streamed feed: markup past the flattening depth loses its tags the way serialization does",
          "[limits][stream]") {
  std::string nested;
  for (int i = 0; i < 2'000; ++i) nested += "<div class=\"d\">\n ";
  nested += "deep <![CDATA[a<b]]> &amp; more";
  for (int i = 0; i < 2'000; ++i) nested += i % 3 == 0 ? "</div> tail\n" : "</div>\n";
  std::string feed = "<rss version=\"2.0\"><channel><title>t</title><description>" + nested +
                     "</description><item><title>i</title><description>" + nested +
                     "</description></item></channel></rss>";
  REQUIRE(tree_exceeds(feed, 2 * feed.size()));
  const auto streamed = tinhop::parse_feed(feed, {}, tight(2));
  REQUIRE(streamed);
  CHECK(to_contract_json(streamed.result()) == to_contract_json(whole_tree(feed)));
}
