// `tinhop serve --demo` as a user runs it, read by real clients: curl for the
// feeds and headless Chromium (Debian's chromium) for the river page. Saves a
// screenshot under the build folder.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "support/paths.hpp"
#include "support/process.hpp"

namespace {

// The output of a client command; its exit code does not matter here.
std::string capture(const std::string& command) {
  return tinhop::test::run_command(command).out;
}

struct Daemon {
  Daemon(const std::filesystem::path& dir, int port) {
    const std::string db = (dir / "tinhop.db").string();
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    const std::string log = (dir / "serve.log").string();
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      FILE* out = std::freopen(log.c_str(), "w", stdout);
      (void)out;
      ::dup2(::fileno(stdout), STDERR_FILENO);
      ::execl(TINHOP_EXECUTABLE, TINHOP_EXECUTABLE, "serve", "--demo", "--db", db.c_str(), "--listen",
              listen.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Daemon() {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  pid_t pid = -1;
};

}  // namespace

TEST_CASE("serve: the river page of a running daemon renders in headless Chromium") {
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() / ("tinhop-serve-page-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  const int port = tinhop::test::free_loopback_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::string atom;
  {
    Daemon daemon(dir, port);
    // Wait until the demo sources are polled and stored (the daemon starts in
    // well under 10 s).
    for (int i = 0; i < 100 && atom.find("<entry>") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      atom = capture("curl -s --max-time 2 " + base + "/feed.atom");
    }
    INFO(capture("cat " + (dir / "serve.log").string()));
    REQUIRE(atom.find("<entry>") != std::string::npos);
    const auto t0 = atom.find("<title type=\"text\">") + 19;
    const std::string newest = atom.substr(t0, atom.find("</title>", t0) - t0);

    // Every feed of the real demo data parses cleanly in python3-feedparser.
    for (const char* path : {"/feed.atom", "/feed.rss", "/feed.atom?limit=2", "/sources/1/feed.rss"}) {
      const std::string verdict = capture(
          "/usr/bin/python3 -c 'import feedparser, sys; d = "
          "feedparser.parse(sys.argv[1]); "
          "print(int(d.bozo), len(d.entries) > 0, d.version)' '" +
          base + path + "' 2>&1");
      INFO(path);
      CHECK_THAT(verdict, Catch::StartsWith("0 True "));
    }

    const std::string flags =
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking"
        " --disable-component-update --disable-sync --disable-dev-shm-usage "
        "--user-data-dir=" +
        (dir / "chromium").string();
    const std::string dom = capture("timeout 90 chromium" + flags + " --dump-dom " + base + "/ 2>/dev/null");
    INFO(dom);
    // The river's stories, after the top stories' section above it.
    std::string river = dom;
    if (const auto top = river.find("<section class=\"top-stories\""); top != std::string::npos) {
      river.erase(top, river.find("</section>", top) - top);
    }
    std::size_t articles = 0;
    for (auto p = river.find("<article>"); p != std::string::npos; p = river.find("<article>", p + 1))
      ++articles;
    std::size_t entries = 0;
    for (auto p = atom.find("<entry>"); p != std::string::npos; p = atom.find("<entry>", p + 1)) ++entries;
    CHECK(articles == entries);
    CHECK(dom.find(newest) != std::string::npos);
    CHECK(dom.find("<select name=\"source\"") != std::string::npos);
    CHECK(dom.find("<select name=\"category\"") != std::string::npos);
    CHECK(dom.find("<input type=\"search\" name=\"q\"") != std::string::npos);
    CHECK(dom.find("<link rel=\"alternate\" type=\"application/atom+xml\"") != std::string::npos);
    const auto shot = tinhop::test::binary_dir() / "serve-river.png";
    std::filesystem::remove(shot);
    capture("timeout 90 chromium" + flags + " --window-size=412,915 --screenshot=" + shot.string() + " " +
            base + "/ 2>&1");
    CHECK(std::filesystem::exists(shot));
  }
  std::filesystem::remove_all(dir);
}
