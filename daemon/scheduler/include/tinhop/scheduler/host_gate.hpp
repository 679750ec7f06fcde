// Politeness towards hosts: how many requests may run at once, per host and overall,
// and how far apart requests to one host start. Pure state over a caller-given clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace tinhop::scheduler {

struct GateLimits {
  std::size_t per_host = 2;                         // concurrent requests to one host
  std::size_t global = 64;                          // concurrent requests overall
  std::chrono::milliseconds min_spacing{250};       // between request starts to one host
  std::chrono::milliseconds slowed_spacing{5'000};  // spacing while a host asked us to slow down
};

class HostGate {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit HostGate(GateLimits limits = {}) : limits_(limits) {}

  // Takes a slot for `host` when its limits allow a start at `now`; false otherwise.
  bool try_acquire(const std::string& host, TimePoint now);
  // Gives the slot back when the request ends.
  void release(const std::string& host);
  // The earliest time a request to `host` could start (ignoring the concurrency caps).
  TimePoint next_start(const std::string& host, TimePoint now) const;
  // After a 429/503: requests to `host` keep the slowed spacing until `until`.
  void slow_down(const std::string& host, TimePoint until);

  std::size_t running() const { return running_; }
  std::size_t running(const std::string& host) const;
  bool saturated() const { return running_ >= limits_.global; }
  // New limits for the next try_acquire(); requests running now keep their slots.
  void set_limits(GateLimits limits) { limits_ = limits; }

 private:
  struct Host {
    std::size_t running = 0;
    TimePoint last_start{};
    TimePoint slowed_until{};
  };
  void forget_idle_hosts(TimePoint now);

  GateLimits limits_;
  std::unordered_map<std::string, Host> hosts_;
  std::size_t running_ = 0;
  std::size_t acquisitions_ = 0;
};

}  // namespace tinhop::scheduler
