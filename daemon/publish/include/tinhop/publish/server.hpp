// The HTTP server on Boost.Beast. Sessions only move bytes; answers come from handle()
// (handler.hpp).
//
// Use from `tinhop serve`:
//
//   boost::asio::io_context ioc;
//   tinhop::publish::Server server(ioc, reader_store, options);  // its own read-only Store
//   if (auto ec = server.start()) { /* report ec.message(), exit */ }
//   ... pipeline: after each committed batch that stored items: server.notify_changed();
//                 after each poll: server.record_poll(source_id, status);
//   on SIGTERM: server.stop();  // stops accepting, closes idle connections; in-flight
//                               // responses finish, bounded by write_timeout
//   ioc.run();
//
// The Store passed in is used only from the threads running `ioc`, one call at a time.
// The io_context may be run by several threads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <functional>
#include <memory>
#include <string>

#include "tinhop/publish/handler.hpp"

namespace tinhop::publish {

class Server {
 public:
  Server(boost::asio::io_context& ioc, storage::Store& store, ServerOptions options);
  Server(boost::asio::io_context& ioc, Catalog& catalog, ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds and listens; an error (address in use, bad address) is returned, not thrown.
  boost::system::error_code start();
  // Stops accepting and checking for changes; idle keep-alive connections are closed,
  // responses being written finish. Returns at once; ioc.run() returns when all is done.
  void stop();

  // New items were committed: cached renderings are replaced on their next request.
  void notify_changed() { context_.notify_changed(); }
  // Polls could not be stored since `since` / are stored again (/healthz).
  void writes_refused(std::string error, Instant since) { context_.writes_refused(std::move(error), since); }
  void writes_resumed() { context_.writes_resumed(); }
  // One finished poll, for /metrics.
  void record_poll(std::int64_t source_id, storage::FetchStatus status) {
    context_.metrics().record_poll(source_id, status);
  }
  // The writer's cross-node dedup waits so far, for /metrics.
  void dedup_waits(storage::DedupWaits waits) { context_.metrics().dedup_waits(waits); }

  // Requests whose path starts with `prefix` (the WebSub callbacks, "/websub/callback/";
  // our hub, "/websub/hub") go to `handler` instead of handle(), with bodies of up to
  // `max_body_bytes`. The handler answers through `respond` exactly once, from any thread.
  // Call before the io_context runs; the first prefix that matches wins.
  using Delegate = std::function<void(Request request, std::function<void(Response)> respond)>;
  void delegate(std::string prefix, std::size_t max_body_bytes, Delegate handler);

  // The bound port (useful with ServerOptions::port = 0); 0 before start().
  std::uint16_t port() const;
  Context& context() { return context_; }

  struct Impl;  // listener state shared with the sessions (server.cpp)

 private:
  Server(boost::asio::io_context& ioc, std::unique_ptr<Catalog> catalog, ServerOptions options);
  std::unique_ptr<Catalog> owned_catalog_;
  Context context_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tinhop::publish
