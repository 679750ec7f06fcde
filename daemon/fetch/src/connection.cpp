#include "connection.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tinhop::fetch::detail {

void Connection::close() {
  boost::system::error_code ignored;
  lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  lowest().socket().close(ignored);
}

Error classify(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return Error::timeout;
  if (ec == http::error::body_limit) return Error::body_too_large;
  if (ec == http::error::header_limit) return Error::header_too_large;
  if (ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated) return Error::truncated;
  if (ec == asio::error::operation_aborted) return Error::cancelled;
  if (ec.category() == beast::http::make_error_code(http::error::bad_version).category())
    return Error::protocol;
  if (ec.category() == asio::error::get_ssl_category()) return Error::tls;
  return Error::network;
}

namespace {

template <class Stream>
asio::awaitable<Exchange> exchange_on(Stream& stream, Connection& conn,
                                      const http::request<http::string_body>& request, const Limits& limits,
                                      Clock::time_point deadline,
                                      const std::function<void(std::size_t)>& on_body) {
  Exchange out;
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  conn.lowest().expires_at(step_deadline(limits.write_timeout, deadline));
  co_await http::async_write(stream, request, token);
  if (ec) {
    out.error = classify(ec);
    out.error_text = "sending request: " + ec.message();
    out.nothing_received = true;
    co_return out;
  }
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header, UINT32_MAX)));
  parser.body_limit(limits.max_body);
  conn.lowest().expires_at(step_deadline(limits.header_timeout, deadline));
  const std::size_t buffered_before = conn.buffer.size();
  out.wire_bytes += co_await http::async_read_header(stream, conn.buffer, parser, token);
  if (ec) {
    out.error = classify(ec);
    out.error_text = "reading header: " + ec.message();
    out.nothing_received = out.wire_bytes == 0 && buffered_before == 0 &&
                           (ec == asio::error::eof || ec == asio::error::connection_reset ||
                            ec == http::error::end_of_stream || ec == asio::error::broken_pipe);
    co_return out;
  }
  if (!parser.is_done()) {
    // Read by pieces, so the caller sees the bytes arrive and a server that stops sending
    // is cut after stall_timeout rather than holding the fetch for the whole body_timeout.
    const Clock::time_point body_deadline = step_deadline(limits.body_timeout, deadline);
    bool stalled = false;
    while (!ec && !parser.is_done()) {
      const Clock::time_point next = std::min(Clock::now() + limits.stall_timeout, body_deadline);
      stalled = next < body_deadline;
      conn.lowest().expires_at(next);
      const std::size_t read = co_await http::async_read_some(stream, conn.buffer, parser, token);
      out.wire_bytes += read;
      if (read > 0 && on_body) on_body(read);
    }
    if (ec == asio::ssl::error::stream_truncated) {
      // Servers often close TLS without close_notify; that ends an EOF-delimited body.
      boost::system::error_code eof_ec;
      parser.put_eof(eof_ec);
      if (!eof_ec && parser.is_done()) ec = {};
    }
    if (ec) {
      out.error = classify(ec);
      out.error_text =
          ec == beast::error::timeout && stalled
              ? "reading body: nothing received for " + std::to_string(limits.stall_timeout.count()) + " ms"
              : "reading body: " + ec.message();
      co_return out;
    }
  }
  out.response = parser.release();
  out.keep_alive = out.response.keep_alive() && conn.buffer.size() == 0;
  co_return out;
}

}  // namespace

asio::awaitable<Exchange> exchange(Connection& conn, const http::request<http::string_body>& request,
                                   const Limits& limits, Clock::time_point deadline,
                                   const std::function<void(std::size_t)>& on_body) {
  if (conn.tls) co_return co_await exchange_on(*conn.tls, conn, request, limits, deadline, on_body);
  co_return co_await exchange_on(conn.tcp, conn, request, limits, deadline, on_body);
}

}  // namespace tinhop::fetch::detail
