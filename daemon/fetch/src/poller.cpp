#include "tinhop/fetch/poller.hpp"

#include <openssl/evp.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>

#include <algorithm>
#include <deque>
#include <queue>
#include <random>
#include <unordered_map>
#include <utility>

#include "target.hpp"

namespace tinhop::fetch {
namespace {

using SysClock = std::chrono::system_clock;
using SysTime = SysClock::time_point;

Instant to_instant(SysTime t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Which items a document lists, independent of their order and of volatile feed fields
// (lastBuildDate), so "changed" means new, gone or edited items.
std::uint64_t items_fingerprint(const Feed& feed) {
  std::vector<std::uint64_t> keys;
  keys.reserve(feed.items.size());
  for (const Item& item : feed.items) {
    std::uint64_t h = fnv1a(item.id.value_or(item.link.value_or("")));
    h = fnv1a(item.title.value_or(""), h);
    if (item.updated) h ^= static_cast<std::uint64_t>(item.updated->time_since_epoch().count()) * 31;
    keys.push_back(h);
  }
  std::sort(keys.begin(), keys.end());
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::uint64_t k : keys) h = (h ^ k) * 0x100000001b3ULL;
  return h;
}

bool all_permanent(const std::vector<Redirect>& redirects) {
  return !redirects.empty() && std::all_of(redirects.begin(), redirects.end(), [](const Redirect& r) {
    return r.status == 301 || r.status == 308;
  });
}

std::string host_of(const std::string& url) {
  std::string why;
  bool bad_scheme = false;
  auto t = detail::parse_target(url, why, bad_scheme);
  return t && t->scheme != "file" ? t->host : std::string();
}

}  // namespace

const char* outcome_name(PollOutcome outcome) {
  switch (outcome) {
    case PollOutcome::ok: return "ok";
    case PollOutcome::not_modified: return "not_modified";
    case PollOutcome::unchanged: return "unchanged";
    case PollOutcome::failed: return "failed";
  }
  return "failed";
}

std::string body_digest(std::string_view body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < std::min(len, 16u); ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

struct Poller::Impl : std::enable_shared_from_this<Impl> {
  // Publisher hints from the last parsed document, still valid on 304s.
  struct Hints {
    std::optional<scheduler::Seconds> ttl;
    std::optional<scheduler::Seconds> update_period;
    std::vector<int> skip_hours;
    std::vector<std::string> skip_days;
  };
  struct Entry {
    PollSource source;
    std::string host;  // empty for file:// (no politeness limits on local files)
    std::uint64_t generation = 0;
    std::uint64_t polls = 0;
    bool busy = false;
    bool disabled = false;
    bool server_wait = false;  // the next poll is the wait a Retry-After asked for
    bool asked = false;        // the next poll was asked for now (PollerHooks::claim)
    bool poll_again = false;   // asked for while a poll ran: the next poll starts when it ends
    std::uint64_t claim = 0;   // the claim whose answer is awaited; 0: none
    std::optional<std::uint64_t> items_hash;
    Hints hints;
  };
  struct Due {
    SysTime at;
    std::int64_t id;
    std::uint64_t generation;
    bool operator>(const Due& o) const { return at > o.at; }
  };

  // A fetch_linked request waiting for its host's turn.
  struct Linked {
    std::string host;  // empty for file://
    Request request;
    Callback done;
  };

  Impl(boost::asio::any_io_executor ex, Client& c, PollerOptions o, PollerHooks h)
      : executor(ex),
        client(c),
        options(std::move(o)),
        hooks(std::move(h)),
        gate(options.gate),
        timer(ex),
        linked_timer(ex) {}

  // Starts the waiting linked fetches the gate allows; wakes up again for host spacing.
  void pump_linked() {
    const auto now = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> wake;
    for (auto it = linked.begin(); it != linked.end() && !gate.saturated();) {
      if (!it->host.empty() && !gate.try_acquire(it->host, now)) {
        const auto at = std::max(gate.next_start(it->host, now), now + std::chrono::milliseconds(50));
        if (!wake || at < *wake) wake = at;
        ++it;
        continue;
      }
      Linked l = std::move(*it);
      it = linked.erase(it);
      client.fetch(std::move(l.request),
                   [weak = weak_from_this(), host = l.host, done = std::move(l.done)](Response r) {
                     auto self = weak.lock();
                     if (self && !host.empty()) self->gate.release(host);
                     done(std::move(r));
                     if (self) self->tick();
                   });
    }
    if (!wake || (linked_armed && linked_at <= *wake)) return;
    linked_armed = true;
    linked_at = *wake;
    linked_timer.expires_at(*wake);
    linked_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      self->linked_armed = false;
      self->pump_linked();
    });
  }

  // A healthy source never waits past the policy's longest interval from now: a bound
  // lowered by a reload (or while the daemon was stopped) applies to polls already
  // scheduled. Failures keep their backoff and servers their Retry-After.
  // Deterministic per source and poll, so the same inputs give the same decision.
  static std::uint64_t jitter_seed(const Entry& e) {
    return static_cast<std::uint64_t>(e.source.id) * 0x9e3779b97f4a7c15ULL ^ e.polls;
  }

  // The source's own settings, or while a hub pushes its changes, the push interval.
  scheduler::SourceSettings settings_of(const Entry& e) const {
    const auto push = push_intervals.find(e.source.id);
    if (push == push_intervals.end()) return e.source.settings;
    scheduler::SourceSettings settings = e.source.settings;
    settings.interval = push->second;
    settings.max_interval =
        std::max(push->second, settings.max_interval.value_or(options.policy.max_interval));
    return settings;
  }

  SysTime bounded(const Entry& e, SysTime at) const {
    if (e.server_wait || e.source.state.consecutive_failures > 0) return at;
    const Instant latest =
        scheduler::skip_forward(scheduler::latest_next_poll(options.policy, settings_of(e),
                                                            to_instant(SysClock::now()), jitter_seed(e)),
                                e.hints.skip_hours, e.hints.skip_days);
    return std::min(at, SysTime(latest));
  }

  void schedule(Entry& e, SysTime at) {
    ++e.generation;
    heap.push({at, e.source.id, e.generation});
    if (running && heap.top().generation == e.generation && heap.top().id == e.source.id) arm();
  }

  void arm() {
    if (!running || heap.empty()) return;
    const SysTime at = heap.top().at;
    if (timer_armed && timer_at <= at) return;
    timer_armed = true;
    timer_at = at;
    timer.expires_at(at);
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      self->timer_armed = false;
      self->tick();
    });
  }

  void tick() {
    pump_linked();  // pages of polls already running come before new polls
    if (!running) return;
    const SysTime now = SysClock::now();
    const auto steady_now = std::chrono::steady_clock::now();
    std::vector<Due> deferred;
    bool blocked = false;
    while (!heap.empty() && heap.top().at <= now) {
      // resume() or a finishing poll restarts us; arming the timer now would spin.
      blocked = (hooks.accepting && !hooks.accepting(charged())) || gate.saturated();
      if (blocked) break;
      const Due due = heap.top();
      heap.pop();
      auto it = entries.find(due.id);
      if (it == entries.end() || it->second.generation != due.generation || it->second.busy) continue;
      Entry& e = it->second;
      if (e.claim != 0) continue;  // the answer reschedules or starts it
      if (!e.host.empty() && !gate.try_acquire(e.host, steady_now)) {
        const auto wait = std::max<std::chrono::nanoseconds>(gate.next_start(e.host, steady_now) - steady_now,
                                                             std::chrono::milliseconds(50)) +
                          contest_spread();
        deferred.push_back(
            {now + std::chrono::duration_cast<SysClock::duration>(wait), due.id, due.generation});
        continue;
      }
      if (hooks.claim) {
        ask(e);
        continue;
      }
      start(e);
    }
    for (const Due& d : deferred) heap.push(d);
    timer_armed = false;
    timer.cancel();
    if (!blocked) arm();
  }

  // Asks the claim hook about a due source holding its host's place; on_claimed takes the
  // answer on the event loop.
  void ask(Entry& e) {
    e.claim = ++claims_asked;
    hooks.claim(e.source, e.host, e.asked,
                [weak = weak_from_this(), ex = executor, id = e.source.id, claim = e.claim,
                 host = e.host](std::optional<SysTime> retry_at) {
                  boost::asio::post(ex, [weak, id, claim, host, retry_at] {
                    if (auto self = weak.lock()) self->on_claimed(id, claim, host, retry_at);
                  });
                });
  }

  void on_claimed(std::int64_t id, std::uint64_t claim, const std::string& host,
                  std::optional<SysTime> retry_at) {
    auto it = entries.find(id);
    const bool current = it != entries.end() && it->second.claim == claim;
    if (current) it->second.claim = 0;
    if (current && running && !retry_at) return start(it->second);
    if (!host.empty()) gate.release(host);
    if (current) {
      // Due again at the time named (a grant scheduling stopped for: at once when it starts
      // again), under the generation it has now: a poll_now while the claim was out bumped
      // it, and its turn in the heap was skipped.
      const SysTime soonest = SysClock::now() + std::chrono::milliseconds(50);
      const SysTime at = std::max<SysTime>(retry_at.value_or(soonest), soonest) + contest_spread();
      heap.push({at, id, it->second.generation});
    }
    tick();
  }

  // Where other nodes claim too, every node waiting for a host's next start comes back at
  // that same instant: the node that took the last start (its own gate's wait) or whose
  // claims reach the database first would win every start, and poll all of a spaced host's
  // sources while the others idle. A random delay makes each start a fair draw.
  std::chrono::milliseconds contest_spread() {
    if (!hooks.claim) return {};
    return std::chrono::milliseconds(claim_spread(claim_rng));
  }

  // What downstream is asked to count of the fetches running (PollerHooks::accepting).
  Fetching charged() const {
    return fetching < options.min_concurrency ? Fetching{} : Fetching{fetching, receiving};
  }

  void start(Entry& e) {
    e.busy = true;
    e.asked = false;
    ++busy;
    ++fetching;
    const Instant attempted = to_instant(SysClock::now());
    Request request;
    request.url = e.source.url;
    request.headers = e.source.headers;
    if (!e.source.trust_own_origin) request.trusted_origin_url = "";
    if (!e.source.etag.empty()) request.etag = e.source.etag;
    if (!e.source.last_modified.empty()) request.last_modified = e.source.last_modified;
    request.limits = options.limits;
    // This fetch's share of `receiving`, taken back when it is answered.
    auto received = std::make_shared<std::size_t>(0);
    request.on_body = [weak = weak_from_this(), received](std::size_t bytes) {
      if (auto self = weak.lock()) {
        *received += bytes;
        self->receiving += bytes;
      }
    };
    client.fetch(std::move(request), [weak = weak_from_this(), id = e.source.id, generation = e.generation,
                                      host = e.host, attempted, received](Response r) {
      if (auto self = weak.lock()) self->on_fetched(id, generation, host, attempted, *received, std::move(r));
    });
  }

  void on_fetched(std::int64_t id, std::uint64_t generation, const std::string& host, Instant attempted,
                  std::size_t received, Response r) {
    --fetching;
    receiving -= received;
    if (!host.empty()) gate.release(host);
    auto it = entries.find(id);
    if (it == entries.end() || it->second.generation != generation) {
      tick();  // an orphaned poll (source removed or replaced): upsert/remove counted it
      return;
    }
    Entry& e = it->second;
    PollReport report;
    report.source_id = id;
    report.url = e.source.url;
    report.attempted = attempted;
    report.http_status = r.status;
    report.bytes = r.wire_bytes;
    report.body_bytes = r.body.size();
    report.latency = r.elapsed;
    report.etag = e.source.etag;
    report.last_modified = e.source.last_modified;
    report.body_hash = e.source.body_hash;
    if (all_permanent(r.redirects)) report.permanent_redirect = r.url;

    scheduler::PollResult result;
    result.at = attempted;
    result.status = r.status;
    result.transport_error = !r.ok();
    result.max_age = scheduler::parse_max_age(r.cache_control);
    if (!r.expires.empty()) result.expires = scheduler::parse_http_date(r.expires);
    if (!r.retry_after.empty()) result.retry_after = scheduler::parse_retry_after(r.retry_after, attempted);
    result.permanent_redirect = report.permanent_redirect;

    if (!r.ok()) {
      report.outcome = PollOutcome::failed;
      report.error_class = error_name(r.error);
      report.error_text = r.error_text;
      return finish(e, std::move(report), std::move(result));
    }
    if (r.status == 304) {
      report.outcome = PollOutcome::not_modified;
      if (!r.etag.empty()) report.etag = r.etag;
      if (!r.last_modified.empty()) report.last_modified = r.last_modified;
      return finish(e, std::move(report), std::move(result));
    }
    if (r.status < 200 || r.status > 299) {
      report.outcome = PollOutcome::failed;
      report.error_class = "http_" + std::to_string(r.status);
      report.error_text = "HTTP status " + std::to_string(r.status);
      return finish(e, std::move(report), std::move(result));
    }
    report.etag = r.etag;
    report.last_modified = r.last_modified;
    const std::string digest = body_digest(r.body);
    if (!e.source.body_hash.empty() && digest == e.source.body_hash) {
      report.outcome = PollOutcome::unchanged;
      return finish(e, std::move(report), std::move(result));
    }
    report.body_hash = digest;
    if (!hooks.process) {
      report.outcome = PollOutcome::ok;
      return finish(e, std::move(report), std::move(result));
    }
    const PollSource snapshot = e.source;
    hooks.process(
        snapshot, std::move(r),
        [weak = weak_from_this(), ex = executor, id, generation, report = std::move(report),
         result = std::move(result)](Processed processed) mutable {
          boost::asio::post(ex, [weak, id, generation, report = std::move(report), result = std::move(result),
                                 processed = std::move(processed)]() mutable {
            auto self = weak.lock();
            if (!self) return;
            self->on_processed(id, generation, std::move(report), std::move(result), std::move(processed));
          });
        });
  }

  void on_processed(std::int64_t id, std::uint64_t generation, PollReport report,
                    scheduler::PollResult result, Processed processed) {
    auto it = entries.find(id);
    if (it == entries.end() || it->second.generation != generation) {
      tick();  // an orphaned poll (source removed or replaced): upsert/remove counted it
      return;
    }
    Entry& e = it->second;
    if (processed.parse_error || !processed.document) {
      report.outcome = PollOutcome::failed;
      report.error_class = processed.error_class.empty() ? "parse" : processed.error_class;
      report.error_text = processed.error_text;
      // An unparsable body must be fetched and parsed again, not skipped or answered with a
      // 304: its validators are not kept, and the source stays failing until a fetch parses.
      report.etag = e.source.etag;
      report.last_modified = e.source.last_modified;
      report.body_hash = e.source.body_hash;
      result.parse_error = true;
      return finish(e, std::move(report), std::move(result));
    }
    const Feed& feed = processed.document->feed;
    Hints& h = e.hints;
    h.ttl.reset();
    h.update_period.reset();
    if (feed.ttl_minutes && *feed.ttl_minutes > 0) h.ttl = std::chrono::minutes(*feed.ttl_minutes);
    if (feed.update_period_seconds && *feed.update_period_seconds > 0) {
      h.update_period = scheduler::Seconds(*feed.update_period_seconds);
    }
    h.skip_hours = feed.skip_hours;
    h.skip_days = feed.skip_days;
    for (const Item& item : feed.items) {
      if (auto when = item.published ? item.published : item.updated; when && !item.date_in_future) {
        result.item_dates.push_back(*when);
      }
    }
    const std::uint64_t fingerprint = items_fingerprint(feed);
    report.changed = !e.items_hash || *e.items_hash != fingerprint;
    e.items_hash = fingerprint;
    result.changed = report.changed;
    report.outcome = PollOutcome::ok;
    if (processed.articles_left) {
      report.etag.clear();
      report.last_modified.clear();
      report.body_hash.clear();
    }
    report.document = std::move(processed.document);
    report.linked = std::move(processed.linked);
    report.websub = std::move(processed.websub);
    finish(e, std::move(report), std::move(result));
  }

  // A hub's push: the poll's processing and report, without a fetch or a schedule change.
  void on_pushed(std::int64_t id, std::uint64_t generation, PollReport report, Processed processed) {
    auto it = entries.find(id);
    if (it == entries.end() || it->second.generation != generation || it->second.disabled) return;
    Entry& e = it->second;
    if (processed.parse_error || !processed.document) {
      // An empty or non-feed body only says that the topic changed: fetch it.
      if (!e.busy) {
        e.asked = true;
        schedule(e, SysClock::now());
        tick();
      }
      return;
    }
    report.outcome = PollOutcome::ok;
    report.changed = true;
    report.decision.state = e.source.state;
    report.decision.next_poll = e.source.next_poll.value_or(report.attempted);
    report.decision.reason = "pushed";
    report.document = std::move(processed.document);
    report.websub = std::move(processed.websub);
    if (hooks.report) hooks.report(std::move(report));
  }

  void finish(Entry& e, PollReport report, scheduler::PollResult result) {
    result.ttl = e.hints.ttl;
    result.update_period = e.hints.update_period;
    result.skip_hours = e.hints.skip_hours;
    result.skip_days = e.hints.skip_days;
    ++e.polls;
    report.decision =
        scheduler::decide(options.policy, settings_of(e), e.source.state, result, jitter_seed(e));
    const scheduler::Decision& d = report.decision;
    e.source.state = d.state;
    e.source.next_poll = d.next_poll;
    e.server_wait = d.reason == "retry-after";
    e.source.etag = report.etag;
    e.source.last_modified = report.last_modified;
    e.source.body_hash = report.body_hash;
    if (d.new_url) {
      e.source.url = *d.new_url;
      e.host = host_of(e.source.url);
    }
    if (d.host_pause_until && !e.host.empty()) {
      const auto pause = SysClock::time_point(*d.host_pause_until) - SysClock::now();
      gate.slow_down(e.host, std::chrono::steady_clock::now() +
                                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(pause));
    }
    e.busy = false;
    --busy;
    const bool again = std::exchange(e.poll_again, false);
    if (d.disable) {
      e.disabled = true;
      ++e.generation;
    } else if (again) {
      e.asked = true;
      schedule(e, SysClock::now());
    } else {
      schedule(e, SysTime(d.next_poll));
    }
    if (hooks.report) hooks.report(std::move(report));
    tick();
  }

  boost::asio::any_io_executor executor;
  Client& client;
  PollerOptions options;
  PollerHooks hooks;
  scheduler::HostGate gate;
  boost::asio::system_timer timer;
  bool timer_armed = false;
  SysTime timer_at{};
  std::deque<Linked> linked;
  boost::asio::steady_timer linked_timer;
  bool linked_armed = false;
  std::chrono::steady_clock::time_point linked_at{};
  std::unordered_map<std::int64_t, Entry> entries;
  std::unordered_map<std::int64_t, std::chrono::seconds> push_intervals;  // sources a hub pushes
  std::priority_queue<Due, std::vector<Due>, std::greater<>> heap;
  std::size_t busy = 0;
  std::size_t fetching = 0;   // fetches started and not yet answered, orphaned ones included
  std::size_t receiving = 0;  // body bytes those fetches received so far
  std::uint64_t claims_asked = 0;
  std::minstd_rand claim_rng{std::random_device{}()};
  std::uniform_int_distribution<int> claim_spread{0, 100};
  bool running = false;
};

Poller::Poller(boost::asio::any_io_executor executor, Client& client, PollerOptions options,
               PollerHooks hooks)
    : impl_(std::make_shared<Impl>(std::move(executor), client, std::move(options), std::move(hooks))) {}

Poller::~Poller() {
  stop_scheduling();
}

void Poller::upsert(PollSource source) {
  auto& e = impl_->entries[source.id];
  const bool was_busy = e.busy;
  const std::uint64_t generation = e.generation;
  e = Impl::Entry{};
  e.generation = generation;
  if (was_busy) --impl_->busy;  // its report is dropped: the generation changes below
  e.host = host_of(source.url);
  e.source = std::move(source);
  const SysTime at = e.source.next_poll ? impl_->bounded(e, SysTime(*e.source.next_poll)) : SysClock::now();
  impl_->schedule(e, at);
}

void Poller::remove(std::int64_t id) {
  auto it = impl_->entries.find(id);
  if (it == impl_->entries.end()) return;
  if (it->second.busy) --impl_->busy;
  impl_->entries.erase(it);
}

void Poller::poll_now(std::int64_t id) {
  auto it = impl_->entries.find(id);
  if (it == impl_->entries.end()) return;
  // The running poll may have fetched before what the caller wants to see was published.
  if (it->second.busy) {
    it->second.poll_again = true;
    return;
  }
  it->second.disabled = false;
  it->second.asked = true;
  impl_->schedule(it->second, SysClock::now());
  impl_->tick();
}

void Poller::pushed(std::int64_t id, Response body) {
  auto it = impl_->entries.find(id);
  if (it == impl_->entries.end() || it->second.disabled) return;
  const Impl::Entry& e = it->second;
  PollReport report;
  report.source_id = id;
  report.url = e.source.url;
  report.attempted = to_instant(SysClock::now());
  report.http_status = 200;
  report.bytes = body.body.size();
  report.body_bytes = body.body.size();
  // A fat ping may carry only the new entries: the validators of the full document stay.
  report.etag = e.source.etag;
  report.last_modified = e.source.last_modified;
  report.body_hash = e.source.body_hash;
  report.pushed = true;
  if (!impl_->hooks.process) return;
  impl_->hooks.process(e.source, std::move(body),
                       [weak = std::weak_ptr<Impl>(impl_), ex = impl_->executor, id,
                        generation = e.generation, report = std::move(report)](Processed processed) mutable {
                         boost::asio::post(ex, [weak, id, generation, report = std::move(report),
                                                processed = std::move(processed)]() mutable {
                           if (auto self = weak.lock())
                             self->on_pushed(id, generation, std::move(report), std::move(processed));
                         });
                       });
}

void Poller::set_push_interval(std::int64_t id, std::optional<std::chrono::seconds> interval) {
  if (interval) {
    impl_->push_intervals[id] = *interval;
  } else {
    impl_->push_intervals.erase(id);
  }
  auto it = impl_->entries.find(id);
  if (interval || it == impl_->entries.end() || it->second.busy || it->second.disabled) return;
  // The pushes stopped (lease ended, hub gone): what they may have missed is fetched now,
  // and the source's own interval applies from that poll on.
  it->second.asked = true;
  impl_->schedule(it->second, SysClock::now());
  impl_->tick();
}

void Poller::set_options(PollerOptions options) {
  impl_->gate.set_limits(options.gate);
  impl_->options = std::move(options);
  for (auto& [id, e] : impl_->entries) {
    if (e.busy || e.disabled || !e.source.next_poll) continue;
    const SysTime at = impl_->bounded(e, SysTime(*e.source.next_poll));
    if (at < SysTime(*e.source.next_poll)) {
      e.source.next_poll = to_instant(at);
      impl_->schedule(e, at);
    }
  }
  impl_->tick();  // wider limits may let waiting polls start now
}

void Poller::start() {
  impl_->running = true;
  impl_->tick();
}

void Poller::stop_scheduling() {
  impl_->running = false;
  impl_->timer.cancel();
}

void Poller::resume() {
  impl_->tick();
}

void Poller::forget_validators(std::int64_t id) {
  auto it = impl_->entries.find(id);
  if (it == impl_->entries.end()) return;
  it->second.source.etag.clear();
  it->second.source.last_modified.clear();
  it->second.source.body_hash.clear();
  it->second.items_hash.reset();
}

void Poller::fetch_linked(Request request, Callback done) {
  std::string host = host_of(request.url);
  impl_->linked.push_back({std::move(host), std::move(request), std::move(done)});
  impl_->pump_linked();
}

const PollSource* Poller::find(std::int64_t id) const {
  auto it = impl_->entries.find(id);
  return it == impl_->entries.end() ? nullptr : &it->second.source;
}

std::size_t Poller::size() const {
  return impl_->entries.size();
}

std::size_t Poller::in_flight() const {
  return impl_->busy;
}

}  // namespace tinhop::fetch
