#include "alert_watch.hpp"

#include <boost/json.hpp>

#include "tinhop/config/units.hpp"
#include "tinhop/parsers/contract_json.hpp"

namespace tinhop::daemon {

namespace {

using alerts::Condition;

// One line: what was seen.
std::string detail_of(Condition before, Condition after, const storage::Health& health,
                      std::chrono::seconds quiet, std::chrono::seconds limit) {
  switch (after) {
    case Condition::failing: {
      std::string why = health.error_text.empty() ? health.error_class : health.error_text;
      return std::to_string(health.consecutive_failures) + " failed polls in a row" +
             (why.empty() ? std::string() : ", the last: " + why);
    }
    case Condition::stale:
      return "no new item for " + config::format_duration(quiet) +
             " (allowed: " + config::format_duration(limit) + ")";
    case Condition::healthy: break;
  }
  return before == Condition::failing ? "polls succeed again" : "a new item arrived";
}

}  // namespace

AlertWatchOptions alert_watch_options_from(const config::AlertsConfig& config) {
  AlertWatchOptions options;
  options.policy.failing_after = config.failing_after;
  options.policy.min_quiet = config.min_quiet;
  options.history = config.history;
  return options;
}

std::string alert_json(const ToldAlert& told) {
  boost::json::object source{{"id", told.event.source_id}, {"url", told.source_url}};
  source["title"] =
      told.source_title.empty() ? boost::json::value(nullptr) : boost::json::value(told.source_title);
  return boost::json::serialize(boost::json::object{{"id", told.event.id},
                                                    {"kind", told.event.kind},
                                                    {"at", format_rfc3339(told.event.at)},
                                                    {"detail", told.event.detail},
                                                    {"source", std::move(source)}});
}

storage::Result<void> AlertWatch::load(storage::Store& store) {
  auto stored = store.source_alerts();
  if (!stored) return stored.error();
  for (const storage::SourceAlert& alert : *stored) {
    if (auto condition = alerts::condition_from(alert.condition)) conditions_[alert.source_id] = *condition;
  }
  loaded_ = true;
  return {};
}

storage::Result<std::optional<ToldAlert>> AlertWatch::assess(storage::Store& store,
                                                             const storage::Source& source,
                                                             const storage::Health& health, Instant now) {
  const auto known = conditions_.find(source.id);
  const Condition before = known == conditions_.end() ? Condition::healthy : known->second;
  alerts::SourceFacts facts;
  facts.consecutive_failures = health.consecutive_failures;
  facts.last_new_item = health.last_new_item;
  facts.added = source.created;
  const Instant quiet_since = health.last_new_item.value_or(source.created);
  const auto quiet = std::chrono::duration_cast<std::chrono::seconds>(now - quiet_since);
  // Its rhythm can only allow more quiet than min_quiet: below that, no need to read it.
  std::vector<Instant> arrivals;
  if (facts.consecutive_failures < options_.policy.failing_after && quiet > options_.policy.min_quiet) {
    auto read = store.arrivals(source.id, now - options_.history);
    if (!read) return read.error();
    arrivals = std::move(*read);
    facts.arrivals = arrivals;
  }
  const Condition after = alerts::assess(facts, options_.policy, now);
  if (facts.consecutive_failures > 0) {
    settled_until_.erase(source.id);
  } else if (after == Condition::stale) {
    settled_until_[source.id] = Instant::max();
  } else {
    // Quiet up to min_quiet never makes a source stale, whatever its rhythm.
    const auto limit = facts.arrivals.empty() ? options_.policy.min_quiet
                                              : alerts::quiet_limit(arrivals, options_.policy.min_quiet);
    settled_until_[source.id] = quiet_since + limit;
  }
  const std::optional<alerts::Transition> transition = alerts::transition(before, after);
  if (!transition) return std::optional<ToldAlert>{};
  ToldAlert told;
  told.event.source_id = source.id;
  told.event.kind = std::string(alerts::to_string(*transition));
  told.event.at = now;
  told.event.detail =
      detail_of(before, after, health, quiet, alerts::quiet_limit(arrivals, options_.policy.min_quiet));
  auto id = store.record_alert(told.event);
  if (!id) return id.error();
  told.event.id = *id;
  told.source_url = source.settings.url;
  told.source_title = source.settings.title.empty() ? source.feed_title.value_or("") : source.settings.title;
  if (after == Condition::healthy) {
    conditions_.erase(source.id);
  } else {
    conditions_[source.id] = after;
  }
  return std::optional(std::move(told));
}

storage::Result<std::vector<ToldAlert>> AlertWatch::check(storage::Store& store,
                                                          const std::optional<std::vector<std::int64_t>>& ids,
                                                          Instant now) {
  if (!loaded_) {
    if (auto loaded = load(store); !loaded) return loaded.error();
  }
  std::vector<ToldAlert> told;
  std::optional<storage::Error> failed;
  auto one = [&](const storage::Source& source, const storage::Health& health) {
    if (failed || !source.settings.enabled) return;
    auto outcome = assess(store, source, health, now);
    if (!outcome) {
      failed = outcome.error();
    } else if (*outcome) {
      told.push_back(std::move(**outcome));
    }
  };
  if (ids) {
    for (const std::int64_t id : *ids) {
      auto source = store.get_source(id);
      if (!source && source.error().code == storage::Errc::not_found) continue;  // removed since its poll
      if (!source) return source.error();
      auto health = store.health(id);
      if (!health) return health.error();
      one(*source, *health);
    }
  } else {
    auto visited = store.visit_sources([&](const storage::Source& source, const storage::Health* health) {
      if (health) one(source, *health);
    });
    if (!visited) return visited.error();
  }
  {
    std::lock_guard lock(tally_mutex_);
    tally_.sources.clear();
    for (const auto& [id, condition] : conditions_)
      ++tally_.sources[std::string(alerts::to_string(condition))];
    for (const ToldAlert& alert : told) ++tally_.transitions[alert.event.kind];
  }
  if (failed) return *failed;
  return told;
}

storage::Result<std::vector<ToldAlert>> AlertWatch::check_polled(storage::Store& store,
                                                                 const std::vector<PolledSource>& polls,
                                                                 Instant now) {
  std::vector<std::int64_t> ids;
  for (const PolledSource& poll : polls) {
    const auto settled = settled_until_.find(poll.id);
    const bool unchanged = !poll.failed && !poll.added_items && settled != settled_until_.end();
    if (unchanged && now <= settled->second) continue;
    ids.push_back(poll.id);
  }
  if (ids.empty()) return std::vector<ToldAlert>{};
  return check(store, ids, now);
}

AlertTally AlertWatch::tally() const {
  std::lock_guard lock(tally_mutex_);
  return tally_;
}

}  // namespace tinhop::daemon
