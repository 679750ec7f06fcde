#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tinhop/parsers/charset.hpp"
#include "tinhop/parsers/text.hpp"
#include "tinhop/parsers/url.hpp"

TEST_CASE("decode_entities: numeric, HTML5 named, legacy and malformed references", "[text]") {
  CHECK(tinhop::decode_entities("gi&#225; &#x1EC7; &amp;&lt;&gt;&quot;&apos;") == "giá ệ &<>\"'");
  CHECK(tinhop::decode_entities("&nbsp;&hellip;&NotEqualTilde;") == "\u00A0\u2026\u2242\u0338");
  CHECK(tinhop::decode_entities("&amp &copy 2019") == "& \u00A9 2019");
  CHECK(tinhop::decode_entities("&#146; &#0; &#xD800;") == "\u2019 \uFFFD \uFFFD");
  CHECK(tinhop::decode_entities("AT&T &unknown; & &#; &#xZZ;") == "AT&T &unknown; & &#; &#xZZ;");
  CHECK(tinhop::has_entities("x &amp; y"));
  CHECK_FALSE(tinhop::has_entities("AT&T"));
}

TEST_CASE("to_nfc composes decomposed Vietnamese and repairs bad UTF-8", "[text]") {
  CHECK(tinhop::to_nfc("BA\u0301O SA\u0300I GO\u0300N GIẢI PHO\u0301NG") == "BÁO SÀI GÒN GIẢI PHÓNG");
  CHECK(tinhop::to_nfc("ascii only") == "ascii only");
  CHECK(tinhop::to_nfc("a\xFF") == "a\uFFFD");
}

namespace {

bool icu_says_valid(const std::string& text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  for (std::int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

std::string icu_nfc(const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  std::string out;
  nfc->normalize(icu::UnicodeString::fromUTF8(text), status).toUTF8String(out);
  return out;
}

std::vector<std::string> tricky_pieces() {
  return {
      "\xC3\xA1",                  // á
      "\xE1\xBB\x87",              // ệ
      "\xC6\xB0\xE1\xBB\x9D",      // ườ
      "a\xCC\x81",                 // a + combining acute: NFC composes
      "\xE2\x80\x9C",              // left double quotation mark
      "\xE1\x80\x80",              // U+1000: E1 outside B8-BB
      "\xE1\x84\x80\xE1\x85\xA1",  // Hangul jamo (E1 84, E1 85): NFC composes them into U+AC00
      "\xF0\x9F\x98\x80",          // U+1F600
      "\xE1\xBA",                  // truncated
      "\x80",                      // stray continuation
      "\xC3",                      // lead without continuation
      "\xC0\xAF",                  // overlong
      "\xED\xA0\x80",              // surrogate
      "\xE1\xBB\xC3\xA1",          // truncated, then a valid character
      "\xC3\xA1\xA1",              // one continuation too many
      "\xE0\x80\x80",              // overlong: E0 takes A0-BF next
      "\xE0\xA4\x85",              // U+0905
      "\xDF\xBF",                  // U+07FF
      "\xEF\xBF\xBD",              // U+FFFD
  };
}

}  // namespace

// The scan reads 16 bytes at a time when they are Vietnamese text (ASCII, U+0080-U+02FF,
// U+1E00-U+1EFF) and one character at a time otherwise: every piece below is put at every
// offset of a block, so each lands across a block's end and beside the other path.
TEST_CASE("UTF-8 validity and NFC agree with ICU wherever a sequence falls in a 16-byte block", "[text]") {
  const std::vector<std::string> pieces = tricky_pieces();
  int checked = 0;
  for (const std::string& piece : pieces) {
    for (std::size_t before = 0; before <= 33; ++before) {
      for (std::size_t after : {0, 1, 2, 3, 15, 16, 17, 18}) {
        // Vietnamese filler on both sides keeps the block path in play; a decomposed
        // letter first puts the rest through the validity-only blocks.
        std::string text = after % 2 == 0 ? "" : "a\xCC\x81";
        for (std::size_t k = 0; k < before; ++k)
          text += k % 3 == 0 ? "\xE1\xBA\xA1" : (k % 3 == 1 ? "n" : "\xC3\xB4");
        text += piece;
        text += std::string(after, 'x');
        INFO("piece " << checked << " before " << before << " after " << after);
        const bool valid = icu_says_valid(text);
        REQUIRE(tinhop::is_valid_utf8(text) == valid);
        if (valid) REQUIRE(tinhop::to_nfc(text) == icu_nfc(text));
        REQUIRE(tinhop::is_valid_utf8(tinhop::to_nfc(text)));
      }
    }
    ++checked;
  }
  CHECK(checked == 19);
}

// Where the processor has AVX2 the scan reads 32 bytes at a time first, then 16, then one
// character: every piece at every byte offset of two 32-byte blocks, after Vietnamese text
// (NFC blocks) or a decomposed letter (validity-only blocks).
TEST_CASE("UTF-8 validity and NFC agree with ICU at every byte offset of a 32-byte block", "[text]") {
  int checked = 0;
  for (const std::string& piece : tricky_pieces()) {
    for (const std::string_view start : {"", "a\xCC\x81"}) {
      for (std::size_t offset = start.size(); offset <= 70; ++offset) {
        std::string text(start);
        while (text.size() + 3 <= offset) text += "\xE1\xBA\xA1";  // ạ
        text.append(offset - text.size(), 'n');
        text += piece;
        for (int k = 0; k < 14; ++k) text += "\xC3\xB4n";  // ôn: 42 bytes after, a whole block
        INFO("piece " << checked << " offset " << offset << " start " << start.size());
        const bool valid = icu_says_valid(text);
        REQUIRE(tinhop::is_valid_utf8(text) == valid);
        if (valid) REQUIRE(tinhop::to_nfc(text) == icu_nfc(text));
        REQUIRE(tinhop::is_valid_utf8(tinhop::to_nfc(text)));
      }
    }
    ++checked;
  }
  CHECK(checked == 19);
}

TEST_CASE("Latin letters with combining marks compose as ICU composes them", "[text]") {
  // Decomposed Vietnamese, and windows-1258's precomposed vowels with combining tones.
  CHECK(tinhop::to_nfc("Vie\u0302\u0323t Nam") == "Việt Nam");
  CHECK(tinhop::to_nfc("Vie\u0323\u0302t") == "Việt");
  CHECK(tinhop::to_nfc("\u00EA\u0301 \u01B0\u0300 \u01A1\u0309") == "ế ừ ở");
  CHECK(tinhop::to_nfc("u\u031B\u0300o\u031B\u0300") == "ừờ");
  // A letter's own mark of a higher class goes after the new one, and stops it composing.
  CHECK(tinhop::to_nfc("\u00E0\u0323") == "ạ\u0300");
  CHECK(tinhop::to_nfc("a\u0301\u0301") == "á\u0301");
  // Marks with nothing before them are only put in order; other scripts go to ICU.
  CHECK(tinhop::to_nfc("\u0301\u0323x") == "\u0323\u0301x");
  CHECK(tinhop::to_nfc("\u0438\u0306 \u03B1\u0301") == "й ά");
  CHECK(tinhop::to_nfc(std::string("a\0\u0301", 4)) == std::string("a\0\u0301", 4));
  // Every Latin letter with every mark of U+0300-U+036F, and with the pairs of the marks
  // real text uses, against ICU.
  std::vector<std::string> letters;
  for (char32_t c : {U'a', U'A', U'e', U'o', U'u', U'y', U'd', U'n', U'i', U'c', U's', U'z'}) {
    letters.push_back(std::string(1, static_cast<char>(c)));
  }
  for (const char* letter :
       {"\u00E0", "\u00E2", "\u00EA", "\u00F4", "\u0103", "\u01A1", "\u01B0", "\u1EA1", "\u1EB9", "\u00C5",
        "\u00D8", "\u0229", "\u01EB", "\u1E9B", "\u017F", "\u00DC"}) {
    letters.emplace_back(letter);
  }
  const auto mark = [](char32_t c) {
    return std::string{static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
  };
  std::vector<std::string> marks;
  for (char32_t c = 0x300; c < 0x370; ++c) marks.push_back(mark(c));
  std::vector<std::string> common;
  for (char32_t c : {0x300, 0x301, 0x302, 0x303, 0x304, 0x306, 0x307, 0x308, 0x309, 0x30A, 0x30C, 0x31B,
                     0x323, 0x327, 0x328, 0x331, 0x345}) {
    common.push_back(mark(c));
  }
  std::size_t compared = 0;
  for (const std::string& letter : letters) {
    for (const std::string& one : marks) {
      const std::string text = "x" + letter + one + "y";
      INFO(text);
      REQUIRE(tinhop::to_nfc(text) == icu_nfc(text));
      ++compared;
    }
    for (const std::string& one : common) {
      for (const std::string& two : common) {
        const std::string text = letter + one + two + "\u1EA1" + two + one;
        INFO(text);
        REQUIRE(tinhop::to_nfc(text) == icu_nfc(text));
        ++compared;
      }
    }
  }
  CHECK(compared == 28 * (112 + 17 * 17));
}

TEST_CASE("collapse_whitespace: text read 16 bytes at a time gives what the byte-by-byte path gives",
          "[text]") {
  // A leading C0 control is dropped and makes the text need a change, so the same text
  // behind one takes the byte-by-byte path: both must agree, at every position of every
  // kind of space, control and lookalike in long runs of text.
  const std::vector<std::string> pieces = {"a",      "\u1EA1", " ",      "  ",     "\t",     "\n",
                                           "\r\n",   "\u00A0", "\u00A9", "\u0085", "\u2003", "\u2014",
                                           "\u201C", "\u202F", "\u205F", "\u3000", "\u3001", "\x7F",
                                           "\x01",   "xyz",    "\u2028", "\u00C2"};
  std::uint64_t state = 12345;
  std::size_t unchanged = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int length = static_cast<int>((state >> 40U) % 40);
    for (int k = 0; k < length; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      // Mostly plain letters, so that long clean runs reach the 16-byte path.
      const std::size_t pick = (state >> 33U) % (pieces.size() * 4);
      text += pick < pieces.size() ? pieces[pick] : (pick % 2 == 0 ? "ab" : "\u1EA1c");
    }
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    INFO(text);
    const std::string direct = tinhop::collapse_whitespace(text);
    REQUIRE(direct == tinhop::collapse_whitespace("\x01" + text));
    unchanged += direct == text;
  }
  CHECK(unchanged > 1000);  // texts that needed no change were compared too
}

TEST_CASE("collapse_whitespace trims and collapses layout and typed spaces each to one", "[text]") {
  CHECK(tinhop::collapse_whitespace("  a \t\n b\u00A0c \u202F ") == "a b\u00A0c");
  CHECK(tinhop::collapse_whitespace("\u00A0lead") == "lead");
  CHECK(tinhop::collapse_whitespace("x\x01y") == "xy");
  CHECK(tinhop::collapse_whitespace("10\u00A0km, 6:44\u202FPM") == "10\u00A0km, 6:44\u202FPM");
  CHECK(tinhop::collapse_whitespace("X\u00A0\u00A0\u00A0Y\u2009\u2009Z") == "X\u00A0Y\u2009Z");
  CHECK(tinhop::collapse_whitespace("X\u00A0\u00A0 \n Y") == "X\u00A0 Y");
  CHECK(tinhop::collapse_whitespace("testing \u00A0 entity") == "testing \u00A0 entity");
  CHECK(tinhop::collapse_whitespace("a\nb\u2028c\u0085\r\nd") == "a b c d");
  CHECK(tinhop::collapse_whitespace("a \x01 b\x7F") == "a b");
  CHECK(tinhop::collapse_whitespace("Gi\u00E1 v\u00E0ng\u00A9 \u2014 x") ==
        "Gi\u00E1 v\u00E0ng\u00A9 \u2014 x");
  CHECK(tinhop::collapse_whitespace(" \t\u00A0 ").empty());
  // Text that needs no change, and one change at either end or in the middle of it.
  CHECK(tinhop::collapse_whitespace("\u201CH\u00E0 N\u1ED9i\u201D m\u01B0a") ==
        "\u201CH\u00E0 N\u1ED9i\u201D m\u01B0a");
  CHECK(tinhop::collapse_whitespace("a b ") == "a b");
  CHECK(tinhop::collapse_whitespace("a  b") == "a b");
  CHECK(tinhop::collapse_whitespace("a b\u3000") == "a b");
  CHECK(tinhop::collapse_whitespace("a\u2003b c") == "a\u2003b c");
  CHECK(tinhop::collapse_whitespace("x") == "x");
  CHECK(tinhop::collapse_whitespace(std::string_view("a\0b", 3)) == "ab");
}

TEST_CASE("strip_html_to_text drops markup, scripts and comments", "[text]") {
  CHECK(tinhop::strip_html_to_text("<p>Một</p><p>Hai<br>ba</p>") == "Một Hai ba");
  CHECK(tinhop::strip_html_to_text("<img alt=\"a>b\" src=x>Ảnh<!-- c --> &amp; chữ") == "Ảnh & chữ");
  CHECK(tinhop::strip_html_to_text("<script>var a = '<b>';</script>ok") == "ok");
  CHECK(tinhop::strip_html_to_text("1 < 2 and <b>3</b>") == "1 < 2 and 3");
}

TEST_CASE("strip_html_to_text reads a tag as HTML5 does: a quote opens a value only after '='", "[text]") {
  CHECK(tinhop::strip_html_to_text("<a href=\"/x\"y\">Less</a> more") == "Less more");
  CHECK(tinhop::strip_html_to_text("<a title = 'it\"s' b\"c>Quoted</a>") == "Quoted");
  CHECK(tinhop::strip_html_to_text("<img alt=\"a>b\" src=x>kept") == "kept");
  CHECK(tinhop::strip_html_to_text("<a href=\"cut") == "");
}

TEST_CASE("truncate_text cuts to a character count at a grapheme boundary and ends with an ellipsis",
          "[text]") {
  const std::string ellipsis = "\xE2\x80\xA6";
  std::string text = "Giá vàng";
  CHECK_FALSE(tinhop::truncate_text(text, 8));
  CHECK(text == "Giá vàng");
  CHECK(tinhop::truncate_text(text, 5));
  CHECK(text == "Giá " + ellipsis);
  // A flag is two code points: keeping 3 of them would split the second flag.
  const std::string flag = "\xF0\x9F\x87\xBB\xF0\x9F\x87\xB3";  // 🇻🇳
  text = flag + flag + flag;
  CHECK(tinhop::truncate_text(text, 4));
  CHECK(text == flag + ellipsis);
  // A letter with two marks NFC cannot fold into one code point stays whole.
  text =
      "a\xE1\xBA\xA1\xCC\x81\xCC\x81"
      "b";  // a, ạ + two combining acutes, b
  CHECK(tinhop::truncate_text(text, 3));
  CHECK(text == "a" + ellipsis);
  text = "abc";
  CHECK(tinhop::truncate_text(text, 1));
  CHECK(text == ellipsis);
}

TEST_CASE("Links: trimmed, resolved, Vietnamese IRIs percent-encoded", "[url]") {
  CHECK(tinhop::resolve_url("https://example.vn/rss/feed.xml", " ../tin/1.html ") ==
        "https://example.vn/tin/1.html");
  CHECK(tinhop::resolve_url("https://example.vn/a/", "//cdn.example.vn/x.jpg") ==
        "https://cdn.example.vn/x.jpg");
  CHECK(tinhop::resolve_url("", "https://example.vn/x") == "https://example.vn/x");
  CHECK(tinhop::resolve_url("", "/relative") == std::nullopt);
  CHECK(tinhop::iri_to_uri("https://example.vn/thời-sự?q=a b&x=%20") ==
        "https://example.vn/th%E1%BB%9Di-s%E1%BB%B1?q=a%20b&x=%20");
  CHECK(tinhop::iri_to_uri("https://example.vn/\n  tin") == "https://example.vn/tin");
  CHECK(tinhop::is_absolute_url("https://example.vn/"));
  CHECK_FALSE(tinhop::is_absolute_url("/x"));
}
