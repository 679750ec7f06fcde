// Hand-built feeds and a fresh store (in memory, or a new PostgreSQL database) for the
// storage tests.
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "support/postgres_server.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::test {

// The tests' private PostgreSQL, or nullptr with a warning that the test is skipped (a
// failure when CI=true: CI must run it).
inline PostgresServer* server_or_skip() {
  auto* server = PostgresServer::instance();
  if (server == nullptr) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string_view(ci) == "true")
      FAIL("CI=true but " << PostgresServer::absent_reason());
    WARN("PostgreSQL skipped: " << PostgresServer::absent_reason());
  }
  return server;
}

// A directory for database files, removed with everything in it at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("tinhop-storage-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path); }
};

inline Instant at(std::int64_t unix_seconds) {
  return Instant{std::chrono::seconds{unix_seconds}};
}

// 2024-03-14 00:00:00 UTC, the tests' "now".
inline const Instant kNow = at(1710374400);

inline Item make_item(const std::string& guid, const std::string& title, const std::string& summary,
                      std::int64_t published = 1710370000, const std::string& link = {}) {
  Item item;
  if (!guid.empty()) item.id = guid;
  item.title = title;
  item.summary = summary;
  item.link = link.empty() ? "https://example.vn/" + guid + ".html" : link;
  item.published = at(published);
  return item;
}

inline Feed make_feed(std::vector<Item> items) {
  Feed feed;
  feed.title = "Test feed";
  feed.items = std::move(items);
  return feed;
}

inline storage::Store open_memory(const storage::OpenOptions& options = {}) {
  auto store = storage::Store::open(":memory:", options);
  REQUIRE(store.has_value());
  return std::move(*store);
}

// Runs the rest of the test case once per storage backend: SQLite, and PostgreSQL when
// it is installed (see storage_backends); failures name the backend.
#define TINHOP_EACH_BACKEND(backend)                                             \
  const auto backend = GENERATE(from_range(::tinhop::test::storage_backends())); \
  INFO("backend: " << ::tinhop::test::backend_name(backend))

// A fresh store of `backend`: in memory for SQLite, a new database for PostgreSQL.
inline storage::Store open_store(StorageBackend backend, const storage::OpenOptions& options = {}) {
  const std::string location =
      backend == StorageBackend::sqlite ? ":memory:" : PostgresServer::instance()->fresh_database();
  auto store = storage::Store::open(location, options);
  INFO((store ? std::string() : store.error().message));
  REQUIRE(store.has_value());
  return std::move(*store);
}

inline std::int64_t add_source(storage::Store& store, const std::string& url,
                               std::vector<std::string> categories = {}) {
  storage::SourceSettings settings;
  settings.url = url;
  settings.categories = std::move(categories);
  auto id = store.add_source(settings, kNow);
  REQUIRE(id.has_value());
  return *id;
}

// A long Vietnamese lead: similar enough to itself with a word or two changed.
inline const std::string kLead =
    "Sáng nay tại Hà Nội Thủ tướng chủ trì hội nghị trực tuyến toàn quốc về phát triển kinh tế xã hội với sự "
    "tham dự của lãnh đạo các bộ ngành và địa phương bàn giải pháp tháo gỡ khó khăn cho doanh nghiệp thúc "
    "đẩy "
    "tăng trưởng xuất khẩu và ổn định thị trường lao động trong những tháng cuối năm";

inline const std::string kOtherLead =
    "Giá vàng trong nước hôm nay tiếp tục tăng mạnh theo đà của thị trường thế giới khi đồng USD suy yếu và "
    "nhà "
    "đầu tư tìm đến kênh trú ẩn an toàn trước những bất ổn của kinh tế toàn cầu cùng lo ngại về lạm phát kéo "
    "dài";

}  // namespace tinhop::test
