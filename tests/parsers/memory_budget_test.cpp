// The parse memory budget: pugixml's allocations charged to it and given back, the model's
// entries kept whole while they fit, and ordinary feeds never touched by it.
#include <pugixml.hpp>

#include <catch2/catch.hpp>

#include "feed_support.hpp"
#include "tinhop/parsers/memory_budget.hpp"

using tinhop::MemoryBudget;
using tinhop::ParseError;
using tinhop::PugixmlBudgetScope;
using tinhop::test::parse_ok;

namespace {

std::string repeated(std::size_t count, std::string_view text) {
  std::string out;
  out.reserve(count * text.size());
  for (std::size_t i = 0; i < count; ++i) out.append(text);
  return out;
}

// "00042": entries are numbered so that the kept ones can be told apart.
std::string number(std::size_t i) {
  const std::string digits = std::to_string(i);
  return std::string(digits.size() < 5 ? 5 - digits.size() : 0, '0') + digits;
}

std::string minimal_rss(std::size_t count) {
  std::string text = "<rss version=\"2.0\"><channel><title>t</title><link>https://example.vn/</link>";
  for (std::size_t i = 0; i < count; ++i) {
    text += "<item><title>Tin " + number(i) + "</title><link>https://example.vn/tin/" + number(i) +
            ".html</link><pubDate>Mon, 14 Sep 2026 09:13:00 +0700</pubDate></item>";
  }
  return text + "</channel></rss>";
}

std::string minimal_json(std::size_t count) {
  std::string text = R"({"version":"https://jsonfeed.org/version/1.1","title":"t","items":[)";
  for (std::size_t i = 0; i < count; ++i) {
    text += (i == 0 ? R"({"id":")" : R"(,{"id":")") + number(i) + R"(","title":"Tin )" + number(i) +
            R"(","url":"https://example.vn/tin/)" + number(i) +
            R"(.html","date_published":"2026-09-14T09:13:00+07:00"})";
  }
  return text + "]}";
}

}  // namespace

TEST_CASE("Memory budget: pugixml's allocations are charged in scope and all given back", "[limits]") {
  const std::string xml = "<rss>" + repeated(2'000, "<item><title>t</title></item>") + "</rss>";
  MemoryBudget budget(1U << 20U);
  {
    const PugixmlBudgetScope scope(budget);
    pugi::xml_document document;
    REQUIRE(document.load_buffer(xml.data(), xml.size()));
    CHECK(budget.used() > xml.size() + 2'000 * 2 * 64);  // its copy of the text and two nodes an item
    document.reset();
    CHECK(budget.used() == 0);
    REQUIRE(document.load_buffer(xml.data(), xml.size()));
  }
  CHECK(budget.used() == 0);
  CHECK(budget.peak() > xml.size());
  CHECK_FALSE(budget.exhausted());

  // Outside any scope pugixml allocates as it always did, uncharged.
  pugi::xml_document unscoped;
  REQUIRE(unscoped.load_buffer(xml.data(), xml.size()));
  CHECK(budget.used() == 0);
}

TEST_CASE("Memory budget: a tree that outgrows it fails as out of memory and leaves nothing charged",
          "[limits]") {
  const std::string xml = "<rss>" + repeated(2'000, "<item><title>t</title></item>") + "</rss>";
  MemoryBudget budget(100'000);
  {
    const PugixmlBudgetScope scope(budget);
    pugi::xml_document document;
    const pugi::xml_parse_result result = document.load_buffer(xml.data(), xml.size());
    CHECK(result.status == pugi::status_out_of_memory);
    CHECK(budget.exhausted());
    CHECK(budget.peak() <= 100'000);
  }
  CHECK(budget.used() == 0);
}

TEST_CASE("Memory budget: scopes nest, and each parse's scope ends with it", "[limits]") {
  MemoryBudget outer(1U << 20U);
  MemoryBudget inner(1U << 20U);
  const PugixmlBudgetScope outer_scope(outer);
  {
    const PugixmlBudgetScope inner_scope(inner);
    pugi::xml_document document;
    REQUIRE(document.load_string("<a><b/></a>"));
    CHECK(inner.used() > 0);
    CHECK(outer.used() == 0);
  }
  // A refused parse_feed must not leave its budget behind on this thread. (The channel's
  // own elements are one tree even when the document is read entry by entry.)
  const auto refused =
      tinhop::parse_feed("<rss><channel>" + repeated(100'000, "<x/>") + "</channel></rss>", {});
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().error == ParseError::over_memory_budget);
  pugi::xml_document document;
  REQUIRE(document.load_string("<a><b/></a>"));
  CHECK(outer.used() > 0);
  CHECK(inner.used() == 0);
}

TEST_CASE("Memory budget: a long minimal feed keeps its first entries whole, with a warning", "[limits]") {
  const std::string feed = minimal_rss(4'000);
  REQUIRE(feed.size() == 532'092);
  const auto result = parse_ok(feed);
  const std::size_t kept = result.feed.items.size();
  // How many fit depends on the allocator's block sizes (malloc_usable_size): a range
  // here, the exact count in the JSON case below, whose charges are exact sizes.
  CHECK(kept > 500);
  CHECK(kept < 2'000);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0] == "memory budget of 2.0 MiB (4x its 0.5 MB) reached: kept the first " +
                                  std::to_string(kept) + " of 4000 entries");
  for (std::size_t i = 0; i < kept; ++i) {
    const tinhop::Item& item = result.feed.items[i];
    REQUIRE(item.title == "Tin " + number(i));
    REQUIRE(item.link == "https://example.vn/tin/" + number(i) + ".html");
    REQUIRE(tinhop::test::utc(item.published) == "2026-09-14T02:13:00Z");
  }
  CHECK(result.memory_peak <= 4 * feed.size());
}

TEST_CASE("Memory budget: a long JSON Feed keeps exactly the entries that fit", "[limits]") {
  const std::string feed = minimal_json(8'000);
  REQUIRE(feed.size() == 976'068);
  const auto result = parse_ok(feed);
  REQUIRE(result.warnings ==
          std::vector<std::string>{
              "memory budget of 3.7 MiB (4x its 1.0 MB) reached: kept the first 1204 of 8000 entries"});
  REQUIRE(result.feed.items.size() == 1'204);
  CHECK(result.feed.items.front().id == "00000");
  CHECK(result.feed.items.back().id == "01203");
  CHECK(result.feed.items.back().title == "Tin 01203");
  CHECK(tinhop::test::utc(result.feed.items.back().published) == "2026-09-14T02:13:00Z");
  CHECK(result.memory_peak <= 4 * feed.size());
}

TEST_CASE("Memory budget: an ordinary feed parses exactly as it does without one", "[limits]") {
  std::string feed = minimal_rss(0);
  feed.resize(feed.size() - std::string_view("</channel></rss>").size());
  const std::string body(900, 'x');
  for (int i = 0; i < 600; ++i) {
    feed += "<item><title>Tin " + std::to_string(i) + "</title><link>https://example.vn/" +
            std::to_string(i) + "</link><description><![CDATA[<p>" + body + "</p>]]></description>" +
            "<pubDate>Mon, 14 Sep 2026 09:13:00 +0700</pubDate></item>";
  }
  feed += "</channel></rss>";
  REQUIRE(feed.size() > tinhop::ParseLimits{}.memory_floor / 4);  // held to 4x its size, not the floor
  const auto budgeted = parse_ok(feed);
  tinhop::ParseLimits unlimited;
  unlimited.memory_ratio = 0;
  const auto free = tinhop::parse_feed(feed, {}, unlimited);
  REQUIRE(free);
  CHECK(budgeted.feed.items.size() == 600);
  CHECK(budgeted.warnings.empty());
  CHECK(tinhop::to_contract_json(budgeted) == tinhop::to_contract_json(free.result()));
  CHECK(budgeted.memory_peak > feed.size());
  CHECK(budgeted.memory_peak < 3 * feed.size());
}
