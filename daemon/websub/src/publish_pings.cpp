#include "tinhop/websub/publish_pings.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <set>

namespace tinhop::websub {

namespace {

// hub.mode=publish&hub.url=...&hub.url=..., each topic form-encoded.
std::string ping_form(const std::set<std::string>& topics) {
  std::string form = "hub.mode=publish";
  for (const std::string& topic : topics)
    form += "&hub.url=" + boost::urls::encode(topic, boost::urls::unreserved_chars);
  return form;
}

std::string joined(const std::set<std::string>& topics) {
  std::string out;
  for (const std::string& topic : topics) out += (out.empty() ? "" : " ") + topic;
  return out;
}

}  // namespace

struct PublishPings::Impl : std::enable_shared_from_this<Impl> {
  struct Hub {
    std::string url;
    std::set<std::string> waiting;  // topics changed since the last ping began
    std::set<std::string> sending;  // the topics of the ping in flight or waiting for its retry
    int failures = 0;               // failed attempts of `sending`
    bool armed = false;             // a ping is due: debounce or retry timer running, or in flight
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  Impl(boost::asio::any_io_executor ex, fetch::Client& c, PingOptions o, Log l)
      : executor(ex), client(c), options(std::move(o)), log(std::move(l)) {
    for (const std::string& url : options.hubs) {
      hubs.push_back({url, {}, {}, 0, false, std::make_unique<boost::asio::steady_timer>(executor)});
    }
  }

  boost::asio::any_io_executor executor;
  fetch::Client& client;
  PingOptions options;
  Log log;
  std::vector<Hub> hubs;
  PingStats counters;
  bool stopped = false;

  void note(std::string_view event, const std::string& hub, const std::string& detail) {
    if (log) log(event, hub, detail);
  }

  void arm(std::size_t index, std::chrono::milliseconds wait) {
    Hub& hub = hubs[index];
    hub.armed = true;
    hub.timer->expires_after(wait);
    hub.timer->async_wait([weak = weak_from_this(), index](boost::system::error_code ec) {
      auto self = weak.lock();
      if (self && !ec && !self->stopped) self->ping(index);
    });
  }

  void ping(std::size_t index) {
    Hub& hub = hubs[index];
    hub.sending.merge(hub.waiting);
    hub.waiting.clear();
    fetch::Request request;
    request.url = hub.url;
    request.form = ping_form(hub.sending);
    fetch::Limits limits;
    limits.max_body = limits.max_decoded = 4096;  // the hub's answer is not read
    limits.total_timeout = std::chrono::seconds(30);
    request.limits = limits;
    client.fetch(std::move(request), [weak = weak_from_this(), index](fetch::Response r) {
      auto self = weak.lock();
      if (!self) return;
      boost::asio::post(self->executor, [self, index, r = std::move(r)] { self->pinged(index, r); });
    });
  }

  void pinged(std::size_t index, const fetch::Response& r) {
    Hub& hub = hubs[index];
    hub.armed = false;
    if (stopped) return;  // cut short by our own stop: not the hub's failure
    if (r.ok() && r.status >= 200 && r.status <= 299) {
      ++counters.sent;
      note("published", hub.url, joined(hub.sending));
      hub.sending.clear();
      hub.failures = 0;
      if (!hub.waiting.empty()) arm(index, options.debounce);
      return;
    }
    ++counters.failed;
    const std::string why = !r.ok() ? (r.error_text.empty() ? fetch::error_name(r.error) : r.error_text)
                                    : "HTTP status " + std::to_string(r.status);
    if (++hub.failures >= options.attempts) {
      note("ping_dropped", hub.url, why + ": " + joined(hub.sending));
      hub.sending.clear();
      hub.failures = 0;
      if (!hub.waiting.empty()) arm(index, options.debounce);
      return;
    }
    const auto wait = options.retry_after * (1 << std::min(hub.failures - 1, 16));
    note("ping_failed", hub.url, why + "; again in " + std::to_string(wait.count()) + " ms");
    arm(index, wait);
  }
};

PublishPings::PublishPings(boost::asio::any_io_executor executor, fetch::Client& client, PingOptions options,
                           Log log)
    : impl_(std::make_shared<Impl>(std::move(executor), client, std::move(options), std::move(log))) {}

PublishPings::~PublishPings() {
  stop();
}

void PublishPings::changed(const std::vector<std::string>& topics) {
  if (impl_->stopped || topics.empty()) return;
  for (std::size_t index = 0; index < impl_->hubs.size(); ++index) {
    Impl::Hub& hub = impl_->hubs[index];
    hub.waiting.insert(topics.begin(), topics.end());
    if (!hub.armed) impl_->arm(index, impl_->options.debounce);
  }
}

void PublishPings::stop() {
  impl_->stopped = true;
  for (Impl::Hub& hub : impl_->hubs) hub.timer->cancel();
}

PingStats PublishPings::stats() const {
  return impl_->counters;
}

}  // namespace tinhop::websub
