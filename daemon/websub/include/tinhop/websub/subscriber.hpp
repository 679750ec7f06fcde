// The WebSub subscriber (W3C WebSub Recommendation, section 5): subscribes to the hub a
// source's feed names, answers the hub's verification of intent, keeps the lease renewed,
// and hands the content a hub pushes (a fat ping) to the poll's path.
//
// Runs on the event loop: every call, and every hook, on the executor given. The stored
// subscriptions (storage::Subscription) survive restarts; the requests sent and not yet
// verified are kept in memory only, so after a restart a hub's late verification is
// refused and the next poll asks again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "tinhop/fetch/client.hpp"
#include "tinhop/parsers/websub.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::websub {

// Where our callback URLs live: callback_base + kCallbackPath + token.
inline constexpr std::string_view kCallbackPath = "/websub/callback/";

struct SubscriberOptions {
  std::string callback_base;  // public absolute URL of "/" without a trailing slash
  // hub.lease_seconds we ask for; the hub decides (its verification says what it granted).
  std::chrono::seconds lease{std::chrono::days(10)};
  // A source with an active subscription is polled this often (websub.fallback_interval).
  std::chrono::seconds fallback_interval{std::chrono::hours(6)};
  // How often leases are checked: one ending within a tenth of its length (at least two
  // checks ahead) is renewed, an ended one is asked for again.
  std::chrono::milliseconds check_every{std::chrono::minutes(1)};
  std::function<Instant()> now;  // the clock; unset: the system clock
};

// What the subscriber tells the daemon. All on the executor.
struct SubscriberHooks {
  // A push for the source, verified: its body (with its Content-Type) for the poll's path.
  // An empty body: the topic changed without content, poll it now.
  std::function<void(std::int64_t source_id, fetch::Response body)> pushed;
  // The source's poll interval while a hub pushes its changes; nullopt: its own again.
  std::function<void(std::int64_t source_id, std::optional<std::chrono::seconds> interval)> push_interval;
  // One event worth a log line: "subscribed", "verified", "denied", "push_refused"...
  std::function<void(std::string_view event, std::int64_t source_id, const std::string& detail)> log;
};

// A request to a callback URL, as the public listener received it.
struct CallbackRequest {
  bool post = false;      // POST: content distribution; else GET: verification or denial
  std::string target;     // origin-form, "/websub/callback/<token>?hub.mode=..."
  std::string signature;  // the X-Hub-Signature header
  std::string content_type;
  std::string body;
};

struct CallbackAnswer {
  int status = 200;
  std::string body;  // the echoed hub.challenge on a verification
};

// Counters since start, and the subscriptions by state (for /metrics).
struct SubscriberStats {
  std::uint64_t pushes_received = 0;              // verified pushes handed on
  std::uint64_t pushes_refused = 0;               // bad or missing signature, inactive subscription
  std::uint64_t verifications_refused = 0;        // a challenge for a request we did not send
  std::uint64_t requests_failed = 0;              // a hub that did not accept a (un)subscribe request
  std::map<std::string, std::uint64_t> by_state;  // subscription_state_name -> count
};

class Subscriber {
 public:
  // `store` is used on the executor only (small writes: the subscriptions table).
  Subscriber(boost::asio::any_io_executor executor, fetch::Client& client, storage::Store& store,
             SubscriberOptions options, SubscriberHooks hooks);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Loads the stored subscriptions (active ones set their source's push interval), resends
  // the unsubscribes left pending, and starts the lease checks.
  storage::Result<void> start();
  // Stops the lease checks and the pushes (answered 503 from now on); requests in flight
  // finish.
  void stop();

  // After a poll of a source whose pushes are wanted: the hub and topic its response named
  // (nullopt: none). Subscribes when the source has no subscription to that hub and topic.
  void discovered(std::int64_t source_id, const std::optional<WebSubTopic>& topic);
  // The source is removed, disabled or no longer wants pushes: unsubscribe (or forget a
  // subscription the hub never confirmed).
  void forget(std::int64_t source_id);

  // A request to /websub/callback/<token>: the hub's verification of intent or denial
  // (GET) or its content distribution (POST).
  CallbackAnswer handle(const CallbackRequest& request);

  SubscriberStats stats() const;
  // The sources with a stored subscription, in any state.
  std::vector<std::int64_t> subscribed_sources() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tinhop::websub
