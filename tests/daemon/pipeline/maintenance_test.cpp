// Retention in the daemon: a job queued with Pipeline::maintain runs on the writer thread
// and purges by the [retention] settings of the moment it was queued.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "maintenance.hpp"
#include "pipeline.hpp"

namespace {

using namespace tinhop;
using namespace std::chrono_literals;

const Instant kNow{std::chrono::seconds{1710374400}};

Item item(int n, std::chrono::seconds age) {
  Item i;
  i.id = "g" + std::to_string(n);
  i.title = "Tin số " + std::to_string(n) + " về chủ đề " + std::to_string(n * 7919);
  i.summary = "Nội dung riêng của tin " + std::to_string(n * 104729);
  i.link = "https://a.vn/" + std::to_string(n) + ".html";
  i.published = kNow - age;
  return i;
}

}  // namespace

TEST_CASE("a maintenance job runs on the writer thread and applies retention by age and count") {
  auto opened = storage::Store::open(":memory:");
  REQUIRE(opened.has_value());
  storage::Store& store = *opened;
  storage::SourceSettings settings;
  settings.url = "https://a.vn/rss";
  const std::int64_t source = store.add_source(settings, kNow).value();
  Feed feed;
  for (int n = 0; n < 15; ++n) feed.items.push_back(item(n, std::chrono::hours(n)));
  feed.items.push_back(item(99, std::chrono::hours(24 * 40)));  // older than 30 days
  REQUIRE(store.ingest(source, feed, kNow)->added == 16);

  daemon::Pipeline pipeline(store, {}, {});
  config::RetentionConfig retention;
  retention.max_age = std::chrono::hours(24 * 30);
  retention.max_items_per_source = 10;
  std::promise<std::pair<daemon::MaintenanceReport, std::thread::id>> ran;
  pipeline.maintain([&](storage::Store& writer) {
    ran.set_value({daemon::run_maintenance(writer, retention, kNow), std::this_thread::get_id()});
  });
  auto future = ran.get_future();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  const auto [report, thread] = future.get();
  CHECK(thread != std::this_thread::get_id());
  CHECK(report.error.empty());
  CHECK(report.retention.purged_items == 6);  // the 40-day-old item and the 5 oldest of the rest
  CHECK(store.stats()->items == 10);
  pipeline.finish();

  // A job queued after finish() is dropped, never run on a stopped writer.
  bool late = false;
  pipeline.maintain([&](storage::Store&) { late = true; });
  CHECK_FALSE(late);
}
