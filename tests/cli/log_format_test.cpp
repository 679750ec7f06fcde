// What journald and log shippers read: one event per line, `<N>` priority
// prefixes in text mode, one JSON object per line with --log-format json.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/process.hpp"

namespace {

// Runs serve for a moment in `format` and returns its stderr lines.
std::vector<std::string> serve_lines(const std::string& format) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tinhop-log-" + format + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tinhop.toml") << "[server]\nlisten = \"127.0.0.1:"
                                     << tinhop::test::free_loopback_port()
                                     << "\"\n[admin]\nenabled = false\n[database]\npath = \"t.db\"\n";
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::string config = (dir / "tinhop.toml").string();
    std::freopen((dir / "stderr").c_str(), "w", stderr);
    ::unsetenv("JOURNAL_STREAM");
    ::execl(TINHOP_EXECUTABLE, TINHOP_EXECUTABLE, "serve", "--config", config.c_str(), "--log-format",
            format.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  std::ifstream in(dir / "stderr");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::filesystem::remove_all(dir);
  return lines;
}

}  // namespace

TEST_CASE(
    "text logs are one key=value event per line with a systemd priority "
    "prefix") {
  std::vector<std::string> lines = serve_lines("text");
  REQUIRE_FALSE(lines.empty());
  bool started = false;
  for (const std::string& line : lines) {
    INFO(line);
    REQUIRE(line.size() > 3);
    CHECK(line[0] == '<');
    CHECK(line[2] == '>');
    CHECK(std::string("234567").find(line[1]) != std::string::npos);
    if (line.find(" serve: serve.started ") != std::string::npos) {
      started = true;
      CHECK(line.rfind("<6>", 0) == 0);
      CHECK(line.find(" listen=127.0.0.1:") != std::string::npos);
    }
  }
  CHECK(started);
}

TEST_CASE(
    "json logs are one object per line with ts, level, logger, msg and "
    "every field") {
  std::vector<std::string> lines = serve_lines("json");
  REQUIRE_FALSE(lines.empty());
  bool started = false;
  for (const std::string& line : lines) {
    INFO(line);
    boost::system::error_code ec;
    boost::json::value event = boost::json::parse(line, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(event.is_object());
    CHECK(event.as_object().contains("ts"));
    CHECK(event.as_object().contains("level"));
    CHECK(event.as_object().contains("logger"));
    if (event.as_object().contains("msg") && event.at("msg") == "serve.started") {
      started = true;
      CHECK(event.at("level") == "info");
      CHECK(event.at("logger") == "serve");
      CHECK(std::string(event.at("listen").as_string()).rfind("127.0.0.1:", 0) == 0);
    }
  }
  CHECK(started);
}
