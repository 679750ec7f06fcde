// Text repairs every format shares: double-encoded UTF-8 and language tags.
#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::test::parse_ok;

namespace {

std::string rss_with(const std::string& title, const std::string& description, const std::string& language) {
  return "<rss version=\"2.0\"><channel><title>" + title + "</title><description>" + description +
         "</description><language>" + language + "</language></channel></rss>";
}

}  // namespace

TEST_CASE("Double-encoded UTF-8: a field that round-trips through windows-1252 is repaired", "[mojibake]") {
  // "Actualités — l’été": é (C3 A9), — (E2 80 94) and ’ (E2 80 99) read as windows-1252.
  const auto result = parse_ok(rss_with("ActualitÃ©s â€” lâ€™Ã©tÃ©", "Ã€ la une: cafÃ©", "fr"));
  CHECK(result.feed.title == "Actualités — l’été");
  CHECK(result.feed.description == "À la une: café");
  CHECK(result.warnings ==
        std::vector<std::string>{"UTF-8 read as windows-1252 (\"Ã©\" for \"é\") repaired in 2 field(s)"});
}

TEST_CASE("Double-encoded UTF-8: a field that does not wholly round-trip is left as written", "[mojibake]") {
  // The first mixes mojibake with a character windows-1252 lacks (ệ); the second is
  // legitimate text whose windows-1252 bytes are not UTF-8; the third is Vietnamese.
  const auto result = parse_ok(rss_with("ActualitÃ©s Việt", "Ã© is how Ã‰ looks¿", "Tin tức hôm nay"));
  CHECK(result.feed.title == "ActualitÃ©s Việt");
  CHECK(result.feed.description == "Ã© is how Ã‰ looks¿");
  CHECK(result.warnings ==
        std::vector<std::string>{"language 'Tin tức hôm nay' is not a BCP 47 tag: kept as written"});
}

TEST_CASE("Language tags: BCP 47 separators, lower-case language, ill-formed ones kept with a warning",
          "[language]") {
  // Subtags compare without case (RFC 5646 section 2.1.1): only the language's is lowered.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"en_US", "en-US"},        {"vi-VN", "vi-VN"},           {"VI", "vi"},
      {"en-us", "en-us"},        {"ZH_Hant_TW", "zh-Hant-TW"}, {" vie ", "vie"},
      {"x-klingon", "x-klingon"}};
  for (const auto& [written, tag] : cases) {
    CAPTURE(written);
    const auto result = parse_ok(rss_with("T", "D", written));
    CHECK(result.feed.language == tag);
    CHECK(result.warnings.empty());
  }
  for (const std::string written : {"English", "vi, en", "en-", "tiếng Việt", "e"}) {
    CAPTURE(written);
    const auto result = parse_ok(rss_with("T", "D", written));
    CHECK(result.feed.language == written);
    CHECK(result.warnings ==
          std::vector<std::string>{"language '" + written + "' is not a BCP 47 tag: kept as written"});
  }
}

TEST_CASE("Language tags: JSON Feed and Atom languages are normalized too", "[language]") {
  const auto json = parse_ok(R"({"version": "https://jsonfeed.org/version/1.1", "title": "t",
    "language": "vi_VN", "items": []})");
  CHECK(json.feed.language == "vi-VN");
  const auto atom =
      parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="EN-GB"><title>t</title></feed>)");
  CHECK(atom.feed.language == "en-GB");
}

TEST_CASE("Double-encoded UTF-8: Vietnamese beside punctuation is not mistaken for it", "[mojibake]") {
  // "à…" and "ì”" begin like double encoding (Ã-range letter, then a windows-1252 character)
  // but the lead's other continuation bytes are missing.
  const auto result = parse_ok(rss_with("Giá nhà… Hà Nội “tăng thì”", "Lúc này—ổn", "vi"));
  CHECK(result.feed.title == "Giá nhà… Hà Nội “tăng thì”");
  CHECK(result.feed.description == "Lúc này—ổn");
  CHECK(result.warnings.empty());
}
