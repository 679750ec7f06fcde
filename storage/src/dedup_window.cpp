#include "dedup_window.hpp"

#include <algorithm>
#include <cstdlib>

namespace tinhop::storage {

void DedupWindow::add(const Entry& entry) {
  if (entry.fingerprint.shingles == 0 || capacity_ == 0) return;
  remove(entry.item_id);
  while (entries_.size() >= capacity_ && !order_.empty()) {
    const auto oldest = order_.front();
    order_.pop_front();
    remove(oldest);
  }
  entries_.emplace(entry.item_id, entry);
  order_.push_back(entry.item_id);
  index_.insert(static_cast<std::uint64_t>(entry.item_id), entry.fingerprint);
}

void DedupWindow::remove(std::int64_t item_id) {
  auto it = entries_.find(item_id);
  if (it == entries_.end()) return;
  index_.erase(static_cast<std::uint64_t>(item_id), it->second.fingerprint);
  entries_.erase(it);
  // order_ keeps the stale id: skipping it at eviction is cheaper than a linear erase.
  if (order_.size() > 2 * capacity_ + 16) {
    std::erase_if(order_, [&](std::int64_t id) { return !entries_.contains(id); });
  }
}

void DedupWindow::update_fingerprint(std::int64_t item_id, const Fingerprint& fingerprint) {
  auto it = entries_.find(item_id);
  if (it == entries_.end()) return;
  Entry entry = it->second;
  entry.fingerprint = fingerprint;
  index_.erase(static_cast<std::uint64_t>(item_id), it->second.fingerprint);
  it->second = entry;
  index_.insert(static_cast<std::uint64_t>(item_id), fingerprint);
}

void DedupWindow::clear() {
  entries_.clear();
  order_.clear();
  index_.clear();
}

std::optional<DedupWindow::Match> DedupWindow::best_match(
    const Fingerprint& fingerprint, std::int64_t source_id, std::int64_t published,
    const std::function<bool(std::int64_t cluster_id)>& accept) const {
  std::optional<Match> best;
  const std::int64_t window = std::chrono::duration_cast<std::chrono::seconds>(options_.window).count();
  for (const auto id : index_.candidates(fingerprint)) {
    const auto it = entries_.find(static_cast<std::int64_t>(id));
    if (it == entries_.end()) continue;
    const Entry& entry = it->second;
    if (entry.source_id == source_id) continue;  // a source's own items are distinct stories
    if (std::llabs(entry.published - published) > window) continue;
    const double score = similarity(fingerprint, entry.fingerprint);
    if (score < options_.threshold) continue;
    if (best && (score < best->similarity || (score == best->similarity && entry.item_id > best->item_id)))
      continue;
    if (!accept(entry.cluster_id)) continue;
    best = Match{entry.cluster_id, entry.item_id, score};
  }
  return best;
}

}  // namespace tinhop::storage
