// An html source with follow_links, end to end: `tinhop serve` polls a listing page on the
// loopback test server, fetches each new item's article page once (at most
// articles_per_poll per poll), stores its main text as the item's content, keeps an item
// whose article fails, and never fetches an article again, also after a restart.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "support/process.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/storage/store.hpp"

namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

const std::string kToken = "follow-token-0123456789abcdef0123456789";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string card(const std::string& slug, const std::string& title) {
  return "<li class=\"tin\"><a href=\"/bai/" + slug + ".html\">" + title +
         "</a><span class=\"ngay\">14/09/2026 11:20</span></li>";
}

std::string listing(const std::string& cards) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tin tức</title></head><body>"
         "<ul>" +
         cards + "</ul></body></html>";
}

// An agency article: navigation, the body, and an "other articles" block beside it.
std::string article(const std::string& name) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + name +
         "</title></head><body><nav><a href=\"/\">Trang chủ</a></nav><div class=\"detail\"><h1>" + name +
         "</h1><div class=\"noi-dung\"><p>Đoạn thứ nhất của " + name +
         " kể lại hội nghị sáng nay tại trụ sở tỉnh.</p><p>Đoạn thứ hai, có <a "
         "href=\"/lien-quan.html\">liên kết</a> và <script>track()</script>kết luận.</p></div></div>"
         "<div class=\"other\"><p>Các tin khác: một đoạn dài không thuộc về bài viết này chút nào "
         "cả.</p></div>"
         "</body></html>";
}

// The body of article(name) as stored: sanitized, links absolute against the article.
std::string stored_body(const std::string& name, const std::string& origin) {
  return "<p>Đoạn thứ nhất của " + name +
         " kể lại hội nghị sáng nay tại trụ sở tỉnh.</p><p>Đoạn thứ hai, có <a href=\"" + origin +
         "/lien-quan.html\" rel=\"nofollow noopener noreferrer\">liên kết</a> và kết luận.</p>";
}

struct Daemon {
  pid_t pid = -1;
  int out = -1;
  std::string log;

  Daemon(const fs::path& config) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::dup2(pipe_fds[1], 2);
      ::close(pipe_fds[0]);
      ::execl(TINHOP_EXECUTABLE, TINHOP_EXECUTABLE, "serve", "--config", config.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    out = pipe_fds[0];
    ::fcntl(out, F_SETFL, O_NONBLOCK);
  }
  void drain() {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out, buf, sizeof buf)) > 0) log.append(buf, static_cast<std::size_t>(n));
  }
  // Waits (at most 20 s) until the log holds `needle` `times` times.
  bool wait_for(const std::string& needle, std::size_t times) {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      drain();
      if (count(log, needle) >= times) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  int stop() {
    ::kill(pid, SIGTERM);
    int status = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      drain();
      if (Clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    drain();
    ::close(out);
    pid = -1;
    return tinhop::test::exit_code_of(status);
  }
  ~Daemon() {
    if (pid > 0) stop();
  }
};

// The token, and a config with one html source at `listing` that follows links, at most
// `per_poll` articles per poll; returns the admin port.
int write_follow_config(const fs::path& dir, const std::string& listing, int per_poll) {
  std::ofstream(dir / "token") << kToken << "\n";
  ::chmod((dir / "token").c_str(), 0600);
  const int admin_port = tinhop::test::free_loopback_port();
  std::ofstream(dir / "tinhop.toml")
      << "[server]\nlisten = \"127.0.0.1:" << tinhop::test::free_loopback_port() << "\"\n"
      << "[admin]\nlisten = \"127.0.0.1:" << admin_port << "\"\ntoken_file = \"" << (dir / "token").string()
      << "\"\n[database]\npath = \"" << (dir / "t.db").string()
      << "\"\n"
      // The cards are dated 14/09/2026: keep them past the default 90-day retention.
      << "[retention]\nmax_age = \"3650d\"\n"
      << "[fetch]\nhost_spacing = \"0s\"\narticles_per_poll = " << per_poll << "\n"
      << "[[source]]\nurl = \"" << listing << "\"\ntype = \"html\"\nfollow_links = true\n"
      << "date_order = \"dmy\"\nhtml = { item = \"li.tin\", date = \"span.ngay\" }\n";
  return admin_port;
}

// POST /api/sources/1/poll until the poller knows the source; the final status.
int poll_now(int admin_port) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    beast::error_code ec;
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(admin_port)}, ec);
    if (!ec) {
      http::request<http::string_body> request{http::verb::post, "/api/sources/1/poll", 11};
      request.set(http::field::host, "127.0.0.1");
      request.set(http::field::authorization, "Bearer " + kToken);
      request.prepare_payload();
      http::write(stream, request, ec);
      beast::flat_buffer buffer;
      http::response<http::string_body> response;
      if (!ec) http::read(stream, buffer, response, ec);
      if (!ec && response.result_int() != 503) return response.result_int();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

// Every stored item of source 1 by link: its content, or "-" for none.
std::map<std::string, std::string> stored_contents(const fs::path& db) {
  tinhop::storage::OpenOptions options;
  options.read_only = true;
  auto store = tinhop::storage::Store::open(db.string(), options);
  REQUIRE(store.has_value());
  tinhop::storage::ClusterQuery query;
  query.source_id = 1;
  std::map<std::string, std::string> out;
  for (const auto& view : store->latest_clusters(query).value().clusters) {
    out[view.item.link.value_or("")] = view.item.content.value_or("-");
  }
  return out;
}

}  // namespace

TEST_CASE("an html source with follow_links stores each new item article once within the poll limit",
          "[cli][html]") {
  const fs::path dir = fs::temp_directory_path() / ("tinhop-follow-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  tinhop::test::TestHttpServer server;
  const std::string origin = server.url("");
  // Each listing version adds one story on top.
  std::atomic<int> listing_version{0};
  server.on("/tin-tuc", [&](const tinhop::test::HttpRequest&) {
    const int version = listing_version.load();
    std::string cards;
    if (version >= 2) cards += card("a6", "Tin A6");
    if (version >= 1) cards += card("a5", "Tin A5");
    cards += card("a1", "Tin A1") + card("a2", "Tin A2") + card("a3", "Tin A3") + card("a4", "Tin A4");
    return tinhop::test::Script{
        .status = 200, .headers = {{"Content-Type", "text/html; charset=utf-8"}}, .body = listing(cards)};
  });
  for (const std::string name : {"a1", "a2", "a4", "a5", "a6"}) {
    server.on("/bai/" + name + ".html",
              tinhop::test::Script{.status = 200,
                                   .headers = {{"Content-Type", "text/html; charset=utf-8"}},
                                   .body = article("Bài " + name)});
  }
  server.on("/bai/a3.html", tinhop::test::Script{.status = 404, .body = "not here"});

  const int admin_port = write_follow_config(dir, server.url("/tin-tuc"), 3);
  auto article_hits = [&] {
    std::string hits;
    for (const std::string name : {"a1", "a2", "a3", "a4", "a5", "a6"})
      hits += std::to_string(server.hits("/bai/" + name + ".html"));
    return hits;
  };
  const std::string a3 =
      "article.failed source=1 url=" + server.url("/bai/a3.html") + " error=\"HTTP status 404\"";
  {
    Daemon daemon(dir / "tinhop.toml");
    // First poll: four new items, three articles (the limit) in listing order; a3's 404
    // leaves its item without content.
    REQUIRE(daemon.wait_for("poll.done source=1", 1));
    INFO(daemon.log);
    CHECK(count(daemon.log, "items_added=4") == 1);
    CHECK(article_hits() == "111000");
    CHECK(count(daemon.log, a3) == 1);
    // Second poll, one story more: its article and a4's (left over by the limit); a1-a3
    // are not fetched again.
    listing_version = 1;
    REQUIRE(poll_now(admin_port) == 202);
    REQUIRE(daemon.wait_for("poll.done source=1", 2));
    CHECK(count(daemon.log, "items_added=1") == 1);
    CHECK(article_hits() == "111110");
    CHECK(daemon.stop() == 0);
  }
  CHECK(server.hits("/tin-tuc") == 2);
  {
    // After a restart (nothing in memory), a changed listing brings only a6's article.
    Daemon daemon(dir / "tinhop.toml");
    listing_version = 2;
    REQUIRE(poll_now(admin_port) == 202);
    REQUIRE(daemon.wait_for("poll.done source=1", 1));
    INFO(daemon.log);
    CHECK(article_hits() == "111111");
    CHECK(count(daemon.log, "article.failed") == 0);
    CHECK(daemon.stop() == 0);
  }
  const auto contents = stored_contents(dir / "t.db");
  CHECK(contents.size() == 6);
  for (const std::string name : {"a1", "a2", "a4", "a5", "a6"}) {
    INFO(name);
    CHECK(contents.at(server.url("/bai/" + name + ".html")) == stored_body("Bài " + name, origin));
  }
  CHECK(contents.at(server.url("/bai/a3.html")) == "-");
  fs::remove_all(dir);
}

TEST_CASE(
    "articles left over by the poll limit are fetched by the next poll even when the listing did not change",
    "[cli][html]") {
  const fs::path dir = fs::temp_directory_path() / ("tinhop-follow-left-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  tinhop::test::TestHttpServer server;
  // The same page every time, with a validator the poller sends back.
  const std::string cards = card("a1", "Tin A1") + card("a2", "Tin A2") + card("a3", "Tin A3") +
                            card("a4", "Tin A4") + card("a5", "Tin A5");
  server.on("/tin-tuc", tinhop::test::Script{.status = 200,
                                             .headers = {{"Content-Type", "text/html; charset=utf-8"},
                                                         {"ETag", "\"listing-1\""}},
                                             .body = listing(cards)});
  for (const std::string name : {"a1", "a2", "a3", "a4", "a5"}) {
    server.on("/bai/" + name + ".html",
              tinhop::test::Script{.status = 200,
                                   .headers = {{"Content-Type", "text/html; charset=utf-8"}},
                                   .body = article("Bài " + name)});
  }
  const int admin_port = write_follow_config(dir, server.url("/tin-tuc"), 2);
  auto article_hits = [&] {
    std::string hits;
    for (const std::string name : {"a1", "a2", "a3", "a4", "a5"})
      hits += std::to_string(server.hits("/bai/" + name + ".html"));
    return hits;
  };
  auto listing_etags = [&] {
    std::string etags;
    for (const auto& request : server.requests()) {
      if (request.target == "/tin-tuc") etags += "[" + std::string(request.header("if-none-match")) + "]";
    }
    return etags;
  };
  Daemon daemon(dir / "tinhop.toml");
  REQUIRE(daemon.wait_for("poll.done source=1", 1));
  INFO(daemon.log);
  CHECK(article_hits() == "11000");
  // Articles are left: the page is read again in full, though it has not changed.
  REQUIRE(poll_now(admin_port) == 202);
  REQUIRE(daemon.wait_for("poll.done source=1", 2));
  CHECK(article_hits() == "11110");
  REQUIRE(poll_now(admin_port) == 202);
  REQUIRE(daemon.wait_for("poll.done source=1", 3));
  CHECK(article_hits() == "11111");
  // Nothing left: the next poll is conditional again (and unchanged, so logged at debug).
  REQUIRE(poll_now(admin_port) == 202);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.hits("/tin-tuc") < 4 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(server.hits("/tin-tuc") == 4);
  CHECK(article_hits() == "11111");
  CHECK(listing_etags() == "[][][][\"listing-1\"]");
  CHECK(daemon.stop() == 0);
  fs::remove_all(dir);
}
