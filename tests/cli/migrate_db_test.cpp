// `tinhop migrate-db` as an operator types it: one line per table copied, a refused target
// and a location of no known kind each with its message and exit status.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "support/process.hpp"
#include "tinhop/storage/store.hpp"

namespace {

using namespace tinhop;

struct Folder {
  std::filesystem::path path;
  Folder() {
    path = std::filesystem::temp_directory_path() / ("tinhop-cli-migrate-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~Folder() { std::filesystem::remove_all(path); }
};

test::CommandResult tinhop_in(const Folder& folder, const std::string& args) {
  return test::run_command("cd '" + folder.path.string() + "' && " + std::string(TINHOP_EXECUTABLE) + " " +
                           args);
}

}  // namespace

TEST_CASE("migrate-db copies a database into an empty one and refuses one that holds data") {
  Folder folder;
  {
    auto store = storage::Store::open((folder.path / "old.db").string()).value();
    storage::SourceSettings settings;
    settings.url = "https://vnexpress.net/rss/tin-moi-nhat.rss";
    REQUIRE(store.add_source(settings, Instant{std::chrono::seconds{1710374400}}).has_value());
  }
  const auto copied = tinhop_in(folder, "migrate-db --from sqlite:old.db --to sqlite:new.db --batch 1");
  INFO(copied.err);
  CHECK(copied.exit_code == 0);
  CHECK(
      copied.out ==
      "sources 1\nsource_categories 0\nhealth 1\nfetch_history 0\nclusters 0\nitems 0\ncluster_categories 0\n"
      "tombstones 0\nrule_counts 0\nwebsub_subscriptions 0\nhub_subscriptions 0\nsource_leases 0\n"
      "cluster_hosts 0\ncluster_nodes 0\nsource_alerts 0\nalert_events 0\nrules 0\nmeta 4\n");
  CHECK(storage::Store::open((folder.path / "new.db").string()).value().get_source(1)->settings.url ==
        "https://vnexpress.net/rss/tin-moi-nhat.rss");

  const auto again = tinhop_in(folder, "migrate-db --from sqlite:old.db --to sqlite:new.db");
  CHECK(again.exit_code == 1);
  CHECK(again.err ==
        "tinhop migrate-db: target new.db is not empty (1 sources): migrate-db copies into an empty database "
        "only\n");

  const auto unknown = tinhop_in(folder, "migrate-db --from old.db --to sqlite:other.db");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err ==
        "tinhop migrate-db: 'old.db' is neither sqlite:PATH nor a PostgreSQL location (postgresql://... or "
        "host=... dbname=...)\n");
  CHECK_FALSE(std::filesystem::exists(folder.path / "other.db"));
}
