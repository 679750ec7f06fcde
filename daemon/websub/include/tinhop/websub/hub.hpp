// tinhop's own WebSub hub (W3C WebSub Recommendation, sections 5-7, the hub's part): readers
// subscribe to our merged feeds at /websub/hub, we verify their intent, and push what each
// feed gained (the feed as a GET of its topic URL gives it, cut to the entries new or
// changed since the subscriber's last delivery: feed_entries.hpp) to their callbacks,
// signed with their hub.secret, a few at a time per callback host, retrying with
// exponential backoff.
//
// Runs on the event loop: every call, and every hook, on the executor given. Verified
// subscriptions are stored (storage::HubSubscription) and survive restarts; requests
// awaiting their verification and deliveries awaiting a retry are kept in memory only.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "tinhop/fetch/client.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::websub {

// The hub's URL is base_url + kHubPath.
inline constexpr std::string_view kHubPath = "/websub/hub";

struct HubOptions {
  std::string base_url;  // public absolute URL of "/" without a trailing slash: topics live under it
  // hub.lease_seconds granted when the subscriber names none, and the most granted.
  std::chrono::seconds default_lease{std::chrono::days(10)};
  std::chrono::seconds max_lease{std::chrono::days(10)};
  // Subscriptions held at once, verified or awaiting verification: past it, 429.
  std::size_t max_subscriptions = 1000;
  // hub.callback and hub.topic longer than this are refused (400); hub.secret must be
  // shorter than 200 bytes (WebSub 5.1).
  std::size_t max_url_bytes = 2048;
  // A delivery that fails (no 2xx) is tried again after 1, 2, 4... times this, at most
  // `attempts` times in all; a newer version of the topic replaces one waiting.
  std::chrono::milliseconds retry_after{std::chrono::seconds(1)};
  int attempts = 8;
  // Deliveries in flight at once to one callback host (scheme, host, port); the others wait
  // their turn. The hub's client should keep as many connections per host alive.
  std::size_t max_in_flight_per_host = 8;
  // How often expired subscriptions are dropped.
  std::chrono::milliseconds check_every{std::chrono::minutes(1)};
  std::function<Instant()> now;  // the clock; unset: the system clock
};

// A topic as a subscriber's GET of it would get it.
struct TopicContent {
  std::string content_type;
  std::string body;
  std::string etag;  // changes whenever the body does
};

struct HubHooks {
  // The feed at `target` (origin-form, "/feed.atom?q=bão"); nullopt: not a feed we publish.
  std::function<std::optional<TopicContent>(const std::string& target)> render;
  // One event worth a log line: "subscribed", "verification_failed", "delivered"...
  std::function<void(std::string_view event, const std::string& callback, const std::string& detail)> log;
};

// A request to /websub/hub, as the public listener received it.
struct HubRequest {
  bool post = false;
  std::string content_type;
  std::string body;
};

struct HubAnswer {
  int status = 202;
  std::string body;  // why a request was refused
};

// Upper bounds, in seconds, of the delivery latency histogram's buckets (+Inf after them).
inline constexpr std::array<double, 8> kDeliveryBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

// Counters since start, and the subscriptions by state (for /metrics).
struct HubStats {
  std::map<std::string, std::uint64_t> by_state;  // "pending" (awaiting verification), "active"
  std::uint64_t pushes_sent = 0;                  // deliveries a subscriber accepted (2xx)
  std::uint64_t pushes_failed = 0;                // delivery attempts that failed (retried or given up)
  std::uint64_t verifications_failed = 0;         // intents not confirmed: no echo, error, refused address
  // From the commit of the entries to the subscriber's 2xx, per delivery: cumulative counts
  // per kDeliveryBuckets bound, then the total count and sum of seconds.
  std::array<std::uint64_t, kDeliveryBuckets.size()> latency_buckets{};
  std::uint64_t latency_count = 0;
  double latency_sum = 0;
};

class Hub {
 public:
  // `client` connects to callbacks under the fetches' network rules for URLs a remote
  // party chose (no internal address outside fetch.allow_networks). `store` is used on the
  // executor only.
  Hub(boost::asio::any_io_executor executor, fetch::Client& client, storage::Store& store, HubOptions options,
      HubHooks hooks);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Loads the stored subscriptions (dropping expired ones), learns each topic's current
  // version, and starts the expiry checks.
  storage::Result<void> start();
  // Stops the checks and new deliveries; requests in flight finish.
  void stop();

  // A request to /websub/hub (WebSub 5.1): a subscription or unsubscription, answered 202
  // and verified with the callback afterwards; a malformed one or another topic than our
  // feeds, 400; past max_subscriptions, 429.
  HubAnswer handle(const HubRequest& request);
  // New entries were committed at `committed`: every topic whose feed changed is delivered
  // to its active subscribers (only what each lacks).
  void changed(std::chrono::steady_clock::time_point committed);

  HubStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tinhop::websub
