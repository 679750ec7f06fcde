#include <catch2/catch.hpp>
#include <string>

#include "support/process.hpp"

namespace {

using Run = tinhop::test::CommandResult;

// Runs the built executable with `args`, stdout and stderr captured together.
Run run_tinhop(const std::string& args) {
  return tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " " + args + " 2>&1");
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
