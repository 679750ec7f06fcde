// WAL checkpoints on their own thread: the writer's commits only wake it, its checkpoint
// empties the WAL, and the writer gets SQLite's automatic checkpoints back afterwards.
#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>

#include "../../storage/src/sqlite/checkpointer.hpp"
#include "../../storage/src/sqlite/sqlite.hpp"

using tinhop::storage::Checkpointer;

namespace {

struct Wal {
  int busy = -1, log = -1, checkpointed = -1;
};

class TempDatabase {
 public:
  TempDatabase()
      : dir_(std::filesystem::temp_directory_path() / ("tinhop-checkpointer-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "db.sqlite").string();
    REQUIRE(sqlite3_open(path_.c_str(), &db_) == SQLITE_OK);
    exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t(x BLOB)");
  }
  ~TempDatabase() {
    sqlite3_close(db_);
    std::filesystem::remove_all(dir_);
  }
  void exec(const char* sql) { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }
  // One transaction of `pages` rows of about a page each.
  void write_pages(int pages) {
    exec("BEGIN");
    for (int i = 0; i < pages; ++i) exec("INSERT INTO t VALUES(zeroblob(3900))");
    exec("COMMIT");
  }
  // What a PASSIVE checkpoint that copies nothing new reports: pages in the WAL, and how
  // many of them are already in the database file.
  Wal wal() {
    Wal w;
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, "PRAGMA wal_checkpoint(PASSIVE)", -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    w = {sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1), sqlite3_column_int(stmt, 2)};
    sqlite3_finalize(stmt);
    return w;
  }
  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

bool wait_for(const Checkpointer& checkpointer, std::int64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (checkpointer.completed() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

TEST_CASE("checkpointer: a commit under the threshold leaves the WAL to grow", "[storage][checkpointer]") {
  TempDatabase db;
  Checkpointer checkpointer(db.db(), db.path());
  db.write_pages(200);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(checkpointer.completed() == 0);
}

TEST_CASE("checkpointer: the thread copies the WAL into the database once it passes the threshold",
          "[storage][checkpointer]") {
  TempDatabase db;
  Checkpointer checkpointer(db.db(), db.path());
  db.write_pages(Checkpointer::kThreadFrames + 100);
  REQUIRE(wait_for(checkpointer, 1));
  // The thread's checkpoint copied every page.
  const Wal wal = db.wal();
  CHECK(wal.busy == 0);
  CHECK(wal.log >= Checkpointer::kThreadFrames + 100);
  CHECK(wal.checkpointed == wal.log);
  // The next write transaction starts the WAL over instead of growing it.
  db.write_pages(10);
  CHECK(db.wal().log < 20);
}

TEST_CASE("checkpointer: after the WAL starts over, the thread counts its pages from zero",
          "[storage][checkpointer]") {
  TempDatabase db;
  Checkpointer checkpointer(db.db(), db.path());
  db.write_pages(Checkpointer::kThreadFrames + 100);
  REQUIRE(wait_for(checkpointer, 1));
  db.write_pages(10);  // the WAL starts over
  REQUIRE(db.wal().log < 20);
  // As many pages again: past the threshold in the new WAL, though no larger than the last
  // checkpoint's copy of the old one.
  db.write_pages(Checkpointer::kThreadFrames + 100);
  REQUIRE(wait_for(checkpointer, 2));
  const Wal wal = db.wal();
  CHECK(wal.checkpointed == wal.log);
}

TEST_CASE(
    "checkpointer: past the writer's bound, the commit waits for a reader of older pages and the WAL starts "
    "over",
    "[storage][checkpointer]") {
  TempDatabase db;
  db.exec("PRAGMA busy_timeout = 5000");
  Checkpointer checkpointer(db.db(), db.path());
  // A reader whose snapshot predates the transaction: no checkpoint may copy past it.
  sqlite3* reader = nullptr;
  REQUIRE(sqlite3_open(db.path().c_str(), &reader) == SQLITE_OK);
  REQUIRE(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM t", nullptr, nullptr, nullptr) == SQLITE_OK);
  const int pages = Checkpointer::kWriterFrames + 100;
  const auto committed_size = static_cast<std::uintmax_t>(pages) * (4096 + 24);
  // It ends its read a little after the transaction's last page reached the WAL: after
  // the commit, while the commit's checkpoint waits.
  std::thread release([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::error_code ec;
    while (std::filesystem::file_size(db.path() + "-wal", ec) < committed_size &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  });
  db.write_pages(pages);
  release.join();
  sqlite3_close(reader);
  // The commit's own checkpoint copied every page once the reader was done (nothing else
  // checkpointed since: the thread is not woken past the writer's bound), so the next
  // transaction starts the WAL over, and its file is cut back to the limit.
  db.write_pages(10);
  CHECK(db.wal().log < 20);
  CHECK(std::filesystem::file_size(db.path() + "-wal") <=
        static_cast<std::uintmax_t>(Checkpointer::kFileLimitBytes));
}

TEST_CASE("checkpointer: once stopped, the writer checkpoints its own commits again",
          "[storage][checkpointer]") {
  TempDatabase db;
  { Checkpointer checkpointer(db.db(), db.path()); }
  db.write_pages(Checkpointer::kThreadFrames + 100);
  const Wal wal = db.wal();
  CHECK(wal.log >= Checkpointer::kThreadFrames + 100);
  CHECK(wal.checkpointed == wal.log);
}

TEST_CASE("checkpointer: a database it cannot open is reported", "[storage][checkpointer]") {
  TempDatabase db;
  try {
    Checkpointer checkpointer(db.db(),
                              (std::filesystem::path(db.path()).parent_path() / "no" / "such.db").string());
    FAIL("opened a missing directory's database");
  } catch (const tinhop::storage::sql::SqlFailure& failure) {
    CHECK(failure.error.code == tinhop::storage::Errc::io);
    CHECK(failure.error.message.find("checkpoint connection to ") == 0);
  }
}
