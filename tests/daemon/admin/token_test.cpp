// The admin token file: refused unless private, long enough and clean; compared exactly.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tinhop/admin/api.hpp"

using namespace tinhop::admin;

namespace {

struct TokenFile {
  std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("tinhop-token-" + std::to_string(::getpid()));
  std::filesystem::path path = folder / "admin-token";
  TokenFile(const std::string& content, mode_t mode) {
    std::filesystem::create_directories(folder);
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
  }
  ~TokenFile() { std::filesystem::remove_all(folder); }
};

const std::string good = "0123456789abcdef0123456789abcdef";

}  // namespace

TEST_CASE("a private token file is read without surrounding whitespace") {
  TokenFile file("  " + good + "\n", 0600);
  auto token = load_token(file.path.string(), "admin.token_file");
  REQUIRE(token.has_value());
  CHECK(token->value == good);
  CHECK(token->matches(good));
  CHECK_FALSE(token->matches(good + "0"));
  CHECK_FALSE(token->matches(good.substr(1)));
  CHECK_FALSE(token->matches(""));
}

TEST_CASE("token files that must not be used are refused with the fix") {
  for (mode_t mode : {0644, 0640, 0604, 0610, 0601}) {
    TokenFile file(good, mode);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    CHECK(load_token(file.path.string(), "admin.token_file").error().message ==
          file.path.string() + " has mode " + octal + "; only its owner may read it: chmod 600 " +
              file.path.string());
  }
  {
    TokenFile file(" \n\t\n", 0600);
    CHECK(load_token(file.path.string(), "admin.token_file").error().message ==
          file.path.string() + " is empty; write a random token of at least 32 characters to it");
  }
  {
    TokenFile file("short-token\n", 0600);
    CHECK(load_token(file.path.string(), "admin.token_file").error().message ==
          "the token in " + file.path.string() + " is shorter than 32 characters");
  }
  {
    TokenFile file(good + " " + good, 0600);
    CHECK(load_token(file.path.string(), "admin.token_file").error().message ==
          "the token in " + file.path.string() + " contains whitespace or a control character");
  }
  {
    TokenFile file(std::string(5000, 'x'), 0600);
    CHECK(load_token(file.path.string(), "admin.token_file").error().message ==
          file.path.string() + " is larger than 4096 bytes; it should hold only the token");
  }
  {
    TokenFile file(good, 0600);
    CHECK(load_token(file.folder.string(), "admin.token_file").error().message ==
          file.folder.string() + " is not a regular file");
  }
  CHECK(load_token("/nonexistent/admin-token", "admin.token_file").error().message ==
        "cannot read /nonexistent/admin-token: No such file or directory (create it: "
        "(umask 077 "
        "&& head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > /nonexistent/admin-token))");
}

TEST_CASE("$CREDENTIALS_DIRECTORY in the path reads systemd's credential") {
  TokenFile file(good, 0600);
  ::setenv("CREDENTIALS_DIRECTORY", file.folder.c_str(), 1);
  auto token = load_token("$CREDENTIALS_DIRECTORY/admin-token", "admin.token_file");
  ::unsetenv("CREDENTIALS_DIRECTORY");
  REQUIRE(token.has_value());
  CHECK(token->value == good);
  CHECK(load_token("$CREDENTIALS_DIRECTORY/admin-token", "admin.token_file").error().message ==
        "$CREDENTIALS_DIRECTORY/admin-token names $CREDENTIALS_DIRECTORY, which is not "
        "set: run "
        "under systemd with LoadCredential=admin-token:FILE, or set admin.token_file to the file");
}

TEST_CASE("the credential hint names the file's credential and the setting it is loaded for") {
  ::unsetenv("CREDENTIALS_DIRECTORY");
  CHECK(load_token("$CREDENTIALS_DIRECTORY/alerts-secret", "admin.alerts_secret_file").error().message ==
        "$CREDENTIALS_DIRECTORY/alerts-secret names $CREDENTIALS_DIRECTORY, which is not set: run under "
        "systemd "
        "with LoadCredential=alerts-secret:FILE, or set admin.alerts_secret_file to the file");
  CHECK(
      load_token("$CREDENTIALS_DIRECTORY/hooks/chat-key", "alerts.webhook[1].secret_file").error().message ==
      "$CREDENTIALS_DIRECTORY/hooks/chat-key names $CREDENTIALS_DIRECTORY, which is not set: run under "
      "systemd with LoadCredential=hooks:FILE, or set alerts.webhook[1].secret_file to the file");
}
