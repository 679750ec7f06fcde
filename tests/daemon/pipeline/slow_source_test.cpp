// The poller and the pipeline together, as `tinhop serve` wires them: one very large feed
// and one stalled server must not starve a small source polled every second.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <string>

#include "pipeline.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/fetch/client.hpp"
#include "tinhop/fetch/poller.hpp"

namespace {

using namespace tinhop;
using namespace std::chrono_literals;

const Instant kNow{std::chrono::seconds{1710374400}};

std::string rss(const std::string& name, const std::string& padding = {}) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>" + name +
         "</title><link>http://feeds.test/</link>" + padding + "<item><guid>urn:" + name +
         "</guid><title>Tin " + name + "</title><link>http://feeds.test/" + name +
         ".html</link></item></channel></rss>";
}

}  // namespace

TEST_CASE("a 16 MiB feed and a stalled server leave the other fetches running") {
  test::TestHttpServer server;
  // Its size is what admission sees; a comment keeps the parse short.
  server.on("/big.xml", test::Script{.status = 200,
                                     .headers = {{"Content-Type", "application/rss+xml"}},
                                     .body = rss("big", "<!--" + std::string(16u << 20, 'x') + "-->"),
                                     .etag = "\"big\""});
  // Headers, then nothing, for longer than the test runs.
  server.on("/stalled.xml", test::Script{.status = 200, .body = rss("stalled"), .stall_after = 0});
  server.on("/small.xml",
            test::Script{
                .status = 200, .headers = {{"Content-Type", "application/rss+xml"}}, .body = rss("small")});

  boost::asio::io_context io;
  auto opened = storage::Store::open(":memory:");
  REQUIRE(opened.has_value());
  daemon::PipelineOptions pipeline_options;  // the daemon's 2 MiB backlog
  pipeline_options.batch_window = 1ms;
  fetch::Poller* poller_ptr = nullptr;
  daemon::PipelineHooks pipeline_hooks;  // as tinhop serve: a drained backlog resumes the poller
  pipeline_hooks.drained = [&] { boost::asio::post(io, [&] { poller_ptr->resume(); }); };
  daemon::Pipeline pipeline(*opened, pipeline_options, pipeline_hooks);

  fetch::ClientOptions client_options;
  client_options.proxy = "";
  client_options.limits.body_timeout = 30s;  // the stall outlasts the test
  client_options.limits.total_timeout = 30s;
  fetch::Client client(io.get_executor(), client_options);
  fetch::PollerOptions options;
  options.policy.jitter = 0;
  options.policy.min_interval = 1s;
  options.policy.default_interval = 1s;
  options.gate.per_host = 8;  // the three servers share 127.0.0.1
  options.gate.min_spacing = 0ms;
  options.limits = client_options.limits;
  fetch::PollerHooks hooks;
  hooks.process = [&](const fetch::PollSource& source, fetch::Response response,
                      std::function<void(fetch::Processed)> done) {
    pipeline.process(source, std::move(response), std::move(done));
  };
  std::size_t stalled_reports = 0;
  hooks.report = [&](fetch::PollReport report) {
    if (report.source_id == 2) ++stalled_reports;
    pipeline.write(std::move(report));
  };
  hooks.accepting = [&](const fetch::Fetching& fetching) { return pipeline.accepting(fetching); };
  fetch::Poller poller(io.get_executor(), client, options, hooks);
  poller_ptr = &poller;

  std::int64_t id = 0;
  for (const std::string path : {"/big.xml", "/stalled.xml", "/small.xml"}) {
    storage::SourceSettings settings;
    settings.url = server.url(path);
    REQUIRE(opened->upsert_source(settings, kNow).value() == ++id);
    fetch::PollSource source;
    source.id = id;
    source.url = settings.url;
    if (path == "/big.xml") source.settings.interval = 1h;
    poller.upsert(std::move(source));
  }
  poller.start();
  io.run_for(6s);

  CHECK(server.hits("/big.xml") == 1);
  // Still held: the small source was polled beside it, not after it.
  CHECK(server.hits("/stalled.xml") == 1);
  CHECK(stalled_reports == 0);
  // About one poll a second; before, the large feed's body made every fetch count as 2 MiB
  // and the stalled one alone filled the backlog: one poll in the six seconds.
  CHECK(server.hits("/small.xml") >= 4);

  poller.stop_scheduling();
  client.shutdown();
  io.run_for(100ms);
  pipeline.finish();
}
