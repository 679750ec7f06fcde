// How the cluster's database work (claims, lease renewals, heartbeats) tells an outage
// without a line per lease and round: the first failure in full, then at most one summary
// a minute counting what it left out, and one line when the database answers again.
// Takes "now" and says what to log; the caller logs it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace tinhop::daemon {

class OutageLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::minutes kSummaryEvery{1};

  struct Line {
    bool first = false;           // the outage's first failure; otherwise a summary
    std::int64_t suppressed = 0;  // failures not logged since the previous line
    std::chrono::seconds failing_for{0};
  };
  struct Recovery {
    std::chrono::seconds down_for{0};
    std::int64_t failures = 0;  // over the whole outage
  };

  // A failure at `now`: the line to log, or nullopt while the next summary is not due.
  std::optional<Line> failed(Clock::time_point now);
  // A success at `now`: what to say once after an outage; nullopt otherwise.
  std::optional<Recovery> succeeded(Clock::time_point now);

 private:
  std::optional<Clock::time_point> since_;
  Clock::time_point last_line_{};
  std::int64_t failures_ = 0;
  std::int64_t suppressed_ = 0;
};

}  // namespace tinhop::daemon
