// Durability: a writer SIGKILLed at random points never corrupts the database or loses
// an item it acknowledged (an item counts as stored once ingest returned).
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "support.hpp"

using namespace tinhop;
using namespace tinhop::storage;
using tinhop::test::kLead;
using tinhop::test::kNow;
using tinhop::test::make_feed;
using tinhop::test::make_item;

namespace {

constexpr int kItemsPerBatch = 20;

// The child: ingests batches forever, writing "round batch\n" to `ack` after each commit.
[[noreturn]] void writer(const std::string& path, int round, int ack) {
  auto store = Store::open(path);
  if (!store) _exit(3);
  for (int batch = 0;; ++batch) {
    std::vector<Item> items;
    for (int i = 0; i < kItemsPerBatch; ++i) {
      const std::string guid =
          "r" + std::to_string(round) + "-" + std::to_string(batch) + "-" + std::to_string(i);
      items.push_back(make_item(guid, "Tin " + guid, guid + " " + kLead));
    }
    if (!store->ingest(1, make_feed(items), kNow)) _exit(4);
    const std::string line = std::to_string(round) + " " + std::to_string(batch) + "\n";
    if (::write(ack, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
  }
}

std::int64_t scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const auto value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

std::string text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  std::string value(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  return value;
}

}  // namespace

TEST_CASE("a writer killed at random points 50 times loses nothing it acknowledged") {
  const auto dir = std::filesystem::temp_directory_path() / ("tinhop-crash-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "crash.db").string();
  {
    auto store = Store::open(path);
    REQUIRE(store.has_value());
    SourceSettings settings;
    settings.url = "https://a.vn/rss";
    REQUIRE(store->add_source(settings, kNow).value() == 1);
  }

  std::mt19937 random(20240314);
  // Each round lets the writer acknowledge 0-3 batches (so kills land at start-up too),
  // then kills it after a random 0-15 ms: mostly inside a transaction or a commit.
  std::uniform_int_distribution<int> wait_for_acks(0, 3);
  std::uniform_int_distribution<int> delay_us(0, 15'000);
  std::size_t required_acks = 0;
  std::vector<std::pair<int, int>> acknowledged;
  int kills_mid_run = 0;
  for (int round = 0; round < 50; ++round) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      writer(path, round, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);
    std::string acks;
    const int wanted = wait_for_acks(random);
    required_acks += static_cast<std::size_t>(wanted);
    char buffer[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::count(acks.begin(), acks.end(), '\n') < wanted &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd readable{pipe_fds[0], POLLIN, 0};
      if (::poll(&readable, 1, 100) <= 0) continue;
      const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
      if (n <= 0) break;
      acks.append(buffer, static_cast<std::size_t>(n));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    REQUIRE(::kill(child, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++kills_mid_run;
    INFO("round " << round << " child status " << status);
    REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));

    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
      acks.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    std::istringstream lines(acks);
    for (int r, b; lines >> r >> b;) acknowledged.emplace_back(r, b);

    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    CHECK(text(db, "PRAGMA integrity_check") == "ok");
    CHECK(scalar(
              db,
              "SELECT count(*) FROM (SELECT guid FROM items GROUP BY source_id, guid HAVING count(*) > 1)") ==
          0);
    // This round's acknowledged batches, each whole.
    for (const auto& [r, b] : acknowledged) {
      if (r != round) continue;
      const std::string prefix = "r" + std::to_string(r) + "-" + std::to_string(b) + "-";
      CHECK(scalar(db, "SELECT count(*) FROM items WHERE substr(guid, 1, " + std::to_string(prefix.size()) +
                           ") = '" + prefix + "'") == kItemsPerBatch);
    }
    // Nothing acknowledged earlier went missing.
    CHECK(scalar(db, "SELECT count(*) FROM items") >=
          static_cast<std::int64_t>(acknowledged.size()) * kItemsPerBatch);
    sqlite3_close(db);
  }
  CHECK(kills_mid_run == 50);
  INFO("acknowledged batches: " << acknowledged.size());
  CHECK(acknowledged.size() >= required_acks);

  // Finally every acknowledged item, one by one, exactly once, and the store still opens.
  auto store = Store::open(path);
  REQUIRE(store.has_value());
  for (const auto& [r, b] : acknowledged) {
    std::vector<Item> items;
    for (int i = 0; i < kItemsPerBatch; ++i) {
      const std::string guid = "r" + std::to_string(r) + "-" + std::to_string(b) + "-" + std::to_string(i);
      items.push_back(make_item(guid, "Tin " + guid, guid + " " + kLead));
    }
    const auto ids = store->locate_items(1, make_feed(items)).value();
    for (const auto& id : ids) CHECK(id.has_value());
  }
  std::filesystem::remove_all(dir);
}
