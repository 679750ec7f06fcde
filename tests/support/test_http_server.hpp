// A scriptable HTTP/1.1 (and HTTPS) server on 127.0.0.1 for tests: each path plays a
// scenario (status, headers, body, and misbehaviour: slow bodies, endless bodies, lying
// Content-Length, resets, gzip bombs). Runs on its own threads; stops in its destructor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tinhop::test {

struct HttpRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // a POST's, as sent

  // The header's value, or "" when absent.
  std::string header(const std::string& lower_name) const;
};

// What the server does with one request.
struct Script {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  bool gzip = false;                              // send the body gzip-compressed
  std::string pre_encoded{};                      // raw bytes sent as the body instead (e.g. a gzip bomb)
  std::optional<std::uint64_t> content_length{};  // announced instead of the real length
  std::chrono::milliseconds byte_delay{0};        // slowloris: one body byte per delay
  bool endless = false;                           // a chunked body that never ends
  std::optional<std::size_t> reset_after{};       // send this many body bytes, then a TCP reset
  std::optional<std::size_t> stall_after{};       // send this many body bytes, then nothing until stopped
  bool close = false;                             // close the connection after the response
  std::string etag{};                             // sent, and a matching If-None-Match gets 304
  std::string last_modified{};                    // sent, and a matching If-Modified-Since gets 304
};

using Handler = std::function<Script(const HttpRequest&)>;

struct TlsFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
};

class TestHttpServer {
 public:
  // Plain HTTP, or HTTPS with the given certificate.
  explicit TestHttpServer(std::optional<TlsFiles> tls = std::nullopt);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  // The script for a path (the target without its query string); unknown paths get 404.
  void on(const std::string& path, Script script);
  void on(const std::string& path, Handler handler);

  // "http://127.0.0.1:PORT" + path (https for a TLS server).
  std::string url(std::string_view path) const;
  std::uint16_t port() const;
  // Requests received for `path`, and all requests in arrival order.
  std::size_t hits(const std::string& path) const;
  std::vector<HttpRequest> requests() const;
  std::size_t connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// gzip (RFC 1952) of `data`.
std::string gzip_bytes(std::string_view data);
// A small gzip stream that inflates to `decoded_size` zero bytes.
std::string gzip_bomb(std::size_t decoded_size);

// A self-signed certificate for the subjectAltName `names`, made with the openssl CLI in
// `dir` (created); throws when openssl fails.
TlsFiles make_self_signed_certificate(const std::filesystem::path& dir,
                                      const std::string& names = "DNS:localhost,IP:127.0.0.1,IP:::1");

}  // namespace tinhop::test
