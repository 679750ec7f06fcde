// Security issue #16, point 6, end to end: one hostile source publishing megabyte titles
// and bodies, then anonymous requests with distinct ?limit= (each a new rendering). The
// titles are stored cut to 1,000 characters, every body is published cut to its byte cap,
// and the daemon's peak memory stays far below what the old caps allowed (2.35 GB).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Daemon;
namespace http = tinhop::test::beast_http;

constexpr int kItems = 5;
constexpr std::size_t kTitleBytes = 2U << 20U;       // each item's title
constexpr std::size_t kContentBytes = 1536U << 10U;  // each item's body
// Measured with the caps: VmHWM 89 MiB, most of it the parse of the 18 MB document. The
// code before them, same feed and requests (with curl: this client refuses bodies over
// 8 MB, which the old renderings were): 576 MiB, and still 555 MiB resident afterwards.
// The bound leaves room for allocator noise and fails by far if renderings grew again.
constexpr long kPeakBoundKiB = 300 * 1024;

std::string repeated(std::string_view unit, std::size_t bytes) {
  std::string text;
  text.reserve(bytes + unit.size());
  while (text.size() < bytes) text += unit;
  return text;
}

std::string hostile_feed() {
  const std::string title = repeated("Tiêu đề rất dài ", kTitleBytes);
  const std::string body = repeated("<p>Nội dung <b>dài</b> &amp; vô tận.</p>", kContentBytes);
  std::string feed =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
      "<title>Nguồn xấu</title><link>https://xau.example/</link>";
  for (int i = 0; i < kItems; ++i) {
    feed += "<item><title>" + std::to_string(i) + " " + title + "</title><link>https://xau.example/" +
            std::to_string(i) + "</link><pubDate>Mon, 0" + std::to_string(i + 1) +
            " Dec 2025 10:00:00 GMT</pubDate><description><![CDATA[" + body + "]]></description></item>";
  }
  return feed + "</channel></rss>";
}

// VmHWM of /proc/PID/status: the most resident memory the process ever had, in KiB.
long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::size_t code_points(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("a hostile source's megabyte titles and bodies are cut and do not grow the daemon's memory",
          "[hostile]") {
  tinhop::test::TempFolder dir("tinhop-hostile-memory");
  tinhop::test::TestHttpServer feeds;
  tinhop::test::Script script;
  script.headers = {{"Content-Type", "application/rss+xml; charset=utf-8"}};
  script.body = hostile_feed();
  REQUIRE(script.body.size() < 20U << 20U);  // under fetch.max_body_bytes: the feed is taken
  feeds.on("/xau.rss", script);

  const int port = tinhop::test::free_loopback_port();
  std::ofstream(dir.path / "tinhop.toml") << "[server]\nlisten = \"127.0.0.1:" << port << "\"\n"
                                          << "[admin]\nenabled = false\n"
                                          << "[database]\npath = \"t.db\"\n"
                                          // The items are dated 2025: retention, a minute after
                                          // start, must not take them while a slow build runs.
                                          << "[retention]\nmax_age = \"3650d\"\n"
                                          << "[[source]]\nurl = \"" << feeds.url("/xau.rss") << "\"\n";
  Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("poll", "poll.done", 60s));
  INFO(daemon.log_text());

  for (int limit = 1; limit <= 20; ++limit) {
    INFO("limit=" << limit);
    auto response =
        tinhop::test::http_exchange(port, http::verb::get, "/feed.json?limit=" + std::to_string(limit));
    REQUIRE(response);
    REQUIRE(response->result() == http::status::ok);
    const boost::json::array items = boost::json::parse(response->body()).at("items").as_array();
    REQUIRE(items.size() == static_cast<std::size_t>(std::min(limit, kItems)));
    for (const auto& item : items) {
      const std::string title(item.at("title").as_string());
      CHECK(code_points(title) <= 1000);
      CHECK(title.ends_with("…"));
      CHECK(item.at("content_html").as_string().size() <= 256U << 10U);
    }
  }
  // RSS publishes the same cut titles; its bodies are there twice (description and
  // content:encoded), each cut, escaped once more for XML.
  auto rss = tinhop::test::http_exchange(port, http::verb::get, "/feed.rss?limit=20");
  REQUIRE(rss);
  REQUIRE(rss->result() == http::status::ok);
  const std::string& text = rss->body();
  CHECK(text.size() < kItems * 2 * (256U << 10U) * 2);
  std::size_t titles = 0;
  for (std::size_t at = text.find("<item>"); at != std::string::npos; at = text.find("<item>", at + 1)) {
    const std::size_t start = text.find("<title>", at) + 7;
    const std::string title = text.substr(start, text.find("</title>", start) - start);
    CHECK(code_points(title) <= 1000);
    CHECK(title.ends_with("…"));
    ++titles;
  }
  CHECK(titles == kItems);

  const long peak = peak_rss_kib(daemon.pid());
  INFO("VmHWM " << peak << " KiB");
  REQUIRE(peak > 0);
  WARN("tinhop serve peak RSS (VmHWM): " << peak / 1024 << " MiB");
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's shadow memory and freed-memory quarantine multiply the resident size
  // (811 MiB measured here): the bound speaks of the release build only.
  WARN("peak RSS bound not checked under AddressSanitizer");
#else
  CHECK(peak < kPeakBoundKiB);
#endif
}
