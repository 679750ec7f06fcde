// Poller::fetch_linked: pages a poll links to (articles) go through the same host gate as
// polls, also while scheduling is stopped, and report exactly once.
#include <catch2/catch.hpp>

#include <mutex>
#include <vector>

#include "fetch_helpers.hpp"
#include "tinhop/fetch/poller.hpp"

using namespace std::chrono_literals;
using namespace tinhop::fetch;
using namespace tinhop::test;

namespace {

PollerOptions gated(std::chrono::milliseconds spacing) {
  PollerOptions o;
  o.gate.per_host = 1;
  o.gate.min_spacing = spacing;
  o.limits = test_options().limits;
  return o;
}

Request get(const std::string& url) {
  Request request;
  request.url = url;
  return request;
}

}  // namespace

TEST_CASE("linked pages to one host start one at a time and the host spacing apart") {
  TestHttpServer server;
  std::mutex mutex;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> arrivals;
  for (const std::string path : {"/bai/1", "/bai/2", "/bai/3"}) {
    server.on(path, [&, path](const HttpRequest&) {
      std::lock_guard lock(mutex);
      arrivals.emplace_back(path, std::chrono::steady_clock::now());
      return Script{.body = "<p>" + path + "</p>"};
    });
  }
  boost::asio::io_context io;
  Client client(io.get_executor(), test_options());
  Poller poller(io.get_executor(), client, gated(300ms), PollerHooks{});  // never started
  std::vector<std::string> done;
  for (const std::string path : {"/bai/1", "/bai/2", "/bai/3"}) {
    poller.fetch_linked(get(server.url(path)), [&, path](Response r) {
      CHECK(r.status == 200);
      CHECK(r.body == "<p>" + path + "</p>");
      done.push_back(path);
    });
  }
  while (done.size() < 3 && io.run_one_for(10s) > 0) {
  }
  CHECK(done == std::vector<std::string>{"/bai/1", "/bai/2", "/bai/3"});
  std::lock_guard lock(mutex);
  REQUIRE(arrivals.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(arrivals[i].first == done[i]);
  // Started 300 ms apart; arrivals jitter with connection set-up, so only a lower bound.
  CHECK(arrivals[1].second - arrivals[0].second >= 200ms);
  CHECK(arrivals[2].second - arrivals[1].second >= 200ms);
}

TEST_CASE("a linked page requested after the client shut down reports cancelled once") {
  TestHttpServer server;
  boost::asio::io_context io;
  Client client(io.get_executor(), test_options());
  Poller poller(io.get_executor(), client, gated(0ms), PollerHooks{});
  client.shutdown();
  int calls = 0;
  Error error = Error::none;
  poller.fetch_linked(get(server.url("/bai/1")), [&](Response r) {
    ++calls;
    error = r.error;
  });
  io.run_for(2s);
  CHECK(calls == 1);
  CHECK(error == Error::cancelled);
  CHECK(server.hits("/bai/1") == 0);
}
