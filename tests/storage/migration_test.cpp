#include <sqlite3.h>

#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;
using tinhop::test::TempDir;

namespace {

void exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error != nullptr ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

std::string text(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string value;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* bytes = sqlite3_column_text(stmt, 0);
    value = bytes != nullptr ? reinterpret_cast<const char*>(bytes) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

}  // namespace

TEST_CASE(
    "versions 5 to 9 keep the category lists, the search index and the link index of a version 4 database") {
  TempDir dir;
  const std::string path = (dir.path / "v4.db").string();
  {
    OpenOptions options;
    options.migrate_to = 4;
    REQUIRE(Store::open(path, options).has_value());
  }
  // Rows as version 4 wrote them: b's copy of a1 joined its cluster and made it earlier, so
  // both category lists carry that date; the full-text index as its commit left it.
  exec(path,
       "INSERT INTO sources(id, url, type, date_order, republication, enabled, origin, created, modified) "
       "VALUES"
       "(1, 'https://a.vn/rss', 'feed', 'automatic', 'full', 1, 'config', 0, 0),"
       "(2, 'https://b.vn/rss', 'feed', 'automatic', 'full', 1, 'config', 0, 0);"
       "INSERT INTO source_categories VALUES(1, 'thời sự', 0), (1, 'kinh tế', 1), (2, 'thế giới', 0);"
       "INSERT INTO health(source_id) VALUES(1), (2);"
       "INSERT INTO clusters(id, published, size) VALUES(1, 1710200000, 2), (2, 1710310000, 1);"
       "INSERT INTO items(id, source_id, key, cluster_id, link_hash, title, summary, published, first_seen, "
       "content_hash) VALUES"
       "(1, 1, 11, 1, 1001, 'Hội nghị Trung ương', 'Bàn về kinh tế', 1710300000, 1710300000, 1),"
       "(2, 1, 12, 2, 1002, 'Giá vàng', 'Giá vàng tăng mạnh', 1710310000, 1710310000, 1),"
       "(3, 2, 21, 1, 1001, 'Hội nghị Trung ương', 'Bàn về kinh tế', 1710200000, 1710300000, 1);"
       "INSERT INTO cluster_categories(category, cluster_id, published) VALUES"
       "('thời sự', 1, 1710200000), ('kinh tế', 1, 1710200000), ('thế giới', 1, 1710200000),"
       "('thời sự', 2, 1710310000), ('kinh tế', 2, 1710310000);"
       "INSERT INTO items_fts(rowid, title, body) SELECT s.id, s.title, s.body FROM fts_pending p "
       "JOIN items_search s ON s.id = p.id;"
       "DELETE FROM fts_pending;");
  CHECK(text(path, "SELECT count(*) FROM items_fts_docsize") == "3");
  auto store = Store::open(path);
  REQUIRE(store.has_value());
  CHECK(store->stats()->schema_version == Store::schema_version());
  CHECK(text(path, "SELECT count(*) FROM sqlite_master WHERE name = 'items_fts_docsize'") == "0");
  CHECK(text(path,
             "SELECT group_concat(category || ':' || published, ' ') FROM (SELECT * FROM "
             "cluster_categories ORDER BY cluster_id, category)") ==
        "kinh tế:1710200000 thế giới:1710200000 thời sự:1710200000 kinh tế:1710310000 thời sự:1710310000");
  // Version 8: every stored link in the link index, the index on items gone.
  CHECK(text(path, "SELECT group_concat(link_hash || ':' || item_id, ' ') FROM links") ==
        "1001:1 1001:3 1002:2");
  CHECK(text(path, "SELECT count(*) FROM sqlite_master WHERE name = 'items_by_link'") == "0");
  CHECK(text(path, "PRAGMA integrity_check") == "ok");
  ClusterQuery search;
  search.search = "hoi nghi";
  auto found = store->latest_clusters(search).value();
  REQUIRE(found.clusters.size() == 1);
  CHECK(found.clusters[0].others.size() == 1);
  ClusterQuery world;
  world.category = "thế giới";
  CHECK(store->latest_clusters(world)->clusters.size() == 1);
  // The indexes keep working after the rebuild: a new item is found, a purged one is not.
  REQUIRE(
      store->ingest(2, make_feed({make_item("b2", "Bão số 3 đổ bộ", "Mưa lớn ở miền Bắc", 1710320000)}), kNow)
          .has_value());
  search.search = "bao so 3";
  CHECK(store->latest_clusters(search)->clusters.size() == 1);
  REQUIRE(store->remove_source(1).has_value());
  search.search = "gia vang";
  CHECK(store->latest_clusters(search)->clusters.empty());
  CHECK(text(path, "SELECT group_concat(category, ' ') FROM cluster_categories") == "thế giới thế giới");
  CHECK(text(path, "SELECT group_concat(link_hash || ':' || item_id, ' ') FROM links") == "1001:3");
  CHECK(text(path, "SELECT count(*) FROM links_recent") == "1");
  exec(path, "INSERT INTO items_fts(items_fts) VALUES('integrity-check')");
  // Version 9: segments merged 16 at a time (version 6 made it 8).
  CHECK(text(path, "SELECT v FROM items_fts_config WHERE k = 'automerge'") == "16");
}

TEST_CASE("a version 1 database is migrated forward with its data searchable") {
  TempDir dir;
  const std::string path = (dir.path / "v1.db").string();
  {
    OpenOptions options;
    options.migrate_to = 1;
    auto v1 = Store::open(path, options);
    REQUIRE(v1.has_value());
    CHECK(v1->stats()->schema_version == 1);
  }
  // Rows as version 1 wrote them.
  exec(path,
       "INSERT INTO sources(id, url, type, date_order, republication, enabled, origin, created, modified) "
       "VALUES(1, 'https://a.vn/rss', 'feed', 'automatic', 'full', 1, 'config', 0, 0);"
       "INSERT INTO source_categories VALUES(1, 'thời sự', 0);"
       "INSERT INTO health(source_id) VALUES(1);"
       "INSERT INTO clusters(id, published, size) VALUES(7, 1710000000, 1);"
       "INSERT INTO items(id, source_id, key, cluster_id, title, search_text, published, first_seen, "
       "content_hash) "
       "VALUES(3, 1, 42, 7, 'Hội nghị Trung ương', 'bàn về kinh tế', 1710000000, 1710000000, 1);");
  auto store = Store::open(path);
  REQUIRE(store.has_value());
  CHECK(store->stats()->schema_version == Store::schema_version());
  ClusterQuery search;
  search.search = "hoi nghi";
  auto found = store->latest_clusters(search).value();
  REQUIRE(found.clusters.size() == 1);
  CHECK(found.clusters[0].item.id == 3);
  ClusterQuery category;
  category.category = "thời sự";
  CHECK(store->latest_clusters(category)->clusters.size() == 1);
}

TEST_CASE("version 10 keeps the entry ids a version 9 database published and never gives them again") {
  TempDir dir;
  const std::string path = (dir.path / "v9.db").string();
  {
    OpenOptions options;
    options.migrate_to = 9;
    REQUIRE(Store::open(path, options).has_value());
  }
  // Rows as version 9 wrote them: stories published as cluster-3 (a1 and b's copy) and
  // cluster-9, whose number is above every stored item id.
  exec(path,
       "INSERT INTO sources(id, url, type, date_order, republication, enabled, origin, created, modified) "
       "VALUES"
       "(1, 'https://a.vn/rss', 'feed', 'automatic', 'full', 1, 'config', 0, 0),"
       "(2, 'https://b.vn/rss', 'feed', 'automatic', 'full', 1, 'config', 0, 0);"
       "INSERT INTO health(source_id) VALUES(1), (2);"
       "INSERT INTO clusters(id, published, size) VALUES(3, 1710200000, 2), (9, 1710310000, 1);"
       "INSERT INTO items(id, source_id, key, cluster_id, title, published, first_seen, content_hash) VALUES"
       "(4, 1, 11, 3, 'Hội nghị Trung ương', 1710200000, 1710300000, 1),"
       "(5, 1, 12, 9, 'Giá vàng', 1710310000, 1710310000, 1),"
       "(6, 2, 21, 3, 'Hội nghị Trung ương', 1710250000, 1710300000, 1);"
       "INSERT INTO items_fts(rowid, title, body) SELECT id, title, body FROM items_search;");
  auto store = Store::open(path);
  REQUIRE(store.has_value());
  CHECK(store->stats()->schema_version == Store::schema_version());
  CHECK(text(path,
             "SELECT group_concat(table_name || ':' || id, ' ') FROM (SELECT * FROM id_high_water ORDER BY "
             "table_name)") == "clusters:9 items:9 sources:2");
  auto page = store->latest_clusters({}).value();
  REQUIRE(page.clusters.size() == 2);
  CHECK(page.clusters[0].public_id == 9);
  CHECK(page.clusters[1].public_id == 3);
  // a's removal takes cluster 9 and the primary of cluster 3, which keeps its number.
  REQUIRE(store->remove_source(1).has_value());
  page = store->latest_clusters({}).value();
  REQUIRE(page.clusters.size() == 1);
  CHECK(page.clusters[0].item.id == 6);
  CHECK(page.clusters[0].public_id == 3);
  // New rows continue above the ids the old database held: a new story publishes 10, not
  // 7 (after the largest item id) nor 9 (the removed cluster's).
  SourceSettings c;
  c.url = "https://c.vn/rss";
  CHECK(store->add_source(c, kNow).value() == 3);
  REQUIRE(
      store->ingest(2, make_feed({make_item("b2", "Bão số 3 đổ bộ", "Mưa lớn ở miền Bắc", 1710320000)}), kNow)
          .has_value());
  page = store->latest_clusters({}).value();
  REQUIRE(page.clusters.size() == 2);
  CHECK(page.clusters[0].item.id == 10);
  CHECK(page.clusters[0].cluster_id == 10);
  CHECK(page.clusters[0].public_id == 10);
  CHECK(page.clusters[1].public_id == 3);
}

TEST_CASE("a database newer than the program is refused and left untouched") {
  TempDir dir;
  const std::string path = (dir.path / "new.db").string();
  REQUIRE(Store::open(path).has_value());
  exec(path, "PRAGMA user_version = 99");
  auto store = Store::open(path);
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == Errc::too_new);
  CHECK(store.error().message == "database schema version 99 is newer than this program's " +
                                     std::to_string(Store::schema_version()) +
                                     "; upgrade tinhop or use another database file");
  OpenOptions read_only;
  read_only.read_only = true;
  CHECK(Store::open(path, read_only).error().code == Errc::too_new);
}

TEST_CASE("a file that is not a database is reported, not crashed on") {
  TempDir dir;
  const std::string path = (dir.path / "junk.db").string();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("this is not an SQLite database, just some text long enough to have a header.........", f);
    std::fclose(f);
  }
  auto store = Store::open(path);
  REQUIRE_FALSE(store.has_value());
  CHECK(store.error().code == Errc::corrupt);
  CHECK(store.error().message.find("file is not a database") != std::string::npos);
  (void)kNow;
}
