#include <catch2/catch.hpp>

#include <array>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "feed_support.hpp"
#include "support/paths.hpp"
#include "tinhop/parsers/language.hpp"

using tinhop::detect_language;
using tinhop::settle_language;

namespace {

std::vector<std::string> sentences_in(const std::string& language) {
  std::ifstream file(tinhop::test::data_dir() / "parsers/language" / (language + ".txt"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace

TEST_CASE("language: each language of the labelled set is told from its sentences", "[language]") {
  // 32 sentences a language, written for this test and none in the training sample.
  std::map<std::string, std::map<std::string, int>> confusion;
  int right = 0;
  int total = 0;
  for (const std::string_view language : tinhop::detectable_languages()) {
    const std::string expected(language);
    const auto sentences = sentences_in(expected);
    REQUIRE(sentences.size() == 32);
    for (const std::string& sentence : sentences) {
      const std::string got = std::string(detect_language(sentence).value_or("none"));
      ++confusion[expected][got];
      ++total;
      if (got == expected) ++right;
    }
  }
  std::ostringstream table;
  for (const auto& [expected, row] : confusion) {
    table << expected << ":";
    for (const auto& [got, count] : row) table << ' ' << got << '=' << count;
    table << '\n';
  }
  INFO("confusion (expected: detected=count)\n" << table.str());
  CHECK(total == 224);
  CHECK(right == 224);
  for (const std::string_view language : tinhop::detectable_languages())
    CHECK(confusion[std::string(language)][std::string(language)] == 32);
}

TEST_CASE("language: too little text, or a script none of the languages uses, says nothing", "[language]") {
  CHECK(detect_language("") == std::nullopt);
  CHECK(detect_language("Hello world") == std::nullopt);
  CHECK(detect_language("東京で新しい橋の建設が始まりました") == std::nullopt);         // kana: Japanese
  CHECK(detect_language("กรุงเทพมหานครเริ่มก่อสร้างสะพานแห่งใหม่ในเดือนหน้า") == std::nullopt);  // Thai
  CHECK(detect_language("Die Regierung hat heute neue Regeln für Elektroautos beschlossen") == std::nullopt);
}

TEST_CASE("language: the detected language replaces a wrong or missing declaration", "[language]") {
  const std::string vietnamese = "Thủ tướng yêu cầu các bộ ngành đẩy nhanh tiến độ giải ngân vốn đầu tư công";
  CHECK(settle_language(vietnamese, std::string("en")) == "vi");
  CHECK(settle_language(vietnamese, std::string("vi-VN")) == "vi-VN");
  CHECK(settle_language(vietnamese, std::nullopt) == "vi");
  // German is not detectable: a German declaration is kept, whatever the text looks like.
  CHECK(settle_language("The government approved new rules for electric cars today in Berlin",
                        std::string("de")) == "de");
  CHECK(settle_language("Kurz", std::string("de")) == "de");
  CHECK(settle_language("Kurz", std::nullopt) == std::nullopt);
}

TEST_CASE("language: the normalizer stores what an item's title is written in", "[language][rss]") {
  const auto result = tinhop::test::parse_ok(R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><language>en</language>
<item><title>Bộ Y tế khuyến cáo người dân tiêm phòng cúm trước mùa đông năm nay</title></item>
<item><title>The ministry urged people to get a flu shot before the winter</title></item>
<item><title>Short</title></item>
<item><title>Le ministère appelle les habitants à se faire vacciner contre la grippe</title><dc:language>fr-CA</dc:language></item>
</channel></rss>)");
  const auto& items = result.feed.items;
  REQUIRE(items.size() == 4);
  // Only a language that differs from the declaration is written on the item.
  REQUIRE(items[0].extras);
  CHECK(items[0].extras->language == "vi");
  CHECK(!items[1].extras);
  CHECK(!items[2].extras);
  REQUIRE(items[3].extras);
  CHECK(items[3].extras->language == "fr-CA");
}

TEST_CASE("language: letters are read from a table below U+2000 and from ICU above it, alike", "[language]") {
  // Each expected value is what asking ICU of every letter gave before the table.
  CHECK(detect_language("THE GOVERNMENT APPROVED NEW RULES FOR ELECTRIC CARS TODAY") == "en");
  CHECK(detect_language("THỦ TƯỚNG YÊU CẦU CÁC BỘ NGÀNH ĐẨY NHANH TIẾN ĐỘ GIẢI NGÂN") == "vi");
  // Punctuation above U+2000 separates words and counts for nothing.
  CHECK(detect_language("“The government approved new rules” — for electric cars… today") == "en");
  // Fullwidth and mathematical letters are Latin, but no sample has their trigrams.
  CHECK(detect_language("Ｔｈｅ ｇｏｖｅｒｎｍｅｎｔ ａｐｐｒｏｖｅｄ ｎｅｗ ｒｕｌｅｓ ｆｏｒ "
                        "ｅｌｅｃｔｒｉｃ ｃａｒｓ") == std::nullopt);
  CHECK(detect_language("The government approved new rules for electric cars today 𝐓𝐡𝐞 𝐫𝐮𝐥𝐞𝐬") == "en");
  // A letter of another script below U+2000 (Greek, µ: Greek too) sends the text to the
  // count of every script, which still finds it Latin.
  CHECK(detect_language("The government approved new rules for electric cars in Αθήνα today") == "en");
  CHECK(detect_language("The µ-law codec approved new rules for electric cars today") == "en");
  CHECK(detect_language("Правительство Αθήνα") == "ru");
  CHECK(detect_language("Thủ tướng yêu cầu các bộ ngành 東京 đẩy nhanh tiến độ giải ngân") == "vi");
  // Latin letters that are not ASCII: ª, º, modifier letters, a dotted capital I.
  CHECK(detect_language("Le 1ᵉʳ ministre ª º appelle les habitants à se faire vacciner") == "fr");
  CHECK(detect_language("İstanbul ve Ankara arasında yeni hızlı tren hattı açıldı bugün") == std::nullopt);
  // Combining marks are not letters: NFD text breaks its words at them.
  CHECK(detect_language(
            "Thu\u0309 tu\u031Bo\u031B\u0301ng ye\u0302u ca\u0302\u0300u ca\u0301c bo\u0323\u0302 "
            "nga\u0300nh \u0111a\u0302\u0309y nhanh tie\u0302\u0301n \u0111o\u0323\u0302 gia\u0309i "
            "nga\u0302n vo\u0302\u0301n \u0111a\u0302\u0300u tu\u031B co\u0302ng") == "vi");
  // Ill-formed bytes are skipped, not letters.
  CHECK(detect_language("The government \xFF approved new \xC3 rules for electric cars") == "en");
}
