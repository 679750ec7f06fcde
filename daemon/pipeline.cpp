#include "pipeline.hpp"

#include <malloc.h>

#include <boost/asio/post.hpp>

#include "tinhop/parsers/feed.hpp"
#include "tinhop/parsers/html_listing.hpp"

namespace tinhop::daemon {
namespace {

using SteadyClock = std::chrono::steady_clock;

// A parsed document takes a few times its source text in memory.
std::size_t document_cost(std::size_t body_bytes) {
  return body_bytes * 3;
}

storage::FetchStatus status_of(fetch::PollOutcome outcome) {
  switch (outcome) {
    case fetch::PollOutcome::ok: return storage::FetchStatus::ok;
    case fetch::PollOutcome::not_modified:
    case fetch::PollOutcome::unchanged: return storage::FetchStatus::not_modified;
    case fetch::PollOutcome::failed: return storage::FetchStatus::failed;
  }
  return storage::FetchStatus::failed;
}

storage::ArticleFetch to_article(fetch::LinkedFetch linked) {
  switch (linked) {
    case fetch::LinkedFetch::fetched: return storage::ArticleFetch::fetched;
    case fetch::LinkedFetch::failed: return storage::ArticleFetch::failed;
    case fetch::LinkedFetch::not_tried: break;
  }
  return storage::ArticleFetch::not_tried;
}

std::optional<std::string> non_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

// Bodies and documents larger than this get their own mapping, returned to the system when
// freed. glibc would otherwise raise the threshold to the largest block freed so far and
// serve every later feed from arenas that fragment.
constexpr int kMmapThreshold = 128 * 1024;

// Documents are built on the parse threads and freed here: glibc keeps the freed pages of
// every thread's arena until asked, so without this the daemon's RSS stays at the peak of
// the biggest burst of feeds. At most once a second (a trim walks every arena).
void return_free_memory() {
  static std::atomic<std::int64_t> last{0};
  const std::int64_t now = SteadyClock::now().time_since_epoch().count();
  std::int64_t prev = last.load();
  if (now - prev < std::chrono::nanoseconds(std::chrono::seconds(1)).count()) return;
  if (last.compare_exchange_strong(prev, now)) malloc_trim(0);
}

}  // namespace

storage::FetchRecord to_record(const fetch::PollReport& report) {
  storage::FetchRecord r;
  r.source_id = report.source_id;
  r.attempted = report.attempted;
  r.status = status_of(report.outcome);
  r.http_status = report.http_status;
  r.error_class = report.error_class;
  r.error_text = report.error_text;
  r.bytes = static_cast<std::int64_t>(report.bytes);
  r.latency = report.latency;
  r.next_poll = report.decision.disable ? std::nullopt : std::optional<Instant>(report.decision.next_poll);
  r.stale = report.decision.state.stale;
  r.etag = non_empty(report.etag);
  r.last_modified = non_empty(report.last_modified);
  r.body_hash = non_empty(report.body_hash);
  r.permanent_redirect = report.permanent_redirect;
  r.adaptive_interval = report.decision.state.publication_gap;
  if (report.document) {
    const DateOrderDecision& order = report.document->date_order;
    if (order.basis == DateOrderBasis::document) r.date_order_seen = order.order;
    r.dates_not_understood = static_cast<std::int64_t>(report.document->dates_not_understood);
  }
  return r;
}

Pipeline::Pipeline(storage::Store& writer, PipelineOptions options, PipelineHooks hooks)
    : store_(writer),
      options_(options),
      hooks_(std::move(hooks)),
      parsers_(std::max<std::size_t>(1, options.parse_threads)),
      writer_([this] { writer_loop(); }) {
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
}

Pipeline::~Pipeline() {
  finish();
}

bool Pipeline::accepting(const fetch::Fetching& fetching) const {
  const bool ok = pending_.load() + fetching.polls < options_.max_pending &&
                  pending_bytes_.load() + fetching.bytes < options_.max_pending_bytes;
  if (!ok && !throttled_.load()) {
    // Under the lock, so a writer gathering a batch cannot miss it and wait out its window.
    {
      std::lock_guard lock(mutex_);
      throttled_.store(true);
    }
    wake_.notify_one();
  }
  return ok;
}

void Pipeline::release(std::size_t polls, std::size_t bytes) {
  pending_.fetch_sub(polls);
  pending_bytes_.fetch_sub(bytes);
  if (throttled_.load() && pending_.load() <= options_.max_pending / 2 &&
      pending_bytes_.load() <= options_.max_pending_bytes / 2 && throttled_.exchange(false) &&
      hooks_.drained) {
    hooks_.drained();
  }
}

void Pipeline::process(const fetch::PollSource& source, fetch::Response response,
                       std::function<void(fetch::Processed)> done) {
  // Charged as the document it becomes, so a poll's charge does not grow when its parse
  // ends: the limits bound parsing and queued polls alike.
  const std::size_t cost = document_cost(response.body.size());
  pending_.fetch_add(1);
  pending_bytes_.fetch_add(cost);
  ParseContext context;
  context.url = response.url;
  context.content_type = response.content_type;
  context.time_zone = source.time_zone;
  context.date_order = source.date_order;
  context.content_language = response.content_language;
  context.learned_date_order = date_order_seen(source);
  boost::asio::post(parsers_, [this, context = std::move(context), response = std::move(response),
                               done = std::move(done), html = source.html, cost, id = source.id,
                               url = source.url, categories = source.categories,
                               rules = current_rules()]() mutable {
    const auto start = SteadyClock::now();
    context.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    fetch::Processed processed;
    if (html) {
      HtmlListingOutcome outcome = parse_html_listing(response.body, context, *html);
      if (outcome.error == HtmlError::none) {
        processed.document = std::move(outcome.result);
      } else {
        processed.parse_error = true;
        processed.error_class = outcome.error == HtmlError::bad_selector ? "bad_selector" : "html_refused";
        processed.error_text = outcome.message;
      }
    } else {
      ParseOutcome outcome = parse_feed(response.body, context);
      if (outcome) {
        processed.document = std::move(outcome).result();
        processed.websub = discover_websub(links_from_headers(response.links, response.url),
                                           processed.document->feed, response.url);
      } else {
        processed.parse_error = true;
        processed.error_class = error_name(outcome.failure().error);
        processed.error_text = outcome.failure().message;
      }
    }
    if (processed.document && !rules->empty()) {
      apply_rules(*rules, id, rules::SourceScope{url, categories}, processed.document->feed);
    }
    if (processed.document && processed.document->date_order.basis == DateOrderBasis::document) {
      remember_date_order(id, processed.document->date_order.order);
    }
    // The body goes now; the document is counted again when it reaches write().
    response.body.clear();
    response.body.shrink_to_fit();
    parse_ns_.fetch_add((SteadyClock::now() - start).count());
    release(1, cost);
    done(std::move(processed));
  });
}

DateOrder Pipeline::date_order_seen(const fetch::PollSource& source) const {
  std::lock_guard lock(orders_mutex_);
  const auto seen = orders_seen_.find(source.id);
  return seen != orders_seen_.end() ? seen->second : source.date_order_seen;
}

void Pipeline::remember_date_order(std::int64_t source_id, DateOrder order) {
  std::lock_guard lock(orders_mutex_);
  orders_seen_[source_id] = order;
}

void Pipeline::set_rules(std::shared_ptr<const rules::RuleSet> rules) {
  std::lock_guard lock(rules_mutex_);
  rules_ = std::move(rules);
}

std::shared_ptr<const rules::RuleSet> Pipeline::current_rules() const {
  std::lock_guard lock(rules_mutex_);
  return rules_;
}

void Pipeline::apply_rules(const rules::RuleSet& rules, std::int64_t source_id,
                           const rules::SourceScope& scope, Feed& feed) {
  const rules::Outcome outcome = rules.apply(feed.items, scope, feed.language);
  if (outcome.tallies.empty()) return;
  std::lock_guard lock(rules_mutex_);
  UncommittedRules& uncommitted = uncommitted_rules_[source_id];
  for (const rules::ItemEffect& effect : outcome.effects) {
    if (!effect.dropped_by.empty()) uncommitted.drops.emplace(effect.dropped_by, effect.key);
  }
  for (const rules::RuleTally& tally : outcome.tallies) {
    if (tally.timeouts > 0) uncommitted.timeouts[tally.rule] += static_cast<std::int64_t>(tally.timeouts);
  }
}

void Pipeline::settle_rule_counts(const std::vector<fetch::PollReport>& batch, bool stored) {
  // A source's memory of dropped items is forgotten past this many: feeds carry tens of
  // items, so only a source dropping thousands recounts some.
  constexpr std::size_t kRememberedDrops = 4096;
  std::vector<std::pair<std::int64_t, UncommittedRules>> settled;
  {
    std::lock_guard lock(rules_mutex_);
    for (const fetch::PollReport& report : batch) {
      const auto found = uncommitted_rules_.find(report.source_id);
      if (found == uncommitted_rules_.end()) continue;
      settled.emplace_back(report.source_id, std::move(found->second));
      uncommitted_rules_.erase(found);
    }
  }
  if (!stored) return;
  // From here on the writer's own: no parse thread reads these.
  for (const auto& [source_id, uncommitted] : settled) {
    auto count_of = [&, id = source_id](const std::string& rule) -> storage::RuleCount& {
      storage::RuleCount& count = rule_counts_[{id, rule}];
      count.source_id = id;
      count.rule = rule;
      return count;
    };
    auto& seen = dropped_seen_[source_id];
    if (seen.size() > kRememberedDrops) seen.clear();
    for (const auto& [rule, key] : uncommitted.drops) {
      if (seen.insert(rule + '\n' + key).second) ++count_of(rule).dropped;
    }
    for (const auto& [rule, timeouts] : uncommitted.timeouts) count_of(rule).timeouts += timeouts;
  }
  if (rule_counts_.empty()) return;
  std::vector<storage::RuleCount> counts;
  for (const auto& [key, count] : rule_counts_) counts.push_back(count);
  // Not stored: kept, and stored with the next batch.
  if (store_.add_rule_counts(counts)) rule_counts_.clear();
}

void Pipeline::write(fetch::PollReport report) {
  const std::size_t body = report.document ? report.body_bytes : 0;
  pending_.fetch_add(1);
  pending_bytes_.fetch_add(document_cost(body));
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(report));
  }
  wake_.notify_one();
}

void Pipeline::maintain(std::function<void(storage::Store&)> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void Pipeline::writer_loop() {
  std::vector<fetch::PollReport> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || !jobs_.empty(); });
      if (!stopping_ && !jobs_.empty()) {
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        job(store_);
        continue;
      }
      if (queue_.empty()) return;  // stopping, and nothing left
      // Gather a fuller batch, unless the backlog is what holds the poller back: then no
      // poll comes until this batch is committed, and waiting only idles the writer.
      auto full = [&] { return stopping_ || queue_.size() >= options_.batch_size || throttled_.load(); };
      if (!full()) wake_.wait_for(lock, options_.batch_window, full);
      while (!queue_.empty() && batch.size() < options_.batch_size) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit(batch);
    batch.clear();
  }
}

void Pipeline::commit(std::vector<fetch::PollReport>& batch) {
  const auto start = SteadyClock::now();
  const Instant now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::vector<storage::PollResult> polls;
  polls.reserve(batch.size());
  std::vector<std::vector<storage::ArticleFetch>> articles(batch.size());
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& report = batch[i];
    for (const fetch::LinkedFetch linked : report.linked) articles[i].push_back(to_article(linked));
    polls.push_back({to_record(report), report.document ? &report.document->feed : nullptr, articles[i]});
    if (report.document) bytes += document_cost(report.body_bytes);
  }
  auto counts = store_.commit_polls(polls);
  if (!counts) {
    // One retry covers a CLI write holding the lock past the busy timeout.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    counts = store_.commit_polls(polls);
  }
  std::vector<Committed> done;
  if (!counts) {
    std::vector<std::int64_t> ids;
    for (const auto& report : batch) ids.push_back(report.source_id);
    if (hooks_.failed) hooks_.failed(ids, counts.error().message);
  } else {
    done.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& report = batch[i];
      if (report.decision.new_url) (void)store_.move_source(report.source_id, *report.decision.new_url, now);
      if (report.decision.disable) {
        (void)store_.set_enabled(report.source_id, false, now, report.decision.disable_reason);
      }
      if (report.document) {
        const Feed& feed = report.document->feed;
        (void)store_.set_feed_info(report.source_id, feed.title, feed.link);
      }
      Committed c;
      if (report.document) {
        c.dates_not_understood = report.document->dates_not_understood;
        c.date_order = report.document->date_order;
      }
      report.document.reset();
      c.items_added = i < counts->size() ? (*counts)[i].added : 0;
      c.items_updated = i < counts->size() ? (*counts)[i].updated : 0;
      c.report = std::move(report);
      done.push_back(std::move(c));
    }
    committed_polls_.fetch_add(batch.size());
  }
  settle_rule_counts(batch, counts.has_value());
  if (bytes > 0) return_free_memory();
  write_ns_.fetch_add((SteadyClock::now() - start).count());
  release(batch.size(), bytes);
  if (!done.empty() && hooks_.committed) hooks_.committed(done);
}

void Pipeline::finish() {
  parsers_.join();  // parses in progress complete and hand their reports back
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

Pipeline::Timings Pipeline::timings() const {
  return {std::chrono::nanoseconds(parse_ns_.load()), std::chrono::nanoseconds(write_ns_.load())};
}

}  // namespace tinhop::daemon
