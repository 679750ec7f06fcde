#include "poll_service.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "logging.hpp"
#include "tinhop/admin/rules.hpp"
#include "tinhop/config/source.hpp"
#include "tinhop/parsers/contract_json.hpp"

namespace tinhop::daemon {
namespace {

using logging::kv;

// What decides how a source is polled: a change in it reloads the source into the poller.
// The time zone and date order are the effective ones, so a reload that changes the
// defaults reloads exactly the sources that follow them. Kept as a 64-bit digest (the
// text is ~100 bytes a source); a collision would only miss one settings change.
std::uint64_t signature(const storage::Source& s, const PollServiceOptions& o) {
  std::string sig = s.settings.url;
  for (const auto& h : s.settings.headers) sig += "\n" + h.name + ":" + h.value;
  auto secs = [](const std::optional<std::chrono::seconds>& d) {
    return d ? std::to_string(d->count()) : "-";
  };
  sig += "\n" + secs(s.settings.interval) + "/" + secs(s.settings.min_interval) + "/" +
         secs(s.settings.max_interval);
  const DateOrder order =
      s.settings.date_order == DateOrder::automatic ? o.default_date_order : s.settings.date_order;
  sig += "\n" + s.settings.time_zone.value_or(o.default_time_zone) + std::to_string(static_cast<int>(order));
  sig += "\n" + std::string(storage::source_type_name(s.settings.type)) + s.settings.html_selectors;
  if (s.settings.follow_links) sig += "\nfollow_links";
  for (const auto& category : s.settings.categories) sig += "\ncategory:" + category;
  if (s.settings.origin != storage::SourceOrigin::config) sig += "\nuntrusted";
  if (!s.settings.websub) sig += "\nwebsub=off";
  return std::hash<std::string>{}(sig);
}

storage::MilliInstant now_ms() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::shared_ptr<const HtmlSelectors> html_selectors(const storage::Source& s) {
  if (s.settings.type != storage::SourceType::html) return nullptr;
  return std::make_shared<const HtmlSelectors>(
      config::selectors_from_json(s.settings.html_selectors).value_or(HtmlSelectors{}));
}

}  // namespace

std::string node_name(const config::ClusterConfig& cluster) {
  if (!cluster.node.empty()) return cluster.node;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "tinhop";
  return host;
}

PollServiceOptions poll_options_from(const config::Config& config) {
  PollServiceOptions o;
  const auto& f = config.fetch;
  o.client.user_agent = f.user_agent;
  o.client.limits.connect_timeout = f.connect_timeout;
  o.client.limits.resolve_timeout = std::min<fetch::Millis>(f.connect_timeout, fetch::Millis(10'000));
  o.client.limits.total_timeout = f.timeout;
  o.client.limits.header_timeout = std::min<fetch::Millis>(f.timeout, o.client.limits.header_timeout);
  o.client.limits.body_timeout = f.timeout;
  o.client.limits.stall_timeout = std::min<fetch::Millis>(f.stall_timeout, f.timeout);
  o.client.limits.max_body = f.max_body_bytes;
  o.client.limits.max_decoded = f.max_body_bytes;
  o.client.limits.max_header = f.max_header_bytes;
  o.client.limits.max_redirects = static_cast<int>(f.max_redirects);
  if (!f.proxy.empty()) o.client.proxy = f.proxy;
  if (!f.ca_bundle.empty()) o.client.extra_ca_file = f.ca_bundle;
  o.client.allow_networks = f.allow_networks;
  o.poller.limits = o.client.limits;
  o.poller.gate.per_host = f.per_host_concurrency;
  o.poller.gate.global = f.global_concurrency;
  o.poller.gate.min_spacing = f.host_spacing;
  o.poller.min_concurrency = f.min_concurrency;
  const auto& p = config.poll;
  o.poller.policy.default_interval = p.default_interval;
  o.poller.policy.min_interval = p.min_interval;
  o.poller.policy.max_interval = p.max_interval;
  o.poller.policy.backoff_cap = p.max_backoff;
  o.poller.policy.jitter = p.jitter;
  o.poller.policy.stale_after_min = p.stale_after_min;
  o.follow.per_poll = f.articles_per_poll;
  o.follow.limits = article_limits(o.client.limits, f.article_max_bytes, f.article_timeout);
  o.default_time_zone = config.defaults.time_zone;
  o.default_date_order = config.defaults.date_order;
  std::string base = config.server.base_url;
  while (base.ends_with('/')) base.pop_back();
  o.websub = config.websub.enabled && !base.empty();
  o.subscriber.callback_base = base;
  o.subscriber.lease = config.websub.lease;
  o.subscriber.fallback_interval = config.websub.fallback_interval;
  if (!config.database.url.empty())
    o.cluster = ClusterOptions{node_name(config.cluster), config.cluster.lease};
  return o;
}

PollService::PollService(boost::asio::io_context& ioc, storage::Store& loop_store, storage::Store& writer,
                         PollServiceOptions options, PollServiceHooks hooks,
                         std::optional<storage::Store> cluster_store)
    : ioc_(ioc),
      store_(loop_store),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      client_(ioc.get_executor(), options_.client),
      pipeline_(writer, options_.pipeline,
                PipelineHooks{
                    .committed = [this](const std::vector<Committed>& polls) { on_committed(polls); },
                    .failed = [this](const std::vector<std::int64_t>& ids,
                                     const std::string& error) { on_store_failed(ids, error); },
                    .drained = [this] { boost::asio::post(ioc_, [this] { poller_.resume(); }); },
                }),
      poller_(ioc.get_executor(), client_, options_.poller,
              fetch::PollerHooks{
                  .process =
                      [this](const fetch::PollSource& source, fetch::Response response,
                             std::function<void(fetch::Processed)> done) {
                        if (!source.follow_links) {
                          return pipeline_.process(source, std::move(response), std::move(done));
                        }
                        // Parsed on a worker, then back on the loop for the article pages.
                        pipeline_.process(
                            source, std::move(response),
                            [this, source, done = std::move(done)](fetch::Processed processed) mutable {
                              boost::asio::post(
                                  ioc_, [this, source = std::move(source), processed = std::move(processed),
                                         done = std::move(done)]() mutable {
                                    follower_.follow(source, std::move(processed), std::move(done));
                                  });
                            });
                      },
                  .report = [this](fetch::PollReport report) { pipeline_.write(std::move(report)); },
                  .accepting = [this](const fetch::Fetching& f) { return pipeline_.accepting(f); },
                  .claim = options_.cluster
                               ? [this](const fetch::PollSource& source, const std::string& host, bool asked,
                                        fetch::PollerHooks::ClaimAnswer
                                            answer) { claim(source, host, asked, std::move(answer)); }
                               : decltype(fetch::PollerHooks::claim)(),
              }),
      follower_(
          ioc.get_executor(), loop_store,
          [this](fetch::Request request, fetch::Callback done) {
            poller_.fetch_linked(std::move(request), std::move(done));
          },
          options_.follow),
      writer_(writer),
      cluster_(options_.cluster),
      renew_timer_(ioc) {
  if (cluster_) {
    if (!cluster_store) throw std::invalid_argument("PollService: a cluster needs a store for its claims");
    cluster_worker_.emplace(std::move(*cluster_store));
  }
  if (!options_.websub) return;
  auto log = logging::get("websub");
  subscriber_ = std::make_unique<websub::Subscriber>(
      ioc.get_executor(), client_, loop_store, options_.subscriber,
      websub::SubscriberHooks{
          .pushed =
              [this](std::int64_t id, fetch::Response body) {
                if (body.body.empty()) return poller_.poll_now(id);
                poller_.pushed(id, std::move(body));
              },
          .push_interval =
              [this](std::int64_t id, std::optional<std::chrono::seconds> interval) {
                poller_.set_push_interval(id, interval);
              },
          .log =
              [log](std::string_view event, std::int64_t id, const std::string& detail) {
                const auto level = event == "store_error" || event == "request_failed" ? spdlog::level::warn
                                   : event == "push_refused" || event == "verification_refused"
                                       ? spdlog::level::warn
                                       : spdlog::level::info;
                log->log(level, "websub.{} {} {}", event, kv("source", id), kv("detail", detail));
              },
      });
}

PollService::~PollService() {
  poller_.stop_scheduling();
  client_.shutdown();
  pipeline_.finish();
}

void PollService::finish_writes() {
  pipeline_.finish();
  if (!cluster_worker_) return;
  cluster_worker_->post([this](storage::Store& store) {
    std::vector<storage::LeaseRelease> unused;
    {
      std::lock_guard lock(leased_mutex_);
      for (const auto& [id, claimed] : leased_)
        unused.push_back({.source_id = id, .next_due = claimed, .host_slowed_until = std::nullopt});
      leased_.clear();
    }
    if (unused.empty()) return;
    if (auto released = store.release_leases(cluster_->node, unused); !released) {
      logging::get("cluster")->warn("cluster.release_failed {} {}", kv("error", released.error().message),
                                    kv("action", "the leases run out on their own"));
    }
  });
  cluster_worker_->stop();
}

fetch::PollSource PollService::to_poll_source(const storage::Source& s, const storage::Health* health) const {
  fetch::PollSource p;
  p.id = s.id;
  p.url = s.settings.url;
  for (const auto& h : s.settings.headers) p.headers.emplace_back(h.name, h.value);
  p.settings.interval = s.settings.interval;
  p.settings.min_interval = s.settings.min_interval;
  p.settings.max_interval = s.settings.max_interval;
  p.etag = s.fetch.etag.value_or("");
  p.last_modified = s.fetch.last_modified.value_or("");
  p.body_hash = s.fetch.body_hash.value_or("");
  p.state.pending_redirect = s.fetch.redirect_target.value_or("");
  p.state.pending_redirect_polls = s.fetch.redirect_streak;
  p.state.publication_gap = s.fetch.adaptive_interval;
  p.state.last_change = s.fetch.last_item_at;
  if (health) {
    p.next_poll = health->next_poll;
    p.state.consecutive_failures = static_cast<int>(health->consecutive_failures);
    p.state.stale = health->stale;
    if (health->error_class == "http_404") p.state.consecutive_not_found = p.state.consecutive_failures;
  }
  p.time_zone = s.settings.time_zone.value_or(options_.default_time_zone);
  p.date_order =
      s.settings.date_order == DateOrder::automatic ? options_.default_date_order : s.settings.date_order;
  if (health && health->date_order_seen) p.date_order_seen = *health->date_order_seen;
  p.html = html_selectors(s);
  p.follow_links = s.settings.follow_links && s.settings.type == storage::SourceType::html;
  p.categories = s.settings.categories;
  // A source added through the CLI or the API was checked by its literal host only; the
  // address its name leads to is checked at every connection.
  p.trust_own_origin = s.settings.origin == storage::SourceOrigin::config;
  return p;
}

storage::Result<void> PollService::start() {
  if (subscriber_) {
    // Polling goes on without the stored subscriptions; the next polls ask the hubs again.
    if (auto started = subscriber_->start(); !started) {
      logging::get("websub")->error("websub.start_failed {}", kv("error", started.error().message));
    }
  }
  refresh_sources(true);
  refresh_rules(true);
  // Subscriptions of sources removed or disabled while the daemon was down.
  if (subscriber_) {
    for (std::int64_t id : subscriber_->subscribed_sources()) {
      if (!push_wanted_.contains(id)) subscriber_->forget(id);
    }
  }
  if (cluster_) {
    started_ = now_ms();
    renew_leases();
  }
  poller_.start();
  return {};
}

void PollService::claim(const fetch::PollSource& source, const std::string& host, bool asked,
                        fetch::PollerHooks::ClaimAnswer answer) {
  // The politeness settings as the loop has them now (a reload changes them there).
  const fetch::PollerOptions& poller = options_.poller;
  storage::ClaimRequest request{.node = cluster_->node,
                                .source_id = source.id,
                                .host = host,
                                .now = {},
                                .lease = cluster_->lease,
                                .per_host = static_cast<std::int64_t>(poller.gate.per_host),
                                .spacing = poller.gate.min_spacing,
                                .slowed_spacing = poller.gate.slowed_spacing,
                                .asked = asked};
  cluster_worker_->post(
      [this, request = std::move(request), answer = std::move(answer)](storage::Store& store) mutable {
        const storage::MilliInstant now = now_ms();
        request.now = now;
        const std::int64_t id = request.source_id;
        auto claimed = store.claim_source(request);
        if (!claimed) {
          // Polling pauses while the database is away; the next claims try again.
          database_failed("cluster.claims_failed", claimed.error().message,
                          "polling pauses until the database answers");
          return answer(now + std::chrono::seconds(5));
        }
        database_answered();
        if (!claimed->granted) return answer(claimed->retry_at);
        ++claims_;
        {
          std::lock_guard lock(leased_mutex_);
          leased_.emplace(id, now);
        }
        // A source removed while its claim was out: its lease row went with it.
        boost::asio::post(ioc_, [this, id, answer = std::move(answer)] {
          if (!signatures_.contains(id)) {
            std::lock_guard lock(leased_mutex_);
            leased_.erase(id);
          }
          answer(std::nullopt);
        });
      });
}

void PollService::database_failed(const char* event, const std::string& error, const char* action) {
  const auto line = outage_.failed(OutageLog::Clock::now());
  if (!line) return;
  auto log = logging::get("cluster");
  if (line->first) {
    log->error("{} {} {}", event, kv("error", error), kv("action", action));
  } else {
    log->warn("cluster.database_failing {} {} {}", kv("failing_for_s", line->failing_for.count()),
              kv("suppressed", line->suppressed), kv("error", error));
  }
}

void PollService::database_answered() {
  if (const auto recovery = outage_.succeeded(OutageLog::Clock::now())) {
    logging::get("cluster")->info("database.recovered {} {} {}", kv("node", cluster_->node),
                                  kv("down_for_s", recovery->down_for.count()),
                                  kv("failures", recovery->failures));
  }
}

void PollService::renew_leases() {
  renew_timer_.expires_after(
      std::max<std::chrono::milliseconds>(cluster_->lease / 3, std::chrono::seconds(1)));
  renew_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) renew_leases();
  });
  // A worker still busy with the last renewal (a slow database) renews those leases anyway.
  if (renewal_queued_.exchange(true)) return;
  cluster_worker_->post([this](storage::Store& store) {
    renewal_queued_ = false;
    const ClusterOptions& cluster = *cluster_;
    const storage::MilliInstant now = now_ms();
    std::vector<std::int64_t> held;
    {
      std::lock_guard lock(leased_mutex_);
      for (const auto& [id, claimed] : leased_) held.push_back(id);
    }
    std::sort(held.begin(), held.end());
    if (!held.empty()) {
      auto renewed = store.renew_leases(cluster.node, held, now + cluster.lease);
      if (!renewed) {
        database_failed("cluster.renew_failed", renewed.error().message,
                        "the leases run out unless the database answers before");
      } else {
        database_answered();
        if (renewed->size() < held.size()) {
          // Another node took these after their leases ran out (this node stalled or lost the
          // database for a lease): their polls here are no longer ours to release.
          std::vector<std::int64_t> lost;
          std::set_difference(held.begin(), held.end(), renewed->begin(), renewed->end(),
                              std::back_inserter(lost));
          lost_leases_ += lost.size();
          std::lock_guard lock(leased_mutex_);
          for (std::int64_t id : lost) leased_.erase(id);
          logging::get("cluster")->warn("cluster.leases_lost {} {}",
                                        kv("count", static_cast<std::int64_t>(lost.size())),
                                        kv("first_source", lost.front()));
        }
      }
    }
    if (auto beat = store.heartbeat({.node = cluster.node,
                                     .started = started_,
                                     .now = now,
                                     .claims = static_cast<std::int64_t>(claims_.load()),
                                     .lost_leases = static_cast<std::int64_t>(lost_leases_.load())});
        !beat) {
      database_failed("cluster.heartbeat_failed", beat.error().message,
                      "cluster status shows this node late");
    } else {
      database_answered();
    }
  });
}

void PollService::release_leases(const std::vector<Committed>& polls) {
  std::vector<storage::LeaseRelease> releases;
  for (const Committed& c : polls) {
    const fetch::PollReport& r = c.report;
    if (r.pushed) continue;  // a hub's push is no poll: it took no lease
    storage::LeaseRelease release{
        .source_id = r.source_id,
        .next_due = std::chrono::time_point_cast<std::chrono::milliseconds>(r.decision.next_poll),
        .host_slowed_until = std::nullopt};
    if (r.decision.host_pause_until) {
      release.host_slowed_until =
          std::chrono::time_point_cast<std::chrono::milliseconds>(*r.decision.host_pause_until);
    }
    releases.push_back(release);
  }
  if (releases.empty()) return;
  auto released = writer_.release_leases(cluster_->node, releases);
  if (!released) {
    // The leases run out on their own; the sources are polled again after them.
    logging::get("cluster")->warn("cluster.release_failed {}", kv("error", released.error().message));
  } else if (released->size() < releases.size()) {
    lost_leases_ += releases.size() - released->size();
  }
  std::lock_guard lock(leased_mutex_);
  for (const storage::LeaseRelease& release : releases) leased_.erase(release.source_id);
}

std::optional<ClusterCounts> PollService::cluster_counts() const {
  if (!cluster_) return std::nullopt;
  std::lock_guard lock(leased_mutex_);
  return ClusterCounts{cluster_->node, leased_.size(), claims_.load(), lost_leases_.load()};
}

void PollService::want_pushes(std::int64_t id, bool wanted) {
  if (!subscriber_) return;
  if (wanted) {
    push_wanted_.insert(id);
  } else if (push_wanted_.erase(id) > 0) {
    subscriber_->forget(id);
  }
}

void PollService::refresh_sources(bool force) {
  auto log = logging::get("poll");
  // Read before the walk: a change made while the pages are read bumps it again, and the
  // next refresh walks once more.
  auto version = store_.sources_version();
  if (!version) {
    log->error("sources.version_failed {}", kv("error", version.error().message));
    return;
  }
  if (!force && *version == sources_version_) return;
  // Pages of sources and their health (Store::visit_sources), never all of both at once:
  // at 10,000 sources the two whole lists were 15 MB at start-up and at every reload.
  std::vector<std::int64_t> wanted;  // ascending: sources come in id order
  wanted.reserve(signatures_.size());
  std::size_t added = 0, changed = 0, removed = 0;
  auto visited = store_.visit_sources([&](const storage::Source& s, const storage::Health* health) {
    if (!s.settings.enabled) return;
    wanted.push_back(s.id);
    want_pushes(s.id, s.settings.websub);
    const std::uint64_t sig = signature(s, options_);
    auto it = signatures_.find(s.id);
    if (it != signatures_.end() && it->second == sig) return;
    (it == signatures_.end() ? added : changed)++;
    poller_.upsert(to_poll_source(s, health));
    signatures_[s.id] = sig;
  });
  if (!visited) {
    log->error("sources.list_failed {}", kv("error", visited.error().message));
    return;
  }
  sources_version_ = *version;
  for (auto it = signatures_.begin(); it != signatures_.end();) {
    if (std::binary_search(wanted.begin(), wanted.end(), it->first)) {
      ++it;
      continue;
    }
    poller_.remove(it->first);
    want_pushes(it->first, false);
    if (cluster_) {
      // Its lease row went with it: not a lease another node took.
      std::lock_guard lock(leased_mutex_);
      leased_.erase(it->first);
    }
    it = signatures_.erase(it);
    ++removed;
  }
  if (added || changed || removed) {
    log->info("sources.loaded {} {} {} {}", kv("polled", static_cast<std::int64_t>(signatures_.size())),
              kv("added", static_cast<std::int64_t>(added)),
              kv("changed", static_cast<std::int64_t>(changed)),
              kv("removed", static_cast<std::int64_t>(removed)));
  }
}

void PollService::refresh_rules(bool force) {
  auto log = logging::get("rules");
  auto version = store_.rules_version();
  if (!version) {
    log->error("rules.version_failed {}", kv("error", version.error().message));
    return;
  }
  if (!force && *version == rules_version_) return;
  auto listed = admin::Rules(store_).list();
  if (!listed) {
    log->error("rules.list_failed {}", kv("error", listed.error().message));
    return;
  }
  std::vector<rules::RuleSpec> active;
  for (admin::Rule& rule : *listed) {
    if (!rule.problem.empty()) {
      log->warn("rules.unreadable {} {} {}", kv("id", rule.stored.id), kv("name", rule.stored.name),
                kv("problem", rule.problem));
    } else if (rule.stored.enabled) {
      active.push_back(std::move(rule.spec));
    }
  }
  const auto count = static_cast<std::int64_t>(active.size());
  pipeline_.set_rules(std::make_shared<const rules::RuleSet>(std::move(active)));
  rules_version_ = *version;
  log->info("rules.loaded {} {}", kv("applied", count),
            kv("stored", static_cast<std::int64_t>(listed->size())));
}

void PollService::apply_options(PollServiceOptions options) {
  const bool defaults_changed = options.default_time_zone != options_.default_time_zone ||
                                options.default_date_order != options_.default_date_order;
  options.pipeline = options_.pipeline;  // sized at start; not a setting of the file
  client_.set_options(options.client);
  poller_.set_options(options.poller);
  follower_.set_options(options.follow);
  options_ = std::move(options);
  if (defaults_changed) refresh_sources(true);
}

void PollService::stop_scheduling() {
  poller_.stop_scheduling();
  follower_.stop();  // articles not started wait, recorded as pending, for the next run
  if (subscriber_) subscriber_->stop();
}

void PollService::on_committed(const std::vector<Committed>& polls) {
  if (cluster_) release_leases(polls);
  auto log = logging::get("poll");
  for (const Committed& c : polls) {
    const fetch::PollReport& r = c.report;
    const bool failed = r.outcome == fetch::PollOutcome::failed;
    auto& was_failing = failing_sources_[r.source_id];
    if (failed != was_failing) {
      was_failing = failed;
      failed ? ++failing_ : --failing_;
    }
    ++polls_;
    const auto level = failed                                                       ? spdlog::level::warn
                       : (c.items_added > 0 || r.outcome == fetch::PollOutcome::ok) ? spdlog::level::info
                                                                                    : spdlog::level::debug;
    if (c.dates_not_understood > 0) {
      log->warn("poll.dates_not_understood {} {} {} {}", kv("source", r.source_id), kv("url", r.url),
                kv("count", static_cast<std::int64_t>(c.dates_not_understood)),
                kv("date_order_from", basis_name(c.date_order.basis)));
    }
    if (!log->should_log(level)) continue;
    std::string line =
        "poll.done " + kv("source", r.source_id) + " " + kv("url", r.url) + " " +
        kv("outcome", fetch::outcome_name(r.outcome)) + " " + kv("status", r.http_status) + " " +
        kv("items_added", c.items_added) + " " + kv("bytes", static_cast<std::int64_t>(r.bytes)) + " " +
        kv("latency_ms", static_cast<std::int64_t>(r.latency.count())) + " " +
        kv("next_poll", format_rfc3339(r.decision.next_poll)) + " " + kv("reason", r.decision.reason);
    if (failed) line += " " + kv("error_class", r.error_class) + " " + kv("error", r.error_text);
    if (r.decision.state.stale) line += " stale=true";
    if (r.decision.new_url) line += " " + kv("moved_to", *r.decision.new_url);
    if (r.decision.disable) line += " " + kv("disabled", r.decision.disable_reason);
    log->log(level, "{}", line);
  }
  if (subscriber_) {
    // What each fetched document named as its hub, for the subscriber on the event loop.
    std::vector<std::pair<std::int64_t, std::optional<WebSubTopic>>> found;
    for (const Committed& c : polls) {
      if (c.report.outcome == fetch::PollOutcome::ok && !c.report.pushed)
        found.emplace_back(c.report.source_id, c.report.websub);
    }
    if (!found.empty()) {
      boost::asio::post(ioc_, [this, found = std::move(found)] {
        for (const auto& [id, topic] : found) {
          if (push_wanted_.contains(id)) subscriber_->discovered(id, topic);
        }
      });
    }
  }
  if (refused_since_) {
    const auto refused_for =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - *refused_since_);
    logging::get("storage")->info("storage.writes_resumed {} {}", kv("refused_for_s", refused_for.count()),
                                  kv("batches_refused", batches_refused_));
    refused_since_.reset();
    batches_refused_ = 0;
    if (hooks_.writes_resumed) hooks_.writes_resumed();
  }
  if (hooks_.committed) hooks_.committed(polls);
}

void PollService::on_store_failed(const std::vector<std::int64_t>& source_ids, const std::string& error) {
  auto log = logging::get("storage");
  log->error("poll.store_failed {} {}", kv("sources", static_cast<std::int64_t>(source_ids.size())),
             kv("error", error));
  ++batches_refused_;
  if (cluster_) {
    // Not stored: the leases run out and the sources are polled again, here or elsewhere.
    std::lock_guard lock(leased_mutex_);
    for (std::int64_t id : source_ids) leased_.erase(id);
  }
  if (!refused_since_) {
    // One line an operator can act on; the polls of every refused batch are fetched in
    // full again once a batch is stored, so nothing the sources published is lost.
    refused_since_ = std::chrono::steady_clock::now();
    log->error("storage.writes_refused {} {}", kv("error", error),
               kv("action", "polls continue and are stored once the database accepts writes again"));
    if (hooks_.writes_refused) {
      hooks_.writes_refused(error,
                            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    }
  }
  boost::asio::post(ioc_, [this, source_ids] {
    for (auto id : source_ids) poller_.forget_validators(id);
  });
}

std::string PollService::summary() const {
  return std::to_string(signatures_.size()) + " sources, " + std::to_string(failing_.load()) + " failing, " +
         std::to_string(poller_.in_flight()) + " in flight, " + std::to_string(polls_.load()) + " polls";
}

}  // namespace tinhop::daemon
