// Running shell commands and picking ports for the end-to-end tests.
#pragma once

#include <string>

namespace tinhop::test {

// What a finished shell command printed, apart, and how it ended.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `shell_command` under /bin/sh with stdout and stderr captured apart (a command that
// says 2>&1 gets both in `out`); waits for it and fails the test when it cannot start.
CommandResult run_command(const std::string& shell_command);

// The exit code in a waitpid status, or -1 when a signal ended the process.
int exit_code_of(int wait_status);

// A loopback TCP port the kernel says is free now; callers bind it right after.
int free_loopback_port();

}  // namespace tinhop::test
