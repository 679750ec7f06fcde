// A running `tinhop serve` for the end-to-end tests of stop, reload and the admin API:
// a private folder, the daemon's stderr in a file, and one HTTP exchange per call.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tinhop::test {

namespace beast_http = boost::beast::http;
using HttpResponse = beast_http::response<beast_http::string_body>;

// A fresh folder under /tmp, removed at the end.
struct TempFolder {
  std::filesystem::path path;
  explicit TempFolder(const std::string& name)
      : path(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
};

// One request on a new loopback connection; nullopt when nothing answers.
inline std::optional<HttpResponse> http_exchange(int port, beast_http::verb method, const std::string& target,
                                                 const std::string& token = {},
                                                 const std::string& body = {}) {
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  boost::beast::error_code ec;
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)}, ec);
  if (ec) return std::nullopt;
  beast_http::request<beast_http::string_body> request{method, target, 11};
  request.set(beast_http::field::host, "127.0.0.1");
  if (!token.empty()) request.set(beast_http::field::authorization, "Bearer " + token);
  request.body() = body;
  request.prepare_payload();
  stream.expires_after(std::chrono::seconds(20));
  beast_http::write(stream, request, ec);
  if (ec) return std::nullopt;
  boost::beast::flat_buffer buffer;
  HttpResponse response;
  beast_http::read(stream, buffer, response, ec);
  if (ec) return std::nullopt;
  return response;
}

// Whether anything accepts connections on 127.0.0.1:port.
inline bool accepts_connections(int port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)}, ec);
  return !ec;
}

// `tinhop serve --config FILE`, stderr to `log`.
class Daemon {
 public:
  Daemon(const std::filesystem::path& config, std::filesystem::path log) : log_(std::move(log)) {
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // A test killed or crashed must not leave its daemons polling and loading the machine.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::freopen(log_.c_str(), "w", stderr);
      ::unsetenv("JOURNAL_STREAM");
      ::unsetenv("NOTIFY_SOCKET");
      ::execl(TINHOP_EXECUTABLE, TINHOP_EXECUTABLE, "serve", "--config", config.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Daemon() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }
  void signal(int number) const { ::kill(pid_, number); }
  bool running() {
    if (exit_code_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }
  // The exit code (-1 for a signal), or nullopt when it still ran after `limit`.
  std::optional<int> wait(std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exit_code_;
  }

  // The log's lines, each without what precedes `logger: ` (prefix, time).
  std::vector<std::string> events(const std::string& logger) const {
    std::ifstream in(log_);
    std::vector<std::string> out;
    const std::string marker = " " + logger + ": ";
    for (std::string line; std::getline(in, line);) {
      auto at = line.find(marker);
      if (at != std::string::npos) out.push_back(line.substr(at + marker.size()));
    }
    return out;
  }
  // Waits until an event of `logger` starts with `prefix`; false after `limit`.
  bool wait_for_event(const std::string& logger, const std::string& prefix,
                      std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const std::string& e : events(logger)) {
        if (e.rfind(prefix, 0) == 0) return true;
      }
      if (!running()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::string log_text() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace tinhop::test
