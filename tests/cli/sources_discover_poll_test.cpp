// `tinhop sources add https://site/` finds the site's feed; `tinhop sources poll` asks the
// running daemon to poll now.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Script;
using tinhop::test::TestHttpServer;

tinhop::test::CommandResult tinhop_in(const std::filesystem::path& folder, const std::string& args) {
  return tinhop::test::run_command("cd '" + folder.string() + "' && " + std::string(TINHOP_EXECUTABLE) + " " +
                                   args + " 2>&1");
}

Script page(std::string head) {
  return Script{.headers = {{"Content-Type", "text/html; charset=utf-8"}},
                .body = "<html><head>" + head + "</head><body><p>Trang chủ</p></body></html>"};
}

Script rss(const std::string& title) {
  return Script{.headers = {{"Content-Type", "application/rss+xml"}},
                .body = "<rss version=\"2.0\"><channel><title>" + title +
                        "</title><item><title>Một</title><link>https://bao.example/1</link></item>"
                        "</channel></rss>"};
}

const std::string config_text =
    "[admin]\nenabled = false\n[database]\npath = \"t.db\"\n"
    "[fetch]\nallow_networks = [\"127.0.0.0/8\"]\n";

}  // namespace

TEST_CASE("sources add with a site's address adds the feed the site names", "[cli][discover]") {
  tinhop::test::TempFolder dir("tinhop-cli-discover");
  std::ofstream(dir.path / "t.toml") << config_text;
  TestHttpServer site;
  site.on("/", page(R"(<link rel="alternate" type="application/rss+xml" href="/tin-moi.rss">)"));
  site.on("/tin-moi.rss", rss("Tin mới"));

  auto added = tinhop_in(dir.path, "sources -c t.toml add " + site.url("/"));
  CHECK(added.exit_code == 0);
  CHECK(added.out == "found " + site.url("/tin-moi.rss") +
                         " (alternate_link)\nadded source 1: " + site.url("/tin-moi.rss") + "\n");
  // A feed's own address is added as it is, once fetched to be sure (--discover).
  site.on("/khac.rss", rss("Khác"));
  auto direct = tinhop_in(dir.path, "sources -c t.toml add --discover " + site.url("/khac.rss"));
  CHECK(direct.out == "added source 2: " + site.url("/khac.rss") + "\n");
}

TEST_CASE("sources add with a site's address lists the feeds when there are several, and adds none",
          "[cli][discover]") {
  tinhop::test::TempFolder dir("tinhop-cli-discover-several");
  std::ofstream(dir.path / "t.toml") << config_text;
  TestHttpServer site;
  site.on("/", page(R"(<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/a.rss">
                       <link rel="alternate" type="application/rss+xml" href="/b.rss">)"));
  site.on("/a.rss", rss("Tin mới - Báo"));
  site.on("/b.rss", rss(""));
  auto several = tinhop_in(dir.path, "sources -c t.toml add " + site.url("/"));
  CHECK(several.exit_code == 1);
  CHECK(several.out == "tinhop sources: 2 feeds found on " + site.url("/") +
                           "; add one of them by its URL:\n  " + site.url("/a.rss") +
                           "  \"Tin mới - Báo\" (rss, 1 items)\n  " + site.url("/b.rss") +
                           "  (untitled) (rss, 1 items)\n");
  CHECK(tinhop_in(dir.path, "sources -c t.toml list --json").out == "[]\n");

  TestHttpServer empty;
  empty.on("/", page(""));
  auto none = tinhop_in(dir.path, "sources -c t.toml add " + empty.url("/"));
  CHECK(none.exit_code == 1);
  CHECK(none.out == "tinhop sources: no feed found on " + empty.url("/") +
                        "; to read the page itself, try `tinhop sources preview " + empty.url("/") +
                        " --suggest`, then add it with --type html\n");
  auto html = tinhop_in(dir.path, "sources -c t.toml add " + empty.url("/") + " --type html --html-item p");
  CHECK(html.out == "added source 1: " + empty.url("/") + "\n");
}

TEST_CASE("sources poll asks the running daemon to poll the sources now", "[cli][poll]") {
  tinhop::test::TempFolder dir("tinhop-cli-poll");
  TestHttpServer feeds;
  feeds.on("/tin.rss", rss("Tin"));
  std::ofstream(dir.path / "token") << "poll-token-0123456789abcdef0123456789\n";
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
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (feeds.hits("/tin.rss") == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  REQUIRE(feeds.hits("/tin.rss") == 1);

  auto polled = tinhop_in(dir.path, "sources -c t.toml poll 1");
  CHECK(polled.exit_code == 0);
  CHECK(polled.out == "polling now: 1\n");
  deadline = std::chrono::steady_clock::now() + 20s;
  while (feeds.hits("/tin.rss") == 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  CHECK(feeds.hits("/tin.rss") == 2);

  auto all = tinhop_in(dir.path, "sources -c t.toml poll --all");
  CHECK(all.out == "polling now: 1\n");
  auto missing = tinhop_in(dir.path, "sources -c t.toml poll 7");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out == "tinhop sources poll: 7: no source with id 7\n");
  auto neither = tinhop_in(dir.path, "sources -c t.toml poll");
  CHECK(neither.exit_code == 1);
  CHECK(neither.out == "tinhop sources poll: name the sources to poll (IDs), or --all\n");
  auto wrong_token = tinhop_in(dir.path, "sources -c t.toml poll 1 --token-file /nonexistent/token");
  CHECK(wrong_token.exit_code == 1);
  CHECK(wrong_token.out.rfind("tinhop sources poll: admin.token_file: cannot read /nonexistent/token: ", 0) ==
        0);
}
