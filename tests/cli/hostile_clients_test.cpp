// Hostile clients against the real `tinhop serve`, on loopback only: 1,100 sockets that
// connect and never send a byte must not keep readers out (issue #16, point 7: before, 0 of
// 30 requests were served while they were open), and are closed once header_timeout passes.
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <catch2/catch.hpp>

#include "daemon_harness.hpp"
#include "support/process.hpp"

namespace {

using namespace std::chrono_literals;
using tinhop::test::Daemon;
namespace http = tinhop::test::beast_http;

constexpr int idle_sockets = 1100;

// This process holds the 1,100 sockets and the daemon, its child, inherits the limit: the
// usual soft limit of 1,024 descriptors fits neither.
void raise_own_file_limit(rlim_t wanted) {
  rlimit limit{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &limit) == 0);
  }
  INFO("hard RLIMIT_NOFILE " << limit.rlim_max);
  REQUIRE(limit.rlim_cur >= wanted);
}

// A loopback connection that sends nothing; -1 when connect fails.
int connect_silently(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// How many of `fds` the server has closed (end of file or reset); each found closed is
// closed here and set to -1.
int reap_closed(std::vector<int>& fds) {
  std::vector<pollfd> polled;
  for (int fd : fds) {
    if (fd >= 0) polled.push_back({fd, POLLIN, 0});
  }
  int closed = 0;
  if (::poll(polled.data(), polled.size(), 0) <= 0) return 0;
  for (const pollfd& p : polled) {
    if (p.revents == 0) continue;
    char byte = 0;
    if (::recv(p.fd, &byte, 1, MSG_DONTWAIT) > 0) continue;  // the server never writes to them
    ::close(p.fd);
    *std::find(fds.begin(), fds.end(), p.fd) = -1;
    ++closed;
  }
  return closed;
}

}  // namespace

TEST_CASE("1100 silent sockets keep no reader out of tinhop serve and are closed at header_timeout") {
  raise_own_file_limit(idle_sockets + 512);
  tinhop::test::TempFolder dir("tinhop-hostile-clients");
  const int port = tinhop::test::free_loopback_port();
  // header_timeout is left at its default of 10 s.
  std::ofstream(dir.path / "tinhop.toml") << "[server]\nlisten = \"127.0.0.1:" << port << "\"\n"
                                          << "max_connections = 1024\n"
                                          << "[admin]\nenabled = false\n"
                                          << "[database]\npath = \"t.db\"\n";
  Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  INFO(daemon.log_text());

  std::vector<int> silent;
  const auto connected_from = std::chrono::steady_clock::now();
  for (int i = 0; i < idle_sockets; ++i) silent.push_back(connect_silently(port));
  const auto connected = std::chrono::steady_clock::now();
  CHECK(std::count(silent.begin(), silent.end(), -1) == 0);
  // Let the daemon accept them all before the readers come.
  std::this_thread::sleep_for(500ms);

  int served = 0;
  const auto readers_from = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) {
    auto response = tinhop::test::http_exchange(port, http::verb::get, "/healthz");
    served += response && response->result() == http::status::ok ? 1 : 0;
  }
  const auto readers_took = std::chrono::steady_clock::now() - readers_from;
  CHECK(served == 30);
  // Well inside header_timeout: they were served because idle sockets gave way, not because
  // the idle sockets had timed out already.
  CHECK(readers_took < 5s);
  const auto metrics = tinhop::test::http_exchange(port, http::verb::get, "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body().find("tinhop_http_connections_rejected_total 0\n") != std::string::npos);
  CHECK(metrics->body().find("tinhop_http_connections_evicted_total 0\n") == std::string::npos);

  // Those not closed for a reader are closed at header_timeout (10 s), none much later.
  int closed = 0;
  while (closed < idle_sockets && std::chrono::steady_clock::now() - connected < 14s) {
    closed += reap_closed(silent);
    std::this_thread::sleep_for(50ms);
  }
  const auto last_closed = std::chrono::steady_clock::now() - connected_from;
  CHECK(closed == idle_sockets);
  CHECK(last_closed > 9s);  // the daemon waited out header_timeout for the oldest
  for (int fd : silent) {
    if (fd >= 0) ::close(fd);
  }
  auto after = tinhop::test::http_exchange(port, http::verb::get, "/healthz");
  REQUIRE(after);
  CHECK(after->result() == http::status::ok);
  CHECK(daemon.log_text().find("fd_limit") == std::string::npos);  // the inherited limit sufficed
}
