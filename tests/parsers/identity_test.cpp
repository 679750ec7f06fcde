#include <catch2/catch.hpp>

#include "tinhop/parsers/identity.hpp"

using namespace tinhop;

namespace {
Item entry(std::optional<std::string> guid, std::optional<std::string> link, std::string title = "Tin") {
  Item item;
  item.id = std::move(guid);
  item.link = std::move(link);
  item.title = std::move(title);
  return item;
}
}  // namespace

TEST_CASE("an entry is identified by its guid, else its canonical link, else its content") {
  Feed feed;
  feed.items = {entry("g-1", "https://a.vn/1"), entry(std::nullopt, "http://a.vn/2?utm_source=x"),
                entry(std::nullopt, std::nullopt, "Chỉ có tiêu đề")};
  const auto ids = identify_items(feed);
  REQUIRE(ids.size() == 3);
  CHECK(ids[0].kind == IdentityKind::guid);
  CHECK(ids[1].kind == IdentityKind::link);
  CHECK(ids[1].canonical_link == "https://a.vn/2");
  CHECK(ids[0].canonical_link == std::nullopt);  // computed by the store only for a new entry
  CHECK(ids[2].kind == IdentityKind::content);
  CHECK_FALSE(ids[0].repeated);
  CHECK_FALSE(ids[1].repeated);
  CHECK_FALSE(ids[2].repeated);
  CHECK(std::string(identity_kind_name(ids[2].kind)) == "content");
}

TEST_CASE("keys are stable and ignore link spelling") {
  Feed a;
  a.items = {entry(std::nullopt, "http://a.vn/2?utm_source=x")};
  Feed b;
  b.items = {entry(std::nullopt, "https://A.vn/2/")};
  CHECK(identify_items(a)[0].key == identify_items(b)[0].key);
}

TEST_CASE("a guid repeated within the document is not an identity") {
  Feed feed;
  feed.items = {entry("0", "https://a.vn/1"), entry("0", "https://a.vn/2"), entry(" ", "https://a.vn/3")};
  const auto ids = identify_items(feed);
  CHECK(ids[0].kind == IdentityKind::link);
  CHECK(ids[1].kind == IdentityKind::link);
  CHECK(ids[2].kind == IdentityKind::link);  // blank guid
  CHECK(ids[0].key != ids[1].key);
}

TEST_CASE("the second of two entries with one identity is marked repeated") {
  Feed feed;
  feed.items = {entry(std::nullopt, "https://a.vn/1"), entry(std::nullopt, "https://a.vn/1#comments")};
  const auto ids = identify_items(feed);
  CHECK_FALSE(ids[0].repeated);
  CHECK(ids[1].repeated);
}

TEST_CASE("content identity uses the normalized title, date and summary") {
  auto item = entry(std::nullopt, std::nullopt, "Hóa đơn điện");
  item.summary = "<p>Giá điện tăng</p>";
  item.published = Instant{std::chrono::seconds{1710000000}};
  Feed a;
  a.items = {item};
  item.title = "hoá đơn  điện";
  item.summary = "Giá điện tăng";
  Feed b;
  b.items = {item};
  CHECK(identify_items(a)[0].key == identify_items(b)[0].key);
  item.published = Instant{std::chrono::seconds{1710000001}};
  Feed c;
  c.items = {item};
  CHECK(identify_items(a)[0].key != identify_items(c)[0].key);
}
