#include "tinhop/alerts/alerts.hpp"

#include <algorithm>
#include <vector>

namespace tinhop::alerts {

std::string_view to_string(Condition condition) {
  switch (condition) {
    case Condition::healthy: return "healthy";
    case Condition::failing: return "failing";
    case Condition::stale: return "stale";
  }
  return "healthy";
}

std::string_view to_string(Transition transition) {
  switch (transition) {
    case Transition::failing: return "failing";
    case Transition::stale: return "stale";
    case Transition::recovered: return "recovered";
  }
  return "recovered";
}

std::optional<Condition> condition_from(std::string_view text) {
  for (const Condition condition : {Condition::healthy, Condition::failing, Condition::stale}) {
    if (to_string(condition) == text) return condition;
  }
  return std::nullopt;
}

std::chrono::seconds quiet_limit(std::span<const Instant> arrivals, std::chrono::seconds min_quiet) {
  constexpr std::size_t min_gaps = 5;
  if (arrivals.size() < min_gaps + 1) return min_quiet;
  std::vector<std::chrono::seconds> gaps;
  gaps.reserve(arrivals.size() - 1);
  for (std::size_t i = 1; i < arrivals.size(); ++i)
    gaps.push_back(std::chrono::duration_cast<std::chrono::seconds>(arrivals[i] - arrivals[i - 1]));
  // Nearest rank: the smallest gap at least 90% of the gaps do not exceed.
  const std::size_t rank = (gaps.size() * 9 + 9) / 10;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(rank - 1), gaps.end());
  return std::max(min_quiet, 3 * gaps[rank - 1]);
}

Condition assess(const SourceFacts& facts, const AlertPolicy& policy, Instant now) {
  if (facts.consecutive_failures >= policy.failing_after) return Condition::failing;
  const std::optional<Instant> quiet_since = facts.last_new_item ? facts.last_new_item : facts.added;
  if (quiet_since && now - *quiet_since > quiet_limit(facts.arrivals, policy.min_quiet))
    return Condition::stale;
  return Condition::healthy;
}

std::optional<Transition> transition(Condition before, Condition after) {
  if (before == after) return std::nullopt;
  switch (after) {
    case Condition::healthy: return Transition::recovered;
    case Condition::failing: return Transition::failing;
    case Condition::stale:
      if (before == Condition::failing) return std::nullopt;
      return Transition::stale;
  }
  return std::nullopt;
}

}  // namespace tinhop::alerts
