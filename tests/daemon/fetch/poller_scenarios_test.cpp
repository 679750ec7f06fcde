// One test per misbehaving-server scenario, through the whole polling engine: the exact
// outcome (state, health report, next poll), and a healthy source on another host that
// keeps being polled meanwhile.
#include <catch2/catch.hpp>

#include <atomic>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "fetch_helpers.hpp"
#include "tinhop/fetch/poller.hpp"
#include "tinhop/parsers/feed.hpp"

using namespace std::chrono_literals;
using namespace tinhop::fetch;
using namespace tinhop::test;
using tinhop::scheduler::Seconds;

namespace {

const std::string feed_xml =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Tin</title><ttl>90</ttl>"
    "<item><title>Một</title><link>https://a.vn/1</link><pubDate>Fri, 27 Nov 2026 08:00:00 +0700</pubDate>"
    "</item><item><title>Hai</title><link>https://a.vn/2</link>"
    "<pubDate>Fri, 27 Nov 2026 06:00:00 +0700</pubDate></item></channel></rss>";

// The healthy source's feed: no <ttl>, so its 1 s interval holds.
const std::string healthy_xml =
    "<rss version=\"2.0\"><channel><title>Khỏe</title><item><title>Ba</title><link>https://b.vn/3</link>"
    "</item></channel></rss>";

Script ok_feed() {
  return Script{.headers = {{"Content-Type", "application/rss+xml"}}, .body = feed_xml};
}

constexpr std::int64_t scenario_id = 1;
constexpr std::int64_t healthy_id = 2;

struct Harness {
  explicit Harness(ClientOptions client_options = test_options())
      : client(io.get_executor(), std::move(client_options)),
        poller(io.get_executor(), client, options(), hooks()) {
    healthy.on("/good", Script{.body = healthy_xml});
  }

  static PollerOptions options() {
    PollerOptions o;
    o.policy.jitter = 0;
    o.policy.backoff_jitter = 0;
    o.policy.min_interval = 1s;
    o.policy.default_interval = 1h;
    o.gate.min_spacing = 0ms;
    o.limits = test_options().limits;
    return o;
  }

  PollerHooks hooks() {
    PollerHooks h;
    h.process = [this](const PollSource&, Response r, std::function<void(Processed)> done) {
      boost::asio::post(workers, [r = std::move(r), done = std::move(done)] {
        tinhop::ParseContext context;
        context.url = r.url;
        context.content_type = r.content_type;
        auto outcome = tinhop::parse_feed(r.body, context);
        Processed p;
        if (outcome) {
          p.document = std::move(outcome).result();
        } else {
          p.parse_error = true;
          p.error_class = tinhop::error_name(outcome.failure().error);
          p.error_text = outcome.failure().message;
        }
        done(std::move(p));
      });
    };
    h.report = [this](PollReport r) { reports.push_back(std::move(r)); };
    return h;
  }

  // Starts the scenario source (id 1) at `url` and the healthy one (id 2, every second,
  // on another host name), and runs until the scenario source has reported `polls` times.
  void start(const std::string& url, PollSource source = {}) {
    source.id = scenario_id;
    source.url = url;
    poller.upsert(source);
    PollSource good;
    good.id = healthy_id;
    good.url = "http://localhost:" + std::to_string(healthy.port()) + "/good";
    good.settings.interval = 1s;
    poller.upsert(good);
    poller.start();
  }

  const PollReport& wait_for_report(std::size_t polls = 1, std::chrono::seconds timeout = 15s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (of(scenario_id).size() < polls && std::chrono::steady_clock::now() < end) io.run_for(20ms);
    REQUIRE(of(scenario_id).size() >= polls);
    healthy_polls_before = of(healthy_id).size();
    return *of(scenario_id)[polls - 1];
  }

  void poll_again_and_wait(std::size_t polls) {
    poller.poll_now(scenario_id);
    wait_for_report(polls);
  }

  std::vector<const PollReport*> of(std::int64_t id) const {
    std::vector<const PollReport*> out;
    for (const auto& r : reports) {
      if (r.source_id == id) out.push_back(&r);
    }
    return out;
  }

  // The healthy source was polled at least `n` times (waiting a little for them), every
  // time successfully.
  void check_healthy_polled(std::size_t n) {
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (of(healthy_id).size() < n && std::chrono::steady_clock::now() < end) io.run_for(20ms);
    const auto good = of(healthy_id);
    CHECK(good.size() >= n);
    for (const PollReport* r : good) {
      CHECK(r->error_class.empty());
      CHECK((r->outcome == PollOutcome::ok || r->outcome == PollOutcome::unchanged ||
             r->outcome == PollOutcome::not_modified));
    }
  }

  ~Harness() {
    poller.stop_scheduling();
    client.shutdown();
    io.run_for(100ms);
    workers.join();
  }

  TestHttpServer healthy;
  boost::asio::io_context io;
  // Parsing happens on the worker while the loop has nothing to wait for: keep it running.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep_running =
      boost::asio::make_work_guard(io);
  boost::asio::thread_pool workers{1};
  Client client;
  Poller poller;
  std::vector<PollReport> reports;
  std::size_t healthy_polls_before = 0;  // when the last awaited scenario report arrived
};

Seconds wait_of(const PollReport& r) {
  return r.decision.next_poll - r.attempted;
}

}  // namespace

TEST_CASE("scenario 200: parsed - healthy - next poll from the feed's ttl") {
  TestHttpServer server;
  server.on("/feed", ok_feed());
  Harness h;
  h.start(server.url("/feed"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.outcome == PollOutcome::ok);
  CHECK(r.http_status == 200);
  CHECK(r.error_class.empty());
  REQUIRE(r.document);
  CHECK(r.document->feed.items.size() == 2);
  CHECK(r.changed);
  CHECK(r.bytes > feed_xml.size());
  CHECK_FALSE(r.body_hash.empty());
  CHECK(wait_of(r) == Seconds(90min));  // <ttl>90</ttl> beats the 1 h interval
  CHECK(r.decision.reason == "ttl");
  CHECK(r.decision.state.consecutive_failures == 0);
  CHECK(r.decision.state.publication_gap == Seconds(2h));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario 200 unchanged: the same body again skips the parse") {
  TestHttpServer server;
  server.on("/feed", ok_feed());
  Harness h;
  h.start(server.url("/feed"));
  h.wait_for_report();
  h.poll_again_and_wait(2);
  const PollReport& r = *h.of(scenario_id)[1];
  CHECK(r.outcome == PollOutcome::unchanged);
  CHECK_FALSE(r.document);
  CHECK(r.body_hash == h.of(scenario_id)[0]->body_hash);
  CHECK(wait_of(r) == Seconds(90min));  // the ttl of the last parse still holds
  h.check_healthy_polled(1);
}

TEST_CASE("scenario 304: validators are sent back and nothing is parsed") {
  TestHttpServer server;
  Script s = ok_feed();
  s.etag = "\"abc\"";
  server.on("/feed", s);
  Harness h;
  h.start(server.url("/feed"));
  CHECK(h.wait_for_report().etag == "\"abc\"");
  h.poll_again_and_wait(2);
  const PollReport& r = *h.of(scenario_id)[1];
  CHECK(r.outcome == PollOutcome::not_modified);
  CHECK(r.http_status == 304);
  CHECK_FALSE(r.document);
  CHECK(r.etag == "\"abc\"");
  CHECK(wait_of(r) == Seconds(90min));
  CHECK(server.requests().at(1).header("if-none-match") == "\"abc\"");
  h.check_healthy_polled(1);
}

TEST_CASE("scenario 301 and 308: the URL moves after three consecutive polls") {
  for (int status : {301, 308}) {
    TestHttpServer server;
    server.on("/old", Script{.status = status, .headers = {{"Location", "/new"}}});
    server.on("/new", ok_feed());
    Harness h;
    h.start(server.url("/old"));
    h.wait_for_report();
    CHECK(h.poller.find(scenario_id)->url == server.url("/old"));
    h.poll_again_and_wait(2);
    CHECK(h.poller.find(scenario_id)->url == server.url("/old"));
    h.poll_again_and_wait(3);
    const PollReport& third = *h.of(scenario_id)[2];
    REQUIRE(third.decision.new_url);
    CHECK(*third.decision.new_url == server.url("/new"));
    CHECK(third.permanent_redirect == server.url("/new"));
    CHECK(h.poller.find(scenario_id)->url == server.url("/new"));
    h.poll_again_and_wait(4);
    CHECK(server.hits("/old") == 3);
    h.check_healthy_polled(1);
  }
}

TEST_CASE("scenario 302 and 307: temporary redirects never move the URL") {
  for (int status : {302, 307}) {
    TestHttpServer server;
    server.on("/old", Script{.status = status, .headers = {{"Location", "/new"}}});
    server.on("/new", ok_feed());
    Harness h;
    h.start(server.url("/old"));
    for (std::size_t i = 1; i <= 4; ++i) {
      if (i > 1) h.poll_again_and_wait(i);
      const PollReport& r = h.wait_for_report(i);
      CHECK(r.outcome != PollOutcome::failed);
      CHECK_FALSE(r.permanent_redirect);
      CHECK_FALSE(r.decision.new_url);
    }
    CHECK(h.poller.find(scenario_id)->url == server.url("/old"));
    h.check_healthy_polled(1);
  }
}

TEST_CASE("scenario 404: hard backoff that grows - never a silent drop") {
  TestHttpServer server;
  Harness h;
  h.start(server.url("/missing"));
  const PollReport& first = h.wait_for_report();
  CHECK(first.outcome == PollOutcome::failed);
  CHECK(first.error_class == "http_404");
  CHECK(wait_of(first) == Seconds(1h));
  h.poll_again_and_wait(2);
  const PollReport& second = *h.of(scenario_id)[1];
  CHECK(wait_of(second) == Seconds(2h));
  CHECK(second.decision.state.consecutive_not_found == 2);
  CHECK(second.decision.state.consecutive_failures == 2);
  CHECK_FALSE(second.decision.disable);
  CHECK(h.poller.find(scenario_id) != nullptr);
  h.check_healthy_polled(1);
}

TEST_CASE("scenario 410: the source is disabled with the reason") {
  TestHttpServer server;
  server.on("/gone", Script{.status = 410});
  Harness h;
  h.start(server.url("/gone"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.outcome == PollOutcome::failed);
  CHECK(r.error_class == "http_410");
  CHECK(r.decision.disable);
  CHECK(r.decision.disable_reason == "410 Gone");
  h.io.run_for(1500ms);
  CHECK(h.of(scenario_id).size() == 1);  // not polled again
  h.check_healthy_polled(2);
}

TEST_CASE("scenario 429 and 503 with Retry-After: honoured - host slowed - others unaffected") {
  for (int status : {429, 503}) {
    TestHttpServer server;
    server.on("/busy", Script{.status = status, .headers = {{"Retry-After", "7200"}}});
    Harness h;
    h.start(server.url("/busy"));
    const PollReport& r = h.wait_for_report();
    CHECK(r.outcome == PollOutcome::failed);
    CHECK(r.error_class == "http_" + std::to_string(status));
    CHECK(wait_of(r) == Seconds(2h));
    CHECK(r.decision.reason == "retry-after");
    REQUIRE(r.decision.host_pause_until);
    CHECK(*r.decision.host_pause_until == r.attempted + 2h);
    h.io.run_for(1500ms);
    h.check_healthy_polled(2);
  }
}

TEST_CASE("scenario 500: exponential backoff - reset after the first success") {
  TestHttpServer server;
  std::atomic<int> calls{0};
  server.on("/flaky",
            Handler([&](const HttpRequest&) { return ++calls <= 2 ? Script{.status = 500} : ok_feed(); }));
  Harness h;
  h.start(server.url("/flaky"));
  const PollReport& first = h.wait_for_report();
  CHECK(first.error_class == "http_500");
  CHECK(wait_of(first) == Seconds(60));  // backoff_base, above the 1 s minimum
  h.poll_again_and_wait(2);
  CHECK(wait_of(*h.of(scenario_id)[1]) == Seconds(120));
  CHECK(h.of(scenario_id)[1]->decision.state.consecutive_failures == 2);
  h.poll_again_and_wait(3);
  const PollReport& back = *h.of(scenario_id)[2];
  CHECK(back.outcome == PollOutcome::ok);
  CHECK(back.decision.state.consecutive_failures == 0);
  CHECK(wait_of(back) == Seconds(90min));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario slowloris: 1 byte/s against a 2 s deadline times out - others keep going") {
  TestHttpServer server;
  server.on("/slow", Script{.body = feed_xml, .byte_delay = 1s});
  auto options = test_options();
  options.limits.total_timeout = 2s;
  Harness h(options);
  h.start(server.url("/slow"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.outcome == PollOutcome::failed);
  CHECK(r.error_class == "timeout");
  CHECK(r.latency >= 1900ms);
  CHECK(wait_of(r) == Seconds(60));
  CHECK(h.healthy_polls_before >= 2);  // polled while the slow body trickled
  h.check_healthy_polled(2);
}

TEST_CASE("scenario endless body: stopped at the cap") {
  TestHttpServer server;
  server.on("/endless", Script{.endless = true});
  Harness h;
  h.start(server.url("/endless"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.outcome == PollOutcome::failed);
  CHECK(r.error_class == "body_too_large");
  CHECK(wait_of(r) == Seconds(60));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario 2 GB Content-Length: refused at the header") {
  TestHttpServer server;
  server.on("/huge", Script{.body = "x", .content_length = 2'147'483'648ULL});
  Harness h;
  h.start(server.url("/huge"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.error_class == "body_too_large");
  CHECK(r.latency < 1s);
  CHECK(wait_of(r) == Seconds(60));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario gzip bomb: refused at the decoded-size cap") {
  TestHttpServer server;
  server.on("/bomb", Script{.pre_encoded = gzip_bomb(64u << 20)});
  Harness h;
  h.start(server.url("/bomb"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.error_class == "decoded_too_large");
  CHECK_FALSE(r.document);
  CHECK(wait_of(r) == Seconds(60));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario wrong Content-Length: a truncated body is not parsed") {
  TestHttpServer server;
  server.on("/short", Script{.body = feed_xml, .content_length = feed_xml.size() + 100});
  Harness h;
  h.start(server.url("/short"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.error_class == "truncated");
  CHECK_FALSE(r.document);
  CHECK(r.body_hash.empty());
  h.check_healthy_polled(1);
}

TEST_CASE("scenario reset in mid-body: a network failure with backoff") {
  TestHttpServer server;
  server.on("/reset", Script{.body = std::string(200'000, 'a'), .reset_after = 1000});
  Harness h;
  h.start(server.url("/reset"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.error_class == "network");
  CHECK(r.decision.state.consecutive_failures == 1);
  CHECK(wait_of(r) == Seconds(60));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario TLS self-signed - trusted: polled like any feed") {
  TestHttpServer server(test_certificate());
  server.on("/feed", ok_feed());
  auto options = test_options();
  options.use_system_ca = false;
  options.extra_ca_file = test_certificate().cert.string();
  Harness h(options);
  h.start(server.url("/feed"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.outcome == PollOutcome::ok);
  CHECK(r.http_status == 200);
  CHECK(wait_of(r) == Seconds(90min));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario TLS self-signed - untrusted: a tls failure - nothing parsed") {
  TestHttpServer server(test_certificate());
  server.on("/feed", ok_feed());
  Harness h;
  h.start(server.url("/feed"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.outcome == PollOutcome::failed);
  CHECK(r.error_class == "tls");
  CHECK(r.error_text.find("self-signed certificate") != std::string::npos);
  CHECK(server.hits("/feed") == 0);
  CHECK(wait_of(r) == Seconds(60));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario redirect loop: refused - the URL stays") {
  TestHttpServer server;
  server.on("/a", Script{.status = 301, .headers = {{"Location", "/b"}}});
  server.on("/b", Script{.status = 301, .headers = {{"Location", "/a"}}});
  Harness h;
  h.start(server.url("/a"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.error_class == "redirect_loop");
  CHECK_FALSE(r.decision.new_url);
  CHECK(wait_of(r) == Seconds(60));
  CHECK(h.poller.find(scenario_id)->url == server.url("/a"));
  h.check_healthy_polled(1);
}

TEST_CASE("scenario HTML instead of a feed: a parse failure - retried with backoff") {
  TestHttpServer server;
  server.on("/page", Script{.headers = {{"Content-Type", "text/html; charset=utf-8"}},
                            .body = "<!doctype html><html><head><title>Trang chủ</title></head>"
                                    "<body><p>Xin chào</p></body></html>"});
  Harness h;
  h.start(server.url("/page"));
  const PollReport& r = h.wait_for_report();
  CHECK(r.outcome == PollOutcome::failed);
  CHECK(r.http_status == 200);
  CHECK(r.error_class == "not_a_feed");
  CHECK_FALSE(r.document);
  CHECK(r.body_hash.empty());  // the same page next time is parsed (and refused) again
  CHECK(wait_of(r) == Seconds(60));
  h.poll_again_and_wait(2);
  CHECK(h.of(scenario_id)[1]->error_class == "not_a_feed");
  h.check_healthy_polled(1);
}

TEST_CASE("scenario broken body with validators: never a 304 for it - failing until a fetch parses") {
  TestHttpServer server;
  const std::string broken = "<!doctype html><html><body><p>Lỗi máy chủ</p></body></html>";
  server.on("/feed", Script{.headers = {{"Content-Type", "application/rss+xml"}},
                            .body = "<!doctype html><html><body><p>Bảo trì</p></body></html>",
                            .etag = "\"broken\"",
                            .last_modified = "Fri, 27 Nov 2026 01:00:00 GMT"});
  Harness h;
  h.start(server.url("/feed"));
  const PollReport& first = h.wait_for_report();
  CHECK(first.outcome == PollOutcome::failed);
  CHECK(first.etag.empty());  // nothing parsed yet: no validator to keep
  CHECK(first.last_modified.empty());
  h.poll_again_and_wait(2);
  const PollReport& second = *h.of(scenario_id)[1];
  CHECK(server.requests().at(1).header("if-none-match").empty());
  CHECK(server.requests().at(1).header("if-modified-since").empty());
  CHECK(second.outcome == PollOutcome::failed);  // fetched and refused again, not "not modified"
  CHECK(second.http_status == 200);

  // The feed comes back with its own validators: those are kept, and a 304 then means "fine".
  Script good = ok_feed();
  good.etag = "\"good\"";
  server.on("/feed", good);
  h.poll_again_and_wait(3);
  CHECK(h.of(scenario_id)[2]->outcome == PollOutcome::ok);
  CHECK(h.of(scenario_id)[2]->etag == "\"good\"");
  // It breaks again under the same validator: the last good one is what is sent.
  server.on("/feed",
            Script{.headers = {{"Content-Type", "application/rss+xml"}}, .body = broken, .etag = "\"v3\""});
  h.poll_again_and_wait(4);
  CHECK(h.of(scenario_id)[3]->outcome == PollOutcome::failed);
  CHECK(h.of(scenario_id)[3]->etag == "\"good\"");
  h.poll_again_and_wait(5);
  CHECK(server.requests().at(4).header("if-none-match") == "\"good\"");
  CHECK(h.of(scenario_id)[4]->outcome == PollOutcome::failed);
  h.check_healthy_polled(1);
}

TEST_CASE("per-host concurrency: never more than two requests at once to one host") {
  TestHttpServer server;
  ConcurrencyProbe probe;
  server.on("/feed", probe.answering(ok_feed()));
  Harness h;
  for (std::int64_t id = 10; id < 18; ++id) {
    PollSource s;
    s.id = id;
    s.url = server.url("/feed?n=" + std::to_string(id));
    h.poller.upsert(s);
  }
  h.start(server.url("/feed"));
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (server.hits("/feed") < 9 && std::chrono::steady_clock::now() < end) h.io.run_for(20ms);
  CHECK(server.hits("/feed") == 9);
  CHECK(probe.peak.load() == 2);
  h.check_healthy_polled(1);
}

TEST_CASE("reload: a lower max_interval brings healthy sources forward - a server's Retry-After stands") {
  TestHttpServer server;
  server.on("/feed", ok_feed());
  Script asked = ok_feed();
  asked.headers.emplace_back("Retry-After", "7200");
  server.on("/asked", asked);
  Harness h;
  PollSource waiting;
  waiting.id = 3;
  waiting.url = server.url("/asked");
  h.poller.upsert(waiting);
  h.start(server.url("/feed"));
  const PollReport& first = h.wait_for_report();
  CHECK(wait_of(first) == Seconds(90min));
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (h.of(3).empty() && std::chrono::steady_clock::now() < end) h.io.run_for(20ms);
  REQUIRE(h.of(3).size() == 1);
  CHECK(h.of(3)[0]->decision.reason == "retry-after");

  PollerOptions lower = Harness::options();
  lower.policy.max_interval = 2s;
  const tinhop::Instant reloaded = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  h.poller.set_options(lower);
  const PollReport& second = h.wait_for_report(2, 10s);
  CHECK(second.attempted - reloaded <= Seconds(3));  // 2 s, not the 90 min scheduled
  h.io.run_for(1s);
  CHECK(h.of(3).size() == 1);  // still waiting the two hours the server asked for
}
