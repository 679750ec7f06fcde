#include "tinhop/websub/hub.hpp"

#include <openssl/rand.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <deque>
#include <stdexcept>

#include "tinhop/websub/feed_entries.hpp"
#include "tinhop/websub/signature.hpp"

namespace tinhop::websub {

namespace {

using storage::HubSubscription;
using Key = std::pair<std::string, std::string>;  // topic, callback

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("no random bytes for a WebSub challenge");  // a broken system, not input
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 0x0f]);
  }
  return hex;
}

// What a subscriber asked for (WebSub 5.1), read from the form.
struct Intent {
  std::string mode, callback, topic, secret;
  std::optional<std::chrono::seconds> lease;
};

// Nullopt with `error` set when the form is not a subscription request we can read.
std::optional<Intent> read_intent(std::string_view body, std::string& error) {
  if (!boost::urls::parse_query(body)) {
    error = "the body is not application/x-www-form-urlencoded";
    return std::nullopt;
  }
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  Intent intent;
  std::string lease;
  for (const auto& param : boost::urls::params_view(body, form)) {  // valid: it parsed
    if (param.key == "hub.mode") intent.mode = param.value;
    if (param.key == "hub.callback") intent.callback = param.value;
    if (param.key == "hub.topic") intent.topic = param.value;
    if (param.key == "hub.secret") intent.secret = param.value;
    if (param.key == "hub.lease_seconds") lease = param.value;
  }
  if (intent.mode != "subscribe" && intent.mode != "unsubscribe") {
    error = "hub.mode must be subscribe or unsubscribe";
    return std::nullopt;
  }
  if (!lease.empty()) {
    if (lease.size() > 9 || lease.find_first_not_of("0123456789") != std::string::npos) {
      error = "hub.lease_seconds must be a number of seconds";
      return std::nullopt;
    }
    intent.lease = std::chrono::seconds(std::stoll(lease));
  }
  return intent;
}

bool http_url(std::string_view text) {
  auto url = boost::urls::parse_absolute_uri(text);
  return url && (url->scheme() == "http" || url->scheme() == "https") && !url->host().empty();
}

// `callback` with the hub's query parameters added (WebSub 5.3: kept its own).
std::string with_params(const std::string& callback,
                        std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  boost::urls::url url(callback);
  for (const auto& [name, value] : params) url.params().append({name, value});
  return std::string(url.buffer());
}

// The scheme, host and port of a callback: deliveries to one are capped together.
std::string host_of(const std::string& callback) {
  auto url = boost::urls::parse_absolute_uri(callback);
  if (!url) return callback;
  return std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
}

// Why a request to a subscriber's callback did not succeed.
std::string failure(const fetch::Response& r) {
  if (!r.ok()) return r.error_text.empty() ? fetch::error_name(r.error) : r.error_text;
  return "HTTP status " + std::to_string(r.status);
}

}  // namespace

struct Hub::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::any_io_executor ex, fetch::Client& c, storage::Store& s, HubOptions o, HubHooks h)
      : executor(ex), client(c), store(s), options(std::move(o)), hooks(std::move(h)), timer(ex) {}

  // One version of a topic, read into its entries once for all its subscribers.
  struct Version {
    TopicContent content;
    std::optional<Fingerprints> entries;  // nullopt: not a feed we can cut; sent whole
    std::uint64_t serial = 0;
    // This version cut to what a subscriber that had version `serial` lacks, made once for
    // every subscriber in that state.
    std::map<std::uint64_t, std::shared_ptr<const std::string>> beyond;
  };

  struct Active {
    HubSubscription stored;
    std::shared_ptr<Version> had;   // the version whose entries the subscriber has
    std::shared_ptr<Version> next;  // the newest version it has not had; null: none
    // The commit of the oldest version it has not had, from which its delivery is timed.
    std::optional<std::chrono::steady_clock::time_point> waiting_since;
    int failures = 0;     // failed attempts since its last delivery
    bool busy = false;    // a delivery in flight or waiting for its retry
    bool queued = false;  // waiting for a free connection to its callback's host
    std::shared_ptr<boost::asio::steady_timer> retry;
  };

  boost::asio::any_io_executor executor;
  fetch::Client& client;
  storage::Store& store;
  HubOptions options;
  HubHooks hooks;
  boost::asio::steady_timer timer;
  bool stopped = true;
  std::map<Key, Active> active;
  std::map<Key, int> pending;                                // verifications in flight per topic and callback
  std::map<std::string, std::shared_ptr<Version>> versions;  // topic -> its newest version
  std::uint64_t serials = 0;
  // Deliveries in flight per callback host (scheme, host and port), and the subscriptions
  // waiting for one of them to end: a hundred subscribers behind one host get their
  // deliveries over a few kept-alive connections, not a hundred connects at once.
  std::map<std::string, std::size_t> in_flight;
  std::map<std::string, std::deque<Key>> queued;
  HubStats counters;

  Instant now() const {
    return options.now ? options.now()
                       : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }

  void log(std::string_view event, const std::string& callback, const std::string& detail) {
    if (hooks.log) hooks.log(event, callback, detail);
  }

  std::string hub_url() const { return options.base_url + std::string(kHubPath); }

  // The origin-form target of a topic we publish; nullopt for any other URL.
  std::optional<std::string> target_of(const std::string& topic) const {
    if (!topic.starts_with(options.base_url) || topic.size() <= options.base_url.size() ||
        topic[options.base_url.size()] != '/') {
      return std::nullopt;
    }
    return topic.substr(options.base_url.size());
  }

  std::optional<TopicContent> render(const std::string& topic) const {
    const auto target = target_of(topic);
    if (!target || !hooks.render) return std::nullopt;
    return hooks.render(*target);
  }

  std::size_t pending_count() const {
    std::size_t n = 0;
    for (const auto& [key, count] : pending) n += static_cast<std::size_t>(count);
    return n;
  }

  void forget(const Key& key, std::string_view why) {
    if (auto removed = store.remove_hub_subscription(key.first, key.second); !removed) {
      log("store_error", key.second, removed.error().message);
    }
    if (auto it = active.find(key); it != active.end()) {
      if (it->second.retry) it->second.retry->cancel();
      active.erase(it);
    }
    // A topic nobody is subscribed to needs no version kept.
    const auto same_topic = active.lower_bound(Key{key.first, ""});
    if (same_topic == active.end() || same_topic->first.first != key.first) versions.erase(key.first);
    log(why, key.second, key.first);
  }

  void expire_ended() {
    const Instant at = now();
    std::vector<Key> ended;
    for (const auto& [key, subscription] : active) {
      if (subscription.stored.lease_until <= at) ended.push_back(key);
    }
    for (const Key& key : ended) forget(key, "expired");
  }

  // Verification of intent (WebSub 5.3): the callback must echo a fresh challenge.
  void verify(Intent intent, std::chrono::seconds lease) {
    const Key key{intent.topic, intent.callback};
    ++pending[key];
    const std::string challenge = random_hex(16);
    const std::string lease_text = std::to_string(lease.count());
    fetch::Request request;
    request.url = intent.mode == "subscribe"
                      ? with_params(intent.callback, {{"hub.mode", intent.mode},
                                                      {"hub.topic", intent.topic},
                                                      {"hub.challenge", challenge},
                                                      {"hub.lease_seconds", lease_text}})
                      : with_params(intent.callback, {{"hub.mode", intent.mode},
                                                      {"hub.topic", intent.topic},
                                                      {"hub.challenge", challenge}});
    request.trusted_origin_url = "";  // a URL a subscriber chose: the fetches' network rules
    fetch::Limits limits;
    limits.max_body = limits.max_decoded = 4096;  // a challenge, not a document
    limits.total_timeout = std::chrono::seconds(20);
    limits.max_redirects = 0;
    request.limits = limits;
    client.fetch(std::move(request), [weak = weak_from_this(), intent = std::move(intent), key, challenge,
                                      lease](fetch::Response r) mutable {
      auto self = weak.lock();
      if (!self) return;
      boost::asio::post(self->executor,
                        [self, intent = std::move(intent), key, challenge, lease, r = std::move(r)] {
                          self->verified(intent, key, challenge, lease, r);
                        });
    });
  }

  void verified(const Intent& intent, const Key& key, const std::string& challenge,
                std::chrono::seconds lease, const fetch::Response& r) {
    if (auto it = pending.find(key); it != pending.end() && --it->second == 0) pending.erase(it);
    if (!r.ok() || r.status < 200 || r.status > 299 || r.body != challenge) {
      ++counters.verifications_failed;
      const bool answered = r.ok() && r.status >= 200 && r.status <= 299;
      log("verification_failed", intent.callback,
          intent.mode + " " + intent.topic + ": " + (answered ? "the challenge was not echoed" : failure(r)));
      return;
    }
    if (intent.mode == "unsubscribe") return forget(key, "unsubscribed");
    HubSubscription subscription{intent.topic, intent.callback, intent.secret, now() + lease, now()};
    if (auto saved = store.save_hub_subscription(subscription); !saved) {
      log("store_error", intent.callback, saved.error().message);
      return;
    }
    // The version the subscriber can fetch now is not news to it.
    Active& held = active[key];
    held.stored = std::move(subscription);
    if (!held.had) held.had = current(intent.topic);
    log("subscribed", intent.callback, intent.topic + " lease_seconds=" + std::to_string(lease.count()));
  }

  // The topic's newest version, rendered now when none is known yet.
  std::shared_ptr<Version> current(const std::string& topic) {
    if (auto known = versions.find(topic); known != versions.end()) return known->second;
    auto content = render(topic);
    if (!content) return nullptr;
    return versions[topic] = make_version(std::move(*content));
  }

  std::shared_ptr<Version> make_version(TopicContent content) {
    auto version = std::make_shared<Version>();
    version->entries = read_entries(content.content_type, content.body);
    version->content = std::move(content);
    version->serial = ++serials;
    return version;
  }

  // What a subscriber that had `had` gets of `next`: its new and changed entries with the
  // feed's metadata and links; the whole document when either is not a feed we can cut.
  // Null when nothing in it is news.
  static std::shared_ptr<const std::string> beyond(Version& next, const std::shared_ptr<Version>& had) {
    if (!had || !had->entries || !next.entries) return std::make_shared<const std::string>(next.content.body);
    if (auto made = next.beyond.find(had->serial); made != next.beyond.end()) return made->second;
    const auto ids = entries_beyond(*next.entries, *had->entries);
    auto body = ids.empty() ? nullptr
                            : std::make_shared<const std::string>(
                                  document_with(next.content.content_type, next.content.body, ids));
    return next.beyond[had->serial] = body;
  }

  // A version of a topic committed at `committed` is news for this subscriber.
  void enqueue(const Key& key, const std::shared_ptr<Version>& version,
               std::chrono::steady_clock::time_point committed) {
    Active& subscription = active[key];
    subscription.next = version;
    if (!subscription.waiting_since) subscription.waiting_since = committed;
    if (!subscription.busy) deliver(key);
  }

  // Content distribution (WebSub 7): the entries of the topic the subscriber has not had,
  // signed (8), with its hub and self links.
  void deliver(const Key& key) {
    auto it = active.find(key);
    if (it == active.end() || !it->second.next || it->second.busy || stopped) return;
    Active& subscription = it->second;
    const std::string host = host_of(key.second);
    if (busy_host(host)) {
      if (!subscription.queued) queued[host].push_back(key);
      subscription.queued = true;
      return;
    }
    std::shared_ptr<Version> sending = subscription.next;
    auto body = beyond(*sending, subscription.had);
    if (!body) {  // only entries it has: nothing to send
      subscription.had = std::move(sending);
      subscription.next.reset();
      subscription.waiting_since.reset();
      return;
    }
    const auto committed = *subscription.waiting_since;
    subscription.waiting_since.reset();
    subscription.busy = true;
    ++in_flight[host];
    fetch::Request request;
    request.url = key.second;
    request.form = *body;
    request.form_type = sending->content.content_type;
    request.headers.emplace_back("Link",
                                 "<" + hub_url() + ">; rel=\"hub\", <" + key.first + ">; rel=\"self\"");
    if (!subscription.stored.secret.empty()) {
      request.headers.emplace_back("X-Hub-Signature", signature("sha256", subscription.stored.secret, *body));
    }
    request.trusted_origin_url = "";
    fetch::Limits limits;
    limits.max_body = limits.max_decoded = 4096;  // the subscriber's answer is not read
    limits.total_timeout = std::chrono::seconds(30);
    limits.max_redirects = 0;
    request.limits = limits;
    client.fetch(std::move(request), [weak = weak_from_this(), key, sending = std::move(sending),
                                      committed](fetch::Response r) mutable {
      auto self = weak.lock();
      if (!self) return;
      boost::asio::post(self->executor, [self, key, sending = std::move(sending), committed,
                                         r = std::move(r)] { self->delivered(key, sending, committed, r); });
    });
  }

  void record_latency(std::chrono::steady_clock::time_point committed) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - committed).count();
    for (std::size_t i = 0; i < kDeliveryBuckets.size(); ++i) {
      if (seconds <= kDeliveryBuckets[i]) ++counters.latency_buckets[i];
    }
    ++counters.latency_count;
    counters.latency_sum += seconds;
  }

  // Whether `host` has as many deliveries in flight as it may.
  bool busy_host(const std::string& host) const {
    const auto slots = in_flight.find(host);
    return slots != in_flight.end() && slots->second >= options.max_in_flight_per_host;
  }

  // Starts the deliveries waiting for a connection to `host`, as far as the cap allows.
  void start_queued(const std::string& host) {
    auto waiting = queued.find(host);
    while (waiting != queued.end() && !waiting->second.empty() && !busy_host(host)) {
      const Key key = waiting->second.front();
      waiting->second.pop_front();
      if (auto found = active.find(key); found != active.end()) {
        found->second.queued = false;
        deliver(key);
      }
    }
    if (waiting != queued.end() && waiting->second.empty()) queued.erase(waiting);
  }

  void delivered(const Key& key, const std::shared_ptr<Version>& sent,
                 std::chrono::steady_clock::time_point committed, const fetch::Response& r) {
    const std::string host = host_of(key.second);
    if (auto slots = in_flight.find(host); slots != in_flight.end() && --slots->second == 0)
      in_flight.erase(slots);
    start_queued(host);
    auto it = active.find(key);
    if (it == active.end()) return;  // unsubscribed or expired meanwhile
    Active& subscription = it->second;
    subscription.busy = false;
    // Cut short by our own stop: not the subscriber's failure.
    if (stopped) return;
    if (r.ok() && r.status >= 200 && r.status <= 299) {
      ++counters.pushes_sent;
      record_latency(committed);
      subscription.had = sent;
      subscription.failures = 0;
      if (subscription.next == sent) subscription.next.reset();
      log("delivered", key.second, key.first);
      return deliver(key);
    }
    ++counters.pushes_failed;
    const std::string why = failure(r);
    // 410 Gone: the subscriber says the subscription is over.
    if (r.ok() && r.status == 410) return forget(key, "gone");
    // The entries not delivered are still news for it: they go with the next attempt.
    subscription.waiting_since = std::min(committed, subscription.waiting_since.value_or(committed));
    if (++subscription.failures >= options.attempts) {
      log("delivery_dropped", key.second, key.first + ": " + why);
      subscription.failures = 0;
      if (subscription.next == sent) {
        // Given up until the topic changes again; its entries go with that version.
        subscription.next.reset();
        subscription.waiting_since.reset();
        return;
      }
      return deliver(key);
    }
    const auto wait = options.retry_after * (1 << std::min(subscription.failures - 1, 16));
    log("delivery_failed", key.second,
        key.first + ": " + why + "; again in " + std::to_string(wait.count()) + " ms");
    subscription.busy = true;
    if (!subscription.retry) subscription.retry = std::make_shared<boost::asio::steady_timer>(executor);
    subscription.retry->expires_after(wait);
    subscription.retry->async_wait([weak = weak_from_this(), key](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      if (auto found = self->active.find(key); found != self->active.end()) {
        found->second.busy = false;
        self->deliver(key);
      }
    });
  }

  void arm() {
    if (stopped) return;
    timer.expires_after(options.check_every);
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec || self->stopped) return;
      self->expire_ended();
      self->arm();
    });
  }

  HubAnswer request(const HubRequest& request) {
    if (!request.post) return {405, "POST a subscription request (application/x-www-form-urlencoded)"};
    std::string error;
    auto intent = read_intent(request.body, error);
    if (!intent) return {400, error};
    if (intent->callback.size() > options.max_url_bytes || !http_url(intent->callback)) {
      return {400, "hub.callback must be an absolute http or https URL"};
    }
    if (intent->topic.size() > options.max_url_bytes || !render(intent->topic)) {
      return {400, "hub.topic is not a feed this hub publishes"};
    }
    if (intent->secret.size() >= 200) return {400, "hub.secret must be shorter than 200 bytes"};
    const Key key{intent->topic, intent->callback};
    if (intent->mode == "subscribe" && !active.contains(key) &&
        active.size() + pending_count() >= options.max_subscriptions) {
      return {429, "this hub holds its most subscriptions"};
    }
    std::chrono::seconds lease = intent->lease.value_or(options.default_lease);
    if (lease.count() <= 0) lease = options.default_lease;
    lease = std::min(lease, options.max_lease);
    verify(std::move(*intent), lease);
    return {202, {}};
  }
};

Hub::Hub(boost::asio::any_io_executor executor, fetch::Client& client, storage::Store& store,
         HubOptions options, HubHooks hooks)
    : impl_(
          std::make_shared<Impl>(std::move(executor), client, store, std::move(options), std::move(hooks))) {}

Hub::~Hub() {
  stop();
}

storage::Result<void> Hub::start() {
  auto stored = impl_->store.list_hub_subscriptions();
  if (!stored) return stored.error();
  for (HubSubscription& subscription : *stored) {
    Key key{subscription.topic, subscription.callback};
    impl_->active[key].stored = std::move(subscription);
  }
  impl_->expire_ended();
  for (auto& [key, subscription] : impl_->active) subscription.had = impl_->current(key.first);
  impl_->stopped = false;
  impl_->arm();
  return {};
}

void Hub::stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
  for (auto& [key, subscription] : impl_->active) {
    if (subscription.retry) subscription.retry->cancel();
  }
}

HubAnswer Hub::handle(const HubRequest& request) {
  if (impl_->stopped) return {503, "stopping"};
  return impl_->request(request);
}

void Hub::changed(std::chrono::steady_clock::time_point committed) {
  if (impl_->stopped) return;
  impl_->expire_ended();
  std::map<std::string, std::shared_ptr<Impl::Version>> fresh;  // topic -> its new version; null: unchanged
  for (const auto& [key, subscription] : impl_->active) {
    if (fresh.contains(key.first)) continue;
    auto content = impl_->render(key.first);
    const auto known = impl_->versions.find(key.first);
    if (!content || (known != impl_->versions.end() && known->second->content.etag == content->etag)) {
      fresh[key.first] = nullptr;
      continue;
    }
    fresh[key.first] = impl_->versions[key.first] = impl_->make_version(std::move(*content));
  }
  std::vector<Key> keys;
  for (const auto& [key, subscription] : impl_->active) {
    if (fresh[key.first]) keys.push_back(key);
  }
  for (const Key& key : keys) impl_->enqueue(key, fresh[key.first], committed);
}

HubStats Hub::stats() const {
  HubStats stats = impl_->counters;
  stats.by_state["pending"] = impl_->pending_count();
  stats.by_state["active"] = impl_->active.size();
  return stats;
}

}  // namespace tinhop::websub
