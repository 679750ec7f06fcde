// SIGTERM while the admin API is acknowledging a burst of writes: every source
// answered 201 is in the database afterwards, and the daemon exits 0.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "support/process.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

}  // namespace

TEST_CASE(
    "SIGTERM during a burst of API writes loses nothing that was "
    "acknowledged") {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tinhop-burst-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string token = "burst-token-0123456789abcdef0123456789";
  std::ofstream(dir / "token") << token << "\n";
  ::chmod((dir / "token").c_str(), 0600);
  int admin_port = tinhop::test::free_loopback_port();
  std::ofstream(dir / "tinhop.toml") << "[server]\nlisten = \"127.0.0.1:"
                                     << tinhop::test::free_loopback_port() << "\"\n"
                                     << "[admin]\nlisten = \"127.0.0.1:" << admin_port
                                     << "\"\ntoken_file = \"" << (dir / "token").string() << "\"\n"
                                     << "[database]\npath = \"t.db\"\n";
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::string config = (dir / "tinhop.toml").string();
    std::freopen((dir / "serve.log").c_str(), "w", stderr);
    ::execl(TINHOP_EXECUTABLE, TINHOP_EXECUTABLE, "serve", "--config", config.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }

  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(admin_port));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  beast::error_code ec;
  do {
    stream.socket().close(ec);
    stream.connect(endpoint, ec);
    if (ec) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (ec && std::chrono::steady_clock::now() < deadline);
  REQUIRE_FALSE(ec);

  std::set<std::string> acknowledged;
  beast::flat_buffer buffer;
  for (int i = 0; i < 5000; ++i) {
    if (i == 40) ::kill(child, SIGTERM);  // mid-burst: writes keep coming while it stops
    http::request<http::string_body> request{http::verb::post, "/api/sources", 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::authorization, "Bearer " + token);
    std::string url = "https://burst" + std::to_string(i) + ".vn/rss";
    request.body() = "{\"url\":\"" + url + "\"}";
    request.prepare_payload();
    http::write(stream, request, ec);
    if (ec) break;
    http::response<http::string_body> response;
    http::read(stream, buffer, response, ec);
    if (ec) break;
    if (response.result() == http::status::created) acknowledged.insert(url);
    if (!response.keep_alive()) break;
  }
  int status = 0;
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (::waitpid(child, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (std::chrono::steady_clock::now() >= deadline) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
  }
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(acknowledged.size() >= 40);

  std::string listed = tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " sources --database '" +
                                                 (dir / "t.db").string() + "' list --json 2>&1")
                           .out;
  std::set<std::string> stored;
  boost::json::value sources = boost::json::parse(listed);
  for (const auto& source : sources.as_array()) {
    stored.insert(std::string(source.at("url").as_string()));
  }
  for (const std::string& url : acknowledged) {
    INFO(url);
    CHECK(stored.count(url) == 1);
  }
  std::filesystem::remove_all(dir);
}
