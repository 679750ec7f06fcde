// The in-memory near-duplicate candidates are bounded by bytes: the newest items stay
// candidates, the oldest leave; reopening reloads the newest that fit.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "support.hpp"

namespace {

using namespace tinhop;
using namespace tinhop::test;

// A distinct story per n: 60 syllables drawn from a fixed list by a small LCG, so two
// stories share almost no three-syllable shingle.
std::string story(int n) {
  static const char* const syllables[] = {
      "giá",  "vàng",  "tăng", "mạnh",   "hội",  "nghị", "trực", "tuyến", "kinh",  "tế",   "xuất", "khẩu",
      "lao",  "động",  "thị",  "trường", "đầu",  "tư",   "ngân", "hàng",  "lãi",   "suất", "bão",  "lũ",
      "miền", "trung", "học",  "sinh",   "thi",  "cử",   "giao", "thông", "đường", "sắt",  "cao",  "tốc",
      "điện", "lực",   "nước", "sạch",   "y",    "tế",   "bệnh", "viện",  "bóng",  "đá",   "đội",  "tuyển",
      "du",   "lịch",  "biển", "đảo",    "nông", "sản",  "gạo",  "cà",    "phê",   "tiêu", "điều", "cao su"};
  constexpr std::uint32_t kCount = sizeof syllables / sizeof syllables[0];
  std::uint32_t state = 2166136261U ^ static_cast<std::uint32_t>(n) * 16777619U;
  std::string text = "Bản tin " + std::to_string(n);
  for (int i = 0; i < 60; ++i) {
    state = state * 1664525U + 1013904223U;
    text += " ";
    text += syllables[(state >> 16) % kCount];
  }
  return text;
}

Item copy_of(int n, const std::string& by) {
  return make_item(by + "-" + std::to_string(n), "Tin " + std::to_string(n), story(n));
}

}  // namespace

TEST_CASE("the candidate window keeps the newest items within its byte budget - across reopening") {
  const auto path =
      std::filesystem::temp_directory_path() / ("tinhop-candidates-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  storage::OpenOptions small;
  small.dedup.max_candidate_bytes = 64 << 10;  // 303 candidates
  constexpr int kItems = 400;
  {
    auto opened = storage::Store::open(path.string(), small);
    REQUIRE(opened.has_value());
    auto& store = *opened;
    const auto a = add_source(store, "https://a.example.vn/rss");
    const auto b = add_source(store, "https://b.example.vn/rss");
    std::vector<Item> items;
    for (int n = 0; n < kItems; ++n) items.push_back(copy_of(n, "a"));
    auto first = store.ingest(a, make_feed(items), kNow);
    REQUIRE(first.has_value());
    REQUIRE(first->added == kItems);
    REQUIRE(first->clustered == 0);
    // The newest item is still a candidate; the oldest left the window.
    CHECK(store.ingest(b, make_feed({copy_of(kItems - 1, "b")}), kNow)->clustered == 1);
    CHECK(store.ingest(b, make_feed({copy_of(0, "b")}), kNow)->clustered == 0);
    CHECK(store.stats()->clusters == kItems + 1);
  }
  {
    auto opened = storage::Store::open(path.string(), small);
    REQUIRE(opened.has_value());
    auto& store = *opened;
    const auto c = add_source(store, "https://c.example.vn/rss");
    CHECK(store.ingest(c, make_feed({copy_of(kItems - 2, "c")}), kNow)->clustered == 1);
    CHECK(store.ingest(c, make_feed({copy_of(1, "c")}), kNow)->clustered == 0);
  }
  {
    // A bigger budget finds the oldest again: the bound is memory, not what is stored.
    auto opened = storage::Store::open(path.string());
    REQUIRE(opened.has_value());
    auto& store = *opened;
    const auto d = add_source(store, "https://d.example.vn/rss");
    CHECK(store.ingest(d, make_feed({copy_of(2, "d")}), kNow)->clustered == 1);
    CHECK(store.ingest(d, make_feed({copy_of(0, "d")}), kNow)->clustered == 1);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

TEST_CASE("a window without budget clusters by link only") {
  storage::OpenOptions none;
  none.dedup.max_candidate_bytes = 0;
  auto store = open_memory(none);
  const auto a = add_source(store, "https://a.example.vn/rss");
  const auto b = add_source(store, "https://b.example.vn/rss");
  REQUIRE(store.ingest(a, make_feed({copy_of(7, "a")}), kNow)->added == 1);
  CHECK(store.ingest(b, make_feed({copy_of(7, "b")}), kNow)->clustered == 0);
  Item same_link = copy_of(8, "b");
  same_link.link = "https://example.vn/a-7.html";
  CHECK(store.ingest(b, make_feed({same_link}), kNow)->clustered == 1);
}

TEST_CASE("edited items are candidates by their new text only - through the window's rebuilds") {
  storage::OpenOptions small;
  small.dedup.max_candidate_bytes = 64 << 10;
  auto store = open_memory(small);
  const auto a = add_source(store, "https://a.example.vn/rss");
  const auto b = add_source(store, "https://b.example.vn/rss");
  auto edition = [](int round) {
    std::vector<Item> items;
    for (int n = 0; n < 100; ++n) {
      items.push_back(
          make_item("a-" + std::to_string(n), "Tin " + std::to_string(n), story(1000 * round + n)));
    }
    return make_feed(items);
  };
  REQUIRE(store.ingest(a, edition(0), kNow)->added == 100);
  // Six editions of every item: each edit leaves 32 erased band slots, so the band table is
  // rebuilt several times while fingerprints are being replaced.
  for (int round = 1; round <= 6; ++round) REQUIRE(store.ingest(a, edition(round), kNow)->updated == 100);
  CHECK(store.ingest(b, make_feed({make_item("b-1", "Tin", story(6007))}), kNow)->clustered == 1);
  CHECK(store.ingest(b, make_feed({make_item("b-2", "Tin", story(7))}), kNow)->clustered == 0);
  CHECK(store.ingest(b, make_feed({make_item("b-3", "Tin", story(3007))}), kNow)->clustered == 0);
  CHECK(store.stats()->clusters == 102);
}
