#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tinhop/parsers/words.hpp"

using namespace tinhop;
using Words = std::vector<std::string>;

TEST_CASE("folding drops case and diacritics, and reads đ as d", "[words]") {
  CHECK(fold("Hội Nghị Trung Ương") == "hoi nghi trung uong");
  CHECK(fold("Đảng ủy ĐỒNG NAI") == "dang uy dong nai");
  CHECK(fold("Économie FRANÇAISE") == "economie francaise");
  // Decomposed input folds as the composed does.
  CHECK(fold("Ho\xcc\x82\xcc\xa3i") == "hoi");
  CHECK(fold("\xff") == "\xef\xbf\xbd");
}

TEST_CASE("folded words are runs of letters and digits", "[words]") {
  CHECK(folded_words("Thứ sáu, 02/08/2019: COVID-19 (Đà Nẵng)") ==
        Words{"thu", "sau", "02", "08", "2019", "covid", "19", "da", "nang"});
  CHECK(folded_words("  ,;!  ").empty());
  CHECK(folded_words("").empty());
  // A script written without spaces gives each character as a word.
  CHECK(folded_words("北京abc") == Words{"北", "京", "abc"});
  CHECK(folded_words("Москва") == Words{"москва"});
}

TEST_CASE("a code point above the table folds like one below it", "[words]") {
  const FoldedCodePoint wide = fold_code_point(U'\uFF21');  // FULLWIDTH LATIN CAPITAL LETTER A
  CHECK(wide.part == WordPart::letter);
  CHECK(std::string(wide.text) == "\xef\xbd\x81");  // its lower case, U+FF41
  CHECK(fold_code_point(0x110000).part == WordPart::separator);
  CHECK(std::string(fold_code_point(0x110000).text) == "\xef\xbf\xbd");
}
