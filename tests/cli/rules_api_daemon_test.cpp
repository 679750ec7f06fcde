// A rule added through the admin API of a running daemon drops the next matching item it
// ingests, without a restart (issue #20).
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/storage/store.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Script;
using tinhop::test::TestHttpServer;

Script rss(const std::string& items) {
  return Script{.headers = {{"Content-Type", "application/rss+xml"}},
                .body = "<rss version=\"2.0\"><channel><title>Tin</title>" + items + "</channel></rss>"};
}

std::string item(const std::string& id, const std::string& title) {
  return "<item><guid>" + id + "</guid><title>" + title + "</title><link>https://bao.example/" + id +
         "</link></item>";
}

std::size_t count_events(tinhop::test::Daemon& daemon, const std::string& logger, const std::string& prefix) {
  const auto events = daemon.events(logger);
  return static_cast<std::size_t>(std::count_if(
      events.begin(), events.end(), [&](const std::string& e) { return e.rfind(prefix, 0) == 0; }));
}

}  // namespace

TEST_CASE("a rule added through the API drops the next ingested matching item", "[cli][rules]") {
  tinhop::test::TempFolder dir("tinhop-rules-api-daemon");
  TestHttpServer feeds;
  feeds.on("/tin.rss", rss(item("1", "Giá vàng tăng")));
  const std::string token = "rules-token-0123456789abcdef0123456789";
  std::ofstream(dir.path / "token") << token << "\n";
  ::chmod((dir.path / "token").c_str(), 0600);
  const int admin_port = tinhop::test::free_loopback_port();
  std::ofstream(dir.path / "t.toml") << "[server]\nlisten = \"127.0.0.1:"
                                     << tinhop::test::free_loopback_port()
                                     << "\"\n[admin]\nlisten = \"127.0.0.1:" << admin_port
                                     << "\"\ntoken_file = \"" << (dir.path / "token").string()
                                     << "\"\n[database]\npath = \"t.db\"\n"
                                     << "[fetch]\nhost_spacing = \"0s\"\nallow_networks = [\"127.0.0.0/8\"]\n"
                                     << "[[source]]\nurl = \"" << feeds.url("/tin.rss")
                                     << "\"\ninterval = \"1h\"\n";
  tinhop::test::Daemon daemon(dir.path / "t.toml", dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  REQUIRE(daemon.wait_for_event("poll", "poll.done source=1"));

  const auto added =
      tinhop::test::http_exchange(admin_port, tinhop::test::beast_http::verb::post, "/api/rules", token,
                                  R"({"name":"horoscope","action":"drop","pattern":"tu vi"})");
  REQUIRE(added);
  CHECK(added->result() == tinhop::test::beast_http::status::created);
  REQUIRE(daemon.wait_for_event("rules", "rules.loaded applied=1"));

  feeds.on("/tin.rss",
           rss(item("1", "Giá vàng tăng") + item("2", "Tử vi ngày mai") + item("3", "Lũ ở Lào Cai")));
  const auto polled = tinhop::test::http_exchange(admin_port, tinhop::test::beast_http::verb::post,
                                                  "/api/sources/1/poll", token);
  REQUIRE(polled);
  CHECK(polled->result() == tinhop::test::beast_http::status::accepted);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (count_events(daemon, "poll", "poll.done source=1") < 2 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  REQUIRE(count_events(daemon, "poll", "poll.done source=1") == 2);

  auto store = tinhop::storage::Store::open((dir.path / "t.db").string());
  REQUIRE(store.has_value());
  std::vector<tinhop::storage::RuleCount> counts;
  const auto counted_by = std::chrono::steady_clock::now() + 10s;
  while (counts.empty() && std::chrono::steady_clock::now() < counted_by) {
    counts = store->rule_counts(1).value();
    std::this_thread::sleep_for(20ms);
  }
  CHECK(counts == std::vector<tinhop::storage::RuleCount>{{1, "horoscope", 1, 0}});
  std::vector<std::string> titles;
  for (const auto& stored : store->source_items(1, 10).value()) titles.push_back(stored.title.value_or(""));
  std::sort(titles.begin(), titles.end());
  CHECK(titles == std::vector<std::string>{"Giá vàng tăng", "Lũ ở Lào Cai"});
}
