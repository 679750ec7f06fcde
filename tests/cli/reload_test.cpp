// SIGHUP and POST /api/reload on a running daemon: every setting that can change live is
// applied (proved for the user agent on the wire) and logged one line per setting; the
// listeners and the database stay until a restart and say so.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Daemon;
namespace http = tinhop::test::beast_http;

const std::string token = "reload-token-0123456789abcdef0123456789";

struct Ports {
  int server = tinhop::test::free_loopback_port();
  int admin = tinhop::test::free_loopback_port();
};

void write_config(const std::filesystem::path& dir, const Ports& ports, const std::string& feed,
                  const std::string& extra, const std::string& database = "t.db") {
  std::ofstream(dir / "tinhop.toml") << "[server]\nlisten = \"127.0.0.1:" << ports.server << "\"\n"
                                     << "[admin]\nlisten = \"127.0.0.1:" << ports.admin
                                     << "\"\ntoken_file = \"" << (dir / "token").string() << "\"\n"
                                     << "[database]\npath = \"" << database << "\"\n"
                                     << extra << "[[source]]\nurl = \"" << feed << "\"\n";
}

bool wait_for_hits(const tinhop::test::TestHttpServer& server, const std::string& path, std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (server.hits(path) < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  return server.hits(path) >= n;
}

}  // namespace

TEST_CASE("a reload applies every live setting and names each one that needs a restart") {
  tinhop::test::TempFolder dir("tinhop-reload");
  tinhop::test::TestHttpServer feeds;
  feeds.on("/feed.rss",
           tinhop::test::Script{
               .headers = {{"Content-Type", "application/rss+xml"}},
               .body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>"
                       "<item><title>Tin</title><link>https://t.vn/1</link></item></channel></rss>"});
  std::ofstream(dir.path / "token") << token;
  ::chmod((dir.path / "token").c_str(), 0600);
  const Ports ports;
  write_config(dir.path, ports, feeds.url("/feed.rss"), "");
  Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  REQUIRE(wait_for_hits(feeds, "/feed.rss", 1));
  CHECK(feeds.requests().at(0).header("user-agent").rfind("tinhop/", 0) == 0);

  const Ports moved;
  write_config(dir.path, {moved.server, ports.admin}, feeds.url("/feed.rss"),
               "[fetch]\nuser_agent = \"reload-probe/2\"\nmax_redirects = 3\nper_host_concurrency = 1\n"
               "articles_per_poll = 4\n"
               "[poll]\nmin_interval = \"5m\"\nmax_backoff = \"1h\"\n"
               "[retention]\nmax_age = \"30d\"\n"
               "[dedup]\nsimilarity = 0.3\n"
               "[defaults]\ntime_zone = \"Asia/Bangkok\"\n"
               "[log]\nlevel = \"debug\"\n",
               "other.db");
  daemon.signal(SIGHUP);
  REQUIRE(daemon.wait_for_event("config", "config.reloaded"));
  const std::string running_db = (dir.path / "t.db").string();
  const std::string file_db = (dir.path / "other.db").string();
  const std::vector<std::string> expected = {
      "config.restart_needed key=server.listen running=127.0.0.1:" + std::to_string(ports.server) +
          " file=127.0.0.1:" + std::to_string(moved.server),
      "config.restart_needed key=database.path running=" + running_db + " file=" + file_db,
      "config.applied key=fetch.user_agent from=\"\" to=reload-probe/2",
      "config.applied key=fetch.max_redirects from=5 to=3",
      "config.applied key=fetch.per_host_concurrency from=2 to=1",
      "config.applied key=fetch.articles_per_poll from=10 to=4",
      "config.applied key=poll.min_interval from=2m to=5m",
      "config.applied key=poll.max_backoff from=6h to=1h",
      "config.applied key=retention.max_age from=90d to=30d",
      "config.restart_needed key=dedup.similarity running=0.25 file=0.3",
      "config.applied key=defaults.time_zone from=Asia/Ho_Chi_Minh to=Asia/Bangkok",
      "config.applied key=log.level from=info to=debug",
  };
  std::vector<std::string> events = daemon.events("config");
  REQUIRE(events.size() == expected.size() + 1);
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(events[i] == expected[i]);
  CHECK(events.back().rfind("config.reloaded file=" + (dir.path / "tinhop.toml").string() + " ", 0) == 0);

  // The new user agent goes out with the next fetch.
  auto polled = tinhop::test::http_exchange(ports.admin, http::verb::post, "/api/sources/1/poll", token);
  REQUIRE(polled);
  CHECK(polled->result() == http::status::accepted);
  REQUIRE(wait_for_hits(feeds, "/feed.rss", 2));
  CHECK(feeds.requests().at(1).header("user-agent") == "reload-probe/2");
  // The public listener did not move.
  CHECK(tinhop::test::accepts_connections(ports.server));
  CHECK_FALSE(tinhop::test::accepts_connections(moved.server));

  // The API reloads the same way; only what still waits for a restart is left to say.
  auto reloaded = tinhop::test::http_exchange(ports.admin, http::verb::post, "/api/reload", token);
  REQUIRE(reloaded);
  CHECK(reloaded->result() == http::status::ok);
  CHECK(boost::json::parse(reloaded->body()) ==
        boost::json::parse("{\"applied\":true,\"errors\":[],\"notes\":["
                           "\"server.listen: needs a restart (running 127.0.0.1:" +
                           std::to_string(ports.server) + ", file 127.0.0.1:" + std::to_string(moved.server) +
                           ")\",\"database.path: needs a restart (running " + running_db + ", file " +
                           file_db + ")\",\"dedup.similarity: needs a restart (running 0.25, file 0.3)\"]}"));

  // An invalid file is refused and the running configuration stays.
  std::ofstream(dir.path / "tinhop.toml", std::ios::app) << "[poll]\njitter = 2\n";
  auto refused = tinhop::test::http_exchange(ports.admin, http::verb::post, "/api/reload", token);
  REQUIRE(refused);
  CHECK(refused->result() == http::status::unprocessable_entity);
  CHECK(boost::json::parse(refused->body()).at("applied") == false);

  daemon.signal(SIGTERM);
  CHECK(daemon.wait(20s) == std::optional<int>(0));
}
