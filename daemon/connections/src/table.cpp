#include "tinhop/connections/table.hpp"

#include <cstdio>

namespace tinhop::connections {

Table::Admission Table::admit(const std::string& peer, std::function<void()> close) {
  Admission admission;
  std::function<void()> evict;
  {
    std::lock_guard lock(mutex_);
    if (!peer.empty() && limits_.max_per_peer != 0) {
      auto it = per_peer_.find(peer);
      if (it != per_peer_.end() && it->second >= limits_.max_per_peer) {
        admission.outcome = Admission::Outcome::refused_peer;
        return admission;
      }
    }
    if (entries_.size() >= limits_.max_connections) {
      if (waiting_.empty()) {
        admission.outcome = Admission::Outcome::refused_full;
        return admission;
      }
      auto victim = entries_.find(waiting_.begin()->second);
      evict = std::move(victim->second.close);
      forget(victim);
      ++evicted_;
      admission.outcome = Admission::Outcome::admitted_evicting;
    } else {
      admission.outcome = Admission::Outcome::admitted;
    }
    admission.id = next_id_++;
    const std::uint64_t order = next_order_++;
    entries_.emplace(admission.id, Entry{peer, std::move(close), order});
    waiting_.emplace(order, admission.id);
    if (!peer.empty()) ++per_peer_[peer];
  }
  if (evict) evict();
  return admission;
}

void Table::waiting(Id id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.waiting_since != 0) return;
  it->second.waiting_since = next_order_++;
  waiting_.emplace(it->second.waiting_since, id);
}

bool Table::busy(Id id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  if (it->second.waiting_since != 0) {
    waiting_.erase({it->second.waiting_since, id});
    it->second.waiting_since = 0;
  }
  return true;
}

void Table::release(Id id) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end()) forget(it);
}

std::size_t Table::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t Table::evicted() const {
  std::lock_guard lock(mutex_);
  return evicted_;
}

void Table::forget(std::map<Id, Entry>::iterator it) {
  if (it->second.waiting_since != 0) waiting_.erase({it->second.waiting_since, it->first});
  if (!it->second.peer.empty()) {
    auto peer = per_peer_.find(it->second.peer);
    if (peer != per_peer_.end() && --peer->second == 0) per_peer_.erase(peer);
  }
  entries_.erase(it);
}

std::string peer_key(const boost::asio::ip::address& address) {
  if (address.is_v4()) return address.to_string();
  const boost::asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  const auto bytes = v6.to_bytes();
  char prefix[48];
  std::snprintf(prefix, sizeof prefix, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", bytes[0], bytes[1],
                bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
  return prefix;
}

}  // namespace tinhop::connections
