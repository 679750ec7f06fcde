#include "article_follower.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "logging.hpp"
#include "tinhop/parsers/html_listing.hpp"
#include "tinhop/parsers/sanitize.hpp"

namespace tinhop::daemon {
namespace {

using logging::kv;
using SteadyClock = std::chrono::steady_clock;

// Links tried this long ago are left to the database, which has recorded them by then.
constexpr std::chrono::minutes kRecentFor{10};

bool is_web_link(const std::string& link) {
  return link.rfind("http://", 0) == 0 || link.rfind("https://", 0) == 0;
}

struct Extracted {
  std::optional<std::string> content;  // sanitized; nullopt with `failure` set
  std::string failure;
};

// Pure: the page's main text as safe HTML, links made absolute against the page.
Extracted extract(const fetch::Response& response, const ParseContext& context, std::size_t max_bytes) {
  ArticleOptions options;
  options.max_content_bytes = max_bytes;
  const ArticleOutcome outcome = extract_article(response.body, context, options);
  if (outcome.error != HtmlError::none) return {std::nullopt, outcome.message};
  if (!outcome.article.content) return {std::nullopt, "no article body found"};
  SanitizeOptions sanitize;
  sanitize.base_url = response.url;
  std::string safe = sanitize_html(*outcome.article.content, sanitize);
  if (safe.find_first_not_of(" \t\r\n") == std::string::npos) return {std::nullopt, "article body is empty"};
  return {std::move(safe), {}};
}

}  // namespace

fetch::Limits article_limits(fetch::Limits poll, std::size_t max_bytes, std::chrono::milliseconds timeout) {
  poll.max_body = max_bytes;
  poll.max_decoded = max_bytes;
  poll.total_timeout = timeout;
  poll.body_timeout = std::min(poll.body_timeout, timeout);
  poll.header_timeout = std::min(poll.header_timeout, timeout);
  return poll;
}

struct ArticleFollower::Round {
  std::int64_t source_id = 0;
  std::string trusted_origin_url;  // the source's URL when its origin may be internal, else ""
  std::string time_zone;
  DateOrder date_order = DateOrder::automatic;
  DateOrder listing_order = DateOrder::automatic;  // how the listing page's dates were read
  fetch::Processed processed;
  std::function<void(fetch::Processed)> done;
  std::vector<std::size_t> entries;  // to fetch, in document order
  std::size_t next = 0;
  std::size_t running = 0;  // fetching or extracting
  SteadyClock::time_point deadline;
  FollowOptions options;
};

ArticleFollower::ArticleFollower(boost::asio::any_io_executor loop, storage::Store& loop_store, Fetch fetch,
                                 FollowOptions options)
    : loop_(std::move(loop)), store_(loop_store), fetch_(std::move(fetch)), options_(options) {}

ArticleFollower::~ArticleFollower() {
  *alive_ = false;
  extractors_.join();
}

void ArticleFollower::stop() {
  stopped_ = true;
}

bool ArticleFollower::recently_tried(std::int64_t source_id, const std::string& link) {
  auto it = recent_.find(source_id);
  if (it == recent_.end()) return false;
  auto& links = it->second;
  const auto cutoff = SteadyClock::now() - kRecentFor;
  while (!links.empty() && links.front().first < cutoff) links.pop_front();
  if (links.empty()) {
    recent_.erase(it);
    return false;
  }
  for (const auto& [when, tried] : links) {
    if (tried == link) return true;
  }
  return false;
}

void ArticleFollower::follow(const fetch::PollSource& source, fetch::Processed processed,
                             std::function<void(fetch::Processed)> done) {
  if (processed.parse_error || !processed.document || processed.document->feed.items.empty()) {
    return done(std::move(processed));
  }
  const Feed& feed = processed.document->feed;
  processed.linked.assign(feed.items.size(), fetch::LinkedFetch::not_tried);
  auto pending = store_.articles_pending(source.id, feed);
  if (!pending) {
    // The entries are stored as still to fetch: the next poll tries again.
    logging::get("article")->warn("article.lookup_failed {} {}", kv("source", source.id),
                                  kv("error", pending.error().message));
    return done(std::move(processed));
  }
  auto round = std::make_shared<Round>();
  round->options = options_;
  std::size_t wanted = 0;
  for (std::size_t i = 0; i < feed.items.size(); ++i) {
    const auto& link = feed.items[i].link;
    if (!(*pending)[i] || !link || !is_web_link(*link) || recently_tried(source.id, *link)) continue;
    if (round->entries.size() < round->options.per_poll) round->entries.push_back(i);
    ++wanted;
  }
  // With a limit of 0 nothing is ever fetched: no reason to read unchanged pages again.
  processed.articles_left = round->options.per_poll > 0 && wanted > round->entries.size();
  if (round->entries.empty() || stopped_) return done(std::move(processed));
  round->source_id = source.id;
  round->trusted_origin_url = source.trust_own_origin ? source.url : std::string();
  round->time_zone = source.time_zone;
  round->date_order = source.date_order;
  round->listing_order = processed.document->date_order.order;
  round->processed = std::move(processed);
  round->done = std::move(done);
  round->deadline = SteadyClock::now() + round->options.round_deadline;
  launch(round);
}

void ArticleFollower::launch(const std::shared_ptr<Round>& round) {
  const bool may_start = !stopped_ && SteadyClock::now() < round->deadline;
  while (may_start && round->running < std::max<std::size_t>(1, round->options.parallel) &&
         round->next < round->entries.size()) {
    const std::size_t entry = round->entries[round->next++];
    const std::string& link = *round->processed.document->feed.items[entry].link;
    recent_[round->source_id].emplace_back(SteadyClock::now(), link);
    ++round->running;
    fetch::Request request;
    request.url = link;
    request.limits = round->options.limits;
    // The listing page is the remote site's to write: its links reach an internal address
    // only at the source's own origin, when the operator wrote the source in the file.
    request.trusted_origin_url = round->trusted_origin_url;
    request.link = true;
    fetch_(std::move(request), [this, alive = std::weak_ptr<bool>(alive_), round, entry](fetch::Response r) {
      if (auto a = alive.lock(); a && *a) on_fetched(round, entry, std::move(r));
    });
  }
  if (round->running == 0) {
    // Done: entries not started stay pending in the database for the next poll.
    if (round->next < round->entries.size()) round->processed.articles_left = true;
    auto done = std::move(round->done);
    done(std::move(round->processed));
  }
}

void ArticleFollower::on_fetched(const std::shared_ptr<Round>& round, std::size_t entry,
                                 fetch::Response response) {
  if (response.error == fetch::Error::cancelled) {
    --round->running;  // shut down: left untried, so a later run fetches it
    return launch(round);
  }
  if (!response.ok()) return settle(round, entry, std::nullopt, fetch::error_name(response.error));
  if (response.status < 200 || response.status > 299) {
    return settle(round, entry, std::nullopt, "HTTP status " + std::to_string(response.status));
  }
  ParseContext context;
  context.url = response.url;
  context.content_type = response.content_type;
  context.time_zone = round->time_zone;
  context.date_order = round->date_order;
  context.content_language = response.content_language;
  // Same site, same habits: an article page whose own dates do not tell is read as its listing was.
  context.learned_date_order = round->listing_order;
  context.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  // The work guard keeps the event loop running until the result is back on it.
  boost::asio::post(
      extractors_, [this, alive = std::weak_ptr<bool>(alive_), round, entry, response = std::move(response),
                    context = std::move(context), max_bytes = round->options.max_content_bytes,
                    work = boost::asio::make_work_guard(loop_)]() mutable {
        Extracted extracted = extract(response, context, max_bytes);
        response = {};  // the page goes before the hop back
        boost::asio::post(loop_, [this, alive, round, entry, extracted = std::move(extracted)]() mutable {
          if (auto a = alive.lock(); a && *a)
            settle(round, entry, std::move(extracted.content), extracted.failure);
        });
        work.reset();
      });
}

void ArticleFollower::settle(const std::shared_ptr<Round>& round, std::size_t entry,
                             std::optional<std::string> content, const std::string& failure) {
  Item& item = round->processed.document->feed.items[entry];
  if (content) {
    item.content = std::move(content);
    round->processed.linked[entry] = fetch::LinkedFetch::fetched;
  } else {
    round->processed.linked[entry] = fetch::LinkedFetch::failed;
    logging::get("article")->warn("article.failed {} {} {}", kv("source", round->source_id),
                                  kv("url", item.link.value_or("")), kv("error", failure));
  }
  --round->running;
  launch(round);
}

}  // namespace tinhop::daemon
