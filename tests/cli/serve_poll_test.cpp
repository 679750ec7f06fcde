// `tinhop serve --demo` end to end: the demo feeds are polled as file://
// sources, their items stored, one log line per poll, a clean two-phase stop on
// SIGTERM, and the schedule kept across a restart.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>

#include "support/paths.hpp"
#include "support/process.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Run {
  std::string log;  // everything the daemon wrote to stderr
  int exit_status = -1;
};

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Runs the daemon until `ready(log)` holds (or 20 s), then SIGTERM, and
// collects its log.
template <class Ready>
Run run_demo(const fs::path& db, const fs::path& feeds, Ready ready) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  const std::string port = "127.0.0.1:" + std::to_string(tinhop::test::free_loopback_port());
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::dup2(out[1], 2);
    ::close(out[0]);
    ::execl(TINHOP_EXECUTABLE, TINHOP_EXECUTABLE, "serve", "--demo", "--db", db.c_str(), "--listen",
            port.c_str(), "--demo-dir", feeds.c_str(), "--log-level", "debug", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  Run run;
  auto drain = [&] {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0) run.log.append(buf, static_cast<std::size_t>(n));
  };
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (!ready(run.log) && Clock::now() < deadline) {
    drain();
    ::usleep(20'000);
  }
  ::kill(child, SIGTERM);
  int status = 0;
  const auto stop_deadline = Clock::now() + std::chrono::seconds(20);
  while (::waitpid(child, &status, WNOHANG) == 0) {
    drain();
    if (Clock::now() > stop_deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      break;
    }
    ::usleep(20'000);
  }
  drain();
  ::close(out[0]);
  run.exit_status = tinhop::test::exit_code_of(status);
  return run;
}

}  // namespace

TEST_CASE(
    "serve --demo polls the demo feeds; stores them; stops cleanly; and "
    "keeps the schedule across a "
    "restart") {
  const fs::path dir = fs::temp_directory_path() / ("tinhop-serve-poll-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "feeds");
  for (const auto& entry :
       fs::directory_iterator(tinhop::test::data_dir().parent_path().parent_path() / "demo" / "feeds")) {
    fs::copy_file(entry.path(), dir / "feeds" / entry.path().filename());
  }
  const std::size_t feeds = static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir / "feeds"), fs::directory_iterator()));
  REQUIRE(feeds >= 4);
  const fs::path db = dir / "demo.db";

  const Run first =
      run_demo(db, dir / "feeds", [&](const std::string& log) { return count(log, "poll.done") >= feeds; });
  INFO(first.log);
  CHECK(first.exit_status == 0);
  CHECK(count(first.log, "poll.done") == feeds);
  CHECK(count(first.log, "outcome=ok status=200") == feeds);
  // Every demo feed brought items; one line per poll says how many, and when
  // the next poll is.
  const std::regex added("items_added=([1-9][0-9]*) .*next_poll=2[0-9-]+T");
  CHECK(static_cast<std::size_t>(std::distance(
            std::sregex_iterator(first.log.begin(), first.log.end(), added), std::sregex_iterator())) ==
        feeds);
  CHECK(count(first.log, "serve.stopping signal=15") == 1);
  CHECK(count(first.log, "serve.stopped polls_committed=" + std::to_string(feeds)) == 1);

  // A restart reloads the stored schedule: the next polls are a minute or more
  // away, so nothing is fetched again at start (no herd after a restart).
  const Run second =
      run_demo(db, dir / "feeds", [&](const std::string& log) { return count(log, "serve.started") >= 1; });
  INFO(second.log);
  CHECK(second.exit_status == 0);
  CHECK(count(second.log, "demo.registered") == 1);
  CHECK(count(second.log, "sources.loaded polled=" + std::to_string(feeds)) == 1);
  CHECK(count(second.log, "outcome=ok") == 0);  // nothing re-parsed within the interval
  fs::remove_all(dir);
}
