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

TEST_CASE("fetches in flight are charged the body recent polls brought") {
  storage::Store store = store_with_one_source();
  const std::int64_t source = 1;
  daemon::PipelineOptions options;
  options.max_pending_bytes = 1000 * 1000;
  options.batch_window = 1ms;
  daemon::Pipeline pipeline(store, options, {});

  // Before any poll: a 64 KiB body each, so fifteen fetches fit in 1 MB, sixteen do not.
  CHECK(pipeline.expected_body() == 64 * 1024);
  CHECK(pipeline.accepting(0));
  CHECK(pipeline.accepting(15));
  CHECK_FALSE(pipeline.accepting(16));

  // 304s bring no body: after 16 of them the charge is under an eighth of what it was.
  for (int i = 0; i < 16; ++i) pipeline.write(report(source, fetch::PollOutcome::not_modified, 0));
  CHECK(pipeline.expected_body() > 0);
  CHECK(pipeline.expected_body() < 64 * 1024 / 8);
  CHECK(pipeline.accepting(120));

  // One 800 kB feed raises it by an eighth of that at once; its document (3x the body) is
  // charged to the backlog until it is committed.
  const std::size_t before = pipeline.expected_body();
  pipeline.write(report(source, fetch::PollOutcome::ok, 800 * 1000));
  CHECK(pipeline.expected_body() == before - before / 8 + 100 * 1000);
  pipeline.finish();  // the document is committed: only the fetches' charge is left
  CHECK(pipeline.pending_bytes() == 0);
  CHECK(pipeline.accepting(9));  // 9 x ~107 kB < 1 MB
  CHECK_FALSE(pipeline.accepting(10));
  CHECK(store.health(source)->polls == 17);
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
