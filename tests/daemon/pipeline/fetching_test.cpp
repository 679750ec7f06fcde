// Fetches in flight count against the pipeline's byte limit at the body recent polls
// brought: 304s let the poller run at full concurrency, large feeds slow it down.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>

#include "pipeline.hpp"

namespace {

using namespace tinhop;
using namespace std::chrono_literals;

const Instant kNow{std::chrono::seconds{1710374400}};

fetch::PollReport report(std::int64_t source, fetch::PollOutcome outcome, std::size_t body_bytes) {
  fetch::PollReport r;
  r.source_id = source;
  r.url = "http://feeds.test/1.xml";
  r.attempted = kNow;
  r.outcome = outcome;
  r.http_status = outcome == fetch::PollOutcome::not_modified ? 304 : 200;
  r.body_bytes = body_bytes;
  if (outcome == fetch::PollOutcome::ok) r.document = ParseResult{};
  return r;
}

// A store in memory holding the source of report(): the first one, id 1.
storage::Store store_with_one_source() {
  auto opened = storage::Store::open(":memory:");
  REQUIRE(opened.has_value());
  storage::SourceSettings settings;
  settings.url = "http://feeds.test/1.xml";
  REQUIRE(opened->upsert_source(settings, kNow).value() == 1);
  return std::move(*opened);
}

}  // namespace

TEST_CASE("fetches in flight are charged the bytes they received") {
  storage::Store store = store_with_one_source();
  const std::int64_t source = 1;
  daemon::PipelineOptions options;
  options.max_pending = 64;
  options.max_pending_bytes = 1000 * 1000;
  options.batch_window = 1ms;
  daemon::Pipeline pipeline(store, options, {});

  // Fetches that received nothing yet cost nothing; only their number is bounded.
  CHECK(pipeline.accepting());
  CHECK(pipeline.accepting({.polls = 63, .bytes = 0}));
  CHECK_FALSE(pipeline.accepting({.polls = 64, .bytes = 0}));
  // Their bodies so far, against the byte limit.
  CHECK(pipeline.accepting({.polls = 2, .bytes = 999 * 1000}));
  CHECK_FALSE(pipeline.accepting({.polls = 2, .bytes = 1000 * 1000}));

  pipeline.finish();

  // A 300 kB feed: its document (3x the body) is charged until it is committed. A fresh
  // pipeline, not held back by the refusals above, whose writer waits out a long batch
  // window: the commit comes at finish(), not while the charge is being checked.
  options.batch_window = std::chrono::minutes(1);
  daemon::Pipeline charged(store, options, {});
  charged.write(report(source, fetch::PollOutcome::ok, 300 * 1000));
  CHECK_FALSE(charged.accepting({.polls = 1, .bytes = 100 * 1000}));
  charged.finish();
  CHECK(charged.pending_bytes() == 0);
  CHECK(charged.accepting({.polls = 1, .bytes = 100 * 1000}));
  CHECK(store.health(source)->polls == 1);
}

TEST_CASE("a 16 MiB feed does not make the next fetches count as large") {
  storage::Store store = store_with_one_source();
  const std::int64_t source = 1;
  daemon::PipelineOptions options;  // the daemon's 2 MiB backlog
  options.batch_window = 1ms;
  daemon::Pipeline pipeline(store, options, {});
  pipeline.write(report(source, fetch::PollOutcome::ok, 16u << 20));
  pipeline.finish();  // stored: nothing waits any more
  REQUIRE(pipeline.pending_bytes() == 0);
  // Before, every fetch in flight was charged a moving average of recent bodies: after this
  // one, 2 MiB each, so one stalled fetch alone held every other poll back.
  CHECK(pipeline.accepting({.polls = 1, .bytes = 0}));
  CHECK(pipeline.accepting({.polls = 8, .bytes = 64 * 1024}));
}

TEST_CASE("a writer the backlog holds the poller back for commits at once - it never waits out the window") {
  storage::Store store = store_with_one_source();
  const std::int64_t source = 1;
  daemon::PipelineOptions options;
  options.max_pending_bytes = 1000;  // one 1 kB document (3 kB charged) fills it
  options.batch_size = 128;
  options.batch_window = 60s;  // gathering a batch would outlast the test's timeout
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t committed = 0;
  daemon::PipelineHooks hooks;
  hooks.committed = [&](const std::vector<daemon::Committed>& polls) {
    std::lock_guard lock(mutex);
    committed += polls.size();
    cv.notify_all();
  };
  daemon::Pipeline pipeline(store, options, hooks);
  for (std::size_t i = 1; i <= 3; ++i) {
    pipeline.write(report(source, fetch::PollOutcome::ok, 1000));
    CHECK_FALSE(pipeline.accepting());  // the poller is held back now
    std::unique_lock lock(mutex);
    REQUIRE(cv.wait_for(lock, 20s, [&] { return committed == i; }));
  }
  CHECK(pipeline.accepting());
  CHECK(store.health(source)->polls == 3);
}
