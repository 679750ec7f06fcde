// The near-duplicate candidates kept in memory: fingerprints of the most recently stored
// items, indexed by LSH bands, so finding the story a new item belongs to costs the same
// at 1,000 or 1,000,000 stored items.
//
// Bounded by bytes (DedupOptions::max_candidate_bytes), not by an entry count, and packed
// so the window holds as many candidates as dedup quality needs in a small budget: an
// entry costs 259 bytes. The records live in a ring in insertion order (which is item id
// order): 112 bytes with the cluster, an 8-bit b-bit MinHash (the low byte of each
// stored 16-bit minimum, compared with the standard bias correction), a check byte per
// band and the figures (8 bytes, the title-only mark in their spare bit); beside it a ring
// of 16-byte stamps holds each record's date, its item id relative to the oldest record's
// and its source id in 32 bits. The band index is a table of 64-byte buckets, one cache
// line each, of 21 3-byte slots (a tag and the record's ring position) at most 75% live.
// The table is megabytes, so every bucket read is a cache miss: a band reads one bucket
// (another only when an insert had to pass it), and the 32 buckets of a fingerprint are
// requested from memory together. Both grow with use up to the budget; then the oldest
// insertions leave first.
#pragma once

#include <array>
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
    std::int64_t cluster_id = 0;  // a stored cluster (rowids start at 1)
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
  // The window's estimate of the Jaccard similarity of two fingerprints, 0..1, from the low
  // 8 bits of each minimum: the share of equal bytes less the 1/256 that agree by chance.
  static double similarity(const Fingerprint& a, const Fingerprint& b);
  // Equal 8-bit minima (of kMinHashSize) a pair needs to be at or above `threshold`.
  static std::size_t minima_needed(double threshold);
  // A hash of each band's value as the band index reads it: two fingerprints the window can
  // find for each other share at least one (at the same band). Several writers lock these
  // to decide one story at a time (postgres/ingest.cpp).
  static std::array<std::uint64_t, kLshBands> band_values(const Fingerprint& fingerprint);

  explicit DedupWindow(DedupOptions options);

  // Item ids must grow from one add to the next (SQLite's rowids do): an entry whose id is
  // not above the newest one's replaces the entries from that id on, which can only be
  // rows deleted behind the window's back. An entry without text or cluster is ignored.
  void add(const Entry& entry);
  void remove(std::int64_t item_id);
  void update_fingerprint(std::int64_t item_id, const Fingerprint& fingerprint);
  void clear();

  // Requests from memory the band buckets that a lookup of `fingerprint` and the next
  // add() read first (the latter's for the entry it pushes out of a full window): a caller
  // with other work to do before them (a database read) overlaps the misses with it.
  void prefetch(const Fingerprint& fingerprint) const;
  // The entries from another source, published within the window, at or above the
  // threshold (the title-only threshold when either side is a headline alone), whose figures
  // do not contradict the fingerprint's: the most similar first, then the oldest.
  std::vector<Match> matches(const Fingerprint& fingerprint, std::int64_t source_id,
                             std::int64_t published) const;
  // The first of matches() whose item and cluster `accept` agrees to (the item is still
  // stored in that cluster, which has no item of this source yet: so a candidate of the
  // same source is refused there even when its source id does not fit the record's 32 bits).
  std::optional<Match> best_match(
      const Fingerprint& fingerprint, std::int64_t source_id, std::int64_t published,
      const std::function<bool(std::int64_t item_id, std::int64_t cluster_id)>& accept) const;

  std::size_t size() const { return live_; }
  // The id of the newest entry added (0 when empty): an add() at or below it replaces entries.
  std::int64_t newest_id() const { return count_ > 0 ? item_id(position(count_ - 1)) : 0; }
  // Entries the byte budget holds.
  std::size_t capacity() const { return max_entries_; }
  // Bytes allocated now: the band table and the ring, whose address space is reserved for
  // the whole budget at the first add (its pages become resident as records fill it).
  std::size_t allocated_bytes() const;

 private:
  // What the window keeps of a fingerprint: the low byte of each minimum, and per band the
  // XOR of its two minima's high bytes, so that a band is keyed by 24 bits: with 16 only,
  // unrelated entries would share one band in 2,048 and cost every lookup dozens of
  // candidates to reject.
  struct Sketch {
    std::array<std::uint8_t, kMinHashSize> minhash{};
    std::array<std::uint8_t, kLshBands> check{};
  };
  // A record is in two parallel rings. The stamps are small enough to stay in the
  // processor's cache: most candidates of a lookup are refused by their source or date
  // alone, without reading their sketch from memory.
  struct Stamp {
    std::int64_t published = 0;
    std::uint32_t item = 0;    // item id - base_
    std::uint32_t source = 0;  // source id, or 0 when it does not fit (never equal to another)
  };
  struct Record {
    std::int64_t cluster_id = 0;  // 0: removed (stays in the ring, out of the table, until it leaves)
    Sketch sketch;
    // The fingerprint's figures, with title_only in bit 63 (which figures never use).
    std::uint64_t traits = 0;
  };

  static Sketch sketch_of(const Fingerprint& fingerprint);
  static std::uint64_t traits_of(const Fingerprint& fingerprint);
  static std::uint32_t band_key(const Sketch& sketch, std::size_t band);
  std::uint32_t position(std::size_t logical) const {
    return static_cast<std::uint32_t>((head_ + logical) % ring_.size());
  }
  std::int64_t item_id(std::uint32_t position) const { return base_ + stamps_[position].item; }
  std::optional<std::size_t> find(std::int64_t item_id) const;  // logical index
  static constexpr std::size_t kSlotsPerBucket = 21;
  struct alignas(64) Bucket {
    std::array<std::uint8_t, 3 * kSlotsPerBucket> slots;  // little endian; all ones: free
    // Inserts that passed this bucket because it was full and are still in the table
    // (saturates at 255 and then stays): a lookup goes on to the next bucket while it is not 0.
    std::uint8_t passed;
  };
  static_assert(sizeof(Bucket) == 64);

  static std::uint32_t slot(const Bucket& bucket, std::size_t k);
  static void set_slot(Bucket& bucket, std::size_t k, std::uint32_t value);
  std::uint32_t tag_of(std::uint64_t hash) const;
  std::size_t next_bucket(std::size_t b) const { return b + 1 == table_.size() ? 0 : b + 1; }
  // The bucket of each band's hash, requested from memory at once.
  std::array<std::uint64_t, kLshBands> band_hashes(const Sketch& sketch) const;
  std::size_t home(std::uint64_t hash) const;
  // Counts an insert as passing each bucket from `first` up to (not including) `end`, or
  // takes that count back (`step` 1 or -1); a count at 255 stays there.
  void pass(std::size_t first, std::size_t end, int step);
  void index(std::uint32_t position);
  void unindex(std::uint32_t position);
  void drop_front();
  void drop_back();
  void rebase(std::int64_t item_id);   // keeps item_id - base_ within 32 bits
  void resize(std::size_t ring_size);  // relays the ring from position 0 and rebuilds the table

  DedupOptions options_;
  std::size_t max_entries_;
  unsigned position_bits_;     // the low bits of a slot; the rest is the tag
  std::int64_t base_ = 0;      // item id of Stamp::item 0
  std::vector<Record> ring_;   // live and removed records, oldest at head_
  std::vector<Stamp> stamps_;  // the same positions as ring_
  std::size_t head_ = 0;
  std::size_t count_ = 0;  // records in the ring, removed ones included
  std::size_t live_ = 0;   // records in the band table
  std::vector<Bucket> table_;
};

}  // namespace tinhop::storage
