#include "outage_log.hpp"

namespace tinhop::daemon {

namespace {

std::chrono::seconds whole_seconds(OutageLog::Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

}  // namespace

std::optional<OutageLog::Line> OutageLog::failed(Clock::time_point now) {
  ++failures_;
  if (!since_) {
    since_ = now;
    last_line_ = now;
    suppressed_ = 0;
    return Line{.first = true, .suppressed = 0, .failing_for = std::chrono::seconds(0)};
  }
  if (now - last_line_ < kSummaryEvery) {
    ++suppressed_;
    return std::nullopt;
  }
  Line line{.first = false, .suppressed = suppressed_, .failing_for = whole_seconds(now - *since_)};
  last_line_ = now;
  suppressed_ = 0;
  return line;
}

std::optional<OutageLog::Recovery> OutageLog::succeeded(Clock::time_point now) {
  if (!since_) return std::nullopt;
  Recovery recovery{.down_for = whole_seconds(now - *since_), .failures = failures_};
  since_.reset();
  failures_ = 0;
  suppressed_ = 0;
  return recovery;
}

}  // namespace tinhop::daemon
