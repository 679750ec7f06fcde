#include "tinhop/fetch/discover.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>

#include "tinhop/parsers/feed.hpp"

namespace tinhop::fetch {

namespace {

// One discovery in flight: the page, then the link candidates together, then (when none
// was a feed) the common paths together.
class Run : public std::enable_shared_from_this<Run> {
 public:
  Run(Client& client, Request request, std::function<void(Discovery)> done, DiscoveryLimits limits)
      : client_(client), request_(std::move(request)), done_(std::move(done)), limits_(limits) {}

  void start() {
    auto self = shared_from_this();
    client_.fetch(request_, [self](Response response) { self->on_page(std::move(response)); });
  }

 private:
  void on_page(Response response) {
    if (!response.ok()) {
      result_.error = std::string("fetch failed: ") + error_name(response.error) +
                      (response.error_text.empty() ? "" : " (" + response.error_text + ")");
      return finish();
    }
    if (response.status != 200) {
      result_.error = "HTTP " + std::to_string(response.status);
      return finish();
    }
    ParseContext context;
    context.url = response.url.empty() ? request_.url : response.url;
    context.content_type = response.content_type;
    if (auto feed = feed_in(response.body, context)) {
      result_.page_is_feed = true;
      feed->url = request_.url;
      feed->found_by = FoundBy::address;
      result_.feeds.push_back(std::move(*feed));
      return finish();
    }
    std::vector<FeedCandidate> links;
    std::size_t page_links = 0;
    for (FeedCandidate& candidate : discover_feeds(response.body, context)) {
      if (candidate.found_by == FoundBy::common_path) {
        common_.push_back(std::move(candidate));
      } else if (candidate.found_by == FoundBy::alternate_link || page_links++ < limits_.max_page_links) {
        links.push_back(std::move(candidate));
      }
    }
    probe(std::move(links));
  }

  // Fetches every candidate at once; when the last answers, keeps the feeds in order.
  void probe(std::vector<FeedCandidate> candidates) {
    if (candidates.empty()) return after_probes();
    candidates_ = std::move(candidates);
    found_.assign(candidates_.size(), std::nullopt);
    pending_ = candidates_.size();
    auto self = shared_from_this();
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
      Request probe;
      probe.url = candidates_[i].url;
      probe.headers = request_.headers;
      probe.limits = limits_.probe;
      probe.trusted_origin_url = request_.trusted_origin_url;
      client_.fetch(std::move(probe),
                    [self, i](Response response) { self->on_probe(i, std::move(response)); });
    }
  }

  void on_probe(std::size_t index, Response response) {
    if (response.ok() && response.status == 200) {
      const FeedCandidate& candidate = candidates_[index];
      ParseContext context;
      context.url = response.url.empty() ? candidate.url : response.url;
      context.content_type = response.content_type;
      if (auto feed = feed_in(response.body, context)) {
        feed->url = candidate.url;
        feed->found_by = candidate.found_by;
        if (feed->title.empty()) feed->title = candidate.title;
        found_[index] = std::move(*feed);
      }
    }
    if (--pending_ == 0) {
      for (auto& feed : found_) {
        if (feed) result_.feeds.push_back(std::move(*feed));
      }
      after_probes();
    }
  }

  void after_probes() {
    if (result_.feeds.empty() && !common_.empty()) return probe(std::exchange(common_, {}));
    finish();
  }

  void finish() {
    // Once: the callback may start another discovery on this client.
    auto done = std::exchange(done_, nullptr);
    if (done) done(std::move(result_));
  }

  static std::optional<DiscoveredFeed> feed_in(std::string_view bytes, const ParseContext& context) {
    ParseLimits limits;
    limits.max_bytes = DiscoveryLimits::probe_limits().max_decoded;
    const ParseOutcome outcome = parse_feed(bytes, context, limits);
    if (!outcome) return std::nullopt;
    const Feed& feed = outcome.result().feed;
    DiscoveredFeed found;
    found.title = feed.title.value_or("");
    found.kind = kind_of(feed.format);
    found.format = feed.format;
    found.items = feed.items.size();
    return found;
  }

  Client& client_;
  Request request_;
  std::function<void(Discovery)> done_;
  DiscoveryLimits limits_;
  Discovery result_;
  std::vector<FeedCandidate> common_;
  std::vector<FeedCandidate> candidates_;
  std::vector<std::optional<DiscoveredFeed>> found_;
  std::size_t pending_ = 0;
};

}  // namespace

Limits DiscoveryLimits::probe_limits() {
  Limits limits;
  limits.max_body = 5u << 20;
  limits.max_decoded = 5u << 20;
  limits.total_timeout = std::chrono::seconds(15);
  limits.body_timeout = std::chrono::seconds(15);
  return limits;
}

void discover(Client& client, Request request, std::function<void(Discovery)> done, DiscoveryLimits limits) {
  std::make_shared<Run>(client, std::move(request), std::move(done), limits)->start();
}

Discovery discover_now(Request request, ClientOptions options, DiscoveryLimits limits) {
  boost::asio::io_context io;
  Client client(io.get_executor(), std::move(options));
  Discovery result;
  discover(
      client, std::move(request),
      [&](Discovery discovery) {
        result = std::move(discovery);
        client.shutdown();
      },
      limits);
  io.run();
  return result;
}

}  // namespace tinhop::fetch
