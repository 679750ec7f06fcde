// Shared helpers for the fetch tests: one fetch run to completion on a private loop.
#pragma once

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <string>

#include "support/test_http_server.hpp"
#include "tinhop/fetch/client.hpp"

namespace tinhop::test {

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

}  // namespace tinhop::test
