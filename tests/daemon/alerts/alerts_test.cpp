#include <catch2/catch.hpp>

#include <vector>

#include "tinhop/alerts/alerts.hpp"

using namespace std::chrono_literals;
using tinhop::Instant;
using tinhop::alerts::AlertPolicy;
using tinhop::alerts::assess;
using tinhop::alerts::Condition;
using tinhop::alerts::quiet_limit;
using tinhop::alerts::SourceFacts;
using tinhop::alerts::transition;
using tinhop::alerts::Transition;

namespace {

const Instant kNow{std::chrono::seconds{1710374400}};

// Arrivals every `gap`, the last one `last_ago` before kNow.
std::vector<Instant> every(std::chrono::seconds gap, int count, std::chrono::seconds last_ago) {
  std::vector<Instant> out;
  for (int i = count - 1; i >= 0; --i) out.push_back(kNow - last_ago - i * gap);
  return out;
}

}  // namespace

TEST_CASE("alerts: the quiet limit is three times the 90th percentile gap, at least min_quiet", "[alerts]") {
  // Nine gaps of 1 h and one of 5 h: the 90th percentile (nearest rank, 9th of 10) is 1 h.
  std::vector<Instant> arrivals = every(1h, 10, 0s);
  arrivals.insert(arrivals.begin(), arrivals.front() - 5h);
  CHECK(quiet_limit(arrivals, 30min) == 3h);
  // Two gaps of 5 h in eleven: the 10th of 11 is 5 h.
  arrivals.insert(arrivals.begin(), arrivals.front() - 5h);
  CHECK(quiet_limit(arrivals, 30min) == 15h);
  CHECK(quiet_limit(every(10min, 20, 0s), 2h) == 2h);
  // Four gaps learn no rhythm.
  CHECK(quiet_limit(every(1min, 5, 0s), 6h) == 6h);
}

TEST_CASE("alerts: a source failing N times in a row is failing, before anything else", "[alerts]") {
  const AlertPolicy policy{3, 6h};
  SourceFacts facts;
  facts.last_new_item = kNow - 1h;
  facts.consecutive_failures = 2;
  CHECK(assess(facts, policy, kNow) == Condition::healthy);
  facts.consecutive_failures = 3;
  CHECK(assess(facts, policy, kNow) == Condition::failing);
  facts.last_new_item = kNow - 300h;
  CHECK(assess(facts, policy, kNow) == Condition::failing);
}

TEST_CASE("alerts: a source is stale after three of its own usual gaps without a new item", "[alerts]") {
  const AlertPolicy policy{3, 1h};
  // An hourly source: quiet for 3 h is normal, past that stale.
  const auto hourly = every(1h, 30, 2h);
  SourceFacts facts;
  facts.arrivals = hourly;
  facts.last_new_item = hourly.back();
  CHECK(assess(facts, policy, kNow) == Condition::healthy);
  CHECK(assess(facts, policy, kNow + 1h) == Condition::healthy);
  CHECK(assess(facts, policy, kNow + 1h + 1s) == Condition::stale);
  // A daily source quiet for the same time is not.
  const auto daily = every(24h, 30, 2h);
  facts.arrivals = daily;
  facts.last_new_item = daily.back();
  CHECK(assess(facts, policy, kNow + 1h + 1s) == Condition::healthy);
  CHECK(assess(facts, policy, kNow + 70h + 1s) == Condition::stale);
  // Nothing stored yet: quiet since it was added, against min_quiet.
  SourceFacts fresh;
  fresh.added = kNow - 2h;
  CHECK(assess(fresh, policy, kNow) == Condition::stale);
  CHECK(assess(SourceFacts{}, policy, kNow) == Condition::healthy);
}

TEST_CASE("alerts: the transitions worth telling", "[alerts]") {
  CHECK(transition(Condition::healthy, Condition::healthy) == std::nullopt);
  CHECK(transition(Condition::healthy, Condition::failing) == Transition::failing);
  CHECK(transition(Condition::healthy, Condition::stale) == Transition::stale);
  CHECK(transition(Condition::stale, Condition::failing) == Transition::failing);
  CHECK(transition(Condition::failing, Condition::stale) == std::nullopt);
  CHECK(transition(Condition::failing, Condition::healthy) == Transition::recovered);
  CHECK(transition(Condition::stale, Condition::healthy) == Transition::recovered);
}
