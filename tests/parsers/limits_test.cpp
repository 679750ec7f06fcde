// Hostile sizes: each document is parsed or refused with a clear error, never a crash.
// Memory is measured outside the unit tests (docs/performance.md); these prove behaviour.
#include <algorithm>
#include <catch2/catch.hpp>

#include "feed_support.hpp"

using tinhop::ParseError;
using tinhop::test::parse_ok;

namespace {

std::string rss_with_items(std::size_t count, std::string_view item) {
  std::string text = "<rss version=\"2.0\"><channel><title>big</title>";
  text.reserve(text.size() + count * item.size() + 32);
  for (std::size_t i = 0; i < count; ++i) text.append(item);
  text += "</channel></rss>";
  return text;
}

}  // namespace

TEST_CASE("Limits: a 20 MB feed parses", "[limits]") {
  const std::string body(1000, 'x');
  const std::string feed =
      rss_with_items(20'000, "<item><title>t</title><description>" + body + "</description></item>");
  REQUIRE(feed.size() > 20'000'000);
  const auto result = parse_ok(feed);
  CHECK(result.feed.items.size() == 20'000);
  CHECK(result.feed.items.back().summary->size() == 1000);
}

TEST_CASE("Limits: without a memory budget 100,000 items parse; one more is refused", "[limits]") {
  tinhop::ParseLimits limits;
  limits.memory_ratio = 0;
  const auto parsed =
      tinhop::parse_feed(rss_with_items(100'000, "<item><title>t</title></item>"), {}, limits);
  REQUIRE(parsed);
  CHECK(parsed.result().feed.items.size() == 100'000);
  const auto refused =
      tinhop::parse_feed(rss_with_items(100'001, "<item><title>t</title></item>"), {}, limits);
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().error == ParseError::too_many_items);
  CHECK(refused.failure().message == "more than 100000 entries in one document");
}

TEST_CASE("Limits: a 1 MB description is kept whole; a field over the cap is cut with a warning",
          "[limits]") {
  const std::string text(1 << 20, 'a');
  const std::string item = "<item><title>t</title><description>" + text + "</description></item>";
  const auto result = parse_ok(rss_with_items(1, item));
  CHECK(result.feed.items.at(0).summary->size() == text.size());
  tinhop::ParseLimits limits;
  limits.max_field_bytes = 1000;
  const auto cut = tinhop::parse_feed(rss_with_items(1, item), {}, limits);
  REQUIRE(cut);
  CHECK(cut.result().feed.items.at(0).summary->size() == 1000);
  CHECK(cut.result().warnings == std::vector<std::string>{"fields longer than 1000 bytes were cut"});
}

TEST_CASE("Limits: titles past 1,000 characters and names past 200 are cut with an ellipsis", "[limits]") {
  const auto chars = [](const std::string& text) {
    return std::count_if(text.begin(), text.end(),
                         [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; });
  };
  const std::string ellipsis = "\xE2\x80\xA6";
  const std::string huge(4 << 20, 'a');
  const std::string vietnamese = [] {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "Đặng ";
    return text;
  }();
  const std::string feed =
      "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>" + huge +
      "</title><item><title>" + huge + "</title><dc:creator>" + vietnamese + "</dc:creator><category>" +
      huge + "</category><category>short</category>" + "</item></channel></rss>";
  const auto result = parse_ok(feed);
  CHECK(*result.feed.title == std::string(999, 'a') + ellipsis);
  const tinhop::Item& item = result.feed.items.at(0);
  CHECK(*item.title == std::string(999, 'a') + ellipsis);
  REQUIRE(item.authors.size() == 1);
  CHECK(chars(*item.authors[0].name) == 200);
  CHECK(item.authors[0].name->ends_with("Đặng" + ellipsis));
  CHECK(item.categories == std::vector<std::string>{std::string(199, 'a') + ellipsis, "short"});
  CHECK(std::find(result.warnings.begin(), result.warnings.end(),
                  "4 title(s) over 1000 or name(s) over 200 characters cut") != result.warnings.end());
}

TEST_CASE("Limits: 100,000 nested elements inside a description", "[limits]") {
  std::string nested;
  for (int i = 0; i < 100'000; ++i) nested += "<div>";
  nested += "deep";
  for (int i = 0; i < 100'000; ++i) nested += "</div>";
  const std::string feed =
      rss_with_items(1, "<item><title>t</title><description>" + nested + "</description></item>");
  REQUIRE(feed.size() == 1'100'122);
  // One 64-byte node per element would be six times the input, past the budget of four:
  // the document is read entry by entry, its markup past 256 levels flattened to text.
  const auto parsed = tinhop::parse_feed(feed, {});
  REQUIRE(parsed);
  REQUIRE(parsed.result().feed.items.size() == 1);
  CHECK(parsed.result().warnings.empty());
  CHECK(parsed.result().memory_peak <= 4 * feed.size());

  tinhop::ParseLimits unlimited;
  unlimited.memory_ratio = 0;
  const auto whole = tinhop::parse_feed(feed, {}, unlimited);
  REQUIRE(whole);
  // Markup past the serializer's depth is flattened to its text rather than recursed into.
  const std::string& summary = *whole.result().feed.items[0].summary;
  CHECK(summary.find("deep") != std::string::npos);
  CHECK(summary.size() < nested.size());
  CHECK(parsed.result().feed.items[0].summary == summary);
  CHECK(tinhop::to_contract_json(parsed.result()) == tinhop::to_contract_json(whole.result()));
}

TEST_CASE("Limits: malformed markup nested past max_depth is refused", "[limits]") {
  std::string nested = "<rss><channel>";
  for (int i = 0; i < 5'000; ++i) nested += "<x>";
  nested += "</y>";  // malformed: forces the tag-soup reader
  const auto refused = tinhop::parse_feed(nested, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().error == ParseError::too_deep);
  CHECK(refused.failure().message == "malformed XML nested deeper than 1024 elements");
}

TEST_CASE("Limits: an entity-expansion bomb is not expanded", "[limits]") {
  std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a0 \"lol\">";
  for (int i = 1; i < 10; ++i) {
    bomb += "<!ENTITY a" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) bomb += "&a" + std::to_string(i - 1) + ";";
    bomb += "\">";
  }
  bomb += "]><rss version=\"2.0\"><channel><title>&a9;</title></channel></rss>";
  const auto result = parse_ok(bomb);
  CHECK(result.feed.title == "&a9;");
}

TEST_CASE("Limits: a document over max_bytes is refused before any work", "[limits]") {
  tinhop::ParseLimits limits;
  limits.max_bytes = 100;
  const auto refused = tinhop::parse_feed(rss_with_items(10, "<item><title>t</title></item>"), {}, limits);
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().error == ParseError::too_large);
  CHECK(refused.failure().message == "document of 352 bytes exceeds the limit of 100");
}

TEST_CASE("Limits: 100,000 tiny items are read entry by entry, the first ones kept within the budget",
          "[limits]") {
  const std::string feed = rss_with_items(100'000, "<item><title>t</title></item>");
  const auto streamed = tinhop::parse_feed(feed, {});
  REQUIRE(streamed);
  const tinhop::ParseResult& result = streamed.result();
  // The tree would need 3.7 times the input, the model of every item 13 (sizeof(Item)).
  const std::size_t kept = result.feed.items.size();
  CHECK(kept > 25'000);
  CHECK(kept < 30'000);
  CHECK(result.feed.items.back().title == "t");
  CHECK(result.warnings ==
        std::vector<std::string>{"memory budget of 11.1 MiB (4x its 2.9 MB) reached: kept the first " +
                                 std::to_string(kept) + " of 100000 entries"});
  CHECK(result.memory_peak <= 4 * feed.size());

  // The recovery paths build whole trees and are held to the same budget: an unquoted
  // attribute sends the document through the repairing pre-pass, refused; a stray end tag
  // after the root is found only when the whole text has been read, so the strict tree runs
  // out of memory first, and the split refuses it.
  const auto repaired = tinhop::parse_feed(rss_with_items(100'000, "<item a=1><title>t</title></item>"), {});
  REQUIRE_FALSE(repaired);
  CHECK(repaired.failure().error == ParseError::over_memory_budget);
  CHECK(repaired.failure().message == "document needs more than 12.6 MiB to parse (budget: 4x its 3.3 MB)");
  const auto soup = tinhop::parse_feed(feed + "</y>", {});
  REQUIRE_FALSE(soup);
  CHECK(soup.failure().error == ParseError::over_memory_budget);
  CHECK(soup.failure().message == "document needs more than 11.1 MiB to parse (budget: 4x its 2.9 MB)");
}

TEST_CASE("Limits: a small document is held to the budget's floor, not four times its size", "[limits]") {
  const std::string feed = rss_with_items(20, "<item><title>t</title></item>");
  tinhop::ParseLimits limits;
  limits.memory_floor = 16U << 10U;  // below pugixml's first 32 KiB page
  const auto refused = tinhop::parse_feed(feed, {}, limits);
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().message == "document needs more than 16 KiB to parse (budget: the 16 KiB floor)");
  const auto result = parse_ok(feed);
  CHECK(result.feed.items.size() == 20);
  CHECK(result.warnings.empty());
  CHECK(result.memory_peak > 32'768);
  CHECK(result.memory_peak <= tinhop::ParseLimits{}.memory_floor);
}

TEST_CASE("Limits: a detected language is charged to the budget, and not recorded past it", "[limits]") {
  // A JSON Feed with no "language": each title's detected language is written on its item,
  // in its extras, once the document's own tree is freed; the extras of all 200 are the
  // most the parse holds.
  std::string feed = R"({"version":"https://jsonfeed.org/version/1.1","title":"Tin","items":[)";
  for (int i = 0; i < 200; ++i) {
    if (i != 0) feed += ',';
    feed += R"({"id":")" + std::to_string(i) + R"(","title":"Giá vàng hôm nay tăng mạnh ở Hà Nội"})";
  }
  feed += "]}";
  tinhop::ParseLimits unlimited;
  unlimited.memory_ratio = 0;
  const auto full = tinhop::parse_feed(feed, {}, unlimited);
  REQUIRE(full);
  REQUIRE(full.result().feed.items.size() == 200);
  REQUIRE(full.result().feed.items.back().extras);
  CHECK(full.result().feed.items.back().extras->language == "vi");
  CHECK(full.result().warnings.empty());

  // One byte short of that peak: the last item's language is the charge that does not fit.
  tinhop::ParseLimits tight;
  tight.memory_ratio = 1;
  tight.memory_floor = full.result().memory_peak - 1;
  const auto cut = tinhop::parse_feed(feed, {}, tight);
  REQUIRE(cut);
  const tinhop::ParseResult& result = cut.result();
  REQUIRE(result.feed.items.size() == 200);
  CHECK(result.feed.items[198].extras->language == "vi");
  CHECK_FALSE(result.feed.items[199].extras);
  REQUIRE(tight.memory_floor < (1U << 20U));  // named in KiB
  CHECK(result.warnings ==
        std::vector<std::string>{"memory budget of " + std::to_string(tight.memory_floor >> 10U) +
                                 " KiB reached: the language detected in 1 item(s) not recorded"});
  CHECK(result.memory_peak <= tight.memory_floor);
}
