#include <catch2/catch.hpp>

#include "feed_support.hpp"
#include "tinhop/parsers/charset.hpp"

using tinhop::test::context_for;
using tinhop::test::parse_ok;

TEST_CASE("windows-1258 with decomposed tone marks comes out NFC", "[charset]") {
  // "Việt Nam đổi mới": ê + U+0323 (0xF2), ô + U+0309 (0xD2), ơ + U+0301 (0xEC) as windows-1258 writes them.
  const std::string bytes =
      "<?xml version=\"1.0\" encoding=\"windows-1258\"?><rss version=\"2.0\"><channel>"
      "<title>Vi\xEA\xF2t Nam \xF0\xF4\xD2i m\xF5\xECi</title></channel></rss>";
  const auto result = parse_ok(bytes);
  CHECK(result.feed.encoding == "windows-1258");
  CHECK(result.feed.title == "Việt Nam đổi mới");
  CHECK(result.warnings.empty());
}

TEST_CASE("A utf-16 declaration over UTF-8 bytes loses, with a warning", "[charset]") {
  const auto result = parse_ok(
      "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>Tài "
      "chính</title></channel></rss>");
  CHECK(result.feed.encoding == "utf-8");
  CHECK(result.feed.title == "Tài chính");
  CHECK(result.warnings == std::vector<std::string>{"XML declaration says utf-16 but the bytes are UTF-8"});
}

TEST_CASE("A windows-1252 prolog over UTF-8 bytes loses, with a warning", "[charset]") {
  const auto result = parse_ok(
      "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version=\"2.0\"><channel><title>Thời "
      "sự</title></channel></rss>");
  CHECK(result.feed.encoding == "utf-8");
  CHECK(result.feed.title == "Thời sự");
  CHECK(result.warnings ==
        std::vector<std::string>{"XML declaration says windows-1252 but the bytes are UTF-8"});
}

TEST_CASE("A true windows-1252 prolog is obeyed", "[charset]") {
  const auto result = parse_ok(
      "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version=\"2.0\"><channel><title>Caf\xE9 "
      "\x93ok\x94</title>"
      "</channel></rss>");
  CHECK(result.feed.encoding == "windows-1252");
  CHECK(result.feed.title == "Café \u201Cok\u201D");
}

TEST_CASE("The HTTP charset beats the XML declaration for non-UTF-8 bytes", "[charset]") {
  const auto result = parse_ok(
      "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss><channel><title>\xE0\xE1</title>"
      "</channel></rss>",
      context_for("", "application/rss+xml; charset=KOI8-R"));
  CHECK(result.feed.encoding == "koi8-r");
  CHECK(result.feed.title == "\u042E\u0410");  // KOI8-R 0xE0 0xE1
  CHECK(result.warnings ==
        std::vector<std::string>{"HTTP charset says koi8-r, XML declaration says iso-8859-1: "
                                 "read as koi8-r, since the HTTP charset comes first "
                                 "(RFC 7303, section 3.2)"});
}

TEST_CASE("Charset signals that name different charsets but read the bytes alike raise nothing",
          "[charset]") {
  // ASCII bytes read the same in us-ascii and iso-8859-1; browsers read iso-8859-1 as windows-1252.
  const auto ascii = parse_ok(
      "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss><channel><title>A</title>"
      "</channel></rss>",
      context_for("", "application/rss+xml; charset=us-ascii"));
  CHECK(ascii.feed.encoding == "us-ascii");
  CHECK(ascii.warnings.empty());
  const auto latin = parse_ok(
      "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss><channel><title>\x93"
      "Caf\xE9\x94"
      "</title></channel></rss>",
      context_for("", "text/xml; charset=windows-1252"));
  CHECK(latin.feed.encoding == "windows-1252");
  CHECK(latin.feed.title == "\u201CCafé\u201D");
  CHECK(latin.warnings.empty());
}

TEST_CASE("An HTTP UTF-8 charset over a Latin-1 declaration says it won", "[charset]") {
  const auto result = parse_ok(
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>Hà Nội"
      "</title></channel></rss>",
      context_for("", "application/xml; charset=utf-8"));
  CHECK(result.feed.encoding == "utf-8");
  CHECK(result.feed.title == "Hà Nội");
  CHECK(result.warnings ==
        std::vector<std::string>{"HTTP charset says utf-8, XML declaration says iso-8859-1: "
                                 "read as utf-8, since the HTTP charset comes first "
                                 "(RFC 7303, section 3.2)"});
}

TEST_CASE("A byte-order mark wins over the HTTP charset and the declaration, and says so", "[charset]") {
  const std::string document =
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><title>Đà Nẵng</title>"
      "</channel></rss>";
  const auto over_http = parse_ok(document, context_for("", "text/xml; charset=iso-8859-1"));
  CHECK(over_http.feed.encoding == "utf-8");
  CHECK(over_http.feed.title == "Đà Nẵng");
  CHECK(over_http.warnings ==
        std::vector<std::string>{"byte-order mark says utf-8, HTTP charset says iso-8859-1: read as utf-8, "
                                 "since the byte-order mark comes first (RFC 7303, section 3.2)"});
  const auto over_declaration = parse_ok(document);
  CHECK(over_declaration.feed.title == "Đà Nẵng");
  CHECK(over_declaration.warnings ==
        std::vector<std::string>{
            "byte-order mark says utf-8, XML declaration says windows-1252: read as utf-8, "
            "since the byte-order mark comes first (RFC 7303, section 3.2)"});
}

TEST_CASE("A UTF-16LE byte-order mark decides over everything", "[charset]") {
  const std::u16string text = u"<rss version=\"2.0\"><channel><title>Hà Nội</title></channel></rss>";
  std::string bytes = "\xFF\xFE";
  for (char16_t unit : text) {
    bytes.push_back(static_cast<char>(unit & 0xFF));
    bytes.push_back(static_cast<char>(unit >> 8));
  }
  const auto result = parse_ok(bytes, context_for("", "text/xml; charset=iso-8859-1"));
  CHECK(result.feed.encoding == "utf-16le");
  CHECK(result.feed.title == "Hà Nội");
}

TEST_CASE("Invalid UTF-8 under a UTF-8 declaration becomes U+FFFD with a warning", "[charset]") {
  const auto result = parse_ok(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>a\xFF b "
      "\xC3\xA9</title></channel></rss>");
  CHECK(result.feed.encoding == "utf-8");
  CHECK(result.feed.title == "a\uFFFD b é");
  CHECK(result.warnings == std::vector<std::string>{"ill-formed UTF-8 replaced with U+FFFD in 1 field(s)"});
}

TEST_CASE("Charset labels: Content-Type parameters, declarations, canonical names", "[charset]") {
  CHECK(tinhop::charset_from_content_type("text/xml; Charset=\"UTF-8\"") == "UTF-8");
  CHECK(tinhop::charset_from_content_type("text/xml") == std::nullopt);
  CHECK(tinhop::charset_from_xml_declaration("<?xml version='1.0' encoding='Windows-1258'?><a/>") ==
        "Windows-1258");
  CHECK(tinhop::charset_from_xml_declaration("<rss/>") == std::nullopt);
  CHECK(tinhop::canonical_charset("latin-1") == "iso-8859-1");
  CHECK(tinhop::canonical_charset("CP1258") == "windows-1258");
  CHECK(tinhop::canonical_charset("gb2312") == "gb18030");
  CHECK(tinhop::canonical_charset("no-such-charset") == std::nullopt);
  // Found by fuzz_charset: ICU takes converter options in a name, and the name it returned
  // for them belonged to a converter already closed. Only RFC 2978 label characters pass.
  CHECK(tinhop::canonical_charset("\"iscii") == std::nullopt);
  CHECK(tinhop::canonical_charset("iscii,version=0") == std::nullopt);
  CHECK(tinhop::canonical_charset("ISO_8859-1:1987") == "iso-8859-1");
  const tinhop::DecodedText decoded =
      tinhop::decode_document("<rss/>\xF5", "f\\   charset=\"\"iscii      2.\xF5    ");
  CHECK(decoded.encoding == "iscii");  // the label read from the header, without ICU's options
  CHECK(decoded.text == "<rss/>\u096A");
  CHECK(tinhop::is_valid_utf8("Việt"));
  CHECK_FALSE(tinhop::is_valid_utf8("\xC0\xAF"));      // overlong '/'
  CHECK_FALSE(tinhop::is_valid_utf8("\xED\xA0\x80"));  // a surrogate
}
