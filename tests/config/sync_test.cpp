// Who owns a source: the file owns what it declares; the CLI and the API own theirs.
#include <catch2/catch.hpp>

#include "tinhop/config/sync.hpp"

using namespace tinhop::config;

namespace {

FileSource declared(const std::string& url, std::uint32_t line, std::optional<std::string> title = {}) {
  FileSource source;
  source.settings.url = url;
  source.settings.title = std::move(title);
  source.line = line;
  return source;
}

StoredSource stored(std::int64_t id, Origin origin, const std::string& url, bool enabled = true) {
  StoredSource source;
  source.id = id;
  source.origin = origin;
  source.settings.url = url;
  source.settings.enabled = enabled;
  return source;
}

}  // namespace

TEST_CASE("a first sync adds every source of the file") {
  SyncPlan plan = plan_sync({declared("https://a.vn/rss", 3), declared("https://b.vn/rss", 7)}, {});
  REQUIRE(plan.add.size() == 2);
  CHECK(plan.add[0].url == "https://a.vn/rss");
  CHECK(plan.add[1].url == "https://b.vn/rss");
  CHECK(plan.update.empty());
  CHECK(plan.disable.empty());
  CHECK(plan.conflicts.empty());
}

TEST_CASE("a changed setting in the file updates the stored source") {
  SyncPlan plan =
      plan_sync({declared("https://a.vn/rss", 3, "A")}, {stored(5, Origin::config, "https://a.vn/rss")});
  REQUIRE(plan.update.size() == 1);
  CHECK(plan.update[0].id == 5);
  CHECK(plan.update[0].settings.title == "A");
  CHECK(plan.add.empty());
  CHECK(plan.unchanged == 0);
}

TEST_CASE("an unchanged source is left alone") {
  SyncPlan plan =
      plan_sync({declared("https://a.vn/rss", 3)}, {stored(5, Origin::config, "https://a.vn/rss")});
  CHECK(plan.empty());
  CHECK(plan.unchanged == 1);
}

TEST_CASE("a source removed from the file is disabled, not deleted") {
  SyncPlan plan = plan_sync({}, {stored(5, Origin::config, "https://a.vn/rss")});
  CHECK(plan.disable == std::vector<std::int64_t>{5});
  CHECK(plan.add.empty());
  // Already disabled: nothing more to do.
  CHECK(plan_sync({}, {stored(5, Origin::config, "https://a.vn/rss", false)}).empty());
}

TEST_CASE("a source put back into the file is enabled again") {
  SyncPlan plan =
      plan_sync({declared("https://a.vn/rss", 3)}, {stored(5, Origin::config, "https://a.vn/rss", false)});
  REQUIRE(plan.update.size() == 1);
  CHECK(plan.update[0].id == 5);
  CHECK(plan.update[0].settings.enabled);
}

TEST_CASE("a reload never touches sources added by the CLI or the API") {
  std::vector<StoredSource> db = {stored(1, Origin::cli, "https://cli.vn/rss"),
                                  stored(2, Origin::api, "https://api.vn/rss"),
                                  stored(3, Origin::config, "https://file.vn/rss")};
  SyncPlan plan = plan_sync({declared("https://file.vn/rss", 4)}, db);
  CHECK(plan.empty());
  CHECK(plan.unchanged == 1);
}

TEST_CASE("a file entry for a URL the API owns is reported, and the API's source kept") {
  std::vector<StoredSource> db = {stored(2, Origin::api, "https://api.vn/rss")};
  SyncPlan plan = plan_sync({declared("https://api.vn/rss", 9, "From the file")}, db);
  CHECK(plan.add.empty());
  CHECK(plan.update.empty());
  REQUIRE(plan.conflicts.size() == 1);
  CHECK(plan.conflicts[0].id == 2);
  CHECK(plan.conflicts[0].owner == Origin::api);
  CHECK(plan.conflicts[0].line == 9);
}

TEST_CASE("a source moved by a permanent redirect is still the file's source") {
  StoredSource moved = stored(7, Origin::config, "https://new.vn/rss");
  moved.moved_from = "https://old.vn/rss";
  SyncPlan plan = plan_sync({declared("https://old.vn/rss", 12)}, {moved});
  CHECK(plan.add.empty());
  CHECK(plan.disable.empty());
  CHECK(plan.unchanged == 1);
  REQUIRE(plan.moved.size() == 1);
  CHECK(plan.moved[0].id == 7);
  CHECK(plan.moved[0].from == "https://old.vn/rss");
  CHECK(plan.moved[0].to == "https://new.vn/rss");
  CHECK(plan.moved[0].line == 12);
  // Its other settings still follow the file, on the new URL.
  SyncPlan retitled = plan_sync({declared("https://old.vn/rss", 12, "Old")}, {moved});
  REQUIRE(retitled.update.size() == 1);
  CHECK(retitled.update[0].settings.url == "https://new.vn/rss");
  CHECK(retitled.update[0].settings.title == "Old");
}
