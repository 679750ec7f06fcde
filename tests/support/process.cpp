#include "support/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cerrno>

extern char** environ;

namespace tinhop::test {

namespace {

// Owns a descriptor so every early REQUIRE failure still closes it.
struct Fd {
  int fd = -1;
  Fd() = default;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// Reads both pipes together until both close: reading one to the end first would deadlock
// a child that fills the other pipe's buffer.
void drain(Fd& out_fd, Fd& err_fd, CommandResult& result) {
  std::array<char, 4096> buffer{};
  while (out_fd.fd >= 0 || err_fd.fd >= 0) {
    std::array<pollfd, 2> polled{{{out_fd.fd, POLLIN, 0}, {err_fd.fd, POLLIN, 0}}};
    if (::poll(polled.data(), polled.size(), -1) < 0) {
      REQUIRE(errno == EINTR);
      continue;
    }
    const std::array<std::pair<Fd*, std::string*>, 2> streams{
        {{&out_fd, &result.out}, {&err_fd, &result.err}}};
    for (std::size_t i = 0; i < streams.size(); ++i) {
      if (polled[i].fd < 0 || polled[i].revents == 0) continue;
      const ssize_t n = ::read(polled[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        streams[i].second->append(buffer.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        streams[i].first->reset();
      }
    }
  }
}

}  // namespace

CommandResult run_command(const std::string& shell_command) {
  INFO("running: " << shell_command);
  std::array<int, 2> out_pipe{};
  std::array<int, 2> err_pipe{};
  REQUIRE(::pipe2(out_pipe.data(), O_CLOEXEC) == 0);
  Fd out_read, out_write;
  out_read.fd = out_pipe[0];
  out_write.fd = out_pipe[1];
  REQUIRE(::pipe2(err_pipe.data(), O_CLOEXEC) == 0);
  Fd err_read, err_write;
  err_read.fd = err_pipe[0];
  err_write.fd = err_pipe[1];

  // dup2 onto 1 and 2 clears O_CLOEXEC there only: the child keeps no other end of the pipes.
  posix_spawn_file_actions_t actions;
  REQUIRE(::posix_spawn_file_actions_init(&actions) == 0);
  ::posix_spawn_file_actions_adddup2(&actions, out_write.fd, STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, err_write.fd, STDERR_FILENO);
  const char* argv[] = {"sh", "-c", shell_command.c_str(), nullptr};
  pid_t child = -1;
  const int spawned =
      ::posix_spawn(&child, "/bin/sh", &actions, nullptr, const_cast<char* const*>(argv), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  REQUIRE(spawned == 0);
  out_write.reset();
  err_write.reset();

  CommandResult result;
  drain(out_read, err_read, result);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) REQUIRE(errno == EINTR);
  result.exit_code = exit_code_of(status);
  return result;
}

int exit_code_of(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

int free_loopback_port() {
  Fd socket;
  socket.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(socket.fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(socket.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t size = sizeof address;
  REQUIRE(::getsockname(socket.fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  return ntohs(address.sin_port);
}

}  // namespace tinhop::test
