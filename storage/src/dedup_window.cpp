#include "dedup_window.hpp"

#include <algorithm>
#include <cstdlib>

namespace tinhop::storage {
namespace {

constexpr std::size_t kRows = kMinHashSize / kLshBands;
static_assert(kRows == 2, "a band is two 16-bit minima: one 32-bit value");

// A slot holds tag << 24 | ring position; two values no position reaches mark free slots.
constexpr std::uint32_t kEmpty = 0xFFFFFFFFU;
constexpr std::uint32_t kErased = 0xFFFFFFFEU;
constexpr std::size_t kMaxEntries = 0xFFFFFDU;  // positions below 2^24 - 2
constexpr std::uint32_t kPositionMask = 0xFFFFFFU;

// Live slots stay under 55% of the table (short probes); erased ones are swept out by a
// rebuild at 80%.
std::size_t table_size(std::size_t ring_size) {
  return (ring_size * kLshBands * 20 + 10) / 11;
}

std::uint32_t band_value(const Fingerprint& fp, std::size_t band) {
  return static_cast<std::uint32_t>(fp.minhash[band * kRows]) |
         (static_cast<std::uint32_t>(fp.minhash[band * kRows + 1]) << 16U);
}

std::uint64_t band_hash(std::size_t band, std::uint32_t value) {
  return mix64((static_cast<std::uint64_t>(band) << 32U) | value);
}

// The slot a band hash starts probing at, without a power-of-two table size.
std::size_t home(std::uint64_t hash, std::size_t table) {
  return static_cast<std::size_t>(((hash & 0xFFFFFFFFULL) * table) >> 32U);
}

std::uint32_t tag_of(std::uint64_t hash) {
  return static_cast<std::uint32_t>(hash >> 56U) << 24U;
}

}  // namespace

std::size_t DedupWindow::entry_bytes() {
  return sizeof(Entry) + table_size(1) * sizeof(std::uint32_t);
}

DedupWindow::DedupWindow(DedupOptions options)
    : options_(options), max_entries_(std::min(options.max_candidate_bytes / entry_bytes(), kMaxEntries)) {}

std::size_t DedupWindow::allocated_bytes() const {
  return ring_.capacity() * sizeof(Entry) + table_.capacity() * sizeof(std::uint32_t);
}

std::optional<std::size_t> DedupWindow::find(std::int64_t item_id) const {
  std::size_t lo = 0, hi = count_;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (at(mid).item_id < item_id)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < count_ && at(lo).item_id == item_id) return lo;
  return std::nullopt;
}

void DedupWindow::index(std::uint32_t position) {
  const Fingerprint& fp = ring_[position].fingerprint;
  const std::size_t size = table_.size();
  for (std::size_t band = 0; band < kLshBands; ++band) {
    const std::uint64_t h = band_hash(band, band_value(fp, band));
    std::size_t i = home(h, size);
    while (table_[i] != kEmpty && table_[i] != kErased) i = i + 1 == size ? 0 : i + 1;
    if (table_[i] == kEmpty) ++table_used_;
    table_[i] = tag_of(h) | position;
  }
}

void DedupWindow::unindex(std::uint32_t position) {
  const Fingerprint& fp = ring_[position].fingerprint;
  const std::size_t size = table_.size();
  for (std::size_t band = 0; band < kLshBands; ++band) {
    const std::uint64_t h = band_hash(band, band_value(fp, band));
    const std::uint32_t slot = tag_of(h) | position;
    for (std::size_t i = home(h, size); table_[i] != kEmpty; i = i + 1 == size ? 0 : i + 1) {
      if (table_[i] == slot) {
        table_[i] = kErased;
        break;
      }
    }
  }
}

void DedupWindow::drop_front() {
  const std::uint32_t pos = position(0);
  if (ring_[pos].fingerprint.shingles != 0) {
    unindex(pos);
    --live_;
  }
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

void DedupWindow::drop_back() {
  const std::uint32_t pos = position(count_ - 1);
  if (ring_[pos].fingerprint.shingles != 0) {
    unindex(pos);
    --live_;
  }
  --count_;
}

void DedupWindow::resize(std::size_t ring_size) {
  std::vector<Entry> ring;
  ring.reserve(ring_size);
  for (std::size_t i = 0; i < count_; ++i) {
    if (at(i).fingerprint.shingles != 0) ring.push_back(at(i));  // removed records go here
  }
  ring.resize(ring_size);
  ring_ = std::move(ring);
  head_ = 0;
  count_ = live_;
  table_.assign(table_size(ring_size), kEmpty);
  table_used_ = 0;
  for (std::size_t i = 0; i < count_; ++i) index(static_cast<std::uint32_t>(i));
}

void DedupWindow::add(const Entry& entry) {
  if (entry.fingerprint.shingles == 0 || max_entries_ == 0) return;
  while (count_ > 0 && at(count_ - 1).item_id >= entry.item_id) drop_back();
  while (count_ > 0 && at(0).fingerprint.shingles == 0) drop_front();
  if (count_ == ring_.size()) {
    if (ring_.size() < max_entries_) {
      resize(std::min(max_entries_, std::max<std::size_t>(1024, 2 * ring_.size())));
    } else {
      drop_front();
    }
  }
  if (5 * (table_used_ + kLshBands) > 4 * table_.size()) resize(ring_.size());
  const std::uint32_t pos = position(count_);
  ring_[pos] = entry;
  ++count_;
  ++live_;
  index(pos);
}

void DedupWindow::remove(std::int64_t item_id) {
  const auto logical = find(item_id);
  if (!logical) return;
  const std::uint32_t pos = position(*logical);
  if (ring_[pos].fingerprint.shingles == 0) return;
  unindex(pos);
  ring_[pos].fingerprint.shingles = 0;  // stays in the ring, out of the table, until it leaves
  --live_;
}

void DedupWindow::update_fingerprint(std::int64_t item_id, const Fingerprint& fingerprint) {
  const auto logical = find(item_id);
  if (!logical) return;
  const std::uint32_t pos = position(*logical);
  Entry& entry = ring_[pos];
  if (entry.fingerprint.shingles == 0) return;  // removed
  unindex(pos);
  if (fingerprint.shingles == 0) {
    entry.fingerprint.shingles = 0;
    --live_;
    return;
  }
  entry.fingerprint = fingerprint;
  // A rebuild indexes every live record, this one with its new fingerprint included.
  if (5 * (table_used_ + kLshBands) > 4 * table_.size())
    resize(ring_.size());
  else
    index(pos);
}

void DedupWindow::clear() {
  ring_ = {};
  table_ = {};
  head_ = count_ = live_ = table_used_ = 0;
}

std::optional<DedupWindow::Match> DedupWindow::best_match(
    const Fingerprint& fingerprint, std::int64_t source_id, std::int64_t published,
    const std::function<bool(std::int64_t item_id, std::int64_t cluster_id)>& accept) const {
  if (fingerprint.shingles == 0 || live_ == 0) return std::nullopt;
  std::vector<std::size_t> candidates;  // logical indexes: ascending item ids once sorted
  const std::size_t size = table_.size();
  for (std::size_t band = 0; band < kLshBands; ++band) {
    const std::uint32_t value = band_value(fingerprint, band);
    const std::uint64_t h = band_hash(band, value);
    const std::uint32_t tag = tag_of(h);
    for (std::size_t i = home(h, size); table_[i] != kEmpty; i = i + 1 == size ? 0 : i + 1) {
      const std::uint32_t slot = table_[i];
      if (slot == kErased || (slot & ~kPositionMask) != tag) continue;
      const std::uint32_t pos = slot & kPositionMask;
      if (band_value(ring_[pos].fingerprint, band) == value) candidates.push_back(logical_of(pos));
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  std::optional<Match> best;
  const std::int64_t window = std::chrono::duration_cast<std::chrono::seconds>(options_.window).count();
  for (const std::size_t logical : candidates) {
    const Entry& entry = at(logical);
    if (entry.source_id == source_id) continue;  // a source's own items are distinct stories
    if (std::llabs(entry.published - published) > window) continue;
    const double score = similarity(fingerprint, entry.fingerprint);
    if (score < options_.threshold) continue;
    if (best && (score < best->similarity || (score == best->similarity && entry.item_id > best->item_id)))
      continue;
    if (!accept(entry.item_id, entry.cluster_id)) continue;
    best = Match{entry.cluster_id, entry.item_id, score};
  }
  return best;
}

}  // namespace tinhop::storage
