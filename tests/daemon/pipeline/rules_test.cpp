// Editorial rules in the daemon: applied to each parsed document before the writer, each
// dropped item counted once per rule and source however many polls still carry it, and
// the counts stored with the batch.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>

#include "pipeline.hpp"

namespace {

using namespace tinhop;
using namespace std::chrono_literals;

const std::string kFeed =
    "<rss version=\"2.0\"><channel><title>Tin</title>"
    "<item><title>Tử vi hôm nay: tuổi Tý</title><link>http://127.0.0.1/tu-vi</link></item>"
    "<item><title>Video: Lũ quét ở Lào Cai</title><link>http://127.0.0.1/video</link></item>"
    "<item><title>Giá vàng tăng</title><link>http://127.0.0.1/vang</link></item>"
    "</channel></rss>";

fetch::PollReport poll(daemon::Pipeline& pipeline, const fetch::PollSource& source) {
  fetch::Response response;
  response.status = 200;
  response.url = source.url;
  response.body = kFeed;
  std::promise<fetch::Processed> parsed;
  pipeline.process(source, std::move(response), [&](fetch::Processed p) { parsed.set_value(std::move(p)); });
  auto future = parsed.get_future();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  fetch::Processed processed = future.get();
  REQUIRE(processed.document);
  fetch::PollReport report;
  report.source_id = source.id;
  report.attempted = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  report.outcome = fetch::PollOutcome::ok;
  report.document = std::move(processed.document);
  return report;
}

rules::RuleSpec drop(std::string name, rules::Match match, std::string pattern) {
  rules::RuleSpec spec;
  spec.name = std::move(name);
  spec.match = match;
  spec.pattern = std::move(pattern);
  return spec;
}

}  // namespace

TEST_CASE("the pipeline drops what the rules drop and stores each drop once per item") {
  auto opened = storage::Store::open(":memory:");
  REQUIRE(opened.has_value());
  storage::Store& store = *opened;
  storage::SourceSettings settings;
  settings.url = "http://127.0.0.1/rss";
  auto id =
      store.add_source(settings, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  REQUIRE(id.has_value());

  std::promise<void> committed_twice;
  int commits = 0;
  daemon::PipelineHooks hooks;
  hooks.committed = [&](const std::vector<daemon::Committed>& polls) {
    commits += static_cast<int>(polls.size());
    if (commits == 2) committed_twice.set_value();
  };
  daemon::Pipeline pipeline(store, {}, std::move(hooks));
  pipeline.set_rules(std::make_shared<const rules::RuleSet>(std::vector<rules::RuleSpec>{
      drop("tu-vi", rules::Match::phrase, "tu vi"), drop("video", rules::Match::regex, "^video:")}));
  fetch::PollSource source;
  source.id = *id;
  source.url = settings.url;

  fetch::PollReport first = poll(pipeline, source);
  REQUIRE(first.document->feed.items.size() == 1);
  CHECK(first.document->feed.items[0].title == "Giá vàng tăng");
  pipeline.write(std::move(first));
  pipeline.write(poll(pipeline, source));  // the same items again: stored, not recounted
  REQUIRE(committed_twice.get_future().wait_for(10s) == std::future_status::ready);
  pipeline.finish();

  auto counts = store.rule_counts(*id);
  REQUIRE(counts.has_value());
  CHECK(*counts == std::vector<storage::RuleCount>{{*id, "tu-vi", 1, 0}, {*id, "video", 1, 0}});
}

TEST_CASE("a batch that fails to commit counts no drop; its refetch counts each once") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tinhop-rule-counts-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "tinhop.db").string();
  storage::OpenOptions options;
  options.busy_timeout = 50ms;
  auto opened = storage::Store::open(path, options);
  REQUIRE(opened.has_value());
  storage::Store& store = *opened;
  storage::SourceSettings settings;
  settings.url = "http://127.0.0.1/rss";
  auto id =
      store.add_source(settings, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  REQUIRE(id.has_value());

  // Another connection's write transaction makes the first batch fail, then ends.
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::promise<void> failed, committed;
  daemon::PipelineHooks hooks;
  hooks.failed = [&](const std::vector<std::int64_t>&, const std::string&) {
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    failed.set_value();
  };
  hooks.committed = [&](const std::vector<daemon::Committed>&) { committed.set_value(); };
  daemon::Pipeline pipeline(store, {}, std::move(hooks));
  pipeline.set_rules(std::make_shared<const rules::RuleSet>(std::vector<rules::RuleSpec>{
      drop("tu-vi", rules::Match::phrase, "tu vi"), drop("video", rules::Match::regex, "^video:")}));
  fetch::PollSource source;
  source.id = *id;
  source.url = settings.url;

  pipeline.write(poll(pipeline, source));
  REQUIRE(failed.get_future().wait_for(10s) == std::future_status::ready);
  std::promise<storage::Result<std::vector<storage::RuleCount>>> after_failure;
  pipeline.maintain([&](storage::Store& writer) { after_failure.set_value(writer.rule_counts(*id)); });
  auto future = after_failure.get_future();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  const auto uncounted = future.get();
  REQUIRE(uncounted.has_value());
  CHECK(uncounted->empty());

  pipeline.write(poll(pipeline, source));  // fetched again in full, as after any failed batch
  REQUIRE(committed.get_future().wait_for(10s) == std::future_status::ready);
  pipeline.finish();

  auto counts = store.rule_counts(*id);
  REQUIRE(counts.has_value());
  CHECK(*counts == std::vector<storage::RuleCount>{{*id, "tu-vi", 1, 0}, {*id, "video", 1, 0}});
  sqlite3_close(other);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a pipeline without rules stores every item") {
  auto opened = storage::Store::open(":memory:");
  REQUIRE(opened.has_value());
  daemon::Pipeline pipeline(*opened, {}, {});
  fetch::PollSource source;
  source.id = 1;
  source.url = "http://127.0.0.1/rss";
  CHECK(poll(pipeline, source).document->feed.items.size() == 3);
  pipeline.finish();
}
