// The admin API's listener: its own thread and io_context, so a slow database call never
// delays the public feeds, and its own address (loopback by default).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tinhop/admin/api.hpp"
#include "tinhop/config/config.hpp"

namespace tinhop::admin {

struct ServerOptions {
  config::ListenAddress listen{"127.0.0.1", 8081};
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds timeout{30};  // per read or write; an idle keep-alive connection closes
  std::size_t max_connections = 32;
  // One line per request or failure, `event key=value ...`; warning = false for info.
  std::function<void(bool warning, std::string_view line)> log;
};

class AdminServer {
 public:
  // Binds and starts serving on a new thread; `api` must outlive the server and is called
  // only from that thread.
  static Outcome<std::unique_ptr<AdminServer>> start(Api& api, ServerOptions options);
  // Stops accepting, closes connections and joins the thread.
  ~AdminServer();
  void stop();
  // The bound port (useful with port 0 in tests).
  std::uint16_t port() const;

  struct Impl;

 private:
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinhop::admin
