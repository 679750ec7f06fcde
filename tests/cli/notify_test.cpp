// The real `tinhop serve` under a service manager we play ourselves: a
// NOTIFY_SOCKET this test owns must see READY=1, STATUS=, WATCHDOG=1 and, after
// SIGTERM, STOPPING=1, in order.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct NotifySocket {
  std::filesystem::path path;
  int fd = -1;
  explicit NotifySocket(const std::filesystem::path& p) : path(p) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~NotifySocket() { ::close(fd); }

  // Every assignment received before `deadline` until `done` says stop, one per
  // line.
  template <typename Done>
  void read_until(std::vector<std::string>& out, Clock::time_point deadline, Done done) {
    while (!done(out) && Clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (::poll(&p, 1, static_cast<int>(std::max<long long>(left, 0))) <= 0) continue;
      char buffer[4096];
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      std::string message(buffer, static_cast<std::size_t>(n));
      std::size_t start = 0;
      while (start < message.size()) {
        std::size_t end = message.find('\n', start);
        if (end == std::string::npos) end = message.size();
        out.push_back(message.substr(start, end - start));
        start = end + 1;
      }
    }
  }
};

std::ptrdiff_t first(const std::vector<std::string>& lines, const std::string& prefix) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(prefix, 0) == 0) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

}  // namespace

TEST_CASE(
    "serve tells the service manager READY, STATUS, WATCHDOG and "
    "STOPPING in order") {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tinhop-notify-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "feed.xml") << "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>"
                                     "<item><title>Tin "
                                     "một</title><link>https://a.vn/1</link></item></channel></rss>";
  std::ofstream(dir / "tinhop.toml") << "[server]\nlisten = \"127.0.0.1:"
                                     << tinhop::test::free_loopback_port() << "\"\n"
                                     << "[admin]\nenabled = false\n"
                                     << "[database]\npath = \"t.db\"\n"
                                     << "[[source]]\nurl = \"file://" << (dir / "feed.xml").string()
                                     << "\"\n";
  NotifySocket socket(dir / "notify.sock");

  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::setenv("NOTIFY_SOCKET", socket.path.c_str(), 1);
    ::setenv("WATCHDOG_USEC", "400000", 1);
    ::unsetenv("WATCHDOG_PID");
    std::string config = (dir / "tinhop.toml").string();
    ::execl(TINHOP_EXECUTABLE, TINHOP_EXECUTABLE, "serve", "--config", config.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }

  std::vector<std::string> lines;
  socket.read_until(lines, Clock::now() + std::chrono::seconds(20), [](const std::vector<std::string>& seen) {
    return first(seen, "READY=1") >= 0 && first(seen, "WATCHDOG=1") > first(seen, "READY=1");
  });
  ::kill(child, SIGTERM);
  socket.read_until(lines, Clock::now() + std::chrono::seconds(20),
                    [](const std::vector<std::string>& seen) { return first(seen, "STOPPING=1") >= 0; });
  int status = 0;
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (::waitpid(child, &status, WNOHANG) == 0 && Clock::now() < deadline) ::usleep(20'000);
  if (Clock::now() >= deadline) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
  }
  std::filesystem::remove_all(dir);

  std::string received;
  for (const std::string& line : lines) received += line + " | ";
  INFO("received: " << received);
  std::ptrdiff_t ready = first(lines, "READY=1");
  std::ptrdiff_t status_line = first(lines, "STATUS=");
  std::ptrdiff_t watchdog = first(lines, "WATCHDOG=1");
  std::ptrdiff_t stopping = first(lines, "STOPPING=1");
  REQUIRE(ready >= 0);
  CHECK(status_line >= 0);
  CHECK(lines[static_cast<std::size_t>(status_line)].size() > std::string("STATUS=").size());
  CHECK(watchdog > ready);
  CHECK(stopping > watchdog);
  CHECK(stopping == static_cast<std::ptrdiff_t>(lines.size()) - 1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
