// Shared helpers for the fetch tests: one fetch run to completion on a private loop.
#pragma once

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "support/test_http_server.hpp"
#include "tinhop/fetch/client.hpp"

namespace tinhop::test {

// A small valid RSS document, and a script serving it as a feed.
inline const std::string one_item_feed_xml =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Tin</title>"
    "<item><title>Một</title><link>https://a.vn/1</link></item></channel></rss>";

inline Script one_item_feed() {
  return Script{.headers = {{"Content-Type", "application/rss+xml"}}, .body = one_item_feed_xml};
}

// Client options for loopback tests: no proxy from the environment, short deadlines.
inline fetch::ClientOptions test_options() {
  fetch::ClientOptions o;
  o.proxy = "";
  o.limits.total_timeout = std::chrono::seconds(5);
  return o;
}

inline fetch::Response fetch_once(fetch::Client& client, boost::asio::io_context& io,
                                  fetch::Request request) {
  fetch::Response out;
  bool done = false;
  client.fetch(std::move(request), [&](fetch::Response r) {
    out = std::move(r);
    done = true;
  });
  io.restart();
  while (!done && io.run_one_for(std::chrono::seconds(20)) > 0) {
  }
  return out;
}

inline fetch::Response fetch_url(const std::string& url, fetch::ClientOptions options = test_options()) {
  boost::asio::io_context io;
  fetch::Client client(io.get_executor(), std::move(options));
  fetch::Request request;
  request.url = url;
  return fetch_once(client, io, std::move(request));
}

// One self-signed certificate per test process, removed when it exits.
inline const TlsFiles& test_certificate() {
  struct Owned {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("tinhop-test-tls-" + std::to_string(::getpid()));
    TlsFiles files = make_self_signed_certificate(dir);
    ~Owned() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  };
  static const Owned owned;
  return owned.files;
}

// Counts how many requests a handler serves at once; each is held 100 ms so concurrent ones
// overlap, and the most seen at once is kept.
struct ConcurrencyProbe {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};

  Handler answering(Script reply) {
    return [this, reply](const HttpRequest&) {
      const int n = ++running;
      int seen = peak.load();
      while (n > seen && !peak.compare_exchange_weak(seen, n)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      --running;
      return reply;
    };
  }
};

}  // namespace tinhop::test
