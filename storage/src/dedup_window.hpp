// The near-duplicate candidates kept in memory: fingerprints of the most recently stored
// items, indexed by LSH bands, so finding the story a new item belongs to costs the same
// at 1,000 or 1,000,000 stored items. Bounded by entry count (oldest insertions leave first).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>

#include "tinhop/parsers/fingerprint.hpp"
#include "tinhop/storage/store.hpp"

namespace tinhop::storage {

class DedupWindow {
 public:
  struct Entry {
    std::int64_t item_id = 0;
    std::int64_t cluster_id = 0;
    std::int64_t source_id = 0;
    std::int64_t published = 0;  // unix seconds
    Fingerprint fingerprint;
  };
  struct Match {
    std::int64_t cluster_id = 0;
    std::int64_t item_id = 0;
    double similarity = 0;
  };

  DedupWindow(DedupOptions options, std::size_t capacity) : options_(options), capacity_(capacity) {}

  void add(const Entry& entry);
  void remove(std::int64_t item_id);
  void update_fingerprint(std::int64_t item_id, const Fingerprint& fingerprint);
  void clear();

  // The most similar entry from another source, published within the window, at or above
  // the threshold, whose cluster `accept` agrees to (e.g. has no item of this source yet).
  std::optional<Match> best_match(const Fingerprint& fingerprint, std::int64_t source_id,
                                  std::int64_t published,
                                  const std::function<bool(std::int64_t cluster_id)>& accept) const;

  std::size_t size() const { return entries_.size(); }

 private:
  DedupOptions options_;
  std::size_t capacity_;
  std::unordered_map<std::int64_t, Entry> entries_;
  std::deque<std::int64_t> order_;  // insertion order, for eviction; may hold removed ids
  LshIndex index_;
};

}  // namespace tinhop::storage
