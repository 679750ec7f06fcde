// Per-source, per-rule counters of what editorial rules dropped and abandoned.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace tinhop;
using namespace tinhop::test;

TEST_CASE("rule counts add up per source and rule, and total per rule", "[storage][rules]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto vtv = add_source(store, "https://vtv.vn/rss");
  const auto vne = add_source(store, "https://vnexpress.net/rss");
  const std::vector<storage::RuleCount> first{
      {vtv, "video", 3, 0}, {vne, "video", 1, 0}, {vtv, "tu-vi", 2, 1}};
  REQUIRE(store.add_rule_counts(first).has_value());
  const std::vector<storage::RuleCount> second{{vtv, "video", 2, 0}};
  REQUIRE(store.add_rule_counts(second).has_value());

  auto of_vtv = store.rule_counts(vtv);
  REQUIRE(of_vtv.has_value());
  CHECK(*of_vtv == std::vector<storage::RuleCount>{{vtv, "tu-vi", 2, 1}, {vtv, "video", 5, 0}});
  auto totals = store.rule_counts(std::nullopt);
  REQUIRE(totals.has_value());
  CHECK(*totals == std::vector<storage::RuleCount>{{0, "tu-vi", 2, 1}, {0, "video", 6, 0}});
}

TEST_CASE("a removed source's rule counts go with it, and late counts for it are skipped",
          "[storage][rules]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto vtv = add_source(store, "https://vtv.vn/rss");
  const std::vector<storage::RuleCount> counts{{vtv, "video", 3, 0}};
  REQUIRE(store.add_rule_counts(counts).has_value());
  REQUIRE(store.remove_source(vtv).has_value());
  REQUIRE(store.add_rule_counts(counts).has_value());
  auto totals = store.rule_counts(std::nullopt);
  REQUIRE(totals.has_value());
  CHECK(totals->empty());
}

TEST_CASE("a source's stored items come newest first, at most the limit", "[storage][rules]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const auto a = add_source(store, "https://a.example/rss");
  const auto b = add_source(store, "https://b.example/rss");
  REQUIRE(store
              .ingest(a,
                      make_feed({make_item("1", "Một", "", 1710000000), make_item("2", "Hai", "", 1710000100),
                                 make_item("3", "Ba", "", 1710000200)}),
                      kNow)
              .has_value());
  REQUIRE(store.ingest(b, make_feed({make_item("9", "Chín", "")}), kNow).has_value());
  auto items = store.source_items(a, 2);
  REQUIRE(items.has_value());
  REQUIRE(items->size() == 2);
  CHECK((*items)[0].title == "Ba");
  CHECK((*items)[1].title == "Hai");
  CHECK((*items)[0].guid == "3");
}
