// One HTTP/1.1 connection (plain or TLS) and the exchange of one request on it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tinhop/fetch/client.hpp"

namespace tinhop::fetch::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Connection {
  explicit Connection(asio::any_io_executor ex) : tcp(ex) {}

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : tcp; }
  void close();

  std::string key;        // pool key: origin, or proxy + origin
  beast::tcp_stream tcp;  // the plain stream; moved into `tls` once a handshake starts
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};
  bool reused = false;
};

// The outcome of one request/response exchange on a connection.
struct Exchange {
  Error error = Error::none;
  std::string error_text;
  http::response<http::string_body> response;
  std::size_t wire_bytes = 0;
  bool keep_alive = false;
  // Nothing was received: on a reused connection the server had closed it, so the
  // request may be retried on a fresh connection.
  bool nothing_received = false;
};

// Sends `request` and reads the response, each step bounded by its timeout and `deadline`;
// `on_body` (may be empty) is told of the body bytes as they are read.
asio::awaitable<Exchange> exchange(Connection& conn, const http::request<http::string_body>& request,
                                   const Limits& limits, Clock::time_point deadline,
                                   const std::function<void(std::size_t)>& on_body);

// Maps a Beast/Asio/OpenSSL error to the client's error class.
Error classify(const boost::system::error_code& ec);

// min(now + step, deadline).
inline Clock::time_point step_deadline(Millis step, Clock::time_point deadline) {
  return std::min(Clock::now() + step, deadline);
}

}  // namespace tinhop::fetch::detail
