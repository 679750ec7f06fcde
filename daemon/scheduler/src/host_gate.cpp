#include "tinhop/scheduler/host_gate.hpp"

#include <algorithm>

namespace tinhop::scheduler {

HostGate::TimePoint HostGate::next_start(const std::string& host, TimePoint now) const {
  auto it = hosts_.find(host);
  if (it == hosts_.end() || it->second.last_start == TimePoint{}) return now;
  const Host& h = it->second;
  const auto spacing =
      now < h.slowed_until ? std::max(limits_.slowed_spacing, limits_.min_spacing) : limits_.min_spacing;
  return std::max(now, h.last_start + spacing);
}

bool HostGate::try_acquire(const std::string& host, TimePoint now) {
  if (running_ >= limits_.global) return false;
  Host& h = hosts_[host];
  const bool slowed = now < h.slowed_until;
  // A host that asked us to slow down gets one request at a time.
  if (h.running >= (slowed ? std::size_t{1} : limits_.per_host)) return false;
  if (next_start(host, now) > now) return false;
  ++h.running;
  ++running_;
  h.last_start = now;
  if (++acquisitions_ % 4096 == 0) forget_idle_hosts(now);
  return true;
}

void HostGate::release(const std::string& host) {
  auto it = hosts_.find(host);
  if (it == hosts_.end() || it->second.running == 0) return;
  --it->second.running;
  --running_;
}

void HostGate::slow_down(const std::string& host, TimePoint until) {
  Host& h = hosts_[host];
  h.slowed_until = std::max(h.slowed_until, until);
}

std::size_t HostGate::running(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? 0 : it->second.running;
}

void HostGate::forget_idle_hosts(TimePoint now) {
  // Hosts with nothing running, no slowdown and no spacing left to respect carry no state.
  const auto horizon = std::max(limits_.min_spacing, limits_.slowed_spacing);
  std::erase_if(hosts_, [&](const auto& entry) {
    const Host& h = entry.second;
    return h.running == 0 && now >= h.slowed_until && now - h.last_start > horizon;
  });
}

}  // namespace tinhop::scheduler
