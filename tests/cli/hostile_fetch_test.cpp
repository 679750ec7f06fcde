// Security issue #16, points 1, 3 and 4, end to end through `tinhop serve`: a remote listing
// page and a remote redirect try to make the daemon fetch an internal service and publish
// what it says; a redirect to another origin tries to take the source's credentials along;
// a source URL carries a password and an API key. The internal service must receive no
// request, nothing internal may be published, and no secret may reach a page or a log line.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Daemon;
using tinhop::test::Script;
using tinhop::test::TestHttpServer;
namespace http = tinhop::test::beast_http;

const std::string kInternalText = "NOI-BO: mật khẩu cơ sở dữ liệu";

std::string card(const std::string& href, const std::string& title) {
  return "<li class=\"tin\"><a href=\"" + href + "\">" + title +
         "</a><span class=\"ngay\">14/09/2026 11:20</span></li>";
}

std::string listing(const std::string& cards) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tin tức</title></head><body><ul>" +
         cards + "</ul></body></html>";
}

std::string article(const std::string& text) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Bài</title></head><body><div "
         "class=\"noi-dung\"><p>" +
         text +
         " — một đoạn văn đủ dài để được nhận là nội dung chính của bài viết này.</p></div></body></html>";
}

std::string feed(const std::string& title) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>" + title +
         "</title><link>https://tin.example.vn/</link><item><title>" + title +
         " số 1</title><link>https://tin.example.vn/1</link><pubDate>Mon, 07 Sep 2026 10:00:00 "
         "GMT</pubDate></item></channel></rss>";
}

std::string get(int port, const std::string& target) {
  auto response = tinhop::test::http_exchange(port, http::verb::get, target);
  REQUIRE(response);
  REQUIRE(response->result_int() == 200);
  return response->body();
}

// Waits until `n` polls are logged as done.
bool wait_for_polls(Daemon& daemon, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::size_t done = 0;
    for (const std::string& e : daemon.events("poll")) done += e.rfind("poll.done", 0) == 0 ? 1 : 0;
    if (done >= n) return true;
    if (!daemon.running()) return false;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("a remote page or redirect cannot make tinhop serve fetch and publish an internal service",
          "[hostile]") {
  tinhop::test::TempFolder dir("tinhop-hostile-fetch");
  TestHttpServer site;      // the agency's site, written in the configuration file
  TestHttpServer internal;  // a service on another loopback port, never to be reached
  internal.on("/secret", Script{.body = article(kInternalText)});
  internal.on("/feed",
              Script{.headers = {{"Content-Type", "application/rss+xml"}}, .body = feed(kInternalText)});
  const std::string cards = card("/bai/1.html", "Tin thật một") +
                            card(internal.url("/secret"), "Tin nội bộ") +
                            card("http://169.254.169.254/latest/meta-data/", "Tin siêu dữ liệu") +
                            card("file:///etc/hostname", "Tin tệp");
  site.on("/tin-tuc",
          Script{.headers = {{"Content-Type", "text/html; charset=utf-8"}}, .body = listing(cards)});
  site.on("/bai/1.html", Script{.headers = {{"Content-Type", "text/html; charset=utf-8"}},
                                .body = article("Nội dung thật từ trang của nguồn")});
  site.on("/moved.rss", Script{.status = 302, .headers = {{"Location", internal.url("/feed")}}});
  site.on("/rss", Script{.headers = {{"Content-Type", "application/rss+xml"}}, .body = feed("Tin có khoá")});

  const int port = tinhop::test::free_loopback_port();
  std::ofstream(dir.path / "tinhop.toml")
      << "[server]\nlisten = \"127.0.0.1:" << port << "\"\n"
      << "[admin]\nenabled = false\n[database]\npath = \"t.db\"\n[retention]\nmax_age = "
         "\"3650d\"\n[fetch]\nhost_spacing = \"0s\"\n"
      << "[[source]]\nurl = \"" << site.url("/tin-tuc") << "\"\ntitle = \"Trang tin\"\ntype = \"html\"\n"
      << "follow_links = true\ndate_order = \"dmy\"\nhtml = { item = \"li.tin\", date = \"span.ngay\" }\n"
      << "[[source]]\nurl = \"" << site.url("/moved.rss") << "\"\ntitle = \"Nguồn chuyển hướng\"\n"
      << "[[source]]\nurl = \"http://tinhop:hunter2@127.0.0.1:" << site.port()
      << "/rss?api_key=abc123&chuyen_muc=1\"\n";
  Daemon daemon(dir.path / "tinhop.toml", dir.path / "daemon.log");
  REQUIRE(wait_for_polls(daemon, 3));
  // The listing's article fetches finish after its poll: wait for the one that is allowed.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (site.hits("/bai/1.html") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(1s);  // the refused ones settle at the same time
  const std::string log = daemon.log_text();
  INFO(log);

  CHECK(site.hits("/bai/1.html") == 1);  // the source's own origin may be internal
  CHECK(internal.requests().empty());    // no other internal origin is ever contacted
  CHECK(internal.connections() == 0);
  CHECK(site.hits("/rss") == 1);

  const std::string page = get(port, "/");
  const std::string json = get(port, "/feed.json");
  const std::string rss = get(port, "/feed.rss");
  const std::string opml = get(port, "/sources.opml");
  for (const std::string* text : {&page, &json, &rss, &opml, &log}) {
    CHECK(text->find("NOI-BO") == std::string::npos);
    CHECK(text->find("hunter2") == std::string::npos);
    CHECK(text->find("abc123") == std::string::npos);
  }
  for (const std::string* text : {&page, &json, &rss, &opml}) {
    CHECK(text->find("file://") == std::string::npos);
    // Source URLs at an internal address are never shown (item links are the articles' own).
    for (const char* path : {"/tin-tuc", "/moved.rss", "/rss"}) {
      CHECK(text->find(std::to_string(site.port()) + path + "\"") == std::string::npos);
      CHECK(text->find(std::to_string(site.port()) + path + "?") == std::string::npos);
    }
  }
  CHECK(json.find("Nội dung thật từ trang của nguồn") != std::string::npos);
  // The redirect to the internal service failed loudly and the source shows why.
  CHECK(log.find("error_class=forbidden_address") != std::string::npos);
  CHECK(log.find("api_key=REDACTED") != std::string::npos);
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(20s) == 0);
}

TEST_CASE("tinhop serve sends a source's credentials to its own origin only", "[hostile]") {
  tinhop::test::TempFolder dir("tinhop-hostile-credentials");
  TestHttpServer site;
  TestHttpServer other;  // another origin the operator allowed, but not for credentials
  site.on("/private.rss", Script{.status = 302, .headers = {{"Location", other.url("/feed.rss")}}});
  other.on("/feed.rss", Script{.headers = {{"Content-Type", "application/rss+xml"}},
                               .body = feed("Tin chuyển sang cổng khác")});
  const int port = tinhop::test::free_loopback_port();
  std::ofstream(dir.path / "tinhop.toml")
      << "[server]\nlisten = \"127.0.0.1:" << port << "\"\n"
      << "[admin]\nenabled = false\n[database]\npath = \"t.db\"\n[retention]\nmax_age = \"3650d\"\n"
      << "[fetch]\nallow_networks = [\"127.0.0.0/8\"]\n"
      << "[[source]]\nurl = \"" << site.url("/private.rss") << "\"\n"
      << "[source.headers]\nAuthorization = \"Bearer s3cret-token\"\nCookie = \"phien=42\"\n";
  Daemon daemon(dir.path / "tinhop.toml", dir.path / "daemon.log");
  REQUIRE(wait_for_polls(daemon, 1));
  INFO(daemon.log_text());
  REQUIRE(site.requests().size() == 1);
  CHECK(site.requests()[0].header("authorization") == "Bearer s3cret-token");
  CHECK(site.requests()[0].header("cookie") == "phien=42");
  REQUIRE(other.requests().size() == 1);
  CHECK(other.requests()[0].header("authorization").empty());
  CHECK(other.requests()[0].header("cookie").empty());
  CHECK(get(port, "/feed.json").find("Tin chuyển sang cổng khác") != std::string::npos);
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(20s) == 0);
}
