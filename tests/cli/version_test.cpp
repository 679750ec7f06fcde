#include <sys/wait.h>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace {

struct Run {
  int exit_code;
  std::string out;
};

// Runs the built executable with `args`, stdout and stderr captured together.
Run run_tinhop(const std::string& args) {
  std::string command = std::string(TINHOP_EXECUTABLE) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST_CASE("tinhop version prints the project version") {
  Run run = run_tinhop("version");
  CHECK(run.exit_code == 0);
  CHECK(run.out == std::string("tinhop ") + TINHOP_VERSION_STRING + "\n");
}

TEST_CASE("an unknown subcommand prints usage and exits 2") {
  Run run = run_tinhop("frobnicate");
  CHECK(run.exit_code == 2);
  CHECK(run.out.find("Usage:") != std::string::npos);
  CHECK(run.out.find("frobnicate") != std::string::npos);
}

TEST_CASE("no subcommand at all prints usage and exits 2") {
  Run run = run_tinhop("");
  CHECK(run.exit_code == 2);
  CHECK(run.out.find("Usage:") != std::string::npos);
}
