// A publish::Server over a FakeCatalog on a loopback port, its io_context on a thread.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "fake_catalog.hpp"
#include "tinhop/publish/server.hpp"

namespace tinhop::test {

struct RunningServer {
  explicit RunningServer(publish::ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    server.emplace(ioc, catalog, options);
    auto ec = server->start();
    REQUIRE_FALSE(ec);
    thread = std::thread([this] { ioc.run(); });
  }
  ~RunningServer() {
    server->stop();
    thread.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + path;
  }

  FakeCatalog catalog;
  boost::asio::io_context ioc;
  std::optional<publish::Server> server;
  std::thread thread;
};

// Output and exit status of a shell command.
struct CommandResult {
  int status = -1;
  std::string output;
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A fresh directory under the build tree, removed at the end of the test.
struct TempDir {
  explicit TempDir(const std::string& name) {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("tinhop-" + name + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path path;
};

}  // namespace tinhop::test
