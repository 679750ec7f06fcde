// WebSub pushes through the polling engine: a pushed body takes the poll's path without a
// fetch, a body that is no feed makes the source poll now, and a source a hub pushes is
// polled at the push interval.
#include <catch2/catch.hpp>

#include "fetch_helpers.hpp"
#include "tinhop/fetch/poller.hpp"
#include "tinhop/parsers/feed.hpp"

using namespace std::chrono_literals;
using namespace tinhop::fetch;
using namespace tinhop::test;

namespace {

const std::string pushed_atom =
    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Tin</title>"
    "<entry><id>urn:pushed:1</id><title>Pushed</title><link href=\"https://a.vn/pushed\"/></entry></feed>";

struct Harness {
  TestHttpServer server;
  boost::asio::io_context io;
  Client client{io.get_executor(), test_options()};
  Poller poller{io.get_executor(), client, options(), hooks()};
  std::vector<PollReport> reports;

  Harness() {
    server.on("/feed", one_item_feed());
    PollSource source;
    source.id = 1;
    source.url = server.url("/feed");
    poller.upsert(source);
    poller.start();
    wait_for_reports(1);
  }

  static PollerOptions options() {
    PollerOptions o;
    o.policy.jitter = 0;
    o.policy.min_interval = 1s;
    o.policy.default_interval = 1h;
    o.gate.min_spacing = 0ms;
    o.limits = test_options().limits;
    return o;
  }

  PollerHooks hooks() {
    PollerHooks h;
    h.process = [](const PollSource&, Response r, std::function<void(Processed)> done) {
      tinhop::ParseContext context;
      context.url = r.url;
      context.content_type = r.content_type;
      auto outcome = tinhop::parse_feed(r.body, context);
      Processed p;
      if (outcome) {
        p.document = std::move(outcome).result();
      } else {
        p.parse_error = true;
      }
      done(std::move(p));
    };
    h.report = [this](PollReport r) { reports.push_back(std::move(r)); };
    return h;
  }

  void wait_for_reports(std::size_t n) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (reports.size() < n && std::chrono::steady_clock::now() < end) io.run_for(10ms);
    REQUIRE(reports.size() == n);
  }

  static Response body(std::string text, std::string content_type) {
    Response r;
    r.status = 200;
    r.url = "https://a.vn/feed";
    r.content_type = std::move(content_type);
    r.body = std::move(text);
    return r;
  }
};

}  // namespace

TEST_CASE("a pushed feed is reported like a poll without fetching the source", "[websub]") {
  Harness h;
  const tinhop::Instant next_poll = h.reports[0].decision.next_poll;
  h.poller.pushed(1, Harness::body(pushed_atom, "application/atom+xml"));
  h.wait_for_reports(2);
  const PollReport& pushed = h.reports[1];
  CHECK(pushed.pushed);
  CHECK(pushed.outcome == PollOutcome::ok);
  CHECK(pushed.http_status == 200);
  REQUIRE(pushed.document);
  REQUIRE(pushed.document->feed.items.size() == 1);
  CHECK(pushed.document->feed.items[0].link == "https://a.vn/pushed");
  CHECK(pushed.decision.reason == "pushed");
  CHECK(pushed.decision.next_poll == next_poll);
  CHECK(pushed.body_hash == h.reports[0].body_hash);
  CHECK(h.server.hits("/feed") == 1);
}

TEST_CASE("a pushed body that is no feed makes the source poll now", "[websub]") {
  Harness h;
  h.poller.pushed(1, Harness::body("changed", "text/plain"));
  h.wait_for_reports(2);
  CHECK_FALSE(h.reports[1].pushed);
  CHECK(h.server.hits("/feed") == 2);
}

TEST_CASE("a source a hub pushes is polled at the push interval", "[websub]") {
  Harness h;
  CHECK(h.reports[0].decision.interval == 1h);
  h.poller.set_push_interval(1, 6h);
  h.poller.poll_now(1);
  h.wait_for_reports(2);
  CHECK(h.reports[1].decision.interval == 6h);
  CHECK(h.reports[1].decision.next_poll - h.reports[1].attempted == 6h);
  // When the pushes stop, the source is polled at once, then at its own hour again.
  h.poller.set_push_interval(1, std::nullopt);
  h.wait_for_reports(3);
  CHECK(h.server.hits("/feed") == 3);
  CHECK(h.reports[2].decision.interval == 1h);
}
