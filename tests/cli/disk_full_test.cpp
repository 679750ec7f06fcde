// The database's file system runs full while the daemon polls: the store refuses the
// writes with one clear log line, /healthz says degraded, the feeds keep being served from
// what was stored, and once space returns the next poll stores what the full disk
// refused, each item once. The database lives on a small tmpfs, so this needs root (CI
// runs as root); elsewhere the test says why it did nothing.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Daemon;
namespace http = tinhop::test::beast_http;

const std::string token = "disk-full-token-0123456789abcdef0123";

// A feed whose items 1..n each carry 20 KB of text: storing them needs new pages in the
// WAL, which only grows until a checkpoint (none runs in this short test).
std::string feed_of(int n) {
  std::string out = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Đầy</title>";
  for (int i = 1; i <= n; ++i) {
    std::string text;
    std::uint64_t x = 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(i);
    while (text.size() < 20'000) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      text += "w" + std::to_string(x % 1'000'003) + " ";
    }
    out += "<item><title>Tin số " + std::to_string(i) + "</title><guid>urn:day:" + std::to_string(i) +
           "</guid><link>https://day.vn/" + std::to_string(i) + "</link><description>" + text +
           "</description></item>";
  }
  return out + "</channel></rss>";
}

// Fills the file system under `dir` until it refuses another byte.
void fill(const std::filesystem::path& file) {
  FILE* f = std::fopen(file.c_str(), "wb");
  REQUIRE(f != nullptr);
  const std::string block(4096, 'x');
  while (std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
  }
  std::fclose(f);
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string get(int port, const std::string& target) {
  auto res = tinhop::test::http_exchange(port, http::verb::get, target);
  REQUIRE(res);
  return res->body();
}

bool poll_now_until(int admin_port, Daemon& daemon, const std::string& event) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto polled = tinhop::test::http_exchange(admin_port, http::verb::post, "/api/sources/1/poll", token);
    REQUIRE(polled);
    if (daemon.wait_for_event("storage", event, 2s)) return true;
  }
  return false;
}

// A mounted tmpfs, unmounted at the end.
struct SmallFileSystem {
  std::filesystem::path path;
  bool mounted = false;
  std::string error;
  SmallFileSystem(std::filesystem::path at, const char* size) : path(std::move(at)) {
    std::filesystem::create_directories(path);
    const std::string options = std::string("size=") + size + ",mode=0700";
    mounted = ::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0;
    if (!mounted) error = std::strerror(errno);
  }
  ~SmallFileSystem() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
  }
};

}  // namespace

TEST_CASE(
    "a full disk refuses writes with a clear line and a degraded healthz; feeds are served; "
    "writes resume by themselves and nothing is lost") {
  if (::geteuid() != 0) {
    WARN("skipped: mounting a small tmpfs for the database needs root (CI runs as root)");
    return;
  }
  tinhop::test::TempFolder dir("tinhop-disk-full");
  SmallFileSystem disk(dir.path / "disk", "24m");
  if (!disk.mounted) {
    WARN("skipped: cannot mount a tmpfs here: " + disk.error);
    return;
  }

  tinhop::test::TestHttpServer feeds;
  std::mutex mutex;
  int published = 2;
  feeds.on("/day.rss", [&](const tinhop::test::HttpRequest&) {
    std::lock_guard lock(mutex);
    tinhop::test::Script s;
    s.headers = {{"Content-Type", "application/rss+xml"}};
    s.body = feed_of(published);
    return s;
  });
  std::ofstream(dir.path / "token") << token << "\n";
  ::chmod((dir.path / "token").c_str(), 0600);
  const int public_port = tinhop::test::free_loopback_port();
  const int admin_port = tinhop::test::free_loopback_port();
  std::ofstream(dir.path / "tinhop.toml")
      << "[server]\nlisten = \"127.0.0.1:" << public_port << "\"\n"
      << "[admin]\nlisten = \"127.0.0.1:" << admin_port << "\"\ntoken_file = \""
      << (dir.path / "token").string() << "\"\n"
      << "[database]\npath = \"" << (disk.path / "t.db").string() << "\"\n"
      << "[fetch]\nhost_spacing = \"0s\"\nallow_networks = [\"127.0.0.0/8\"]\n"
      << "[poll]\nmin_interval = \"1h\"\ndefault_interval = \"1h\"\n"
      << "[[source]]\nurl = \"" << feeds.url("/day.rss") << "\"\n";
  Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  INFO(daemon.log_text());
  REQUIRE(daemon.wait_for_event("poll", "poll.done source=1"));
  REQUIRE(count_of(get(public_port, "/feed.atom"), ">Tin số ") == 2);

  fill(disk.path / "filler");
  {
    std::lock_guard lock(mutex);
    published = 40;
  }
  REQUIRE(poll_now_until(admin_port, daemon, "storage.writes_refused error="));
  CHECK_THAT(daemon.log_text(),
             Catch::Contains("storage.writes_refused error=\"exec COMMIT: database or disk "
                             "is full\""));
  auto health = tinhop::test::http_exchange(public_port, http::verb::get, "/healthz");
  REQUIRE(health);
  CHECK(health->result() == http::status::ok);
  CHECK_THAT(health->body(), Catch::StartsWith("degraded\n- database: writes refused since "));
  CHECK_THAT(health->body(), Catch::Contains(": exec COMMIT: database or disk is full\n"));
  const std::string served = get(public_port, "/feed.atom");
  CHECK(count_of(served, ">Tin số 1</title>") == 1);
  CHECK(count_of(served, ">Tin số ") == 2);

  std::filesystem::remove(disk.path / "filler");
  REQUIRE(poll_now_until(admin_port, daemon, "storage.writes_resumed "));
  CHECK(get(public_port, "/healthz") == "ready\n");
  const std::string after = get(public_port, "/feed.atom?limit=100");
  CHECK(count_of(after, ">Tin số ") == 40);
  for (int i = 1; i <= 40; ++i) CHECK(count_of(after, ">Tin số " + std::to_string(i) + "</title>") == 1);

  daemon.signal(SIGTERM);
  CHECK(daemon.wait(30s) == 0);
}
