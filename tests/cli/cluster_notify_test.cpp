// Two daemons over one PostgreSQL database (issue #18, publishing from any node): a commit
// on one reaches the other's feeds within a second, with new validators; while the
// database is down both serve what they last rendered and say so on /healthz, polling
// pauses, and when it is back they connect again and store what they had not fetched.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>

#include "daemon_harness.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/storage/store.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using tinhop::test::Daemon;
namespace http = tinhop::test::beast_http;

const std::string kToken = "cluster-notify-token-0123456789abcdef";

std::string marker(int round) {
  return "Tin vòng " + std::to_string(round) + "</title>";
}

// Round r's feed: items 0..r, the newest first.
std::string feed_of(int round) {
  std::string items;
  for (int r = round; r >= 0; --r) {
    items += "<item><guid>urn:vong:" + std::to_string(r) + "</guid><title>Tin vòng " + std::to_string(r) +
             "</title><link>https://vong.example/" + std::to_string(r) + "</link></item>";
  }
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Vòng</title>" + items +
         "</channel></rss>";
}

struct Node {
  explicit Node(std::string node_name) : name(std::move(node_name)) {}
  std::string name;
  int port = tinhop::test::free_loopback_port();
  int admin_port = tinhop::test::free_loopback_port();
  std::unique_ptr<Daemon> daemon;
};

// Nodes a (with the admin API, to poll on demand) and b on one fresh database, polling one
// source every `interval` (1h: after the first poll, only a's poll-now fetches).
struct TwoNodes {
  tinhop::test::PostgresServer& postgres;
  std::string database = postgres.fresh_database();
  tinhop::test::TempFolder dir{"tinhop-notify"};
  std::atomic<int> round{0};
  tinhop::test::TestHttpServer feeds;
  Node a{"a"}, b{"b"};
  std::optional<tinhop::storage::Store> observer;  // the test's own connection, opened once

  TwoNodes(tinhop::test::PostgresServer& server, const std::string& interval) : postgres(server) {
    feeds.on("/vong.rss", [this](const tinhop::test::HttpRequest&) {
      return tinhop::test::Script{
          .status = 200, .headers = {{"Content-Type", "application/rss+xml"}}, .body = feed_of(round.load())};
    });
    std::ofstream(dir.path / "token") << kToken << "\n";
    ::chmod((dir.path / "token").c_str(), 0600);
    for (Node* node : {&a, &b}) {
      const auto config = dir.path / (node->name + ".toml");
      std::ofstream out(config);
      out << "[server]\nlisten = \"127.0.0.1:" << node->port << "\"\n";
      if (node == &a) {
        out << "[admin]\nlisten = \"127.0.0.1:" << node->admin_port << "\"\ntoken_file = \""
            << (dir.path / "token").string() << "\"\n";
      } else {
        out << "[admin]\nenabled = false\n";
      }
      out << "[database]\nurl = \"" << database << "\"\n"
          << "[cluster]\nnode = \"" << node->name << "\"\nlease = \"3s\"\n"
          << "[fetch]\nhost_spacing = \"0s\"\nallow_networks = [\"127.0.0.0/8\"]\n"
          << "[poll]\nmin_interval = \"" << interval << "\"\ndefault_interval = \"" << interval
          << "\"\njitter = 0.0\n"
          << "[[source]]\nurl = \"" << feeds.url("/vong.rss") << "\"\n";
      out.close();
      node->daemon = std::make_unique<Daemon>(config, dir.path / (node->name + ".log"));
      // a adds the source; b finds it there.
      REQUIRE(node->daemon->wait_for_event("serve", "serve.started", 30s));
    }
  }

  std::optional<tinhop::test::HttpResponse> get(const Node& node, const std::string& target,
                                                const std::string& etag = {}) {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    boost::beast::error_code ec;
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(node.port)}, ec);
    if (ec) return std::nullopt;
    http::request<http::string_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!etag.empty()) request.set(http::field::if_none_match, etag);
    stream.expires_after(10s);
    http::write(stream, request, ec);
    boost::beast::flat_buffer buffer;
    tinhop::test::HttpResponse response;
    if (!ec) http::read(stream, buffer, response, ec);
    if (ec) return std::nullopt;
    return response;
  }
  std::string feed(const Node& node) {
    auto response = get(node, "/feed.atom");
    return response && response->result_int() == 200 ? response->body() : std::string();
  }
  std::string healthz(const Node& node) {
    auto response = get(node, "/healthz");
    return response ? response->body() : std::string();
  }
  // When `node`'s merged feed first shows `round`'s item; nullopt if not within `limit`.
  std::optional<Clock::time_point> shows(const Node& node, int shown_round, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (feed(node).find(marker(shown_round)) != std::string::npos) return Clock::now();
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }
  void poll_now_on_a() {
    auto polled = tinhop::test::http_exchange(a.admin_port, http::verb::post, "/api/sources/1/poll", kToken);
    REQUIRE(polled);
    REQUIRE(polled->result_int() == 202);
  }
  std::int64_t stored_items() {
    if (!observer) {
      auto opened = tinhop::storage::Store::open(database);
      REQUIRE(opened.has_value());
      observer.emplace(std::move(*opened));
    }
    return observer->stats().value().items;
  }
  std::size_t count_events(Node& node, const std::string& logger, const std::string& prefix) {
    std::size_t n = 0;
    for (const std::string& e : node.daemon->events(logger)) n += e.rfind(prefix, 0) == 0;
    return n;
  }
  void stop() {
    for (Node* node : {&a, &b}) node->daemon->signal(SIGTERM);
    for (Node* node : {&a, &b}) CHECK(node->daemon->wait(20s) == 0);
  }
};

tinhop::test::PostgresServer* postgres_or_skip() {
  auto* postgres = tinhop::test::PostgresServer::instance();
  if (!postgres) {
    if (const char* ci = std::getenv("CI"); ci && std::string(ci) == "true")
      FAIL("CI runs the multi-node tests, but PostgreSQL is absent: "
           << tinhop::test::PostgresServer::absent_reason());
    WARN("PostgreSQL absent, the multi-node test is skipped: "
         << tinhop::test::PostgresServer::absent_reason());
  }
  return postgres;
}

}  // namespace

TEST_CASE("two nodes: a commit on one shows in the other's feeds within a second, and old ETags give 200",
          "[cluster]") {
  auto* postgres = postgres_or_skip();
  if (!postgres) return;
  TwoNodes nodes(*postgres, "1h");
  INFO(nodes.a.daemon->log_text() << nodes.b.daemon->log_text());
  // The first poll, by whichever node claimed the source first.
  REQUIRE(nodes.shows(nodes.a, 0, 30s));
  REQUIRE(nodes.shows(nodes.b, 0, 5s));
  for (int round = 1; round <= 3; ++round) {
    INFO("round " << round);
    const auto before_b = nodes.get(nodes.b, "/feed.atom");
    REQUIRE(before_b);
    const std::string old_etag(before_b->at(http::field::etag));
    REQUIRE(nodes.get(nodes.b, "/feed.atom", old_etag)->result_int() == 304);
    nodes.round = round;
    nodes.poll_now_on_a();
    // The commit, as the database shows it.
    const auto deadline = Clock::now() + 20s;
    while (nodes.stored_items() < round + 1 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    REQUIRE(nodes.stored_items() == round + 1);
    const auto committed = Clock::now();
    const auto on_a = nodes.shows(nodes.a, round, 5s);
    const auto on_b = nodes.shows(nodes.b, round, 5s);
    REQUIRE(on_a);
    REQUIRE(on_b);
    CHECK(*on_a - committed <= 1s);
    CHECK(*on_b - committed <= 1s);
    const auto after_b = nodes.get(nodes.b, "/feed.atom", old_etag);
    REQUIRE(after_b);
    CHECK(after_b->result_int() == 200);
    CHECK(after_b->at(http::field::etag) != old_etag);
  }
  CHECK(nodes.count_events(nodes.b, "poll", "poll.done") <= 1);  // b fetched the first poll at most
  nodes.stop();
}

TEST_CASE("nodes serve their last renderings while the database is down and catch up when it is back",
          "[cluster]") {
  auto* postgres = postgres_or_skip();
  if (!postgres) return;
  constexpr auto kInterval = 10s;  // the shortest poll.min_interval
  TwoNodes nodes(*postgres, "10s");
  INFO(nodes.a.daemon->log_text() << nodes.b.daemon->log_text());
  REQUIRE(nodes.shows(nodes.a, 0, 30s));
  REQUIRE(nodes.shows(nodes.b, 0, 5s));
  // The source's feed title is stored by its own commit after the items': both nodes
  // re-render for it within a second of its notification.
  std::string served;
  for (const auto deadline = Clock::now() + 5s; Clock::now() < deadline;) {
    served = nodes.feed(nodes.b);
    if (served.find("<title>Vòng</title>") != std::string::npos && nodes.feed(nodes.a) == served) break;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(served.find("<title>Vòng</title>") != std::string::npos);
  REQUIRE(nodes.feed(nodes.a) == served);
  const std::string etag(nodes.get(nodes.b, "/feed.atom")->at(http::field::etag));

  postgres->pause();
  nodes.round = 1;
  for (Node* node : {&nodes.a, &nodes.b}) {
    INFO("node " << node->name);
    REQUIRE(node->daemon->wait_for_event("db", "db.unreachable error=\"lost the connection to postgresql://",
                                         5s));
    const std::string health = nodes.healthz(*node);
    CHECK(health.starts_with("degraded\n- database unreachable since "));
    CHECK(health.find("; polling paused, feeds served as last rendered\n") != std::string::npos);
  }
  // Polling pauses for longer than an interval: claims fail, nothing is fetched (a fetch
  // claimed just before the stop may still arrive in the first second).
  std::this_thread::sleep_for(1s);
  const std::size_t fetched = nodes.feeds.hits("/vong.rss");
  std::this_thread::sleep_for(kInterval);
  CHECK(nodes.feeds.hits("/vong.rss") == fetched);
  for (Node* node : {&nodes.a, &nodes.b}) {
    INFO("node " << node->name);
    CHECK(node->daemon->running());
    CHECK(nodes.feed(*node) == served);
    CHECK(nodes.get(*node, "/feed.atom", etag)->result_int() == 304);
    // Once each, however long the database stays away.
    CHECK(nodes.count_events(*node, "db", "db.unreachable") == 1);
    // The claims, renewals (every second) and heartbeats that failed meanwhile: the first
    // failure only; a summary would come after a minute.
    CHECK(nodes.count_events(*node, "cluster", "cluster.claims_failed") +
              nodes.count_events(*node, "cluster", "cluster.renew_failed") +
              nodes.count_events(*node, "cluster", "cluster.heartbeat_failed") ==
          1);
    CHECK(nodes.count_events(*node, "cluster", "cluster.database_failing") == 0);
  }

  postgres->resume();
  for (Node* node : {&nodes.a, &nodes.b}) {
    INFO("node " << node->name);
    REQUIRE(node->daemon->wait_for_event("db", "db.reachable", 15s));
    CHECK(node->daemon->wait_for_event("cluster",
                                       "database.recovered node=" + node->name + " down_for_s=", 15s));
    // Until a commit succeeds the writer's refusal may still show.
    const auto deadline = Clock::now() + 20s;
    while (nodes.healthz(*node).find("database") != std::string::npos && Clock::now() < deadline)
      std::this_thread::sleep_for(50ms);
    CHECK(nodes.healthz(*node).find("database") == std::string::npos);
  }
  // The polls the outage held back: fetched and stored once it is over, once.
  CHECK(nodes.shows(nodes.a, 1, 20s));
  CHECK(nodes.shows(nodes.b, 1, 5s));
  CHECK(nodes.stored_items() == 2);
  for (Node* node : {&nodes.a, &nodes.b})
    CHECK(nodes.count_events(*node, "cluster", "database.recovered") == 1);
  nodes.stop();
}
