// Webhooks: each message is POSTed as JSON to every webhook that takes its kind, signed
// with that webhook's key (`X-Tinhop-Signature: sha256=<hex HMAC-SHA256 of the body>`),
// and tried again after 1, 2, 4... times retry_after until a 2xx or `attempts` tries.
//
// Runs on the executor given: call send() and stop() there. Messages waiting for a retry
// are kept in memory only: a restart drops them (the alerts feed keeps the history).
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

namespace tinhop::webhooks {

// The header that carries a message's signature.
inline constexpr std::string_view kSignatureHeader = "X-Tinhop-Signature";

struct Webhook {
  std::string url;
  std::string secret;              // the HMAC key
  std::vector<std::string> kinds;  // the kinds of message it takes; empty: every kind
};

struct Options {
  std::chrono::milliseconds retry_after{std::chrono::seconds(2)};
  int attempts = 6;                                             // tries in all, the first included
  std::chrono::milliseconds timeout{std::chrono::seconds(15)};  // each try, connecting to the answer
};

// Counts since start (for /metrics).
struct Stats {
  std::uint64_t delivered = 0;  // messages a webhook answered with a 2xx
  std::uint64_t failed = 0;     // tries that got no 2xx (retried or given up)
  std::uint64_t dropped = 0;    // messages given up after `attempts` tries
};

// One event worth a log line: "delivered", "delivery_failed", "delivery_dropped".
using Log = std::function<void(std::string_view event, const std::string& url, const std::string& detail)>;

// The X-Tinhop-Signature value of `body` under `secret`: "sha256=<64 hex digits>".
std::string signature(std::string_view secret, std::string_view body);

class Webhooks {
 public:
  // `client` connects under the fetches' network rules for addresses a remote party could
  // choose: internal ones only inside ClientOptions::allow_networks.
  Webhooks(boost::asio::any_io_executor executor, fetch::Client& client, std::vector<Webhook> webhooks,
           Options options, Log log);
  ~Webhooks();
  Webhooks(const Webhooks&) = delete;
  Webhooks& operator=(const Webhooks&) = delete;

  // POSTs `body` (JSON) to every webhook that takes `kind`.
  void send(std::string_view kind, std::string body);
  // No new try starts; tries in flight end with the client.
  void stop();
  Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tinhop::webhooks
