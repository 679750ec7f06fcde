// The near-duplicate candidates kept in memory: fingerprints of the most recently stored
// items, indexed by LSH bands, so finding the story a new item belongs to costs the same
// at 1,000 or 1,000,000 stored items.
//
// Bounded by bytes (DedupOptions::max_candidate_bytes), not by an entry count: the
// records live in one ring in insertion order (which is item id order), and the band
// index is one flat table of 4-byte slots (an 8-bit tag and the record's ring position)
// instead of a node per band entry, so an entry costs about 370 bytes where a map of
// entries plus a table of 16-byte band slots cost 1.2 KB. Both grow with use up to the
// budget; then the oldest insertions leave first.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

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

  // Memory one entry takes at most: its record and its share of the band table.
  static std::size_t entry_bytes();

  explicit DedupWindow(DedupOptions options);

  // Item ids must grow from one add to the next (SQLite's rowids do): an entry whose id is
  // not above the newest one's replaces the entries from that id on, which can only be
  // rows deleted behind the window's back.
  void add(const Entry& entry);
  void remove(std::int64_t item_id);
  void update_fingerprint(std::int64_t item_id, const Fingerprint& fingerprint);
  void clear();

  // The most similar entry from another source, published within the window, at or above
  // the threshold, whose item and cluster `accept` agrees to (the item is still stored in
  // that cluster, which has no item of this source yet).
  std::optional<Match> best_match(
      const Fingerprint& fingerprint, std::int64_t source_id, std::int64_t published,
      const std::function<bool(std::int64_t item_id, std::int64_t cluster_id)>& accept) const;

  std::size_t size() const { return live_; }
  // Entries the byte budget holds.
  std::size_t capacity() const { return max_entries_; }
  // Bytes allocated now (records and band table).
  std::size_t allocated_bytes() const;

 private:
  Entry& at(std::size_t logical) { return ring_[(head_ + logical) % ring_.size()]; }
  const Entry& at(std::size_t logical) const { return ring_[(head_ + logical) % ring_.size()]; }
  std::uint32_t position(std::size_t logical) const {
    return static_cast<std::uint32_t>((head_ + logical) % ring_.size());
  }
  std::size_t logical_of(std::uint32_t position) const {
    return (position + ring_.size() - head_) % ring_.size();
  }
  std::optional<std::size_t> find(std::int64_t item_id) const;  // logical index
  void index(std::uint32_t position);
  void unindex(std::uint32_t position);
  void drop_front();
  void drop_back();
  void resize(std::size_t ring_size);  // relays the ring from position 0 and rebuilds the table

  DedupOptions options_;
  std::size_t max_entries_;
  std::vector<Entry> ring_;  // live and removed records, oldest at head_
  std::size_t head_ = 0;
  std::size_t count_ = 0;  // records in the ring, removed ones included
  std::size_t live_ = 0;   // records with a fingerprint in the band table
  std::vector<std::uint32_t> table_;
  std::size_t table_used_ = 0;  // live and erased slots
};

}  // namespace tinhop::storage
