// The admin listener: its own thread and io_context, so a slow database call never
// delays the public feeds, and its own address (loopback by default, or a Unix socket).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tinhop/admin/api.hpp"
#include "tinhop/config/config.hpp"

namespace tinhop::admin {

struct ServerOptions {
  // IP:PORT, or a Unix socket: made mode 0660 (a stale one left by a dead daemon is
  // replaced, a live one refused) and removed at stop.
  config::ListenAddress listen{"127.0.0.1", 8081};
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  // Request line and headers, from connecting or from the first byte of the next request.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds timeout{30};  // a body, a response, or an idle kept-alive connection
  // At the cap, the connection waiting longest for a request is closed for a new one.
  std::size_t max_connections = 32;
  // Sent as Retry-After with the 503 every request gets once the daemon is stopping: about
  // how long a restart takes (the drain of polls in flight is bounded at 10 s).
  std::chrono::seconds stopping_retry_after{10};
  // Threads that run the handler, so a request waiting (on a fetch) never holds up the
  // reading and writing of the others. More than one only with a handler that serializes
  // what must be (RequestLock::serialized in request_lock.hpp).
  std::size_t handler_threads = 1;
  // One line per request or failure, `event key=value ...`; warning = false for info.
  std::function<void(bool warning, std::string_view line)> log;
};

// What answers each request: the API under /api/, the console under /admin/ (the daemon
// routes between them).
using Handler = std::function<Response(const Request&)>;

class AdminServer {
 public:
  // Binds and starts serving on a new thread; `handler` (and what it refers to) must
  // outlive the server, and is called from its handler threads, on as many requests at
  // once as there are threads.
  static Outcome<std::unique_ptr<AdminServer>> start(Handler handler, ServerOptions options);
  // Phase one of the daemon's stop: from now on every request, read or write, is answered
  // 503 `stopping` with Retry-After and its connection closed; the API is not called, so
  // nothing it would do can wait on a daemon that is winding down. The listener stays open
  // so clients get that answer rather than a refused connection. Returns at once; safe from
  // any thread. A request already inside the API finishes and gets its own answer.
  void refuse_requests();
  // Stops accepting, closes connections and joins the thread.
  ~AdminServer();
  void stop();
  // The bound port (useful with port 0 in tests); 0 for a Unix socket.
  std::uint16_t port() const;

  struct Impl;

 private:
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinhop::admin
