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

TEST_CASE("Undeclared Thai is read as TIS-620, or windows-874 with its punctuation", "[charset]") {
  // "ราคาทองคำวันนี้ปรับตัวสูงขึ้นในตลาดกรุงเทพ" in TIS-620, no declaration anywhere: ICU's
  // detector has no Thai model and named windows-1252.
  const auto tis620 = parse_ok(
      "<rss version=\"2.0\"><channel><title>\xC3\xD2\xA4\xD2\xB7\xCD\xA7\xA4\xD3\xC7\xD1\xB9\xB9\xD5\xE9\xBB"
      "\xC3\xD1\xBA\xB5\xD1\xC7\xCA\xD9\xA7\xA2\xD6\xE9\xB9\xE3\xB9\xB5\xC5\xD2\xB4\xA1\xC3\xD8\xA7\xE0\xB7"
      "\xBE"
      "</title></channel></rss>");
  CHECK(tis620.feed.encoding == "tis-620");
  CHECK(tis620.feed.title == "ราคาทองคำวันนี้ปรับตัวสูงขึ้นในตลาดกรุงเทพ");
  CHECK(tis620.warnings ==
        std::vector<std::string>{"no charset declared and the bytes are not UTF-8: detected tis-620"});
  // Curly quotes (0x93, 0x94) exist only in windows-874.
  const auto windows874 = parse_ok(
      "<rss version=\"2.0\"><channel><title>\xA2\xE8\xD2\xC7\xE0\xAA\xE9\xD2 "
      "\x93\xC3\xD2\xA4\xD2\xB7\xCD\xA7\xA4\xD3\x94 "
      "\xC7\xD1\xB9\xB9\xD5\xE9</title></channel></rss>");
  CHECK(windows874.feed.encoding == "windows-874");
  CHECK(windows874.feed.title == "ข่าวเช้า “ราคาทองคำ” วันนี้");
}

TEST_CASE("Undeclared Latin-1 accents between ASCII letters and certain EUC-KR are not Thai", "[charset]") {
  // 0xE8 and 0xE9 are Thai tone marks in TIS-620, which never follow an ASCII letter.
  const auto result = parse_ok(
      "<rss version=\"2.0\"><channel><title>Cr\xE8me br\xFBl\xE9"
      "e \xE0 la fran\xE7"
      "aise, servie en \xE9t\xE9 dans un caf\xE9 pr\xE8s de la gare</title></channel></rss>");
  CHECK(result.feed.encoding == "windows-1252");
  CHECK(result.feed.title == "Crème brûlée à la française, servie en été dans un café près de la gare");
  // Korean in EUC-KR, whose bytes are in TIS-620's range too: ICU's certainty keeps it.
  const auto korean = parse_ok(
      "<rss version=\"2.0\"><channel><title>\xBF\xC0\xB4\xC3\xC0\xC7 \xB1\xDD\xB0\xAA\xC0\xCC "
      "\xBC\xAD\xBF\xEF "
      "\xBD\xC3\xC0\xE5\xBF\xA1\xBC\xAD \xC5\xA9\xB0\xD4 "
      "\xBF\xC3\xB6\xFA\xBD\xC0\xB4\xCF\xB4\xD9</title></channel></rss>");
  CHECK(korean.feed.encoding == "euc-kr");
  CHECK(korean.feed.title == "오늘의 금값이 서울 시장에서 크게 올랐습니다");
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
