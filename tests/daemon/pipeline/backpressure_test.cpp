// The pipeline between the poller and the store: a writer slower than the network must
// hold the poller back (bounded backlog) without losing a poll.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pipeline.hpp"

namespace {

using namespace tinhop;
using namespace std::chrono_literals;

const Instant kNow{std::chrono::seconds{1710374400}};

// Three distinct stories per source, every body the same length (so the byte bound below
// is exact): zero-padded numbers in each field.
std::string feed_body(int source) {
  char id[8];
  std::snprintf(id, sizeof id, "%05d", source);
  std::string rss = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Nguồn " +
                    std::string(id) + "</title><link>http://feeds.test/</link>";
  for (int i = 0; i < 3; ++i) {
    const std::string n = std::string(id) + "-" + std::to_string(i);
    rss += "<item><guid>urn:" + n + "</guid><title>Tin số " + n + " về kinh tế " + n +
           "</title><link>http://feeds.test/" + n + ".html</link><description>Bản tin " + n + " số " + n +
           " của nguồn " + id + "</description><pubDate>Thu, 14 Mar 2024 00:00:00 GMT</pubDate></item>";
  }
  return rss + "</channel></rss>";
}

struct Watch {
  std::mutex mutex;
  std::condition_variable cv;
  std::multiset<std::int64_t> committed;
  std::int64_t items_added = 0;
  std::size_t batches = 0;
  std::size_t drains = 0;
  std::size_t max_pending = 0;
  std::size_t max_pending_bytes = 0;
};

}  // namespace

TEST_CASE("a writer slower than the network holds the polls back - every poll is stored once") {
  auto opened = storage::Store::open(":memory:");
  REQUIRE(opened.has_value());
  storage::Store& store = *opened;
  constexpr int kSources = 120;
  std::vector<fetch::PollSource> sources;
  for (int i = 0; i < kSources; ++i) {
    storage::SourceSettings settings;
    settings.url = "http://feeds.test/" + std::to_string(i) + ".xml";
    auto id = store.upsert_source(settings, kNow);
    REQUIRE(id.has_value());
    fetch::PollSource s;
    s.id = *id;
    s.url = settings.url;
    sources.push_back(std::move(s));
  }
  const std::size_t body_size = feed_body(0).size();
  REQUIRE(feed_body(kSources - 1).size() == body_size);

  daemon::PipelineOptions options;
  options.parse_threads = 2;
  options.max_pending = 8;
  options.max_pending_bytes = 4 * body_size;  // reached before max_pending: bytes bind first
  options.batch_size = 4;
  options.batch_window = 1ms;
  Watch watch;
  daemon::Pipeline* pipeline_ptr = nullptr;
  auto sample = [&] {
    watch.max_pending = std::max(watch.max_pending, pipeline_ptr->pending());
    watch.max_pending_bytes = std::max(watch.max_pending_bytes, pipeline_ptr->pending_bytes());
  };
  daemon::Pipeline pipeline(
      store, options,
      daemon::PipelineHooks{
          .committed =
              [&](const std::vector<daemon::Committed>& polls) {
                std::this_thread::sleep_for(5ms);  // a disk slower than the network
                std::lock_guard lock(watch.mutex);
                ++watch.batches;
                for (const auto& c : polls) {
                  watch.committed.insert(c.report.source_id);
                  watch.items_added += c.items_added;
                }
                sample();
              },
          .failed = [](const std::vector<std::int64_t>&,
                       const std::string& error) { FAIL_CHECK("store failed: " << error); },
          .drained =
              [&] {
                std::lock_guard lock(watch.mutex);
                ++watch.drains;
                watch.cv.notify_all();
              },
      });
  pipeline_ptr = &pipeline;

  // The poller's side, as fast as a network that always has the next body ready: a poll
  // starts only while the pipeline accepts, otherwise it waits for `drained`.
  std::size_t refusals = 0;
  for (const auto& source : sources) {
    {
      std::unique_lock lock(watch.mutex);
      sample();
      if (!pipeline.accepting()) {
        ++refusals;
        const bool resumed = watch.cv.wait_for(lock, 10s, [&] { return pipeline.accepting(); });
        REQUIRE(resumed);
      }
    }
    fetch::Response response;
    response.status = 200;
    response.url = source.url;
    response.content_type = "application/rss+xml";
    response.body = feed_body(static_cast<int>(&source - sources.data()));
    pipeline.process(source, std::move(response), [&, id = source.id, url = source.url](fetch::Processed p) {
      fetch::PollReport report;
      report.source_id = id;
      report.url = url;
      report.attempted = kNow;
      report.outcome = p.document ? fetch::PollOutcome::ok : fetch::PollOutcome::failed;
      report.http_status = 200;
      report.bytes = body_size / 8;  // served gzip'd: memory holds the body, not the wire bytes
      report.body_bytes = body_size;
      report.document = std::move(p.document);
      pipeline.write(std::move(report));
      std::lock_guard lock(watch.mutex);
      sample();
    });
  }
  pipeline.finish();  // polls still queued are committed, none dropped

  CHECK(refusals > 0);
  CHECK(watch.drains > 0);
  // A limit is passed by one admitted poll plus one per parse thread between its parse and
  // write(); each is charged its document, three times its body.
  CHECK(watch.max_pending <= options.max_pending + 1 + options.parse_threads);
  INFO("most polls pending at once: " << watch.max_pending);
  CHECK(watch.max_pending <= options.max_pending_bytes / (3 * body_size) + 1 + options.parse_threads);
  CHECK(watch.max_pending_bytes <= options.max_pending_bytes + (1 + options.parse_threads) * 3 * body_size);
  CHECK(pipeline.pending() == 0);
  CHECK(pipeline.pending_bytes() == 0);

  REQUIRE(watch.committed.size() == static_cast<std::size_t>(kSources));
  CHECK(std::set<std::int64_t>(watch.committed.begin(), watch.committed.end()).size() ==
        static_cast<std::size_t>(kSources));
  CHECK(watch.items_added == 3 * kSources);
  CHECK(pipeline.committed_polls() == static_cast<std::uint64_t>(kSources));
  auto stats = store.stats();
  REQUIRE(stats.has_value());
  CHECK(stats->items == 3 * kSources);
  auto health = store.all_health();
  REQUIRE(health.has_value());
  REQUIRE(health->size() == static_cast<std::size_t>(kSources));
  for (const auto& h : *health) {
    CHECK(h.polls == 1);
    CHECK(h.items_added == 3);
  }
}
