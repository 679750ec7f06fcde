// Pings of external WebSub hubs (websub.publish_to): after new entries are committed to our
// feeds, each hub gets a form POST of hub.mode=publish and one hub.url per changed feed
// (the PubSubHubbub publish ping hubs such as pubsubhubbub.appspot.com take; WebSub leaves
// publishing to the hub), so that it fetches them and pushes to its own subscribers.
//
// Runs on the event loop: every call, and the log hook, on the executor given. Topics
// waiting for their ping are kept in memory only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "tinhop/fetch/client.hpp"

namespace tinhop::websub {

struct PingOptions {
  std::vector<std::string> hubs;  // absolute http(s) URLs, from the configuration file
  // Topics changed within this long after the first go in one ping: a burst of commits
  // costs each hub one request.
  std::chrono::milliseconds debounce{std::chrono::seconds(1)};
  // A ping that fails (no 2xx) is sent again after 1, 2, 4... times this, at most
  // `attempts` times in all; topics changed meanwhile join it.
  std::chrono::milliseconds retry_after{std::chrono::seconds(1)};
  int attempts = 6;
};

// Counters since start (for /metrics).
struct PingStats {
  std::uint64_t sent = 0;    // pings a hub accepted (2xx)
  std::uint64_t failed = 0;  // attempts that failed (retried, or dropped after the last)
};

class PublishPings {
 public:
  // One event worth a log line: "published", "ping_failed", "ping_dropped"; with the hub
  // and a detail (the topics, or why it failed).
  using Log = std::function<void(std::string_view event, const std::string& hub, const std::string& detail)>;

  // `client` reaches the hubs under the network rules of a URL in the configuration file.
  PublishPings(boost::asio::any_io_executor executor, fetch::Client& client, PingOptions options, Log log);
  ~PublishPings();
  PublishPings(const PublishPings&) = delete;
  PublishPings& operator=(const PublishPings&) = delete;

  // New entries were committed to these topics (absolute URLs of our feeds).
  void changed(const std::vector<std::string>& topics);
  // No new pings or retries; pings in flight finish.
  void stop();

  PingStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tinhop::websub
