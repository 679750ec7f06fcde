#include "tinhop/parsers/slug.hpp"

#include <catch2/catch.hpp>

using tinhop::ascii_slug;

TEST_CASE("slug: Vietnamese names lose their marks, đ becomes d, words are joined by hyphens", "[slug]") {
  CHECK(ascii_slug("Kinh tế") == "kinh-te");
  CHECK(ascii_slug("Thời sự") == "thoi-su");
  CHECK(ascii_slug("Đời sống") == "doi-song");
  CHECK(ascii_slug("ĐỊA ỐC") == "dia-oc");
  CHECK(ascii_slug("Ưu đãi") == "uu-dai");
  CHECK(ascii_slug("Sức khỏe") == "suc-khoe");
  CHECK(ascii_slug("thoi-su") == "thoi-su");
}

TEST_CASE("slug: punctuation and spaces collapse to one hyphen, none at the ends", "[slug]") {
  CHECK(ascii_slug("  Xe – Ô tô / Xe máy  ") == "xe-o-to-xe-may");
  CHECK(ascii_slug("Covid-19: tin mới") == "covid-19-tin-moi");
  CHECK(ascii_slug("a%2Fb?c#d") == "a-2fb-c-d");
}

TEST_CASE("slug: other scripts in Latin letters; nothing left gives an empty slug", "[slug]") {
  CHECK(ascii_slug("Москва") == "moskva");
  CHECK(ascii_slug("日本") == "ri-ben");
  CHECK(ascii_slug("★ ♥") == "");
  CHECK(ascii_slug("") == "");
}
