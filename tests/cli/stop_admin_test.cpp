// SIGTERM while a slow poll is draining: the admin API answers every request 503 with a
// JSON reason and Retry-After, the public listener stops accepting, the poll in flight
// is still stored, nothing the API acknowledged before is lost, and the daemon exits 0.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Daemon;
namespace http = tinhop::test::beast_http;

const std::string token = "stop-token-0123456789abcdef0123456789";

std::string slow_feed() {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Chậm</title>"
         "<item><title>Tin một</title><link>https://cham.vn/1</link></item>"
         "<item><title>Tin hai</title><link>https://cham.vn/2</link></item></channel></rss>";
}

}  // namespace

TEST_CASE(
    "after SIGTERM the admin API answers 503 stopping while slow polls drain and nothing acknowledged is "
    "lost") {
  tinhop::test::TempFolder dir("tinhop-stop-admin");
  tinhop::test::TestHttpServer feeds;
  tinhop::test::Script slow;
  slow.headers = {{"Content-Type", "application/rss+xml"}};
  slow.body = slow_feed();
  slow.byte_delay = 12ms;  // about 3 s for the whole body: the poll is in flight at SIGTERM
  feeds.on("/slow.rss", slow);

  std::ofstream(dir.path / "token") << token << "\n";
  ::chmod((dir.path / "token").c_str(), 0600);
  const int public_port = tinhop::test::free_loopback_port();
  const int admin_port = tinhop::test::free_loopback_port();
  std::ofstream(dir.path / "tinhop.toml") << "[server]\nlisten = \"127.0.0.1:" << public_port << "\"\n"
                                          << "[admin]\nlisten = \"127.0.0.1:" << admin_port
                                          << "\"\ntoken_file = \"" << (dir.path / "token").string() << "\"\n"
                                          << "[database]\npath = \"t.db\"\n"
                                          << "[[source]]\nurl = \"" << feeds.url("/slow.rss") << "\"\n";
  Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));

  // Added disabled: only the slow source is polled (there is no network to poll these).
  std::set<std::string> acknowledged;
  for (int i = 0; i < 5; ++i) {
    std::string url = "https://truoc" + std::to_string(i) + ".vn/rss";
    auto created = tinhop::test::http_exchange(admin_port, http::verb::post, "/api/sources", token,
                                               "{\"url\":\"" + url + "\",\"enabled\":false}");
    REQUIRE(created);
    REQUIRE(created->result() == http::status::created);
    acknowledged.insert(url);
  }
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (feeds.hits("/slow.rss") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(feeds.hits("/slow.rss") == 1);

  daemon.signal(SIGTERM);
  REQUIRE(daemon.wait_for_event("serve", "serve.stopping"));
  INFO(daemon.log_text());

  auto refused = tinhop::test::http_exchange(admin_port, http::verb::post, "/api/sources", token,
                                             R"({"url":"https://sau.vn/rss"})");
  REQUIRE(refused);
  CHECK(refused->result() == http::status::service_unavailable);
  CHECK(refused->body() ==
        "{\"error\":\"stopping\",\"message\":\"tinhop is stopping; retry once it is back\"}\n");
  CHECK((*refused)[http::field::retry_after] == "10");
  CHECK((*refused)[http::field::content_type] == "application/json");
  CHECK_FALSE(refused->keep_alive());
  // Reads too: nothing waits on a loop that is winding down.
  auto health = tinhop::test::http_exchange(admin_port, http::verb::get, "/api/health", token);
  REQUIRE(health);
  CHECK(health->result() == http::status::service_unavailable);
  CHECK(health->body() == refused->body());
  // The public listener closes at once.
  deadline = std::chrono::steady_clock::now() + 5s;
  while (tinhop::test::accepts_connections(public_port) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK_FALSE(tinhop::test::accepts_connections(public_port));
  // All of this happened while the slow poll was still draining.
  CHECK(daemon.running());

  REQUIRE(daemon.wait(30s) == std::optional<int>(0));
  CHECK(daemon.log_text().find("serve.stopped polls_committed=1") != std::string::npos);

  const std::string db = (dir.path / "t.db").string();
  auto listed = tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " sources --database '" + db +
                                          "' list --json");
  REQUIRE(listed.exit_code == 0);
  std::set<std::string> stored;
  const boost::json::value sources = boost::json::parse(listed.out);
  for (const auto& source : sources.as_array()) {
    stored.insert(std::string(source.at("url").as_string()));
  }
  for (const std::string& url : acknowledged) {
    INFO(url);
    CHECK(stored.count(url) == 1);
  }
  CHECK(stored.count("https://sau.vn/rss") == 0);
  CHECK(stored.size() == acknowledged.size() + 1);
  // The poll in flight at SIGTERM finished and its items were stored.
  auto slow_source = tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " sources --database '" + db +
                                               "' show 1 --json");
  REQUIRE(slow_source.exit_code == 0);
  boost::json::value shown = boost::json::parse(slow_source.out);
  CHECK(shown.at("url").as_string() == feeds.url("/slow.rss"));
  CHECK(shown.at("health").at("items_added") == 2);
  CHECK(shown.at("health").at("status") == "ok");
}
