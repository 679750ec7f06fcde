// Test helper: runs an io_context in small steps until a condition holds, at most `limit`,
// and requires that it does.
#pragma once

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace tinhop::test {

template <class Done>
void run_until(boost::asio::io_context& io, Done done,
               std::chrono::steady_clock::duration limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  REQUIRE(done());
}

}  // namespace tinhop::test
