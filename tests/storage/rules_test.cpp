// The editorial rules kept in the store (issue #20): the file's synced in, the CLI's and
// the API's, in the order they apply.
#include <catch2/catch.hpp>

#include <atomic>
#include <barrier>
#include <thread>

#include "support.hpp"

using namespace tinhop;
using namespace tinhop::test;
using storage::SourceOrigin;
using storage::StoredRule;

namespace {

// More than any test here adds: the limit itself has a test of its own.
constexpr std::size_t kMost = 1000;

StoredRule rule(std::string name, SourceOrigin origin, std::int64_t position = 0) {
  return {0, std::move(name), origin, position, true, R"({"action":"drop"})", {}, {}};
}

std::vector<std::string> names(storage::Store& store) {
  std::vector<std::string> out;
  for (const StoredRule& r : store.list_rules().value()) out.push_back(r.name);
  return out;
}

}  // namespace

TEST_CASE("rules are added, listed, changed and removed; every change bumps the rules version",
          "[storage][rules]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const std::int64_t v0 = store.rules_version().value();
  const std::int64_t video = store.add_rule(rule("video", SourceOrigin::cli), kNow, kMost).value();
  CHECK(store.rules_version().value() == v0 + 1);

  auto listed = store.list_rules();
  REQUIRE(listed.has_value());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0] ==
        StoredRule{video, "video", SourceOrigin::cli, 1, true, R"({"action":"drop"})", kNow, kNow});

  StoredRule changed = (*listed)[0];
  changed.name = "video-teasers";
  changed.enabled = false;
  changed.spec = R"({"action":"keep"})";
  const Instant later = kNow + std::chrono::hours{1};
  REQUIRE(store.update_rule(changed, later).has_value());
  CHECK(store.rules_version().value() == v0 + 2);
  CHECK(store.list_rules().value() == std::vector<StoredRule>{{video, "video-teasers", SourceOrigin::cli, 1,
                                                               false, R"({"action":"keep"})", kNow, later}});

  REQUIRE(store.remove_rule(video).has_value());
  CHECK(store.rules_version().value() == v0 + 3);
  CHECK(store.list_rules().value().empty());
  const auto missing = store.remove_rule(video);
  REQUIRE(missing.has_error());
  CHECK(missing.error().code == storage::Errc::not_found);
  CHECK(missing.error().message == "no rule with id " + std::to_string(video));
  changed.id = video;
  CHECK(store.update_rule(changed, later).error().code == storage::Errc::not_found);
  CHECK(store.rules_version().value() == v0 + 3);

  // Ids are never given twice.
  CHECK(store.add_rule(rule("again", SourceOrigin::api), kNow, kMost).value() == video + 1);
}

TEST_CASE("a rule name is taken once", "[storage][rules]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  const std::int64_t video = store.add_rule(rule("video", SourceOrigin::config), kNow, kMost).value();
  const std::int64_t ads = store.add_rule(rule("ads", SourceOrigin::api), kNow, kMost).value();
  const auto twice = store.add_rule(rule("video", SourceOrigin::cli), kNow, kMost);
  REQUIRE(twice.has_error());
  CHECK(twice.error().code == storage::Errc::already_exists);
  CHECK(twice.error().message == "rule " + std::to_string(video) + " is named \"video\" already");
  StoredRule renamed = rule("video", SourceOrigin::api);
  renamed.id = ads;
  CHECK(store.update_rule(renamed, kNow).error().code == storage::Errc::already_exists);
  CHECK(names(store) == std::vector<std::string>{"video", "ads"});
}

TEST_CASE("rules apply in order: the file's by position, then the others by position, then id",
          "[storage][rules]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(store.add_rule(rule("api-first", SourceOrigin::api), kNow, kMost).has_value());
  REQUIRE(store.add_rule(rule("file-second", SourceOrigin::config, 2), kNow, kMost).has_value());
  REQUIRE(store.add_rule(rule("cli-appended", SourceOrigin::cli), kNow, kMost).has_value());
  REQUIRE(store.add_rule(rule("file-first", SourceOrigin::config, 1), kNow, kMost).has_value());
  REQUIRE(store.add_rule(rule("cli-placed-first", SourceOrigin::cli, 1), kNow, kMost).has_value());
  CHECK(names(store) == std::vector<std::string>{"file-first", "file-second", "api-first", "cli-placed-first",
                                                 "cli-appended"});
  const auto listed = store.list_rules().value();
  CHECK(listed[2].position == 1);  // appended after no other of its kind
  CHECK(listed[4].position == 2);  // after api-first, the file's positions aside
}

TEST_CASE("the store keeps at most the rules it is told, counted where the rule is added",
          "[storage][rules]") {
  TINHOP_EACH_BACKEND(backend);
  auto store = open_store(backend);
  REQUIRE(store.add_rule(rule("one", SourceOrigin::cli), kNow, 2).has_value());
  REQUIRE(store.add_rule(rule("two", SourceOrigin::config), kNow, 2).has_value());
  const std::int64_t version = store.rules_version().value();
  const auto third = store.add_rule(rule("three", SourceOrigin::api), kNow, 2);
  REQUIRE(third.has_error());
  CHECK(third.error().code == storage::Errc::full);
  CHECK(third.error().message == "there are 2 rules already, the most tinhop keeps; remove one first");
  CHECK(names(store) == std::vector<std::string>{"two", "one"});
  CHECK(store.rules_version().value() == version);
}

TEST_CASE("rules added at once from two connections stop at the limit", "[storage][rules]") {
  // Two processes (the daemon's API and a CLI, or two nodes) each check the count before
  // adding: the count is taken inside the adding transaction, so both cannot pass it.
  if (test::PostgresServer::instance() == nullptr) {
    WARN("PostgreSQL is not installed, only SQLite is tried: " << test::PostgresServer::absent_reason());
  }
  test::TempDir dir;
  std::vector<std::string> locations{(dir.path / "rules.db").string()};
  if (test::PostgresServer::instance() != nullptr)
    locations.push_back(test::PostgresServer::instance()->fresh_database());
  for (const std::string& location : locations) {
    INFO(location);
    auto first = storage::Store::open(location);
    auto second = storage::Store::open(location);
    REQUIRE(first.has_value());
    REQUIRE(second.has_value());
    constexpr std::size_t kLimit = 20;
    std::barrier start(2);
    std::atomic<int> full{0};
    auto add_many = [&](storage::Store& store, const std::string& prefix) {
      start.arrive_and_wait();
      for (int i = 0; i < 30; ++i) {
        auto added = store.add_rule(rule(prefix + std::to_string(i), SourceOrigin::api), kNow, kLimit);
        if (!added && added.error().code == storage::Errc::full) ++full;
      }
    };
    std::thread other([&] { add_many(*second, "b"); });
    add_many(*first, "a");
    other.join();
    CHECK(first->list_rules().value().size() == kLimit);
    CHECK(full == 60 - static_cast<int>(kLimit));
  }
}
