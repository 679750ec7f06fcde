// Source alerts: whether a source is failing (consecutive errors) or stale (quiet for longer
// than its own rhythm says is normal), and which change of condition is worth telling.
// Pure: facts and "now" in, a condition out; no I/O, no clock, no logger.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "tinhop/parsers/model.hpp"

namespace tinhop::alerts {

// What an operator can tune ([alerts] in the configuration).
struct AlertPolicy {
  std::int64_t failing_after = 3;  // consecutive failed polls that make a source failing
  std::chrono::seconds min_quiet{std::chrono::hours{6}};  // never stale after less quiet than this
};

enum class Condition : std::uint8_t {
  healthy,
  failing,  // the last failing_after polls or more failed
  stale,    // polls succeed but no new item came for longer than quiet_limit
};

// A change of condition worth telling.
enum class Transition : std::uint8_t {
  failing,    // became failing
  stale,      // became stale
  recovered,  // failing or stale before, healthy now
};

std::string_view to_string(Condition condition);
std::string_view to_string(Transition transition);
std::optional<Condition> condition_from(std::string_view text);

// How long a source may stay quiet: 3 times the 90th percentile of the gaps between its
// new items' arrivals (distinct first-seen times, oldest first; the last 30 days are what
// the caller passes), at least `min_quiet`. Fewer than 5 gaps learn no rhythm: `min_quiet`.
std::chrono::seconds quiet_limit(std::span<const Instant> arrivals, std::chrono::seconds min_quiet);

// What the daemon knows about one source when it checks.
struct SourceFacts {
  std::int64_t consecutive_failures = 0;
  std::optional<Instant> last_new_item;  // newest arrival; nullopt: nothing stored yet
  std::optional<Instant> added;       // when the source was added (quiet is counted from it before any item)
  std::span<const Instant> arrivals;  // as quiet_limit reads them
};

// The source's condition at `now`: failing before stale (a failing source brings nothing).
Condition assess(const SourceFacts& facts, const AlertPolicy& policy, Instant now);

// The transition from `before` to `after`, if any is worth telling (stale to failing is;
// failing to stale is not: the source still brings nothing, which failing already said).
std::optional<Transition> transition(Condition before, Condition after);

}  // namespace tinhop::alerts
