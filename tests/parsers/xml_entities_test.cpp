// DOCTYPE entities: internal ones expanded within limits, external and parameter ones never
// read (XML 1.0 sections 4.2-4.5; the billion laughs document is the classic attack).
#include <catch2/catch.hpp>

#include "feed_support.hpp"
#include "support/paths.hpp"

using tinhop::ParsePath;
using tinhop::test::parse_ok;

TEST_CASE("DTD entities: internal ones are expanded in text and attribute values", "[entities]") {
  const auto result = parse_ok(R"(<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY site "Báo Mẫu">
  <!ENTITY nbsp "&#160;">
  <!ENTITY home "https://bao.example.vn">
  <!ENTITY heading "<b>&site;</b> &amp; co">
  <!ENTITY mime 'image/"jpeg"'>
]>
<rss version="2.0"><channel><title>&site;&nbsp;24h</title><link>&home;/</link>
<item><title>Tin &site;</title><description>&heading;</description>
<enclosure url="&home;/a.jpg" type="&mime;"/></item></channel></rss>)");
  CHECK(result.path == ParsePath::strict);
  CHECK(result.warnings.empty());
  CHECK(result.feed.title == "Báo Mẫu\u00A024h");
  CHECK(result.feed.link == "https://bao.example.vn/");
  REQUIRE(result.feed.items.size() == 1);
  const tinhop::Item& item = result.feed.items[0];
  CHECK(item.title == "Tin Báo Mẫu");
  CHECK(item.summary == "<b>Báo Mẫu</b> &amp; co");
  REQUIRE(item.enclosures.size() == 1);
  CHECK(item.enclosures[0].url == "https://bao.example.vn/a.jpg");
  CHECK(item.enclosures[0].type == "image/\"jpeg\"");
}

TEST_CASE("DTD entities: the first declaration binds, CDATA and comments are left alone", "[entities]") {
  const auto result = parse_ok(R"(<!DOCTYPE rss [<!ENTITY x "first"><!ENTITY x "second"><!ENTITY amp "no">]>
<rss><channel><title>&x; &amp; <![CDATA[&x;]]><!-- &x; --></title></channel></rss>)");
  CHECK(result.feed.title == "first & &x;");
  CHECK(result.warnings.empty());
}

TEST_CASE("DTD entities: billion laughs stops at ten times the document, expanding nothing", "[entities]") {
  std::string document = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n";
  for (int level = 1; level <= 9; ++level) {
    document += "<!ENTITY lol" + std::to_string(level) + " \"";
    for (int copy = 0; copy < 10; ++copy) {
      document += level == 1 ? "&lol;" : "&lol" + std::to_string(level - 1) + ";";
    }
    document += "\">\n";
  }
  document += "]>\n<rss><channel><title>&lol9;</title></channel></rss>";
  const auto result = parse_ok(document);
  CHECK(result.feed.title == "&lol9;");
  CHECK(result.warnings ==
        std::vector<std::string>{"entities expand past " + std::to_string(10 * document.size()) +
                                 " bytes: no entity expanded"});
}

TEST_CASE("DTD entities: a quadrillion references to empty entities take no time", "[entities]") {
  // Expansions that add nothing still cost their references: each entity is expanded once.
  std::string document = "<!DOCTYPE rss [<!ENTITY e0 \"\">";
  for (int level = 1; level <= 15; ++level) {
    document += "<!ENTITY e" + std::to_string(level) + " \"";
    for (int copy = 0; copy < 10; ++copy) document += "&e" + std::to_string(level - 1) + ";";
    document += "\">";
  }
  document += "]><rss><channel><title>a&e15;b</title></channel></rss>";
  const auto result = parse_ok(document);
  CHECK(result.feed.title == "ab");
  CHECK(result.warnings.empty());
}

TEST_CASE("DTD entities: nesting deeper than 16 levels expands nothing", "[entities]") {
  std::string document = "<!DOCTYPE rss [<!ENTITY e0 \"end\">";
  for (int level = 1; level <= 20; ++level) {
    document += "<!ENTITY e" + std::to_string(level) + " \"&e" + std::to_string(level - 1) + ";\">";
  }
  document += "]><rss><channel><title>&e20;</title><link>&e3;</link></channel></rss>";
  const auto result = parse_ok(document);
  CHECK(result.feed.title == "&e20;");
  CHECK(result.warnings ==
        std::vector<std::string>{"entities nest deeper than 16 levels: no entity expanded"});
}

TEST_CASE("DTD entities: an entity that refers to itself expands nothing", "[entities]") {
  const auto result = parse_ok(R"(<!DOCTYPE rss [<!ENTITY a "x&b;"><!ENTITY b "y&a;"><!ENTITY ok "fine">]>
<rss><channel><title>&a; &ok;</title></channel></rss>)");
  CHECK(result.feed.title == "&a; &ok;");
  CHECK(result.warnings == std::vector<std::string>{"entity &a; refers to itself: no entity expanded"});
}

TEST_CASE("DTD entities: a SYSTEM entity naming a local file is never read", "[entities]") {
  const std::string secret_file = (tinhop::test::data_dir() / "parsers" / "seed-rss20.xml").string();
  REQUIRE(tinhop::test::read_file(secret_file).find("<rss") != std::string::npos);
  const auto result = parse_ok("<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://" + secret_file +
                               "\"><!ENTITY pub PUBLIC \"-//X//EN\" \"http://example.com/x.ent\">"
                               "<!ENTITY site \"S\">]>\n"
                               "<rss><channel><title>&site;:&xxe;&pub;</title></channel></rss>");
  CHECK(result.feed.title == "S:&xxe;&pub;");
  CHECK(result.warnings == std::vector<std::string>{"external entity &xxe; not fetched: kept as written",
                                                    "external entity &pub; not fetched: kept as written"});
  // Declared but never referred to: nothing was lost.
  const auto unused = parse_ok("<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://" + secret_file +
                               "\">]><rss><channel><title>T</title></channel></rss>");
  CHECK(unused.feed.title == "T");
  CHECK(unused.warnings.empty());
}

TEST_CASE("DTD entities: parameter entities are neither fetched nor expanded", "[entities]") {
  // What %defs; would declare stays undeclared: &mine; is kept as written, &eacute; is HTML's.
  const auto result = parse_ok(R"(<!DOCTYPE rss [
  <!ENTITY % defs SYSTEM "http://example.com/defs.ent">
  %defs;
  <!ENTITY % inline "<!ENTITY mine 'expanded'>">
  %inline;
  <!ENTITY title "T">
]><rss><channel><title>&title; &mine; &eacute;</title></channel></rss>)");
  CHECK(result.feed.title == "T &mine; é");
  CHECK(result.warnings.empty());
}

TEST_CASE("DTD entities: an external DTD alone (RSS 0.91's) changes nothing", "[entities]") {
  const auto result = parse_ok(R"(<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Caf&eacute;</title></channel></rss>)");
  CHECK(result.path == ParsePath::strict);
  CHECK(result.feed.title == "Café");
  CHECK(result.warnings.empty());
}
