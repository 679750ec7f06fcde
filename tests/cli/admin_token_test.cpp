// The admin token policy of `tinhop serve`: with the admin API enabled the daemon starts
// only with a private, non-empty token (exit 78, EX_CONFIG, and the reason otherwise);
// systemd's credential directory is the default place; `enabled = false` needs none.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "daemon_harness.hpp"
#include "support/process.hpp"

namespace {

using namespace std::chrono_literals;

const std::string good_token = "token-0123456789abcdef0123456789abcdef";

// A configuration whose [admin] section is `admin`, in `dir`.
std::filesystem::path write_config(const std::filesystem::path& dir, const std::string& admin) {
  std::ofstream(dir / "tinhop.toml") << "[server]\nlisten = \"127.0.0.1:"
                                     << tinhop::test::free_loopback_port()
                                     << "\"\n[admin]\nlisten = \"127.0.0.1:"
                                     << tinhop::test::free_loopback_port() << "\"\n"
                                     << admin << "[database]\npath = \"t.db\"\n";
  return dir / "tinhop.toml";
}

void write_token(const std::filesystem::path& file, const std::string& content, mode_t mode) {
  std::ofstream(file) << content;
  ::chmod(file.c_str(), mode);
}

tinhop::test::CommandResult serve(const std::filesystem::path& config) {
  return tinhop::test::run_command("env -u CREDENTIALS_DIRECTORY " + std::string(TINHOP_EXECUTABLE) +
                                   " serve --config '" + config.string() + "'");
}

std::string refusal(const std::filesystem::path& config, const std::string& reason) {
  return "tinhop serve: admin.token_file: " + reason + "\ntinhop serve: " + config.string() +
         " enables the admin API but its token is unusable; not starting (or set [admin] enabled = false)\n";
}

}  // namespace

TEST_CASE("serve refuses to start with the admin API enabled and its token file missing") {
  tinhop::test::TempFolder dir("tinhop-token-missing");
  const std::string token = (dir.path / "admin-token").string();
  auto config = write_config(dir.path, "token_file = \"" + token + "\"\n");
  auto run = serve(config);
  CHECK(run.exit_code == 78);
  CHECK(run.out.empty());
  CHECK(run.err == refusal(config, "cannot read " + token +
                                       ": No such file or directory (create it: (umask 077 && head -c 32 "
                                       "/dev/urandom | od -An -tx1 | tr -d ' \\n' > " +
                                       token + "))"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "t.db"));  // refused before touching anything
}

TEST_CASE("serve refuses an empty admin token file") {
  tinhop::test::TempFolder dir("tinhop-token-empty");
  const std::string token = (dir.path / "admin-token").string();
  write_token(token, " \n", 0600);
  auto config = write_config(dir.path, "token_file = \"" + token + "\"\n");
  auto run = serve(config);
  CHECK(run.exit_code == 78);
  CHECK(run.err ==
        refusal(config, token + " is empty; write a random token of at least 32 characters to it"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "t.db"));
}

TEST_CASE("serve refuses an admin token file its group or others may read") {
  tinhop::test::TempFolder dir("tinhop-token-mode");
  const std::string token = (dir.path / "admin-token").string();
  auto config = write_config(dir.path, "token_file = \"" + token + "\"\n");
  for (mode_t mode : {0640, 0604, 0620, 0644}) {
    write_token(token, good_token, mode);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    INFO(octal);
    auto run = serve(config);
    CHECK(run.exit_code == 78);
    CHECK(run.err ==
          refusal(config, token + " has mode " + octal + "; only its owner may read it: chmod 600 " + token));
  }
  CHECK_FALSE(std::filesystem::exists(dir.path / "t.db"));
}

TEST_CASE("serve refuses a short admin token") {
  tinhop::test::TempFolder dir("tinhop-token-short");
  const std::string token = (dir.path / "admin-token").string();
  write_token(token, "kurz\n", 0600);
  auto config = write_config(dir.path, "token_file = \"" + token + "\"\n");
  auto run = serve(config);
  CHECK(run.exit_code == 78);
  CHECK(run.err == refusal(config, "the token in " + token + " is shorter than 32 characters"));
}

TEST_CASE("the default token is systemd's credential and outside systemd the refusal says how to run") {
  tinhop::test::TempFolder dir("tinhop-token-credential");
  auto config = write_config(dir.path, "");
  auto run = serve(config);
  CHECK(run.exit_code == 78);
  CHECK(run.err ==
        refusal(config,
                "$CREDENTIALS_DIRECTORY/admin-token names $CREDENTIALS_DIRECTORY, which is not set: run "
                "under systemd with LoadCredential=admin-token:FILE, or set admin.token_file to the file"));

  // What systemd's LoadCredential=admin-token:/etc/tinhop/admin-token hands over: a 0400 copy.
  std::filesystem::create_directories(dir.path / "credentials");
  write_token(dir.path / "credentials" / "admin-token", good_token + "\n", 0400);
  ::setenv("CREDENTIALS_DIRECTORY", (dir.path / "credentials").c_str(), 1);
  tinhop::test::Daemon daemon(config, dir.path / "serve.log");
  ::unsetenv("CREDENTIALS_DIRECTORY");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(20s) == std::optional<int>(0));
}

TEST_CASE("with the admin API disabled serve starts without any token") {
  tinhop::test::TempFolder dir("tinhop-token-disabled");
  auto config = write_config(dir.path, "enabled = false\ntoken_file = \"/nonexistent/admin-token\"\n");
  tinhop::test::Daemon daemon(config, dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  CHECK(daemon.events("serve").front() == "admin.disabled reason=\"admin.enabled = false\"");
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(20s) == std::optional<int>(0));
}

TEST_CASE("serve refuses an invalid configuration file with exit code 78") {
  tinhop::test::TempFolder dir("tinhop-serve-invalid");
  std::ofstream(dir.path / "tinhop.toml") << "[admin]\nenabled = false\n[poll]\njitter = 2\n";
  auto run = serve(dir.path / "tinhop.toml");
  CHECK(run.exit_code == 78);
  CHECK(run.err == (dir.path / "tinhop.toml").string() +
                       ":4: poll.jitter: must be between 0 and 0.5, got 2\ntinhop serve: " +
                       (dir.path / "tinhop.toml").string() + " is invalid; not starting\n");
}
