// A SIGTERM right behind a SIGHUP whose reload holds the event loop for longer than the
// 1-second housekeeping tick: the tick's wait completes during the reload, so the stop's
// cancel() no longer reaches it. Its handler re-armed the timer, and the daemon never
// stopped (found by bench/soak, issue #22): it must exit 0, promptly.
#include <catch2/catch.hpp>

#include "daemon_harness.hpp"
#include "support/process.hpp"

namespace {

using namespace std::chrono_literals;

// 3,000 sources the file owns, none polled (disabled): a reload that renames them all
// rewrites every one of them on the event loop.
void write_config(const std::filesystem::path& file, int port, const std::string& title) {
  std::ofstream out(file);
  out << "[server]\nlisten = \"127.0.0.1:" << port << "\"\n[admin]\nenabled = false\n"
      << "[database]\npath = \"t.db\"\n";
  for (int i = 0; i < 3000; ++i) {
    out << "[[source]]\nurl = \"https://tin" << i << ".example.vn/rss\"\ntitle = \"" << title << " " << i
        << "\"\nenabled = false\n";
  }
}

}  // namespace

TEST_CASE("a SIGTERM right after a SIGHUP that reloads every source still stops the daemon") {
  for (int attempt = 0; attempt < 3; ++attempt) {
    tinhop::test::TempFolder dir("tinhop-stop-after-reload");
    const int port = tinhop::test::free_loopback_port();
    write_config(dir.path / "tinhop.toml", port, "Tin");
    tinhop::test::Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
    REQUIRE(daemon.wait_for_event("serve", "serve.started", 120s));
    // Past a tick, so the loop's timer is armed when the reload starts.
    std::this_thread::sleep_for(1500ms);
    write_config(dir.path / "tinhop.toml", port, "Tin mới");
    daemon.signal(SIGHUP);
    daemon.signal(SIGTERM);
    INFO(daemon.log_text());
    CHECK(daemon.wait(60s) == 0);
    CHECK(daemon.wait_for_event("serve", "serve.stopped", 1s));
  }
}
