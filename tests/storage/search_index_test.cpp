// The full-text index is written once per transaction from what the store (new items,
// schema version 7) and the item triggers (edits and deletions, version 4) noted: these tests change items in
// every way a transaction can and check that searches, the pending tables and FTS5's own integrity check
// agree afterwards.
#include <sqlite3.h>

#include <filesystem>

#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::add_source;
using tinhop::test::kLead;
using tinhop::test::kNow;
using tinhop::test::kOtherLead;
using tinhop::test::make_feed;
using tinhop::test::make_item;

namespace {

class Database {
 public:
  explicit Database(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  std::int64_t scalar(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    const std::int64_t value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
  }
  // SQLITE_OK, or the error FTS5 reports for a damaged index.
  int exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

 private:
  sqlite3* db_ = nullptr;
};

struct TempStore {
  std::filesystem::path dir;
  std::string path;
  Store store;

  TempStore() : dir(make_dir()), path((dir / "search.db").string()), store(open(path)) {}
  ~TempStore() { std::filesystem::remove_all(dir); }

  static std::filesystem::path make_dir() {
    static int counter = 0;
    auto dir = std::filesystem::temp_directory_path() /
               ("tinhop-search-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(dir);
    return dir;
  }
  static Store open(const std::string& path) {
    auto store = Store::open(path);
    REQUIRE(store.has_value());
    return std::move(*store);
  }

  std::vector<std::int64_t> search(const std::string& words) {
    ClusterQuery query;
    query.search = words;
    std::vector<std::int64_t> ids;
    for (const auto& cluster : store.latest_clusters(query).value().clusters) ids.push_back(cluster.item.id);
    return ids;
  }

  // Nothing left pending after a commit, and FTS5 finds its index consistent.
  void check_index() {
    Database db(path);
    CHECK(db.scalar("SELECT count(*) FROM fts_pending") == 0);
    CHECK(db.scalar("SELECT count(*) FROM fts_stale") == 0);
    CHECK(db.exec("INSERT INTO items_fts(items_fts) VALUES('integrity-check')") == SQLITE_OK);
  }
};

}  // namespace

TEST_CASE("an item inserted and changed in one batch is indexed once, with its final text") {
  TempStore t;
  const auto a = add_source(t.store, "https://a.vn/rss");
  const Feed first = make_feed({make_item("a1", "Bão số 3 đổ bộ", kLead)});
  const Feed edited = make_feed({make_item("a1", "Áp thấp nhiệt đới", kLead)});
  const std::vector<IngestRequest> batch = {{a, &first, kNow}, {a, &edited, kNow}};
  const auto counts = t.store.ingest_batch(batch).value();
  CHECK(counts[0].added == 1);
  CHECK(counts[1].updated == 1);
  CHECK(t.search("bao").empty());
  CHECK(t.search("ap thap").size() == 1);
  t.check_index();
}

TEST_CASE("an item indexed earlier and then changed loses its old words") {
  TempStore t;
  const auto a = add_source(t.store, "https://a.vn/rss");
  auto feed =
      make_feed({make_item("a1", "Bão số 3 đổ bộ", kLead), make_item("a2", "Giá vàng tăng", kOtherLead)});
  REQUIRE(t.store.ingest(a, feed, kNow)->added == 2);
  feed.items[0].title = "Áp thấp nhiệt đới";
  feed.items.push_back(make_item("a3", "Lũ quét ở miền núi", "Mưa lớn kéo dài nhiều ngày"));
  const auto counts = t.store.ingest(a, feed, kNow).value();
  CHECK(counts.updated == 1);
  CHECK(counts.added == 1);
  CHECK(t.search("bao").empty());
  CHECK(t.search("ap thap").size() == 1);
  CHECK(t.search("gia vang").size() == 1);
  CHECK(t.search("lu quet").size() == 1);
  t.check_index();
}

TEST_CASE("a removed source's items leave the index, and a later item does not inherit their words") {
  TempStore t;
  const auto a = add_source(t.store, "https://a.vn/rss");
  const auto b = add_source(t.store, "https://b.vn/rss");
  REQUIRE(t.store.ingest(b, make_feed({make_item("b1", "Giá vàng tăng", kOtherLead)}), kNow)->added == 1);
  REQUIRE(t.store.ingest(a, make_feed({make_item("a1", "Lũ quét ở miền núi", kLead)}), kNow)->added == 1);
  const std::vector<std::int64_t> flood = t.search("lu quet");
  REQUIRE(flood.size() == 1);
  REQUIRE(t.store.remove_source(a).has_value());
  CHECK(t.search("lu quet").empty());
  t.check_index();
  // The next item takes the id after the removed one's, never the removed one's.
  REQUIRE(
      t.store.ingest(b, make_feed({make_item("b2", "Hội nghị Trung ương", "Bàn về kinh tế")}), kNow)->added ==
      1);
  CHECK(t.search("hoi nghi") == std::vector<std::int64_t>{flood[0] + 1});
  CHECK(t.search("lu quet").empty());
  t.check_index();
}

TEST_CASE("items purged by retention leave the index") {
  TempStore t;
  const auto a = add_source(t.store, "https://a.vn/rss");
  REQUIRE(t.store
              .ingest(a,
                      make_feed({make_item("a1", "Bão số 3 đổ bộ", kLead, 1710300000),
                                 make_item("a2", "Giá vàng tăng", kOtherLead, 1710360000)}),
                      kNow)
              ->added == 2);
  RetentionPolicy per_source;
  per_source.max_items = 1;
  CHECK(t.store.apply_retention(per_source, {}, kNow)->purged_items == 1);
  CHECK(t.search("bao").empty());
  CHECK(t.search("gia vang").size() == 1);
  t.check_index();
}

TEST_CASE("a cluster deleted by another connection is never joined from the writer's window") {
  TempStore t;
  const auto a = add_source(t.store, "https://a.vn/rss");
  const auto b = add_source(t.store, "https://b.vn/rss");
  REQUIRE(t.store.ingest(a, make_feed({make_item("a1", "Hội nghị Trung ương", kLead)}), kNow)->added == 1);
  {
    // The CLI removing a source while the daemon's writer keeps its window.
    Store cli = TempStore::open(t.path);
    REQUIRE(cli.remove_source(a).has_value());
  }
  const auto counts = t.store.ingest(b, make_feed({make_item("b1", "Hội nghị Trung ương", kLead)}), kNow);
  REQUIRE(counts.has_value());
  CHECK(counts->added == 1);
  CHECK(counts->clustered == 0);
  CHECK(t.search("hoi nghi").size() == 1);
  t.check_index();
}
