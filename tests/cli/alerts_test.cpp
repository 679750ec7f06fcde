// Source alerts through the running daemon: a source answering 500 becomes failing, and
// recovered once it answers again; a source quiet for longer than min_quiet becomes stale,
// and recovered with a new item. Each change is logged, counted on /metrics, shown by
// `sources show` and the API, listed in the alerts feed on the admin listener (a wrong
// secret: 404), and POSTed signed to a webhook, which gets it again after a 500.
#include <sys/stat.h>

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <regex>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/websub/signature.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Daemon;
namespace http = tinhop::test::beast_http;

const std::string kToken = "alerts-token-0123456789abcdef0123456789";
const std::string kSecret = "feed-secret-0123456789abcdef0123456789";
const std::string kHookKey = "hook-key-0123456789abcdef0123456789ab";

std::string feed(int items) {
  std::string out = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Báo Thử</title>";
  for (int n = 1; n <= items; ++n) {
    out += "<item><title>Tin số " + std::to_string(n) + " về chủ đề " + std::to_string(n * 7919) +
           "</title><link>https://thu.vn/" + std::to_string(n) + "</link></item>";
  }
  return out + "</channel></rss>";
}

void secret_file(const std::filesystem::path& path, const std::string& value) {
  std::ofstream(path) << value << "\n";
  ::chmod(path.c_str(), 0600);
}

// A daemon polling one source at /feed.rss, with an admin API, an alerts feed and a
// webhook at /hook, both on loopback (allowed like a fetch there).
struct Setup {
  tinhop::test::TempFolder dir{"tinhop-alerts"};
  tinhop::test::TestHttpServer server;
  int public_port = tinhop::test::free_loopback_port();
  int admin_port = tinhop::test::free_loopback_port();

  void write_config(const std::string& alerts) {
    secret_file(dir.path / "token", kToken);
    secret_file(dir.path / "alerts-secret", kSecret);
    secret_file(dir.path / "hook-key", kHookKey);
    std::ofstream(dir.path / "tinhop.toml")
        << "[server]\nlisten = \"127.0.0.1:" << public_port << "\"\n"
        << "[admin]\nlisten = \"127.0.0.1:" << admin_port << "\"\ntoken_file = \""
        << (dir.path / "token").string() << "\"\nalerts_secret_file = \""
        << (dir.path / "alerts-secret").string() << "\"\n"
        << "[database]\npath = \"t.db\"\n"
        << "[fetch]\nallow_networks = [\"127.0.0.0/8\"]\n"
        << "[alerts]\n"
        << alerts << "[[alerts.webhook]]\nurl = \"" << server.url("/hook") << "\"\nsecret_file = \""
        << (dir.path / "hook-key").string() << "\"\n"
        << "[[source]]\nurl = \"" << server.url("/feed.rss") << "\"\ntitle = \"Nguồn thử\"\n";
  }

  void poll_now() {
    auto polled = tinhop::test::http_exchange(admin_port, http::verb::post, "/api/sources/1/poll", kToken);
    REQUIRE(polled);
    REQUIRE(polled->result() == http::status::accepted);
  }

  std::string metrics() {
    auto got = tinhop::test::http_exchange(public_port, http::verb::get, "/metrics");
    REQUIRE(got);
    return got->body();
  }

  bool wait_for_metric(const std::string& line) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (metrics().find(line) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

// The alert lines of the log, their kind and detail.
std::vector<std::string> alert_events(const Daemon& daemon) {
  std::vector<std::string> out;
  for (const std::string& line : daemon.events("alerts")) {
    if (line.starts_with("alert."))
      out.push_back(line.substr(0, line.find(" source=")) + line.substr(line.find(" detail=")));
  }
  return out;
}

std::string without_times(const std::string& text) {
  static const std::regex time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  return std::regex_replace(text, time, "TIME");
}

}  // namespace

TEST_CASE("a source answering 500 is failing, then recovered; told to the log, metrics, feed and a webhook",
          "[alerts]") {
  Setup s;
  std::atomic<int> feed_status{500};
  s.server.on("/feed.rss", [&](const tinhop::test::HttpRequest&) {
    return tinhop::test::Script{.status = feed_status.load(),
                                .headers = {{"Content-Type", "application/rss+xml"}},
                                .body = feed_status == 200 ? feed(2) : "down"};
  });
  std::mutex hook_mutex;
  std::vector<tinhop::test::HttpRequest> hook_requests;
  s.server.on("/hook", [&](const tinhop::test::HttpRequest& request) {
    std::lock_guard lock(hook_mutex);
    hook_requests.push_back(request);
    return tinhop::test::Script{.status = hook_requests.size() == 1 ? 500 : 204};
  });
  s.write_config("failing_after = 2\nmin_quiet = \"1h\"\ncheck_interval = \"1s\"\n");
  Daemon daemon(s.dir.path / "tinhop.toml", s.dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  INFO(daemon.log_text());
  REQUIRE(daemon.wait_for_event("poll", "poll.done source=1"));
  s.poll_now();
  REQUIRE(daemon.wait_for_event("alerts", "alert.failing"));
  CHECK(alert_events(daemon) ==
        std::vector<std::string>{
            "alert.failing detail=\"2 failed polls in a row, the last: HTTP status 500\""});

  // The condition, as `sources show` and the API give it.
  const std::string db = (s.dir.path / "t.db").string();
  auto shown = tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " sources --database '" + db +
                                         "' show 1 --json");
  REQUIRE(shown.exit_code == 0);
  const boost::json::value alert = boost::json::parse(shown.out).at("alert");
  CHECK(alert.at("condition") == "failing");
  CHECK(alert.at("since").is_string());
  auto api = tinhop::test::http_exchange(s.admin_port, http::verb::get, "/api/sources/1", kToken);
  REQUIRE(api);
  CHECK(boost::json::parse(api->body()).at("alert") == alert);

  // The webhook's first answer was a 500: the message goes again, before the next one.
  REQUIRE(s.wait_for_metric("tinhop_alert_webhook_deliveries_total{result=\"ok\"} 1\n"));
  feed_status = 200;
  s.poll_now();
  REQUIRE(daemon.wait_for_event("alerts", "alert.recovered"));
  CHECK(
      alert_events(daemon) ==
      std::vector<std::string>{"alert.failing detail=\"2 failed polls in a row, the last: HTTP status 500\"",
                               "alert.recovered detail=\"polls succeed again\""});
  shown =
      tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " sources --database '" + db + "' show 1");
  CHECK(shown.out.find("\nalert: condition=healthy, since=-\n") != std::string::npos);

  // /metrics: the counts the one-second tick copies.
  REQUIRE(s.wait_for_metric("tinhop_alert_webhook_deliveries_total{result=\"ok\"} 2\n"));
  const std::string metrics = s.metrics();
  CHECK(metrics.find("tinhop_alert_sources{condition=\"failing\"} 0\n") != std::string::npos);
  CHECK(metrics.find("tinhop_alert_transitions_total{kind=\"failing\"} 1\n") != std::string::npos);
  CHECK(metrics.find("tinhop_alert_transitions_total{kind=\"recovered\"} 1\n") != std::string::npos);
  CHECK(metrics.find("tinhop_alert_webhook_deliveries_total{result=\"failed\"} 1\n") != std::string::npos);

  // The webhook: the failing message twice (a 500, then again), the recovery once, all signed.
  {
    std::lock_guard lock(hook_mutex);
    REQUIRE(hook_requests.size() == 3);
    std::vector<std::string> kinds;
    for (const auto& request : hook_requests) {
      CHECK(request.header("content-type") == "application/json");
      CHECK(tinhop::websub::signature_matches(request.header("x-tinhop-signature"), kHookKey, request.body));
      CHECK(request.header("x-tinhop-signature").starts_with("sha256="));
      const boost::json::value body = boost::json::parse(request.body);
      kinds.emplace_back(body.at("kind").as_string());
      CHECK(body.at("source").at("id") == 1);
      CHECK(body.at("source").at("title") == "Nguồn thử");
    }
    CHECK(hook_requests[0].body == hook_requests[1].body);
    CHECK(kinds == std::vector<std::string>{"failing", "failing", "recovered"});
    CHECK(
        without_times(hook_requests[2].body) ==
        R"({"id":2,"kind":"recovered","at":"TIME","detail":"polls succeed again","source":{"id":1,"url":")" +
            s.server.url("/feed.rss") + R"(","title":"Nguồn thử"}})");
  }

  // The alerts feed: the newest first; any other secret is not found, like any other path.
  auto atom = tinhop::test::http_exchange(s.admin_port, http::verb::get, "/alerts/" + kSecret + ".atom");
  REQUIRE(atom);
  CHECK(atom->result() == http::status::ok);
  CHECK((*atom)[http::field::content_type] == "application/atom+xml; charset=utf-8");
  const std::string source_url = s.server.url("/feed.rss");
  CHECK(without_times(atom->body()) ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        "  <id>urn:tinhop:alerts</id>\n"
        "  <title>tinhop: source alerts</title>\n"
        "  <updated>TIME</updated>\n"
        "  <author>\n    <name>tinhop</name>\n  </author>\n"
        "  <entry>\n"
        "    <id>urn:tinhop:alert:2</id>\n"
        "    <title>recovered: Nguồn thử</title>\n"
        "    <updated>TIME</updated>\n"
        "    <link href=\"" +
            source_url +
            "\" />\n"
            "    <category term=\"recovered\" />\n"
            "    <summary>polls succeed again</summary>\n"
            "  </entry>\n"
            "  <entry>\n"
            "    <id>urn:tinhop:alert:1</id>\n"
            "    <title>failing: Nguồn thử</title>\n"
            "    <updated>TIME</updated>\n"
            "    <link href=\"" +
            source_url +
            "\" />\n"
            "    <category term=\"failing\" />\n"
            "    <summary>2 failed polls in a row, the last: HTTP status 500</summary>\n"
            "  </entry>\n"
            "</feed>\n");
  for (const std::string& wrong :
       std::vector<std::string>{"/alerts/" + kSecret.substr(0, kSecret.size() - 1) + "x.atom",
                                "/alerts/" + kSecret, "/alerts/.atom"}) {
    INFO(wrong);
    auto refused = tinhop::test::http_exchange(s.admin_port, http::verb::get, wrong);
    REQUIRE(refused);
    CHECK(refused->result() == http::status::not_found);
    CHECK(refused->body() == "not found\n");
  }
  // The secret never reaches the log.
  CHECK(daemon.log_text().find(kSecret) == std::string::npos);
}

TEST_CASE("a source quiet for longer than min_quiet is stale, and recovered by a new item", "[alerts]") {
  Setup s;
  std::atomic<int> items{1};
  s.server.on("/feed.rss", [&](const tinhop::test::HttpRequest&) {
    return tinhop::test::Script{
        .status = 200, .headers = {{"Content-Type", "application/rss+xml"}}, .body = feed(items.load())};
  });
  s.server.on("/hook", tinhop::test::Script{.status = 204});
  s.write_config("min_quiet = \"2s\"\ncheck_interval = \"1s\"\n");
  Daemon daemon(s.dir.path / "tinhop.toml", s.dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  INFO(daemon.log_text());
  REQUIRE(daemon.wait_for_event("alerts", "alert.stale"));
  items = 2;
  s.poll_now();
  REQUIRE(daemon.wait_for_event("alerts", "alert.recovered"));
  const std::vector<std::string> told = alert_events(daemon);
  REQUIRE(told.size() == 2);
  CHECK(std::regex_match(told[0],
                         std::regex(R"re(alert\.stale detail="no new item for \d+s \(allowed: 2s\)")re")));
  CHECK(told[1] == "alert.recovered detail=\"a new item arrived\"");
  REQUIRE(s.wait_for_metric("tinhop_alert_transitions_total{kind=\"stale\"} 1\n"));
}

TEST_CASE("check-config and serve refuse a webhook key others may read", "[alerts]") {
  Setup s;
  s.write_config("");
  const std::string config = (s.dir.path / "tinhop.toml").string();
  const std::string key = (s.dir.path / "hook-key").string();
  ::chmod(key.c_str(), 0644);
  const auto checked =
      tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " check-config '" + config + "'");
  CHECK(checked.exit_code == 1);
  CHECK(checked.err == config + ":12: alerts.webhook[0].secret_file: " + key +
                           " has mode 0644; only its owner may read it: chmod 600 " + key + "\n" + config +
                           ": 1 error\n");
  const auto served =
      tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " serve --config '" + config + "'");
  CHECK(served.exit_code == 78);
  CHECK(served.err.find("tinhop serve: alerts.webhook " + s.server.url("/hook") + ": secret_file: " + key +
                        " has mode 0644; only its owner may read it: chmod 600 " + key + "\n") !=
        std::string::npos);
}
