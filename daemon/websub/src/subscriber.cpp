#include "tinhop/websub/subscriber.hpp"

#include <openssl/rand.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <unordered_map>

#include "tinhop/websub/signature.hpp"

namespace tinhop::websub {

namespace {

using storage::Subscription;
using storage::SubscriptionState;

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("no random bytes for a WebSub token");  // a broken system, not input
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 0x0f]);
  }
  return hex;
}

// application/x-www-form-urlencoded: everything but the unreserved characters escaped.
void append_field(std::string& form, std::string_view name, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (!form.empty()) form.push_back('&');
  form.append(name);
  form.push_back('=');
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      form.push_back(static_cast<char>(c));
    } else {
      form.push_back('%');
      form.push_back(kHex[c >> 4]);
      form.push_back(kHex[c & 0x0f]);
    }
  }
}

struct Query {
  std::string token;
  std::string mode, topic, challenge, lease_seconds;
};

std::optional<Query> read_query(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url || !url->path().starts_with(kCallbackPath)) return std::nullopt;
  Query q;
  q.token = std::string(url->path()).substr(kCallbackPath.size());
  for (const auto& param : url->params()) {
    if (param.key == "hub.mode") q.mode = param.value;
    if (param.key == "hub.topic") q.topic = param.value;
    if (param.key == "hub.challenge") q.challenge = param.value;
    if (param.key == "hub.lease_seconds") q.lease_seconds = param.value;
  }
  return q;
}

}  // namespace

struct Subscriber::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::any_io_executor ex, fetch::Client& c, storage::Store& s, SubscriberOptions o,
       SubscriberHooks h)
      : executor(ex), client(c), store(s), options(std::move(o)), hooks(std::move(h)), timer(ex) {}

  boost::asio::any_io_executor executor;
  fetch::Client& client;
  storage::Store& store;
  SubscriberOptions options;
  SubscriberHooks hooks;
  boost::asio::steady_timer timer;
  bool stopped = false;
  std::unordered_map<std::int64_t, Subscription> subscriptions;  // as stored
  std::unordered_map<std::string, std::int64_t> by_token;
  // Requests sent whose verification has not come yet: source id -> hub.mode.
  std::unordered_map<std::int64_t, std::string> pending;
  SubscriberStats counters;

  Instant now() const {
    return options.now ? options.now()
                       : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }

  void log(std::string_view event, std::int64_t source_id, const std::string& detail) {
    if (hooks.log) hooks.log(event, source_id, detail);
  }

  void set_push_interval(std::int64_t source_id, bool pushed) {
    if (hooks.push_interval)
      hooks.push_interval(source_id, pushed ? std::optional(options.fallback_interval) : std::nullopt);
  }

  // Stores and caches `subscription`; false (logged) when the store refused.
  bool save(Subscription subscription) {
    subscription.changed = now();
    if (auto saved = store.save_subscription(subscription); !saved) {
      log("store_error", subscription.source_id, saved.error().message);
      return false;
    }
    if (auto old = subscriptions.find(subscription.source_id);
        old != subscriptions.end() && old->second.callback != subscription.callback) {
      by_token.erase(old->second.callback);
    }
    by_token[subscription.callback] = subscription.source_id;
    subscriptions[subscription.source_id] = std::move(subscription);
    return true;
  }

  void drop(std::int64_t source_id) {
    if (auto removed = store.remove_subscription(source_id); !removed) {
      log("store_error", source_id, removed.error().message);
    }
    if (auto it = subscriptions.find(source_id); it != subscriptions.end()) {
      by_token.erase(it->second.callback);
      subscriptions.erase(it);
    }
    pending.erase(source_id);
  }

  // Sends hub.mode=`mode` for the subscription; its verification arrives at the callback.
  void send(const Subscription& subscription, const std::string& mode) {
    pending[subscription.source_id] = mode;
    std::string form;
    append_field(form, "hub.mode", mode);
    append_field(form, "hub.topic", subscription.topic);
    append_field(form, "hub.callback",
                 options.callback_base + std::string(kCallbackPath) + subscription.callback);
    if (mode == "subscribe") {
      append_field(form, "hub.lease_seconds", std::to_string(options.lease.count()));
      append_field(form, "hub.secret", subscription.secret);
    }
    fetch::Request request;
    request.url = subscription.hub;
    request.form = std::move(form);
    request.trusted_origin_url = "";  // a hub a document named: the fetches' network rules
    client.fetch(std::move(request), [weak = weak_from_this(), id = subscription.source_id, mode,
                                      hub = subscription.hub](fetch::Response r) {
      auto self = weak.lock();
      if (!self) return;
      boost::asio::post(self->executor, [self, id, mode, hub, r = std::move(r)] {
        if (r.ok() && r.status >= 200 && r.status <= 299) {
          self->log(mode == "subscribe" ? "subscribe_sent" : "unsubscribe_sent", id, hub);
          return;
        }
        auto it = self->pending.find(id);
        if (it != self->pending.end() && it->second == mode) self->pending.erase(it);
        ++self->counters.requests_failed;
        self->log("request_failed", id,
                  hub + ": " + (r.ok() ? "HTTP status " + std::to_string(r.status) : r.error_text));
      });
    });
  }

  void subscribe(std::int64_t source_id, const WebSubTopic& topic) {
    Subscription subscription;
    subscription.source_id = source_id;
    subscription.hub = topic.hubs.front();
    subscription.topic = topic.topic;
    subscription.callback = random_hex(16);
    subscription.secret = random_hex(24);
    subscription.state = SubscriptionState::requested;
    if (!save(subscription)) return;
    send(subscriptions[source_id], "subscribe");
  }

  void check_leases() {
    const Instant at = now();
    std::vector<std::int64_t> ended_unsubscribes;
    for (auto& [id, subscription] : subscriptions) {
      if (subscription.state == SubscriptionState::unsubscribing) {
        // The hub never confirmed: its lease is over anyway.
        if (!pending.contains(id) && (!subscription.lease_until || *subscription.lease_until <= at))
          ended_unsubscribes.push_back(id);
        continue;
      }
      if (subscription.state != SubscriptionState::active || !subscription.lease_until) continue;
      if (*subscription.lease_until <= at) {
        Subscription expired = subscription;
        expired.state = SubscriptionState::requested;
        expired.lease_until.reset();
        set_push_interval(id, false);
        log("lease_ended", id, expired.hub);
        if (save(expired)) send(subscriptions[id], "subscribe");
        continue;
      }
      const auto length = *subscription.lease_until - subscription.changed;
      const auto margin = std::max(std::chrono::duration_cast<std::chrono::seconds>(length / 10),
                                   std::chrono::ceil<std::chrono::seconds>(2 * options.check_every));
      if (*subscription.lease_until - at <= margin && !pending.contains(id)) {
        log("renewing", id, subscription.hub);
        send(subscription, "subscribe");
      }
    }
    for (std::int64_t id : ended_unsubscribes) drop(id);
  }

  void arm() {
    if (stopped) return;
    timer.expires_after(options.check_every);
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec || self->stopped) return;
      self->check_leases();
      self->arm();
    });
  }

  CallbackAnswer verify(const Query& q) {
    const auto token = by_token.find(q.token);
    const auto pending_mode = token != by_token.end() ? pending.find(token->second) : pending.end();
    if (token == by_token.end()) {
      ++counters.verifications_refused;
      return {404, "unknown callback"};
    }
    const std::int64_t id = token->second;
    Subscription subscription = subscriptions[id];
    if (q.mode == "denied") {
      if (pending_mode == pending.end() || pending_mode->second != "subscribe" ||
          q.topic != subscription.topic) {
        ++counters.verifications_refused;
        return {404, "no subscription request to deny"};
      }
      pending.erase(pending_mode);
      if (subscription.state != SubscriptionState::active) {
        subscription.state = SubscriptionState::denied;
        save(subscription);
      }
      log("denied", id, subscription.hub);
      return {200, {}};
    }
    // Only a request we sent, in the mode we sent it, for its topic, is confirmed (WebSub 5.3).
    if (pending_mode == pending.end() || pending_mode->second != q.mode || q.topic != subscription.topic ||
        q.challenge.empty()) {
      ++counters.verifications_refused;
      log("verification_refused", id, "hub.mode=" + q.mode + " hub.topic=" + q.topic);
      return {404, "no such request"};
    }
    pending.erase(pending_mode);
    if (q.mode == "unsubscribe") {
      drop(id);
      log("unsubscribed", id, subscription.hub);
      return {200, q.challenge};
    }
    std::chrono::seconds lease = options.lease;
    if (!q.lease_seconds.empty() && q.lease_seconds.size() < 10 &&
        q.lease_seconds.find_first_not_of("0123456789") == std::string::npos) {
      lease = std::chrono::seconds(std::stoll(q.lease_seconds));
    }
    subscription.state = SubscriptionState::active;
    subscription.lease_until = now() + lease;
    if (!save(subscription)) return {500, "could not store the subscription"};
    set_push_interval(id, true);
    log("verified", id, subscription.hub + " lease_seconds=" + std::to_string(lease.count()));
    return {200, q.challenge};
  }

  CallbackAnswer distribute(const Query& q, const CallbackRequest& request) {
    const auto token = by_token.find(q.token);
    if (token == by_token.end()) {
      ++counters.pushes_refused;
      return {410, "no such subscription"};
    }
    const Subscription& subscription = subscriptions[token->second];
    if (subscription.state != SubscriptionState::active ||
        (subscription.lease_until && *subscription.lease_until <= now())) {
      ++counters.pushes_refused;
      log("push_refused", subscription.source_id, "subscription not active");
      return {410, "subscription not active"};
    }
    // A push we cannot authenticate is ignored, yet acknowledged so that nobody learns
    // whether a guessed signature was right (WebSub 8).
    if (!signature_matches(request.signature, subscription.secret, request.body)) {
      ++counters.pushes_refused;
      log("push_refused", subscription.source_id,
          request.signature.empty() ? "no X-Hub-Signature" : "X-Hub-Signature does not match");
      return {202, {}};
    }
    ++counters.pushes_received;
    fetch::Response body;
    body.status = 200;
    body.url = subscription.topic;
    body.content_type = request.content_type;
    body.body = request.body;
    log("pushed", subscription.source_id, std::to_string(request.body.size()) + " bytes");
    if (hooks.pushed) hooks.pushed(subscription.source_id, std::move(body));
    return {202, {}};
  }
};

Subscriber::Subscriber(boost::asio::any_io_executor executor, fetch::Client& client, storage::Store& store,
                       SubscriberOptions options, SubscriberHooks hooks)
    : impl_(
          std::make_shared<Impl>(std::move(executor), client, store, std::move(options), std::move(hooks))) {}

Subscriber::~Subscriber() {
  stop();
}

storage::Result<void> Subscriber::start() {
  auto stored = impl_->store.list_subscriptions();
  if (!stored) return stored.error();
  const Instant now = impl_->now();
  for (Subscription& subscription : *stored) {
    const std::int64_t id = subscription.source_id;
    impl_->by_token[subscription.callback] = id;
    impl_->subscriptions[id] = std::move(subscription);
    const Subscription& kept = impl_->subscriptions[id];
    if (kept.state == SubscriptionState::active && kept.lease_until && *kept.lease_until > now) {
      impl_->set_push_interval(id, true);
    } else if (kept.state == SubscriptionState::unsubscribing) {
      impl_->send(kept, "unsubscribe");
    }
  }
  impl_->stopped = false;
  impl_->arm();
  return {};
}

void Subscriber::stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
}

void Subscriber::discovered(std::int64_t source_id, const std::optional<WebSubTopic>& topic) {
  if (impl_->stopped || !topic || topic->hubs.empty()) return;
  const auto it = impl_->subscriptions.find(source_id);
  if (it == impl_->subscriptions.end()) return impl_->subscribe(source_id, *topic);
  const Subscription& subscription = it->second;
  const bool same = subscription.topic == topic->topic &&
                    std::find(topic->hubs.begin(), topic->hubs.end(), subscription.hub) != topic->hubs.end();
  if (!same) {
    impl_->log("hub_changed", source_id, subscription.hub + " -> " + topic->hubs.front());
    impl_->set_push_interval(source_id, false);
    impl_->pending.erase(source_id);
    return impl_->subscribe(source_id, *topic);
  }
  switch (subscription.state) {
    case SubscriptionState::active: return;  // check_leases renews it
    case SubscriptionState::requested:
      if (!impl_->pending.contains(source_id)) impl_->send(subscription, "subscribe");
      return;
    case SubscriptionState::denied:
      // Asked again once a day, in case the hub changed its mind.
      if (impl_->now() - subscription.changed >= std::chrono::hours(24)) impl_->subscribe(source_id, *topic);
      return;
    case SubscriptionState::unsubscribing: impl_->subscribe(source_id, *topic); return;
  }
}

void Subscriber::forget(std::int64_t source_id) {
  const auto it = impl_->subscriptions.find(source_id);
  if (it == impl_->subscriptions.end()) return;
  Subscription subscription = it->second;
  impl_->set_push_interval(source_id, false);
  const bool hub_knows =
      subscription.state == SubscriptionState::active || impl_->pending.contains(source_id);
  if (!hub_knows) return impl_->drop(source_id);
  if (subscription.state == SubscriptionState::unsubscribing) return;
  subscription.state = SubscriptionState::unsubscribing;
  if (impl_->save(subscription)) impl_->send(impl_->subscriptions[source_id], "unsubscribe");
}

CallbackAnswer Subscriber::handle(const CallbackRequest& request) {
  const std::optional<Query> query = read_query(request.target);
  if (!query || query->token.empty()) return {404, "not a callback URL"};
  if (request.post && impl_->stopped) return {503, "stopping"};
  return request.post ? impl_->distribute(*query, request) : impl_->verify(*query);
}

std::vector<std::int64_t> Subscriber::subscribed_sources() const {
  std::vector<std::int64_t> ids;
  for (const auto& [id, subscription] : impl_->subscriptions) ids.push_back(id);
  return ids;
}

SubscriberStats Subscriber::stats() const {
  SubscriberStats stats = impl_->counters;
  for (const auto& [id, subscription] : impl_->subscriptions) {
    ++stats.by_state[storage::subscription_state_name(subscription.state)];
  }
  return stats;
}

}  // namespace tinhop::websub
