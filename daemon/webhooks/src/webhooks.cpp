#include "tinhop/webhooks/webhooks.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

#include "tinhop/websub/signature.hpp"

namespace tinhop::webhooks {

namespace {

// Why a try got no 2xx.
std::string failure(const fetch::Response& r) {
  if (!r.ok()) return r.error_text.empty() ? fetch::error_name(r.error) : r.error_text;
  return "HTTP status " + std::to_string(r.status);
}

}  // namespace

std::string signature(std::string_view secret, std::string_view body) {
  return websub::signature("sha256", secret, body);
}

struct Webhooks::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::any_io_executor ex, fetch::Client& c, std::vector<Webhook> w, Options o, Log l)
      : executor(std::move(ex)), client(c), webhooks(std::move(w)), options(o), log(std::move(l)) {}

  // One message on its way to one webhook.
  struct Message {
    std::size_t webhook = 0;
    std::shared_ptr<const std::string> body;
    std::string signature;
    int tries = 0;  // failed so far
  };

  boost::asio::any_io_executor executor;
  fetch::Client& client;
  std::vector<Webhook> webhooks;
  Options options;
  Log log;
  bool stopped = false;
  Stats counters;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> retries;  // waiting, cancelled by stop()

  void tell(std::string_view event, const Message& message, const std::string& detail) {
    if (log) log(event, webhooks[message.webhook].url, detail);
  }

  void post(Message message) {
    if (stopped) return;
    fetch::Request request;
    request.url = webhooks[message.webhook].url;
    request.trusted_origin_url = "";  // an address like one a remote party chose
    request.form = *message.body;
    request.form_type = "application/json";
    request.headers.emplace_back(std::string(kSignatureHeader), message.signature);
    fetch::Limits limits;
    limits.max_body = limits.max_decoded = 4096;  // the answer is not read
    limits.total_timeout = options.timeout;
    limits.max_redirects = 0;
    request.limits = limits;
    client.fetch(std::move(request), [weak = weak_from_this(), message](fetch::Response r) mutable {
      auto self = weak.lock();
      if (!self) return;
      boost::asio::post(self->executor, [self, message = std::move(message), r = std::move(r)]() mutable {
        self->answered(std::move(message), r);
      });
    });
  }

  void answered(Message message, const fetch::Response& r) {
    if (r.ok() && r.status >= 200 && r.status <= 299) {
      ++counters.delivered;
      tell("delivered", message, "HTTP status " + std::to_string(r.status));
      return;
    }
    ++counters.failed;
    const std::string why = failure(r);
    if (++message.tries >= options.attempts) {
      ++counters.dropped;
      tell("delivery_dropped", message, why + " after " + std::to_string(message.tries) + " tries");
      return;
    }
    const auto wait = options.retry_after * (1 << std::min(message.tries - 1, 16));
    tell("delivery_failed", message, why + "; again in " + std::to_string(wait.count()) + " ms");
    if (stopped) return;
    auto timer = std::make_shared<boost::asio::steady_timer>(executor, wait);
    retries.push_back(timer);
    timer->async_wait(
        [weak = weak_from_this(), timer, message = std::move(message)](boost::system::error_code ec) {
          auto self = weak.lock();
          if (!self) return;
          std::erase(self->retries, timer);
          if (!ec) self->post(message);
        });
  }
};

Webhooks::Webhooks(boost::asio::any_io_executor executor, fetch::Client& client,
                   std::vector<Webhook> webhooks, Options options, Log log)
    : impl_(std::make_shared<Impl>(std::move(executor), client, std::move(webhooks), options,
                                   std::move(log))) {}

Webhooks::~Webhooks() {
  stop();
}

void Webhooks::send(std::string_view kind, std::string body) {
  auto shared = std::make_shared<const std::string>(std::move(body));
  for (std::size_t i = 0; i < impl_->webhooks.size(); ++i) {
    const Webhook& webhook = impl_->webhooks[i];
    if (!webhook.kinds.empty() &&
        std::find(webhook.kinds.begin(), webhook.kinds.end(), kind) == webhook.kinds.end())
      continue;
    impl_->post(Impl::Message{i, shared, signature(webhook.secret, *shared)});
  }
}

void Webhooks::stop() {
  impl_->stopped = true;
  for (const auto& timer : impl_->retries) timer->cancel();
}

Stats Webhooks::stats() const {
  return impl_->counters;
}

}  // namespace tinhop::webhooks
